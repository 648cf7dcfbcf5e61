"""Rate limits kept in the service's database, so every replica counts the same attempts."""

from __future__ import annotations

import math
from collections.abc import Callable

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Engine

from services.identity.adapters.tables import attempts
from services.identity.domain import limits
from services.identity.domain.limits import Limit
from shared.kit.http import ApiError


class TooManyRequests(ApiError):
    """429 with the seconds after which trying again can succeed (sent as Retry-After)."""

    def __init__(self, limit: Limit, retry_after: int) -> None:
        message = "Too many attempts: try again later." if "ATTEMPTS" in limit.code else "Wait before asking again."
        super().__init__(429, limit.code, message, {"retry_after": retry_after})
        self.retry_after = retry_after


class Throttle:
    """Counts attempts per (limit, key) in a sliding window."""

    def __init__(self, engine: Engine, clock: Callable[[], float]) -> None:
        self.engine, self.clock = engine, clock

    def check(self, limit: Limit, key: str) -> None:
        """Raise TooManyRequests when `key` has used up `limit` within its window."""
        now = self.clock()
        with self.engine.begin() as connection:
            count, oldest = connection.execute(
                select(func.count(), func.min(attempts.c.at)).where(
                    attempts.c.limit_name == limit.name, attempts.c.key == key,
                    attempts.c.at > now - limit.window)).one()
        if count >= limit.attempts:
            raise TooManyRequests(limit, max(1, math.ceil(oldest + limit.window - now)))

    def record(self, limit: Limit, key: str) -> None:
        now = self.clock()
        with self.engine.begin() as connection:
            connection.execute(delete(attempts).where(attempts.c.limit_name == limit.name, attempts.c.key == key,
                                                      attempts.c.at <= now - limit.window))
            connection.execute(insert(attempts).values(limit_name=limit.name, key=key, at=now))

    def take(self, limit: Limit, key: str) -> None:
        """Check, then count this attempt (for requests limited whether or not they succeed)."""
        self.check(limit, key)
        self.record(limit, key)

    def clear(self, limit: Limit, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(attempts).where(attempts.c.limit_name == limit.name, attempts.c.key == key))


class SignInAttempt:
    """Refuses an attempt once its login or client has failed too often; counts a failure, forgets on success."""

    def __init__(self, throttle: Throttle, login_key: str, ip_key: str | None) -> None:
        self.throttle, self.login_key, self.ip_key = throttle, login_key, ip_key

    def __enter__(self) -> SignInAttempt:
        self.throttle.check(limits.FAILED_SIGN_INS_PER_LOGIN, self.login_key)
        if self.ip_key:
            self.throttle.check(limits.FAILED_SIGN_INS_PER_IP, self.ip_key)
        return self

    def __exit__(self, kind: type | None, error: BaseException | None, _: object) -> None:
        if isinstance(error, ApiError) and error.status in (401, 422):
            self.throttle.record(limits.FAILED_SIGN_INS_PER_LOGIN, self.login_key)
            if self.ip_key:
                self.throttle.record(limits.FAILED_SIGN_INS_PER_IP, self.ip_key)
        elif error is None:
            self.throttle.clear(limits.FAILED_SIGN_INS_PER_LOGIN, self.login_key)
