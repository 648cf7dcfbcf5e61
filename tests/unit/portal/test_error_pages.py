"""Whatever a service answers (or fails to), the portal shows a page a person understands, never a
500: sign in again, not found, temporarily unavailable, or an error page in the portal's layout."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from services.portal.domain import i18n
from tests.unit.portal.conftest import Services, csrf_of, failure

COMPLAINT = "0b6e1d5a-6f1e-4c49-9d8e-3f0a8c1d2e4f"
PAGES = [
    "/",
    "/identity",
    "/rights",
    f"/rights/{COMPLAINT}",
    "/rights/new",
    "/complaints",
    f"/complaints/{COMPLAINT}",
    "/reviews",
    "/email",
]


def text(lang: str, key: str) -> str:
    return i18n.t(lang, key)


def is_portal_page(response: httpx.Response, lang: str = "zh-CN") -> bool:
    """A whole HTML page in the portal's layout (its header and language), not a bare error."""
    page = response.text
    return (
        response.headers["content-type"].startswith("text/html")
        and f'<html lang="{lang}">' in page
        and text(lang, "site") in page
        and "Internal Server Error" not in page
    )


@pytest.mark.parametrize("path", PAGES)
def test_a_lapsed_session_goes_back_to_sign_in(
    signed_in: TestClient, services: Services, path: str
):
    services.otherwise = failure(
        401, "INVALID_TOKEN"
    )  # expired, revoked or forged: every service says so
    response = signed_in.get(path)
    assert response.status_code == 303
    assert response.headers["location"].split("?")[0] == "/signin"
    cleared = [c for c in response.headers.get_list("set-cookie") if c.startswith("ipp_session=")]
    assert cleared and ("Max-Age=0" in cleared[0] or "expires=Thu, 01 Jan 1970" in cleared[0])


def test_sign_in_returns_to_the_page_the_lapsed_session_asked_for(
    signed_in: TestClient, services: Services
):
    services.otherwise = failure(401, "INVALID_TOKEN")
    response = signed_in.get("/reviews?right=20")
    assert response.headers["location"] == "/signin?next=%2Freviews%3Fright%3D20"
    assert signed_in.get("/").headers["location"] == "/signin"  # home needs no `next`


def test_a_form_sent_with_a_lapsed_session_goes_back_to_sign_in_without_next(
    signed_in: TestClient, services: Services
):
    services.otherwise = failure(401, "INVALID_TOKEN")
    csrf = csrf_of(signed_in.get("/signin").text)
    response = signed_in.post(f"/complaints/{COMPLAINT}/withdraw", data={"csrf": csrf})
    assert response.status_code == 303 and response.headers["location"] == "/signin"


@pytest.mark.parametrize(
    ("lang", "back"), [("zh-CN", "返回：投诉维权-我的投诉"), ("en", "Back to: My complaints")]
)
def test_someone_elses_complaint_is_not_found(
    signed_in: TestClient, services: Services, lang: str, back: str
):
    services.answer(
        "GET", "complaints", f"/v1/complaints/{COMPLAINT}", failure(404, "COMPLAINT_NOT_FOUND")
    )
    signed_in.cookies.set("lang", lang)
    response = signed_in.get(f"/complaints/{COMPLAINT}")
    assert response.status_code == 404 and is_portal_page(response, lang)
    assert (
        text(lang, "not_found_title") in response.text
        and text(lang, "not_found_text") in response.text
    )
    assert 'href="/complaints"' in response.text and back in response.text
    assert COMPLAINT not in response.text.replace(
        f"next=/complaints/{COMPLAINT}", ""
    )  # nothing about it


def test_someone_elses_right_and_nobodys_look_the_same(signed_in: TestClient, services: Services):
    services.answer("GET", "rights", f"/v1/rights/{COMPLAINT}", failure(404, "RIGHT_NOT_FOUND"))
    others = signed_in.get(f"/rights/{COMPLAINT}")
    nobodys = signed_in.get("/rights/no-such-right")
    assert others.status_code == nobodys.status_code == 404
    assert others.text.replace(COMPLAINT, "") == nobodys.text.replace("no-such-right", "")


