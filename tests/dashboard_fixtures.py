"""Stores for the dashboard tests: the shipped plan with its sample submissions (built once per session, read only),
the plan alone, and an empty database; plus a small plan written in code for the pure modules, and a reader for the
status bars drawn as HTML."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from models.db import make_engine
from pipelines.core.config import PLAN_DIR, SAMPLES_DIR
from pipelines.core.periods import period_of_code
from pipelines.intake.build import build_store, load_samples
from pipelines.plan.records import IndicatorDef, Named, PlanData, PlanInfo, SubItemDef
from pipelines.plan.standing import Standing
from pipelines.store.standings import read_standing


@dataclass(frozen=True)
class Store:
    url: str
    engine: Engine
    plan: PlanData

    def standing(self, as_of: str | None = None) -> Standing:
        standing = read_standing(self.engine, period_of_code(as_of) if as_of else None)
        assert standing is not None
        return standing


def _build(folder: Path, samples: bool) -> Store:
    url = f"sqlite:///{folder / 'kpi.sqlite3'}"
    engine = make_engine(url)
    plan = build_store(engine, PLAN_DIR)
    assert isinstance(plan, PlanData), plan
    if samples:
        results = load_samples(engine, SAMPLES_DIR)
        assert all(r.outcome != "rejected" for r in results), [r.as_dict() for r in results if r.outcome == "rejected"]
    return Store(url, engine, plan)


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The shipped plan and every sample submission. Shared by many tests: never write to it."""
    store = _build(tmp_path_factory.mktemp("samples"), samples=True)
    yield store
    store.engine.dispose()


@pytest.fixture
def plan_only_store(tmp_path: Path) -> Iterator[Store]:
    store = _build(tmp_path, samples=False)
    yield store
    store.engine.dispose()


@pytest.fixture
def fresh_sample_store(tmp_path: Path) -> Iterator[Store]:
    """Its own copy of the sample store, for a test that adds data."""
    store = _build(tmp_path, samples=True)
    yield store
    store.engine.dispose()


def small_plan(due_days: int = 15) -> PlanData:
    """Two departments, one action, three indicators of different frequencies (for timeliness and tables)."""
    info = PlanInfo("P", "小方案", "Small plan", period_of_code("2024Q1"), period_of_code("2025Q4"), due_days=due_days)
    departments = (Named("D1", "一部", "Dept one"), Named("D2", "二部", "Dept two"))
    actions = (Named("X", "行动", "Action"),)
    subs = (SubItemDef("X.1", "X", "子项", "Sub-item", "D1"),)

    def indicator(code: str, department: str, frequency: str, kind: str = "level") -> IndicatorDef:
        return IndicatorDef(code, "X.1", None, f"指标{code}", f"Indicator {code}", "个", "increase", kind, 0.0,
                            period_of_code("2023"), 10.0, period_of_code("2025"), department, (), frequency, "", "")

    return PlanData(info, departments, (), actions, subs,
                    (indicator("Q1", "D1", "quarterly"), indicator("H1", "D1", "half-yearly"),
                     indicator("Y1", "D2", "annual")))


STATUS_BAR = re.compile(r'data-status="(\w+)" data-count="(\d+)"')


def status_bar_counts(html: str) -> dict[str, int]:
    """A status bar of pipelines.present.charts.status_bar_html read back: status → count, in the order drawn."""
    return {status: int(count) for status, count in STATUS_BAR.findall(html)}
