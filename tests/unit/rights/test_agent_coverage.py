"""An agent's complaint: the authorisation must cover the right's type and hold on the day;
identity checks that per complaint, and the right's own review neither repeats nor overrides it
(both must approve)."""

import pytest

from deploy.client import resident_id
from tests.unit.platform import DOC, Platform


@pytest.fixture
def platform(tmp_path) -> Platform:
    return Platform(tmp_path)


def agent_for(
    platform: Platform, phone: str, n: int, scope: list[str], valid_until: str
) -> tuple[str, str]:
    """An agent account acting for 张三 under an authorisation of `scope` until `valid_until`."""
    app = platform.app("identity")
    account_id = app.register(phone, "correct horse battery", "000000")
    app.bind_email(account_id, f"agent-{n}@example.com", "000000")
    holder = app.party("individual", "张三", "resident_id", resident_id(n), [DOC, DOC])
    agent = app.party("individual", "李四", "resident_id", resident_id(n + 1), [DOC, DOC])
    terms = {
        **DOC,
        "purpose": "authorization",
        "scope": scope,
        "valid_from": "2020-01-01",
        "valid_until": valid_until,
    }
    return account_id, app.submit_identity(account_id, "agent", holder, agent, terms)


def outcomes(platform: Platform, complaint_id: str) -> dict[str, tuple[str, list[str]]]:
    return {
        e.data["material_type"]: (e.data["outcome"], [r["code"] for r in e.data["reasons"]])
        for e in platform.decisions(complaint_id)
    }


def test_an_agent_authorised_for_trademarks_complains_with_a_trademark(platform):
    account, identity = agent_for(platform, "13800139001", 501, ["trademark"], "2034-12-31")
    complaint = platform.complain(account, platform.trademark(account, identity))
    platform.pump()
    assert outcomes(platform, complaint)["identity"] == ("approved", [])
    assert outcomes(platform, complaint)["complaint"][0] == "approved"


def test_an_authorisation_that_does_not_cover_the_right_rejects_the_complaint_not_the_right(
    platform,
):
    account, identity = agent_for(platform, "13800139002", 511, ["copyright"], "2034-12-31")
    right_id = platform.trademark(account, identity)
    complaint = platform.complain(account, right_id)
    platform.pump()
    decided = outcomes(platform, complaint)
    assert decided["identity"] == ("rejected", ["AUTHORIZATION_SCOPE"])
    assert decided["right"] == ("approved", []), (
        "the right itself is sound: its review does not judge the agent"
    )
    assert decided["complaint"][0] == "rejected"
    assert platform.app("rights").right(account, right_id).status == "approved"


def test_an_authorisation_that_has_ended_rejects_the_complaint_not_the_right(platform):
    account, identity = agent_for(platform, "13800139003", 521, ["all"], "2025-01-01")
    complaint = platform.complain(account, platform.trademark(account, identity))
    platform.pump()
    decided = outcomes(platform, complaint)
    assert (
        decided["identity"][0] == "rejected" and "AUTHORIZATION_EXPIRED" in decided["identity"][1]
    )
    assert decided["right"] == ("approved", [])
    assert decided["complaint"][0] == "rejected"
