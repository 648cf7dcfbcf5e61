"""Signed-out tokens (`revoked_tokens`): identity refuses them at once, other
services follow the feed.

A row is (seq, jti, expires_at) and lives until the token would have expired anyway; expired rows
are purged when a token is revoked. Services read the feed by `seq` (`GET
/v1/revoked-tokens?after=`), so a row must never become visible after one with a higher seq: on
PostgreSQL, revocations take a lock that orders them (sign-out is rare, the lock is short); SQLite
has one writer anyway.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone

from sqlalchemy import delete, insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from services.identity.adapters.read_models import revoked_tokens

PAGE = 1000


def _rfc3339(at: float) -> str:
    return (
        datetime.fromtimestamp(at, timezone.utc)
        .isoformat(timespec="seconds")
        .replace("+00:00", "Z")
    )


class Revocations:
    """Token times are wall-clock times (PyJWT checks `exp` against it), so this clock is too."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine, self.clock = engine, clock

    def revoke(self, jti: str, expires_at: float) -> None:
        """Record a signed-out token (once: revoking it again changes nothing)."""
        now = self.clock()
        if expires_at <= now:
            return  # expired already: nobody accepts it
        try:
            with self.engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.execute(
                        text("LOCK TABLE revoked_tokens IN SHARE ROW EXCLUSIVE MODE")
                    )
                connection.execute(delete(revoked_tokens).where(revoked_tokens.c.expires_at <= now))
                connection.execute(insert(revoked_tokens).values(jti=jti, expires_at=expires_at))
        except IntegrityError:
            pass  # signed out twice

    def is_revoked(self, jti: str) -> bool:
        """Whether the token was signed out (an expired token is refused by its `exp` anyway)."""
        with self.engine.connect() as connection:
            return (
                connection.execute(
                    select(revoked_tokens.c.seq).where(revoked_tokens.c.jti == jti)
                ).first()
                is not None
            )

    def after(self, seq: int, limit: int = PAGE) -> list[dict]:
        """The unexpired revocations after `seq`, in order, at most `limit`."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(revoked_tokens)
                .where(revoked_tokens.c.seq > seq, revoked_tokens.c.expires_at > self.clock())
                .order_by(revoked_tokens.c.seq)
                .limit(limit)
            ).all()
        return [
            {"seq": row.seq, "jti": row.jti, "expires_at": _rfc3339(row.expires_at)} for row in rows
        ]
