"""Identity's aggregates: accounts, identities, and the reservations that keep things unique."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timezone

from eventsourcing.domain import Aggregate, event

from shared.review.domain import ReviewableMaterial

_NAMESPACE = uuid.UUID("0d6f2c1e-97b4-4f1c-9f55-3c0c8f7b1a22")


class Account(Aggregate):
    """A registered user. Phone and, once bound, email never change."""

    @event("Registered")
    def __init__(self, phone: str, phone_masked: str, password_hash: str, roles: list[str]) -> None:
        self.phone, self.phone_masked = phone, phone_masked
        self.password_hash, self.roles = password_hash, roles
        self.email: str | None = None
        self.language = "zh-CN"
        self.pending_email: str | None = None
        self.pending_code: str | None = None
        self.pending_expires_at: str | None = None
        self.identity_ids: list[str] = []

    @event("EmailVerificationRequested")
    def request_email_verification(self, email: str, code: str, expires_at: str) -> None:
        self.pending_email, self.pending_code, self.pending_expires_at = email, code, expires_at

    def email_code_ok(self, email: str, code: str) -> bool:
        """Whether `code` is the unexpired code last sent to `email`."""
        if self.pending_email != email or self.pending_code is None or self.pending_expires_at is None:
            return False
        fresh = datetime.fromisoformat(self.pending_expires_at) > datetime.now(timezone.utc)
        return fresh and secrets.compare_digest(self.pending_code, code)

    @event("EmailBound")
    def bind_email(self, email: str, language: str) -> None:
        self.email, self.language = email, language
        self.pending_email = self.pending_code = self.pending_expires_at = None

    @event("IdentityAdded")
    def add_identity(self, identity_id: str) -> None:
        self.identity_ids.append(identity_id)


class Reservation(Aggregate):
    """Claims a unique value (a phone, an email, a document number) for one account, atomically:
    its id derives from the value's fingerprint, so a second claim cannot be saved."""

    @staticmethod
    def create_id(kind: str, fingerprint: str, **_: object) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"{kind}/{fingerprint}")

    @event("Made")
    def __init__(self, kind: str, fingerprint: str, account_id: str) -> None:
        self.kind, self.fingerprint, self.account_id = kind, fingerprint, account_id


class Identity(ReviewableMaterial):
    """An account's proof of who it is (holder) or whom it acts for (agent)."""

    @event("Submitted")
    def __init__(self, account_id: str, role: str, holder: dict, agent: dict | None,
                 authorization_document: dict | None) -> None:
        self.account_id, self.role = account_id, role
        self.holder, self.agent, self.authorization_document = holder, agent, authorization_document

    def resubmit(self, role: str, holder: dict, agent: dict | None, authorization_document: dict | None) -> None:
        """Only a rejected identity may change; the change is a new revision, reviewed afresh."""
        if not self.is_editable:
            raise ValueError("identity is locked")
        self._resubmitted(account_id=self.account_id, revision=self.revision + 1, role=role, holder=holder,
                          agent=agent, authorization_document=authorization_document)

    @event("Resubmitted")
    def _resubmitted(self, account_id: str, revision: int, role: str, holder: dict, agent: dict | None,
                     authorization_document: dict | None) -> None:
        self.role, self.holder, self.agent = role, holder, agent
        self.authorization_document, self.revision = authorization_document, revision
        self.status, self.reasons = "submitted", []

    def parties(self) -> list[dict]:
        return [p for p in (self.holder, self.agent) if p]
