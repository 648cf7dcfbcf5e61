"""Which failures are the infrastructure's (wait and try again, for as long as it takes) and
which are the work's.

A database that does not answer, a broker that is restarting, a lock held by another writer: the
same work will succeed later, so it is retried with backoff and never dead-lettered, and a request
meanwhile gets 503 with Retry-After. A concurrent write to the same aggregate (a replica, a racing
request) succeeds on a fresh read, so it is retried too, but not forever: one that keeps conflicting
is a bug. Anything else is the work itself.
"""

from __future__ import annotations

import sqlite3

import sqlalchemy.exc
from aiokafka.errors import (
    KafkaConnectionError,
    KafkaTimeoutError,
    NodeNotReadyError,
    RequestTimedOutError,
)
from eventsourcing import persistence

try:  # psycopg is the production driver; the embedded stack runs without it
    import psycopg

    _PSYCOPG: tuple[type[BaseException], ...] = (psycopg.OperationalError, psycopg.InterfaceError)
except ImportError:  # pragma: no cover
    _PSYCOPG = ()

UNAVAILABLE: tuple[type[BaseException], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
    sqlalchemy.exc.DisconnectionError,
    persistence.OperationalError,
    persistence.InterfaceError,
    sqlite3.OperationalError,
    *_PSYCOPG,
    ConnectionError,
    TimeoutError,
    KafkaConnectionError,
    KafkaTimeoutError,
    NodeNotReadyError,
    RequestTimedOutError,
)
CONFLICT: tuple[type[BaseException], ...] = (
    persistence.IntegrityError,
    sqlalchemy.exc.IntegrityError,
)
RETRY_AFTER_SECONDS = 5


def _chain(exc: BaseException) -> list[BaseException]:
    found, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        found.append(exc)
        exc = exc.__cause__ or exc.__context__
    return found


def unavailable(exc: BaseException) -> bool:
    """The database or the broker did not answer (or refused for now): the same
    work succeeds later."""
    for link in _chain(exc):
        if isinstance(link, UNAVAILABLE):
            return True
        if isinstance(link, sqlalchemy.exc.DBAPIError) and link.connection_invalidated:
            return True
    return False


def conflict(exc: BaseException) -> bool:
    """Someone else changed the same aggregate first: the work succeeds on a fresh read."""
    return any(isinstance(link, CONFLICT) for link in _chain(exc)) and not unavailable(exc)


def backoff(attempt: int, base: float = 0.1, cap: float = 5.0) -> float:
    """Seconds to wait before try number `attempt` + 1: doubling from `base`, at most `cap`."""
    return min(cap, base * 2 ** min(attempt, 16))


class NotMoving(Exception):
    """A readiness check's finding in its own words: the consumer or the relay is stuck."""
