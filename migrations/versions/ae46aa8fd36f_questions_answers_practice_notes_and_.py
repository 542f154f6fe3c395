"""questions, answers, practice notes and what trying them showed

Revision ID: ae46aa8fd36f
Revises: 75feb19c032f
Create Date: 2026-12-02 00:44:35.227778

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ae46aa8fd36f'
down_revision = '75feb19c032f'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_answer_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('search_tokens', sa.Text(), nullable=False),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_questions_author_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_questions_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['members.id'], name=op.f('fk_questions_hidden_by_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions'))
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questions_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_questions_community_id'), ['community_id'], unique=False)

    op.create_table('answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_answers_author_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['members.id'], name=op.f('fk_answers_hidden_by_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_answers_question_id_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answers'))
    )
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answers_question_id'), ['question_id'], unique=False)

    op.create_table('question_routes',
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('routed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_question_routes_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_routes_question_id_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('question_id', 'member_id', name=op.f('pk_question_routes'))
    )
    with op.batch_alter_table('question_routes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_routes_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_routes_routed_at'), ['routed_at'], unique=False)

    op.create_table('question_skills',
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('skill_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_skills_question_id_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['skill_id'], ['skills.id'], name=op.f('fk_question_skills_skill_id_skills'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('question_id', 'skill_id', name=op.f('pk_question_skills'))
    )
    op.create_table('practice_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('feedback_id', sa.Integer(), nullable=True),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('search_tokens', sa.Text(), nullable=False),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("source IN ('own', 'session', 'feedback', 'question')", name=op.f('ck_practice_notes_source_known')),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_practice_notes_author_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_practice_notes_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], name=op.f('fk_practice_notes_feedback_id_feedback'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['members.id'], name=op.f('fk_practice_notes_hidden_by_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_practice_notes_meeting_id_meetings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_practice_notes_question_id_questions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_notes'))
    )
    with op.batch_alter_table('practice_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_notes_community_id'), ['community_id'], unique=False)

    op.create_table('note_trials',
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('changed', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("outcome IN ('worked', 'partly', 'didnt')", name=op.f('ck_note_trials_outcome_known')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_note_trials_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['note_id'], ['practice_notes.id'], name=op.f('fk_note_trials_note_id_practice_notes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('note_id', 'member_id', name=op.f('pk_note_trials'))
    )
    op.create_table('practice_note_skills',
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('skill_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['note_id'], ['practice_notes.id'], name=op.f('fk_practice_note_skills_note_id_practice_notes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['skill_id'], ['skills.id'], name=op.f('fk_practice_note_skills_skill_id_skills'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('note_id', 'skill_id', name=op.f('pk_practice_note_skills'))
    )



def downgrade():

    op.drop_table('practice_note_skills')
    op.drop_table('note_trials')
    with op.batch_alter_table('practice_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_notes_community_id'))

    op.drop_table('practice_notes')
    op.drop_table('question_skills')
    with op.batch_alter_table('question_routes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_routes_routed_at'))
        batch_op.drop_index(batch_op.f('ix_question_routes_member_id'))

    op.drop_table('question_routes')
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answers_question_id'))

    op.drop_table('answers')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questions_community_id'))
        batch_op.drop_index(batch_op.f('ix_questions_author_id'))

    op.drop_table('questions')

