"""The rights API's request body and response views: parsing and presenting only."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, WithJsonSchema

from services.rights.application import RightsApplication
from services.rights.domain.documents import default_purpose
from services.rights.domain.model import Right
from services.rights.entrypoints.details import details_schema, typed_details
from shared.events.vocabulary import RightType

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
BlobId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Status = Literal["submitted", "under_review", "approved", "rejected", "expired"]


class DocumentIn(BaseModel):
    blob_id: BlobId
    purpose: Annotated[str, StringConstraints(pattern=r"^[a-z_]{3,40}$")]


class RightIn(BaseModel):
    """The contract's fields; `details` holds the type's own: bounded by its model
    (entrypoints/details.py, 422 INVALID_DETAILS per field), then judged by
    services/rights/domain/admission."""

    identity_id: Text
    right_type: RightType
    title: Text
    registration_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = (
        ""
    )
    holder_name: Text
    valid_from: date
    valid_until: date | None = None
    details: Annotated[dict, WithJsonSchema(details_schema())] = Field(default_factory=dict)
    documents: list[BlobId | DocumentIn] = Field(default_factory=list, max_length=20)


def command_fields(app: RightsApplication, owner: str, body: RightIn) -> dict:
    """The command's fields: the details bounded by the type's model (else 422 INVALID_DETAILS),
    each document resolved to the owner's upload (else 422 UNKNOWN_DOCUMENT)."""
    details = typed_details(body.right_type, body.details)
    docs = []
    for doc in body.documents:  # a bare blob id is the type's main certificate
        blob_id, purpose = (doc, "") if isinstance(doc, str) else (doc.blob_id, doc.purpose)
        purpose = purpose or default_purpose(body.right_type, body.registration_number)
        docs.append(app.blobs.document(blob_id, owner, purpose))
    return {
        "identity_id": body.identity_id,
        "right_type": body.right_type,
        "title": body.title,
        "registration_number": body.registration_number,
        "holder_name": body.holder_name,
        "valid_from": body.valid_from.isoformat(),
        "valid_until": body.valid_until.isoformat() if body.valid_until else None,
        "details": details,
        "documents": docs,
    }


def view(right: Right) -> dict:
    return {
        "right_id": str(right.id),
        "status": right.status,
        "revision": right.revision,
        "identity_id": right.identity_id,
        "right_type": right.right_type,
        "title": right.title,
        "registration_number": right.registration_number,
        "holder_name": right.holder_name,
        "valid_from": right.valid_from,
        "valid_until": right.valid_until,
        "details": right.details,
        "documents": right.documents,
        "locked": not right.is_editable,
        "reasons": list(right.reasons),
    }
