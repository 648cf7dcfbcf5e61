"""Identity submissions: an account proves who it is, or (an agency) whom it acts for, one identity each.

Document numbers are reserved so that they protect real owners without locking them out:
- an identity reserves one number, its reserving party's (Identity.reserving_party): a holder's own identity the
  holder's, an agent's identity the agent's own, so a holder may have several agencies and register itself too;
- a reservation protects its account while one of the identities claiming it is approved (for good) or pending and
  claimed less than IPP_RESERVATION_TTL ago. Once they are rejected or have lapsed, the next submission of the
  number claims it: a Claimed event on the reservation, so of two accounts racing for it the event store lets one
  record it. The lapsed identities it protected are rejected (RESERVATION_LAPSED), so none of them can be approved
  later for a number another account holds; an upheld dispute (disputes.py) releases it the same way;
- an account has at most IPP_MAX_PENDING_IDENTITIES identities awaiting review, and each (holder, agent) pair once;
- "already registered" is answered a few times a day per account (limits.DOCUMENT_TAKEN_ANSWERS), so the answer
  is no free oracle of which numbers are registered.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.identity.disputes import IdentityDisputes
from services.identity.domain import documents, limits
from services.identity.domain.errors import (
    DocumentAlreadyRegistered,
    EmailNotBound,
    IdentityAlreadySubmitted,
    IdentityLocked,
    IdentityNotFound,
    TooManyPendingIdentities,
)
from services.identity.domain.model import Account, Identity, Reservation
from shared.kit.errors import ServiceError
from shared.review.domain import APPROVED, REJECTED
from shared.review.tables import DECIDED, PENDING, review_tasks, task_id_of

T = TypeVar("T")
AWAITING = ("submitted", "under_review")  # an identity's statuses while it awaits a decision
LAPSED = {"code": "RESERVATION_LAPSED",
          "message": "This identity was not approved within the reservation period, and another account has since "
                     "registered its document number. If the number is yours, dispute it."}


class IdentitySubmissions(IdentityDisputes):
    """The identity commands and queries of IdentityApplication."""

    key: bytes

    def party(self, kind: str, name: str, document_type: str, number: str, docs: list[dict], **extra: str) -> dict:
        """A party as stored: the raw number stays inside this service (encrypted at rest)."""
        number = documents.normalise(number)
        return {"kind": kind, "name": name, "document_type": document_type, "number": number,
                "masked": documents.mask(number), "fingerprint": documents.fingerprint(number, self.key),
                "documents": docs, **extra}

    def submit_identity(self, account_id: str, role: str, holder: dict, agent: dict | None,
                        authorization_document: dict | None) -> str:
        def attempt() -> str:
            account = self.account(account_id)
            if not account.email:
                raise EmailNotBound("Bind an email first: results are sent there.")
            identity = Identity(account_id=account_id, role=role, holder=holder, agent=agent,
                                authorization_document=authorization_document)
            self._admit(account, identity)
            account.add_identity(str(identity.id))
            self._save_with_claim(account_id, identity, account)
            return str(identity.id)

        return self._raced(account_id, attempt)

    def resubmit_identity(self, account_id: str, identity_id: str, role: str, holder: dict, agent: dict | None,
                          authorization_document: dict | None) -> None:
        def attempt() -> None:
            identity = self.identity(account_id, identity_id)
            if not identity.is_editable:
                raise IdentityLocked("A submitted identity can change only after a rejection.",
                               {"status": identity.status})
            identity.resubmit(role=role, holder=holder, agent=agent, authorization_document=authorization_document)
            self._admit(self.account(account_id), identity)
            self._save_with_claim(account_id, identity)

        self._raced(account_id, attempt)

    def _raced(self, account_id: str, attempt: Callable[[], T]) -> T:
        """Run `attempt`, and once more when a concurrent command changed what it read (another account claimed
        the number, or this account submitted meanwhile): against the new state it answers properly."""
        try:
            return attempt()
        except IntegrityError:
            pass
        try:
            return attempt()
        except IntegrityError as exc:
            raise self.already_registered(account_id) from exc

    def _admit(self, account: Account, identity: Identity) -> None:
        """409 unless the account may have this identity awaiting review besides its others."""
        others = [o for o in (self.get_or_none(i) for i in account.identity_ids if i != str(identity.id))
                  if isinstance(o, Identity)]
        same = next((o for o in others if o.status in (*AWAITING, APPROVED) and o.pair() == identity.pair()), None)
        if same is not None:
            raise IdentityAlreadySubmitted("You have already submitted this holder (with this "
                           "agent): that identity is awaiting review or approved.", {"identity_id": str(same.id)})
        limit = self.settings.max_pending_identities
        if sum(o.status in AWAITING for o in others) >= limit:
            raise TooManyPendingIdentities(f"At most {limit} of your identities may await review "
                           "at once: wait for a decision on one.", {"limit": limit})

    def already_registered(self, account_id: str, masked: str | None = None) -> ServiceError:
        """The 409 that says a number is taken, counted: past the limit, 429 TOO_MANY_ATTEMPTS (raised here)."""
        self.throttle.claim(limits.DOCUMENT_TAKEN_ANSWERS, account_id)
        return DocumentAlreadyRegistered("This document number is already registered by another "
                        "account. If it is yours, dispute it (POST /v1/identities/disputes).",
                        {"document_number_masked": masked} if masked else None)

    def _save_with_claim(self, account_id: str, identity: Identity, *others: object) -> None:
        """Save with the identity's claim on its reserving party's number; 409 while another account holds it.
        An IntegrityError means another command changed the reservation or the account meanwhile (_raced)."""
        party, now = identity.reserving_party(), self.clock()
        reservation = self.get_or_none(Reservation.create_id("document", party["fingerprint"]))
        lapsed: list[Identity] = []
        if reservation is None:
            reservation = Reservation(kind="document", fingerprint=party["fingerprint"], account_id=account_id,
                                      identity_id=str(identity.id), at=now)
        else:
            if self.reservation_holder(reservation, now) not in (None, account_id):
                raise self.already_registered(account_id, party["masked"])
            kept = self.claims_of(reservation) if reservation.account_id == account_id else {}
            if reservation.account_id != account_id:
                lapsed = self.claimants(reservation, AWAITING)
            reservation.claim(account_id=account_id, claims={**kept, str(identity.id): now})
        with self.transaction() as session:
            for old in lapsed:
                self.turn_down(session, old, [LAPSED], str(reservation.id))
            self.save(reservation, identity, *others)

    # -- reservations ----------------------------------------------------------------------------

    def claims_of(self, reservation: Reservation) -> dict[str, float]:
        """identity id -> when it claimed the number; a reservation made before claims were recorded is claimed
        by each identity of its account, since it was made."""
        if reservation.claims is not None:
            return dict(reservation.claims)
        account = self.get_or_none(reservation.account_id)
        made = reservation.created_on.timestamp()
        return {i: made for i in account.identity_ids} if isinstance(account, Account) else {}

    def claiming(self, reservation: Reservation) -> list[tuple[Identity, float]]:
        """The identities of the holding account whose current revision reserves this number, with their claim's
        time (an identity resubmitted with another number no longer claims it)."""
        found = []
        for identity_id, at in self.claims_of(reservation).items():
            identity = self.get_or_none(identity_id)
            if isinstance(identity, Identity) and identity.account_id == reservation.account_id and \
                    identity.reserving_party()["fingerprint"] == reservation.fingerprint:
                found.append((identity, at))
        return found

    def claimants(self, reservation: Reservation, statuses: tuple[str, ...]) -> list[Identity]:
        return [identity for identity, _ in self.claiming(reservation) if identity.status in statuses]

    def reservation_holder(self, reservation: Reservation, now: float) -> str | None:
        """The account this reservation protects at `now`, or None when the number is free to claim."""
        if reservation.kind != "document":
            return reservation.account_id  # phones and emails: for good
        ttl = self.settings.reservation_ttl.total_seconds()
        if reservation.released_for is not None and now < reservation.released_at + ttl:
            return reservation.released_for
        for identity, at in self.claiming(reservation):
            if identity.status == APPROVED or (identity.status in AWAITING and now < at + ttl):
                return reservation.account_id
        return None

    def turn_down(self, session: Session, identity: Identity, reasons: list[dict], decision_id: str,
                  reviewer_id: str | None = None) -> None:
        """Reject an identity that lost its number. A task waiting for a reviewer is decided with it, so the
        complaints waiting on it hear why; otherwise the rejection is recorded on the identity (and reused by
        later complaints). Either way its owner sees the reasons and may resubmit."""
        task_id = task_id_of("identity", str(identity.id), identity.revision)
        task = session.execute(select(review_tasks).where(review_tasks.c.task_id == task_id,
                                                          review_tasks.c.status == PENDING)).first()
        if task is None:
            identity.record_decision(decision_id, identity.revision, REJECTED, reasons)
            self.save(identity)
            return
        decided = self.review_queue.conclude(session, task, REJECTED, reasons, reviewer_id)
        session.execute(update(review_tasks).where(review_tasks.c.task_id == task_id).values(
            status=DECIDED, decision={"outcome": REJECTED, "reasons": reasons, "reviewer_id": reviewer_id,
                                      "decision_id": decided, "decided_at": datetime.now(timezone.utc).isoformat()}))

    # -- queries -----------------------------------------------------------------------------------

    def identity(self, account_id: str, identity_id: str) -> Identity:
        try:
            identity = self.repository.get(UUID(identity_id))
        except (AggregateNotFoundError, ValueError) as exc:
            raise IdentityNotFound("No such identity.") from exc
        if not isinstance(identity, Identity) or identity.account_id != account_id:
            raise IdentityNotFound("No such identity.")
        return identity

    def identities(self, account_id: str) -> list[Identity]:
        return [self.identity(account_id, i) for i in self.account(account_id).identity_ids]

    # the application provides these
    settings: Any
    throttle: Any
    review_queue: Any
