"""Upload attempts: every file a department tried to send in the browser, refused ones included (without their bytes).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('upload_attempt',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('department', sa.String(length=40), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('n_hard', sa.Integer(), nullable=False),
    sa.Column('n_soft', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('upload_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_upload_attempt_department'), ['department'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('upload_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_upload_attempt_department'))

    op.drop_table('upload_attempt')
