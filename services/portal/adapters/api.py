"""The portal's client of the services' HTTP APIs: one call, errors as ApiFailure
with the stable code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from shared.kit.settings import Settings


class ApiFailure(Exception):
    """A 4xx/5xx (or an unreachable service, 503) from an API, with its stable error
    code and details."""

    def __init__(self, status: int, code: str, details: Any = None) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code
        self.details = details


@dataclass
class Api:
    """Calls identity, rights and complaints on behalf of one browser (its access token, if any, and
    its address: identity limits sign-ins and SMS codes per client address, so it must see the
    browser's, not the portal's)."""

    settings: Settings
    token: str | None = None
    transport: httpx.AsyncBaseTransport | None = None  # the network unless a test passes a fake one
    client_address: str = ""  # the browser's (shared/kit/clients.py), sent as X-Forwarded-For

    def headers(self) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if (
            self.client_address
        ):  # identity believes it because the portal is in its IPP_TRUSTED_PROXIES
            headers["X-Forwarded-For"] = self.client_address
        return headers

    def base(self, service: str) -> str:
        return getattr(self.settings, f"{service}_url")

    async def request(self, method: str, service: str, path: str, **kwargs: Any) -> httpx.Response:
        """The service's response (2xx/3xx); ApiFailure for a 4xx/5xx or an unreachable service."""
        try:
            async with httpx.AsyncClient(timeout=30.0, transport=self.transport) as client:
                response = await client.request(
                    method, self.base(service) + path, headers=self.headers(), **kwargs
                )
        except httpx.HTTPError as exc:
            raise ApiFailure(503, "SERVICE_UNAVAILABLE") from exc
        if response.status_code >= 400:
            raise failure_of(response)
        return response

    async def call(self, method: str, service: str, path: str, **kwargs: Any) -> Any:
        response = await self.request(method, service, path, **kwargs)
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.content

    async def upload(
        self, service: str, name: str, content: bytes, content_type: str | None
    ) -> str:
        """Store one file with the service that will own it; its blob id."""
        files = {"file": (name or "upload", content, content_type or "application/octet-stream")}
        return (await self.call("POST", service, "/v1/files", files=files))["blob_id"]


def failure_of(response: httpx.Response) -> ApiFailure:
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    return ApiFailure(
        response.status_code,
        error.get("code") or f"HTTP_{response.status_code}",
        error.get("details"),
    )


def field_problems(failure: ApiFailure) -> list[tuple[str, str]]:
    """(field, code) for each body field a failure names: a VALIDATION_FAILED's pydantic `loc`
    paths, or the `problems` [{code, field}] a service lists (`details.x` is the form's field x)."""
    details = failure.details
    if isinstance(details, dict) and isinstance(details.get("problems"), list):
        return [
            (str(p.get("field", "")).removeprefix("details."), str(p.get("code") or failure.code))
            for p in details["problems"]
            if isinstance(p, dict)
        ]
    if failure.code != "VALIDATION_FAILED" or not isinstance(details, list):
        return []
    found = []
    for error in details:
        loc = [str(p) for p in (error.get("loc") or []) if p != "body"]
        named = [p for p in loc if not p.isdigit() and p not in ("individual", "enterprise")]
        if named:
            found.append((named[-1], failure.code))
    return found
