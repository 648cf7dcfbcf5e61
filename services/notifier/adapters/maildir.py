"""Reading the embedded SMTP sink's Maildir (<IPP_DATA_DIR>/mail) for the
development mailbox page."""

from __future__ import annotations

import email
import email.policy
import mailbox
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from shared.kit.maildir import delivery_order


@dataclass(frozen=True)
class StoredMail:
    """One message of the sink: its Maildir key, headers and plain-text part."""

    key: str
    subject: str
    to: str
    sender: str
    date: str
    message_id: str
    text: str


def newest_first(maildir: Path, limit: int = 200) -> list[StoredMail]:
    """The latest `limit` messages of the Maildir, newest first; none when there is no Maildir."""
    box = _open(maildir)
    if box is None:
        return []
    keys = sorted(box.keys(), key=delivery_order, reverse=True)[:limit]
    return [_stored(key, _parse(box.get_bytes(key))) for key in keys]


def one(maildir: Path, key: str) -> StoredMail | None:
    """The message stored under `key`, or None (a key is looked up, never used as a path)."""
    box = _open(maildir)
    if box is None or key not in box:
        return None
    return _stored(key, _parse(box.get_bytes(key)))


def _open(maildir: Path) -> mailbox.Maildir | None:
    if not (maildir / "new").is_dir() or not (maildir / "cur").is_dir():
        return None
    return mailbox.Maildir(maildir, create=False)


def _parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def _stored(key: str, message: EmailMessage) -> StoredMail:
    body = message.get_body(("plain",))
    return StoredMail(
        key=key,
        subject=str(message["Subject"] or ""),
        to=str(message["To"] or ""),
        sender=str(message["From"] or ""),
        date=str(message["Date"] or ""),
        message_id=str(message["Message-ID"] or ""),
        text=body.get_content() if body else "",
    )
