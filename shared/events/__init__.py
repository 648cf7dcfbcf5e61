"""The public contract: CloudEvents envelope, event payloads and topics (see CONTRACT.md)."""

from shared.events.envelope import CloudEvent, event_id_for
from shared.events.payloads import (
    ComplaintFiled,
    ComplaintWithdrawn,
    Document,
    EmailBound,
    EmailVerificationRequested,
    IdentitySubmitted,
    NotificationSent,
    Party,
    Reason,
    ReviewDecided,
    RightRegistered,
)
from shared.events.topics import CONTRACT_EVENTS, TOPICS, ContractEvent, topic_for

__all__ = [
    "CONTRACT_EVENTS",
    "TOPICS",
    "CloudEvent",
    "ComplaintFiled",
    "ComplaintWithdrawn",
    "ContractEvent",
    "Document",
    "EmailBound",
    "EmailVerificationRequested",
    "IdentitySubmitted",
    "NotificationSent",
    "Party",
    "Reason",
    "ReviewDecided",
    "RightRegistered",
    "event_id_for",
    "topic_for",
]
