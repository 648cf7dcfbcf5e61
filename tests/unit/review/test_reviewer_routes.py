"""The reviewer queue's HTTP routes (identity's wiring): reviewers only, one task per
material revision."""

from datetime import datetime, timedelta
from types import SimpleNamespace
from uuid import UUID

import pytest

from deploy.client import resident_id
from shared.events.payloads import ComplaintFiled
from shared.kit.inbox import Delivery
from shared.review.domain import Review
from tests.unit.identity.conftest import Identity


@pytest.fixture
def identity(tmp_path) -> Identity:
    return Identity(tmp_path, review_mode="manual")


def waiting_identity(identity: Identity, phone: str, complaints: int = 1) -> tuple[str, list[str]]:
    auth = identity.with_email(phone)
    body = {"role": "holder", "holder": identity.individual(auth, resident_id(int(phone[-3:])))}
    identity_id = identity.http.post("/v1/identities", json=body, headers=auth).json()[
        "identity_id"
    ]
    account_id = identity.http.get("/v1/me", headers=auth).json()["account_id"]
    complaint_ids = [f"c0ffee00-0000-0000-{phone[-4:]}-00000000000{n}" for n in range(complaints)]
    for complaint_id in complaint_ids:
        filed = ComplaintFiled(
            complaint_id=complaint_id,
            account_id=account_id,
            identity_id=identity_id,
            right_id="r",
            right_type="trademark",
            infringement_type="counterfeit_goods",
            targets=[],
            description="d",
            evidence=[],
            requested_action="takedown",
            filed_at="2026-06-01T00:00:00Z",
        )
        identity.service.handler(
            None, Delivery(None, SimpleNamespace(id=f"event-{complaint_id}"), filed)
        )
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

    decided = identity.http.post(
        f"/v1/reviews/{task['review_id']}/decision",
        headers=reviewer,
        json={"outcome": "approved", "reasons": []},
    )

    assert decided.status_code == 200 and decided.json()["decision"]["outcome"] == "approved"
    assert identity.http.get("/v1/reviews", headers=reviewer).json() == []
    again = identity.http.post(
        f"/v1/reviews/{task['review_id']}/decision",
        headers=reviewer,
        json={"outcome": "rejected", "reasons": [{"code": "X_Y", "message": "m"}]},
    )
    assert (again.status_code, again.json()["error"]["code"]) == (409, "REVIEW_ALREADY_DECIDED")


def test_a_rejection_states_its_reasons(identity):
    waiting_identity(identity, "13800138403")
    reviewer = identity.token("reviewer-1", ("reviewer",))
    [task] = identity.http.get("/v1/reviews", headers=reviewer).json()
    bare = identity.http.post(
        f"/v1/reviews/{task['review_id']}/decision",
        headers=reviewer,
        json={"outcome": "rejected", "reasons": []},
    )
    assert (bare.status_code, bare.json()["error"]["code"]) == (422, "REASONS_REQUIRED")


def test_deciding_an_unknown_task_is_not_found_and_holders_cannot_decide(identity):
    reviewer = identity.token("reviewer-1", ("reviewer",))
    body = {"outcome": "approved", "reasons": []}
    unknown = identity.http.post("/v1/reviews/nope/decision", headers=reviewer, json=body)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "REVIEW_NOT_FOUND")
    holder = identity.register("13800138404")
    assert (
        identity.http.post("/v1/reviews/nope/decision", headers=holder, json=body).status_code
        == 403
    )


