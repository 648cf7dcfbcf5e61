"""The idempotent inbox: consume in batches, apply each batch in one transaction,
then commit offsets.

A record's CloudEvents id is stored with the state it produced, in the same transaction, so a second
delivery (a redelivered batch, a republished outbox after a broker restart) has no effect. Before a
record is applied it is admitted: a CloudEvent of the contract's schema, on its own topic, from the
service that owns it (identity decides identity material, rights the right, complaints the verdict).
What is not admitted, and what a handler keeps failing on, goes to ipp.dlq.<group> with the reason;
the consumer moves on. A database or broker that does not answer is waited for, with backoff, as
long as it takes: that is never a reason to dead-letter.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.subscriber.usecase import BatchSubscriber as KafkaSubscriber
from prometheus_client import Counter, Gauge
from pydantic import BaseModel, ValidationError
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from shared.events.envelope import CloudEvent
from shared.events.topics import BY_TYPE, dlq_topic, owner_of
from shared.kit.database import inbox_events
from shared.kit.faults import backoff, conflict, unavailable
from shared.kit.kafka import Sender, new_broker
from shared.kit.logs import log
from shared.kit.store import ServiceApplication

CONSUMED = Counter("ipp_events_consumed_total", "Events applied by the inbox", ["topic", "result"])
DEAD_LETTERS = Counter(
    "ipp_dead_letters_total", "Records sent to the dead-letter topic", ["topic", "reason"]
)
LAG = Gauge("ipp_consumer_lag", "Records behind the end of the partition", ["topic", "partition"])
WAITING = Gauge(
    "ipp_inbox_waiting_for_infrastructure", "1 while the inbox waits for its database or broker"
)
IN_FLIGHT = Gauge("ipp_inbox_batch_in_flight", "Records of the batch being applied now")
REWOUND = Counter(
    "ipp_inbox_partitions_rewound_total",
    "Partitions read again from the start after a broker reset",
)


@dataclass(frozen=True)
class Delivery:
    record: ConsumerRecord
    event: CloudEvent
    payload: BaseModel


Handler = Callable[[Session, Delivery], None]
CONFLICT_PATIENCE = (
    5  # a conflict gets this many times the retries: a replica wrote the same aggregate
)


class PoisonRecord(Exception):
    """A record that can never be processed: not a CloudEvent, not the contract's schema,
    or not its owner's."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason


def admit(record: ConsumerRecord) -> Delivery:
    """The record as a contract event from its owner, or PoisonRecord saying why not."""
    try:
        event = CloudEvent.from_bytes(record.value)
    except ValidationError as exc:
        raise PoisonRecord("NOT_A_CLOUD_EVENT", f"not a CloudEvent: {exc.errors()[:3]}") from exc
    contract = BY_TYPE.get(event.type)
    if contract is None or contract.topic != record.topic:
        raise PoisonRecord("WRONG_TOPIC", f"unexpected type {event.type!r} on {record.topic}")
    try:
        payload = contract.model.model_validate(event.data)
    except ValidationError as exc:
        raise PoisonRecord(
            "SCHEMA_VIOLATION", f"{event.type} does not match its schema: {exc.errors()[:3]}"
        ) from exc
    owner = f"ipp/{owner_of(contract, payload)}"
    if event.source != owner:
        raise PoisonRecord(
            "NOT_THE_OWNER", f"{event.source} may not publish this {event.type}: only {owner} may"
        )
    return Delivery(record, event, payload)


def _records(message: Any) -> Any:
    """The batch as aiokafka gave it (FastStream's decoder would parse JSON the
    inbox parses itself)."""
    return message.raw_message


