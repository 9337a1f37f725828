"""The monthly report as a workbook: one sheet per part, native Excel charts (openpyxl)."""

from __future__ import annotations

import math
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from ..domain.money import amount_in_words, to_fen
from ..io.xlsxout import append_row, number_in, print_setup, put
from .docx import PERCENT_NOTE, chinese_day, chinese_month
from .model import MonthlyReport, ProgramSection, Tally
from .text import (
    CITY_HEADERS,
    CITY_NOTE,
    EMPTY_NOTE,
    city_heading,
    city_rows,
    office_total_rows,
    percent,
    program_heading,
    refusal_rows,
    report_scope,
)

BOLD = Font(bold=True)


def _table(sheet: Worksheet, headers: list[str], rows: list[list[Any]]) -> tuple[int, int]:
    """Append a header row and rows; returns (header row, last row)."""
    append_row(sheet, headers)
    header = sheet.max_row
    for cell in sheet[header]:
        cell.font = BOLD
    for row in rows:
        # a Decimal is written as its own digits (openpyxl stores str(value)): never a float
        append_row(sheet, row)
    return header, sheet.max_row


def _money_format(sheet: Worksheet, column: int, first: int, last: int) -> None:
    """Amounts to the fen as exact numbers (``1320000.00``), shown ``#,##0.00``."""
    for (cell,) in sheet.iter_rows(min_row=first, max_row=last, min_col=column, max_col=column):
        number = number_in(cell)
        if isinstance(number, Decimal | int):
            put(cell, to_fen(number))
        cell.number_format = "#,##0.00"


def _percent_format(sheet: Worksheet, columns: list[int], first: int, last: int) -> None:
    """Shares shown as 0.0%, rounded down to 0.1% first: the .docx's rule (``text.percent``)."""
    for column in columns:
        for (cell,) in sheet.iter_rows(min_row=first, max_row=last, min_col=column, max_col=column):
            number = number_in(cell)
            if number is not None:
                floored = Decimal(str(number)).quantize(Decimal("0.001"), rounding=ROUND_FLOOR)
                put(cell, floored)  # exact: 0.416 is stored as 0.416
            cell.number_format = "0.0%"


