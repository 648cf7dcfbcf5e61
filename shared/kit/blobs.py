"""Uploaded documents: size-limited, type-sniffed (images and PDF), stored content-addressed by SHA-256."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from fastapi import APIRouter, Response, UploadFile

from shared.kit.auth import CurrentPrincipal
from shared.kit.http import ApiError

SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"%PDF-", "application/pdf"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff(content: bytes) -> str | None:
    for signature, media_type in SIGNATURES:
        if content.startswith(signature):
            return media_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def _is_sha256(blob_id: str) -> bool:
    return len(blob_id) == 64 and all(c in "0123456789abcdef" for c in blob_id)


class BlobStore:
    """Blobs live at <root>/<sha256>; the owner and media type in a sidecar. File names never become paths."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root, self.max_bytes = root, max_bytes
        root.mkdir(parents=True, exist_ok=True)

    def put(self, content: bytes, owner: str) -> dict:
        if len(content) > self.max_bytes:
            raise ApiError(413, "FILE_TOO_LARGE", f"Files may be at most {self.max_bytes} bytes.")
        if not content:
            raise ApiError(422, "EMPTY_FILE", "The file is empty.")
        media_type = sniff(content)
        if media_type is None:
            raise ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Upload a PNG, JPEG, GIF, WebP image or a PDF.")
        sha256 = hashlib.sha256(content).hexdigest()
        path = self.root / sha256
        if not path.exists():
            path.write_bytes(content)
        meta = self.root / f"{sha256}.{owner}.json"
        info = {"blob_id": sha256, "sha256": sha256, "size": len(content), "media_type": media_type}
        meta.write_text(json.dumps(info))
        return info

    def read(self, blob_id: str) -> bytes | None:
        """The blob's content (whoever uploaded it: callers decide who may read what), or None."""
        path = self.root / blob_id
        if not _is_sha256(blob_id) or not path.is_file():
            return None
        return path.read_bytes()

    def describe(self, blob_id: str, owner: str) -> dict | None:
        """The blob's facts if `owner` uploaded it, else None."""
        if not _is_sha256(blob_id):
            return None
        meta = self.root / f"{blob_id}.{owner}.json"
        return json.loads(meta.read_text()) if meta.exists() else None

    def document(self, blob_id: str, owner: str, purpose: str) -> dict:
        info = self.describe(blob_id, owner)
        if info is None:
            raise ApiError(422, "UNKNOWN_DOCUMENT", f"No uploaded file {blob_id[:16]}… of yours.",
                           {"blob_id": blob_id, "purpose": purpose})
        return {**info, "purpose": purpose}


def file_response(content: bytes, media_type: str, name: str = "file") -> Response:
    """An uploaded file served back: shown inline as the type it was sniffed as, never cached by others."""
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'inline; filename="{re.sub(r"[^a-z_]", "", name) or "file"}"',
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})


def files_router(store: BlobStore) -> APIRouter:
    """`POST /v1/files` (multipart `file`) → 201 {blob_id, sha256, size, media_type}, and `GET /v1/files/{blob_id}`
    (the uploader's own file back), on every material service."""
    router = APIRouter(tags=["files"])

    @router.post("/v1/files", status_code=201)
    async def upload(file: UploadFile, who: CurrentPrincipal) -> dict:
        content = await file.read(store.max_bytes + 1)
        return store.put(content, owner=who.account_id)

    @router.get("/v1/files/{blob_id}")
    def download(blob_id: str, who: CurrentPrincipal) -> Response:
        """Only the account that uploaded a file gets it back (others get the same 404 as for no file)."""
        info = store.describe(blob_id, who.account_id)
        content = None if info is None else store.read(blob_id)
        if content is None:
            raise ApiError(404, "FILE_NOT_FOUND", "You have uploaded no such file.")
        return file_response(content, info["media_type"])

    return router
