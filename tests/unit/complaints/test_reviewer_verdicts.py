"""Manual and hybrid review of the complaint materials: the reviewer's decision is the verdict."""

import pytest

from deploy.client import resident_id
from services.complaints.entrypoints.http import view
from shared.kit.errors import ServiceError
from shared.kit.http import status_of
from tests.unit.platform import Platform

OTHER = [{"code": "EVIDENCE_INSUFFICIENT", "message": "The screenshots do not show the mark."}]


@pytest.fixture
def manual(tmp_path):
    return Platform(tmp_path, mode="manual")


def filed(platform, phone: str, serial: int, valid_id: bool = True) -> tuple[str, str, str]:
    """(account, right, complaint) with the complaint filed and every event pumped."""
    account, identity = platform.holder(phone, resident_id(serial, valid=valid_id))
    right = platform.trademark(account, identity)
    complaint = platform.complain(account, right)
    platform.pump()
    return account, right, complaint


def test_once_identity_and_right_are_approved_the_complaint_waits_for_a_reviewer(manual):
    account, _, complaint = filed(manual, "13800139001", 101)
    assert manual.review_tasks("complaints") == []  # identity and right come first
    manual.reviewers_approve(complaint, "identity", "rights")
    task = manual.task_for("complaints", complaint)
    assert (task["material_type"], task["material_id"], task["overdue"]) == (
        "complaint",
        complaint,
        False,
    )
    assert {c["code"] for c in task["checks"]} == {
        "TARGETS_ON_MARKETPLACE",
        "INFRINGEMENT_TYPE",
        "DESCRIPTION",
    }
    app = manual.app("complaints")
    assert app.complaint(account, complaint).status == "under_review"
    assert "AwaitingReviewer" in [
        s["step"] for s in app.timeline(app.complaint(account, complaint))
    ]


def test_a_reviewers_approval_is_the_verdict_with_a_statement_of_reasons(manual):
    account, _, complaint = filed(manual, "13800139002", 102)
    manual.reviewers_approve(complaint, "identity", "rights", "complaints")
    verdict = manual.decision(complaint, "complaint")
    assert verdict["outcome"] == "approved"
    assert verdict["decided_by"] == {"kind": "reviewer", "reviewer_id": "reviewer-1"}
    assert [t["action"] for t in verdict["verdict"]["targets"]] == ["takedown"]
    assert verdict["reasons"][-1]["code"] == "STATEMENT_OF_REASONS"
    assert "human reviewer" in verdict["reasons"][-1]["message"]
    detail = view(manual.app("complaints"), manual.app("complaints").complaint(account, complaint))
    assert detail["status"] == "upheld" and detail["statement"]["automated"] is False
    assert detail["statement"]["redress"] and detail["statement"]["ground"].startswith(
        "The complaint is upheld"
    )
    assert detail["targets"][0]["status"] == "takedown_ordered"
    assert manual.review_tasks("complaints") == []


def test_a_reviewers_rejection_states_its_catalogue_reasons_and_takes_nothing_down(manual):
    account, _, complaint = filed(manual, "13800139003", 103)
    manual.reviewers_approve(complaint, "identity", "rights")
    manual.reviewer_decides(
        "complaints", manual.task_for("complaints", complaint)["review_id"], "rejected", OTHER
    )
    verdict = manual.decision(complaint, "complaint")
    assert verdict["outcome"] == "rejected" and verdict["reasons"][0] == OTHER[0]
    assert [t["action"] for t in verdict["verdict"]["targets"]] == ["none"]
    statement = manual.app("complaints").complaint(account, complaint).statement
    assert statement["reasons"] == OTHER and "EVIDENCE_INSUFFICIENT" in statement["ground"]


def test_in_manual_mode_an_identity_rejected_by_its_checks_rejects_the_complaint_without_a_reviewer(
    manual,
):
    _, _, complaint = filed(manual, "13800139004", 104, valid_id=False)
    manual.reviewers_approve(complaint, "rights")
    verdict = manual.decision(complaint, "complaint")
    assert verdict["outcome"] == "rejected" and verdict["decided_by"]["kind"] == "auto"
    assert "IDENTITY_REJECTED" in [r["code"] for r in verdict["reasons"]]
    assert manual.review_tasks("complaints") == []


