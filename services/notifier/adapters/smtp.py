"""Handing mail to the SMTP server IPP_SMTP_URL names: smtp://, smtps:// (implicit
TLS), ?starttls=1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
from aiosmtplib import (
    SMTPAuthenticationError,
    SMTPException,
    SMTPRecipientsRefused,
    SMTPResponseException,
)

# Refusals that mean our configuration is wrong, not the message: fix it and the
# mail still goes out.
_CONFIGURATION_CODES = frozenset({530, 534, 535, 538})


class TransientFailure(Exception):
    """Worth trying again later: the server is away, busy, said 4xx, or refused our credentials."""


class PermanentFailure(Exception):
    """The server refused this message with a 5xx reply: trying again cannot help."""


@dataclass(frozen=True)
class SmtpServer:
    """Where mail goes: host and port, optional credentials, implicit TLS or STARTTLS."""

    hostname: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    start_tls: bool = False
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str, timeout: float = 30.0) -> SmtpServer:
        """Read smtp://[user:password@]host[:port][?starttls=1] or smtps://… (implicit TLS)."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"not an SMTP URL: {parts.scheme}://…")
        use_tls = parts.scheme == "smtps"
        flag = parse_qs(parts.query).get("starttls", ["0"])[-1].lower()
        start_tls = not use_tls and flag in ("1", "true", "yes", "on")
        port = parts.port or (465 if use_tls else 587 if start_tls else 25)
        return cls(
            hostname=parts.hostname or "localhost",
            port=port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=use_tls,
            start_tls=start_tls,
            timeout=timeout,
        )

    @asynccontextmanager
    async def session(self) -> AsyncIterator[SmtpSession]:
        """One connection for a batch of messages (opened at its first message, again after a
        failure), closed at the end: a new connection, TLS and login per message cost more than
        the message."""
        session = SmtpSession(self)
        try:
            yield session
        finally:
            await session.close()

    def client(self) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(
            hostname=self.hostname,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            start_tls=self.start_tls,
            timeout=self.timeout,
        )


class SmtpSession:
    """Messages handed to the server one after another on one connection."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server
        self.client: aiosmtplib.SMTP | None = None

    async def send(self, message: EmailMessage) -> None:
        """Hand one message to the server; raises TransientFailure or PermanentFailure. After a
        failure the connection is dropped: the next message starts on a fresh one."""
        try:
            if self.client is None or not self.client.is_connected:
                self.client = self.server.client()
                await self.client.connect()
            await self.client.send_message(message)
        except (TimeoutError, SMTPException, OSError) as exc:
            await self.close()
            raise classify(exc) from exc

    async def close(self) -> None:
        client, self.client = self.client, None
        if client is None or not client.is_connected:
            return
        try:
            await client.quit()
        except (TimeoutError, SMTPException, OSError):
            client.close()


def classify(exc: BaseException) -> TransientFailure | PermanentFailure:
    """5xx replies to the message are permanent; everything else (4xx, no
    connection) is transient."""
    if isinstance(exc, SMTPAuthenticationError):
        return TransientFailure(f"authentication refused: {exc.code} {exc.message}")
    if isinstance(exc, SMTPRecipientsRefused):
        codes = [refused.code for refused in exc.recipients]
        detail = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
        permanent = codes and all(_permanent(code) for code in codes)
        return PermanentFailure(detail) if permanent else TransientFailure(detail)
    if isinstance(exc, SMTPResponseException):
        detail = f"{exc.code} {exc.message}"
        return PermanentFailure(detail) if _permanent(exc.code) else TransientFailure(detail)
    return TransientFailure(repr(exc))


def _permanent(code: int) -> bool:
    return 500 <= code < 600 and code not in _CONFIGURATION_CODES
