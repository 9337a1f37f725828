"""Rules about applying and designated units (application and designation sheets)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..findings import Finding
from ..identifiers import check_credit_code, check_phone, check_postcode
from ..values import fold
from .base import RowView, Rule, register
from .common import close_match, one_of

_SEPARATORS = re.compile(r"[、,，;；/\s]+")


@register("applicant-qualification")
class ApplicantQualification(Rule):
    """主体资格: one or more of the listed qualifications, separated by 、 , or ;."""

    pure = True

    def setup(self) -> None:
        self.column = str(self.params["column"])
        self.allowed: list[str] = list(self.params["allowed"])

    def needs(self) -> tuple[str, ...]:
        return (self.column,)

    def check(self, row: RowView) -> Iterator[Finding]:
        chosen = [part for part in _SEPARATORS.split(row.text(self.column)) if part]
        if not chosen:
            yield self.finding(
                row.number,
                self.column,
                f"{self.column}未填；请至少选择一项：{one_of(self.allowed)}",
            )
            return
        folded = {fold(v) for v in self.allowed}
        for part in chosen:
            if fold(part) not in folded:
                hint = close_match(part, self.allowed)
                yield self.finding(
                    row.number,
                    self.column,
                    f"{self.column}「{part}」不是附件2所列的主体资格；应为：{one_of(self.allowed)}。{hint}".rstrip(
                        "。"
                    ),
                )


@register("credit-code")
class CreditCode(Rule):
    pure = True

    def inputs(self) -> tuple[str, ...]:
        return self.present("统一社会信用代码", "单位名称")

    def needs(self) -> tuple[str, ...]:
        return ("统一社会信用代码",)

    def check(self, row: RowView) -> Iterator[Finding]:
        if row.blank("单位名称"):
            yield self.finding(
                row.number, "单位名称", "单位名称为空；请填写与营业执照一致的单位全称"
            )
        result = check_credit_code(row.raw("统一社会信用代码"))
        if not result.ok:
            yield self.finding(
                row.number, "统一社会信用代码", result.problem or "统一社会信用代码无效"
            )


@register("contact")
class Contact(Rule):
    """Phone numbers and 邮编 that are filled in must be well-formed."""

    pure = True

    def inputs(self) -> tuple[str, ...]:
        return self.present(*self.PHONES, "邮编")

    PHONES = ("联系电话", "手机", "联系人电话", "联系人手机")

    def skip_reason(self) -> str | None:
        if not any(self.context.layout.has(c) for c in (*self.PHONES, "邮编")):
            return "表中没有联系电话、手机或邮编列"
        return None

    def check(self, row: RowView) -> Iterator[Finding]:
        for column in self.PHONES:
            if row.has(column) and not row.blank(column):
                result = check_phone(row.raw(column))
                if not result.ok:
                    yield self.finding(row.number, column, f"{column}：{result.problem}")
        if row.has("邮编") and not row.blank("邮编"):
            result = check_postcode(row.raw("邮编"))
            if not result.ok:
                yield self.finding(row.number, "邮编", result.problem or "邮编应为6位数字")


@register("deadline")
class Deadline(Rule):
    pure = True

    def needs(self) -> tuple[str, ...]:
        return ("申报日期",)

    def check(self, row: RowView) -> Iterator[Finding]:
        deadline = self.program.deadline
        assert deadline is not None, "deadline rule needs program.deadline"
        submitted = row.date("申报日期")
        if submitted is None:
            yield self.finding(
                row.number, "申报日期", f"申报日期为空；须不晚于 {deadline.isoformat()}，请填写"
            )
        elif submitted > deadline:
            yield self.finding(
                row.number,
                "申报日期",
                f"申报日期 {submitted.isoformat()} 晚于截止日期 {deadline.isoformat()}，逾期不再受理",
            )


@register("partners")
class Partners(Rule):
    """Colleges and training institutions: >= 2 partner enterprises and >= 3 shared specialities."""

    pure = True

    def setup(self) -> None:
        self.applies_to = {fold(t) for t in self.params["applies_to"]}
        self.checks = (
            (
                str(self.params["enterprises_column"]),
                int(self.params["minimum_enterprises"]),
                "家合作企业",
            ),
            (
                str(self.params["specialities_column"]),
                int(self.params["minimum_specialities"]),
                "个共建专业",
            ),
        )

    def needs(self) -> tuple[str, ...]:
        return ("单位类型", *(column for column, _, _ in self.checks))

    def check(self, row: RowView) -> Iterator[Finding]:
        unit_type = row.text("单位类型")
        if unit_type not in self.applies_to:
            return
        for column, minimum, noun in self.checks:
            count = row.int(column)
            if count is None:
                yield self.finding(
                    row.number, column, f"{unit_type}须填写{column}（不少于{minimum}{noun}）"
                )
            elif count < minimum:
                yield self.finding(
                    row.number, column, f"{column}为{count}，{unit_type}须有{minimum}{noun}以上"
                )
