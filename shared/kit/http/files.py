"""Uploads over HTTP: `POST /v1/files` and `GET /v1/files/{blob_id}` on every material service."""

from __future__ import annotations

import re

from fastapi import APIRouter, Response, UploadFile

from shared.kit.blobs import BlobStore, FileNotFound
from shared.kit.http.auth import CurrentPrincipal


def file_response(content: bytes, media_type: str, name: str = "file") -> Response:
    """An uploaded file served back: shown inline as the type it was sniffed as, never
    cached by others."""
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'inline; filename="{re.sub(r"[^a-z_]", "", name) or "file"}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def files_router(store: BlobStore) -> APIRouter:
    """`POST /v1/files` (multipart `file`) → 201 {blob_id, sha256, size, media_type}, and `GET
    /v1/files/{blob_id}` (the uploader's own file back), on every material service."""
    router = APIRouter(tags=["files"])

    @router.post("/v1/files", status_code=201)
    async def upload(file: UploadFile, who: CurrentPrincipal) -> dict:
        content = await file.read(store.max_bytes + 1)
        return store.put(content, owner=who.account_id)

    @router.get("/v1/files/{blob_id}")
    def download(blob_id: str, who: CurrentPrincipal) -> Response:
        """Only the account that uploaded a file gets it back (others get the same
        404 as for no file)."""
        info = store.describe(blob_id, who.account_id)
        content = None if info is None else store.read(blob_id)
        if content is None:
            raise FileNotFound()
        return file_response(content, info["media_type"])

    return router
