"""Trademarks: registration number, Nice classes 1–45 each with designated goods or
services, registrant."""

from __future__ import annotations

import re
from datetime import date

from services.rights.domain.submission import Problem, Submission
from shared.review.domain import Check

REGISTRATION_NUMBER = re.compile(r"^[0-9]{4,10}$")


def is_nice_class(value: object) -> bool:
    """One of the 45 classes of the Nice Classification (1–34 goods, 35–45 services)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 45


def classes_problems(classes: object) -> list[Problem]:
    if not isinstance(classes, list) or not classes:
        return [
            Problem("INVALID_NICE_CLASS", "details.nice_classes", "Give the mark's Nice classes.")
        ]
    if not all(is_nice_class(c) for c in classes) or len(set(classes)) != len(classes):
        return [
            Problem(
                "INVALID_NICE_CLASS",
                "details.nice_classes",
                "Nice classes are whole numbers from 1 to 45, each given once.",
            )
        ]
    return []


def goods_problems(classes: list[int], goods: object) -> list[Problem]:
    """Every class names its designated goods or services; no goods outside the classes."""
    field = "details.designated_goods"
    if not isinstance(goods, dict):
        return [
            Problem(
                "INVALID_DETAILS", field, 'Give the designated goods per class: {"25": ["服装"]}.'
            )
        ]
    named = {str(c) for c in classes}
    bare = [c for c in sorted(named, key=int) if not listed_goods(goods.get(c))]
    if bare:
        return [
            Problem(
                "INVALID_DETAILS",
                field,
                f"Name the designated goods of class(es) {', '.join(bare)}.",
            )
        ]
    if set(goods) - named:
        return [
            Problem(
                "INVALID_NICE_CLASS", field, "Goods are designated only in the mark's own classes."
            )
        ]
    return []


def listed_goods(goods: object) -> bool:
    return (
        isinstance(goods, list)
        and bool(goods)
        and all(isinstance(g, str) and g.strip() for g in goods)
    )


def mark_image_problems(sub: Submission) -> list[Problem]:
    images = [d for d in sub.documents if d.get("purpose") == "mark_image"]
    if any(not str(d.get("media_type", "")).startswith("image/") for d in images):
        return [
            Problem("INVALID_DOCUMENT", "documents", "The mark image must be an image, not a PDF.")
        ]
    return []


def problems(sub: Submission, today: date) -> list[Problem]:
    """What refuses a trademark at once."""
    found = []
    if not REGISTRATION_NUMBER.match(sub.registration_number):
        found.append(
            Problem(
                "INVALID_REGISTRATION_NUMBER",
                "registration_number",
                "A trademark registration number is 4 to 10 digits.",
            )
        )
    found += sub.missing_text({"registrant": "registrant named on the registration certificate"})
    classes = sub.details.get("nice_classes")
    found += classes_problems(classes) or goods_problems(
        classes, sub.details.get("designated_goods")
    )
    if sub.valid_until is None:
        found.append(
            Problem("INVALID_DATES", "valid_until", "A trademark registration has an end: give it.")
        )
    return found + mark_image_problems(sub)


def checks(sub: Submission, today: date) -> list[Check]:
    """What the review checks of a trademark beyond documents and validity."""
    classes = sub.details.get("nice_classes") or []
    valid = isinstance(classes, list) and bool(classes) and all(is_nice_class(c) for c in classes)
    return [Check("NICE_CLASSES", valid, "Give the mark's Nice classes, each between 1 and 45.")]
