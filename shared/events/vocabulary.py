"""The contract's enumerations, once: every user (services, the portal, the schemas)
imports them from here.

CONTRACT.md gives the same lists; the JSON Schemas of the events are generated from the
payloads that use them.
"""

from __future__ import annotations

from typing import Literal, get_args

RightType = Literal["trademark", "copyright", "patent"]
RIGHT_TYPES: tuple[str, ...] = get_args(RightType)

# what a complaint may say was done, per type of right infringed
INFRINGEMENT_TYPES: dict[str, tuple[str, ...]] = {
    "trademark": ("counterfeit_goods", "unauthorised_mark_use"),
    "copyright": ("copied_images", "copied_video", "copied_text", "pirated_software"),
    "patent": ("patent_infringement", "design_copy"),
}

# the kinds of work of the Copyright Law of the PRC, art. 3
WORK_TYPES: tuple[str, ...] = (
    "text",
    "oral",
    "music",
    "drama",
    "quyi",
    "dance",
    "acrobatics",
    "fine_art",
    "architecture",
    "photography",
    "audiovisual",
    "graphic",
    "model",
    "software",
    "other",
)

PatentKind = Literal["invention", "utility_model", "design"]
PATENT_KINDS: tuple[str, ...] = get_args(PatentKind)

# the reason codes a human reviewer decides with, per material type (besides the codes of the
# material's own automatic checks, e.g. RESIDENT_ID_CHECKSUM); each reason carries free text too,
# the statement people read
REVIEWER_REASONS: dict[str, dict[str, str]] = {
    "identity": {
        "ID_CARD_ILLEGIBLE": "The ID document images cannot be read.",
        "BUSINESS_LICENCE_ILLEGIBLE": "The business licence image cannot be read.",
        "NAME_MISMATCH": "The name does not match the document.",
        "DOCUMENT_NUMBER_MISMATCH": "The document number does not match the document images.",
        "DOCUMENT_FORGED": "The document appears altered or forged.",
        "AUTHORIZATION_INSUFFICIENT": "The authorisation does not establish the agent's authority.",
        "OTHER": "Another reason, stated in the message.",
    },
    # a dispute of a document number another account holds (identity): `approved` upholds it,
    # `rejected` dismisses it
    "identity_dispute": {
        "OWNERSHIP_SHOWN": "The evidence shows the document number is the disputer's.",
        "EVIDENCE_INSUFFICIENT": (
            "The evidence does not show that the document number is the disputer's."
        ),
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
        "SCOPE_MISMATCH": (
            "The registered scope (classes, goods, kind) does not cover what is claimed."
        ),
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
