"""Rules about a city's training plan sheet (Fujian 2013 二: one row per city, key
enterprise and occupation, reported to the province by the end of February)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ..findings import Finding
from ..values import fold
from .base import CellProblem, RowView, Rule, register
from .sheetwide import _NameListRule
from .training import percent

CITY = "设区市"
ENTERPRISE = "企业名称"
OCCUPATION = "职业(工种)"
PLANNED = "计划人数"
SUBMITTED = "报送日期"


def planned(row: RowView) -> int | None:
    """The row's 计划人数, or None when blank or unreadable (plan-count says so)."""
    try:
        return row.int(PLANNED, minimum=1)
    except CellProblem:
        return None


@register("plan-enterprise")
class PlanEnterprise(_NameListRule):
    """The enterprise of a plan row is on the key-enterprise list (a local parameter)."""

    pure = True
    PARAMETERS = ("key_enterprises",)
    COLUMN = ENTERPRISE

    def check(self, row: RowView) -> Iterator[Finding]:
        names = self.names("key_enterprises")
        assert names is not None
        name = row.text(ENTERPRISE)
        if not name:
            yield self.finding(row.number, ENTERPRISE, "企业名称为空；请填写重点企业的全称")
        elif fold(name) not in names:
            yield self.finding(
                row.number,
                ENTERPRISE,
                f"企业「{name}」不在重点企业名单内；只有名单内的企业可列入免费培训计划，"
                "名称写法不同的请按名单改正",
            )


@register("plan-outside-share")
class PlanOutsideShare(Rule):
    """Per city: planned trainees of institutions outside the city's own schools (本地院校
    否) are at least ``minimum_share`` of the city's planned total (a warning)."""

    def setup(self) -> None:
        self.minimum = Decimal(str(self.params["minimum_share"]))
        self.totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])

    def needs(self) -> tuple[str, ...]:
        return (CITY, PLANNED, "本地院校")

    def check(self, row: RowView) -> Iterator[Finding]:
        city = row.text(CITY)
        count = planned(row)
        try:
            local = row.yes_no("本地院校")
        except CellProblem:
            local = None
        if city and count is not None and local is not None:
            totals = self.totals[city]
            totals[0] += count
            totals[1] += 0 if local else count
        return iter(())

    def finish(self) -> Iterator[Finding]:
        for city, (total, outside) in sorted(self.totals.items()):
            share = Decimal(outside) / Decimal(total)
            if share < self.minimum:
                yield self.finding(
                    None,
                    "本地院校",
                    f"{city}：计划由本地所属院校以外的承训机构培训{outside}人，占{percent(share)}"
                    f"（计划共{total}人），低于原则上不低于{percent(self.minimum)}的比例；"
                    "请调整承训安排或说明理由",
                )


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
