"""Rules about the person on a roster row: identity (all roster programs)."""

from __future__ import annotations

from collections.abc import Iterator

from ..domain.findings import Finding
from ..domain.identifiers import check_resident_id
from .base import CellProblem, RowView, Rule, register


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
