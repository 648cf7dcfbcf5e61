"""Kafka plumbing on aiokafka: client options, producer, topic creation, readiness,
the broker probe."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from aiokafka.helpers import create_ssl_context
from faststream.kafka import KafkaBroker
from faststream.kafka.publisher.usecase import DefaultPublisher
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

from shared.events.envelope import CONTENT_TYPE, CloudEvent
from shared.events.topics import CONTRACT_EVENTS, PUBLISHERS, dlq_topic
from shared.kit.logs import log
from shared.kit.settings import Settings

HEADERS = [("content-type", CONTENT_TYPE.encode())]


def client_options(settings: Settings) -> dict[str, Any]:
    """What every aiokafka client of this service is given: where the brokers are and
    how to authenticate."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap,
        "security_protocol": settings.kafka_security_protocol,
    }
    if settings.kafka_security_protocol.startswith("SASL"):
        password = settings.kafka_sasl_password
        options.update(
            sasl_mechanism=settings.kafka_sasl_mechanism,
            sasl_plain_username=settings.kafka_sasl_username,
            sasl_plain_password=password.get_secret_value() if password else None,
        )
    if settings.kafka_security_protocol.endswith("SSL"):
        options["ssl_context"] = create_ssl_context(
            cafile=str(settings.kafka_ssl_cafile) if settings.kafka_ssl_cafile else None,
            certfile=str(settings.kafka_ssl_certfile) if settings.kafka_ssl_certfile else None,
            keyfile=str(settings.kafka_ssl_keyfile) if settings.kafka_ssl_keyfile else None,
        )
    return options


def options_from_env(env: Mapping[str, str], service: str = "tools") -> dict[str, Any]:
    """client_options for a tool or test holding an environment of IPP_* variables
    (e.g. a stack's)."""
    fields = {
        name: env[f"IPP_{name.upper()}"]
        for name in Settings.model_fields
        if name.startswith("kafka_") and f"IPP_{name.upper()}" in env
    }
    prefix = f"IPP_{service.upper()}_KAFKA_SASL_"
    if f"{prefix}USERNAME" in env:
        fields.update(
            kafka_sasl_username=env[f"{prefix}USERNAME"],
            kafka_sasl_password=env.get(f"{prefix}PASSWORD"),
        )
    return client_options(Settings(service=service, **fields))


def security_of(options: Mapping[str, Any]) -> BaseSecurity | None:
    """client_options' security as FastStream's: SASL (PLAIN, SCRAM) with or without
    TLS, or TLS alone."""
    protocol = options.get("security_protocol", "PLAINTEXT")
    ssl = options.get("ssl_context")
    if protocol.startswith("SASL"):
        kind = {
            "PLAIN": SASLPlaintext,
            "SCRAM-SHA-256": SASLScram256,
            "SCRAM-SHA-512": SASLScram512,
        }[options["sasl_mechanism"]]
        return kind(
            username=options["sasl_plain_username"],
            password=options["sasl_plain_password"] or "",
            ssl_context=ssl,
            use_ssl=protocol == "SASL_SSL",
        )
    if protocol == "SSL":
        return BaseSecurity(ssl_context=ssl, use_ssl=True)
    return None


def new_broker(options: Mapping[str, Any], settings: Settings | None = None) -> KafkaBroker:
    """The service's one FastStream broker: its producer publishes (acks=all, idempotent where the
    broker can), its subscribers consume; FastStream's own per-message log lines are off
    (structlog says more)."""
    producer: dict[str, Any] = {"acks": "all", "linger_ms": 2, "request_timeout_ms": 15000}
    if settings is not None:
        producer.update(
            enable_idempotence=settings.kafka_idempotence,
            max_request_size=settings.kafka_max_request_bytes,
        )
    return KafkaBroker(
        options["bootstrap_servers"],
        security=security_of(options),
        logger=None,
        graceful_timeout=15.0,
        **producer,
    )


