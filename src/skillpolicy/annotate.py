"""The annotated copy: the clerk's workbook with offending cells red, comments and a summary."""

from __future__ import annotations

import warnings
from collections import defaultdict
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.worksheet.worksheet import Worksheet

from .errors import InputError
from .fileio import ensure_not_input, write_atomically
from .findings import SEVERITY_NAMES, Finding
from .validate import Report
from .xlsxguard import count_cells
from .xlsxout import ERROR_FILL, WARNING_FILL, WRAP, set_widths, write_row

MAX_ANNOTATE_CELLS = 750_000  # ~400 MB in openpyxl
SUMMARY_SHEET = "问题汇总"
SUMMARY_HEADERS = ["行", "列", "单元格", "规则", "级别", "问题", "依据"]


def _comment_text(findings: list[Finding]) -> str:
    return "\n".join(
        f"【{SEVERITY_NAMES[f.severity]}】{f.message}（{f.citation}）" for f in findings
    )


def _top_left(sheet: Worksheet, reference: str) -> str:
    """A finding in a merged cell is marked on the range's top-left cell, the one Excel shows."""
    for merged in sheet.merged_cells.ranges:
        if reference in merged:
            return str(merged.start_cell.coordinate)
    return reference


def write_annotated(report: Report, source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` with every finding marked; ``source`` is never touched.

    openpyxl holds the whole workbook, about half a kilobyte a cell, so a workbook with more
    than MAX_ANNOTATE_CELLS cells (formatted empty ones count) is refused before it is loaded.
    """
    ensure_not_input(target, source)
    cells = count_cells(source)  # the report's reader has already checked the file's bounds
    if cells > MAX_ANNOTATE_CELLS:
        raise InputError(
            f"工作簿约有 {cells // 10_000} 万个单元格（含有格式的空白单元格），超过标注副本的上限 "
            f"{MAX_ANNOTATE_CELLS // 10_000} 万个，未生成标注副本；请删除表格下方和右侧多余的行列"
            "（选中后右键“删除”）后重试，或不加 --annotate",
            file=source,
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's notes on styles it does not know
            workbook = openpyxl.load_workbook(source)
    except Exception as exc:
        raise InputError(
            f"无法打开工作簿以生成标注副本（{type(exc).__name__}）", file=source
        ) from exc
    sheet = workbook[report.layout.sheet]
    by_cell: dict[str, list[Finding]] = defaultdict(list)
    findings = report.sorted_findings()
    for finding in findings:
        if finding.row is not None and finding.column in report.layout.letters:
            by_cell[f"{report.layout.letters[finding.column]}{finding.row}"].append(finding)
    for reference, cell_findings in by_cell.items():
        cell = sheet[_top_left(sheet, reference)]
        errors = any(f.severity == "error" for f in cell_findings)
        cell.fill = ERROR_FILL if errors else WARNING_FILL
        comment = Comment(_comment_text(cell_findings), "skillpolicy")
        comment.width, comment.height = 320, 40 + 40 * len(cell_findings)
        cell.comment = comment
    name = SUMMARY_SHEET
    while name in workbook.sheetnames:
        name += "_"
    summary = workbook.create_sheet(name)
    write_row(summary, 1, SUMMARY_HEADERS, header=True)
    for index, finding in enumerate(findings, start=2):
        letter = report.layout.letters.get(finding.column or "")
        reference = f"{letter}{finding.row}" if letter and finding.row is not None else "全表"
        write_row(
            summary,
            index,
            [
                finding.row if finding.row is not None else "全表",
                finding.column or "",
                reference,
                finding.rule,
                SEVERITY_NAMES[finding.severity],
                finding.message,
                finding.citation,
            ],
        )
        for cell in summary[index]:
            cell.alignment = WRAP
    set_widths(summary, [8, 16, 10, 22, 8, 70, 30])
    summary.freeze_panes = "A2"
    write_atomically(target, workbook.save)
