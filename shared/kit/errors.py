"""What the application layer says when it refuses: domain errors with a stable
code, no HTTP in them.

A service raises a named error (a subclass of one of the kinds below, in its own `errors.py`); each
HTTP entrypoint maps kinds and names to statuses in one table (`STATUSES`,
`shared/kit/http/__init__.py` has the kit's), so the JSON error contract (code, message, details) is
the same whichever door the error leaves by.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A refusal a client caused or must know about, with a stable `code`.

    `details` is JSON the client may read (never a submitted personal number); `retry_after`, in
    seconds, says when trying again can succeed (a rate limit, a dependency that is down)."""

    code = "REFUSED"
    message = "The request was refused."

    def __init__(
        self,
        message: str | None = None,
        details: Any = None,
        *,
        code: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        self.code = code or type(self).code
        self.message = message or type(self).message
        self.details = details
        self.retry_after = retry_after
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r})"


class Invalid(ServiceError):
    """What was sent breaks a rule (a check digit, a policy, a field)."""

    code = "INVALID"


class Unauthenticated(ServiceError):
    """Who is asking is not known: no token, a bad one, wrong credentials."""

    code = "UNAUTHENTICATED"


class Forbidden(ServiceError):
    """Known, but not allowed to do this."""

    code = "FORBIDDEN"


class NotFound(ServiceError):
    """No such thing, or none the asker may see."""

    code = "NOT_FOUND"


class Conflict(ServiceError):
    """The thing's state (or another's) does not allow this now."""

    code = "CONFLICT"


class Gone(ServiceError):
    """It was there and is no more (an expired ticket)."""

    code = "GONE"


class TooLarge(ServiceError):
    """A body or file over its limit."""

    code = "TOO_LARGE"


class UnsupportedMedia(ServiceError):
    """A file of a type that is not taken."""

    code = "UNSUPPORTED_MEDIA_TYPE"


class TooMany(ServiceError):
    """A limit on attempts was reached; `retry_after` says when it frees."""

    code = "TOO_MANY_ATTEMPTS"


class Unavailable(ServiceError):
    """Something this depends on cannot answer now; `retry_after` says when to try again."""

    code = "SERVICE_UNAVAILABLE"
