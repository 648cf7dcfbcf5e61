"""Identity journeys on the real processes: QR sign-in, and email binding through
the notifier and SMTP.

Manual review through the reviewer API is not here: this platform runs IPP_REVIEW_MODE=auto, so no
task ever waits for a reviewer (tests/unit/review covers the reviewer routes).
"""

from __future__ import annotations

import re
import time

import httpx
import pytest

from deploy.client import ApiFailure, Client
from tests.e2e.people import USED_NUMBERS, _serial


def signed_in(platform) -> Client:
    """A fresh account (the marketplace app's, already signed in)."""
    n = next(_serial)
    phone = f"137{n:08d}"
    USED_NUMBERS.append(phone)
    client = platform.client()
    client.register(phone, "correct horse battery")
    return client


def test_qr_sign_in_hands_the_page_one_session_for_the_account_that_confirmed(platform):
    app = signed_in(platform)
    me = app.call("GET", f"{app.urls.identity}/v1/me")
    page = platform.client()  # the web page: not signed in
    ticket = page.call("POST", f"{page.urls.identity}/v1/qr-logins", expect=201)
    assert ticket["ticket"] in ticket["qr_payload"] and ticket["expires_at"]

    image = httpx.get(f"{page.urls.identity}/v1/qr-logins/{ticket['ticket']}/image", timeout=10)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG\r\n\x1a\n")
    poll = f"{page.urls.identity}/v1/qr-logins/{ticket['ticket']}"
    waiting = page.call("GET", poll)
    assert waiting["status"] == "pending" and "access_token" not in waiting

    app.call("POST", f"{app.urls.identity}/v1/qr-logins/{ticket['ticket']}/confirm")

    copied = platform.client().call(
        "GET", poll
    )  # whoever saw the QR has the ticket, not the browser's secret
    assert copied["status"] == "confirmed" and "access_token" not in copied
    browser = {"X-IPP-Browser-Secret": ticket["browser_secret"]}
    signed = page.call("GET", poll, headers=browser)
    assert signed["status"] == "confirmed" and signed["access_token"]
    page.token = signed["access_token"]
    assert page.call("GET", f"{page.urls.identity}/v1/me")["account_id"] == me["account_id"]
    again = page.call("GET", poll, headers=browser)
    assert "access_token" not in again, "a ticket hands out its session once"
    with pytest.raises(ApiFailure):  # and cannot be confirmed a second time
        app.call("POST", f"{app.urls.identity}/v1/qr-logins/{ticket['ticket']}/confirm")


def emails_to(platform, address: str) -> list:
    return [m for m in platform.smtp.messages() if address in m["To"]]


def test_an_email_is_bound_with_the_code_the_notifier_mailed_and_then_never_changes(platform):
    client = signed_in(platform)
    address = f"qr-{next(_serial)}@example.com"
    client.call(
        "POST",
        f"{client.urls.identity}/v1/me/email/verification",
        json={"email": address},
        expect=202,
    )

    deadline = time.monotonic() + 60
    while not emails_to(platform, address) and time.monotonic() < deadline:
        time.sleep(0.2)
    [mail] = emails_to(platform, address)
    text = f"{mail['Subject']}\n{mail.get_body(('plain',)).get_content()}"
    codes = set(re.findall(r"(?<!\d)(\d{6})(?!\d)", text))
    assert len(codes) == 1, f"one 6-digit code in the mail, found {codes}"
    [code] = codes
    assert code != "000000", "the mailed code is the real one, not the development code"

    wrong = client.http.put(
        f"{client.urls.identity}/v1/me/email",
        json={"email": address, "code": "12345a"},
        headers={"Authorization": f"Bearer {client.token}"},
    )
    assert wrong.status_code == 422
    client.call("PUT", f"{client.urls.identity}/v1/me/email", json={"email": address, "code": code})
    assert client.call("GET", f"{client.urls.identity}/v1/me")["email"] == address

    for attempt in (
        lambda: client.call(
            "PUT", f"{client.urls.identity}/v1/me/email", json={"email": address, "code": code}
        ),
        lambda: client.call(
            "PUT",
            f"{client.urls.identity}/v1/me/email",
            json={"email": f"other-{address}", "code": "000000"},
        ),
        lambda: client.call(
            "POST",
            f"{client.urls.identity}/v1/me/email/verification",
            json={"email": f"other-{address}"},
        ),
    ):
        with pytest.raises(ApiFailure) as failure:
            attempt()
        assert (failure.value.response.status_code, failure.value.code) == (
            409,
            "EMAIL_ALREADY_BOUND",
        )
    assert client.call("GET", f"{client.urls.identity}/v1/me")["email"] == address
