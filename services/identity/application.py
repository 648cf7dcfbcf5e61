"""The identity service layer: accounts, sign-in (password, SMS, QR), email binding and identities."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from uuid import UUID

import phonenumbers
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError
from sqlalchemy import delete, insert, select

from services.identity.adapters.qr_logins import QrLogins
from services.identity.adapters.tables import read_models, sms_codes
from services.identity.adapters.throttle import SignInAttempt, Throttle
from services.identity.domain import documents, limits
from services.identity.domain.model import Account, Reservation
from services.identity.submissions import IdentitySubmissions
from shared.kit.http import ApiError
from shared.kit.logs import log
from shared.kit.settings import Settings
from shared.kit.store import ServiceApplication, event_store_env
from shared.review.queue import QueuedReviews

CODE_SECONDS = 300
_hasher = PasswordHasher()


def normalise_phone(phone: str) -> str:
    """E.164, mainland China by default; 422 INVALID_PHONE otherwise."""
    try:
        parsed = phonenumbers.parse(phone, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ApiError(422, "INVALID_PHONE", "This is not a phone number.") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ApiError(422, "INVALID_PHONE", "This is not a valid phone number.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


class IdentityApplication(QueuedReviews, IdentitySubmissions, ServiceApplication):
    read_models = read_models
    reviewed_materials = ("identity",)

    def __init__(self, settings: Settings, env: dict[str, str] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.settings, self.clock = settings, clock
        self.key = settings.key("fingerprints")
        super().__init__(env or event_store_env(settings))
        self.throttle = Throttle(self.engine, clock)
        self.qr_logins = QrLogins(self.engine, clock)

    def fingerprint(self, value: str) -> str:
        return documents.fingerprint(value, self.key)

    # -- accounts and sign-in ------------------------------------------------------------

    def request_sms_code(self, phone: str, client_ip: str = "") -> None:
        phone = normalise_phone(phone)
        fp, ip = self.fingerprint(phone), self.client_key(client_ip)
        if ip:
            self.throttle.check(limits.SMS_CODES_PER_IP, ip)
        self.throttle.take(limits.SMS_CODES_PER_PHONE, fp)
        if ip:
            self.throttle.record(limits.SMS_CODES_PER_IP, ip)
        code = new_code()
        with self.engine.begin() as connection:
            connection.execute(delete(sms_codes).where(sms_codes.c.phone_fingerprint == fp))
            connection.execute(insert(sms_codes).values(phone_fingerprint=fp, code_hash=code,
                                                        expires_at=self.clock() + CODE_SECONDS))
        # development SMS gateway: the code goes to the log, the phone only masked
        log.info("sms.code_sent", phone=documents.mask(phone), code=code)

    def _sms_code_ok(self, phone: str, code: str) -> bool:
        if self.settings.dev_code and secrets.compare_digest(code, self.settings.dev_code):
            return True
        fp = self.fingerprint(phone)
        with self.engine.begin() as connection:
            row = connection.execute(select(sms_codes).where(sms_codes.c.phone_fingerprint == fp)).first()
            if row is None or row.expires_at < self.clock() or not secrets.compare_digest(row.code_hash, code):
                return False
            connection.execute(delete(sms_codes).where(sms_codes.c.phone_fingerprint == fp))
        return True

    def register(self, phone: str, password: str, sms_code: str, client_ip: str = "") -> str:
        phone = normalise_phone(phone)
        with self.attempt(phone, client_ip):
            if not self._sms_code_ok(phone, sms_code):
                raise ApiError(422, "INVALID_CODE", "The SMS code is wrong or expired.")
        return self.open_account(phone, password, ("holder",))

    def open_account(self, phone: str, password: str, roles: tuple[str, ...]) -> str:
        """A new account for a phone no account has (the phone is proven, or an operator vouches for it)."""
        phone = normalise_phone(phone)
        account = Account(phone=phone, phone_masked=documents.mask(phone), password_hash=_hasher.hash(password),
                          roles=list(roles))
        claim = Reservation(kind="phone", fingerprint=self.fingerprint(phone), account_id=str(account.id))
        try:
            self.save(claim, account)
        except IntegrityError as exc:
            raise ApiError(409, "PHONE_ALREADY_REGISTERED", "This phone number already has an account.") from exc
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
        login = login.strip().lower()
        with self.attempt(login, client_ip):
            account = None
            if "@" in login:
                account = self._claimed_account("email", login)
            else:
                try:
                    account = self._claimed_account("phone", normalise_phone(login))
                except ApiError:
                    account = None
            try:
                if account is None:
                    raise VerificationError("unknown login")
                _hasher.verify(account.password_hash, password)
            except VerificationError as exc:
                raise ApiError(401, "INVALID_CREDENTIALS", "The login or password is wrong.") from exc
        return account

    def sign_in_with_sms(self, phone: str, code: str, client_ip: str = "") -> Account:
        phone = normalise_phone(phone)
        with self.attempt(phone, client_ip):
            account = self._claimed_account("phone", phone)
            if account is None or not self._sms_code_ok(phone, code):
                raise ApiError(401, "INVALID_CREDENTIALS", "The phone number or SMS code is wrong.")
        return account

    def account(self, account_id: str) -> Account:
        try:
            account = self.repository.get(UUID(account_id))
        except (AggregateNotFoundError, ValueError) as exc:
            raise ApiError(404, "ACCOUNT_NOT_FOUND", "No such account.") from exc
        if not isinstance(account, Account):
            raise ApiError(404, "ACCOUNT_NOT_FOUND", "No such account.")
        return account

    # -- QR sign-in: the page opens a ticket, the signed-in app confirms it, the page collects a session

    def confirm_qr_login(self, ticket: str, account_id: str) -> None:
        self.qr_logins.confirm(ticket, str(self.account(account_id).id))

    def collect_qr_login(self, ticket: str) -> tuple[str, Account | None]:
        """The ticket's status and, the one time it is handed out, the account to open a session for."""
        account_id = self.qr_logins.collect(ticket)
        if account_id is not None:
            return "confirmed", self.account(account_id)
        return self.qr_logins.status(ticket), None

    # -- email binding -------------------------------------------------------------------

    def request_email_verification(self, account_id: str, email: str) -> None:
        account = self.account(account_id)
        if account.email:
            raise ApiError(409, "EMAIL_ALREADY_BOUND", "An email is already bound and cannot change.")
        self.throttle.take(limits.EMAIL_CODES_PER_ACCOUNT, account_id)
        expires = datetime.now(timezone.utc) + timedelta(seconds=CODE_SECONDS)
        account.request_email_verification(email=email, code=new_code(), expires_at=expires.isoformat())
        self.save(account)

    def bind_email(self, account_id: str, email: str, code: str, language: str = "zh-CN") -> None:
        account = self.account(account_id)
        if account.email:
            raise ApiError(409, "EMAIL_ALREADY_BOUND", "An email is already bound and cannot change.")
        with self.attempt(account_id, ""):  # guessing email codes counts like failed sign-ins
            if not (self._dev_code(code) or account.email_code_ok(email, code)):
                raise ApiError(422, "INVALID_CODE", "The verification code is wrong or expired.")
        claim = Reservation(kind="email", fingerprint=self.fingerprint(email), account_id=account_id)
        account.bind_email(email=email, language=language)
        try:
            self.save(claim, account)
        except IntegrityError as exc:
            raise ApiError(409, "EMAIL_ALREADY_REGISTERED", "This email belongs to another account.") from exc

    def _dev_code(self, code: str) -> bool:
        return bool(self.settings.dev_code) and secrets.compare_digest(code, self.settings.dev_code or "")

