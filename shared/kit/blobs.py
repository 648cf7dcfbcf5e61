"""Uploaded documents: size-limited, type-sniffed (images and PDF), encrypted at rest.

A blob's id is the SHA-256 of its content (the API's `blob_id`). On disk it is AES-256-GCM under the
service's `<service>/blobs` key, a random 96-bit nonce per file, behind a header (magic + version)
that tells it from the plaintext blobs written before encryption (those still read, and are
encrypted when next read). The file is named by a keyed HMAC of the id, not by the SHA-256 itself,
so whoever can list the directory cannot confirm that a known document was uploaded; so are the
sidecars holding each uploader's facts (size, media type).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.kit.errors import Invalid, NotFound, TooLarge, UnsupportedMedia
from shared.kit.logs import log
from shared.kit.settings import Settings


class FileTooLarge(TooLarge):
    code = "FILE_TOO_LARGE"


class EmptyFile(Invalid):
    code = "EMPTY_FILE"
    message = "The file is empty."


class UnsupportedFileType(UnsupportedMedia):
    code = "UNSUPPORTED_MEDIA_TYPE"
    message = "Upload a PNG, JPEG, GIF, WebP image or a PDF."


class UnknownDocument(Invalid):
    """A document named in a submission that is not one of the account's uploads."""

    code = "UNKNOWN_DOCUMENT"


class FileNotFound(NotFound):
    code = "FILE_NOT_FOUND"
    message = "You have uploaded no such file."


SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"%PDF-", "application/pdf"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
MAGIC = b"IPPBLOB"  # no sniffed type starts so: a file without it is a plaintext blob from before
VERSION = 1
NONCE_BYTES = 12


def sniff(content: bytes) -> str | None:
    for signature, media_type in SIGNATURES:
        if content.startswith(signature):
            return media_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def _is_sha256(blob_id: str) -> bool:
    return len(blob_id) == 64 and all(c in "0123456789abcdef" for c in blob_id)


def _write_atomically(path: Path, data: bytes) -> None:
    """A reader sees the whole file or none (mode 0600: only the service reads it)."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload.")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


class BlobStore:
    """Blobs live at <root>/<name>, <name> = HMAC(key, blob id); each uploader's facts in
    <name>.<owner>.json.

    `key` is the service's 32-byte `<service>/blobs` key (Settings.key); from it come the cipher's
    key and the naming key, apart. File names never come from user input."""

    @classmethod
    def of(cls, settings: Settings) -> BlobStore:
        """The service's own store: under its data directory, encrypted with its own
        `<service>/blobs` key."""
        return cls(
            settings.service_dir / "blobs",
            settings.max_upload_bytes,
            settings.key(f"{settings.service}/blobs"),
        )

    def __init__(self, root: Path, max_bytes: int, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("a blob store needs a 32-byte key")
        self.root, self.max_bytes = root, max_bytes
        self.cipher = AESGCM(hmac.digest(key, b"encrypt", "sha256"))
        self.naming_key = hmac.digest(key, b"name", "sha256")
        root.mkdir(parents=True, exist_ok=True)

    def name(self, blob_id: str) -> str:
        return hmac.new(self.naming_key, blob_id.encode(), "sha256").hexdigest()

    def seal(self, blob_id: str, content: bytes) -> bytes:
        """The file's bytes: header, nonce, ciphertext bound to the blob id (a file moved to
        another name fails)."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        return (
            MAGIC + bytes([VERSION]) + nonce + self.cipher.encrypt(nonce, content, blob_id.encode())
        )

    def open(self, blob_id: str, data: bytes) -> bytes | None:
        if not data.startswith(MAGIC):
            return (
                data if hashlib.sha256(data).hexdigest() == blob_id else None
            )  # a plaintext blob from before
        header = len(MAGIC) + 1
        if data[len(MAGIC)] != VERSION:
            log.error("blob.unknown_version", blob=self.name(blob_id), version=data[len(MAGIC)])
            return None
        try:
            return self.cipher.decrypt(
                data[header : header + NONCE_BYTES], data[header + NONCE_BYTES :], blob_id.encode()
            )
        except InvalidTag:
            log.error(
                "blob.unreadable", blob=self.name(blob_id)
            )  # altered, or sealed under another key
            return None

    def put(self, content: bytes, owner: str) -> dict:
        if len(content) > self.max_bytes:
            raise FileTooLarge(f"Files may be at most {self.max_bytes} bytes.")
        if not content:
            raise EmptyFile()
        media_type = sniff(content)
        if media_type is None:
            raise UnsupportedFileType()
        sha256 = hashlib.sha256(content).hexdigest()
        name = self.name(sha256)
        if (self.root / sha256).exists():  # the same document, stored in clear before
            self._encrypt_old(sha256, content)
        elif not (self.root / name).exists():
            _write_atomically(self.root / name, self.seal(sha256, content))
        _write_atomically(
            self.root / f"{name}.{owner}.json",
            json.dumps({"size": len(content), "media_type": media_type}).encode(),
        )
        return {"blob_id": sha256, "sha256": sha256, "size": len(content), "media_type": media_type}

    def read(self, blob_id: str) -> bytes | None:
        """The blob's content (whoever uploaded it: callers decide who may read what), or None."""
        if not _is_sha256(blob_id):
            return None
        for path in (self.root / self.name(blob_id), self.root / blob_id):
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                continue  # not there, or just encrypted by another reader: the next path
            content = self.open(blob_id, data)
            if content is not None and not data.startswith(MAGIC):
                self._encrypt_old(blob_id, content)
            return content
        return None

    def _encrypt_old(self, blob_id: str, content: bytes) -> None:
        """Encrypt a plaintext blob from before, and rename its sidecars; the plaintext goes."""
        name = self.name(blob_id)
        try:
            _write_atomically(self.root / name, self.seal(blob_id, content))
            for sidecar in self.root.glob(f"{blob_id}.*.json"):
                owner = sidecar.name[len(blob_id) + 1 : -len(".json")]
                target = self.root / f"{name}.{owner}.json"
                if not target.exists():
                    _write_atomically(target, sidecar.read_bytes())
                sidecar.unlink(missing_ok=True)
            (self.root / blob_id).unlink(missing_ok=True)
        except OSError as exc:  # read-only or full: it is still served, and encrypted another time
            log.warning("blob.not_encrypted", blob=name, error=repr(exc)[:200])

    def describe(self, blob_id: str, owner: str) -> dict | None:
        """The blob's facts if `owner` uploaded it, else None."""
        if not _is_sha256(blob_id):
            return None
        for meta in (
            self.root / f"{self.name(blob_id)}.{owner}.json",
            self.root / f"{blob_id}.{owner}.json",
        ):
            try:
                facts = json.loads(meta.read_text())
            except FileNotFoundError:
                continue
            return {
                "blob_id": blob_id,
                "sha256": blob_id,
                "size": facts["size"],
                "media_type": facts["media_type"],
            }
        return None

    def document(self, blob_id: str, owner: str, purpose: str) -> dict:
        info = self.describe(blob_id, owner)
        if info is None:
            raise UnknownDocument(
                f"No uploaded file {blob_id[:16]}… of yours.",
                {"blob_id": blob_id, "purpose": purpose},
            )
        return {**info, "purpose": purpose}
