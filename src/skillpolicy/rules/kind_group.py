"""The ``group-number`` rule kind: per group of rows (a class: same institution, occupation
and start date), the highest (or the sum) of a number column against a bound in the
document's words; a group that misses it is a finding on every one of its rows."""

from __future__ import annotations

import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import compress, islice
from typing import Any

from ..domain.findings import Finding
from ..domain.values import NUMERIC_TYPES, ValueProblem, cell_text, is_blank, parse_int
from .base import CellProblem
from .kind_duplicate import key_part, key_parts
from .kinds import _MISSED, BOUNDS, Batch, Flags, Kind, kind


@dataclass
class _Group:
    label: str
    rows: list[int] = field(default_factory=list)
    values: list[int] = field(default_factory=list)


# a batch is taken a run of rows at a time when its runs are this many rows long on average
_RUN_ROWS = 4


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
        """Each row of ``rows`` with a readable count joins its group; an unreadable count is
        the row's problem. The rows of a class are listed together on a roster: when the
        batch is such runs of rows (:meth:`runs`), a run at a time."""
        counts = self.context.memo.each("count", batch.column(self.column), _count)
        if rows == range(len(batch)) and str not in self.context.memo.types(counts):
            starts = self.runs(batch)
            if starts is not None:
                self._add_runs(batch, counts, starts)
                return {}
        return self.flag_rows(batch, rows)

    def runs(self, batch: Batch) -> list[int] | None:
        """Where each run of rows begins whose key and label cells are those of the row
        before (the first row always begins one), the cells compared at C speed; None when
        runs are short (more than one in :data:`_RUN_ROWS` rows) or a column mixes numeric
        types (True equals 1 there, but reads otherwise)."""
        memo = self.context.memo
        size = len(batch)
        starts = {0}
        for name in dict.fromkeys([*self.group, *self.present(*self.label)]):
            cells = batch.column(name)
            if len(NUMERIC_TYPES.intersection(memo.types(cells))) > 1:
                return None
            starts.update(compress(range(1, size), map(operator.ne, cells, islice(cells, 1, None))))
            if len(starts) * _RUN_ROWS > size:
                return None
        return sorted(starts)

    def _add_runs(self, batch: Batch, counts: list[Any], starts: list[int]) -> None:
        """The rows of each run join the group its first row's key cells name."""
        memo = self.context.memo
        groups = self.groups
        numbers = batch.numbers
        columns = [batch.column(name) for name in self.group]
        labels = [batch.column(name) for name in self.present(*self.label)]
        for start, end in zip(starts, [*starts[1:], len(batch)], strict=True):
            key = tuple(
                key_part(memo, kind, cells[start])
                for cells, kind in zip(columns, self.types, strict=True)
            )
            group = groups.get(key)
            if group is None:
                label = " ".join(cell_text(cells[start]) for cells in labels)
                group = groups[key] = _Group(label)
            group.rows.extend(numbers[start:end])
            group.values.extend(counts[start:end])

    def flag_rows(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        """:meth:`flag` a row at a time."""
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
