"""Any URL no portal page answers: the "not found" page (in the layout and language), never JSON."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.portal.entrypoints import error_pages
from services.portal.entrypoints.routing import PortalRoute

router = APIRouter(route_class=PortalRoute, tags=["pages"], include_in_schema=False)


@router.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
async def unknown_page(request: Request, path: str) -> Response:
    return error_pages.not_found(request)
