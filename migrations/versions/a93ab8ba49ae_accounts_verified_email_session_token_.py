"""accounts: verified email, session token, single sign-on, sign-ups

Members get ``email_verified_at`` (password log-in needs a proven address),
``session_token`` (part of the login cookie: a new value ends every session)
and the single sign-on identity (``sso_issuer``, ``sso_subject``). Sign-ups
wait in ``signups`` until their link is followed. Account links get a CHECK
on their purpose.

Existing data: a member who chose their password from a set-password link
proved their address then, so it counts as verified from that moment. Every
other password was set by whoever registered the address, unproven: those
members are asked to confirm their address (by choosing a password from a
link sent to it) at their next log-in. Each member gets a random session
token, so cookies issued before this revision stop working.

Revision ID: a93ab8ba49ae
Revises: c65b39349846
Create Date: 2026-12-01 21:40:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a93ab8ba49ae'
down_revision = 'c65b39349846'
branch_labels = None
depends_on = None

members = sa.table("members", sa.column("id", sa.Integer), sa.column("session_token", sa.String),
                   sa.column("email_verified_at", sa.DateTime(timezone=True)))
account_tokens = sa.table("account_tokens", sa.column("member_id", sa.Integer), sa.column("purpose", sa.String),
                          sa.column("used_at", sa.DateTime(timezone=True)))


def upgrade():
    op.create_table('signups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signups')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_signups_token_hash'))
    )
    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signups_email'), ['email'], unique=False)

    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('session_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('sso_issuer', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('sso_subject', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_members_sso_issuer'), ['sso_issuer', 'sso_subject'])

    connection = op.get_bind()
    ids = connection.scalars(sa.select(members.c.id)).all()
    if ids:
        connection.execute(members.update().where(members.c.id == sa.bindparam("member_id"))
                           .values(session_token=sa.bindparam("token")),
                           [{"member_id": member_id, "token": secrets.token_hex(16)} for member_id in ids])
    first_use = (sa.select(sa.func.min(account_tokens.c.used_at))
                 .where(account_tokens.c.member_id == members.c.id, account_tokens.c.purpose == "set_password",
                        account_tokens.c.used_at.is_not(None))
                 .scalar_subquery())
    connection.execute(members.update().values(email_verified_at=first_use))

    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=32), nullable=False)

    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f('ck_account_tokens_purpose_known'), "purpose IN ('set_password', 'reset_password')")


def downgrade():
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_account_tokens_purpose_known'), type_='check')

    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_members_sso_issuer'), type_='unique')
        batch_op.drop_column('sso_subject')
        batch_op.drop_column('sso_issuer')
        batch_op.drop_column('session_token')
        batch_op.drop_column('email_verified_at')

    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signups_email'))

    op.drop_table('signups')
