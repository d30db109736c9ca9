"""The command line: exit 0 when every file is accepted, 1 when any is rejected, 2 for a usage error; one readable
line, never a traceback, for bad input; exports that are safe to open in Excel."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import FIXTURES, HEADER, csv_bytes, snapshot_store
from sqlalchemy import Engine

from pipelines.cli import run
from pipelines.core.config import ROOT

GOOD = FIXTURES / "formats" / "bom-utf8.csv"
BAD = FIXTURES / "submissions" / "not-a-number.csv"


def url_of(engine: Engine) -> str:
    return str(engine.url)


def write(path: Path, rows: list[list[str]]) -> Path:
    path.write_bytes(csv_bytes(rows))
    return path


def test_cli_build_creates_a_store_with_the_shipped_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'kpi.sqlite3'}"

    code = run(["build", "--db", url])

    assert code == 0
    assert capsys.readouterr().out.startswith("已载入方案 SHGX-2023：6个专项行动、12个子项、55项指标")


def test_cli_ingest_exits_0_when_every_file_is_accepted(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["ingest", "--db", url_of(engine), str(GOOD)])

    assert code == 0
    assert "✔ bom-utf8.csv：已导入（报送号1）：新增1条，修订0条，未变0条" in capsys.readouterr().out


def test_cli_ingest_exits_1_when_any_file_is_rejected_and_keeps_the_others(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["ingest", "--db", url_of(engine), str(GOOD), str(BAD)])

    out = capsys.readouterr().out
    assert code == 1
    assert "✖ not-a-number.csv：未通过审核" in out
    assert "第5行【高新技术企业数（街区内）】数值“约20”不是数字" in out
    assert len(snapshot_store(engine)["observation"]) == 1


def test_cli_ingest_says_when_a_file_was_already_received(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    run(["ingest", "--db", url_of(engine), str(GOOD)])
    capsys.readouterr()

    code = run(["ingest", "--db", url_of(engine), str(GOOD)])

    assert code == 0
    assert "bom-utf8.csv: 文件与第1号报送" in capsys.readouterr().out


def test_cli_ingest_json_is_one_parseable_document(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["--lang", "en", "ingest", "--json", "--db", url_of(engine), str(GOOD), str(BAD)])

    reports = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(r["file"], r["outcome"], r["submission_id"]) for r in reports] == [
        ("bom-utf8.csv", "accepted", 1), ("not-a-number.csv", "rejected", None)]
    assert [(p["row"], p["column"], p["check"]) for p in reports[1]["hard"]] == [(5, "数值", "not-a-number")]
    assert reports[1]["hard"][0]["message"].startswith("Row 5: [High-tech enterprises in the area]")


def test_cli_ingest_checks_every_file_exists_before_ingesting_any(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot_store(engine)

    code = run(["ingest", "--db", url_of(engine), str(GOOD), str(tmp_path / "missing.csv")])

    assert code == 2
    assert "找不到文件" in capsys.readouterr().err
    assert snapshot_store(engine) == before


def bad_calls(tmp_path: Path, store_url: str) -> list[tuple[list[str], str]]:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    empty_url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    return [
        ([], "命令用法有误"),
        (["frobnicate"], "invalid choice"),
        (["ingest", "--db", store_url, str(tmp_path / "missing.csv")], "找不到文件"),
        (["ingest", "--db", store_url, "--department", "XX", str(GOOD)], "未知的部门编码：XX"),
        (["ingest", "--db", empty_url, str(GOOD)], "数据库中还没有方案"),
        (["export", "--db", store_url, "--as-of", "2025Q5"], "无法识别的统计期：2025Q5"),
        (["export", "--db", store_url, "--format", "xlsx"], "--out"),
        (["export", "--db", store_url, "--out", str(tmp_path / "no" / "such" / "folder.csv")], "folder.csv"),
        (["export", "--db", "garbage"], "无法访问数据库"),
        (["export", "--db", "notadb://somewhere"], "无法访问数据库"),
        (["export", "--db", "postgresql://kpi:secret@localhost:1/kpi"], "无法访问数据库 localhost:1/kpi"),
        (["export", "--db", f"sqlite:///{blocker / 'kpi.sqlite3'}"], "a-file"),
        (["build", "--db", store_url, "--plan", str(tmp_path / "no-plan")], "找不到方案文件夹"),
    ]


def test_cli_refuses_bad_input_with_exit_2_and_one_line(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv, says in bad_calls(tmp_path, url_of(engine)):
        code = run(argv)

        captured = capsys.readouterr()
        assert code == 2, argv
        assert says in captured.err, (argv, captured.err)
        assert "Traceback" not in captured.out + captured.err and "secret" not in captured.err, argv
        assert len(captured.err.strip().splitlines()) == 1, (argv, captured.err)


def run_module(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pipelines", *argv], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_python_m_pipelines_passes_the_exit_code_on(engine: Engine, tmp_path: Path) -> None:
    rejected = run_module("ingest", "--db", url_of(engine), str(BAD))
    usage = run_module("export", "--db", f"sqlite:///{tmp_path / 'f'}", "--as-of", "tomorrow")

    assert (rejected.returncode, usage.returncode) == (1, 2)
    assert "第5行【高新技术企业数（街区内）】" in rejected.stdout
    assert "Traceback" not in rejected.stderr + usage.stderr + usage.stdout


FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-2-3", "@SUM(A1:A2)"]


@pytest.fixture
def formula_store(engine: Engine, tmp_path: Path) -> Engine:
    rows = [HEADER] + [[code, "", "2025Q3", str(n + 1), note]
                       for n, (code, note) in enumerate(zip(["A10", "A13", "D02", "D05"], FORMULAS))]
    assert run(["ingest", "--db", url_of(engine), str(write(tmp_path / "formulas.csv", rows))]) == 0
    return engine


def test_cli_export_csv_neutralises_formulas(formula_store: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()

    code = run(["export", "--db", url_of(formula_store)])

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert code == 0
    assert {r["indicator_code"]: r["note"] for r in rows} == {
        "A10": "'=cmd|' /C calc'!A0", "A13": "'+1+1", "D02": "'-2-3", "D05": "'@SUM(A1:A2)"}
    assert {r["indicator_code"]: float(r["value"]) for r in rows} == {"A10": 1.0, "A13": 2.0, "D02": 3.0, "D05": 4.0}


def test_cli_export_xlsx_neutralises_formulas(formula_store: Engine, tmp_path: Path) -> None:
    out = tmp_path / "export.xlsx"

    code = run(["export", "--db", url_of(formula_store), "--format", "xlsx", "--out", str(out)])

    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    notes = {row[header.index("indicator_code")].value: row[header.index("note")] for row in sheet.iter_rows(min_row=2)}
    assert code == 0
    assert {code: cell.value for code, cell in notes.items()} == {
        "A10": "'=cmd|' /C calc'!A0", "A13": "'+1+1", "D02": "'-2-3", "D05": "'@SUM(A1:A2)"}
    assert {cell.data_type for cell in notes.values()} == {"s"}


def test_cli_export_as_of_leaves_out_later_periods(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [HEADER, ["A10", "", "2025Q2", "7", ""], ["A10", "", "2025Q3", "8", ""], ["A07", "", "2025", "95", ""]]
    run(["ingest", "--db", url_of(engine), str(write(tmp_path / "a.csv", rows))])
    capsys.readouterr()

    code = run(["export", "--db", url_of(engine), "--as-of", "2025年第二季度"])

    exported = [(r["indicator_code"], r["period"]) for r in csv.DictReader(io.StringIO(capsys.readouterr().out))]
    assert code == 0
    assert exported == [("A10", "2025Q2")]


@pytest.mark.parametrize("verb", [["build"], ["ingest", "x.csv"], ["export"], ["status"], ["snapshot", "--as-of",
                                  "2025Q4"], ["diff", "--from", "2025Q3", "--to", "2025Q4"], ["keep"],
                                  ["users", "list"], ["briefing", "--as-of", "2025Q4"]])
def test_cli_a_store_url_whose_driver_is_missing_is_one_line_and_exit_2(verb: list[str],
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert run([*verb, "--db", "oracle+cx_oracle://kpi@db.example/kpi"]) == 2

    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1 and "db.example/kpi" in err
