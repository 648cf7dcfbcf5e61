"""The reviewer console: a queue per material type, claim a task, decide it with catalogued reason codes."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from services.portal import i18n
from services.portal.api import Api, ApiFailure
from services.portal.headers import FILE_HEADERS
from services.portal.routing import PortalRoute
from services.portal.web import SHA256_TEXT, api, errors_of, lang_of, passthrough, redirect, render

router = APIRouter(route_class=PortalRoute, tags=["reviews"])
QUEUES = {"identity": "identity", "right": "rights", "complaint": "complaints"}  # material type -> service
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PAGE = 20  # tasks per queue on one console page: each comes with its material and previews


async def queue(client: Api, service: str, offset: int) -> tuple[list[dict] | None, int]:
    """One page of a service's pending tasks, oldest first, and how many wait in all; None when the service
    has no reviewer queue (or does not answer)."""
    try:
        found = await client.request("GET", service, "/v1/reviews", params={
            "status": "pending", "limit": PAGE, "offset": offset})
    except ApiFailure as failure:
        if failure.status in (401, 403):
            raise
        return None, 0
    return found.json(), int(found.headers.get("x-total-count") or 0)


async def reason_codes(client: Api, service: str, material: str) -> list[dict]:
    try:
        return (await client.call("GET", service, "/v1/reviews/reason-codes")).get(material, [])
    except ApiFailure:
        return []


def age_minutes(created_at: object) -> int:
    try:
        created = (datetime.fromtimestamp(created_at, timezone.utc) if isinstance(created_at, int | float)
                   else datetime.fromisoformat(str(created_at)))
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
    """The task's material as the service shows reviewers (parties, right fields, complaint targets) and its
    documents (`files`), previewed through `document` below."""
    try:
        return await client.call("GET", QUEUES[material], f"/v1/reviews/{task['review_id']}/material")
    except ApiFailure:
        return {"unavailable": True}


async def with_details(client: Api, lang: str, material: str, found: list[dict] | None) -> list[dict]:
    tasks = found or []
    details = await asyncio.gather(*(material_details(client, material, t) for t in tasks))
    return [{**t, "age": age_minutes(t.get("created_at")), "age_text": age_text(lang, age_minutes(t.get("created_at"))),
             "details": d} for t, d in zip(tasks, details, strict=True)]


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
    codes = await asyncio.gather(*(reason_codes(client, s, m) for m, s in QUEUES.items()))
    lang = lang_of(request)
    listed = await asyncio.gather(*(with_details(client, lang, m, found)
                                    for m, (found, _) in zip(QUEUES, pages, strict=True)))
    queues = {m: {"tasks": shown, "available": found is not None, "codes": c, "total": total,
                  "offset": offsets[m], "page": PAGE}
              for m, (found, total), shown, c in zip(QUEUES, pages, listed, codes, strict=True)}
    return render(request, "reviews.html", status, queues=queues, errors=errors or {})


@router.get("/reviews")
async def reviews_page(request: Request) -> Response:
    return await console(request)


@router.get("/reviews/{material}/{review_id}/documents/{blob_id}")
async def document(request: Request, material: str, review_id: str, blob_id: str) -> Response:
    """One document of a task's material, passed through from its service (which checks the reviewer role and
    that the document belongs to the task); shown inline, never sniffed into another type."""
    if material not in QUEUES or not UUID_TEXT.fullmatch(review_id) or not SHA256_TEXT.fullmatch(blob_id):
        return Response(i18n.error(lang_of(request), "DOCUMENT_NOT_FOUND"), 404, media_type="text/plain",
                        headers=FILE_HEADERS)
    return await passthrough(request, QUEUES[material], f"/v1/reviews/{review_id}/documents/{blob_id}")


@router.post("/reviews/{material}/{review_id}/claim")
async def claim(request: Request, material: str, review_id: str) -> Response:
    try:
        await api(request).call("POST", QUEUES.get(material, "identity"), f"/v1/reviews/{review_id}/claim")
    except ApiFailure as failure:
        return await console(request, 409, {review_id: next(iter(errors_of(request, failure).values()))})
    return redirect(f"/reviews#task-{review_id}")


@router.post("/reviews/{material}/{review_id}/decision")
async def decide(request: Request, material: str, review_id: str, outcome: Annotated[str, Form()],
                 code: Annotated[str, Form()] = "", message: Annotated[str, Form()] = "") -> Response:
    reasons = [{"code": code, "message": message.strip() or code}] if code else []
    body = {"outcome": outcome, "reasons": reasons}
    try:
        await api(request).call("POST", QUEUES.get(material, "identity"), f"/v1/reviews/{review_id}/decision",
                                json=body)
    except ApiFailure as failure:
        return await console(request, 400, {review_id: next(iter(errors_of(request, failure).values()))})
    return redirect("/reviews")
