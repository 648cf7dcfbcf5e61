"""The platform's health page: each service's /readyz (and the same as JSON for scripts)."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.portal.entrypoints.routing import PortalRoute
from services.portal.entrypoints.web import render
from shared.kit.tls import tls_context

router = APIRouter(tags=["portal"], route_class=PortalRoute)


async def service_health(client: httpx.AsyncClient, name: str, url: str) -> dict:
    try:
        response = await client.get(f"{url}/readyz", timeout=3.0)
        body = response.json()
        return {
            "name": name,
            "url": url,
            "ready": response.status_code == 200,
            "checks": body.get("checks", {}),
        }
    except (httpx.HTTPError, ValueError) as exc:
        return {"name": name, "url": url, "ready": False, "checks": {"http": type(exc).__name__}}


async def all_health(request: Request) -> list[dict]:
    settings = request.app.state.settings
    services = {
        "identity": settings.identity_url,
        "rights": settings.rights_url,
        "complaints": settings.complaints_url,
        "notifier": settings.notifier_url,
    }
    async with httpx.AsyncClient(verify=tls_context()) as client:
        return list(
            await asyncio.gather(*(service_health(client, n, u) for n, u in services.items()))
        )


@router.get("/status")
async def health_page(request: Request) -> Response:
    return render(request, "status.html", services=await all_health(request))


@router.get("/v1/status")
async def status(request: Request) -> dict:
    """The same health as JSON, for scripts."""
    return {"services": await all_health(request)}
