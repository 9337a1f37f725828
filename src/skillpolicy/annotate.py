"""The annotated copy: the clerk's workbook with offending cells red, comments and a summary.

Two ways to write it, with the same marks, comments and summary:

- up to ``MAX_IN_MEMORY_CELLS`` cells, openpyxl loads the workbook whole and the copy keeps
  every bit of its formatting (fonts, colours, widths, validation lists);
- above that, openpyxl would need about half a kilobyte a cell, so the copy is streamed:
  python-calamine reads each sheet's values and openpyxl's write-only mode writes them row by
  row. Values, dates, merged ranges and hidden sheets are kept; the original formatting is not,
  and :class:`AnnotatedCopy` says so for the caller to tell the clerk.
"""

from __future__ import annotations

import bisect
import itertools
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import python_calamine
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.comments import Comment
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from .errors import InputError
from .fileio import ensure_not_input, write_atomically
from .findings import SEVERITY_NAMES, Finding
from .sheet import PASSING
from .validate import HIDDEN_RULE, Report
from .xlsxguard import ROW_WEIGHT, count_cells_and_rows
from .xlsxout import (
    ERROR_FILL,
    HEADER_FILL,
    HEADER_FONT,
    WARNING_FILL,
    WRAP,
    print_setup,
    put,
    set_widths,
    stream_row_done,
    stream_row_height,
    write_row,
)

MAX_IN_MEMORY_CELLS = 750_000  # ~400 MB in openpyxl; above it the copy is streamed
SUMMARY_SHEET = "问题汇总"
SUMMARY_HEADERS = ["行", "列", "单元格", "规则", "级别", "问题", "依据"]
SUMMARY_WIDTHS: list[float] = [8, 16, 10, 22, 8, 70, 30]
_WIDTH_SAMPLE_ROWS = 200  # rows looked at to size a streamed sheet's columns
# calamine's enums are not hashable: a list of pairs, not a dict
_HIDDEN_STATES = [
    (python_calamine.SheetVisibleEnum.Hidden, "hidden"),
    (python_calamine.SheetVisibleEnum.VeryHidden, "veryHidden"),
]

Cell = tuple[int, int]  # (row, column), both 1-based as the spreadsheet shows them


@dataclass(frozen=True)
class AnnotatedCopy:
    """What was written: ``streamed`` copies keep values but not the original formatting."""

    path: Path
    cells: int
    streamed: bool

    def note(self) -> str | None:
        """The line the clerk reads when the copy is not a faithful one, else None."""
        if not self.streamed:
            return None
        return (
            f"工作簿较大（约 {self.cells // 10_000} 万个单元格），标注副本只保留数据、合并单元格和"
            "隐藏工作表，不保留原表的字体、颜色和列宽；问题单元格照常标色并加批注"
        )


def _comment(findings: list[Finding]) -> Comment:
    text = "\n".join(
        f"【{SEVERITY_NAMES[f.severity]}】{f.message}（{f.citation}）" for f in findings
    )
    comment = Comment(text, "skillpolicy")
    comment.width, comment.height = 320, 40 + 40 * len(findings)
    return comment


def _fill(findings: list[Finding]) -> Any:
    return ERROR_FILL if any(f.severity == "error" for f in findings) else WARNING_FILL


def _marked_cells(report: Report, merged: Iterable[CellRange]) -> dict[Cell, list[Finding]]:
    """Findings by the cell they are shown on. A finding in a merged-away cell is marked on
    the range's top-left cell, the one Excel shows."""
    located: list[tuple[Finding, Cell]] = []
    for finding in report.sorted_findings():
        if finding.row is not None and finding.column in report.layout.letters:
            letter = report.layout.letters[finding.column]
            located.append((finding, (finding.row, column_index_from_string(letter))))
    # merged ranges never overlap: in each column that has findings, ranges sorted by first row,
    # so one bisect finds the range a cell is in (a sheet may hold thousands of merges)
    columns = {column for _, (_, column) in located}
    spans: dict[int, list[tuple[int, int, Cell]]] = defaultdict(list)
    for area in merged:
        for column in columns:
            if area.min_col <= column <= area.max_col:
                spans[column].append((area.min_row, area.max_row, (area.min_row, area.min_col)))
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


def write_annotated(
    report: Report, source: Path, target: Path, *, in_memory_limit: int = MAX_IN_MEMORY_CELLS
) -> AnnotatedCopy:
    """Copy ``source`` to ``target`` with every finding marked; ``source`` is never touched.

    Formatted empty cells count: openpyxl builds an object for each when it loads a workbook.
    """
    ensure_not_input(target, source)
    # the report's reader has already checked the file's bounds; a row element costs openpyxl
    # about what a few cells do (400,000 styled empty rows took seconds)
    cells, rows = count_cells_and_rows(source)
    streamed = cells + ROW_WEIGHT * rows > in_memory_limit
    if streamed:
        _write_streamed(report, source, target)
    else:
        _write_in_memory(report, source, target)
    return AnnotatedCopy(target, cells, streamed)


