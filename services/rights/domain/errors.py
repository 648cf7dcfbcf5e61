"""The refusals of this service: named domain errors with stable codes (entrypoints/http.py
gives their statuses)."""

from __future__ import annotations

from shared.kit.errors import Conflict, Invalid


class IdentityNotUsable(Conflict):
    code = "IDENTITY_NOT_USABLE"


class InvalidRight(Invalid):
    """Plainly invalid at admission: the code is the first problem's (a check digit,
    a class, a date)."""

    code = "INVALID_RIGHT"


class InvalidDetails(Invalid):
    code = "INVALID_DETAILS"


class RightLocked(Conflict):
    code = "RIGHT_LOCKED"
