"""The portal's first page: each service's health, read from its /readyz."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

router = APIRouter(tags=["portal"])
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")


async def service_health(client: httpx.AsyncClient, name: str, url: str) -> dict:
    try:
        response = await client.get(f"{url}/readyz", timeout=3.0)
        body = response.json()
        return {"name": name, "url": url, "ready": response.status_code == 200, "checks": body.get("checks", {})}
    except (httpx.HTTPError, ValueError) as exc:
        return {"name": name, "url": url, "ready": False, "checks": {"http": type(exc).__name__}}


async def all_health(request: Request) -> list[dict]:
    settings = request.app.state.settings
    services = {"identity": settings.identity_url, "rights": settings.rights_url,
                "complaints": settings.complaints_url, "notifier": settings.notifier_url}
    async with httpx.AsyncClient() as client:
        return list(await asyncio.gather(*(service_health(client, n, u) for n, u in services.items())))


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    health = await all_health(request)
    return templates.TemplateResponse(request, "home.html", {"services": health})


@router.get("/v1/status")
async def status(request: Request) -> dict:
    """The same health as JSON, for scripts."""
    return {"services": await all_health(request)}
