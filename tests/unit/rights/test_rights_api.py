"""Every rights route and its error codes, through HTTP (auto review mode, no broker)."""

import pytest

from deploy.client import PNG
from tests.unit.rights.conftest import RightsApi, noon_of
from tests.unit.rights.filings import deliver_identity


def code_of(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


@pytest.mark.parametrize("kind", ["trademark", "copyright", "invention", "utility_model", "design"])
def test_a_complete_right_of_every_type_is_registered_submitted_and_locked(api, holder, kind):
    right_id = api.register(holder, api.body(holder, kind))
    right = api.http.get(f"/v1/rights/{right_id}", headers=holder).json()
    assert (right["status"], right["revision"], right["locked"], right["reasons"]) == (
        "submitted",
        1,
        True,
        [],
    )
    assert [step["step"] for step in right["history"]] == ["Registered"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"registration_number": "ZL201811564288.1"}, "INVALID_PATENT_NUMBER"),
        (
            {
                "details": {
                    "patent_kind": "invention",
                    "patentee": "张三",
                    "application_date": "2018-12-20",
                    "grant_date": "2027-01-01",
                }
            },
            "INVALID_DATES",
        ),
        (
            {
                "details": {
                    "patent_kind": "rose",
                    "patentee": "张三",
                    "application_date": "2018-12-20",
                    "grant_date": "2024-03-20",
                }
            },
            "INVALID_DETAILS",
        ),
        ({"documents": []}, "MISSING_DOCUMENT"),
    ],
)
def test_a_patent_with_a_plain_error_is_refused_at_once(api, holder, change, code):
    response = api.http.post(
        "/v1/rights", json=api.body(holder, "invention") | change, headers=holder
    )
    assert code_of(response) == (422, code)
    assert response.json()["error"]["details"]["problems"][0]["code"] == code


def test_trademark_errors_name_the_field_at_fault(api, holder):
    body = api.body(holder)
    body["details"] = body["details"] | {"nice_classes": [25, 46]}
    response = api.http.post("/v1/rights", json=body, headers=holder)
    assert code_of(response) == (422, "INVALID_NICE_CLASS")
    assert response.json()["error"]["details"]["problems"][0]["field"] == "details.nice_classes"
    number = api.http.post(
        "/v1/rights", json=api.body(holder, registration_number="TM-1"), headers=holder
    )
    assert code_of(number) == (422, "INVALID_REGISTRATION_NUMBER")


def test_a_mark_image_that_is_a_pdf_is_refused(api, holder):
    body = api.body(holder)
    body["documents"][1]["blob_id"] = body["documents"][0]["blob_id"]
    assert code_of(api.http.post("/v1/rights", json=body, headers=holder)) == (
        422,
        "INVALID_DOCUMENT",
    )


def test_a_document_not_uploaded_by_the_account_is_unknown(api, holder):
    other = api.token("account-2")
    body = api.body(other)
    assert code_of(api.http.post("/v1/rights", json=body, headers=holder)) == (
        422,
        "UNKNOWN_DOCUMENT",
    )


def test_a_malformed_body_is_a_validation_failure_without_echo(api, holder):
    response = api.http.post(
        "/v1/rights", json={"right_type": "plant", "title": "秘密-123"}, headers=holder
    )
    assert code_of(response) == (422, "VALIDATION_FAILED") and "秘密-123" not in response.text


def test_every_route_needs_a_signed_in_account(api):
    for method, url in (
        ("POST", "/v1/rights"),
        ("GET", "/v1/rights"),
        ("GET", "/v1/rights/x"),
        ("PUT", "/v1/rights/x"),
        ("POST", "/v1/files"),
    ):
        assert code_of(api.http.request(method, url, json={}))[1] == "UNAUTHENTICATED"


def test_files_are_images_or_pdf_within_the_size_limit(api, holder):
    assert code_of(
        api.http.post("/v1/files", files={"file": ("x.exe", b"MZ\x90")}, headers=holder)
    ) == (415, "UNSUPPORTED_MEDIA_TYPE")
    too_large = api.http.post(
        "/v1/files", files={"file": ("x.png", PNG + b"0" * 5000)}, headers=holder
    )
    assert code_of(too_large) == (413, "FILE_TOO_LARGE")
    assert code_of(api.http.post("/v1/files", files={"file": ("x.png", b"")}, headers=holder)) == (
        422,
        "EMPTY_FILE",
    )


