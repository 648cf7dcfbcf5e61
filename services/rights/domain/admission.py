"""What is refused at once, when a right is registered or amended (422): plain format errors.

Substantive questions (is the right in force today, within its statutory term, is the evidence
there) are the review's: services/rights/domain/checks.py.
"""

from __future__ import annotations

from datetime import date

from services.rights.domain import copyright, documents, patent, trademark
from services.rights.domain.submission import Problem, Submission

PER_TYPE = {"trademark": trademark, "copyright": copyright, "patent": patent}


def period_problems(sub: Submission) -> list[Problem]:
    if sub.valid_from and sub.valid_until and sub.valid_until < sub.valid_from:
        return [
            Problem("INVALID_DATES", "valid_until", "The validity period ends before it starts.")
        ]
    return []


def document_problems(sub: Submission) -> list[Problem]:
    absent = documents.missing(sub, documents.required(sub))
    return [Problem("MISSING_DOCUMENT", "documents", f"Upload the {what}.") for what in absent]


def problems(sub: Submission, today: date) -> list[Problem]:
    """Every reason to refuse this submission now, the type's own first; [] when it
    may be registered."""
    return (
        PER_TYPE[sub.right_type].problems(sub, today)
        + period_problems(sub)
        + document_problems(sub)
    )
