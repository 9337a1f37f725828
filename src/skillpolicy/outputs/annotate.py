"""The annotated copy: the clerk's workbook with offending cells red, comments and a summary.

The copy is the clerk's own workbook patched, not rewritten (:mod:`skillpolicy.io.xlsxpatch`):
every part is copied as it is, the data sheet's XML streams through with a coloured variant
of each marked cell's own style, a comment per marked cell is added (next to the sheet's own
comments), and a 问题汇总 sheet is appended. Fonts, colours, widths, validation lists,
formulas, merged cells and hidden sheets survive at every size, and the time and memory grow
with the findings, not with the sheet.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..check.validate import HIDDEN_RULE, Report
from ..domain.findings import SEVERITY_NAMES, Finding
from ..io.fileio import ensure_not_input, write_atomically
from ..io.xlsxpatch import Area, CellMark, SummarySheet, column_number, open_patch

SUMMARY_SHEET = "问题汇总"
SUMMARY_HEADERS = ["行", "列", "单元格", "规则", "级别", "问题", "依据"]
SUMMARY_WIDTHS: list[float] = [8, 16, 10, 22, 8, 70, 30]

Cell = tuple[int, int]  # (row, column), both 1-based as the spreadsheet shows them


@dataclass(frozen=True)
class AnnotatedCopy:
    """What was written: the copy's path and how many cells it marks."""

    path: Path
    cells: int

    def note(self) -> str | None:
        """A line for the clerk about the copy; None: the copy keeps everything."""
        return None


def _comment_text(findings: list[Finding]) -> str:
    return "\n".join(
        f"【{SEVERITY_NAMES[f.severity]}】{f.message}（{f.citation}）" for f in findings
    )


def _mark(findings: list[Finding]) -> CellMark:
    fill = "error" if any(f.severity == "error" for f in findings) else "warning"
    return CellMark(fill, _comment_text(findings), len(findings))


def _marked_cells(report: Report, merged: Iterable[Area]) -> dict[Cell, list[Finding]]:
    """Findings by the cell they are shown on. A finding in a merged-away cell is marked on
    the range's top-left cell, the one Excel shows."""
    located: list[tuple[Finding, Cell]] = []
    for finding in report.sorted_findings():
        if finding.row is not None and finding.column in report.layout.letters:
            letter = report.layout.letters[finding.column]
            located.append((finding, (finding.row, column_number(letter))))
    # merged ranges never overlap: in each column that has findings, ranges sorted by first row,
    # so one bisect finds the range a cell is in (a sheet may hold thousands of merges)
    columns = {column for _, (_, column) in located}
    spans: dict[int, list[tuple[int, int, Cell]]] = defaultdict(list)
    for min_row, min_col, max_row, max_col in merged:
        for column in columns:
            if min_col <= column <= max_col:
                spans[column].append((min_row, max_row, (min_row, min_col)))
    starts: dict[int, list[int]] = {}
    for column, column_spans in spans.items():
        column_spans.sort()
        starts[column] = [first for first, _, _ in column_spans]
    by_cell: dict[Cell, list[Finding]] = defaultdict(list)
    for finding, (row, column) in located:
        cell = (row, column)
        at = bisect.bisect_right(starts.get(column, []), row) - 1
        if at >= 0 and spans[column][at][1] >= row:
            cell = spans[column][at][2]
        by_cell[cell].append(finding)
    return by_cell


def _summary_rows(report: Report) -> Iterator[list[Any]]:
    for finding in report.sorted_findings():
        letter = report.layout.letters.get(finding.column or "")
        reference = f"{letter}{finding.row}" if letter and finding.row is not None else "全表"
        yield [
            finding.row if finding.row is not None else "全表",
            finding.column or "",
            reference,
            report.program.rule_title(finding.rule),
            SEVERITY_NAMES[finding.severity],
            finding.message,
            finding.citation,
        ]
    for spec, reason in report.skipped:  # a rule not checked is never silently passed
        citation = report.program.citation(spec.clause)
        yield ["全表", "", "全表", spec.id, "未检查", f"{spec.summary}：{reason}", citation]


def _free_name(taken: Iterable[str]) -> str:
    names = set(taken)
    name = SUMMARY_SHEET
    while name in names:
        name += "_"
    return name


def write_annotated(report: Report, source: Path, target: Path) -> AnnotatedCopy:
    """Copy ``source`` to ``target`` with every finding marked; ``source`` is never touched."""
    ensure_not_input(target, source)
    name = report.layout.sheet
    with open_patch(source, (name, _title_of(name))) as patch:
        by_cell = _marked_cells(report, patch.merged_areas())
        marks = {cell: _mark(findings) for cell, findings in by_cell.items()}
        summary = SummarySheet(
            _free_name(patch.names), SUMMARY_HEADERS, SUMMARY_WIDTHS, _summary_rows(report)
        )
        unhide = any(finding.rule == HIDDEN_RULE for finding in report.findings)

        def write(temporary: Path) -> None:
            patch.write(temporary, marks, unhide=unhide, summary=summary)

        write_atomically(target, write)
    return AnnotatedCopy(target, len(marks))


def _title_of(name: str) -> str:
    """A sheet name with its tabs, line breaks and other control characters as spaces (an XML
    parser reads a tab or line break written raw in a sheet's name as a space, calamine
    keeps it)."""
    return "".join(" " if ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F else ch for ch in name)