def test_my_rights_filter_by_type_and_status_and_page_with_a_total(api, holder):
    ids = [
        api.register(holder, api.body(holder, kind))
        for kind in ("trademark", "copyright", "invention", "trademark")
    ]
    deliver_identity(api.service, "account-2", "identity-2")
    api.register(api.token("account-2"), api.body(api.token("account-2"), identity_id="identity-2"))
    everything = api.http.get("/v1/rights", headers=holder)
    assert everything.headers["X-Total-Count"] == "4" and {
        r["right_id"] for r in everything.json()
    } == set(ids)
    page = api.http.get(
        "/v1/rights", params={"right_type": "trademark", "limit": 1, "offset": 1}, headers=holder
    )
    assert page.headers["X-Total-Count"] == "2" and len(page.json()) == 1
    api.complain(ids[0])  # auto review approves it
    approved = api.http.get("/v1/rights", params={"status": "approved"}, headers=holder).json()
    assert [r["right_id"] for r in approved] == [ids[0]]
    bad = api.http.get("/v1/rights", params={"status": "lost", "limit": 0}, headers=holder)
    assert code_of(bad) == (422, "VALIDATION_FAILED")


def test_another_accounts_right_looks_absent(api, holder):
    right_id = api.register(holder, api.body(holder))
    stranger = api.token("account-2")
    assert code_of(api.http.get(f"/v1/rights/{right_id}", headers=stranger)) == (
        404,
        "RIGHT_NOT_FOUND",
    )
    put = api.http.put(f"/v1/rights/{right_id}", json=api.body(stranger), headers=stranger)
    assert code_of(put) == (404, "RIGHT_NOT_FOUND")
    assert code_of(api.http.get("/v1/rights/not-a-uuid", headers=holder)) == (
        404,
        "RIGHT_NOT_FOUND",
    )


def test_a_submitted_or_approved_right_is_locked_even_against_an_invalid_body(api, holder):
    right_id = api.register(holder, api.body(holder))
    assert code_of(
        api.http.put(f"/v1/rights/{right_id}", json=api.body(holder), headers=holder)
    ) == (409, "RIGHT_LOCKED")
    api.complain(right_id)
    invalid = api.body(holder, registration_number="x")
    assert code_of(api.http.put(f"/v1/rights/{right_id}", json=invalid, headers=holder)) == (
        409,
        "RIGHT_LOCKED",
    )


def test_a_rejected_right_is_amended_into_a_new_revision_with_its_history(api, holder):
    right_id = api.register(
        holder, api.body(holder, valid_until="2025-12-31")
    )  # ended: the review rejects it
    api.complain(right_id)
    rejected = api.http.get(f"/v1/rights/{right_id}", headers=holder).json()
    assert rejected["status"] == "rejected" and not rejected["locked"]
    assert [r["code"] for r in rejected["reasons"]] == ["RIGHT_EXPIRED"]

    invalid = api.body(holder, registration_number="x")
    assert code_of(api.http.put(f"/v1/rights/{right_id}", json=invalid, headers=holder)) == (
        422,
        "INVALID_REGISTRATION_NUMBER",
    )
    amended = api.http.put(
        f"/v1/rights/{right_id}", json=api.body(holder, valid_until="2035-12-31"), headers=holder
    )
    assert amended.status_code == 200
    assert (amended.json()["status"], amended.json()["revision"], amended.json()["reasons"]) == (
        "submitted",
        2,
        [],
    )

    api.complain(right_id)
    right = api.http.get(f"/v1/rights/{right_id}", headers=holder).json()
    assert right["status"] == "approved"
    steps = [(s["step"], s.get("revision"), s.get("outcome")) for s in right["history"]]
    assert steps == [
        ("Registered", None, None),
        ("Reviewed", 1, "rejected"),
        ("Amended", 2, None),
        ("Reviewed", 2, "approved"),
    ]
    assert right["history"][1]["reasons"][0]["code"] == "RIGHT_EXPIRED"
    assert all(s["at"] for s in right["history"])


def test_an_approval_is_not_reused_for_a_complaint_after_the_right_ended(api, holder):
    from datetime import date

    right_id = api.register(holder, api.body(holder, valid_until="2029-12-31"))
    api.complain(right_id)
    assert api.http.get(f"/v1/rights/{right_id}", headers=holder).json()["status"] == "approved"
    api.app.clock = lambda: noon_of(date(2030, 1, 1))  # the sweep has not run yet
    late = api.complain(right_id)
    [decision] = [e for e in decisions(api) if e.complaint_id == late]
    assert decision.outcome == "rejected" and [r.code for r in decision.reasons] == [
        "RIGHT_EXPIRED"
    ]
    assert decision.reused_decision_id is None
    right = api.http.get(f"/v1/rights/{right_id}", headers=holder).json()
    assert right["status"] == "approved" and right["locked"], (
        "one complaint's refusal does not unlock the right"
    )


