"""Small helpers shared by everything that writes a workbook with openpyxl.

Every cell any writer fills goes through :func:`put` (or :func:`append_row`, which uses it):
this is the one guard that keeps text as text (``=HYPERLINK(…)`` from a roster or the ledger
never becomes a formula) and drops the control characters XML cannot hold, so no writer can
produce a workbook Excel refuses to open.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.worksheet import Worksheet

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
ERROR_FILL = PatternFill("solid", fgColor="FF9999")
WARNING_FILL = PatternFill("solid", fgColor="FFE699")
WRAP = Alignment(wrap_text=True, vertical="top")

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What XML 1.0 cannot carry (openpyxl raises IllegalCharacterError for it).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters an XML document cannot hold."""
    return _ILLEGAL.sub("", text) if _ILLEGAL.search(text) else text


def put(cell: Cell | MergedCell, value: Any) -> None:
    """Write a value; text is always stored as text, so '=cmd|…' from a roster never runs,
    and characters XML cannot hold are dropped; a Decimal is stored as its own digits."""
    if isinstance(value, str):
        value = xml_safe(value)
    cell.value = value
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        cell.data_type = "s"
    elif isinstance(value, Decimal) and value.is_finite():
        exact(cell)


def exact(cell: Cell | MergedCell) -> None:
    """Store a Decimal cell's number as its own digits (``<v>1320000.00</v>``, ``0.416``).

    openpyxl writes every number through a float (``"%.16g"``), so 1,320,000.00 would be
    stored as ``1320000`` and a long amount rounded; the number's text goes into the file
    instead (the cell stays numeric: Excel and LibreOffice read it as the same number).
    """
    value = cell.value
    if isinstance(value, Decimal) and value.is_finite():
        # written as is: a str passes openpyxl's number formatter (the stubs omit _value)
        cell._value = format(value, "f")  # type: ignore[union-attr]


def number_in(cell: Cell | MergedCell) -> Decimal | int | float | None:
    """A numeric cell's number (a Decimal stored by :func:`exact` read back as one)."""
    value = cell.value
    if cell.data_type == "n" and isinstance(value, str):
        return Decimal(value)
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return value
    return None


def append_row(sheet: Worksheet, values: Sequence[Any]) -> None:
    """``sheet.append`` through the same guard as :func:`put`."""
    sheet.append([xml_safe(v) if isinstance(v, str) else v for v in values])
    formulas = any(isinstance(v, str) and v.startswith(_FORMULA_STARTS) for v in values)
    if formulas or any(isinstance(v, Decimal) for v in values):
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(_FORMULA_STARTS):
                cell.data_type = "s"
            else:
                exact(cell)


def write_row(sheet: Worksheet, row: int, values: list[Any], *, header: bool = False) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        put(cell, value)
        if header:
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = WRAP


def set_widths(sheet: Worksheet, widths: list[float]) -> None:
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


FOOTER = "第 &P 页 共 &N 页"
A4 = "9"  # ECMA-376 paper size code of A4


def print_setup(
    sheet: Any,
    *,
    header_rows: tuple[int, int] | None = (1, 1),
    landscape: bool = False,
    wrap_from: int | None = None,
) -> None:
    """Make a sheet the tool writes print-ready: the one print setup every writer uses.

    A4 in the given orientation, scaled to the width of one page (as many pages down as it
    takes), the rows ``header_rows`` (first, last) repeated at the top of every page, a centred
    footer ``第 x 页 共 y 页`` inside a bottom margin that leaves it room, and margins a
    clerk's printer keeps. With ``wrap_from``, every cell from that row down wraps its text
    and every row holding wrapped text gets an explicit height that shows all its lines
    (:func:`fit_row_heights`: Excel does not compute heights for a file openpyxl wrote). Works
    on ordinary and write-only worksheets (``wrap_from`` needs an ordinary one, filled; a
    write-only sheet sets each row's height with :func:`stream_row_height`).
    """
    from openpyxl.worksheet.page import PageMargins
    from openpyxl.worksheet.properties import PageSetupProperties

    sheet.page_setup.paperSize = A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    properties = sheet.sheet_properties
    if properties.pageSetUpPr is None:
        properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    else:
        properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(
        left=0.5, right=0.5, top=0.6, bottom=0.75, header=0.3, footer=0.3
    )
    sheet.print_options.horizontalCentered = True
    if header_rows is not None:
        first, last = header_rows
        sheet.print_title_rows = f"{first}:{last}"
    sheet.oddFooter.center.text = FOOTER
    sheet.oddFooter.center.size = 9
    if isinstance(sheet, Worksheet):
        filled = _filled_rows(sheet, 1)  # once for both: wrapping changes no cell's value
        if wrap_from is not None:
            wrap_cells(sheet, wrap_from, filled)
        fit_row_heights(sheet, filled=filled)
    elif wrap_from is not None:
        wrap_cells(sheet, wrap_from)


