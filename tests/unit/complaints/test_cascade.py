"""The review cascade's semantics, with the real applications and inbox on an in-memory bus."""

import pytest

from deploy.client import resident_id
from tests.unit.platform import Platform


@pytest.fixture
def platform(tmp_path):
    return Platform(tmp_path)


def test_a_filed_complaint_yields_one_decision_per_material_then_the_verdict(platform):
    account, identity = platform.holder("13800138001", resident_id(1))
    right = platform.trademark(account, identity)
    complaint = platform.complain(account, right)
    platform.pump()
    decisions = platform.decisions(complaint)
    assert sorted(d.data["material_type"] for d in decisions) == ["complaint", "identity", "right"]
    assert decisions[-1].data["material_type"] == "complaint"
    verdict = decisions[-1].data
    assert verdict["outcome"] == "approved"
    assert verdict["verdict"]["targets"][0]["action"] == "takedown"
    assert platform.app("complaints").complaint(account, complaint).status == "upheld"


def test_an_invalid_id_checksum_rejects_the_complaint_and_says_what_to_fix(platform):
    account, identity = platform.holder("13800138002", resident_id(2, valid=False))
    complaint = platform.complain(account, platform.trademark(account, identity))
    platform.pump()
    verdict = platform.decisions(complaint)[-1].data
    assert verdict["outcome"] == "rejected"
    codes = [r["code"] for r in verdict["reasons"]]
    assert "IDENTITY_REJECTED" in codes and "RESIDENT_ID_CHECKSUM" in codes
    assert all(t["action"] == "none" for t in verdict["verdict"]["targets"])
    assert platform.app("identity").identity(account, identity).status == "rejected"


def test_an_approved_identity_and_right_are_reused_by_the_next_complaint(platform):
    account, identity = platform.holder("13800138003", resident_id(3))
    right = platform.trademark(account, identity)
    first = platform.complain(account, right)
    platform.pump()
    second = platform.complain(account, right, ("https://kuaishou.com/item/7654321",))
    platform.pump()
    reused = {
        d.data["material_type"]: d.data["reused_decision_id"] for d in platform.decisions(second)
    }
    earlier = {d.data["material_type"]: d.data["review_id"] for d in platform.decisions(first)}
    assert reused["identity"] == earlier["identity"] and reused["right"] == earlier["right"]
    assert platform.app("complaints").complaint(account, second).status == "upheld"


def test_a_second_delivery_of_every_event_has_no_second_effect(platform):
    account, identity = platform.holder("13800138004", resident_id(4))
    complaint = platform.complain(account, platform.trademark(account, identity))
    platform.pump(deliver_twice=True)
    assert len(platform.decisions(complaint)) == 3


def test_a_rejected_identity_can_be_resubmitted_and_then_backs_an_upheld_complaint(platform):
    account, identity = platform.holder("13800138005", resident_id(5, valid=False))
    right = platform.trademark(account, identity)
    platform.complain(account, right)
    platform.pump()
    app = platform.app("identity")
    fixed = app.party(
        "individual", "张三", "resident_id", resident_id(5), [{"purpose": "a"}, {"purpose": "b"}]
    )
    app.resubmit_identity(account, identity, "holder", fixed, None, None)
    complaint = platform.complain(account, right, ("https://kuaishou.com/item/2345678",))
    platform.pump()
    assert platform.app("complaints").complaint(account, complaint).status == "upheld"
    assert app.identity(account, identity).revision == 2


def test_a_withdrawn_complaint_gets_no_verdict(platform):
    account, identity = platform.holder("13800138006", resident_id(6))
    right = platform.trademark(account, identity)
    complaint = platform.complain(account, right)
    platform.app("complaints").withdraw(account, complaint)
    platform.pump()
    assert [d.data["material_type"] for d in platform.decisions(complaint)].count("complaint") == 0
    assert platform.app("complaints").complaint(account, complaint).status == "withdrawn"


