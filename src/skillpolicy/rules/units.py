"""Rules about applying and designated units (application and designation sheets)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..domain.findings import Finding
from ..domain.values import fold
from .base import RowView, Rule, register

_SEPARATORS = re.compile(r"[、,，;；/\s]+")


@register("deadline")
class Deadline(Rule):
    pure = True

    def needs(self) -> tuple[str, ...]:
        return ("申报日期",)

    def check(self, row: RowView) -> Iterator[Finding]:
        deadline = self.program.deadline
        assert deadline is not None, "deadline rule needs program.deadline"
        submitted = row.date("申报日期")
        if submitted is None:
            yield self.finding(
                row.number, "申报日期", f"申报日期为空；须不晚于 {deadline.isoformat()}，请填写"
            )
        elif submitted > deadline:
            yield self.finding(
                row.number,
                "申报日期",
                f"申报日期 {submitted.isoformat()} 晚于截止日期 {deadline.isoformat()}，逾期不再受理",
            )


@register("partners")
class Partners(Rule):
    """Colleges and training institutions: >= 2 partner enterprises and >= 3 shared specialities."""

    pure = True

    def setup(self) -> None:
        self.applies_to = {fold(t) for t in self.params["applies_to"]}
        self.checks = (
            (
                str(self.params["enterprises_column"]),
                int(self.params["minimum_enterprises"]),
                "家合作企业",
            ),
            (
                str(self.params["specialities_column"]),
                int(self.params["minimum_specialities"]),
                "个共建专业",
            ),
        )

    def needs(self) -> tuple[str, ...]:
        return ("单位类型", *(column for column, _, _ in self.checks))

    def check(self, row: RowView) -> Iterator[Finding]:
        unit_type = row.text("单位类型")
        if unit_type not in self.applies_to:
            return
        for column, minimum, noun in self.checks:
            count = row.int(column)
            if count is None:
                yield self.finding(
                    row.number, column, f"{unit_type}须填写{column}（不少于{minimum}{noun}）"
                )
            elif count < minimum:
                yield self.finding(
                    row.number, column, f"{column}为{count}，{unit_type}须有{minimum}{noun}以上"
                )
