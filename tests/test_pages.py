"""Every dashboard page run with Streamlit's AppTest against real stores: no exception, the numbers shown are the
engine's, the language switch changes the texts, screenshot mode hides the sidebar, empty stores get a calm message."""
from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from models.db import make_engine
from models.states import PENDING
from pipelines.core.catalog import t
from pipelines.core.config import ROOT
from pipelines.engine.progress import STATUS_GROUP, STATUSES
from pipelines.intake.ingest import IngestRequest, ingest_bytes
from pipelines.present.charts import STATUS_BAR_CLASS
from pipelines.present.formatting import format_rate, status_badge
from tests.conftest import HEADER, csv_bytes
from tests.dashboard_fixtures import Store, status_bar_counts

APP = str(ROOT / "app.py")
PAGES = {
    "overview": "views/screens/overview.py", "actions": "views/screens/actions.py",
    "indicator": "views/screens/indicator.py", "departments": "views/screens/departments.py",
    "methodology": "views/screens/methodology.py",
}
Open = Callable[..., AppTest]
# The pages' today unless a test sets KPI_TODAY itself: the shipped plan's last day, so that its last quarter (the
# samples' latest) is seen in force, with its pace lights, whatever the calendar says (after its end the pages show
# its 总结评估 instead: tests/test_final_view.py).
IN_FORCE_DAY = "2025-12-31"