# --------------------------------------------------------------------------- in memory


def _write_in_memory(report: Report, source: Path, target: Path) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's notes on styles it does not know
            workbook = openpyxl.load_workbook(source)
    except Exception as exc:
        raise InputError(
            f"无法打开工作簿以生成标注副本（{type(exc).__name__}）", file=source
        ) from exc
    sheet = _data_sheet(workbook, report.layout.sheet, source)
    if any(finding.rule == HIDDEN_RULE for finding in report.findings):
        _show_hidden(sheet)
    for (row, column), findings in _marked_cells(report, sheet.merged_cells.ranges).items():
        cell = sheet.cell(row=row, column=column)
        cell.fill = _fill(findings)
        cell.comment = _comment(findings)
    summary = workbook.create_sheet(_free_name(workbook.sheetnames))
    write_row(summary, 1, SUMMARY_HEADERS, header=True)
    for index, values in enumerate(_summary_rows(report), start=2):
        write_row(summary, index, values)
        for cell in summary[index]:
            cell.alignment = WRAP
    set_widths(summary, SUMMARY_WIDTHS)
    summary.freeze_panes = "A2"
    print_setup(summary, landscape=True)
    write_atomically(target, workbook.save)


def _show_hidden(sheet: Worksheet) -> None:
    """Unhide the rows and columns that hold data and mark their cells, so the clerk sees in
    the copy what the check read (the summary sheet names them too)."""
    for number, dimension in list(sheet.row_dimensions.items()):
        if not (dimension.hidden or dimension.height == 0):
            continue
        cells = [cell for cell in sheet[number] if cell.value is not None]
        if not cells:
            continue
        dimension.hidden = False
        dimension.height = None
        for cell in cells:
            if cell.fill != ERROR_FILL:
                cell.fill = WARNING_FILL
    for column_dimension in list(sheet.column_dimensions.values()):
        if not column_dimension.hidden:
            continue
        column_dimension.hidden = False
        first = int(getattr(column_dimension, "min", None) or 1)
        last = int(getattr(column_dimension, "max", None) or first)
        for row in sheet.iter_rows(min_col=first, max_col=last):
            for marked in row:
                if marked.value is not None and marked.fill != ERROR_FILL:
                    marked.fill = WARNING_FILL


def _data_sheet(workbook: openpyxl.Workbook, name: str, source: Path) -> Worksheet:
    """The sheet calamine read, by its name as openpyxl reads it: an XML parser turns a tab
    or line break written raw in a sheet's name into a space, calamine keeps it."""
    for candidate in (name, _title_of(name)):
        if candidate in workbook.sheetnames:
            found = workbook[candidate]
            if isinstance(found, Worksheet):
                return found
    raise InputError("生成标注副本时找不到读取的工作表", file=source, sheet=name)


def _title_of(name: str) -> str:
    """A sheet name with its tabs, line breaks and other control characters as spaces."""
    return "".join(" " if ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F else ch for ch in name)


# --------------------------------------------------------------------------- streamed


def _text_cell(sheet: WriteOnlyWorksheet, value: Any) -> SheetCell:
    cell = WriteOnlyCell(sheet)
    put(cell, value)  # text stays text: '=cmd|…' from a roster never becomes a formula
    return cell


def _clean(value: Any) -> Any:
    """A calamine value as openpyxl may write it: '' (an empty or formatted cell) is no cell,
    control characters Excel forbids are dropped."""
    if isinstance(value, str):
        if not value:
            return None
        if ILLEGAL_CHARACTERS_RE.search(value):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _row_values(
    sheet: WriteOnlyWorksheet, values: list[Any], offset: int, marks: dict[int, list[Finding]]
) -> list[Any]:
    if not marks and values.count("") == len(values):
        return []  # an empty row, or formatted empty cells: nothing to write (the common case
        # below a sheet whose whole columns were given borders)
    row: list[Any] = [None] * offset
    for value in values:
        value = _clean(value)
        if isinstance(value, str) and value.startswith("="):
            value = _text_cell(sheet, value)
        row.append(value)
    for column, findings in marks.items():
        row.extend([None] * (column - len(row)))
        value = row[column - 1]
        cell = value if isinstance(value, SheetCell) else _text_cell(sheet, value)
        cell.fill = _fill(findings)
        cell.comment = _comment(findings)
        row[column - 1] = cell
    while row and row[-1] is None:
        row.pop()
    return row


