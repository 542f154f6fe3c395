"""preferences for the next round

Revision ID: 2e6bd9a7383e
Revises: d4e1c0a7f9b2
Create Date: 2026-12-02 01:01:32.362414

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2e6bd9a7383e'
down_revision = 'd4e1c0a7f9b2'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('round_preferences',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('preferred_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('mentoring', 'peer')", name=op.f('ck_round_preferences_kind_known')),
    sa.CheckConstraint('member_id <> preferred_id', name=op.f('ck_round_preferences_two_people')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_round_preferences_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['preferred_id'], ['members.id'], name=op.f('fk_round_preferences_preferred_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'kind', 'preferred_id', name=op.f('pk_round_preferences'))
    )
    with op.batch_alter_table('round_preferences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_preferences_preferred_id'), ['preferred_id'], unique=False)




def downgrade():

    with op.batch_alter_table('round_preferences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_preferences_preferred_id'))

    op.drop_table('round_preferences')

