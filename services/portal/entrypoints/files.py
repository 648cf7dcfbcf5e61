"""A signed-in account's own uploads, shown back on its pages (identity documents,
certificates, evidence)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.portal.domain import i18n
from services.portal.entrypoints.headers import FILE_HEADERS
from services.portal.entrypoints.routing import PortalRoute
from services.portal.entrypoints.web import SHA256_TEXT, lang_of, passthrough

router = APIRouter(route_class=PortalRoute, tags=["files"])
SERVICES = ("identity", "rights", "complaints")  # where uploads are kept


@router.get("/files/{service}/{blob_id}")
async def own_file(request: Request, service: str, blob_id: str) -> Response:
    if service not in SERVICES or not SHA256_TEXT.fullmatch(blob_id):
        return Response(
            i18n.error(lang_of(request), "FILE_NOT_FOUND"),
            404,
            media_type="text/plain",
            headers=FILE_HEADERS,
        )
    return await passthrough(request, service, f"/v1/files/{blob_id}")
