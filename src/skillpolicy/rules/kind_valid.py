"""valid: the cells of identifier columns hold valid values of their declared type.

The type of each column comes from its declaration (``catalogs/columns.toml`` or the program
file's ``[columns]``): ``person-id`` (GB 11643-1999: 18 characters, check digit, a real birth
date not after the row's reference date; ``sex_column`` must agree with the 17th digit),
``credit-code`` (GB 32100-2015, both check characters), ``phone`` (mobile or landline with
area code) and ``postcode`` (six digits). Each distinct cell value is checked once a run (:class:`~.base.Memo`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from ..identifiers import Check, check_credit_code, check_phone, check_postcode, check_resident_id
from ..values import ValueProblem, is_blank
from .base import missing_columns_reason
from .kinds import Batch, Flags, Kind, kind

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

    def _reference(self, start_raw: Any) -> dt.date:
        """The row's reference date: --as-of, else 开班日期 when readable, else the program's."""
        if self.context.as_of is not None:
            return self.context.as_of
        try:
            start = self.context.memo.date(start_raw)
        except ValueProblem:  # a broken 开班日期 is its own rules' finding
            start = None
        return start or self.program.reference_date

    def _flag_people(
        self, batch: Batch, rows: Sequence[int] | range, column: str, flags: Flags
    ) -> None:
        layout = self.context.layout
        blank: list[Any] = [None] * len(batch)
        ids = batch.column(column)
        starts = batch.column(self.start) if layout.has(self.start) else blank
        sexes = batch.column(self.sex) if layout.has(self.sex) else blank
        for i in rows:
            raw = ids[i]
            if self.blank_allowed and is_blank(raw):
                continue
            for where, message in self._person(column, raw, starts[i], sexes[i]):
                flags.setdefault(i, ([], None))[0].append(self.at(batch, i, where, message))

    def _person(self, column: str, raw: Any, start_raw: Any, sex_raw: Any) -> list[tuple[str, str]]:
        """What is wrong with a row's identity number and sex (each distinct number checked
        once per run, shared with the other kinds that read it)."""
        memo = self.context.memo
        result = memo.resident_id(raw)
        if result.ok and result.birth_date is not None:
            # the shared check has no reference date: a number born after the row's is
            # checked again against it, for its message
            reference = self._reference(start_raw)
            if result.birth_date > reference:
                result = check_resident_id(raw, not_after=reference)
        if not result.ok:
            return [(column, self._said("person-id", column, result))]
        if sex_raw is None or result.sex is None or is_blank(sex_raw):
            return []
        written = memo.text(sex_raw)
        if written == result.sex:
            return []
        if written not in ("男", "女"):
            message = self.template(
                "sex_unknown", "{column}「{value}」应填“男”或“女”", column=self.sex, value=written
            )
            return [(self.sex, message)]
        if written != result.sex:
            message = self.template(
                "sex_differs",
                "{column}填的是“{value}”，但{id_column}第17位表示“{sex}”；"
                "请核对身份证后改正{column}或{id_column}",
                column=self.sex,
                value=written,
                id_column=column,
                sex=result.sex,
            )
            return [(self.sex, message)]
        return []
