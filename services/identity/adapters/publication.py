"""Which of identity's domain events are public, and as what contract event."""

from __future__ import annotations

from functools import singledispatch

from services.identity.domain.model import Account, Identity
from shared.events.payloads import EmailBound, EmailVerificationRequested, IdentitySubmitted, Party
from shared.kit.outbox import PublicEvent
from shared.review.domain import Review
from shared.review.process import review_decided


def public_party(party: dict | None) -> Party | None:
    """Masked number and fingerprint only: the raw number never leaves the service."""
    if party is None:
        return None
    return Party(
        kind=party["kind"],
        name=party["name"],
        document_type=party["document_type"],
        document_number_masked=party["masked"],
        fingerprint=party["fingerprint"],
    )


def identity_submitted(event: object, revision: int) -> list[PublicEvent]:
    payload = IdentitySubmitted(
        identity_id=str(event.originator_id),
        account_id=event.account_id,
        revision=revision,
        role=event.role,
        holder=public_party(event.holder),
        agent=public_party(event.agent),
        submitted_at=event.timestamp,
    )
    return [PublicEvent(payload, correlation_id=str(event.originator_id))]


@singledispatch
def to_public(event: object) -> list[PublicEvent]:
    return []


@to_public.register
def _(event: Identity.Submitted) -> list[PublicEvent]:
    return identity_submitted(event, 1)


@to_public.register
def _(event: Identity.Resubmitted) -> list[PublicEvent]:
    return identity_submitted(event, event.revision)


@to_public.register
def _(event: Account.EmailVerificationRequested) -> list[PublicEvent]:
    """The request's id, never the code: the notifier derives the code from it with the shared
    key. An event recorded before request ids has nothing publishable (its code must not go out),
    so it becomes nothing."""
    request_id = getattr(event, "request_id", None)
    if request_id is None:
        return []
    payload = EmailVerificationRequested(
        account_id=str(event.originator_id),
        email=event.email,
        request_id=request_id,
        expires_at=event.expires_at,
    )
    return [PublicEvent(payload)]


@to_public.register
def _(event: Account.EmailBound) -> list[PublicEvent]:
    payload = EmailBound(
        account_id=str(event.originator_id),
        email=event.email,
        language=event.language,
        bound_at=event.timestamp,
    )
    return [PublicEvent(payload)]


to_public.register(Review.Decided, review_decided)
