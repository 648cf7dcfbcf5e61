"""The notifier's rules for verdicts and codes, driven through the inbox handler and the
mailer's send step."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from datetime import datetime, timedelta, timezone

import pytest

from services.notifier.adapters.public_events import public_events
from services.notifier.adapters.smtp import PermanentFailure, TransientFailure
from services.notifier.domain.address_book import BoundAddress
from services.notifier.domain.notification import EMAIL_CODE, VERDICT, Notification
from shared.events.payloads import EmailVerificationRequested
from shared.kit.keys import verification_code
from shared.kit.outbox import cloud_event

COMPLAINT = "c0ffee00-1111-2222-3333-444455556666"
ACCOUNT = "account-1"
ADDRESS = "alice@example.com"


def verdict_of(app, complaint_id: str = COMPLAINT) -> Notification | None:
    return app.notification(Notification.create_id(VERDICT, complaint_id))


def statuses(app, subject_id: str = COMPLAINT) -> list[str]:
    return [row["status"] for row in app.notifications_about(subject_id)]


@pytest.mark.parametrize("order", list(itertools.permutations(["verdict", "complaint", "address"])))
async def test_a_verdict_waits_for_the_complaint_and_the_address_then_is_sent_once(
    app, deliver, contract, mailer, smtp, order
):
    events = {
        "verdict": contract.review_decided(COMPLAINT),
        "complaint": contract.complaint_filed(COMPLAINT, ACCOUNT),
        "address": contract.email_bound(ACCOUNT, ADDRESS),
    }
    for name in order:
        assert smtp.accepted == []
        deliver(events[name])
        await mailer.deliver_due()
    await mailer.deliver_due()

    assert [m["To"] for m in smtp.accepted] == [ADDRESS]
    assert statuses(app) == ["sent"]


async def test_a_verdict_whose_address_is_unknown_stays_waiting(
    app, deliver, contract, mailer, smtp
):
    deliver(contract.complaint_filed(COMPLAINT, ACCOUNT))
    deliver(contract.review_decided(COMPLAINT))

    assert await mailer.deliver_due() == 0
    assert statuses(app) == ["waiting"]
    assert smtp.accepted == []


async def test_the_same_event_delivered_twice_creates_one_notification(
    app, deliver, contract, mailer, smtp
):
    deliver(contract.complaint_filed(COMPLAINT, ACCOUNT))
    deliver(contract.email_bound(ACCOUNT, ADDRESS))
    decided = deliver(contract.review_decided(COMPLAINT))
    deliver(contract.review_decided(COMPLAINT), event=decided)  # the inbox drops a redelivery
    await mailer.deliver_due()
    deliver(contract.review_decided(COMPLAINT))  # a republished verdict under a new event id
    await mailer.deliver_due()

    assert len(smtp.accepted) == 1
    assert verdict_of(app).version == 2  # Requested, Sent: nothing more
    assert len(app.notifications_about(COMPLAINT)) == 1


async def test_a_verdict_left_waiting_by_two_replicas_racing_is_found_by_the_sweep(
    app, deliver, contract, mailer, smtp
):
    deliver(contract.review_decided(COMPLAINT))
    deliver(contract.complaint_filed(COMPLAINT, ACCOUNT))
    # another replica bound the address without seeing the attributed verdict (not
    # yet committed there)
    app.save(BoundAddress(account_id=ACCOUNT, email=ADDRESS, language="zh-CN"))
    assert statuses(app) == ["waiting"]

    assert app.resolve_waiting() == ""  # one page covered everything
    await mailer.deliver_due()

    assert [m["To"] for m in smtp.accepted] == [ADDRESS]


async def test_the_mailer_loop_sends_what_became_ready_without_being_asked(
    app, deliver, contract, mailer, smtp
):
    loop = asyncio.create_task(mailer.run())
    try:
        deliver(contract.code_requested(ACCOUNT, "bob@example.com"))
        deadline = time.monotonic() + 10
        while not smtp.accepted and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)
    assert len(smtp.accepted) == 1


def test_only_the_complaint_decision_is_a_verdict(app, deliver, contract):
    deliver(contract.review_decided(COMPLAINT, material_type="identity"))
    deliver(contract.review_decided(COMPLAINT, material_type="right"))

    assert app.notifications_about(COMPLAINT) == []


async def test_the_verdict_is_written_in_english_when_the_account_reads_english(
    app, deliver, contract, mailer, smtp
):
    deliver(contract.email_bound(ACCOUNT, ADDRESS, language="en"))
    deliver(contract.complaint_filed(COMPLAINT, ACCOUNT))
    deliver(contract.review_decided(COMPLAINT, outcome="rejected"))
    await mailer.deliver_due()

    assert (
        smtp.accepted[0]["Subject"]
        == "Complaint rejected: your complaint c0ffee00 has been decided"
    )


async def test_the_verdict_is_written_in_simplified_chinese_by_default(
    app, deliver, contract, mailer, smtp
):
    deliver(contract.review_decided(COMPLAINT))
    deliver(contract.email_bound(ACCOUNT, ADDRESS))
    deliver(contract.complaint_filed(COMPLAINT, ACCOUNT))
    await mailer.deliver_due()

    assert smtp.accepted[0]["Subject"] == "投诉成立：您的投诉 c0ffee00 已处理"


async def test_a_verification_code_is_mailed_to_the_address_it_was_requested_for(
    app, deliver, contract, mailer, smtp
):
    request_id = "5f0c6a3e-3b1d-4c2a-9e8f-0a1b2c3d4e5f"
    code = verification_code(app.email_code_key, request_id)
    event = deliver(contract.code_requested(ACCOUNT, "bob@example.com", request_id=request_id))
    await mailer.deliver_due()

    [message] = smtp.accepted
    assert message["To"] == "bob@example.com"
    assert code in message.get_body(("plain",)).get_content()
    notification = app.notification(Notification.create_id(EMAIL_CODE, event.id))
    assert notification.status == "sent"
    assert code not in json.dumps(
        notification.content
    )  # the notifier keeps the request id, not the code


async def test_a_request_published_before_request_ids_still_gets_its_mail(
    app, deliver, contract, mailer, smtp
):
    legacy = EmailVerificationRequested.model_validate(
        {
            "account_id": ACCOUNT,
            "email": "bob@example.com",
            "code": "135790",
            "expires_at": datetime.now(timezone.utc) + timedelta(minutes=10),
        }
    )
    deliver(legacy)
    await mailer.deliver_due()

    [message] = smtp.accepted
    assert "135790" in message.get_body(("plain",)).get_content()


async def test_a_code_that_expired_before_it_could_be_sent_is_not_sent(
    app, deliver, contract, mailer, smtp
):
    event = deliver(contract.code_requested(ACCOUNT, "bob@example.com"))
    await mailer.deliver_due(now=time.time() + 3600)

    assert smtp.accepted == []
    assert app.notification(Notification.create_id(EMAIL_CODE, event.id)).status == "failed"


async def test_a_transient_failure_is_retried_later_with_backoff(
    app, deliver, contract, mailer, smtp
):
    deliver(contract.code_requested(ACCOUNT, "bob@example.com"))
    smtp.failures = [TransientFailure("451 busy"), TransientFailure("Connection refused")]
    now = time.time()
    await mailer.deliver_due(now)
    assert await mailer.deliver_due(now + 10) == 0  # not before its next attempt
    await mailer.deliver_due(now + 31)  # second failure: the wait doubles
    assert await mailer.deliver_due(now + 31 + 59) == 0
    await mailer.deliver_due(now + 31 + 61)

    assert len(smtp.accepted) == 1
    [row] = app.notifications_about(ACCOUNT)
    assert (row["status"], row["attempts"]) == ("sent", 2)


async def test_a_permanent_failure_is_recorded_as_failed_and_not_retried(
    app, deliver, contract, mailer, smtp
):
    deliver(contract.code_requested(ACCOUNT, "bob@example.com"))
    smtp.failures = [PermanentFailure("550 5.1.1 <bob@example.com>: no such user")]
    await mailer.deliver_due()
    await mailer.deliver_due(time.time() + 86400)

    [row] = app.notifications_about(ACCOUNT)
    assert row["status"] == "failed"
    assert "bob@example.com" not in row["last_error"]
    assert smtp.accepted == []


async def test_sent_and_failed_notifications_are_published_as_notification_sent(
    app, deliver, contract, mailer, smtp
):
    deliver(contract.complaint_filed(COMPLAINT, ACCOUNT))
    deliver(contract.email_bound(ACCOUNT, ADDRESS))
    decided = deliver(contract.review_decided(COMPLAINT))
    deliver(contract.code_requested(ACCOUNT, "bob@example.com"))
    smtp.refused[ADDRESS] = PermanentFailure("550 no")
    await mailer.deliver_due()

    published = [
        cloud_event("ipp/notifier", domain_event, i, public)  # as the outbox relay does
        for n in app.recorder.select_notifications(1, 100)
        for domain_event in [app.mapper.to_domain_event(n)]
        for i, public in enumerate(public_events(domain_event))
    ]
    assert {topic for topic, _ in published} == {"ipp.notification-sent.v1"}
    by_kind = {event.data["kind"]: event for _, event in published}
    assert {k: e.data["status"] for k, e in by_kind.items()} == {
        VERDICT: "failed",
        EMAIL_CODE: "sent",
    }
    verdict = by_kind[VERDICT]
    assert (
        verdict.subject
        == verdict.data["notification_id"]
        == str(Notification.create_id(VERDICT, COMPLAINT))
    )
    assert (verdict.data["subject_id"], verdict.data["account_id"]) == (COMPLAINT, ACCOUNT)
    assert (verdict.correlationid, verdict.causationid) == (COMPLAINT, decided.id)


def test_operators_see_a_notification_with_its_address_masked(app, deliver, contract):
    deliver(contract.complaint_filed(COMPLAINT, ACCOUNT))
    deliver(contract.email_bound(ACCOUNT, ADDRESS))
    deliver(contract.review_decided(COMPLAINT))

    [row] = app.notifications_about(COMPLAINT)
    assert (row["kind"], row["status"], row["recipient"]) == (
        VERDICT,
        "pending",
        "a***@example.com",
    )
    assert ADDRESS not in str(row)
