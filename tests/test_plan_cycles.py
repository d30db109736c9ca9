"""Plan cycles: several plans in one store. Series shared, targets per plan; the same action codes in two plans; one
department file feeding every plan that targets its series; a `final` baseline that follows a late revision of the
old plan's last value; a dropped series refused after its plan's end; lineage; the default plan and the state of
each plan from the dates and today."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from conftest import HEADER, csv_bytes, snapshot_store
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from models.db import make_engine
from models.queries import read_current_values
from pipelines.cli import run
from pipelines.core.config import PLAN_DIR, PLANS_DIR, SAMPLES_DIR
from pipelines.core.periods import period_of_code
from pipelines.intake.build import build_store, build_stores, load_samples, plan_folders
from pipelines.intake.ingest import ACCEPTED, REJECTED, IngestRequest, ingest_bytes
from pipelines.intake.template import build_template_rows, form_block
from pipelines.plan.records import PlanData
from pipelines.present.story import build_story, metadata_rows
from pipelines.store.plans import (
    DROPPED,
    default_plan,
    lineage_rows,
    plan_from_store,
    plans_in_store,
    previous_plan,
    series_view,
)
from pipelines.store.snapshot import read_snapshot
from pipelines.store.standings import read_standing
from tests.test_pages import Open, open_app  # noqa: F401  (the pages' fixture, used by name below)

DAY = dt.date(2026, 12, 1)  # the 2023–2025 plan has ended, the 2026–2028 plan and the bridge plan are in force
SHGX_2026, SHGX_2023, ZJCN = PLANS_DIR / "SHGX-2026", PLAN_DIR, PLANS_DIR / "ZJCN-2025"


@pytest.fixture(scope="module")
def cycles(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """Every shipped plan and every sample file: the store `build --samples` makes. Never written to."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('cycles') / 'kpi.sqlite3'}")
    loaded = build_stores(engine, plan_folders(PLANS_DIR))
    assert all(isinstance(plan, PlanData) for _, plan in loaded), loaded
    results = load_samples(engine, SAMPLES_DIR)
    assert len(results) == 129 and all(r.outcome != REJECTED for r in results), [
        r.as_dict() for r in results if r.outcome == REJECTED]
    return engine


def _plan(engine: Engine, code: str) -> PlanData:
    with engine.connect() as conn:
        plan = plan_from_store(conn, code)
    assert plan is not None
    return plan


def _series(engine: Engine) -> PlanData:
    with engine.connect() as conn:
        series = series_view(conn)
    assert series is not None
    return series


def _copy(engine: Engine, folder: Path) -> Engine:
    """A copy of a SQLite store (its write-ahead log included) to change without touching the shared one."""
    target = folder / "copy.sqlite3"
    with sqlite3.connect(engine.url.database or "") as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return make_engine(f"sqlite:///{target}")


def _send(engine: Engine, rows: list[list[object]], department: str, today: dt.date = DAY) -> object:
    data = csv_bytes([HEADER, *rows])
    return ingest_bytes(engine, _series(engine), IngestRequest(f"{department}.csv", data, department=department,
                                                               today=today))


def test_three_plans_load_side_by_side_each_with_its_own_action_codes_and_names(cycles: Engine) -> None:
    with cycles.connect() as conn:
        assert [(p.code, p.start_period.code, p.end_period.code) for p in plans_in_store(conn)] == [
            ("SHGX-2023", "2023Q1", "2025Q4"), ("ZJCN-2025", "2025Q1", "2026Q4"), ("SHGX-2026", "2026Q1", "2028Q4")]
    old, new, bridge = _plan(cycles, "SHGX-2023"), _plan(cycles, "SHGX-2026"), _plan(cycles, "ZJCN-2025")
    assert "ZX1" in {a.code for a in old.actions} & {a.code for a in new.actions} & {a.code for a in bridge.actions}
    names = {plan.info.code: next(a.name_zh for a in plan.actions if a.code == "ZX1") for plan in (old, new, bridge)}
    assert names["SHGX-2023"] == "科创企业吸引集聚专项行动"
    assert len(set(names.values())) == 3, names  # each plan keeps its own wording of its own ZX1
    assert len(old.indicators) == 55 and [s.code for s in old.sub_items][:2] == ["ZX1.1", "ZX1.2"]


