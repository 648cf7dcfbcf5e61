"""Sign-out revokes the token: identity refuses it at once, other services once they
have read the feed."""

from __future__ import annotations

import httpx
import jwt
import pytest

from shared.kit.auth import TokenVerifier
from shared.kit.errors import ServiceError
from shared.kit.http import status_of

PASSWORD = "Sturdy-Lantern-47"


def session(identity, phone: str) -> dict:
    response = identity.http.post(
        "/v1/sessions", json={"method": "password", "login": phone, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def signed_in(identity, phone: str) -> dict:
    """A new account's bearer header from a real sign-in (POST /v1/sessions)."""
    identity.register(phone, PASSWORD)
    return session(identity, phone)


def test_a_signed_out_token_no_longer_opens_the_account(identity):
    auth = signed_in(identity, "13800138601")
    assert identity.http.get("/v1/me", headers=auth).status_code == 200
    assert identity.http.delete("/v1/sessions/current", headers=auth).status_code == 204
    response = identity.http.get("/v1/me", headers=auth)
    assert response.status_code == 401 and response.json()["error"]["code"] == "INVALID_TOKEN"
    assert (
        identity.http.delete("/v1/sessions/current", headers=auth).status_code == 204
    )  # twice is fine


def test_signing_out_one_session_leaves_the_others(identity):
    first = signed_in(identity, "13800138602")
    second = session(identity, "13800138602")
    assert identity.http.delete("/v1/sessions/current", headers=first).status_code == 204
    assert identity.http.get("/v1/me", headers=second).status_code == 200


def test_sign_out_needs_a_valid_token(identity):
    assert identity.http.delete("/v1/sessions/current").status_code == 401
    forged = identity.http.delete("/v1/sessions/current", headers={"Authorization": "Bearer a.b.c"})
    assert forged.status_code == 401 and forged.json()["error"]["code"] == "INVALID_TOKEN"


def test_other_services_learn_the_sign_out_from_the_feed(identity):
    auth = signed_in(identity, "13800138603")
    token = auth["Authorization"][7:]
    transport = httpx.MockTransport(
        lambda r: identity.http.request(r.method, r.url.path, params=r.url.params)
    )
    rights = TokenVerifier.of_identity("http://identity.test", transport)
    assert rights.verify(token)
    identity.http.delete("/v1/sessions/current", headers=auth)

    feed = identity.http.get("/v1/revoked-tokens", params={"after": 0}).json()
    jti = jwt.decode(token, options={"verify_signature": False})["jti"]
    assert (
        [row["jti"] for row in feed] == [jti]
        and feed[0]["seq"] >= 1
        and feed[0]["expires_at"].endswith("Z")
    )
    assert identity.http.get("/v1/revoked-tokens", params={"after": feed[0]["seq"]}).json() == []
    rights.revoked.refresh()  # type: ignore[attr-defined]  # what its background loop does every few seconds
    with pytest.raises(ServiceError) as refused:
        rights.verify(token)
    assert (status_of(refused.value), refused.value.code) == (401, "INVALID_TOKEN")


def test_the_feed_refuses_a_bad_cursor(identity):
    response = identity.http.get("/v1/revoked-tokens", params={"after": "-1"})
    assert response.status_code == 422
