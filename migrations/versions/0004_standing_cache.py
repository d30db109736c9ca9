"""Kept standings: each quarter's assessments for one version of the data, so a first render need not read every value;
and a partial index of the values sent more than once, so listing revisions never scans every value.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # empty at first: the next change of the data fills it, and until then the dashboard computes what it shows
    op.create_table('standing_cache',
    sa.Column('data_key', sa.String(length=400), nullable=False),
    sa.Column('as_of', sa.String(length=10), nullable=False),
    sa.Column('latest_period', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('payload_json', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('data_key', 'as_of')
    )
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.create_index('ix_observation_revised', ['indicator_code', 'period'], unique=False,
                              sqlite_where=sa.text('revision > 1'), postgresql_where=sa.text('revision > 1'))


def downgrade() -> None:
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_index('ix_observation_revised')
    op.drop_table('standing_cache')
