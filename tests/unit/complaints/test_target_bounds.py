"""Target URLs are bounded at the door (422 INVALID_TARGET with row, bounded url, reason; never a
500), so what is accepted can always be published: the largest complaint's ComplaintFiled event fits
in one Kafka record."""

from datetime import datetime, timezone
from types import SimpleNamespace
from uuid import UUID, uuid4

import pytest

from deploy.client import PNG
from services.complaints.adapters.publication import to_public
from services.complaints.domain.targets import (
    MAX_TARGETS,
    MAX_URL_BYTES,
    InvalidTarget,
    parse_target,
)
from shared.events.payloads import ComplaintFiled, Document, Target
from shared.kit.outbox import PublicEvent, cloud_event
from tests.unit.complaints.conftest import listing

HOSTS = ("kwaixiaodian.com", "kuaishou.com")
KAFKA_RECORD_BYTES = 1024 * 1024
ASTRAL = "𠀀"  # 4 bytes in UTF-8: the most a character of a URL can take
BROKEN_HOSTS = [
    "https://[kuaishou.com]/item/12345678",
    "http://[::1",
    "https://kuaishou.com:99999/item/1234567",
    "https://kuaishou.com:port/item/1234567",
]


def reason(url: str) -> str:
    with pytest.raises(InvalidTarget) as invalid:
        parse_target(url, HOSTS)
    return invalid.value.why


