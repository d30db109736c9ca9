"""重点任务: plan_task (a plan's tasks from tasks.csv: owner, deadline, quarterly milestones) and task_report (the
departments' quarterly reports of them, revisioned like values, counting once their submission is approved).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'plan_task',
        sa.Column('plan_code', sa.String(length=40), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('sub_item_code', sa.String(length=40), nullable=False),
        sa.Column('name_zh', sa.String(length=200), nullable=False),
        sa.Column('name_en', sa.String(length=200), nullable=False),
        sa.Column('department', sa.String(length=40), nullable=False),
        sa.Column('supporting_departments', sa.String(length=400), nullable=False),
        sa.Column('due', sa.Date(), nullable=False),
        sa.Column('due_text', sa.String(length=40), nullable=False),
        sa.Column('milestones_json', sa.Text(), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['department'], ['department.code']),
        sa.ForeignKeyConstraint(['plan_code'], ['plan.code']),
        sa.ForeignKeyConstraint(['plan_code', 'sub_item_code'], ['plan_sub_item.plan_code', 'plan_sub_item.code']),
        sa.PrimaryKeyConstraint('plan_code', 'code'),
    )
    op.create_table(
        'task_report',
        sa.Column('task_code', sa.String(length=40), nullable=False),
        sa.Column('period', sa.String(length=10), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('progress', sa.Text(), nullable=False),
        sa.Column('done_on', sa.Date(), nullable=True),
        sa.Column('new_due', sa.Date(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('source_row', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['submission_id'], ['submission.id']),
        sa.PrimaryKeyConstraint('task_code', 'period', 'revision'),
    )
    op.create_index('ix_task_report_submission_id', 'task_report', ['submission_id'])


def downgrade() -> None:
    op.drop_index('ix_task_report_submission_id', table_name='task_report')
    op.drop_table('task_report')
    op.drop_table('plan_task')
