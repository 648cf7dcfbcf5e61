"""The AsyncAPI 3.0 document of IPP's Kafka contract, for the systems that consume it
(takedown systems first).

Built from the topic registry and the very JSON Schemas of shared/events/schemas/, written to
docs/asyncapi.json (`make schemas`) and compared by a test, so it cannot drift from the models.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from shared.events.envelope import CONTENT_TYPE
from shared.events.schemas import current_schemas
from shared.events.topics import CONSUMERS, CONTRACT_EVENTS, PUBLISHERS, ContractEvent, dlq_topic

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


def current_document() -> dict:
    schemas = _components_schemas()
    channels, messages = {}, {}
    for event in CONTRACT_EVENTS:
        schemas[f"{event.name}Event"] = _envelope(event)
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
    schemas["DeadLetterHeaders"] = _dead_letter_headers()
    channels["DeadLetters"] = _dead_letter_channel()
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
        "operations": _operations(),
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


def write_document(path: Path = DOCUMENT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(current_document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )
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


def _envelope(event: ContractEvent) -> dict:
    """The CloudEvent envelope narrowed to one event type: its type, its sources and its `data`."""
    return {
        "title": f"{event.name} CloudEvent",
        "allOf": [
            {"$ref": SCHEMAS + "CloudEvent"},
            {
                "type": "object",
                "properties": {
                    "type": {"const": event.type},
                    "source": {"enum": [f"ipp/{s}" for s in PUBLISHERS[event.name]]},
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


def _operations() -> dict[str, dict]:
    operations = {}
    for event in CONTRACT_EVENTS:
        ref = {
            "channel": {"$ref": f"#/channels/{event.name}"},
            "messages": [{"$ref": f"#/channels/{event.name}/messages/{event.name}"}],
        }
        for service in PUBLISHERS[event.name]:
            operations[f"{service}Send{event.name}"] = {
                "action": "send",
                **ref,
                "tags": [{"name": service}],
                "summary": (
                    f"{service} publishes {event.name} (source `ipp/{service}`) through its outbox."
                ),
            }
        for service in (s for s, names in CONSUMERS.items() if event.name in names):
            operations[f"{service}Receive{event.name}"] = {
                "action": "receive",
                **ref,
                "tags": [{"name": service}],
                "summary": f"{service} consumes {event.name} in consumer group `ipp-{service}`.",
                "bindings": {
                    "kafka": {
                        "bindingVersion": KAFKA,
                        "groupId": {"type": "string", "enum": [f"ipp-{service}"]},
                    }
                },
            }
    operations["takedownReceiveReviewDecided"] = {
        "action": "receive",
        "channel": {"$ref": "#/channels/ReviewDecided"},
        "messages": [{"$ref": "#/channels/ReviewDecided/messages/ReviewDecided"}],
        "tags": [{"name": "downstream"}],
        "summary": "A takedown system acts on verdicts.",
        "description": (
            "Act on records whose `data.material_type` is `complaint` (the verdict): take down "
            "every `data.verdict.targets[]` whose `action` is `takedown`. Identity and right "
            "decisions come on the same topic: skip them. Deduplicate on the CloudEvent `id`; "
            "use a consumer group of your own, never an `ipp-*` one."
        ),
    }
    for service in CONSUMERS:
        operations[f"{service}SendDeadLetter"] = {
            "action": "send",
            "channel": {"$ref": "#/channels/DeadLetters"},
            "messages": [{"$ref": "#/channels/DeadLetters/messages/DeadLetter"}],
            "tags": [{"name": service}],
            "summary": f"{service}'s inbox dead-letters to `{dlq_topic(f'ipp-{service}')}`.",
        }
    return operations


def _dead_letter_channel() -> dict:
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
                "enum": sorted(f"ipp-{s}" for s in CONSUMERS),
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


if __name__ == "__main__":
    print(write_document())
