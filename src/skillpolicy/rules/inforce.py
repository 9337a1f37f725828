"""stale-program: a sheet whose reference dates fall outside the period the program is in force.

A program file may say when it is in force (``in_force = { from = …, to = … }``); every sheet
of such a program is then checked by this rule (added by the loader, one per sheet kind). Rows
are not at fault, the choice of program may be: one warning for the sheet as a whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..domain.findings import Finding
from .base import CellProblem, RowView, Rule, register


@register("stale-program")
class StaleProgram(Rule):
    # the reference date depends only on 开班日期 (and the run's --as-of): answered once per
    # distinct 开班日期, which is all the earliest and latest dates need
    pure = True

    def setup(self) -> None:
        self.outside: list[dt.date] = []

    def inputs(self) -> tuple[str, ...]:
        column = self.program.reference_column
        return self.present(column) if column else ()

    def check(self, row: RowView) -> Iterator[Finding]:
        period = self.program.in_force
        if period is None:
            return
        try:
            day = row.reference_date()
        except CellProblem:
            return  # an unreadable 开班日期 is the date rules' finding, not this one's
        if day < period.start or (period.to is not None and day > period.to):
            self.outside.append(day)
        yield from ()

    def finish(self) -> Iterator[Finding]:
        period = self.program.in_force
        if period is None or not self.outside:
            return
        until = period.to.isoformat() if period.to else "今"
        yield self.finding(
            None,
            None,
            f"表中有的参照日不在本项目施行期间（{period.start.isoformat()} 至 {until}）内："
            f"最早 {min(self.outside).isoformat()}，最晚 {max(self.outside).isoformat()}；"
            "所用项目文件可能已过时或不适用，请确认这些行应按哪一份政策文件办理",
        )
