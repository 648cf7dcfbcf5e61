"""The catalogue of reason codes a human reviewer decides with, per material type
(shared/events/vocabulary.py).

A reviewer's reasons come from this catalogue or from the automatic checks of the task being
decided (their codes, e.g. RESIDENT_ID_CHECKSUM); each carries free text too, the statement
the complainant sees.
"""

from __future__ import annotations

from shared.events.vocabulary import REVIEWER_REASONS
from shared.review.errors import UnknownReasonCode


def catalogue(material_types: tuple[str, ...] | None = None) -> dict[str, list[dict]]:
    """{material_type: [{code, description}]} for the given material types (all by default)."""
    return {
        kind: [{"code": code, "description": text} for code, text in REVIEWER_REASONS[kind].items()]
        for kind in (material_types or tuple(REVIEWER_REASONS))
    }


def check_reasons(material_type: str, reasons: list[dict], check_codes: set[str]) -> None:
    """422 UNKNOWN_REASON_CODE unless every reason's code is catalogued for the material
    or a check's code."""
    known = set(REVIEWER_REASONS.get(material_type, {})) | check_codes
    unknown = sorted({r["code"] for r in reasons} - known)
    if unknown:
        raise UnknownReasonCode(
            "Use a code of the reason catalogue (GET /v1/reviews/reason-codes) or of the "
            "task's checks.",
            {"unknown": unknown, "allowed": sorted(known)},
        )
