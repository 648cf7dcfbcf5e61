"""The notifications read model: what the mailer picks from and operators look at
(no raw addresses)."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import (
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from services.notifier.domain.address_book import mask_address, redact_addresses
from services.notifier.domain.notification import ABOUT_A_COMPLAINT, PENDING, WAITING, Notification

read_models = MetaData()
notifications = Table(
    "notifier_notifications",
    read_models,
    Column("notification_id", String(36), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("subject_id", String(64), nullable=False, index=True),
    Column("account_id", String(64), nullable=True, index=True),
    Column("recipient_masked", String(320), nullable=True),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=False),
    Column("last_error", String(500), nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("notifier_notifications_due", "status", "next_attempt_at"),
)


def record(session: Session, notification: Notification) -> None:
    """Write the notification's current state, in the transaction that saved its events."""
    now = notification.modified_on.timestamp()
    row = {
        "kind": notification.kind,
        "subject_id": notification.subject_id,
        "account_id": notification.account_id,
        "recipient_masked": mask_address(notification.recipient),
        "status": notification.status,
        "attempts": notification.attempts,
        "next_attempt_at": notification.retry_at or now,
        "last_error": redact_addresses(notification.error),
        "updated_at": now,
    }
    key = notifications.c.notification_id == str(notification.id)
    if session.execute(update(notifications).where(key).values(**row)).rowcount == 0:
        session.execute(
            insert(notifications).values(
                notification_id=str(notification.id),
                created_at=notification.created_on.timestamp(),
                **row,
            )
        )


def waiting_for_account(session: Session, account_id: str) -> list[uuid.UUID]:
    query = select(notifications.c.notification_id).where(
        notifications.c.status == WAITING, notifications.c.account_id == account_id
    )
    return [uuid.UUID(i) for i in session.execute(query).scalars()]


def waiting_for_complainant(session: Session, complaint_id: str) -> list[uuid.UUID]:
    query = select(notifications.c.notification_id).where(
        notifications.c.status == WAITING,
        notifications.c.kind.in_(ABOUT_A_COMPLAINT),
        notifications.c.subject_id == complaint_id,
        notifications.c.account_id.is_(None),
    )
    return [uuid.UUID(i) for i in session.execute(query).scalars()]


def waiting(session: Session, after: str, limit: int) -> list[uuid.UUID]:
    """Waiting notifications in id order after `after`: a sweep pages through them all."""
    query = (
        select(notifications.c.notification_id)
        .where(notifications.c.status == WAITING, notifications.c.notification_id > after)
        .order_by(notifications.c.notification_id)
        .limit(limit)
    )
    return [uuid.UUID(i) for i in session.execute(query).scalars()]


def claim_due(session: Session, now: float, limit: int, lease: float) -> list[uuid.UUID]:
    """Take up to `limit` pending notifications whose time has come, for `lease` seconds.

    Moving next_attempt_at forward is the claim: a compare-and-set, so two mailers never take the
    same row, and a mailer that dies lets it fall due again when the lease runs out.
    """
    due = session.execute(
        select(notifications.c.notification_id, notifications.c.next_attempt_at)
        .where(notifications.c.status == PENDING, notifications.c.next_attempt_at <= now)
        .order_by(notifications.c.next_attempt_at)
        .limit(limit)
    ).all()
    claimed = []
    for notification_id, next_attempt_at in due:
        taken = session.execute(
            update(notifications)
            .where(
                notifications.c.notification_id == notification_id,
                notifications.c.next_attempt_at == next_attempt_at,
            )
            .values(next_attempt_at=now + lease)
        )
        if taken.rowcount == 1:
            claimed.append(uuid.UUID(notification_id))
    return claimed


def about(connection: Connection, subject_id: str) -> list[dict]:
    """The notifications about one subject (a complaint), oldest first, for operators and tests."""
    rows = connection.execute(
        select(notifications)
        .where(notifications.c.subject_id == subject_id)
        .order_by(notifications.c.created_at)
    ).mappings()
    return [
        {
            "notification_id": row["notification_id"],
            "kind": row["kind"],
            "subject_id": row["subject_id"],
            "status": row["status"],
            "recipient": row["recipient_masked"],
            "attempts": row["attempts"],
            "last_error": row["last_error"],
            "created_at": _rfc3339(row["created_at"]),
            "updated_at": _rfc3339(row["updated_at"]),
        }
        for row in rows
    ]


def _rfc3339(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# every table of this service's database besides the kit's: what its migrations make
# (shared/kit/migrations.py)
SCHEMA: tuple[MetaData, ...] = (read_models,)
