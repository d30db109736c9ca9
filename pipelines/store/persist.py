"""Write to the store: the plan (replacing its rows in one transaction) and one accepted submission with its values;
and read the plan back."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import cast

import pandas as pd
from sqlalchemy import Connection, Row, Table, delete, func, insert, select, text

from models.columns import CODE, NOTE, PERIOD, REVISION, ROW, VALUE
from models.queries import max_revisions
from models.schema import Action, Department, Goal, Indicator, Observation, Plan, SubItem, Submission
from pipelines.core.columns import fit_name
from pipelines.core.issue import Issue, make_issue
from pipelines.core.periods import period_of_code
from pipelines.plan.records import IndicatorDef, Named, PlanData, PlanInfo, SubItemDef, split_codes


def save_plan(conn: Connection, plan: PlanData, now: dt.datetime) -> list[Issue]:
    """Store the plan's rows; refuse (changing nothing) another plan's code or dropping an indicator with data."""
    existing = conn.execute(select(Plan.code)).scalars().all()
    if existing and existing[0] != plan.info.code:
        return [make_issue("plan.csv", 2, "code", "plan-other-plan", existing[0], code=plan.info.code)]
    kept = {i.code for i in plan.indicators}
    used = conn.execute(select(Observation.indicator_code, func.count()).group_by(Observation.indicator_code)).all()
    problems = [make_issue("indicators.csv", None, "code", "plan-indicator-in-use", n, code=code)
                for code, n in used if code not in kept]
    if problems:
        return problems
    _replace_plan_rows(conn, plan, now)
    return []


def _replace_plan_rows(conn: Connection, plan: PlanData, now: dt.datetime) -> None:
    info = plan.info
    conn.execute(delete(Plan))
    conn.execute(insert(Plan), [{
        "code": info.code, "name_zh": info.name_zh, "name_en": info.name_en, "start_period": info.start_period.code,
        "end_period": info.end_period.code, "status_rule": info.status_rule,
        "thresholds_json": json.dumps(dict(info.thresholds)), "due_days": info.due_days, "loaded_at": now}])
    _upsert(conn, Department, [{"code": d.code, "name_zh": d.name_zh, "name_en": d.name_en, "position": n}
                               for n, d in enumerate(plan.departments)])
    _upsert(conn, Goal, [{"code": g.code, "name_zh": g.name_zh, "name_en": g.name_en, "position": n}
                         for n, g in enumerate(plan.goals)])
    _upsert(conn, Action, [{"code": a.code, "name_zh": a.name_zh, "name_en": a.name_en,
                            "description_zh": a.description_zh, "position": n} for n, a in enumerate(plan.actions)])
    _upsert(conn, SubItem, [{"code": s.code, "action_code": s.action_code, "name_zh": s.name_zh,
                             "name_en": s.name_en, "lead_department": s.lead_department, "position": n}
                            for n, s in enumerate(plan.sub_items)])
    _upsert(conn, Indicator, [_indicator_row(i, n) for n, i in enumerate(plan.indicators)])
    _delete_missing(conn, plan)


def _indicator_row(i: IndicatorDef, position: int) -> dict[str, object]:
    return {
        "code": i.code, "sub_item_code": i.sub_item_code, "goal_code": i.goal_code, "name_zh": i.name_zh,
        "name_en": i.name_en, "unit": i.unit, "direction": i.direction, "kind": i.kind, "baseline": i.baseline,
        "baseline_period": i.baseline_period.code, "target": i.target, "target_period": i.target_period.code,
        "department": i.department, "supporting_departments": ";".join(i.supporting_departments),
        "frequency": i.frequency, "definition_zh": i.definition_zh, "source": i.source,
        "illustrative": i.illustrative, "position": position,
    }


Coded = Department | Goal | Action | SubItem | Indicator  # the plan's tables keyed by code


def _upsert(conn: Connection, model: type[Coded], rows: list[dict[str, object]]) -> None:
    """Update rows that exist and insert the others, keyed by code (foreign keys keep old rows referenced)."""
    have = set(conn.execute(select(model.code)).scalars())
    updates = [r for r in rows if r["code"] in have]
    table = cast(Table, model.__table__)  # Core: a plain UPDATE of the named columns
    for row in updates:
        conn.execute(table.update().where(table.c.code == row["code"]).values(**row))
    fresh = [r for r in rows if r["code"] not in have]
    if fresh:
        conn.execute(insert(model), fresh)


def _delete_missing(conn: Connection, plan: PlanData) -> None:
    """Remove plan rows no longer in the folder, children first (indicators with data were refused before)."""
    for model, codes in ((Indicator, [i.code for i in plan.indicators]), (SubItem, [s.code for s in plan.sub_items]),
                         (Action, [a.code for a in plan.actions]), (Goal, [g.code for g in plan.goals])):
        conn.execute(delete(model).where(model.code.not_in(codes)))
    used = select(Submission.department).where(Submission.department.is_not(None))
    conn.execute(delete(Department).where(Department.code.not_in([d.code for d in plan.departments]),
                                          Department.code.not_in(used)))


def save_submission(
    conn: Connection, *, file_name: str, sha256: str, content: bytes, department: str | None,
    submitter: str | None, channel: str, status: str, submitted_at: dt.datetime, rows: pd.DataFrame,
    counts: dict[str, int], reporter: str = "", reporter_phone: str = "",
) -> int:
    """Record an accepted file and append its new and revised values as new revisions; returns the submission id.

    A name longer than the column is stored shortened, with the whole name beside it; 填报人 and 联系电话 from the
    file's header are cut to their columns."""
    short = fit_name(file_name)
    result = conn.execute(insert(Submission).values(
        file_name=short, original_name=file_name if short != file_name else "", reporter=reporter[:100],
        reporter_phone=reporter_phone[:40], sha256=sha256, content=content, department=department, submitter=submitter,
        channel=channel, status=status, submitted_at=submitted_at, n_new=counts["new"],
        n_revised=counts["revised"], n_unchanged=counts["unchanged"], n_rejected=counts.get("rejected", 0)))
    key = result.inserted_primary_key
    assert key is not None  # an INSERT of one row always has its key
    submission_id = int(key[0])
    _append_values(conn, submission_id, rows)
    return submission_id


