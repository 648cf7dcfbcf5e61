"""QR sign-in: the page opens a ticket, the signed-in app confirms it, the page gets a session once,
and only the browser that opened the ticket (it holds the browser secret) gets it: whoever copies
the ticket from the QR code gets nothing."""

import jwt
import pytest

from services.identity.adapters.read_models import qr_logins


def open_ticket(identity) -> dict:
    response = identity.http.post("/v1/qr-logins")
    assert response.status_code == 201
    return response.json()


def poll(identity, ticket: dict | str, secret: str | None = None) -> dict:
    """What the page's status request answers: by default as the opening browser
    (with its secret)."""
    if isinstance(ticket, dict):
        secret = ticket["browser_secret"] if secret is None else secret
        ticket = ticket["ticket"]
    headers = {"X-IPP-Browser-Secret": secret} if secret else {}
    response = identity.http.get(f"/v1/qr-logins/{ticket}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_confirmed_ticket_signs_the_page_in_as_the_confirming_account(identity):
    app_auth = identity.register("13800138101")
    ticket = open_ticket(identity)
    assert ticket["ticket"] in ticket["qr_payload"] and ticket["expires_at"].endswith("Z")
    assert poll(identity, ticket) == {"status": "pending"}

    confirmed = identity.http.post(f"/v1/qr-logins/{ticket['ticket']}/confirm", headers=app_auth)
    page = poll(identity, ticket)

    assert confirmed.status_code == 200
    assert page["status"] == "confirmed" and page["token_type"] == "bearer"
    me = identity.http.get(
        "/v1/me", headers={"Authorization": f"Bearer {page['access_token']}"}
    ).json()
    assert (
        me["account_id"]
        == jwt.decode(app_auth["Authorization"][7:], options={"verify_signature": False})["sub"]
    )


def test_the_session_of_a_ticket_is_handed_out_only_once(identity):
    app_auth = identity.register("13800138102")
    ticket = open_ticket(identity)
    identity.http.post(f"/v1/qr-logins/{ticket['ticket']}/confirm", headers=app_auth)
    assert "access_token" in poll(identity, ticket)
    assert poll(identity, ticket) == {"status": "confirmed"}


@pytest.mark.parametrize(
    "copier_secret", ["", "a" * 43, "x"], ids=["no secret", "a guessed secret", "junk"]
)
def test_a_copied_ticket_never_yields_a_session_while_the_opening_browser_still_gets_it(
    identity, copier_secret
):
    """QRLJacking: the ticket is in the QR code, so an onlooker has it; polling with it
    follows the status but takes no token, neither before nor after the app confirms, and does
    not use the session up."""
    app_auth = identity.register("13800138108")
    ticket = open_ticket(identity)
    assert poll(identity, ticket["ticket"], copier_secret) == {"status": "pending"}
    identity.http.post(f"/v1/qr-logins/{ticket['ticket']}/confirm", headers=app_auth)

    for _ in range(3):
        assert poll(identity, ticket["ticket"], copier_secret) == {"status": "confirmed"}
    other = open_ticket(
        identity
    )  # another browser's own, real secret does not fit this ticket either
    assert poll(identity, ticket["ticket"], other["browser_secret"]) == {"status": "confirmed"}

    owner = poll(identity, ticket)
    assert owner["status"] == "confirmed" and owner["access_token"]


def test_the_browser_secret_is_kept_only_as_a_hash(identity):
    ticket = open_ticket(identity)
    assert (
        ticket["browser_secret"] not in ticket["qr_payload"] and len(ticket["browser_secret"]) >= 32
    )
    with identity.app.engine.begin() as connection:
        stored = [tuple(row) for row in connection.execute(qr_logins.select())]
    assert stored and not any(
        ticket["browser_secret"] in str(value) or ticket["ticket"] in str(value)
        for row in stored
        for value in row
    )


def test_a_ticket_can_be_confirmed_only_once(identity):
    ticket = open_ticket(identity)["ticket"]
    identity.http.post(f"/v1/qr-logins/{ticket}/confirm", headers=identity.register("13800138103"))
    again = identity.http.post(
        f"/v1/qr-logins/{ticket}/confirm", headers=identity.register("13800138104")
    )
    assert (again.status_code, again.json()["error"]["code"]) == (409, "QR_LOGIN_ALREADY_USED")


def test_a_ticket_expires_after_two_minutes(identity):
    app_auth = identity.register("13800138105")
    ticket = open_ticket(identity)["ticket"]
    identity.clock.advance(121)
    assert poll(identity, ticket) == {"status": "expired"}
    late = identity.http.post(f"/v1/qr-logins/{ticket}/confirm", headers=app_auth)
    assert (late.status_code, late.json()["error"]["code"]) == (410, "QR_LOGIN_EXPIRED")


def test_a_confirmed_ticket_not_collected_in_time_expires_without_a_session(identity):
    ticket = open_ticket(identity)
    identity.http.post(
        f"/v1/qr-logins/{ticket['ticket']}/confirm", headers=identity.register("13800138106")
    )
    identity.clock.advance(121)
    assert poll(identity, ticket) == {"status": "expired"}


def test_confirming_needs_a_signed_in_app(identity):
    ticket = open_ticket(identity)["ticket"]
    response = identity.http.post(f"/v1/qr-logins/{ticket}/confirm")
    assert (response.status_code, response.json()["error"]["code"]) == (401, "UNAUTHENTICATED")


def test_an_unknown_ticket_is_not_found(identity):
    unknown, app_auth = "/v1/qr-logins/" + "a" * 32, identity.register("13800138107")
    for response in (
        identity.http.get(unknown),
        identity.http.post(f"{unknown}/confirm", headers=app_auth),
        identity.http.get(f"{unknown}/image"),
    ):
        assert (response.status_code, response.json()["error"]["code"]) == (
            404,
            "QR_LOGIN_NOT_FOUND",
        )


def test_the_page_shows_a_pending_ticket_as_a_png_qr_code(identity):
    ticket = open_ticket(identity)["ticket"]
    image = identity.http.get(f"/v1/qr-logins/{ticket}/image")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    identity.clock.advance(121)
    assert identity.http.get(f"/v1/qr-logins/{ticket}/image").status_code == 410


def test_tickets_live_in_the_database_so_another_replica_answers(identity):
    from services.identity.application import IdentityApplication

    ticket = open_ticket(identity)["ticket"]
    other_replica = IdentityApplication(identity.settings, clock=identity.clock)
    assert other_replica.qr_logins.status(ticket) == "pending"
