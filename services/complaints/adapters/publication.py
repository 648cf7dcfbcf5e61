"""Which of complaints' domain events are public, and as what contract event."""

from __future__ import annotations

from functools import singledispatch

from services.complaints.domain.model import Complaint
from shared.events.payloads import ComplaintFiled, ComplaintWithdrawn, Document, Target
from shared.kit.outbox import PublicEvent
from shared.review.domain import Review
from shared.review.process import review_decided


@singledispatch
def to_public(event: object) -> list[PublicEvent]:
    return []


@to_public.register
def _(event: Complaint.Filed) -> list[PublicEvent]:
    complaint_id = str(event.originator_id)
    payload = ComplaintFiled(
        complaint_id=complaint_id,
        account_id=event.account_id,
        identity_id=event.identity_id,
        right_id=event.right_id,
        right_type=event.right_type,
        infringement_type=event.infringement_type,
        targets=[Target(**t) for t in event.targets],
        description=event.description,
        evidence=[Document(**d) for d in event.evidence],
        requested_action="takedown",
        filed_at=event.timestamp,
    )
    return [PublicEvent(payload, correlation_id=complaint_id)]


@to_public.register
def _(event: Complaint.Withdrawn) -> list[PublicEvent]:
    complaint_id = str(event.originator_id)
    payload = ComplaintWithdrawn(
        complaint_id=complaint_id, account_id=event.account_id, withdrawn_at=event.timestamp
    )
    return [PublicEvent(payload, correlation_id=complaint_id)]


to_public.register(Review.Decided, review_decided)
