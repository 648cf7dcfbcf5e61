"""The catalogue of reason codes a human reviewer decides with, per material type.

A reviewer's reasons come from this catalogue or from the automatic checks of the task being decided
(their codes, e.g. RESIDENT_ID_CHECKSUM); each carries free text too, the statement the complainant sees.
"""

from __future__ import annotations

from shared.review.errors import UnknownReasonCode

CATALOGUE: dict[str, dict[str, str]] = {
    "identity": {
        "ID_CARD_ILLEGIBLE": "The ID document images cannot be read.",
        "BUSINESS_LICENCE_ILLEGIBLE": "The business licence image cannot be read.",
        "NAME_MISMATCH": "The name does not match the document.",
        "DOCUMENT_NUMBER_MISMATCH": "The document number does not match the document images.",
        "DOCUMENT_FORGED": "The document appears altered or forged.",
        "AUTHORIZATION_INSUFFICIENT": "The authorisation does not establish the agent's authority.",
        "OTHER": "Another reason, stated in the message.",
    },
    # a dispute of a document number another account holds (identity): `approved` upholds it, `rejected` dismisses it
    "identity_dispute": {
        "OWNERSHIP_SHOWN": "The evidence shows the document number is the disputer's.",
        "EVIDENCE_INSUFFICIENT": "The evidence does not show that the document number is the disputer's.",
        "EVIDENCE_ILLEGIBLE": "The evidence cannot be read.",
        "HOLDER_VERIFIED": "The current holder's identity is the document's owner.",
        "DOCUMENT_FORGED": "The evidence appears altered or forged.",
        "OTHER": "Another reason, stated in the message.",
    },
    "right": {
        "CERTIFICATE_ILLEGIBLE": "The certificate cannot be read.",
        "HOLDER_MISMATCH": "The right holder does not match the identity.",
        "REGISTRATION_NOT_FOUND": "The registration cannot be found in the official register.",
        "RIGHT_NOT_IN_FORCE": "The right is not in force (lapsed, invalidated or expired).",
        "SCOPE_MISMATCH": "The registered scope (classes, goods, kind) does not cover what is claimed.",
        "DOCUMENT_FORGED": "The document appears altered or forged.",
        "DOCUMENT_MISSING": "A required document is missing.",
        "OTHER": "Another reason, stated in the message.",
    },
    "complaint": {
        "NO_INFRINGEMENT_SHOWN": "The evidence does not show an infringement of the right.",
        "EVIDENCE_INSUFFICIENT": "The evidence is insufficient or unreadable.",
        "TARGET_MISMATCH": "The listings do not match the complaint.",
        "OTHER": "Another reason, stated in the message.",
    },
}


def catalogue(material_types: tuple[str, ...] | None = None) -> dict[str, list[dict]]:
    """{material_type: [{code, description}]} for the given material types (all by default)."""
    return {kind: [{"code": code, "description": text} for code, text in CATALOGUE[kind].items()]
            for kind in (material_types or tuple(CATALOGUE))}


def check_reasons(material_type: str, reasons: list[dict], check_codes: set[str]) -> None:
    """422 UNKNOWN_REASON_CODE unless every reason's code is catalogued for the material or a check's code."""
    known = set(CATALOGUE.get(material_type, {})) | check_codes
    unknown = sorted({r["code"] for r in reasons} - known)
    if unknown:
        raise UnknownReasonCode(
            "Use a code of the reason catalogue (GET /v1/reviews/reason-codes) or of the task's checks.",
            {"unknown": unknown, "allowed": sorted(known)})
