"""Kafka plumbing on aiokafka: producer, topic creation, readiness."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from shared.events.envelope import CONTENT_TYPE, CloudEvent
from shared.kit.settings import Settings

HEADERS = [("content-type", CONTENT_TYPE.encode())]


def new_producer(settings: Settings) -> AIOKafkaProducer:
    """acks=all always; idempotence where the broker supports it (Apache Kafka, not Tansu's memory engine)."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        acks="all",
        enable_idempotence=settings.kafka_idempotence,
        linger_ms=2,
        request_timeout_ms=15000,
    )


async def publish(producer: AIOKafkaProducer, topic: str, event: CloudEvent) -> asyncio.Future:
    """Queue one CloudEvent keyed by its subject; await the returned future for the broker's ack."""
    return await producer.send(topic, event.to_bytes(), key=event.subject.encode(), headers=HEADERS)


async def ensure_topics(bootstrap: str, topics: list[str] | tuple[str, ...], partitions: int) -> None:
    """Create the topics that do not exist yet (idempotent, safe when several services race)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(t, partitions, 1) for t in dict.fromkeys(topics) if t not in existing]
        for topic in missing:
            try:
                await admin.create_topics([topic])
            except TopicAlreadyExistsError:
                pass
    finally:
        await admin.close()


async def wait_for_broker(bootstrap: str, timeout: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            await broker_reachable(bootstrap)
            return
        except (KafkaError, OSError):
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.5)


async def broker_reachable(bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    await asyncio.wait_for(admin.start(), 5)
    try:
        await asyncio.wait_for(admin.list_topics(), 5)
    finally:
        await admin.close()
