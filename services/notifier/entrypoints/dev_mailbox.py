"""The development mailbox (GET /dev/mailbox): the embedded SMTP sink's mail, codes included.

It exists only when development mail is explicitly on (IPP_DEV_MAILBOX=1, which production
refuses; `make run` turns it on): a development default that is merely "not production" would show
every code to anyone."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.notifier.adapters import maildir
from services.notifier.adapters.templates import TEMPLATES
from shared.kit.settings import Settings

router = APIRouter(prefix="/dev/mailbox", tags=["development"], include_in_schema=False)
_pages = Environment(
    loader=FileSystemLoader(TEMPLATES / "dev"), autoescape=select_autoescape(["html"])
)


def _sink(request: Request) -> Path:
    """Where the sink keeps its mail; without IPP_DEV_MAILBOX (and always in production)
    there is no such page."""
    settings: Settings = request.app.state.settings
    if not settings.dev_mailbox or settings.env == "production":
        raise HTTPException(404, "Not Found")
    return settings.data_dir / "mail"


@router.get("", response_class=HTMLResponse)
def mailbox_page(request: Request) -> str:
    """Every message the sink accepted, newest first: subject, recipient and date."""
    directory = _sink(request)
    return _pages.get_template("mailbox.html").render(
        messages=maildir.newest_first(directory), directory=directory
    )


@router.get("/{key}", response_class=HTMLResponse)
def message_page(request: Request, key: str) -> str:
    """One message's headers and plain-text part."""
    message = maildir.one(_sink(request), key)
    if message is None:
        raise HTTPException(404, "No such message")
    return _pages.get_template("message.html").render(message=message)
