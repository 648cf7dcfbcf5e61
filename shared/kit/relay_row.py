"""The relay's own rows: its lease and position, the broker it relayed to, and the
events it set aside.

Every method is one short transaction, called from a worker thread. An update applies only while
this replica holds the lease, so a replica that lost it cannot move the position another one owns.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from sqlalchemy import Update, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from shared.kit import set_aside
from shared.kit.database import relay_positions

LEASE_SECONDS = 10.0
T = relay_positions.c


@dataclass(frozen=True)
class Lease:
    """What the replica holding the lease relays from."""

    position: int
    cluster_id: str | None
    marks: dict[str, int] = field(
        default_factory=dict
    )  # "topic/partition" -> highest offset acknowledged
    held: dict[str, str] | None = None  # subject -> the event set aside first (when asked for)


class RelayRow:
    def __init__(self, engine: Engine, name: str, owner: str) -> None:
        self.engine = engine
        self.name = name
        self.owner = owner
        self._ensured = False

    def _mine(self) -> Update:
        return update(relay_positions).where(T.name == self.name).where(T.owner == self.owner)

    def _ensure(self) -> None:
        """The row exists before the first lease (several replicas may race here)."""
        with self.engine.begin() as connection:
            if connection.execute(select(T.name).where(T.name == self.name)).first() is None:
                try:
                    connection.execute(
                        insert(relay_positions).values(name=self.name, position=0, lease_until=0.0)
                    )
                except IntegrityError:
                    pass
        self._ensured = True

    def lease(self, with_held: bool) -> Lease | None:
        """Take or renew the lease; None while another replica holds it."""
        if not self._ensured:
            self._ensure()
        now = time.time()
        with self.engine.begin() as connection:
            taken = connection.execute(
                update(relay_positions)
                .where(T.name == self.name)
                .where((T.owner == self.owner) | (T.lease_until < now) | (T.owner.is_(None)))
                .values(owner=self.owner, lease_until=now + LEASE_SECONDS)
            )
            if taken.rowcount != 1:
                return None
            row = connection.execute(select(relay_positions).where(T.name == self.name)).one()
            held = set_aside.held_subjects(connection, self.name) if with_held else None
        return Lease(row.position, row.cluster_id, json.loads(row.marks) if row.marks else {}, held)

    def advance(self, position: int, marks: dict[str, int], put_aside: list[dict]) -> None:
        """How far the relay got, what the broker acknowledged, and what it set
        aside: one transaction."""
        with self.engine.begin() as connection:
            set_aside.set_aside(connection, self.name, put_aside)
            connection.execute(self._mine().values(position=position, marks=json.dumps(marks)))

    def remember_cluster(self, cluster_id: str | None) -> None:
        with self.engine.begin() as connection:
            connection.execute(self._mine().values(cluster_id=cluster_id))

    def start_over(self, cluster_id: str | None) -> None:
        """Relay the whole log again, to this broker."""
        with self.engine.begin() as connection:
            connection.execute(self._mine().values(position=0, marks=None, cluster_id=cluster_id))

    def to_retry(self) -> list[set_aside.StuckEvent]:
        with self.engine.connect() as connection:
            return set_aside.to_retry(connection, self.name)

    def retried(self, event_id: str) -> None:
        with self.engine.begin() as connection:
            set_aside.published(connection, event_id)

    def still_stuck(self, stuck: set_aside.StuckEvent, error: str) -> None:
        with self.engine.begin() as connection:
            set_aside.still_stuck(connection, stuck, error)

    def stuck_count(self) -> int:
        with self.engine.connect() as connection:
            return set_aside.count(connection, self.name)
