"""Accounts, email binding and identity submissions through the HTTP API, with their error codes."""

from datetime import date, timedelta

from structlog.testing import capture_logs

from deploy.client import resident_id
from services.identity.adapters.publication import to_public

AGENCY_CODE = "91330100716105852F"


def code_of(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_a_phone_registers_once(identity):
    identity.register("13800138301")
    again = identity.http.post(
        "/v1/accounts",
        json={"phone": "13800138301", "password": "another horse battery", "sms_code": "000000"},
    )
    assert code_of(again) == (409, "PHONE_ALREADY_REGISTERED")


def test_registration_needs_the_sms_code_and_a_real_phone(identity):
    wrong = identity.http.post(
        "/v1/accounts",
        json={"phone": "13800138302", "password": "correct horse battery", "sms_code": "123456"},
    )
    assert code_of(wrong) == (422, "INVALID_CODE")
    bad = identity.http.post(
        "/v1/accounts",
        json={"phone": "12345", "password": "correct horse battery", "sms_code": "000000"},
    )
    assert code_of(bad) == (422, "INVALID_PHONE")


def test_sign_in_by_phone_or_bound_email_and_wrong_credentials_are_401(identity):
    identity.with_email("13800138303", "me@example.com")
    for login in ("13800138303", "ME@example.com"):
        body = {"method": "password", "login": login, "password": "correct horse battery"}
        assert identity.http.post("/v1/sessions", json=body).status_code == 200
    wrong = identity.http.post(
        "/v1/sessions", json={"method": "password", "login": "13800138303", "password": "x"}
    )
    assert code_of(wrong) == (401, "INVALID_CREDENTIALS")


def test_a_bound_email_never_changes(identity):
    auth = identity.with_email("13800138304")
    again = identity.http.put(
        "/v1/me/email", json={"email": "new@example.com", "code": "000000"}, headers=auth
    )
    assert code_of(again) == (409, "EMAIL_ALREADY_BOUND")
    asked = identity.http.post(
        "/v1/me/email/verification", json={"email": "new@example.com"}, headers=auth
    )
    assert code_of(asked) == (409, "EMAIL_ALREADY_BOUND")
    assert identity.http.get("/v1/me", headers=auth).json()["phone_masked"] == "+86*******8304"


def test_an_email_binds_only_with_its_code(identity):
    auth = identity.register("13800138305")
    wrong = identity.http.put(
        "/v1/me/email", json={"email": "x@example.com", "code": "111111"}, headers=auth
    )
    assert code_of(wrong) == (422, "INVALID_CODE")


def test_an_identity_needs_a_bound_email(identity):
    auth = identity.register("13800138306")
    body = {"role": "holder", "holder": identity.individual(auth, resident_id(306))}
    assert code_of(identity.http.post("/v1/identities", json=body, headers=auth)) == (
        409,
        "EMAIL_NOT_BOUND",
    )


def test_the_same_id_number_cannot_be_registered_twice_by_another_account(identity):
    first, second = identity.with_email("13800138307"), identity.with_email("13800138308")
    assert (
        identity.http.post(
            "/v1/identities",
            json={"role": "holder", "holder": identity.individual(first, resident_id(307))},
            headers=first,
        ).status_code
        == 201
    )
    taken = identity.http.post(
        "/v1/identities",
        json={"role": "holder", "holder": identity.individual(second, resident_id(307))},
        headers=second,
    )
    assert code_of(taken) == (409, "DOCUMENT_ALREADY_REGISTERED")
    assert resident_id(307) not in taken.text


def test_a_submitted_identity_is_locked(identity):
    auth = identity.with_email("13800138309")
    body = {"role": "holder", "holder": identity.individual(auth, resident_id(309))}
    identity_id = identity.http.post("/v1/identities", json=body, headers=auth).json()[
        "identity_id"
    ]
    assert code_of(identity.http.put(f"/v1/identities/{identity_id}", json=body, headers=auth)) == (
        409,
        "IDENTITY_LOCKED",
    )
    assert code_of(identity.http.get("/v1/identities/" + "0" * 8, headers=auth)) == (
        404,
        "IDENTITY_NOT_FOUND",
    )


def test_a_number_of_the_wrong_shape_for_its_document_type_is_refused_at_once(identity):
    auth = identity.with_email("13800138310")
    holder = identity.individual(auth, "A1234567", document_type="hk_macau_permit")
    response = identity.http.post(
        "/v1/identities", json={"role": "holder", "holder": holder}, headers=auth
    )
    assert code_of(response) == (422, "VALIDATION_FAILED")
    assert "A1234567" not in response.text


def test_a_passport_needs_only_its_photo_page(identity):
    auth = identity.with_email("13800138311")
    holder = {
        **identity.individual(auth, "E12345678", document_type="passport"),
        "id_card_back": None,
    }
    assert (
        identity.http.post(
            "/v1/identities", json={"role": "holder", "holder": holder}, headers=auth
        ).status_code
        == 201
    )


def agent_body(identity, auth, holder: dict, until: date | None = None) -> dict:
    return {
        "role": "agent",
        "holder": holder,
        "agent": identity.enterprise(auth, AGENCY_CODE),
        "authorization_document": identity.upload(auth, b"authorisation"),
        "authorization": {
            "scope": ["trademark"],
            "valid_from": "2024-01-01",
            "valid_until": (until or date.today() + timedelta(days=365)).isoformat(),
        },
    }


def test_an_agents_identity_carries_both_parties_and_the_authorisation(identity):
    auth = identity.with_email("13800138312")
    body = agent_body(identity, auth, identity.individual(auth, resident_id(312), name="王五"))
    identity_id = identity.http.post("/v1/identities", json=body, headers=auth).json()[
        "identity_id"
    ]
    shown = identity.http.get(f"/v1/identities/{identity_id}", headers=auth).json()
    assert shown["role"] == "agent"
    assert (shown["holder"]["name"], shown["agent"]["name"]) == ("王五", "快手代理有限公司")
    assert shown["agent"]["document_type"] == "unified_social_credit_code"
    assert shown["authorization"]["scope"] == ["trademark"]
    assert resident_id(312) not in str(shown) and AGENCY_CODE not in str(shown)


def test_an_agency_represents_several_right_holders_with_one_identity_each(identity):
    auth = identity.with_email("13800138313")
    for serial in (313, 314, 315):
        body = agent_body(identity, auth, identity.individual(auth, resident_id(serial)))
        assert identity.http.post("/v1/identities", json=body, headers=auth).status_code == 201
    mine = identity.http.get("/v1/identities", headers=auth).json()
    assert len(mine) == 3 and len({i["agent"]["fingerprint"] for i in mine}) == 1


def test_an_agent_submits_its_own_party_and_the_authorisation(identity):
    auth = identity.with_email("13800138316")
    holder = identity.individual(auth, resident_id(316))
    no_agent = identity.http.post(
        "/v1/identities", json={"role": "agent", "holder": holder}, headers=auth
    )
    assert code_of(no_agent) == (422, "AGENT_PARTY_REQUIRED")
    body = {**agent_body(identity, auth, holder), "authorization": None}
    assert code_of(identity.http.post("/v1/identities", json=body, headers=auth)) == (
        422,
        "AUTHORIZATION_REQUIRED",
    )
    body = {**agent_body(identity, auth, holder), "role": "holder"}
    assert code_of(identity.http.post("/v1/identities", json=body, headers=auth)) == (
        422,
        "HOLDER_HAS_NO_AGENT",
    )


def test_no_raw_number_appears_in_responses_events_or_logs(identity):
    with capture_logs() as logs:
        identity.http.post("/v1/sms-codes", json={"phone": "13800138317"})
        auth = identity.with_email("13800138317")
        body = agent_body(identity, auth, identity.individual(auth, resident_id(317)))
        identity_id = identity.http.post("/v1/identities", json=body, headers=auth).json()[
            "identity_id"
        ]
        shown = identity.http.get(f"/v1/identities/{identity_id}", headers=auth).text
    notifications = identity.app.recorder.select_notifications(1, 1000)
    published = "".join(
        p.payload.model_dump_json()
        for n in notifications
        for p in to_public(identity.app.mapper.to_domain_event(n))
    )
    for raw in (resident_id(317), AGENCY_CODE, "13800138317"):
        assert raw not in shown and raw not in published and raw not in str(logs)
    assert '"document_number_masked":"110' in published
