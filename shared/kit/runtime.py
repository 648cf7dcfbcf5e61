"""What a service is made of (`Service`, built by its bootstrap) and its backbone: outbox relay,
inbox consumer, background loops, started and stopped together (shared/kit/http/app.py runs them
under the HTTP app's lifespan)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from faststream.kafka import KafkaBroker

from shared.events.topics import TOPICS, dlq_topic
from shared.kit.auth import TokenVerifier
from shared.kit.errors import ServiceError
from shared.kit.faults import NotMoving, backoff, unavailable
from shared.kit.inbox import Handler, Inbox
from shared.kit.kafka import (
    BrokerProbe,
    Sender,
    client_options,
    declare_publishers,
    ensure_topics,
    new_broker,
    wait_for_broker,
)
from shared.kit.logs import log
from shared.kit.outbox import Mapping, OutboxRelay
from shared.kit.settings import Settings
from shared.kit.store import ServiceApplication

Loop = Callable[[], Awaitable[None]]


@dataclass
class Service:
    """What a service's bootstrap wires: its application, HTTP routes, public events
    and subscriptions."""

    settings: Settings
    app: ServiceApplication | None
    routers: Sequence[Any] = ()  # FastAPI routers (entrypoints/http.py)
    mapping: Mapping | None = None
    consumes: Sequence[str] = ()
    handler: Handler | None = None
    loops: dict[str, Loop] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    verifier: TokenVerifier | None = None
    # the service's own refusals and their HTTP statuses, read before the kit's
    # (shared/kit/http/__init__.py STATUSES)
    statuses: dict[type[ServiceError], int] = field(default_factory=dict)


async def supervise(name: str, run: Callable[[], Awaitable[None]]) -> None:
    """Keep a background loop alive: log its failure and start it again after a pause."""
    failures = 0
    while True:
        try:
            await run()
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            failures += 1
            if unavailable(
                exc
            ):  # the database or broker is away: it starts again when they are back
                log.warning(
                    "loop.waiting_for_infrastructure",
                    loop=name,
                    error=repr(exc)[:300],
                    attempt=failures,
                )
            else:
                log.error("loop.crashed", loop=name, error=repr(exc)[:500], attempt=failures)
            await asyncio.sleep(backoff(failures, base=0.5, cap=10.0))


class Backbone:
    """A service's Kafka side: it connects in the background (HTTP serves meanwhile, and filing
    works while the broker is away), makes its topics, then runs the outbox relay and the inbox; it
    says when they do not move."""

    def __init__(self, service: Service) -> None:
        self.service, self.settings = service, service.settings
        self.kafka = client_options(service.settings)
        self.probe = BrokerProbe(self.kafka)
        self.broker: KafkaBroker | None = None
        self.relay: OutboxRelay | None = None
        self.inbox: Inbox | None = None
        self.tasks: list[asyncio.Task] = []

    @property
    def topics(self) -> list[str]:
        return [*TOPICS, dlq_topic(self.settings.consumer_group)]

    async def start(self) -> None:
        self.tasks = [
            asyncio.create_task(supervise(name, loop), name=name)
            for name, loop in self.service.loops.items()
        ]
        if self.service.app is not None:
            self.tasks.append(asyncio.create_task(supervise("kafka", self.connect), name="kafka"))

    async def connect(self) -> None:
        await wait_for_broker(self.kafka, timeout=float("inf"))
        await ensure_topics(self.kafka, self.topics, self.settings.topic_partitions)
        app, settings = self.service.app, self.settings
        assert app is not None
        broker = new_broker(self.kafka, settings)
        group = settings.consumer_group if self.service.handler is not None else None
        sender = Sender(broker, declare_publishers(broker, settings.service, group))
        if self.service.handler is not None:
            self.inbox = Inbox(
                app,
                sender,
                self.kafka,
                settings.consumer_group,
                self.service.consumes,
                self.service.handler,
                settings.consumer_batch,
                settings.consumer_retries,
                cluster=self.probe.cluster_id,
                on_new_cluster=self.broker_forgot,
                check_seconds=settings.broker_check_seconds,
            )
            self.inbox.attach(broker)
        try:
            await broker.start()
        except BaseException:
            await broker.stop()  # supervise() calls connect again, with a broker of its own
            raise
        self.broker = broker
        if self.service.mapping is not None:
            self.relay = OutboxRelay(
                app,
                sender,
                settings.source,
                self.service.mapping,
                poll_seconds=settings.relay_poll_seconds,
                owner=f"{socket.gethostname()}:{settings.port}",
                probe=self.probe,
                on_broker_forgot=self.broker_forgot,
                check_seconds=settings.broker_check_seconds,
            )
            self.tasks.append(
                asyncio.create_task(supervise("outbox", self.relay.run), name="outbox")
            )
        if self.inbox is not None:
            self.tasks.append(
                asyncio.create_task(supervise("inbox", self.inbox.watch), name="inbox")
            )
        log.info("service.connected", bootstrap=settings.kafka_bootstrap)

    async def broker_forgot(self, cluster_id: str | None) -> None:
        """The broker lost everything (noticed by the relay or the inbox): make the topics again
        before the relay republishes and before a fresh consumer joins, and reread them all."""
        await ensure_topics(self.kafka, self.topics, self.settings.topic_partitions)
        if self.inbox is not None:
            self.inbox.rewind(cluster_id)

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.broker is not None:
            await self.broker.stop()
        await self.probe.close()

    async def consumer_moving(self) -> None:
        """Not ready when the inbox is behind and has not moved for a while, or has not
        polled for that long."""
        if self.inbox is None:
            if self.service.handler is not None:
                raise NotMoving("the consumer has not started: the broker is not reachable yet")
            return
        stall, now = self.settings.stall_seconds, time.monotonic()
        if not self.inbox.consuming and not self.inbox.wants_fresh_consumer:
            raise NotMoving("the consumer is not running")
        if now - self.inbox.polled_at > stall:
            raise NotMoving(
                f"the consumer has been applying one batch for {now - self.inbox.polled_at:.0f} s"
            )
        if self.inbox.behind and now - self.inbox.moved_at > stall:
            raise NotMoving(
                f"the consumer is {self.inbox.behind} records behind and has not moved for "
                f"{now - self.inbox.moved_at:.0f} s"
            )

    async def outbox_moving(self) -> None:
        """Not ready when events wait to be published and the relay has not moved for a while."""
        relay = self.relay
        stall = self.settings.stall_seconds
        now = time.monotonic()
        if relay is not None and relay.backlog and now - relay.moved_at > stall:
            idle = now - relay.moved_at
            raise NotMoving(
                f"{relay.backlog} events wait and the relay has not moved for {idle:.0f} s"
            )

    def checks(self) -> dict[str, Callable[[], Awaitable[None]]]:
        app = self.service.app
        if app is None and not self.service.loops:
            return {}
        found: dict[str, Callable[[], Awaitable[None]]] = {}
        if app is not None:
            found |= {
                "broker": self.probe.reachable,
                "database": lambda: asyncio.to_thread(app.ping_database),
                "outbox": self.outbox_moving,
                "consumer": self.consumer_moving,
            }
        return found
