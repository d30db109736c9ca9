"""Where the stored plan stands: the plan and current values read from the store, handed to the pure standing."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from models.columns import CODE
from models.queries import read_current_values
from pipelines.core.periods import Period
from pipelines.plan.records import PlanData
from pipelines.plan.standing import Standing, compute_standing
from pipelines.store.plans import plan_from_store, series_codes


def read_standing(engine: Engine, as_of: Period | None = None, plan_code: str | None = None) -> Standing | None:
    """One plan's standing computed from the store (the default plan when none is named); None when there is no
    such plan."""
    with engine.connect() as conn:
        plan = plan_from_store(conn, plan_code)
        if plan is None:
            return None
        current = plan_values(read_current_values(conn), plan)
    return compute_standing(plan, current, as_of)


def plan_values(current: pd.DataFrame, plan: PlanData) -> pd.DataFrame:
    """The current values of the series a plan draws on (a store of several plans holds others too)."""
    wanted = series_codes(plan)
    if current[CODE].isin(wanted).all():
        return current
    return current[current[CODE].isin(wanted)].reset_index(drop=True)
