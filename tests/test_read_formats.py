"""Less common exports from Excel and WPS that must still be read exactly."""
from __future__ import annotations

from sqlalchemy import Engine

from pipelines.intake.ingest import IngestRequest, ingest_bytes
from pipelines.intake.read import RawTable, read_submission
from pipelines.plan.records import PlanData
from tests.conftest import HEADER, TODAY, csv_bytes


def rows_of(table: RawTable | list) -> list[tuple[int, str, str, str]]:
    assert isinstance(table, RawTable), table
    return [(r.row, r.indicator_code, r.period, r.value) for r in table.rows.itertuples()]


def test_read_unicode_text_export_utf16_tab_separated() -> None:
    text = "上海硅巷指标季报\r\n指标编码\t统计期\t数值\t备注\r\nA03\t2024Q3\t800\t\r\n"
    assert rows_of(read_submission("季报.txt", text.encode("utf-16"))) == [(3, "A03", "2024Q3", "800")]


def test_read_old_mac_line_endings() -> None:
    data = "指标编码,统计期,数值\rA03,2024Q3,800\rA03,2024Q4,820\r".encode("utf-8-sig")
    assert rows_of(read_submission("mac.csv", data)) == [(2, "A03", "2024Q3", "800"), (3, "A03", "2024Q4", "820")]


def test_beyond_twice_target_for_a_decrease_indicator_uses_its_baseline(engine: Engine, plan: PlanData) -> None:
    b07 = plan.indicator("B07")  # 诉求平均办结时长: smaller is better
    assert b07.direction == "decrease" and b07.baseline > b07.target
    near = b07.baseline * 1.05  # worse than the baseline, but no unit slip: only the direction check speaks
    result = ingest_bytes(engine, plan, IngestRequest("hyl.csv", csv_bytes([HEADER, ["B07", "", "2023Q1", near, ""]]),
                          today=TODAY))
    assert {i.check for i in result.soft} == {"against-direction"}
    far = b07.baseline * 3
    result = ingest_bytes(engine, plan, IngestRequest("hyl.csv", csv_bytes([HEADER, ["B07", "", "2023Q1", far, ""]]), today=TODAY))
    assert "beyond-twice-target" in {i.check for i in result.soft}



def test_an_explanation_given_in_the_page_is_stored_with_the_value(engine: Engine, plan: PlanData) -> None:
    from models.queries import read_current_values

    data = csv_bytes([HEADER, ["A03", "", "2023Q4", 900, ""]])  # baseline 500 (2023Q3) → 900: +80 %, 核实性
    refused = ingest_bytes(engine, plan, IngestRequest("kw.csv", data, today=TODAY))
    assert refused.outcome == "rejected" and refused.soft[0].row == 2
    accepted = ingest_bytes(engine, plan, IngestRequest("kw.csv", data, today=TODAY, explanations={2: "新认定高成长企业一批（区级名单）"}))
    assert accepted.outcome == "accepted"
    with engine.connect() as conn:
        note = read_current_values(conn, ["A03"])["note"].tolist()
    assert note == ["新认定高成长企业一批（区级名单）"]