def declare_publishers(
    broker: KafkaBroker, service: str, group: str | None = None
) -> dict[str, DefaultPublisher]:
    """The topics `service` writes, as FastStream publishers of its broker: the contract events it
    owns (its relay publishes them from the outbox) and, when it consumes (`group`), its dead
    letters. The AsyncAPI document is rendered from these (services/contract.py)."""
    publishers = {
        event.topic: broker.publisher(
            event.topic,
            title=f"{service}Send{event.name}",
            schema=event.model,
            description=(
                f"{service} publishes {event.name} (source `ipp/{service}`) through its outbox."
            ),
        )
        for event in CONTRACT_EVENTS
        if service in PUBLISHERS[event.name]
    }
    if group is not None:
        letters = dlq_topic(group)
        publishers[letters] = broker.publisher(
            letters,
            title=f"{service}SendDeadLetter",
            description=f"{service}'s inbox dead-letters to `{letters}`.",
        )
    return publishers


class Sender:
    """The broker's publishers as the relay and the dead-letter path use them: send() queues a
    record and gives the future of the broker's ack (aiokafka's shape, so that tests can
    stand in a fake). A topic without a declared publisher (a tool's) goes through the broker."""

    def __init__(
        self, broker: KafkaBroker, publishers: Mapping[str, DefaultPublisher] | None = None
    ) -> None:
        self.broker = broker
        self.publishers = dict(publishers or {})

    async def send(
        self,
        topic: str,
        value: bytes,
        *,
        key: bytes | None = None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> asyncio.Future:
        fields = {name: raw.decode(errors="replace") for name, raw in headers or ()}
        publisher = self.publishers.get(topic)
        if publisher is None:
            return await self.broker.publish(value, topic, key=key, headers=fields, no_confirm=True)
        return await publisher.publish(value, key=key, headers=fields, no_confirm=True)


def new_producer(settings: Settings) -> AIOKafkaProducer:
    """acks=all always; idempotence where the broker supports it (Apache Kafka, not
    Tansu's memory engine)."""
    return AIOKafkaProducer(
        **client_options(settings),
        acks="all",
        enable_idempotence=settings.kafka_idempotence,
        linger_ms=2,
        request_timeout_ms=15000,
        max_request_size=settings.kafka_max_request_bytes,
    )


async def publish(producer: AIOKafkaProducer, topic: str, event: CloudEvent) -> asyncio.Future:
    """Queue one CloudEvent keyed by its subject; await the returned future for the broker's ack."""
    return await producer.send(topic, event.to_bytes(), key=event.subject.encode(), headers=HEADERS)


async def ensure_topics(
    options: dict[str, Any], topics: list[str] | tuple[str, ...], partitions: int
) -> None:
    """Create the topics that do not exist yet (idempotent, safe when several services race)."""
    admin = AIOKafkaAdminClient(**options, request_timeout_ms=15000)
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


async def wait_for_broker(options: dict[str, Any], timeout: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    attempt = 0
    while True:
        try:
            await broker_reachable(options)
            return
        except (KafkaError, OSError) as exc:
            if asyncio.get_running_loop().time() > deadline:
                raise
            attempt += 1
            if attempt % 20 == 1:
                log.warning(
                    "kafka.waiting_for_broker",
                    bootstrap=options.get("bootstrap_servers"),
                    error=repr(exc),
                )
            await asyncio.sleep(0.5)


async def broker_reachable(options: dict[str, Any]) -> None:
    admin = AIOKafkaAdminClient(**options, request_timeout_ms=3000)
    await asyncio.wait_for(admin.start(), 5)
    try:
        await asyncio.wait_for(admin.list_topics(), 5)
    finally:
        await admin.close()


class BrokerProbe:
    """One long-lived admin client per service, for readiness and for noticing a broker that lost
    its data: its cluster id changed."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self._admin: AIOKafkaAdminClient | None = None

    async def _client(self) -> AIOKafkaAdminClient:
        if self._admin is None:
            admin = AIOKafkaAdminClient(**self.options, request_timeout_ms=5000)
            await asyncio.wait_for(admin.start(), 10)
            self._admin = admin
        return self._admin

    async def cluster_id(self) -> str | None:
        """The id of the cluster answering now; raises when none answers."""
        try:
            described = await asyncio.wait_for((await self._client()).describe_cluster(), 10)
        except (KafkaError, OSError, TimeoutError):
            await (
                self.close()
            )  # a fresh client next time: an old one can hang on to a dead connection
            raise
        return described.get("cluster_id")

    async def reachable(self) -> None:
        await self.cluster_id()

    async def close(self) -> None:
        admin, self._admin = self._admin, None
        if admin is not None:
            try:
                await admin.close()
            except Exception as exc:  # closing a client of a dead broker: nothing left to do
                log.debug("broker_probe.close_failed", error=repr(exc))
