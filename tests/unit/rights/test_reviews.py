"""Rights' reviewer queue (manual review): a right waits for a reviewer, who claims and decides it
through the API; the decision answers every complaint waiting on the right (one ReviewDecided
each) and is reused."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from fastapi.testclient import TestClient

from services.rights.adapters.publication import to_public
from services.rights.application import RightsApplication
from services.rights.main import bootstrap
from shared.events.payloads import ReviewDecided
from shared.kit.auth import TokenSigner, TokenVerifier
from shared.kit.errors import ServiceError
from shared.kit.http.app import create_http_app
from shared.kit.settings import Settings
from tests.unit.databases import migrated
from tests.unit.rights.filings import deliver_complaint, deliver_identity

ACCOUNT = "account-1"
DOC = {
    "blob_id": "0" * 64,
    "sha256": "0" * 64,
    "media_type": "application/pdf",
    "size": 9,
    "purpose": "registration_certificate",
}


class Rights:
    def __init__(self, tmp_path, review_mode: str) -> None:
        settings = migrated(Settings(service="rights", data_dir=tmp_path, review_mode=review_mode))
        self.app = RightsApplication(settings)
        self.signer = TokenSigner(tmp_path / "jwt-ed25519.pem")
        service = bootstrap(settings, self.app)
        self.service = dataclasses.replace(
            service, verifier=TokenVerifier(public_key=self.signer.public_key)
        )
        self.http = TestClient(create_http_app(self.service))
        deliver_identity(self.service, ACCOUNT)

    def token(self, account_id: str, roles: tuple[str, ...] = ("reviewer",)) -> dict:
        token, _ = self.signer.issue(account_id, list(roles), 5)
        return {"Authorization": f"Bearer {token}"}

    def register(self) -> str:
        return self.app.register(
            ACCOUNT,
            identity_id="identity-1",
            right_type="trademark",
            title="快手好物",
            registration_number="12345678",
            holder_name="张三",
            valid_from="2020-01-01",
            valid_until="2034-12-31",
            details={"nice_classes": [25]},
            documents=[DOC],
        )

    def complain(self, right_id: str, n: int) -> str:
        return deliver_complaint(
            self.service, right_id, n, ACCOUNT, filed_at="2026-06-01T00:00:00Z"
        )

    def decisions(self) -> list[ReviewDecided]:
        events = [
            self.app.mapper.to_domain_event(n)
            for n in self.app.recorder.select_notifications(1, 1000)
        ]
        return [
            p.payload for e in events for p in to_public(e) if isinstance(p.payload, ReviewDecided)
        ]

    def status(self, right_id: str) -> str:
        return self.app.right(ACCOUNT, right_id).status


@pytest.fixture
def rights(tmp_path) -> Rights:
    return Rights(tmp_path, "manual")


def test_a_right_waits_in_manual_mode_and_a_reviewer_decides_it_for_every_waiting_complaint(rights):
    right_id = rights.register()
    complaints = [rights.complain(right_id, 1), rights.complain(right_id, 2)]
    assert rights.decisions() == [] and rights.status(right_id) == "under_review"
    reviewer = rights.token("reviewer-1")
    [task] = rights.http.get("/v1/reviews", headers=reviewer).json()
    assert (task["material_type"], task["material_id"], task["material_revision"]) == (
        "right",
        right_id,
        1,
    )
    assert task["complaint_ids"] == complaints and all(c["passed"] for c in task["checks"])

    claimed = rights.http.post(f"/v1/reviews/{task['review_id']}/claim", headers=reviewer)
    assert claimed.status_code == 200 and claimed.json()["claimed_by"] == "reviewer-1"
    other = rights.token("reviewer-2")
    assert rights.http.get("/v1/reviews", headers=other).json() == []
    taken = rights.http.post(
        f"/v1/reviews/{task['review_id']}/decision",
        headers=other,
        json={"outcome": "approved", "reasons": []},
    )
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "REVIEW_CLAIMED_BY_OTHER")

    decided = rights.http.post(
        f"/v1/reviews/{task['review_id']}/decision",
        headers=reviewer,
        json={"outcome": "approved", "reasons": []},
    )

    assert decided.status_code == 200, decided.text
    events = rights.decisions()
    assert sorted(e.complaint_id for e in events) == complaints, (
        "one ReviewDecided per waiting complaint"
    )
    for event in events:
        assert (event.material_type, event.material_id, event.outcome) == (
            "right",
            right_id,
            "approved",
        )
        assert event.decided_by.kind == "reviewer" and event.decided_by.reviewer_id == "reviewer-1"
    assert rights.status(right_id) == "approved"
    assert rights.http.get("/v1/reviews", headers=reviewer).json() == []

    later = rights.complain(right_id, 3)  # the approval is reused: no new task, an answer at once
    assert rights.http.get("/v1/reviews", headers=reviewer).json() == []
    [reused] = [e for e in rights.decisions() if e.complaint_id == later]
    assert reused.outcome == "approved" and reused.reused_decision_id


def test_a_reviewer_rejects_a_right_with_catalogue_reasons_and_it_becomes_editable(rights):
    right_id = rights.register()
    complaint_id = rights.complain(right_id, 1)
    reviewer = rights.token("reviewer-1")
    [task] = rights.http.get("/v1/reviews", headers=reviewer).json()
    url = f"/v1/reviews/{task['review_id']}/decision"
    identity_code = rights.http.post(
        url,
        headers=reviewer,
        json={
            "outcome": "rejected",
            "reasons": [{"code": "NAME_MISMATCH", "message": "an identity's code, not a right's"}],
        },
    )
    assert (identity_code.status_code, identity_code.json()["error"]["code"]) == (
        422,
        "UNKNOWN_REASON_CODE",
    )

    reasons = [{"code": "HOLDER_MISMATCH", "message": "证书上的权利人与身份不一致。"}]
    assert (
        rights.http.post(
            url, headers=reviewer, json={"outcome": "rejected", "reasons": reasons}
        ).status_code
        == 200
    )

    [event] = rights.decisions()
    assert (event.complaint_id, event.outcome) == (complaint_id, "rejected")
    assert [r.model_dump() for r in event.reasons] == reasons
    right = rights.app.right(ACCOUNT, right_id)
    assert right.status == "rejected" and right.is_editable and list(right.reasons) == reasons


def test_rights_serves_its_reason_catalogue_and_only_reviewers_see_the_queue(rights):
    holder = rights.token(ACCOUNT, ("holder",))
    assert rights.http.get("/v1/reviews", headers=holder).status_code == 403
    catalogue = rights.http.get("/v1/reviews/reason-codes", headers=holder).json()
    assert list(catalogue) == ["right"]
    assert {"HOLDER_MISMATCH", "CERTIFICATE_ILLEGIBLE", "OTHER"} <= {
        e["code"] for e in catalogue["right"]
    }


def test_in_auto_mode_nothing_waits(tmp_path):
    rights = Rights(tmp_path, "auto")
    right_id = rights.register()
    rights.complain(right_id, 1)
    assert rights.http.get("/v1/reviews", headers=rights.token("reviewer-1")).json() == []
    assert [e.outcome for e in rights.decisions()] == ["approved"]


def test_of_reviewers_claiming_or_deciding_at_once_exactly_one_wins(rights):
    right_id = rights.register()
    rights.complain(right_id, 1)
    [task] = rights.app.review_queue.tasks("pending")
    queue, outcomes = rights.app.review_queue, []

    def attempt(reviewer_id: str, act) -> None:
        start.wait()
        try:
            act(reviewer_id)
            outcomes.append("ok")
        except ServiceError as error:
            outcomes.append(error.code)

    for act, losers in (
        (lambda who: queue.claim(task["review_id"], who), "REVIEW_CLAIMED_BY_OTHER"),
        (lambda who: queue.decide(task["review_id"], who, "approved", []), None),
    ):
        outcomes.clear()
        start = threading.Barrier(6)
        threads = [threading.Thread(target=attempt, args=(f"reviewer-{n}", act)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outcomes.count("ok") == 1 and len(outcomes) == 6, outcomes
        if losers:
            assert set(outcomes) == {"ok", losers}
        else:  # only the claimer could decide; the others were refused, never a server error
            assert set(outcomes) <= {"ok", "REVIEW_CLAIMED_BY_OTHER", "REVIEW_ALREADY_DECIDED"}
    assert len(rights.decisions()) == 1


def test_a_reviewer_sees_each_check_once(rights):
    """The right's own RIGHT_EXPIRED and the one each complaint asks are one line
    for the reviewer."""
    rights.complain(rights.register(), 1)
    [task] = rights.app.review_queue.tasks("pending")
    codes = [c["code"] for c in task["checks"]]
    assert "RIGHT_EXPIRED" in codes and len(codes) == len(set(codes))
