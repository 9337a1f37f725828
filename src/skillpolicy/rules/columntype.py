"""column-type: the cells of a column a program file declares or narrows hold its type's values.

A program file's ``[columns]`` table may add a column (``参保月数``, an integer) or narrow a
shared one (a bound, a shorter choice list); the loader then adds this rule to every sheet that
uses such a column. Each filled cell is read the way its type says (:mod:`..columns`); one
that cannot be is an error on that cell. The shared columns' own checks are other rules'.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..domain.findings import Finding
from .base import RowView, Rule, register


@register("column-type")
class ColumnType(Rule):
    pure = True

    def setup(self) -> None:
        columns = self.program.column_set()
        sheet = self.program.sheets.get(self.spec.sheet)
        names = sheet.columns if sheet is not None else []
        self.columns = columns
        self.checked = tuple(name for name in names if name in self.program.columns)

    def inputs(self) -> tuple[str, ...]:
        return self.present(*self.checked)

    def check(self, row: RowView) -> Iterator[Finding]:
        for name in self.inputs():
            problem = self.columns.check_cell(name, row.raw(name))
            if problem is not None:
                yield self.finding(row.number, name, f"{name}{problem}")
