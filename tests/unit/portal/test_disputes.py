"""Disputes of a squatted document number in the portal: a real owner refused at the identity form
follows the link to a dispute, submits it with evidence (each file uploaded to identity) and sees
its outcome; a reviewer sees the dispute in identity's queue beside the identities holding the
number and decides it with the dispute's own reason codes. Every refusal shows next to the field it
concerns, never as a 500."""

from __future__ import annotations

import hashlib
import json

import httpx
import pytest
from fastapi.testclient import TestClient

from services.portal.domain import i18n
from services.portal.main import bootstrap
from shared.kit.http.app import create_http_app
from tests.unit.portal.conftest import SETTINGS, Services, access_token, csrf_of, failure

NUMBER = "11010519491231002X"
MASKED = "110***********002X"
REVIEW = "00000000-0000-0000-0000-0000000000d1"
IDENTITY_REVIEW = "00000000-0000-0000-0000-0000000000a1"
EVIDENCE, CARD = "ee" * 32, "cc" * 32
PNG = b"\x89PNG\r\n\x1a\n"


class Recorded:
    """The fake services, each request kept; an upload's blob id is its content's SHA-256,
    as identity's is."""

    def __init__(self, services: Services) -> None:
        self.services, self.requests = services, []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if (
            request.url.path == "/v1/files"
            and request.method == "POST"
            and ("POST", "identity", "/v1/files") not in self.services.answers
        ):
            return httpx.Response(
                201, json={"blob_id": hashlib.sha256(request.content).hexdigest()}
            )
        return self.services(request)

    def sent(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]


@pytest.fixture
def recorded(services: Services) -> Recorded:
    return Recorded(services)


@pytest.fixture
def browser(recorded: Recorded) -> TestClient:
    """A signed-in account holder's browser on the portal, every call to the services recorded."""
    client = TestClient(
        create_http_app(bootstrap(SETTINGS, httpx.MockTransport(recorded))), follow_redirects=False
    )
    client.cookies.set("ipp_session", access_token())
    return client


@pytest.fixture
def reviewer(browser: TestClient) -> TestClient:
    browser.cookies.set("ipp_session", access_token(("reviewer",)))
    return browser


def zh(code: str) -> str:
    return i18n.error("zh-CN", code)


# -- the account holder
# ------------------------------------------------------------------------------------


def identity_form(browser: TestClient, services: Services, **fields: str) -> httpx.Response:
    services.answer("GET", "identity", "/v1/identities", [])
    services.answer(
        "POST",
        "identity",
        "/v1/identities",
        httpx.Response(
            409,
            json={
                "error": {
                    "code": "DOCUMENT_ALREADY_REGISTERED",
                    "message": "taken",
                    "details": {"document_number_masked": MASKED},
                }
            },
        ),
    )
    csrf = csrf_of(browser.get("/identity").text)
    files = {
        "id_card_front": ("front.png", PNG, "image/png"),
        "id_card_back": ("back.png", PNG, "image/png"),
    }
    return browser.post("/identity", data={"csrf": csrf, **fields}, files=files)


def test_a_refused_number_links_to_its_dispute_without_the_number_in_the_page_or_link(
    browser, services
):
    refused = identity_form(
        browser,
        services,
        role="holder",
        kind="individual",
        name="王五",
        document_type="resident_id",
        id_number=NUMBER,
    )
    assert refused.status_code == 400
    page = refused.text
    at_number = page.split('id="e-id_number"')[1].split("</p>")[0]
    assert zh("DOCUMENT_ALREADY_REGISTERED") in at_number
    assert 'href="/identities/disputes/new?document_type=resident_id"' in at_number
    assert NUMBER not in page and NUMBER.lower() not in page


