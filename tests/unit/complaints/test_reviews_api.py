"""The complaints service's reviewer routes: the complaint queue, deadlines, and
every error code."""

from uuid import UUID

import pytest

from deploy.client import PDF
from shared.kit.settings import Settings
from tests.unit.complaints.conftest import listing

REASONS = [{"code": "NO_INFRINGEMENT_SHOWN", "message": "The listing sells a different product."}]


def error(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


@pytest.fixture
def waiting(manual) -> tuple[dict, str, dict]:
    """(holder's bearer header, complaint id, its pending task) once identity and
    right are approved."""
    auth, right = manual.holder(1)
    complaint_id = manual.file(auth, right, [listing(1)])
    manual.materials_decided(complaint_id)
    reviewer = manual.token("reviewer-1", ("reviewer",))
    [task] = manual.http.get("/v1/reviews", headers=reviewer).json()
    return auth, complaint_id, task


def decide(manual, task: dict, reviewer: str = "reviewer-1", outcome: str = "approved", reasons=()):
    return manual.http.post(
        f"/v1/reviews/{task['review_id']}/decision",
        headers=manual.token(reviewer, ("reviewer",)),
        json={"outcome": outcome, "reasons": list(reasons)},
    )


def test_a_waiting_complaint_is_one_task_and_the_reviewers_decision_is_its_verdict(manual, waiting):
    auth, complaint_id, task = waiting
    assert (task["material_type"], task["material_id"], task["complaint_ids"]) == (
        "complaint",
        complaint_id,
        [complaint_id],
    )
    assert task["overdue"] is False
    decided = decide(manual, task, outcome="rejected", reasons=REASONS)
    assert decided.status_code == 200 and decided.json()["decision"]["outcome"] == "rejected"
    detail = manual.http.get(f"/v1/complaints/{complaint_id}", headers=auth).json()
    assert (
        detail["status"] == "rejected" and detail["statement"]["decided_by"]["kind"] == "reviewer"
    )
    assert detail["statement"]["reasons"] == REASONS
    decided_tasks = manual.http.get(
        "/v1/reviews",
        params={"status": "decided"},
        headers=manual.token("reviewer-1", ("reviewer",)),
    ).json()
    assert [t["review_id"] for t in decided_tasks] == [task["review_id"]]


def test_a_reviewer_sees_the_complaint_a_task_is_about(manual, waiting):
    holder, complaint_id, task = waiting
    reviewer = manual.token("r1", ("reviewer",))
    material = manual.http.get(
        f"/v1/reviews/{task['review_id']}/complaint", headers=reviewer
    ).json()
    assert (material["complaint_id"], material["targets"][0]["url"]) == (complaint_id, listing(1))
    assert material["reviews"]["identity"]["outcome"] == "approved" and material["description"]
    assert error(manual.http.get(f"/v1/reviews/{task['review_id']}/complaint", headers=holder)) == (
        403,
        "FORBIDDEN",
    )
    assert error(manual.http.get("/v1/reviews/nope/complaint", headers=reviewer)) == (
        404,
        "REVIEW_NOT_FOUND",
    )


def test_the_reason_catalogue_is_the_complaint_one(manual):
    codes = manual.http.get("/v1/reviews/reason-codes", headers=manual.token("anyone")).json()
    assert list(codes) == ["complaint"] and "EVIDENCE_INSUFFICIENT" in {
        c["code"] for c in codes["complaint"]
    }


def test_only_reviewers_see_and_decide_the_queue(manual, waiting):
    holder, _, task = waiting
    assert error(manual.http.get("/v1/reviews", headers=holder)) == (403, "FORBIDDEN")
    assert error(manual.http.post(f"/v1/reviews/{task['review_id']}/claim", headers=holder)) == (
        403,
        "FORBIDDEN",
    )
    assert error(
        manual.http.post(
            f"/v1/reviews/{task['review_id']}/decision",
            headers=holder,
            json={"outcome": "approved"},
        )
    ) == (403, "FORBIDDEN")


def test_a_reviewer_never_sees_claims_or_decides_a_complaint_they_filed(manual, waiting):
    _, complaint_id, task = waiting
    filer = manual.app.repository.get(UUID(complaint_id)).account_id
    own = manual.token(filer, ("holder", "reviewer"))
    assert manual.http.get("/v1/reviews", headers=own).json() == []
    assert error(manual.http.post(f"/v1/reviews/{task['review_id']}/claim", headers=own)) == (
        409,
        "REVIEWER_CONFLICT",
    )
    assert error(decide(manual, task, reviewer=filer)) == (409, "REVIEWER_CONFLICT")
    assert manual.app.repository.get(UUID(complaint_id)).status != "approved"
    assert decide(manual, task, reviewer="reviewer-2").status_code == 200


def test_a_claimed_task_is_hidden_from_and_refused_to_other_reviewers(manual, waiting):
    _, _, task = waiting
    claimed = manual.http.post(
        f"/v1/reviews/{task['review_id']}/claim", headers=manual.token("r1", ("reviewer",))
    )
    assert claimed.status_code == 200 and claimed.json()["claimed_by"] == "r1"
    assert manual.http.get("/v1/reviews", headers=manual.token("r2", ("reviewer",))).json() == []
    assert error(decide(manual, task, reviewer="r2")) == (409, "REVIEW_CLAIMED_BY_OTHER")
    assert decide(manual, task, reviewer="r1").status_code == 200


@pytest.mark.parametrize(
    ("outcome", "reasons", "expected"),
    [
        ("rejected", [], (422, "REASONS_REQUIRED")),
        (
            "rejected",
            [{"code": "ID_CARD_ILLEGIBLE", "message": "not a complaint code"}],
            (422, "UNKNOWN_REASON_CODE"),
        ),
        ("maybe", [], (422, "VALIDATION_FAILED")),
    ],
)
def test_a_decision_must_state_catalogued_reasons(manual, waiting, outcome, reasons, expected):
    assert error(decide(manual, waiting[2], outcome=outcome, reasons=reasons)) == expected


def test_a_task_is_decided_once_and_unknown_tasks_are_not_found(manual, waiting):
    _, _, task = waiting
    assert decide(manual, task).status_code == 200
    assert error(decide(manual, task)) == (409, "REVIEW_ALREADY_DECIDED")
    assert error(decide(manual, {"review_id": "nope"})) == (404, "REVIEW_NOT_FOUND")


def test_a_withdrawn_complaints_task_leaves_the_queue_and_cannot_be_decided(manual, waiting):
    holder, complaint_id, task = waiting
    assert (
        manual.http.post(f"/v1/complaints/{complaint_id}/withdraw", headers=holder).status_code
        == 200
    )
    assert manual.http.get("/v1/reviews", headers=manual.token("r1", ("reviewer",))).json() == []
    assert error(decide(manual, task)) == (409, "COMPLAINT_WITHDRAWN")


def test_a_task_pending_past_the_deadline_is_overdue_in_the_listing_and_the_metrics(
    manual, waiting
):
    queue = manual.app.review_queue
    queue.clock = lambda: manual.app.clock() + 3600 + 1  # the fixture's deadline is one hour
    [task] = manual.http.get("/v1/reviews", headers=manual.token("r1", ("reviewer",))).json()
    assert task["overdue"] is True
    metrics = manual.http.get("/metrics").text
    assert 'ipp_review_tasks_overdue{material_type="complaint"} 1.0' in metrics


def test_the_deadline_is_read_from_the_environment(monkeypatch):
    assert Settings(service="complaints").review_deadline_hours == 48.0
    monkeypatch.setenv("IPP_REVIEW_DEADLINE_HOURS", "2.5")
    assert Settings(service="complaints").review_deadline_hours == 2.5


def test_a_reviewer_opens_the_evidence_of_the_complaint_under_review(manual):
    auth, right = manual.holder(2)
    evidence = manual.http.post(
        "/v1/files", files={"file": ("shot.pdf", PDF + b"screenshot")}, headers=auth
    )
    body = manual.body(right, [listing(2)], evidence=[evidence.json()["blob_id"]])
    complaint_id = manual.http.post("/v1/complaints", json=body, headers=auth).json()[
        "complaint_id"
    ]
    manual.materials_decided(complaint_id)
    reviewer = manual.token("r1", ("reviewer",))
    [task] = manual.http.get("/v1/reviews", headers=reviewer).json()

    material = manual.http.get(f"/v1/reviews/{task['review_id']}/material", headers=reviewer).json()

    assert material["complaint_id"] == complaint_id
    [shot] = material["files"]
    assert (shot["purpose"], shot["media_type"]) == ("evidence", "application/pdf")
    opened = manual.http.get(shot["href"], headers=reviewer)
    assert opened.status_code == 200 and opened.content == PDF + b"screenshot"
    assert opened.headers["content-type"] == "application/pdf"
