"""Automatic checks of identity materials, each with a reason code a reviewer and a user understand."""

from __future__ import annotations

from services.identity.domain import documents
from services.identity.domain.model import Identity
from shared.review.domain import Check


def party_checks(party: dict, role: str) -> list[Check]:
    who = f"{role} {party['name']}"
    if party["kind"] == "individual":
        number = party["number"]
        return [
            Check("RESIDENT_ID_CHECKSUM", documents.resident_id_checksum_ok(number),
                  f"The resident ID number of {who} fails its GB 11643 check digit; correct the number."),
            Check("RESIDENT_ID_BIRTH_DATE", documents.resident_id_birth_date(number) is not None,
                  f"The resident ID number of {who} does not encode a real birth date."),
            Check("ID_CARD_IMAGES", len(party["documents"]) == 2,
                  f"Upload both sides of the ID card of {who}."),
        ]
    return [
        Check("CREDIT_CODE_CHECKSUM", documents.credit_code_checksum_ok(party["number"]),
              f"The unified social credit code of {who} fails its GB 32100 check; correct the code."),
        Check("BUSINESS_LICENCE", len(party["documents"]) == 1,
              f"Upload the business licence of {who}."),
    ]


def identity_checks(identity: Identity) -> list[Check]:
    """All checks of an identity's current revision."""
    checks = party_checks(identity.holder, "holder")
    if identity.role == "agent":
        checks += party_checks(identity.agent or {}, "agent") if identity.agent else []
        checks.append(Check("AGENT_PARTY", identity.agent is not None, "An agent must also prove its own identity."))
        checks.append(Check("AUTHORIZATION_DOCUMENT", identity.authorization_document is not None,
                            "Upload the right holder's authorisation of the agent."))
    return checks
