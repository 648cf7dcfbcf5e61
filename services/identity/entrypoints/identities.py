"""Identity submissions over HTTP (CONTRACT.md, 'POST/GET/PUT /v1/identities'):
parse, then hand on."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field, StringConstraints, model_validator

from services.identity.application import IdentityApplication
from services.identity.domain import documents, model
from services.identity.domain.errors import (
    AgentPartyRequired,
    AuthorizationRequired,
    HolderHasNoAgent,
)
from services.identity.entrypoints.http import Identity
from shared.events.vocabulary import RIGHT_TYPES, RightType
from shared.kit.http.auth import CurrentPrincipal

router = APIRouter(tags=["identities"])  # "already registered" is rate-limited
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
BlobId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Number = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9A-Za-z]{5,20}$")]


class IndividualIn(BaseModel):
    kind: Literal["individual"]
    name: Text
    document_type: Literal["resident_id", "hk_macau_permit", "taiwan_permit", "passport"] = (
        "resident_id"
    )
    id_number: Number
    id_card_front: BlobId
    id_card_back: BlobId | None = None  # a passport has one photo page

    @model_validator(mode="after")
    def _shape(self) -> IndividualIn:
        if not documents.format_ok(self.document_type, self.id_number):
            raise ValueError(f"this is not a {self.document_type} number")
        if self.document_type != "passport" and self.id_card_back is None:
            raise ValueError("upload both sides of the card")
        return self


class EnterpriseIn(BaseModel):
    kind: Literal["enterprise"]
    name: Text
    credit_code: Annotated[
        str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9A-Za-z]{18}$")
    ]
    business_licence: BlobId
    legal_representative: Text


PartyIn = Annotated[IndividualIn | EnterpriseIn, Field(discriminator="kind")]


class AuthorizationIn(BaseModel):
    """What the right holder's authorisation of the agent covers, and for how long."""

    scope: list[RightType | Literal["all"]] = Field(min_length=1, max_length=4)
    valid_from: date
    valid_until: date | None = None


class IdentityIn(BaseModel):
    role: Literal["holder", "agent"]
    holder: PartyIn
    agent: PartyIn | None = None
    authorization_document: BlobId | None = None
    authorization: AuthorizationIn | None = None


def party_of(app: IdentityApplication, owner: str, party: IndividualIn | EnterpriseIn) -> dict:
    store = app.blobs
    if isinstance(party, IndividualIn):
        docs = [store.document(party.id_card_front, owner, "id_card_front")]
        if party.id_card_back:
            docs.append(store.document(party.id_card_back, owner, "id_card_back"))
        return app.party("individual", party.name, party.document_type, party.id_number, docs)
    docs = [store.document(party.business_licence, owner, "business_licence")]
    return app.party(
        "enterprise",
        party.name,
        "unified_social_credit_code",
        party.credit_code,
        docs,
        legal_representative=party.legal_representative,
    )


def authorization_of(app: IdentityApplication, owner: str, body: IdentityIn) -> dict | None:
    if body.role == "holder":
        if body.agent or body.authorization_document or body.authorization:
            raise HolderHasNoAgent("A holder's identity names no agent and no authorisation.")
        return None
    if body.agent is None:
        raise AgentPartyRequired("An agent must submit its own identity as well.")
    if body.authorization_document is None or body.authorization is None:
        raise AuthorizationRequired(
            "An agent submits the right holder's authorisation: its document, scope and period."
        )
    terms = body.authorization
    scope = ["all"] if "all" in terms.scope else [t for t in RIGHT_TYPES if t in terms.scope]
    return {
        **app.blobs.document(body.authorization_document, owner, "authorization"),
        "scope": scope,
        "valid_from": terms.valid_from.isoformat(),
        "valid_until": terms.valid_until.isoformat() if terms.valid_until else None,
    }


def command_args(app: IdentityApplication, owner: str, body: IdentityIn) -> dict:
    authorization = authorization_of(app, owner, body)
    return {
        "role": body.role,
        "holder": party_of(app, owner, body.holder),
        "agent": party_of(app, owner, body.agent) if body.agent else None,
        "authorization_document": authorization,
    }


def public_party(p: dict | None) -> dict | None:
    if p is None:
        return None
    return {
        "kind": p["kind"],
        "name": p["name"],
        "document_type": p["document_type"],
        "document_number_masked": p["masked"],
        "fingerprint": p["fingerprint"],
        "documents": p["documents"],
        **(
            {"legal_representative": p["legal_representative"]}
            if "legal_representative" in p
            else {}
        ),
    }


def view(identity: model.Identity) -> dict:
    return {
        "identity_id": str(identity.id),
        "status": identity.status,
        "revision": identity.revision,
        "role": identity.role,
        "holder": public_party(identity.holder),
        "agent": public_party(identity.agent),
        "authorization": identity.authorization_document,
        "reasons": list(identity.reasons),
    }


def under_review(app: IdentityApplication, task: dict) -> dict:
    """An identity as its reviewer sees it (shared/review/entrypoints/http.py): the
    submission, numbers masked."""
    identity = app.found(model.Identity, task["material_id"], "IDENTITY_NOT_FOUND")
    return {**view(identity), "account_id": identity.account_id}


@router.post("/v1/identities", status_code=201)
def submit_identity(body: IdentityIn, who: CurrentPrincipal, app: Identity) -> dict:
    identity_id = app.submit_identity(who.account_id, **command_args(app, who.account_id, body))
    return {"identity_id": identity_id, "status": "submitted"}


@router.get("/v1/identities")
def my_identities(who: CurrentPrincipal, app: Identity) -> list[dict]:
    return [view(i) for i in app.identities(who.account_id)]


@router.get("/v1/identities/{identity_id}")
def get_identity(identity_id: str, who: CurrentPrincipal, app: Identity) -> dict:
    return view(app.identity(who.account_id, identity_id))


@router.put("/v1/identities/{identity_id}")
def resubmit_identity(
    identity_id: str, body: IdentityIn, who: CurrentPrincipal, app: Identity
) -> dict:
    app.resubmit_identity(who.account_id, identity_id, **command_args(app, who.account_id, body))
    return view(app.identity(who.account_id, identity_id))
