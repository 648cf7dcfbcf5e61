"""Identity's HTTP API for accounts and sign-in (CONTRACT.md, 'Identity (8081)'): translate, nothing more."""

from __future__ import annotations

import io
from typing import Annotated, Literal

import segno
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, EmailStr, Field, StringConstraints

from services.identity.application import IdentityApplication
from services.identity.domain import errors
from services.identity.domain.model import Account
from shared.kit.clients import client_address
from shared.kit.errors import ServiceError
from shared.kit.http.auth import CurrentPrincipal

# every refusal of identity and its HTTP status (the JSON error contract); the kit's and reviewing's own
# refusals (tokens, files, review tasks) take their kind's status from shared/kit/http/__init__.py
STATUSES: dict[type[ServiceError], int] = {
    errors.InvalidCredentials: 401,
    errors.AccountNotFound: 404,
    errors.IdentityNotFound: 404,
    errors.QrLoginNotFound: 404,
    errors.DocumentAlreadyRegistered: 409,
    errors.EmailAlreadyBound: 409,
    errors.EmailAlreadyRegistered: 409,
    errors.EmailNotBound: 409,
    errors.IdentityAlreadySubmitted: 409,
    errors.IdentityLocked: 409,
    errors.NothingToDispute: 409,
    errors.PhoneAlreadyRegistered: 409,
    errors.QrLoginAlreadyUsed: 409,
    errors.ReservationChanged: 409,
    errors.TooManyPendingIdentities: 409,
    errors.QrLoginExpired: 410,
    errors.AgentPartyRequired: 422,
    errors.AuthorizationRequired: 422,
    errors.HolderHasNoAgent: 422,
    errors.InvalidCode: 422,
    errors.InvalidPhone: 422,
    errors.WeakPassword: 422,
}

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Ticket = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16,64}$")]


router = APIRouter(tags=["identity"])


class SmsCodeIn(BaseModel):
    phone: Text


class AccountIn(BaseModel):
    phone: Text
    password: Annotated[str, StringConstraints(max_length=4096)]  # the policy (422 WEAK_PASSWORD) says the rest
    sms_code: Text


class PasswordSessionIn(BaseModel):
    method: Literal["password"]
    login: Text
    password: Annotated[str, StringConstraints(min_length=1, max_length=128)]


class SmsSessionIn(BaseModel):
    method: Literal["sms"]
    phone: Text
    sms_code: Text


class EmailVerificationIn(BaseModel):
    email: EmailStr


class EmailBindingIn(BaseModel):
    email: EmailStr
    code: Text
    language: Literal["zh-CN", "en"] = "zh-CN"


def app_of(request: Request) -> IdentityApplication:
    return request.app.state.application


def client_ip(request: Request) -> str:
    """The client's address: X-Forwarded-For is believed only from IPP_TRUSTED_PROXIES (the portal, a balancer)."""
    return client_address(request, request.app.state.settings.trusted_proxies)


def session_response(request: Request, account: Account) -> dict:
    minutes = request.app.state.settings.access_token_minutes
    token, expires_in = request.app.state.signer.issue(str(account.id), account.roles, minutes)
    return {"access_token": token, "token_type": "bearer", "expires_in": expires_in}


@router.get("/.well-known/jwks.json", tags=["auth"])
def jwks(request: Request) -> dict:
    return request.app.state.signer.jwks()


@router.post("/v1/sms-codes", status_code=202)
def request_sms_code(body: SmsCodeIn, request: Request) -> dict:
    app_of(request).request_sms_code(body.phone, client_ip(request))
    return {"status": "sent"}


@router.post("/v1/accounts", status_code=201)
def register(body: AccountIn, request: Request) -> dict:
    return {"account_id": app_of(request).register(body.phone, body.password, body.sms_code, client_ip(request))}


@router.post("/v1/sessions")
def sign_in(body: Annotated[PasswordSessionIn | SmsSessionIn, Field(discriminator="method")],
            request: Request) -> dict:
    app = app_of(request)
    if isinstance(body, PasswordSessionIn):
        account = app.sign_in_with_password(body.login, body.password, client_ip(request))
    else:
        account = app.sign_in_with_sms(body.phone, body.sms_code, client_ip(request))
    return session_response(request, account)


BROWSER_SECRET_HEADER = "X-IPP-Browser-Secret"  # what the opening browser proves itself with (qr_logins.py)


@router.post("/v1/qr-logins", status_code=201)
def open_qr_login(request: Request) -> dict:
    """{ticket, qr_payload, expires_at, browser_secret}: the browser keeps the secret (never in the QR)."""
    return app_of(request).qr_logins.open()


@router.get("/v1/qr-logins/{ticket}")
def qr_login_status(ticket: Ticket, request: Request) -> dict:
    """The ticket's status to anyone who has it; the session only to the browser that sends its secret."""
    status, account = app_of(request).collect_qr_login(ticket, request.headers.get(BROWSER_SECRET_HEADER, ""))
    return {"status": status, **(session_response(request, account) if account else {})}


@router.get("/v1/qr-logins/{ticket}/image", response_class=Response)
def qr_login_image(ticket: Ticket, request: Request) -> Response:
    payload = app_of(request).qr_logins.payload(ticket)
    png = io.BytesIO()
    segno.make(payload, error="m").save(png, kind="png", scale=6, border=2)
    return Response(png.getvalue(), media_type="image/png", headers={"Cache-Control": "no-store"})


@router.post("/v1/qr-logins/{ticket}/confirm")
def confirm_qr_login(ticket: Ticket, who: CurrentPrincipal, request: Request) -> dict:
    app_of(request).confirm_qr_login(ticket, who.account_id)
    return {"status": "confirmed"}


@router.get("/v1/me")
def me(who: CurrentPrincipal, request: Request) -> dict:
    account = app_of(request).account(who.account_id)
    return {"account_id": str(account.id), "phone_masked": account.phone_masked, "email": account.email,
            "language": account.language, "roles": account.roles}


@router.post("/v1/me/email/verification", status_code=202)
def request_email_verification(body: EmailVerificationIn, who: CurrentPrincipal, request: Request) -> dict:
    app_of(request).request_email_verification(who.account_id, str(body.email).lower())
    return {"status": "sent"}


@router.put("/v1/me/email")
def bind_email(body: EmailBindingIn, who: CurrentPrincipal, request: Request) -> dict:
    app_of(request).bind_email(who.account_id, str(body.email).lower(), body.code, body.language)
    return {"email": str(body.email).lower()}
