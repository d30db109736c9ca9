"""How numbers, rates, gaps and statuses are written: 万/亿 with thousands separators, 个百分点, icon + word."""
from __future__ import annotations

import pytest

from pipelines.engine.progress import STATUS_ICON, STATUSES
from pipelines.plan.records import Named
from pipelines.present.formatting import (
    change_arrow,
    format_amount,
    format_number,
    format_points,
    format_rank_change,
    format_rate,
    format_time,
    name_of,
    pace_class,
    pace_word,
    split_unit,
    status_badge,
    unit_word,
)


@pytest.mark.parametrize(("value", "unit", "lang", "expected"), [
    (23_456_800, "元", "zh", "2,345.68万元"),
    (12.5, "亿元", "zh", "12.50亿元"),
    (0.5, "亿元", "zh", "5,000.00万元"),
    (16.2, "万平方米", "zh", "16.20万平方米"),
    (1_800, "件", "zh", "1,800件"),
    (1_012, "家", "zh", "1,012家"),
    (12.9, "%", "zh", "12.9%"),
    (0, "个", "zh", "0个"),
    (123_456_789_000, "元", "zh", "1,234.57亿元"),
    (12.5, "亿元", "en", "1.25 bn yuan"),
    (23_456_800, "元", "en", "23.46 m yuan"),
    (1_800, "件", "en", "1,800 items"),
    (12.9, "%", "en", "12.9%"),
    (7, "无此单位", "en", "7 无此单位"),
    (None, "家", "zh", "—"),
    (float("nan"), "家", "zh", "—"),
])
def test_format_amount_groups_large_amounts_as_readers_expect(value, unit, lang, expected) -> None:
    assert format_amount(value, unit, lang) == expected


def test_format_amount_negative_values_keep_their_sign() -> None:
    assert format_amount(-23_456_800, "元", "zh") == "-2,345.68万元"


@pytest.mark.parametrize(("value", "expected"), [
    (1800, "1,800"), (16.20, "16.2"), (16.0, "16"), (1234567.891, "1,234,567.89"), (0.001234, "0.001234"),
    (-0.0, "0"), (None, "—"),
])
def test_format_number_drops_trailing_zeros_and_groups_thousands(value, expected) -> None:
    assert format_number(value) == expected


def test_split_unit_reads_a_magnitude_prefix_only_before_a_base_unit() -> None:
    assert split_unit("亿元") == (1e8, "元")
    assert split_unit("万平方米") == (1e4, "平方米")
    assert split_unit("万") == (1.0, "万")
    assert split_unit("家") == (1.0, "家")


def test_unit_word_is_english_only_in_english_and_only_when_the_catalog_knows_it() -> None:
    assert unit_word("家", "zh") == "家"
    assert unit_word("家", "en") == "firms"
    assert unit_word("平方米", "en") == "m²"
    assert unit_word("新单位", "en") == "新单位"


@pytest.mark.parametrize(("share", "expected"), [(0.931, "93.1%"), (1.024, "102.4%"), (0.0, "0.0%"), (None, "—")])
def test_format_rate_prints_one_decimal(share, expected) -> None:
    assert format_rate(share) == expected


@pytest.mark.parametrize(("points", "lang", "expected"), [
    (2.33, "zh", "+2.3个百分点"), (-12.82, "zh", "-12.8个百分点"), (0.04, "zh", "0.0个百分点"),
    (-0.04, "zh", "0.0个百分点"), (2.33, "en", "+2.3 pp"), (None, "zh", "—"),
])
def test_format_points_states_rate_differences_in_percentage_points(points, lang, expected) -> None:
    assert format_points(points, lang) == expected


@pytest.mark.parametrize("status", STATUSES)
def test_status_badge_carries_icon_and_word(status: str) -> None:
    zh, en = status_badge(status, "zh"), status_badge(status, "en")

    assert zh.startswith(STATUS_ICON[status] + " ") and en.startswith(STATUS_ICON[status] + " ")
    assert zh != en


def test_status_badge_words() -> None:
    assert status_badge("needs_attention", "zh") == "◐ 需关注"
    assert status_badge("off_track", "en") == "▼ Off track"


