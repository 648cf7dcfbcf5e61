"""The AsyncAPI 3.0 document of IPP's Kafka contract, for the systems that consume it
(takedown systems first).

Who sends and who receives what comes from the services' own declarations: their FastStream
publishers (shared/kit/kafka.py declare_publishers) and typed subscribers
(shared/kit/subscriptions.py) on one broker that is never started, whose specification FastStream
renders (services/contract.py).
`document` adds what the contract says of each event, which FastStream cannot know: the CloudEvents
envelope and the very JSON Schemas of shared/events/schemas/, the record key, the summaries, the
dead letters' headers. Written to docs/asyncapi.json (`make schemas`) and compared by a test, so it
cannot drift from the models or from what the services subscribe to.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path

from shared.events.envelope import CONTENT_TYPE
from shared.events.schemas import current_schemas
from shared.events.topics import CONTRACT_EVENTS, ContractEvent, dlq_topic

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.json"
VERSION = "1.0.0"  # the contract's version: every topic and type is .v1
KAFKA = "0.5.0"  # Kafka bindings version for AsyncAPI 3.0
SCHEMAS = "#/components/schemas/"

SUMMARIES = {  # as CONTRACT.md and README "Extensions of the contract" say
    "IdentitySubmitted": (
        "An identity was submitted: first submission and every resubmission after a rejection "
        "(revision 1, 2, …). Parties carry masked document numbers and keyed fingerprints only."
    ),
    "RightRegistered": (
        "A trademark, copyright or patent was submitted: first submission and every amendment "
        "(revision 2, 3, …)."
    ),
    "ComplaintFiled": (
        "A complaint against marketplace listings was filed; identity and rights review their "
        "material for it."
    ),
    "ReviewDecided": "One material of a complaint (identity, right or complaint) was decided. When "
    "`material_type` is `complaint` this is the verdict: `verdict.targets` gives each reported "
    "listing's `action` (`takedown` | `none`). Takedown systems consume this topic.",
    "EmailVerificationRequested": (
        "An account asked to bind an email address; the notifier emails it the code. The code is "
        "not in the event: the notifier derives it from `request_id` with the deployment's key "
        "(`code` is deprecated and never set). Carries the address: only the notifier should be "
        "able to read this topic."
    ),
    "EmailBound": "An account bound a verified email address (and the language of its emails).",
    "ComplaintWithdrawn": "The complainant withdrew a complaint before its verdict.",
    "NotificationSent": "The notifier sent an email (`sent`) or gave up on it (`failed`).",
    "RightExpiring": "A registered right's validity ends in 30 days (announced once per end date).",
}
DESCRIPTION = """\
IPP's public events on Kafka (CONTRACT.md, "Events"). Every record value is a CloudEvents 1.0 JSON \
object in structured mode (UTF-8); the record key is the event's `subject`, the id of the \
aggregate the event is about, so the events of one aggregate stay in order on one partition; IPP \
sets the header `content-type: application/cloudevents+json`, but every attribute is in the value \
and no header is needed to read it. Delivery is at least once: deduplicate on the CloudEvent `id` \
(deterministic, so a republished event keeps it). `data` follows the event type's JSON Schema \
(also in `shared/events/schemas/`). The contract is extended, never broken: a change that would \
break it comes on a new topic and type (`.v2`). Records an IPP consumer group cannot process go to \
`ipp.dlq.<consumer-group>`."""


OPERATION = re.compile(r"^(?P<party>[a-z]+)(?P<verb>Send|Receive)(?P<name>[A-Za-z]+)$")


@dataclass(frozen=True)
class Operation:
    """One subscriber or publisher of FastStream's specification, by its title
    (`<party>Send<Event>` or `<party>Receive<Event>`)."""

    party: str
    action: str
    name: str
    description: str


def operations_of(specification: dict) -> list[Operation]:
    """The operations of a FastStream AsyncAPI 3.0 document (`AsyncAPI(broker).to_specification()
    .to_jsonable()`), each with its channel's description."""
    found = []
    for title, operation in specification.get("operations", {}).items():
        match = OPERATION.match(title)
        if match is None:
            raise ValueError(f"{title!r}: name operations <party>Send|Receive<Event>")
        channel = specification["channels"][operation["channel"]["$ref"].rsplit("/", 1)[1]]
        expected = "send" if match["verb"] == "Send" else "receive"
        if operation["action"] != expected:
            raise ValueError(f"{title!r} is a {operation['action']} operation")
        description = channel.get("description", "")
        found.append(Operation(match["party"], expected, match["name"], description))
    return found


