"""The public contract: CloudEvents envelope, payloads and their committed JSON Schemas."""

import uuid
from datetime import datetime, timezone

import pytest
from pydantic import BaseModel, ValidationError

from shared.events import CONTRACT_EVENTS, CloudEvent, event_id_for
from shared.events.compatibility import breaking_changes
from shared.events.schemas import committed_schemas, current_schemas


def test_committed_schemas_are_those_the_models_generate():
    assert committed_schemas() == current_schemas(), (
        "run `make schemas` and commit shared/events/schemas"
    )


def test_no_model_breaks_its_committed_schema():
    committed = committed_schemas()
    for name, schema in current_schemas().items():
        assert breaking_changes(committed[name], schema) == [], name


class Before(BaseModel):
    complaint_id: str
    outcome: str


class RemovedField(BaseModel):
    complaint_id: str


class NewRequired(BaseModel):
    complaint_id: str
    outcome: str
    material: str


class NewOptional(BaseModel):
    complaint_id: str
    outcome: str
    note: str | None = None


class ChangedType(BaseModel):
    complaint_id: str
    outcome: int


@pytest.mark.parametrize("after", [RemovedField, NewRequired, ChangedType])
def test_removing_retyping_or_requiring_a_field_is_a_breaking_change(after):
    assert breaking_changes(Before.model_json_schema(), after.model_json_schema())


def test_adding_an_optional_field_is_not_a_breaking_change():
    assert breaking_changes(Before.model_json_schema(), NewOptional.model_json_schema()) == []


def test_every_contract_event_has_a_versioned_topic_and_type():
    for event in CONTRACT_EVENTS:
        assert event.topic.startswith("ipp.") and event.topic.endswith(".v1")
        assert event.type == f"ipp.{event.name}.v1"
        assert event.subject_field in event.model.model_fields


def test_a_republished_event_keeps_its_id():
    originator = uuid.uuid4()
    assert event_id_for("ipp/rights", originator, 3) == event_id_for("ipp/rights", originator, 3)
    assert event_id_for("ipp/rights", originator, 3) != event_id_for("ipp/rights", originator, 4)


def test_a_cloud_event_round_trips_in_structured_json():
    event = CloudEvent(
        id=str(uuid.uuid4()),
        source="ipp/complaints",
        type="ipp.ComplaintFiled.v1",
        subject="c-1",
        time=datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc),
        correlationid="c-1",
        data={"x": 1},
    )
    raw = event.to_bytes()
    assert b'"specversion":"1.0"' in raw and b'"time":"2026-11-28T10:00:00.000000Z"' in raw
    assert CloudEvent.from_bytes(raw) == event


def test_a_record_that_is_not_a_cloud_event_is_refused():
    with pytest.raises(ValidationError):
        CloudEvent.from_bytes(b'{"hello": "world"}')
