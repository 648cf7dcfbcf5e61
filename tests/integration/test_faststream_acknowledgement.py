"""Why the kit's inbox never lets FastStream see a failure (README, "The Kafka side"): on a real
broker, FastStream's own acknowledgement either loses a batch whose handler raised or blocks its
partition on it. The inbox therefore keeps applying, dead-lettering and committing itself
(shared/kit/inbox.py)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaMessage

from shared.kit.kafka import ensure_topics, new_broker
from tests.e2e.records import produce


def raw(message: Any) -> Any:
    return message.raw_message


async def until(check: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(0.2)
    return check()


async def consume(options: dict, topic: str, group: str, policy: AckPolicy, handle, done) -> None:
    """One FastStream batch subscriber of `group` until `done()` (at most 30 s)."""
    broker = new_broker(options)
    subscriber = broker.subscriber(
        topic,
        group_id=group,
        batch=True,
        ack_policy=policy,
        auto_offset_reset="earliest",
        batch_timeout_ms=200,
        decoder=raw,
    )
    subscriber(handle)
    await broker.start()
    try:
        await until(done)
    finally:
        await broker.stop()


def fresh_topic(options: dict) -> str:
    topic = f"ipp.probe-{uuid.uuid4().hex[:8]}.v1"
    asyncio.run(ensure_topics(options, [topic], 1))
    return topic


def test_under_manual_acknowledgement_a_batch_whose_handler_raised_is_passed_over(kafka_admin):
    topic, group = fresh_topic(kafka_admin), f"ipp-probe-{uuid.uuid4().hex[:8]}"
    produce(kafka_admin, topic, b"first", b"k")
    seen: list[bytes] = []

    async def handle(records: Any, message: KafkaMessage) -> None:
        seen.extend(record.value for record in records)
        if b"first" in [record.value for record in records]:
            raise RuntimeError("the database went away mid-batch")
        await message.ack()

    async def run() -> None:
        task = asyncio.create_task(
            consume(kafka_admin, topic, group, AckPolicy.MANUAL, handle, lambda: b"second" in seen)
        )
        assert await until(lambda: b"first" in seen)
        await asyncio.to_thread(produce, kafka_admin, topic, b"second", b"k")
        await task

    asyncio.run(run())
    assert seen == [b"first", b"second"], "FastStream went on to the next batch, and never back"
    again: list[bytes] = []

    async def handle_again(records: Any, message: KafkaMessage) -> None:
        again.extend(record.value for record in records)
        await message.ack()

    produce(kafka_admin, topic, b"third", b"k")
    asyncio.run(
        consume(
            kafka_admin, topic, group, AckPolicy.MANUAL, handle_again, lambda: b"third" in again
        )
    )
    assert again == [b"third"], "the failed batch was committed past: a new consumer never sees it"


def test_under_nack_on_error_a_poison_record_blocks_its_partition(kafka_admin):
    topic, group = fresh_topic(kafka_admin), f"ipp-probe-{uuid.uuid4().hex[:8]}"
    produce(kafka_admin, topic, b"poison", b"k")
    produce(kafka_admin, topic, b"honest", b"k")
    deliveries: list[list[bytes]] = []

    async def handle(records: Any) -> None:
        deliveries.append([record.value for record in records])
        if b"poison" in deliveries[-1]:
            raise ValueError("not a CloudEvent")

    asyncio.run(
        consume(
            kafka_admin, topic, group, AckPolicy.NACK_ON_ERROR, handle, lambda: len(deliveries) >= 4
        )
    )
    assert len(deliveries) >= 4 and all(b"poison" in batch for batch in deliveries), deliveries
    assert not any(batch == [b"honest"] for batch in deliveries), "the honest record waits forever"
