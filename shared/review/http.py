"""The reviewer routes every material-owning service serves (CONTRACT.md, 'Reviewers')."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, StringConstraints

from shared.kit.auth import CurrentPrincipal
from shared.review.reasons import catalogue

REVIEWER = "reviewer"


class ReasonIn(BaseModel):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{1,63}$")]
    message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class DecisionIn(BaseModel):
    outcome: Literal["approved", "rejected"]
    reasons: list[ReasonIn] = Field(default_factory=list, max_length=50)


def review_router(material_types: tuple[str, ...] | None = None) -> APIRouter:
    """The reviewer routes on `app.state.application.review_queue`; `material_types` are the ones this
    service reviews (its part of the reason catalogue)."""
    router = APIRouter(tags=["reviews"])

    @router.get("/v1/reviews")
    def review_tasks(who: CurrentPrincipal, request: Request,
                     status: Annotated[Literal["pending", "decided"], Query()] = "pending") -> list[dict]:
        """Pending tasks leave out those another reviewer has a live claim on."""
        who.require(REVIEWER)
        return request.app.state.application.review_queue.tasks(status, reviewer_id=who.account_id)

    @router.get("/v1/reviews/reason-codes")
    def reason_codes(who: CurrentPrincipal) -> dict[str, list[dict]]:
        """The reason catalogue: {material_type: [{code, description}]} (any signed-in account may read it)."""
        return catalogue(material_types)

    @router.post("/v1/reviews/{review_id}/claim")
    def claim(review_id: str, who: CurrentPrincipal, request: Request) -> dict:
        who.require(REVIEWER)
        return request.app.state.application.review_queue.claim(review_id, who.account_id)

    @router.post("/v1/reviews/{review_id}/decision")
    def decide(review_id: str, body: DecisionIn, who: CurrentPrincipal, request: Request) -> dict:
        who.require(REVIEWER)
        reasons = [r.model_dump() for r in body.reasons]
        return request.app.state.application.review_queue.decide(review_id, who.account_id, body.outcome, reasons)

    return router
