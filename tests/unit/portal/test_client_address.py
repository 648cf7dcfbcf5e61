"""The portal tells identity which browser it calls for (X-Forwarded-For), so every visitor has a
budget of sign-in attempts and SMS codes of their own; and a visitor cannot pick their address by
sending that header themselves."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from services.portal.main import bootstrap
from shared.kit.clients import client_address, trusted_networks
from shared.kit.http.app import create_http_app
from shared.kit.settings import Settings
from tests.unit.portal.conftest import Services, access_token, csrf_of

BROWSER = "198.51.100.23"


def request_from(peer: str | None, *forwarded: str) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return Request({"type": "http", "headers": headers, "client": (peer, 4000) if peer else None})


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        (
            "203.0.113.9",
            ["1.2.3.4"],
            "",
            "203.0.113.9",
        ),  # nobody is trusted: the header is anybody's claim
        ("203.0.113.9", ["1.2.3.4"], "127.0.0.1", "203.0.113.9"),  # the peer is no trusted proxy
        ("127.0.0.1", [BROWSER], "127.0.0.1", BROWSER),  # the portal says whom it calls for
        ("127.0.0.1", [], "127.0.0.1", "127.0.0.1"),  # the portal on its own account
        # a balancer (10.0.0.0/8) appended the address it saw; what the browser wrote
        # to the left is ignored
        ("10.1.2.3", [f"6.6.6.6, {BROWSER}"], "10.0.0.0/8", BROWSER),
        (
            "10.1.2.3",
            ["6.6.6.6", f"{BROWSER}, 10.9.9.9"],
            "10.0.0.0/8",
            BROWSER,
        ),  # two headers, two proxies
        ("10.1.2.3", ["10.7.7.7, 10.8.8.8"], "10.0.0.0/8", "10.7.7.7"),  # all trusted: the farthest
        (
            "10.1.2.3",
            [f"{BROWSER}, not-an-address"],
            "10.0.0.0/8",
            "10.1.2.3",
        ),  # junk: no further than the proxy
        ("10.1.2.3", [f"{BROWSER}:51234"], "10.0.0.0/8", BROWSER),
        ("::ffff:127.0.0.1", ["[2001:db8::7]:443"], "127.0.0.1", "2001:db8::7"),
        ("2001:db8::1", ["2001:db8::2"], "2001:db8::/64", "2001:db8::2"),
        (None, ["1.2.3.4"], "127.0.0.1", ""),
    ],
)
def test_the_client_address_believes_x_forwarded_for_only_from_trusted_proxies(
    peer, forwarded, trusted, expected
):
    assert client_address(request_from(peer, *forwarded), trusted) == expected


def test_a_mistyped_trusted_proxy_refuses_to_start():
    with pytest.raises(ValueError, match=r"10\.0\.0\.0/33"):
        trusted_networks("127.0.0.1, 10.0.0.0/33")
    with pytest.raises(ValueError):
        Settings(service="portal", trusted_proxies="localhost")


def test_identity_alone_can_be_told_to_trust_the_portal(monkeypatch):
    monkeypatch.setenv("IPP_IDENTITY_TRUSTED_PROXIES", "127.0.0.1")
    assert Settings(service="identity").trusted_proxies == "127.0.0.1"
    assert Settings(service="portal").trusted_proxies == ""


class Recorder(Services):
    """The fake services, also keeping every request the portal made."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return super().__call__(request)


def browser(services: Services, peer: str, trusted: str = "") -> TestClient:
    settings = Settings(service="portal", env="test", trusted_proxies=trusted)
    app = create_http_app(bootstrap(settings, httpx.MockTransport(services)))
    return TestClient(app, follow_redirects=False, client=(peer, 50000))


def sign_in(client: TestClient, **headers: str) -> httpx.Response:
    page = client.get("/signin").text
    return client.post(
        "/signin/password",
        headers=headers,
        data={"csrf": csrf_of(page), "login": "13000000000", "password": "correct horse battery"},
    )


def test_the_portal_calls_identity_with_the_browsers_address():
    services = Recorder()
    services.answer(
        "POST", "identity", "/v1/sessions", {"access_token": access_token(), "expires_in": 3600}
    )
    assert sign_in(browser(services, BROWSER)).status_code == 303
    [call] = services.requests
    assert call.headers["x-forwarded-for"] == BROWSER


def test_a_browser_cannot_choose_the_address_identity_is_told():
    services = Recorder()
    client = browser(services, BROWSER)
    for fake in ("127.0.0.1", "1.2.3.4", f"5.6.7.8, {BROWSER}"):
        sign_in(client, **{"X-Forwarded-For": fake})
    assert {r.headers["x-forwarded-for"] for r in services.requests} == {BROWSER}


def test_behind_its_own_balancer_the_portal_passes_on_the_address_the_balancer_saw():
    services = Recorder()
    sign_in(
        browser(services, "10.0.0.5", trusted="10.0.0.0/8"),
        **{"X-Forwarded-For": f"1.2.3.4, {BROWSER}"},
    )
    assert [r.headers["x-forwarded-for"] for r in services.requests] == [BROWSER]


def test_calls_for_a_signed_in_browser_carry_its_address_too():
    services = Recorder()
    client = browser(services, BROWSER)
    client.cookies.set("ipp_session", access_token())
    client.get("/")
    assert services.requests and all(
        r.headers.get("x-forwarded-for") == BROWSER for r in services.requests
    )
