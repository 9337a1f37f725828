"""The ``distinct-count`` rule kind: per group, how many different values a column holds
(experts scoring a unit), against a bound in the document's words; one finding per group
that misses it, on the group's first row."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ..domain.findings import Finding
from ..domain.identifiers import normalise_text
from ..domain.values import cell_text, fold, is_blank
from .kinds import _MISSED, BOUNDS, Batch, Flags, Kind, kind

_SEPARATORS = re.compile(r"[、,，;；/\s]+")


def _folded(text: str) -> str:
    return normalise_text(fold(text))


@dataclass
class _Group:
    row: int
    label: str
    values: set[str] = field(default_factory=set)
    excepted: set[str] = field(default_factory=set)


@kind("distinct-count")
class DistinctCount(Kind):
    """Per ``group`` (the columns' values, ``or_else`` where a cell is blank; the whole sheet
    without one) the different filled values of ``column`` — less those any of the group's
    rows lists in ``except_column`` — must number ``bound`` ``value``."""

    def setup(self) -> None:
        self.column = str(self.params["column"])
        self.group: list[str] = list(self.params.get("group", []))
        self.or_else: dict[str, str] = dict(self.params.get("or_else", {}))
        self.label_column: str | None = self.params.get("label")
        self.except_column: str | None = self.params.get("except_column")
        self.bound = str(self.params.get("bound", "不少于"))
        self.meets = BOUNDS[self.bound]
        self.limit = int(self.params["value"])
        self.groups: dict[tuple[str, ...], _Group] = {}

    def needs(self) -> tuple[str, ...]:
        return (self.column,)

    def columns(self) -> tuple[str, ...]:
        named = [*self.group, *self.or_else.values(), self.label_column, self.except_column]
        return (self.column, *self.present(*[c for c in named if c]))

    def _key(self, batch: Batch, i: int) -> tuple[str, ...]:
        parts = []
        for name in self.group:
            for column in self.present(
                name, *([self.or_else[name]] if name in self.or_else else [])
            ):
                raw = batch.column(column)[i]
                if not is_blank(raw):
                    parts.append(_folded(cell_text(raw)).upper())
                    break
            else:
                parts.append("")
        return tuple(parts)

    def flag(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        values = batch.column(self.column)
        label = self.label_column if self.label_column and self.present(self.label_column) else None
        excepts = (
            batch.column(self.except_column)
            if self.except_column and self.present(self.except_column)
            else None
        )
        for i in rows:
            key = self._key(batch, i)
            group = self.groups.get(key)
            if group is None:
                shown = cell_text(batch.column(label)[i]) if label else "、".join(key)
                group = self.groups[key] = _Group(batch.numbers[i], shown)
            value = _folded(cell_text(values[i]))
            if value:
                group.values.add(value)
            if excepts is not None:
                listed = _SEPARATORS.split(cell_text(excepts[i]))
                group.excepted.update(_folded(part) for part in listed if part.strip())
        return {}

    def finish(self) -> Iterator[Finding]:
        for group in self.groups.values():
            counted = len(group.values - group.excepted)
            if self.meets(counted, self.limit):
                continue
            yield self.finding(
                group.row,
                self.column,
                self.template(
                    "missed",
                    "「{group}」的{column}只有{count}个，{missed}{bound}个；{summary}",
                    group=group.label,
                    column=self.column,
                    count=counted,
                    missed=_MISSED[self.bound],
                    bound=self.limit,
                ),
            )
