"""The reviewer queue's HTTP routes (identity's wiring): reviewers only, one task per material revision."""

from types import SimpleNamespace

import pytest

from deploy.client import resident_id
from shared.events.payloads import ComplaintFiled
from shared.kit.inbox import Delivery
from tests.unit.identity.conftest import Identity


@pytest.fixture
def identity(tmp_path) -> Identity:
    return Identity(tmp_path, review_mode="manual")


def waiting_identity(identity: Identity, phone: str, complaints: int = 1) -> tuple[str, list[str]]:
    auth = identity.with_email(phone)
    body = {"role": "holder", "holder": identity.individual(auth, resident_id(int(phone[-3:])))}
    identity_id = identity.http.post("/v1/identities", json=body, headers=auth).json()["identity_id"]
    account_id = identity.http.get("/v1/me", headers=auth).json()["account_id"]
    complaint_ids = [f"c0ffee00-0000-0000-0000-00000000000{n}" for n in range(complaints)]
    for complaint_id in complaint_ids:
        filed = ComplaintFiled(complaint_id=complaint_id, account_id=account_id, identity_id=identity_id,
                               right_id="r", right_type="trademark", infringement_type="counterfeit_goods",
                               targets=[], description="d", evidence=[], requested_action="takedown",
                               filed_at="2026-06-01T00:00:00Z")
        identity.service.handler(None, Delivery(None, SimpleNamespace(id=f"event-{complaint_id}"), filed))
    return identity_id, complaint_ids


def test_only_reviewers_see_the_queue(identity):
    holder = identity.register("13800138401")
    assert identity.http.get("/v1/reviews", headers=holder).json()["error"]["code"] == "FORBIDDEN"
    assert identity.http.get("/v1/reviews", headers=holder).status_code == 403


def test_a_reviewer_sees_one_task_per_material_revision_and_decides_it(identity):
    identity_id, complaints = waiting_identity(identity, "13800138402", complaints=2)
    reviewer = identity.token("reviewer-1", ("reviewer",))
    [task] = identity.http.get("/v1/reviews", params={"status": "pending"}, headers=reviewer).json()
    assert (task["material_id"], task["material_revision"]) == (identity_id, 1)
    assert sorted(task["complaint_ids"]) == complaints and task["checks"]

    decided = identity.http.post(f"/v1/reviews/{task['review_id']}/decision", headers=reviewer,
                                 json={"outcome": "approved", "reasons": []})

    assert decided.status_code == 200 and decided.json()["decision"]["outcome"] == "approved"
    assert identity.http.get("/v1/reviews", headers=reviewer).json() == []
    again = identity.http.post(f"/v1/reviews/{task['review_id']}/decision", headers=reviewer,
                               json={"outcome": "rejected", "reasons": [{"code": "X_Y", "message": "m"}]})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "REVIEW_ALREADY_DECIDED")


def test_a_rejection_states_its_reasons(identity):
    waiting_identity(identity, "13800138403")
    reviewer = identity.token("reviewer-1", ("reviewer",))
    [task] = identity.http.get("/v1/reviews", headers=reviewer).json()
    bare = identity.http.post(f"/v1/reviews/{task['review_id']}/decision", headers=reviewer,
                              json={"outcome": "rejected", "reasons": []})
    assert (bare.status_code, bare.json()["error"]["code"]) == (422, "REASONS_REQUIRED")


def test_deciding_an_unknown_task_is_not_found_and_holders_cannot_decide(identity):
    reviewer = identity.token("reviewer-1", ("reviewer",))
    body = {"outcome": "approved", "reasons": []}
    unknown = identity.http.post("/v1/reviews/nope/decision", headers=reviewer, json=body)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "REVIEW_NOT_FOUND")
    holder = identity.register("13800138404")
    assert identity.http.post("/v1/reviews/nope/decision", headers=holder, json=body).status_code == 403