def _axes_shown(chart: Any) -> None:
    """Excel draws no axis whose ``delete`` is unset; openpyxl leaves it unset."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False


ROW_POINTS = 15.0  # the rows under a chart: Excel's default height, set explicitly
POINTS_PER_CM = 72 / 2.54


def _place_chart(sheet: Worksheet, chart: Any) -> None:
    """Put ``chart`` below everything on the sheet, at the top of a page of its own.

    A manual page break before its first row and after its last, its rows set to a known
    height, and a print area that holds it: the chart's height (at most a landscape A4's
    printable height; fit-to-width only scales it down) then lies within one page, so no
    printer splits it.
    """
    first = sheet.max_row + 2
    rows = math.ceil(chart.height * POINTS_PER_CM / ROW_POINTS)
    last = first + rows - 1
    for row in range(first, last + 1):
        sheet.row_dimensions[row].height = ROW_POINTS
    sheet.row_breaks.append(Break(id=first - 1))
    sheet.row_breaks.append(Break(id=last))
    sheet.add_chart(chart, f"A{first}")
    # columns up to the chart's right edge (a column of width w is about w * 0.19 cm)
    covered, width = 0, 0.0
    while width < chart.width:
        covered += 1
        letter = get_column_letter(covered)
        chars = sheet.column_dimensions[letter].width if letter in sheet.column_dimensions else 0
        width += ((chars or 8.43) * 7 + 5) / 96 * 2.54
    columns = max(covered, sheet.max_column)
    sheet.print_area = f"A1:{get_column_letter(columns)}{last}"


def _rate(tally: Tally) -> Decimal | None:
    return tally.pass_rate


def program_rows(report: MonthlyReport) -> list[list[Any]]:
    return section_rows(report.programs)


def section_rows(sections: list[ProgramSection]) -> list[list[Any]]:
    """Each program's month and cumulative row (the 概况 table's columns)."""
    rows: list[list[Any]] = []
    for section in sections:
        for label, tally in (("本月", section.month), ("累计", section.cumulative)):
            rows.append(
                [
                    section.title,
                    label,
                    tally.trained,
                    tally.certified,
                    tally.failed,
                    tally.pending,
                    _rate(tally),
                    tally.paid_count,
                    tally.paid_amount,
                    amount_in_words(tally.paid_amount),
                    tally.refused_count,
                    tally.units,
                    tally.awards,
                ]
            )
    return rows


PROGRAM_HEADERS = [
    "项目",
    "期间",
    "培训人数",
    "取证（合格）",
    "不合格",
    "待定",
    "合格率",
    "发放笔数",
    "发放金额（元）",
    "金额大写",
    "不予发放",
    "认定单位（家）",  # units and award winners: not trained persons, counted apart
    "获奖人员（人）",
]


def write_workbook(report: MonthlyReport, path: Path) -> None:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "概况"
    _widths(summary)
    append_row(
        summary, [f"职业技能培训补贴月报（{chinese_month(report.month)}）{report_scope(report)}"]
    )
    summary["A1"].font = Font(bold=True, size=14)
    append_row(summary, [f"生成于{chinese_day(report.created_at)}；数据来源：本系统补贴发放台账"])
    if report.empty:
        append_row(summary, [EMPTY_NOTE.format(month=chinese_month(report.month))])
    append_row(summary, [])
    header, last = _table(summary, PROGRAM_HEADERS, program_rows(report))
    _percent_format(summary, [7], header + 1, last)
    _money_format(summary, 9, header + 1, last)
    append_row(summary, [PERCENT_NOTE])
    append_row(summary, [])
    for section in report.programs:
        if not section.cumulative.refused:
            continue
        append_row(summary, [f"{program_heading(section)}：不予发放原因"])
        _table(summary, ["不予发放原因", "本月", "累计"], refusal_rows(report, section))
        append_row(summary, [])
    _xuchang_sheet(book, report)
    _city_sheet(book, report)
    _institution_sheet(book, report)
    _trend_sheet(book, report)
    _office_sheet(book, report)
    for sheet in book.worksheets:
        print_setup(sheet, header_rows=None, landscape=True, wrap_from=1)
    book.save(path)


def _widths(sheet: Worksheet) -> None:
    sheet.column_dimensions["A"].width = 36
    for letter in "BCDEFGHIJKLM":
        sheet.column_dimensions[letter].width = 14


def _xuchang_sheet(book: Workbook, report: MonthlyReport) -> None:
    sheet = book.create_sheet("许昌目标进度")
    _widths(sheet)
    append_row(
        sheet,
        [
            f"许昌市技能振兴专项活动（{report.campaign_period}）："
            f"第 {report.elapsed_months}/{report.campaign_months} 个月"
        ],
    )
    append_row(sheet, [])
    if not report.categories:
        append_row(sheet, ["未加载许昌项目文件，无目标可比"])
        return
    header, last = _table(
        sheet,
        ["培训类别", "责任部门", "本月", "累计", "两年目标", "完成率", "计划进度（直线）", "计划进度率"],
        [
            [c.name, c.department, c.month, c.cumulative, c.target, c.done, c.planned,
             c.planned_share]
            for c in report.categories
        ],
    )  # fmt: skip
    _percent_format(sheet, [6, 8], header + 1, last)
    # completion per category as columns in the table's order on one 0-100% scale, the plan
    # (straight line to date) as a marker on each: what is behind shows at a glance
    chart = BarChart()
    chart.type = "col"
    chart.title = "各培训类别完成率（柱）与计划进度（点）"
    chart.y_axis.title = "占两年目标"
    chart.y_axis.numFmt = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.add_data(Reference(sheet, min_col=6, min_row=header, max_row=last), titles_from_data=True)
    categories = Reference(sheet, min_col=1, min_row=header + 1, max_row=last)
    chart.set_categories(categories)
    plan = LineChart()
    plan.add_data(Reference(sheet, min_col=8, min_row=header, max_row=last), titles_from_data=True)
    for series in plan.series:
        series.marker.symbol = "diamond"
        series.marker.size = 8
        series.graphicalProperties.line.noFill = True
        series.smooth = False
    plan.set_categories(categories)
    _axes_shown(chart)
    _axes_shown(plan)
    chart += plan
    chart.height, chart.width = 12, 26
    append_row(sheet, [])
    header, last = _table(
        sheet,
        ["总体目标", "单位", "累计", "两年目标", "完成率", "计划进度（直线）"],
        [
            [t.name, t.unit, "台账无此数据" if t.cumulative is None else t.cumulative,
             t.target, t.done, t.planned]
            for t in report.xuchang_targets
        ],
    )  # fmt: skip
    _percent_format(sheet, [5], header + 1, last)
    if report.guangxi is not None:
        append_row(sheet, [])
        g = report.guangxi
        _table(
            sheet,
            ["广西2012技师、高级技师培养", "单位", "累计取证", "目标", "完成率"],
            [[g.name, g.unit, g.cumulative, g.target, percent(g.done)]],
        )
    _place_chart(sheet, chart)


CITY_SHEET = "设区市指标进度"


def _city_sheet(book: Workbook, report: MonthlyReport) -> None:
    """Per city against the indicative targets (only when they were loaded)."""
    cities = report.cities
    if cities is None:
        return
    sheet = book.create_sheet(CITY_SHEET)
    _widths(sheet)
    append_row(sheet, [city_heading(cities)])
    sheet["A1"].font = BOLD
    append_row(sheet, [])
    header, last = _table(sheet, CITY_HEADERS, [list(row) for row in city_rows(cities)])
    for cell in sheet[last]:
        cell.font = BOLD
    _money_format(sheet, 6, header + 1, last)
    _percent_format(sheet, [7], header + 1, last)
    append_row(sheet, [CITY_NOTE])


def _institution_sheet(book: Workbook, report: MonthlyReport) -> None:
    sheet = book.create_sheet("培训机构")
    _widths(sheet)
    titles = {section.program: section.title for section in report.programs}  # not program ids
    header, last = _table(
        sheet,
        ["培训机构", "项目", "本月培训", "本月合格", "累计培训", "累计合格", "累计不合格",
         "累计合格率", f"低于{report.floor_shown}"],
        [
            [i.institution, titles.get(i.program, i.program), i.month.trained, i.month.certified, i.cumulative.trained,
             i.cumulative.certified, i.cumulative.failed, i.cumulative.pass_rate,
             f"是（{report.standing_citation}）" if i.flagged else ""]
            for i in report.institutions
        ],
    )  # fmt: skip
    _percent_format(sheet, [8], header + 1, last)
    append_row(sheet, [])
    append_row(
        sheet,
        [
            f"本月结业、抽查不足 {report.min_inspections} 次的培训班（{report.inspections_citation}）"
        ],
    )
    _table(
        sheet,
        ["培训机构", "职业(工种)", "开班日期", "项目", "抽查次数", "人数"],
        [
            [
                c.institution,
                c.occupation,
                c.class_start,
                titles.get(c.program, c.program),
                c.inspections,
                c.trainees,
            ]
            for c in report.thin_classes
        ],
    )


def _trend_sheet(book: Workbook, report: MonthlyReport) -> None:
    sheet = book.create_sheet("月度趋势")
    _widths(sheet)
    names = list(report.trend)
    header, last = _table(
        sheet,
        ["月份", *names],
        [[m, *(report.trend[n][i] for n in names)] for i, m in enumerate(report.trend_months)],
    )
    chart: LineChart | None = None
    if names:
        chart = LineChart()
        chart.title = "各项目每月培训人数"
        chart.y_axis.title = "人"
        chart.x_axis.title = "月份"
        chart.add_data(
            Reference(sheet, min_col=2, max_col=1 + len(names), min_row=header, max_row=last),
            titles_from_data=True,
        )
        chart.set_categories(Reference(sheet, min_col=1, min_row=header + 1, max_row=last))
        for series in chart.series:
            series.smooth = False  # a month's figure, not a curve between them
        _axes_shown(chart)
        chart.height, chart.width = 10, 22
    append_row(sheet, [])
    header, last = _table(
        sheet,
        ["月份（发放金额，元）", *names],
        [
            [m, *(report.trend_amounts[n][i] for n in names)]
            for i, m in enumerate(report.trend_months)
        ],
    )
    for column in range(2, 2 + len(names)):
        _money_format(sheet, column, header + 1, last)
    if chart is not None:
        _place_chart(sheet, chart)


def _office_sheet(book: Workbook, report: MonthlyReport) -> None:
    """The city report's offices: a table per office, then the offices side by side; the
    offices' figures add up to the 概况 sheet's exactly."""
    if not report.offices:
        return
    sheet = book.create_sheet("各经办机构")
    _widths(sheet)
    append_row(sheet, [f"各经办机构 {report.month}（县区汇总到市）"])
    sheet["A1"].font = Font(bold=True, size=14)
    for office in report.offices:
        append_row(sheet, [])
        append_row(sheet, [office.name])
        sheet[sheet.max_row][0].font = BOLD
        header, last = _table(sheet, PROGRAM_HEADERS, section_rows(office.programs))
        _percent_format(sheet, [7], header + 1, last)
        _money_format(sheet, 9, header + 1, last)
    append_row(sheet, [])
    append_row(sheet, ["各经办机构合计"])
    sheet[sheet.max_row][0].font = BOLD
    header, last = _table(sheet, OFFICE_HEADERS, office_total_rows(report))
    _money_format(sheet, 7, header + 1, last)


OFFICE_HEADERS = [
    "经办机构",
    "期间",
    "培训人数",
    "取证（合格）",
    "待定",
    "发放笔数",
    "发放金额（元）",
    "不予发放",
]
