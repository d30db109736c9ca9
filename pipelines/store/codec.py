"""The one codec of the engine's records in the store: an Assessment as a row of values or a dict, and a standing's
assessments and roll-ups (with what changed since the quarter before) as the JSON that standing_cache keeps.

Snapshots keep each assessment as a dict keyed by field (readable on its own, and tolerant of fields added later);
kept standings keep one row of values per assessment in the dataclass's field order (no key names repeated 2,500
times), which reads back in about a third of the time. Both go through assessment_to_row and assessment_from_row.
"""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from pipelines.core.periods import Period, period_of_code
from pipelines.engine.assessment import Assessment, Change
from pipelines.engine.progress import diff_assessments
from pipelines.engine.rollup import RollUp
from pipelines.plan.standing import Standing

FIELDS = tuple(f.name for f in dataclasses.fields(Assessment))
_PERIODS = tuple(i for i, name in enumerate(FIELDS) if name in {"as_of", "latest_period", "due_period"})
_CODE, _THRESHOLDS = FIELDS.index("code"), FIELDS.index("thresholds")
# Fields a snapshot frozen by an earlier release may lack, with the value the dataclass gives them.
_DEFAULTS = {f.name: f.default for f in dataclasses.fields(Assessment) if f.default is not dataclasses.MISSING}


class KeptChanges(NamedTuple):
    since: str  # the quarter compared with, by its code
    changes: list[Change]  # pipelines.engine.progress.diff_assessments of its assessments and this quarter's


class KeptStanding(NamedTuple):
    assessments: dict[str, Assessment]
    rollups: dict[str, RollUp]
    changes: KeptChanges | None = None  # kept with the latest quarter: what changed since the quarter before


def assessment_to_row(assessment: Assessment) -> list[object]:
    """The assessment's values in field order, periods by their codes and thresholds as pairs: plain JSON values."""
    row: list[object] = [getattr(assessment, name) for name in FIELDS]
    for i in _PERIODS:
        period = row[i]
        row[i] = period.code if isinstance(period, Period) else None
    row[_THRESHOLDS] = [list(pair) for pair in assessment.thresholds]
    return row


def assessment_from_row(row: Sequence[object]) -> Assessment:
    values = list(row)
    for i in _PERIODS:
        values[i] = period_of_code(str(values[i])) if values[i] else None
    values[_THRESHOLDS] = tuple(tuple(pair) for pair in values[_THRESHOLDS])  # type: ignore[attr-defined]
    return Assessment(*values)  # type: ignore[arg-type]


def assessment_to_dict(assessment: Assessment) -> dict[str, object]:
    return dict(zip(FIELDS, assessment_to_row(assessment)))


def assessment_from_dict(data: Mapping[str, object]) -> Assessment:
    return assessment_from_row([data[name] if name in data else _DEFAULTS[name] for name in FIELDS])


def encode_standing(standing: Standing, since: Standing | None = None) -> str:
    """One quarter's assessments and roll-ups; with `since`, also what changed from that standing to this one (the
    overview's "what changed since last quarter" then needs no second quarter read back)."""
    rows = [assessment_to_row(a) for a in standing.assessments.values()]
    rollups = [dataclasses.asdict(r) for r in standing.rollups.values()]
    payload: dict[str, object] = {"fields": FIELDS, "rows": rows, "rollups": rollups}
    if since is not None:
        changes = diff_assessments(since.assessments, standing.assessments)
        payload["changes"] = {"since": since.as_of.code, "rows": [list(dataclasses.astuple(c)) for c in changes]}
    return json.dumps(payload, ensure_ascii=False)


def decode_standing(payload: str) -> KeptStanding:
    data = json.loads(payload)
    if tuple(data["fields"]) != FIELDS:
        raise ValueError("kept by a release with other assessment fields")
    assessments = {row[_CODE]: assessment_from_row(row) for row in data["rows"]}
    rollups = {r["code"]: RollUp(**(r | {"children": tuple(r["children"])})) for r in data["rollups"]}
    changes = data.get("changes")
    kept_changes = None if changes is None else KeptChanges(changes["since"], [Change(*row) for row in changes["rows"]])
    return KeptStanding(assessments, rollups, kept_changes)
