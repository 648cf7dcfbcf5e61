"""QR sign-in: the page opens a ticket, the signed-in app confirms it, the page gets a session once."""

import jwt


def open_ticket(identity) -> dict:
    response = identity.http.post("/v1/qr-logins")
    assert response.status_code == 201
    return response.json()


def test_a_confirmed_ticket_signs_the_page_in_as_the_confirming_account(identity):
    app_auth = identity.register("13800138101")
    ticket = open_ticket(identity)
    assert ticket["ticket"] in ticket["qr_payload"] and ticket["expires_at"].endswith("Z")
    assert identity.http.get(f"/v1/qr-logins/{ticket['ticket']}").json() == {"status": "pending"}

    confirmed = identity.http.post(f"/v1/qr-logins/{ticket['ticket']}/confirm", headers=app_auth)
    page = identity.http.get(f"/v1/qr-logins/{ticket['ticket']}").json()

    assert confirmed.status_code == 200
    assert page["status"] == "confirmed" and page["token_type"] == "bearer"
    me = identity.http.get("/v1/me", headers={"Authorization": f"Bearer {page['access_token']}"}).json()
    assert me["account_id"] == jwt.decode(app_auth["Authorization"][7:], options={"verify_signature": False})["sub"]


def test_the_session_of_a_ticket_is_handed_out_only_once(identity):
    app_auth = identity.register("13800138102")
    ticket = open_ticket(identity)["ticket"]
    identity.http.post(f"/v1/qr-logins/{ticket}/confirm", headers=app_auth)
    assert "access_token" in identity.http.get(f"/v1/qr-logins/{ticket}").json()
    assert identity.http.get(f"/v1/qr-logins/{ticket}").json() == {"status": "confirmed"}


def test_a_ticket_can_be_confirmed_only_once(identity):
    ticket = open_ticket(identity)["ticket"]
    identity.http.post(f"/v1/qr-logins/{ticket}/confirm", headers=identity.register("13800138103"))
    again = identity.http.post(f"/v1/qr-logins/{ticket}/confirm", headers=identity.register("13800138104"))
    assert (again.status_code, again.json()["error"]["code"]) == (409, "QR_LOGIN_ALREADY_USED")


def test_a_ticket_expires_after_two_minutes(identity):
    app_auth = identity.register("13800138105")
    ticket = open_ticket(identity)["ticket"]
    identity.clock.advance(121)
    assert identity.http.get(f"/v1/qr-logins/{ticket}").json() == {"status": "expired"}
    late = identity.http.post(f"/v1/qr-logins/{ticket}/confirm", headers=app_auth)
    assert (late.status_code, late.json()["error"]["code"]) == (410, "QR_LOGIN_EXPIRED")


def test_a_confirmed_ticket_not_collected_in_time_expires_without_a_session(identity):
    ticket = open_ticket(identity)["ticket"]
    identity.http.post(f"/v1/qr-logins/{ticket}/confirm", headers=identity.register("13800138106"))
    identity.clock.advance(121)
    assert identity.http.get(f"/v1/qr-logins/{ticket}").json() == {"status": "expired"}


def test_confirming_needs_a_signed_in_app(identity):
    ticket = open_ticket(identity)["ticket"]
    response = identity.http.post(f"/v1/qr-logins/{ticket}/confirm")
    assert (response.status_code, response.json()["error"]["code"]) == (401, "UNAUTHENTICATED")


def test_an_unknown_ticket_is_not_found(identity):
    unknown, app_auth = "/v1/qr-logins/" + "a" * 32, identity.register("13800138107")
    for response in (identity.http.get(unknown), identity.http.post(f"{unknown}/confirm", headers=app_auth),
                     identity.http.get(f"{unknown}/image")):
        assert (response.status_code, response.json()["error"]["code"]) == (404, "QR_LOGIN_NOT_FOUND")


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
