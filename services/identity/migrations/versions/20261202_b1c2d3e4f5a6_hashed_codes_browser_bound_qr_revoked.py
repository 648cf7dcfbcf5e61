"""SMS codes stored hashed, QR tickets bound to the opening browser, signed-out tokens

Revision ID: b1c2d3e4f5a6
Revises: 7893314a6a7b
Create Date: 2026-12-02 19:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b1c2d3e4f5a6"
down_revision = "7893314a6a7b"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # an SMS code lives five minutes: codes in clear are dropped, not converted
    op.execute("DELETE FROM sms_codes")
    with op.batch_alter_table("sms_codes") as batch:
        batch.drop_column("code")
        batch.add_column(sa.Column("code_hash", sa.String(length=64), nullable=False))
    with op.batch_alter_table("qr_logins") as batch:
        batch.add_column(sa.Column("browser_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "revoked_tokens",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("jti"),
    )
    op.create_index("ix_revoked_tokens_expires_at", "revoked_tokens", ["expires_at"])


def downgrade() -> None:
    op.drop_table("revoked_tokens")
    with op.batch_alter_table("qr_logins") as batch:
        batch.drop_column("browser_hash")
    op.execute("DELETE FROM sms_codes")
    with op.batch_alter_table("sms_codes") as batch:
        batch.drop_column("code_hash")
        batch.add_column(sa.Column("code", sa.String(length=12), nullable=False))
