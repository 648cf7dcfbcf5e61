"""What the emails say: subject, outcome, reasons, per-listing actions, redress; both
parts; both languages."""

from __future__ import annotations

import uuid

import pytest

from services.notifier.adapters.templates import EmailComposer
from services.notifier.domain.notification import (
    EMAIL_CODE,
    IDENTITY_REJECTED,
    RIGHT_EXPIRING,
    RIGHT_REJECTED,
    VERDICT,
    Letter,
    Notification,
)

COMPLAINT = "c0ffee00-1111-2222-3333-444455556666"
URL = "https://www.kwaixiaodian.com/item?id=100200300"


def verdict_letter(
    outcome: str = "approved", language: str = "zh-CN", reasons: list | None = None
) -> Letter:
    context = {
        "complaint_id": COMPLAINT,
        "outcome": outcome,
        "decided_at": "2026-11-28T10:00:00+00:00",
        "reasons": reasons or [],
        "targets": [{"url": URL, "action": "takedown" if outcome == "approved" else "none"}],
    }
    return Letter(
        Notification.create_id(VERDICT, COMPLAINT), VERDICT, "alice@example.com", language, context
    )


def parts(message) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


@pytest.fixture
def composer() -> EmailComposer:
    return EmailComposer("IPP <no-reply@ipp.local>")


@pytest.mark.parametrize(
    ("outcome", "language", "subject"),
    [
        ("approved", "zh-CN", "投诉成立：您的投诉 c0ffee00 已处理"),
        ("rejected", "zh-CN", "投诉驳回：您的投诉 c0ffee00 已处理"),
        ("approved", "en", "Complaint upheld: your complaint c0ffee00 has been decided"),
        ("rejected", "en", "Complaint rejected: your complaint c0ffee00 has been decided"),
    ],
)
def test_the_verdict_subject_says_what_happened(composer, outcome, language, subject):
    assert composer.compose(verdict_letter(outcome, language))["Subject"] == subject


def test_the_verdict_body_gives_outcome_reasons_actions_and_redress_in_both_parts(composer):
    reasons = [{"code": "RIGHT_EXPIRED", "message": "商标注册已过有效期"}]
    message = composer.compose(verdict_letter("rejected", reasons=reasons))
    for body in parts(message):
        assert "投诉驳回" in body and COMPLAINT in body
        assert "RIGHT_EXPIRED" in body and "商标注册已过有效期" in body
        assert URL in body and "不予处理" in body
        assert "如对处理结果有异议" in body
        assert "2026-11-28 18:00（北京时间）" in body


def test_the_english_verdict_names_the_action_for_each_listing(composer):
    text, html = parts(composer.compose(verdict_letter("approved", "en")))
    assert f"{URL}: take down" in text
    assert "take down" in html and "If you disagree with this decision" in html
    assert "2026-11-28 10:00 UTC" in text


def test_a_reviewers_text_is_escaped_in_the_html_part(composer):
    reasons = [{"code": "OTHER", "message": "<script>alert(1)</script>"}]
    text, html = parts(composer.compose(verdict_letter("rejected", reasons=reasons)))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<script>alert(1)</script>" in text


def test_the_message_id_is_derived_from_the_notification(composer):
    letter = verdict_letter()
    assert composer.compose(letter)["Message-ID"] == f"<{letter.notification_id}@ipp.local>"
    assert composer.compose(letter)["Message-ID"] == composer.compose(letter)["Message-ID"]


@pytest.mark.parametrize(
    ("language", "expiry"),
    [("zh-CN", "2026-11-28 18:10（北京时间）"), ("en", "2026-11-28 10:10 UTC")],
)
def test_the_code_email_gives_the_code_and_its_expiry(composer, language, expiry):
    letter = Letter(
        uuid.uuid4(),
        EMAIL_CODE,
        "bob@example.com",
        language,
        {"code": "135790", "expires_at": "2026-11-28T10:10:00+00:00"},
    )
    message = composer.compose(letter)
    assert message["To"] == "bob@example.com"
    for body in parts(message):
        assert "135790" in body and expiry in body


