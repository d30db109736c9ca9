"""The one codec of the engine's records in the store: an Assessment as a row of values or a dict, and a standing's
roll-ups, leaf figures and changes as the JSON that standing_cache keeps.

Snapshots keep each assessment as a dict keyed by field (readable on its own, and tolerant of fields added later);
kept standings keep one row of values per assessment in the dataclass's field order (no key names repeated 2,500
times), which reads back in about a third of the time, one store row per indicator so that a change rewrites only
the indicators it touched. Both go through assessment_to_row and assessment_from_row.
"""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from pipelines.core.periods import Period, period_of_code
from pipelines.engine.assessment import Assessment, Change
from pipelines.engine.rollup import LeafFigures, Measure, RollUp, Tally
from pipelines.engine.status_rule import STATUSES

FIELDS = tuple(f.name for f in dataclasses.fields(Assessment))
_PERIODS = tuple(i for i, name in enumerate(FIELDS) if name in {"as_of", "latest_period", "due_period"})
_CODE, _THRESHOLDS = FIELDS.index("code"), FIELDS.index("thresholds")
_ROLLUP_FIELDS = tuple(f.name for f in dataclasses.fields(RollUp))
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


def rollup_to_dict(rollup: RollUp) -> dict[str, object]:
    """dataclasses.asdict without its deep copies (a roll-up holds plain values, its counts and its children)."""
    data = {name: getattr(rollup, name) for name in _ROLLUP_FIELDS}
    return data | {"counts": dict(rollup.counts), "children": list(rollup.children)}


def rollup_from_dict(data: Mapping[str, Any]) -> RollUp:
    return RollUp(**(dict(data) | {"children": tuple(data["children"])}))


class KeptHeader(NamedTuple):
    rollups: dict[str, RollUp]
    since: str | None  # the quarter its indicators' changes are counted since (None: not counted)
    tallies: dict[str, Tally]  # each sub-item's: what a change re-rolls it up from


def encode_header(rollups: Mapping[str, RollUp], since: str | None, tallies: Mapping[str, Tally]) -> str:
    """A kept quarter's roll-ups, the quarter its indicators' changes are counted since, and its sub-items' tallies
    (exact sums, written as whole numbers of any length)."""
    return json.dumps({"rollups": [rollup_to_dict(r) for r in rollups.values()], "since": since,
                       "tallies": {code: [[list(m) for m in t.measures], list(t.counts)]
                                   for code, t in tallies.items()}}, ensure_ascii=False)


def decode_header(payload: str) -> KeptHeader:
    data = json.loads(payload)
    tallies = {code: Tally(_measures(measures), tuple(int(n) for n in counts))
               for code, (measures, counts) in data["tallies"].items()}
    if any(len(t.counts) != len(STATUSES) for t in tallies.values()):
        raise ValueError("kept by a release with other statuses")
    return KeptHeader({r["code"]: rollup_from_dict(r) for r in data["rollups"]}, data["since"], tallies)


def _measures(rows: Sequence[Sequence[int]]) -> tuple[Measure, Measure, Measure]:
    score, gap, completion = ((int(a), int(b), int(c), int(d), int(e)) for a, b, c, d, e in rows)
    return score, gap, completion


def encode_assessment(assessment: Assessment) -> str:
    return json.dumps(assessment_to_row(assessment), ensure_ascii=False)


def decode_assessment(text: str) -> Assessment:
    row = json.loads(text)
    if len(row) != len(FIELDS):
        raise ValueError("kept by a release with other assessment fields")
    return assessment_from_row(row)


def encode_leaf(figures: Sequence[object]) -> str:
    return json.dumps(list(figures))


def decode_leaves(texts: Sequence[str]) -> list[LeafFigures]:
    """Many indicators' leaf figures, parsed as one JSON array (thousands of small parses cost ten times more)."""
    return [(score, gap, completion, str(status)) for score, gap, completion, status in
            json.loads("[" + ",".join(texts) + "]")]


def encode_changes(changes: Sequence[Change]) -> str:
    """One indicator's changes since the quarter before ('' for none)."""
    return json.dumps([list(dataclasses.astuple(c)) for c in changes], ensure_ascii=False) if changes else ""


def decode_changes(text: str) -> list[Change]:
    return [Change(*row) for row in json.loads(text)] if text else []


def decode_kept(payload: str, rows: Iterable[Sequence[str]]) -> KeptStanding:
    """A kept quarter from its header and its indicators' rows (code, assessment, changes) in plan order."""
    rollups, since, _tallies = decode_header(payload)
    assessments: dict[str, Assessment] = {}
    changes: list[Change] = []
    for code, assessment, changed in rows:
        assessments[code] = decode_assessment(assessment)
        if since is not None:
            changes += decode_changes(changed)
    return KeptStanding(assessments, rollups, None if since is None else KeptChanges(since, changes))
