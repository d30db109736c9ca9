"""An indicator's current values as sorted arrays — what the progress engine reads — grouped once per store.

The engine asks each indicator for a few ranges of its values (after the baseline, up to a cut-off) and for the
last one; with the values held oldest first in numpy arrays those are binary searches, not a walk over every value,
and a million values are grouped by indicator without one Python object per value.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from pipelines.core.columns import CODE, PERIOD, VALUE
from pipelines.core.periods import Period, period_of_code


@dataclass(frozen=True)
class Observation:
    """The current (newest accepted) value of one period."""

    period: Period
    value: float


@dataclass(frozen=True, eq=False)
class History:
    """One indicator's finite values, one per period, oldest first (by period end, then start), as parallel arrays."""

    periods: np.ndarray  # Period objects
    values: np.ndarray  # float64
    ends: np.ndarray  # each period's end_time
    starts: np.ndarray  # each period's start_time
    years: np.ndarray  # each period's calendar year
    kinds: np.ndarray  # each period's kind: 'Q', 'H' or 'Y'

    def __len__(self) -> int:
        return len(self.values)

    def observation(self, i: int) -> Observation:
        return Observation(self.periods[i], float(self.values[i]))

    def observations(self, indices: Sequence[int]) -> list[Observation]:
        return [self.observation(i) for i in indices]

    def first_after(self, period: Period) -> int:
        """The index of the first value whose period sorts after `period` (later end, or same end and later start)."""
        end, start = period.end_time, period.start_time
        i = int(np.searchsorted(self.ends, end, side="left"))
        while i < len(self) and self.ends[i] == end and self.starts[i] <= start:
            i += 1
        return i

    def count_ending_by(self, time: float) -> int:
        """How many values belong to periods ending at or before a time (in fractional years)."""
        return int(np.searchsorted(self.ends, time, side="right"))

    def holds(self, period: Period) -> bool:
        """True when a value of this very period is present."""
        i = int(np.searchsorted(self.ends, period.end_time, side="left"))
        while i < len(self) and self.ends[i] == period.end_time:
            if self.periods[i] == period:
                return True
            i += 1
        return False


def history_of(observations: Sequence[Observation] | History) -> History:
    """Finite values, one per period (the last one given wins), oldest first."""
    if isinstance(observations, History):
        return observations
    by_period = {o.period: o.value for o in observations if math.isfinite(o.value)}
    periods = sorted(by_period, key=lambda p: (p.end_time, p.start_time))
    values = np.array([by_period[p] for p in periods], dtype=float)
    return _history(periods, np.arange(len(periods)), values)


def histories_from(current: pd.DataFrame) -> dict[str, History]:
    """Current values (columns CODE, PERIOD, VALUE) grouped by indicator: history_of each indicator's rows, at once."""
    values = current[VALUE].to_numpy(dtype=float)
    code_ids, codes = pd.factorize(current[CODE])
    period_ids, period_codes = pd.factorize(current[PERIOD])
    periods = [period_of_code(p) for p in period_codes]
    ends, starts = (np.array([getattr(p, f) for p in periods], dtype=float)[period_ids] for f in ("end_time",
                                                                                                 "start_time"))
    order = np.lexsort((starts, ends, code_ids))  # stable: rows of one indicator and period keep the order given
    order = order[np.isfinite(values[order])]
    last = np.ones(len(order), dtype=bool)  # the last finite value given for a period wins
    last[:-1] = (code_ids[order[1:]] != code_ids[order[:-1]]) | (period_ids[order[1:]] != period_ids[order[:-1]])
    order = order[last]
    table = _history(periods, period_ids[order], values[order])
    bounds = np.flatnonzero(np.diff(code_ids[order])) + 1
    return {codes[code_ids[order[a]]]: _slice(table, a, b) for a, b in zip(np.r_[0, bounds], np.r_[bounds, len(order)])
            if b > a}


def _history(periods: Sequence[Period], ids: np.ndarray, values: np.ndarray) -> History:
    """Values already in order, value i of period periods[ids[i]]: each period's fields are read once, then taken."""
    def field(name: str, dtype: npt.DTypeLike) -> np.ndarray:
        return np.array([getattr(p, name) for p in periods], dtype=dtype)[ids]

    return History(np.array(periods, dtype=object)[ids], values, field("end_time", float),
                   field("start_time", float), field("year", np.int64), field("kind", "<U1"))


def _slice(table: History, a: int, b: int) -> History:
    return History(table.periods[a:b], table.values[a:b], table.ends[a:b], table.starts[a:b], table.years[a:b],
                   table.kinds[a:b])
