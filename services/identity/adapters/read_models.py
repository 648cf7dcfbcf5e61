"""Identity's own tables beside its event store: SMS codes, QR sign-in tickets, rate-limit counters,
signed-out tokens."""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, MetaData, String, Table

from shared.review.tables import queue_tables

read_models = MetaData()
sms_codes = Table(
    "sms_codes",
    read_models,
    Column("phone_fingerprint", String(64), primary_key=True),
    Column(
        "code_hash", String(64), nullable=False
    ),  # keyed (the `sms-codes` key): the code is never stored
    Column("expires_at", Float, nullable=False),
)
qr_logins = Table(
    "qr_logins",
    read_models,
    Column("ticket_hash", String(64), primary_key=True),  # the ticket itself is never stored
    Column("status", String(20), nullable=False),  # pending | confirmed | collected
    Column("account_id", String(36), nullable=True),
    Column("expires_at", Float, nullable=False, index=True),
    # the hash of the secret the opening browser holds (a cookie): the ticket
    # alone collects no session
    Column("browser_hash", String(64), nullable=True),
)
attempts = Table(
    "rate_limit_attempts",
    read_models,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("limit_name", String(40), nullable=False),
    Column("key", String(64), nullable=False),  # a keyed fingerprint: no phone or address in clear
    Column("at", Float, nullable=False),
)
revoked_tokens = Table(
    "revoked_tokens",
    read_models,
    Column(
        "seq", Integer, primary_key=True, autoincrement=True
    ),  # services fetch what came after the last they saw
    Column("jti", String(64), nullable=False, unique=True),
    Column(
        "expires_at", Float, nullable=False, index=True
    ),  # kept until the token would have expired anyway
)


# every table of this service's database besides the kit's: what its migrations make
# (shared/kit/migrations.py)
SCHEMA: tuple[MetaData, ...] = (read_models, queue_tables)
