"""community coordinators and content reports

Revision ID: b751b59ae44a
Revises: ae46aa8fd36f
Create Date: 2026-12-02 00:56:45.846407

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b751b59ae44a'
down_revision = 'ae46aa8fd36f'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('community_coordinators',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('named_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_community_coordinators_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_community_coordinators_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('community_id', 'member_id', name=op.f('pk_community_coordinators'))
    )
    with op.batch_alter_table('community_coordinators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_coordinators_member_id'), ['member_id'], unique=False)

    op.create_table('content_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('content_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('question', 'answer', 'note')", name=op.f('ck_content_reports_kind_known')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_content_reports_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['members.id'], name=op.f('fk_content_reports_reporter_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_reports'))
    )
    with op.batch_alter_table('content_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_reports_community_id'), ['community_id'], unique=False)




def downgrade():

    with op.batch_alter_table('content_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_reports_community_id'))

    op.drop_table('content_reports')
    with op.batch_alter_table('community_coordinators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_coordinators_member_id'))

    op.drop_table('community_coordinators')

