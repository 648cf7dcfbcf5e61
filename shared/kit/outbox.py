"""The outbox relay: follows an application's notification log and publishes its public events.

Only the replica holding the lease relays, so replicas do not publish everything twice; a crash
between publish and position update republishes with the same event ids, which consumers drop. The
relay never stops for one event: one that cannot become a Kafka record is set aside with the later
events of its subject (shared/kit/ set_aside.py) and the rest go on. A broker that is down is waited
for, with backoff. A broker that lost what it had (a new cluster id, or a partition acknowledging
offsets below those it acknowledged before) gets the whole log again.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from aiokafka.errors import MessageSizeTooLargeError, RecordListTooLargeError
from prometheus_client import Counter, Gauge
from pydantic import BaseModel

from shared.events.envelope import CloudEvent, event_id_for
from shared.events.topics import BY_MODEL
from shared.kit import set_aside
from shared.kit.faults import backoff, unavailable
from shared.kit.kafka import BrokerProbe, Sender, publish
from shared.kit.logs import log
from shared.kit.relay_row import RelayRow
from shared.kit.store import CommitWakeup, ServiceApplication

PUBLISHED = Counter("ipp_events_published_total", "Public events published", ["topic"])
BACKLOG = Gauge("ipp_outbox_backlog", "Notifications recorded but not yet relayed")
STUCK = Gauge(
    "ipp_outbox_stuck_events",
    "Events set aside because they cannot be published (ipp events stuck)",
)
RESETS = Counter(
    "ipp_broker_resets_total", "Times the broker was found to have lost what it had", ["reason"]
)
RECORD_TOO_LARGE = (MessageSizeTooLargeError, RecordListTooLargeError)


@dataclass(frozen=True)
class PublicEvent:
    """A contract payload a domain event turns into, with its causal links."""

    payload: BaseModel
    correlation_id: str | None = None
    causation_id: str | None = None


Mapping = Callable[[object], Iterable[PublicEvent]]


def cloud_event(
    source: str, domain_event: object, index: int, public: PublicEvent
) -> tuple[str, CloudEvent]:
    contract = BY_MODEL[type(public.payload)]
    originator_id = domain_event.originator_id  # type: ignore[attr-defined]
    version = domain_event.originator_version  # type: ignore[attr-defined]
    event = CloudEvent(
        id=event_id_for(source, originator_id, version, index),
        source=source,
        type=contract.type,
        subject=str(getattr(public.payload, contract.subject_field)),
        time=domain_event.timestamp,  # type: ignore[attr-defined]
        correlationid=public.correlation_id,
        causationid=public.causation_id,
        data=public.payload.model_dump(mode="json"),
    )
    return contract.topic, event


@dataclass
class Round:
    """One batch of the log on its way to the broker."""

    held: dict[str, str]  # subject -> the event set aside first, which its later events wait behind
    sent: list[tuple[int, int, str, CloudEvent, asyncio.Future]] = field(default_factory=list)
    set_aside: list[dict] = field(default_factory=list)

    def put_aside(
        self,
        notification_id: int,
        index: int,
        topic: str,
        subject: str,
        event_id: str,
        error: BaseException | None,
    ) -> None:
        behind = self.held.get(subject)
        why = f"{type(error).__name__}: {error}" if error is not None else f"held behind {behind}"
        self.set_aside.append(
            {
                "event_id": event_id,
                "notification_id": notification_id,
                "event_index": index,
                "topic": topic,
                "subject": subject,
                "error": why[:2000],
                "held_behind": behind,
            }
        )
        self.held.setdefault(subject, event_id)
        log.error(
            "outbox.event_set_aside",
            event_id=event_id,
            topic=topic,
            subject=subject,
            held_behind=behind,
            error=why[:300],
        )


class OutboxRelay:
    """Publishes (acks=all) each public event after it is recorded, then records how far it got."""

    def __init__(
        self,
        app: ServiceApplication,
        producer: Sender,
        source: str,
        mapping: Mapping,
        poll_seconds: float = 0.5,
        batch: int = 500,
        name: str = "outbox",
        owner: str | None = None,
        probe: BrokerProbe | None = None,
        on_broker_forgot: Callable[[str | None], Awaitable[None]] | None = None,
        check_seconds: float = 5.0,
    ) -> None:
        self.app = app
        self.producer = producer
        self.source = source
        self.mapping = mapping
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.name = name
        # a stable owner (host:port) lets a restarted replica take its lease back at once
        self.owner = owner or uuid.uuid4().hex
        self.probe = probe
        self.on_broker_forgot = on_broker_forgot
        self.check_seconds = check_seconds
        self.row = RelayRow(app.engine, name, self.owner)
        self._wakeup = CommitWakeup(app)
        self.position: int | None = None  # None while another replica holds the lease
        self.marks: dict[str, int] = {}
        self.cluster_id: str | None = None
        self.backlog = 0
        self.moved_at = (
            time.monotonic()
        )  # the last time the relay was level with the log or moved on
        self._held: dict[str, str] | None = None
        self._checked_at = self._retry_checked_at = 0.0

    async def run(self) -> None:
        failures = 0
        while True:
            self._wakeup.arm()
            try:
                moved = await self.relay_once()
                failures = 0
            except Exception as exc:  # keep relaying after transient broker/database errors
                failures += 1
                log.warning("outbox.relay_failed", error=repr(exc)[:300], attempt=failures)
                self._checked_at = (
                    0.0  # whatever failed, look at the broker before publishing again
                )
                moved = 0
                await asyncio.sleep(backoff(failures))
            await self.measure()
            if moved < self.batch:
                await self._wakeup.wait(self.poll_seconds)

    async def relay_once(self) -> int:
        lease = await asyncio.to_thread(self.row.lease, self._held is None)
        if lease is None:
            self.position, self._held = None, None
            return 0
        self.position = lease.position
        self.cluster_id = lease.cluster_id
        self.marks = lease.marks
        if lease.held is not None:
            self._held = lease.held
        if self.probe is not None and time.monotonic() - self._checked_at > self.check_seconds:
            await self.check_broker()
        await self.retry_set_aside()
        assert self.position is not None
        notifications = await asyncio.to_thread(
            self.app.recorder.select_notifications, self.position + 1, self.batch
        )
        if not notifications:
            return 0
        batch = await self._send(notifications)
        acked = await self._acknowledged(batch)
        went_back = [key for key, offset in acked.items() if offset < self.marks.get(key, -1)]
        marks = {**self.marks, **{k: max(v, self.marks.get(k, -1)) for k, v in acked.items()}}
        await asyncio.to_thread(self.row.advance, notifications[-1].id, marks, batch.set_aside)
        self.position = notifications[-1].id
        self.marks = marks
        self.moved_at = time.monotonic()
        if batch.set_aside:
            self._held = None
        log.info(
            "outbox.relayed",
            notifications=len(notifications),
            events=len(batch.sent),
            set_aside=len(batch.set_aside),
            position=notifications[-1].id,
        )
        if went_back:
            await self.broker_forgot(f"offsets went back on {', '.join(sorted(went_back)[:3])}")
        return len(notifications)

    def _events(self, notification: object) -> list[tuple[str, CloudEvent]]:
        domain_event = self.app.mapper.to_domain_event(notification)
        return [
            cloud_event(self.source, domain_event, index, public)
            for index, public in enumerate(self.mapping(domain_event))
        ]

    async def _send(self, notifications: list) -> Round:
        batch = Round(held=dict(self._held or {}))
        for notification in notifications:
            try:
                events = self._events(notification)
            except Exception as exc:  # a mapping that fails can never publish this notification
                if unavailable(exc):
                    raise
                subject = str(notification.originator_id)
                batch.put_aside(
                    notification.id, -1, "?", subject, f"notification-{notification.id}", exc
                )
                continue
            for index, (topic, event) in enumerate(events):
                if event.subject in batch.held:
                    batch.put_aside(notification.id, index, topic, event.subject, event.id, None)
                    continue
                try:
                    future = await publish(self.producer, topic, event)
                    batch.sent.append((notification.id, index, topic, event, future))
                except (
                    *RECORD_TOO_LARGE,
                    ValueError,
                    TypeError,
                    UnicodeError,
                    RecursionError,
                ) as exc:
                    batch.put_aside(notification.id, index, topic, event.subject, event.id, exc)
        return batch

    async def _acknowledged(self, batch: Round) -> dict[str, int]:
        """Wait for every ack; the highest offset acknowledged per topic/partition."""
        acked: dict[str, int] = {}
        for notification_id, index, topic, event, future in batch.sent:
            try:
                metadata = await future
            except RECORD_TOO_LARGE as exc:  # the broker's limit is lower than ours
                batch.put_aside(notification_id, index, topic, event.subject, event.id, exc)
                continue
            key = f"{metadata.topic}/{metadata.partition}"
            acked[key] = max(acked.get(key, -1), metadata.offset)
            PUBLISHED.labels(topic).inc()
        return acked

    async def retry_set_aside(self) -> None:
        """Publish, in order, the events an operator asked to retry (`ipp events retry`); one that
        fails again stays set aside with its subject's later events."""
        if time.monotonic() - self._retry_checked_at < 1.0:
            return
        self._retry_checked_at = time.monotonic()
        wanted = await asyncio.to_thread(self.row.to_retry)
        failed: set[str] = set()
        for stuck in wanted:
            if stuck.subject in failed:
                continue
            try:
                await self._publish_again(stuck)
            except Exception as exc:
                if unavailable(exc):
                    raise
                failed.add(stuck.subject)
                await asyncio.to_thread(self.row.still_stuck, stuck, repr(exc))
                log.error("outbox.retry_failed", event_id=stuck.event_id, error=repr(exc)[:300])
                continue
            await asyncio.to_thread(self.row.retried, stuck.event_id)
            log.info("outbox.retried", event_id=stuck.event_id, topic=stuck.topic)
        if wanted:
            self._held = None

    async def _publish_again(self, stuck: set_aside.StuckEvent) -> None:
        found = await asyncio.to_thread(
            self.app.recorder.select_notifications, stuck.notification_id, 1
        )
        if not found or found[0].id != stuck.notification_id:
            raise LookupError(f"notification {stuck.notification_id} is not in the log")
        events = self._events(found[0])
        for topic, event in (
            events if stuck.event_index < 0 else [events[stuck.event_index]]
        ):  # <0: its mapping failed
            await (await publish(self.producer, topic, event))
            PUBLISHED.labels(topic).inc()

    async def check_broker(self) -> None:
        """Is this the broker the log was relayed to? A new cluster id says it is not (the embedded
        broker gets a fresh one at every start; a rebuilt Kafka cluster has one). Offsets that went
        back are noticed on publish. (End offsets are not compared: Tansu 0.6 reports a partition's
        end as its last batch's first offset + 1.)"""
        assert self.probe is not None
        cluster_id = await self.probe.cluster_id()
        self._checked_at = time.monotonic()
        if self.cluster_id is not None and cluster_id != self.cluster_id:
            await self.broker_forgot(
                f"the cluster id is now {cluster_id}, was {self.cluster_id}", cluster_id
            )
        elif self.cluster_id is None:
            await asyncio.to_thread(self.row.remember_cluster, cluster_id)
            self.cluster_id = cluster_id

    async def broker_forgot(self, reason: str, cluster_id: str | None = None) -> None:
        """Relay the whole log again (consumers drop what they applied), after the topics exist
        again. `on_broker_forgot` hears the new cluster id when that is how the loss was noticed."""
        noticed_by = cluster_id
        if cluster_id is None and self.probe is not None:
            try:
                # remember the broker now answering, so that its id does not count as a second loss
                cluster_id = await self.probe.cluster_id()
            except Exception as exc:
                log.debug("broker.cluster_id_unknown", error=repr(exc)[:200])
        log.warning("broker.forgot", reason=reason, republishing_from=0, was_at=self.position)
        RESETS.labels("offsets" if reason.startswith("offsets") else "cluster_id").inc()
        if self.on_broker_forgot is not None:
            await self.on_broker_forgot(noticed_by)
        if self.probe is not None:
            await self.probe.close()  # its clients may hold the old cluster's metadata
        new_id = cluster_id or self.cluster_id
        await asyncio.to_thread(self.row.start_over, new_id)
        self.position = 0
        self.marks = {}
        self.cluster_id = new_id

    async def measure(self) -> None:
        """The backlog gauge from the log and the position, whether or not the
        last round succeeded."""
        if self.position is None:
            return
        try:
            latest = await asyncio.to_thread(self.app.recorder.max_notification_id) or 0
            stuck = await asyncio.to_thread(self.row.stuck_count)
        except Exception as exc:  # the database is away: the gauges keep their last values
            log.debug("outbox.measure_failed", error=repr(exc)[:200])
            return
        self.backlog = max(0, latest - self.position)
        BACKLOG.set(self.backlog)
        STUCK.set(stuck)
        if self.backlog == 0:
            self.moved_at = time.monotonic()
