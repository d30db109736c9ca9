"""What a department's file says about itself is kept: the 填报人 and 联系电话 typed in the template's header
(submission.reporter, submission.reporter_phone), and the whole name of a file (or evidence file) whose name is longer
than the column holds (original_name; the name column then keeps a shortened one). Existing rows get ''.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reporter', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('reporter_phone', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('original_name', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('original_name', sa.Text(), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_column('original_name')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_column('original_name')
        batch_op.drop_column('reporter_phone')
        batch_op.drop_column('reporter')
