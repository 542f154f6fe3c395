"""communities can be archived

Adds ``communities.archived_at``: an archived community is hidden from
members and from new rounds, while its rounds and memberships stay on record.

Revision ID: d4e1c0a7f9b2
Revises: b751b59ae44a
Create Date: 2026-12-02 01:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d4e1c0a7f9b2"
down_revision = "b751b59ae44a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
