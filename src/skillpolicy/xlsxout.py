"""Small helpers shared by everything that writes a workbook with openpyxl.

Every cell any writer fills goes through :func:`put` (or :func:`append_row`, which uses it):
this is the one guard that keeps text as text (``=HYPERLINK(…)`` from a roster or the ledger
never becomes a formula) and drops the control characters XML cannot hold, so no writer can
produce a workbook Excel refuses to open.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Font, PatternFill
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
    and characters XML cannot hold are dropped."""
    if isinstance(value, str):
        value = xml_safe(value)
    cell.value = value
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        cell.data_type = "s"


def append_row(sheet: Worksheet, values: Sequence[Any]) -> None:
    """``sheet.append`` through the same guard as :func:`put`."""
    sheet.append([xml_safe(v) if isinstance(v, str) else v for v in values])
    if any(isinstance(v, str) and v.startswith(_FORMULA_STARTS) for v in values):
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(_FORMULA_STARTS):
                cell.data_type = "s"


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
    (rows keep no fixed height, so Excel and LibreOffice grow them to show it). Works on
    ordinary and write-only worksheets (``wrap_from`` needs an ordinary one, filled).
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
    if wrap_from is not None:
        for row in sheet.iter_rows(min_row=wrap_from):
            for cell in row:
                if cell.value is not None and not (cell.alignment and cell.alignment.wrap_text):
                    cell.alignment = Alignment(
                        wrap_text=True,
                        vertical=cell.alignment.vertical or "top",
                        horizontal=cell.alignment.horizontal,
                    )
