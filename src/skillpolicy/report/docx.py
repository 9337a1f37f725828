"""The monthly report as a Word narrative (python-docx) in 公文 style: A4, a 方正小标宋 title,
黑体 一、 and 楷体 （一） headings of its own (never python-docx's blue heading styles), 仿宋 body,
dates in Chinese, the workbook's figures as tables with numbers right-aligned, and a
报送单位 / 填报人 / 审核人 / 日期 block to sign."""

from __future__ import annotations

import contextlib
import copy
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml.etree import Element, SubElement

from ..domain.money import amount_in_words, format_amount_grouped
from .model import MonthlyReport, Tally
from .text import (
    APART_NOTE,
    CITY_HEADERS,
    CITY_NOTE,
    EMPTY_NOTE,
    apart_rows,
    apart_text,
    city_heading,
    city_rows,
    office_total_rows,
    percent,
    refusal_rows,
    report_scope,
)

EAST_ASIAN_FONT = "宋体"  # tables
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
BODY_PT = 14.0  # 四号: the report's tables set the pace, not a 3号 letter
NUMBER = re.compile(r"^-?[\d,]+(\.\d+)?%?$|^—$")
PERCENT_NOTE = (
    "注：合格率、完成率等百分比一律向下取到0.1%（79.96%记作79.9%，不记作80.0%），"
    "Word 月报与 Excel 月报相同。"
)
LATIN_FONT = "Times New Roman"
W_TR, W_TC, W_P, W_R, W_T = (qn(f"w:{tag}") for tag in ("tr", "tc", "p", "r", "t"))
XML_SPACE = qn("xml:space")
W_PPR, W_JC, W_VAL = qn("w:pPr"), qn("w:jc"), qn("w:val")
W_RPR, W_SZ = qn("w:rPr"), qn("w:sz")
TABLE_PT = 9.0  # 小五: nine columns fit across A4
TABLE_HALF_POINTS = str(int(TABLE_PT * 2))
MARGIN_MM = 20
TEXT_WIDTH_MM = 210 - 2 * MARGIN_MM  # A4 less the side margins


def _fonts(document: DocumentObject) -> None:
    """Body and heading styles: Latin font plus ``w:eastAsia`` so Word uses 宋体 for Chinese."""
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        try:
            style: Any = document.styles[name]
        except KeyError:
            continue
        style.font.name = LATIN_FONT
        r_pr = style.element.get_or_add_rPr()
        r_fonts = r_pr.find(qn("w:rFonts"))
        if r_fonts is None:
            r_fonts = r_pr.makeelement(qn("w:rFonts"), {})
            r_pr.append(r_fonts)
        r_fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    normal: Any = document.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().find(qn("w:rFonts")).set(qn("w:eastAsia"), BODY_FONT)
    with contextlib.suppress(KeyError):
        document.styles["Table Grid"].font.size = Pt(TABLE_PT)


def _table(
    document: DocumentObject, headers: list[str], rows: list[list[Any]], widths_mm: list[int]
) -> None:
    """A 'Table Grid' table; body rows are built as XML directly with lxml (python-docx's
    add_row and cell.text cost about a millisecond a cell, too slow for a few thousand
    classes, and its OxmlElement parses a string per element)."""
    if len(widths_mm) != len(headers) or sum(widths_mm) > TEXT_WIDTH_MM:
        raise ValueError(f"column widths {widths_mm} do not fit {headers}")
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.autofit = False  # fixed layout: Word and WPS keep the widths below
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for cell, text, width in zip(table.rows[0].cells, headers, widths_mm, strict=True):
        cell.width = Mm(width)
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
            run.font.size = Pt(TABLE_PT)
    header = table.rows[0]._tr
    widths = [copy.deepcopy(tc.tcPr) for tc in header.tc_lst]
    body = table._tbl
    # each body cell is a copy of its column's cell (text or figure) made once, the copy
    # made by lxml in one call: a few thousand institutions' rows in a tenth of the time
    cells: dict[tuple[int, bool], Any] = {}
    for row in rows:
        tr = SubElement(body, W_TR)
        for column, (width, value) in enumerate(zip(widths, row, strict=True)):
            shown = "" if value is None else str(value)
            figure = NUMBER.match(shown) is not None
            made = cells.get((column, figure))
            if made is None:
                made = cells[(column, figure)] = _body_cell(width, figure)
            tc = made.__copy__()
            tc[-1][-1][-1].text = shown  # tc → p → r → t
            tr.append(tc)


