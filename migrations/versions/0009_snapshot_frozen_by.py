"""Who froze a quarter's snapshot: snapshot.frozen_by names the account that pressed 冻结本季度快照 on the 季度简报
page (reviewers and admins). Snapshots frozen before, or from the command line, get ''.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('snapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('frozen_by', sa.String(length=40), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('snapshot', schema=None) as batch_op:
        batch_op.drop_column('frozen_by')