class _Assignments(ConsumerRebalanceListener):
    """Told of each assignment before the consumer fetches: where a rewind seeks each
    partition's start."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        return None

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        subscriber = self.inbox.subscriber
        if subscriber is not None and subscriber.consumer is not None:
            self.inbox.consumer = subscriber.consumer
        await self.inbox.rewind_assigned()


class Inbox:
    """One consumer group over `topics`, dispatching contract payloads to `handler`.

    The consuming is FastStream's: one batch subscriber of the service's KafkaBroker (`attach`),
    manual acknowledgement. What the kit adds is what FastStream leaves to its user: each batch is
    admitted, applied in one transaction with its inbox ids, dead-lettered record by record when it
    cannot be, and committed per partition only after that (`receive` never raises, so FastStream
    never skips a batch); and a broker that lost its log is read again from the start with a fresh
    consumer (`watch`, `rewind_assigned`)."""

    def __init__(
        self,
        app: ServiceApplication,
        producer: Sender,
        kafka: dict,
        group: str,
        topics: Sequence[str],
        handler: Handler,
        batch: int = 200,
        retries: int = 3,
        cluster: Callable[[], Awaitable[str | None]] | None = None,
        on_new_cluster: Callable[[str | None], Awaitable[None]] | None = None,
        check_seconds: float = 5.0,
    ) -> None:
        self.app = app
        self.producer = (
            producer  # where dead letters go: the broker's producer (shared/kit/kafka.py Sender)
        )
        self.kafka = kafka
        self.group = group
        self.topics = list(topics)
        self.handler = handler
        self.batch = batch
        self.retries = retries
        self.cluster = cluster
        self.on_new_cluster = on_new_cluster
        self.check_seconds = check_seconds
        self.subscriber: KafkaSubscriber | None = None
        self.consumer: AIOKafkaConsumer | None = (
            None  # the subscriber's, as of its last batch or assignment
        )
        self.positions: dict[
            TopicPartition, int
        ] = {}  # the next offset to read, as far as this consumer knows
        self.moved_at = time.monotonic()  # the last time it was level or moved on
        self.busy_since: float | None = None  # while a batch is being applied
        self.cluster_id: str | None = None  # the broker this inbox reads, as far as it knows
        self._checked_at = 0.0
        self._rewound_for: str | None = (
            None  # the cluster this process has read from the start again
        )
        self._rewinding = (
            False  # the broker lost what it had: partitions are read again from their start
        )
        self._rewound: set[TopicPartition] = set()
        self._refreshing = (
            False  # a fresh consumer is being made: batches of the old one are not applied
        )
        self.wants_fresh_consumer = False

    def attach(self, broker: KafkaBroker) -> None:
        """Subscribe to the topics on `broker` (before it starts): one batch subscriber,
        acknowledged here."""
        self.subscriber = broker.subscriber(
            *self.topics,
            group_id=self.group,
            batch=True,
            max_records=self.batch,
            batch_timeout_ms=500,
            ack_policy=AckPolicy.MANUAL,
            auto_offset_reset="earliest",
            session_timeout_ms=10000,
            heartbeat_interval_ms=1000,
            listener=_Assignments(self),
            decoder=_records,
            title=f"{self.group}:inbox",
            description=(
                "The service's idempotent inbox: contract events from their owners, one "
                "transaction a batch, offsets committed after it, what cannot be applied to "
                "ipp.dlq.<group>."
            ),
        )
        self.subscriber(self.receive)

    async def run(self) -> None:
        """Consume on a broker of its own until cancelled (a tool's or a test's inbox; a service's
        Backbone attaches its inbox to the service's one broker and runs `watch`)."""
        broker = new_broker(self.kafka)
        self.attach(broker)
        await broker.start()
        try:
            await self.watch()
        finally:
            await broker.stop()

    async def watch(self) -> None:
        """Forever: is this still the broker it reads; after a rewind, a fresh consumer."""
        while True:
            await self.watch_cluster()
            if self.wants_fresh_consumer:
                await self.refresh()
            await asyncio.sleep(min(0.5, self.check_seconds))

    async def refresh(self) -> None:
        """Replace the subscriber's consumer: stop it (the batch in hand is finished
        first), start it again."""
        assert self.subscriber is not None
        self._refreshing = True
        try:
            await self.subscriber.stop()
            self.positions.clear()
            self.wants_fresh_consumer = False
            await self.subscriber.start()
        finally:
            self._refreshing = False

    @property
    def consuming(self) -> bool:
        """True while the subscriber's consume loop runs (FastStream starts it
        again if it fails)."""
        subscriber = self.subscriber
        return bool(
            subscriber is not None
            and subscriber.running
            and any(not task.done() for task in subscriber.tasks)
        )

    @property
    def polled_at(self) -> float:
        """When it last polled, as far as readiness is concerned: when the batch in hand
        was taken, else now (FastStream's loop polls between batches; `consuming` says
        whether that loop runs)."""
        return self.busy_since if self.busy_since is not None else time.monotonic()

    async def receive(self, records: Any) -> None:
        """One batch from FastStream (records of several partitions, each in order):
        apply, then commit."""
        if self._refreshing or self.subscriber is None:
            return  # the old consumer's: not committed, so the fresh one reads them again
        self.consumer = self.subscriber.consumer
        self.busy_since = time.monotonic()
        try:
            by_partition: dict[TopicPartition, list[ConsumerRecord]] = {}
            for record in records:
                by_partition.setdefault(TopicPartition(record.topic, record.partition), []).append(
                    record
                )
            if self._rewinding:
                for tp in await self.rewind_assigned():
                    by_partition.pop(tp, None)  # fetched before the seek: read again from the start
            for tp, batch in by_partition.items():
                await self.process(batch)
                await self.commit(tp, batch[-1].offset + 1)
            self.notice_moves()
        finally:
            self.busy_since = None

    def rewind(self, cluster_id: str | None = None) -> None:
        """The broker lost what it had (`cluster_id`: the one answering now, when that is how it was
        noticed): read every partition from its start again, with a fresh consumer. The positions
        the present one holds belong to the lost log, and it may already have committed them to the
        new broker, where they would skip records. What was applied before is dropped by the inbox
        ids; what was never applied is applied now."""
        if cluster_id is not None:
            if cluster_id == self._rewound_for:
                return  # noticed twice (by the relay and by this inbox): one rewind
            self.cluster_id = self._rewound_for = cluster_id
        self._rewinding = True
        self._rewound = set()
        self.wants_fresh_consumer = True

    async def watch_cluster(self) -> None:
        """Every `check_seconds`: is this still the broker it reads? A new cluster
        id says it is not."""
        if self.cluster is None or time.monotonic() - self._checked_at < self.check_seconds:
            return
        self._checked_at = time.monotonic()
        try:
            cluster_id = await self.cluster()
        except Exception as exc:  # the broker is away: the relay and readiness say so
            log.debug("inbox.cluster_unknown", error=repr(exc)[:200])
            return
        if self.cluster_id is None or cluster_id == self.cluster_id:
            self.cluster_id = cluster_id
            return
        log.warning("inbox.broker_forgot", cluster_id=cluster_id, was=self.cluster_id)
        if self.on_new_cluster is not None:
            await self.on_new_cluster(
                cluster_id
            )  # the topics are made again first; it rewinds this inbox
        self.rewind(cluster_id)

    async def rewind_assigned(self) -> list[TopicPartition]:
        """Read each assigned partition from its start and commit that start, once after a rewind: a
        position from the lost log must not come back with the next rebalance. Partitions assigned
        later, to this consumer or another, start from those commits or, having none, from the
        beginning. Runs when the fresh consumer is given its partitions (`_Assignments`) and, should
        that have failed, before its next batch; returns the partitions it sought."""
        if not self._rewinding or self.wants_fresh_consumer or self.consumer is None:
            return []
        consumer = self.consumer
        assigned = sorted(consumer.assignment())
        sought: list[TopicPartition] = []
        for tp in [tp for tp in assigned if tp not in self._rewound]:
            try:
                if not await consumer.seek_to_beginning(tp):
                    return sought  # not reset yet: the next poll tries again
                sought.append(tp)
                start = await consumer.position(tp)
                await consumer.commit({tp: start})
            except (
                KafkaError
            ) as exc:  # rebalancing, or the broker is not there yet: the next poll tries again
                log.warning(
                    "inbox.rewind_waiting",
                    topic=tp.topic,
                    partition=tp.partition,
                    error=repr(exc)[:300],
                )
                return sought
            log.warning(
                "inbox.rewound",
                topic=tp.topic,
                partition=tp.partition,
                was_at=self.positions.get(tp),
                start=start,
            )
            REWOUND.inc()
            self._rewound.add(tp)
            self.positions.pop(tp, None)  # unknown until the next commit
        if assigned:
            self._rewinding = False
        return sought

    @property
    def behind(self) -> int:
        """Records between this consumer and the end of its partitions, as of its last poll
        (partitions it has not committed on since it was assigned or rewound are not counted: where
        it stands there is not known here)."""
        if self.consumer is None:
            return 0
        ends = {
            tp: self.consumer.highwater(tp)
            for tp in self.consumer.assignment()
            if tp in self.positions
        }
        return sum(max(0, end - self.positions[tp]) for tp, end in ends.items() if end is not None)

    async def commit(self, tp: TopicPartition, offset: int) -> None:
        assert self.consumer is not None
        self.positions[tp] = offset
        self.moved_at = time.monotonic()
        try:
            await self.consumer.commit({tp: offset})
        except (
            CommitFailedError,
            KafkaError,
        ) as exc:  # rebalanced or broker gone: the next reader dedupes
            log.warning("inbox.commit_failed", error=repr(exc))
        LAG.labels(tp.topic, tp.partition).set(max(0, (self.consumer.highwater(tp) or 0) - offset))

    def notice_moves(self) -> None:
        """Forget positions of partitions revoked (where they stand is another's); level counts as
        moving. (The partitions' high watermarks cannot tell a broker that lost its log: Tansu 0.6
        reports them too low for batched records.)"""
        assert self.consumer is not None
        assigned = self.consumer.assignment()
        for tp in [tp for tp in self.positions if tp not in assigned]:
            del self.positions[tp]
        if not self.behind:
            self.moved_at = time.monotonic()

    async def process(self, records: list[ConsumerRecord]) -> None:
        deliveries = []
        for record in records:
            try:
                deliveries.append(admit(record))
            except PoisonRecord as exc:
                await self.dead_letter(record, exc, exc.reason)
        if deliveries:
            IN_FLIGHT.set(len(deliveries))
            try:
                await self.apply_patiently(deliveries)
            finally:
                IN_FLIGHT.set(0)

    async def apply_patiently(self, deliveries: list[Delivery]) -> None:
        """Apply the batch, waiting out an unavailable database; a batch failing for another reason
        is applied record by record, so only the record at fault is retried a bounded number of
        times and dead-lettered."""
        failures = 0
        while True:
            try:
                await asyncio.to_thread(self.apply, deliveries)
                WAITING.set(0)
                return
            except Exception as exc:
                if unavailable(exc):
                    failures += 1
                    WAITING.set(1)
                    log.warning(
                        "inbox.waiting_for_infrastructure", attempt=failures, error=repr(exc)[:300]
                    )
                    await asyncio.sleep(backoff(failures))
                    continue
                if len(deliveries) > 1:
                    log.warning("inbox.batch_failed", error=repr(exc)[:300], size=len(deliveries))
                    for delivery in deliveries:
                        await self.apply_patiently([delivery])
                    return
                failures += 1
                log.warning(
                    "inbox.retry",
                    event_id=deliveries[0].event.id,
                    attempt=failures,
                    error=repr(exc)[:300],
                )
                if failures >= self.retries * (CONFLICT_PATIENCE if conflict(exc) else 1):
                    await self.dead_letter(deliveries[0].record, exc, "HANDLER_FAILED")
                    return
                await asyncio.sleep(backoff(failures, cap=2.0))

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
                session.execute(
                    insert(inbox_events).values(
                        event_id=delivery.event.id, topic=delivery.record.topic, processed_at=now
                    )
                )
                CONSUMED.labels(delivery.record.topic, "applied").inc()

    async def dead_letter(self, record: ConsumerRecord, error: BaseException, reason: str) -> None:
        """Publish the record as it came, with why, to ipp.dlq.<group>; waits for the broker as long
        as it takes, because the offset is committed only after the letter is safe."""
        kept = [
            (k, v) for k, v in (record.headers or ()) if not k.startswith("ipp-")
        ]  # e.g. content-type
        headers = [
            *kept,
            ("ipp-error", repr(error)[:2000].encode()),
            ("ipp-reason", reason.encode()),
            ("ipp-original-topic", record.topic.encode()),
            ("ipp-original-partition", str(record.partition).encode()),
            ("ipp-original-offset", str(record.offset).encode()),
        ]
        topic = dlq_topic(self.group)
        failures = 0
        while True:
            try:
                await (
                    await self.producer.send(topic, record.value, key=record.key, headers=headers)
                )
                break
            except KafkaError as exc:
                failures += 1
                log.warning("inbox.dead_letter_waiting", attempt=failures, error=repr(exc)[:300])
                await asyncio.sleep(backoff(failures))
        DEAD_LETTERS.labels(record.topic, reason).inc()
        log.error(
            "inbox.dead_lettered",
            topic=record.topic,
            partition=record.partition,
            reason=reason,
            offset=record.offset,
            error=repr(error)[:500],
        )
