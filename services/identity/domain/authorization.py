"""An agent's authorisation by a right holder: which right types it covers and for how long."""

from __future__ import annotations

from datetime import date

from shared.events.vocabulary import RIGHT_TYPES

ALL = "all"


def covers(scope: list[str], right_type: str) -> bool:
    """Whether an authorisation with this scope lets the agent act for a right of `right_type`."""
    return ALL in scope or right_type in scope


def scope_ok(scope: list[str]) -> bool:
    return bool(scope) and all(s == ALL or s in RIGHT_TYPES for s in scope)


def period_ok(valid_from: str | None, valid_until: str | None) -> bool:
    """A period starts on a date and ends (if at all) no earlier."""
    if not valid_from:
        return False
    return valid_until is None or date.fromisoformat(valid_from) <= date.fromisoformat(valid_until)


def has_started(valid_from: str | None, today: date) -> bool:
    return bool(valid_from) and date.fromisoformat(valid_from) <= today


def has_expired(valid_until: str | None, today: date) -> bool:
    return valid_until is not None and date.fromisoformat(valid_until) < today
