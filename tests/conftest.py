"""Shared fixtures: a fresh store per test holding the shipped plan (on SQLite and, when a server is there, on
PostgreSQL), a fixed 'today', and file builders."""
from __future__ import annotations

import atexit
import csv
import datetime as dt
import functools
import io
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine, create_engine, inspect, make_url, text
from sqlalchemy.exc import OperationalError

from models.db import make_engine
from pipelines.core.config import PLAN_DIR
from pipelines.intake.build import build_store
from pipelines.plan.records import PlanData

# The dashboard fixtures (a sample store built once per session, and fresh ones) registered once for every module:
# imported into a test module instead, each module would get its own copy and build the store again.
pytest_plugins = ["tests.dashboard_fixtures"]

TODAY = dt.date(2026, 1, 20)  # the shipped plan (2023Q1–2025Q4) has ended: every one of its periods may be reported
FIXTURES = Path(__file__).resolve().parent / "fixtures"
HEADER = ["指标编码", "指标名称", "统计期", "数值", "备注"]

Cells = Sequence[object]


def csv_bytes(rows: Sequence[Cells], encoding: str = "utf-8-sig", newline: str = "\r\n") -> bytes:
    """A CSV as Excel or WPS saves it: UTF-8 with BOM ("CSV UTF-8") or GB18030 ("CSV (逗号分隔)" on Chinese Windows)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerows([["" if cell is None else cell for cell in row] for row in rows])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Cells], sheet: str = "填报表") -> bytes:
    """A one-sheet workbook whose cells hold the values as given (numbers stay numbers, None stays empty)."""
    book = openpyxl.Workbook()
    worksheet = book.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# The store tests run once per back end. scripts/test.sh starts a throw-away PostgreSQL server on loopback and names
# it here; without one, the PostgreSQL runs are skipped and the reason is printed (never passed silently).
PG_URL_ENV = "KPI_TEST_PG_URL"
BACKENDS = ("sqlite", "postgresql")


def postgres_unavailable() -> str | None:
    """Why the PostgreSQL runs cannot happen, or None when the test server answers."""
    url = os.environ.get(PG_URL_ENV)
    if not url:
        return f"PostgreSQL 测试跳过 / skipped: {PG_URL_ENV} is not set (bash scripts/test.sh starts a local server)"
    probe = create_engine(url)
    try:
        with probe.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as error:
        return f"PostgreSQL 测试跳过 / skipped: no server at {PG_URL_ENV} ({str(error).splitlines()[0]})"
    finally:
        probe.dispose()
    return None


def require_backend(backend: str) -> None:
    if backend == "postgresql" and (reason := postgres_unavailable()):
        pytest.skip(reason)


def empty_store_url(folder: Path, backend: str = "sqlite") -> str:
    """Where a new, empty store lives: a SQLite file in the folder, or the PostgreSQL test database emptied."""
    if backend == "sqlite":
        return f"sqlite:///{folder / 'store.sqlite3'}"
    url = _own_database()
    reset = create_engine(url, isolation_level="AUTOCOMMIT")
    with reset.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    reset.dispose()
    return url


@contextmanager
def scratch_database(suffix: str) -> Iterator[str]:
    """A new, empty database of this test process on the PostgreSQL test server (named after the process, so two
    pytest runs never touch each other's), dropped when the block ends."""
    base = make_url(os.environ[PG_URL_ENV])
    name = f"{base.database}_{os.getpid()}{suffix}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@functools.cache
def _own_database() -> str:
    """The database the PostgreSQL store tests of this process use, dropped when the process ends."""
    held = scratch_database("")
    atexit.register(held.__exit__, None, None, None)
    return held.__enter__()


def new_store(folder: Path, plan_dir: Path = PLAN_DIR, backend: str = "sqlite") -> tuple[Engine, PlanData]:
    """A new store (SQLite file in a folder, or the emptied PostgreSQL test database) with a plan stored."""
    engine = make_engine(empty_store_url(folder, backend))
    plan = build_store(engine, plan_dir)
    assert isinstance(plan, PlanData), plan
    return engine, plan


def snapshot_store(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (file bytes included), in a stable order: equal snapshots mean an unchanged store."""
    with engine.connect() as conn:
        tables = sorted(inspect(conn).get_table_names())
        return {table: sorted((tuple(row) for row in conn.execute(text(f'SELECT * FROM "{table}"'))), key=repr)
                for table in tables}


@pytest.fixture
def today() -> dt.date:
    return TODAY


def pytest_report_header() -> str:
    return f"PostgreSQL: {postgres_unavailable() or 'store tests also run on ' + os.environ[PG_URL_ENV]}"


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    require_backend(request.param)
    return str(request.param)


@pytest.fixture
def store(tmp_path: Path, backend: str) -> Iterator[tuple[Engine, PlanData]]:
    engine, plan = new_store(tmp_path, backend=backend)
    yield engine, plan
    engine.dispose()


@pytest.fixture
def engine(store: tuple[Engine, PlanData]) -> Engine:
    return store[0]


@pytest.fixture
def plan(store: tuple[Engine, PlanData]) -> PlanData:
    return store[1]


def png_bytes(size: tuple[int, int] = (8, 8)) -> bytes:
    """A real (tiny) PNG image, as a department's evidence photo: evidence is decoded, not just sniffed."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


# ---- a browser's sign-in, for pages run through AppTest ---------------------------------------------------------
# A sign-in lives in the browser's HttpOnly cookie (server.py sets it; views.shared.signin reads it from the
# connection). AppTest has no browser and cannot send cookies, so a test that runs a page as a signed-in account starts
# a real session in the store and lets the page's cookie reader return its token; the fixture below puts the reader
# back after every test.

def sign_in_browser(username: str, url: str | None = None) -> str:
    """Sign `username` in as the sign-in route would (a session in the store at KPI_DB_URL, or `url`) and make the
    pages see that browser's cookie; returns the token."""
    from pipelines.workflow.sessions import start_session
    from views.shared import signin

    engine = make_engine(url)
    try:
        token = start_session(engine, username)
    finally:
        engine.dispose()
    signin.browser_token = lambda: token
    return token


def sign_out_browser() -> None:
    """The pages see a browser without the cookie (nobody signed in)."""
    from views.shared import signin

    signin.browser_token = lambda: None


@pytest.fixture(autouse=True)
def _browser_cookie_reader() -> Iterator[None]:
    from views.shared import signin

    reader = signin.browser_token
    yield
    signin.browser_token = reader


def sign_in_link(at: object) -> str:
    """The href of the page's link to the sign-in page (drawn with st.html, so that it opens in the same tab); ''
    when the page shows none."""
    import html
    import re

    for element in at.get("html"):  # type: ignore[attr-defined]
        found = re.search(r'class="kpi-signin" href="([^"]+)"', element.proto.body)
        if found:
            return html.unescape(found.group(1))
    return ""
