"""The statement of reasons every verdict carries, and what each target's status is."""

from __future__ import annotations

from shared.review.domain import APPROVED

STATEMENT_CODE = "STATEMENT_OF_REASONS"
REDRESS = (
    "If you disagree, you may file the complaint again with corrected or further materials (a "
    "rejected identity or right can be corrected and resubmitted first), ask the platform to "
    're-examine the decision by replying through "My complaints", or seek redress through an '
    "administrative complaint or the courts, as the law provides."
)
TARGET_STATUS = {
    "submitted": "pending",
    "under_review": "pending",
    "upheld": "takedown_ordered",
    "rejected": "not_actioned",
    "withdrawn": "withdrawn",
}
TARGET_ACTION = {"upheld": "takedown", "rejected": "none"}


def ground(outcome: str, reasons: list[dict]) -> str:
    """The ground of the verdict in one sentence."""
    if outcome == APPROVED:
        return (
            "The complaint is upheld: the identity and the right were verified and the complaint "
            "materials show an infringement of the right, so the listings are to be taken down."
        )
    codes = ", ".join(dict.fromkeys(r["code"] for r in reasons)) or "see the reviewer's note"
    return f"The complaint is rejected on these grounds: {codes}."


def statement_of_reasons(
    outcome: str, reasons: list[dict], reviewer_id: str | None, decided_at: str
) -> dict:
    """Ground, whether the decision was automated, the reasons, and how to seek redress."""
    automated = reviewer_id is None
    return {
        "outcome": outcome,
        "ground": ground(outcome, reasons),
        "automated": automated,
        "decided_by": {"kind": "auto" if automated else "reviewer", "reviewer_id": reviewer_id},
        "reasons": reasons,
        "redress": REDRESS,
        "decided_at": decided_at,
    }


def as_reason(statement: dict) -> dict:
    """The statement as one reason of the public ReviewDecided, so takedown systems
    and emails carry it."""
    how = (
        "This decision was made automatically by the platform's checks."
        if statement["automated"]
        else "This decision was made by a human reviewer."
    )
    return {
        "code": STATEMENT_CODE,
        "message": f"{statement['ground']} {how} {statement['redress']}",
    }


def targets_with_status(targets: list[dict], complaint_status: str) -> list[dict]:
    """Each target with its action (takedown | none | null while undecided) and status."""
    action = TARGET_ACTION.get(complaint_status)
    status = TARGET_STATUS.get(complaint_status, "pending")
    return [{**t, "action": action, "status": status} for t in targets]
