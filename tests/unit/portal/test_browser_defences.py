"""What the portal tells browsers to refuse: no inline script or style anywhere (so injected markup
cannot run), no framing by another site (the reviewer console's forms cannot be clickjacked), HSTS
when the browser came over TLS; on every answer: pages, error pages, redirects, JSON and files."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from services.portal.adapters.assets import ASSETS
from services.portal.main import bootstrap
from shared.kit.http.app import create_http_app
from shared.kit.settings import Settings
from tests.unit.portal.conftest import Services, access_token, failure
from tests.unit.portal.test_review_console import console

TEMPLATES = sorted((Path(__file__).parents[3] / "services" / "portal" / "templates").glob("*.html"))
BLOB = "ab" * 32
REVIEW = "00000000-0000-0000-0000-000000000001"


def local(url: str | None) -> bool:
    """A static file of the portal's own: its URL, or in a template's source the
    `asset()` that writes it."""
    return (url or "").startswith(("/static/", "{{ asset("))


class InlineCode(HTMLParser):
    """Everything in a page the CSP would refuse to run: <script> with code, <style>, style="",
    on…="", javascript: URLs, and scripts or styles from another site."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script":
            self.in_script = True
            if not local(named.get("src")):
                self.found.append(f"<script src={named.get('src')!r}>")
        if tag == "style":
            self.found.append("<style>")
        if tag == "link" and named.get("rel") == "stylesheet" and not local(named.get("href")):
            self.found.append(f"<link href={named.get('href')!r}>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction", "data") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.found.append(f"inline script {data.strip()[:40]!r}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def test_the_checker_sees_inline_code():  # so that the tests below can fail
    assert inline_code(
        '<script>alert(1)</script><p style="x" onclick="y"><a href="javascript:z">'
    ) == [
        "<script src=None>",
        "inline script 'alert(1)'",
        "<p style=…>",
        "<p onclick=…>",
        "<a href=javascript:…>",
    ]
    assert (
        inline_code(
            '<script src="/static/qr.js"></script><link rel="stylesheet" href="/static/portal.css">'
        )
        == []
    )


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_no_template_has_inline_script_style_or_handlers(template: Path):
    assert inline_code(template.read_text()) == []


def pages(services: Services, portal: TestClient) -> dict[str, str]:
    """Every kind of page the portal renders, as a browser gets it."""
    services.answer(
        "POST",
        "identity",
        "/v1/qr-logins",
        httpx.Response(
            201,
            json={
                "ticket": "T" * 32,
                "qr_payload": "ipp://qr-login?ticket=" + "T" * 32,
                "expires_at": "2026-12-02T10:00:00Z",
                "browser_secret": "s" * 43,
            },
        ),
    )
    shown = {
        path: portal.get(path).text
        for path in ("/signin", "/signin?method=sms", "/register", "/signin/qr", "/no-such-page")
    }
    portal.cookies.set("ipp_session", access_token())
    services.answer(
        "GET",
        "identity",
        "/v1/me",
        {"account_id": "a1", "roles": ["holder"], "email": None, "phone_masked": "130****0000"},
    )
    services.answer("GET", "identity", "/v1/identities", [])
    services.answer("GET", "rights", "/v1/rights", [])
    services.answer("GET", "complaints", "/v1/complaints", [])
    for path in (
        "/email",
        "/identity",
        "/identity?role=agent&kind=enterprise",
        "/rights",
        "/rights/new",
        "/complaints",
    ):
        shown[path] = portal.get(path).text
    services.down.add("identity")
    shown["503"] = portal.get("/email").text
    shown["console"] = console(0, 3)  # the reviewer console with images and PDFs previewed
    return shown


def test_no_page_the_portal_renders_has_inline_code(services: Services, portal: TestClient):
    rendered = pages(services, portal)
    assert all("<html" in page or name == "console" for name, page in rendered.items())
    assert {name: inline_code(page) for name, page in rendered.items() if inline_code(page)} == {}
    assert '<script src="/static/qr.js?v=' in rendered["/signin/qr"]
    assert (
        "<iframe" in rendered["console"] and "<object" not in rendered["console"]
    )  # object-src 'none'


def test_the_static_files_the_pages_link_are_served(portal: TestClient):
    for name, found in ASSETS.items():
        response = portal.get(f"/static/{name}", params={"v": found.version})
        assert response.status_code == 200 and response.content == found.content
        assert response.headers["content-type"].split(";")[0] in ("text/css", "text/javascript")
        assert "immutable" in response.headers["cache-control"]
    assert (
        portal.get("/static/portal.css", params={"v": "old"}).headers["cache-control"] == "no-cache"
    )
    assert portal.get("/static/..%2Fweb.py").status_code == 404
    assert portal.get("/static/nothing.js").status_code == 404


def assert_page_headers(response: httpx.Response) -> None:
    policy = dict(
        part.strip().split(" ", 1)
        for part in response.headers["content-security-policy"].split(";")
    )
    assert (
        policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    )  # no 'unsafe-inline'
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert (
        policy["base-uri"] == "'none'"
        and policy["form-action"] == "'self'"
        and policy["default-src"] == "'self'"
    )
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response.headers["permissions-policy"]
    assert (
        "strict-transport-security" not in response.headers
    )  # plain HTTP here: HSTS would mean nothing


def test_every_kind_of_answer_carries_the_headers(services: Services, portal: TestClient):
    answers = {
        "page": portal.get("/signin"),
        "not found": portal.get("/no-such-page"),
        "redirect": portal.get("/"),  # not signed in: to the sign-in page
        "forged form": portal.post("/signout", data={"csrf": "forged"}),
        "json": portal.get("/qr/" + "T" * 32 + "/status"),
        "static": portal.get("/static/portal.css"),
    }
    portal.cookies.set("ipp_session", access_token(("reviewer",)))
    services.down.add("identity")
    answers["unavailable"] = portal.get("/email")
    assert [(name, r.status_code) for name, r in answers.items()] == [
        ("page", 200),
        ("not found", 404),
        ("redirect", 303),
        ("forged form", 403),
        ("json", 404),
        ("static", 200),
        ("unavailable", 503),
    ]
    for response in answers.values():
        assert_page_headers(response)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, content=b"%PDF-1.4", headers={"content-type": "application/pdf"}),
        failure(404, "DOCUMENT_NOT_FOUND"),
        failure(500, "INTERNAL_ERROR"),
    ],
)
def test_a_document_may_be_framed_by_the_portal_only(
    signed_in: TestClient, services: Services, answer
):
    """The console shows PDFs in a frame: those answers allow this site to frame
    them, no other site."""
    services.answer("GET", "rights", f"/v1/reviews/{REVIEW}/documents/{BLOB}", answer)
    response = signed_in.get(f"/reviews/right/{REVIEW}/documents/{BLOB}")
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert (
        response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'self'"
    )
    assert response.headers["x-content-type-options"] == "nosniff"


