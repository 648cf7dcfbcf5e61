"""The outbox mapping: which of the notifier's domain events become public contract events."""

from __future__ import annotations

from functools import singledispatch

from services.notifier.domain.notification import FAILED, SENT, Notification
from shared.events.payloads import NotificationSent
from shared.kit.outbox import PublicEvent


@singledispatch
def public_events(domain_event: object) -> list[PublicEvent]:
    """The contract events a domain event becomes: only a notification's outcome is public."""
    return []


@public_events.register(Notification.Sent)
def _sent(domain_event: Notification.Sent) -> list[PublicEvent]:
    return [_notification_sent(domain_event, SENT)]


@public_events.register(Notification.Failed)
def _failed(domain_event: Notification.Failed) -> list[PublicEvent]:
    return [_notification_sent(domain_event, FAILED)]


def _notification_sent(
    domain_event: Notification.Sent | Notification.Failed, status: str
) -> PublicEvent:
    payload = NotificationSent(
        notification_id=str(domain_event.originator_id),
        kind=domain_event.kind,
        account_id=domain_event.account_id,
        subject_id=domain_event.subject_id,
        status=status,
        at=domain_event.timestamp,
    )
    return PublicEvent(payload, domain_event.correlation_id, domain_event.causation_id)
