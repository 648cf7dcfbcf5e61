"""Which documents a right needs: the evidence a reviewer weighs, plus what describes the right.

A requirement is a tuple of purposes, any one of which satisfies it. The party named on the
certificate (registrant, owner, patentee) may differ from the holder asserting the right only with a
transfer certificate or a licence contract.
"""

from __future__ import annotations

from services.rights.domain.submission import Submission, same_party

Requirement = tuple[str, ...]
TRANSFER_OR_LICENCE: Requirement = ("transfer_certificate", "licence_contract")
NAMED_PARTY = {"trademark": "registrant", "copyright": "owner", "patent": "patentee"}
RELIEF_KINDS = (
    "utility_model",
    "design",
)  # granted without substantive examination: an evaluation report


def named_party_differs(sub: Submission) -> bool:
    """The certificate names someone other than the holder (a missing name is the holder's)."""
    named = sub.text(NAMED_PARTY[sub.right_type])
    return bool(named) and bool(sub.holder_name) and not same_party(named, sub.holder_name)


def type_evidence(sub: Submission) -> list[Requirement]:
    if sub.right_type == "trademark":
        return [("registration_certificate",)]
    if sub.right_type == "copyright":
        return [
            ("registration_certificate",) if sub.registration_number else ("proof_of_authorship",)
        ]
    needed = [("patent_certificate",), ("annual_fee_receipt",)]
    return needed + ([("evaluation_report",)] if sub.text("patent_kind") in RELIEF_KINDS else [])


def evidence(sub: Submission) -> list[Requirement]:
    """The documents the review requires of this right."""
    return type_evidence(sub) + ([TRANSFER_OR_LICENCE] if named_party_differs(sub) else [])


def required(sub: Submission) -> list[Requirement]:
    """The documents a submission must carry: the evidence, and a trademark's image of the mark."""
    return evidence(sub) + ([("mark_image",)] if sub.right_type == "trademark" else [])


def missing(sub: Submission, requirements: list[Requirement]) -> list[str]:
    """Each unmet requirement, as "a or b"."""
    have = sub.purposes
    return [" or ".join(r) for r in requirements if not have.intersection(r)]


def default_purpose(right_type: str, registration_number: str) -> str:
    """The purpose of a document given as a bare blob id: the type's main certificate."""
    if right_type == "copyright":
        return "registration_certificate" if registration_number.strip() else "proof_of_authorship"
    return {"trademark": "registration_certificate", "patent": "patent_certificate"}[right_type]