def _append_values(conn: Connection, submission_id: int, rows: pd.DataFrame) -> None:
    if rows.empty:
        return
    top = max_revisions(conn, sorted(rows[CODE].unique()))
    frame = rows.merge(top, on=[CODE, PERIOD], how="left")
    frame[REVISION] = frame[REVISION].fillna(0).astype(int) + 1
    records = list(zip(frame[CODE].tolist(), frame[PERIOD].tolist(), frame[VALUE].astype(float).tolist(),
                       frame[NOTE].astype(str).tolist(), frame[REVISION].tolist(), [submission_id] * len(frame),
                       frame[ROW].astype(int).tolist()))
    columns = "indicator_code, period, value, note, revision, submission_id, source_row"
    if conn.dialect.name == "postgresql":
        _copy_rows(conn, f"COPY observation ({columns}) FROM STDIN", records)
        return
    marks = ", ".join(["?"] * 7) if conn.dialect.paramstyle == "qmark" else ", ".join(["%s"] * 7)
    conn.exec_driver_sql(f"INSERT INTO observation ({columns}) VALUES ({marks})", records)


def _copy_rows(conn: Connection, sql: str, records: list[tuple[object, ...]]) -> None:
    """PostgreSQL's COPY, in the connection's own transaction: several times faster than INSERTs for big files."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(sql) as copy:
            for record in records:
                copy.write_row(record)
    finally:
        cursor.close()


def count_rows(conn: Connection) -> dict[str, int]:
    """How many rows each table holds (used to show that a refused file changed nothing)."""
    return {table: conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
            for table in ("plan", "department", "indicator", "submission", "observation")}


def plan_from_store(conn: Connection) -> PlanData | None:
    """The plan as stored, or None for an empty store (rows straight from the driver: every page's first read)."""
    p = conn.execute(text("SELECT * FROM plan")).first()
    if p is None:
        return None
    info = PlanInfo(str(p.code), str(p.name_zh), str(p.name_en), period_of_code(str(p.start_period)),
                    period_of_code(str(p.end_period)), str(p.status_rule),
                    tuple(sorted(json.loads(p.thresholds_json or "{}").items())), int(p.due_days))
    named = {t: tuple(Named(r.code, r.name_zh, r.name_en, getattr(r, "description_zh", "") or "")
                      for r in _plan_rows(conn, t)) for t in ("department", "goal", "action")}
    subs = tuple(SubItemDef(r.code, r.action_code, r.name_zh, r.name_en, r.lead_department)
                 for r in _plan_rows(conn, "sub_item"))
    indicators = tuple(_indicator(*r) for r in conn.execute(text(
        f"SELECT {', '.join(_INDICATOR_COLUMNS)} FROM indicator ORDER BY position")))
    return PlanData(info, named["department"], named["goal"], named["action"], subs, indicators)


def _plan_rows(conn: Connection, table: str) -> Sequence[Row]:
    """A plan table's rows in plan order."""
    assert table in {"department", "goal", "action", "sub_item"}, table
    return conn.execute(text(f"SELECT * FROM {table} ORDER BY position")).all()


def _text_or_none(value: object) -> str | None:
    """A nullable text column (None or "" both mean no value)."""
    return value if isinstance(value, str) and value else None


_INDICATOR_COLUMNS = ("code", "sub_item_code", "goal_code", "name_zh", "name_en", "unit", "direction", "kind",
                      "baseline", "baseline_period", "target", "target_period", "department",
                      "supporting_departments", "frequency", "definition_zh", "source")


def _indicator(code: str, sub_item: str, goal: str | None, name_zh: str, name_en: str, unit: str, direction: str,
               kind: str, baseline: float, baseline_period: str, target: float, target_period: str, department: str,
               supporting: str | None, frequency: str, definition: str | None, source: str | None) -> IndicatorDef:
    """One indicator from its row, columns in _INDICATOR_COLUMNS order (plain tuples: a large plan has thousands)."""
    return IndicatorDef(code, sub_item, _text_or_none(goal), name_zh, name_en, unit, direction, kind, float(baseline),
                        period_of_code(baseline_period), float(target), period_of_code(target_period), department,
                        split_codes(supporting or ""), frequency, definition or "", source or "")
