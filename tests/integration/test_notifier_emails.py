"""Every email kind, in both languages, as a real SMTP server (aiosmtpd, started
here) receives it."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from pydantic import BaseModel

from services.notifier.adapters.smtp import SmtpServer
from services.notifier.adapters.templates import EmailComposer
from services.notifier.application import NotifierApplication
from services.notifier.entrypoints.events import subscriptions
from services.notifier.entrypoints.mailer import Mailer
from shared.events.envelope import CloudEvent
from shared.events.payloads import (
    ComplaintFiled,
    EmailBound,
    EmailVerificationRequested,
    ReviewDecided,
    RightExpiring,
)
from shared.events.topics import BY_MODEL
from shared.kit.inbox import Delivery, Inbox
from shared.kit.keys import verification_code
from shared.kit.migrations import migrate
from shared.kit.settings import Settings
from tests.integration.test_notifier_smtp import Mailbox, free_port, smtp_server

COMPLAINT = "c0ffee00-1111-2222-3333-444455556666"
ACCOUNT = "account-1"
ADDRESS = "alice@example.com"
URL = "https://www.kwaixiaodian.com/item?id=100200300"
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)
BLURRED = {"code": "ID_CARD_UNREADABLE", "message": "身份证照片不清晰"}
REQUEST_ID = "5f0c6a3e-3b1d-4c2a-9e8f-0a1b2c3d4e5f"
CODE = verification_code(
    Settings(service="notifier").key("email-codes"), REQUEST_ID
)  # what the notifier derives


class Inbound:
    """Contract events applied as the kit's inbox applies them: one transaction,
    deduplicated on the event id."""

    def __init__(self, app: NotifierApplication) -> None:
        self.inbox = Inbox(
            app,
            producer=None,
            kafka={},
            group="ipp-notifier",  # type: ignore[arg-type]
            topics=subscriptions.topics,
            handler=subscriptions.bind(app),
        )

    def __call__(self, *payloads: BaseModel, event: CloudEvent | None = None) -> list[CloudEvent]:
        events = []
        for payload in payloads:
            contract = BY_MODEL[type(payload)]
            events.append(
                event
                or CloudEvent(
                    id=str(uuid.uuid4()),
                    source="ipp/complaints",
                    type=contract.type,
                    subject=str(getattr(payload, contract.subject_field)),
                    time=NOW,
                    data=payload.model_dump(mode="json"),
                )
            )
            record = SimpleNamespace(topic=contract.topic, partition=0, offset=0)
            self.inbox.apply([Delivery(record, events[-1], payload)])  # type: ignore[arg-type]
        return events


def complaint_filed(complaint_id: str, account_id: str) -> ComplaintFiled:
    return ComplaintFiled(
        complaint_id=complaint_id,
        account_id=account_id,
        identity_id="identity-1",
        right_id="right-1",
        right_type="trademark",
        infringement_type="counterfeit",
        targets=[{"target_id": "t0", "url": URL, "listing_id": None, "shop_id": None}],
        description="fakes",
        evidence=[],
        requested_action="takedown",
        filed_at=NOW,
    )


def email_bound(account_id: str, email: str, language: str = "zh-CN") -> EmailBound:
    return EmailBound(account_id=account_id, email=email, language=language, bound_at=NOW)


def decided(
    complaint_id: str,
    material_type: str,
    outcome: str,
    reasons: list[dict],
    verdict_targets: list[dict] | None = None,
) -> ReviewDecided:
    verdict = (
        {"right_id": "right-1", "right_type": "trademark", "targets": verdict_targets}
        if verdict_targets is not None
        else None
    )
    material_id = {"identity": "identity-1", "right": "right-1"}.get(material_type, complaint_id)
    return ReviewDecided(
        review_id=str(uuid.uuid4()),
        complaint_id=complaint_id,
        material_type=material_type,
        material_id=material_id,
        material_revision=1,
        outcome=outcome,
        reasons=reasons,
        decided_by={"kind": "reviewer", "reviewer_id": "r-1"},
        reused_decision_id=None,
        decided_at=NOW,
        verdict=verdict,
    )


def verdict(complaint_id: str, outcome: str, reasons: tuple[dict, ...] = ()) -> ReviewDecided:
    action = "takedown" if outcome == "approved" else "none"
    targets = [
        {
            "target_id": "t0",
            "url": URL,
            "listing_id": "100200300",
            "shop_id": None,
            "action": action,
        }
    ]
    return decided(complaint_id, "complaint", outcome, list(reasons), targets)


SCENARIOS = {
    "verdict upheld": [
        verdict(COMPLAINT, "approved", ({"code": "MATERIALS_VALID", "message": "材料真实有效"},))
    ],
    "verdict rejected": [
        verdict(
            COMPLAINT, "rejected", ({"code": "IDENTITY_REJECTED", "message": "见身份审核"}, BLURRED)
        )
    ],
    "identity rejected": [decided(COMPLAINT, "identity", "rejected", [BLURRED])],
    "right rejected": [
        decided(
            COMPLAINT,
            "right",
            "rejected",
            [{"code": "CERTIFICATE_MISSING", "message": "缺少商标注册证"}],
        )
    ],
    "email code": [
        EmailVerificationRequested(
            account_id=ACCOUNT,
            email=ADDRESS,
            request_id=REQUEST_ID,
            expires_at=datetime.now(timezone.utc) + timedelta(minutes=10),
        )
    ],
    "right expiring": [
        RightExpiring(
            right_id="right-1",
            account_id=ACCOUNT,
            title="快手",
            registration_number="12345678",
            valid_until=date(2026, 12, 28),
            days_left=30,
        )
    ],
}
EXPECTED = {  # (scenario, language): subject start, phrases in both parts
    ("verdict upheld", "zh-CN"): ("投诉成立：", ("材料真实有效", URL, "下架")),
    ("verdict upheld", "en"): ("Complaint upheld:", ("材料真实有效", URL, "take down")),
    ("verdict rejected", "zh-CN"): (
        "投诉驳回：",
        ("身份证照片不清晰", "不予处理", "身份认证未通过：投诉 c0ffee00"),
    ),
    ("verdict rejected", "en"): (
        "Complaint rejected:",
        ("身份证照片不清晰", "no action", "Identity not verified"),
    ),
    ("identity rejected", "zh-CN"): (
        "身份认证未通过：",
        ("身份证照片不清晰", "“身份认证”", "重新提交", "另一封邮件"),
    ),
    ("identity rejected", "en"): (
        "Identity not verified:",
        ("身份证照片不清晰", '"Identity"', "separate email"),
    ),
    ("right rejected", "zh-CN"): (
        "权利认证未通过：",
        ("缺少商标注册证", "我的权利", "重新提交", "另一封邮件"),
    ),
    ("right rejected", "en"): (
        "Right not verified:",
        ("缺少商标注册证", "My rights", "amended", "separate email"),
    ),
    ("email code", "zh-CN"): ("知识产权保护平台邮箱验证码", (CODE, "北京时间")),
    ("email code", "en"): ("Your IP protection platform verification code", (CODE, "UTC")),
    ("right expiring", "zh-CN"): (
        "权利即将到期：“快手”（12345678）将于 2026-12-28 到期",
        ("30 天", "添加权利"),
    ),
    ("right expiring", "en"): (
        'Right expiring: "快手" (12345678) expires on 2026-12-28',
        ("30 days", "Add right"),
    ),
}


@pytest.fixture
def app(tmp_path) -> NotifierApplication:
    app = NotifierApplication(
        env={
            "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
            "SQLALCHEMY_URL": f"sqlite:///{tmp_path}/n.sqlite",
        }
    )
    migrate(app.engine, "notifier")
    return app


@pytest.mark.parametrize(("scenario", "language"), list(EXPECTED))
async def test_each_email_reaches_the_account_in_its_language_with_what_happened(
    app, scenario, language
):
    mailbox, port = Mailbox(), free_port()
    Inbound(app)(
        email_bound(ACCOUNT, ADDRESS, language),
        complaint_filed(COMPLAINT, ACCOUNT),
        *SCENARIOS[scenario],
    )
    mailer = Mailer(
        app,
        SmtpServer.from_url(f"smtp://127.0.0.1:{port}", timeout=5.0),
        EmailComposer("IPP <no-reply@ipp.local>"),
    )
    with smtp_server(port, mailbox):
        await mailer.deliver_due()

    [(recipients, message)] = mailbox.messages
    subject, phrases = EXPECTED[(scenario, language)]
    assert recipients == [ADDRESS] and message["Subject"].startswith(subject)
    for part in (message.get_body(("plain",)), message.get_body(("html",))):
        body = part.get_content()
        assert all(phrase in body for phrase in phrases), (scenario, language, body)
