"""Identity's aggregates: accounts, identities, and the reservations that keep things unique."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timezone

from eventsourcing.domain import Aggregate, event

from shared.kit.keys import verification_code
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
        self.pending_request_id: str | None = None
        self.pending_code: str | None = None  # only in accounts whose request predates request ids
        self.pending_expires_at: str | None = None
        self.identity_ids: list[str] = []

    @event("EmailVerificationRequested")
    def request_email_verification(
        self, email: str, expires_at: str, request_id: str | None = None, code: str | None = None
    ) -> None:
        """A new request (its random id, from which the code derives) replaces the last one. Only
        events recorded before request ids carry a `code`: they still load, and that code still
        counts until it expires."""
        self.pending_email = email
        self.pending_request_id = request_id
        self.pending_expires_at = expires_at
        self.pending_code = code

    def ask_for_email_code(self, email: str, expires_at: str) -> str:
        """Record a new verification request for `email`; returns its random id
        (the code's input)."""
        request_id = str(uuid.uuid4())
        self.request_email_verification(email=email, expires_at=expires_at, request_id=request_id)
        return request_id

    def email_code_ok(self, email: str, code: str, key: bytes) -> bool:
        """Whether `code` is the unexpired code last sent to `email`: recomputed from the pending
        request's id with the `email-codes` key (shared/kit/keys.py), never stored."""
        if self.pending_email != email or self.pending_expires_at is None:
            return False
        if self.pending_request_id is not None:
            expected = verification_code(key, self.pending_request_id)
        elif self.pending_code is not None:
            expected = self.pending_code
        else:
            return False
        fresh = datetime.fromisoformat(self.pending_expires_at) > datetime.now(timezone.utc)
        return fresh and secrets.compare_digest(expected.encode(), code.encode())

    @event("EmailBound")
    def bind_email(self, email: str, language: str) -> None:
        self.email, self.language = email, language
        self.pending_email = self.pending_request_id = self.pending_code = (
            self.pending_expires_at
        ) = None

    @event("IdentityAdded")
    def add_identity(self, identity_id: str) -> None:
        self.identity_ids.append(identity_id)


class Reservation(Aggregate):
    """Claims a unique value (a phone, an email, a document number) for one account, atomically: its
    id derives from the value's fingerprint, so a second reservation cannot be made, and each later
    change of hands is an event on this one (Claimed, Released): of two commands racing for it,
    optimistic concurrency lets one record.

    A document number's reservation lists the identities claiming it (`claims`: identity id -> when,
    by the application's clock). Whether it still protects its account depends on them (approved:
    for good; pending: for IPP_RESERVATION_TTL), which services/identity/application.py decides
    (reservation_holder)."""

    # not annotated (eventsourcing would make them __init__ fields)
    # after an upheld dispute: the disputer's account, the only one that may claim it for a while
    released_for = None
    released_at = None

    @staticmethod
    def create_id(kind: str, fingerprint: str, **_: object) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"{kind}/{fingerprint}")

    @event("Made")
    def __init__(
        self,
        kind: str,
        fingerprint: str,
        account_id: str,
        identity_id: str | None = None,
        at: float | None = None,
    ) -> None:
        self.kind = kind
        self.fingerprint = fingerprint
        self.account_id = account_id
        # None for phones, emails, and document numbers reserved before claims were recorded
        self.claims: dict[str, float] | None = {identity_id: at} if identity_id else None

    @event("Claimed")
    def claim(self, account_id: str, claims: dict[str, float]) -> None:
        """`account_id` holds the number now, for these identities' claims (a takeover
        drops the old ones)."""
        self.account_id, self.claims = account_id, claims
        self.released_for = self.released_at = None

    @event("Released")
    def release(self, for_account_id: str, at: float) -> None:
        """Nobody's claim counts any more; `for_account_id` (whose dispute was upheld) has the
        first right to it."""
        self.claims = {}
        self.released_for = for_account_id
        self.released_at = at


class Identity(ReviewableMaterial):
    """An account's proof of who it is (holder) or whom it acts for (agent)."""

    @event("Submitted")
    def __init__(
        self,
        account_id: str,
        role: str,
        holder: dict,
        agent: dict | None,
        authorization_document: dict | None,
    ) -> None:
        self.account_id, self.role = account_id, role
        self.holder = holder
        self.agent = agent
        self.authorization_document = authorization_document

    def resubmit(
        self, role: str, holder: dict, agent: dict | None, authorization_document: dict | None
    ) -> None:
        """Only a rejected identity may change; the change is a new revision, reviewed afresh."""
        if not self.is_editable:
            raise ValueError("identity is locked")
        self._resubmitted(
            account_id=self.account_id,
            revision=self.revision + 1,
            role=role,
            holder=holder,
            agent=agent,
            authorization_document=authorization_document,
        )

    @event("Resubmitted")
    def _resubmitted(
        self,
        account_id: str,
        revision: int,
        role: str,
        holder: dict,
        agent: dict | None,
        authorization_document: dict | None,
    ) -> None:
        self.role = role
        self.holder = holder
        self.agent = agent
        self.authorization_document, self.revision = authorization_document, revision
        self.status, self.reasons = "submitted", []

    def parties(self) -> list[dict]:
        return [p for p in (self.holder, self.agent) if p]

    def reserving_party(self) -> dict:
        """The party whose number this identity reserves: a holder's own identity reserves the
        holder's number, an agent's only the agent's own, so a holder may have several agents and
        still register itself."""
        return self.agent if self.role == "agent" and self.agent else self.holder

    def pair(self) -> tuple[str, str | None]:
        """(holder, agent) by fingerprint: an account submits each pair once while one is
        pending or approved."""
        return self.holder["fingerprint"], (self.agent or {}).get("fingerprint")


class Dispute(Aggregate):
    """An account's claim that a document number another account holds is its own, with evidence,
    for a reviewer (material_type `identity_dispute`). Only the number's keyed fingerprint and
    masked form are kept."""

    @event("Submitted")
    def __init__(
        self,
        account_id: str,
        document_type: str,
        fingerprint: str,
        masked: str,
        statement: str,
        evidence: list[dict],
        held_by: str,
        submitted_at: str,
    ) -> None:
        self.account_id, self.document_type = account_id, document_type
        self.fingerprint, self.masked = fingerprint, masked
        self.statement = statement
        self.evidence = evidence
        self.submitted_at = submitted_at
        self.held_by = (
            held_by  # the holding account when it was submitted (it never reviews this dispute)
        )
        self.status, self.reasons = "submitted", []
        self.decided_at: str | None = None
        self.decided_by: str | None = None

    @event("Decided")
    def decide(self, outcome: str, reasons: list[dict], reviewer_id: str, decided_at: str) -> None:
        """A reviewer's `approved` upholds the dispute, `rejected` dismisses it."""
        self.status = "upheld" if outcome == "approved" else "dismissed"
        self.reasons = reasons
        self.decided_by = reviewer_id
        self.decided_at = decided_at


class DisputeList(Aggregate):
    """The disputes one account submitted (its id derives from the account's), for `GET
    /v1/identities/disputes`."""

    @staticmethod
    def create_id(account_id: str, **_: object) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"disputes/{account_id}")

    @event("Opened")
    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self.dispute_ids: list[str] = []

    @event("Added")
    def add(self, dispute_id: str) -> None:
        self.dispute_ids.append(dispute_id)
