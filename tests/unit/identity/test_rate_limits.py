"""Sign-in and code requests are rate-limited in the database, per login or phone and
per client address."""

import pytest

from shared.kit.errors import ServiceError
from tests.unit.identity.conftest import Identity


def sign_in(identity, login: str, password: str):
    return identity.http.post(
        "/v1/sessions", json={"method": "password", "login": login, "password": password}
    )


def test_five_failed_sign_ins_in_fifteen_minutes_block_the_login_with_retry_after(identity):
    identity.register("13800138201", "right-password")
    for _ in range(5):
        assert sign_in(identity, "13800138201", "wrong-password").status_code == 401
    blocked = sign_in(identity, "13800138201", "right-password")
    assert (blocked.status_code, blocked.json()["error"]["code"]) == (429, "TOO_MANY_ATTEMPTS")
    assert 0 < int(blocked.headers["Retry-After"]) <= 900


def test_a_blocked_login_can_sign_in_again_after_the_window(identity):
    identity.register("13800138202", "right-password")
    for _ in range(5):
        sign_in(identity, "13800138202", "wrong-password")
    identity.clock.advance(15 * 60 + 1)
    assert sign_in(identity, "13800138202", "right-password").status_code == 200


def test_a_successful_sign_in_forgets_earlier_failures(identity):
    identity.register("13800138203", "right-password")
    for _ in range(4):
        sign_in(identity, "13800138203", "wrong-password")
    assert sign_in(identity, "13800138203", "right-password").status_code == 200
    for _ in range(4):
        sign_in(identity, "13800138203", "wrong-password")
    assert sign_in(identity, "13800138203", "right-password").status_code == 200


def test_one_client_address_failing_on_many_logins_is_blocked(tmp_path):
    identity = Identity(tmp_path, dev_code=None)
    for n in range(20):
        sign_in(identity, f"1380013{8300 + n}", "wrong-password")
    blocked = sign_in(identity, "13800138399", "whatever")
    assert (blocked.status_code, blocked.json()["error"]["code"]) == (429, "TOO_MANY_ATTEMPTS")


def test_wrong_sms_codes_count_as_failed_sign_ins(identity):
    identity.register("13800138204")
    for _ in range(5):
        response = identity.http.post(
            "/v1/sessions", json={"method": "sms", "phone": "13800138204", "sms_code": "123456"}
        )
        assert response.status_code == 401
    blocked = identity.http.post(
        "/v1/sessions", json={"method": "sms", "phone": "13800138204", "sms_code": "000000"}
    )
    assert blocked.json()["error"]["code"] == "TOO_MANY_ATTEMPTS"


def test_an_sms_code_can_be_requested_once_a_minute_per_phone(identity):
    assert identity.http.post("/v1/sms-codes", json={"phone": "13800138205"}).status_code == 202
    again = identity.http.post("/v1/sms-codes", json={"phone": "13800138205"})
    assert (again.status_code, again.json()["error"]["code"]) == (429, "CODE_REQUESTED_TOO_OFTEN")
    assert 0 < int(again.headers["Retry-After"]) <= 60
    identity.clock.advance(61)
    assert identity.http.post("/v1/sms-codes", json={"phone": "13800138205"}).status_code == 202


def test_one_client_address_may_request_ten_sms_codes_an_hour(tmp_path):
    identity = Identity(tmp_path, dev_code=None)
    for n in range(10):
        assert (
            identity.http.post("/v1/sms-codes", json={"phone": f"1380013{8210 + n}"}).status_code
            == 202
        )
    refused = identity.http.post("/v1/sms-codes", json={"phone": "13800138299"})
    assert refused.json()["error"]["code"] == "CODE_REQUESTED_TOO_OFTEN"


def test_an_email_code_can_be_requested_once_a_minute(identity):
    auth = identity.register("13800138206")
    body = {"email": "a@example.com"}
    assert (
        identity.http.post("/v1/me/email/verification", json=body, headers=auth).status_code == 202
    )
    again = identity.http.post("/v1/me/email/verification", json=body, headers=auth)
    assert (again.status_code, again.json()["error"]["code"]) == (429, "CODE_REQUESTED_TOO_OFTEN")


def test_guessing_email_codes_is_limited_like_sign_ins(identity):
    app = identity.app
    account = app.register("13800138207", "correct horse battery", "000000")
    for _ in range(5):
        with pytest.raises(ServiceError):
            app.bind_email(account, "b@example.com", "999999")
    with pytest.raises(ServiceError) as refused:
        app.bind_email(account, "b@example.com", "000000")
    assert refused.value.code == "TOO_MANY_ATTEMPTS"


def test_a_development_stack_on_loopback_limits_per_phone_only(identity):
    for n in range(11):
        assert (
            identity.http.post("/v1/sms-codes", json={"phone": f"1380013{8220 + n}"}).status_code
            == 202
        )


def test_a_phone_gets_at_most_its_daily_number_of_codes_however_patient_the_sender(tmp_path):
    identity = Identity(tmp_path, sms_codes_per_phone_per_day=3)
    for _ in range(3):
        assert identity.http.post("/v1/sms-codes", json={"phone": "13800138240"}).status_code == 202
        identity.clock.advance(61)  # past the minute between two codes
    refused = identity.http.post("/v1/sms-codes", json={"phone": "+86 138 0013 8240"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (
        429,
        "CODE_REQUESTED_TOO_OFTEN",
    )
    assert 24 * 3600 - 3 * 61 <= int(refused.headers["Retry-After"]) <= 24 * 3600
    assert (
        identity.http.post("/v1/sms-codes", json={"phone": "13800138241"}).status_code == 202
    )  # another phone
    identity.clock.advance(24 * 3600)
    assert identity.http.post("/v1/sms-codes", json={"phone": "13800138240"}).status_code == 202


def test_a_refused_code_request_uses_up_nothing(tmp_path):
    identity = Identity(tmp_path, dev_code=None, sms_codes_per_phone_per_day=2)
    assert identity.http.post("/v1/sms-codes", json={"phone": "13800138242"}).status_code == 202
    for _ in range(5):  # too soon: refused, and not counted against the day
        assert identity.http.post("/v1/sms-codes", json={"phone": "13800138242"}).status_code == 429
    identity.clock.advance(61)
    assert identity.http.post("/v1/sms-codes", json={"phone": "13800138242"}).status_code == 202
