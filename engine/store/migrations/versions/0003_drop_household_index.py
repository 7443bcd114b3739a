"""contacts: drop the household_key index

Every imported contact paid for it (about a quarter of the database time of a large import)
and nothing looks contacts up by household: "voicemail once per household" needs the
households that already had a drop, a small set of its own, not an index over every contact.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_household_key'))


def downgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_household_key'), ['household_key'], unique=False)
