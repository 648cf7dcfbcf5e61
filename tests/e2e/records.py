"""Reading what is on Kafka with a plain aiokafka consumer, as a takedown system would.

Each function takes aiokafka client options (where the brokers are and how to authenticate), e.g.
`platform.kafka` (the admin's) or `options_from_env(stack.takedown_env())`.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

Kafka = Mapping[str, Any]  # aiokafka client options: bootstrap_servers, security_protocol, sasl_* …


@dataclass(frozen=True)
class Record:
    topic: str
    key: bytes | None
    value: bytes | None
    headers: dict[str, bytes]

    def json(self) -> dict:
        return json.loads(self.value or b"null")


async def _read(kafka: Kafka, topics: list[str]) -> list[Record]:
    consumer = AIOKafkaConsumer(**kafka, enable_auto_commit=False, group_id=None)
    try:
        await consumer.start()
        partitions = [
            TopicPartition(t, p) for t in topics for p in (consumer.partitions_for_topic(t) or ())
        ]
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = [
                TopicPartition(t, p)
                for t in topics
                for p in (consumer.partitions_for_topic(t) or ())
            ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[Record] = []

        async def behind() -> bool:
            return any([await consumer.position(tp) < ends[tp] for tp in partitions])

        while await behind():
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records += [Record(r.topic, r.key, r.value, dict(r.headers)) for r in batch]
        return records
    finally:
        await consumer.stop()


def read_all(kafka: Kafka, topics: list[str]) -> list[Record]:
    """Every record now on these topics, from the beginning."""
    return asyncio.run(_read(kafka, topics))


def wait_for_records(
    kafka: Kafka, topics: list[str], done: Callable[[list[Record]], bool], timeout: float = 60.0
) -> list[Record]:
    deadline = time.monotonic() + timeout
    while True:
        records = read_all(kafka, topics)
        if done(records) or time.monotonic() > deadline:
            return records
        time.sleep(0.5)


def list_topics(kafka: Kafka) -> list[str]:
    async def topics() -> list[str]:
        consumer = AIOKafkaConsumer(**kafka)
        try:
            await consumer.start()
            return sorted(await consumer.topics())
        finally:
            await consumer.stop()

    return asyncio.run(topics())


def produce(
    kafka: Kafka, topic: str, value: bytes, key: bytes, headers: list | None = None
) -> None:
    async def send() -> None:
        producer = AIOKafkaProducer(**kafka, acks="all")
        try:
            await producer.start()
            await producer.send_and_wait(topic, value, key=key, headers=headers)
        finally:
            await producer.stop()

    asyncio.run(send())


def decisions_for(records: list[Record], complaint_id: str) -> list[dict]:
    """The distinct ReviewDecided events (by CloudEvents id) of one complaint."""
    seen: dict[str, dict] = {}
    for record in records:
        event = record.json()
        if event["data"]["complaint_id"] == complaint_id:
            seen.setdefault(event["id"], event)
    return list(seen.values())
