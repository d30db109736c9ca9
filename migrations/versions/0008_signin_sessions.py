"""Sign-ins bound to the browser (OWASP ASVS V3): a random token in an HttpOnly, SameSite cookie, of which the store
keeps the SHA-256 with the account, the time of the sign-in and the time the browser was last seen.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signin_session',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen', sa.DateTime(), nullable=False),
    sa.Column('client', sa.String(length=100), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('signin_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signin_session_username'), ['username'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('signin_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signin_session_username'))
    op.drop_table('signin_session')
