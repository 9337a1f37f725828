"""Rules about a city's training plan sheet (Fujian 2013 二: one row per city, key
enterprise and occupation, reported to the province by the end of February)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..findings import Finding
from ..values import ValueProblem, parse_date
from .base import RowView, Rule, register

PLANNED = "计划人数"
SUBMITTED = "报送日期"


@register("plan-count")
class PlanCount(Rule):
    """计划人数 is a whole number of at least one."""

    pure = True

    def needs(self) -> tuple[str, ...]:
        return (PLANNED,)

    def check(self, row: RowView) -> Iterator[Finding]:
        if row.blank(PLANNED):
            yield self.finding(row.number, PLANNED, "计划人数为空；请填写计划培训的人数")
            return
        row.int(PLANNED, minimum=1)  # an unreadable cell is reported as a CellProblem
        return


@register("plan-deadline")
class PlanDeadline(Rule):
    """The plan reaches the province on or before ``deadline`` (the end of February):
    the row's 报送日期, else the 填报日期 written above the header."""

    pure = True

    def setup(self) -> None:
        value = self.params["deadline"]
        self.deadline = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)

    def inputs(self) -> tuple[str, ...]:
        return self.present(SUBMITTED)

    def skip_reason(self) -> str | None:
        layout = self.context.layout
        if not layout.has(SUBMITTED) and "填报日期" not in layout.facts:
            return "表中没有“报送日期”列，表头上方也没有填报日期"
        return None

    def check(self, row: RowView) -> Iterator[Finding]:
        if row.has(SUBMITTED):
            submitted = row.date(SUBMITTED)
            where = "报送日期"
        else:
            written = self.context.layout.facts["填报日期"]
            where = "表头上方的填报日期"
            try:
                submitted = parse_date(written)
            except ValueProblem as problem:
                yield self.finding(row.number, None, f"{where}「{written}」{problem.message}")
                return
        if submitted is None:
            yield self.finding(
                row.number,
                SUBMITTED,
                f"报送日期为空；计划须于 {self.deadline.isoformat()} 前报省人社厅，请填写",
            )
        elif submitted > self.deadline:
            yield self.finding(
                row.number,
                SUBMITTED if row.has(SUBMITTED) else None,
                f"{where} {submitted.isoformat()} 晚于 {self.deadline.isoformat()}："
                "培训计划须于2月底前报省人社厅",
            )
