"""Every worked example in docs/methodology.md, recomputed by the engine, so the document and the code cannot drift."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.core.periods import period_of_code as P
from pipelines.engine.progress import RATIO, Assessment, IndicatorSpec, Observation, assess, roll_up, status_rule_from

DOC = Path(__file__).resolve().parents[1] / "docs" / "methodology.md"
NUMBERS = ("completion", "time_share", "pace_ratio", "gap_points", "expected", "projected", "score")
FLAGS = ("likely_to_meet", "overdue")


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def fields(block: str) -> dict[str, str]:
    return {key.strip(): value.strip() for key, value in
            (line.split(":", 1) for line in block.strip().splitlines() if line.strip())}


def spec_of(f: dict[str, str]) -> IndicatorSpec:
    (baseline, baseline_period), (target, target_period) = (f[k].split("@") for k in ("baseline", "target"))
    return IndicatorSpec("EX", f["kind"], f["direction"], float(baseline), P(baseline_period.strip()), float(target),
                         P(target_period.strip()), f["frequency"], f.get("unit", ""))


def values_of(text: str) -> list[Observation]:
    pairs = (item.split("=") for item in text.split(","))
    return [Observation(P(period.strip()), float(value)) for period, value in pairs]


EXAMPLES = [fields(b) for b in blocks("example")]


def test_methodology_has_the_worked_examples() -> None:
    assert len(EXAMPLES) >= 5
    assert len(blocks("rollup")) == 1


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["title"] for e in EXAMPLES])
def test_methodology_example_matches_the_engine(example: dict[str, str]) -> None:
    a = assess(spec_of(example), values_of(example["values"]), P(example["as_of"]),
               status_rule_from(example["rule"]))
    assert a.status == example["status"]
    for name in NUMBERS:
        if name in example:
            assert getattr(a, name) == pytest.approx(float(example[name]), abs=0.005), name
    for name in FLAGS:
        if name in example:
            assert getattr(a, name) is (example[name] == "true"), name
    if "explanation_zh" in example:
        assert a.explanation_zh == example["explanation_zh"]


def leaf(code: str, text: str) -> Assessment:
    """An indicator given in the roll-up example as a status word or a score."""
    if text in ("achieved", "pending", "no_data"):
        status, score = text, (1.0 if text == "achieved" else None)
    else:
        score = float(text)
        status = RATIO.classify(score, score < 0)
    return Assessment(code, P("2024Q4"), status, "ratio", None, None, 0.0, 1.0, None, score, None, None, None, None,
                      None, False, False, score, "", "")


def test_methodology_rollup_example_matches_the_engine() -> None:
    lines = [line for line in blocks("rollup")[0].strip().splitlines() if line.strip()]
    tree: dict[str, dict[str, list[str]]] = {}
    assessments: dict[str, Assessment] = {}
    expected: dict[str, dict[str, str]] = {}
    for line in lines:
        head, body = (part.strip() for part in line.split(":", 1))
        pairs = dict((p.strip() for p in item.split("=")) for item in body.split(","))  # type: ignore[misc]
        if head in ("score", "status"):
            expected[head] = pairs
            continue
        action, sub_item = (part.strip() for part in head.split("/"))
        tree.setdefault(action, {})[sub_item] = list(pairs)
        assessments.update({code: leaf(code, text) for code, text in pairs.items()})
    result = roll_up(assessments, tree, "plan")
    assert {code: round(r.score, 2) for code, r in result.items() if r.score is not None} == {
        code: float(v) for code, v in expected["score"].items()}
    assert {code: r.status for code, r in result.items()} == expected["status"]