def _widths(rows: list[list[Any]], offset: int) -> dict[str, float]:
    """Column widths from the longest text in the first rows (CJK characters count double)."""
    widest: dict[int, int] = defaultdict(int)
    for values in rows:
        for position, value in enumerate(values):
            if value is None or value == "":
                continue
            text = str(value)
            size = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text[:60])
            widest[position] = max(widest[position], size)
    return {get_column_letter(offset + p + 1): min(max(w + 2, 8), 40) for p, w in widest.items()}


def _copy_sheet(
    source: python_calamine.CalamineSheet,
    sheet: WriteOnlyWorksheet,
    marks: dict[Cell, list[Finding]],
    frozen_row: int,
) -> None:
    # calamine's rows begin at the sheet's first row, its cells at the first used column
    offset = source.start[1] if source.start else 0
    # openpyxl's stubs leave out what write-only sheets share with Worksheet: merges, widths
    shared: Any = sheet
    for (r1, c1), (r2, c2) in source.merged_cell_ranges or []:
        shared.merged_cells.add(
            CellRange(min_col=c1 + 1, min_row=r1 + 1, max_col=c2 + 1, max_row=r2 + 1)
        )
    by_row: dict[int, dict[int, list[Finding]]] = defaultdict(dict)
    for (number, column), findings in marks.items():
        by_row[number][column] = findings
    rows = iter(source.iter_rows())
    head = list(itertools.islice(rows, _WIDTH_SAMPLE_ROWS))
    for letter, width in _widths(head, offset).items():  # widths go before the first row
        shared.column_dimensions[letter].width = width
    if frozen_row:
        sheet.freeze_panes = f"A{frozen_row + 1}"
    written = 0  # rows appended so far; empty rows wait until something follows them
    for number, values in enumerate(itertools.chain(head, rows), start=1):
        row = _row_values(sheet, values, offset, by_row.pop(number, {}))
        if row:
            for _ in range(number - 1 - written):
                sheet.append(())
            sheet.append(row)
            written = number
    for number in sorted(by_row):  # a mark below the sheet's last value (a blank required cell)
        for _ in range(number - 1 - written):
            sheet.append(())
        sheet.append(_row_values(sheet, [], 0, by_row[number]))
        written = number


def _write_summary(workbook: openpyxl.Workbook, report: Report, name: str) -> None:
    summary = workbook.create_sheet(name)
    for index, width in enumerate(SUMMARY_WIDTHS, start=1):
        summary.column_dimensions[get_column_letter(index)].width = width
    summary.freeze_panes = "A2"
    print_setup(summary, landscape=True)
    header = []
    for title in SUMMARY_HEADERS:
        cell = _text_cell(summary, title)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
        header.append(cell)
    stream_row_height(summary, 1, zip(SUMMARY_HEADERS, SUMMARY_WIDTHS, strict=True))
    summary.append(header)
    stream_row_done(summary, 1)
    for number, values in enumerate(_summary_rows(report), start=2):
        row = []
        for value in values:
            cell = _text_cell(summary, value)
            cell.alignment = WRAP
            row.append(cell)
        stream_row_height(summary, number, zip(values, SUMMARY_WIDTHS, strict=False))
        summary.append(row)
        stream_row_done(summary, number)


def _write_streamed(report: Report, source: Path, target: Path) -> None:
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(source))
    except Exception as exc:  # the reader opened it a moment ago: changed or broken since
        raise InputError(
            f"无法打开工作簿以生成标注副本（{type(exc).__name__}）", file=source
        ) from exc
    try:
        workbook = openpyxl.Workbook(write_only=True)
        names: list[str] = []
        for meta in book.sheets_metadata:
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue  # chart and macro sheets hold no roster data
            data_sheet = meta.name == report.layout.sheet
            try:
                values = book.get_sheet_by_name(meta.name)
                sheet = workbook.create_sheet(_title_of(meta.name))
                for visible, state in _HIDDEN_STATES:
                    if meta.visible == visible:
                        sheet.sheet_state = state
                marks: dict[Cell, list[Finding]] = {}
                if data_sheet:
                    merged = [
                        CellRange(min_col=c1 + 1, min_row=r1 + 1, max_col=c2 + 1, max_row=r2 + 1)
                        for (r1, c1), (r2, c2) in values.merged_cell_ranges or []
                    ]
                    marks = _marked_cells(report, merged)
                frozen = report.layout.header_row if data_sheet else 0
                _copy_sheet(values, sheet, marks, frozen)
            except (InputError, *PASSING):
                raise
            except BaseException as exc:  # a Rust panic in calamine too
                raise InputError(
                    f"无法复制工作表以生成标注副本（{type(exc).__name__}）",
                    file=source,
                    sheet=meta.name,
                ) from exc
            names.append(_title_of(meta.name))
        _write_summary(workbook, report, _free_name(names))
        write_atomically(target, workbook.save)
    finally:
        book.close()