def decisions(api) -> list:
    from services.rights.adapters.publication import to_public
    from shared.events.payloads import ReviewDecided

    events = [
        api.app.mapper.to_domain_event(n) for n in api.app.recorder.select_notifications(1, 1000)
    ]
    return [p.payload for e in events for p in to_public(e) if isinstance(p.payload, ReviewDecided)]


def test_a_reviewer_reads_the_right_under_review_with_its_certificate(tmp_path):
    api = RightsApi(tmp_path, review_mode="manual")
    holder = api.token()
    right_id = api.register(holder, api.body(holder, "trademark"))
    api.complain(right_id)
    reviewer = api.token("reviewer-1", ("reviewer",))
    [task] = api.http.get("/v1/reviews", headers=reviewer).json()

    material = api.http.get(f"/v1/reviews/{task['review_id']}/material", headers=reviewer).json()

    assert (material["right_id"], material["right_type"], material["account_id"]) == (
        right_id,
        "trademark",
        "account-1",
    )
    assert material["registration_number"] and material["history"][0]["step"] == "Registered"
    by_purpose = {f["purpose"]: f for f in material["files"]}
    certificate = api.http.get(by_purpose["registration_certificate"]["href"], headers=reviewer)
    assert certificate.status_code == 200 and certificate.content.endswith(
        b"registration_certificate"
    )
    assert (
        certificate.headers["content-type"] == by_purpose["registration_certificate"]["media_type"]
    )
    assert (
        api.http.get(f"/v1/reviews/{task['review_id']}/material", headers=holder).status_code == 403
    )


def test_an_uploader_gets_its_own_file_back_and_no_one_else_does(api, holder):
    blob_id = api.upload(holder, PNG + b"mine")

    mine = api.http.get(f"/v1/files/{blob_id}", headers=holder)

    assert mine.status_code == 200 and mine.content == PNG + b"mine"
    assert (mine.headers["content-type"], mine.headers["x-content-type-options"]) == (
        "image/png",
        "nosniff",
    )
    assert code_of(api.http.get(f"/v1/files/{blob_id}", headers=api.token("account-2"))) == (
        404,
        "FILE_NOT_FOUND",
    )
    assert code_of(api.http.get(f"/v1/files/{'0' * 64}", headers=holder)) == (404, "FILE_NOT_FOUND")
    assert code_of(api.http.get("/v1/files/../../etc", headers=holder))[0] == 404
    assert api.http.get(f"/v1/files/{blob_id}").status_code == 401


def test_a_right_names_an_identity_of_its_own_account(api, holder):
    deliver_identity(api.service, "account-2", "identity-2")
    someone_elses = api.http.post(
        "/v1/rights", json=api.body(holder, identity_id="identity-2"), headers=holder
    )
    assert code_of(someone_elses) == (409, "IDENTITY_NOT_USABLE")
    assert someone_elses.json()["error"]["details"]["reason"] == "not_yours"
    unknown = api.http.post(
        "/v1/rights", json=api.body(holder, identity_id="identity-9"), headers=holder
    )
    assert code_of(unknown) == (409, "IDENTITY_NOT_USABLE")
    assert unknown.json()["error"]["details"]["reason"] == "unknown"
    assert api.http.get("/v1/rights", headers=holder).json() == []


def held_by(body: dict, name: str) -> dict:
    """A trademark whose holder and registrant are `name`."""
    return body | {"holder_name": name, "details": body["details"] | {"registrant": name}}


def test_a_right_held_by_someone_other_than_the_verified_holder_is_rejected_with_the_reason(
    api, holder
):
    right_id = api.register(holder, held_by(api.body(holder), "耐克公司"))
    api.complain(right_id)  # auto review

    right = api.http.get(f"/v1/rights/{right_id}", headers=holder).json()

    assert right["status"] == "rejected"
    [reason] = [r for r in right["reasons"] if r["code"] == "HOLDER_MATCHES_IDENTITY"]
    assert "耐克公司" in reason["message"] and "张三" in reason["message"]


def test_the_latest_identity_revision_names_the_holder(api, holder):
    deliver_identity(api.service, "account-1", holder_name="张三丰", revision=2)
    deliver_identity(api.service, "account-1", holder_name="张三", revision=1)  # a late redelivery
    right_id = api.register(holder, held_by(api.body(holder), "张三丰"))
    api.complain(right_id)
    assert api.http.get(f"/v1/rights/{right_id}", headers=holder).json()["status"] == "approved"
