"""A right's details are bounded per type at the door (422 INVALID_DETAILS naming the field);
what is accepted can always be published: the largest right's RightRegistered event fits in
one Kafka record."""

from datetime import datetime, timezone
from types import SimpleNamespace
from uuid import UUID, uuid4

import pytest

from services.rights.adapters.publication import to_public
from services.rights.entrypoints import details as bounds
from shared.events.payloads import Document, RightRegistered
from shared.kit.outbox import PublicEvent, cloud_event

KAFKA_RECORD_BYTES = 1024 * 1024
ASTRAL = "𠀀"  # 4 bytes in UTF-8: the most a printable character takes in the event


def nested(depth: int) -> dict:
    value: dict = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def refused(api, auth, body) -> list[dict]:
    response = api.http.post("/v1/rights", json=body, headers=auth)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "INVALID_DETAILS"
    return response.json()["error"]["details"]["problems"]


def fields_at_fault(api, auth, body) -> list[str]:
    problems = refused(api, auth, body)
    assert {p["code"] for p in problems} == {"INVALID_DETAILS"}
    return [p["field"] for p in problems]


def with_details(body: dict, **changes: object) -> dict:
    return body | {"details": body["details"] | changes}


@pytest.mark.parametrize(
    ("kind", "change", "field"),
    [
        ("trademark", {"registrant": nested(600)}, "details.registrant"),
        (
            "trademark",
            {"designated_goods": {"25": [nested(600)], "35": ["广告"]}},
            "details.designated_goods",
        ),
        ("trademark", {"nice_classes": [25, [35, [36]]]}, "details.nice_classes"),
        ("copyright", {"completion_date": {"year": nested(600)}}, "details.completion_date"),
        ("invention", {"patentee": ["张三", nested(600)]}, "details.patentee"),
    ],
)
def test_details_nested_beyond_the_type_are_refused(api, holder, kind, change, field):
    assert fields_at_fault(api, holder, with_details(api.body(holder, kind), **change)) == [field]


@pytest.mark.parametrize(
    ("kind", "key"), [("trademark", "work_type"), ("copyright", "extra"), ("invention", "deep")]
)
def test_an_unknown_detail_is_refused_by_its_name(api, holder, kind, key):
    body = with_details(api.body(holder, kind), **{key: nested(600)})
    [problem] = refused(api, holder, body)
    assert problem["field"] == f"details.{key}" and "not a detail" in problem["message"]


def test_an_unknown_key_is_named_only_by_a_bounded_prefix(api, holder):
    [problem] = refused(api, holder, with_details(api.body(holder), **{"k" * 10_000: 1}))
    assert problem["field"] == "details." + "k" * 40


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"registrant": "张" * 201}, "details.registrant"),
        ({"nice_classes": list(range(1, 47))}, "details.nice_classes"),
        ({"designated_goods": {"25": ["服" * 101], "35": ["广告"]}}, "details.designated_goods"),
        (
            {"designated_goods": {"25": [f"服装{n}" for n in range(51)], "35": ["广告"]}},
            "details.designated_goods",
        ),
    ],
)
def test_a_trademark_detail_beyond_its_bound_is_refused(api, holder, change, field):
    assert fields_at_fault(api, holder, with_details(api.body(holder), **change)) == [field]


def test_a_trademark_designates_at_most_1000_goods_in_all(api, holder):
    classes = list(range(1, 22))
    goods = {str(c): [f"商品{n}" for n in range(48)] for c in classes}  # 21 × 48 = 1008
    body = with_details(api.body(holder), nice_classes=classes, designated_goods=goods)
    [problem] = refused(api, holder, body)
    assert problem["field"] == "details.designated_goods" and "1000" in problem["message"]


@pytest.mark.parametrize(
    ("kind", "change", "field"),
    [
        (
            "copyright",
            {"author": "某" * 201, "work_type": "x" * 41},
            ["details.work_type", "details.author"],
        ),
        (
            "design",
            {"grant_date": "2" * 33, "patent_kind": 7},
            ["details.patent_kind", "details.grant_date"],
        ),
    ],
)
def test_copyright_and_patent_details_beyond_their_bounds_are_refused_field_by_field(
    api, holder, kind, change, field
):
    assert fields_at_fault(api, holder, with_details(api.body(holder, kind), **change)) == field