def _body_cell(width: Any, figure: bool) -> Any:
    """An empty body cell: the column's width and, for a figure, right-aligned (as a column of
    numbers is read); its text (the last element's) filled in by the caller."""
    tc = Element(W_TC)
    if width is not None:
        tc.append(copy.deepcopy(width))
    paragraph = SubElement(tc, W_P)
    if figure:
        SubElement(SubElement(paragraph, W_PPR), W_JC).set(W_VAL, "right")
    run = SubElement(paragraph, W_R)
    # the size on the run itself: LibreOffice gives a cell the body's 四号 otherwise
    SubElement(SubElement(run, W_RPR), W_SZ).set(W_VAL, TABLE_HALF_POINTS)
    SubElement(run, W_T).set(XML_SPACE, "preserve")
    return tc


CHINESE_NUMBERS = "〇一二三四五六七八九十"


def _shares(width: int, parts: int) -> list[int]:
    """``width`` mm split into ``parts`` columns (at least one)."""
    return [width // max(parts, 1)] * parts


def _program_row(title: str, label: str, tally: Tally) -> list[Any]:
    return [
        title,
        label,
        tally.trained,
        tally.certified,
        percent(tally.pass_rate),
        tally.paid_count,
        format_amount_grouped(tally.paid_amount),
        amount_in_words(tally.paid_amount),
        tally.refused_count,
    ]


def chinese_month(month: str) -> str:
    """``2013-10`` -> ``2013年10月``."""
    year, number = month.split("-")
    return f"{int(year)}年{int(number)}月"


def chinese_day(stamp: str) -> str:
    """An ISO timestamp's day as ``2026年12月7日`` (the stamp itself if it is not one)."""
    try:
        day = date.fromisoformat(stamp[:10])
    except ValueError:
        return stamp
    return f"{day.year}年{day.month}月{day.day}日"


def _styled(
    document: DocumentObject, text: str, font: str, size: float, *, center: bool = False
) -> Any:
    """A paragraph in ``font`` at ``size`` points (its own run fonts, no heading style)."""
    paragraph = document.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.name = LATIN_FONT
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)
    return paragraph


def _heading(document: DocumentObject, text: str) -> None:
    """一、 heading: 黑体, the body's size, kept with what follows."""
    _styled(document, text, HEADING_FONT, BODY_PT).paragraph_format.keep_with_next = True


def _subheading(document: DocumentObject, text: str) -> None:
    """（一） heading: 楷体, kept with what follows."""
    _styled(document, text, SUBHEADING_FONT, BODY_PT).paragraph_format.keep_with_next = True


@dataclass(frozen=True)
class Signers:
    """Who sends the report up (``report monthly --unit --preparer --reviewer``); a name not
    given is left blank to fill in by hand."""

    unit: str = ""
    preparer: str = ""
    reviewer: str = ""


BLANK = "　　　　　　"


def _sign_block(document: DocumentObject, signers: Signers) -> None:
    """报送单位 / 填报人 / 审核人 / 报送日期, as a report sent upward by the 3rd carries."""
    document.add_paragraph()
    document.add_paragraph(f"报送单位（盖章）：{signers.unit}")
    document.add_paragraph(
        f"填报人：{signers.preparer or BLANK}　　审核人：{signers.reviewer or BLANK}"
    )
    document.add_paragraph("报送日期：　　　　年　　月　　日")


