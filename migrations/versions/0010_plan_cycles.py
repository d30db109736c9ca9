"""Plan cycles: several plans in one store. Indicator series are shared (indicator keeps a series' code, names, unit,
kind, direction, frequency, owner and 口径; values, narratives and evidence still point at it); each plan's target of
a series moves to plan_indicator (placement, baseline — a number or `final` — target, source, lineage); goals,
actions and sub-items become the plan's own (plan_goal, plan_action, plan_sub_item, keyed by plan and code); a plan
names its departments in plan_department; snapshots and kept standings are per plan. The one plan of an older store
keeps every row: its code is written into each moved row. Kept standings are derived data and start empty.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

_PLAN = 'CAST(:plan AS VARCHAR(40))'  # the older plan's code, typed for PostgreSQL's INSERT … SELECT
_MOVED = ('sub_item_code', 'goal_code', 'baseline', 'baseline_period', 'target', 'target_period', 'source',
          'illustrative', 'position')


def upgrade() -> None:
    bind = op.get_bind()  # on SQLite foreign keys are off meanwhile and checked before commit (models.db)
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('folder', sa.String(length=200), server_default='', nullable=False))
    _create_plan_tables()
    plan = bind.execute(sa.text('SELECT code FROM plan')).scalar() or ''
    _copy_into_plan_tables(plan)
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        for column in _MOVED:
            batch_op.drop_column(column)
    op.drop_table('sub_item')
    op.drop_table('action')
    op.drop_table('goal')
    _snapshot_per_plan(plan)
    op.drop_table('standing_cache')
    op.create_table('standing_cache',
    sa.Column('data_key', sa.String(length=400), nullable=False),
    sa.Column('plan_code', sa.String(length=40), nullable=False),
    sa.Column('as_of', sa.String(length=10), nullable=False),
    sa.Column('latest_period', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('payload_json', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('data_key', 'plan_code', 'as_of')
    )


def _create_plan_tables() -> None:
    op.create_table('plan_department',
    sa.Column('plan_code', sa.String(length=40), nullable=False),
    sa.Column('department_code', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_code'], ['department.code']),
    sa.ForeignKeyConstraint(['plan_code'], ['plan.code']),
    sa.PrimaryKeyConstraint('plan_code', 'department_code')
    )
    op.create_table('plan_goal',
    sa.Column('plan_code', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_code'], ['plan.code']),
    sa.PrimaryKeyConstraint('plan_code', 'code')
    )
    op.create_table('plan_action',
    sa.Column('plan_code', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('description_zh', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_code'], ['plan.code']),
    sa.PrimaryKeyConstraint('plan_code', 'code')
    )
    op.create_table('plan_sub_item',
    sa.Column('plan_code', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('action_code', sa.String(length=40), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('lead_department', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['lead_department'], ['department.code']),
    sa.ForeignKeyConstraint(['plan_code', 'action_code'], ['plan_action.plan_code', 'plan_action.code']),
    sa.ForeignKeyConstraint(['plan_code'], ['plan.code']),
    sa.PrimaryKeyConstraint('plan_code', 'code')
    )
    op.create_table('plan_indicator',
    sa.Column('plan_code', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('sub_item_code', sa.String(length=40), nullable=False),
    sa.Column('goal_code', sa.String(length=40), nullable=True),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('definition_zh', sa.Text(), nullable=False),
    sa.Column('baseline', sa.Float(), nullable=True),
    sa.Column('baseline_final', sa.Boolean(), nullable=False),
    sa.Column('baseline_period', sa.String(length=10), nullable=False),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('target_period', sa.String(length=10), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.Column('lineage', sa.String(length=12), nullable=False),
    sa.Column('continues', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['code'], ['indicator.code']),
    sa.ForeignKeyConstraint(['plan_code', 'sub_item_code'], ['plan_sub_item.plan_code', 'plan_sub_item.code']),
    sa.ForeignKeyConstraint(['plan_code'], ['plan.code']),
    sa.PrimaryKeyConstraint('plan_code', 'code')
    )


def _copy_into_plan_tables(plan: str) -> None:
    """Every goal, action, sub-item, indicator target and department of the one older plan, under its code."""
    if not plan:
        return
    bind = op.get_bind()
    params = {'plan': plan}
    bind.execute(sa.text('INSERT INTO plan_department (plan_code, department_code, position) '
                         f'SELECT {_PLAN}, code, position FROM department'), params)
    bind.execute(sa.text('INSERT INTO plan_goal (plan_code, code, name_zh, name_en, position) '
                         f'SELECT {_PLAN}, code, name_zh, name_en, position FROM goal'), params)
    bind.execute(sa.text('INSERT INTO plan_action (plan_code, code, name_zh, name_en, description_zh, position) '
                         f'SELECT {_PLAN}, code, name_zh, name_en, description_zh, position FROM action'), params)
    bind.execute(sa.text(
        'INSERT INTO plan_sub_item (plan_code, code, action_code, name_zh, name_en, lead_department, position) '
        f'SELECT {_PLAN}, code, action_code, name_zh, name_en, lead_department, position FROM sub_item'), params)
    bind.execute(sa.text(
        'INSERT INTO plan_indicator (plan_code, code, sub_item_code, goal_code, name_zh, name_en, definition_zh, '
        'baseline, baseline_final, baseline_period, target, target_period, source, illustrative, lineage, '
        'continues, position) '
        f"SELECT {_PLAN}, code, sub_item_code, goal_code, name_zh, name_en, definition_zh, baseline, "
        "CAST(:no AS BOOLEAN), baseline_period, target, target_period, source, illustrative, '', '', position "
        "FROM indicator"),
        {**params, 'no': False})


def _snapshot_per_plan(plan: str) -> None:
    """The snapshot table keyed by plan and quarter: rebuilt, every frozen quarter kept under the older plan."""
    op.create_table('snapshot_by_plan',
    sa.Column('plan_code', sa.String(length=40), nullable=False),
    sa.Column('as_of', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('last_submission_id', sa.Integer(), nullable=False),
    sa.Column('payload_json', sa.Text(), nullable=False),
    sa.Column('frozen_by', sa.String(length=40), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('plan_code', 'as_of')
    )
    op.get_bind().execute(sa.text(
        'INSERT INTO snapshot_by_plan (plan_code, as_of, created_at, rule, last_submission_id, payload_json, '
        f'frozen_by) SELECT {_PLAN}, as_of, created_at, rule, last_submission_id, payload_json, frozen_by '
        'FROM snapshot'), {'plan': plan})
    op.drop_table('snapshot')
    op.rename_table('snapshot_by_plan', 'snapshot')


def downgrade() -> None:
    """Back to one plan per store: possible while the store holds at most one plan (its rows move back)."""
    bind = op.get_bind()
    plans = bind.execute(sa.text('SELECT code FROM plan')).scalars().all()
    if len(plans) > 1:
        raise RuntimeError(f'the store holds {len(plans)} plans; a store before 0010 holds one')
    op.create_table('goal',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('action',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('description_zh', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('sub_item',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('action_code', sa.String(length=40), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('lead_department', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_code'], ['action.code']),
    sa.ForeignKeyConstraint(['lead_department'], ['department.code']),
    sa.PrimaryKeyConstraint('code')
    )
    bind.execute(sa.text('INSERT INTO goal SELECT code, name_zh, name_en, position FROM plan_goal'))
    bind.execute(sa.text('INSERT INTO action SELECT code, name_zh, name_en, description_zh, position FROM plan_action'))
    bind.execute(sa.text('INSERT INTO sub_item SELECT code, action_code, name_zh, name_en, lead_department, position '
                         'FROM plan_sub_item'))
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sub_item_code', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('goal_code', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('baseline', sa.Float(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('baseline_period', sa.String(length=10), server_default='', nullable=False))
        batch_op.add_column(sa.Column('target', sa.Float(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('target_period', sa.String(length=10), server_default='', nullable=False))
        batch_op.add_column(sa.Column('source', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('illustrative', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('position', sa.Integer(), server_default='0', nullable=False))
    for column in _MOVED:
        fallback = 'COALESCE(t.baseline, 0)' if column == 'baseline' else f't.{column}'
        bind.execute(sa.text(f'UPDATE indicator SET {column} = (SELECT {fallback} FROM plan_indicator t '
                             'WHERE t.code = indicator.code) '
                             'WHERE code IN (SELECT code FROM plan_indicator)'))
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_indicator_sub_item', 'sub_item', ['sub_item_code'], ['code'])
        batch_op.create_foreign_key('fk_indicator_goal', 'goal', ['goal_code'], ['code'])
    for table in ('plan_indicator', 'plan_sub_item', 'plan_action', 'plan_goal', 'plan_department'):
        op.drop_table(table)
    op.create_table('snapshot_one_plan',
    sa.Column('as_of', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('last_submission_id', sa.Integer(), nullable=False),
    sa.Column('payload_json', sa.Text(), nullable=False),
    sa.Column('frozen_by', sa.String(length=40), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('as_of')
    )
    bind.execute(sa.text('INSERT INTO snapshot_one_plan SELECT as_of, created_at, rule, last_submission_id, '
                         'payload_json, frozen_by FROM snapshot'))
    op.drop_table('snapshot')
    op.rename_table('snapshot_one_plan', 'snapshot')
    op.drop_table('standing_cache')
    op.create_table('standing_cache',
    sa.Column('data_key', sa.String(length=400), nullable=False),
    sa.Column('as_of', sa.String(length=10), nullable=False),
    sa.Column('latest_period', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('payload_json', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('data_key', 'as_of')
    )
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_column('folder')
        batch_op.drop_column('draft')
