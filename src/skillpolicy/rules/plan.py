"""Rules about a city's training plan sheet (Fujian 2013 二: one row per city, key
enterprise and occupation, reported to the province by the end of February)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..findings import Finding
from .base import RowView, Rule, register

ENTERPRISE = "企业名称"
OCCUPATION = "职业(工种)"


@register("plan-no-repeat")
class PlanNoRepeat(Rule):
    """An enterprise's planned occupation in which the ledger holds approved paid lines of the
    year before ``plan_year`` for that enterprise (所在企业): a review finding naming how many
    people and which runs, for the clerk to confirm the plan does not train them again. A plan
    names no people, so this is the most the ledger can say."""

    def setup(self) -> None:
        self.year = int(self.params["plan_year"]) - 1
        self.found: dict[tuple[str, str], list[Any]] = {}

    def needs(self) -> tuple[str, ...]:
        return (ENTERPRISE, OCCUPATION)

    def skip_reason(self) -> str | None:
        reason = super().skip_reason()
        if reason:
            return reason
        if self.context.ledger is None:
            return (
                f"未指定台账（--ledger），无法核对各企业的职业（工种）{self.year}年是否已有职工参加过"
                "免费培训"
            )
        return None

    def check(self, row: RowView) -> Iterator[Finding]:
        enterprise, occupation = row.text(ENTERPRISE), row.text(OCCUPATION)
        if not enterprise or not occupation:
            return
        key = (enterprise, occupation)
        if key not in self.found:
            self.found[key] = self.context.ledger.enterprise_trainings(
                self.program.id, enterprise, occupation, self.year
            )
        runs = self.found[key]
        if not runs:
            return
        people = sum(run.people for run in runs)
        named = "、".join(
            f"{run.run_id}（{run.created_at[:10]}，{run.file_name}"
            + (f"，{run.office}" if run.office else "")
            + "）"
            for run in runs
        )
        yield self.finding(
            row.number,
            OCCUPATION,
            f"台账中{enterprise}已有{people}人参加过{self.year}年{occupation}的免费培训"
            f"（运行 {named}）；已参加过的员工不参加{self.year + 1}年同职业（工种）的培训，"
            "请核实本计划的参训人员不是这些员工",
        )
