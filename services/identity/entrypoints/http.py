"""Identity's HTTP API (CONTRACT.md, 'Identity (8081)'): translate requests into commands, nothing more."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, EmailStr, Field, StringConstraints

from services.identity.application import IdentityApplication
from services.identity.domain.model import Identity
from shared.kit.auth import CurrentPrincipal
from shared.kit.http import ApiError

router = APIRouter(tags=["identity"])
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
BlobId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class SmsCodeIn(BaseModel):
    phone: Text


class AccountIn(BaseModel):
    phone: Text
    password: Annotated[str, StringConstraints(min_length=8, max_length=128)]
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


class IndividualIn(BaseModel):
    kind: Literal["individual"]
    name: Text
    document_type: Literal["resident_id"] = "resident_id"
    id_number: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{17}[0-9Xx]$")]
    id_card_front: BlobId
    id_card_back: BlobId


class EnterpriseIn(BaseModel):
    kind: Literal["enterprise"]
    name: Text
    credit_code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9A-Za-z]{18}$")]
    business_licence: BlobId
    legal_representative: Text


PartyIn = Annotated[IndividualIn | EnterpriseIn, Field(discriminator="kind")]


class IdentityIn(BaseModel):
    role: Literal["holder", "agent"]
    holder: PartyIn
    agent: PartyIn | None = None
    authorization_document: BlobId | None = None


def app_of(request: Request) -> IdentityApplication:
    return request.app.state.application


def session_response(request: Request, account_id: str, roles: list[str]) -> dict:
    minutes = request.app.state.settings.access_token_minutes
    token, expires_in = request.app.state.signer.issue(account_id, roles, minutes)
    return {"access_token": token, "token_type": "bearer", "expires_in": expires_in}


@router.get("/.well-known/jwks.json", tags=["auth"])
def jwks(request: Request) -> dict:
    return request.app.state.signer.jwks()


@router.post("/v1/sms-codes", status_code=202)
def request_sms_code(body: SmsCodeIn, request: Request) -> dict:
    app_of(request).request_sms_code(body.phone)
    return {"status": "sent"}


@router.post("/v1/accounts", status_code=201)
def register(body: AccountIn, request: Request) -> dict:
    return {"account_id": app_of(request).register(body.phone, body.password, body.sms_code)}


@router.post("/v1/sessions")
def sign_in(body: Annotated[PasswordSessionIn | SmsSessionIn, Field(discriminator="method")],
            request: Request) -> dict:
    app = app_of(request)
    if isinstance(body, PasswordSessionIn):
        account = app.sign_in_with_password(body.login, body.password)
    else:
        account = app.sign_in_with_sms(body.phone, body.sms_code)
    return session_response(request, str(account.id), account.roles)


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


def party_of(app: IdentityApplication, owner: str, party: IndividualIn | EnterpriseIn) -> dict:
    store = app.blobs
    if isinstance(party, IndividualIn):
        docs = [store.document(party.id_card_front, owner, "id_card_front"),
                store.document(party.id_card_back, owner, "id_card_back")]
        return app.party("individual", party.name, party.document_type, party.id_number, docs)
    docs = [store.document(party.business_licence, owner, "business_licence")]
    return app.party("enterprise", party.name, "unified_social_credit_code", party.credit_code, docs,
                     legal_representative=party.legal_representative)


def command_args(app: IdentityApplication, owner: str, body: IdentityIn) -> dict:
    if body.role == "agent" and body.agent is None:
        raise ApiError(422, "AGENT_PARTY_REQUIRED", "An agent must submit its own identity as well.")
    authorization = (app.blobs.document(body.authorization_document, owner, "authorization")
                     if body.authorization_document else None)
    return {"role": body.role, "holder": party_of(app, owner, body.holder),
            "agent": party_of(app, owner, body.agent) if body.agent else None,
            "authorization_document": authorization}


def view(identity: Identity) -> dict:
    def party(p: dict | None) -> dict | None:
        if p is None:
            return None
        return {"kind": p["kind"], "name": p["name"], "document_type": p["document_type"],
                "document_number_masked": p["masked"], "fingerprint": p["fingerprint"],
                "documents": p["documents"]}
    return {"identity_id": str(identity.id), "status": identity.status, "revision": identity.revision,
            "role": identity.role, "holder": party(identity.holder), "agent": party(identity.agent),
            "reasons": list(identity.reasons)}


@router.post("/v1/identities", status_code=201)
def submit_identity(body: IdentityIn, who: CurrentPrincipal, request: Request) -> dict:
    app = app_of(request)
    identity_id = app.submit_identity(who.account_id, **command_args(app, who.account_id, body))
    return {"identity_id": identity_id, "status": "submitted"}


@router.get("/v1/identities")
def my_identities(who: CurrentPrincipal, request: Request) -> list[dict]:
    return [view(i) for i in app_of(request).identities(who.account_id)]


@router.get("/v1/identities/{identity_id}")
def get_identity(identity_id: str, who: CurrentPrincipal, request: Request) -> dict:
    return view(app_of(request).identity(who.account_id, identity_id))


@router.put("/v1/identities/{identity_id}")
def resubmit_identity(identity_id: str, body: IdentityIn, who: CurrentPrincipal, request: Request) -> dict:
    app = app_of(request)
    app.resubmit_identity(who.account_id, identity_id, **command_args(app, who.account_id, body))
    return view(app.identity(who.account_id, identity_id))
