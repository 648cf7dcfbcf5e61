"""The idempotent inbox: consume in batches, apply each batch in one transaction, then commit offsets.

A record's CloudEvents id is stored with the state it produced, in the same transaction, so a
second delivery (a redelivered batch, a republished outbox after a broker restart) has no effect.
Records that cannot be parsed, or keep failing after bounded retries, go to ipp.dlq.<group>.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy.exc
import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.errors import CommitFailedError, KafkaError
from eventsourcing.persistence import IntegrityError as PersistenceIntegrityError
from eventsourcing.persistence import OperationalError as PersistenceOperationalError
from prometheus_client import Counter, Gauge
from pydantic import BaseModel, ValidationError
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from shared.events.envelope import CloudEvent
from shared.events.topics import BY_TYPE, dlq_topic
from shared.kit.logs import log
from shared.kit.store import ServiceApplication, inbox_events

CONSUMED = Counter("ipp_events_consumed_total", "Events applied by the inbox", ["topic", "result"])
DEAD_LETTERS = Counter("ipp_dead_letters_total", "Records sent to the dead-letter topic", ["topic"])
LAG = Gauge("ipp_consumer_lag", "Records behind the end of the partition", ["topic", "partition"])


@dataclass(frozen=True)
class Delivery:
    record: ConsumerRecord
    event: CloudEvent
    payload: BaseModel


Handler = Callable[[Session, Delivery], None]
TRANSIENT = (PersistenceOperationalError, PersistenceIntegrityError, sqlalchemy.exc.OperationalError)
TRANSIENT_PATIENCE = 5  # transient failures get this many times the retries (about 20 s in all)


class PoisonRecord(Exception):
    """A record that can never be processed (not a CloudEvent, or not the contract's schema)."""


def parse(record: ConsumerRecord) -> CloudEvent | None:
    try:
        event = CloudEvent.from_bytes(record.value)
    except ValidationError as exc:
        raise PoisonRecord(f"not a CloudEvent: {exc.errors()[:3]}") from exc
    contract = BY_TYPE.get(event.type)
    if contract is None or contract.topic != record.topic:
        raise PoisonRecord(f"unexpected type {event.type!r} on {record.topic}")
    return event


class Inbox:
    """Runs one consumer group over `topics`, dispatching contract payloads to `handler`."""

    def __init__(self, app: ServiceApplication, producer: AIOKafkaProducer, kafka: dict, group: str,
                 topics: Sequence[str], handler: Handler, batch: int = 200, retries: int = 3) -> None:
        self.app, self.producer, self.kafka, self.group = app, producer, kafka, group
        self.topics, self.handler, self.batch, self.retries = list(topics), handler, batch, retries
        self.consumer: AIOKafkaConsumer | None = None

    async def run(self) -> None:
        self.consumer = AIOKafkaConsumer(
            *self.topics, **self.kafka, group_id=self.group,
            enable_auto_commit=False, auto_offset_reset="earliest", max_poll_records=self.batch,
            session_timeout_ms=10000, heartbeat_interval_ms=1000,
        )
        await self.consumer.start()
        try:
            while True:
                batches = await self.consumer.getmany(timeout_ms=500, max_records=self.batch)
                for tp, records in batches.items():
                    await self.process(records)
                    try:
                        await self.consumer.commit({tp: records[-1].offset + 1})
                    except (CommitFailedError, KafkaError) as exc:  # rebalanced: the next owner dedupes
                        log.warning("inbox.commit_failed", error=repr(exc))
                    LAG.labels(tp.topic, tp.partition).set(
                        max(0, (self.consumer.highwater(tp) or 0) - records[-1].offset - 1))
        finally:
            await self.consumer.stop()

    async def process(self, records: list[ConsumerRecord]) -> None:
        deliveries = []
        for record in records:
            try:
                event = parse(record)
                contract = BY_TYPE[event.type]
                payload = contract.model.model_validate(event.data)
            except (PoisonRecord, ValidationError) as exc:
                await self.dead_letter(record, exc)
                continue
            deliveries.append(Delivery(record, event, payload))
        if not deliveries:
            return
        try:
            await asyncio.to_thread(self.apply, deliveries)
            return
        except Exception as exc:
            log.warning("inbox.batch_failed", error=repr(exc), size=len(deliveries))
        for delivery in deliveries:  # isolate the failing record, retrying each a bounded number of times
            await self.apply_alone(delivery)

    async def apply_alone(self, delivery: Delivery) -> None:
        """Retry a failing record a bounded number of times, then dead-letter it. Database conflicts
        and locks (a replica wrote the same aggregate, SQLite is busy) pass; they get more patience."""
        for attempt in itertools.count(1):
            try:
                await asyncio.to_thread(self.apply, [delivery])
                return
            except Exception as exc:
                transient = isinstance(exc, TRANSIENT)
                log.warning("inbox.retry", event_id=delivery.event.id, attempt=attempt, error=repr(exc))
                if attempt >= self.retries * (TRANSIENT_PATIENCE if transient else 1):
                    await self.dead_letter(delivery.record, exc)
                    return
                await asyncio.sleep(min(2.0, 0.05 * 2**attempt))

    def apply(self, deliveries: list[Delivery]) -> None:
        """Apply the deliveries not seen before, with their inbox records, in one transaction."""
        with self.app.transaction() as session:
            ids = [d.event.id for d in deliveries]
            known = select(inbox_events.c.event_id).where(inbox_events.c.event_id.in_(ids))
            seen = set(session.execute(known).scalars())
            now = time.time()
            for delivery in deliveries:
                if delivery.event.id in seen:
                    CONSUMED.labels(delivery.record.topic, "duplicate").inc()
                    continue
                seen.add(delivery.event.id)
                with structlog.contextvars.bound_contextvars(
                    event_id=delivery.event.id, correlation_id=delivery.event.correlationid
                ):
                    self.handler(session, delivery)
                session.execute(insert(inbox_events).values(
                    event_id=delivery.event.id, topic=delivery.record.topic, processed_at=now))
                CONSUMED.labels(delivery.record.topic, "applied").inc()

    async def dead_letter(self, record: ConsumerRecord, error: BaseException) -> None:
        kept = [(k, v) for k, v in (record.headers or ()) if not k.startswith("ipp-")]  # e.g. content-type
        headers = [
            *kept,
            ("ipp-error", repr(error)[:2000].encode()),
            ("ipp-original-topic", record.topic.encode()),
            ("ipp-original-partition", str(record.partition).encode()),
            ("ipp-original-offset", str(record.offset).encode()),
        ]
        topic = dlq_topic(self.group)
        await (await self.producer.send(topic, record.value, key=record.key, headers=headers))
        DEAD_LETTERS.labels(record.topic).inc()
        log.error("inbox.dead_lettered", topic=record.topic, partition=record.partition,
                  offset=record.offset, error=repr(error)[:500])
