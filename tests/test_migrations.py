"""The schema is kept by Alembic migrations on both back ends: a new store is made at the newest revision, a store
made before migrations existed (or at an older revision) is upgraded in place with its data kept, and the models
never drift from the migrations."""
from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import HEADER, TODAY, csv_bytes, empty_store_url, snapshot_store
from sqlalchemy import Engine, inspect, text

from models.db import (
    FIRST_REVISION,
    alembic_config,
    create_schema,
    current_revision,
    head_revision,
    make_engine,
    writing,
)
from models.schema import Base
from pipelines.core.config import PLAN_DIR
from pipelines.intake.build import build_store
from pipelines.intake.ingest import IngestRequest, ingest_bytes
from pipelines.plan.records import PlanData

TABLES = {"plan", "department", "plan_department", "plan_goal", "plan_action", "plan_sub_item", "indicator",
          "plan_indicator", "submission", "observation", "snapshot", "app_user", "value_narrative", "evidence",
          "period_lock", "review_event", "upload_attempt", "lock_event", "standing_cache",
          "kept_assessment", "submission_series"}


def _upgrade_to(engine: Engine, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    with writing(engine) as conn, conn.begin():
        config.attributes["connection"] = conn
        try:
            command.upgrade(config, revision)
        finally:
            config.attributes.pop("connection", None)


def _a_value(engine: Engine, plan: PlanData) -> None:
    data = csv_bytes([HEADER, ["A03", "", "2025Q3", "610", ""]])
    result = ingest_bytes(engine, plan, IngestRequest("a.csv", data, department="KW", today=TODAY))
    assert result.outcome == "accepted", result.as_dict()


def test_a_new_store_is_at_the_newest_revision(engine: Engine) -> None:
    with engine.connect() as conn:
        assert current_revision(conn) == head_revision()
        assert set(inspect(conn).get_table_names()) >= TABLES | {"alembic_version"}


def test_the_models_match_the_migrations(engine: Engine) -> None:
    """Changing a model without writing its migration fails here (Alembic's autogenerate finds the difference)."""
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_a_store_at_the_first_revision_upgrades_in_place_keeping_its_data(tmp_path: Path, backend: str) -> None:
    engine = make_engine(empty_store_url(tmp_path, backend))
    _upgrade_to(engine, FIRST_REVISION)
    with engine.connect() as conn:
        assert current_revision(conn) == FIRST_REVISION
        assert not inspect(conn).has_table("upload_attempt")
    plan = build_store(engine, PLAN_DIR)  # build_store upgrades first; the data written at 0001 stays
    assert isinstance(plan, PlanData)
    _a_value(engine, plan)
    with engine.connect() as conn:
        assert current_revision(conn) == head_revision()
        assert inspect(conn).has_table("upload_attempt")
    engine.dispose()


def test_a_store_made_before_migrations_existed_is_recognised_and_upgraded(tmp_path: Path) -> None:
    """The first release made its tables with create_all and kept no version: such a file (the first revision's
    tables without Alembic's version table) is stamped, then upgraded."""
    path = tmp_path / "old.sqlite3"
    old = make_engine(f"sqlite:///{path}")
    _upgrade_to(old, FIRST_REVISION)
    with old.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    old.dispose()
    engine = make_engine(f"sqlite:///{path}")
    plan = build_store(engine, PLAN_DIR)  # would fail on "table plan already exists" if the file were not stamped
    assert isinstance(plan, PlanData), plan
    _a_value(engine, plan)
    kept = snapshot_store(engine)
    engine.dispose()

    again = make_engine(f"sqlite:///{path}")
    create_schema(again)
    assert snapshot_store(again) == kept
    with again.connect() as conn:
        assert current_revision(conn) == head_revision()
        assert conn.execute(text("SELECT COUNT(*) FROM observation")).scalar_one() == 1
    again.dispose()


def test_opening_a_store_twice_does_not_migrate_again(engine: Engine) -> None:
    before = snapshot_store(engine)
    create_schema(make_engine(engine.url.render_as_string(hide_password=False)))
    assert snapshot_store(engine) == before


def test_quarters_locked_before_lock_events_existed_get_their_lock_as_first_event(tmp_path: Path, backend: str) -> None:
    engine = make_engine(empty_store_url(tmp_path, backend))
    _upgrade_to(engine, "0002")
    with writing(engine) as conn, conn.begin():
        conn.execute(text('INSERT INTO period_lock (period, locked_by, locked_at) VALUES '
                          "('2024Q4', 'adm', '2025-01-20 09:00:00')"))
    create_schema(engine)
    with engine.connect() as conn:
        events = conn.execute(text('SELECT period, action, "by", reason FROM lock_event')).all()
    assert [tuple(e) for e in events] == [("2024Q4", "lock", "adm", "")]
    engine.dispose()
