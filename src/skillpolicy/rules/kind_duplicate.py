"""The ``duplicate`` rule kind: a key of columns repeated on one sheet.

The first row of a key passes; every later row of it is a finding naming that first row. Each
key part is compared by its column's declared type (an identity number normalised, a level by
meaning, a date or a year as a value, text folded and without spaces).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Sequence
from itertools import compress, repeat
from typing import Any

from ..domain.findings import Finding
from ..domain.identifiers import check_resident_id, normalise_text
from ..domain.values import (
    ValueProblem,
    cell_text,
    fold,
    is_blank,
    parse_date,
    parse_int,
    parse_level,
)
from .base import Memo, missing_columns_reason
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


def _or_text(read: Callable[[Any], str]) -> Callable[[Any], str]:
    def part(raw: Any) -> str:
        try:
            return read(raw)
        except ValueProblem:
            return _text(raw)

    return part


_READERS: dict[str, Callable[[Any], str]] = {name: _or_text(read) for name, read in _PARTS.items()}


def _unless_blank(read: Callable[[Any], str]) -> Callable[[Any], str]:
    def part(raw: Any) -> str:
        return "" if is_blank(raw) else read(raw)

    return part


# the same for a whole column, where a blank cell is the empty part
_BLANK_OR_PART = {name: _unless_blank(read) for name, read in _READERS.items()}
_blank_or_text = _unless_blank(_text)
PERSON_ID = "person-id"
TEXT = "text"
# the bits of a key's int that hold a part's code: an identity number's (36**18 < 2**94) or
# another's (fewer than 2**32 distinct parts on a sheet)
_PERSON_BITS = 96
_PART_BITS = 32


def _bits(column_type: str) -> int:
    return _PERSON_BITS if column_type == PERSON_ID else _PART_BITS


# how a batch's key is read (Duplicate.plan)
Plan = list[tuple[bool, bool, str, list[tuple[str, list[bool], list[str]]]]]


def part_reader(column_type: str) -> Callable[[Any], str]:
    """How a filled cell of ``column_type`` becomes a key part (not for ``person-id``, which
    :func:`typed_part` reads through the memo's resident-id check)."""
    return _READERS.get(column_type, _text)


def typed_part(column_type: str, raw: Any, memo: Memo | None = None) -> str:
    """A filled cell as a key part, compared by its column's declared type; with ``memo``,
    each distinct value is read once per run (the identity number's check shared)."""
    if column_type == PERSON_ID:
        person = check_resident_id(raw) if memo is None else memo.resident_id(raw)
        return person.value if person.ok else ""
    read = part_reader(column_type)
    return read(raw) if memo is None else memo.judge(f"part:{column_type}", raw, read)


@kind("duplicate")
class Duplicate(Kind):
    """Rows whose ``columns`` all hold the same values: the second and later are findings.

    The first key column must be in the sheet (or its ``or_else`` column); the others are
    compared where the sheet has them. A row whose first key column is blank, or holds an
    identity number that is not valid, is not compared (its own rules say why), unless the
    column is ``required``: then the blank cell is the finding."""

    shared_across_dates = ("first", "codes")

    def setup(self) -> None:
        self.key: list[str] = list(self.params["columns"])
        self.or_else: dict[str, str] = dict(self.params.get("or_else", {}))
        self.required: set[str] = set(self.params.get("required", []))
        # each key seen, as one int (:meth:`_codes`), with the row it was first seen on
        self.first: dict[int, int] = {}
        self.codes: dict[str, int] = {}  # the key parts other than identity numbers, numbered
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

    def flag(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        plan = self.plan(batch, blanks=False)
        if all(len(sources) == 1 for *_, sources in plan):
            return self.flag_columns(batch, rows, plan)
        return self.flag_rows(batch, rows, self.plan(batch))

    def plan(self, batch: Batch, blanks: bool = True) -> Plan:
        """Per key column: whether it is the first, whether a blank cell is a finding, the
        column named when every choice is blank, and the columns it is read from (its
        fallback after it), each with its cells' blankness (unless ``blanks`` is false: then
        none is said blank) and key parts (each distinct value read once per run)."""
        plan: Plan = []
        for place, name in enumerate(self.key):
            choices = self._choices(name)
            if place > 0 and not choices:
                continue  # a later key column the sheet lacks is left out of the key
            sources = [self._source(batch, column, blanks) for column in choices]
            shown = choices[0] if choices else name
            plan.append((place == 0, name in self.required, shown, sources))
        return plan

    def flag_rows(
        self,
        batch: Batch,
        rows: Sequence[int] | range,
        plan: Plan,
    ) -> Flags:
        """:meth:`flag` a row at a time: each key part from the first of its columns filled."""
        flags: Flags = {}
        numbers = batch.numbers
        first_seen = self.first
        for i in rows:
            parts: list[str] = []
            key = 1
            for first, required, shown, sources in plan:
                column, part, filled = shown, "", False
                for name, blanks, values in sources:
                    if not blanks[i]:
                        column, part, filled = name, values[i], True
                        break
                if first and not part:
                    if not filled and required:
                        message = self.template("blank", "{column}为空；请填写", column=column)
                        flags[i] = ([self.at(batch, i, column, message)], None)
                    break
                parts.append(column)
                parts.append(part)
                column_type = self.types[column]
                key = (key << _PART_BITS | self._code(TEXT, column)) << _bits(column_type)
                key |= self._code(column_type, part)
            else:
                number = numbers[i]
                first_number = first_seen.setdefault(key, number)
                if first_number != number:
                    flags[i] = ([self._repeated(batch, i, first_number, parts[::2])], None)
        return flags

    def flag_columns(
        self,
        batch: Batch,
        rows: Sequence[int] | range,
        plan: Plan,
    ) -> Flags:
        """:meth:`flag` when every key column is read from one column (no fallback in the
        sheet): a row's key is its parts alone, and the rows repeating a key, in the batch or
        from an earlier one, are found by dict and set operations over the whole batch."""
        flags: Flags = {}
        numbers = batch.numbers
        _, required, first_column, ((_, _, first_parts),) = plan[0]
        columns = [shown for _, _, shown, _ in plan]
        considered: Sequence[int] | range = rows
        if "" in first_parts:  # a blank or invalid first part: not compared
            if required:
                first_blanks = self.context.memo.blanks(batch.column(first_column))
                message = self.template("blank", "{column}为空；请填写", column=first_column)
                for i in considered:
                    if first_blanks[i]:
                        flags[i] = ([self.at(batch, i, first_column, message)], None)
            marks = (
                first_parts
                if considered == range(len(first_parts))
                else map(first_parts.__getitem__, considered)
            )
            considered = list(compress(considered, marks))
        picked: list[Sequence[str]]
        if considered == range(len(numbers)):  # every row: the columns as they are
            picked = [parts for *_, ((_, _, parts),) in plan]
            shown: Sequence[int] = numbers
        elif not considered:
            return flags
        elif len(considered) == 1:
            picked = [[parts[considered[0]]] for *_, ((_, _, parts),) in plan]
            shown = [numbers[considered[0]]]
        else:
            pick = operator.itemgetter(*considered)
            picked = [pick(parts) for *_, ((_, _, parts),) in plan]
            shown = list(pick(numbers))
        # each row's key as one int: its parts' codes side by side (the first is never 0)
        keys: list[int] = []
        for place, ((*_, ((name, _, _),)), values) in enumerate(zip(plan, picked, strict=True)):
            column_type = self.types[name]
            codes = self._codes(column_type, values)
            if place == 0:
                keys = list(codes)
                continue
            shifted = map(operator.lshift, keys, repeat(_bits(column_type)))
            keys = list(map(operator.or_, shifted, codes))
        # each key's first row number in this batch (a later row's key written first)
        firsts = dict(zip(reversed(keys), reversed(shown), strict=True))
        first_seen = self.first
        earlier = first_seen.keys() & firsts.keys()
        if len(firsts) < len(keys) or earlier:
            # the positions of the rows after a key's first: later in the batch, or any row of a
            # key an earlier batch had
            later = map(operator.ne, map(firsts.__getitem__, keys), shown)
            repeated = set(compress(range(len(keys)), later))
            if earlier:
                repeated.update(compress(range(len(keys)), map(earlier.__contains__, keys)))
            for at in sorted(repeated):
                i, key = considered[at], keys[at]
                first_number = first_seen.get(key) or firsts[key]
                flags[i] = ([self._repeated(batch, i, first_number, columns)], None)
            for key in earlier:
                del firsts[key]
        first_seen.update(firsts)
        return dict(sorted(flags.items()))

    def _codes(self, column_type: str, parts: Sequence[str]) -> Iterable[int]:
        """Each key part as a number that fits in :func:`_bits` of its type: an identity
        number read in base 36 (its 18 characters, 0-9 and X, in 94 bits; never 0, a
        province code comes first), "" as 0; any other part numbered from 1 in the order
        first seen. A key kept as these numbers side by side is one small int instead of a
        tuple and the number's text."""
        if column_type == PERSON_ID:
            if "" in parts:  # "" read as "0" (a number, never empty, begins with 1-9)
                return map(int, map(max, parts, repeat("0")), repeat(36))
            return map(int, parts, repeat(36))
        codes = self.codes
        for part in set(parts).difference(codes):
            codes[part] = len(codes) + 1
        return map(codes.__getitem__, parts)

    def _code(self, column_type: str, part: str) -> int:
        """One part's code, as :meth:`_codes` gives it."""
        if column_type == PERSON_ID:
            return int(part, 36) if part else 0
        code = self.codes.get(part)
        if code is None:
            code = self.codes[part] = len(self.codes) + 1
        return code

    def _repeated(self, batch: Batch, i: int, first: int, used: list[str]) -> Finding:
        """Row ``i`` repeats row ``first`` in the key columns ``used`` (at the first of them)."""
        column = used[0]
        message = self.template(
            "repeated",
            "与第{first}行的{columns}相同；{summary}",
            first=first,
            columns="、".join(used),
            column=column,
            value=cell_text(batch.column(column)[i]),
        )
        return self.at(batch, i, column, message)

    def _source(
        self, batch: Batch, column: str, blanks: bool = True
    ) -> tuple[str, list[bool], list[str]]:
        """A column a key part is read from: its name, whether each cell is blank (none
        said to be unless ``blanks``), and each cell as a key part ("" for a blank one)."""
        cells = batch.column(column)
        memo = self.context.memo
        parts = key_parts(memo, self.types[column], cells)
        return column, memo.blanks(cells) if blanks else [], parts


def key_part(memo: Memo, column_type: str, raw: Any) -> str:
    """One cell as :func:`key_parts` reads it in its column (through the same memo answers)."""
    if column_type == PERSON_ID:
        person = memo.resident_id(raw)
        return person.value if person.ok else ""
    return memo.judge(f"part:{column_type}", raw, _BLANK_OR_PART.get(column_type, _blank_or_text))


def key_parts(memo: Memo, column_type: str, cells: list[Any]) -> list[str]:
    """Each cell of a column as a key part of its type, "" for a blank cell; an identity
    number through the memo's shared check ("" when not valid). The list is shared: read it,
    do not change it."""
    if column_type == PERSON_ID:
        return memo.people(cells).values
    return memo.each(f"part:{column_type}", cells, _BLANK_OR_PART.get(column_type, _blank_or_text))