def test_a_claim_reserves_the_task_for_its_reviewer_until_it_lapses(identity):
    waiting_identity(identity, "13800138405")
    first, second = (
        identity.token("reviewer-1", ("reviewer",)),
        identity.token("reviewer-2", ("reviewer",)),
    )
    [task] = identity.http.get("/v1/reviews", headers=first).json()
    assert (task["claimed_by"], task["claimed_until"]) == (None, None)

    claimed = identity.http.post(f"/v1/reviews/{task['review_id']}/claim", headers=first)

    assert claimed.status_code == 200, claimed.text
    assert (
        claimed.json()["review_id"] == task["review_id"]
        and claimed.json()["claimed_by"] == "reviewer-1"
    )
    assert claimed.json()["claimed_until"].endswith("Z")
    [mine] = identity.http.get("/v1/reviews", headers=first).json()
    assert mine["claimed_by"] == "reviewer-1"
    assert identity.http.get("/v1/reviews", headers=second).json() == []  # hidden from the others
    body = {"outcome": "approved", "reasons": []}
    for attempt in (
        identity.http.post(f"/v1/reviews/{task['review_id']}/claim", headers=second),
        identity.http.post(f"/v1/reviews/{task['review_id']}/decision", headers=second, json=body),
    ):
        assert (attempt.status_code, attempt.json()["error"]["code"]) == (
            409,
            "REVIEW_CLAIMED_BY_OTHER",
        )
        assert attempt.json()["error"]["details"]["claimed_by"] == "reviewer-1"
    assert (
        identity.http.post(f"/v1/reviews/{task['review_id']}/claim", headers=first).status_code
        == 200
    )  # extends

    identity.clock.advance(31 * 60)  # the claim lapses: another reviewer may take the task over

    [free] = identity.http.get("/v1/reviews", headers=second).json()
    assert free["claimed_by"] is None
    decided = identity.http.post(
        f"/v1/reviews/{task['review_id']}/decision", headers=second, json=body
    )
    assert decided.status_code == 200 and decided.json()["decision"]["reviewer_id"] == "reviewer-2"
    late = identity.http.post(f"/v1/reviews/{task['review_id']}/claim", headers=first)
    assert (late.status_code, late.json()["error"]["code"]) == (409, "REVIEW_ALREADY_DECIDED")


def test_deciding_an_unclaimed_task_claims_it_and_records_who_when_and_why(identity):
    identity_id, complaints = waiting_identity(identity, "13800138406", complaints=2)
    reviewer = identity.token("reviewer-1", ("reviewer",))
    [task] = identity.http.get("/v1/reviews", headers=reviewer).json()
    reasons = [{"code": "NAME_MISMATCH", "message": "姓名与身份证不一致。"}]

    decided = identity.http.post(
        f"/v1/reviews/{task['review_id']}/decision",
        headers=reviewer,
        json={"outcome": "rejected", "reasons": reasons},
    ).json()

    assert (
        decided["decision"]["reviewer_id"] == "reviewer-1"
        and decided["decision"]["reasons"] == reasons
    )
    assert decided["decision"]["decided_at"]
    [listed] = identity.http.get(
        "/v1/reviews", params={"status": "decided"}, headers=reviewer
    ).json()
    assert listed["decision"] == decided["decision"]
    for complaint_id in complaints:  # each waiting complaint's Review records the same decision
        review = identity.app.repository.get(Review.create_id(complaint_id, "identity"))
        assert review.outcome == "rejected" and review.reasons == reasons
        assert review.decided_by == {"kind": "reviewer", "reviewer_id": "reviewer-1"}
    holder = identity.app.repository.get(UUID(identity_id))
    assert (holder.status, list(holder.reasons)) == ("rejected", reasons)


def test_reasons_come_from_the_catalogue_or_the_task_checks(identity):
    waiting_identity(identity, "13800138407")
    reviewer = identity.token("reviewer-1", ("reviewer",))
    [task] = identity.http.get("/v1/reviews", headers=reviewer).json()
    url = f"/v1/reviews/{task['review_id']}/decision"

    unknown = identity.http.post(
        url,
        headers=reviewer,
        json={
            "outcome": "rejected",
            "reasons": [
                {"code": "NAME_MISMATCH", "message": "m"},
                {"code": "MADE_UP", "message": "m"},
            ],
        },
    )
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "UNKNOWN_REASON_CODE")
    assert unknown.json()["error"]["details"]["unknown"] == ["MADE_UP"]
    right_code = identity.http.post(
        url,
        headers=reviewer,
        json={
            "outcome": "rejected",
            "reasons": [
                {"code": "HOLDER_MISMATCH", "message": "a right's code, not an identity's"}
            ],
        },
    )
    assert right_code.json()["error"]["code"] == "UNKNOWN_REASON_CODE"
    assert identity.http.get("/v1/reviews", headers=reviewer).json()[0]["status"] == "pending"

    check_code = task["checks"][0]["code"]
    decided = identity.http.post(
        url,
        headers=reviewer,
        json={
            "outcome": "rejected",
            "reasons": [
                {"code": check_code, "message": "The check passed, but the reviewer disagrees."}
            ],
        },
    )
    assert decided.status_code == 200, decided.text


