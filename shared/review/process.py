"""Reviewing a service's own material when a complaint is filed: the same flow in
identity and rights."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from shared.events.envelope import CloudEvent
from shared.events.payloads import ComplaintFiled, Reason, ReviewDecided
from shared.kit.outbox import PublicEvent
from shared.kit.store import ServiceApplication
from shared.review.domain import (
    REJECTED,
    Check,
    Review,
    ReviewableMaterial,
    automatic_outcome,
    failed_reasons,
    merged,
)

ComplaintChecks = Callable[[ReviewableMaterial, ComplaintFiled], list[Check]]


def no_complaint_checks(_: ReviewableMaterial, __: ComplaintFiled) -> list[Check]:
    return []


class MaterialReviewer:
    """Opens the one Review of this service's material for a complaint and decides it when it can.

    `checks_for` checks the material itself (its decision is recorded on the material and
    reused); `complaint_checks` checks what one complaint asks of it (an agent's authorisation
    covering the right).
    """

    def __init__(
        self,
        app: ServiceApplication,
        material_type: str,
        mode: str,
        material_id_of: Callable[[ComplaintFiled], str],
        checks_for: Callable[[ReviewableMaterial], list[Check]],
        complaint_checks: ComplaintChecks = no_complaint_checks,
    ) -> None:
        self.app = app
        self.material_type = material_type
        self.mode = mode
        self.material_id_of = material_id_of
        self.checks_for = checks_for
        self.complaint_checks = complaint_checks

    def get(self, aggregate_id: str | UUID) -> object | None:
        return self.app.get_or_none(aggregate_id)

    def on_complaint_filed(self, complaint: ComplaintFiled, event: CloudEvent) -> None:
        if self.get(Review.create_id(complaint.complaint_id, self.material_type)) is not None:
            return  # exactly one review per (complaint, material)
        material_id = self.material_id_of(complaint)
        material = self.get(material_id)
        if (
            not isinstance(material, ReviewableMaterial)
            or material.account_id != complaint.account_id
        ):
            review = self._open(complaint, event, material_id, 0, [])
            code = f"{self.material_type.upper()}_NOT_FOUND"
            review.decide(
                REJECTED,
                [
                    {
                        "code": code,
                        "message": f"No {self.material_type} {material_id} "
                        "of the complaining account is known.",
                    }
                ],
            )
            self.app.save(review)
            return
        for_complaint = self.complaint_checks(material, complaint)
        if any(
            not c.passed for c in for_complaint
        ):  # the material may be fine: only this complaint fails
            review = self._open(
                complaint,
                event,
                material_id,
                material.revision,
                [c.as_dict() for c in for_complaint],
            )
            review.decide(REJECTED, failed_reasons(for_complaint))
            self.app.save(review)
        elif material.reusable_decision is not None:
            decision_id, outcome, reasons = material.reusable_decision
            review = self._open(complaint, event, material_id, material.revision, [])
            review.decide(outcome, reasons, reused_decision_id=decision_id)
            self.app.save(review)
        else:
            self._review(
                complaint, event, material, merged([*self.checks_for(material), *for_complaint])
            )

    def _review(
        self,
        complaint: ComplaintFiled,
        event: CloudEvent,
        material: ReviewableMaterial,
        checks: list[Check],
    ) -> None:
        review = self._open(
            complaint, event, str(material.id), material.revision, [c.as_dict() for c in checks]
        )
        outcome = automatic_outcome(self.mode, checks)
        if outcome is None:
            if material.status != "under_review":
                material.start_review()
            review.await_reviewer()
        else:
            reasons = failed_reasons(checks)
            review.decide(outcome, reasons)
            material.record_decision(str(review.id), material.revision, outcome, reasons)
        self.app.save(review, material)

    def _open(
        self,
        complaint: ComplaintFiled,
        event: CloudEvent,
        material_id: str,
        revision: int,
        checks: list[dict],
    ) -> Review:
        return Review(
            complaint_id=complaint.complaint_id,
            material_type=self.material_type,
            material_id=material_id,
            material_revision=revision,
            checks=checks,
            correlation_id=complaint.complaint_id,
            causation_id=event.id,
        )


def review_decided(event: Review.Decided) -> list[PublicEvent]:
    """The contract's ReviewDecided for a decided review."""
    payload = ReviewDecided(
        review_id=str(event.originator_id),
        complaint_id=event.complaint_id,
        material_type=event.material_type,
        material_id=event.material_id,
        material_revision=event.material_revision,
        outcome=event.outcome,
        reasons=[Reason(**r) for r in event.reasons],
        decided_by=event.decided_by,
        reused_decision_id=event.reused_decision_id,
        decided_at=event.decided_at,
        verdict=event.verdict,
    )
    return [PublicEvent(payload, event.correlation_id, event.causation_id)]
