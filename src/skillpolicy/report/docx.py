"""The monthly report as a Word narrative (python-docx): A4, East Asian font set, the
workbook's figures as tables."""

from __future__ import annotations

import contextlib
import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml.etree import SubElement

from ..money import amount_in_words, format_amount_grouped
from .model import MonthlyReport, Tally
from .text import EMPTY_NOTE, office_total_rows, percent, refusal_rows, report_scope

EAST_ASIAN_FONT = "宋体"
LATIN_FONT = "Times New Roman"
W_TR, W_TC, W_P, W_R, W_T = (qn(f"w:{tag}") for tag in ("tr", "tc", "p", "r", "t"))
XML_SPACE = qn("xml:space")
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
    document.styles["Normal"].font.size = Pt(11)
    with contextlib.suppress(KeyError):
        document.styles["Table Grid"].font.size = Pt(9)  # 小五: nine columns fit across A4


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
    header = table.rows[0]._tr
    widths = [copy.deepcopy(tc.tcPr) for tc in header.tc_lst]
    body = table._tbl
    for row in rows:
        tr = SubElement(body, W_TR)
        for width, value in zip(widths, row, strict=True):
            tc = SubElement(tr, W_TC)
            if width is not None:
                tc.append(copy.deepcopy(width))
            text = SubElement(SubElement(SubElement(tc, W_P), W_R), W_T)
            text.text = "" if value is None else str(value)
            text.set(XML_SPACE, "preserve")


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


def write_document(report: MonthlyReport, path: Path) -> None:
    document = Document()
    _fonts(document)
    for page in document.sections:
        page.page_width, page.page_height = Mm(210), Mm(297)
        page.left_margin = page.right_margin = Mm(MARGIN_MM)
        page.top_margin = page.bottom_margin = Mm(25)
    document.add_heading(f"职业技能培训补贴月报（{report.month}）{report_scope(report)}", level=0)
    document.add_paragraph(f"生成时间：{report.created_at}。数据来源：台账 {report.ledger}。")
    month, total = report.month_total, report.cumulative_total
    if report.empty:
        document.add_paragraph(EMPTY_NOTE.format(month=report.month))
    else:
        document.add_paragraph(
            f"本月各项目共结业培训 {month.trained} 人（次），取证 {month.certified} 人，"
            f"合格率 {percent(month.pass_rate)}；发放补贴 {month.paid_count} 笔，"
            f"金额 {format_amount_grouped(month.paid_amount)} 元"
            f"（大写：{amount_in_words(month.paid_amount)}）；不予发放 {month.refused_count} 笔。"
        )
    document.add_paragraph(
        f"截至本月累计培训 {total.trained} 人（次），取证 {total.certified} 人，"
        f"发放 {total.paid_count} 笔，金额 {format_amount_grouped(total.paid_amount)} 元"
        f"（大写：{amount_in_words(total.paid_amount)}）。"
    )
    titles = {section.program: section.title for section in report.programs}
    document.add_heading("一、各项目本月及累计", level=1)
    rows: list[list[Any]] = []
    for section in report.programs:
        rows.append(_program_row(section.title, "本月", section.month))
        rows.append(_program_row(section.title, "累计", section.cumulative))
    _table(
        document,
        ["项目", "期间", "培训", "取证", "合格率", "发放笔数", "金额（元）", "大写", "不予发放"],
        rows,
        [34, 13, 12, 12, 18, 14, 24, 30, 13],
    )
    for section in report.programs:
        if not section.cumulative.refused:
            continue
        document.add_paragraph(f"{section.title}：不予发放原因")
        _table(
            document,
            ["规则", "说明", "本月", "累计"],
            refusal_rows(report, section),
            [38, 96, 18, 18],
        )
    document.add_heading("二、许昌市技能振兴专项活动目标进度", level=1)
    if report.categories:
        document.add_paragraph(
            f"活动为期两年（2013—2014年），截至本月为第 {report.elapsed_months} 个月；"
            "计划进度按两年目标平均分到 24 个月（直线）计算。"
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
        document.add_heading("三、广西2012年技师、高级技师培养", level=1)
        document.add_paragraph(
            f"{g.name}：目标 {g.target} {g.unit}，累计取证 {g.cumulative} {g.unit}，"
            f"完成 {percent(g.done)}。"
        )
    document.add_heading("四、培训机构", level=1)
    flagged = [i for i in report.institutions if i.flagged]
    document.add_paragraph(
        "许昌项目中累计合格率低于 80% 的培训机构（许政办〔2013〕52号 四(二)四，应取消定点资格）："
        + ("、".join(i.institution for i in flagged) if flagged else "无")
        + "。"
    )
    _table(
        document,
        ["培训机构", "项目", "本月培训", "累计培训", "累计合格", "累计合格率", "低于80%"],
        [
            [i.institution, titles.get(i.program, i.program), i.month.trained,
             i.cumulative.trained, i.cumulative.certified, percent(i.cumulative.pass_rate),
             "是" if i.flagged else ""]
            for i in report.institutions
        ],
        [44, 44, 14, 14, 14, 24, 16],
    )  # fmt: skip
    document.add_paragraph("本月结业、抽查不足 3 次的培训班（许政办〔2013〕52号 四(二)四）：")
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
    document.add_heading("五、月度趋势（培训人数）", level=1)
    names = list(report.trend)
    _table(
        document,
        ["月份", *names],
        [[m, *(report.trend[n][i] for n in names)] for i, m in enumerate(report.trend_months)],
        [22, *_shares(TEXT_WIDTH_MM - 22, len(names))],
    )
    if report.offices:
        _offices(document, report)
    document.save(str(path))


def _offices(document: DocumentObject, report: MonthlyReport) -> None:
    """A table per office, then the offices side by side (they add up to the city)."""
    document.add_heading("六、各经办机构（县区汇总到市）", level=1)
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
    for office in report.offices:
        document.add_paragraph(office.name)
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
