"""The ``not-listed`` rule kind: a row's value must not be one of the names any row of its
group lists in another column (an expert who scores a unit that lists him as 回避专家).

A later row may list a name an earlier row used, so the findings come when the whole sheet
has been read, one per row whose value is listed, in sheet order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ..domain.findings import Finding
from ..domain.identifiers import normalise_text
from ..domain.values import cell_text, fold, is_blank
from .base import missing_columns_reason
from .kinds import Batch, Flags, Kind, kind

# names in one cell: separated by 、 , ; / or spaces (full-width forms fold to these)
_SEPARATORS = re.compile(r"[、,，;；/\s]+")


def folded(text: str) -> str:
    """A name as compared: full-width folded, quotation marks unified, no spaces at all."""
    return normalise_text(fold(text))


def listed_names(text: str) -> set[str]:
    """The names a cell lists, each folded (blank parts dropped)."""
    return {folded(part) for part in _SEPARATORS.split(text) if part.strip()}


@dataclass
class _Group:
    label: str
    listed: dict[str, int] = field(default_factory=dict)  # name -> first row listing it
    used: list[tuple[int, str, str]] = field(default_factory=list)  # row, name, as written


@kind("not-listed")
class NotListed(Kind):
    """Per ``group`` (the columns' values, ``or_else`` where a cell is blank; the whole sheet
    without one) the filled value of ``column`` must not be any of the names the group's rows
    list in ``listed_column``; a row whose value is listed is a finding on ``column``."""

    def setup(self) -> None:
        self.column = str(self.params["column"])
        self.listed_column = str(self.params["listed_column"])
        self.group: list[str] = list(self.params.get("group", []))
        self.or_else: dict[str, str] = dict(self.params.get("or_else", {}))
        self.label_column: str | None = self.params.get("label")
        self.groups: dict[tuple[str, ...], _Group] = {}

    def _choices(self, name: str) -> tuple[str, ...]:
        """A group column and its fallback, of those the sheet has."""
        return self.present(name, *([self.or_else[name]] if name in self.or_else else []))

    def needs(self) -> tuple[str, ...]:
        return (self.column, self.listed_column)

    def columns(self) -> tuple[str, ...]:
        named = [c for name in self.group for c in self._choices(name)]
        if self.label_column:
            named += self.present(self.label_column)
        return tuple(dict.fromkeys((*self.needs(), *named)))

    def skip_reason(self) -> str | None:
        reason = super().skip_reason()
        if reason is not None:
            return reason
        for name in self.group:  # without its group a name listed for one unit is not another's
            if not self._choices(name):
                wanted = [name, *([self.or_else[name]] if name in self.or_else else [])]
                return missing_columns_reason(self.context.layout, wanted)
        return None

    def _key(self, batch: Batch, i: int) -> tuple[str, ...]:
        parts = []
        for name in self.group:
            for column in self._choices(name):
                raw = batch.column(column)[i]
                if not is_blank(raw):
                    parts.append(folded(cell_text(raw)).upper())
                    break
            else:
                parts.append("")
        return tuple(parts)

    def flag_on_dates(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        # no parameter of this kind holds a number or a date: one state for the whole sheet
        return self.flag(batch, rows)

    def flag(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        values = batch.column(self.column)
        lists = batch.column(self.listed_column)
        label = self.label_column if self.label_column and self.present(self.label_column) else None
        for i in rows:
            key = self._key(batch, i)
            group = self.groups.get(key)
            if group is None:
                shown = (
                    cell_text(batch.column(label)[i]) if label else "、".join(k for k in key if k)
                )
                group = self.groups[key] = _Group(shown)
            number = batch.numbers[i]
            for name in listed_names(cell_text(lists[i])):
                group.listed.setdefault(name, number)
            written = cell_text(values[i])
            name = folded(written)
            if name:
                group.used.append((number, name, written))
        return {}

    def finish(self) -> Iterator[Finding]:
        found = [
            (number, name, written, group)
            for group in self.groups.values()
            for number, name, written in group.used
            if name in group.listed
        ]
        for number, name, written, group in sorted(found, key=lambda item: item[0]):
            yield self.finding(
                number,
                self.column,
                self.template(
                    "listed",
                    "{column}「{value}」列在「{group}」的{listed_column}中（第{listed_row}行）；"
                    "{summary}",
                    column=self.column,
                    value=written,
                    group=group.label or "本表",
                    listed_column=self.listed_column,
                    listed_row=group.listed[name],
                ),
            )
