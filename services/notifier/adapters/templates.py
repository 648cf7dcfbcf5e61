"""Writing a Letter as an email: Jinja2 templates per kind and language, plain text plus HTML."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path
from uuid import UUID

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from services.notifier.domain.notification import Letter

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_BEIJING = timezone(timedelta(hours=8))  # China keeps no daylight saving time


def beijing_time(moment: str) -> str:
    return (
        datetime.fromisoformat(moment).astimezone(_BEIJING).strftime("%Y-%m-%d %H:%M（北京时间）")
    )


def utc_time(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def message_id(notification_id: UUID, domain: str) -> str:
    """The same for every attempt of one notification, so a duplicate is recognisable."""
    return f"<{notification_id}@{domain}>"


class EmailComposer:
    """Writes letters as multipart/alternative emails from templates/<kind>/<language>/."""

    def __init__(self, mail_from: str, directory: Path = TEMPLATES) -> None:
        self.mail_from = mail_from
        self.domain = parseaddr(mail_from)[1].rpartition("@")[2] or "ipp.local"
        self.env = Environment(
            loader=FileSystemLoader(directory),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(beijing_time=beijing_time, utc_time=utc_time)

    def compose(self, letter: Letter) -> EmailMessage:
        context = {**letter.context, "language": letter.language}
        folder = f"{letter.kind}/{letter.language}"
        message = EmailMessage()
        message["Subject"] = " ".join(self.render(f"{folder}/subject.txt", context).split())
        message["From"] = self.mail_from
        message["To"] = letter.recipient
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = message_id(letter.notification_id, self.domain)
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this
        message.set_content(self.render(f"{folder}/body.txt", context))
        message.add_alternative(self.render(f"{folder}/body.html", context), subtype="html")
        return message

    def render(self, name: str, context: dict) -> str:
        return self.env.get_template(name).render(context)
