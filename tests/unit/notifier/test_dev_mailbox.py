"""The development mailbox page: the SMTP sink's Maildir, newest first, only when
IPP_DEV_MAILBOX is on."""

from __future__ import annotations

import mailbox
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.notifier.main import bootstrap
from shared.kit.http.app import create_http_app
from shared.kit.settings import settings_for
from tests.unit.databases import migrated


def store(maildir: Path, subject: str, to: str, text: str) -> str:
    """Add a message as the sink does (mailbox.Maildir.add) and return its key."""
    message = EmailMessage()
    message["Subject"] = subject
    message["To"] = to
    message["From"] = "IPP <no-reply@ipp.local>"
    message["Date"], message["Message-ID"] = (
        "Sat, 28 Nov 2026 10:00:00 +0000",
        f"<{time.time_ns()}@ipp.local>",
    )
    message.set_content(text)
    message.add_alternative(f"<p>{text}</p>", subtype="html")
    key = mailbox.Maildir(maildir, create=True).add(message.as_bytes())
    time.sleep(0.002)  # keys carry the delivery time in microseconds
    return key


def client(
    data_dir: Path, env: str = "development", dev_mailbox: bool = True, **settings: object
) -> TestClient:
    chosen = settings_for(
        "notifier", data_dir=data_dir, env=env, dev_mailbox=dev_mailbox, **settings
    )
    return TestClient(create_http_app(bootstrap(migrated(chosen))))


def test_the_dev_mailbox_lists_the_sinks_mail_newest_first(tmp_path):
    store(tmp_path / "mail", "投诉成立：您的投诉 c0ffee00 已处理", "alice@example.com", "first")
    store(tmp_path / "mail", "Right expiring: <b>bold</b>", "bob@example.com", "second")

    page = client(tmp_path).get("/dev/mailbox")

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.text.index("Right expiring") < page.text.index("投诉成立：您的投诉 c0ffee00 已处理")
    assert "bob@example.com" in page.text and "Sat, 28 Nov 2026 10:00:00 +0000" in page.text
    assert "<b>bold</b>" not in page.text and "&lt;b&gt;bold&lt;/b&gt;" in page.text


def test_the_dev_mailbox_shows_one_messages_text(tmp_path):
    key = store(tmp_path / "mail", "邮箱验证码", "alice@example.com", "您的验证码为 135790")

    page = client(tmp_path).get(f"/dev/mailbox/{key}")

    assert page.status_code == 200
    assert "您的验证码为 135790" in page.text and "alice@example.com" in page.text
    assert "@ipp.local&gt;" in page.text  # the Message-ID, escaped


def test_an_unknown_message_is_not_found(tmp_path):
    store(tmp_path / "mail", "s", "alice@example.com", "t")
    assert client(tmp_path).get("/dev/mailbox/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client(tmp_path).get("/dev/mailbox/1.M2P3Q4.nohost").status_code == 404


def test_an_empty_or_missing_mailbox_says_no_mail_yet(tmp_path):
    assert "No mail yet" in client(tmp_path).get("/dev/mailbox").text


@pytest.mark.parametrize("env", ["development", "test"])
def test_the_dev_mailbox_is_off_unless_asked_for_even_in_development(tmp_path, env):
    key = store(tmp_path / "mail", "邮箱验证码", "alice@example.com", "您的验证码为 135790")
    off = client(tmp_path, env=env, dev_mailbox=False)
    for path in ("/dev/mailbox", f"/dev/mailbox/{key}"):
        page = off.get(path)
        assert page.status_code == 404 and "135790" not in page.text


def test_the_dev_mailbox_is_off_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("IPP_DEV_MAILBOX", raising=False)
    store(tmp_path / "mail", "邮箱验证码", "alice@example.com", "您的验证码为 135790")
    default = settings_for("notifier", data_dir=tmp_path)
    default = TestClient(create_http_app(bootstrap(migrated(default))))
    assert default.get("/dev/mailbox").status_code == 404


@pytest.mark.parametrize("path", ["/dev/mailbox", "/dev/mailbox/anything"])
def test_there_is_no_dev_mailbox_in_production(tmp_path, path):
    store(tmp_path / "mail", "s", "alice@example.com", "t")
    assert (
        client(tmp_path, env="production", dev_mailbox=False, secret_key="s" * 40)
        .get(path)
        .status_code
        == 404
    )
    with pytest.raises(ValueError, match="IPP_DEV_MAILBOX"):
        client(tmp_path, env="production", secret_key="s" * 40)
