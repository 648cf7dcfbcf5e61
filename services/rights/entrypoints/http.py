"""Rights' HTTP API (CONTRACT.md, 'Rights (8082)')."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, StringConstraints

from services.rights.application import RightsApplication
from services.rights.domain.model import Right
from shared.kit.auth import CurrentPrincipal

router = APIRouter(tags=["rights"])
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
BlobId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
RightType = Literal["trademark", "copyright", "patent"]


class DocumentIn(BaseModel):
    blob_id: BlobId
    purpose: Annotated[str, StringConstraints(pattern=r"^[a-z_]{3,40}$")]


class RightIn(BaseModel):
    identity_id: Text
    right_type: RightType
    title: Text
    registration_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = ""
    holder_name: Text
    valid_from: date
    valid_until: date | None = None
    details: dict = Field(default_factory=dict)
    documents: list[BlobId | DocumentIn] = Field(default_factory=list, max_length=20)


def app_of(request: Request) -> RightsApplication:
    return request.app.state.application


def command_fields(app: RightsApplication, owner: str, body: RightIn) -> dict:
    docs = []
    for doc in body.documents:  # a bare blob id is the type's main certificate
        blob_id, purpose = (doc, "") if isinstance(doc, str) else (doc.blob_id, doc.purpose)
        purpose = purpose or {"trademark": "registration_certificate", "copyright": "proof_of_authorship",
                              "patent": "patent_certificate"}[body.right_type]
        docs.append(app.blobs.document(blob_id, owner, purpose))
    return {"identity_id": body.identity_id, "right_type": body.right_type, "title": body.title,
            "registration_number": body.registration_number, "holder_name": body.holder_name,
            "valid_from": body.valid_from.isoformat(),
            "valid_until": body.valid_until.isoformat() if body.valid_until else None,
            "details": body.details, "documents": docs}


def view(right: Right) -> dict:
    return {"right_id": str(right.id), "status": right.status, "revision": right.revision,
            "identity_id": right.identity_id, "right_type": right.right_type, "title": right.title,
            "registration_number": right.registration_number, "holder_name": right.holder_name,
            "valid_from": right.valid_from, "valid_until": right.valid_until, "details": right.details,
            "documents": right.documents, "locked": not right.is_editable, "reasons": list(right.reasons)}


@router.post("/v1/rights", status_code=201)
def register_right(body: RightIn, who: CurrentPrincipal, request: Request) -> dict:
    app = app_of(request)
    return {"right_id": app.register(who.account_id, **command_fields(app, who.account_id, body)),
            "status": "submitted"}


@router.get("/v1/rights")
def my_rights(who: CurrentPrincipal, request: Request, right_type: RightType | None = None,
              status: Literal["submitted", "under_review", "approved", "rejected", "expired"] | None = None,
              limit: Annotated[int, Query(ge=1, le=200)] = 50, offset: Annotated[int, Query(ge=0)] = 0) -> list[dict]:
    return app_of(request).my_rights(who.account_id, right_type, status, limit, offset)


@router.get("/v1/rights/{right_id}")
def get_right(right_id: str, who: CurrentPrincipal, request: Request) -> dict:
    return view(app_of(request).right(who.account_id, right_id))


@router.put("/v1/rights/{right_id}")
def amend_right(right_id: str, body: RightIn, who: CurrentPrincipal, request: Request) -> dict:
    app = app_of(request)
    return view(app.amend(who.account_id, right_id, **command_fields(app, who.account_id, body)))
