"""Events a relay set aside: the ones it cannot publish, and the later events of their
subjects held behind them.

An event that can never become a Kafka record (over the record size limit, not serialisable, a
mapping that fails) must not stop the relay: it is recorded here with its error and the relay goes
on. The events of the same subject that come after it are held here too, so a consumer never sees a
subject's later event without the earlier one. `ipp events stuck` lists them; `ipp events retry`
asks the relay to try them again, in order.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from shared.kit.database import stuck_events

T = stuck_events.c


@dataclass(frozen=True)
class StuckEvent:
    event_id: str
    relay: str
    notification_id: int
    event_index: int
    topic: str
    subject: str
    error: str
    held_behind: str | None
    stuck_at: float
    retry: bool

    def as_dict(self) -> dict:
        return {
            **self.__dict__,
            "stuck_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.stuck_at)),
        }


def set_aside(connection: Connection, relay: str, rows: list[dict]) -> None:
    """Record events set aside (each row: event_id, notification_id, event_index, topic, subject,
    error, held_behind); an event already recorded (a log relayed again) keeps its first record."""
    if not rows:
        return
    known = set(
        connection.execute(
            select(T.event_id).where(T.event_id.in_([r["event_id"] for r in rows]))
        ).scalars()
    )
    fresh = [
        {**row, "relay": relay, "stuck_at": time.time(), "retry": False}
        for row in rows
        if row["event_id"] not in known
    ]
    if fresh:
        connection.execute(insert(stuck_events), fresh)


def held_subjects(connection: Connection, relay: str) -> dict[str, str]:
    """Subjects with an event set aside, and that first event: their later events wait behind it."""
    rows = connection.execute(
        select(T.subject, T.event_id)
        .where(T.relay == relay)
        .order_by(T.notification_id.desc(), T.event_index.desc())
    )
    return dict(rows.tuples().all())  # the first of each subject is the last written


def count(connection: Connection, relay: str | None = None) -> int:
    query = select(func.count()).select_from(stuck_events)
    return connection.execute(
        query if relay is None else query.where(T.relay == relay)
    ).scalar_one()


def listing(connection: Connection) -> list[StuckEvent]:
    """Every event set aside, oldest first."""
    rows = connection.execute(
        select(stuck_events).order_by(T.relay, T.notification_id, T.event_index)
    )
    return [StuckEvent(**row._mapping) for row in rows]


def request_retry(connection: Connection, event_id: str | None = None) -> int:
    """Ask the relay to try again: one event (and those held behind it, which share its
    subject), or all."""
    query = update(stuck_events).values(retry=True)
    if event_id is not None:
        subject = connection.execute(select(T.subject).where(T.event_id == event_id)).scalar()
        if subject is None:
            return 0
        query = query.where(T.subject == subject)
    return connection.execute(query).rowcount


def to_retry(connection: Connection, relay: str) -> list[StuckEvent]:
    """The events an operator asked to retry, with every event of their subjects, in the order
    they were recorded."""
    subjects = select(T.subject).where(T.relay == relay).where(T.retry.is_(True)).distinct()
    rows = connection.execute(
        select(stuck_events)
        .where(T.relay == relay)
        .where(T.subject.in_(subjects))
        .order_by(T.notification_id, T.event_index)
    )
    return [StuckEvent(**row._mapping) for row in rows]


def published(connection: Connection, event_id: str) -> None:
    connection.execute(delete(stuck_events).where(T.event_id == event_id))


def still_stuck(connection: Connection, event: StuckEvent, error: str) -> None:
    """A retry failed again: keep the event (and its subject's) with the new error,
    until asked again."""
    connection.execute(
        update(stuck_events).where(T.event_id == event.event_id).values(error=error[:2000])
    )
    connection.execute(update(stuck_events).where(T.subject == event.subject).values(retry=False))
