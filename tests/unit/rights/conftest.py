"""The rights service's HTTP app over a throwaway SQLite store, without a broker, on a fixed day."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time

import pytest
from fastapi.testclient import TestClient

from deploy.client import PDF, PNG
from services.rights.application import RightsApplication
from services.rights.main import bootstrap
from shared.kit.auth import TokenSigner, TokenVerifier
from shared.kit.http.app import create_http_app
from shared.kit.settings import Settings
from tests.unit.databases import migrated
from tests.unit.rights import materials
from tests.unit.rights.filings import deliver_complaint, deliver_identity

TODAY = date(2026, 11, 28)


def noon_of(day: date) -> float:
    """A clock reading on `day` (local time, as date.fromtimestamp reads it)."""
    return datetime.combine(day, time(12)).timestamp()


class RightsApi:
    """A TestClient of the rights API with the steps every test needs."""

    def __init__(self, tmp_path, review_mode: str = "auto") -> None:
        settings = migrated(
            Settings(
                service="rights", data_dir=tmp_path, review_mode=review_mode, max_upload_bytes=4096
            )
        )
        self.app = RightsApplication(settings, clock=lambda: noon_of(TODAY))
        self.signer = TokenSigner(tmp_path / "jwt-ed25519.pem")
        service = bootstrap(settings, self.app)
        self.service = dataclasses.replace(
            service, verifier=TokenVerifier(public_key=self.signer.public_key)
        )
        self.http = TestClient(create_http_app(self.service))  # no lifespan: no broker needed
        self.complaints = 0
        self.app.identity_wait_seconds = 0.2
        deliver_identity(self.service, "account-1")  # materials name identity-1, 张三

    def token(self, account_id: str = "account-1", roles: tuple[str, ...] = ("holder",)) -> dict:
        token, _ = self.signer.issue(account_id, list(roles), 5)
        return {"Authorization": f"Bearer {token}"}

    def upload(self, auth: dict, content: bytes) -> str:
        response = self.http.post("/v1/files", files={"file": ("doc", content)}, headers=auth)
        assert response.status_code == 201, response.text
        return response.json()["blob_id"]

    def body(self, auth: dict, kind: str = "trademark", **changes: object) -> dict:
        """A complete right of `kind` (trademark, copyright or a patent kind) whose
        documents `auth` uploaded."""
        fields = (
            getattr(materials, kind)()
            if kind in ("trademark", "copyright")
            else materials.patent(kind)
        )
        documents = [
            {
                "blob_id": self.upload(
                    auth,
                    (PNG if d["media_type"].startswith("image/") else PDF) + d["purpose"].encode(),
                ),
                "purpose": d["purpose"],
            }
            for d in fields["documents"]
        ]
        return fields | {"documents": documents} | changes

    def register(self, auth: dict, body: dict) -> str:
        response = self.http.post("/v1/rights", json=body, headers=auth)
        assert response.status_code == 201, response.text
        return response.json()["right_id"]

    def complain(self, right_id: str, account_id: str = "account-1") -> str:
        """Deliver a ComplaintFiled backed by this right to the service's inbox handler."""
        self.complaints += 1
        return deliver_complaint(self.service, right_id, self.complaints, account_id)


@pytest.fixture
def api(tmp_path) -> RightsApi:
    return RightsApi(tmp_path)


@pytest.fixture
def holder(api) -> dict:
    return api.token()
