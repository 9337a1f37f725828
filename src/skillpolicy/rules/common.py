"""Rule shapes several programs share: a value from a closed list, a yes/no condition, a minimum."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import ClassVar

from ..domain.findings import Finding
from ..domain.values import fold
from .base import RowView, Rule, register


def one_of(values: list[str]) -> str:
    return "、".join(values)


def close_match(value: str, candidates: list[str]) -> str:
    """A '是否应为“X”？' hint for a near miss, or ''."""
    match = difflib.get_close_matches(value, candidates, n=1, cutoff=0.6)
    return f"是否应为“{match[0]}”？" if match else ""


@register("training-form", "training-type", "key-group", "applicant-type", "training-category")
class ClosedList(Rule):
    """The cell holds one value from the rule's allowed list (blank is allowed only for key-group)."""

    pure = True

    COLUMNS: ClassVar[dict[str, str]] = {
        "training-form": "培训形式",
        "training-type": "培训类型",
        "key-group": "人员类别",
        "applicant-type": "单位类型",
        "training-category": "培训类别",
    }
    BLANK_ALLOWED: ClassVar[frozenset[str]] = frozenset({"key-group"})

    def setup(self) -> None:
        self.column = str(self.params.get("column", self.COLUMNS[self.spec.id]))
        allowed = self.params.get("allowed")
        if allowed is None:  # 培训类别: the program's department targets
            allowed = [t.name for t in self.program.targets if t.department]
        self.allowed: list[str] = list(allowed)
        self.folded = {fold(v) for v in self.allowed}

    def needs(self) -> tuple[str, ...]:
        return (self.column,)

    def check(self, row: RowView) -> Iterator[Finding]:
        if row.blank(self.column):
            if self.spec.id not in self.BLANK_ALLOWED:
                yield self.finding(
                    row.number, self.column, f"{self.column}为空；应填：{one_of(self.allowed)}"
                )
            return
        value = row.text(self.column)
        if fold(value) not in self.folded:
            hint = close_match(value, self.allowed)
            yield self.finding(
                row.number,
                self.column,
                f"{self.column}「{value}」不在规定范围内；应为：{one_of(self.allowed)}。{hint}".rstrip(
                    "。"
                ),
            )
