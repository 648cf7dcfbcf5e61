"""The refusals of this service: named domain errors with stable codes (entrypoints/http.py
gives their statuses)."""

from __future__ import annotations

from shared.kit.errors import NotFound


class ComplaintNotFound(NotFound):
    code = "COMPLAINT_NOT_FOUND"