def test_an_agents_refusal_is_at_the_agents_own_number_the_one_it_reserves(browser, services):
    refused = identity_form(
        browser,
        services,
        role="agent",
        kind="individual",
        name="王五",
        id_number=NUMBER,
        agent_kind="enterprise",
        agent_name="某代理公司",
        agent_credit_code="91110000600037341L",
        agent_legal_representative="李四",
    )
    page = refused.text
    assert 'id="e-agent_credit_code"' in page and 'id="e-id_number"' not in page
    at_code = page.split('id="e-agent_credit_code"')[1].split("</p>")[0]
    assert 'href="/identities/disputes/new?document_type=unified_social_credit_code"' in at_code


def test_other_refusals_of_the_identity_form_offer_no_dispute(browser, services):
    services.answer("GET", "identity", "/v1/identities", [])
    services.answer(
        "POST", "identity", "/v1/identities", failure(409, "TOO_MANY_PENDING_IDENTITIES")
    )
    csrf = csrf_of(browser.get("/identity").text)
    page = browser.post(
        "/identity",
        data={"csrf": csrf, "name": "王五", "id_number": NUMBER},
        files={"id_card_front": ("f.png", PNG, "image/png")},
    ).text
    assert zh("TOO_MANY_PENDING_IDENTITIES") in page and "/identities/disputes/new" not in page


def test_the_dispute_form_starts_at_the_linked_document_type(browser):
    page = browser.get("/identities/disputes/new?document_type=passport").text
    assert '<option value="passport" selected>' in page
    assert (
        'name="evidence"' in page and "multiple" in page.split('name="evidence"')[1].split(">")[0]
    )
    odd = browser.get("/identities/disputes/new?document_type=<script>").text
    assert '<option value="resident_id" selected>' in odd and "<script>" not in odd


def dispute_form(browser: TestClient, evidence: int = 2, **fields: str) -> httpx.Response:
    csrf = csrf_of(browser.get("/identities/disputes/new").text)
    data = {
        "csrf": csrf,
        "document_type": "resident_id",
        "document_number": NUMBER,
        "statement": "这是我本人的身份证号，被他人冒用。",
        **fields,
    }
    files = [("evidence", (f"e{n}.png", PNG + bytes([n]), "image/png")) for n in range(evidence)]
    return browser.post("/identities/disputes/new", data=data, files=files or None)


def test_a_dispute_uploads_each_evidence_file_to_identity_and_then_lists_it(
    browser, services, recorded
):
    services.answer(
        "POST",
        "identity",
        "/v1/identities/disputes",
        httpx.Response(201, json={"dispute_id": "d1", "status": "submitted"}),
    )
    sent = dispute_form(browser, evidence=3)
    assert (
        sent.status_code == 303 and sent.headers["location"] == "/identities/disputes?submitted=1"
    )
    assert len(recorded.sent("POST", "/v1/files")) == 3
    [posted] = recorded.sent("POST", "/v1/identities/disputes")
    body = json.loads(posted.content)
    assert body["document_type"] == "resident_id" and body["document_number"] == NUMBER
    assert body["evidence"] == [
        hashlib.sha256(r.content).hexdigest() for r in recorded.sent("POST", "/v1/files")
    ]
    assert len(set(body["evidence"])) == 3

    services.answer(
        "GET",
        "identity",
        "/v1/identities/disputes",
        [
            {
                "dispute_id": "d0",
                "status": "dismissed",
                "document_type": "resident_id",
                "document_number_masked": MASKED,
                "reasons": [{"code": "EVIDENCE_INSUFFICIENT", "message": "证据不足以证明"}],
                "submitted_at": "2026-12-01T08:00:00Z",
                "decided_at": "2026-12-02T08:00:00Z",
            },
            {
                "dispute_id": "d1",
                "status": "upheld",
                "document_type": "resident_id",
                "document_number_masked": MASKED,
                "reasons": [{"code": "OWNERSHIP_SHOWN", "message": "证件照片一致"}],
                "submitted_at": "2026-12-03T08:00:00Z",
                "decided_at": "2026-12-04T08:00:00Z",
            },
        ],
    )
    listed = browser.get(sent.headers["location"]).text
    assert i18n.t("zh-CN", "dispute_submitted") in listed
    upheld = listed.split('id="dispute-d1"')[1].split("</tr>")[0]
    assert "申诉成立" in upheld and "OWNERSHIP_SHOWN" in upheld and 'href="/identity"' in upheld
    dismissed = listed.split('id="dispute-d0"')[1].split("</tr>")[0]
    assert (
        "申诉驳回" in dismissed
        and "证据不足以证明" in dismissed
        and 'href="/identity"' not in dismissed
    )
    assert listed.index('id="dispute-d1"') < listed.index('id="dispute-d0"')  # the latest first


