"""The AsyncAPI document: current, self-contained, and true to what the services
publish and consume."""

import ast
import inspect
import json
import re
import uuid
from datetime import date, datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from faststream.specification import AsyncAPI

from services.complaints.entrypoints import events as complaints_events
from services.contract import current_document, specification_broker
from services.identity.entrypoints import events as identity_events
from services.notifier.entrypoints import events as notifier_events
from services.rights.entrypoints import events as rights_events
from shared.events import CONTRACT_EVENTS, TOPICS, payloads
from shared.events.asyncapi import committed_document, document
from shared.events.envelope import CloudEvent
from shared.events.topics import BY_MODEL, CONSUMERS, PUBLISHERS, dlq_topic
from shared.kit.inbox import Inbox
from shared.kit.kafka import HEADERS, declare_publishers
from shared.kit.outbox import PublicEvent, cloud_event
from shared.kit.subscriptions import Subscriptions

DOC = current_document()
ROOT = Path(__file__).resolve().parents[3]


def resolve(ref: str) -> object:
    assert ref.startswith("#/"), f"{ref}: only local refs are expected"
    node: object = DOC
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def deref(node: dict) -> dict:
    while "$ref" in node:
        node = resolve(node["$ref"])
    return node


def refs(node: object) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [
            r for v in node.values() for r in refs(v)
        ]
    return [r for v in node for r in refs(v)] if isinstance(node, list) else []


# A JSON Schema subset: the keywords pydantic and the document use. An unknown keyword fails the
# test rather than being ignored, so a schema can never pass here by asking for something unchecked.
TYPES = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "object": dict,
    "array": list,
    "boolean": bool,
    "null": type(None),
}
ANNOTATIONS = {"title", "description", "default", "examples"}


def errors(value: object, schema: dict, at: str = "") -> list[str]:
    found = []
    for keyword, expected in schema.items():
        if keyword in ANNOTATIONS or keyword.startswith("x-"):
            continue
        if keyword == "$ref":
            found += errors(value, resolve(expected), at)
        elif keyword == "allOf":
            found += [e for s in expected for e in errors(value, s, at)]
        elif keyword == "anyOf":
            found += (
                []
                if any(not errors(value, s, at) for s in expected)
                else [f"{at}: matches no anyOf branch"]
            )
        elif keyword == "type":
            ok = isinstance(value, TYPES[expected]) and not (
                isinstance(value, bool) and expected != "boolean"
            )
            found += [] if ok else [f"{at}: {value!r} is not {expected}"]
        elif keyword in ("const", "enum"):
            found += (
                []
                if value in (expected if keyword == "enum" else [expected])
                else [f"{at}: {value!r}"]
            )
        elif keyword in ("properties", "required", "additionalProperties"):
            found += object_errors(value, schema, keyword, at)
        elif keyword == "items" and isinstance(value, list):
            found += [e for i, v in enumerate(value) for e in errors(v, expected, f"{at}[{i}]")]
        elif keyword in ("pattern", "minLength", "maxLength", "format"):
            found += string_errors(value, keyword, expected, at)
        else:
            pytest.fail(f"the test's validator does not know {keyword!r} (at {at}): teach it")
    return found


def object_errors(value: object, schema: dict, keyword: str, at: str) -> list[str]:
    if not isinstance(value, dict):
        return []  # "type" reports it
    if keyword == "properties":
        return [
            e
            for k, s in schema["properties"].items()
            if k in value
            for e in errors(value[k], s, f"{at}/{k}")
        ]
    if keyword == "required":
        return [f"{at}/{k}: missing" for k in schema["required"] if k not in value]
    extra = set(value) - set(schema.get("properties", {}))
    return (
        [f"{at}/{k}: not allowed" for k in extra] if schema["additionalProperties"] is False else []
    )


def string_errors(value: object, keyword: str, expected: object, at: str) -> list[str]:
    if not isinstance(value, str):
        return []
    ok = {
        "pattern": lambda: re.search(expected, value),
        "minLength": lambda: len(value) >= expected,
        "maxLength": lambda: len(value) <= expected,
        "format": lambda: valid_format(value, expected),
    }[keyword]()
    return [] if ok else [f"{at}: {value!r} fails {keyword} {expected!r}"]


