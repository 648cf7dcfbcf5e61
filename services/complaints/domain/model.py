"""The Complaint aggregate: a process manager waiting for the identity and right decisions."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from shared.review.domain import APPROVED, REJECTED

MATERIALS = ("identity", "right")
DECIDED = ("upheld", "rejected")


class Complaint(Aggregate):
    """A complaint against listings, from filing to verdict."""

    @staticmethod
    def create_id(complaint_id: str, **_: object) -> UUID:
        return UUID(complaint_id)

    @event("Filed")
    def __init__(
        self,
        complaint_id: str,
        account_id: str,
        identity_id: str,
        right_id: str,
        right_type: str,
        infringement_type: str,
        targets: list[dict],
        description: str,
        evidence: list[dict],
    ) -> None:
        self.account_id = account_id
        self.identity_id = identity_id
        self.right_id = right_id
        self.right_type, self.infringement_type = right_type, infringement_type
        self.targets = targets
        self.description = description
        self.evidence = evidence
        self.status = "submitted"
        self.reviews: dict[str, dict] = {}

    statement = (
        None  # the statement of reasons, once decided (not annotated: not an __init__ field)
    )

    @property
    def is_open(self) -> bool:
        return self.status in ("submitted", "under_review")

    @event("ReviewStarted")
    def start_review(self) -> None:
        self.status = "under_review"

    def record_review(self, material_type: str, review: dict) -> bool:
        """Take a material's decision once; later copies and decisions after the
        end change nothing."""
        if material_type in self.reviews or not self.is_open:
            return False
        self._material_reviewed(material_type=material_type, review=review)
        return True

    @event("MaterialReviewed")
    def _material_reviewed(self, material_type: str, review: dict) -> None:
        self.reviews[material_type] = review

    @property
    def materials_decided(self) -> bool:
        return all(m in self.reviews for m in MATERIALS)

    @event("AwaitingReviewer")
    def await_reviewer(self) -> None:
        """Identity and right are approved and the checks hold: a reviewer decides the complaint."""

    @event("Decided")
    def conclude(self, outcome: str, reasons: list[dict], statement: dict | None = None) -> None:
        self.status = "upheld" if outcome == APPROVED else "rejected"
        self.statement = statement
        self.reviews["complaint"] = {
            "outcome": outcome,
            "reasons": reasons,
            "decided_at": (statement or {}).get("decided_at"),
        }

    def withdraw(self) -> None:
        if not self.is_open:
            raise ValueError("already decided")
        self._withdrawn(account_id=self.account_id)

    @event("Withdrawn")
    def _withdrawn(self, account_id: str) -> None:
        self.status = "withdrawn"


def verdict_reasons(complaint: Complaint, own_failures: list[dict]) -> tuple[str, list[dict]]:
    """Approved only if identity and right were approved and the complaint's own checks hold;
    otherwise say which material failed and what to fix."""
    reasons = []
    for material in MATERIALS:
        review = complaint.reviews[material]
        if review["outcome"] == REJECTED:
            detail = "; ".join(r["message"] for r in review["reasons"]) or "see the review"
            reasons.append(
                {
                    "code": f"{material.upper()}_REJECTED",
                    "message": f"The {material} materials were rejected: {detail} "
                    f"Correct the {material} and resubmit it, then file the complaint again.",
                }
            )
            reasons += review["reasons"]
    reasons += own_failures
    return (REJECTED if reasons else APPROVED), reasons


def verdict(complaint: Complaint, outcome: str) -> dict:
    """What a takedown system needs: each target and the action to take."""
    action = "takedown" if outcome == APPROVED else "none"
    return {
        "targets": [{**t, "action": action} for t in complaint.targets],
        "right_id": complaint.right_id,
        "right_type": complaint.right_type,
    }
