"""Automatic checks of right materials, each with a reason code."""

from __future__ import annotations

from datetime import date

from services.rights.domain.model import Right
from shared.review.domain import Check

REQUIRED_DOCUMENTS = {
    "trademark": ("registration_certificate",),
    "copyright": ("proof_of_authorship",),
    "patent": ("patent_certificate",),
}


def validity_checks(right: Right, today: date) -> list[Check]:
    starts = date.fromisoformat(right.valid_from)
    ends = date.fromisoformat(right.valid_until) if right.valid_until else None
    return [
        Check("VALIDITY_PERIOD", ends is None or ends >= starts, "The validity period ends before it starts."),
        Check("RIGHT_NOT_YET_VALID", starts <= today, "The right is not valid yet."),
        Check("RIGHT_EXPIRED", ends is None or ends >= today, "The right's validity period has ended."),
    ]


def trademark_checks(right: Right) -> list[Check]:
    classes = right.details.get("nice_classes") or []
    valid = bool(classes) and all(isinstance(c, int) and 1 <= c <= 45 for c in classes)
    return [Check("NICE_CLASSES", valid, "Give the mark's Nice classes, each between 1 and 45.")]


def right_checks(right: Right, today: date | None = None) -> list[Check]:
    """All checks of a right's current revision."""
    today = today or date.today()
    purposes = {d["purpose"] for d in right.documents}
    checks = [Check("REQUIRED_DOCUMENTS", all(p in purposes for p in REQUIRED_DOCUMENTS[right.right_type]),
                    f"Upload the {', '.join(REQUIRED_DOCUMENTS[right.right_type])} of the {right.right_type}.")]
    checks += validity_checks(right, today)
    if right.right_type == "trademark":
        checks += trademark_checks(right)
    return checks
