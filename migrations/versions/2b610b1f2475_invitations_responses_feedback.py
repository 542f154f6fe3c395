"""invitations, responses, feedback and participation

Revision ID: 2b610b1f2475
Revises: a5877347ca0a
Create Date: 2026-11-24 12:45:28.416377

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2b610b1f2475'
down_revision = 'a5877347ca0a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('met', sa.Boolean(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('practice_note', sa.Text(), nullable=False),
    sa.Column('shareable', sa.Boolean(), nullable=False),
    sa.Column('skill_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(match_id IS NULL) <> (group_id IS NULL)', name=op.f('ck_feedback_match_or_group')),
    sa.CheckConstraint('rating IS NULL OR rating BETWEEN 1 AND 5', name=op.f('ck_feedback_rating_range')),
    sa.ForeignKeyConstraint(['group_id'], ['working_groups.id'], name=op.f('fk_feedback_group_id_working_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_feedback_match_id_matches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_feedback_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_feedback_round_id_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['skill_id'], ['skills.id'], name=op.f('fk_feedback_skill_id_skills'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback')),
    sa.UniqueConstraint('member_id', 'group_id', name='once_per_group'),
    sa.UniqueConstraint('member_id', 'match_id', name='once_per_match')
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_round_id'), ['round_id'], unique=False)

    with op.batch_alter_table('group_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('invited_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_group_members_token_hash'), ['token_hash'])

    with op.batch_alter_table('matches', schema=None) as batch_op:
        # Matches stored before this revision have no focus: an empty list.
        batch_op.add_column(sa.Column('focus', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('first_responded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('second_responded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('participation_confirmed_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('participation_confirmed_at')

    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('second_responded_at')
        batch_op.drop_column('first_responded_at')
        batch_op.drop_column('focus')

    with op.batch_alter_table('group_members', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_group_members_token_hash'), type_='unique')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('invited_at')
        batch_op.drop_column('token_hash')
        batch_op.drop_column('responded_at')

    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_round_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_member_id'))

    op.drop_table('feedback')
