"""The ``duplicate`` rule kind: a key of columns repeated on one sheet.

The first row of a key passes; every later row of it is a finding naming that first row. Each
key part is compared by its column's declared type (an identity number normalised, a level by
meaning, a date or a year as a value, text folded and without spaces).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..identifiers import check_resident_id, normalise_text
from ..values import ValueProblem, cell_text, fold, is_blank, parse_date, parse_int, parse_level
from .base import missing_columns_reason
from .kinds import Batch, Flags, Kind, kind


def _text(raw: Any) -> str:
    return normalise_text(fold(cell_text(raw)))


def _level(raw: Any) -> str:
    level = parse_level(raw)
    return level.title if level else ""


def _date(raw: Any) -> str:
    day = parse_date(raw)
    return day.isoformat() if day else ""


def _integer(raw: Any) -> str:
    return str(parse_int(raw, minimum=1))


# how a key part of each declared column type is compared; a cell its type cannot read
# compares by its text (the column's own rule reports it)
_PARTS: dict[str, Callable[[Any], str]] = {
    "credit-code": lambda raw: normalise_text(cell_text(raw)).upper(),
    "level": _level,
    "date": _date,
    "integer": _integer,
}


def typed_part(column_type: str, raw: Any) -> str:
    """A filled cell as a key part, compared by its column's declared type."""
    if column_type == "person-id":
        person = check_resident_id(raw)
        return person.value if person.ok else ""
    read = _PARTS.get(column_type, _text)
    try:
        return read(raw)
    except ValueProblem:
        return _text(raw)


@kind("duplicate")
class Duplicate(Kind):
    """Rows whose ``columns`` all hold the same values: the second and later are findings.

    The first key column must be in the sheet (or its ``or_else`` column); the others are
    compared where the sheet has them. A row whose first key column is blank, or holds an
    identity number that is not valid, is not compared (its own rules say why), unless the
    column is ``required``: then the blank cell is the finding."""

    def setup(self) -> None:
        self.key: list[str] = list(self.params["columns"])
        self.or_else: dict[str, str] = dict(self.params.get("or_else", {}))
        self.required: set[str] = set(self.params.get("required", []))
        self.first: dict[tuple[str, ...], int] = {}
        types = self.program.column_set()
        self.types = {name: types.type_of(name) for name in [*self.key, *self.or_else.values()]}

    def _choices(self, column: str) -> tuple[str, ...]:
        """The column and its fallback, of those the sheet has."""
        return self.present(column, *([self.or_else[column]] if column in self.or_else else []))

    def needs(self) -> tuple[str, ...]:
        return ()

    def columns(self) -> tuple[str, ...]:
        return tuple(c for name in self.key for c in self._choices(name))

    def skip_reason(self) -> str | None:
        first = self.key[0]
        if not self._choices(first):
            wanted = [first, *([self.or_else[first]] if first in self.or_else else [])]
            return missing_columns_reason(self.context.layout, wanted)
        return super().skip_reason()

    def _part(self, column: str, raw: Any) -> str:
        return typed_part(self.types[column], raw)

    def _resolved(self, batch: Batch, i: int, column: str) -> tuple[str, Any]:
        """The column a key part is read from on row ``i`` (the fallback when it is blank)."""
        choices = self._choices(column)
        for name in choices:
            raw = batch.column(name)[i]
            if not is_blank(raw):
                return name, raw
        return (choices[0], None) if choices else (column, None)

    def flag(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        flags: Flags = {}
        for i in rows:
            used: list[str] = []
            parts: list[str] = []
            for place, name in enumerate(self.key):
                if place > 0 and not self._choices(name):
                    continue  # a later key column the sheet lacks is left out of the key
                column, raw = self._resolved(batch, i, name)
                part = "" if is_blank(raw) else self._part(column, raw)
                if place == 0 and not part:
                    if is_blank(raw) and name in self.required:
                        message = self.template("blank", "{column}为空；请填写", column=column)
                        flags[i] = ([self.at(batch, i, column, message)], None)
                    break
                used.append(column)
                parts.append(f"{column}\x00{part}")
            else:
                key = tuple(parts)
                number = batch.numbers[i]
                first = self.first.setdefault(key, number)
                if first != number:
                    column = used[0]
                    message = self.template(
                        "repeated",
                        "与第{first}行的{columns}相同；{summary}",
                        first=first,
                        columns="、".join(used),
                        column=column,
                        value=cell_text(batch.column(column)[i]),
                    )
                    flags[i] = ([self.at(batch, i, column, message)], None)
        return flags
