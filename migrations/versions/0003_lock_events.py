"""Lock events: every lock and unlock of a quarter, with who, when and why (period_lock keeps only the current state).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lock_event',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('by', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('lock_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lock_event_period'), ['period'], unique=False)
    # quarters locked before events were kept get their lock as the first event
    op.execute('INSERT INTO lock_event (period, action, "by", at, reason) '
               "SELECT period, 'lock', locked_by, locked_at, '' FROM period_lock ORDER BY locked_at")

def downgrade() -> None:
    with op.batch_alter_table('lock_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lock_event_period'))

    op.drop_table('lock_event')
