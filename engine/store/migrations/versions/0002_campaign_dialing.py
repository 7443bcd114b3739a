"""campaign dialing settings and pacing state; safe-harbor and voicemail facts on attempts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

import engine.store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("dialing", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("pacing_state", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("call_attempts") as batch:
        batch.add_column(sa.Column("safe_harbor_at", engine.store.types.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("voicemail_dropped", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("call_attempts") as batch:
        batch.drop_column("voicemail_dropped")
        batch.drop_column("safe_harbor_at")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("pacing_state")
        batch.drop_column("dialing")
