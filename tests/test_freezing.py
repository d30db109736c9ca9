"""冻结本季度快照 from the 季度简报 page: reviewers and admins freeze a quarter (checked by the workflow, not by the
button), the snapshot names who froze it, a frozen quarter is not frozen again, and the page then says by whom."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from models.db import make_engine
from pipelines.core.config import PLAN_DIR, ROOT, SAMPLES_DIR
from pipelines.core.periods import period_of_code
from pipelines.intake.build import build_store, load_samples
from pipelines.plan.records import PlanData
from pipelines.store.snapshot import Frozen, freeze, read_snapshot
from pipelines.workflow.accounts import Refusal, ensure_demo_accounts, read_user
from pipelines.workflow.freezing import freeze_quarter
from tests.conftest import sign_in_browser

AS_OF = period_of_code("2025Q4")
NOW = dt.datetime(2026, 1, 16, 9, 30)


@pytest.fixture()
def store(tmp_path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'kpi.sqlite3'}"
    engine = make_engine(url)
    plan = build_store(engine, PLAN_DIR)
    assert isinstance(plan, PlanData), plan
    assert all(r.outcome != "rejected" for r in load_samples(engine, SAMPLES_DIR))
    ensure_demo_accounts(engine)
    engine.dispose()
    yield url


def test_only_reviewers_and_admins_freeze_and_the_snapshot_names_who(store: str) -> None:
    engine = make_engine(store)
    leader, reviewer, admin = (read_user(engine, name) for name in ("demo-leader", "demo-reviewer", "demo-admin"))

    for nobody in (None, leader, read_user(engine, "demo-kw")):
        refused = freeze_quarter(engine, nobody, AS_OF, now=NOW)
        assert isinstance(refused, Refusal), nobody
    with engine.connect() as conn:
        assert read_snapshot(conn, AS_OF) is None  # a refusal froze nothing

    made = freeze_quarter(engine, reviewer, AS_OF, now=NOW)
    again = freeze_quarter(engine, admin, AS_OF, now=NOW + dt.timedelta(hours=1))

    assert isinstance(made, Frozen) and made.frozen_by == "demo-reviewer" and made.created_at == NOW
    with engine.connect() as conn:
        kept = read_snapshot(conn, AS_OF)
    assert kept is not None and kept.frozen_by == "demo-reviewer" and kept.created_at == NOW
    assert isinstance(again, Refusal) and again.check == "snapshot-exists"
    assert again.message("zh") == "2025年第四季度快照已于2026-01-16 09:30冻结（演示账号·区科委审核员），不再重复冻结。"


def test_a_snapshot_frozen_on_the_command_line_is_named_so(store: str) -> None:
    engine = make_engine(store)
    freeze(engine, AS_OF, now=NOW)

    refused = freeze_quarter(engine, read_user(engine, "demo-admin"), AS_OF)

    assert isinstance(refused, Refusal) and "（命令行）" in refused.message("zh")


def _page(store: str, monkeypatch: pytest.MonkeyPatch, username: str) -> AppTest:
    monkeypatch.setenv("KPI_DB_URL", store)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "views/screens/briefing.py"), default_timeout=120)
    at.session_state["lang"], at.session_state["as_of"], at.session_state["screenshot"] = "zh", "2025Q4", False
    sign_in_browser(username, store)
    return at.run()


def test_the_briefing_page_freezes_the_quarter_for_a_reviewer(store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(store, monkeypatch, "demo-reviewer")
    assert not at.exception, [e.value for e in at.exception]
    assert any("尚未冻结" in c.value or "未冻结" in c.value for c in at.caption)

    at.button(key="briefing-freeze").click().run()

    assert not at.exception, [e.value for e in at.exception]
    assert any("已冻结2025年第四季度快照" in s.value for s in at.success)
    with make_engine(store).connect() as conn:
        frozen = read_snapshot(conn, AS_OF)
    assert frozen is not None and frozen.frozen_by == "demo-reviewer"
    assert any("快照已于" in c.value and "演示账号·区科委审核员" in c.value for c in at.caption)
    assert not [b for b in at.button if b.key == "briefing-freeze"]  # frozen once: no button any more


def test_a_leader_reads_the_briefing_without_a_freeze_button(store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(store, monkeypatch, "demo-leader")

    assert not at.exception, [e.value for e in at.exception]
    assert not [b for b in at.button if b.key == "briefing-freeze"]
