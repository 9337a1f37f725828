"""The print setup's wrapped cells and fitted row heights, by style index, against the same
steps written with openpyxl's public style API (what every writer got before)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from skillpolicy.io.xlsxout import (
    DEFAULT_SIZE,
    column_width,
    line_height,
    lines_needed,
    print_setup,
)

TEXTS = ["", "短", "许昌市第一职业培训学校", "电焊工\n中式烹调师", "x" * 40, "培训" * 30]


def _sheet(seed: int) -> Worksheet:
    """A sheet with every kind of cell a writer leaves: unstyled, wrapped or not, aligned,
    in a larger font, numbers, long CJK text, line breaks, a merged title."""
    rng = random.Random(seed)
    book = openpyxl.Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 30
    sheet["A1"] = "月报标题" * 8
    sheet.merge_cells("A1:D1")
    sheet.row_dimensions[3].height = 60.0  # a height a writer set, larger than needed
    for row in range(2, 40):
        for column in range(1, 6):
            choice = rng.random()
            if choice < 0.15:
                continue  # an empty cell
            cell = sheet.cell(row=row, column=column)
            cell.value = rng.choice(TEXTS) if choice < 0.7 else rng.randint(0, 10_000)
            if rng.random() < 0.3:
                cell.alignment = Alignment(
                    horizontal=rng.choice([None, "center", "right"]),
                    vertical=rng.choice([None, "center", "bottom"]),
                    wrap_text=rng.choice([None, True, False]),
                    indent=rng.choice([0, 2]),
                )
            if rng.random() < 0.2:
                cell.font = Font(sz=rng.choice([9, 14, 16]), bold=rng.random() < 0.5)
    return sheet


def _reference(sheet: Worksheet, wrap_from: int) -> None:
    """The wrapping and heights as written before, one proxy read and one style write per
    cell: what the index-based steps must reproduce exactly."""
    for row in sheet.iter_rows(min_row=wrap_from):
        for cell in row:
            if cell.value is not None and not (cell.alignment and cell.alignment.wrap_text):
                cell.alignment = Alignment(
                    wrap_text=True,
                    vertical=cell.alignment.vertical or "top",
                    horizontal=cell.alignment.horizontal,
                )
    spans = {
        (merged.min_row, merged.min_col): sum(
            column_width(sheet, column) for column in range(merged.min_col, merged.max_col + 1)
        )
        for merged in sheet.merged_cells.ranges
    }
    for row in sheet.iter_rows():
        height = 0.0
        for cell in row:
            if cell.value is None or isinstance(cell, MergedCell):
                continue
            if not cell.alignment.wrap_text:
                continue
            width = spans.get((cell.row, cell.column), column_width(sheet, cell.column))
            size = float(cell.font.sz or DEFAULT_SIZE)
            text = cell.value if isinstance(cell.value, str) else None
            height = max(height, line_height(lines_needed(text, width, size), size))
        if height and row[0].row is not None:
            dimension = sheet.row_dimensions[row[0].row]
            dimension.height = max(height, dimension.height or 0.0)


def _styles(sheet: Worksheet) -> list[tuple[Any, ...]]:
    return [
        (cell.coordinate, cell.value, repr(cell.alignment), cell.font.sz, cell.style_id)
        for row in sheet.iter_rows()
        for cell in row
        if not isinstance(cell, MergedCell)
    ]


def test_wrapping_and_row_heights_match_the_style_api_cell_for_cell() -> None:
    """print_setup wraps the same cells with the same alignments, registered in the same
    order (so the same style ids), and gives every row the same height as the per-cell
    style API did, on sheets of every kind of cell."""
    for seed in range(8):
        for wrap_from in (1, 2, 5):
            fast, slow = _sheet(seed), _sheet(seed)
            print_setup(fast, header_rows=None, wrap_from=wrap_from)
            _reference(slow, wrap_from)
            assert _styles(fast) == _styles(slow), (seed, wrap_from)
            heights = {n: d.height for n, d in fast.row_dimensions.items() if d.height}
            expected = {n: d.height for n, d in slow.row_dimensions.items() if d.height}
            assert heights == expected, (seed, wrap_from)
            books: list[Any] = [fast.parent, slow.parent]
            assert list(books[0]._alignments) == list(books[1]._alignments)


def test_the_saved_workbook_is_the_same_as_with_the_style_api(tmp_path: Path) -> None:
    """The file written after print_setup holds the same sheet XML and styles as the one
    the per-cell style API produced."""
    import zipfile

    fast, slow = _sheet(99), _sheet(99)
    print_setup(fast, header_rows=None, wrap_from=2)
    _reference(slow, 2)
    print_setup(slow, header_rows=None)  # the rest of the print setup, heights again: a no-op
    paths = [tmp_path / "fast.xlsx", tmp_path / "slow.xlsx"]
    for sheet, path in zip((fast, slow), paths, strict=True):
        book: Any = sheet.parent
        book.save(path)
    parts = []
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            parts.append(
                {name: archive.read(name) for name in ("xl/styles.xml", "xl/worksheets/sheet1.xml")}
            )
    assert parts[0] == parts[1]


def test_print_setup_makes_no_cell_for_an_empty_place_and_writes_the_same_rows(
    tmp_path: Path,
) -> None:
    """print_setup adds no cell where a filled row has none (iter_rows made one for every
    place of the sheet's extent), only one in each row with no cell at all, so the saved
    sheet still has the same rows, blank ones between tables too, as the style API's."""
    import zipfile

    fast, slow = _sheet(5), _sheet(5)
    for sheet in (fast, slow):
        sheet.append([])  # a blank row between two tables: no cell of its own
        sheet.append(["末表", None, "培训" * 20])
    before = set(fast._cells)
    print_setup(fast, header_rows=None, wrap_from=2)
    _reference(slow, 2)
    print_setup(slow, header_rows=None)
    blank = [n for n in range(1, fast.max_row + 1) if not any(k[0] == n for k in before)]
    assert blank == [40]
    assert set(fast._cells) == before | {(40, 1)}
    paths = [tmp_path / "fast.xlsx", tmp_path / "slow.xlsx"]
    for sheet, path in zip((fast, slow), paths, strict=True):
        book: Any = sheet.parent
        book.save(path)
    sheets = [zipfile.ZipFile(p).read("xl/worksheets/sheet1.xml") for p in paths]
    assert b'<row r="40"' in sheets[0]
    assert sheets[0] == sheets[1]
