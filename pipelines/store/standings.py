"""Where the stored plan stands: the plan and current values read from the store, handed to the pure standing."""
from __future__ import annotations

from sqlalchemy import Engine

from models.queries import read_current_values
from pipelines.core.periods import Period
from pipelines.plan.standing import Standing, compute_standing
from pipelines.store.persist import plan_from_store


def read_standing(engine: Engine, as_of: Period | None = None) -> Standing | None:
    """The standing computed from the store; None when the store holds no plan."""
    with engine.connect() as conn:
        plan = plan_from_store(conn)
        if plan is None:
            return None
        current = read_current_values(conn)
    return compute_standing(plan, current, as_of)
