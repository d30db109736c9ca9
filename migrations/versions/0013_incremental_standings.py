"""Standings kept so that a change re-assesses only the series it touched: standing_cache keyed by plan and quarter
with the approved submissions it counts, kept_assessment (one row per indicator and kept quarter), and
submission_series (which series each submission sent values of), filled from the values already stored; and an
index of the submissions by state and time (which files count, found without reading past their bytes).

The kept standings are derived data: the old rows are dropped, and the next change (or `python -m pipelines keep`)
keeps them afresh.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table('standing_cache')
    op.create_table(
        'standing_cache',
        sa.Column('plan_code', sa.String(length=40), nullable=False),
        sa.Column('as_of', sa.String(length=10), nullable=False),
        sa.Column('data_key', sa.String(length=400), nullable=False),
        sa.Column('latest_period', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('basis_json', sa.Text(), nullable=False),
        sa.Column('payload_json', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('plan_code', 'as_of'),
    )
    op.create_table(
        'kept_assessment',
        sa.Column('plan_code', sa.String(length=40), nullable=False),
        sa.Column('as_of', sa.String(length=10), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('leaf_json', sa.Text(), nullable=False),
        sa.Column('row_json', sa.Text(), nullable=False),
        sa.Column('changes_json', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('plan_code', 'as_of', 'code'),
    )
    op.create_table(
        'submission_series',
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('indicator_code', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['submission_id'], ['submission.id']),
        sa.PrimaryKeyConstraint('submission_id', 'indicator_code'),
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index('ix_submission_status_time', ['status', 'submitted_at'], unique=False)
    op.execute("INSERT INTO submission_series (submission_id, indicator_code) "
               "SELECT DISTINCT submission_id, indicator_code FROM observation")


def downgrade() -> None:
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_status_time')
    op.drop_table('submission_series')
    op.drop_table('kept_assessment')
    op.drop_table('standing_cache')
    op.create_table(  # as 0010 left it, empty: derived data
        'standing_cache',
        sa.Column('data_key', sa.String(length=400), nullable=False),
        sa.Column('plan_code', sa.String(length=40), nullable=False),
        sa.Column('as_of', sa.String(length=10), nullable=False),
        sa.Column('latest_period', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('payload_json', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('data_key', 'plan_code', 'as_of'),
    )
