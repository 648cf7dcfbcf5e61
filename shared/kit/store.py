"""Event store wiring: an eventsourcing Application on SQLAlchemy (SQLite or PostgreSQL)."""

from __future__ import annotations

import asyncio
import base64
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import MetaData, Table, bindparam, event, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from shared.kit.database import sqlalchemy_url
from shared.kit.errors import NotFound
from shared.kit.settings import Settings

T = TypeVar("T")


def relax_sqlite_sync(engine: Engine) -> None:
    """WAL with synchronous=NORMAL: a commit survives a crash of the process (what the
    embedded, development stack needs) without an fsync per transaction; only a power cut may
    lose the last ones."""

    @event.listens_for(engine, "connect")
    def _pragma(connection: Any, _: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    engine.dispose()  # connections opened while creating tables get the pragma too


def upsert(session: Session, table: Table, key: str, values: dict) -> None:
    """Insert a read-model row or update it in place (SQLite and PostgreSQL).

    One statement per table and set of columns, built once: its values travel as parameters, so
    SQLAlchemy compiles it once too (a statement with the values inside is compiled every call)."""
    connection = session.connection()
    statement = _upserts.get((connection.dialect.name, table, key, tuple(values)))
    if statement is None:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        new_row = dialect.insert(table)
        statement = new_row.on_conflict_do_update(
            index_elements=[key], set_={name: new_row.excluded[name] for name in values}
        )
        _upserts[(connection.dialect.name, table, key, tuple(values))] = statement
    connection.execute(statement, values)


_upserts: dict[tuple[str, Table, str, tuple[str, ...]], Any] = {}


class LeanRecorder(SQLAlchemyApplicationRecorder):
    """eventsourcing-sqlalchemy's recorder on SQLAlchemy Core: an aggregate's events are read with
    one SELECT built once per shape, a save's events written with one INSERT, the notification log
    read with one SELECT. The library's ORM path builds and loads objects for each: ~1.3 ms of CPU
    a `repository.get` measured in December, where the SELECT and the decoding are ~0.1 ms."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._selects: dict[tuple[bool, bool, bool], Any] = {}
        self._insert: Any = None

    def select_events(
        self,
        originator_id: UUID | str,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        statement = self._select(gt is not None, lte is not None, desc)
        if limit is not None:
            statement = statement.limit(limit)
        parameters = {"originator_id": originator_id, "gt": gt, "lte": lte}
        with self.transaction(commit=False) as session:
            rows = session.connection().execute(statement, parameters).all()
        return [
            StoredEvent(
                originator_id=row[0],
                originator_version=row[1],
                topic=row[2],
                state=_bytes(row[3]),
            )
            for row in rows
        ]

    def _insert_stored_events(
        self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        """All the events of a save in one INSERT … RETURNING id (the library adds ORM objects and
        flushes them). The table lock that keeps the notification log in commit order is
        unchanged; no NOTIFY, which nobody here listens to (the relay polls and is woken in
        process)."""
        if self._has_autoincrementing_ids:
            self._lock_table(session)
        table = self.events_record_cls.__table__
        if self._insert is None:
            self._insert = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        rows = [
            {
                "originator_id": e.originator_id,
                "originator_version": e.originator_version,
                "topic": e.topic,
                "state": e.state,
            }
            for e in stored_events
        ]
        return list(session.connection().execute(self._insert, rows).scalars())

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> list[Notification]:
        """The notification log from `start`, as the relay reads it: one Core SELECT."""
        table = self.events_record_cls.__table__
        statement = select(
            table.c.id,
            table.c.originator_id,
            table.c.originator_version,
            table.c.topic,
            table.c.state,
        )
        if start is not None:
            statement = statement.where(
                table.c.id >= start if inclusive_of_start else table.c.id > start
            )
        if stop is not None:
            statement = statement.where(table.c.id <= stop)
        if topics:
            statement = statement.where(table.c.topic.in_(topics))
        statement = statement.order_by(table.c.id).limit(limit)
        with self.transaction(commit=False) as session:
            rows = session.connection().execute(statement).all()
        return [
            Notification(
                id=row[0],
                originator_id=row[1],
                originator_version=row[2],
                topic=row[3],
                state=_bytes(row[4]),
            )
            for row in rows
        ]

    def max_notification_id(self) -> int | None:
        table = self.events_record_cls.__table__
        with self.transaction(commit=False) as session:
            return session.connection().execute(select(func.max(table.c.id))).scalar()

    def _select(self, gt: bool, lte: bool, desc: bool) -> Any:
        statement = self._selects.get((gt, lte, desc))
        if statement is None:
            table = self.events_record_cls.__table__
            version = table.c.originator_version
            statement = select(table.c.originator_id, version, table.c.topic, table.c.state).where(
                table.c.originator_id == bindparam("originator_id")
            )
            if gt:
                statement = statement.where(version > bindparam("gt"))
            if lte:
                statement = statement.where(version <= bindparam("lte"))
            statement = statement.order_by(version.desc() if desc else version)
            self._selects[(gt, lte, desc)] = statement
        return statement


def _bytes(state: bytes | memoryview) -> bytes:
    return bytes(state) if isinstance(state, memoryview) else state  # PostgreSQL's BYTEA


class LeanFactory(SQLAlchemyFactory):
    """eventsourcing-sqlalchemy with the LeanRecorder (PERSISTENCE_MODULE names it)."""

    application_recorder_class = LeanRecorder


def event_store_env(settings: Settings) -> dict[str, str]:
    """The eventsourcing environment: SQLAlchemy persistence, stored events encrypted at rest."""
    key = settings.key(f"{settings.service}/events")
    if settings.database_url.startswith("sqlite:///"):
        settings.service_dir.mkdir(parents=True, exist_ok=True)
    return {
        "PERSISTENCE_MODULE": "shared.kit.store:LeanFactory",
        "SQLALCHEMY_URL": sqlalchemy_url(settings.database_url),
        "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
        "CIPHER_KEY": base64.b64encode(key).decode(),
        "COMPRESSOR_TOPIC": "eventsourcing.compressor:ZlibCompressor",
    }


class CommitWakeup:
    """Wakes a polling loop (the outbox relay, the mailer) as soon as its application commits."""

    def __init__(self, app: ServiceApplication) -> None:
        loop = asyncio.get_running_loop()
        self._event = asyncio.Event()
        app.on_committed(lambda: loop.call_soon_threadsafe(self._event.set))

    def arm(self) -> None:
        """Call before reading: a commit from then on makes the next wait() return at once."""
        self._event.clear()

    async def wait(self, timeout: float) -> None:
        try:  # asyncio.timeout, not wait_for: wait_for can swallow a cancellation on 3.11
            async with asyncio.timeout(timeout):
                await self._event.wait()
        except TimeoutError:
            pass


class ServiceApplication(Application[Any]):
    """An Application whose saves can share one transaction with read-model and inbox writes."""

    read_models: MetaData | None = (
        None  # the service's own tables (its database gets them from its migrations)
    )

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self._committed_listeners: list[Callable[[], None]] = []
        self._local = threading.local()
        if self.engine.dialect.name == "sqlite":
            relax_sqlite_sync(self.engine)

    @property
    def engine(self) -> Engine:
        return self.recorder.datastore.engine  # type: ignore[attr-defined]

    def on_committed(self, listener: Callable[[], None]) -> None:
        """Call `listener` after each commit that recorded new events (wakes the relay, the
        mailer). A transaction that only read, or wrote read models, inbox ids or claims, wakes
        nobody: the mailer's own claim would otherwise wake it again, and an idle service would
        never sleep."""
        self._committed_listeners.append(listener)

    def committed(self) -> None:
        for listener in self._committed_listeners:
            listener()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One database transaction for events, read models and inbox records together."""
        depth = getattr(self._local, "depth", 0)
        if depth == 0:
            self._local.recorded = False  # set by save() when the transaction records events
        self._local.depth = depth + 1
        try:
            with self.recorder.datastore.transaction(commit=True) as session:  # type: ignore[attr-defined]
                yield session
        finally:
            self._local.depth = depth
        if depth == 0 and self._local.recorded:
            self.committed()

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """Record the events and project them into read models, in one transaction."""
        with self.transaction() as session:
            recordings = super().save(*objs, **kwargs)
            if recordings:
                self._local.recorded = True
            for recording in recordings:
                self.project(recording.domain_event, session)
            return recordings

    def project(self, domain_event: Any, session: Session) -> None:
        """Update read models from one newly recorded event; services override this."""

    def get_or_none(self, aggregate_id: Any) -> Any | None:
        """The aggregate with this id (a UUID or its text), or None when there is none."""
        try:
            return self.repository.get(
                aggregate_id if isinstance(aggregate_id, UUID) else UUID(str(aggregate_id))
            )
        except (AggregateNotFoundError, ValueError):
            return None

    def found(self, kind: type[T], aggregate_id: str, code: str) -> T:
        """The aggregate of this kind with this id, else a 404 with `code`."""
        found = self.get_or_none(aggregate_id)
        if not isinstance(found, kind):
            raise NotFound(f"No such {kind.__name__.lower()}.", code=code)
        return found

    def owned(self, kind: type[T], aggregate_id: str, account_id: str, code: str) -> T:
        """The account's own aggregate of this kind, else a 404 with `code`
        (others' look absent)."""
        found = self.found(kind, aggregate_id, code)
        if getattr(found, "account_id", None) != account_id:
            raise NotFound(f"No such {kind.__name__.lower()}.", code=code)
        return found

    def steps(self, aggregate_id: UUID, detail: Callable[[Any], dict]) -> list[dict]:
        """An aggregate's history for people: each of its events as {step, at} plus
        what `detail` says."""
        return [
            {"step": type(e).__name__, "at": e.timestamp.isoformat(), **detail(e)}
            for e in self.events.get(aggregate_id)
        ]

    def ping_database(self) -> None:
        """The database answers, and takes writes: on SQLite, readers go on while another writer
        holds the lock, so readiness asks for the write lock itself (for at most a second), as
        every command will."""
        with self.engine.connect() as connection:
            if self.engine.dialect.name != "sqlite":
                connection.execute(text("SELECT 1"))
                return
            raw = connection.connection.driver_connection
            raw.execute("PRAGMA busy_timeout=1000")
            try:
                raw.execute("BEGIN IMMEDIATE")
                raw.execute("ROLLBACK")
            finally:
                raw.execute("PRAGMA busy_timeout=5000")
