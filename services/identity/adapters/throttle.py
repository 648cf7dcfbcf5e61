"""Rate limits kept in the service's database, so every replica counts the same attempts.

Counting is atomic without locks: an attempt first *claims* its place (inserts its row and commits),
then counts the rows in the window, its own included, and gives its place back when that is over the
limit. Two requests can no longer both check "4 of 5 used" and both go ahead: of any set of claims
that were let through, the one that counted last saw every other one (each committed before it
counted) plus its own, so at most `limit.attempts` are let through per window, whatever the
interleaving, on SQLite and on PostgreSQL (READ COMMITTED sees every committed row at the start of
each statement). Simultaneous requests beyond the limit may refuse one another a little early; never
let one more through.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Engine

from services.identity.adapters.read_models import attempts
from services.identity.domain import limits
from services.identity.domain.limits import Limit
from shared.kit.errors import Invalid, TooMany, Unauthenticated


class TooManyRequests(TooMany):
    """429 with the seconds after which trying again can succeed (sent as Retry-After)."""

    def __init__(self, limit: Limit, retry_after: int) -> None:
        message = (
            "Too many attempts: try again later."
            if "ATTEMPTS" in limit.code
            else "Wait before asking again."
        )
        super().__init__(
            message, {"retry_after": retry_after}, code=limit.code, retry_after=retry_after
        )


class Throttle:
    """Counts attempts per (limit, key) in a sliding window."""

    def __init__(self, engine: Engine, clock: Callable[[], float]) -> None:
        self.engine, self.clock = engine, clock

    def claim(self, limit: Limit, key: str) -> int:
        """Count one attempt now, or raise TooManyRequests (counting nothing) when `key` has
        used up `limit`; the claim's id, to give it back with release() if the attempt turns
        out not to count."""
        now = self.clock()
        with (
            self.engine.begin() as connection
        ):  # committed before counting: see the module's docstring
            connection.execute(
                delete(attempts).where(
                    attempts.c.limit_name == limit.name,
                    attempts.c.key == key,
                    attempts.c.at <= now - limit.window,
                )
            )
            claim = connection.execute(
                insert(attempts).values(limit_name=limit.name, key=key, at=now)
            )
            claim_id = int(claim.inserted_primary_key[0])
        with self.engine.connect() as connection:
            count, oldest = connection.execute(
                select(func.count(), func.min(attempts.c.at)).where(
                    attempts.c.limit_name == limit.name,
                    attempts.c.key == key,
                    attempts.c.at > now - limit.window,
                )
            ).one()
        if count > limit.attempts:
            self.release(claim_id)
            raise TooManyRequests(limit, max(1, math.ceil((oldest or now) + limit.window - now)))
        return claim_id

    def take_all(self, *wanted: tuple[Limit, str]) -> list[int]:
        """Claim several limits for one request, all or none: a refusal gives back the
        claims already made."""
        claimed: list[int] = []
        try:
            for limit, key in wanted:
                claimed.append(self.claim(limit, key))
        except TooManyRequests:
            self.release(*claimed)
            raise
        return claimed

    def release(self, *claim_ids: int) -> None:
        if claim_ids:
            with self.engine.begin() as connection:
                connection.execute(delete(attempts).where(attempts.c.id.in_(claim_ids)))

    def clear(self, limit: Limit, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                delete(attempts).where(attempts.c.limit_name == limit.name, attempts.c.key == key)
            )


class SignInAttempt:
    """Refuses an attempt once its login or client has failed too often; counts a
    failure, forgets on success.

    The attempt is counted as a failure from the start (a claim) and given back when it ends
    otherwise, so parallel guesses cannot all pass the check before any of them is recorded."""

    def __init__(self, throttle: Throttle, login_key: str, ip_key: str | None) -> None:
        self.throttle = throttle
        self.login_key = login_key
        self.ip_key = ip_key
        self.claims: list[int] = []

    def __enter__(self) -> SignInAttempt:
        wanted = [(limits.FAILED_SIGN_INS_PER_LOGIN, self.login_key)]
        if self.ip_key:
            wanted.append((limits.FAILED_SIGN_INS_PER_IP, self.ip_key))
        self.claims = self.throttle.take_all(*wanted)
        return self

    def __exit__(self, kind: type | None, error: BaseException | None, _: object) -> None:
        if isinstance(error, (Unauthenticated, Invalid)):
            return  # a wrong password or code: the claims stay, as failures
        self.throttle.release(*self.claims)
        if error is None:
            self.throttle.clear(limits.FAILED_SIGN_INS_PER_LOGIN, self.login_key)