@pytest.mark.parametrize(("gap", "expected"), [
    (2.3, "ahead"), (0.05, "ahead"), (0.049, "level"), (0.0, "level"), (-0.049, "level"), (-0.05, "behind"),
    (-30.0, "behind"), (None, None), (float("nan"), None),
])
def test_pace_class_splits_ahead_level_and_behind_at_a_twentieth_of_a_point(gap, expected) -> None:
    assert pace_class(gap) == expected


def test_pace_word_names_the_three_classes() -> None:
    assert [pace_word(p, "zh") for p in ("ahead", "level", "behind", None)] == ["超序时", "按序时", "滞后序时", "—"]


def test_change_arrow_is_neutral_up_down_or_same() -> None:
    assert (change_arrow(1, 2), change_arrow(2, 1), change_arrow(2, 2), change_arrow(None, 2)) == ("▲", "▼", "＝", "")


def test_format_rank_change_up_is_a_positive_change() -> None:
    assert [format_rank_change(c) for c in (2, -1, 0, None)] == ["▲2", "▼1", "＝", "—"]


def test_format_time_to_the_minute() -> None:
    assert format_time("2026-01-14 17:10:00.000000") == "2026-01-14 17:10"
    assert format_time(None) == format_time("") == "—"


def test_name_of_follows_the_language_and_falls_back_to_chinese() -> None:
    assert name_of(Named("X", "行动", "Action"), "en") == "Action"
    assert name_of(Named("X", "行动", "Action"), "zh") == "行动"
    assert name_of(Named("X", "行动", ""), "en") == "行动"


def test_format_count_carries_its_unit_in_chinese() -> None:
    from pipelines.present.formatting import format_count, format_rank

    assert format_count(48, "zh") == "48项"
    assert format_count(48, "en") == "48"
    assert format_rank(3, "zh") == "第3名" and format_rank(None, "zh") == "—"


def test_download_names_are_the_offices_and_safe_on_windows() -> None:
    from pipelines.core.catalog import t
    from pipelines.core.periods import period_of_code
    from pipelines.present.formatting import file_name

    quarter = period_of_code("2025Q4").label("zh")
    assert file_name(t("briefing.file.pack", "zh", quarter=quarter), "pptx") == (
        "长宁区“上海硅巷”建设进展季度简报（2025年第四季度）.pptx")
    assert file_name(t("briefing.file.tongbao", "zh", quarter=quarter), "docx") == (
        "关于2025年第四季度“上海硅巷”建设进展情况的通报.docx")
    assert file_name('区科委/2025: "季报"*?<>|\x07 . ', "xlsx") == "区科委 2025 季报.xlsx"
    assert file_name("...", "pdf") == "download.pdf" and len(file_name("长" * 300, "pdf")) == 124


def test_an_xlsx_download_keeps_every_row_and_whole_texts_in_fitted_columns() -> None:
    import io

    import openpyxl
    import pandas as pd

    from pipelines.present.export import MAX_COLUMN_WIDTH, sheet_name, to_xlsx_bytes

    long_text = "存在问题：" + "受外部环境影响，部分企业推迟入驻计划。" * 60  # 1,000+ characters, as a narrative may be
    frame = pd.DataFrame({"序号": range(1, 251), "指标": ["高成长性科技企业数"] * 250, "进展情况": [long_text] * 250})

    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame, "ZX1 助力重点产业创新：指标完成情况/2025年第四季度")))
    sheet = book.worksheets[0]

    assert sheet.title == sheet_name("ZX1 助力重点产业创新：指标完成情况/2025年第四季度") and len(sheet.title) <= 31
    assert sheet.max_row == 251 and sheet.cell(251, 1).value == 250  # every row
    assert sheet.cell(2, 3).value == long_text  # the whole text
    assert sheet.freeze_panes == "A2" and sheet.cell(1, 2).font.bold
    assert sheet.column_dimensions["A"].width < sheet.column_dimensions["B"].width  # 序号 narrow, 指标 wide
    assert sheet.column_dimensions["C"].width == MAX_COLUMN_WIDTH and sheet.cell(2, 3).alignment.wrap_text
