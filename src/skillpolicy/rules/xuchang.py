"""Rules of award lists, shortage technicians and the employee education fund levy.

Award lists (许昌市技术能手 and 许昌市技能大奖, a fixed number each round), shortage-occupation
技师/高级技师 whose training the city buys, and the employee education fund an enterprise of
scale that trains nobody is levied on.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from ..domain.findings import Finding
from ..domain.identifiers import check_credit_code, check_resident_id
from ..domain.values import fold
from ..policy.catalog import Catalog
from .base import RowView, Rule, register
from .common import close_match, one_of
from .named_catalog import catalog_named_by

# The program's [[rates]] the levy reads (names, so the numbers stay in the program file).
EDUCATION_FUND_FLOOR = "education_fund_floor"
EDUCATION_FUND_CEILING = "education_fund_ceiling"
EDUCATION_FUND_LEVY_SHARE = "education_fund_levy_share"

SHORTAGE_CATALOG = "shortage_catalog"

# 2014年 / 2014年度: a year a clerk wrote with its word; the round and the ledger key need the
# number alone, so it is refused with a message that says so (the int reader would say "如 300")
YEAR_WITH_WORD = re.compile(r"\d{4}\s*年度?")


def percent_text(value: Decimal) -> str:
    """0.015 -> '1.5%', 0.0149 -> '1.49%'."""
    shown = (value * 100).normalize()
    return f"{shown:f}%"


@dataclass
class _Entry:
    row: int
    rank: int | None


@register("award-quota")
class AwardQuota(Rule):
    """At most N winners of each award per round (评选年度); rows beyond it, by 名次, are errors.

    A person listed twice for the same award and round counts once (the second row is the
    duplicate-person rule's error); a row whose 奖项 is not an award is award-kind's error.
    """

    def setup(self) -> None:
        self.quotas: dict[str, int] = {fold(k): int(v) for k, v in self.params["quotas"].items()}
        self.entries: dict[tuple[str, int], list[_Entry]] = defaultdict(list)
        self.people: set[tuple[str, int, str]] = set()

    def needs(self) -> tuple[str, ...]:
        return ("奖项", "评选年度")

    def check(self, row: RowView) -> Iterator[Finding]:
        award = fold(row.text("奖项"))
        if award not in self.quotas:
            return
        written = row.text("评选年度")
        if YEAR_WITH_WORD.fullmatch(written):
            yield self.finding(
                row.number,
                "评选年度",
                f"评选年度「{written}」请只填年份数字，如 {written[:4]}（同一次评选写法须一致）",
            )
            return
        year = row.int("评选年度", minimum=1)
        if year is None:
            yield self.finding(
                row.number,
                "评选年度",
                f"评选年度为空；{award}每次评选名额有限，须填写是哪一年度的评选",
            )
            return
        rank = row.int("名次", minimum=1) if row.has("名次") else None
        if row.has("身份证号"):
            person = check_resident_id(row.raw("身份证号"))
            if person.ok:
                key = (award, year, person.value)
                if key in self.people:
                    return
                self.people.add(key)
        self.entries[(award, year)].append(_Entry(row.number, rank))

    def finish(self) -> Iterator[Finding]:
        for (award, year), entries in sorted(self.entries.items()):
            quota = self.quotas[award]
            ranked = sorted(
                entries, key=lambda e: (e.rank is None, e.rank or 0, e.row)
            )  # ranked rows by 名次, then unranked ones in the sheet's order
            for position, entry in enumerate(ranked, start=1):
                if position <= quota:
                    continue
                order = f"名次{entry.rank}，" if entry.rank is not None else "按表中顺序"
                yield self.finding(
                    entry.row,
                    "名次" if entry.rank is not None else "奖项",
                    f"{year}年度许昌市{award}每次评选{quota}名，本表共{len(entries)}名；"
                    f"本行{order}排第{position}位，超出名额，不予奖励；请核对评选结果和名次",
                )


def shortage_catalog(rule: Rule) -> Catalog:
    """The catalog named by the ``shortage_catalog`` local parameter: an id, or a .toml file
    (relative to the parameters file). Unset, it stops the run (exit 2) naming the parameter."""
    return catalog_named_by(rule.context, SHORTAGE_CATALOG)


@register("shortage-technician")
class ShortageTechnician(Rule):
    """A 技师 or 高级技师 in an occupation on the city's shortage list, trained by an institution."""

    def setup(self) -> None:
        self.levels: list[str] = list(self.params["levels"])
        self.catalog = shortage_catalog(self)

    def needs(self) -> tuple[str, ...]:
        return ("职业(工种)", "申报等级")

    def check(self, row: RowView) -> Iterator[Finding]:
        level = row.level("申报等级")
        if level is None:
            yield self.finding(
                row.number, "申报等级", f"申报等级为空；本项补贴只适用于{one_of(self.levels)}"
            )
        elif level.title not in self.levels:
            yield self.finding(
                row.number,
                "申报等级",
                f"申报等级为{level.title}；急需紧缺职业（工种）培训补贴只适用于{one_of(self.levels)}",
            )
        occupation = row.text("职业(工种)")
        if not occupation:
            yield self.finding(
                row.number,
                "职业(工种)",
                f"职业（工种）为空；请填写《{self.catalog.title}》内的职业（工种）",
            )
        elif occupation not in self.catalog:
            hint = close_match(occupation, self.catalog.occupations)
            yield self.finding(
                row.number,
                "职业(工种)",
                f"「{occupation}」不在《{self.catalog.title}》内，不属急需紧缺职业（工种），"
                f"不给予本项补贴。{hint}".rstrip("。"),
            )
        if row.has("培训机构") and row.blank("培训机构"):
            yield self.finding(
                row.number,
                "培训机构",
                "培训机构为空；政府购买培训成果，补贴拨付培训机构，请填写培训机构全称",
            )


@register("education-fund")
class EducationFund(Rule):
    """职工工资总额 a positive amount; 提取比例, where given, within 1.5%–2.5% (both included);
    规模以上 and 开展职工培训 answered, since the levy depends on them; one row an enterprise."""

    ANSWERS = ("规模以上", "开展职工培训")

    def setup(self) -> None:
        day = self.context.as_of or self.program.reference_date
        self.floor = self.program.rate(str(self.params.get("floor", EDUCATION_FUND_FLOOR))).on(day)[
            0
        ]
        self.ceiling = self.program.rate(
            str(self.params.get("ceiling", EDUCATION_FUND_CEILING))
        ).on(day)[0]
        self.first_row: dict[str, int] = {}

    def needs(self) -> tuple[str, ...]:
        return ("职工工资总额",)

    def check(self, row: RowView) -> Iterator[Finding]:
        payroll = row.decimal("职工工资总额")
        if payroll is None:
            yield self.finding(
                row.number,
                "职工工资总额",
                "职工工资总额为空；职工教育经费按职工工资总额计提，请填写（元）",
            )
        elif payroll <= 0:
            yield self.finding(
                row.number, "职工工资总额", f"职工工资总额为{payroll:f}，应为正数金额（元）"
            )
        elif payroll != payroll.quantize(Decimal("0.01")):
            yield self.finding(
                row.number,
                "职工工资总额",
                f"职工工资总额「{payroll:f}」超过两位小数；请以元为单位，精确到分",
            )
        band = f"{percent_text(self.floor)}—{percent_text(self.ceiling)}"
        if row.has("提取比例"):
            rate = row.ratio("提取比例")
            if rate is not None and not self.floor <= rate <= self.ceiling:
                yield self.finding(
                    row.number,
                    "提取比例",
                    f"提取比例 {percent_text(rate)} 不在职工工资总额的{band}之内；"
                    f"请按{band}填写，未填的按{percent_text(self.floor)}计",
                )
        for column in self.ANSWERS:
            if row.has(column) and row.yes_no(column) is None:
                yield self.finding(
                    row.number, column, f"「{column}」未填；是否统一征收取决于此，请填“是”或“否”"
                )
        code = (
            check_credit_code(row.raw("统一社会信用代码")) if row.has("统一社会信用代码") else None
        )
        if code is not None and code.ok:
            first = self.first_row.setdefault(code.value, row.number)
            if first != row.number:
                yield self.finding(
                    row.number,
                    "统一社会信用代码",
                    f"与第{first}行的统一社会信用代码相同，同一企业只核算一次；请删去重复的行",
                )
