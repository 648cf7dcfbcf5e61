"""Disputes of a squatted document number: with evidence, to identity's reviewer queue, and
upheld → released."""

from types import SimpleNamespace
from uuid import UUID

import pytest

from deploy.client import resident_id
from services.identity.domain import documents
from shared.events.payloads import ComplaintFiled
from shared.kit.inbox import Delivery
from shared.review.domain import Review
from tests.unit.identity.conftest import Identity
from tests.unit.identity.test_reservations import account_of, code_of, holder_body, review, submit


@pytest.fixture
def identity(tmp_path) -> Identity:
    return Identity(tmp_path, review_mode="manual")


def dispute_body(
    identity: Identity, auth: dict, number: str, tag: bytes = b"my card", **changes: object
) -> dict:
    return {
        "document_type": "resident_id",
        "document_number": number,
        "statement": "这是我本人的身份证号，被他人冒用。",
        "evidence": [identity.upload(auth, tag)],
        **changes,
    }


def squatted(identity: Identity, serial: int) -> tuple[dict, str, dict]:
    """A squatter's pending identity on the number `resident_id(serial)`, and its real owner
    (an email bound)."""
    squatter = identity.with_email(f"13800138{serial}")
    identity_id = submit(
        identity, squatter, holder_body(identity, squatter, resident_id(serial))
    ).json()["identity_id"]
    owner = identity.with_email(f"13900139{serial}")
    assert code_of(submit(identity, owner, holder_body(identity, owner, resident_id(serial)))) == (
        409,
        "DOCUMENT_ALREADY_REGISTERED",
    )
    return squatter, identity_id, owner


def dispute_task(identity: Identity, reviewer: dict) -> dict:
    [task] = [
        t
        for t in identity.http.get("/v1/reviews", headers=reviewer).json()
        if t["material_type"] == "identity_dispute"
    ]
    return task


def decide(
    identity: Identity, reviewer: dict, task: dict, outcome: str, reasons: list[dict] | None = None
):
    return identity.http.post(
        f"/v1/reviews/{task['review_id']}/decision",
        headers=reviewer,
        json={"outcome": outcome, "reasons": reasons or []},
    )


def test_an_upheld_dispute_releases_the_number_to_its_real_owner_and_tells_the_squatter(identity):
    squatter, squatting, owner = squatted(identity, 601)
    body = dispute_body(
        identity,
        owner,
        resident_id(601),
        statement=f"我的身份证号 {resident_id(601).lower()} 被冒用",
    )
    posted = identity.http.post("/v1/identities/disputes", json=body, headers=owner)
    assert posted.status_code == 201 and posted.json()["status"] == "submitted"
    dispute_id = posted.json()["dispute_id"]
    [mine] = identity.http.get("/v1/identities/disputes", headers=owner).json()
    assert mine == identity.http.get(f"/v1/identities/disputes/{dispute_id}", headers=owner).json()
    masked = documents.mask(resident_id(601))
    assert (mine["status"], mine["document_number_masked"], mine["decided_at"]) == (
        "submitted",
        masked,
        None,
    )
    assert resident_id(601) not in str(mine) and account_of(identity, squatter) not in str(mine)

    reviewer = identity.token("reviewer-1", ("reviewer",))
    task = dispute_task(identity, reviewer)
    material = identity.http.get(
        f"/v1/reviews/{task['review_id']}/material", headers=reviewer
    ).json()
    assert material["statement"] and [i["identity_id"] for i in material["holding_identities"]] == [
        squatting
    ]
    assert material["holding_identities"][0]["holder"]["document_number_masked"] == masked
    assert "dispute_evidence" in {f["purpose"] for f in material["files"]}
    assert resident_id(601).lower() not in str(material).lower() and masked in material["statement"]
    evidence = next(f for f in material["files"] if f["purpose"] == "dispute_evidence")
    assert identity.http.get(evidence["href"], headers=reviewer).status_code == 200

    assert (
        decide(
            identity,
            reviewer,
            task,
            "approved",
            [{"code": "OWNERSHIP_SHOWN", "message": "卡片一致"}],
        ).status_code
        == 200
    )

    upheld = identity.http.get(f"/v1/identities/disputes/{dispute_id}", headers=owner).json()
    assert upheld["status"] == "upheld" and upheld["decided_at"]
    told = identity.http.get(f"/v1/identities/{squatting}", headers=squatter).json()
    assert told["status"] == "rejected" and [r["code"] for r in told["reasons"]] == [
        "DOCUMENT_DISPUTED"
    ]
    back = identity.http.put(
        f"/v1/identities/{squatting}",
        json=holder_body(identity, squatter, resident_id(601)),
        headers=squatter,
    )
    assert code_of(back) == (409, "DOCUMENT_ALREADY_REGISTERED")  # the owner comes first
    assert (
        submit(identity, owner, holder_body(identity, owner, resident_id(601))).status_code == 201
    )


