"""The reviewer console: a queue per material type, claim a task, decide it with
catalogued reason codes.

Identity's queue also holds disputes of a squatted document number (material_type
`identity_dispute`): each is shown as a dispute (statement, evidence, the identities holding the
number) and decided with the codes the catalogue has for its own material type."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from services.portal.adapters.api import Api, ApiFailure
from services.portal.domain import i18n
from services.portal.entrypoints.headers import FILE_HEADERS
from services.portal.entrypoints.routing import PortalRoute
from services.portal.entrypoints.web import (
    SHA256_TEXT,
    api,
    errors_of,
    lang_of,
    passthrough,
    redirect,
    render,
)

router = APIRouter(route_class=PortalRoute, tags=["reviews"])
QUEUES = {
    "identity": "identity",
    "right": "rights",
    "complaint": "complaints",
}  # material type -> service
DISPUTE = "identity_dispute"  # in identity's queue
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PAGE = 20  # tasks per queue on one console page: each comes with its material and previews


async def queue(client: Api, service: str, offset: int) -> tuple[list[dict] | None, int]:
    """One page of a service's pending tasks, oldest first, and how many wait in all; None when the
    service has no reviewer queue (or does not answer)."""
    try:
        found = await client.request(
            "GET",
            service,
            "/v1/reviews",
            params={"status": "pending", "limit": PAGE, "offset": offset},
        )
    except ApiFailure as failure:
        if failure.status in (401, 403):
            raise
        return None, 0
    return found.json(), int(found.headers.get("x-total-count") or 0)


async def reason_codes(client: Api, service: str) -> dict[str, list[dict]]:
    """The service's reason catalogue, {material_type: [{code, description}]} (none when it
    does not answer)."""
    try:
        found = await client.call("GET", service, "/v1/reviews/reason-codes")
    except ApiFailure:
        return {}
    return found if isinstance(found, dict) else {}


def age_minutes(created_at: object) -> int:
    try:
        created = (
            datetime.fromtimestamp(created_at, timezone.utc)
            if isinstance(created_at, int | float)
            else datetime.fromisoformat(str(created_at))
        )
        return max(0, int((datetime.now(timezone.utc) - created).total_seconds() // 60))
    except (TypeError, ValueError, OverflowError):
        return 0


def age_text(lang: str, minutes: int) -> str:
    if minutes < 60:
        return i18n.t(lang, "age_min", n=minutes)
    if minutes < 24 * 60:
        return i18n.t(lang, "age_hours", h=minutes // 60, m=minutes % 60)
    return i18n.t(lang, "age_days", d=minutes // 1440, h=minutes % 1440 // 60)


async def material_details(client: Api, material: str, task: dict) -> dict:
    """The task's material as the service shows reviewers (parties, right fields, complaint targets)
    and its documents (`files`), previewed through `document` below."""
    try:
        return await client.call(
            "GET", QUEUES[material], f"/v1/reviews/{task['review_id']}/material"
        )
    except ApiFailure:
        return {"unavailable": True}


def blob_ids(value: object) -> list[str]:
    """The blob id of every document in part of a material's view (as
    shared/review/entrypoints/http.py finds them)."""
    if isinstance(value, dict):
        return ([value["blob_id"]] if "blob_id" in value else []) + [
            b for v in value.values() for b in blob_ids(v)
        ]
    if isinstance(value, list):
        return [b for v in value for b in blob_ids(v)]
    return []


def of_dispute(details: dict) -> dict:
    """A dispute's files in their places: the disputer's evidence, and each holding identity's own
    documents beside it, to compare."""
    files = {f.get("blob_id"): f for f in details.get("files") or [] if isinstance(f, dict)}

    def among(value: object) -> list[dict]:
        return [files[b] for b in dict.fromkeys(blob_ids(value)) if b in files]

    holding = [
        {**i, "files": among(i)}
        for i in details.get("holding_identities") or []
        if isinstance(i, dict)
    ]
    return {
        **details,
        "evidence_files": among(details.get("evidence")),
        "holding_identities": holding,
    }


async def with_details(
    client: Api,
    lang: str,
    material: str,
    found: list[dict] | None,
    catalogue: dict[str, list[dict]],
) -> list[dict]:
    """The tasks with their material's details and the reason codes of each one's
    own material type."""
    tasks = found or []
    details = await asyncio.gather(*(material_details(client, material, t) for t in tasks))
    shown = []
    for task, shown_details in zip(tasks, details, strict=True):
        kind = task.get("material_type") or material
        if kind == DISPUTE and not shown_details.get("unavailable"):
            shown_details = of_dispute(shown_details)
        minutes = age_minutes(task.get("created_at"))
        shown.append(
            {
                **task,
                "kind": kind,
                "age": minutes,
                "age_text": age_text(lang, minutes),
                "codes": catalogue.get(kind, []),
                "details": shown_details,
            }
        )
    return shown


def offset_of(request: Request, material: str) -> int:
    """Where the console starts a queue: `?<material>=<offset>`, a multiple of PAGE."""
    value = request.query_params.get(material, "0")
    return int(value) // PAGE * PAGE if value.isdigit() and len(value) < 7 else 0


async def console(request: Request, status: int = 200, errors: dict | None = None) -> Response:
    client = api(request)
    offsets = {m: offset_of(request, m) for m in QUEUES}
    try:
        pages = await asyncio.gather(*(queue(client, s, offsets[m]) for m, s in QUEUES.items()))
    except ApiFailure as failure:
        return render(request, "reviews.html", 403, queues={}, errors=errors_of(request, failure))
    catalogues = await asyncio.gather(*(reason_codes(client, s) for s in QUEUES.values()))
    lang = lang_of(request)
    listed = await asyncio.gather(
        *(
            with_details(client, lang, m, found, c)
            for m, (found, _), c in zip(QUEUES, pages, catalogues, strict=True)
        )
    )
    queues = {
        m: {
            "tasks": shown,
            "available": found is not None,
            "codes": c.get(m, []),
            "total": total,
            "offset": offsets[m],
            "page": PAGE,
        }
        for m, (found, total), shown, c in zip(QUEUES, pages, listed, catalogues, strict=True)
    }
    errors = dict(errors or {})
    listed_ids = {t["review_id"] for shown in listed for t in shown}
    for review_id, message in list(
        errors.items()
    ):  # a task no longer listed: its answer still shows, on top
        if review_id != "form" and review_id not in listed_ids:
            errors.setdefault("form", message)
    return render(request, "reviews.html", status, queues=queues, errors=errors)


@router.get("/reviews")
async def reviews_page(request: Request) -> Response:
    return await console(request)


@router.get("/reviews/{material}/{review_id}/documents/{blob_id}")
async def document(request: Request, material: str, review_id: str, blob_id: str) -> Response:
    """One document of a task's material, passed through from its service (which checks the
    reviewer role and that the document belongs to the task); shown inline, never sniffed
    into another type."""
    if (
        material not in QUEUES
        or not UUID_TEXT.fullmatch(review_id)
        or not SHA256_TEXT.fullmatch(blob_id)
    ):
        return Response(
            i18n.error(lang_of(request), "DOCUMENT_NOT_FOUND"),
            404,
            media_type="text/plain",
            headers=FILE_HEADERS,
        )
    return await passthrough(
        request, QUEUES[material], f"/v1/reviews/{review_id}/documents/{blob_id}"
    )


@router.post("/reviews/{material}/{review_id}/claim")
async def claim(request: Request, material: str, review_id: str) -> Response:
    try:
        await api(request).call(
            "POST", QUEUES.get(material, "identity"), f"/v1/reviews/{review_id}/claim"
        )
    except ApiFailure as failure:
        return await console(
            request, 409, {review_id: next(iter(errors_of(request, failure).values()))}
        )
    return redirect(f"/reviews#task-{review_id}")


@router.post("/reviews/{material}/{review_id}/decision")
async def decide(
    request: Request,
    material: str,
    review_id: str,
    outcome: Annotated[str, Form()],
    code: Annotated[str, Form()] = "",
    message: Annotated[str, Form()] = "",
) -> Response:
    reasons = [{"code": code, "message": message.strip() or code}] if code else []
    body = {"outcome": outcome, "reasons": reasons}
    try:
        await api(request).call(
            "POST", QUEUES.get(material, "identity"), f"/v1/reviews/{review_id}/decision", json=body
        )
    except ApiFailure as failure:
        return await console(
            request, 400, {review_id: next(iter(errors_of(request, failure).values()))}
        )
    return redirect("/reviews")
