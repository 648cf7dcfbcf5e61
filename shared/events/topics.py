"""The topic registry: which event type travels on which topic, keyed by which
subject, and who owns it.

Ownership is what consumers check before they apply an event (a record whose `source` does not own
its topic and material is dead-lettered) and what the production stack's Kafka ACLs grant: each
service writes only the topics it publishes and reads only those it consumes.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from shared.events import payloads as p


@dataclass(frozen=True)
class ContractEvent:
    name: str
    topic: str
    model: type[BaseModel]
    subject_field: str

    @property
    def type(self) -> str:
        return f"ipp.{self.name}.v1"


CONTRACT_EVENTS: tuple[ContractEvent, ...] = (
    ContractEvent(
        "IdentitySubmitted", "ipp.identity-submitted.v1", p.IdentitySubmitted, "identity_id"
    ),
    ContractEvent("RightRegistered", "ipp.right-registered.v1", p.RightRegistered, "right_id"),
    ContractEvent("ComplaintFiled", "ipp.complaint-filed.v1", p.ComplaintFiled, "complaint_id"),
    ContractEvent("ReviewDecided", "ipp.review-decided.v1", p.ReviewDecided, "material_id"),
    ContractEvent(
        "EmailVerificationRequested",
        "ipp.email-verification-requested.v1",
        p.EmailVerificationRequested,
        "account_id",
    ),
    ContractEvent("EmailBound", "ipp.email-bound.v1", p.EmailBound, "account_id"),
    ContractEvent(
        "ComplaintWithdrawn", "ipp.complaint-withdrawn.v1", p.ComplaintWithdrawn, "complaint_id"
    ),
    ContractEvent(
        "NotificationSent", "ipp.notification-sent.v1", p.NotificationSent, "notification_id"
    ),
    ContractEvent("RightExpiring", "ipp.right-expiring.v1", p.RightExpiring, "right_id"),
)

# Which services publish each event; a ReviewDecided is decided by the owner of its material alone.
PUBLISHERS: dict[str, tuple[str, ...]] = {
    "IdentitySubmitted": ("identity",),
    "RightRegistered": ("rights",),
    "ComplaintFiled": ("complaints",),
    "ReviewDecided": ("identity", "rights", "complaints"),
    "EmailVerificationRequested": ("identity",),
    "EmailBound": ("identity",),
    "ComplaintWithdrawn": ("complaints",),
    "NotificationSent": ("notifier",),
    "RightExpiring": ("rights",),
}
MATERIAL_OWNERS = {"identity": "identity", "right": "rights", "complaint": "complaints"}
# Which events each service's consumer group reads, for its Kafka ACLs (deploy/ imports no service):
# the services' subscriptions say it first, and a test keeps the two equal.
CONSUMERS: dict[str, tuple[str, ...]] = {
    "identity": ("ComplaintFiled",),
    "rights": ("ComplaintFiled", "IdentitySubmitted"),
    "complaints": ("RightRegistered", "ComplaintFiled", "ReviewDecided"),
    "notifier": (
        "EmailVerificationRequested",
        "EmailBound",
        "ComplaintFiled",
        "ReviewDecided",
        "RightExpiring",
    ),
}

BY_MODEL: dict[type[BaseModel], ContractEvent] = {e.model: e for e in CONTRACT_EVENTS}
BY_TYPE: dict[str, ContractEvent] = {e.type: e for e in CONTRACT_EVENTS}
TOPICS: tuple[str, ...] = tuple(e.topic for e in CONTRACT_EVENTS)


def owner_of(contract: ContractEvent, payload: BaseModel) -> str:
    """The one service whose `source` (ipp/<service>) may publish this event."""
    material_type = getattr(payload, "material_type", None)
    if contract.name == "ReviewDecided" and material_type in MATERIAL_OWNERS:
        return MATERIAL_OWNERS[material_type]
    return PUBLISHERS[contract.name][0]


def published_by(service: str) -> tuple[str, ...]:
    """The topics `service` writes (its Kafka ACLs allow it to write these and its
    dead letters only)."""
    return tuple(e.topic for e in CONTRACT_EVENTS if service in PUBLISHERS[e.name])


def consumed_by(service: str) -> tuple[str, ...]:
    """The topics `service`'s consumer group reads."""
    return tuple(e.topic for e in CONTRACT_EVENTS if e.name in CONSUMERS.get(service, ()))


def topic_for(model: type[BaseModel]) -> str:
    return BY_MODEL[model].topic


def dlq_topic(consumer_group: str) -> str:
    return f"ipp.dlq.{consumer_group}"
