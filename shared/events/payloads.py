"""Payloads of the public events, exactly as CONTRACT.md gives them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.vocabulary import RightType


class Payload(BaseModel):
    """Tolerant readers: a field added by a newer producer (the contract is extended freely)
    is ignored, never a reason to dead-letter the event; the schemas therefore allow
    additional properties."""

    model_config = ConfigDict(extra="ignore")


class Document(Payload):
    blob_id: str
    sha256: str
    media_type: str
    size: int
    purpose: str


class Party(Payload):
    kind: Literal["individual", "enterprise"]
    name: str
    document_type: str
    document_number_masked: str
    fingerprint: str


class Reason(Payload):
    code: str
    message: str


class IdentitySubmitted(Payload):
    identity_id: str
    account_id: str
    revision: int
    role: Literal["holder", "agent"]
    holder: Party
    agent: Party | None
    submitted_at: datetime


class RightRegistered(Payload):
    right_id: str
    account_id: str
    identity_id: str
    revision: int
    right_type: RightType
    title: str
    registration_number: str
    holder_name: str
    valid_from: date
    valid_until: date | None
    details: dict
    documents: list[Document]
    submitted_at: datetime


class Target(Payload):
    target_id: str
    url: str
    listing_id: str | None
    shop_id: str | None


class ComplaintFiled(Payload):
    complaint_id: str
    account_id: str
    identity_id: str
    right_id: str
    right_type: RightType
    infringement_type: str
    targets: list[Target]
    description: str
    evidence: list[Document]
    requested_action: Literal["takedown"]
    filed_at: datetime


class DecidedBy(Payload):
    kind: Literal["auto", "reviewer"]
    reviewer_id: str | None


class VerdictTarget(Payload):
    target_id: str
    url: str
    listing_id: str | None
    shop_id: str | None
    action: Literal["takedown", "none"]


class Verdict(Payload):
    targets: list[VerdictTarget]
    right_id: str
    right_type: RightType


class ReviewDecided(Payload):
    review_id: str
    complaint_id: str
    material_type: Literal["identity", "right", "complaint"]
    material_id: str
    material_revision: int
    outcome: Literal["approved", "rejected"]
    reasons: list[Reason]
    decided_by: DecidedBy
    reused_decision_id: str | None
    decided_at: datetime
    verdict: Verdict | None = None


# Extensions of the contract (same pattern, new topics).


class EmailVerificationRequested(Payload):
    # pydantic makes this docstring the committed JSON Schema's description: keep its text
    """Asks the notifier to email a verification code to an address not yet bound. The code is not in the event:
    the notifier derives it from `request_id` with the deployment's `email-codes` key (shared/kit/keys.py)."""  # noqa: E501

    account_id: str
    email: str
    # never published (excluded from the data); kept optional only so the v1 schema stays compatible
    # and events published before request_id existed can still be read
    code: str = Field(
        default="",
        exclude=True,
        description="Deprecated: never set. The code is derived from "
        "request_id and never travels on Kafka.",
        json_schema_extra={"deprecated": True},
    )
    request_id: str | None = Field(
        default=None,
        description="A random id per request: the code's only input "
        "besides the key. Always set by current producers.",
    )
    expires_at: datetime


class EmailBound(Payload):
    account_id: str
    email: str
    language: Literal["zh-CN", "en"] = "zh-CN"
    bound_at: datetime


class ComplaintWithdrawn(Payload):
    complaint_id: str
    account_id: str
    withdrawn_at: datetime


class NotificationSent(Payload):
    notification_id: str
    kind: str
    account_id: str | None
    subject_id: str
    status: Literal["sent", "failed"]
    at: datetime


class RightExpiring(Payload):
    """A registered right's validity ends soon (announced 30 days ahead): its holder is told."""

    right_id: str
    account_id: str
    title: str
    registration_number: str
    valid_until: date
    days_left: int
