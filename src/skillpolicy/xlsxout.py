"""Small helpers shared by everything that writes a workbook with openpyxl."""

from __future__ import annotations

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


def put(cell: Cell | MergedCell, value: Any) -> None:
    """Write a value; text is always stored as text, so '=cmd|…' from a roster never runs."""
    cell.value = value
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
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