@pytest.mark.parametrize(
    ("answer", "field"),
    [
        (failure(409, "NOTHING_TO_DISPUTE"), "document_number"),
        (
            httpx.Response(
                422,
                json={
                    "error": {
                        "code": "VALIDATION_FAILED",
                        "message": "",
                        "details": [
                            {
                                "loc": ["body"],
                                "msg": "this is not a resident_id number",
                                "type": "value_error",
                            }
                        ],
                    }
                },
            ),
            "document_number",
        ),
        (
            httpx.Response(
                422,
                json={
                    "error": {
                        "code": "VALIDATION_FAILED",
                        "message": "",
                        "details": [
                            {
                                "loc": ["body", "statement"],
                                "msg": "too long",
                                "type": "string_too_long",
                            }
                        ],
                    }
                },
            ),
            "statement",
        ),
        (
            httpx.Response(
                422,
                json={
                    "error": {
                        "code": "UNKNOWN_DOCUMENT",
                        "message": "",
                        "details": {"blob_id": EVIDENCE, "purpose": "dispute_evidence"},
                    }
                },
            ),
            "evidence",
        ),
    ],
)
def test_a_refused_dispute_says_why_next_to_the_field_keeping_the_statement_but_not_the_number(
    browser, services, answer, field
):
    services.answer("POST", "identity", "/v1/identities/disputes", answer)
    refused = dispute_form(browser, statement="我的证件被冒用 <b>")
    assert refused.status_code == 400
    code = json.loads(answer.content)["error"]["code"]
    assert zh(code) in refused.text.split(f'id="e-{field}"')[1].split("</p>")[0]
    assert "我的证件被冒用 &lt;b&gt;" in refused.text and NUMBER not in refused.text


def test_an_upload_the_identity_service_refuses_shows_at_the_evidence(browser, services, recorded):
    services.answer("POST", "identity", "/v1/files", failure(413, "FILE_TOO_LARGE"))
    refused = dispute_form(browser)
    assert (
        refused.status_code == 400
        and zh("FILE_TOO_LARGE") in refused.text.split('id="e-evidence"')[1]
    )
    assert recorded.sent("POST", "/v1/identities/disputes") == []


@pytest.mark.parametrize("count", [0, 11])
def test_no_evidence_or_more_than_ten_files_are_refused_before_anything_is_uploaded(
    browser, recorded, count
):
    refused = dispute_form(browser, evidence=count)
    assert refused.status_code == 400
    assert i18n.t("zh-CN", "evidence_count") in refused.text.split('id="e-evidence"')[1]
    assert (
        recorded.sent("POST", "/v1/files") == []
        and recorded.sent("POST", "/v1/identities/disputes") == []
    )


def test_without_a_bound_email_the_form_says_so_and_links_to_binding_one(browser, services):
    services.answer("POST", "identity", "/v1/identities/disputes", failure(409, "EMAIL_NOT_BOUND"))
    page = dispute_form(browser).text
    assert (
        zh("EMAIL_NOT_BOUND") in page.split('id="form-error"')[1] and 'id="bind-email-link"' in page
    )


def test_too_many_disputes_and_a_service_that_is_down_are_pages_a_person_understands(
    browser, services
):
    services.answer(
        "POST", "identity", "/v1/identities/disputes", failure(429, "TOO_MANY_ATTEMPTS")
    )
    limited = dispute_form(browser)
    assert limited.status_code == 400 and zh("TOO_MANY_ATTEMPTS") in limited.text
    services.answer("POST", "identity", "/v1/identities/disputes", failure(500, "INTERNAL_ERROR"))
    assert dispute_form(browser).status_code == 503
    services.down.add("identity")
    assert browser.get("/identities/disputes").status_code == 503