def valid_format(value: str, fmt: str) -> bool:
    try:
        if fmt == "date-time":
            return datetime.fromisoformat(value).tzinfo is not None  # RFC 3339 needs an offset
        return fmt == "date" and bool(date.fromisoformat(value))
    except ValueError:
        return False


def message_on(topic: str) -> dict:
    channel = next(c for c in DOC["channels"].values() if c["address"] == topic)
    (message,) = channel["messages"].values()
    return deref(message)


def published(payload: payloads.Payload, source: str) -> tuple[str, dict]:
    """A record as the outbox relay publishes it: (topic, CloudEvent as JSON)."""
    domain_event = SimpleNamespace(
        originator_id=uuid.uuid4(),
        originator_version=2,
        timestamp=datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc),
    )
    topic, event = cloud_event(
        source, domain_event, 0, PublicEvent(payload, "c-1", str(uuid.uuid4()))
    )
    return topic, json.loads(event.to_bytes())


def review_decided(**changes: object) -> payloads.ReviewDecided:
    target = payloads.VerdictTarget(
        target_id="t-1",
        url="https://kwaixiaodian.com/item/1",
        listing_id="1",
        shop_id=None,
        action="takedown",
    )
    fields = dict(
        review_id="r-1",
        complaint_id="c-1",
        material_type="complaint",
        material_id="c-1",
        material_revision=1,
        outcome="approved",
        reasons=[payloads.Reason(code="STATEMENT_OF_REASONS", message="The complaint is upheld.")],
        decided_by=payloads.DecidedBy(kind="auto", reviewer_id=None),
        reused_decision_id=None,
        decided_at=datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc),
        verdict=payloads.Verdict(targets=[target], right_id="rt-1", right_type="trademark"),
    )
    return payloads.ReviewDecided(**{**fields, **changes})


def test_the_committed_document_is_the_one_the_models_generate():
    path = ROOT / "docs" / "asyncapi.json"
    assert path.exists() and committed_document(path) == DOC, (
        "run `make schemas` and commit docs/asyncapi.json"
    )


def test_the_document_has_what_asyncapi_3_requires():
    assert DOC["asyncapi"] == "3.0.0"
    assert DOC["info"]["title"] and DOC["info"]["version"] and DOC["info"]["description"]
    assert DOC["defaultContentType"] == "application/cloudevents+json"
    assert DOC["servers"]["kafka"]["protocol"] == "kafka" and DOC["servers"]["kafka"]["host"]
    for name, operation in DOC["operations"].items():
        assert operation["action"] in ("send", "receive"), name
        channel = operation["channel"]["$ref"]
        assert resolve(channel) in DOC["channels"].values(), name
        for message in operation["messages"]:  # AsyncAPI 3: a subset of its channel's messages
            assert message["$ref"].startswith(f"{channel}/messages/") and resolve(
                message["$ref"]
            ), name


def test_every_ref_resolves_inside_the_document():
    assert refs(DOC)
    for ref in refs(DOC):
        resolve(ref)
    assert "$defs" not in str(DOC) and "$id" not in str(DOC)


def test_every_contract_topic_has_a_channel_and_dead_letters_have_theirs():
    addresses = {c["address"] for c in DOC["channels"].values()}
    assert addresses == {*TOPICS, dlq_topic("{consumerGroup}")}
    for event in CONTRACT_EVENTS:
        payload = deref(message_on(event.topic)["payload"])
        assert payload["allOf"][1]["properties"]["type"] == {"const": event.type}
        assert deref(payload["allOf"][1]["properties"]["data"])["title"] == event.name


def test_every_message_documents_its_kafka_key():
    for event in CONTRACT_EVENTS:
        key = message_on(event.topic)["bindings"]["kafka"]["key"]
        assert (
            key["x-ipp-field"] == f"data.{event.subject_field}"
            and event.subject_field in key["description"]
        )


def test_dead_letters_document_the_headers_the_inbox_sets():
    headers = deref(deref(DOC["channels"]["DeadLetters"]["messages"]["DeadLetter"])["headers"])
    assert set(headers["required"]) == set(
        re.findall(r'"(ipp-[a-z-]+)"', inspect.getsource(Inbox.dead_letter))
    )
    groups = DOC["channels"]["DeadLetters"]["parameters"]["consumerGroup"]["enum"]
    assert groups == sorted(f"ipp-{service}" for service in CONSUMERS)


