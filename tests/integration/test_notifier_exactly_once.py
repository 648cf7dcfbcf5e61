"""Exactly-once email against a real SMTP server (aiosmtpd, started here):
redeliveries and a crash."""

from __future__ import annotations

import sqlite3
import time
import uuid

import pytest

from services.notifier.adapters.smtp import SmtpServer
from services.notifier.adapters.templates import EmailComposer
from services.notifier.application import NotifierApplication
from services.notifier.domain.notification import VERDICT, Notification
from services.notifier.entrypoints.mailer import Mailer
from shared.kit.migrations import migrate
from tests.integration.test_notifier_emails import Inbound, complaint_filed, email_bound, verdict
from tests.integration.test_notifier_smtp import Mailbox, free_port, smtp_server

COMPLAINT = "c0ffee00-1111-2222-3333-444455556666"
ACCOUNT = "account-1"
ADDRESS = "alice@example.com"


class KilledBetweenSendAndCommit(Exception):
    pass


class DiesBeforeRecordingSent:
    """The notifier's application in a process that dies after the server accepted,
    before Sent is stored."""

    def __init__(self, app: NotifierApplication) -> None:
        self.app = app

    def __getattr__(self, name: str):
        return getattr(self.app, name)

    def record_sent(self, notification_id: uuid.UUID) -> None:
        raise KilledBetweenSendAndCommit(str(notification_id))


class StopsAnsweringAfterTheFirstSend:
    """The notifier's application while its database stops answering writes for `seconds` once
    the first message is out (SQLite under another writer's lock: reads still answer)."""

    def __init__(self, app: NotifierApplication, seconds: float) -> None:
        self.app, self.seconds, self.until = app, seconds, None

    def __getattr__(self, name: str):
        return getattr(self.app, name)

    def record_sent(self, notification_id: uuid.UUID) -> None:
        self.until = self.until or time.monotonic() + self.seconds
        if time.monotonic() < self.until:
            raise sqlite3.OperationalError("database is locked")
        self.app.record_sent(notification_id)


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
def server() -> SmtpServer:
    return SmtpServer.from_url(f"smtp://127.0.0.1:{free_port()}", timeout=5.0)


def a_mailer(app, server: SmtpServer) -> Mailer:
    return Mailer(app, server, EmailComposer("IPP <no-reply@ipp.local>"))


def three_verdicts(app: NotifierApplication) -> list[str]:
    """Three complaints of one bound complainant, each decided: three verdict emails due."""
    inbound, complaints = Inbound(app), [str(uuid.uuid4()) for _ in range(3)]
    inbound(email_bound(ACCOUNT, ADDRESS))
    for complaint in complaints:
        inbound(complaint_filed(complaint, ACCOUNT), verdict(complaint, "approved"))
    return complaints


def status(app: NotifierApplication) -> str:
    return app.notification(Notification.create_id(VERDICT, COMPLAINT)).status


async def test_the_same_verdict_delivered_twice_is_mailed_once(app, server):
    mailbox, inbound = Mailbox(), Inbound(app)
    inbound(complaint_filed(COMPLAINT, ACCOUNT), email_bound(ACCOUNT, ADDRESS))
    [event] = inbound(verdict(COMPLAINT, "approved"))
    inbound(verdict(COMPLAINT, "approved"), event=event)  # the same record again
    inbound(verdict(COMPLAINT, "approved"))  # republished under a new event id
    with smtp_server(server.port, mailbox):
        await a_mailer(app, server).deliver_due()
        await a_mailer(app, server).deliver_due(time.time() + 86400)

    assert len(mailbox.messages) == 1 and status(app) == "sent"


async def test_a_notifier_killed_between_send_and_commit_sends_one_extra_copy_with_the_same_message_id(  # noqa: E501
    app, server
):
    mailbox, inbound = Mailbox(), Inbound(app)
    inbound(
        complaint_filed(COMPLAINT, ACCOUNT),
        email_bound(ACCOUNT, ADDRESS),
        verdict(COMPLAINT, "approved"),
    )
    now = time.time()
    with smtp_server(server.port, mailbox):
        await a_mailer(DiesBeforeRecordingSent(app), server).deliver_due(now)
        assert (
            len(mailbox.messages) == 1 and status(app) == "pending"
        )  # accepted, but Sent never stored

        restarted = a_mailer(app, server)
        assert await restarted.deliver_due(now + 1) == 0  # the dead mailer's lease still holds it
        await restarted.deliver_due(now + restarted.lease + 1)
        await restarted.deliver_due(now + 86400)

    first, second = (message for _, message in mailbox.messages)
    assert (
        first["Message-ID"]
        == second["Message-ID"]
        == f"<{Notification.create_id(VERDICT, COMPLAINT)}@ipp.local>"
    )
    assert status(app) == "sent"


async def test_an_event_redelivered_after_the_sent_record_sends_nothing(app, server):
    mailbox, inbound = Mailbox(), Inbound(app)
    inbound(complaint_filed(COMPLAINT, ACCOUNT), email_bound(ACCOUNT, ADDRESS))
    [event] = inbound(verdict(COMPLAINT, "approved"))
    with smtp_server(server.port, mailbox):
        await a_mailer(app, server).deliver_due()
        assert status(app) == "sent"
        inbound(verdict(COMPLAINT, "approved"), event=event)
        inbound(verdict(COMPLAINT, "approved"))
        inbound(complaint_filed(COMPLAINT, ACCOUNT), email_bound(ACCOUNT, ADDRESS))
        assert await a_mailer(app, server).deliver_due(time.time() + 86400) == 0

    assert len(mailbox.messages) == 1


async def test_a_database_that_stops_answering_longer_than_the_lease_mid_batch_doubles_no_email(
    app, server
):
    mailbox, complaints = Mailbox(), three_verdicts(app)
    with smtp_server(server.port, mailbox):
        mailer = Mailer(
            StopsAnsweringAfterTheFirstSend(app, seconds=2.0),
            server,
            EmailComposer("IPP <no-reply@ipp.local>"),
            lease=0.5,
        )
        assert await mailer.deliver_due() == 3  # one batch claims all three
        await a_mailer(app, server).deliver_due(time.time() + 86400)  # every lease long past

    ids = [message["Message-ID"] for _, message in mailbox.messages]
    assert len(ids) == 3 and len(set(ids)) == 3, "a message went out twice"
    statuses = {
        app.notification(Notification.create_id(VERDICT, complaint)).status
        for complaint in complaints
    }
    assert statuses == {"sent"}


class OneLetterBroken:
    """The notifier's application with one notification that fails for its own reasons."""

    def __init__(self, app: NotifierApplication, broken: uuid.UUID) -> None:
        self.app, self.broken = app, broken

    def __getattr__(self, name: str):
        return getattr(self.app, name)

    def letter(self, notification_id: uuid.UUID):
        if notification_id == self.broken:
            raise ValueError("a template that cannot render this one")
        return self.app.letter(notification_id)


async def test_a_message_that_fails_for_its_own_reasons_does_not_hold_back_the_rest_of_its_batch(
    app, server
):
    mailbox, complaints = Mailbox(), three_verdicts(app)
    broken = Notification.create_id(VERDICT, complaints[0])
    with smtp_server(server.port, mailbox):
        assert await a_mailer(OneLetterBroken(app, broken), server).deliver_due() == 3

    assert len(mailbox.messages) == 2
    assert app.notification(broken).status == "pending"  # its lease brings it back
