"""Baseline: identity's tables as create_all made them before migrations.

A database create_all made holds them all already: it is stamped here, not upgraded. One last run by
an older version may lack the later ones (review_task_claims): IF NOT EXISTS makes just those.

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

TABLES = (
    "ipp_inbox_events",
    "ipp_relay_positions",
    "sms_codes",
    "qr_logins",
    "rate_limit_attempts",
    "review_tasks",
    "review_task_waiting",
    "review_task_claims",
)


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
        "sms_codes",
        sa.Column("phone_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("phone_fingerprint"),
        if_not_exists=True,
    )
    op.create_table(
        "qr_logins",
        sa.Column("ticket_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=True),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("ticket_hash"),
        if_not_exists=True,
    )
    op.create_index("ix_qr_logins_expires_at", "qr_logins", ["expires_at"], if_not_exists=True)
    op.create_table(
        "rate_limit_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("limit_name", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_table(
        "review_tasks",
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("material_type", sa.String(length=20), nullable=False),
        sa.Column("material_id", sa.String(length=64), nullable=False),
        sa.Column("material_revision", sa.Integer(), nullable=False),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("task_id"),
        if_not_exists=True,
    )
    op.create_index("ix_review_tasks_status", "review_tasks", ["status"], if_not_exists=True)
    op.create_table(
        "review_task_waiting",
        sa.Column("review_id", sa.String(length=36), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("complaint_id", sa.String(length=64), nullable=False),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("review_id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_review_task_waiting_task_id", "review_task_waiting", ["task_id"], if_not_exists=True
    )
    op.create_table(
        "review_task_claims",
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=False),
        sa.Column("claimed_until", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("task_id"),
        if_not_exists=True,
    )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)  # its indexes go with it
