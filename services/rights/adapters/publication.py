"""Which of rights' domain events are public, and as what contract event."""

from __future__ import annotations

from functools import singledispatch

from services.rights.domain.model import Right
from shared.events.payloads import Document, RightExpiring, RightRegistered
from shared.kit.outbox import PublicEvent
from shared.review.domain import Review
from shared.review.process import review_decided


def right_registered(event: object, revision: int) -> list[PublicEvent]:
    payload = RightRegistered(
        right_id=str(event.originator_id),
        account_id=event.account_id,
        identity_id=event.identity_id,
        revision=revision,
        right_type=event.right_type,
        title=event.title,
        registration_number=event.registration_number,
        holder_name=event.holder_name,
        valid_from=event.valid_from,
        valid_until=event.valid_until,
        details=event.details,
        documents=[Document(**d) for d in event.documents],
        submitted_at=event.timestamp,
    )
    return [PublicEvent(payload, correlation_id=str(event.originator_id))]


@singledispatch
def to_public(event: object) -> list[PublicEvent]:
    return []


@to_public.register
def _(event: Right.Registered) -> list[PublicEvent]:
    return right_registered(event, 1)


@to_public.register
def _(event: Right.Amended) -> list[PublicEvent]:
    return right_registered(event, event.revision)


@to_public.register
def _(event: Right.ExpiryReminded) -> list[PublicEvent]:
    payload = RightExpiring(
        right_id=str(event.originator_id),
        account_id=event.account_id,
        title=event.title,
        registration_number=event.registration_number,
        valid_until=event.valid_until,
        days_left=event.days_left,
    )
    return [PublicEvent(payload, correlation_id=str(event.originator_id))]


to_public.register(Review.Decided, review_decided)