def test_another_sites_form_submits_no_dispute(browser, recorded):
    forged = browser.post(
        "/identities/disputes/new",
        data={"document_type": "resident_id", "document_number": NUMBER, "statement": "x"},
        files=[("evidence", ("e.png", PNG, "image/png"))],
    )
    assert forged.status_code == 403
    assert (
        recorded.sent("POST", "/v1/files") == []
        and recorded.sent("POST", "/v1/identities/disputes") == []
    )


def test_the_dispute_pages_need_a_signed_in_account(portal: TestClient):
    for path in ("/identities/disputes", "/identities/disputes/new"):
        response = portal.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/signin")


# -- the reviewer
# ----------------------------------------------------------------------------------------


def party(name: str, files: list[dict]) -> dict:
    return {
        "kind": "individual",
        "name": name,
        "document_type": "resident_id",
        "document_number_masked": MASKED,
        "fingerprint": "f",
        "documents": files,
    }


def queue_with_a_dispute(services: Services) -> None:
    card = {"blob_id": CARD, "purpose": "id_card_front", "media_type": "image/png", "size": 2048}
    evidence = {
        "blob_id": EVIDENCE,
        "purpose": "dispute_evidence",
        "media_type": "application/pdf",
        "size": 4096,
    }
    task = {
        "material_revision": 1,
        "complaint_ids": [],
        "checks": [],
        "created_at": "2026-12-01T08:00:00+00:00",
        "deadline_at": "2026-12-03T08:00:00Z",
        "overdue": False,
        "claimed_by": None,
    }
    services.answer(
        "GET",
        "identity",
        "/v1/reviews",
        [
            {
                **task,
                "review_id": IDENTITY_REVIEW,
                "material_type": "identity",
                "material_id": "identity-1",
            },
            {
                **task,
                "review_id": REVIEW,
                "material_type": "identity_dispute",
                "material_id": "dispute-1",
            },
        ],
    )
    services.answer(
        "GET",
        "identity",
        "/v1/reviews/reason-codes",
        {
            "identity": [{"code": "NAME_MISMATCH", "description": "name"}],
            "identity_dispute": [
                {"code": "OWNERSHIP_SHOWN", "description": "shown"},
                {"code": "EVIDENCE_INSUFFICIENT", "description": "insufficient"},
            ],
        },
    )
    services.answer(
        "GET",
        "identity",
        f"/v1/reviews/{IDENTITY_REVIEW}/material",
        {
            "identity_id": "identity-1",
            "status": "submitted",
            "revision": 1,
            "role": "holder",
            "holder": party("张三", [card]),
            "agent": None,
            "authorization": None,
            "reasons": [],
            "account_id": "acc-3",
            "files": [card],
        },
    )
    services.answer(
        "GET",
        "identity",
        f"/v1/reviews/{REVIEW}/material",
        {
            "dispute_id": "dispute-1",
            "status": "submitted",
            "document_type": "resident_id",
            "document_number_masked": MASKED,
            "reasons": [],
            "submitted_at": "2026-12-01T08:00:00Z",
            "decided_at": None,
            "material_type": "identity_dispute",
            "account_id": "owner-account",
            "statement": f"我的号码 {MASKED} 被冒用",
            "evidence": [evidence],
            "holding_identities": [
                {
                    "identity_id": "squat-1",
                    "status": "submitted",
                    "revision": 1,
                    "role": "holder",
                    "holder": party("冒用者", [card]),
                    "agent": None,
                    "authorization": None,
                    "reasons": [],
                    "account_id": "squatter-account",
                }
            ],
            "files": [evidence, card],
        },
    )


def task_html(page: str, review_id: str) -> str:
    return page.split(f'id="task-{review_id}"')[1].split("</article>")[0]


