"""The notifier's subscriptions: each contract event it consumes becomes one application command."""

from __future__ import annotations

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
from shared.kit.subscriptions import Subscriptions

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


subscriptions = Subscriptions[NotifierApplication]("notifier")


@subscriptions.on(EmailVerificationRequested)
def code_requested(
    app: NotifierApplication,
    session: Session,
    payload: EmailVerificationRequested,
    event: CloudEvent,
) -> None:
    """Email the account the code that binds its address."""
    if not (payload.request_id or payload.code):
        return  # nothing to derive a code from: no mail to write
    app.request_email_code(
        event.id,
        payload.account_id,
        payload.email,
        payload.request_id,
        payload.expires_at,
        event.correlationid,
        code=payload.code,
    )


@subscriptions.on(EmailBound)
def email_bound(
    app: NotifierApplication, session: Session, payload: EmailBound, event: CloudEvent
) -> None:
    """Remember where the account's emails go, and in which language."""
    app.bind_address(payload.account_id, payload.email, payload.language)


@subscriptions.on(ComplaintFiled)
def complaint_filed(
    app: NotifierApplication, session: Session, payload: ComplaintFiled, event: CloudEvent
) -> None:
    """Remember whose complaint it is, for its verdict email."""
    urls = [t.url for t in payload.targets]
    app.record_complainant(payload.complaint_id, payload.account_id, urls)


@subscriptions.on(ReviewDecided)
def review_decided(
    app: NotifierApplication, session: Session, payload: ReviewDecided, event: CloudEvent
) -> None:
    """Email the complainant the verdict, or a rejected material they can fix."""
    correlation_id = event.correlationid or payload.complaint_id
    if payload.material_type == "complaint":  # the verdict
        app.notify_verdict(payload.complaint_id, verdict_content(payload), correlation_id, event.id)
    elif payload.outcome == "rejected":  # something to fix; approvals are steps
        app.notify_material_rejected(
            payload.material_type,
            payload.complaint_id,
            payload.material_id,
            material_content(payload),
            correlation_id,
            event.id,
        )


@subscriptions.on(RightExpiring)
def right_expiring(
    app: NotifierApplication, session: Session, payload: RightExpiring, event: CloudEvent
) -> None:
    """Remind the holder that a right's validity ends soon."""
    content = payload.model_dump(mode="json", exclude={"account_id"})
    app.notify_right_expiring(
        payload.right_id,
        payload.account_id,
        content,
        event.correlationid or payload.right_id,
        event.id,
    )
