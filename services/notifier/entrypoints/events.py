"""The inbox handler: each contract event the notifier consumes becomes one application command."""

from __future__ import annotations

from functools import singledispatchmethod

from sqlalchemy.orm import Session

from services.notifier.application import NotifierApplication
from shared.events.envelope import CloudEvent
from shared.events.payloads import (
    ComplaintFiled,
    EmailBound,
    EmailVerificationRequested,
    ReviewDecided,
    RightExpiring,
)
from shared.events.topics import topic_for
from shared.kit.inbox import Delivery

CONSUMES = tuple(
    topic_for(model)
    for model in (
        EmailVerificationRequested,
        EmailBound,
        ComplaintFiled,
        ReviewDecided,
        RightExpiring,
    )
)
MATERIALS = ("identity", "right")  # reviewed for a complaint; a rejection is emailed on its own


def verdict_content(decided: ReviewDecided) -> dict:
    """What the verdict email says: outcome, reasons and what happens to each reported listing."""
    targets = decided.verdict.targets if decided.verdict else []
    return {
        "complaint_id": decided.complaint_id,
        "outcome": decided.outcome,
        "reasons": [{"code": r.code, "message": r.message} for r in decided.reasons],
        "targets": [{"url": t.url, "action": t.action} for t in targets],
        "decided_at": decided.decided_at.isoformat(),
        # the complaints service names each rejected material in the verdict's reasons
        # (IDENTITY_REJECTED …)
        "rejected_materials": [
            m for m in MATERIALS if f"{m.upper()}_REJECTED" in {r.code for r in decided.reasons}
        ],
    }


def material_content(decided: ReviewDecided) -> dict:
    """What a material rejection email says: which material of which complaint, why, and when."""
    return {
        "complaint_id": decided.complaint_id,
        "material_type": decided.material_type,
        "material_id": decided.material_id,
        "material_revision": decided.material_revision,
        "reasons": [{"code": r.code, "message": r.message} for r in decided.reasons],
        "decided_at": decided.decided_at.isoformat(),
    }


class EventHandler:
    """Called by the kit's Inbox inside its transaction, once per event not seen before."""

    def __init__(self, app: NotifierApplication) -> None:
        self.app = app

    def __call__(self, session: Session, delivery: Delivery) -> None:
        self.handle(delivery.payload, delivery.event)

    @singledispatchmethod
    def handle(self, payload: object, event: CloudEvent) -> None:
        """Events of other kinds are not the notifier's business."""

    @handle.register(EmailVerificationRequested)
    def _code_requested(self, payload: EmailVerificationRequested, event: CloudEvent) -> None:
        if not (payload.request_id or payload.code):
            return  # nothing to derive a code from: no mail to write
        self.app.request_email_code(
            event.id,
            payload.account_id,
            payload.email,
            payload.request_id,
            payload.expires_at,
            event.correlationid,
            code=payload.code,
        )

    @handle.register(EmailBound)
    def _email_bound(self, payload: EmailBound, event: CloudEvent) -> None:
        self.app.bind_address(payload.account_id, payload.email, payload.language)

    @handle.register(ComplaintFiled)
    def _complaint_filed(self, payload: ComplaintFiled, event: CloudEvent) -> None:
        self.app.record_complainant(
            payload.complaint_id, payload.account_id, [t.url for t in payload.targets]
        )

    @handle.register(ReviewDecided)
    def _review_decided(self, payload: ReviewDecided, event: CloudEvent) -> None:
        correlation_id = event.correlationid or payload.complaint_id
        if payload.material_type == "complaint":  # the verdict
            self.app.notify_verdict(
                payload.complaint_id, verdict_content(payload), correlation_id, event.id
            )
        elif (
            payload.outcome == "rejected"
        ):  # the complainant has something to fix; approvals are steps
            self.app.notify_material_rejected(
                payload.material_type,
                payload.complaint_id,
                payload.material_id,
                material_content(payload),
                correlation_id,
                event.id,
            )

    @handle.register(RightExpiring)
    def _right_expiring(self, payload: RightExpiring, event: CloudEvent) -> None:
        content = payload.model_dump(mode="json", exclude={"account_id"})
        self.app.notify_right_expiring(
            payload.right_id,
            payload.account_id,
            content,
            event.correlationid or payload.right_id,
            event.id,
        )
