"""The portal's sessions against someone who sees or plants what they should not: a QR code copied
from the screen signs nobody in but the browser that showed it; a session id (and its CSRF token)
planted before sign-in is worthless after; signing out ends the token at identity, and clears the
browser even when identity does not answer."""

from __future__ import annotations

import hmac
from http.cookies import SimpleCookie

import httpx
import pytest
from fastapi.testclient import TestClient

from services.portal.main import bootstrap
from shared.kit.http.app import create_http_app
from tests.unit.portal.conftest import SETTINGS, Services, access_token, csrf_of

TICKET = "T" * 32
SECRET = "browser-secret-only-the-opening-browser-has"
SESSION = {"access_token": access_token(), "token_type": "bearer", "expires_in": 3600}


class Identity(Services):
    """The services, with identity's QR tickets as identity keeps them: the status to anyone with
    the ticket, the session once, and only to a caller that sends the ticket's browser secret."""

    def __init__(self) -> None:
        super().__init__()
        self.confirmed = self.collected = False
        self.requests: list[httpx.Request] = []
        self.answer(
            "POST",
            "identity",
            "/v1/qr-logins",
            httpx.Response(
                201,
                json={
                    "ticket": TICKET,
                    "qr_payload": f"ipp://qr-login?ticket={TICKET}",
                    "expires_at": "2026-12-02T10:00:00Z",
                    "browser_secret": SECRET,
                },
            ),
        )
        self.answer(
            "GET",
            "identity",
            f"/v1/qr-logins/{TICKET}/image",
            httpx.Response(200, content=b"\x89PNG", headers={"content-type": "image/png"}),
        )

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if (
            request.method == "GET"
            and request.url.path == f"/v1/qr-logins/{TICKET}"
            and "identity" not in self.down
        ):
            sent = request.headers.get("x-ipp-browser-secret", "")
            if self.confirmed and not self.collected and hmac.compare_digest(sent, SECRET):
                self.collected = True
                return httpx.Response(200, json={"status": "confirmed", **SESSION})
            return httpx.Response(
                200, json={"status": "confirmed" if self.confirmed else "pending"}
            )
        return super().__call__(request)


@pytest.fixture
def identity() -> Identity:
    return Identity()


def browser(services: Services) -> TestClient:
    """Another browser (its own cookie jar) on the same portal."""
    return TestClient(
        create_http_app(bootstrap(SETTINGS, httpx.MockTransport(services))), follow_redirects=False
    )


def plant(client: TestClient, name: str, value: str) -> None:
    """A cookie in the browser as if the portal (or someone tossing cookies at its
    domain) had set it."""
    client.cookies.set(name, value, domain="testserver.local", path="/")