def document(specification: dict) -> dict:
    """IPP's AsyncAPI document from what the services declare on their brokers (FastStream's
    specification of their publishers and subscribers), with what the contract says of each event:
    its envelope and JSON Schema, its key, its summary, the dead letters' headers."""
    operations = operations_of(specification)
    publishers = {
        e.name: sorted(o.party for o in operations if o.action == "send" and o.name == e.name)
        for e in CONTRACT_EVENTS
    }
    missing = [name for name, parties in publishers.items() if not parties]
    if missing:
        raise ValueError(f"no service declares a publisher of {missing}")
    schemas = _components_schemas()
    channels, messages = {}, {}
    for event in CONTRACT_EVENTS:
        schemas[f"{event.name}Event"] = _envelope(event, publishers[event.name])
        messages[event.name] = _message(event)
        channels[event.name] = {
            "address": event.topic,
            "title": event.name,
            "description": SUMMARIES[event.name],
            "messages": {event.name: {"$ref": f"#/components/messages/{event.name}"}},
        }
    schemas["EventHeaders"] = {
        "type": "object",
        "description": "Kafka record headers IPP sets on every event.",
        "properties": {"content-type": {"type": "string", "const": CONTENT_TYPE}},
        "required": ["content-type"],
    }
    consumers = sorted(o.party for o in operations if o.name == "DeadLetter")
    schemas["DeadLetterHeaders"] = _dead_letter_headers()
    channels["DeadLetters"] = _dead_letter_channel(consumers)
    messages["DeadLetter"] = _dead_letter_message()
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "IPP events", "version": VERSION, "description": DESCRIPTION},
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "kafka": {
                "host": "{bootstrap}",
                "protocol": "kafka",
                "description": "The Kafka cluster the IPP services use (`IPP_KAFKA_BOOTSTRAP`).",
                "variables": {
                    "bootstrap": {
                        "default": "127.0.0.1:19092",
                        "examples": ["127.0.0.1:29092"],
                        "description": "host:port of a bootstrap broker",
                    }
                },
            }
        },
        "channels": channels,
        "operations": _operations(operations, consumers),
        "components": {
            "schemas": schemas,
            "messages": messages,
            "correlationIds": {
                "correlationid": {
                    "description": (
                        "The complaint id, or the id of the request that started the chain."
                    ),
                    "location": "$message.payload#/correlationid",
                }
            },
        },
    }


