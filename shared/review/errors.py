"""The refusals of reviewing: named domain errors with stable codes (each service's HTTP
table gives statuses)."""

from __future__ import annotations

from shared.kit.errors import Conflict, Invalid, NotFound


class DocumentNotFound(NotFound):
    code = "DOCUMENT_NOT_FOUND"


class ReasonsRequired(Invalid):
    code = "REASONS_REQUIRED"


class ReviewerConflict(Conflict):
    code = "REVIEWER_CONFLICT"


class ReviewAlreadyDecided(Conflict):
    code = "REVIEW_ALREADY_DECIDED"


class ReviewClaimedByOther(Conflict):
    code = "REVIEW_CLAIMED_BY_OTHER"


class ReviewNotFound(NotFound):
    code = "REVIEW_NOT_FOUND"


class UnknownReasonCode(Invalid):
    code = "UNKNOWN_REASON_CODE"


class ReviewClosed(Conflict):
    """The task was taken off the queue without a decision (its `closed` status says
    why, in the code)."""

    code = "REVIEW_CLOSED"
