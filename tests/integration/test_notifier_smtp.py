"""The notifier's mailer against a real SMTP server (aiosmtpd, started here):
delivered, retried, failed."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from prometheus_client import REGISTRY

from services.notifier.adapters.smtp import SmtpServer
from services.notifier.adapters.templates import EmailComposer
from services.notifier.application import NotifierApplication
from services.notifier.entrypoints.events import subscriptions
from services.notifier.entrypoints.mailer import Mailer
from shared.events.envelope import CloudEvent
from shared.events.payloads import ComplaintFiled, EmailBound, ReviewDecided
from shared.events.topics import BY_MODEL
from shared.kit.inbox import Delivery
from shared.kit.migrations import migrate

COMPLAINT = "c0ffee00-1111-2222-3333-444455556666"
ACCOUNT = "account-1"
ADDRESS = "alice@example.com"
URL = "https://www.kwaixiaodian.com/item?id=100200300"
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts, or answers RCPT with the
    reply it is told to."""

    def __init__(self) -> None:
        self.messages: list = []
        self.rcpt_reply: str | None = None
        self.refused: dict[str, str] = {}  # address -> the reply to its RCPT
        self.connections: list = []  # each SMTP session (one per connection) that sent RCPT

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not any(known is session for known in self.connections):
            self.connections.append(session)
        if self.rcpt_reply or address in self.refused:
            return self.rcpt_reply or self.refused[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(port: int, mailbox: Mailbox) -> Iterator[None]:
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield
    finally:
        controller.stop()


def deliver(app: NotifierApplication, *payloads) -> None:
    handler = subscriptions.bind(app)
    for payload in payloads:
        contract = BY_MODEL[type(payload)]
        event = CloudEvent(
            id=str(uuid.uuid4()),
            source="ipp/complaints",
            type=contract.type,
            subject=str(getattr(payload, contract.subject_field)),
            time=NOW,
            data=payload.model_dump(mode="json"),
        )
        handler(None, Delivery(None, event, payload))  # type: ignore[arg-type]


def a_decided_complaint(
    app: NotifierApplication,
    complaint: str = COMPLAINT,
    account: str = ACCOUNT,
    address: str = ADDRESS,
) -> None:
    deliver(
        app,
        ReviewDecided(
            review_id=str(uuid.uuid4()),
            complaint_id=complaint,
            material_type="complaint",
            material_id=complaint,
            material_revision=1,
            outcome="approved",
            reasons=[{"code": "MATERIALS_VALID", "message": "材料真实有效"}],
            decided_by={"kind": "reviewer", "reviewer_id": "r-1"},
            reused_decision_id=None,
            decided_at=NOW,
            verdict={
                "right_id": "right-1",
                "right_type": "trademark",
                "targets": [
                    {
                        "target_id": "t0",
                        "url": URL,
                        "listing_id": "100200300",
                        "shop_id": None,
                        "action": "takedown",
                    }
                ],
            },
        ),
        ComplaintFiled(
            complaint_id=complaint,
            account_id=account,
            identity_id="i-1",
            right_id="right-1",
            right_type="trademark",
            infringement_type="counterfeit",
            targets=[{"target_id": "t0", "url": URL, "listing_id": None, "shop_id": None}],
            description="fakes",
            evidence=[],
            requested_action="takedown",
            filed_at=NOW,
        ),
        EmailBound(account_id=account, email=address, language="zh-CN", bound_at=NOW),
    )


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


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def mailer(app, port) -> Mailer:
    server = SmtpServer.from_url(f"smtp://127.0.0.1:{port}", timeout=5.0)
    return Mailer(app, server, EmailComposer("IPP <no-reply@ipp.local>"))


def the_verdict(app: NotifierApplication) -> dict:
    [row] = app.notifications_about(COMPLAINT)
    return row


async def test_a_verdict_reaches_the_complainant_as_one_email_with_text_and_html(app, port, mailer):
    mailbox = Mailbox()
    a_decided_complaint(app)
    with smtp_server(port, mailbox):
        await mailer.deliver_due()
        await mailer.deliver_due(time.time() + 86400)

    [(recipients, message)] = mailbox.messages
    assert recipients == [ADDRESS] and message["To"] == ADDRESS
    assert message["Subject"] == "投诉成立：您的投诉 c0ffee00 已处理"
    assert message["Message-ID"] == f"<{the_verdict(app)['notification_id']}@ipp.local>"
    assert message.get_content_type() == "multipart/alternative"
    text, html = (
        message.get_body(("plain",)).get_content(),
        message.get_body(("html",)).get_content(),
    )
    for body in (text, html):
        assert "投诉成立" in body and "MATERIALS_VALID" in body and URL in body and "下架" in body
    assert the_verdict(app)["status"] == "sent"


async def test_a_refused_connection_is_retried_and_delivered_once_the_server_is_back(
    app, port, mailer
):
    mailbox = Mailbox()
    a_decided_complaint(app)
    now = time.time()
    await mailer.deliver_due(now)  # nobody listens on the port yet
    assert (the_verdict(app)["status"], the_verdict(app)["attempts"]) == ("pending", 1)

    with smtp_server(port, mailbox):
        assert await mailer.deliver_due(now + 5) == 0  # backing off
        await mailer.deliver_due(now + 31)
        await mailer.deliver_due(now + 86400)

    assert len(mailbox.messages) == 1
    assert the_verdict(app)["status"] == "sent"


async def test_a_4xx_reply_is_retried_and_delivered_once_the_server_accepts(app, port, mailer):
    mailbox = Mailbox()
    mailbox.rcpt_reply = "451 4.3.0 Mailbox temporarily unavailable"
    a_decided_complaint(app)
    now = time.time()
    with smtp_server(port, mailbox):
        await mailer.deliver_due(now)
        assert the_verdict(app)["status"] == "pending" and "451" in the_verdict(app)["last_error"]
        mailbox.rcpt_reply = None
        await mailer.deliver_due(now + 31)
        await mailer.deliver_due(now + 86400)

    assert len(mailbox.messages) == 1
    assert (the_verdict(app)["status"], the_verdict(app)["attempts"]) == ("sent", 1)


async def test_a_5xx_reply_is_recorded_as_failed_counted_and_not_retried(app, port, mailer):
    mailbox = Mailbox()
    mailbox.rcpt_reply = f"550 5.1.1 <{ADDRESS}>: Recipient address rejected"
    a_decided_complaint(app)
    labels = {"kind": "verdict", "result": "failed"}
    failed_before = REGISTRY.get_sample_value("ipp_notifications_total", labels) or 0.0
    with smtp_server(port, mailbox):
        await mailer.deliver_due()
        mailbox.rcpt_reply = None
        await mailer.deliver_due(time.time() + 86400)

    assert mailbox.messages == []
    row = the_verdict(app)
    assert (
        row["status"] == "failed"
        and "550" in row["last_error"]
        and ADDRESS not in row["last_error"]
    )
    assert REGISTRY.get_sample_value("ipp_notifications_total", labels) == failed_before + 1


async def test_a_batch_of_emails_goes_out_on_one_connection_and_a_refusal_does_not_hold_the_rest(
    app, port, mailer
):
    mailbox = Mailbox()
    addresses = [f"holder-{n}@example.com" for n in range(4)]
    mailbox.refused[addresses[1]] = "550 5.1.1 Recipient address rejected"
    for n, address in enumerate(addresses):
        a_decided_complaint(app, str(uuid.UUID(int=n + 1)), f"account-{n}", address)
    with smtp_server(port, mailbox):
        assert await mailer.deliver_due() == 4
        await mailer.deliver_due(time.time() + 86400)

    assert sorted(rcpt for rcpts, _ in mailbox.messages for rcpt in rcpts) == sorted(
        a for a in addresses if a != addresses[1]
    )
    # one connection for the batch; the refusal drops it and the rest go out on a second
    assert len(mailbox.connections) == 2
