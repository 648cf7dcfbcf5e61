"""The service kit against a real broker and database: outbox relay, idempotent
inbox, dead letters."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from eventsourcing.domain import Aggregate, event

from deploy import postgres
from deploy.stack import Stack
from shared.events.payloads import EmailBound
from shared.kit import dead_letters
from shared.kit.database import kit_metadata
from shared.kit.inbox import Inbox
from shared.kit.kafka import HEADERS, client_options, ensure_topics, new_producer
from shared.kit.outbox import OutboxRelay, PublicEvent
from shared.kit.settings import Settings
from shared.kit.store import ServiceApplication, event_store_env
from tests.conftest import STACK
from tests.e2e.records import produce, read_all

TOPIC = "ipp.email-bound.v1"


class Mailbox(Aggregate):
    @event("Bound")
    def __init__(self, email: str) -> None:
        self.email = email
        self.seen: list[str] = []

    @event("Seen")
    def see(self, event_id: str) -> None:
        self.seen.append(event_id)


def to_public(domain_event: object) -> list[PublicEvent]:
    if isinstance(domain_event, Mailbox.Bound):
        payload = EmailBound(
            account_id=str(domain_event.originator_id),
            email=domain_event.email,
            bound_at=domain_event.timestamp,
        )
        return [PublicEvent(payload)]
    return []


@pytest.fixture
def probe(infrastructure: dict[str, str], tmp_path: Path) -> ServiceApplication:
    """A small application on this stack's database (its own PostgreSQL database in production)."""
    url = ""
    if STACK == "production":
        port = int(infrastructure["IPP_IDENTITY_DATABASE_URL"].rsplit(":", 1)[1].split("/")[0])
        name = f"ipp_probe_{uuid.uuid4().hex[:8]}"
        postgres.create_databases(port, (name,))
        url = postgres.database_url(port, name)
    settings = Settings(
        service="probe",
        data_dir=tmp_path,
        database_url=url,
        kafka_bootstrap=infrastructure["IPP_KAFKA_BOOTSTRAP"],
    )
    probe = type("Probe", (ServiceApplication,), {})(event_store_env(settings))
    kit_metadata.create_all(
        probe.engine
    )  # an application of no service: the kit's tables as they are in code
    return probe


def settings_of(infrastructure: dict[str, str], stack: Stack) -> Settings:
    """The probe's settings: this stack's broker, as the Kafka admin (the probe has no
    principal of its own)."""
    admin = {key.removeprefix("IPP_").lower(): value for key, value in stack.admin_env().items()}
    return Settings(
        **{
            **admin,
            "service": "probe",
            "kafka_idempotence": infrastructure["IPP_KAFKA_IDEMPOTENCE"] == "true",
        }
    )


async def relay_everything(app: ServiceApplication, settings: Settings, name: str) -> None:
    producer = new_producer(settings)
    await producer.start()
    try:
        # as identity, which owns EmailBound: other tests' inboxes read this topic too
        await OutboxRelay(app, producer, "ipp/identity", to_public, name=name).relay_once()
    finally:
        await producer.stop()


def test_the_relay_publishes_each_public_event_keyed_by_subject_and_a_rerun_republishes_the_same_ids(  # noqa: E501
    infrastructure, stack, probe
):
    settings = settings_of(infrastructure, stack)
    asyncio.run(ensure_topics(client_options(settings), [TOPIC], 3))
    boxes = [Mailbox(email=f"{uuid.uuid4().hex}@example.com") for _ in range(3)]
    probe.save(*boxes)
    relay_name = f"outbox-{uuid.uuid4().hex[:8]}"
    asyncio.run(relay_everything(probe, settings, relay_name))
    asyncio.run(
        relay_everything(probe, settings, f"{relay_name}-fresh")
    )  # a relay that lost its position
    mine = {str(b.id) for b in boxes}
    records = [
        r for r in read_all(client_options(settings), [TOPIC]) if r.key and r.key.decode() in mine
    ]
    assert len(records) == 6
    assert {r.key.decode() for r in records} == mine
    assert len({r.json()["id"] for r in records}) == 3, (
        "a republished event keeps its CloudEvents id"
    )