def test_a_dismissed_dispute_changes_nothing(identity):
    squatter, squatting, owner = squatted(identity, 602)
    dispute_id = identity.http.post(
        "/v1/identities/disputes",
        json=dispute_body(identity, owner, resident_id(602)),
        headers=owner,
    ).json()["dispute_id"]
    reviewer = identity.token("reviewer-1", ("reviewer",))
    reasons = [{"code": "EVIDENCE_INSUFFICIENT", "message": "证据不足"}]
    assert (
        decide(
            identity, reviewer, dispute_task(identity, reviewer), "rejected", reasons
        ).status_code
        == 200
    )

    dismissed = identity.http.get(f"/v1/identities/disputes/{dispute_id}", headers=owner).json()
    assert (dismissed["status"], dismissed["reasons"]) == ("dismissed", reasons)
    assert (
        identity.http.get(f"/v1/identities/{squatting}", headers=squatter).json()["status"]
        == "submitted"
    )
    assert code_of(submit(identity, owner, holder_body(identity, owner, resident_id(602)))) == (
        409,
        "DOCUMENT_ALREADY_REGISTERED",
    )


def test_a_dispute_decides_with_its_own_reason_catalogue(identity):
    _, _, owner = squatted(identity, 603)
    identity.http.post(
        "/v1/identities/disputes",
        json=dispute_body(identity, owner, resident_id(603)),
        headers=owner,
    )
    reviewer = identity.token("reviewer-1", ("reviewer",))
    catalogue = identity.http.get("/v1/reviews/reason-codes", headers=reviewer).json()
    assert "EVIDENCE_INSUFFICIENT" in {e["code"] for e in catalogue["identity_dispute"]}
    wrong = decide(
        identity,
        reviewer,
        dispute_task(identity, reviewer),
        "rejected",
        [{"code": "NAME_MISMATCH", "message": "an identity's code"}],
    )
    assert code_of(wrong) == (422, "UNKNOWN_REASON_CODE")


def test_there_is_nothing_to_dispute_in_a_free_number_or_ones_own(identity):
    owner = identity.with_email("13800138604")
    free = identity.http.post(
        "/v1/identities/disputes",
        json=dispute_body(identity, owner, resident_id(604)),
        headers=owner,
    )
    assert code_of(free) == (409, "NOTHING_TO_DISPUTE")
    submit(identity, owner, holder_body(identity, owner, resident_id(604)))
    own = identity.http.post(
        "/v1/identities/disputes",
        json=dispute_body(identity, owner, resident_id(604)),
        headers=owner,
    )
    assert code_of(own) == (409, "NOTHING_TO_DISPUTE")


def test_a_dispute_needs_a_bound_email_a_short_statement_and_evidence_of_ones_own(identity):
    _, _, owner = squatted(identity, 605)
    no_email = identity.register("13800138606")
    unbound = identity.http.post(
        "/v1/identities/disputes",
        json=dispute_body(identity, no_email, resident_id(605)),
        headers=no_email,
    )
    assert code_of(unbound) == (409, "EMAIL_NOT_BOUND")
    someone_elses = dispute_body(
        identity, no_email, resident_id(605), tag=b"not the owner's upload"
    )
    for body, expected in (
        (someone_elses, (422, "UNKNOWN_DOCUMENT")),
        (
            {**dispute_body(identity, owner, resident_id(605)), "evidence": []},
            (422, "VALIDATION_FAILED"),
        ),
        (
            dispute_body(identity, owner, resident_id(605), statement="x" * 2001),
            (422, "VALIDATION_FAILED"),
        ),
        (
            dispute_body(identity, owner, "A1234567", document_type="hk_macau_permit"),
            (422, "VALIDATION_FAILED"),
        ),
    ):
        refused = identity.http.post("/v1/identities/disputes", json=body, headers=owner)
        assert code_of(refused) == expected
        assert resident_id(605) not in refused.text
    assert identity.http.get("/v1/identities/disputes", headers=owner).json() == []


