"""Rules about an expert panel's score sheet (one unit and expert a row; Jincheng 三、3)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..findings import Finding
from ..values import fold
from .base import RowView, Rule, register

_SEPARATORS = re.compile(r"[、,，;；/\s]+")

SCORE_COLUMN = "评分"
EXPERT_COLUMN = "专家"
CONFLICT_COLUMN = "回避专家"


def unit_key(row: RowView) -> str:
    """Which unit a row scores: its 统一社会信用代码 when filled, else its 单位名称 (folded)."""
    if row.has("统一社会信用代码") and not row.blank("统一社会信用代码"):
        return fold(row.text("统一社会信用代码")).upper()
    return fold(row.text("单位名称"))


def expert_key(row: RowView) -> str:
    return re.sub(r"\s+", "", fold(row.text(EXPERT_COLUMN)))


def listed_experts(text: str) -> set[str]:
    """The names in a 回避专家 cell, separated by 、 , ; / or spaces."""
    return {re.sub(r"\s+", "", fold(part)) for part in _SEPARATORS.split(text) if part.strip()}


@register("expert-conflict")
class ExpertConflict(Rule):
    """An expert listed under 回避专家 for a unit (on any of its rows) must not score it."""

    def setup(self) -> None:
        self.conflicted: dict[str, set[str]] = {}
        self.scored: list[tuple[str, str, str, int]] = []  # unit, expert, as written, row

    def needs(self) -> tuple[str, ...]:
        return (EXPERT_COLUMN, CONFLICT_COLUMN)

    def check(self, row: RowView) -> Iterator[Finding]:
        unit = unit_key(row)
        listed = listed_experts(row.text(CONFLICT_COLUMN))
        if listed:
            self.conflicted.setdefault(unit, set()).update(listed)
        expert = expert_key(row)
        if expert:
            self.scored.append((unit, expert, row.text(EXPERT_COLUMN), row.number))
        return iter(())

    def finish(self) -> Iterator[Finding]:
        for unit, expert, written, number in self.scored:
            if expert in self.conflicted.get(unit, set()):
                yield self.finding(
                    number,
                    EXPERT_COLUMN,
                    f"专家「{written}」列为本单位的回避专家，不应为本单位评分；"
                    "请更换专家或删去这一评分",
                )
