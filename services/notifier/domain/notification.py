"""The Notification aggregate: one email the platform owes someone, recorded before it is sent."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from eventsourcing.domain import Aggregate, event

_NAMESPACE = uuid.UUID("9e2b6c41-0f3a-4d7e-b5c8-71a0d4e6f293")
VERDICT, EMAIL_CODE = "verdict", "email-code"
IDENTITY_REJECTED = "identity-rejected"
RIGHT_REJECTED = "right-rejected"
RIGHT_EXPIRING = "right-expiring"
REJECTED_MATERIAL = {"identity": IDENTITY_REJECTED, "right": RIGHT_REJECTED}
ABOUT_A_COMPLAINT = (
    VERDICT,
    IDENTITY_REJECTED,
    RIGHT_REJECTED,
)  # addressed to whoever filed the complaint
WAITING = "waiting"
PENDING = "pending"
SENT = "sent"
FAILED = "failed"
RETRY_BASE_SECONDS, RETRY_CAP_SECONDS = 30.0, 3600.0


def retry_delay(attempts: int) -> float:
    """Exponential backoff after the n-th failed attempt: 30 s, 1 min, 2 min, … at most an hour."""
    return min(RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1), RETRY_CAP_SECONDS)


@dataclass(frozen=True)
class Letter:
    """What the mailer needs to write and send one notification."""

    notification_id: uuid.UUID
    kind: str
    recipient: str
    language: str
    context: dict

    def expired(self, now: float) -> bool:
        """A code that expired before it could be sent is worth nothing to its reader."""
        expires_at = self.context.get("expires_at")
        return bool(expires_at) and datetime.fromisoformat(expires_at).timestamp() <= now


class NotificationFinished(Exception):
    """A notification that was sent or failed takes no further delivery outcome."""


class Notification(Aggregate):
    """An email owed to someone; its id, derived from (kind, key), makes a second one impossible.

    It waits until its recipient is known (status `waiting`), is then `pending` until the mailer
    records it `sent` or `failed`; transient failures only push its next attempt back.
    """

    @staticmethod
    def create_id(kind: str, key: str, **_: object) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"{kind}/{key}")

    @event("Requested")
    def __init__(
        self,
        kind: str,
        key: str,
        subject_id: str,
        account_id: str | None,
        recipient: str | None,
        language: str,
        content: dict,
        correlation_id: str | None,
        causation_id: str | None,
    ) -> None:
        self.kind = kind
        self.key = key
        self.subject_id = subject_id
        self.account_id = account_id
        self.recipient = recipient
        self.language = language
        self.content = content
        self.correlation_id, self.causation_id = correlation_id, causation_id
        self.attempts, self.retry_at = 0, None
        self.outcome: str | None = None
        self.error: str | None = None

    @property
    def status(self) -> str:
        if self.outcome is not None:
            return self.outcome
        return PENDING if self.recipient else WAITING

    @property
    def is_finished(self) -> bool:
        return self.outcome is not None

    def attribute_to(self, account_id: str) -> None:
        if self.account_id is None:
            self._attributed(account_id=account_id)

    @event("Attributed")
    def _attributed(self, account_id: str) -> None:
        self.account_id = account_id

    def address(self, email: str, language: str) -> None:
        if self.recipient is None:
            self._addressed(recipient=email, language=language)

    @event("Addressed")
    def _addressed(self, recipient: str, language: str) -> None:
        self.recipient, self.language = recipient, language

    def defer(self, error: str, now: float) -> None:
        """A transient failure: try again later, each time waiting twice as long."""
        self._check_open()
        self._deferred(error=error[:500], retry_at=now + retry_delay(self.attempts + 1))

    @event("DeliveryDeferred")
    def _deferred(self, error: str, retry_at: float) -> None:
        self.attempts, self.error, self.retry_at = self.attempts + 1, error, retry_at

    def mark_sent(self) -> None:
        self._check_open()
        self._sent(**self._public_fields())

    @event("Sent")
    def _sent(
        self,
        kind: str,
        account_id: str | None,
        subject_id: str,
        correlation_id: str | None,
        causation_id: str | None,
    ) -> None:
        self.outcome = SENT

    def mark_failed(self, error: str) -> None:
        self._check_open()
        self._failed(error=error[:500], **self._public_fields())

    @event("Failed")
    def _failed(
        self,
        error: str,
        kind: str,
        account_id: str | None,
        subject_id: str,
        correlation_id: str | None,
        causation_id: str | None,
    ) -> None:
        self.outcome, self.error = FAILED, error

    def _check_open(self) -> None:
        if self.is_finished:
            raise NotificationFinished(f"notification {self.id} is already {self.outcome}")

    def _public_fields(self) -> dict:
        # carried on the outcome events so the outbox mapping needs nothing but the event
        return {
            "kind": self.kind,
            "account_id": self.account_id,
            "subject_id": self.subject_id,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
        }
