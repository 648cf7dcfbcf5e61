"""The Review aggregate (one per complaint and material type) and the reviewable-material rules."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from eventsourcing.domain import Aggregate, event

_NAMESPACE = uuid.UUID("a7d4f3a0-6a4e-4c55-8f1e-6b1f6b3a2c01")
APPROVED, REJECTED = "approved", "rejected"


@dataclass(frozen=True)
class Check:
    """One automatic check of a material: its reason code, whether it passed, and what to fix."""

    code: str
    passed: bool
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "passed": self.passed, "message": self.message}

    @classmethod
    def from_dict(cls, stored: dict) -> Check:
        return cls(stored["code"], stored["passed"], stored["message"])


def merged(checks: list[Check]) -> list[Check]:
    """One check per code, in first-seen order (a material's check and a complaint's may share one,
    such as RIGHT_EXPIRED): it fails if any of them fails, with that one's message."""
    by_code: dict[str, Check] = {}
    for check in checks:
        if check.code not in by_code or (by_code[check.code].passed and not check.passed):
            by_code[check.code] = check
    return list(by_code.values())


def failed_reasons(checks: list[Check]) -> list[dict]:
    return [{"code": c.code, "message": c.message} for c in checks if not c.passed]


def automatic_outcome(mode: str, checks: list[Check], trusted: bool = False) -> str | None:
    """auto: the checks decide; manual/hybrid: failures reject, the rest waits for a reviewer
    unless the complainant is trusted (hybrid)."""
    if any(not c.passed for c in checks):
        return REJECTED
    if mode == "auto" or (mode == "hybrid" and trusted):
        return APPROVED
    return None


class Review(Aggregate):
    """The one decision on one material for one complaint; its id makes a second one impossible."""

    @staticmethod
    def create_id(complaint_id: str, material_type: str, **_: object) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"{complaint_id}/{material_type}")

    @event("Opened")
    def __init__(
        self,
        complaint_id: str,
        material_type: str,
        material_id: str,
        material_revision: int,
        checks: list[dict],
        correlation_id: str | None,
        causation_id: str | None,
    ) -> None:
        self.complaint_id, self.material_type = complaint_id, material_type
        self.material_id, self.material_revision = material_id, material_revision
        self.checks = checks
        self.correlation_id = correlation_id
        self.causation_id = causation_id
        self.outcome: str | None = None
        self.reasons: list[dict] = []

    waiting = False  # for a reviewer (not annotated: eventsourcing would make it an __init__ field)

    @property
    def is_decided(self) -> bool:
        return self.outcome is not None

    def await_reviewer(self) -> None:
        """The checks passed but do not decide (manual or hybrid mode): a reviewer will."""
        self._awaiting(
            complaint_id=self.complaint_id,
            material_type=self.material_type,
            material_id=self.material_id,
            material_revision=self.material_revision,
            checks=self.checks,
        )

    @event("AwaitingReviewer")
    def _awaiting(
        self,
        complaint_id: str,
        material_type: str,
        material_id: str,
        material_revision: int,
        checks: list[dict],
    ) -> None:
        self.waiting = True

    def decide(
        self,
        outcome: str,
        reasons: list[dict],
        reviewer_id: str | None = None,
        reused_decision_id: str | None = None,
        verdict: dict | None = None,
    ) -> None:
        if self.is_decided:
            raise ValueError("this review is already decided")
        self._decided(
            complaint_id=self.complaint_id,
            material_type=self.material_type,
            material_id=self.material_id,
            material_revision=self.material_revision,
            outcome=outcome,
            reasons=reasons,
            decided_by={"kind": "reviewer" if reviewer_id else "auto", "reviewer_id": reviewer_id},
            reused_decision_id=reused_decision_id,
            verdict=verdict,
            decided_at=datetime.now(timezone.utc).isoformat(),
            correlation_id=self.correlation_id,
            causation_id=self.causation_id,
        )

    @event("Decided")
    def _decided(
        self,
        complaint_id: str,
        material_type: str,
        material_id: str,
        material_revision: int,
        outcome: str,
        reasons: list[dict],
        decided_by: dict,
        reused_decision_id: str | None,
        verdict: dict | None,
        decided_at: str,
        correlation_id: str | None,
        causation_id: str | None,
    ) -> None:
        self.outcome = outcome
        self.reasons = reasons
        self.decided_by = decided_by
        self.waiting = False


class ReviewableMaterial(Aggregate):
    """Status rules shared by identities and rights: locked once submitted,
    editable after rejection."""

    # plain class attributes (not annotated: eventsourcing would make annotated
    # ones __init__ fields)
    status = "submitted"
    revision = 1
    approved_revision = 0
    approved_review_id = None
    decided_revision = 0
    decided_review_id = None
    reasons = ()

    @property
    def approval_reusable(self) -> bool:
        return self.status == APPROVED and self.approved_revision == self.revision

    @property
    def reusable_decision(self) -> tuple[str, str, list[dict]] | None:
        """(review id, outcome, reasons) of the decision on the current revision, which later
        complaints reuse."""
        if self.decided_revision != self.revision or self.status not in (APPROVED, REJECTED):
            return None
        return str(self.decided_review_id), self.status, list(self.reasons)

    @property
    def is_editable(self) -> bool:
        return self.status == REJECTED

    @event("ReviewStarted")
    def start_review(self) -> None:
        self.status = "under_review"

    @event("Reviewed")
    def record_decision(
        self, review_id: str, revision: int, outcome: str, reasons: list[dict]
    ) -> None:
        if revision != self.revision:
            return  # a decision on an older revision does not change the current one
        self.status, self.reasons = outcome, reasons
        self.decided_revision, self.decided_review_id = revision, review_id
        if outcome == APPROVED:
            self.approved_revision, self.approved_review_id = revision, review_id
