"""Uploaded documents are encrypted at rest: whoever reads the blob directory learns neither
a document nor whether a known one was uploaded; the API serves them as uploaded, old
plaintext blobs included."""

from __future__ import annotations

import hashlib
import json
import secrets

import pytest
from fastapi.testclient import TestClient

from deploy.client import PNG
from services.identity.main import bootstrap
from shared.kit.blobs import BlobStore
from shared.kit.http.app import create_http_app
from shared.kit.settings import Settings
from tests.unit.databases import migrated


class Uploads:
    def __init__(self, tmp_path) -> None:
        self.settings = Settings(service="identity", data_dir=tmp_path, dev_code="000000")
        self.service = bootstrap(migrated(self.settings))
        self.http = TestClient(create_http_app(self.service))
        self.root = tmp_path / "identity" / "blobs"
        self.owner = "00000000-0000-4000-8000-000000000001"
        token, _ = self.service.state["signer"].issue(self.owner, ["holder"], 5)
        self.auth = {"Authorization": f"Bearer {token}"}

    def upload(self, content: bytes) -> str:
        response = self.http.post(
            "/v1/files", files={"file": ("id.png", content)}, headers=self.auth
        )
        assert response.status_code == 201, response.text
        return response.json()["blob_id"]

    def download(self, blob_id: str):
        return self.http.get(f"/v1/files/{blob_id}", headers=self.auth)

    def on_disk(self) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in self.root.rglob("*") if p.is_file()}


@pytest.fixture
def uploads(tmp_path) -> Uploads:
    return Uploads(tmp_path)


def an_id_card() -> bytes:
    return PNG + b"resident id 110101199003074578 " + secrets.token_bytes(64)


def test_no_file_holds_the_uploaded_document_and_the_api_still_returns_it(uploads):
    content = an_id_card()
    blob_id = uploads.upload(content)
    files = uploads.on_disk()
    assert files and all(
        content[8:40] not in data and content[-32:] not in data for data in files.values()
    )
    assert all(blob_id not in name and blob_id.encode() not in data for name, data in files.items())
    response = uploads.download(blob_id)
    assert response.status_code == 200 and response.content == content


def test_the_same_document_twice_is_two_ciphertexts_apart_from_another_service(uploads, tmp_path):
    content = an_id_card()
    blob_id = uploads.upload(content)
    identity_store = BlobStore(uploads.root, 1024 * 1024, uploads.settings.key("identity/blobs"))
    rights_store = BlobStore(
        tmp_path / "rights-blobs", 1024 * 1024, uploads.settings.key("rights/blobs")
    )
    rights_store.put(content, owner=uploads.owner)
    assert identity_store.name(blob_id) != rights_store.name(blob_id)
    sealed = (uploads.root / identity_store.name(blob_id)).read_bytes()
    assert identity_store.seal(blob_id, content) != sealed  # a fresh nonce every time
    assert rights_store.open(blob_id, sealed) is None  # another service's key opens nothing


def test_an_altered_blob_is_not_served(uploads):
    blob_id = uploads.upload(an_id_card())
    store = uploads.service.app.blobs
    path = uploads.root / store.name(blob_id)
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    response = uploads.download(blob_id)
    assert response.status_code == 404 and response.json()["error"]["code"] == "FILE_NOT_FOUND"


def test_a_document_stored_in_clear_before_is_still_served_then_encrypted(uploads):
    content = an_id_card()
    blob_id = hashlib.sha256(content).hexdigest()
    (uploads.root / blob_id).write_bytes(
        content
    )  # exactly as the store wrote blobs before encryption
    (uploads.root / f"{blob_id}.{uploads.owner}.json").write_text(
        json.dumps(
            {"blob_id": blob_id, "sha256": blob_id, "size": len(content), "media_type": "image/png"}
        )
    )

    first = uploads.download(blob_id)
    assert (
        first.status_code == 200
        and first.content == content
        and first.headers["content-type"] == "image/png"
    )
    files = uploads.on_disk()
    assert all(content[8:40] not in data for data in files.values())
    assert all(blob_id not in name for name in files)
    again = uploads.download(blob_id)
    assert again.status_code == 200 and again.content == content


def test_a_plaintext_file_that_is_not_its_document_is_not_served(uploads):
    content = an_id_card()
    blob_id = hashlib.sha256(content).hexdigest()
    (uploads.root / blob_id).write_bytes(PNG + b"something else")
    (uploads.root / f"{blob_id}.{uploads.owner}.json").write_text(
        json.dumps(
            {"blob_id": blob_id, "sha256": blob_id, "size": len(content), "media_type": "image/png"}
        )
    )
    assert uploads.download(blob_id).status_code == 404
