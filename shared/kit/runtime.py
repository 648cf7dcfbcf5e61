"""Runs a service: HTTP app, outbox relay, inbox consumer and background loops under one lifespan."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from aiokafka import AIOKafkaProducer
from fastapi import APIRouter, FastAPI

from shared.events.topics import TOPICS, dlq_topic
from shared.kit.auth import TokenVerifier
from shared.kit.http import health_router, install_error_handlers
from shared.kit.inbox import Handler, Inbox
from shared.kit.kafka import broker_reachable, client_options, ensure_topics, new_producer, wait_for_broker
from shared.kit.logs import configure_logging, log
from shared.kit.outbox import Mapping, OutboxRelay
from shared.kit.settings import Settings
from shared.kit.store import ServiceApplication

Loop = Callable[[AIOKafkaProducer], Awaitable[None]]


@dataclass
class Service:
    """What a service's bootstrap wires: its application, HTTP routes, public events and subscriptions."""

    settings: Settings
    app: ServiceApplication | None
    routers: Sequence[APIRouter] = ()
    mapping: Mapping | None = None
    consumes: Sequence[str] = ()
    handler: Handler | None = None
    loops: dict[str, Loop] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    verifier: TokenVerifier | None = None


async def supervise(name: str, run: Callable[[], Awaitable[None]]) -> None:
    """Keep a background loop alive: log its failure and start it again after a pause."""
    while True:
        try:
            await run()
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.error("loop.crashed", loop=name, error=repr(exc))
            await asyncio.sleep(1.0)


def create_http_app(service: Service) -> FastAPI:
    settings = service.settings
    kafka = client_options(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if service.app is None and not service.loops:
            yield  # the portal: HTTP only
            return
        await wait_for_broker(kafka)
        await ensure_topics(kafka, [*TOPICS, dlq_topic(settings.consumer_group)],
                            settings.topic_partitions)
        producer = new_producer(settings)
        await producer.start()
        tasks = [asyncio.create_task(supervise(n, lambda loop=loop: loop(producer)), name=n)
                 for n, loop in service.loops.items()]
        if service.app is not None and service.mapping is not None:
            relay = OutboxRelay(service.app, producer, settings.source, service.mapping,
                                poll_seconds=settings.relay_poll_seconds,
                                owner=f"{socket.gethostname()}:{settings.port}")
            tasks.append(asyncio.create_task(supervise("outbox", relay.run)))
        if service.app is not None and service.handler is not None:
            inbox = Inbox(service.app, producer, kafka, settings.consumer_group,
                          service.consumes, service.handler, settings.consumer_batch, settings.consumer_retries)
            tasks.append(asyncio.create_task(supervise("inbox", inbox.run)))
        log.info("service.started", port=settings.port, bootstrap=settings.kafka_bootstrap)
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await producer.stop()

    http = FastAPI(title=f"IPP {settings.service}", version="1.0", lifespan=lifespan)
    install_error_handlers(http)
    checks: dict[str, Callable[[], Awaitable[None]]] = {}
    if service.app is not None or service.loops:
        checks["broker"] = lambda: broker_reachable(kafka)
    if service.app is not None:
        checks["database"] = lambda: asyncio.to_thread(service.app.ping_database)
    http.include_router(health_router(checks))
    for router in service.routers:
        http.include_router(router)
    http.state.settings = settings
    http.state.verifier = service.verifier or TokenVerifier(f"{settings.identity_url}/.well-known/jwks.json")
    for key, value in service.state.items():
        setattr(http.state, key, value)
    return http


def serve(service_name: str, bootstrap: Callable[[Settings], Service]) -> None:
    """The process entry point shared by every service: `python -m services.<name>`."""
    settings = Settings(service=service_name)
    configure_logging(service_name)
    http = create_http_app(bootstrap(settings))
    uvicorn.run(http, host=settings.host, port=settings.port, log_config=None, access_log=False)
