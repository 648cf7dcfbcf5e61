"""The refusals of this service: named domain errors with stable codes (entrypoints/http.py
gives their statuses)."""

from __future__ import annotations

from shared.kit.errors import Conflict, Gone, Invalid, NotFound, Unauthenticated


class AccountNotFound(NotFound):
    code = "ACCOUNT_NOT_FOUND"


class AgentPartyRequired(Invalid):
    code = "AGENT_PARTY_REQUIRED"


class AuthorizationRequired(Invalid):
    code = "AUTHORIZATION_REQUIRED"


class DocumentAlreadyRegistered(Conflict):
    code = "DOCUMENT_ALREADY_REGISTERED"


class EmailAlreadyBound(Conflict):
    code = "EMAIL_ALREADY_BOUND"


class EmailAlreadyRegistered(Conflict):
    code = "EMAIL_ALREADY_REGISTERED"


class EmailNotBound(Conflict):
    code = "EMAIL_NOT_BOUND"


class HolderHasNoAgent(Invalid):
    code = "HOLDER_HAS_NO_AGENT"


class IdentityAlreadySubmitted(Conflict):
    code = "IDENTITY_ALREADY_SUBMITTED"


class IdentityLocked(Conflict):
    code = "IDENTITY_LOCKED"


class IdentityNotFound(NotFound):
    code = "IDENTITY_NOT_FOUND"


class InvalidCode(Invalid):
    code = "INVALID_CODE"


class InvalidCredentials(Unauthenticated):
    code = "INVALID_CREDENTIALS"


class InvalidPhone(Invalid):
    code = "INVALID_PHONE"


class NothingToDispute(Conflict):
    code = "NOTHING_TO_DISPUTE"


class PhoneAlreadyRegistered(Conflict):
    code = "PHONE_ALREADY_REGISTERED"


class QrLoginAlreadyUsed(Conflict):
    code = "QR_LOGIN_ALREADY_USED"


class QrLoginExpired(Gone):
    code = "QR_LOGIN_EXPIRED"


class QrLoginNotFound(NotFound):
    code = "QR_LOGIN_NOT_FOUND"


class ReservationChanged(Conflict):
    code = "RESERVATION_CHANGED"


class TooManyPendingIdentities(Conflict):
    code = "TOO_MANY_PENDING_IDENTITIES"


class WeakPassword(Invalid):
    code = "WEAK_PASSWORD"
