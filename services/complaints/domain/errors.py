"""The refusals of this service: named domain errors with stable codes (entrypoints/http.py
gives their statuses)."""

from __future__ import annotations

from shared.kit.errors import Conflict, Invalid, TooLarge


class ComplaintChanged(Conflict):
    code = "COMPLAINT_CHANGED"


class ComplaintDecided(Conflict):
    code = "COMPLAINT_DECIDED"


class InvalidInfringementType(Invalid):
    code = "INVALID_INFRINGEMENT_TYPE"


class InvalidTarget(Invalid):
    code = "INVALID_TARGET"


class InvalidTargetsCsv(Invalid):
    code = "INVALID_TARGETS_CSV"


class NoTargets(Invalid):
    code = "NO_TARGETS"


class RightNotUsable(Conflict):
    code = "RIGHT_NOT_USABLE"


class TargetsCsvRequired(Invalid):
    code = "TARGETS_CSV_REQUIRED"


class TargetsCsvTooLarge(TooLarge):
    code = "TARGETS_CSV_TOO_LARGE"


class TooManyTargets(Invalid):
    code = "TOO_MANY_TARGETS"


class ValidationFailed(Invalid):
    code = "VALIDATION_FAILED"
