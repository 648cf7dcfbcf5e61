"""Uploaded documents answer short text errors with the right status (they sit in an img or
iframe), never a 500; and signing in returns to the page that was asked for, but only to a
page on this site."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from services.portal.domain import i18n
from services.portal.entrypoints.web import safe_next
from tests.unit.portal.conftest import Services, access_token, csrf_of, failure

BLOB = "ab" * 32
REVIEW = "00000000-0000-0000-0000-000000000001"
DOCUMENT = f"/reviews/right/{REVIEW}/documents/{BLOB}"


@pytest.mark.parametrize(
    ("answer", "status", "code"),
    [
        (
            failure(404, "DOCUMENT_NOT_FOUND"),
            404,
            "DOCUMENT_NOT_FOUND",
        ),  # another task's, or no such document
        (failure(403, "FORBIDDEN"), 403, "FORBIDDEN"),  # a holder is no reviewer
        (failure(500, "INTERNAL_ERROR"), 503, "SERVICE_UNAVAILABLE"),
        (httpx.ConnectError("connection refused"), 503, "SERVICE_UNAVAILABLE"),
    ],
)
def test_a_document_that_cannot_be_shown_is_short_text_with_its_status(
    signed_in: TestClient,
    services: Services,
    answer: httpx.Response | Exception,
    status: int,
    code: str,
):
    services.answer("GET", "rights", f"/v1/reviews/{REVIEW}/documents/{BLOB}", answer)
    response = signed_in.get(DOCUMENT)
    assert response.status_code == status and response.headers["content-type"].startswith(
        "text/plain"
    )
    assert response.text == i18n.error("zh-CN", code)
    assert (status == 503) == ("retry-after" in response.headers)


def test_an_own_file_of_a_lapsed_session_goes_back_to_sign_in(
    signed_in: TestClient, services: Services
):
    services.otherwise = failure(401, "INVALID_TOKEN")
    response = signed_in.get(f"/files/identity/{BLOB}")
    assert (
        response.status_code == 303
        and response.headers["location"] == f"/signin?next=%2Ffiles%2Fidentity%2F{BLOB}"
    )


def test_a_document_is_passed_through_as_the_service_sniffed_it(
    signed_in: TestClient, services: Services
):
    services.answer(
        "GET",
        "identity",
        f"/v1/files/{BLOB}",
        httpx.Response(200, content=b"%PDF-1.4", headers={"content-type": "application/pdf"}),
    )
    response = signed_in.get(f"/files/identity/{BLOB}")
    assert response.status_code == 200 and response.content == b"%PDF-1.4"
    assert response.headers["content-type"] == "application/pdf"


@pytest.mark.parametrize(
    "elsewhere",
    [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "",
        "complaints",
    ],
)
def test_signing_in_never_goes_to_another_site(elsewhere: str):
    assert safe_next(elsewhere) == "/"


def test_signing_in_returns_to_the_page_asked_for(portal: TestClient, services: Services):
    services.answer(
        "POST", "identity", "/v1/sessions", {"access_token": access_token(), "expires_in": 3600}
    )
    page = portal.get("/signin", params={"next": "/complaints/c1?x=1"}).text
    assert '<input type="hidden" name="next" value="/complaints/c1?x=1">' in page
    assert 'href="/signin?method=sms&amp;next=/complaints/c1%3Fx%3D1"' in page
    signed = portal.post(
        "/signin/password",
        data={
            "csrf": csrf_of(page),
            "login": "13000000000",
            "password": "correct horse battery",
            "next": "/complaints/c1?x=1",
        },
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/complaints/c1?x=1"
    assert "ipp_session=" in signed.headers["set-cookie"]


def test_a_next_to_another_site_signs_in_to_the_home_page(portal: TestClient, services: Services):
    services.answer(
        "POST", "identity", "/v1/sessions", {"access_token": access_token(), "expires_in": 3600}
    )
    page = portal.get("/signin", params={"next": "//evil.example"}).text
    assert "evil.example" not in page
    signed = portal.post(
        "/signin/password",
        data={
            "csrf": csrf_of(page),
            "login": "13000000000",
            "password": "correct horse battery",
            "next": "//evil.example",
        },
    )
    assert signed.headers["location"] == "/"


def test_the_language_switch_stays_on_this_site(portal: TestClient):
    assert portal.get("/lang/en", params={"next": "//evil.example"}).headers["location"] == "/"
    assert portal.get("/lang/en", params={"next": "/rights"}).headers["location"] == "/rights"