def test_neither_side_decides_the_dispute_nor_does_anyone_else_see_it(identity):
    squatter, _, owner = squatted(identity, 607)
    dispute_id = identity.http.post(
        "/v1/identities/disputes",
        json=dispute_body(identity, owner, resident_id(607)),
        headers=owner,
    ).json()["dispute_id"]
    task = dispute_task(identity, identity.token("reviewer-1", ("reviewer",)))
    for side in (squatter, owner):
        as_reviewer = identity.token(account_of(identity, side), ("reviewer",))
        assert code_of(decide(identity, as_reviewer, task, "approved")) == (
            409,
            "REVIEWER_CONFLICT",
        )
    assert code_of(
        identity.http.get(f"/v1/identities/disputes/{dispute_id}", headers=squatter)
    ) == (404, "DISPUTE_NOT_FOUND")
    assert identity.http.get("/v1/identities/disputes", headers=squatter).json() == []


def test_upholding_decides_the_squatters_identity_waiting_for_a_reviewer_and_its_complaint(
    identity,
):
    squatter, squatting, owner = squatted(identity, 608)
    filed = ComplaintFiled(
        complaint_id="c0ffee00-0000-0000-0000-000000000608",
        account_id=account_of(identity, squatter),
        identity_id=squatting,
        right_id="r",
        right_type="trademark",
        infringement_type="counterfeit_goods",
        targets=[],
        description="d",
        evidence=[],
        requested_action="takedown",
        filed_at="2026-06-01T00:00:00Z",
    )
    identity.service.handler(None, Delivery(None, SimpleNamespace(id="event-608"), filed))
    identity.http.post(
        "/v1/identities/disputes",
        json=dispute_body(identity, owner, resident_id(608)),
        headers=owner,
    )
    reviewer = identity.token("reviewer-1", ("reviewer",))

    assert (
        decide(identity, reviewer, dispute_task(identity, reviewer), "approved").status_code == 200
    )

    assert (
        identity.http.get("/v1/reviews", headers=reviewer).json() == []
    )  # the identity's task is decided too
    waiting = identity.app.repository.get(Review.create_id(filed.complaint_id, "identity"))
    assert waiting.outcome == "rejected" and [r["code"] for r in waiting.reasons] == [
        "DOCUMENT_DISPUTED"
    ]
    assert identity.app.repository.get(UUID(squatting)).status == "rejected"


def test_an_approved_squatter_stays_approved_but_loses_the_number(identity):
    squatter, squatting, owner = squatted(identity, 609)
    review(identity, squatter, squatting, "approved", serial=609)
    identity.http.post(
        "/v1/identities/disputes",
        json=dispute_body(identity, owner, resident_id(609)),
        headers=owner,
    )
    reviewer = identity.token("reviewer-1", ("reviewer",))
    assert (
        decide(identity, reviewer, dispute_task(identity, reviewer), "approved").status_code == 200
    )
    assert (
        identity.http.get(f"/v1/identities/{squatting}", headers=squatter).json()["status"]
        == "approved"
    )
    assert (
        submit(identity, owner, holder_body(identity, owner, resident_id(609))).status_code == 201
    )


def test_disputes_are_limited_per_account_and_day(identity):
    _, _, owner = squatted(identity, 610)
    for _ in range(5):
        answer = identity.http.post(
            "/v1/identities/disputes",
            json=dispute_body(identity, owner, resident_id(611)),
            headers=owner,
        )
        assert code_of(answer) == (409, "NOTHING_TO_DISPUTE")
    throttled = identity.http.post(
        "/v1/identities/disputes",
        json=dispute_body(identity, owner, resident_id(610)),
        headers=owner,
    )
    assert code_of(throttled) == (429, "TOO_MANY_ATTEMPTS") and throttled.headers["Retry-After"]