MATERIAL = {
    "complaint_id": COMPLAINT,
    "material_id": "right-1",
    "material_revision": 2,
    "decided_at": "2026-11-28T10:00:00+00:00",
    "reasons": [{"code": "CERTIFICATE_MISSING", "message": "缺少商标注册证"}],
}
EXPIRING = {
    "right_id": "right-1",
    "title": "快手",
    "registration_number": "12345678",
    "valid_until": "2026-12-28",
    "days_left": 30,
}


@pytest.mark.parametrize(
    ("kind", "language", "context", "subject"),
    [
        (
            IDENTITY_REJECTED,
            "zh-CN",
            MATERIAL,
            "身份认证未通过：投诉 c0ffee00 的身份材料被驳回，请修改后重新提交",
        ),
        (
            IDENTITY_REJECTED,
            "en",
            MATERIAL,
            "Identity not verified: the identity materials of your complaint c0ffee00 "
            "were rejected; correct and resubmit them",
        ),
        (
            RIGHT_REJECTED,
            "zh-CN",
            MATERIAL,
            "权利认证未通过：投诉 c0ffee00 所依据的权利材料被驳回，请修改后重新提交",
        ),
        (
            RIGHT_REJECTED,
            "en",
            MATERIAL,
            "Right not verified: the right your complaint c0ffee00 relies on was rejected; "
            "amend and resubmit it",
        ),
        (RIGHT_EXPIRING, "zh-CN", EXPIRING, "权利即将到期：“快手”（12345678）将于 2026-12-28 到期"),
        (RIGHT_EXPIRING, "en", EXPIRING, 'Right expiring: "快手" (12345678) expires on 2026-12-28'),
    ],
)
def test_every_subject_says_what_happened(composer, kind, language, context, subject):
    assert (
        composer.compose(Letter(uuid.uuid4(), kind, "a@example.com", language, context))["Subject"]
        == subject
    )


@pytest.mark.parametrize(
    ("kind", "language", "expected"),
    [
        (
            IDENTITY_REJECTED,
            "zh-CN",
            ("缺少商标注册证", "“身份认证”", "重新提交", "不能成立", "另一封邮件"),
        ),
        (
            IDENTITY_REJECTED,
            "en",
            (
                "缺少商标注册证",
                '"Identity"',
                "submit them again",
                "cannot be upheld",
                "separate email",
            ),
        ),
        (
            RIGHT_REJECTED,
            "zh-CN",
            ("缺少商标注册证", "right-1", "“权利认证 - 我的权利”", "重新提交", "另一封邮件"),
        ),
        (
            RIGHT_REJECTED,
            "en",
            ("缺少商标注册证", "right-1", '"Rights - My rights"', "amended", "separate email"),
        ),
    ],
)
def test_a_material_rejection_gives_reasons_what_to_fix_and_its_effect_on_the_complaint(
    composer, kind, language, expected
):
    for body in parts(
        composer.compose(Letter(uuid.uuid4(), kind, "a@example.com", language, MATERIAL))
    ):
        assert all(phrase in body for phrase in expected), body


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-CN", ("2026-12-28", "30 天", "已过期", "添加权利")),
        ("en", ("2026-12-28", "30 days", "expired", "Add right")),
    ],
)
def test_the_expiry_reminder_names_the_right_its_end_and_what_to_do(composer, language, expected):
    for body in parts(
        composer.compose(Letter(uuid.uuid4(), RIGHT_EXPIRING, "a@example.com", language, EXPIRING))
    ):
        assert "快手" in body and "12345678" in body and all(phrase in body for phrase in expected)


@pytest.mark.parametrize(
    ("language", "told"),
    [
        ("zh-CN", "身份认证未通过：投诉 c0ffee00"),
        ("en", "Identity not verified: … complaint c0ffee00"),
    ],
)
def test_a_verdict_after_a_material_rejection_points_to_the_email_that_said_what_to_fix(
    composer, language, told
):
    letter = verdict_letter(
        "rejected", language, [{"code": "IDENTITY_REJECTED", "message": "rejected"}]
    )
    letter.context["rejected_materials"] = ["identity"]
    for body in parts(composer.compose(letter)):
        assert told in body


def test_a_verdict_without_rejected_materials_does_not_mention_other_emails(composer):
    for body in parts(composer.compose(verdict_letter("rejected"))):
        assert "另行发送邮件" not in body
