"""Identity's HTTP API for accounts and sign-in (CONTRACT.md, 'Identity (8081)'):
translate, nothing more."""

from __future__ import annotations

import io
from typing import Annotated, Literal

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, EmailStr, Field, StringConstraints

from services.identity.adapters.revocations import Revocations
from services.identity.application import IdentityApplication
from services.identity.domain import errors
from services.identity.domain.model import Account
from shared.kit.auth import TokenSigner, TokenVerifier
from shared.kit.clients import client_address
from shared.kit.errors import ServiceError
from shared.kit.http.auth import CurrentPrincipal
from shared.kit.settings import Settings

# every refusal of identity and its HTTP status (the JSON error contract); the kit's and reviewing's
# own refusals (tokens, files, review tasks) take their kind's status from
# shared/kit/http/__init__.py
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
    password: Annotated[
        str, StringConstraints(max_length=4096)
    ]  # the policy (422 WEAK_PASSWORD) says the rest
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


# what the handlers of identity's entrypoints take from the app (bootstrap's state in
# services/identity/main.py)
def application(request: Request) -> IdentityApplication:
    return request.app.state.application


def signer(request: Request) -> TokenSigner:
    return request.app.state.signer


def revocations(request: Request) -> Revocations:
    return request.app.state.revocations


def settings(request: Request) -> Settings:
    return request.app.state.settings


def verifier(request: Request) -> TokenVerifier:
    return request.app.state.verifier


Identity = Annotated[IdentityApplication, Depends(application)]
Signer = Annotated[TokenSigner, Depends(signer)]
Revoked = Annotated[Revocations, Depends(revocations)]
Config = Annotated[Settings, Depends(settings)]
Verifier = Annotated[TokenVerifier, Depends(verifier)]


def client_ip(request: Request, config: Config) -> str:
    """The client's address: X-Forwarded-For is believed only from IPP_TRUSTED_PROXIES (the
    portal, a balancer)."""
    return client_address(request, config.trusted_proxies)


ClientIp = Annotated[str, Depends(client_ip)]


def session_response(signer: TokenSigner, config: Settings, account: Account) -> dict:
    token, expires_in = signer.issue(str(account.id), account.roles, config.access_token_minutes)
    return {"access_token": token, "token_type": "bearer", "expires_in": expires_in}


@router.get("/.well-known/jwks.json", tags=["auth"])
def jwks(signer: Signer) -> dict:
    return signer.jwks()


@router.post("/v1/sms-codes", status_code=202)
def request_sms_code(body: SmsCodeIn, app: Identity, ip: ClientIp) -> dict:
    app.request_sms_code(body.phone, ip)
    return {"status": "sent"}


@router.post("/v1/accounts", status_code=201)
def register(body: AccountIn, app: Identity, ip: ClientIp) -> dict:
    return {"account_id": app.register(body.phone, body.password, body.sms_code, ip)}


@router.post("/v1/sessions")
def sign_in(
    body: Annotated[PasswordSessionIn | SmsSessionIn, Field(discriminator="method")],
    app: Identity,
    ip: ClientIp,
    signer: Signer,
    config: Config,
) -> dict:
    if isinstance(body, PasswordSessionIn):
        account = app.sign_in_with_password(body.login, body.password, ip)
    else:
        account = app.sign_in_with_sms(body.phone, body.sms_code, ip)
    return session_response(signer, config, account)


BROWSER_SECRET_HEADER = (
    "X-IPP-Browser-Secret"  # what the opening browser proves itself with (qr_logins.py)
)


@router.post("/v1/qr-logins", status_code=201)
def open_qr_login(app: Identity) -> dict:
    """{ticket, qr_payload, expires_at, browser_secret}: the browser keeps the secret
    (never in the QR)."""
    return app.qr_logins.open()


@router.get("/v1/qr-logins/{ticket}")
def qr_login_status(
    ticket: Ticket, request: Request, app: Identity, signer: Signer, config: Config
) -> dict:
    """The ticket's status to anyone who has it; the session only to the browser that
    sends its secret."""
    status, account = app.collect_qr_login(ticket, request.headers.get(BROWSER_SECRET_HEADER, ""))
    return {"status": status, **(session_response(signer, config, account) if account else {})}


@router.get("/v1/qr-logins/{ticket}/image", response_class=Response)
def qr_login_image(ticket: Ticket, app: Identity) -> Response:
    payload = app.qr_logins.payload(ticket)
    png = io.BytesIO()
    segno.make(payload, error="m").save(png, kind="png", scale=6, border=2)
    return Response(png.getvalue(), media_type="image/png", headers={"Cache-Control": "no-store"})


@router.post("/v1/qr-logins/{ticket}/confirm")
def confirm_qr_login(ticket: Ticket, who: CurrentPrincipal, app: Identity) -> dict:
    app.confirm_qr_login(ticket, who.account_id)
    return {"status": "confirmed"}


@router.get("/v1/me")
def me(who: CurrentPrincipal, app: Identity) -> dict:
    account = app.account(who.account_id)
    return {
        "account_id": str(account.id),
        "phone_masked": account.phone_masked,
        "email": account.email,
        "language": account.language,
        "roles": account.roles,
    }


@router.post("/v1/me/email/verification", status_code=202)
def request_email_verification(
    body: EmailVerificationIn, who: CurrentPrincipal, app: Identity
) -> dict:
    app.request_email_verification(who.account_id, str(body.email).lower())
    return {"status": "sent"}


@router.put("/v1/me/email")
def bind_email(body: EmailBindingIn, who: CurrentPrincipal, app: Identity) -> dict:
    app.bind_email(who.account_id, str(body.email).lower(), body.code, body.language)
    return {"email": str(body.email).lower()}
