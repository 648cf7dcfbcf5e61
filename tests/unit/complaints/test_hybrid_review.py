"""Hybrid review: complainants with a good record are approved automatically;
everyone else waits."""

import pytest

from deploy.client import resident_id
from services.complaints.domain.track_record import is_trusted
from tests.unit.platform import Platform


@pytest.mark.parametrize(
    ("record", "trusted"),
    [
        ([True] * 20, True),
        ([True] * 18 + [False] * 2, True),
        ([True] * 17 + [False] * 3, False),
        ([True] * 19, False),  # no record of 20 decided complaints yet
        ([False] * 3 + [True] * 20, False),  # only the latest 20 count
    ],
)
def test_a_complainant_is_trusted_when_the_last_20_verdicts_were_at_least_90_percent_upheld(
    record, trusted
):
    assert is_trusted(record) is trusted


def test_in_hybrid_mode_a_newcomer_waits_and_a_trusted_complainant_is_approved_automatically(
    tmp_path,
):
    platform = Platform(tmp_path, mode="hybrid")
    account, identity = platform.holder("13800139101", resident_id(201))
    right = platform.trademark(account, identity)
    first = platform.complain(account, right)
    platform.pump()
    platform.reviewers_approve(first, "identity", "rights", "complaints")
    for n in range(19):
        complaint = platform.complain(account, right, (f"https://kuaishou.com/item/{2000000 + n}",))
        platform.pump()
        platform.reviewers_approve(
            complaint, "complaints"
        )  # identity and right approvals are reused

    trusted = platform.complain(account, right, ("https://kuaishou.com/item/3000000",))
    platform.pump()

    verdict = platform.decision(trusted, "complaint")
    assert (verdict["outcome"], verdict["decided_by"]["kind"]) == ("approved", "auto")
    assert platform.review_tasks("complaints") == []
    failing = platform.complain(
        account, right, ("https://kuaishou.com/item/3000001",), description="短"
    )
    platform.pump()
    assert platform.decision(failing, "complaint")["outcome"] == "rejected"  # checks still reject


def test_in_auto_mode_every_verdict_says_it_was_automated_and_how_to_seek_redress(tmp_path):
    platform = Platform(tmp_path, mode="auto")
    account, identity = platform.holder("13800139102", resident_id(202))
    complaint = platform.complain(account, platform.trademark(account, identity), description="短")
    platform.pump()
    verdict = platform.decision(complaint, "complaint")
    assert [r["code"] for r in verdict["reasons"]] == ["DESCRIPTION", "STATEMENT_OF_REASONS"]
    statement = platform.app("complaints").complaint(account, complaint).statement
    assert statement["automated"] is True and statement["decided_by"] == {
        "kind": "auto",
        "reviewer_id": None,
    }
    assert "DESCRIPTION" in statement["ground"] and "courts" in statement["redress"]
