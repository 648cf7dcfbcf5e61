"""Copyrights: the work's title and type, author, owner, completion and publication dates.

A registration number is optional (copyright arises on completion); without one, proof of authorship
(manuscripts, source files, originals with their dates) stands in for the registration certificate.
"""

from __future__ import annotations

from datetime import date

from services.rights.domain.submission import Problem, Submission
from shared.events.vocabulary import WORK_TYPES
from shared.review.domain import Check


def date_problems(sub: Submission, today: date) -> list[Problem]:
    completed, published = sub.date("completion_date"), sub.date("publication_date")
    if completed is None:
        return [
            Problem(
                "INVALID_DATES",
                "details.completion_date",
                "Give the work's completion date (YYYY-MM-DD).",
            )
        ]
    if (
        "publication_date" in sub.details
        and sub.details["publication_date"] is not None
        and published is None
    ):
        return [
            Problem(
                "INVALID_DATES",
                "details.publication_date",
                "Give the publication date as YYYY-MM-DD.",
            )
        ]
    if max(completed, published or completed) > today:
        return [
            Problem(
                "INVALID_DATES",
                "details.completion_date",
                "A work is completed and published in the past.",
            )
        ]
    if published is not None and published < completed:
        return [
            Problem(
                "INVALID_DATES",
                "details.publication_date",
                "A work is published after it is completed.",
            )
        ]
    return []


def problems(sub: Submission, today: date) -> list[Problem]:
    """What refuses a copyright at once."""
    found = []
    if sub.text("work_type") not in WORK_TYPES:
        found.append(
            Problem(
                "INVALID_DETAILS",
                "details.work_type",
                f"The work type is one of {', '.join(WORK_TYPES)}.",
            )
        )
    found += sub.missing_text({"author": "work's author", "owner": "copyright owner"})
    return found + date_problems(sub, today)


def checks(sub: Submission, today: date) -> list[Check]:
    """A copyright's review needs nothing beyond its documents and validity."""
    return []
