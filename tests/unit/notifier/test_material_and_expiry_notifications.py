"""The notifier's rules for rejected identities and rights and for expiring rights, through
inbox and mailer."""

from __future__ import annotations

from datetime import date

from services.notifier.domain.notification import (
    IDENTITY_REJECTED,
    RIGHT_EXPIRING,
    RIGHT_REJECTED,
    VERDICT,
    Notification,
)

COMPLAINT = "c0ffee00-1111-2222-3333-444455556666"
ACCOUNT = "account-1"
ADDRESS = "alice@example.com"
IDENTITY, RIGHT = "identity-1", "right-1"
UNREADABLE = {"code": "ID_CARD_UNREADABLE", "message": "身份证照片不清晰"}


def kinds(app, subject_id: str = COMPLAINT) -> dict[str, str]:
    return {row["kind"]: row["status"] for row in app.notifications_about(subject_id)}


def a_known_complainant(deliver, contract, language: str = "zh-CN") -> None:
    deliver(contract.complaint_filed(COMPLAINT, ACCOUNT))
    deliver(contract.email_bound(ACCOUNT, ADDRESS, language))


def identity_rejected(contract):
    return contract.review_decided(
        COMPLAINT, "rejected", "identity", (UNREADABLE,), material_id=IDENTITY
    )


async def test_a_rejected_identity_is_emailed_to_the_complainant_with_what_to_fix(
    deliver, contract, mailer, smtp
):
    a_known_complainant(deliver, contract)
    deliver(identity_rejected(contract))
    await mailer.deliver_due()

    [message] = smtp.accepted
    assert message["To"] == ADDRESS and message["Subject"].startswith("身份认证未通过")
    text = message.get_body(("plain",)).get_content()
    assert "身份证照片不清晰" in text and "重新提交" in text and "另一封邮件" in text


async def test_a_rejected_right_is_emailed_in_the_language_the_account_chose(
    app, deliver, contract, mailer, smtp
):
    a_known_complainant(deliver, contract, "en")
    deliver(contract.review_decided(COMPLAINT, "rejected", "right", material_id=RIGHT))
    await mailer.deliver_due()

    [message] = smtp.accepted
    assert message["Subject"].startswith("Right not verified")
    assert kinds(app) == {RIGHT_REJECTED: "sent"}


async def test_approved_identities_and_rights_send_nothing(app, deliver, contract, mailer, smtp):
    a_known_complainant(deliver, contract)
    deliver(contract.review_decided(COMPLAINT, "approved", "identity", material_id=IDENTITY))
    deliver(contract.review_decided(COMPLAINT, "approved", "right", material_id=RIGHT))
    await mailer.deliver_due()

    assert smtp.accepted == [] and kinds(app) == {}


async def test_a_material_rejection_waits_for_the_complaint_and_address_like_a_verdict(
    app, deliver, contract, mailer, smtp
):
    deliver(identity_rejected(contract))
    assert kinds(app) == {IDENTITY_REJECTED: "waiting"}
    a_known_complainant(deliver, contract)
    await mailer.deliver_due()

    assert [m["To"] for m in smtp.accepted] == [ADDRESS]


async def test_one_email_per_rejected_material_per_complaint_however_often_it_is_decided(
    app, deliver, contract, mailer, smtp
):
    a_known_complainant(deliver, contract)
    first = deliver(identity_rejected(contract))
    deliver(identity_rejected(contract), event=first)  # redelivered: the inbox drops it
    deliver(identity_rejected(contract))  # republished under a new event id
    await mailer.deliver_due()
    deliver(identity_rejected(contract))
    await mailer.deliver_due()

    assert len(smtp.accepted) == 1
    assert (
        app.notification(
            Notification.create_id(IDENTITY_REJECTED, f"{COMPLAINT}/{IDENTITY}")
        ).version
        == 2
    )


async def test_the_verdict_after_a_rejected_identity_says_the_reasons_were_sent_separately(
    app, deliver, contract, mailer, smtp
):
    a_known_complainant(deliver, contract)
    deliver(identity_rejected(contract))
    rejected = {"code": "IDENTITY_REJECTED", "message": "The identity materials were rejected"}
    deliver(contract.review_decided(COMPLAINT, "rejected", reasons=(rejected, UNREADABLE)))
    await mailer.deliver_due()

    assert kinds(app) == {IDENTITY_REJECTED: "sent", VERDICT: "sent"}
    verdict = next(m for m in smtp.accepted if m["Subject"].startswith("投诉驳回"))
    assert "已另行发送邮件告知您" in verdict.get_body(("plain",)).get_content()


async def test_a_right_expiring_is_emailed_to_its_holder_once_per_end_of_validity(
    app, deliver, contract, mailer, smtp
):
    deliver(contract.email_bound(ACCOUNT, ADDRESS))
    deliver(contract.right_expiring(RIGHT, ACCOUNT))
    deliver(
        contract.right_expiring(RIGHT, ACCOUNT, days_left=29)
    )  # announced again: same end, nothing new
    await mailer.deliver_due()
    deliver(
        contract.right_expiring(RIGHT, ACCOUNT, valid_until=date(2036, 12, 28))
    )  # renewed, expiring again
    await mailer.deliver_due()

    assert [m["Subject"] for m in smtp.accepted] == [
        "权利即将到期：“快手”（12345678）将于 2026-12-28 到期",
        "权利即将到期：“快手”（12345678）将于 2036-12-28 到期",
    ]
    assert [(row["kind"], row["status"]) for row in app.notifications_about(RIGHT)] == [
        (RIGHT_EXPIRING, "sent")
    ] * 2


async def test_a_right_expiring_waits_until_its_holder_binds_an_address(
    app, deliver, contract, mailer, smtp
):
    deliver(contract.right_expiring(RIGHT, ACCOUNT))
    assert await mailer.deliver_due() == 0
    deliver(contract.email_bound(ACCOUNT, ADDRESS, "en"))
    await mailer.deliver_due()

    [message] = smtp.accepted
    assert message["Subject"] == 'Right expiring: "快手" (12345678) expires on 2026-12-28'