def test_a_right_rejected_by_its_reviewer_rejects_the_complaint_and_names_the_right(manual):
    _, _, complaint = filed(manual, "13800139005", 105)
    manual.reviewers_approve(complaint, "identity")
    reasons = [{"code": "REGISTRATION_NOT_FOUND", "message": "No such registration."}]
    manual.reviewer_decides(
        "rights", manual.task_for("rights", complaint)["review_id"], "rejected", reasons
    )
    verdict = manual.decision(complaint, "complaint")
    codes = [r["code"] for r in verdict["reasons"]]
    assert verdict["outcome"] == "rejected" and codes[:2] == [
        "RIGHT_REJECTED",
        "REGISTRATION_NOT_FOUND",
    ]
    assert manual.review_tasks("complaints") == []


def test_every_material_is_decided_exactly_once_even_when_events_arrive_twice(manual):
    account, identity = manual.holder("13800139006", resident_id(106))
    complaint = manual.complain(account, manual.trademark(account, identity))
    manual.pump(deliver_twice=True)
    for service in ("identity", "rights", "complaints"):
        manual.reviewer_decides(
            service, manual.task_for(service, complaint)["review_id"], "approved"
        )
        manual.pump(deliver_twice=True)
    assert sorted(d.data["material_type"] for d in manual.decisions(complaint)) == [
        "complaint",
        "identity",
        "right",
    ]


def test_withdrawing_a_complaint_closes_its_review_task(manual):
    account, _, complaint = filed(manual, "13800139007", 107)
    manual.reviewers_approve(complaint, "identity", "rights")
    task = manual.task_for("complaints", complaint)
    manual.app("complaints").withdraw(account, complaint)
    assert manual.review_tasks("complaints") == []
    with pytest.raises(ServiceError) as refused:
        manual.reviewer_decides("complaints", task["review_id"], "approved")
    assert refused.value.code == "COMPLAINT_WITHDRAWN"
    assert [d.data["material_type"] for d in manual.decisions(complaint)].count("complaint") == 0


def test_a_withdrawal_between_the_identity_and_the_right_decision_leaves_no_verdict(manual):
    account, _, complaint = filed(manual, "13800139008", 108)
    manual.reviewers_approve(complaint, "identity")
    manual.app("complaints").withdraw(account, complaint)
    manual.reviewers_approve(complaint, "rights")
    assert manual.review_tasks("complaints") == []
    assert sorted(d.data["material_type"] for d in manual.decisions(complaint)) == [
        "identity",
        "right",
    ]
    assert manual.app("complaints").complaint(account, complaint).status == "withdrawn"


def test_a_withdrawal_racing_the_reviewers_verdict_loses_with_a_conflict(manual):
    account, _, complaint = filed(manual, "13800139009", 109)
    manual.reviewers_approve(complaint, "identity", "rights")
    app = manual.app("complaints")
    stale = app.complaint(
        account, complaint
    )  # the withdrawal read the complaint before the verdict landed
    manual.reviewers_approve(complaint, "complaints")
    stale.withdraw()
    with pytest.raises(ServiceError) as refused:
        app.save_or_conflict(stale)
    assert (status_of(refused.value), refused.value.code) == (409, "COMPLAINT_CHANGED")
    assert app.complaint(account, complaint).status == "upheld"
    with pytest.raises(ServiceError) as late:
        app.withdraw(account, complaint)
    assert late.value.code == "COMPLAINT_DECIDED"


def test_a_review_pending_past_the_deadline_is_flagged_overdue_and_counted(manual):
    _, _, complaint = filed(manual, "13800139010", 110)
    manual.reviewers_approve(complaint, "identity", "rights")
    queue = manual.app("complaints").review_queue
    queue.clock = lambda: manual.app("complaints").clock() + queue.deadline_seconds + 60
    assert manual.task_for("complaints", complaint)["overdue"] is True
    assert queue.overdue_count("complaint") == 1
