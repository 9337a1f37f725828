"""The ``group-number`` rule kind: per group of rows (a class: same institution, occupation
and start date), the highest (or the sum) of a number column against a bound in the
document's words; a group that misses it is a finding on every one of its rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..domain.findings import Finding
from ..domain.values import ValueProblem, cell_text, is_blank, parse_int
from .base import CellProblem
from .kind_duplicate import key_parts
from .kinds import _MISSED, BOUNDS, Batch, Flags, Kind, kind


@dataclass
class _Group:
    label: str
    rows: list[int] = field(default_factory=list)
    values: list[int] = field(default_factory=list)


def _count(raw: Any) -> int | str:
    """A count cell: 0 when blank, else its integer, or the problem's message."""
    if is_blank(raw):
        return 0
    try:
        return parse_int(raw, minimum=0)
    except ValueProblem as problem:
        return problem.message


@kind("group-number")
class GroupNumber(Kind):
    """Rows with the same ``group`` values (each compared by its column's type) form a group;
    ``of = "max"`` (default) takes the highest ``column`` any of its rows records, ``"sum"``
    adds them (a blank cell is 0). A group whose figure misses ``bound`` ``value`` is a finding
    on each of its rows; an unreadable cell is an error on that cell."""

    def setup(self) -> None:
        self.group: list[str] = list(self.params["group"])
        self.column = str(self.params["column"])
        self.label: list[str] = list(self.params.get("label", self.group))
        self.total = str(self.params.get("of", "max")) == "sum"
        self.bound = str(self.params.get("bound", "不少于"))
        self.meets = BOUNDS[self.bound]
        self.limit = int(self.params["value"])
        types = self.program.column_set()
        self.types = [types.type_of(name) for name in self.group]
        self.groups: dict[tuple[str, ...], _Group] = {}

    def needs(self) -> tuple[str, ...]:
        return (*self.group, self.column)

    def columns(self) -> tuple[str, ...]:
        return (*self.needs(), *self.present(*self.label))

    def flag(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        memo = self.context.memo
        # each row's group key, a column at a time (each distinct value read once per run)
        parts = [
            key_parts(memo, kind, batch.column(name))
            for name, kind in zip(self.group, self.types, strict=True)
        ]
        keys = list(zip(*parts, strict=True))
        labels = [batch.column(name) for name in self.present(*self.label)]
        counts = memo.each("count", batch.column(self.column), _count)
        flags: Flags = {}
        numbers = batch.numbers
        groups = self.groups
        for i in rows:
            value = counts[i]
            if isinstance(value, str):  # the cell's problem
                flags[i] = ([], CellProblem(self.column, f"{self.column}{value}"))
                continue
            key = keys[i]
            group = groups.get(key)
            if group is None:
                label = " ".join(cell_text(cells[i]) for cells in labels)
                group = groups[key] = _Group(label)
            group.rows.append(numbers[i])
            group.values.append(value)
        return flags

    def finish(self) -> Iterator[Finding]:
        for group in self.groups.values():
            figure = sum(group.values) if self.total else max(group.values)
            if self.meets(figure, self.limit):
                continue
            message = self.template(
                "missed",
                "{group}（{rows}行）的{column}为{value}，{missed}{bound}；{summary}",
                group=group.label,
                rows=len(group.rows),
                column=self.column,
                value=figure,
                missed=_MISSED[self.bound],
                bound=self.limit,
            )
            for number in group.rows:
                yield self.finding(number, self.column, message)
