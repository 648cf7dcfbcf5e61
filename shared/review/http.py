"""The reviewer routes every material-owning service serves (CONTRACT.md, 'Reviewers')."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, StringConstraints

from shared.kit.auth import CurrentPrincipal

REVIEWER = "reviewer"


class ReasonIn(BaseModel):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{1,63}$")]
    message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class DecisionIn(BaseModel):
    outcome: Literal["approved", "rejected"]
    reasons: list[ReasonIn] = Field(default_factory=list, max_length=50)


def review_router() -> APIRouter:
    """`GET /v1/reviews` and `POST /v1/reviews/{id}/decision` on `app.state.application.review_queue`."""
    router = APIRouter(tags=["reviews"])

    @router.get("/v1/reviews")
    def review_tasks(who: CurrentPrincipal, request: Request,
                     status: Annotated[Literal["pending", "decided"], Query()] = "pending") -> list[dict]:
        who.require(REVIEWER)
        return request.app.state.application.review_queue.tasks(status)

    @router.post("/v1/reviews/{review_id}/decision")
    def decide(review_id: str, body: DecisionIn, who: CurrentPrincipal, request: Request) -> dict:
        who.require(REVIEWER)
        reasons = [r.model_dump() for r in body.reasons]
        return request.app.state.application.review_queue.decide(review_id, who.account_id, body.outcome, reasons)

    return router
