"""Identity's own tables beside its event store: SMS codes, QR sign-in tickets, rate-limit counters."""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, MetaData, String, Table

read_models = MetaData()
sms_codes = Table(
    "sms_codes", read_models,
    Column("phone_fingerprint", String(64), primary_key=True),
    Column("code", String(12), nullable=False),
    Column("expires_at", Float, nullable=False),
)
qr_logins = Table(
    "qr_logins", read_models,
    Column("ticket_hash", String(64), primary_key=True),  # the ticket itself is never stored
    Column("status", String(20), nullable=False),  # pending | confirmed | collected
    Column("account_id", String(36), nullable=True),
    Column("expires_at", Float, nullable=False, index=True),
)
attempts = Table(
    "rate_limit_attempts", read_models,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("limit_name", String(40), nullable=False),
    Column("key", String(64), nullable=False),  # a keyed fingerprint: no phone or address in clear
    Column("at", Float, nullable=False),
)
