"""Settings read when used: today from KPI_TODAY, so that tests and demos never depend on the calendar."""
from __future__ import annotations

import datetime as dt

import pytest

from pipelines.core.config import TODAY_ENV, today


def test_today_is_kpi_today_when_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TODAY_ENV, "2026-12-01")

    assert today() == dt.date(2026, 12, 1)


def test_today_is_read_when_asked_not_at_import(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TODAY_ENV, "2024-05-01")
    first = today()
    monkeypatch.setenv(TODAY_ENV, " 2025-01-31 ")

    assert (first, today()) == (dt.date(2024, 5, 1), dt.date(2025, 1, 31))


@pytest.mark.parametrize("given", ["2026-13-01", "2026/12/01", "tomorrow"])
def test_today_refuses_a_kpi_today_that_is_not_a_date(monkeypatch: pytest.MonkeyPatch, given: str) -> None:
    monkeypatch.setenv(TODAY_ENV, given)

    with pytest.raises(ValueError, match="KPI_TODAY"):
        today()