@pytest.fixture
def open_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Store | str], Open]]:
    """Point the app at a store and open a page with URL parameters; caches are cleared before and after. The day is
    IN_FORCE_DAY unless the test sets KPI_TODAY after asking for this fixture."""
    st.cache_data.clear()
    st.cache_resource.clear()
    monkeypatch.setenv("KPI_TODAY", IN_FORCE_DAY)

    def pointing_at(store: Store | str) -> Open:
        monkeypatch.setenv("KPI_DB_URL", store if isinstance(store, str) else store.url)

        def open_page(page: str = "overview", **params: str) -> AppTest:
            at = AppTest.from_file(APP, default_timeout=60)
            for name, value in params.items():
                at.query_params[name] = value
            at.run()
            if page != "overview":
                at.switch_page(PAGES[page]).run()
            assert not at.exception, [e.value for e in at.exception]
            return at

        return open_page

    yield pointing_at
    st.cache_data.clear()
    st.cache_resource.clear()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def plain(value: object) -> object:
    """Plotly 7 writes arrays as {'dtype', 'bdata'} (base64); turn them back into lists."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = [int(n) for n in str(value.get("shape", "")).split(",") if n.strip()]
        return array.reshape(shape).tolist() if shape else array.tolist()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def figures(at: AppTest) -> list[dict]:
    return [plain(json.loads(chart.proto.spec)) for chart in at.get("plotly_chart")]


def status_bars(at: AppTest) -> list[dict[str, int]]:
    """The status bars drawn as HTML (pipelines.present.charts.status_bar_html), each as status → count."""
    return [status_bar_counts(m.value) for m in at.markdown if STATUS_BAR_CLASS in m.value]


def texts(at: AppTest) -> str:
    return "\n".join([*(m.value for m in at.markdown), *(c.value for c in at.caption), *(s.value for s in at.subheader),
                      *(x.value for x in at.title), *(i.value for i in at.info), *(w.value for w in at.warning)])


def sidebar_widgets(at: AppTest) -> int:
    return sum(len(getattr(at.sidebar, kind)) for kind in ("radio", "selectbox", "toggle", "multiselect"))


# ---- every page ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("page", list(PAGES))
def test_pages_every_page_runs_and_states_its_cutoff(open_app, sample_store: Store, page: str) -> None:
    at = open_app(sample_store)(page)

    assert "截至2025年第四季度末" in texts(at)
    assert "数据来源：各部门季度报送" in texts(at)


@pytest.mark.parametrize("page", ["overview", "actions", "indicator", "departments"])
def test_pages_show_the_illustrative_notice_with_sample_data(open_app, sample_store: Store, page: str) -> None:
    at = open_app(sample_store)(page)

    assert any("示例数据" in w.value for w in at.warning)


@pytest.mark.parametrize("page", list(PAGES))
def test_pages_language_switch_changes_the_texts(open_app, sample_store: Store, page: str) -> None:
    at = open_app(sample_store)(page)
    before = texts(at)

    at.sidebar.radio[0].set_value("en").run()

    after = texts(at)
    assert not at.exception
    assert "As of end of 2025 Q4" in after and "截至2025年第四季度末" not in after
    assert after != before


@pytest.mark.parametrize("page", list(PAGES))
def test_pages_screenshot_mode_hides_the_sidebar_and_widgets(open_app, sample_store: Store, page: str) -> None:
    at = open_app(sample_store)(page, screenshot="1")

    assert sidebar_widgets(at) == 0
    assert any('[data-testid="stSidebar"]' in m.value and "display: none" in m.value for m in at.markdown)
    assert len(at.selectbox) == len(at.multiselect) == len(at.get("download_button")) == 0
    assert "截至2025年第四季度末" in texts(at) and "数据来源" in texts(at)


def test_pages_screenshot_toggle_hides_the_sidebar_on_the_next_run(open_app, sample_store: Store) -> None:
    at = open_app(sample_store)()
    assert sidebar_widgets(at) == 3

    at.sidebar.toggle[0].set_value(True).run()

    assert sidebar_widgets(at) == 0
    assert any('[data-testid="stSidebar"]' in m.value for m in at.markdown)


# ---- overview ------------------------------------------------------------------------------------------------------

def test_overview_headline_numbers_are_the_engines(open_app, sample_store: Store) -> None:
    standing = sample_store.standing()
    plan = standing.rollups[sample_store.plan.info.code]
    groups = {g: sum(STATUS_GROUP[a.status] == g for a in standing.assessments.values())
              for g in ("green", "amber", "red", "grey")}

    shown = metrics(open_app(sample_store)())

    assert shown[t("ui.plan-completion")] == format_rate(plan.mean_completion)
    assert shown[t("ui.plan-status")] == status_badge(plan.status, "zh")
    assert shown[t("ui.indicators")] == f"{len(standing.assessments)}项"
    assert shown[t("ui.likely-to-meet")] == f"{sum(a.likely_to_meet for a in standing.assessments.values())}项"
    assert shown[t("ui.overdue")] == f"{sum(a.overdue for a in standing.assessments.values())}项"
    assert {g: shown[t(f"ui.group.{g}")] for g in groups} == {g: f"{n}项" for g, n in groups.items()}
    assert shown[t("ui.plan-completion")] == "96.5%"  # what `python -m pipelines status --level plan` prints


def test_overview_charts_carry_the_engines_counts_and_actions(open_app, sample_store: Store) -> None:
    standing = sample_store.standing()
    at = open_app(sample_store)()
    (status_bar,), (actions, hierarchy) = status_bars(at), figures(at)

    assert status_bar == {s: sum(a.status == s for a in standing.assessments.values()) for s in STATUSES}
    assert sum(status_bar.values()) == len(standing.assessments)
    assert actions["data"][0]["customdata"] == [standing.rollups[a.code].status for a in sample_store.plan.actions]
    assert len(hierarchy["data"][0]["ids"]) == 1 + 6 + 12 + 55


def test_overview_as_of_applies_and_shows_that_quarters_numbers(open_app, sample_store: Store) -> None:
    earlier = sample_store.standing("2024Q2")
    at = open_app(sample_store)()

    at.sidebar.selectbox[0].set_value("2024Q2").run()

    assert "截至2024年第二季度末" in texts(at)
    assert metrics(at)[t("ui.plan-completion")] == format_rate(earlier.rollups[sample_store.plan.info.code].mean_completion)


def test_overview_as_of_from_the_url_applies_to_every_page(open_app, sample_store: Store) -> None:
    at = open_app(sample_store)("overview", as_of="2024Q2")
    assert "截至2024年第二季度末" in texts(at)

    at.switch_page(PAGES["actions"]).run()

    assert "截至2024年第二季度末" in texts(at)


def test_overview_lists_red_flags_and_what_changed(open_app, sample_store: Store) -> None:
    standing = sample_store.standing()
    red = {a.code for a in standing.assessments.values() if STATUS_GROUP[a.status] == "red"}
    at = open_app(sample_store)()
    frames = [d.value for d in at.dataframe]
    flags = next(f for f in frames if t("ui.col.explanation") in f.columns and t("ui.col.code") in f.columns)
    changes = next(f for f in frames if t("ui.col.change") in f.columns)

    assert set(flags[t("ui.col.code")]) == red
    assert t("ui.change.status") in set(changes[t("ui.col.kind")])
    assert "▲" not in "".join(changes[t("ui.col.change")])  # arrows sit in their own neutral column


# ---- actions ------------------------------------------------------------------------------------------------------

def test_actions_table_shows_the_engines_completion_for_the_chosen_action(open_app, sample_store: Store) -> None:
    standing = sample_store.standing()
    at = open_app(sample_store)("actions", action="ZX2")
    table = next(d.value for d in at.dataframe if t("ui.col.time_share") in d.value.columns)
    expected = [i.code for i in sample_store.plan.indicators
                if i.sub_item_code in {s.code for s in sample_store.plan.sub_items if s.action_code == "ZX2"}]

    assert list(table[t("ui.col.completion")]) == [round(standing.assessments[c].completion * 100, 1) for c in expected]
    assert list(table[t("ui.col.status")]) == [status_badge(standing.assessments[c].status, "zh") for c in expected]
    assert list(table.columns[:4]) == [t("ui.col.seq"), t("ui.col.sub_item"), t("ui.col.indicator"), t("ui.col.unit")]
    assert status_bars(at) == [{s: sum(standing.assessments[c].status == s for c in expected) for s in STATUSES}]


def test_actions_table_shows_the_narratives_sent_with_the_values(open_app, fresh_sample_store: Store) -> None:
    current = fresh_sample_store.standing().current.query("indicator_code == 'A05' and period == '2025'")
    with fresh_sample_store.engine.begin() as conn:
        conn.execute(text("INSERT INTO value_narrative VALUES ('A05', '2025', :s, '已认定4个集群', '区块链集群未成形', "
                          "'2026年一季度完成认定')"), {"s": int(current["submission_id"].item())})

    at = open_app(fresh_sample_store)("actions", action="ZX1")

    table = next(d.value for d in at.dataframe if t("ui.col.time_share") in d.value.columns)
    row = table[table[t("ui.col.indicator")] == "创新产业集群数"].iloc[0]
    assert (row[t("ui.col.progress")], row[t("ui.col.problems")], row[t("ui.col.next_steps")]) == (
        "已认定4个集群", "区块链集群未成形", "2026年一季度完成认定")


def test_actions_filter_and_sort_change_the_rows(open_app, sample_store: Store) -> None:
    at = open_app(sample_store)("actions", action="ZX1")

    at.multiselect[0].set_value(["red"]).run()

    table = next(d.value for d in at.dataframe if t("ui.col.time_share") in d.value.columns)
    assert set(table[t("ui.col.status")]) == {status_badge("not_achieved", "zh")}
    assert len(table) == 3


def test_actions_offers_the_table_as_xlsx(open_app, sample_store: Store) -> None:
    at = open_app(sample_store)("actions")

    assert len(at.get("download_button")) == 1


def test_actions_unknown_action_in_the_url_is_a_calm_message(open_app, sample_store: Store) -> None:
    at = open_app(sample_store)("actions", action="NOPE")

    assert any("NOPE" in i.value for i in at.info)


# ---- indicator -----------------------------------------------------------------------------------------------------

def test_indicator_chart_draws_the_reported_values_and_hover_names_the_reporter(open_app, sample_store: Store) -> None:
    at = open_app(sample_store)("indicator", code="A03")
    values = sample_store.standing().current.query("indicator_code == 'A03'").sort_values("period")
    reported = next(trace for trace in figures(at)[0]["data"] if trace["name"] == t("ui.chart.reported"))

    assert reported["y"] == [v for v, p in zip(values["value"], values["period"]) if p > "2023Q3"]
    assert "张老师(示例)" in reported["customdata"][-1] and "判定" in reported["customdata"][-1]
    assert any(s.value.startswith("A03 ") for s in at.subheader)


def test_indicator_lists_every_revision(open_app, sample_store: Store) -> None:
    at = open_app(sample_store)("indicator", code="A03")
    revisions = next(d.value for d in at.dataframe if t("ui.col.file_name") in d.value.columns)

    assert len(revisions) == len(sample_store.standing().current.query("indicator_code == 'A03'"))
    assert len(at.get("download_button")) == 2


def test_indicator_unknown_code_is_a_calm_message(open_app, sample_store: Store) -> None:
    at = open_app(sample_store)("indicator", code="ZZZ")

    assert any("ZZZ" in i.value for i in at.info)
    assert figures(at) == []


# ---- departments ---------------------------------------------------------------------------------------------------

def test_departments_ranks_every_department_and_shows_the_grid(open_app, sample_store: Store) -> None:
    at = open_app(sample_store)("departments")
    ranking = next(d.value for d in at.dataframe if t("ui.col.rate") in d.value.columns)
    grid = figures(at)[0]["data"][0]

    assert len(ranking) == len(sample_store.plan.departments)
    assert ranking[t("ui.col.rate")].iloc[0] == "100.0%"
    assert grid["type"] == "heatmap" and len(grid["y"]) == len(sample_store.plan.departments)


def test_departments_shows_a_departments_own_indicators(open_app, sample_store: Store) -> None:
    standing = sample_store.standing()
    statuses = [standing.assessments[i.code].status for i in sample_store.plan.indicators if i.department == "KX"]
    at = open_app(sample_store)("departments", department="KX")
    own = next(d.value for d in at.dataframe if t("ui.col.completion") in d.value.columns)

    assert len(own) == len(statuses)
    assert metrics(at)[t("ui.indicators")] == f"{len(own)}项"
    assert status_bars(at) == [{s: statuses.count(s) for s in STATUSES}]


# ---- methodology ---------------------------------------------------------------------------------------------------

def test_methodology_renders_the_document_in_the_readers_language(open_app, sample_store: Store) -> None:
    at = open_app(sample_store)("methodology")
    assert any("进度评价方法说明" in m.value for m in at.markdown)

    at.sidebar.radio[0].set_value("en").run()

    assert any("English summary" in m.value for m in at.markdown)


def test_methodology_page_draws_worked_examples_as_tables_without_machinery(open_app, sample_store: Store) -> None:
    at = open_app(sample_store)("methodology")
    page = "\n".join(m.value for m in at.markdown)

    for raw in ("```", "kind:", "status:", "needs_attention", "as_of", "<!--", ".py", "plan.csv", "legend()"):
        assert raw not in page, raw
    # the first worked example's conditions and results, as a table row each
    assert "| 条件 | 指标类型 | 水平指标（到目标期达到某一水平） |" in page
    assert "|  | 各期数值 | 2023年：48 |" in page and "| 结果 | 状态 | 需关注 |" in page
    assert "|  | 差值 | -10.0个百分点 |" in page and "|  | 有望如期完成 | 否 |" in page
    assert "| 子项S2 | 0.30 | 进度滞后 |" in page  # the roll-up example's expected levels


# ---- calm messages for stores without data -------------------------------------------------------------------------

@pytest.mark.parametrize("page", list(PAGES))
def test_pages_empty_store_gives_a_calm_message(open_app, tmp_path: Path, page: str) -> None:
    at = open_app(f"sqlite:///{tmp_path / 'empty.sqlite3'}")(page)

    assert page == "methodology" or any(t("ui.empty-store") in i.value for i in at.info)
    assert figures(at) == [] and status_bars(at) == []


@pytest.mark.parametrize("page", list(PAGES))
def test_pages_plan_without_data_runs_and_says_so(open_app, plan_only_store: Store, page: str) -> None:
    at = open_app(plan_only_store)(page)

    assert any(t("ui.no-data-yet") in i.value for i in at.info)
    if page == "overview":
        assert metrics(at)[t("ui.group.grey")] == f"{len(plan_only_store.plan.indicators)}项"


def test_pages_new_data_shows_without_clearing_caches(open_app, fresh_sample_store: Store) -> None:
    open_page = open_app(fresh_sample_store)
    before = metrics(open_page())[t("ui.plan-completion")]
    rows = [HEADER, ["A05", "指标", "2025", "5", "年内新认定区块链产业集群一个，已经区发改委复核"]]  # reaches its target
    result = ingest_bytes(fresh_sample_store.engine, fresh_sample_store.plan, IngestRequest("A05.csv", csv_bytes(rows),
                          department="FGW", submitter="测试", today=dt.date(2026, 2, 1)))
    assert result.outcome == "accepted", (result.as_dict()["hard"], result.as_dict()["soft"])

    after = metrics(open_page())[t("ui.plan-completion")]

    assert after != before
    assert after == format_rate(fresh_sample_store.standing().rollups["SHGX-2023"].mean_completion)


def test_pages_read_the_store_named_when_they_run(open_app, sample_store: Store, tmp_path: Path) -> None:
    make_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}").dispose()
    empty = open_app(f"sqlite:///{tmp_path / 'other.sqlite3'}")()
    full = open_app(sample_store)()

    assert any(t("ui.empty-store") in i.value for i in empty.info)
    assert metrics(full)[t("ui.indicators")] == "55项"


def test_indicator_shows_only_approved_revisions_and_their_time(open_app, fresh_sample_store: Store) -> None:
    """A file sent for review (待审核) is public nowhere: not in the revision table or its downloads, not in the
    数据时间 stamp, until a reviewer approves it."""
    current = fresh_sample_store.standing().current.query("indicator_code == 'A03' and period == '2025Q4'")
    approved_value = float(current["value"].iloc[0])
    before = open_app(fresh_sample_store)("indicator", code="A03")
    stamp = next(m.value for m in before.markdown if t("ui.data-time", time="") in m.value)
    pending = ingest_bytes(fresh_sample_store.engine, fresh_sample_store.plan, IngestRequest(
        "待审核.csv", csv_bytes([HEADER, ["A03", "", "2025Q4", str(approved_value + 1), "待审核的修订"]]),
        department="KW", submitter="demo-kw", channel="web", status=PENDING,
        submitted_at=dt.datetime(2026, 2, 1, 10, 30), today=dt.date(2026, 2, 1)))
    assert pending.outcome == "accepted", pending.as_dict()

    at = open_app(fresh_sample_store)("indicator", code="A03")
    revisions = next(d.value for d in at.dataframe if t("ui.col.file_name") in d.value.columns)

    assert "待审核.csv" not in set(revisions[t("ui.col.file_name")])
    assert not revisions.astype(str).apply(lambda c: c.str.contains("待审核的修订")).any().any()
    assert stamp in [m.value for m in at.markdown]  # the data time is still the approved files' time
    assert not any("2026-02-01 10:30" in m.value for m in [*at.markdown, *at.caption])