def test_the_reason_catalogue_is_served_per_material_type(identity):
    reviewer = identity.token("reviewer-1", ("reviewer",))
    served = identity.http.get("/v1/reviews/reason-codes", headers=reviewer)
    assert served.status_code == 200 and list(served.json()) == ["identity", "identity_dispute"]
    codes = {entry["code"] for entry in served.json()["identity"]}
    assert {
        "ID_CARD_ILLEGIBLE",
        "NAME_MISMATCH",
        "DOCUMENT_FORGED",
        "AUTHORIZATION_INSUFFICIENT",
        "OTHER",
    } <= codes
    assert all(entry["description"] for entry in served.json()["identity"])
    assert identity.http.get("/v1/reviews/reason-codes").status_code == 401


def test_claiming_needs_the_reviewer_role_and_a_known_pending_task(identity):
    holder = identity.register("13800138408")
    assert identity.http.post("/v1/reviews/nope/claim", headers=holder).status_code == 403
    reviewer = identity.token("reviewer-1", ("reviewer",))
    unknown = identity.http.post("/v1/reviews/nope/claim", headers=reviewer)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "REVIEW_NOT_FOUND")


def test_a_reviewer_reads_the_material_and_opens_its_documents_but_no_others(identity):
    identity_id, _ = waiting_identity(identity, "13800138409")
    reviewer = identity.token("reviewer-1", ("reviewer",))
    [task] = identity.http.get("/v1/reviews", headers=reviewer).json()

    shown = identity.http.get(f"/v1/reviews/{task['review_id']}/material", headers=reviewer)

    assert shown.status_code == 200, shown.text
    material = shown.json()
    assert (material["identity_id"], material["holder"]["name"]) == (identity_id, "张三")
    assert material["holder"]["document_number_masked"].startswith(resident_id(409)[:3])
    assert resident_id(409) not in shown.text  # the raw number never leaves the service
    assert [f["purpose"] for f in material["files"]] == ["id_card_front", "id_card_back"]
    front = identity.http.get(material["files"][0]["href"], headers=reviewer)
    assert front.status_code == 200 and front.content.endswith(b"front")
    assert (
        front.headers["content-type"] == "image/png"
        and front.headers["x-content-type-options"] == "nosniff"
    )

    someone_elses = identity.upload(identity.register("13800138410"), b"not part of this identity")
    other = identity.http.get(
        f"/v1/reviews/{task['review_id']}/documents/{someone_elses}", headers=reviewer
    )
    assert (other.status_code, other.json()["error"]["code"]) == (404, "DOCUMENT_NOT_FOUND")
    holder = identity.register("13800138411")
    assert identity.http.get(material["files"][0]["href"], headers=holder).status_code == 403
    assert (
        identity.http.get(f"/v1/reviews/{task['review_id']}/material", headers=holder).status_code
        == 403
    )
    unknown = identity.http.get("/v1/reviews/nope/material", headers=reviewer)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "REVIEW_NOT_FOUND")