def wrap_cells(
    sheet: Worksheet, first: int, filled: list[tuple[int, list[Any]]] | None = None
) -> None:
    """Every filled cell from row ``first`` down wraps its text (top-aligned unless it says
    otherwise, its horizontal alignment kept).

    The same as setting ``cell.alignment = Alignment(wrap_text=True, …)`` on each cell that
    does not wrap yet, with the same alignments registered in the same order, but decided
    once per alignment the sheet uses, by its index in the workbook's list, and stored by
    index: openpyxl's style descriptors make a proxy on every read and hash and compare the
    Alignment on every write (2.8 s of a 1,000,000-line monthly report's 9 s). ``filled``:
    the sheet's :func:`_filled_rows` from any row up to ``first``, when already made.
    """
    book: Any = sheet.parent  # the workbook's style lists are private: not in the stubs
    alignments = book._alignments
    wrapped: dict[int, int] = {}  # a cell's alignment index → the index of its wrapping one
    for number, cells in _filled_rows(sheet, first) if filled is None else filled:
        if number < first:
            continue
        for cell in cells:
            style = cell._style
            if not style:  # as openpyxl's descriptors do: a cell never styled gets its array
                style = cell._style = StyleArray()
            index = style.alignmentId
            target = wrapped.get(index)
            if target is None:
                alignment = alignments[index]
                if alignment.wrap_text:
                    target = index
                else:
                    target = alignments.add(
                        Alignment(
                            wrap_text=True,
                            vertical=alignment.vertical or "top",
                            horizontal=alignment.horizontal,
                        )
                    )
                wrapped[index] = target
            style.alignmentId = target


def _filled_rows(sheet: Worksheet, first: int) -> list[tuple[int, list[Any]]]:
    """Each row from ``first`` down that holds a value, with its cells that hold one, left
    to right: what ``iter_rows(min_row=first)`` gives with the empty cells left out.

    ``iter_rows`` makes a cell for every empty place of the sheet's extent (24,000 cells
    made and walked twice for a 1,000,000-line monthly report's 16,000 filled ones, some
    0.1 s); only the rows it would have made are made here, one empty cell each, since the
    workbook writes a ``<row>`` for every row that has a cell and none for an empty cell.
    """
    found: dict[int, list[Any]] = {}
    present: set[int] = set()
    cells: dict[tuple[int, int], Any] = sheet._cells  # the stubs know no _value
    for key in sorted(cells):  # by row, then column
        number = key[0]
        if number < first:
            continue
        present.add(number)
        cell = cells[key]
        if cell._value is not None:
            found.setdefault(number, []).append(cell)
    for number in range(first, sheet.max_row + 1):
        if number not in present:
            sheet.cell(row=number, column=1)  # a row iter_rows would have left in the sheet
    return list(found.items())


# Points per line of 11-point text: CJK glyphs need a little more than Excel's 14.25.
LINE_POINTS = 15.0
DEFAULT_SIZE = 11.0
DEFAULT_WIDTH = 8.43  # Excel's width of a column nobody sized, in characters
_DEFAULT_STYLE = StyleArray()  # the style indexes of a cell never styled (read only)


