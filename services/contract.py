"""The platform's AsyncAPI document, generated from what the services declare.

Each service declares its publishers (shared/kit/kafka.py `declare_publishers`, as its relay
uses them) and its typed subscribers (its `entrypoints/events.py` subscriptions) on one FastStream
broker that is never started; FastStream renders their specification, and shared/events/asyncapi.py
adds what the contract says of each event. `python -m services.contract` (`make schemas`) writes
docs/asyncapi.json; a unit test fails when it is stale.
"""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from services.complaints.entrypoints import events as complaints
from services.identity.entrypoints import events as identity
from services.notifier.entrypoints import events as notifier
from services.rights.entrypoints import events as rights
from shared.events.asyncapi import VERSION, document, write_document
from shared.events.payloads import ReviewDecided
from shared.events.topics import topic_for
from shared.kit.kafka import declare_publishers

SUBSCRIPTIONS = (identity, rights, complaints, notifier)
TAKEDOWN = (
    "A takedown system acts on verdicts. Act on records whose `data.material_type` is "
    "`complaint` (the verdict): take down every `data.verdict.targets[]` whose `action` is "
    "`takedown`. Identity and right decisions come on the same topic: skip them. Deduplicate on "
    "the CloudEvent `id`; use a consumer group of your own, never an `ipp-*` one."
)


def specification_broker() -> KafkaBroker:
    """Every service's publishers and subscribers, and the takedown system's subscriber, as
    they are declared at run time (the broker never connects)."""
    broker = KafkaBroker("{bootstrap}")
    for module in SUBSCRIPTIONS:
        service = module.subscriptions.service
        group = f"ipp-{service}"
        declare_publishers(broker, service, group)
        module.subscriptions.declare(broker, group)
    broker.subscriber(
        topic_for(ReviewDecided), title="takedownReceiveReviewDecided", description=TAKEDOWN
    )(_verdicts)
    return broker


async def _verdicts(data: ReviewDecided) -> None:
    """The takedown system's: never called here."""


def current_document() -> dict:
    specification = AsyncAPI(specification_broker(), schema_version="3.0.0", version=VERSION)
    return document(specification.to_specification().to_jsonable())


if __name__ == "__main__":
    print(write_document(current_document()))
