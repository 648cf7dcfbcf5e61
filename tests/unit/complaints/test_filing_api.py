"""POST /v1/complaints (JSON and CSV) and POST /v1/complaints/targets/parse: every
outcome and error code."""

import pytest

from services.complaints.entrypoints import filing
from tests.unit.complaints.conftest import DESCRIPTION, listing


def error(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def csv_filing(complaints, auth, right_id, content: bytes, **fields):
    data = {
        "right_id": right_id,
        "infringement_type": "counterfeit_goods",
        "description": DESCRIPTION,
        **fields,
    }
    return complaints.http.post(
        "/v1/complaints",
        data=data,
        headers=auth,
        files={"targets_csv": ("targets.csv", content, "text/csv")},
    )


def test_a_complaint_with_300_targets_is_filed_and_duplicates_are_merged(complaints):
    auth, right = complaints.holder(1)
    urls = [listing(n) for n in range(300)] + [listing(7), listing(7) + "?from=share"]
    body = complaints.body(right, urls, evidence=[complaints.evidence(auth)])
    response = complaints.http.post("/v1/complaints", json=body, headers=auth)
    assert response.status_code == 201 and response.json()["status"] == "submitted"
    detail = complaints.http.get(
        f"/v1/complaints/{response.json()['complaint_id']}", headers=auth
    ).json()
    assert len(detail["targets"]) == 300 and detail["evidence"][0]["purpose"] == "evidence"
    assert detail["targets"][0] == {
        **detail["targets"][0],
        "listing_id": "10000000",
        "status": "pending",
        "action": None,
    }


def test_301_distinct_targets_are_too_many(complaints):
    auth, right = complaints.holder(2)
    response = complaints.http.post(
        "/v1/complaints",
        json=complaints.body(right, [listing(n) for n in range(301)]),
        headers=auth,
    )
    assert error(response) == (422, "TOO_MANY_TARGETS")


def test_an_invalid_target_names_its_row(complaints):
    auth, right = complaints.holder(3)
    response = complaints.http.post(
        "/v1/complaints",
        json=complaints.body(right, [listing(1), "https://example.com/item/1234567"]),
        headers=auth,
    )
    assert error(response) == (422, "INVALID_TARGET")
    assert response.json()["error"]["details"] == {
        "row": 2,
        "url": "https://example.com/item/1234567",
        "reason": "not on the marketplace",
    }


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"infringement_type": "patent_infringement"}, (422, "INVALID_INFRINGEMENT_TYPE")),
        ({"targets": []}, (422, "VALIDATION_FAILED")),
        ({"description": "x" * 5001}, (422, "VALIDATION_FAILED")),
        ({"evidence": ["f" * 64]}, (422, "UNKNOWN_DOCUMENT")),
    ],
)
def test_a_filing_that_breaks_a_rule_is_refused_with_its_code(complaints, change, expected):
    auth, right = complaints.holder(4)
    response = complaints.http.post(
        "/v1/complaints", json=complaints.body(right, [listing(1)], **change), headers=auth
    )
    assert error(response) == expected


def test_a_body_that_is_not_json_is_refused(complaints):
    auth, _ = complaints.holder(5)
    headers = {**auth, "content-type": "application/json"}
    response = complaints.http.post("/v1/complaints", content=b"{", headers=headers)
    assert error(response) == (422, "VALIDATION_FAILED")


def test_filing_needs_a_signed_in_account(complaints):
    assert error(complaints.http.post("/v1/complaints", json={})) == (401, "UNAUTHENTICATED")


@pytest.mark.parametrize(
    ("reason", "right_of"),
    [
        ("not_yours", lambda c: c.right("someone-else")),
        ("expired", lambda c: c.right("me", valid_until="2021-01-01")),
    ],
)
def test_a_right_that_cannot_back_a_complaint_is_refused(complaints, reason, right_of):
    right = right_of(complaints)
    response = complaints.http.post(
        "/v1/complaints", json=complaints.body(right, [listing(1)]), headers=complaints.token("me")
    )
    assert error(response) == (409, "RIGHT_NOT_USABLE")
    assert response.json()["error"]["details"] == {"right_id": right, "reason": reason}


