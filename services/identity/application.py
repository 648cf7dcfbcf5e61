"""The identity service layer: accounts, sign-in (password, SMS, QR), email binding,
identities and disputes.

Identity submissions: an account proves who it is, or (an agency) whom it acts
for, one identity each.

Document numbers are reserved so that they protect real owners without locking them out:
- an identity reserves one number, its reserving party's (Identity.reserving_party): a holder's own
  identity the holder's, an agent's identity the agent's own, so a holder may have several agencies
  and register itself too;
- a reservation protects its account while one of the identities claiming it is approved (for good)
  or pending and claimed less than IPP_RESERVATION_TTL ago. Once they are rejected or have lapsed,
  the next submission of the number claims it: a Claimed event on the reservation, so of two
  accounts racing for it the event store lets one record it. The lapsed identities it protected are
  rejected (RESERVATION_LAPSED), so none of them can be approved later for a number another account
  holds; an upheld dispute (below) releases it the same way;
- an account has at most IPP_MAX_PENDING_IDENTITIES identities awaiting review, and each
  (holder, agent) pair once;
- "already registered" is answered a few times a day per account (limits.DOCUMENT_TAKEN_ANSWERS), so
  the answer is no free oracle of which numbers are registered.

Disputes of a squatted document number: the way back for a real owner whose number
another account holds.

The disputer states why the number is theirs and uploads evidence; the dispute waits in identity's
reviewer queue as material_type `identity_dispute` (a task row made when the Dispute is recorded, in
the same transaction). A reviewer's `approved` upholds it: the reservation is released, with the
first right to it the disputer's for IPP_RESERVATION_TTL, and the holding account's identities that
are not approved are rejected with reason DOCUMENT_DISPUTED (their owner sees why; complaints
waiting on them are decided with it). An approved identity stays approved, but no longer holds the
number. `rejected` dismisses the dispute and changes nothing. Nobody reviews a dispute of their own,
or one against their account.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TypeVar
from uuid import UUID

import sqlalchemy.exc
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from services.identity.adapters.qr_logins import QrLogins
from services.identity.adapters.read_models import read_models, sms_codes
from services.identity.adapters.review_queue import IdentityReviewQueue
from services.identity.adapters.sms import SmsSender, SmsUnavailable, sms_sender
from services.identity.adapters.throttle import SignInAttempt, Throttle
from services.identity.domain import documents, limits, passwords
from services.identity.domain.errors import (
    AccountNotFound,
    DocumentAlreadyRegistered,
    EmailAlreadyBound,
    EmailAlreadyRegistered,
    EmailNotBound,
    IdentityAlreadySubmitted,
    IdentityLocked,
    IdentityNotFound,
    InvalidCode,
    InvalidCredentials,
    NothingToDispute,
    PhoneAlreadyRegistered,
    ReservationChanged,
    TooManyPendingIdentities,
    WeakPassword,
)
from services.identity.domain.logins import login_key, normalise_phone
from services.identity.domain.model import Account, Dispute, DisputeList, Identity, Reservation
from shared.kit.blobs import BlobStore
from shared.kit.errors import ServiceError
from shared.kit.settings import Settings
from shared.kit.store import ServiceApplication, event_store_env
from shared.review.domain import APPROVED, REJECTED
from shared.review.tables import DECIDED, PENDING, review_tasks, task_id_of

CODE_SECONDS = 300
SMS_TEXT = "【IPP】您的验证码是 {code}，{minutes} 分钟内有效。请勿将验证码告诉任何人。"
_hasher = PasswordHasher()
T = TypeVar("T")
AWAITING = ("submitted", "under_review")  # an identity's statuses while it awaits a decision
LAPSED = {
    "code": "RESERVATION_LAPSED",
    "message": (
        "This identity was not approved within the reservation period, and another account has "
        "since registered its document number. If the number is yours, dispute it."
    ),
}
DISPUTED = {
    "code": "DOCUMENT_DISPUTED",
    "message": (
        "Another account showed a reviewer that this document number is theirs: this identity no "
        "longer holds it."
    ),
}


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat().replace("+00:00", "Z")


class IdentityApplication(ServiceApplication):
    read_models = read_models

    def __init__(
        self,
        settings: Settings,
        env: dict[str, str] | None = None,
        blobs: BlobStore | None = None,
        clock: Callable[[], float] = time.time,
        sms: SmsSender | None = None,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.blobs = blobs or BlobStore.of(settings)  # uploaded documents, encrypted at rest
        self.settings, self.clock = settings, clock
        self.key = settings.key("fingerprints")
        self.sms = sms or sms_sender(
            settings
        )  # before the store: production without a gateway does not start
        self.hasher = (
            hasher or _hasher
        )  # argon2id with its library's defaults (RFC 9106's second choice)
        self._dummy_hash: str | None = None
        super().__init__(env or event_store_env(settings))
        self.review_queue = IdentityReviewQueue(self)  # identities, and disputes of numbers
        self.throttle = Throttle(self.engine, clock)
        self.qr_logins = QrLogins(self.engine, clock)
        self.sms_codes_per_day = limits.sms_codes_per_phone_per_day(
            settings.sms_codes_per_phone_per_day
        )

    def project(self, domain_event: object, session: Session) -> None:
        """Keep the reviewer queue in step with Review events."""
        self.review_queue.project(domain_event, session)

    def fingerprint(self, value: str) -> str:
        return documents.fingerprint(value, self.key)

    # -- accounts and sign-in ------------------------------------------------------------

    def request_sms_code(self, phone: str, client_ip: str = "") -> None:
        """A new code for `phone`, sent through the SMS port: a minute apart and a few a day per
        phone, a few an hour per client address. Only its keyed hash is stored; the code itself is
        in the SMS and nowhere else."""
        phone = normalise_phone(phone)
        fp, ip = self.fingerprint(phone), self.client_key(client_ip)
        wanted = [(limits.SMS_CODES_PER_PHONE, fp), (self.sms_codes_per_day, fp)]
        self.throttle.take_all(*wanted, *([(limits.SMS_CODES_PER_IP, ip)] if ip else []))
        code = new_code()
        with self.engine.begin() as connection:
            connection.execute(delete(sms_codes).where(sms_codes.c.phone_fingerprint == fp))
            connection.execute(
                insert(sms_codes).values(
                    phone_fingerprint=fp,
                    code_hash=self._code_hash(fp, code),
                    expires_at=self.clock() + CODE_SECONDS,
                )
            )
        try:
            self.sms.send(phone, SMS_TEXT.format(code=code, minutes=CODE_SECONDS // 60))
        except SmsUnavailable:
            with self.engine.begin() as connection:  # a code nobody received is no code
                connection.execute(delete(sms_codes).where(sms_codes.c.phone_fingerprint == fp))
            raise

    def _code_hash(self, fingerprint: str, code: str) -> str:
        """HMAC-SHA256 under the `sms-codes` key, bound to the phone: a copy of the table gives no
        code back without the key (a bare hash of 10**6 codes would)."""
        message = f"{fingerprint}:{code}".encode()
        return hmac.new(self.settings.key("sms-codes"), message, hashlib.sha256).hexdigest()

    def _sms_code_ok(self, phone: str, code: str) -> bool:
        if self._dev_code(code):
            return True
        fp = self.fingerprint(phone)
        with self.engine.begin() as connection:
            row = connection.execute(
                select(sms_codes).where(sms_codes.c.phone_fingerprint == fp)
            ).first()
            if (
                row is None
                or row.expires_at < self.clock()
                or not hmac.compare_digest(row.code_hash, self._code_hash(fp, code))
            ):
                return False
            connection.execute(delete(sms_codes).where(sms_codes.c.phone_fingerprint == fp))
        return True

    @staticmethod
    def require_strong_password(password: str, phone: str | None = None) -> None:
        """422 WEAK_PASSWORD naming the rule broken (domain/passwords.py), wherever
        a password is set."""
        rule = passwords.weakness(password, phone)
        if rule is not None:
            raise WeakPassword(
                f"This password cannot be used ({rule.replace('_', ' ')}): use at "
                f"least {passwords.MIN_LENGTH} characters that are not a common password or your "
                "phone number.",
                {"rule": rule},
            )

    def register(self, phone: str, password: str, sms_code: str, client_ip: str = "") -> str:
        phone = normalise_phone(phone)
        self.require_strong_password(password, phone)  # before the code is used up
        with self.attempt(phone, client_ip):
            if not self._sms_code_ok(phone, sms_code):
                raise InvalidCode("The SMS code is wrong or expired.")
        return self.open_account(phone, password, ("holder",))

    def open_account(self, phone: str, password: str, roles: tuple[str, ...]) -> str:
        """A new account for a phone no account has (the phone is proven, or an
        operator vouches for it)."""
        phone = normalise_phone(phone)
        self.require_strong_password(password, phone)
        account = Account(
            phone=phone,
            phone_masked=documents.mask(phone),
            password_hash=self.hasher.hash(password),
            roles=list(roles),
        )
        claim = Reservation(
            kind="phone", fingerprint=self.fingerprint(phone), account_id=str(account.id)
        )
        try:
            self.save(claim, account)
        except IntegrityError as exc:
            raise PhoneAlreadyRegistered("This phone number already has an account.") from exc
        return str(account.id)

    def _claimed_account(self, kind: str, value: str) -> Account | None:
        try:
            claim = self.repository.get(Reservation.create_id(kind, self.fingerprint(value)))
        except AggregateNotFoundError:
            return None
        return self.account(claim.account_id)

    def attempt(self, login: str, client_ip: str) -> SignInAttempt:
        """Rate-limits failures per login (always) and per client address (when known)."""
        return SignInAttempt(self.throttle, self.fingerprint(login), self.client_key(client_ip))

    def client_key(self, client_ip: str) -> str | None:
        """Per-address limits need a known address; a development stack (IPP_DEV_CODE) runs every
        user on loopback, so it limits per login and phone only."""
        return self.fingerprint(client_ip) if client_ip and not self.settings.dev_code else None

    def sign_in_with_password(self, login: str, password: str, client_ip: str = "") -> Account:
        key = login_key(login)
        account = None
        if "@" in key:
            account = self._claimed_account("email", key)
        elif key.startswith("+"):
            account = self._claimed_account("phone", key)
        # an account's failures count against its phone, whichever login (phone,
        # email) is guessed at
        with self.attempt(account.phone if account else key, client_ip):
            if not self._password_ok(account, password) or account is None:
                raise InvalidCredentials("The login or password is wrong.")
        return account

    def _password_ok(self, account: Account | None, password: str) -> bool:
        """Argon2 runs whether or not the login has an account (against a hash of a random
        password when it has none), so an unknown login answers as slowly as a known one and
        timing tells no one which exist."""
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(32))
        try:
            return bool(
                self.hasher.verify(account.password_hash if account else self._dummy_hash, password)
            )
        except (VerificationError, InvalidHashError):
            return False

    def sign_in_with_sms(self, phone: str, code: str, client_ip: str = "") -> Account:
        phone = normalise_phone(phone)
        with self.attempt(phone, client_ip):
            account = self._claimed_account("phone", phone)
            if account is None or not self._sms_code_ok(phone, code):
                raise InvalidCredentials("The phone number or SMS code is wrong.")
        return account

    def account(self, account_id: str) -> Account:
        try:
            account = self.repository.get(UUID(account_id))
        except (AggregateNotFoundError, ValueError) as exc:
            raise AccountNotFound("No such account.") from exc
        if not isinstance(account, Account):
            raise AccountNotFound("No such account.")
        return account

    # -- QR sign-in: the page opens a ticket, the signed-in app confirms it, the
    # page collects a session

    def confirm_qr_login(self, ticket: str, account_id: str) -> None:
        self.qr_logins.confirm(ticket, str(self.account(account_id).id))

    def collect_qr_login(self, ticket: str, browser_secret: str) -> tuple[str, Account | None]:
        """The ticket's status and, the one time it is handed out to the browser holding its secret,
        the account to open a session for."""
        account_id = self.qr_logins.collect(ticket, browser_secret)
        if account_id is not None:
            return "confirmed", self.account(account_id)
        return self.qr_logins.status(ticket), None

    # -- email binding -------------------------------------------------------------------

    def request_email_verification(self, account_id: str, email: str) -> None:
        account = self.account(account_id)
        if account.email:
            raise EmailAlreadyBound("An email is already bound and cannot change.")
        self.throttle.claim(limits.EMAIL_CODES_PER_ACCOUNT, account_id)
        expires = datetime.now(timezone.utc) + timedelta(seconds=CODE_SECONDS)
        account.ask_for_email_code(
            email, expires.isoformat()
        )  # the event carries a request id, not the code
        self.save(account)

    def bind_email(self, account_id: str, email: str, code: str, language: str = "zh-CN") -> None:
        account = self.account(account_id)
        if account.email:
            raise EmailAlreadyBound("An email is already bound and cannot change.")
        with self.attempt(account_id, ""):  # guessing email codes counts like failed sign-ins
            if not (
                self._dev_code(code)
                or account.email_code_ok(email, code, self.settings.key("email-codes"))
            ):
                raise InvalidCode("The verification code is wrong or expired.")
        claim = Reservation(
            kind="email", fingerprint=self.fingerprint(email), account_id=account_id
        )
        account.bind_email(email=email, language=language)
        try:
            self.save(claim, account)
        except IntegrityError as exc:
            raise EmailAlreadyRegistered("This email belongs to another account.") from exc

    def _dev_code(self, code: str) -> bool:
        """IPP_DEV_CODE (development only; production refuses it) is accepted as any code. Compared
        as bytes: compare_digest refuses non-ASCII text, which a typed code may be."""
        dev_code = self.settings.dev_code
        return bool(dev_code) and secrets.compare_digest(code.encode(), (dev_code or "").encode())

    # -- identity submissions ------------------------------------------------------------

    def party(
        self, kind: str, name: str, document_type: str, number: str, docs: list[dict], **extra: str
    ) -> dict:
        """A party as stored: the raw number stays inside this service (encrypted at rest)."""
        number = documents.normalise(number)
        return {
            "kind": kind,
            "name": name,
            "document_type": document_type,
            "number": number,
            "masked": documents.mask(number),
            "fingerprint": documents.fingerprint(number, self.key),
            "documents": docs,
            **extra,
        }

    def submit_identity(
        self,
        account_id: str,
        role: str,
        holder: dict,
        agent: dict | None,
        authorization_document: dict | None,
    ) -> str:
        def attempt() -> str:
            account = self.account(account_id)
            if not account.email:
                raise EmailNotBound("Bind an email first: results are sent there.")
            identity = Identity(
                account_id=account_id,
                role=role,
                holder=holder,
                agent=agent,
                authorization_document=authorization_document,
            )
            self._admit(account, identity)
            account.add_identity(str(identity.id))
            self._save_with_claim(account_id, identity, account)
            return str(identity.id)

        return self._raced(account_id, attempt)

    def resubmit_identity(
        self,
        account_id: str,
        identity_id: str,
        role: str,
        holder: dict,
        agent: dict | None,
        authorization_document: dict | None,
    ) -> None:
        def attempt() -> None:
            identity = self.identity(account_id, identity_id)
            if not identity.is_editable:
                raise IdentityLocked(
                    "A submitted identity can change only after a rejection.",
                    {"status": identity.status},
                )
            identity.resubmit(
                role=role, holder=holder, agent=agent, authorization_document=authorization_document
            )
            self._admit(self.account(account_id), identity)
            self._save_with_claim(account_id, identity)

        self._raced(account_id, attempt)

    def _raced(self, account_id: str, attempt: Callable[[], T]) -> T:
        """Run `attempt`, and once more when a concurrent command changed what it read (another
        account claimed the number, or this account submitted meanwhile): against the new state it
        answers properly."""
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
        others = [
            o
            for o in (self.get_or_none(i) for i in account.identity_ids if i != str(identity.id))
            if isinstance(o, Identity)
        ]
        same = next(
            (
                o
                for o in others
                if o.status in (*AWAITING, APPROVED) and o.pair() == identity.pair()
            ),
            None,
        )
        if same is not None:
            raise IdentityAlreadySubmitted(
                "You have already submitted this holder (with this "
                "agent): that identity is awaiting review or approved.",
                {"identity_id": str(same.id)},
            )
        limit = self.settings.max_pending_identities
        if sum(o.status in AWAITING for o in others) >= limit:
            raise TooManyPendingIdentities(
                f"At most {limit} of your identities may await review "
                "at once: wait for a decision on one.",
                {"limit": limit},
            )

    def already_registered(self, account_id: str, masked: str | None = None) -> ServiceError:
        """The 409 that says a number is taken, counted: past the limit, 429
        TOO_MANY_ATTEMPTS (raised here)."""
        self.throttle.claim(limits.DOCUMENT_TAKEN_ANSWERS, account_id)
        return DocumentAlreadyRegistered(
            "This document number is already registered by another "
            "account. If it is yours, dispute it (POST /v1/identities/disputes).",
            {"document_number_masked": masked} if masked else None,
        )

    def _save_with_claim(self, account_id: str, identity: Identity, *others: object) -> None:
        """Save with the identity's claim on its reserving party's number; 409 while another account
        holds it. An IntegrityError means another command changed the reservation or the account
        meanwhile (_raced)."""
        party, now = identity.reserving_party(), self.clock()
        reservation = self.get_or_none(Reservation.create_id("document", party["fingerprint"]))
        lapsed: list[Identity] = []
        if reservation is None:
            reservation = Reservation(
                kind="document",
                fingerprint=party["fingerprint"],
                account_id=account_id,
                identity_id=str(identity.id),
                at=now,
            )
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
        """identity id -> when it claimed the number; a reservation made before claims were recorded
        is claimed by each identity of its account, since it was made."""
        if reservation.claims is not None:
            return dict(reservation.claims)
        account = self.get_or_none(reservation.account_id)
        made = reservation.created_on.timestamp()
        return {i: made for i in account.identity_ids} if isinstance(account, Account) else {}

    def claiming(self, reservation: Reservation) -> list[tuple[Identity, float]]:
        """The identities of the holding account whose current revision reserves this number, with
        their claim's time (an identity resubmitted with another number no longer claims it)."""
        found = []
        for identity_id, at in self.claims_of(reservation).items():
            identity = self.get_or_none(identity_id)
            if (
                isinstance(identity, Identity)
                and identity.account_id == reservation.account_id
                and identity.reserving_party()["fingerprint"] == reservation.fingerprint
            ):
                found.append((identity, at))
        return found

    def claimants(self, reservation: Reservation, statuses: tuple[str, ...]) -> list[Identity]:
        return [
            identity for identity, _ in self.claiming(reservation) if identity.status in statuses
        ]

    def reservation_holder(self, reservation: Reservation, now: float) -> str | None:
        """The account this reservation protects at `now`, or None when the number
        is free to claim."""
        if reservation.kind != "document":
            return reservation.account_id  # phones and emails: for good
        ttl = self.settings.reservation_ttl.total_seconds()
        if reservation.released_for is not None and now < reservation.released_at + ttl:
            return reservation.released_for
        for identity, at in self.claiming(reservation):
            if identity.status == APPROVED or (identity.status in AWAITING and now < at + ttl):
                return reservation.account_id
        return None

    def turn_down(
        self,
        session: Session,
        identity: Identity,
        reasons: list[dict],
        decision_id: str,
        reviewer_id: str | None = None,
    ) -> None:
        """Reject an identity that lost its number. A task waiting for a reviewer is decided
        with it, so the complaints waiting on it hear why; otherwise the rejection is recorded
        on the identity (and reused by later complaints). Either way its owner sees the reasons
        and may resubmit."""
        task_id = task_id_of("identity", str(identity.id), identity.revision)
        task = session.execute(
            select(review_tasks).where(
                review_tasks.c.task_id == task_id, review_tasks.c.status == PENDING
            )
        ).first()
        if task is None:
            identity.record_decision(decision_id, identity.revision, REJECTED, reasons)
            self.save(identity)
            return
        decided = self.review_queue.conclude(session, task, REJECTED, reasons, reviewer_id)
        session.execute(
            update(review_tasks)
            .where(review_tasks.c.task_id == task_id)
            .values(
                status=DECIDED,
                decision={
                    "outcome": REJECTED,
                    "reasons": reasons,
                    "reviewer_id": reviewer_id,
                    "decision_id": decided,
                    "decided_at": datetime.now(timezone.utc).isoformat(),
                },
            )
        )

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

    # -- disputes of a squatted document number ------------------------------------------

    def submit_dispute(
        self, account_id: str, document_type: str, number: str, statement: str, evidence: list[dict]
    ) -> str:
        """A dispute of `number`, held by another account; 409 NOTHING_TO_DISPUTE when none
        holds it. Every try counts (limits.DISPUTES_PER_ACCOUNT): both answers tell whether the
        number is registered."""
        if not self.account(account_id).email:
            raise EmailNotBound("Bind an email first: results are sent there.")
        self.throttle.claim(limits.DISPUTES_PER_ACCOUNT, account_id)
        number = documents.normalise(number)
        fingerprint, masked = documents.fingerprint(number, self.key), documents.mask(number)
        statement = re.sub(
            re.escape(number), masked, statement, flags=re.IGNORECASE
        )  # reviewers see it masked
        reservation = self.get_or_none(Reservation.create_id("document", fingerprint))
        holder = None if reservation is None else self.reservation_holder(reservation, self.clock())
        if holder is None or holder == account_id:
            raise NothingToDispute(
                "No other account holds this document number: submit your identity instead."
            )
        for attempt in (
            1,
            2,
        ):  # two disputes of one account at once: its list changed, so once more
            dispute = Dispute(
                account_id=account_id,
                document_type=document_type,
                fingerprint=fingerprint,
                masked=masked,
                statement=statement,
                evidence=evidence,
                held_by=holder,
                submitted_at=when(self.clock()),
            )
            listed = self.get_or_none(DisputeList.create_id(account_id)) or DisputeList(
                account_id=account_id
            )
            listed.add(str(dispute.id))
            try:
                self.save(dispute, listed)
                return str(dispute.id)
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def disputes(self, account_id: str) -> list[Dispute]:
        listed = self.get_or_none(DisputeList.create_id(account_id))
        return [self.dispute(account_id, i) for i in (listed.dispute_ids if listed else [])]

    def dispute(self, account_id: str, dispute_id: str) -> Dispute:
        return self.owned(Dispute, dispute_id, account_id, "DISPUTE_NOT_FOUND")

    def disputed_reservation(self, dispute: Dispute) -> Reservation | None:
        return self.get_or_none(Reservation.create_id("document", dispute.fingerprint))

    def conclude_dispute(
        self, session: Session, dispute_id: str, outcome: str, reasons: list[dict], reviewer_id: str
    ) -> str:
        """A reviewer's decision on a dispute (in the transaction of the decision); returns
        the decision's id."""
        dispute = self.found(Dispute, dispute_id, "DISPUTE_NOT_FOUND")
        now, released = self.clock(), []
        reservation = self.disputed_reservation(dispute)
        if (
            outcome == APPROVED
            and reservation is not None
            and self.reservation_holder(reservation, now) != dispute.account_id
        ):
            squatting = self.claimants(reservation, ("submitted", "under_review"))
            reservation.release(for_account_id=dispute.account_id, at=now)
            released.append(reservation)
            for identity in squatting:
                self.turn_down(session, identity, [DISPUTED], dispute_id, reviewer_id)
        dispute.decide(
            outcome=outcome, reasons=reasons, reviewer_id=reviewer_id, decided_at=when(now)
        )
        try:
            self.save(dispute, *released)
        except (IntegrityError, sqlalchemy.exc.IntegrityError) as exc:
            raise ReservationChanged(
                "The document number's reservation changed meanwhile: decide again."
            ) from exc
        return dispute_id
