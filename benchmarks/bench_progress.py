"""Time assess_all + roll_up for 1,000 indicators × 40 quarters of mixed kinds, against a one-second goal."""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script from anywhere

from pipelines.core.periods import Period
from pipelines.engine.progress import IndicatorSpec, Observation, assess_all, roll_up

INDICATORS = 1_000
QUARTERS = [Period(year, "Q", q) for year in range(2016, 2026) for q in range(1, 5)]  # 40 quarters
GOAL_SECONDS = 1.0
REPEATS = 5


def make_spec(number: int, rng: random.Random) -> IndicatorSpec:
    kind = rng.choices(["level", "annual", "milestone"], weights=[6, 3, 1])[0]
    direction = "decrease" if kind == "level" and rng.random() < 0.3 else "increase"
    baseline = rng.uniform(0, 100)
    target = baseline + (1 if direction == "increase" else -1) * rng.uniform(5, 50)
    if kind == "annual":
        target = rng.uniform(50, 500)
    return IndicatorSpec(f"I{number:04d}", kind, direction, baseline, Period(2015, "Y"), target,
                         Period(2025, "Y"), "quarterly")


def make_values(spec: IndicatorSpec, rng: random.Random) -> list[Observation]:
    """40 quarters, with a few gaps so overdue and late reports are exercised too."""
    out = []
    for i, quarter in enumerate(QUARTERS):
        if rng.random() < 0.05:
            continue
        if spec.kind == "milestone":
            value = 1.0 if i > rng.randint(10, 50) else 0.0
        elif spec.kind == "annual":
            value = rng.uniform(0, spec.target / 3)
        else:
            value = spec.baseline + (spec.target - spec.baseline) * i / 40 * rng.uniform(0.5, 1.3)
        out.append(Observation(quarter, value))
    return out


def make_tree(specs: list[IndicatorSpec]) -> dict[str, dict[str, list[str]]]:
    """10 actions × 5 sub-items × 20 indicators."""
    tree: dict[str, dict[str, list[str]]] = {}
    for i, spec in enumerate(specs):
        tree.setdefault(f"A{i // 100}", {}).setdefault(f"S{i // 20}", []).append(spec.code)
    return tree


def main() -> None:
    rng = random.Random(2025)
    specs = [make_spec(n, rng) for n in range(INDICATORS)]
    values = {spec.code: make_values(spec, rng) for spec in specs}
    tree = make_tree(specs)
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        assessments = assess_all(specs, values, QUARTERS[-3])
        rollups = roll_up(assessments, tree, "PLAN")
        timings.append(time.perf_counter() - start)
    best = min(timings)
    print(f"assess_all + roll_up: {INDICATORS} indicators × {len(QUARTERS)} quarters, "
          f"{len(rollups)} roll-ups, best of {REPEATS}: {best:.3f} s "
          f"(goal < {GOAL_SECONDS:.1f} s; {best / GOAL_SECONDS:.0%} of budget)")
    print("status counts:", dict(rollups["PLAN"].counts))


if __name__ == "__main__":
    main()