def test_a_page_for_a_role_the_account_lacks_is_a_403_page(
    signed_in: TestClient, services: Services
):
    services.answer("GET", "rights", f"/v1/rights/{COMPLAINT}", failure(403, "FORBIDDEN"))
    response = signed_in.get(f"/rights/{COMPLAINT}")
    assert response.status_code == 403 and is_portal_page(response)
    assert (
        text("zh-CN", "forbidden_text") in response.text
        and 'id="error-back" href="/"' in response.text
    )


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_an_unknown_url_is_the_not_found_page(portal: TestClient, lang: str):
    portal.cookies.set("lang", lang)
    response = portal.get("/no/such/page")
    assert response.status_code == 404 and is_portal_page(response, lang)
    assert text(lang, "not_found_title") in response.text


@pytest.mark.parametrize(
    "outage",
    [
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("timed out"),
        failure(503, "SERVICE_UNAVAILABLE"),
        failure(500, "INTERNAL_ERROR"),
        httpx.Response(502, text="Bad Gateway"),
    ],
)
def test_a_service_that_cannot_answer_shows_the_unavailable_page(
    signed_in: TestClient, services: Services, outage: httpx.Response | Exception
):
    services.answer("GET", "complaints", "/v1/complaints", outage)
    response = signed_in.get("/complaints")
    assert response.status_code == 503 and is_portal_page(response)
    assert response.headers["retry-after"].isdigit()
    assert (
        text("zh-CN", "unavailable_title") in response.text
        and text("zh-CN", "unavailable_text") in response.text
    )
    assert 'id="error-retry" href="/complaints"' in response.text


def test_other_pages_keep_working_while_a_service_is_down(
    signed_in: TestClient, services: Services
):
    services.down.add("complaints")
    services.answer("GET", "rights", "/v1/rights", [])
    assert signed_in.get("/complaints").status_code == 503
    shown = signed_in.get("/rights")
    assert shown.status_code == 200 and text("zh-CN", "nav_rights") in shown.text


def test_a_form_whose_service_is_down_shows_the_unavailable_page(
    portal: TestClient, services: Services
):
    services.down.add("identity")
    csrf = csrf_of(portal.get("/signin").text)
    response = portal.post(
        "/signin/password", data={"csrf": csrf, "login": "13000000000", "password": "x"}
    )
    assert response.status_code == 503 and "retry-after" in response.headers
    assert 'id="error-retry"' not in response.text  # a form is not sent again by a link


def test_an_unexpected_error_is_a_500_page_and_logged(signed_in: TestClient, services: Services):
    services.answer("GET", "identity", "/v1/me", {})  # an answer the page cannot use: a bug to log
    with capture_logs() as logs:
        response = signed_in.get("/")
    assert response.status_code == 500 and is_portal_page(response)
    assert text("zh-CN", "broken_text") in response.text
    logged = [e for e in logs if e["event"] == "portal.page_failed"]
    assert (
        logged
        and logged[0]["log_level"] == "error"
        and logged[0]["exc_info"]
        and logged[0]["path"] == "/"
    )


def test_a_form_keeps_showing_its_field_errors(portal: TestClient, services: Services):
    services.answer("POST", "identity", "/v1/sessions", failure(401, "INVALID_CREDENTIALS"))
    services.answer("POST", "identity", "/v1/accounts", failure(409, "PHONE_ALREADY_REGISTERED"))
    csrf = csrf_of(portal.get("/signin").text)
    wrong = portal.post(
        "/signin/password", data={"csrf": csrf, "login": "13000000000", "password": "x"}
    )
    assert wrong.status_code == 400 and i18n.error("zh-CN", "INVALID_CREDENTIALS") in wrong.text
    taken = portal.post(
        "/register",
        data={
            "csrf": csrf,
            "phone": "13000000000",
            "sms_code": "000000",
            "password": "correct horse battery",
        },
    )
    assert (
        taken.status_code == 400 and i18n.error("zh-CN", "PHONE_ALREADY_REGISTERED") in taken.text
    )
    assert 'id="e-phone"' in taken.text


def test_a_stale_form_is_an_expired_page(portal: TestClient):
    portal.get("/signin")
    response = portal.post(
        "/signin/password", data={"csrf": "stale", "login": "x", "password": "y"}
    )
    assert response.status_code == 403 and is_portal_page(response)
    assert text("zh-CN", "csrf_failed") in response.text


def test_a_form_sent_without_its_fields_is_an_incomplete_page(portal: TestClient):
    csrf = csrf_of(portal.get("/signin").text)
    response = portal.post("/signin/password", data={"csrf": csrf})
    assert response.status_code == 400 and is_portal_page(response)
    assert text("zh-CN", "incomplete_text") in response.text
