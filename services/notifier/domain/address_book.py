"""The address book the notifier keeps from events: who complained, and where an
account gets its mail."""

from __future__ import annotations

import re
import uuid

from eventsourcing.domain import Aggregate, event

_NAMESPACE = uuid.UUID("3c1e9f52-7d0b-4b8e-9a61-2f4d8c0e5b17")
LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"
_ADDRESS = re.compile(r"[^\s<>@\"',;:]+@[^\s<>\"',;:]+")


def language_or_default(language: str | None) -> str:
    """The language a mail is written in: English when asked for, else Simplified Chinese."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def mask_address(email: str | None) -> str | None:
    """An address safe to show an operator: the first letter of the local part and the domain."""
    if not email:
        return None
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def redact_addresses(text: str | None) -> str | None:
    """The text with every address in it masked (SMTP errors often quote the recipient)."""
    return _ADDRESS.sub(lambda match: mask_address(match.group()) or "", text) if text else text


class BoundAddress(Aggregate):
    """The email an account bound (it cannot change once bound) and the language it reads."""

    @staticmethod
    def create_id(account_id: str, **_: object) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"address/{account_id}")

    @event("Bound")
    def __init__(self, account_id: str, email: str, language: str) -> None:
        self.account_id = account_id
        self.email = email
        self.language = language_or_default(language)


class Complainant(Aggregate):
    """Which account filed a complaint: the verdict goes to that account's bound address."""

    @staticmethod
    def create_id(complaint_id: str, **_: object) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"complaint/{complaint_id}")

    @event("Recorded")
    def __init__(self, complaint_id: str, account_id: str, target_urls: list[str]) -> None:
        self.complaint_id = complaint_id
        self.account_id = account_id
        self.target_urls = target_urls