def test_an_expired_right_cannot_back_a_new_complaint(platform):
    account, identity = platform.holder("13800138007", resident_id(7))
    right = platform.trademark(account, identity, valid_until="2021-01-01")
    with pytest.raises(Exception) as refused:
        platform.complain(account, right)
    assert refused.value.code == "RIGHT_NOT_USABLE"


def test_the_same_id_number_cannot_be_registered_twice(platform):
    platform.holder("13800138008", resident_id(8))
    with pytest.raises(Exception) as refused:
        platform.holder("13800138009", resident_id(8))
    assert refused.value.code == "DOCUMENT_ALREADY_REGISTERED"


def test_no_raw_id_or_phone_number_is_in_any_public_event(platform):
    account, identity = platform.holder("13800138010", resident_id(10))
    platform.complain(account, platform.trademark(account, identity))
    platform.pump()
    raw = "".join(e.model_dump_json() for _, e in platform.published)
    assert resident_id(10) not in raw and "13800138010" not in raw
    assert '"document_number_masked":"110' in raw


def test_in_manual_mode_a_valid_identity_waits_for_a_reviewer(tmp_path):
    platform = Platform(tmp_path, mode="manual")
    account, identity = platform.holder("13800138011", resident_id(11))
    complaint = platform.complain(account, platform.trademark(account, identity))
    platform.pump()
    [task] = platform.review_tasks("identity")
    assert (task["material_id"], task["complaint_ids"]) == (identity, [complaint])
    assert "identity" not in [d.data["material_type"] for d in platform.decisions(complaint)]
    assert platform.app("identity").identity(account, identity).status == "under_review"


def test_in_manual_mode_the_checks_still_reject_what_is_plainly_invalid(tmp_path):
    platform = Platform(tmp_path, mode="manual")
    account, identity = platform.holder("13800138012", resident_id(12, valid=False))
    complaint = platform.complain(account, platform.trademark(account, identity))
    platform.pump()
    assert platform.review_tasks("identity") == []
    [decision] = [
        d.data for d in platform.decisions(complaint) if d.data["material_type"] == "identity"
    ]
    assert decision["outcome"] == "rejected" and decision["decided_by"]["kind"] == "auto"


def test_one_reviewer_decision_serves_every_complaint_waiting_on_the_identity(tmp_path):
    platform = Platform(tmp_path, mode="manual")
    account, identity = platform.holder("13800138013", resident_id(13))
    right = platform.trademark(account, identity)
    first = platform.complain(account, right)
    second = platform.complain(account, right, ("https://kuaishou.com/item/7654321",))
    platform.pump()
    [task] = platform.review_tasks("identity")
    assert sorted(task["complaint_ids"]) == sorted([first, second])

    platform.reviewer_decides("identity", task["review_id"], "approved")

    for complaint in (first, second):
        [decision] = [
            d.data for d in platform.decisions(complaint) if d.data["material_type"] == "identity"
        ]
        assert decision["outcome"] == "approved"
        assert decision["decided_by"] == {"kind": "reviewer", "reviewer_id": "reviewer-1"}
    assert platform.review_tasks("identity") == []
    assert platform.app("identity").identity(account, identity).status == "approved"


def test_a_reviewers_decision_is_reused_by_later_complaints(tmp_path):
    platform = Platform(tmp_path, mode="manual")
    account, identity = platform.holder("13800138014", resident_id(14))
    right = platform.trademark(account, identity)
    platform.complain(account, right)
    platform.pump()
    [task] = platform.review_tasks("identity")
    reasons = [{"code": "ID_CARD_ILLEGIBLE", "message": "The ID card images cannot be read."}]
    platform.reviewer_decides("identity", task["review_id"], "rejected", reasons)
    later = platform.complain(account, right, ("https://kuaishou.com/item/2345678",))
    platform.pump()
    [decision] = [
        d.data for d in platform.decisions(later) if d.data["material_type"] == "identity"
    ]
    assert (decision["outcome"], decision["reasons"]) == ("rejected", reasons)
    assert decision["reused_decision_id"] is not None
    assert platform.review_tasks("identity") == []
