"""A reviewer never decides their own right (the rights service's material; identities:
test_reviewer_routes.py, complaints: tests/unit/complaints/test_reviews_api.py)."""

from __future__ import annotations

from tests.unit.rights.test_reviews import ACCOUNT, Rights

APPROVE = {"outcome": "approved", "reasons": []}


def test_a_reviewer_who_holds_the_right_cannot_claim_or_approve_it(tmp_path):
    rights = Rights(tmp_path, "manual")
    right_id = rights.register()
    rights.complain(right_id, 1)
    own, other = rights.token(ACCOUNT, ("holder", "reviewer")), rights.token("reviewer-2")
    [task] = rights.http.get("/v1/reviews", headers=other).json()

    assert rights.http.get("/v1/reviews", headers=own).json() == []
    for attempt in (
        rights.http.post(f"/v1/reviews/{task['review_id']}/claim", headers=own),
        rights.http.post(f"/v1/reviews/{task['review_id']}/decision", headers=own, json=APPROVE),
    ):
        assert (attempt.status_code, attempt.json()["error"]["code"]) == (409, "REVIEWER_CONFLICT")
    assert rights.status(right_id) == "under_review" and rights.decisions() == []

    decided = rights.http.post(
        f"/v1/reviews/{task['review_id']}/decision", headers=other, json=APPROVE
    )
    assert decided.status_code == 200 and rights.status(right_id) == "approved"
