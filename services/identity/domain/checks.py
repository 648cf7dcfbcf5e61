"""Automatic checks of identity materials, each with a reason code a reviewer and
a user understand."""

from __future__ import annotations

from datetime import date

from services.identity.domain import authorization, documents
from services.identity.domain.model import Identity
from shared.review.domain import Check

# Both sides of a card; a passport has one photo page.
IMAGES_NEEDED = {"resident_id": 2, "hk_macau_permit": 2, "taiwan_permit": 2, "passport": 1}


def individual_checks(party: dict, who: str) -> list[Check]:
    number, kind = party["number"], party["document_type"]
    checks = [
        Check(
            "DOCUMENT_NUMBER_FORMAT",
            documents.format_ok(kind, number),
            f"The {kind} number of {who} does not have the shape of one; correct the number.",
        )
    ]
    if kind == "resident_id":
        checks += [
            Check(
                "RESIDENT_ID_CHECKSUM",
                documents.resident_id_checksum_ok(number),
                f"The resident ID number of {who} fails its GB 11643 check digit; correct "
                "the number.",
            ),
            Check(
                "RESIDENT_ID_BIRTH_DATE",
                documents.resident_id_birth_date(number) is not None,
                f"The resident ID number of {who} does not encode a real birth date.",
            ),
        ]
    needed = IMAGES_NEEDED.get(kind, 2)
    return [
        *checks,
        Check(
            "ID_CARD_IMAGES",
            len(party["documents"]) >= needed,
            f"Upload the {'both sides' if needed == 2 else 'photo page'} of the {kind} of {who}.",
        ),
    ]


def party_checks(party: dict, role: str) -> list[Check]:
    who = f"{role} {party['name']}"
    if party["kind"] == "individual":
        return individual_checks(party, who)
    return [
        Check(
            "CREDIT_CODE_CHECKSUM",
            documents.credit_code_checksum_ok(party["number"]),
            f"The unified social credit code of {who} fails its GB 32100 check; correct the code.",
        ),
        Check(
            "BUSINESS_LICENCE",
            len(party["documents"]) == 1,
            f"Upload the business licence of {who}.",
        ),
        Check(
            "LEGAL_REPRESENTATIVE",
            bool(party.get("legal_representative")),
            f"Name the legal representative of {who}.",
        ),
    ]


def authorization_checks(identity: Identity, today: date) -> list[Check]:
    """The holder's authorisation of the agent: present, with a scope and a period
    that holds today."""
    terms = identity.authorization_document
    if terms is None:
        return [
            Check(
                "AUTHORIZATION_DOCUMENT",
                False,
                "Upload the right holder's authorisation of the agent.",
            )
        ]
    start, end = terms.get("valid_from"), terms.get("valid_until")
    return [
        Check(
            "AUTHORIZATION_SCOPE",
            authorization.scope_ok(terms.get("scope") or []),
            "The authorisation must name the right types it covers (trademark, copyright, "
            "patent) or all.",
        ),
        Check(
            "AUTHORIZATION_PERIOD",
            authorization.period_ok(start, end),
            "The authorisation's validity period must start on a date and not end before "
            "it starts.",
        ),
        Check(
            "AUTHORIZATION_NOT_YET_VALID",
            authorization.has_started(start, today),
            f"The authorisation is valid only from {start}.",
        ),
        Check(
            "AUTHORIZATION_EXPIRED",
            not authorization.has_expired(end, today),
            f"The authorisation expired on {end}; upload a current one.",
        ),
    ]


def identity_checks(identity: Identity, today: date | None = None) -> list[Check]:
    """All checks of an identity's current revision."""
    checks = party_checks(identity.holder, "holder")
    if identity.role != "agent":
        return checks
    agent = identity.agent
    checks.append(
        Check("AGENT_PARTY", agent is not None, "An agent must also prove its own identity.")
    )
    if agent is not None:
        checks += party_checks(agent, "agent")
        checks.append(
            Check(
                "AGENT_IS_NOT_HOLDER",
                agent["fingerprint"] != identity.holder["fingerprint"],
                "The agent and the right holder must be different parties.",
            )
        )
    return checks + authorization_checks(identity, today or date.today())


def complaint_checks(identity: Identity, right_type: str, today: date | None = None) -> list[Check]:
    """What an identity must satisfy for one complaint: an agent's authorisation covers
    its right, today."""
    terms = identity.authorization_document
    if identity.role != "agent" or terms is None:
        return []
    today = today or date.today()
    return [
        Check(
            "AUTHORIZATION_SCOPE",
            authorization.covers(terms.get("scope") or [], right_type),
            f"The authorisation does not cover {right_type} rights.",
        ),
        Check(
            "AUTHORIZATION_EXPIRED",
            not authorization.has_expired(terms.get("valid_until"), today),
            f"The authorisation expired on {terms.get('valid_until')}; upload a current one.",
        ),
    ]