def test_a_task_falls_due_after_the_review_deadline_and_counts_as_overdue(identity):
    waiting_identity(identity, "13800138412")
    reviewer = identity.token("reviewer-1", ("reviewer",))
    [task] = identity.http.get("/v1/reviews", headers=reviewer).json()
    created, due = (
        datetime.fromisoformat(task[k].replace("Z", "+00:00"))
        for k in ("created_at", "deadline_at")
    )
    assert due - created == timedelta(hours=48) and task["overdue"] is False
    assert identity.http.get(f"/v1/reviews/{task['review_id']}", headers=reviewer).json() == task

    identity.clock.advance(48 * 3600 + 60)

    [late] = identity.http.get("/v1/reviews", headers=reviewer).json()
    assert late["overdue"] is True
    assert (
        'ipp_review_tasks_overdue{material_type="identity"} 1.0'
        in identity.http.get("/metrics").text
    )
    identity.http.post(
        f"/v1/reviews/{task['review_id']}/decision",
        headers=reviewer,
        json={"outcome": "approved", "reasons": []},
    )
    assert (
        identity.http.get(f"/v1/reviews/{task['review_id']}", headers=reviewer).json()["overdue"]
        is False
    )
    assert (
        'ipp_review_tasks_overdue{material_type="identity"} 0.0'
        in identity.http.get("/metrics").text
    )


def test_the_queue_comes_in_pages_oldest_first_with_the_total(identity):
    materials = [waiting_identity(identity, f"1380013842{n}")[0] for n in range(3)]
    reviewer = identity.token("reviewer-1", ("reviewer",))

    first = identity.http.get("/v1/reviews", params={"limit": 2}, headers=reviewer)
    rest = identity.http.get("/v1/reviews", params={"limit": 2, "offset": 2}, headers=reviewer)

    assert first.headers["x-total-count"] == rest.headers["x-total-count"] == "3"
    assert [t["material_id"] for t in first.json() + rest.json()] == materials
    too_many = identity.http.get("/v1/reviews", params={"limit": 501}, headers=reviewer)
    assert (too_many.status_code, too_many.json()["error"]["code"]) == (422, "VALIDATION_FAILED")


def test_checks_sharing_a_code_merge_into_one_that_fails_if_either_does():
    from shared.review.domain import Check, merged

    checks = [
        Check("A", True, "a ok"),
        Check("B", True, "b ok"),
        Check("A", False, "a failed"),
        Check("B", True, ""),
    ]
    assert merged(checks) == [Check("A", False, "a failed"), Check("B", True, "b ok")]


def test_a_reviewer_never_sees_claims_or_decides_their_own_material(identity):
    identity_id, _ = waiting_identity(identity, "13800138430")
    owner = identity.app.repository.get(UUID(identity_id)).account_id
    theirs, other = (
        identity.token(owner, ("holder", "reviewer")),
        identity.token("reviewer-2", ("reviewer",)),
    )
    [task] = identity.http.get("/v1/reviews", headers=other).json()

    listed = identity.http.get("/v1/reviews", headers=theirs)
    claim = identity.http.post(f"/v1/reviews/{task['review_id']}/claim", headers=theirs)
    decide = identity.http.post(
        f"/v1/reviews/{task['review_id']}/decision",
        headers=theirs,
        json={"outcome": "approved", "reasons": []},
    )

    assert (listed.json(), listed.headers["x-total-count"]) == ([], "0")
    for refused in (claim, decide):
        assert (refused.status_code, refused.json()["error"]["code"]) == (409, "REVIEWER_CONFLICT")
    assert (
        identity.app.repository.get(UUID(identity_id)).status == "under_review"
    )  # nothing was decided
    assert (
        identity.http.get("/v1/reviews", headers=other).json()[0]["claimed_by"] is None
    )  # nor claimed
    decided = identity.http.post(
        f"/v1/reviews/{task['review_id']}/decision",
        headers=other,
        json={"outcome": "approved", "reasons": []},
    )
    assert decided.status_code == 200 and decided.json()["decision"]["reviewer_id"] == "reviewer-2"


def test_the_own_material_left_out_does_not_hide_the_others_or_skew_the_pages(identity):
    mine, _ = waiting_identity(identity, "13800138431")
    others = [waiting_identity(identity, f"1380013844{n}")[0] for n in range(2)]
    reviewer = identity.token(identity.app.repository.get(UUID(mine)).account_id, ("reviewer",))

    first = identity.http.get("/v1/reviews", params={"limit": 1}, headers=reviewer)
    rest = identity.http.get("/v1/reviews", params={"limit": 1, "offset": 1}, headers=reviewer)

    assert first.headers["x-total-count"] == "2"
    assert [t["material_id"] for t in first.json() + rest.json()] == others