def write_document(report: MonthlyReport, path: Path, signers: Signers | None = None) -> None:
    document = Document()
    _fonts(document)
    for page in document.sections:
        page.page_width, page.page_height = Mm(210), Mm(297)
        page.left_margin = page.right_margin = Mm(MARGIN_MM)
        page.top_margin = page.bottom_margin = Mm(25)
    _styled(document, "职业技能培训补贴月报", TITLE_FONT, 22, center=True)
    _styled(
        document,
        f"（{chinese_month(report.month)}）{report_scope(report)}",
        BODY_FONT,
        16,
        center=True,
    )
    document.add_paragraph(
        f"生成于{chinese_day(report.created_at)}。数据来源：本系统补贴发放台账。"
    )
    month, total = report.month_total, report.cumulative_total
    if report.empty:
        document.add_paragraph(EMPTY_NOTE.format(month=chinese_month(report.month)))
    else:
        document.add_paragraph(
            f"本月各项目共结业培训 {month.trained} 人（次），取证 {month.certified} 人，"
            f"合格率 {percent(month.pass_rate)}{apart_text(month)}；发放补贴 {month.paid_count} 笔，"
            f"金额 {format_amount_grouped(month.paid_amount)} 元"
            f"（大写：{amount_in_words(month.paid_amount)}）{returned_text(month)}；"
            f"不予发放 {month.refused_count} 笔。"
        )
    document.add_paragraph(
        f"截至本月累计培训 {total.trained} 人（次），取证 {total.certified} 人{apart_text(total)}，"
        f"发放 {total.paid_count} 笔，金额 {format_amount_grouped(total.paid_amount)} 元"
        f"（大写：{amount_in_words(total.paid_amount)}）{returned_text(total)}。"
    )
    titles = {section.program: section.title for section in report.programs}
    _heading(document, "一、各项目本月及累计")
    rows: list[list[Any]] = []
    for section in report.programs:
        rows.append(_program_row(section.title, "本月", section.month))
        rows.append(_program_row(section.title, "累计", section.cumulative))
    _table(
        document,
        ["项目", "期间", "培训", "取证", "合格率", "发放笔数", "金额（元）", "大写", "不予发放"],
        rows,
        [32, 12, 12, 12, 16, 13, 29, 31, 13],
    )
    document.add_paragraph(PERCENT_NOTE)
    apart = apart_rows(report)
    if apart:
        document.add_paragraph(APART_NOTE)
        _table(
            document, ["项目", "期间", "认定单位（家）", "获奖人员（人）"], apart, [80, 20, 35, 35]
        )
    number = 0
    for section in report.programs:
        if not section.cumulative.refused:
            continue
        number += 1
        _subheading(document, f"（{CHINESE_NUMBERS[number]}）{section.title}不予发放原因")
        _table(
            document,
            ["不予发放原因", "本月", "累计"],
            refusal_rows(report, section),
            [134, 18, 18],
        )
    _heading(document, "二、许昌市技能振兴专项活动目标进度")
    if report.categories:
        document.add_paragraph(
            f"活动期间为{report.campaign_period}，截至本月为第 {report.elapsed_months} 个月；"
            f"计划进度按目标平均分到 {report.campaign_months} 个月（直线）计算。"
        )
        _table(
            document,
            ["培训类别", "责任部门", "本月", "累计", "两年目标", "完成率", "计划进度"],
            [
                [c.name, c.department, c.month, c.cumulative, c.target, percent(c.done),
                 f"{c.planned}（{percent(c.planned_share)}）"]
                for c in report.categories
            ],
            [40, 30, 13, 15, 19, 16, 37],
        )  # fmt: skip
        document.add_paragraph("总体目标：")
        _table(
            document,
            ["目标", "累计", "两年目标", "完成率", "计划进度"],
            [
                [t.name, "台账无此数据" if t.cumulative is None else f"{t.cumulative} {t.unit}",
                 t.target, percent(t.done), t.planned]
                for t in report.xuchang_targets
            ],
            [40, 35, 30, 25, 30],
        )  # fmt: skip
    else:
        document.add_paragraph("未加载许昌项目文件，无目标可比。")
    if report.guangxi is not None:
        g = report.guangxi
        _heading(document, "三、广西2012年技师、高级技师培养")
        document.add_paragraph(
            f"{g.name}：目标 {g.target} {g.unit}，累计取证 {g.cumulative} {g.unit}，"
            f"完成 {percent(g.done)}。"
        )
    _heading(document, "四、培训机构")
    flagged = [i for i in report.institutions if i.flagged]
    document.add_paragraph(
        f"累计合格率低于 {report.floor_shown} 的培训机构"
        f"（{report.standing_citation}，应取消定点资格）："
        + ("、".join(i.institution for i in flagged) if flagged else "无")
        + "。"
    )
    _table(
        document,
        ["培训机构", "项目", "本月培训", "累计培训", "累计合格", "累计合格率",
         f"低于{report.floor_shown}"],
        [
            [i.institution, titles.get(i.program, i.program), i.month.trained,
             i.cumulative.trained, i.cumulative.certified, percent(i.cumulative.pass_rate),
             "是" if i.flagged else ""]
            for i in report.institutions
        ],
        [44, 44, 14, 14, 14, 24, 16],
    )  # fmt: skip
    document.add_paragraph(
        f"本月结业、抽查不足 {report.min_inspections} 次的培训班（{report.inspections_citation}）："
    )
    if report.thin_classes:
        _table(
            document,
            ["培训机构", "职业(工种)", "开班日期", "抽查次数", "人数"],
            [
                [c.institution, c.occupation, c.class_start, c.inspections, c.trainees]
                for c in report.thin_classes
            ],
            [56, 40, 28, 20, 26],
        )
    else:
        document.add_paragraph("无（或花名册未填抽查次数）。")
    _heading(document, "五、月度趋势（培训人数）")
    names = list(report.trend)
    _table(
        document,
        ["月份", *names],
        [[m, *(report.trend[n][i] for n in names)] for i, m in enumerate(report.trend_months)],
        [22, *_shares(TEXT_WIDTH_MM - 22, len(names))],
    )
    if report.offices:
        _offices(document, report)
    if report.cities is not None:
        _cities(document, report)
    _sign_block(document, signers or Signers())
    document.save(str(path))