def test_an_unknown_right_is_refused_after_a_short_wait(complaints, monkeypatch):
    monkeypatch.setattr(filing, "RIGHT_WAIT_SECONDS", 0.2)
    response = complaints.http.post(
        "/v1/complaints",
        json=complaints.body("no-such-right", [listing(1)]),
        headers=complaints.token("me"),
    )
    assert response.json()["error"]["details"]["reason"] == "unknown"


@pytest.mark.parametrize(
    "content",
    [
        b"url\r\nhttps://www.kwaixiaodian.com/item/10000001\r\nhttps://kuaishou.com/p?id=A1\r\n",
        "\ufeffurl\nhttps://www.kwaixiaodian.com/item/10000001\n\nhttps://kuaishou.com/p?id=A1\n".encode(),
        b"https://www.kwaixiaodian.com/item/10000001\nhttps://kuaishou.com/p?id=A1\n",
        "name,URL\n甲,https://www.kwaixiaodian.com/item/10000001\n乙,https://kuaishou.com/p?id=A1\n".encode(),
    ],
)
def test_targets_can_be_uploaded_as_csv_with_or_without_header_and_bom(complaints, content):
    auth, right = complaints.holder(6)
    evidence = complaints.evidence(auth)
    response = csv_filing(complaints, auth, right, content, evidence=evidence)
    assert response.status_code == 201, response.text
    detail = complaints.http.get(
        f"/v1/complaints/{response.json()['complaint_id']}", headers=auth
    ).json()
    assert [t["listing_id"] for t in detail["targets"]] == ["10000001", "A1"] and len(
        detail["evidence"]
    ) == 1


def test_a_csv_of_300_listings_is_filed(complaints):
    auth, right = complaints.holder(7)
    content = ("url\n" + "\n".join(listing(n) for n in range(300))).encode()
    response = csv_filing(complaints, auth, right, content)
    assert response.status_code == 201, response.text


def test_a_wrong_csv_row_is_named_with_its_line_in_the_file(complaints):
    auth, right = complaints.holder(8)
    response = csv_filing(
        complaints, auth, right, f"url\n{listing(1)}\nftp://kuaishou.com/1234567\n".encode()
    )
    assert error(response) == (422, "INVALID_TARGET")
    assert response.json()["error"]["details"] == {
        "row": 3,
        "url": "ftp://kuaishou.com/1234567",
        "reason": "not an http(s) URL",
    }


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"targets_csv": ("t.csv", "url\nhttps://kuaishou.com/item/1234567".encode("utf-16"))},
            (422, "INVALID_TARGETS_CSV"),
        ),
        (
            {"targets_csv": ("t.csv", b"x" * (filing.MAX_CSV_BYTES + 1))},
            (413, "TARGETS_CSV_TOO_LARGE"),
        ),
        ({"other": ("t.csv", b"url\n")}, (422, "TARGETS_CSV_REQUIRED")),
        ({"targets_csv": ("t.csv", b"url\n")}, (422, "VALIDATION_FAILED")),
    ],
)
def test_an_unusable_csv_upload_is_refused_with_its_code(complaints, files, expected):
    auth, right = complaints.holder(9)
    response = complaints.http.post(
        "/v1/complaints",
        headers=auth,
        files=files,
        data={"right_id": right, "infringement_type": "counterfeit_goods"},
    )
    assert error(response) == expected


def test_a_csv_can_be_parsed_before_filing(complaints):
    auth, _ = complaints.holder(10)
    content = f"url\n{listing(1)}\n{listing(1)}\n{listing(2)}?shopId=9\n".encode()
    response = complaints.http.post(
        "/v1/complaints/targets/parse", headers=auth, files={"targets_csv": ("t.csv", content)}
    )
    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "targets": [
            {"url": listing(1), "listing_id": "10000001", "shop_id": None},
            {"url": listing(2) + "?shopId=9", "listing_id": "10000002", "shop_id": "9"},
        ],
    }
    not_multipart = complaints.http.post("/v1/complaints/targets/parse", headers=auth, json={})
    assert error(not_multipart) == (422, "TARGETS_CSV_REQUIRED")


def test_the_openapi_document_describes_both_filing_bodies(complaints):
    content = complaints.http.get("/openapi.json").json()["paths"]["/v1/complaints"]["post"][
        "requestBody"
    ]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    assert (
        "$ref" not in str(content)
        and "targets_csv" in content["multipart/form-data"]["schema"]["properties"]
    )