def test_the_inbox_applies_a_redelivered_event_once_and_dead_letters_what_it_cannot_parse(
    infrastructure, stack, probe
):
    settings = settings_of(infrastructure, stack)
    group = f"ipp-probe-{uuid.uuid4().hex[:8]}"
    asyncio.run(ensure_topics(client_options(settings), [TOPIC, f"ipp.dlq.{group}"], 3))
    box = Mailbox(email="inbox@example.com")
    probe.save(box)
    subject = str(uuid.uuid4())
    cloud_event = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "ipp/identity",
        "type": "ipp.EmailBound.v1",
        "subject": subject,
        "time": "2026-11-28T10:00:00Z",
        "datacontenttype": "application/json",
        "data": {
            "account_id": subject,
            "email": "x@example.com",
            "bound_at": "2026-11-28T10:00:00Z",
        },
    }
    raw = json.dumps(cloud_event).encode()
    poison = f"poison {uuid.uuid4()}".encode()
    produce(client_options(settings), TOPIC, raw, key=subject.encode(), headers=HEADERS)
    produce(client_options(settings), TOPIC, poison, key=b"poison")
    produce(client_options(settings), TOPIC, raw, key=subject.encode(), headers=HEADERS)

    def handle(_session, delivery) -> None:
        if delivery.payload.account_id == subject:
            mailbox = probe.repository.get(box.id)
            mailbox.see(delivery.event.id)
            probe.save(mailbox)

    async def consume() -> None:
        producer = new_producer(settings)
        await producer.start()
        inbox = Inbox(probe, producer, client_options(settings), group, [TOPIC], handle)
        task = asyncio.create_task(inbox.run())
        try:
            for _ in range(120):
                await asyncio.sleep(0.5)
                dead = await asyncio.to_thread(
                    read_all, client_options(settings), [f"ipp.dlq.{group}"]
                )
                if probe.repository.get(box.id).seen and dead:
                    break
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await producer.stop()

    asyncio.run(consume())
    assert probe.repository.get(box.id).seen == [cloud_event["id"]]
    dead = read_all(client_options(settings), [f"ipp.dlq.{group}"])
    assert [r.value for r in dead] == [poison]


async def run_inbox_until(
    probe: ServiceApplication, settings: Settings, group: str, handle, done
) -> None:
    """Run an inbox of `group` over TOPIC until `done()` (checked every half second,
    at most a minute)."""
    producer = new_producer(settings)
    await producer.start()
    inbox = Inbox(probe, producer, client_options(settings), group, [TOPIC], handle, retries=2)
    task = asyncio.create_task(inbox.run())
    try:
        for _ in range(120):
            await asyncio.sleep(0.5)
            if await asyncio.to_thread(done):
                return
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await producer.stop()


def test_a_dead_letter_replayed_after_the_fix_is_applied_once_and_never_replayed_again(
    infrastructure, stack, probe
):
    settings = settings_of(infrastructure, stack)
    options = client_options(settings)
    group = f"ipp-probe-{uuid.uuid4().hex[:8]}"
    asyncio.run(ensure_topics(options, [TOPIC, f"ipp.dlq.{group}"], 3))
    box = Mailbox(email="replay@example.com")
    probe.save(box)
    subject, event_id = str(uuid.uuid4()), str(uuid.uuid4())
    event = {
        "specversion": "1.0",
        "id": event_id,
        "source": "ipp/identity",
        "type": "ipp.EmailBound.v1",
        "subject": subject,
        "time": "2026-11-28T10:00:00Z",
        "datacontenttype": "application/json",
        "data": {
            "account_id": subject,
            "email": "x@example.com",
            "bound_at": "2026-11-28T10:00:00Z",
        },
    }
    produce(options, TOPIC, json.dumps(event).encode(), key=subject.encode(), headers=HEADERS)
    fixed = False

    def handle(_session, delivery) -> None:
        if delivery.payload.account_id != subject:
            return
        if not fixed:
            raise KeyError("a bug, not yet fixed")
        mailbox = probe.repository.get(box.id)
        mailbox.see(delivery.event.id)
        probe.save(mailbox)

    def lettered() -> bool:
        return any(
            letter.event_id == event_id
            for letter in asyncio.run(dead_letters.letters(options, group))
        )

    asyncio.run(run_inbox_until(probe, settings, group, handle, lettered))
    letter = next(
        f for f in asyncio.run(dead_letters.letters(options, group)) if f.event_id == event_id
    )
    assert letter.reason == "HANDLER_FAILED" and letter.original_topic == TOPIC
    assert probe.repository.get(box.id).seen == []

    fixed = True
    assert event_id in {f.event_id for f in asyncio.run(dead_letters.replay(options, group))}
    asyncio.run(
        run_inbox_until(probe, settings, group, handle, lambda: probe.repository.get(box.id).seen)
    )
    assert event_id not in {f.event_id for f in asyncio.run(dead_letters.replay(options, group))}, (
        "replayed twice"
    )
    assert probe.repository.get(box.id).seen == [event_id]
