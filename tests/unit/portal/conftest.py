"""The portal's app over a fake of the services it calls (an httpx transport passed
to its bootstrap)."""

from __future__ import annotations

import base64
import json
import re

import httpx
import pytest
from fastapi.testclient import TestClient

from services.portal.main import bootstrap
from shared.kit.http.app import create_http_app
from shared.kit.settings import Settings

SETTINGS = Settings(service="portal", env="test")
PORTS = {
    httpx.URL(getattr(SETTINGS, f"{s}_url")).port: s for s in ("identity", "rights", "complaints")
}
Answer = httpx.Response | Exception


def failure(status: int, code: str) -> httpx.Response:
    """A service's error response, as the kit writes it."""
    return httpx.Response(status, json={"error": {"code": code, "message": code, "details": None}})


class Services:
    """What identity, rights and complaints answer: set per (method, service, path),
    else `otherwise`."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str, str], Answer] = {}
        self.down: set[str] = set()
        self.otherwise: Answer = failure(404, "NOT_FOUND")

    def answer(self, method: str, service: str, path: str, answer: Answer | dict | list) -> None:
        found = (
            answer
            if isinstance(answer, httpx.Response | Exception)
            else httpx.Response(200, json=answer)
        )
        self.answers[(method, service, path)] = found

    def __call__(self, request: httpx.Request) -> httpx.Response:
        service = PORTS[request.url.port]
        if service in self.down:
            raise httpx.ConnectError("connection refused", request=request)
        found = self.answers.get((request.method, service, request.url.path), self.otherwise)
        if isinstance(found, Exception):
            raise found
        return found


def access_token(roles: tuple[str, ...] = ("holder",)) -> str:
    """A token shaped like identity's (the portal reads only its roles, to choose the menu)."""
    claims = base64.urlsafe_b64encode(
        json.dumps({"sub": "a1", "roles": list(roles)}).encode()
    ).decode()
    return f"header.{claims.rstrip('=')}.signature"


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)


@pytest.fixture
def services() -> Services:
    return Services()


@pytest.fixture
def portal(services: Services) -> TestClient:
    """A browser on the portal, not signed in; it does not follow redirects, so tests see them."""
    app = create_http_app(bootstrap(SETTINGS, httpx.MockTransport(services)))
    return TestClient(app, follow_redirects=False)  # no lifespan: the portal needs none


@pytest.fixture
def signed_in(portal: TestClient) -> TestClient:
    portal.cookies.set("ipp_session", access_token())
    return portal
