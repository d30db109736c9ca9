"""Reporting periods as departments write them and as every other module places them in time."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.core.periods import (
    Period,
    kind_of_frequency,
    latest_period_ending_by,
    normalise_text,
    parse_period,
    period_containing,
    period_of_code,
    periods_between,
)

Q3, H1, YEAR = Period(2025, "Q", 3), Period(2025, "H", 1), Period(2025, "Y", 1)


@pytest.mark.parametrize("text", ["2025Q3", "2025q3", "2025-Q3", "2025 Q3", "2025/Q3", "2025年第三季度",
                                  "2025年第3季度", "2025年三季度", "２０２５Ｑ３", " 2025Q3 "])
def test_parse_period_reads_a_quarter_in_every_form_departments_write(text: str) -> None:
    assert parse_period(text) == Q3


@pytest.mark.parametrize(("text", "expected"), [
    ("2025H1", H1), ("2025年上半年", H1), ("2025年下半年", Period(2025, "H", 2)),
    ("2025", YEAR), ("2025年", YEAR), ("2025.0", YEAR), (2025, YEAR),
])
def test_parse_period_reads_halves_and_years(text: object, expected: Period) -> None:
    assert parse_period(text) == expected


@pytest.mark.parametrize("text", ["", None, "2025Q5", "2025H3", "Q3 2025", "1899", "2201", "2025年第五季度", "三季度",
                                  "2025-09-30", "twenty"])
def test_parse_period_is_none_for_what_is_not_a_period(text: object) -> None:
    assert parse_period(text) is None


def test_period_of_code_raises_for_a_code_that_is_not_valid() -> None:
    assert period_of_code("2025Q3") == Q3
    with pytest.raises(ValueError, match="not a period"):
        period_of_code("2025Q9")


@pytest.mark.parametrize(("period", "code", "end", "start", "share", "end_date"), [
    (Q3, "2025Q3", 2025.75, 2025.5, 0.75, dt.date(2025, 9, 30)),
    (H1, "2025H1", 2025.5, 2025.0, 0.5, dt.date(2025, 6, 30)),
    (YEAR, "2025", 2026.0, 2025.0, 1.0, dt.date(2025, 12, 31)),
    (Period(2024, "Q", 4), "2024Q4", 2025.0, 2024.75, 1.0, dt.date(2024, 12, 31)),
])
def test_period_places_itself_in_time(period: Period, code: str, end: float, start: float, share: float,
                                      end_date: dt.date) -> None:
    assert (period.code, period.end_time, period.start_time, period.year_share, period.end_date) == (
        code, end, start, share, end_date)
    assert str(period) == code


@pytest.mark.parametrize(("period", "zh", "en", "cutoff_zh", "cutoff_en"), [
    (Q3, "2025年第三季度", "2025 Q3", "截至2025年第三季度末", "As of end of 2025 Q3"),
    (H1, "2025年上半年", "2025 H1", "截至2025年上半年末", "As of end of 2025 H1"),
    (YEAR, "2025年", "2025", "截至2025年底", "As of end of 2025"),
])
def test_period_labels_read_as_leaders_read_them(period: Period, zh: str, en: str, cutoff_zh: str,
                                                 cutoff_en: str) -> None:
    assert (period.label("zh"), period.label("en")) == (zh, en)
    assert (period.cutoff_label("zh"), period.cutoff_label("en")) == (cutoff_zh, cutoff_en)


def test_periods_order_by_their_end_then_their_start() -> None:
    q4 = Period(2025, "Q", 4)

    assert sorted([YEAR, q4, Q3, H1]) == [H1, Q3, YEAR, q4]  # the year and its Q4 end together; the year starts first
    assert H1 < Q3 and not Q3 < H1


def test_a_year_contains_its_quarters_and_halves_and_not_the_next_year() -> None:
    assert YEAR.contains(Q3) and YEAR.contains(H1) and YEAR.contains(YEAR)
    assert not YEAR.contains(Period(2026, "Q", 1)) and not Q3.contains(YEAR)


def test_periods_between_lists_every_period_of_a_frequency_in_the_span() -> None:
    span = (Period(2023, "Q", 2), Period(2024, "Q", 2))

    assert [p.code for p in periods_between(*span, "quarterly")] == ["2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2"]
    assert [p.code for p in periods_between(*span, "half-yearly")] == ["2023H2", "2024H1"]
    assert periods_between(*span, "annual") == []  # no whole year lies inside the span


def test_latest_period_ending_by_takes_the_last_period_that_has_ended() -> None:
    assert latest_period_ending_by(2025.75, "quarterly") == Q3  # a period ending exactly then counts
    assert latest_period_ending_by(2025.74, "quarterly") == Period(2025, "Q", 2)
    assert latest_period_ending_by(2025.75, "half-yearly") == H1
    assert latest_period_ending_by(2025.99, "annual") == Period(2024, "Y", 1)


def test_period_containing_gives_the_quarter_of_a_day() -> None:
    assert period_containing(dt.date(2025, 7, 1)) == Q3
    assert period_containing(dt.date(2025, 9, 30)) == Q3
    assert period_containing(dt.date(2025, 10, 1)) == Period(2025, "Q", 4)


def test_kind_of_frequency_and_normalise_text() -> None:
    assert [kind_of_frequency(f) for f in ("quarterly", "half-yearly", "annual")] == ["Q", "H", "Y"]
    assert normalise_text("　１２３（万元） ") == "123(万元)"
    assert normalise_text(None) == ""


@given(st.integers(1900, 2200), st.sampled_from([("Q", 4), ("H", 2), ("Y", 1)]), st.data())
def test_every_period_reads_back_from_its_code_and_its_chinese_label(year: int, kind_parts: tuple[str, int],
                                                                     data: st.DataObject) -> None:
    kind, parts = kind_parts
    period = Period(year, kind, data.draw(st.integers(1, parts)))

    assert period_of_code(period.code) == period
    assert parse_period(period.label("zh")) == period
    assert parse_period(period.label("en")) == period
    assert latest_period_ending_by(period.end_time, period.frequency) == period
