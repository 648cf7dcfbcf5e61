"""In Chromium, against the real portal: another site that frames a portal page (to trick a click on
its forms) gets an empty frame, and markup that slips into a page cannot run script: the CSP refuses
both. A session cookie copied before its owner signed out is worth nothing after: signing out
revokes the token."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import pages
from tests.browser.conftest import CspWatch, Person
from tests.conftest import Platform

# what a bug that let unescaped text into a page would add: inline handlers (and an inline script)
INJECTED = (
    '<img id="injected" src="/nothing.png" onerror="window.pwned = 1">'
    '<a id="link" href="#" onclick="window.pwned = 2">x</a><script>window.pwned = 3</script>'
)


@pytest.fixture
def evil_site(platform: Platform) -> Iterator[str]:
    """Another site (its own origin, on this machine) whose page frames the
    portal's sign-in page."""
    portal = platform.env["IPP_PORTAL_URL"]

    class Bait(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = (
                f'<h1>Win a prize</h1><iframe src="{portal}/signin" width="400" '
                'height="600"></iframe>'
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Bait)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_address[1]}/"
    server.shutdown()


def test_another_site_cannot_frame_a_portal_page(evil_site: str, page: Page, csp: CspWatch) -> None:
    page.goto(evil_site)
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", name="Win a prize")).to_be_visible()
    deadline = (
        time.monotonic() + 10
    )  # Chromium reports the refusal once the portal's answer arrived
    while (
        not any("frame-ancestors" in m for m in csp.seen[page.context])
        and time.monotonic() < deadline
    ):
        page.wait_for_timeout(100)
    refused = csp.expected(page.context)
    assert any("frame-ancestors" in message for message in refused), refused
    [framed] = [frame for frame in page.frames if frame != page.main_frame]
    assert framed.locator("form").count() == 0  # nothing of the portal to click on in the frame


def test_markup_that_slips_into_a_page_runs_no_script(
    platform: Platform, page: Page, csp: CspWatch
) -> None:
    portal = platform.env["IPP_PORTAL_URL"]
    page.goto(f"{portal}/signin")
    page.evaluate(
        "html => document.querySelector('main').insertAdjacentHTML('beforeend', html)", INJECTED
    )
    page.locator("#link").click()
    page.wait_for_function("() => document.getElementById('injected').complete")
    assert page.evaluate("() => window.pwned") is None
    refused = csp.expected(page.context)
    assert any("script-src" in message or "inline" in message for message in refused), refused


def test_a_session_cookie_copied_before_sign_out_is_worthless_after(
    platform: Platform, browser: Browser, page: Page, person: Person
) -> None:
    portal = platform.env["IPP_PORTAL_URL"]
    platform.client().register(person.phone, person.password)
    pages.sign_in(page, portal, person.phone, person.password)
    expect(page).to_have_url(f"{portal}/email")
    [copied] = [
        c for c in page.context.cookies() if c["name"] == "ipp_session"
    ]  # e.g. from a shared computer

    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(f"{portal}/signin?signed_out=1")
    expect(page.get_by_role("status")).to_have_text("您已退出登录。")
    assert not [c for c in page.context.cookies() if c["name"] == "ipp_session"]

    thief = browser.new_context()
    thief.add_cookies([copied])
    stolen = thief.new_page()
    stolen.goto(f"{portal}/email")
    expect(stolen).to_have_url(
        f"{portal}/signin?next=%2Femail"
    )  # identity refuses the revoked token
    thief.close()
