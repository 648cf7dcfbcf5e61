"""The outbox relay: follows an application's notification log and publishes its public events."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer
from prometheus_client import Counter, Gauge
from pydantic import BaseModel
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from shared.events.envelope import CloudEvent, event_id_for
from shared.events.topics import BY_MODEL
from shared.kit.kafka import publish
from shared.kit.logs import log
from shared.kit.store import CommitWakeup, ServiceApplication, relay_positions

PUBLISHED = Counter("ipp_events_published_total", "Public events published", ["topic"])
BACKLOG = Gauge("ipp_outbox_backlog", "Notifications recorded but not yet relayed")
LEASE_SECONDS = 10.0


@dataclass(frozen=True)
class PublicEvent:
    """A contract payload a domain event turns into, with its causal links."""

    payload: BaseModel
    correlation_id: str | None = None
    causation_id: str | None = None


Mapping = Callable[[object], Iterable[PublicEvent]]


def cloud_event(source: str, domain_event: object, index: int, public: PublicEvent) -> tuple[str, CloudEvent]:
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


class OutboxRelay:
    """Publishes (acks=all) each public event after it is recorded, then records how far it got.

    Only the replica holding the lease relays, so replicas do not publish everything twice;
    a crash between publish and position update republishes with the same event ids.
    """

    def __init__(self, app: ServiceApplication, producer: AIOKafkaProducer, source: str, mapping: Mapping,
                 poll_seconds: float = 0.5, batch: int = 500, name: str = "outbox", owner: str | None = None) -> None:
        self.app, self.producer, self.source, self.mapping = app, producer, source, mapping
        self.poll_seconds, self.batch, self.name = poll_seconds, batch, name
        # a stable owner (host:port) lets a restarted replica take its lease back at once
        self.owner = owner or uuid.uuid4().hex
        self._row_ensured = False
        self._wakeup = CommitWakeup(app)

    async def run(self) -> None:
        while True:
            self._wakeup.arm()
            try:
                moved = await self.relay_once()
            except Exception as exc:  # keep relaying after transient broker/database errors
                log.warning("outbox.relay_failed", error=repr(exc))
                moved = 0
            if moved < self.batch:
                await self._wakeup.wait(self.poll_seconds)

    async def relay_once(self) -> int:
        position = await asyncio.to_thread(self._lease)
        if position is None:
            return 0
        notifications = await asyncio.to_thread(
            self.app.recorder.select_notifications, position + 1, self.batch
        )
        futures = []
        for notification in notifications:
            domain_event = self.app.mapper.to_domain_event(notification)
            for index, public in enumerate(self.mapping(domain_event)):
                topic, event = cloud_event(self.source, domain_event, index, public)
                futures.append((topic, await publish(self.producer, topic, event)))
        for topic, future in futures:
            await future
            PUBLISHED.labels(topic).inc()
        if notifications:
            await asyncio.to_thread(self._advance, notifications[-1].id)
            log.info("outbox.relayed", notifications=len(notifications), events=len(futures),
                     position=notifications[-1].id)
        latest = await asyncio.to_thread(self.app.recorder.max_notification_id) or 0
        BACKLOG.set(max(0, latest - (notifications[-1].id if notifications else position)))
        return len(notifications)

    def _ensure_row(self) -> None:
        """The relay's position row exists before the first lease (several replicas may race here)."""
        with self.app.engine.begin() as connection:
            exists = connection.execute(select(relay_positions.c.name).where(relay_positions.c.name == self.name))
            if exists.first() is None:
                try:
                    connection.execute(insert(relay_positions).values(name=self.name, position=0, lease_until=0.0))
                except IntegrityError:
                    pass

    def _lease(self) -> int | None:
        """Take or renew the lease; returns the relayed position when this replica holds it."""
        if not self._row_ensured:
            self._ensure_row()
            self._row_ensured = True
        now = time.time()
        table = relay_positions
        with self.app.engine.begin() as connection:
            taken = connection.execute(
                update(table)
                .where(table.c.name == self.name)
                .where((table.c.owner == self.owner) | (table.c.lease_until < now) | (table.c.owner.is_(None)))
                .values(owner=self.owner, lease_until=now + LEASE_SECONDS)
            )
            if taken.rowcount != 1:
                return None
            return connection.execute(select(table.c.position).where(table.c.name == self.name)).scalar_one()

    def _advance(self, position: int) -> None:
        table = relay_positions
        with self.app.engine.begin() as connection:
            connection.execute(
                update(table).where(table.c.name == self.name).where(table.c.owner == self.owner)
                .values(position=position)
            )
