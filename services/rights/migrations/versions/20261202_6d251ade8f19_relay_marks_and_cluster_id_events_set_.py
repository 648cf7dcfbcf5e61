"""Relay marks and cluster id, events set aside (the kit's tables: shared/kit/revisions.py)

Revision ID: 6d251ade8f19
Revises: 59795b54bbaa
Create Date: 2026-12-02 15:02:57.367897
"""

from shared.kit.revisions import (
    relay_marks_and_set_aside_downgrade,
    relay_marks_and_set_aside_upgrade,
)

revision = "6d251ade8f19"
down_revision = "59795b54bbaa"
branch_labels = None
depends_on = None


def upgrade() -> None:
    relay_marks_and_set_aside_upgrade()


def downgrade() -> None:
    relay_marks_and_set_aside_downgrade()
