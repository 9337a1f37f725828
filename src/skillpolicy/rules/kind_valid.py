"""valid: the cells of identifier columns hold valid values of their declared type.

The type of each column comes from its declaration (``catalogs/columns.toml`` or the program
file's ``[columns]``): ``person-id`` (GB 11643-1999: 18 characters, check digit, a real birth
date not after the row's reference date; ``sex_column`` must agree with the 17th digit),
``credit-code`` (GB 32100-2015, both check characters), ``phone`` (mobile or landline with
area code) and ``postcode`` (six digits). Each distinct cell value is checked once a run (:class:`~.base.Memo`).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Sequence
from itertools import compress
from typing import Any

from ..domain.identifiers import (
    Check,
    birth_of,
    check_credit_code,
    check_phone,
    check_postcode,
    check_resident_id,
)
from ..domain.values import ValueProblem, cell_text, is_blank, parse_date
from .base import missing_columns_reason
from .kinds import DATES_ONLY, FIRST_DATE, Batch, Flags, Kind, kind

CHECKS: dict[str, Callable[[object], Check]] = {
    "person-id": check_resident_id,
    "credit-code": check_credit_code,
    "phone": check_phone,
    "postcode": check_postcode,
}
# the problem text names the identifier, except a phone's, which does not say which phone
DEFAULT_MESSAGES = {
    "person-id": "{problem}",
    "credit-code": "{problem}",
    "phone": "{column}：{problem}",
    "postcode": "{problem}",
}

# the sex a valid number's 17th digit says
_SEX_BY_DIGIT = {digit: "男" if digit in "13579" else "女" for digit in "0123456789"}
_SEX_DIGIT = operator.itemgetter(slice(16, 17))  # "" for a cell that holds no valid number
_FIRST = operator.itemgetter(0)


def _date_or_none(raw: Any) -> dt.date | None:
    """A date cell's date; None when blank or unreadable (its own rules report it)."""
    if is_blank(raw):
        return None
    try:
        return parse_date(raw)
    except ValueProblem:
        return None


def _sex(raw: Any) -> str | None:
    """A 性别 cell's text, None when blank."""
    return None if is_blank(raw) else cell_text(raw)


