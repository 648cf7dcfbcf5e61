"""The notifier's domain rules and SMTP settings, without a database or a server."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from aiosmtplib import (
    SMTPAuthenticationError,
    SMTPConnectError,
    SMTPDataError,
    SMTPRecipientRefused,
    SMTPRecipientsRefused,
    SMTPSenderRefused,
)

from services.notifier.adapters.smtp import PermanentFailure, SmtpServer, TransientFailure, classify
from services.notifier.domain.address_book import (
    language_or_default,
    mask_address,
    redact_addresses,
)
from services.notifier.domain.notification import (
    EMAIL_CODE,
    VERDICT,
    Letter,
    Notification,
    NotificationFinished,
    retry_delay,
)


def a_verdict(recipient: str | None = None) -> Notification:
    return Notification(
        kind=VERDICT,
        key="complaint-1",
        subject_id="complaint-1",
        account_id=None,
        recipient=recipient,
        language="zh-CN",
        content={},
        correlation_id=None,
        causation_id=None,
    )


def test_a_notification_id_is_derived_from_its_kind_and_key():
    assert Notification.create_id(VERDICT, "complaint-1") == a_verdict().id
    assert Notification.create_id(VERDICT, "complaint-1") != Notification.create_id(
        EMAIL_CODE, "complaint-1"
    )


def test_a_notification_waits_until_it_is_addressed_then_is_pending():
    notification = a_verdict()
    assert notification.status == "waiting"
    notification.attribute_to("account-1")
    notification.address("alice@example.com", "en")
    assert (notification.status, notification.account_id, notification.language) == (
        "pending",
        "account-1",
        "en",
    )


def test_a_notification_is_addressed_once():
    notification = a_verdict("alice@example.com")
    notification.address("mallory@example.com", "en")
    assert notification.recipient == "alice@example.com"


def test_a_sent_notification_takes_no_further_outcome():
    notification = a_verdict("alice@example.com")
    notification.mark_sent()
    with pytest.raises(NotificationFinished):
        notification.mark_failed("550 late")
    with pytest.raises(NotificationFinished):
        notification.defer("451 late", 0.0)


def test_each_transient_failure_doubles_the_wait_up_to_an_hour():
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [30.0, 60.0, 120.0, 240.0]
    assert retry_delay(50) == 3600.0
    notification = a_verdict("alice@example.com")
    notification.defer("451 busy", now=1000.0)
    notification.defer("451 busy", now=1030.0)
    assert (notification.attempts, notification.retry_at, notification.status) == (
        2,
        1090.0,
        "pending",
    )


def test_a_code_letter_expires_with_its_code():
    expires_at = datetime(2026, 11, 28, 10, 10, tzinfo=timezone.utc)
    letter = Letter(
        Notification.create_id(EMAIL_CODE, "e"),
        EMAIL_CODE,
        "a@example.com",
        "zh-CN",
        {"code": "1", "expires_at": expires_at.isoformat()},
    )
    assert not letter.expired((expires_at - timedelta(seconds=1)).timestamp())
    assert letter.expired(expires_at.timestamp())


def test_an_address_is_shown_masked():
    assert mask_address("alice@example.com") == "a***@example.com"
    assert mask_address(None) is None
    assert (
        redact_addresses("550 5.1.1 <alice@example.com>: unknown")
        == "550 5.1.1 <a***@example.com>: unknown"
    )


def test_english_is_chosen_only_when_asked_for():
    assert [language_or_default(x) for x in ("en", "zh-CN", None, "fr")] == [
        "en",
        "zh-CN",
        "zh-CN",
        "zh-CN",
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://127.0.0.1:1025", SmtpServer("127.0.0.1", 1025)),
        ("smtp://mail.example.com", SmtpServer("mail.example.com", 25)),
        (
            "smtps://u%40x:p%3Aw@mail.example.com",
            SmtpServer("mail.example.com", 465, "u@x", "p:w", use_tls=True),
        ),
        (
            "smtp://u:pw@mail.example.com?starttls=1",
            SmtpServer("mail.example.com", 587, "u", "pw", start_tls=True),
        ),
    ],
)
def test_the_smtp_url_names_server_credentials_and_tls(url, expected):
    assert SmtpServer.from_url(url) == expected


def test_an_smtp_url_must_be_smtp():
    with pytest.raises(ValueError):
        SmtpServer.from_url("http://127.0.0.1:1025")


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (ConnectionRefusedError(111, "Connection refused"), TransientFailure),
        (SMTPConnectError("Error connecting to 127.0.0.1 on port 1025"), TransientFailure),
        (SMTPDataError(451, "try again later"), TransientFailure),
        (SMTPDataError(554, "message rejected"), PermanentFailure),
        (SMTPSenderRefused(550, "sender rejected", "no-reply@ipp.local"), PermanentFailure),
        (
            SMTPRecipientsRefused([SMTPRecipientRefused(550, "no such user", "a@example.com")]),
            PermanentFailure,
        ),
        (
            SMTPRecipientsRefused([SMTPRecipientRefused(450, "mailbox busy", "a@example.com")]),
            TransientFailure,
        ),
        (
            SMTPAuthenticationError(535, "bad credentials"),
            TransientFailure,
        ),  # fix the settings: the mail waits
    ],
)
def test_5xx_replies_are_permanent_and_everything_else_is_transient(error, kind):
    assert isinstance(classify(error), kind)