def test_a_dispute_in_identitys_queue_shows_statement_evidence_and_holders_with_its_own_codes(
    reviewer, services
):
    queue_with_a_dispute(services)
    page = reviewer.get("/reviews").text
    dispute = task_html(page, REVIEW)
    assert "证件号申诉" in dispute and f"我的号码 {MASKED} 被冒用" in dispute
    evidence, holders = dispute.split(i18n.t("zh-CN", "holding_identities"))
    assert (
        f'<iframe src="/reviews/identity/{REVIEW}/documents/{EVIDENCE}"' in evidence
    )  # the console's viewer
    assert "冒用者" in holders and MASKED in holders and 'data-identity-id="squat-1"' in holders
    assert (
        f'<img src="/reviews/identity/{REVIEW}/documents/{CARD}"' in holders
    )  # the holder's card, to compare
    assert 'value="OWNERSHIP_SHOWN"' in dispute and 'value="NAME_MISMATCH"' not in dispute
    assert "支持申诉（释放证件号）" in dispute and "驳回申诉" in dispute
    identity = task_html(page, IDENTITY_REVIEW)
    assert 'value="NAME_MISMATCH"' in identity and 'value="OWNERSHIP_SHOWN"' not in identity
    assert "证件号申诉" not in identity and "张三" in identity


def test_a_disputes_decision_goes_to_identity_with_the_chosen_code(reviewer, services, recorded):
    queue_with_a_dispute(services)
    services.answer("POST", "identity", f"/v1/reviews/{REVIEW}/decision", {"review_id": REVIEW})
    csrf = csrf_of(reviewer.get("/reviews").text)
    decided = reviewer.post(
        f"/reviews/identity/{REVIEW}/decision",
        data={
            "csrf": csrf,
            "outcome": "approved",
            "code": "OWNERSHIP_SHOWN",
            "message": "证件照片与本人一致",
        },
    )
    assert decided.status_code == 303
    [sent] = recorded.sent("POST", f"/v1/reviews/{REVIEW}/decision")
    assert json.loads(sent.content) == {
        "outcome": "approved",
        "reasons": [{"code": "OWNERSHIP_SHOWN", "message": "证件照片与本人一致"}],
    }


def test_a_reviewer_in_conflict_is_told_why_at_the_task(reviewer, services):
    queue_with_a_dispute(services)
    services.answer(
        "POST", "identity", f"/v1/reviews/{REVIEW}/decision", failure(409, "REVIEWER_CONFLICT")
    )
    csrf = csrf_of(reviewer.get("/reviews").text)
    refused = reviewer.post(
        f"/reviews/identity/{REVIEW}/decision", data={"csrf": csrf, "outcome": "approved"}
    )
    assert refused.status_code == 400 and zh("REVIEWER_CONFLICT") in task_html(refused.text, REVIEW)


def test_a_refusal_for_a_task_no_longer_listed_still_shows(reviewer, services):
    queue_with_a_dispute(services)
    services.answer(
        "POST",
        "identity",
        "/v1/reviews/00000000-0000-0000-0000-0000000000ff/claim",
        failure(409, "REVIEWER_CONFLICT"),
    )
    csrf = csrf_of(reviewer.get("/reviews").text)
    refused = reviewer.post(
        "/reviews/identity/00000000-0000-0000-0000-0000000000ff/claim", data={"csrf": csrf}
    )
    assert (
        refused.status_code == 409
        and zh("REVIEWER_CONFLICT") in refused.text.split('id="form-error"')[1]
    )


def test_a_disputes_evidence_opens_through_the_consoles_viewer(reviewer, services):
    services.answer(
        "GET",
        "identity",
        f"/v1/reviews/{REVIEW}/documents/{EVIDENCE}",
        httpx.Response(200, content=b"%PDF-1.4", headers={"content-type": "application/pdf"}),
    )
    opened = reviewer.get(f"/reviews/identity/{REVIEW}/documents/{EVIDENCE}")
    assert opened.status_code == 200 and opened.content == b"%PDF-1.4"
