"""A local SMTP sink: accepts every message and stores it in a Maildir (nothing is ever relayed).

Run it: `python -m deploy.smtp_sink --host 127.0.0.1 --port 1025 --maildir var/mail`.
Each stored message gets `X-Envelope-From` / `X-Envelope-To` headers with the SMTP envelope.
"""

from __future__ import annotations

import email
import email.policy
import mailbox
import signal
import threading
import time
from email.message import EmailMessage
from pathlib import Path

import typer
from aiosmtpd.controller import Controller

from deploy.daemon import free_port
from shared.kit.maildir import delivery_order  # the one reading of Maildir keys


class MaildirHandler:
    """aiosmtpd handler that appends each message to a Maildir."""

    def __init__(self, maildir: Path) -> None:
        self.maildir = Path(maildir)
        mailbox.Maildir(self.maildir, create=True)

    async def handle_DATA(self, server, session, envelope) -> str:
        """Store the message with its envelope in headers; always accept."""
        recipients = ", ".join(envelope.rcpt_tos)
        stamp = f"X-Envelope-From: <{envelope.mail_from}>\r\nX-Envelope-To: {recipients}\r\n"
        body = envelope.original_content or envelope.content
        mailbox.Maildir(self.maildir, create=True).add(stamp.encode() + body)
        return "250 Message accepted for delivery"


def read_maildir(maildir: Path) -> list[EmailMessage]:
    """Every message in a Maildir, oldest first, parsed with the modern email policy."""
    if not (Path(maildir) / "new").is_dir():
        return []
    box = mailbox.Maildir(maildir, create=False)
    keys = sorted(box.keys(), key=delivery_order)
    return [
        email.message_from_bytes(box.get_bytes(key), policy=email.policy.default) for key in keys
    ]


class SmtpSink:
    """An in-process SMTP sink on 127.0.0.1 for tests: `with SmtpSink(0, tmp /
    "mail") as sink: ...`."""

    def __init__(
        self, port: int = 0, maildir: Path | str = "var/mail", host: str = "127.0.0.1"
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.maildir = Path(maildir)
        self._controller = Controller(
            MaildirHandler(self.maildir), hostname=host, port=self.port, enable_SMTPUTF8=True
        )

    @property
    def url(self) -> str:
        """smtp://host:port, the value for IPP_SMTP_URL."""
        return f"smtp://{self.host}:{self.port}"

    def start(self) -> SmtpSink:
        """Listen in a background thread; returns once the server accepts connections."""
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening (stored messages stay in the Maildir)."""
        self._controller.stop()

    def messages(self) -> list[EmailMessage]:
        """Every message received so far, oldest first."""
        return read_maildir(self.maildir)

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        """Wait until at least `count` messages arrived; return them all (raises TimeoutError)."""
        deadline = time.monotonic() + timeout
        while len(found := self.messages()) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{len(found)} of {count} messages after {timeout} s in {self.maildir}"
                )
            time.sleep(0.1)
        return found

    def clear(self) -> None:
        """Delete every stored message."""
        box = mailbox.Maildir(self.maildir, create=True)
        for key in list(box.keys()):
            box.discard(key)

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(1025, help="TCP port"),
    maildir: Path = typer.Option(Path("var/mail"), help="Maildir that receives every message"),
) -> None:
    """Run the SMTP sink until SIGINT or SIGTERM."""
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    sink = SmtpSink(port, maildir, host).start()
    print(f"SMTP sink on {sink.url}, storing into {sink.maildir.resolve()}", flush=True)
    while not stopping.wait(1.0):
        pass
    sink.stop()


if __name__ == "__main__":
    typer.run(main)
