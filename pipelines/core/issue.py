"""A problem found in a file, as data: where it is (file, Excel row, column as named), what, and what to do."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from pipelines.core.catalog import t

Severity = Literal["hard", "soft"]
HARD: Final = "hard"  # 强制性审核: the file is rejected
SOFT: Final = "soft"  # 核实性审核: accepted only with a real explanation


@dataclass(frozen=True)
class Issue:
    file: str
    row: int | None  # the row as the department sees it in Excel (1-based; every row above the header counted)
    column: str  # the column as named in their file ("" when the problem is the whole file)
    check: str  # a short slug, e.g. "not-a-number"
    value: str
    severity: Severity = HARD
    params: tuple[tuple[str, str], ...] = field(default=())

    def message(self, lang: str = "zh") -> str:
        """The problem in the words of Chinese reporting systems: location, object, problem, what to do."""
        values = dict(self.params)
        if lang != "zh":  # a parameter X_en stands in for X in English (indicator and department names)
            values.update({k[:-3]: v for k, v in self.params if k.endswith("_en")})
        values.setdefault("row", str(self.row or ""))
        values.setdefault("column", self.column)
        values.setdefault("value", self.value)
        values.setdefault("file", self.file)
        return t(f"check.{self.check}", lang, **values)

    def as_dict(self, lang: str = "zh") -> dict[str, object]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "check": self.check,
            "severity": self.severity,
            "value": self.value,
            "message": self.message(lang),
        }


def make_issue(
    file: str, row: int | None, column: str, check: str, value: object = "", severity: Severity = HARD, **params: object
) -> Issue:
    """An Issue with its message parameters stringified (kept hashable so issues can be compared in tests)."""
    text = "" if value is None else str(value)
    return Issue(file, row, column, check, text, severity, tuple(sorted((k, str(v)) for k, v in params.items())))


def sort_issues(issues: list[Issue]) -> list[Issue]:
    """Hard problems first, then by row, as a department reads down its file."""
    return sorted(issues, key=lambda i: (i.severity != HARD, i.file, i.row or 0, i.column, i.check))
