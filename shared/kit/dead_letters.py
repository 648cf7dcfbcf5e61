"""Reading and replaying a consumer group's dead letters (ipp.dlq.<group>): `ipp
dlq list|replay GROUP`.

A replay publishes each letter once, as it came (value, key, original headers), to the topic it was
read from; how far it got is the replay's own consumer group's committed offset
(`ipp-dlq-replay.<group>`), so a second replay publishes only letters that arrived since. A crash
between publishing and committing publishes a letter once more, which has no second effect:
consumers drop event ids they applied. Every consumer group of that topic sees the replayed record;
those that applied it drop it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import OffsetAndMetadata

from shared.events.envelope import CloudEvent
from shared.events.topics import dlq_topic


@dataclass(frozen=True)
class Letter:
    partition: int
    offset: int
    original_topic: str
    original_partition: str
    original_offset: str
    reason: str
    error: str
    event_id: str | None
    event_type: str | None
    record: ConsumerRecord

    @classmethod
    def of(cls, record: ConsumerRecord) -> Letter:
        headers = {k: v.decode("utf-8", "replace") for k, v in (record.headers or ())}
        try:
            event = CloudEvent.from_bytes(record.value)
            event_id, event_type = event.id, event.type
        except ValueError:
            event_id = event_type = None
        return cls(
            record.partition,
            record.offset,
            headers.get("ipp-original-topic", "?"),
            headers.get("ipp-original-partition", "?"),
            headers.get("ipp-original-offset", "?"),
            headers.get("ipp-reason", "?"),
            headers.get("ipp-error", ""),
            event_id,
            event_type,
            record,
        )

    def original_headers(self) -> list[tuple[str, bytes]]:
        return [(k, v) for k, v in (self.record.headers or ()) if not k.startswith("ipp-")]


async def _partitions(options: dict[str, Any], topic: str) -> list[TopicPartition]:
    """The topic's partitions, as the cluster has them (a consumer's metadata knows only what
    it subscribed to)."""
    admin = AIOKafkaAdminClient(**options, request_timeout_ms=15000)
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    found = [t for t in described if t.get("topic") == topic and not t.get("error_code")]
    numbers = sorted(p["partition"] for t in found for p in t["partitions"])
    return [TopicPartition(topic, number) for number in numbers]


def replay_group(group: str) -> str:
    return f"ipp-dlq-replay.{group}"


async def _letters(
    options: dict[str, Any], group: str, replay_from_committed: bool
) -> tuple[AIOKafkaConsumer, list[Letter]]:
    topic = dlq_topic(group)
    consumer = AIOKafkaConsumer(
        **options,
        group_id=replay_group(group) if replay_from_committed else None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    partitions = await _partitions(options, topic)
    if not partitions:
        return consumer, []  # no such topic: no letters
    consumer.assign(partitions)
    if not replay_from_committed:
        await consumer.seek_to_beginning(*partitions)
    ends = await consumer.end_offsets(partitions)
    found: list[Letter] = []
    quiet = 0
    while (
        quiet < 2
    ):  # past the ends, and then until nothing more comes (Tansu reports ends too low for batches)
        fetched = await consumer.getmany(timeout_ms=500)
        found += [Letter.of(r) for records in fetched.values() for r in records]
        behind = any([await consumer.position(tp) < ends[tp] for tp in partitions])
        quiet = 0 if fetched or behind else quiet + 1
    return consumer, sorted(found, key=lambda letter: (letter.partition, letter.offset))


async def letters(options: dict[str, Any], group: str) -> list[Letter]:
    """Every dead letter of the group, oldest first per partition."""
    consumer, found = await _letters(options, group, replay_from_committed=False)
    await consumer.stop()
    return found


async def replay(options: dict[str, Any], group: str) -> list[Letter]:
    """Publish each letter not replayed before to its original topic, once; returns the
    letters replayed."""
    consumer, found = await _letters(options, group, replay_from_committed=True)
    producer = AIOKafkaProducer(**options, acks="all")
    await producer.start()
    try:
        for letter in found:
            if letter.original_topic != "?":
                await producer.send_and_wait(
                    letter.original_topic,
                    letter.record.value,
                    key=letter.record.key,
                    headers=letter.original_headers(),
                )
            tp = TopicPartition(dlq_topic(group), letter.partition)
            await consumer.commit({tp: OffsetAndMetadata(letter.offset + 1, "")})
    finally:
        await producer.stop()
        await consumer.stop()
    return [letter for letter in found if letter.original_topic != "?"]