def text_width(text: str) -> int:
    """Display width in Excel column units: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def lines_needed(value: Any, width: float, size: float = DEFAULT_SIZE) -> int:
    """How many lines ``value`` takes wrapped in a column ``width`` characters wide, in
    text of ``size`` points (a column's width is counted in 11-point characters)."""
    if value is None or value == "":
        return 1
    usable = max((width - 1) * DEFAULT_SIZE / size, 1.0)
    text = str(value)
    if 2 * len(text) <= usable and "\n" not in text:
        return 1  # short enough even if every character is wide (a million cells, quickly)
    return sum(max(1, math.ceil(text_width(part) / usable)) for part in text.split("\n"))


def line_height(lines: int, size: float = DEFAULT_SIZE) -> float:
    """The row height in points that shows ``lines`` lines of ``size``-point text."""
    return round(LINE_POINTS * size / DEFAULT_SIZE * lines + 3, 1)


def column_width(sheet: Any, column: int) -> float:
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(column)
    dimensions = sheet.column_dimensions
    if letter in dimensions and dimensions[letter].customWidth:
        return float(dimensions[letter].width)
    return DEFAULT_WIDTH


def fit_row_heights(
    sheet: Worksheet, first: int = 1, *, filled: list[tuple[int, list[Any]]] | None = None
) -> None:
    """Give every row from ``first`` that holds wrapped text an explicit height showing
    every wrapped line (CJK counted double, a merged cell as wide as its columns together,
    the font's size counted); a height a writer set that is larger stays. ``filled``: the
    sheet's :func:`_filled_rows` from ``first``, when already made."""
    spans: dict[tuple[int, int], float] = {}
    for merged in sheet.merged_cells.ranges:
        spans[(merged.min_row, merged.min_col)] = sum(
            column_width(sheet, column) for column in range(merged.min_col, merged.max_col + 1)
        )
    widths: dict[int, float] = {}
    # whether a cell wraps and its font's size, once per alignment and font the sheet uses
    # (by their indexes in the workbook's lists: no style proxy made per cell)
    book: Any = sheet.parent
    alignments, fonts = book._alignments, book._fonts
    wraps: dict[int, bool] = {}
    sizes: dict[int, float] = {}
    for number, cells in _filled_rows(sheet, first) if filled is None else filled:
        height = 0.0
        for cell in cells:
            if isinstance(cell, MergedCell):
                continue
            style = cell._style or _DEFAULT_STYLE
            wrap = wraps.get(style.alignmentId)
            if wrap is None:
                wrap = wraps[style.alignmentId] = bool(alignments[style.alignmentId].wrap_text)
            if not wrap:
                continue
            width = spans.get((cell.row, cell.column))
            if width is None:
                width = widths.get(cell.column)
                if width is None:  # once per column (setdefault measured it on every cell)
                    width = widths[cell.column] = column_width(sheet, cell.column)
            size = sizes.get(style.fontId)
            if size is None:
                size = sizes[style.fontId] = float(fonts[style.fontId].sz or DEFAULT_SIZE)
            height = max(height, line_height(lines_needed(_shown(cell.value), width, size), size))
        if height:
            dimension = sheet.row_dimensions[number]
            dimension.height = max(height, dimension.height or 0.0)


def stream_row_height(
    sheet: Any, row: int, cells: Iterable[tuple[Any, float]], *, tall_only: bool = False
) -> None:
    """On a write-only sheet, before ``row`` is appended: its height for the wrapped
    (value, column width) pairs given (with ``tall_only``, only when they take more than
    one line: the cells that fit are not wrapped). The dimension is written with the row;
    call :func:`stream_row_done` after appending, so a million rows keep no million
    dimensions."""
    lines = max((lines_needed(_shown(value), width) for value, width in cells), default=1)
    if lines > 1 or not tall_only:
        sheet.row_dimensions[row].height = line_height(lines)


def stream_row_done(sheet: Any, row: int) -> None:
    sheet.row_dimensions.pop(row, None)


def _shown(value: Any) -> Any:
    return value if isinstance(value, str) else None
