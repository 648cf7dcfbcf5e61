"""Automatic checks of right materials at review, each with a reason code (shown to
the complainant)."""

from __future__ import annotations

from datetime import date

from services.rights.domain import documents
from services.rights.domain.admission import PER_TYPE
from services.rights.domain.submission import Submission, same_party
from shared.review.domain import Check


def validity_checks(sub: Submission, today: date) -> list[Check]:
    starts, ends = sub.valid_from, sub.valid_until
    return [
        Check(
            "VALIDITY_PERIOD",
            starts is not None and (ends is None or ends >= starts),
            "The validity period must start on a date and not end before it starts.",
        ),
        Check(
            "RIGHT_NOT_YET_VALID",
            starts is not None and starts <= today,
            "The right is not valid yet.",
        ),
        Check(
            "RIGHT_EXPIRED", ends is None or ends >= today, "The right's validity period has ended."
        ),
    ]


def documents_check(sub: Submission) -> Check:
    absent = documents.missing(sub, documents.evidence(sub))
    return Check(
        "REQUIRED_DOCUMENTS",
        not absent,
        f"Upload the {'; '.join(absent)} of the {sub.right_type}."
        if absent
        else "The documents are there.",
    )


def holder_check(sub: Submission, identity_holder: str | None) -> Check:
    """The right is asserted by the holder the identity proves (for an agent: the
    holder it acts for)."""
    if identity_holder is None:
        return Check("HOLDER_MATCHES_IDENTITY", False, "The identity the right names is not known.")
    return Check(
        "HOLDER_MATCHES_IDENTITY",
        same_party(sub.holder_name, identity_holder),
        f"The right's holder ({sub.holder_name}) is not the verified holder ({identity_holder}) "
        "of the identity it names.",
    )


def right_checks(right: object, today: date, identity_holder: str | None) -> list[Check]:
    """All checks of a right's current revision; `identity_holder` is the holder
    its identity proves."""
    sub = Submission.of(right)
    return [
        documents_check(sub),
        holder_check(sub, identity_holder),
        *validity_checks(sub, today),
        *PER_TYPE[sub.right_type].checks(sub, today),
    ]


def complaint_checks(right: object, today: date) -> list[Check]:
    """What each complaint asks of a right already decided: an approval is not reused once the
    right has ended (the sweep may not have run yet), and an expired right stays expired. An
    undecided right's end is judged by its own review (RIGHT_EXPIRED there rejects it, so it can be
    amended with a renewal)."""
    status, ends = getattr(right, "status", None), Submission.of(right).valid_until
    ended = status == "expired" or (status == "approved" and ends is not None and ends < today)
    return [
        Check(
            "RIGHT_EXPIRED",
            not ended,
            "The right's validity period has ended; it backs no new complaint.",
        )
    ]