@pytest.mark.parametrize(
    ("kind", "change", "code", "field"),
    [
        ("trademark", {"nice_classes": ["25", 35]}, "INVALID_NICE_CLASS", "details.nice_classes"),
        ("trademark", {"nice_classes": [True]}, "INVALID_NICE_CLASS", "details.nice_classes"),
        ("trademark", {"nice_classes": None}, "INVALID_NICE_CLASS", "details.nice_classes"),
        (
            "trademark",
            {"designated_goods": {"25": ["服装"], "35": [" "]}},
            "INVALID_DETAILS",
            "details.designated_goods",
        ),
        (
            "trademark",
            {"designated_goods": {"25": ["服装"], "35": ["广告"], "9": ["手机"]}},
            "INVALID_NICE_CLASS",
            "details.designated_goods",
        ),
        ("copyright", {"work_type": "poem"}, "INVALID_DETAILS", "details.work_type"),
        ("copyright", {"owner": None}, "INVALID_DETAILS", "details.owner"),
        (
            "copyright",
            {"publication_date": "yesterday"},
            "INVALID_DATES",
            "details.publication_date",
        ),
        ("invention", {"application_date": None}, "INVALID_DATES", "details.application_date"),
    ],
)
def test_the_domain_still_judges_what_the_details_say_with_its_own_codes(
    api, holder, kind, change, code, field
):
    response = api.http.post(
        "/v1/rights", json=with_details(api.body(holder, kind), **change), headers=holder
    )
    assert (response.status_code, response.json()["error"]["code"]) == (422, code)
    assert response.json()["error"]["details"]["problems"][0]["field"] == field


def test_details_are_stored_as_given_without_keys_added(api, holder):
    body = api.body(holder, "copyright")
    del body["details"]["publication_date"]
    right_id = api.register(holder, body)
    assert (
        api.http.get(f"/v1/rights/{right_id}", headers=holder).json()["details"] == body["details"]
    )


def largest_trademark(api, auth, char: str) -> dict:
    """A trademark with every field at its bound, each character `char`."""
    name = char * bounds.MAX_NAME_CHARS
    classes = list(range(1, bounds.MAX_CLASSES + 1))
    goods = {
        str(c): [f"{n:02d}" + char * (bounds.MAX_GOODS_CHARS - 2) for n in range(22)]
        for c in classes
    }
    goods["1"] += [
        f"{n:02d}" + char * (bounds.MAX_GOODS_CHARS - 2) for n in range(22, 32)
    ]  # 45 × 22 + 10
    body = api.body(auth, title=name, holder_name=name, identity_id="identity-1")
    return with_details(body, registrant=name, nice_classes=classes, designated_goods=goods)


def event_bytes(payload: RightRegistered) -> int:
    domain_event = SimpleNamespace(
        originator_id=uuid4(), originator_version=1, timestamp=datetime.now(timezone.utc)
    )
    _, event = cloud_event(
        "ipp/rights", domain_event, 0, PublicEvent(payload, correlation_id=payload.right_id)
    )
    return len(event.to_bytes())


def test_the_largest_right_accepted_fits_in_one_kafka_record(api, holder):
    body = largest_trademark(api, holder, ASTRAL)
    assert sum(len(g) for g in body["details"]["designated_goods"].values()) == bounds.MAX_GOODS
    right_id = api.register(holder, body)
    [registered] = list(api.app.events.get(UUID(right_id)))
    [public] = to_public(registered)
    _, event = cloud_event("ipp/rights", registered, 0, public)
    assert len(event.to_bytes()) < KAFKA_RECORD_BYTES * 0.9


def test_even_details_of_escaped_characters_at_every_bound_fit_in_one_kafka_record(api, holder):
    body = largest_trademark(api, holder, "\x00")  # JSON escapes it as \u0000: 6 bytes a character
    details = bounds.typed_details("trademark", body["details"])
    document = Document(
        blob_id="0" * 64,
        sha256="0" * 64,
        media_type="application/pdf",
        size=10**7,
        purpose="registration_certificate",
    )
    payload = RightRegistered(
        right_id=str(uuid4()),
        account_id="a" * 64,
        identity_id=body["title"],
        revision=99,
        right_type="trademark",
        title=body["title"],
        registration_number="9" * 64,
        holder_name=body["title"],
        valid_from="2020-01-01",
        valid_until="2030-01-01",
        details=details,
        documents=[document] * 20,
        submitted_at=datetime.now(timezone.utc),
    )
    assert event_bytes(payload) < KAFKA_RECORD_BYTES * 0.9