def sized(n: int, size: int = MAX_URL_BYTES, char: str = ASTRAL) -> str:
    """Listing `n` as a URL of exactly `size` bytes, with a 64-character listing id and shop id."""
    head, tail = "https://www.kwaixiaodian.com/", f"?id={n:064d}&shopId={'9' * 64}"
    room = size - len((head + tail).encode())
    return head + char * (room // len(char.encode())) + "a" * (room % len(char.encode())) + tail


@pytest.mark.parametrize("url", BROKEN_HOSTS)
def test_a_target_with_a_broken_ipv6_host_is_an_invalid_target(url):
    assert reason(url).startswith("not an http(s) URL")


def test_a_target_url_is_at_most_2048_bytes_of_utf8():
    assert parse_target(sized(1), HOSTS).listing_id == f"{1:064d}"
    assert reason(sized(1, MAX_URL_BYTES + 1)) == "too long"
    assert reason(sized(1, MAX_URL_BYTES + 1, char="a")) == "too long"


@pytest.mark.parametrize(
    "url",
    [
        listing(1) + " x",
        listing(1) + "\x00",
        listing(1) + "?q=a\tb",
        listing(1) + "\u200b",
        listing(1) + "\u3000x",
        listing(1) + "\u2028x",
        listing(1) + "\x7f",
    ],
)
def test_a_target_with_spaces_or_control_characters_is_refused(url):
    assert reason(url) == "contains spaces or control characters"


@pytest.mark.parametrize(
    "url", [listing(1) + '?q="', "https://evil.com\\@kuaishou.com/item/1234567"]
)
def test_a_target_with_quotes_or_backslashes_is_refused(url):
    assert reason(url) == "contains quotes or backslashes"


@pytest.mark.parametrize(
    "url",
    [
        "https://kuaishou.com/p?id=" + "1" * 65,
        "https://kuaishou.com/p?id=12%0A",
        "https://kuaishou.com/item/" + "1" * 65,
        listing(1) + "?shopId=a%22b",
    ],
)
def test_a_listing_or_shop_id_is_at_most_64_unreserved_characters(url):
    assert reason(url).startswith("not a listing")


def test_an_invalid_target_quotes_only_a_bounded_prefix_of_its_url():
    with pytest.raises(InvalidTarget) as invalid:
        parse_target(listing(1) + "?q=" + "a" * 100_000, HOSTS)
    assert len(invalid.value.url) <= 201 and len(str(invalid.value)) < 300


def error(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def file_json(complaints, auth, right, urls, **changes):
    return complaints.http.post(
        "/v1/complaints", json=complaints.body(right, urls, **changes), headers=auth
    )


def file_csv(complaints, auth, right, content: bytes):
    data = {
        "right_id": right,
        "infringement_type": "counterfeit_goods",
        "description": "假冒我们的注册商标。",
    }
    return complaints.http.post(
        "/v1/complaints",
        data=data,
        headers=auth,
        files={"targets_csv": ("targets.csv", content, "text/csv")},
    )


@pytest.mark.parametrize("url", BROKEN_HOSTS[:2])
def test_a_broken_host_is_an_invalid_target_in_json_in_a_csv_row_and_in_a_preview(complaints, url):
    auth, right = complaints.holder(1)
    response = file_json(complaints, auth, right, [listing(1), url])
    assert error(response) == (422, "INVALID_TARGET")
    assert response.json()["error"]["details"] | {"reason": ""} == {
        "row": 2,
        "url": url,
        "reason": "",
    }
    content = f"url\n{listing(1)}\n{url}\n".encode()
    assert file_csv(complaints, auth, right, content).json()["error"]["details"]["row"] == 3
    preview = complaints.http.post(
        "/v1/complaints/targets/parse", headers=auth, files={"targets_csv": ("t.csv", content)}
    )
    assert (
        error(preview) == (422, "INVALID_TARGET") and preview.json()["error"]["details"]["row"] == 3
    )


@pytest.mark.parametrize("url", [listing(1) + "?q=" + "a" * 5000, sized(1, 3000)])
def test_a_url_too_long_is_an_invalid_target_quoted_by_a_prefix(complaints, url):
    auth, right = complaints.holder(2)
    csv = f"url\n{listing(2)}\n{url}\n".encode()  # the header is the file's row 1
    for response, row in (
        (file_json(complaints, auth, right, [listing(2), url]), 2),
        (file_csv(complaints, auth, right, csv), 3),
    ):
        assert error(response) == (422, "INVALID_TARGET")
        details = response.json()["error"]["details"]
        assert (details["row"], details["reason"]) == (row, "too long") and len(
            details["url"]
        ) <= 201
        assert len(response.content) < 4000


def test_a_complaint_of_300_long_unicode_urls_is_refused_before_it_is_accepted(complaints):
    auth, right = complaints.holder(3)
    urls = [
        f"https://www.kwaixiaodian.com/item/{10_000_000 + n}/" + "商" * 700
        for n in range(MAX_TARGETS)
    ]
    response = file_json(complaints, auth, right, urls)
    assert error(response) == (422, "INVALID_TARGET")
    assert response.json()["error"]["details"]["reason"] == "too long"
    assert complaints.http.get("/v1/complaints", headers=auth).json() == []


def evidence(complaints, auth, count: int) -> list[str]:
    blobs = []
    for n in range(count):
        response = complaints.http.post(
            "/v1/files", files={"file": ("e.png", PNG + str(n).encode())}, headers=auth
        )
        blobs.append(response.json()["blob_id"])
    return blobs


def test_the_largest_complaint_accepted_fits_in_one_kafka_record(complaints):
    auth, right = complaints.holder(4)
    urls = [sized(n) for n in range(MAX_TARGETS)]
    response = file_json(
        complaints,
        auth,
        right,
        urls,
        description=ASTRAL * 5000,
        evidence=evidence(complaints, auth, 20),
    )
    assert response.status_code == 201, response.text[:500]
    filed = next(iter(complaints.app.events.get(UUID(response.json()["complaint_id"]))))
    [public] = to_public(filed)
    assert len(public.payload.targets) == MAX_TARGETS
    _, event = cloud_event("ipp/complaints", filed, 0, public)
    assert len(event.to_bytes()) < KAFKA_RECORD_BYTES * 0.9


def test_even_a_description_of_escaped_characters_keeps_the_largest_complaint_in_one_record():
    complaint_id = str(uuid4())
    targets = [
        Target(**parse_target(sized(n), HOSTS).as_dict(complaint_id)) for n in range(MAX_TARGETS)
    ]
    document = Document(
        blob_id="0" * 64,
        sha256="0" * 64,
        media_type="application/pdf",
        size=10**7,
        purpose="evidence",
    )
    payload = ComplaintFiled(
        complaint_id=complaint_id,
        account_id="a" * 64,
        identity_id="i" * 64,
        right_id="r" * 64,
        right_type="copyright",
        infringement_type="copyright_infringement",
        targets=targets,
        description="\x00" * 5000,
        evidence=[document] * 20,
        requested_action="takedown",
        filed_at=datetime.now(timezone.utc),
    )
    domain_event = SimpleNamespace(
        originator_id=UUID(complaint_id), originator_version=1, timestamp=datetime.now(timezone.utc)
    )
    _, event = cloud_event(
        "ipp/complaints", domain_event, 0, PublicEvent(payload, correlation_id=complaint_id)
    )
    assert len(event.to_bytes()) < KAFKA_RECORD_BYTES * 0.9