def _chinese_number(number: int) -> str:
    """一 … 九十九, as the 公文 order numbers its （一） headings."""
    digits = "零一二三四五六七八九"
    tens, units = divmod(number, 10)
    if tens == 0:
        return digits[units]
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[units] if units else "")


def _offices(document: DocumentObject, report: MonthlyReport) -> None:
    """A table per office, then the offices side by side (they add up to the city)."""
    _heading(document, "六、各经办机构（县区汇总到市）")
    headers = [
        "项目",
        "期间",
        "培训",
        "取证",
        "合格率",
        "发放笔数",
        "金额（元）",
        "大写",
        "不予发放",
    ]
    widths = [34, 13, 12, 12, 18, 14, 24, 30, 13]
    for number, office in enumerate(report.offices, start=1):
        _subheading(document, f"（{_chinese_number(number)}）{office.name}")
        rows: list[list[Any]] = []
        for section in office.programs:
            rows.append(_program_row(section.title, "本月", section.month))
            rows.append(_program_row(section.title, "累计", section.cumulative))
        _table(document, headers, rows, widths)
    document.add_paragraph("各经办机构合计：")
    _table(
        document,
        ["经办机构", "期间", "培训", "取证", "待定", "发放笔数", "金额（元）", "不予发放"],
        [
            [*row[:6], format_amount_grouped(row[6]) if isinstance(row[6], Decimal) else row[6],
             row[7]]
            for row in office_total_rows(report)
        ],
        [40, 13, 15, 15, 15, 18, 30, 18],
    )  # fmt: skip


def _cities(document: DocumentObject, report: MonthlyReport) -> None:
    """Per city against the indicative targets: figures as in the workbook, shares rounded down."""
    cities = report.cities
    assert cities is not None
    _heading(document, "七、各设区市培训进度（对照指导性培训计划指标）")
    document.add_paragraph(city_heading(cities) + "。")
    rows = [
        [row[0], row[1], row[2], row[3], row[4],
         format_amount_grouped(row[5]) if isinstance(row[5], Decimal) else row[5],
         percent(row[6] if isinstance(row[6], Decimal) else None)]
        for row in city_rows(cities)
    ]  # fmt: skip
    _table(document, CITY_HEADERS, rows, [30, 28, 16, 16, 18, 32, 16])
    document.add_paragraph(CITY_NOTE)


def returned_text(tally: Any) -> str:
    """The paid lines the bank returned, said apart ("" when none)."""
    if not tally.returned_count:
        return ""
    return (
        f"，其中银行退回 {tally.returned_count} 笔、"
        f"金额 {format_amount_grouped(tally.returned_amount)} 元（待重新经办）"
    )
