"""The 总结评估's 基本完成 line per plan: plan.basic_threshold (the completion at which an unmet target counts as
basically completed; 0.9 unless plan.csv says otherwise).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('basic_threshold', sa.Float(), server_default='0.9', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_column('basic_threshold')
