"""The topic registry: which event type travels on which topic, keyed by which subject."""

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
    ContractEvent("IdentitySubmitted", "ipp.identity-submitted.v1", p.IdentitySubmitted, "identity_id"),
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
    ContractEvent("ComplaintWithdrawn", "ipp.complaint-withdrawn.v1", p.ComplaintWithdrawn, "complaint_id"),
    ContractEvent("NotificationSent", "ipp.notification-sent.v1", p.NotificationSent, "notification_id"),
    ContractEvent("RightExpiring", "ipp.right-expiring.v1", p.RightExpiring, "right_id"),
)

BY_MODEL: dict[type[BaseModel], ContractEvent] = {e.model: e for e in CONTRACT_EVENTS}
BY_TYPE: dict[str, ContractEvent] = {e.type: e for e in CONTRACT_EVENTS}
TOPICS: tuple[str, ...] = tuple(e.topic for e in CONTRACT_EVENTS)


def topic_for(model: type[BaseModel]) -> str:
    return BY_MODEL[model].topic


def dlq_topic(consumer_group: str) -> str:
    return f"ipp.dlq.{consumer_group}"
