"""QR sign-in tickets in the service's database: any replica can answer the page and the app.

The ticket is in the QR code, so anyone who sees the code (over a shoulder, in a screenshot, on a
phishing page that shows it) knows it. It therefore only names the sign-in; what collects the
session is a second secret, the browser secret, handed only to the browser that opened the ticket
(the portal keeps it in an HttpOnly cookie) and stored here only as its hash. A copied ticket can
follow the status, never take a token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timezone

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine

from services.identity.adapters.read_models import qr_logins
from services.identity.domain.errors import QrLoginAlreadyUsed, QrLoginExpired, QrLoginNotFound

TICKET_SECONDS = 120


def _hash(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


def qr_payload(ticket: str) -> str:
    """What the QR code encodes; the marketplace app recognises the scheme and
    confirms the ticket."""
    return f"ipp://qr-login?ticket={ticket}"


class QrLogins:
    """A ticket is pending until a signed-in app confirms it, then hands out one session, once."""

    def __init__(self, engine: Engine, clock: Callable[[], float]) -> None:
        self.engine, self.clock = engine, clock

    def open(self) -> dict:
        """A new ticket and the browser secret that alone will collect its session (returned
        once, kept hashed)."""
        ticket = secrets.token_urlsafe(24)
        browser_secret = secrets.token_urlsafe(32)
        now = self.clock()
        with self.engine.begin() as connection:
            connection.execute(
                delete(qr_logins).where(qr_logins.c.expires_at < now - TICKET_SECONDS)
            )
            connection.execute(
                insert(qr_logins).values(
                    ticket_hash=_hash(ticket),
                    status="pending",
                    browser_hash=_hash(browser_secret),
                    expires_at=now + TICKET_SECONDS,
                )
            )
        expires_at = (
            datetime.fromtimestamp(now + TICKET_SECONDS, timezone.utc)
            .isoformat()
            .replace("+00:00", "Z")
        )
        return {
            "ticket": ticket,
            "qr_payload": qr_payload(ticket),
            "expires_at": expires_at,
            "browser_secret": browser_secret,
        }

    def _row(self, ticket: str):
        with self.engine.begin() as connection:
            row = connection.execute(
                select(qr_logins).where(qr_logins.c.ticket_hash == _hash(ticket))
            ).first()
        if row is None:
            raise QrLoginNotFound("No such QR sign-in ticket.")
        return row

    def status(self, ticket: str) -> str:
        """pending | confirmed | expired (a confirmed ticket whose session was collected
        stays confirmed)."""
        row = self._row(ticket)
        if row.status == "collected":
            return "confirmed"
        return "expired" if row.expires_at <= self.clock() else row.status

    def payload(self, ticket: str) -> str:
        """The QR payload of a ticket that is still pending (its image is shown only then)."""
        if self.status(ticket) != "pending":
            raise QrLoginExpired("This QR code is no longer valid: show a new one.")
        return qr_payload(ticket)

    def confirm(self, ticket: str, account_id: str) -> None:
        """The signed-in app's account takes the ticket; it works once and only
        before it expires."""
        with self.engine.begin() as connection:
            taken = connection.execute(
                update(qr_logins)
                .where(
                    qr_logins.c.ticket_hash == _hash(ticket),
                    qr_logins.c.status == "pending",
                    qr_logins.c.expires_at > self.clock(),
                )
                .values(status="confirmed", account_id=account_id)
            ).rowcount
        if taken != 1:
            if self.status(ticket) == "expired":
                raise QrLoginExpired("This QR code has expired: show a new one.")
            raise QrLoginAlreadyUsed("This QR code has already been confirmed.")

    def collect(self, ticket: str, browser_secret: str = "") -> str | None:
        """The confirmed account, the first time the opening browser asks (with its secret) after
        confirmation; else None. A wrong or missing secret takes nothing, so the owner's browser can
        still collect it."""
        stored = (
            self._row(ticket).browser_hash or ""
        )  # a ticket opened before browser secrets: never collected
        if not (browser_secret and stored and hmac.compare_digest(stored, _hash(browser_secret))):
            return None
        with self.engine.begin() as connection:
            taken = connection.execute(
                update(qr_logins)
                .where(
                    qr_logins.c.ticket_hash == _hash(ticket),
                    qr_logins.c.browser_hash == stored,
                    qr_logins.c.status == "confirmed",
                    qr_logins.c.expires_at > self.clock(),
                )
                .values(status="collected")
            ).rowcount
        return self._row(ticket).account_id if taken == 1 else None
