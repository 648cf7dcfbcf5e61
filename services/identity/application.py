"""The identity service layer: accounts, sign-in (password, SMS, QR), email binding and identities."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from uuid import UUID

import phonenumbers
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError
from sqlalchemy import delete, insert, select

from services.identity.adapters.qr_logins import QrLogins
from services.identity.adapters.sms import SmsSender, SmsUnavailable, sms_sender
from services.identity.adapters.tables import read_models, sms_codes
from services.identity.adapters.throttle import SignInAttempt, Throttle
from services.identity.disputes import IdentityReviewQueue
from services.identity.domain import documents, limits, passwords
from services.identity.domain.errors import (
    AccountNotFound,
    EmailAlreadyBound,
    EmailAlreadyRegistered,
    InvalidCode,
    InvalidCredentials,
    InvalidPhone,
    PhoneAlreadyRegistered,
    WeakPassword,
)
from services.identity.domain.model import Account, Reservation
from services.identity.submissions import IdentitySubmissions
from shared.kit.errors import ServiceError
from shared.kit.settings import Settings
from shared.kit.store import ServiceApplication, event_store_env
from shared.review.queue import QueuedReviews, ReviewQueue

CODE_SECONDS = 300
SMS_TEXT = "【IPP】您的验证码是 {code}，{minutes} 分钟内有效。请勿将验证码告诉任何人。"
_hasher = PasswordHasher()


def normalise_phone(phone: str) -> str:
    """E.164, mainland China by default; 422 INVALID_PHONE otherwise."""
    try:
        parsed = phonenumbers.parse(phone, "CN")
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone("This is not a phone number.") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhone("This is not a valid phone number.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def login_key(login: str) -> str:
    """What failed sign-ins count against: one key per account however its login is typed (`+86 138…`,
    `0086138…`, `138-…`, `(138) …` are one E.164 number; an email in any case is one address), and for anything
    else the login without spaces, case-folded, so it too cannot be varied into fresh tries."""
    login = login.strip()
    if "@" in login:
        return login.lower()
    try:
        return normalise_phone(login)
    except ServiceError:
        return "login:" + "".join(login.split()).casefold()


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


class IdentityApplication(QueuedReviews, IdentitySubmissions, ServiceApplication):
    read_models = read_models
    reviewed_materials = ("identity",)

    def make_review_queue(self) -> ReviewQueue:
        return IdentityReviewQueue(self)  # identities, and disputes of squatted numbers

    def __init__(self, settings: Settings, env: dict[str, str] | None = None,
                 clock: Callable[[], float] = time.time, sms: SmsSender | None = None) -> None:
        self.settings, self.clock = settings, clock
        self.key = settings.key("fingerprints")
        self.sms = sms or sms_sender(settings)  # before the store: production without a gateway does not start
        self.hasher = _hasher
        self._dummy_hash: str | None = None
        super().__init__(env or event_store_env(settings))
        self.throttle = Throttle(self.engine, clock)
        self.qr_logins = QrLogins(self.engine, clock)
        self.sms_codes_per_day = limits.sms_codes_per_phone_per_day(settings.sms_codes_per_phone_per_day)

    def fingerprint(self, value: str) -> str:
        return documents.fingerprint(value, self.key)

    # -- accounts and sign-in ------------------------------------------------------------

    def request_sms_code(self, phone: str, client_ip: str = "") -> None:
        """A new code for `phone`, sent through the SMS port: a minute apart and a few a day per phone, a few an
        hour per client address. Only its keyed hash is stored; the code itself is in the SMS and nowhere else."""
        phone = normalise_phone(phone)
        fp, ip = self.fingerprint(phone), self.client_key(client_ip)
        wanted = [(limits.SMS_CODES_PER_PHONE, fp), (self.sms_codes_per_day, fp)]
        self.throttle.take_all(*wanted, *([(limits.SMS_CODES_PER_IP, ip)] if ip else []))
        code = new_code()
        with self.engine.begin() as connection:
            connection.execute(delete(sms_codes).where(sms_codes.c.phone_fingerprint == fp))
            connection.execute(insert(sms_codes).values(phone_fingerprint=fp, code_hash=self._code_hash(fp, code),
                                                        expires_at=self.clock() + CODE_SECONDS))
        try:
            self.sms.send(phone, SMS_TEXT.format(code=code, minutes=CODE_SECONDS // 60))
        except SmsUnavailable:
            with self.engine.begin() as connection:  # a code nobody received is no code
                connection.execute(delete(sms_codes).where(sms_codes.c.phone_fingerprint == fp))
            raise

    def _code_hash(self, fingerprint: str, code: str) -> str:
        """HMAC-SHA256 under the `sms-codes` key, bound to the phone: a copy of the table gives no code back
        without the key (a bare hash of 10**6 codes would)."""
        message = f"{fingerprint}:{code}".encode()
        return hmac.new(self.settings.key("sms-codes"), message, hashlib.sha256).hexdigest()

    def _sms_code_ok(self, phone: str, code: str) -> bool:
        if self._dev_code(code):
            return True
        fp = self.fingerprint(phone)
        with self.engine.begin() as connection:
            row = connection.execute(select(sms_codes).where(sms_codes.c.phone_fingerprint == fp)).first()
            if row is None or row.expires_at < self.clock() or \
                    not hmac.compare_digest(row.code_hash, self._code_hash(fp, code)):
                return False
            connection.execute(delete(sms_codes).where(sms_codes.c.phone_fingerprint == fp))
        return True

    @staticmethod
    def require_strong_password(password: str, phone: str | None = None) -> None:
        """422 WEAK_PASSWORD naming the rule broken (domain/passwords.py), wherever a password is set."""
        rule = passwords.weakness(password, phone)
        if rule is not None:
            raise WeakPassword(f"This password cannot be used ({rule.replace('_', ' ')}): use at "
                           f"least {passwords.MIN_LENGTH} characters that are not a common password or your "
                           "phone number.", {"rule": rule})

    def register(self, phone: str, password: str, sms_code: str, client_ip: str = "") -> str:
        phone = normalise_phone(phone)
        self.require_strong_password(password, phone)  # before the code is used up
        with self.attempt(phone, client_ip):
            if not self._sms_code_ok(phone, sms_code):
                raise InvalidCode("The SMS code is wrong or expired.")
        return self.open_account(phone, password, ("holder",))

    def open_account(self, phone: str, password: str, roles: tuple[str, ...]) -> str:
        """A new account for a phone no account has (the phone is proven, or an operator vouches for it)."""
        phone = normalise_phone(phone)
        self.require_strong_password(password, phone)
        account = Account(phone=phone, phone_masked=documents.mask(phone), password_hash=self.hasher.hash(password),
                          roles=list(roles))
        claim = Reservation(kind="phone", fingerprint=self.fingerprint(phone), account_id=str(account.id))
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
        """Per-address limits need a known address; a development stack (IPP_DEV_CODE) runs every user on
        loopback, so it limits per login and phone only."""
        return self.fingerprint(client_ip) if client_ip and not self.settings.dev_code else None

    def sign_in_with_password(self, login: str, password: str, client_ip: str = "") -> Account:
        key = login_key(login)
        account = None
        if "@" in key:
            account = self._claimed_account("email", key)
        elif key.startswith("+"):
            account = self._claimed_account("phone", key)
        # an account's failures count against its phone, whichever login (phone, email) is guessed at
        with self.attempt(account.phone if account else key, client_ip):
            if not self._password_ok(account, password) or account is None:
                raise InvalidCredentials("The login or password is wrong.")
        return account

    def _password_ok(self, account: Account | None, password: str) -> bool:
        """Argon2 runs whether or not the login has an account (against a hash of a random password when it
        has none), so an unknown login answers as slowly as a known one and timing tells no one which exist."""
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(32))
        try:
            return bool(self.hasher.verify(account.password_hash if account else self._dummy_hash, password))
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

    # -- QR sign-in: the page opens a ticket, the signed-in app confirms it, the page collects a session

    def confirm_qr_login(self, ticket: str, account_id: str) -> None:
        self.qr_logins.confirm(ticket, str(self.account(account_id).id))

    def collect_qr_login(self, ticket: str, browser_secret: str) -> tuple[str, Account | None]:
        """The ticket's status and, the one time it is handed out to the browser holding its secret, the account
        to open a session for."""
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
        account.ask_for_email_code(email, expires.isoformat())  # the event carries a request id, not the code
        self.save(account)

    def bind_email(self, account_id: str, email: str, code: str, language: str = "zh-CN") -> None:
        account = self.account(account_id)
        if account.email:
            raise EmailAlreadyBound("An email is already bound and cannot change.")
        with self.attempt(account_id, ""):  # guessing email codes counts like failed sign-ins
            if not (self._dev_code(code) or account.email_code_ok(email, code, self.settings.key("email-codes"))):
                raise InvalidCode("The verification code is wrong or expired.")
        claim = Reservation(kind="email", fingerprint=self.fingerprint(email), account_id=account_id)
        account.bind_email(email=email, language=language)
        try:
            self.save(claim, account)
        except IntegrityError as exc:
            raise EmailAlreadyRegistered("This email belongs to another account.") from exc

    def _dev_code(self, code: str) -> bool:
        """IPP_DEV_CODE (development only; production refuses it) is accepted as any code. Compared as bytes:
        compare_digest refuses non-ASCII text, which a typed code may be."""
        dev_code = self.settings.dev_code
        return bool(dev_code) and secrets.compare_digest(code.encode(), (dev_code or "").encode())