def cookies_set(response: httpx.Response) -> dict[str, SimpleCookie]:
    found = {}
    for header in response.headers.get_list("set-cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        found.update({name: cookie for name in cookie})
    return found


def signed_in_cookie(response: httpx.Response) -> str | None:
    cookie = cookies_set(response).get("ipp_session")
    return cookie["ipp_session"].value if cookie else None


# -- QR sign-in: bound to the browser that opened the ticket
# ----------------------------------------------


def test_the_qr_cookie_holds_the_browser_secret_never_the_ticket(identity: Identity):
    owner = browser(identity)
    page = owner.get("/signin/qr")
    assert page.status_code == 200 and f"/qr/{TICKET}/status" in page.text
    cookie = cookies_set(page)["ipp_qr"]["ipp_qr"]
    assert cookie.value == SECRET and TICKET not in cookie.value and SECRET not in page.text
    assert (
        cookie["httponly"] and cookie["path"] == f"/qr/{TICKET}"
    )  # only sent to that ticket's URLs


@pytest.mark.parametrize(
    "planted", [None, TICKET, "a-guessed-secret"], ids=["no cookie", "the ticket", "a guess"]
)
def test_a_copied_qr_ticket_signs_in_only_the_browser_that_opened_it(
    identity: Identity, planted: str | None
):
    """QRLJacking: the onlooker knows the ticket (it is in the QR code and the image URL) and
    polls it, with no cookie, with the ticket as the cookie (what used to work) or a guessed one;
    the app then confirms."""
    owner, onlooker = browser(identity), browser(identity)
    owner.get("/signin/qr")
    if planted is not None:
        plant(onlooker, "ipp_qr", planted)
    identity.confirmed = True

    for _ in range(3):
        stolen = onlooker.get(f"/qr/{TICKET}/status")
        assert signed_in_cookie(stolen) is None and "ipp_session" not in onlooker.cookies

    mine = owner.get(f"/qr/{TICKET}/status")
    assert (
        mine.json() == {"status": "confirmed"} and signed_in_cookie(mine) == SESSION["access_token"]
    )
    polled = [r for r in identity.requests if r.url.path == f"/v1/qr-logins/{TICKET}"]
    assert (
        polled[-1].headers["x-ipp-browser-secret"] == SECRET
    )  # the portal proved the owner's browser
    assert all(r.headers.get("x-ipp-browser-secret") != SECRET for r in polled[:-1])


def test_a_signed_in_qr_browser_forgets_the_tickets_secret(identity: Identity):
    owner = browser(identity)
    owner.get("/signin/qr")
    identity.confirmed = True
    done = owner.get(f"/qr/{TICKET}/status")
    cleared = cookies_set(done)["ipp_qr"]["ipp_qr"]
    assert cleared.value == "" and cleared["path"] == f"/qr/{TICKET}"


def test_a_ticket_that_is_not_one_is_not_asked_about(identity: Identity):
    onlooker = browser(identity)
    plant(onlooker, "ipp_qr", SECRET)
    assert onlooker.get("/qr/bad;path=x/status").status_code == 404
    assert not [r for r in identity.requests if "qr-logins" in r.url.path]


# -- a fresh session id at every sign-in
# -------------------------------------------------------------------


def sign_in_by_password(client: TestClient, csrf: str, identity: Identity) -> httpx.Response:
    return client.post(
        "/signin/password",
        data={"csrf": csrf, "login": "13000000000", "password": "correct horse battery"},
    )


def sign_in_by_sms(client: TestClient, csrf: str, identity: Identity) -> httpx.Response:
    return client.post(
        "/signin/sms", data={"csrf": csrf, "phone": "13000000000", "sms_code": "123456"}
    )


def register(client: TestClient, csrf: str, identity: Identity) -> httpx.Response:
    return client.post(
        "/register",
        data={
            "csrf": csrf,
            "phone": "13000000000",
            "sms_code": "123456",
            "password": "correct horse battery",
        },
    )


def sign_in_by_qr(client: TestClient, csrf: str, identity: Identity) -> httpx.Response:
    client.get("/signin/qr")
    identity.confirmed = True  # the app confirms
    return client.get(f"/qr/{TICKET}/status")


@pytest.mark.parametrize("sign_in", [sign_in_by_password, sign_in_by_sms, register, sign_in_by_qr])
def test_every_sign_in_gives_a_fresh_session_id_so_a_planted_csrf_token_is_worthless(
    identity: Identity, sign_in
):
    """Session fixation: someone sets the victim's ipp_sid to one they know (and so knows its CSRF
    token); once the victim signs in, that id and token no longer pass a form."""
    identity.answer("POST", "identity", "/v1/sessions", SESSION)
    identity.answer(
        "POST", "identity", "/v1/accounts", httpx.Response(201, json={"account_id": "a1"})
    )
    victim = browser(identity)
    plant(victim, "ipp_sid", "planted-by-the-attacker")
    planted_csrf = csrf_of(victim.get("/signin").text)  # the attacker can compute the same page

    signed = sign_in(victim, planted_csrf, identity)
    assert signed_in_cookie(signed) == SESSION["access_token"]
    fresh = cookies_set(signed)["ipp_sid"]["ipp_sid"].value
    assert fresh and fresh != "planted-by-the-attacker" and victim.cookies["ipp_sid"] == fresh

    identity.answer(
        "GET", "identity", "/v1/me", {"account_id": "a1", "roles": ["holder"], "email": None}
    )
    forged = victim.post(
        "/email/code", data={"csrf": planted_csrf, "email": "attacker@example.com"}
    )
    assert forged.status_code == 403
    assert not [r for r in identity.requests if r.url.path == "/v1/me/email/verification"]
    own = victim.post(
        "/email/code", data={"csrf": csrf_of(victim.get("/email").text), "email": "me@example.com"}
    )
    assert own.status_code != 403  # the browser's own new token still works


# -- signing out ends the token
# ----------------------------------------------------------------------------


def test_signing_out_revokes_the_token_at_identity_and_clears_the_browser(identity: Identity):
    client = browser(identity)
    plant(client, "ipp_session", SESSION["access_token"])
    old_sid = cookies_set(client.get("/signin"))["ipp_sid"]["ipp_sid"].value
    identity.answer("DELETE", "identity", "/v1/sessions/current", httpx.Response(204))

    out = client.post("/signout", data={"csrf": csrf_of(client.get("/signin").text)})

    [revoked] = [r for r in identity.requests if r.url.path == "/v1/sessions/current"]
    assert (
        revoked.method == "DELETE"
        and revoked.headers["authorization"] == f"Bearer {SESSION['access_token']}"
    )
    assert out.status_code == 303 and out.headers["location"] == "/signin?signed_out=1"
    assert signed_in_cookie(out) == "" and "ipp_session" not in client.cookies
    assert client.cookies["ipp_sid"] != old_sid


@pytest.mark.parametrize(
    "down", [httpx.ConnectError("refused"), httpx.Response(500)], ids=["unreachable", "5xx"]
)
def test_signing_out_clears_the_browser_even_when_identity_does_not_answer(
    identity: Identity, down
):
    client = browser(identity)
    plant(client, "ipp_session", SESSION["access_token"])
    identity.answer("DELETE", "identity", "/v1/sessions/current", down)
    out = client.post("/signout", data={"csrf": csrf_of(client.get("/signin").text)})
    assert out.status_code == 303 and signed_in_cookie(out) == ""
    shown = client.get(out.headers["location"])
    assert (
        shown.status_code == 200 and "您已退出登录。" in shown.text and "/signout" not in shown.text
    )


def test_a_forged_sign_out_from_another_site_is_refused(identity: Identity):
    client = browser(identity)
    plant(client, "ipp_session", SESSION["access_token"])
    client.get("/signin")
    assert client.post("/signout", data={"csrf": "forged"}).status_code == 403
    assert not [r for r in identity.requests if r.url.path == "/v1/sessions/current"]
