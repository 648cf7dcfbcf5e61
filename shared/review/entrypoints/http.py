"""The reviewer routes every material-owning service serves (CONTRACT.md, 'Reviewers').

Beyond the queue, a reviewer reads the material a task is about (`/material`, as the service
presents it to reviewers: parties with masked numbers, the right's fields, the complaint's targets)
and opens each uploaded document of that material (`/documents/{blob_id}`) — only the documents of a
task's own material, and only with the reviewer role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field, StringConstraints

from shared.kit.http.auth import CurrentPrincipal
from shared.kit.http.files import file_response
from shared.review.errors import DocumentNotFound
from shared.review.reasons import catalogue

REVIEWER = "reviewer"
Present = Callable[
    [Any, dict], dict
]  # (application, task) -> the task's material as reviewers see it


def application(request: Request) -> Any:
    """The service's application (a ReviewingApplication: `review_queue`, `blobs`),
    from the app's state."""
    return request.app.state.application


Application = Annotated[Any, Depends(application)]


class ReasonIn(BaseModel):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{1,63}$")]
    message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class DecisionIn(BaseModel):
    outcome: Literal["approved", "rejected"]
    reasons: list[ReasonIn] = Field(default_factory=list, max_length=50)


def documents_in(value: object) -> Iterator[dict]:
    """Every uploaded document a material view mentions (dicts with a blob id and a
    media type), in order."""
    if isinstance(value, dict):
        if "blob_id" in value and "media_type" in value:
            yield value
        for item in value.values():
            yield from documents_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from documents_in(item)


def files_of(review_id: str, material: dict) -> list[dict]:
    """The material's documents, each once, with where a reviewer opens it."""
    seen: dict[str, dict] = {}
    for doc in documents_in(material):
        seen.setdefault(
            doc["blob_id"],
            {
                "blob_id": doc["blob_id"],
                "purpose": doc.get("purpose", ""),
                "media_type": doc["media_type"],
                "size": doc.get("size"),
                "href": f"/v1/reviews/{review_id}/documents/{doc['blob_id']}",
            },
        )
    return list(seen.values())


def review_router(material_types: tuple[str, ...], present: Present) -> APIRouter:
    """The reviewer routes on `app.state.application.review_queue`; `material_types` are the
    ones this service reviews (its part of the reason catalogue); `present` shows a task's
    material to reviewers."""
    router = APIRouter(tags=["reviews"])

    def reviewed_material(app: Any, review_id: str) -> dict:
        return present(app, app.review_queue.task(review_id))

    @router.get("/v1/reviews")
    def review_tasks(
        who: CurrentPrincipal,
        app: Application,
        response: Response,
        status: Annotated[Literal["pending", "decided"], Query()] = "pending",
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> list[dict]:
        """Oldest first, each with its deadline and `overdue`; pending tasks leave out those another
        reviewer has a live claim on. X-Total-Count says how many there are in all."""
        who.require(REVIEWER)
        found, total = app.review_queue.page(status, who.account_id, limit, offset)
        response.headers["X-Total-Count"] = str(total)
        return found

    @router.get("/v1/reviews/reason-codes")
    def reason_codes(who: CurrentPrincipal) -> dict[str, list[dict]]:
        """The reason catalogue: {material_type: [{code, description}]} (any signed-in
        account may read it)."""
        return catalogue(material_types)

    @router.get("/v1/reviews/{review_id}")
    def review_task(review_id: str, who: CurrentPrincipal, app: Application) -> dict:
        """One task in any status (pending, decided, or closed), with its decision
        once there is one."""
        who.require(REVIEWER)
        return app.review_queue.task(review_id)

    @router.get("/v1/reviews/{review_id}/material")
    def material(review_id: str, who: CurrentPrincipal, app: Application) -> dict:
        """The material the task is about, and `files`: its documents with the link to each."""
        who.require(REVIEWER)
        shown = reviewed_material(app, review_id)
        return {**shown, "files": files_of(review_id, shown)}

    @router.get("/v1/reviews/{review_id}/documents/{blob_id}")
    def document(review_id: str, blob_id: str, who: CurrentPrincipal, app: Application) -> Response:
        """One uploaded document of the task's material, as it was uploaded
        (images and PDF only)."""
        who.require(REVIEWER)
        found = next(
            (d for d in documents_in(reviewed_material(app, review_id)) if d["blob_id"] == blob_id),
            None,
        )
        content = None if found is None else app.blobs.read(blob_id)
        if content is None:
            raise DocumentNotFound("This task's material has no such document.")
        return file_response(content, found["media_type"], found.get("purpose", ""))

    @router.post("/v1/reviews/{review_id}/claim")
    def claim(review_id: str, who: CurrentPrincipal, app: Application) -> dict:
        who.require(REVIEWER)
        return app.review_queue.claim(review_id, who.account_id)

    @router.post("/v1/reviews/{review_id}/decision")
    def decide(review_id: str, body: DecisionIn, who: CurrentPrincipal, app: Application) -> dict:
        who.require(REVIEWER)
        reasons = [r.model_dump() for r in body.reasons]
        return app.review_queue.decide(review_id, who.account_id, body.outcome, reasons)

    return router