def portal_at(
    services: Services,
    base_url: str = "http://testserver",
    peer: str = "testclient",
    trusted: str = "",
) -> TestClient:
    settings = Settings(service="portal", env="test", trusted_proxies=trusted)
    app = create_http_app(bootstrap(settings, httpx.MockTransport(services)))
    return TestClient(app, base_url=base_url, follow_redirects=False, client=(peer, 50000))


@pytest.mark.parametrize(
    ("base_url", "peer", "trusted", "forwarded", "hsts"),
    [
        ("https://testserver", "203.0.113.9", "", None, True),  # TLS straight to the portal
        (
            "http://testserver",
            "10.0.0.5",
            "10.0.0.0/8",
            "https",
            True,
        ),  # the balancer took TLS and says so
        ("http://testserver", "10.0.0.5", "10.0.0.0/8", "https, https", True),
        ("http://testserver", "10.0.0.5", "10.0.0.0/8", "http", False),
        (
            "http://testserver",
            "10.0.0.5",
            "10.0.0.0/8",
            "https, http",
            False,
        ),  # the browser wrote the first one
        (
            "http://testserver",
            "203.0.113.9",
            "10.0.0.0/8",
            "https",
            False,
        ),  # anybody's claim: not believed
        ("http://testserver", "203.0.113.9", "", None, False),
    ],
)
def test_hsts_only_when_the_browser_came_over_tls(
    services: Services, base_url, peer, trusted, forwarded, hsts
):
    client = portal_at(services, base_url, peer, trusted)
    headers = {"X-Forwarded-Proto": forwarded} if forwarded else {}
    for response in (
        client.get("/signin", headers=headers),
        client.get("/nothing", headers=headers),
    ):
        assert ("max-age=31536000" in response.headers.get("strict-transport-security", "")) is hsts