def write_document(content: dict, path: Path = DOCUMENT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return path


def committed_document(path: Path = DOCUMENT) -> dict:
    return json.loads(path.read_text())


def _components_schemas() -> dict[str, dict]:
    """The contract's JSON Schemas with pydantic's `$defs` hoisted beside them, so every
    `$ref` resolves here."""
    hoisted: dict[str, dict] = {}
    for name, schema in current_schemas().items():
        schema = copy.deepcopy(schema)
        schema.pop(
            "$id", None
        )  # an embedded $id would re-base the refs below it onto an unserved URL
        for def_name, definition in schema.pop("$defs", {}).items():
            _put(hoisted, def_name, _rewrite_refs(definition))
        _put(hoisted, name, _rewrite_refs(schema))
    return hoisted


def _put(schemas: dict[str, dict], name: str, schema: dict) -> None:
    if schemas.setdefault(name, schema) != schema:
        raise ValueError(f"two contract models define different schemas named {name!r}: rename one")


def _rewrite_refs(node: object) -> object:
    if isinstance(node, dict):
        return {
            k: SCHEMAS + v.removeprefix("#/$defs/")
            if k == "$ref" and v.startswith("#/$defs/")
            else _rewrite_refs(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


def _envelope(event: ContractEvent, publishers: list[str]) -> dict:
    """The CloudEvent envelope narrowed to one event type: its type, its sources and its `data`."""
    return {
        "title": f"{event.name} CloudEvent",
        "allOf": [
            {"$ref": SCHEMAS + "CloudEvent"},
            {
                "type": "object",
                "properties": {
                    "type": {"const": event.type},
                    "source": {"enum": [f"ipp/{s}" for s in publishers]},
                    "subject": {
                        "description": f"`data.{event.subject_field}`; also the Kafka record key"
                    },
                    "data": {"$ref": SCHEMAS + event.type},
                },
            },
        ],
    }


def _message(event: ContractEvent) -> dict:
    return {
        "name": event.name,
        "title": event.name,
        "summary": SUMMARIES[event.name],
        "contentType": CONTENT_TYPE,
        "headers": {"$ref": SCHEMAS + "EventHeaders"},
        "payload": {"$ref": SCHEMAS + f"{event.name}Event"},
        "correlationId": {"$ref": "#/components/correlationIds/correlationid"},
        "bindings": {
            "kafka": {
                "bindingVersion": KAFKA,
                "key": {
                    "type": "string",
                    "minLength": 1,
                    "x-ipp-field": f"data.{event.subject_field}",
                    "description": (
                        f"The CloudEvent `subject`, i.e. `data.{event.subject_field}` (UTF-8)."
                    ),
                },
            }
        },
    }


def _operations(declared: list[Operation], consumers: list[str]) -> dict[str, dict]:
    operations = {}
    for op in declared:
        key = f"{op.party}{'Send' if op.action == 'send' else 'Receive'}{op.name}"
        if op.name == "DeadLetter":
            channel, message = "DeadLetters", "DeadLetter"
        else:
            channel = message = op.name
        entry = {
            "action": op.action,
            "channel": {"$ref": f"#/channels/{channel}"},
            "messages": [{"$ref": f"#/channels/{channel}/messages/{message}"}],
            "tags": [{"name": op.party}],
            "summary": op.description,
        }
        if op.action == "receive" and op.party in consumers:
            group = f"ipp-{op.party}"
            entry["summary"] = f"{op.party} consumes {op.name} in consumer group `{group}`."
            if op.description:
                entry["description"] = op.description
            entry["bindings"] = {
                "kafka": {"bindingVersion": KAFKA, "groupId": {"type": "string", "enum": [group]}}
            }
        elif op.action == "receive":  # a system downstream: a sentence for it, then what to do
            summary, _, description = op.description.partition(". ")
            entry["tags"] = [{"name": "downstream"}]
            entry["summary"], entry["description"] = f"{summary}.", description
        operations[key] = entry
    return operations


def _dead_letter_channel(consumers: list[str]) -> dict:
    return {
        "address": dlq_topic("{consumerGroup}"),
        "title": "Dead letters",
        "description": (
            "Records a consumer group could not process: not a CloudEvent, not the topic's event "
            "type, a payload not matching its schema, or a handler still failing after bounded "
            "retries."
        ),
        "parameters": {
            "consumerGroup": {
                "enum": [f"ipp-{s}" for s in consumers],
                "description": "The consumer group that gave up: `ipp-<service>`.",
            }
        },
        "messages": {"DeadLetter": {"$ref": "#/components/messages/DeadLetter"}},
    }


def _dead_letter_message() -> dict:
    return {
        "name": "DeadLetter",
        "title": "Dead letter",
        "contentType": "application/octet-stream",
        "summary": (
            "The original record, value and key unchanged, with where it came from and why it "
            "failed."
        ),
        "headers": {"$ref": SCHEMAS + "DeadLetterHeaders"},
        "payload": {
            "description": (
                "The original record value, byte for byte: usually an IPP CloudEvent (see the "
                "original topic's message), but possibly the malformed bytes that were refused."
            )
        },
        "bindings": {
            "kafka": {"bindingVersion": KAFKA, "key": {"description": "The original record's key."}}
        },
    }


def _dead_letter_headers() -> dict:
    decimal = {"type": "string", "pattern": "^[0-9]+$"}
    return {
        "type": "object",
        "description": (
            "Set by the inbox (shared/kit/inbox.py), after the original record's headers "
            "(content-type…)."
        ),
        "properties": {
            "ipp-error": {
                "type": "string",
                "maxLength": 2000,
                "description": "repr() of the failure.",
            },
            "ipp-reason": {
                "type": "string",
                "enum": [
                    "NOT_A_CLOUD_EVENT",
                    "WRONG_TOPIC",
                    "SCHEMA_VIOLATION",
                    "NOT_THE_OWNER",
                    "HANDLER_FAILED",
                ],
                "description": "Why: not a CloudEvent; a type not carried by this topic; data not "
                "matching the type's schema; a `source` that does not own the event "
                "(e.g. a verdict not from ipp/complaints); a handler that kept failing.",
            },
            "ipp-original-topic": {
                "type": "string",
                "description": "The topic the record was read from.",
            },
            "ipp-original-partition": {**decimal, "description": "Its partition, in decimal."},
            "ipp-original-offset": {**decimal, "description": "Its offset, in decimal."},
        },
        "required": [
            "ipp-error",
            "ipp-reason",
            "ipp-original-topic",
            "ipp-original-partition",
            "ipp-original-offset",
        ],
    }
