"""The standing of the plan read from the store, snapshots of a quarter, what changed, and the status command."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine

from pipelines.cli import run
from pipelines.core.periods import period_of_code
from pipelines.intake.ingest import IngestRequest, ingest_bytes
from pipelines.plan.records import PlanData
from pipelines.plan.standing import default_as_of
from pipelines.store.codec import assessment_from_dict, assessment_to_dict
from pipelines.store.snapshot import diff_quarters, freeze
from pipelines.store.standings import read_standing
from tests.conftest import HEADER, csv_bytes

WHEN = dt.datetime(2024, 10, 10, 9, 0)


def send(engine: Engine, plan: PlanData, name: str, rows: list[list[object]], when: dt.datetime = WHEN) -> None:
    result = ingest_bytes(engine, plan, IngestRequest(name, csv_bytes([HEADER, *rows]), submitted_at=when, today=when.date()))
    assert result.outcome == "accepted", result.as_dict()


def test_read_standing_judges_a_reported_indicator_with_the_plan_rule(engine: Engine, plan: PlanData) -> None:
    send(engine, plan, "kw.csv", [["A03", "", "2024Q3", 800, ""]])
    standing = read_standing(engine)
    assert standing is not None
    assert standing.as_of.code == "2024Q3"  # the latest quarter with data
    a03 = standing.assessments["A03"]
    # A03: baseline 500 at end of 2023Q3 (2023.75), target 1000 at end of 2025 (2026.0), value at 2024.75:
    # completion 300/500 = 0.6, time share 1/2.25 = 0.444 → pace 1.35 → on track
    assert a03.latest_value == 800 and a03.completion == pytest.approx(0.6)
    assert a03.time_share == pytest.approx(1 / 2.25) and a03.pace_ratio == pytest.approx(1.35)
    assert a03.status == "on_track" and a03.rule == "ratio"
    assert standing.assessments["A05"].status == "no_data"
    assert set(standing.rollups) >= {"SHGX-2023", "ZX1", "ZX1.1"}


def test_read_standing_of_an_empty_store_is_none(tmp_path) -> None:
    from models.db import create_schema, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    create_schema(engine)
    assert read_standing(engine) is None


def test_default_as_of_never_passes_the_plan_end(plan: PlanData) -> None:
    import pandas as pd

    current = pd.DataFrame({"period": ["2025", "2024Q2"]})
    assert default_as_of(plan, current).code == "2025Q4"
    assert default_as_of(plan, current.iloc[1:]).code == "2024Q2"


def test_assessment_survives_a_round_trip_through_a_snapshot_payload(engine: Engine, plan: PlanData) -> None:
    send(engine, plan, "kw.csv", [["A03", "", "2024Q3", 800, ""]])
    a03 = read_standing(engine).assessments["A03"]  # type: ignore[union-attr]
    assert assessment_from_dict(json.loads(json.dumps(assessment_to_dict(a03)))) == a03


def test_snapshot_keeps_what_was_briefed_when_a_value_is_revised_later(engine: Engine, plan: PlanData) -> None:
    send(engine, plan, "q3.csv", [["A03", "", "2024Q3", 800, ""]])
    q3 = period_of_code("2024Q3")
    briefed = freeze(engine, q3)
    assert briefed is not None and briefed.assessments["A03"].latest_value == 800
    send(engine, plan, "fix.csv", [["A03", "", "2024Q3", 760, "更正：剔除迁出企业40家"]], WHEN + dt.timedelta(days=30))
    again = freeze(engine, q3)  # kept, not recomputed
    assert again is not None and again.assessments["A03"].latest_value == 800
    replaced = freeze(engine, q3, replace=True)
    assert replaced is not None and replaced.assessments["A03"].latest_value == 760


def test_diff_lists_status_changes_new_values_and_revisions_of_briefed_values(engine: Engine, plan: PlanData) -> None:
    send(engine, plan, "q3.csv", [["A03", "", "2024Q3", 800, ""]])
    freeze(engine, period_of_code("2024Q3"))
    send(engine, plan, "q4.csv", [["A03", "", "2024Q3", 760, "更正：剔除迁出企业40家"], ["A03", "", "2024Q4", 820, ""]],
         dt.datetime(2025, 1, 10, 9, 0))
    diff = diff_quarters(engine, period_of_code("2024Q3"), period_of_code("2024Q4"))
    kinds = {(c.code, c.kind) for c in diff.changes}
    assert ("A03", "new_value") in kinds
    assert diff.before_frozen
    revised = diff.revisions[["indicator_code", "period", "previous", "value"]].values.tolist()
    assert revised == [["A03", "2024Q3", 800.0, 760.0]]


def test_status_command_prints_json_rows_with_the_promised_columns(engine: Engine, plan: PlanData, capsys) -> None:
    send(engine, plan, "kw.csv", [["A03", "", "2024Q3", 800, ""]])
    url = str(engine.url)
    assert run(["status", "--db", url, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    a03 = next(r for r in rows if r["code"] == "A03")
    for column in ("code", "as_of", "status", "latest_period", "latest_value", "baseline", "target", "expected",
                   "completion", "pace_ratio", "projected", "projection_ratio", "likely_to_meet", "overdue",
                   "explanation"):
        assert column in a03
    assert a03["status"] == "on_track" and a03["as_of"] == "2024Q3"


@pytest.mark.parametrize("level, code", [("sub_item", "ZX1.1"), ("action", "ZX1"), ("plan", "SHGX-2023")])
def test_status_command_rolls_up_to_each_level(engine: Engine, plan: PlanData, capsys, level: str, code: str) -> None:
    send(engine, plan, "kw.csv", [["A03", "", "2024Q3", 800, ""]])
    assert run(["status", "--db", str(engine.url), "--level", level, "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("code,level,as_of,status")
    assert any(line.startswith(code + ",") for line in out.splitlines()[1:])


def test_status_command_refuses_a_bad_period_without_a_traceback(engine: Engine, capsys) -> None:
    assert run(["status", "--db", str(engine.url), "--as-of", "2025年第五季度"]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "2025年第五季度" in captured.err


def test_snapshot_and_diff_commands(engine: Engine, plan: PlanData, capsys) -> None:
    send(engine, plan, "kw.csv", [["A03", "", "2024Q3", 800, ""]])
    url = str(engine.url)
    assert run(["snapshot", "--db", url, "--as-of", "2024Q3"]) == 0
    assert "2024年第三季度" in capsys.readouterr().out
    assert run(["diff", "--db", url, "--from", "2024Q2", "--to", "2024Q3", "--format", "json"]) == 0
    diff = json.loads(capsys.readouterr().out)
    assert {"code": "A03", "kind": "status", "before": "no_data", "after": "on_track"} in diff["changes"]
