"""The workflow on the command line (the server operator's channel): submit queues a file as 上报 does, review list /
approve / return / withdraw act with the named account's rights, history prints the public revision history — the
same functions as the pages, so the same refusals, with exit 0 done, 1 refused, 2 usage."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import HEADER, csv_bytes
from sqlalchemy import Engine, text

from models.queries import read_history
from pipelines.cli import run
from pipelines.plan.records import PlanData
from pipelines.present.story import revision_rows
from pipelines.workflow.accounts import REVIEWER, SUBMITTER, VIEWER, add_user

PASSWORD = "一个足够长的口令Zq9x"


@pytest.fixture
def accounts(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("KPI_TODAY", "2026-01-20")
    add_user(engine, "kw", "区科委填报员", PASSWORD, (SUBMITTER,), ("KW",))
    add_user(engine, "rev", "审核员", PASSWORD, (REVIEWER, VIEWER))
    return engine


def cli(engine: Engine, *argv: str) -> int:
    return run([*argv[:2], "--db", str(engine.url), *argv[2:]] if argv[0] == "review" else
               [argv[0], "--db", str(engine.url), *argv[1:]])


def a_file(tmp_path: Path, value: str, period: str = "2024Q1", name: str = "kw.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(csv_bytes([HEADER, ["A03", "高成长性科技企业数", period, value, "区科委认定名单"]]))
    return path


def statuses(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT id, status FROM submission")).all())  # type: ignore[arg-type]


def test_submit_queues_the_file_and_prints_its_number(accounts: Engine, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(accounts, "submit", str(a_file(tmp_path, "700")), "--user", "kw") == 0
    assert "报送编号1，等待审核" in capsys.readouterr().out
    assert statuses(accounts) == {1: "pending"}

    assert cli(accounts, "submit", str(a_file(tmp_path, "700")), "--user", "kw") == 1  # the same bytes again
    assert "报送编号1（待审核）完全相同" in capsys.readouterr().out
    assert cli(accounts, "submit", str(a_file(tmp_path, "700")), "--user", "rev") == 1  # not a submitter
    assert cli(accounts, "submit", str(tmp_path / "none.csv"), "--user", "kw") == 2
    assert cli(accounts, "submit", str(a_file(tmp_path, "700")), "--user", "nobody") == 2
    assert statuses(accounts) == {1: "pending"}


def test_review_list_approve_return_and_withdraw(accounts: Engine, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    cli(accounts, "submit", str(a_file(tmp_path, "700", name="a.csv")), "--user", "kw")
    cli(accounts, "submit", str(a_file(tmp_path, "720", "2024Q2", name="b.csv")), "--user", "kw")
    cli(accounts, "submit", str(a_file(tmp_path, "730", "2024Q3", name="c.csv")), "--user", "kw")
    capsys.readouterr()

    assert cli(accounts, "review", "list", "--format", "json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in listed] == [3, 2, 1]
    assert set(listed[0]) == {"id", "status", "department", "submitter", "file_name", "submitted_at"}
    assert (listed[0]["status"], listed[0]["department"], listed[0]["submitter"]) == ("pending", "KW", "kw")

    assert cli(accounts, "review", "approve", "1", "--user", "kw") == 1  # a submitter does not review
    assert "没有审核权限" in capsys.readouterr().out
    assert cli(accounts, "review", "approve", "1", "--user", "rev") == 0
    assert cli(accounts, "review", "approve", "1", "--user", "rev") == 1  # decided already
    assert "已不是待审核状态" in capsys.readouterr().out
    assert cli(accounts, "review", "return", "2", "--user", "rev") == 2  # a return needs its comment
    assert cli(accounts, "review", "return", "2", "--user", "rev", "--comment", "数值与台账不符，请核对") == 0
    assert cli(accounts, "review", "withdraw", "3", "--user", "rev") == 1  # not of the account's department
    assert cli(accounts, "review", "withdraw", "3", "--user", "kw") == 0
    assert statuses(accounts) == {1: "approved", 2: "returned", 3: "withdrawn"}
    assert cli(accounts, "review", "approve", "99", "--user", "rev") == 1
    assert "报送编号99不存在" in capsys.readouterr().out


def test_history_prints_the_public_revisions_the_indicator_page_shows(
        accounts: Engine, plan: PlanData, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli(accounts, "submit", str(a_file(tmp_path, "700", name="a.csv")), "--user", "kw")
    cli(accounts, "review", "approve", "1", "--user", "rev")
    cli(accounts, "submit", str(a_file(tmp_path, "710", name="b.csv")), "--user", "kw")  # pending: not public
    capsys.readouterr()

    assert cli(accounts, "history", "--code", "A03", "--format", "csv") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["period"], r["value"], r["revision"], r["file"], r["submitter"]) for r in rows] == [
        ("2024Q1", "700.0", "1", "a.csv", "kw")]
    with accounts.connect() as conn:
        page = revision_rows(read_history(conn, "A03"), plan, "zh")
    assert len(page) == len(rows) and page["value"].tolist() == [float(r["value"]) for r in rows]
    assert cli(accounts, "history", "--code", "Z99") == 2