def test_loading_another_plan_changes_no_figure_of_a_plan_already_loaded(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'kpi.sqlite3'}")
    assert isinstance(build_store(engine, SHGX_2023), PlanData)
    load_samples(engine, SAMPLES_DIR)  # the files of the 2023–2025 plan alone: the others name plans not loaded
    before = read_standing(engine, period_of_code("2025Q4"), "SHGX-2023")
    values = snapshot_store(engine)["observation"]

    for folder in (ZJCN, SHGX_2026):
        assert isinstance(build_store(engine, folder), PlanData)

    after = read_standing(engine, period_of_code("2025Q4"), "SHGX-2023")
    assert before is not None and after is not None
    assert after.assessments == before.assessments and after.rollups == before.rollups
    assert _plan(engine, "SHGX-2023") == before.plan
    assert snapshot_store(engine)["observation"] == values


def test_one_department_file_feeds_every_plan_that_targets_its_series(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'kpi.sqlite3'}")
    build_stores(engine, plan_folders(PLANS_DIR))
    result = _send(engine, [["A03", "", "2026Q1", "1050", ""]], "KW", dt.date(2026, 4, 10))
    assert result.outcome == ACCEPTED
    for code in ("SHGX-2026", "ZJCN-2025"):
        standing = read_standing(engine, period_of_code("2026Q1"), code)
        assert standing is not None and standing.assessments["A03"].latest_value == 1050, code


def test_a_final_baseline_is_the_old_plans_approved_value_and_follows_its_late_revision(cycles: Engine,
                                                                                        tmp_path: Path) -> None:
    a03 = _plan(cycles, "SHGX-2026").indicator("A03")
    assert a03.baseline_final and a03.baseline == 1003  # 区科委's 2026Q1 file corrected 2025Q4 from 1,012
    assert a03.baseline_from is not None
    assert (a03.baseline_from.plan_code, a03.baseline_from.code, a03.baseline_from.period.code) == (
        "SHGX-2023", "A03", "2025Q4")
    engine = _copy(cycles, tmp_path)
    result = _send(engine, [["A03", "", "2025Q4", "1,008", "核减重复统计的1家，恢复误删的6家企业"]], "KW")
    assert result.outcome == ACCEPTED, result.as_dict()
    moved = _plan(engine, "SHGX-2026").indicator("A03")
    assert moved.baseline == 1008 and moved.baseline_from is not None
    assert moved.baseline_from.submissions == (result.submission_id,)
    standing = read_standing(engine, period_of_code("2026Q3"), "SHGX-2026")
    assert standing is not None and standing.assessments["A03"].baseline == 1008
    old = read_standing(engine, period_of_code("2025Q4"), "SHGX-2023")
    assert old is not None and old.assessments["A03"].latest_value == 1008  # the revision counts for the old plan too


def test_an_annual_kind_final_baseline_is_the_old_plans_year_total(cycles: Engine) -> None:
    a10 = _plan(cycles, "SHGX-2026").indicator("A10")  # 技术合同成交额: reported each quarter, judged by the year
    assert a10.kind == "annual" and a10.frequency == "quarterly"
    with cycles.connect() as conn:
        quarters = [r for r in lineage_rows(conn, _plan(cycles, "SHGX-2026")) if r.code == "A10"]
    assert quarters[0].baseline_source is not None and len(quarters[0].baseline_source.submissions) == 4
    assert a10.baseline == pytest.approx(7.25 + 7.90 + 8.30 + 8.65)


def test_a_final_baseline_not_yet_approved_says_so_and_judges_nothing(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'kpi.sqlite3'}")
    build_stores(engine, plan_folders(PLANS_DIR))  # plans, no values
    a03 = _plan(engine, "SHGX-2026").indicator("A03")
    assert not a03.has_baseline and a03.baseline_from is None
    standing = read_standing(engine, period_of_code("2026Q1"), "SHGX-2026")
    assert standing is not None
    assessment = standing.assessments["A03"]
    assert assessment.status == "no_data" and math.isnan(assessment.baseline)
    assert "暂无基期值" in assessment.explanation("zh")


