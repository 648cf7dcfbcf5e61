"""The kit's guarantees under faults, in process: a fake broker, a real SQLite store."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy.exc
from aiokafka import TopicPartition
from aiokafka.errors import MessageSizeTooLargeError
from eventsourcing.domain import Aggregate, event
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from pydantic import BaseModel

from shared.events.envelope import CloudEvent
from shared.events.payloads import EmailBound
from shared.kit import inbox as inbox_module
from shared.kit import set_aside
from shared.kit.database import kit_metadata
from shared.kit.http import install_error_handlers
from shared.kit.inbox import Inbox, PoisonRecord, admit
from shared.kit.outbox import OutboxRelay, PublicEvent
from shared.kit.settings import Settings
from shared.kit.store import ServiceApplication, event_store_env


class Mailbox(Aggregate):
    @event("Bound")
    def __init__(self, email: str) -> None:
        self.email = email

    @event("Rebound")
    def rebind(self, email: str) -> None:
        self.email = email


def to_public(domain_event: object) -> list[PublicEvent]:
    email = getattr(domain_event, "email", None)
    if email is None:
        return []
    return [
        PublicEvent(
            EmailBound(
                account_id=str(domain_event.originator_id),
                email=email,
                bound_at=domain_event.timestamp,
            )
        )
    ]


class FakeBroker:
    """Acknowledges every record with the next offset of its partition; refuses
    records marked too big."""

    def __init__(self) -> None:
        self.records: list[tuple[str, bytes, bytes]] = []
        self.ends: dict[int, int] = {}

    async def send(
        self, topic: str, value: bytes, key: bytes | None = None, headers: list | None = None
    ):
        if b"too-big" in value:
            raise MessageSizeTooLargeError("The message is 2000000 bytes when serialized")
        partition = 0  # one partition: every new record lands where the old ones were
        offset = self.ends.get(partition, 0)
        self.ends[partition] = offset + 1
        self.records.append((topic, key, value))
        future = asyncio.get_running_loop().create_future()
        future.set_result(SimpleNamespace(topic=topic, partition=partition, offset=offset))
        return future

    def forget(self) -> None:
        self.records, self.ends = [], {}

    def emails(self) -> list[str]:
        return [CloudEvent.from_bytes(value).data["email"] for _, _, value in self.records]


@pytest.fixture
def app(tmp_path: Path) -> ServiceApplication:
    settings = Settings(service="probe", data_dir=tmp_path)
    probe = type("Probe", (ServiceApplication,), {})(event_store_env(settings))
    kit_metadata.create_all(
        probe.engine
    )  # an application of no service: the kit's tables as they are in code
    return probe


async def relayed(app: ServiceApplication, broker: FakeBroker) -> OutboxRelay:
    relay = OutboxRelay(app, broker, "ipp/identity", to_public)  # type: ignore[arg-type]
    await relay.relay_once()
    await relay.measure()
    return relay


def bind(app: ServiceApplication, *emails: str) -> Mailbox:
    mailbox = Mailbox(emails[0])
    for email in emails[1:]:
        mailbox.rebind(email)
    app.save(mailbox)
    return mailbox


async def test_an_event_that_cannot_be_published_holds_back_its_subject_only(
    app: ServiceApplication,
) -> None:
    broker = FakeBroker()
    stuck = bind(app, "too-big@example.com", "later@example.com")
    bind(app, "other@example.com")
    relay = await relayed(app, broker)
    assert broker.emails() == ["other@example.com"], "the other subject goes on; the held one waits"
    assert relay.backlog == 0, "what is set aside is not backlog"
    with app.engine.connect() as connection:
        rows = set_aside.listing(connection)
    assert [(r.subject, r.held_behind is None) for r in rows] == [
        (str(stuck.id), True),
        (str(stuck.id), False),
    ]
    assert "MessageSizeTooLargeError" in rows[0].error and rows[1].held_behind == rows[0].event_id
    stuck.rebind("even-later@example.com")
    app.save(stuck)
    await relay.relay_once()
    assert broker.emails() == ["other@example.com"], "a later event of a held subject waits too"


async def test_a_retry_publishes_what_was_set_aside_in_order_once_it_can(
    app: ServiceApplication,
) -> None:
    broker = FakeBroker()
    bind(app, "too-big@example.com", "later@example.com")
    relay = await relayed(app, broker)
    with app.engine.begin() as connection:
        set_aside.request_retry(connection)
    relay._retry_checked_at = 0.0
    await relay.relay_once()
    assert broker.emails() == [], "still too big: nothing of that subject goes out of order"
    with app.engine.connect() as connection:
        assert set_aside.count(connection) == 2
    original = broker.send

    async def roomy(
        topic: str, value: bytes, key: bytes | None = None, headers: list | None = None
    ):
        return await original(topic, value.replace(b"too-big", b"now-fits"), key, headers)

    broker.send = roomy  # type: ignore[method-assign]  # the operator raised the broker's limit
    with app.engine.begin() as connection:
        set_aside.request_retry(connection)
    relay._retry_checked_at = 0.0
    await relay.relay_once()
    assert broker.emails() == ["now-fits@example.com", "later@example.com"]
    with app.engine.connect() as connection:
        assert set_aside.count(connection) == 0


async def test_a_broker_that_forgot_gets_the_whole_log_again(app: ServiceApplication) -> None:
    broker = FakeBroker()
    bind(app, "a@example.com")
    bind(app, "b@example.com")
    relay = await relayed(app, broker)
    broker.forget()  # the embedded broker restarted: empty, offsets from 0
    forgotten: list[bool] = []

    async def noticed(cluster_id: str | None) -> None:
        forgotten.append(
            cluster_id is None
        )  # noticed by offsets that went back, not by a new cluster id

    relay.on_broker_forgot = noticed
    bind(app, "c@example.com")
    await relay.relay_once()  # c lands at an offset below what the broker acknowledged before
    assert forgotten == [True]
    assert relay.position == 0
    await relay.relay_once()
    assert sorted(broker.emails()) == [
        "a@example.com",
        "b@example.com",
        "c@example.com",
        "c@example.com",
    ]


class FakeConsumer:
    """What the inbox asks of aiokafka's consumer when it rewinds: positions, seeks, commits
    (awaited, as there)."""

    def __init__(self, assigned: set[TopicPartition], at: int) -> None:
        self.assigned, self.at = assigned, dict.fromkeys(assigned, at)
        self.sought: list[TopicPartition] = []
        self.committed: dict[TopicPartition, int] = {}

    def assignment(self) -> set[TopicPartition]:
        return set(self.assigned)

    def highwater(self, tp: TopicPartition) -> None:
        return None

    async def seek_to_beginning(self, *partitions: TopicPartition) -> bool:
        self.sought += partitions
        self.at.update(dict.fromkeys(partitions, 0))
        return True

    async def position(self, tp: TopicPartition) -> int:
        return self.at[tp]

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.committed.update(offsets)


async def test_a_broker_that_lost_its_log_is_read_again_from_the_start_by_a_fresh_consumer(app):
    """The positions of the lost log must not be used on the new one (a poison record produced there
    once shifts every later offset: a carried position skips a record). A fresh consumer seeks each
    partition it is assigned to its start, and commits that start over anything the old consumer
    committed to the new broker."""
    partitions = {TopicPartition("ipp.email-bound.v1", p) for p in range(2)}
    cluster, heard = {"id": "old"}, []

    async def cluster_id() -> str:
        return cluster["id"]

    async def topics_made_again(
        new_id: str | None,
    ) -> None:  # what the runtime does: topics, then the rewind
        heard.append(new_id)
        inbox.rewind(new_id)

    inbox = Inbox(
        app,
        Letters(),
        {},
        "ipp-probe",
        ["ipp.email-bound.v1"],
        lambda s, d: None,  # type: ignore
        cluster=cluster_id,
        on_new_cluster=topics_made_again,
        check_seconds=0,
    )
    old = FakeConsumer(partitions, at=26)
    inbox.consumer = old  # type: ignore[assignment]
    await inbox.watch_cluster()
    assert not inbox.wants_fresh_consumer
    cluster["id"] = "new"
    await inbox.watch_cluster()
    inbox.rewind("new")  # the relay noticed too: still one rewind
    assert heard == ["new"] and inbox.wants_fresh_consumer
    await inbox.rewind_assigned()
    assert old.sought == [], "the old consumer's positions belong to the lost log"

    fresh = FakeConsumer(set(), at=26)  # joining the group: nothing assigned yet
    inbox.consumer, inbox.wants_fresh_consumer = fresh, False  # type: ignore[assignment]
    await inbox.rewind_assigned()
    assert fresh.sought == []
    fresh.assigned, fresh.at = (
        partitions,
        dict.fromkeys(partitions, 26),
    )  # assigned, at what the old one committed
    await inbox.rewind_assigned()
    await inbox.rewind_assigned()
    assert sorted(fresh.sought) == sorted(partitions), "each partition is read from its start, once"
    assert fresh.committed == dict.fromkeys(partitions, 0), (
        "the start is committed over the old positions"
    )


def delivery_of(source: str, topic: str = "ipp.email-bound.v1", **data: object) -> SimpleNamespace:
    payload = {
        "account_id": "acc-1",
        "email": "a@example.com",
        "bound_at": "2026-12-01T00:00:00Z",
        **data,
    }
    value = CloudEvent(
        id="e-1",
        source=source,
        type="ipp.EmailBound.v1",
        subject="acc-1",
        time="2026-12-01T00:00:00Z",
        data=payload,
    ).to_bytes()
    return SimpleNamespace(
        topic=topic, value=value, key=b"acc-1", headers=[], partition=0, offset=7
    )


def verdict_from(source: str) -> SimpleNamespace:
    data = {
        "review_id": "r",
        "complaint_id": "c",
        "material_type": "complaint",
        "material_id": "c",
        "material_revision": 1,
        "outcome": "approved",
        "reasons": [],
        "reused_decision_id": None,
        "decided_by": {"kind": "auto", "reviewer_id": None},
        "decided_at": "2026-12-01T00:00:00Z",
    }
    value = CloudEvent(
        id="e-2",
        source=source,
        type="ipp.ReviewDecided.v1",
        subject="c",
        time="2026-12-01T00:00:00Z",
        data=data,
    ).to_bytes()
    return SimpleNamespace(
        topic="ipp.review-decided.v1", value=value, key=b"c", headers=[], partition=0, offset=1
    )


def test_only_the_owner_of_a_material_may_decide_it() -> None:
    assert isinstance(admit(verdict_from("ipp/complaints")).payload, BaseModel)
    for forger in ("ipp/notifier", "ipp/identity", "ipp/rights"):
        with pytest.raises(PoisonRecord) as refused:
            admit(verdict_from(forger))
        assert refused.value.reason == "NOT_THE_OWNER"
    with pytest.raises(PoisonRecord) as refused:
        admit(delivery_of("ipp/complaints"))
    assert refused.value.reason == "NOT_THE_OWNER"
    with pytest.raises(PoisonRecord) as refused:
        admit(delivery_of("ipp/identity", topic="ipp.complaint-filed.v1"))
    assert refused.value.reason == "WRONG_TOPIC"


class Letters:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    async def send(
        self, topic: str, value: bytes, key: bytes | None = None, headers: list | None = None
    ):
        self.sent.append((topic, dict(headers or [])))
        future = asyncio.get_running_loop().create_future()
        future.set_result(None)
        return future


async def test_a_database_that_does_not_answer_is_waited_for_and_never_dead_lettered(
    app: ServiceApplication, monkeypatch
):
    letters = Letters()
    calls = []
    waits = []
    real_backoff = inbox_module.backoff

    def backoff(
        *args, **kwargs
    ) -> float:  # the waits as the inbox asks for them, without sitting them out
        waits.append(real_backoff(*args, **kwargs))
        return 0.0

    monkeypatch.setattr(inbox_module, "backoff", backoff)

    def handler(session: object, delivery: object) -> None:
        calls.append(delivery)
        if len(calls) <= 6:  # longer than the bounded retries of a handler's own error
            raise sqlalchemy.exc.OperationalError(
                "INSERT", {}, Exception("server closed the connection")
            )

    inbox = Inbox(app, letters, {}, "ipp-probe", ["ipp.email-bound.v1"], handler)  # type: ignore[arg-type]
    await inbox.process([delivery_of("ipp/identity")])
    assert len(calls) == 7 and letters.sent == []
    assert waits == sorted(waits) and waits[-1] > waits[0], "a longer wait after each failure"


async def test_a_handler_that_keeps_failing_is_dead_lettered_with_the_reason(
    app: ServiceApplication, monkeypatch
) -> None:
    letters = Letters()
    waits: list[float] = []
    real_backoff = inbox_module.backoff

    def backoff(*args, **kwargs) -> float:  # asked for between retries, not sat out
        waits.append(real_backoff(*args, **kwargs))
        return 0.0

    monkeypatch.setattr(inbox_module, "backoff", backoff)

    def handler(session: object, delivery: object) -> None:
        raise KeyError("a bug")

    inbox = Inbox(app, letters, {}, "ipp-probe", ["ipp.email-bound.v1"], handler)  # type: ignore[arg-type]
    await inbox.process([delivery_of("ipp/identity"), verdict_from("ipp/notifier")])
    reasons = sorted(h["ipp-reason"] for _, h in letters.sent)
    assert reasons == [b"HANDLER_FAILED", b"NOT_THE_OWNER"]
    assert waits, "the failing record was retried after a wait before it was dead-lettered"
    assert {topic for topic, _ in letters.sent} == {"ipp.dlq.ipp-probe"}


@pytest.fixture
def door() -> TestClient:
    http = FastAPI()
    install_error_handlers(http, max_body_bytes=2048, max_multipart_bytes=4096)

    @http.post("/echo")
    async def echo(body: dict) -> dict:
        return body

    @http.get("/down")
    def down() -> dict:
        raise sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    @http.get("/bug")
    def bug() -> dict:
        raise KeyError("oops")

    return TestClient(http, raise_server_exceptions=False)


def test_a_body_over_its_limit_is_refused_with_413(door: TestClient) -> None:
    answer = door.post("/echo", json={"text": "x" * 4000})
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "REQUEST_TOO_LARGE"
    chunked = door.post(
        "/echo",
        content=iter([b'{"text": "', b"x" * 4000, b'"}']),
        headers={"content-type": "application/json"},
    )
    assert chunked.status_code == 413
    form = door.post(
        "/echo", content=b"x" * 5000, headers={"accept": "text/html", "content-type": "text/plain"}
    )
    assert form.status_code == 413 and form.headers["content-type"].startswith("text/html")


def test_text_no_store_can_hold_is_refused_at_the_door(door: TestClient) -> None:
    for raw in (b'{"name": "\\ud800"}', b'{"name": "a\\u0000b"}', b'{"deep": {"x": ["\\uDFFF"]}}'):
        answer = door.post("/echo", content=raw, headers={"content-type": "application/json"})
        assert answer.status_code == 422 and answer.json()["error"]["code"] == "INVALID_TEXT", raw
    typed = door.post(
        "/echo", content=b'{"path": "C:\\\\u0000"}', headers={"content-type": "application/json"}
    )
    assert typed.status_code == 200 and typed.json() == {"path": "C:\\u0000"}, (
        "a backslash typed is text"
    )
    paired = door.post(
        "/echo", content=b'{"name": "\\ud83d\\ude00"}', headers={"content-type": "application/json"}
    )
    assert paired.status_code == 200 and paired.json() == {"name": "😀"}


def test_each_answer_is_counted_by_route_and_status_even_when_a_handler_raised(
    door: TestClient,
) -> None:
    def count(route: str, status: str) -> float:
        labels = {"method": "GET", "route": route, "status": status}
        return REGISTRY.get_sample_value("ipp_http_requests_total", labels) or 0.0

    before = (count("/down", "503"), count("/bug", "500"), count("unmatched", "404"))
    door.get("/down")
    door.get("/bug")
    door.get("/nowhere")
    assert (count("/down", "503"), count("/bug", "500"), count("unmatched", "404")) == tuple(
        n + 1 for n in before
    )


def test_an_outage_is_503_with_retry_after_and_a_bug_is_a_json_500(door: TestClient) -> None:
    outage = door.get("/down")
    assert outage.status_code == 503 and outage.headers["retry-after"] == "5"
    assert outage.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    bug = door.get("/bug")
    assert bug.status_code == 500 and bug.json()["error"]["code"] == "INTERNAL_ERROR"
