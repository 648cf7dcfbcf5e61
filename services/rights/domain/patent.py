"""Patents: number with its check digit, kind, title, patentee, application and grant
dates, statutory term."""

from __future__ import annotations

from datetime import date

from services.rights.domain import patent_number
from services.rights.domain.submission import Problem, Submission
from shared.events.vocabulary import PATENT_KINDS
from shared.review.domain import Check

TERM_YEARS = {"invention": 20, "utility_model": 10, "design": 15}
LONGER_DESIGN_TERM_FROM = date(
    2021, 6, 1
)  # the 2020 amendment: designs filed since then last 15 years


def statutory_end(kind: str, applied: date) -> date:
    """The last day a patent of this kind, applied for on `applied`, can be in force."""
    years = 10 if kind == "design" and applied < LONGER_DESIGN_TERM_FROM else TERM_YEARS[kind]
    try:
        return applied.replace(year=applied.year + years)
    except ValueError:  # applied on 29 February
        return applied.replace(year=applied.year + years, day=28)


def number_problems(sub: Submission, kind: str, applied: date | None) -> list[Problem]:
    number = patent_number.parse(sub.registration_number)
    field = "registration_number"
    if number is None:
        return [
            Problem(
                "INVALID_PATENT_NUMBER",
                field,
                "A patent number is ZL + 12 digits + . + check digit.",
            )
        ]
    if not number.check_digit_ok:
        return [
            Problem("INVALID_PATENT_NUMBER", field, "The patent number's check digit is wrong.")
        ]
    if kind in PATENT_KINDS and number.kind != kind:
        return [
            Problem(
                "INVALID_PATENT_NUMBER",
                field,
                f"The number is not that of a {kind.replace('_', ' ')}.",
            )
        ]
    if applied is not None and number.year != applied.year:
        return [
            Problem(
                "INVALID_PATENT_NUMBER",
                field,
                "The number's year is not the application date's year.",
            )
        ]
    return []


def date_problems(
    sub: Submission, applied: date | None, granted: date | None, today: date
) -> list[Problem]:
    if applied is None or granted is None:
        return [
            Problem(
                "INVALID_DATES",
                "details.application_date",
                "Give the application and grant dates (YYYY-MM-DD).",
            )
        ]
    if not applied <= granted <= today:
        return [
            Problem(
                "INVALID_DATES",
                "details.grant_date",
                "A patent is granted after it is applied for, and before today.",
            )
        ]
    if sub.valid_until is None:
        return [
            Problem(
                "INVALID_DATES",
                "valid_until",
                "A patent's term ends: give the end of its validity.",
            )
        ]
    return []


def problems(sub: Submission, today: date) -> list[Problem]:
    """What refuses a patent at once."""
    kind = sub.text("patent_kind")
    applied = sub.date("application_date")
    granted = sub.date("grant_date")
    found = (
        []
        if kind in PATENT_KINDS
        else [
            Problem(
                "INVALID_DETAILS",
                "details.patent_kind",
                "The patent kind is invention, utility_model or design.",
            )
        ]
    )
    found += sub.missing_text({"patentee": "patentee named on the patent certificate"})
    return found + number_problems(sub, kind, applied) + date_problems(sub, applied, granted, today)


def term_check(sub: Submission) -> Check:
    kind, applied = sub.text("patent_kind"), sub.date("application_date")
    within = (
        kind in PATENT_KINDS
        and applied is not None
        and sub.valid_until is not None
        and sub.valid_until <= statutory_end(kind, applied)
    )
    return Check(
        "PATENT_TERM",
        within,
        "The validity claimed runs past the statutory term of the patent "
        "(invention 20 years, utility model 10, design 15 — 10 if applied for before 2021-06-01).",
    )


def checks(sub: Submission, today: date) -> list[Check]:
    """What the review checks of a patent beyond documents and validity."""
    return [
        Check(
            "PATENT_NUMBER_CHECK_DIGIT",
            patent_number.is_valid(sub.registration_number),
            "The patent number's CNIPA check digit is wrong; correct the number.",
        ),
        term_check(sub),
    ]
