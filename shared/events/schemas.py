"""JSON Schemas of the contract events, generated into shared/events/schemas/ and
checked by tests."""

from __future__ import annotations

import json
from pathlib import Path

from shared.events.envelope import CloudEvent
from shared.events.topics import CONTRACT_EVENTS

SCHEMA_DIR = Path(__file__).with_name("schemas")


def current_schemas() -> dict[str, dict]:
    schemas = {"CloudEvent": CloudEvent.model_json_schema()}
    for event in CONTRACT_EVENTS:
        schema = event.model.model_json_schema()
        schema["$id"] = f"https://ipp.example/schemas/{event.type}.json"
        schema["x-topic"] = event.topic
        schema["x-subject"] = event.subject_field
        schemas[event.type] = schema
    return schemas


def write_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in current_schemas().items():
        path = directory / f"{name}.json"
        path.write_text(json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        written.append(path)
    return written


def committed_schemas(directory: Path = SCHEMA_DIR) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted(directory.glob("*.json"))}


if __name__ == "__main__":
    for path in write_schemas():
        print(path)
