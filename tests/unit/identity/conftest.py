"""The identity service's HTTP app over a throwaway SQLite store, without a broker, on
a settable clock."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from deploy.client import PNG
from services.identity.application import IdentityApplication
from services.identity.main import bootstrap
from shared.kit.http.app import create_http_app
from shared.kit.settings import Settings
from tests.unit.databases import migrated
from tests.unit.passwords import CHEAP_ARGON2


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Identity:
    """A TestClient of the identity API with the steps every test needs."""

    def __init__(
        self,
        tmp_path,
        review_mode: str = "auto",
        dev_code: str | None = "000000",
        sms=None,
        **settings: object,
    ) -> None:
        self.settings = migrated(
            Settings(
                service="identity",
                data_dir=tmp_path,
                dev_code=dev_code,
                review_mode=review_mode,
                **settings,
            )
        )
        self.clock = Clock()
        # sms: an SmsSender (a fake); argon2 made cheap: the rules are tested here,
        # its cost in production
        self.app = IdentityApplication(
            self.settings, clock=self.clock, sms=sms, hasher=CHEAP_ARGON2
        )
        self.service = bootstrap(self.settings, self.app)
        self.http = TestClient(create_http_app(self.service))  # no lifespan: no broker needed

    def token(self, account_id: str, roles: tuple[str, ...] = ("holder",)) -> dict:
        token, _ = self.service.state["signer"].issue(account_id, list(roles), 5)
        return {"Authorization": f"Bearer {token}"}

    def register(self, phone: str, password: str = "correct horse battery") -> dict:
        """A new account's bearer header."""
        response = self.http.post(
            "/v1/accounts", json={"phone": phone, "password": password, "sms_code": "000000"}
        )
        assert response.status_code == 201, response.text
        return self.token(response.json()["account_id"])

    def with_email(self, phone: str, email: str | None = None) -> dict:
        auth = self.register(phone)
        email = email or f"u{phone[-4:]}@example.com"
        assert (
            self.http.put(
                "/v1/me/email", json={"email": email, "code": "000000"}, headers=auth
            ).status_code
            == 200
        )
        return auth

    def upload(self, auth: dict, tag: bytes) -> str:
        response = self.http.post("/v1/files", files={"file": ("x.png", PNG + tag)}, headers=auth)
        assert response.status_code == 201, response.text
        return response.json()["blob_id"]

    def individual(
        self, auth: dict, number: str, name: str = "张三", document_type: str = "resident_id"
    ) -> dict:
        return {
            "kind": "individual",
            "name": name,
            "document_type": document_type,
            "id_number": number,
            "id_card_front": self.upload(auth, b"front"),
            "id_card_back": self.upload(auth, b"back"),
        }

    def enterprise(self, auth: dict, code: str, name: str = "快手代理有限公司") -> dict:
        return {
            "kind": "enterprise",
            "name": name,
            "credit_code": code,
            "business_licence": self.upload(auth, b"licence"),
            "legal_representative": "李四",
        }


@pytest.fixture
def identity(tmp_path) -> Identity:
    return Identity(tmp_path)
