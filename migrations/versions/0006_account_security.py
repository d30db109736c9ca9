"""Account security (OWASP ASVS level 2): an account whose password an administrator reset must change it at its next
sign-in (app_user.must_change_password, false for every existing account), and failed sign-ins are kept a little
while (signin_failure) so that guessing locks the account or the client for a quarter of an hour.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.create_table('signin_failure',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('client', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('signin_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signin_failure_client'), ['client'], unique=False)
        batch_op.create_index(batch_op.f('ix_signin_failure_username'), ['username'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('signin_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signin_failure_username'))
        batch_op.drop_index(batch_op.f('ix_signin_failure_client'))
    op.drop_table('signin_failure')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
