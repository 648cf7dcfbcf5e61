"""The identity service layer: accounts, sign-in, email binding and identity submissions."""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime, timedelta, timezone
from uuid import UUID

import phonenumbers
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError
from sqlalchemy import Column, Float, MetaData, String, Table, delete, insert, select

from services.identity.domain import documents
from services.identity.domain.model import Account, Identity, Reservation
from shared.kit.http import ApiError
from shared.kit.logs import log
from shared.kit.settings import Settings
from shared.kit.store import ServiceApplication, event_store_env

read_models = MetaData()
sms_codes = Table(
    "sms_codes", read_models,
    Column("phone_fingerprint", String(64), primary_key=True),
    Column("code", String(12), nullable=False),
    Column("expires_at", Float, nullable=False),
)
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


class IdentityApplication(ServiceApplication):
    read_models = read_models

    def __init__(self, settings: Settings, env: dict[str, str] | None = None) -> None:
        self.settings = settings
        self.key = hashlib.sha256(f"{settings.secret_key}/fingerprints".encode()).digest()
        super().__init__(env or event_store_env(settings))

    # -- accounts and sign-in ------------------------------------------------------------

    def request_sms_code(self, phone: str) -> None:
        phone = normalise_phone(phone)
        code = f"{secrets.randbelow(10**6):06d}"
        fp = documents.fingerprint(phone, self.key)
        with self.engine.begin() as connection:
            connection.execute(delete(sms_codes).where(sms_codes.c.phone_fingerprint == fp))
            connection.execute(insert(sms_codes).values(phone_fingerprint=fp, code=code,
                                                        expires_at=time.time() + CODE_SECONDS))
        # development SMS gateway: the code goes to the log, the phone only masked
        log.info("sms.code_sent", phone=documents.mask(phone), code=code)

    def _sms_code_ok(self, phone: str, code: str) -> bool:
        if self.settings.dev_code and secrets.compare_digest(code, self.settings.dev_code):
            return True
        fp = documents.fingerprint(phone, self.key)
        with self.engine.begin() as connection:
            row = connection.execute(select(sms_codes).where(sms_codes.c.phone_fingerprint == fp)).first()
            if row is None or row.expires_at < time.time() or not secrets.compare_digest(row.code, code):
                return False
            connection.execute(delete(sms_codes).where(sms_codes.c.phone_fingerprint == fp))
        return True

    def register(self, phone: str, password: str, sms_code: str, roles: tuple[str, ...] = ("holder",)) -> str:
        phone = normalise_phone(phone)
        if not self._sms_code_ok(phone, sms_code):
            raise ApiError(422, "INVALID_CODE", "The SMS code is wrong or expired.")
        account = Account(phone=phone, phone_masked=documents.mask(phone), password_hash=_hasher.hash(password),
                          roles=list(roles))
        claim = Reservation(kind="phone", fingerprint=documents.fingerprint(phone, self.key),
                            account_id=str(account.id))
        try:
            self.save(claim, account)
        except IntegrityError as exc:
            raise ApiError(409, "PHONE_ALREADY_REGISTERED", "This phone number already has an account.") from exc
        return str(account.id)

    def _claimed_account(self, kind: str, value: str) -> Account | None:
        try:
            claim = self.repository.get(Reservation.create_id(kind, documents.fingerprint(value, self.key)))
        except AggregateNotFoundError:
            return None
        return self.account(claim.account_id)

    def sign_in_with_password(self, login: str, password: str) -> Account:
        account = None
        if "@" in login:
            account = self._claimed_account("email", login.strip().lower())
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

    def sign_in_with_sms(self, phone: str, code: str) -> Account:
        phone = normalise_phone(phone)
        account = self._claimed_account("phone", phone)
        if account is None or not self._sms_code_ok(phone, code):
            raise ApiError(401, "INVALID_CREDENTIALS", "The phone number or SMS code is wrong.")
        return account

    def account(self, account_id: str) -> Account:
        try:
            account = self.repository.get(UUID(account_id))
        except (AggregateNotFoundError, ValueError) as exc:
            raise ApiError(404, "ACCOUNT_NOT_FOUND", "No such account.") from exc
        return account

    # -- email binding -------------------------------------------------------------------

    def request_email_verification(self, account_id: str, email: str) -> None:
        account = self.account(account_id)
        if account.email:
            raise ApiError(409, "EMAIL_ALREADY_BOUND", "An email is already bound and cannot change.")
        code = f"{secrets.randbelow(10**6):06d}"
        expires = datetime.now(timezone.utc) + timedelta(seconds=CODE_SECONDS)
        account.request_email_verification(email=email, code=code, expires_at=expires.isoformat())
        self.save(account)

    def bind_email(self, account_id: str, email: str, code: str, language: str = "zh-CN") -> None:
        account = self.account(account_id)
        if account.email:
            raise ApiError(409, "EMAIL_ALREADY_BOUND", "An email is already bound and cannot change.")
        dev = bool(self.settings.dev_code) and secrets.compare_digest(code, self.settings.dev_code or "")
        pending = (account.pending_email == email and account.pending_code is not None
                   and datetime.fromisoformat(account.pending_expires_at) > datetime.now(timezone.utc)
                   and secrets.compare_digest(account.pending_code, code))
        if not (dev or pending):
            raise ApiError(422, "INVALID_CODE", "The verification code is wrong or expired.")
        claim = Reservation(kind="email", fingerprint=documents.fingerprint(email, self.key), account_id=account_id)
        account.bind_email(email=email, language=language)
        try:
            self.save(claim, account)
        except IntegrityError as exc:
            raise ApiError(409, "EMAIL_ALREADY_REGISTERED", "This email belongs to another account.") from exc

    # -- identities ----------------------------------------------------------------------

    def party(self, kind: str, name: str, document_type: str, number: str, docs: list[dict], **extra: str) -> dict:
        """A party as stored: the raw number stays inside this service (encrypted at rest)."""
        number = documents.normalise(number)
        return {"kind": kind, "name": name, "document_type": document_type, "number": number,
                "masked": documents.mask(number), "fingerprint": documents.fingerprint(number, self.key),
                "documents": docs, **extra}

    def submit_identity(self, account_id: str, role: str, holder: dict, agent: dict | None,
                        authorization_document: dict | None) -> str:
        account = self.account(account_id)
        if not account.email:
            raise ApiError(409, "EMAIL_NOT_BOUND", "Bind an email first: results are sent there.")
        identity = Identity(account_id=account_id, role=role, holder=holder, agent=agent,
                            authorization_document=authorization_document)
        account.add_identity(str(identity.id))
        self._save_with_claims(account_id, identity, account)
        return str(identity.id)

    def resubmit_identity(self, account_id: str, identity_id: str, role: str, holder: dict, agent: dict | None,
                          authorization_document: dict | None) -> None:
        identity = self.identity(account_id, identity_id)
        if not identity.is_editable:
            raise ApiError(409, "IDENTITY_LOCKED", "A submitted identity can change only after a rejection.",
                           {"status": identity.status})
        identity.resubmit(role=role, holder=holder, agent=agent, authorization_document=authorization_document)
        self._save_with_claims(account_id, identity)

    def _save_with_claims(self, account_id: str, identity: Identity, *others: object) -> None:
        """Save with a reservation of every document number not yet claimed by this account."""
        claims = []
        for party in identity.parties():
            owner = self._claimed_account("document", party["number"])
            if owner is not None and str(owner.id) != account_id:
                raise ApiError(409, "DOCUMENT_ALREADY_REGISTERED",
                               "This document number is already registered by another account.",
                               {"document_number_masked": party["masked"]})
            if owner is None:
                claims.append(Reservation(kind="document", fingerprint=party["fingerprint"], account_id=account_id))
        try:
            self.save(*claims, identity, *others)
        except IntegrityError as exc:
            raise ApiError(409, "DOCUMENT_ALREADY_REGISTERED",
                           "This document number is already registered by another account.") from exc

    def identity(self, account_id: str, identity_id: str) -> Identity:
        try:
            identity = self.repository.get(UUID(identity_id))
        except (AggregateNotFoundError, ValueError) as exc:
            raise ApiError(404, "IDENTITY_NOT_FOUND", "No such identity.") from exc
        if not isinstance(identity, Identity) or identity.account_id != account_id:
            raise ApiError(404, "IDENTITY_NOT_FOUND", "No such identity.")
        return identity

    def identities(self, account_id: str) -> list[Identity]:
        return [self.identity(account_id, i) for i in self.account(account_id).identity_ids]
