"""My complaints, a complaint's detail and withdrawal over HTTP: filters, pagination,
statuses, errors."""

from tests.unit.complaints.conftest import listing


def error(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_my_complaints_are_newest_first_paginated_and_filtered_by_status_and_right(complaints):
    auth, right = complaints.holder(1)
    other_right = complaints.right(account_of(complaints, auth))
    first, second = complaints.file(auth, right), complaints.file(auth, right, [listing(2)])
    third = complaints.file(auth, other_right, [listing(3)])
    complaints.http.post(f"/v1/complaints/{first}/withdraw", headers=auth)

    page = complaints.http.get("/v1/complaints", params={"limit": 2}, headers=auth)
    assert [c["complaint_id"] for c in page.json()] == [third, second]
    assert page.headers["X-Total-Count"] == "3"
    rest = complaints.http.get(
        "/v1/complaints", params={"limit": 2, "offset": 2}, headers=auth
    ).json()
    assert [c["complaint_id"] for c in rest] == [first]
    by_right = complaints.http.get(
        "/v1/complaints", params={"right_id": right}, headers=auth
    ).json()
    assert [c["complaint_id"] for c in by_right] == [second, first]
    withdrawn = complaints.http.get(
        "/v1/complaints", params={"status": "withdrawn"}, headers=auth
    ).json()
    assert [(c["complaint_id"], c["targets"][0]["status"]) for c in withdrawn] == [
        (first, "withdrawn")
    ]


def account_of(complaints, auth) -> str:
    return complaints.service.verifier.verify(auth["Authorization"].split()[1]).account_id


def test_each_listed_complaint_shows_every_target_with_its_action_and_status(complaints):
    auth, right = complaints.holder(2)
    complaint_id = complaints.file(auth, right, [listing(1), listing(2)])
    complaints.materials_decided(complaint_id)
    [listed] = complaints.http.get("/v1/complaints", headers=auth).json()
    assert listed["status"] == "upheld"
    assert [(t["url"], t["listing_id"], t["action"], t["status"]) for t in listed["targets"]] == [
        (listing(1), "10000001", "takedown", "takedown_ordered"),
        (listing(2), "10000002", "takedown", "takedown_ordered"),
    ]


def test_the_detail_carries_the_statement_of_reasons_and_the_timeline(complaints):
    auth, right = complaints.holder(3)
    complaint_id = complaints.file(auth, right)
    assert (
        complaints.http.get(f"/v1/complaints/{complaint_id}", headers=auth).json()["statement"]
        is None
    )
    complaints.materials_decided(complaint_id, identity="rejected")
    detail = complaints.http.get(f"/v1/complaints/{complaint_id}", headers=auth).json()
    assert detail["status"] == "rejected" and detail["targets"][0]["action"] == "none"
    statement = detail["statement"]
    assert (
        statement["automated"] is True
        and "IDENTITY_REJECTED" in statement["ground"]
        and statement["redress"]
    )
    assert detail["reviews"]["complaint"]["decided_at"] == statement["decided_at"]
    steps = [s["step"] for s in detail["timeline"]]
    assert steps == ["Filed", "ReviewStarted", "MaterialReviewed", "MaterialReviewed", "Decided"]
    assert detail["timeline"][-1]["decided_by"] == "auto"


def test_another_accounts_complaint_is_not_found(complaints):
    auth, right = complaints.holder(4)
    complaint_id = complaints.file(auth, right)
    stranger = complaints.token("stranger")
    detail = complaints.http.get(f"/v1/complaints/{complaint_id}", headers=stranger)
    assert error(detail) == (404, "COMPLAINT_NOT_FOUND")
    assert error(
        complaints.http.post(f"/v1/complaints/{complaint_id}/withdraw", headers=stranger)
    ) == (404, "COMPLAINT_NOT_FOUND")
    assert complaints.http.get("/v1/complaints", headers=stranger).json() == []


def test_a_complaint_can_be_withdrawn_only_before_its_verdict(complaints):
    auth, right = complaints.holder(5)
    open_one, decided = complaints.file(auth, right), complaints.file(auth, right, [listing(2)])
    withdrawn = complaints.http.post(f"/v1/complaints/{open_one}/withdraw", headers=auth)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    complaints.materials_decided(decided)
    refused = complaints.http.post(f"/v1/complaints/{decided}/withdraw", headers=auth)
    assert error(refused) == (409, "COMPLAINT_DECIDED")
    assert refused.json()["error"]["details"] == {"status": "upheld"}


def test_listing_parameters_are_validated(complaints):
    auth, _ = complaints.holder(6)
    for params in ({"status": "lost"}, {"limit": 0}, {"limit": 201}, {"offset": -1}):
        assert error(complaints.http.get("/v1/complaints", params=params, headers=auth)) == (
            422,
            "VALIDATION_FAILED",
        )
    assert error(complaints.http.get("/v1/complaints")) == (401, "UNAUTHENTICATED")
