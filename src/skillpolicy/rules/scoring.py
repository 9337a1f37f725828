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


@register("duplicate-score")
class DuplicateScore(Rule):
    """An expert scores each unit once: a second row of the same expert and unit is an error."""

    def setup(self) -> None:
        self.first: dict[tuple[str, str], int] = {}

    def needs(self) -> tuple[str, ...]:
        return (EXPERT_COLUMN,)

    def check(self, row: RowView) -> Iterator[Finding]:
        expert = expert_key(row)
        if not expert:
            yield self.finding(row.number, EXPERT_COLUMN, "专家为空；请填写评分专家的姓名")
            return
        key = (unit_key(row), expert)
        earlier = self.first.setdefault(key, row.number)
        if earlier != row.number:
            yield self.finding(
                row.number,
                EXPERT_COLUMN,
                f"专家「{row.text(EXPERT_COLUMN)}」已在第{earlier}行为本单位评分；"
                "同一专家对同一单位只评一次，请删去重复的一行或核实",
            )


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


@register("minimum-experts")
class MinimumExperts(Rule):
    """Each unit is scored by at least ``minimum`` different experts (回避专家 not counted)."""

    def setup(self) -> None:
        self.minimum = int(self.params["minimum"])
        self.units: dict[str, tuple[int, str, set[str], set[str]]] = {}

    def needs(self) -> tuple[str, ...]:
        return (EXPERT_COLUMN,)

    def check(self, row: RowView) -> Iterator[Finding]:
        unit = unit_key(row)
        _first, _name, experts, conflicted = self.units.setdefault(
            unit, (row.number, row.text("单位名称"), set(), set())
        )
        expert = expert_key(row)
        if expert:
            experts.add(expert)
        if row.has(CONFLICT_COLUMN):
            conflicted.update(listed_experts(row.text(CONFLICT_COLUMN)))
        return iter(())

    def finish(self) -> Iterator[Finding]:
        for first, name, experts, conflicted in self.units.values():
            counted = len(experts - conflicted)
            if counted < self.minimum:
                yield self.finding(
                    first,
                    EXPERT_COLUMN,
                    f"「{name}」只有{counted}位专家评分（回避专家不计），少于本项目规定的"
                    f"{self.minimum}位；请补齐评分后再汇总",
                )
