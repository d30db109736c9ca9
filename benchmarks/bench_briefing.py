"""Time the full briefing pack for the shipped plan and its samples (goal < 30 s on 2 cores), stage by stage, and the
per-chart time of the pack's charts drawn through one browser against one chart exported alone (fig.write_image,
which starts a browser of its own)."""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script from anywhere

from models.db import make_engine
from pipelines.briefing import check_setup, make_briefing, read_content
from pipelines.briefing.images import SCALE, write_pngs
from pipelines.core.config import PLAN_DIR, SAMPLES_DIR
from pipelines.core.periods import period_of_code
from pipelines.intake.build import build_store, load_samples

GOAL_SECONDS = 30.0
AS_OF = period_of_code("2025Q4")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2, help="pack runs (the median is reported)")
    args = parser.parse_args()
    check_setup()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        engine = make_engine(f"sqlite:///{root / 'kpi.sqlite3'}")
        plan = build_store(engine, PLAN_DIR)
        assert not isinstance(plan, list), plan
        load_samples(engine, SAMPLES_DIR)

        totals = []
        for run in range(args.runs):
            files = make_briefing(engine, AS_OF, root / f"pack{run}")
            assert files is not None
            totals.append(files.seconds["total"])
            stages = ", ".join(f"{k} {v:.1f} s" for k, v in files.seconds.items() if k != "total")
            print(f"pack run {run + 1}: {files.seconds['total']:.1f} s ({stages})")
        total = statistics.median(totals)
        print(f"full pack (median of {args.runs}): {total:.1f} s — goal < {GOAL_SECONDS:.0f} s: "
              f"{'met' if total < GOAL_SECONDS else 'NOT met'}")

        content = read_content(engine, AS_OF)
        assert content is not None
        charts = content.charts
        start = time.perf_counter()
        write_pngs(charts, root / "batch")
        batch = time.perf_counter() - start
        one = charts[0]
        start = time.perf_counter()
        one.figure.write_image(root / "single.png", scale=SCALE, width=one.width, height=one.height)
        single = time.perf_counter() - start
        print(f"{len(charts)} charts through one browser: {batch:.1f} s, {batch / len(charts):.2f} s per chart")
        print(f"one chart alone (fig.write_image, its own browser): {single:.2f} s")
        print(f"ratio single ÷ per-chart-in-batch: {single / (batch / len(charts)):.1f}×; "
              f"one browser per chart would take ≈{single * len(charts):.0f} s for the pack's charts")


if __name__ == "__main__":
    main()
