"""Roster rules about the trainee's qualification, course and outcome."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_FLOOR, Decimal

from ..domain.findings import Finding
from .base import RowView, Rule, register
from .common import close_match, one_of


def percent(value: Decimal) -> str:
    """0.6 -> '60%'. Rounded down to 0.01%: every use shows a value below a limit, and 0.599999
    must not read as '60% 低于60%'."""
    shown = (value * 100).quantize(Decimal("0.01"), rounding=ROUND_FLOOR).normalize()
    return f"{shown:f}%"


@register("occupation-in-catalog")
class OccupationInCatalog(Rule):
    pure = True

    def setup(self) -> None:
        self.column = str(self.params.get("column", "职业(工种)"))

    def needs(self) -> tuple[str, ...]:
        return (self.column,)

    def check(self, row: RowView) -> Iterator[Finding]:
        assert self.program.catalog is not None, "occupation-in-catalog needs program.catalog"
        catalog = self.context.catalog(self.program.catalog)
        if row.blank(self.column):
            yield self.finding(
                row.number,
                self.column,
                f"{self.column}为空；请填写《{catalog.title}》内的职业（工种）",
            )
            return
        value = row.text(self.column)
        if value not in catalog:
            hint = close_match(value, catalog.occupations)
            yield self.finding(
                row.number,
                self.column,
                f"「{value}」不在《{catalog.title}》内，不属本项目培养范围；请按目录填写规范名称。{hint}".rstrip(
                    "。"
                ),
            )


@register("school-enterprise")
class SchoolEnterprise(Rule):
    """School–enterprise co-training: contract >= 6 months and social insurance >= 3 months."""

    pure = True

    def inputs(self) -> tuple[str, ...]:
        return self.present("劳动合同期限(月)", "社保缴纳月数", "申报等级")

    COLUMNS = ("劳动合同期限(月)", "社保缴纳月数")

    def skip_reason(self) -> str | None:
        if not any(self.context.layout.has(c) for c in self.COLUMNS):
            return "表中没有「劳动合同期限(月)」「社保缴纳月数」列（不是校企合作培养名册）"
        return None

    def check(self, row: RowView) -> Iterator[Finding]:
        present = [c for c in self.COLUMNS if row.has(c) and not row.blank(c)]
        if not present:
            return  # not school–enterprise co-training
        contract_min = int(self.params["contract_months"])
        insurance_min = int(self.params["insurance_months"])
        contract = row.int("劳动合同期限(月)") if row.has("劳动合同期限(月)") else None
        insurance = row.int("社保缴纳月数") if row.has("社保缴纳月数") else None
        if contract is None:
            yield self.finding(
                row.number,
                "劳动合同期限(月)",
                f"校企合作培养须签订{contract_min}个月以上劳动合同；请填写劳动合同期限（月）",
            )
        elif contract < contract_min:
            yield self.finding(
                row.number,
                "劳动合同期限(月)",
                f"劳动合同期限{contract}个月，不满{contract_min}个月，不给予学校补贴",
            )
        if insurance is None:
            yield self.finding(
                row.number,
                "社保缴纳月数",
                f"校企合作培养须缴纳{insurance_min}个月以上社会保险；请填写社保缴纳月数",
            )
        elif insurance < insurance_min:
            yield self.finding(
                row.number,
                "社保缴纳月数",
                f"社保缴纳{insurance}个月，不满{insurance_min}个月，不给予学校补贴",
            )
        levels = list(self.params["levels"])
        if row.has("申报等级"):
            level = row.level("申报等级")
            if level is None:
                yield self.finding(
                    row.number, "申报等级", f"校企合作培养须填写培养等级：{one_of(levels)}"
                )
            elif level.title not in levels:
                yield self.finding(
                    row.number,
                    "申报等级",
                    f"校企合作培养补贴只适用于{one_of(levels)}（预备技师按技师），不含{level.title}",
                )


@register("attendance")
class Attendance(Rule):
    """到课率 below 60% gets no subsidy; exactly 60% is paid (低于 excludes the number)."""

    pure = True

    def needs(self) -> tuple[str, ...]:
        return ("到课率",)

    def check(self, row: RowView) -> Iterator[Finding]:
        minimum = Decimal(str(self.params["minimum"]))
        rate = row.ratio("到课率")
        if rate is None:
            yield self.finding(
                row.number, "到课率", f"到课率为空，无法判断是否达到{percent(minimum)}；请填写"
            )
        elif rate < minimum:
            yield self.finding(
                row.number,
                "到课率",
                f"到课率 {percent(rate)} 低于{percent(minimum)}，按规定不给予培训补贴",
            )