@kind("valid")
class Valid(Kind):
    """Every filled cell of ``columns`` (those the sheet has) is valid for its type; with
    ``blank_allowed = false`` a blank cell is a finding too."""

    def setup(self) -> None:
        self.names: list[str] = list(self.params["columns"])
        self.blank_allowed = bool(self.params.get("blank_allowed", True))
        self.sex = str(self.params.get("sex_column", "性别"))
        self.start = str(self.params.get("reference_column", "开班日期"))
        declared = self.program.column_set().columns
        self.types = {name: declared[name].type for name in self.names if name in declared}

    def needs(self) -> tuple[str, ...]:
        return ()

    def columns(self) -> tuple[str, ...]:
        extra = [self.sex, self.start] if "person-id" in self.types.values() else []
        return self.present(*self.names, *extra)

    def skip_reason(self) -> str | None:
        if not any(self.context.layout.has(c) for c in self.names):
            reason = missing_columns_reason(self.context.layout, self.names)
            return self.template("missing", "{reason}", reason=reason)
        return super().skip_reason()

    def flag(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        flags: Flags = {}
        memo = self.context.memo
        for column in self.present(*self.names):
            type_ = self.types[column]
            if type_ == "person-id":
                self._flag_people(batch, rows, column, flags)
                continue
            values = batch.column(column)
            check, how = CHECKS[type_], f"valid:{type_}"
            for i in rows:
                raw = values[i]
                if self.blank_allowed and is_blank(raw):
                    continue
                result = memo.judge(how, raw, check)
                if not result.ok:
                    message = self._said(type_, column, result)
                    flags.setdefault(i, ([], None))[0].append(self.at(batch, i, column, message))
        return flags

    def _said(self, type_: str, column: str, result: Check) -> str:
        problem = result.problem or f"{column}无效"
        return self.template(type_, DEFAULT_MESSAGES[type_], column=column, problem=problem)

    def _flag_people(
        self, batch: Batch, rows: Sequence[int] | range, column: str, flags: Flags
    ) -> None:
        """Each row's identity number against the row's reference date and its sex, a column
        at a time: the numbers checked once (:meth:`~.base.Memo.people`, shared with the other
        kinds that read them), a Python step only for the cells that are not valid, the numbers
        born after the earliest reference date and the rows whose sex differs."""
        layout = self.context.layout
        memo = self.context.memo
        ids = batch.column(column)
        people = memo.people(ids)
        numbers = people.values
        wanted = None if rows == range(len(batch)) else set(rows)
        said: list[tuple[int, str, str]] = []  # (row index, column, message)
        if people.checked:
            blanks = memo.blanks(ids) if self.blank_allowed else None
            for i, result in people.checked.items():
                if result.ok or (wanted is not None and i not in wanted):
                    continue
                if blanks is None or not blanks[i]:
                    said.append((i, column, self._said("person-id", column, result)))
        late = self._born_late(batch, rows, numbers, wanted, people.latest)
        for i, reference in late.items():
            # the check again against the row's reference date, for its message
            result = check_resident_id(ids[i], not_after=reference)
            said.append((i, column, self._said("person-id", column, result)))
        if layout.has(self.sex):
            cells = batch.column(self.sex)
            id_sexes = list(map(_SEX_BY_DIGIT.get, map(_SEX_DIGIT, numbers)))
            # a 性别 cell that is the very text its number says agrees (its text is itself);
            # any other is read as the clerk sees it and compared again
            for i in compress(range(len(numbers)), map(operator.ne, cells, id_sexes)):
                written, number = memo.judge("sex", cells[i], _sex), numbers[i]
                if written is None or not number or i in late or written == id_sexes[i]:
                    continue
                if wanted is not None and i not in wanted:
                    continue
                for where, message in self._sex_differs(column, written, _SEX_BY_DIGIT[number[16]]):
                    said.append((i, where, message))
        for i, where, message in sorted(said, key=_FIRST):
            flags.setdefault(i, ([], None))[0].append(self.at(batch, i, where, message))

    def _born_late(
        self,
        batch: Batch,
        rows: Sequence[int] | range,
        numbers: list[str],
        wanted: set[int] | None,
        latest: dt.date | None,
    ) -> dict[int, dt.date]:
        """The rows whose valid number was born after the row's reference date (--as-of, else
        its 开班日期 when readable, else the program's), with that date; none at all when the
        ``latest`` birth of the batch's valid numbers is not after the earliest reference
        date."""
        if latest is None:
            return {}
        fallback = self.program.reference_date
        days: list[dt.date | None]
        if self.context.as_of is not None:
            days = [self.context.as_of] * len(numbers)
        elif self.context.layout.has(self.start):
            memo = self.context.memo
            cells = batch.column(self.start)
            if memo.types(cells) == DATES_ONLY and min(cells) >= FIRST_DATE:
                days = cells  # dates alone, none before 1900: each cell is its own date
            else:
                days = memo.each("date-or-none", cells, _date_or_none)
        else:
            days = [None] * len(numbers)
        if latest <= min(day or fallback for day in set(days)):
            return {}
        late: dict[int, dt.date] = {}
        for i in rows if wanted is not None else range(len(numbers)):
            number = numbers[i]
            reference = days[i] or fallback
            if number and birth_of(number) > reference:
                late[i] = reference
        return late

    def _sex_differs(self, column: str, written: str, sex: str) -> list[tuple[str, str]]:
        """The finding on a 性别 cell that is not the sex the identity number says."""
        if written not in ("男", "女"):
            message = self.template(
                "sex_unknown", "{column}「{value}」应填“男”或“女”", column=self.sex, value=written
            )
            return [(self.sex, message)]
        if written != sex:
            message = self.template(
                "sex_differs",
                "{column}填的是“{value}”，但{id_column}第17位表示“{sex}”；"
                "请核对身份证后改正{column}或{id_column}",
                column=self.sex,
                value=written,
                id_column=column,
                sex=sex,
            )
            return [(self.sex, message)]
        return []
