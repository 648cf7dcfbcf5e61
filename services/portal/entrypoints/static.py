"""The portal's own stylesheet and scripts (services/portal/static), by name: only the
files that are there."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.portal.adapters.assets import ASSETS
from services.portal.entrypoints import error_pages
from services.portal.entrypoints.routing import PortalRoute

router = APIRouter(route_class=PortalRoute, tags=["static"], include_in_schema=False)
YEAR = 365 * 86400


@router.get("/static/{name}")
async def static_file(request: Request, name: str, v: str = "") -> Response:
    found = ASSETS.get(name)
    if found is None:
        return error_pages.not_found(request)
    # a URL naming this very content may be kept for good; any other is checked again each time
    cache = f"public, max-age={YEAR}, immutable" if v == found.version else "no-cache"
    return Response(
        found.content,
        media_type=found.media_type,
        headers={"Cache-Control": cache, "ETag": f'"{found.version}"'},
    )
