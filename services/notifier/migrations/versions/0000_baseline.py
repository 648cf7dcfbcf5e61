"""Baseline: the notifier's tables as create_all made them before migrations.

A database create_all made holds them all already: it is stamped here, not upgraded (IF NOT EXISTS
keeps a partial set, should there be one, from failing).

Revision ID: baseline
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "baseline"
down_revision = None
branch_labels = None
depends_on = None

TABLES = ("ipp_inbox_events", "ipp_relay_positions", "notifier_notifications")


def upgrade() -> None:
    op.create_table(
        "ipp_inbox_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("processed_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
        if_not_exists=True,
    )
    op.create_table(
        "ipp_relay_positions",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
        if_not_exists=True,
    )
    op.create_table(
        "notifier_notifications",
        sa.Column("notification_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("recipient_masked", sa.String(length=320), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.Float(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("notification_id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_notifier_notifications_subject_id",
        "notifier_notifications",
        ["subject_id"],
        if_not_exists=True,
    )
    op.create_index(
        "ix_notifier_notifications_account_id",
        "notifier_notifications",
        ["account_id"],
        if_not_exists=True,
    )
    op.create_index(
        "notifier_notifications_due",
        "notifier_notifications",
        ["status", "next_attempt_at"],
        if_not_exists=True,
    )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)  # its indexes go with it
