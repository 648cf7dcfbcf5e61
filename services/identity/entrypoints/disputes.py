"""Disputes of a squatted document number over HTTP (`POST/GET /v1/identities/disputes`), and how
identity's reviewer routes present a task's material: an identity, or a dispute beside the
identities it is against."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field, StringConstraints, model_validator

from services.identity.adapters.review_queue import DISPUTE
from services.identity.application import IdentityApplication
from services.identity.domain import documents
from services.identity.domain.model import Dispute
from services.identity.entrypoints import identities
from services.identity.entrypoints.http import Identity
from shared.kit.http.auth import CurrentPrincipal

router = APIRouter(tags=["identities"])
Statement = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class DisputeIn(BaseModel):
    document_type: Literal[
        "resident_id", "hk_macau_permit", "taiwan_permit", "passport", "unified_social_credit_code"
    ]
    document_number: identities.Number
    statement: Statement
    evidence: list[identities.BlobId] = Field(min_length=1, max_length=10)

    @model_validator(mode="after")
    def _shape(self) -> DisputeIn:
        if not documents.format_ok(self.document_type, self.document_number):
            raise ValueError(f"this is not a {self.document_type} number")
        return self


def view(dispute: Dispute) -> dict:
    """A dispute as its disputer sees it: nothing about the account it is against."""
    return {
        "dispute_id": str(dispute.id),
        "status": dispute.status,
        "document_type": dispute.document_type,
        "document_number_masked": dispute.masked,
        "reasons": list(dispute.reasons),
        "submitted_at": dispute.submitted_at,
        "decided_at": dispute.decided_at,
    }


def under_review(app: IdentityApplication, task: dict) -> dict:
    """A task's material as reviewers see it (shared/review/entrypoints/). For a dispute: the
    statement, the evidence, and the identities now holding the number (parties masked, with their
    documents to compare)."""
    if task["material_type"] != DISPUTE:
        return identities.under_review(app, task)
    dispute = app.found(Dispute, task["material_id"], "DISPUTE_NOT_FOUND")
    reservation = app.disputed_reservation(dispute)
    holding = [] if reservation is None else [identity for identity, _ in app.claiming(reservation)]
    return {
        **view(dispute),
        "material_type": DISPUTE,
        "account_id": dispute.account_id,
        "statement": dispute.statement,
        "evidence": dispute.evidence,
        "holding_identities": [{**identities.view(i), "account_id": i.account_id} for i in holding],
    }


@router.post("/v1/identities/disputes", status_code=201)
def submit_dispute(body: DisputeIn, who: CurrentPrincipal, app: Identity) -> dict:
    evidence = [
        app.blobs.document(blob_id, who.account_id, "dispute_evidence")
        for blob_id in dict.fromkeys(body.evidence)
    ]
    dispute_id = app.submit_dispute(
        who.account_id, body.document_type, body.document_number, body.statement, evidence
    )
    return {"dispute_id": dispute_id, "status": "submitted"}


@router.get("/v1/identities/disputes")
def my_disputes(who: CurrentPrincipal, app: Identity) -> list[dict]:
    return [view(d) for d in app.disputes(who.account_id)]


@router.get("/v1/identities/disputes/{dispute_id}")
def get_dispute(dispute_id: str, who: CurrentPrincipal, app: Identity) -> dict:
    return view(app.dispute(who.account_id, dispute_id))
