"""Revisions of the kit's own tables, which every service's database holds: each service's migration
history calls these from a revision of its own (services/<service>/migrations/versions/), so the
change is written once."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def relay_marks_and_set_aside_upgrade() -> None:
    """The relay remembers its broker (cluster id, acknowledged offsets); events it cannot
    publish are set aside."""
    op.create_table(
        "ipp_outbox_stuck",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("relay", sa.String(length=64), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("event_index", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("held_behind", sa.String(length=64), nullable=True),
        sa.Column("stuck_at", sa.Float(), nullable=False),
        sa.Column("retry", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    with op.batch_alter_table("ipp_outbox_stuck", schema=None) as batch_op:
        batch_op.create_index(
            "ipp_outbox_stuck_by_relay", ["relay", "notification_id", "event_index"], unique=False
        )
    with op.batch_alter_table("ipp_relay_positions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cluster_id", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("marks", sa.Text(), nullable=True))


def relay_marks_and_set_aside_downgrade() -> None:
    with op.batch_alter_table("ipp_relay_positions", schema=None) as batch_op:
        batch_op.drop_column("marks")
        batch_op.drop_column("cluster_id")
    with op.batch_alter_table("ipp_outbox_stuck", schema=None) as batch_op:
        batch_op.drop_index("ipp_outbox_stuck_by_relay")
    op.drop_table("ipp_outbox_stuck")
