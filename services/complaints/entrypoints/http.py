"""Complaints' HTTP API (CONTRACT.md, 'Complaints (8083)')."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, StringConstraints

from services.complaints.application import ComplaintsApplication
from services.complaints.domain.model import Complaint
from services.complaints.domain.targets import MAX_TARGETS
from shared.kit.auth import CurrentPrincipal
from shared.kit.http import ApiError

router = APIRouter(tags=["complaints"])
RIGHT_WAIT_SECONDS = 5.0
BlobId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class TargetIn(BaseModel):
    url: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class ComplaintIn(BaseModel):
    right_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    infringement_type: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    targets: list[TargetIn] = Field(min_length=1, max_length=MAX_TARGETS * 2)
    description: Annotated[str, StringConstraints(max_length=5000)] = ""
    evidence: list[BlobId] = Field(default_factory=list, max_length=20)


def app_of(request: Request) -> ComplaintsApplication:
    return request.app.state.application


def view(app: ComplaintsApplication, complaint: Complaint) -> dict:
    def review(material: str) -> dict | None:
        r = complaint.reviews.get(material)
        return None if r is None else {"outcome": r["outcome"], "reasons": r["reasons"],
                                        "decided_at": r.get("decided_at")}
    return {"complaint_id": str(complaint.id), "status": complaint.status, "right_id": complaint.right_id,
            "right_type": complaint.right_type, "infringement_type": complaint.infringement_type,
            "reviews": {m: review(m) for m in ("identity", "right", "complaint")},
            "targets": complaint.targets, "evidence": complaint.evidence, "description": complaint.description,
            "timeline": app.timeline(complaint)}


@router.post("/v1/complaints", status_code=201)
async def file_complaint(body: ComplaintIn, who: CurrentPrincipal, request: Request) -> dict:
    app = app_of(request)
    evidence = [app.blobs.document(b, who.account_id, "evidence") for b in body.evidence]
    right = await asyncio.to_thread(app.usable_right, who.account_id, body.right_id)
    waited = 0.0
    while right is None and waited < RIGHT_WAIT_SECONDS:  # a right registered a moment ago is on its way
        await asyncio.sleep(0.1)
        waited += 0.1
        right = await asyncio.to_thread(app.usable_right, who.account_id, body.right_id)
    if right is None:
        raise ApiError(409, "RIGHT_NOT_USABLE", "This right is not known to the complaints service.",
                       {"right_id": body.right_id, "reason": "unknown"})
    complaint_id = await asyncio.to_thread(app.file, who.account_id, right, body.infringement_type,
                                           [t.url for t in body.targets], body.description, evidence)
    return {"complaint_id": complaint_id, "status": "submitted"}


@router.get("/v1/complaints")
def my_complaints(who: CurrentPrincipal, request: Request,
                  status: Literal["submitted", "under_review", "upheld", "rejected", "withdrawn"] | None = None,
                  limit: Annotated[int, Query(ge=1, le=200)] = 50,
                  offset: Annotated[int, Query(ge=0)] = 0) -> list[dict]:
    return app_of(request).my_complaints(who.account_id, status, limit, offset)


@router.get("/v1/complaints/{complaint_id}")
def get_complaint(complaint_id: str, who: CurrentPrincipal, request: Request) -> dict:
    app = app_of(request)
    return view(app, app.complaint(who.account_id, complaint_id))


@router.post("/v1/complaints/{complaint_id}/withdraw")
def withdraw(complaint_id: str, who: CurrentPrincipal, request: Request) -> dict:
    app = app_of(request)
    return view(app, app.withdraw(who.account_id, complaint_id))
