"""The loop a kind shares when it reads several cells of a row together.

A kind whose outcome depends on a few columns of the same row (a level and its date, a course's
form, start and end) names them in :meth:`CellsKind.cells` and answers in :meth:`judge` for one
combination of raw cell values. The batch is read a column at a time; each distinct
combination is judged once, and findings are made only for the rows it flags.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..domain.findings import Finding
from ..domain.values import ValueProblem, is_blank, parse_date, parse_level
from .base import CellProblem
from .kinds import Batch, Flags, Kind

T = TypeVar("T")

# what a kind says for one combination of cells: (column, message) pairs, and the cell it
# could not read (the row stops there, as a registered rule's check did)
Verdict = tuple[list[tuple[str | None, str]], CellProblem | None]


def cell_key(value: Any) -> Any:
    # True == 1 in Python: keep a bool cell apart from a number cell when memoising
    return (value.__class__, value)


def read(column: str, raw: Any, parser: Callable[[object], T]) -> T | None:
    """The typed value of a cell, None when blank; an unreadable cell raises CellProblem."""
    if raw is None or raw == "" or is_blank(raw):
        return None
    try:
        return parser(raw)
    except ValueProblem as problem:
        raise CellProblem(column, f"{column}{problem.message}") from None


def read_date(column: str, raw: Any) -> dt.date | None:
    return read(column, raw, parse_date)


def read_level(column: str, raw: Any) -> Any:
    return read(column, raw, parse_level)


class CellsKind(Kind):
    """A kind judged on a combination of cells of one row (absent columns read as blank)."""

    def cells(self) -> tuple[str, ...]:
        """The columns the kind reads, in the order :meth:`judge` takes them."""
        return self.needs()

    def columns(self) -> tuple[str, ...]:
        return tuple(c for c in self.cells() if self.context.layout.has(c))

    def judge(self, *raws: Any) -> Verdict:
        raise NotImplementedError

    def _verdict(self, raws: tuple[Any, ...]) -> Verdict:
        try:
            return self.judge(*raws)
        except CellProblem as broken:
            return [], broken

    def flag(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        layout = self.context.layout
        blank: list[Any] = [None] * len(batch)
        columns = [batch.column(c) if layout.has(c) else blank for c in self.cells()]
        judged: dict[Any, Verdict] = {}
        flags: Flags = {}
        for i in rows:
            raws = tuple(values[i] for values in columns)
            key = tuple(cell_key(raw) for raw in raws)
            verdict = judged.get(key)
            if verdict is None:
                verdict = judged[key] = self._verdict(raws)
            said, broken = verdict
            if said or broken is not None:
                found: list[Finding] = [self.at_column(batch, i, c, m) for c, m in said]
                flags[i] = (found, broken)
        return flags

    def at_column(self, batch: Batch, index: int, column: str | None, message: str) -> Finding:
        return self.at(batch, index, column, message)
