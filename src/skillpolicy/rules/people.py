"""Rules about the person on a roster row: identity and duplicates (all roster programs)."""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding
from ..identifiers import check_resident_id
from ..values import fold
from .base import CellProblem, RowView, Rule, register
from .keys import key_part, subject_of


@register("identity")
class Identity(Rule):
    """A valid 18-digit GB 11643-1999 number; 性别, where given, agrees with it."""

    def needs(self) -> tuple[str, ...]:
        return ("身份证号",)

    def check(self, row: RowView) -> Iterator[Finding]:
        if row.has("姓名") and row.blank("姓名"):
            yield self.finding(row.number, "姓名", "姓名为空；实名制管理须填写与身份证一致的姓名")
        result = row.resident_id()
        if result.ok and result.birth_date is not None:
            try:
                reference = row.reference_date()
            except (
                CellProblem
            ):  # a broken 开班日期 is its own rules' finding; use the program's date
                reference = self.program.reference_date
            if result.birth_date > reference:
                result = check_resident_id(row.raw("身份证号"), not_after=reference)
        if not result.ok:
            yield self.finding(row.number, "身份证号", result.problem or "身份证号无效")
            return
        if row.has("性别") and not row.blank("性别") and result.sex is not None:
            written = row.text("性别")
            if written not in ("男", "女"):
                yield self.finding(row.number, "性别", f"性别「{written}」应填“男”或“女”")
            elif written != result.sex:
                yield self.finding(
                    row.number,
                    "性别",
                    f"性别填的是“{written}”，但身份证号第17位表示“{result.sex}”；"
                    "请核对身份证后改正性别或身份证号",
                )


@register("duplicate-person")
class DuplicatePerson(Rule):
    """The same payee (and target) twice on one sheet: the second and later rows are errors.

    A person is known by 身份证号. On a sheet of units (a designation sheet) the payee is the
    unit, a legal person, known like the ledger knows it: its credit code, else its name.
    """

    def setup(self) -> None:
        self.key_columns: list[str] = list(self.params.get("key_columns", ["身份证号"]))
        self.first_row: dict[tuple[str, ...], int] = {}
        layout = self.context.layout
        self.units = not layout.has("身份证号") and layout.has("单位名称")

    def needs(self) -> tuple[str, ...]:
        return ("单位名称",) if self.units else ("身份证号",)

    def check(self, row: RowView) -> Iterator[Finding]:
        if self.units:
            yield from self._check_unit(row)
            return
        result = row.resident_id()
        if not result.ok:
            return  # an unreadable number is the identity rule's finding, not a duplicate
        # levels compare by meaning (五级 = 初级工), text after folding
        key = (result.value, *(key_part(row, c) for c in self.key_columns[1:] if row.has(c)))
        first = self.first_row.setdefault(key, row.number)
        if first != row.number:
            also = [c for c in self.key_columns[1:] if row.has(c)]
            same = "、".join(["身份证号", *also])
            yield self.finding(
                row.number,
                "身份证号",
                f"与第{first}行的{same}相同，同一人只能补贴一次；请删去重复的行，或核对身份证号",
            )

    def _check_unit(self, row: RowView) -> Iterator[Finding]:
        by_code = row.has("统一社会信用代码") and not row.blank("统一社会信用代码")
        subject = subject_of(row)
        if not subject:
            return  # a unit without code or name is the required-column finding
        first = self.first_row.setdefault(
            ("code" if by_code else "name", fold(subject)), row.number
        )
        if first != row.number:
            column = "统一社会信用代码" if by_code else "单位名称"
            yield self.finding(
                row.number,
                column,
                f"与第{first}行的{column}相同，同一单位只能补助一次；请删去重复的行，或核对{column}",
            )
