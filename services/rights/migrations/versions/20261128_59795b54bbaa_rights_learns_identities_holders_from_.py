"""Rights learns identities' holders from IdentitySubmitted (known_identities).

Revision ID: 59795b54bbaa
Revises: baseline
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "59795b54bbaa"
down_revision = "baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "known_identities",
        sa.Column("identity_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("holder_name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("identity_id"),
    )


def downgrade() -> None:
    op.drop_table("known_identities")
