"""Complaints' HTTP API (CONTRACT.md, 'Complaints (8083)'): "my complaints", detail and withdrawal.
Filing is in entrypoints/filing.py."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from services.complaints.application import ComplaintsApplication
from services.complaints.domain import errors
from services.complaints.domain.model import Complaint
from services.complaints.domain.statement import targets_with_status
from shared.kit.errors import ServiceError
from shared.kit.http.auth import CurrentPrincipal
from shared.review.entrypoints.http import REVIEWER

# every refusal of complaints and its HTTP status (the JSON error contract); the kit's and
# reviewing's own refusals (tokens, files, review tasks) take their kind's status from
# shared/kit/http/__init__.py
STATUSES: dict[type[ServiceError], int] = {
    errors.ComplaintChanged: 409,
    errors.ComplaintDecided: 409,
    errors.RightNotUsable: 409,
    errors.TargetsCsvTooLarge: 413,
    errors.InvalidInfringementType: 422,
    errors.InvalidTarget: 422,
    errors.InvalidTargetsCsv: 422,
    errors.NoTargets: 422,
    errors.TargetsCsvRequired: 422,
    errors.TooManyTargets: 422,
    errors.ValidationFailed: 422,
}

router = APIRouter(tags=["complaints"])
Status = Literal["submitted", "under_review", "upheld", "rejected", "withdrawn"]


def application(request: Request) -> ComplaintsApplication:
    return request.app.state.application


Complaints = Annotated[ComplaintsApplication, Depends(application)]


def view(app: ComplaintsApplication, complaint: Complaint) -> dict:
    def review(material: str) -> dict | None:
        r = complaint.reviews.get(material)
        return (
            None
            if r is None
            else {
                "outcome": r["outcome"],
                "reasons": r["reasons"],
                "decided_at": r.get("decided_at"),
            }
        )

    return {
        "complaint_id": str(complaint.id),
        "status": complaint.status,
        "right_id": complaint.right_id,
        "right_type": complaint.right_type,
        "infringement_type": complaint.infringement_type,
        "reviews": {m: review(m) for m in ("identity", "right", "complaint")},
        "targets": targets_with_status(complaint.targets, complaint.status),
        "evidence": complaint.evidence,
        "description": complaint.description,
        "statement": complaint.statement,
        "timeline": app.timeline(complaint),
    }


@router.get("/v1/complaints")
def my_complaints(
    who: CurrentPrincipal,
    app: Complaints,
    response: Response,
    status: Status | None = None,
    right_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict]:
    """The account's complaints, newest first, filtered by status and right; the total is
    in X-Total-Count."""
    rows, total = app.my_complaints(who.account_id, status, right_id, limit, offset)
    response.headers["X-Total-Count"] = str(total)
    return rows


@router.get("/v1/complaints/{complaint_id}")
def get_complaint(complaint_id: str, who: CurrentPrincipal, app: Complaints) -> dict:
    return view(app, app.complaint(who.account_id, complaint_id))


@router.post("/v1/complaints/{complaint_id}/withdraw")
def withdraw(complaint_id: str, who: CurrentPrincipal, app: Complaints) -> dict:
    return view(app, app.withdraw(who.account_id, complaint_id))


def under_review(app: ComplaintsApplication, task: dict) -> dict:
    """What a reviewer decides on (shared/review/entrypoints/http.py): the complaint of a task, with
    its targets, evidence and the decisions on identity and right."""
    complaint = app.found(Complaint, task["material_id"], "COMPLAINT_NOT_FOUND")
    return {
        **view(app, complaint),
        "account_id": complaint.account_id,
        "identity_id": complaint.identity_id,
    }


@router.get("/v1/reviews/{review_id}/complaint", tags=["reviews"])
def complaint_under_review(review_id: str, who: CurrentPrincipal, app: Complaints) -> dict:
    """The complaint of a task (kept from before `/v1/reviews/{review_id}/material`, which
    also lists files)."""
    who.require(REVIEWER)
    return under_review(app, app.review_queue.task(review_id))