def test_a_dropped_series_is_refused_after_its_plans_end_and_corrected_within_it(cycles: Engine,
                                                                                 tmp_path: Path) -> None:
    engine = _copy(cycles, tmp_path)
    before = snapshot_store(engine)
    refused = _send(engine, [["B05", "", "2026", "100", ""]], "GHZY", dt.date(2027, 1, 10))
    assert refused.outcome == REJECTED
    hard = refused.hard
    assert [(i.row, i.check) for i in hard] == [(2, "period-outside-plans")]
    assert "不在任何方案对该指标的期限（2023年第一季度至2025年第四季度）内" in hard[0].message("zh")
    assert snapshot_store(engine) == before
    late = _send(engine, [["B05", "", "2025", "100", "2025年数据复核后更正"]], "GHZY")
    assert late.outcome == ACCEPTED


def test_lineage_of_the_successor_plan(cycles: Engine) -> None:
    with cycles.connect() as conn:
        rows = {r.code: r for r in lineage_rows(conn, _plan(cycles, "SHGX-2026"))}
    kinds = {kind: sorted(c for c, r in rows.items() if r.lineage == kind)
             for kind in ("continued", "adjusted", "new", DROPPED)}
    assert kinds["adjusted"] == ["A20", "B11", "C16", "P07"]
    assert kinds["new"] == ["A22", "A23", "A24", "B12", "B13", "C17"]
    assert kinds[DROPPED] == ["A09", "A17", "A18", "B05", "C13"]
    assert len(kinds["continued"]) == 46
    assert (rows["A20"].previous_code, rows["A20"].previous_plan) == ("A06", "SHGX-2023")
    assert rows["A22"].previous_plan == "" and rows["A03"].baseline == 1003


def test_the_previous_plan_is_the_latest_ending_before_the_start_not_an_overlapping_bridge(cycles: Engine) -> None:
    with cycles.connect() as conn:
        plans = plans_in_store(conn)
    by = {p.code: p for p in plans}
    previous = previous_plan(plans, by["SHGX-2026"])
    assert previous is not None and previous.code == "SHGX-2023"  # ZJCN-2025 ends after SHGX-2026 starts
    assert previous_plan(plans, by["ZJCN-2025"]) is None  # it overlaps SHGX-2023
    assert previous_plan(plans, by["SHGX-2023"]) is None


def test_plan_state_and_the_default_plan_follow_today(cycles: Engine) -> None:
    with cycles.connect() as conn:
        plans = plans_in_store(conn)
    by = {p.code: p for p in plans}
    assert [by[c].state(DAY) for c in ("SHGX-2023", "ZJCN-2025", "SHGX-2026")] == ["ended", "in_force", "in_force"]
    assert by["SHGX-2026"].state(dt.date(2025, 12, 31)) == "not_started"
    assert by["SHGX-2023"].state(dt.date(2025, 12, 31)) == "in_force"
    assert [default_plan(plans, day).code for day in (DAY, dt.date(2025, 6, 1), dt.date(2031, 1, 1))] == [  # type: ignore[union-attr]
        "SHGX-2026", "ZJCN-2025", "SHGX-2026"]


