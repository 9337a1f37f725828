"""Wording shared by the workbook and the Word narrative."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from .model import CityProgress, MonthlyReport, ProgramSection, Tally, sum_tallies

APART_NOTE = (
    "认定（授牌）的单位和表彰的获奖人员不是培训人员，不计入培训人数、取证人数和合格率，另列如下："
)
EMPTY_NOTE = "{month} 台账中没有任何记录（无结业、无发放、无不予发放）：本月无数据。"


def percent(value: Decimal | None) -> str:
    """``Decimal("0.8125")`` -> ``"81.2%"``; None (nothing to divide by) -> ``"—"``. Rounded
    down: a pass rate of 79.96% is under the 80% line and must not read as 80.0%, and a target
    is not shown as 100.0% done before it is."""
    if value is None:
        return "—"
    return f"{(value * 100).quantize(Decimal('0.1'), rounding=ROUND_FLOOR)}%"


def program_heading(section: ProgramSection) -> str:
    return section.title if section.title == section.program else f"{section.title}"


def refusal_rows(report: MonthlyReport, section: ProgramSection) -> list[list[str | int]]:
    """A program's refusals by rule: what the rule asks (in Chinese; a clerk never reads a rule
    id), this month, cumulative."""
    reasons = sorted(set(section.month.refused) | set(section.cumulative.refused))
    return [
        [report.reason_names.get(r, "其他原因"), section.month.refused.get(r, 0),
         section.cumulative.refused.get(r, 0)]
        for r in reasons
    ]  # fmt: skip


def report_scope(report: MonthlyReport) -> str:
    """What the report covers, after its title: one office, or nothing for the whole ledger."""
    if report.office is None:
        return "（全市汇总）" if report.offices else ""
    return f"（{report.office or '未注明经办机构'}）"


def office_total_rows(report: MonthlyReport) -> list[list[str | int | Decimal]]:
    """Each office's month and cumulative totals, then the city's (the sum of the offices)."""
    rows: list[list[str | int | Decimal]] = []

    def add(name: str, month: Tally, cumulative: Tally) -> None:
        for label, tally in (("本月", month), ("累计", cumulative)):
            rows.append(
                [name, label, tally.trained, tally.certified, tally.pending, tally.paid_count,
                 tally.paid_amount, tally.refused_count]
            )  # fmt: skip

    for office in report.offices:
        add(office.name, office.month_total, office.cumulative_total)
    add(
        "合计",
        sum_tallies(o.month_total for o in report.offices),
        sum_tallies(o.cumulative_total for o in report.offices),
    )
    return rows


def apart_text(tally: Tally) -> str:
    """``；认定单位 2 家，获奖人员 3 人（不计入培训人数）`` where there are any, else ""."""
    parts = [f"认定单位 {tally.units} 家"] if tally.units else []
    parts += [f"获奖人员 {tally.awards} 人"] if tally.awards else []
    return f"；{'，'.join(parts)}（不计入培训人数）" if parts else ""


def apart_rows(report: MonthlyReport) -> list[list[str | int]]:
    """Each program with designated units or award winners: month and cumulative, in 家 / 人."""
    rows: list[list[str | int]] = []
    for section in report.programs:
        if section.cumulative.units or section.cumulative.awards:
            for label, tally in (("本月", section.month), ("累计", section.cumulative)):
                rows.append([section.title, label, tally.units, tally.awards])
    return rows


CITY_HEADERS = [
    "设区市",
    "指导性培训计划指标",
    "本月培训",
    "培训人数",
    "已发放人数",
    "发放金额（元）",
    "完成率",
]
NO_TARGET = "未下达"
CITY_NOTE = (
    "注：培训人数按月报口径计（结业学员，不论发放、待定或不予发放；已发放后再次提交的不重复计）；"
    "已发放人数为已审批发放的笔数；完成率 = 培训人数 ÷ 指导性培训计划指标，向下取到0.1%；"
    "未下达指标的设区市和未填所在地的学员单列，计入合计人数，"
    "合计的完成率只计有指标的设区市。"
)


def city_heading(cities: CityProgress) -> str:
    """What the city table covers: the program, and the plan year's months up to the report's."""
    period = f"{cities.plan_year}年1月至本月" if cities.plan_year is not None else "截至本月累计"
    source = f"；指标来源：{cities.source}" if cities.source else ""
    return f"{cities.title}：各设区市对照指导性培训计划指标（{period}{source}）"


def city_rows(cities: CityProgress) -> list[list[str | int | Decimal | None]]:
    """Each city, then 合计: target (or 未下达), month, trained, paid, amount, share done."""
    rows: list[list[str | int | Decimal | None]] = [
        [row.name, NO_TARGET if row.target is None else row.target, row.month.trained,
         row.cumulative.trained, row.cumulative.paid_count, row.cumulative.paid_amount, row.done]
        for row in cities.rows
    ]  # fmt: skip
    month, total = cities.month_total, cities.cumulative_total
    rows.append(
        ["合计", cities.target, month.trained, total.trained, total.paid_count,
         total.paid_amount, cities.done]
    )  # fmt: skip
    return rows
