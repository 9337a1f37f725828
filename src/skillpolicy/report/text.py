"""Wording shared by the workbook and the Word narrative."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from .model import MonthlyReport, ProgramSection, Tally, sum_tallies

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