def test_consumers_are_those_the_services_subscribe():
    topic_of = {e.name: e.topic for e in CONTRACT_EVENTS}
    subscribed = {
        "identity": identity_events.subscriptions.topics,
        "rights": rights_events.subscriptions.topics,
        "complaints": complaints_events.subscriptions.topics,
        "notifier": notifier_events.subscriptions.topics,
    }
    assert {s: {topic_of[n] for n in names} for s, names in CONSUMERS.items()} == {
        s: set(topics) for s, topics in subscribed.items()
    }


@pytest.mark.parametrize(
    "service, module",
    [
        ("identity", "services/identity/adapters/publication.py"),
        ("rights", "services/rights/adapters/publication.py"),
        ("complaints", "services/complaints/adapters/publication.py"),
        ("notifier", "services/notifier/adapters/public_events.py"),
    ],
)
def test_publishers_are_the_services_whose_mapping_builds_the_event(service, module):
    imported = {
        alias.name
        for node in ast.walk(ast.parse((ROOT / module).read_text()))
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    # identity, rights and complaints publish ReviewDecided through
    # shared.review.process.review_decided
    via_review = {"ReviewDecided"} if "review_decided" in imported else set()
    contract = {m.__name__ for m in BY_MODEL} & imported | via_review
    assert contract == {name for name, services in PUBLISHERS.items() if service in services}


@pytest.mark.parametrize(
    "source, decided",
    [
        ("ipp/complaints", review_decided()),
        (
            "ipp/identity",
            review_decided(
                material_type="identity",
                material_id="i-1",
                outcome="rejected",
                verdict=None,
                reasons=[payloads.Reason(code="ID_CHECKSUM", message="bad checksum")],
            ),
        ),
    ],
)
def test_a_published_review_decided_validates_against_the_document(source, decided):
    topic, event = published(decided, source)
    message = message_on(topic)
    assert errors(event, message["payload"]) == []
    assert errors({k: v.decode() for k, v in HEADERS}, message["headers"]) == []
    assert event["subject"] == decided.material_id  # the key, as the message binding says


def test_an_extended_event_still_validates_and_is_read():
    """The contract is extended freely: a field or extension attribute a newer producer adds
    breaks no reader."""
    topic, event = published(review_decided(), "ipp/complaints")
    event["data"]["appeal_deadline"] = "2026-12-28T00:00:00Z"
    event["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    assert errors(event, message_on(topic)["payload"]) == []
    parsed = CloudEvent.from_bytes(json.dumps(event).encode())
    assert (
        payloads.ReviewDecided.model_validate(parsed.data).material_id
        == event["data"]["material_id"]
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e["data"]["verdict"]["targets"][0].update(action="block"),
        lambda e: e["data"].pop("decided_by"),
        lambda e: e.update(type="ipp.ComplaintFiled.v1"),
        lambda e: e.update(source="ipp/notifier"),
        lambda e: e.update(time="yesterday"),
    ],
)
def test_a_record_off_the_contract_does_not_validate(change):
    topic, event = published(review_decided(), "ipp/complaints")
    change(event)
    assert errors(event, message_on(topic)["payload"])


def test_the_operations_are_read_off_what_the_services_declare_on_their_brokers():
    broker = specification_broker()
    audit = Subscriptions[None]("audit")
    audit.on(payloads.ComplaintFiled)(lambda *_: None)
    audit.declare(broker, "ipp-audit")
    declare_publishers(broker, "audit", "ipp-audit")
    declared = document(AsyncAPI(broker, schema_version="3.0.0").to_specification().to_jsonable())
    receive = declared["operations"]["auditReceiveComplaintFiled"]
    assert receive["bindings"]["kafka"]["groupId"]["enum"] == ["ipp-audit"]
    assert receive["channel"] == {"$ref": "#/channels/ComplaintFiled"}
    assert "ipp-audit" in declared["channels"]["DeadLetters"]["parameters"]["consumerGroup"]["enum"]
    assert "auditReceiveComplaintFiled" not in DOC["operations"]
