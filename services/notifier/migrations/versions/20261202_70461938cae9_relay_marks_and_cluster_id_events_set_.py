"""Relay marks and cluster id, events set aside (the kit's tables: shared/kit/revisions.py)

Revision ID: 70461938cae9
Revises: baseline
Create Date: 2026-12-02 15:03:24.705558
"""

from shared.kit.revisions import (
    relay_marks_and_set_aside_downgrade,
    relay_marks_and_set_aside_upgrade,
)

revision = "70461938cae9"
down_revision = "baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    relay_marks_and_set_aside_upgrade()


def downgrade() -> None:
    relay_marks_and_set_aside_downgrade()