def test_a_draft_plan_is_the_default_for_nobody_but_admins(tmp_path: Path) -> None:
    folder = tmp_path / "SHGX-2029"
    shutil.copytree(SHGX_2026, folder)
    (folder / "tasks.csv").unlink()  # its tasks' codes are SHGX-2026's, and codes are unique across plans
    with (folder / "plan.csv").open(encoding="utf-8-sig", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert "draft" in row
    row.update(code="SHGX-2029", start_period="2026Q2", draft="1")
    with (folder / "plan.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    engine = make_engine(f"sqlite:///{tmp_path / 'kpi.sqlite3'}")
    build_stores(engine, [SHGX_2023, SHGX_2026, folder])
    with engine.connect() as conn:
        plans = plans_in_store(conn)
        series = series_view(conn)
    assert [p.code for p in plans if p.draft] == ["SHGX-2029"]
    assert series is not None and len(series.windows_of("A03")) == 2  # 2023–2025 and 2026–2028: not the draft's
    assert default_plan(plans, DAY).code == "SHGX-2026"  # type: ignore[union-attr]
    assert default_plan(plans, DAY, admin=True).code == "SHGX-2029"  # type: ignore[union-attr]


def test_a_plan_that_gives_a_series_another_unit_is_refused_naming_both_files(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'kpi.sqlite3'}")
    assert isinstance(build_store(engine, SHGX_2023), PlanData)
    folder = tmp_path / "ZJCN-2025"
    shutil.copytree(ZJCN, folder)
    with (folder / "indicators.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    next(r for r in rows if r["code"] == "A03")["unit"] = "户"
    with (folder / "indicators.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    before = snapshot_store(engine)

    issues = build_store(engine, folder)

    assert isinstance(issues, list) and issues, issues
    first = issues[0]
    assert (first.file, first.column, first.check) == ("ZJCN-2025/indicators.csv", "unit", "plan-series-conflict")
    message = first.message("zh")
    assert "SHGX-2023/indicators.csv" in message and "“家”" in message and "“户”" in message
    assert snapshot_store(engine) == before


def test_the_command_line_lists_plans_and_lineage(cycles: Engine, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPI_TODAY", DAY.isoformat())
    url = str(cycles.url)
    assert run(["plans", "--format", "json", "--db", url]) == 0
    plans = json.loads(capsys.readouterr().out)
    assert [(p["code"], p["state"], p["indicators"]) for p in plans] == [
        ("SHGX-2023", "ended", 55), ("ZJCN-2025", "in_force", 10), ("SHGX-2026", "in_force", 56)]
    assert set(plans[0]) == {"code", "name_zh", "name_en", "start", "end", "state", "indicators"}
    assert run(["lineage", "--plan", "SHGX-2026", "--format", "json", "--db", url]) == 0
    rows = {r["code"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["A03"]["lineage"] == "continued" and rows["A03"]["baseline"] == 1003
    assert rows["A03"]["baseline_source"].startswith("SHGX-2023:A03@2025Q4#")
    assert rows["A18"]["lineage"] == "dropped" and rows["A18"]["previous_plan"] == "SHGX-2023"
    assert run(["status", "--format", "json", "--db", url]) == 0  # without --plan: the dashboard's default plan
    status = {r["code"]: r for r in json.loads(capsys.readouterr().out)}
    assert "A22" in status and status["A03"]["baseline"] == 1003 and status["A03"]["baseline_period"] == "2025Q4"
    assert run(["status", "--plan", "NOPE", "--db", url]) == 2
    assert "已有方案" in capsys.readouterr().err


def test_a_continuing_indicators_story_runs_across_the_cycles_with_the_boundary_and_the_break(cycles: Engine) -> None:
    standing = read_standing(cycles, period_of_code("2026Q3"), "SHGX-2026")
    assert standing is not None
    with cycles.connect() as conn:
        infos = {p.code: p for p in plans_in_store(conn)}
    old = _plan(cycles, "SHGX-2023")
    a20 = standing.plan.indicator("A20")
    story = build_story(standing.plan, a20, standing.current, standing.assessments["A20"], standing.rule, "zh",
                        [(infos["SHGX-2023"], old.indicator("A06"))])
    assert story.adjusted and story.boundary == ("2026-01-01", "本方案起")
    assert len(story.earlier) == 12 and story.earlier["y"].iloc[-1] == 262  # A06 from 2023Q1 to 2025Q4
    assert list(story.points["period"]) == ["2026Q1", "2026Q2", "2026Q3"]  # this plan's own values after the baseline
    assert [a[1] for a in story.other_anchors] == [150, 260]  # the old plan's baseline and target of A06
    names = {"SHGX-2023": "2023—2025年方案"}
    card = dict(metadata_rows(standing.plan, a20, standing.assessments["A20"], standing.rule, "zh", names))
    assert card["基期值"] == "284家（2025年第四季度）"  # restated under the new definition, not A06's 262
    assert card["与上一轮方案的关系"] == "口径调整（接续A06）"
    a03 = standing.plan.indicator("A03")
    card = dict(metadata_rows(standing.plan, a03, standing.assessments["A03"], standing.rule, "zh", names))
    assert card["基期值"].startswith("1,003家（2025年第四季度） · 取自《2023—2025年方案》A03的2025年第四季度核定值（报送号")
    assert card["与上一轮方案的关系"] == "延续指标"
    new = standing.plan.indicator("A22")
    assert dict(metadata_rows(standing.plan, new, standing.assessments["A22"], standing.rule, "zh"))[
        "与上一轮方案的关系"] == "新增指标"


@pytest.fixture
def app_on(cycles: Engine, open_app: Callable[[str], Open], monkeypatch: pytest.MonkeyPatch  # noqa: F811
           ) -> Callable[[dict[str, str]], AppTest]:
    """The overview of the three-plan store on DAY, opened with URL parameters (test_pages' opener)."""
    monkeypatch.setenv("KPI_TODAY", DAY.isoformat())
    opened = open_app(str(cycles.url))
    return lambda params: opened("overview", **params)


def _header(at: AppTest) -> str:
    return " ".join([*(t.value for t in at.title), *(m.value for m in at.markdown)])


@pytest.mark.parametrize(("params", "plan", "ended"), [
    ({}, "长宁区“上海硅巷”科创街区建设三年行动方案（2026—2028年）（示例）", False),  # the default: in force, latest start
    ({"plan": "SHGX-2023"}, "长宁区全面推进“上海硅巷”科创街区建设三年行动方案（2023—2025年）", True),
    ({"plan": "ZJCN-2025"}, "张江高新区长宁园改革创新发展行动方案（2025—2026年）", False),
])
def test_a_deep_link_opens_each_plan(app_on: Callable[[dict[str, str]], AppTest], params: dict[str, str], plan: str,
                                     ended: bool) -> None:
    at = app_on(params)
    assert plan in _header(at)
    notices = [i.value for i in at.info]
    assert any("本方案已于2025年第四季度结束，页面只读" in n for n in notices) is ended
    chooser = at.sidebar.selectbox(key="w_plan")
    assert len(chooser.options) == 3
    assert "2023—2025年（已结束）长宁区全面推进“上海硅巷”科创街区建设三年行动方案（2023—2025年）" in chooser.options
    assert at.query_params["plan"] == params.get("plan", "SHGX-2026")


def test_an_unknown_plan_in_the_address_is_said_and_the_default_shown(
        app_on: Callable[[dict[str, str]], AppTest]) -> None:
    at = app_on({"plan": "NOPE<b>"})
    assert any("plan=NOPE" in i.value for i in at.info)
    assert "（2026—2028年）（示例）" in _header(at)


def test_the_template_of_a_quarter_lists_once_every_series_a_plan_of_that_quarter_asks_for(cycles: Engine) -> None:
    series = _series(cycles)
    with cycles.connect() as conn:
        current = read_current_values(conn)
    rows = {q: [(r.code, r.period.code) for r in build_template_rows(series, "KW", period_of_code(q), current)]
            for q in ("2025Q4", "2026Q3")}
    assert ("A03", "2025Q4") in rows["2025Q4"] and ("A18", "2025Q4") in rows["2025Q4"]  # the ended plan's last quarter
    assert ("Z01", "2025") in rows["2025Q4"]  # the bridge plan's own series
    assert ("A22", "2026Q3") in rows["2026Q3"] and ("A18", "2026Q3") not in rows["2026Q3"]  # dropped after 2025
    for listed in rows.values():
        assert len(listed) == len(set(code for code, _ in listed))  # each series once
    titles = {q: dict(form_block(series, "KW", period_of_code(q)))["表名："] for q in ("2025Q4", "2026Q3")}
    assert titles["2025Q4"].startswith("长宁区全面推进“上海硅巷”科创街区建设三年行动方案（2023—2025年）、张江高新区")
    assert "（2026—2028年）" not in titles["2025Q4"] and "（2026—2028年）" in titles["2026Q3"]


def test_snapshot_and_export_speak_of_the_plan_named(cycles: Engine, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPI_TODAY", DAY.isoformat())
    engine = _copy(cycles, tmp_path)
    url = str(engine.url)
    assert run(["snapshot", "--plan", "SHGX-2023", "--as-of", "2025Q4", "--db", url]) == 0
    with engine.connect() as conn:
        frozen = read_snapshot(conn, period_of_code("2025Q4"), "SHGX-2023")
        assert frozen is not None and len(frozen.assessments) == 55 and frozen.plan_code == "SHGX-2023"
        assert read_snapshot(conn, period_of_code("2025Q4"), "ZJCN-2025") is None  # each plan's briefing its own
    capsys.readouterr()
    assert run(["export", "--plan", "SHGX-2023", "--db", url]) == 0
    old = set(pd.read_csv(io.StringIO(capsys.readouterr().out))["indicator_code"])
    assert run(["export", "--db", url]) == 0
    every = set(pd.read_csv(io.StringIO(capsys.readouterr().out))["indicator_code"])
    assert "A03" in old and "A22" not in old and "Z01" not in old  # the old plan's series only
    assert {"A03", "A22", "Z01", "A20"} <= every and old < every  # without --plan: every series
