"""The order of a Maildir: written by the SMTP sink (deploy/smtp_sink.py), read by the
notifier's dev mailbox."""

from __future__ import annotations


def delivery_order(key: str) -> tuple[int, int, str]:
    """Maildir keys start "<seconds>.M<microseconds>P…" (mailbox.Maildir's format):
    their delivery time."""
    seconds, _, rest = key.partition(".")
    micros = rest[1:].split("P", 1)[0] if rest.startswith("M") else "0"
    try:
        return int(seconds), int(micros), key
    except ValueError:
        return 0, 0, key
