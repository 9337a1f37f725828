"""The guard's single sweep over a sheet's stream (skillpolicy.io.xlsxguard._Sweep).

The fast cell scan and the feature counts read each inflated chunk together, in place; a tag
cut off at a chunk's end is joined only to the bytes that end it. Whatever the cuts, they must
find what one look at the whole sheet finds, and the letter gates in front of the feature
searches must never hide a feature.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.build import package, roster_rows_xml, sheet_xml
from skillpolicy.domain.errors import InputError
from skillpolicy.io import xlsxguard
from skillpolicy.io.sheet import sniff_workbook

_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<cols><col min="3" max="4" hidden="1"/></cols><sheetData>'
    b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="2"><v>7</v></c></row>'
    b'<row r="2" hidden="1"><c r="A2" t="s"><v>1</v></c></row>'
    b'<row r="3" ht="0" customHeight="1"><c r="A3"><v>3</v></c></row>'
    b'<row r="4"><c r="AB123456" t="s"><v>2</v></c></row>'
    b'<row r="5" ht="15"><c r="C5"/></row>'
    b"</sheetData>"
    b'<mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells>'
    b'<conditionalFormatting sqref="A1"><cfRule type="expression"/></conditionalFormatting>'
    b'<dataValidations count="1"><dataValidation sqref="A2"/></dataValidations>'
    b'<hyperlinks><hyperlink ref="A1:C3"/></hyperlinks>'
    b"</worksheet>"
)


def _sweep(chunks: list[bytes]) -> tuple[xlsxguard._FastScan, xlsxguard._Features]:
    fast = xlsxguard._FastScan()
    features = xlsxguard._Features(Path("r.xlsx"), "xl/worksheets/sheet1.xml", "花名册")
    sweep = xlsxguard._Sweep(fast, features)
    for chunk in chunks:
        sweep.feed(chunk, final=False)
    sweep.feed(b"", final=True)
    return fast, features


def _seen(fast: xlsxguard._FastScan, features: xlsxguard._Features) -> tuple[object, ...]:
    return (
        fast.irregular,
        fast.bottom,
        fast.right,
        features.merges,
        features.merged_cells,
        features.links,
        features.linked_cells,
        features.validations,
        features.conditional,
        features.comments,
        sorted(features.hidden.rows),
        features.hidden.columns,
    )


def test_sweep_finds_the_same_at_every_cut() -> None:
    """Cut into two or three chunks at any bytes, the sweep finds what the whole sheet holds."""
    whole = _seen(*_sweep([_SHEET]))
    assert whole == (False, 123455, 27, 1, 4, 1, 9, 1, 1, 0, [2, 3], [(3, 4)])
    size = len(_SHEET)
    for cut in range(1, size):
        assert _seen(*_sweep([_SHEET[:cut], _SHEET[cut:]])) == whole, cut
    for first in range(1, size, 7):
        for second in range(first + 1, min(size, first + 60)):
            chunks = [_SHEET[:first], _SHEET[first:second], _SHEET[second:]]
            assert _seen(*_sweep(chunks)) == whole, (first, second)


def test_sweep_reads_byte_by_byte() -> None:
    """A stream of one-byte chunks (every tag carried over many of them) finds the same."""
    whole = _seen(*_sweep([_SHEET]))
    assert _seen(*_sweep([_SHEET[i : i + 1] for i in range(len(_SHEET))])) == whole


def test_irregular_cell_across_a_cut_is_seen() -> None:
    """A cell the fast pass cannot vouch for is seen wherever the chunk ends inside it."""
    sheet = _SHEET.replace(b'<c r="C5"/>', b'<c s="1" r="C5"/>')
    for cut in range(sheet.index(b'<c s="1"'), sheet.index(b'r="C5"/>') + 8):
        fast, _features = _sweep([sheet[:cut], sheet[cut:]])
        assert fast.irregular, cut


def _roster(path: Path, before: str = "", after: str = "", rows: list[str] | None = None) -> Path:
    body = rows if rows is not None else roster_rows_xml()
    return package(path, [("花名册", "visible", sheet_xml(body, before=before, after=after))])


def test_hidden_rows_found_across_small_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With inflated chunks of a few bytes, each row tag cut somewhere, hidden rows and columns
    are reported exactly as with the usual chunks."""
    rows = roster_rows_xml()
    rows[3] = rows[3].replace('<row r="4"', '<row r="4" hidden="1"', 1)
    rows[4] = rows[4].replace('<row r="5"', '<row r="5" ht="0.0" customHeight="1"', 1)
    assert 'hidden="1"' in rows[3] and 'ht="0.0"' in rows[4]
    path = _roster(
        tmp_path / "r.xlsx", before='<cols><col min="2" max="2" hidden="1"/></cols>', rows=rows
    )
    usual = sniff_workbook(path)["花名册"]
    assert (sorted(usual.rows), usual.columns) == ([4, 5], [(2, 2)])
    for size in (7, 13, 64):
        monkeypatch.setattr(xlsxguard, "_OUT", size)
        small = sniff_workbook(path)["花名册"]
        assert (sorted(small.rows), small.columns) == ([4, 5], [(2, 2)]), size


@pytest.mark.parametrize(
    ("limit", "after", "words"),
    [
        (
            "MAX_MERGES",
            '<mergeCells count="3"><mergeCell ref="A1:B1"/><mergeCell ref="A2:B2"/>'
            '<mergeCell ref="A3:B3"/></mergeCells>',
            "合并单元格区域",
        ),
        (
            "MAX_HYPERLINKS",
            '<hyperlinks><hyperlink ref="A1"/><hyperlink ref="A2"/><hyperlink ref="A3"/>'
            "</hyperlinks>",
            "超链接",
        ),
        (
            "MAX_VALIDATIONS",
            '<dataValidations count="3"><dataValidation sqref="A1"/>'
            '<dataValidation sqref="A2"/><dataValidation sqref="A3"/></dataValidations>',
            "数据验证规则",
        ),
        (
            "MAX_CONDITIONAL",
            '<conditionalFormatting sqref="A1"/><conditionalFormatting sqref="A2"/>'
            '<conditionalFormatting sqref="A3"/>',
            "条件格式",
        ),
    ],
)
def test_each_letter_gate_lets_its_features_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: str, after: str, words: str
) -> None:
    """Merges, hyperlinks, validations and conditional formats are still counted behind the
    one-letter gates, in small chunks as in large: over the bound, the sheet is refused."""
    path = _roster(tmp_path / "r.xlsx", after=after)
    sniff_workbook(path)  # three of each are fine
    monkeypatch.setattr(xlsxguard, limit, 2)
    for size in (xlsxguard._OUT, 11):
        monkeypatch.setattr(xlsxguard, "_OUT", size)
        with pytest.raises(InputError, match=words):
            sniff_workbook(path)


def _rows(first: int, last: int, *, styles: int = 1) -> bytes:
    """Rows of near cells in the shapes Excel and openpyxl write (a shared string, a styled
    number, an empty cell, a bare number); ``styles`` > 1 spreads style indexes over one and
    two digits (more shapes than are worth counting)."""
    return b"".join(
        f'<row r="{n}"><c r="A{n}" t="s"><v>{n}</v></c><c r="B{n}" s="{4 + n % styles * 7}">'
        f'<v>1</v></c><c r="D{n}"/><c r="E{n}"><v>2</v></c></row>'.encode()
        for n in range(first, last + 1)
    )


def _by_regex_and_by_shapes(chunk: bytes) -> tuple[tuple[bool, int, int], tuple[bool, int, int]]:
    results = []
    for shapes in (False, True):
        fast = xlsxguard._FastScan(by_shapes=shapes)
        fast.scan(chunk, 0, len(chunk))
        results.append((fast.irregular, fast.bottom, fast.right))
    return results[0], results[1]


def test_shapes_vouch_for_a_chunk_of_near_cells() -> None:
    """A chunk of near cells in four shapes is proved near by counting them, and so is one
    whose row numbers cross 10,000 (two shapes, each with four and five digits); with more
    shapes than are worth counting the regex is left to decide."""
    crossing = b"".join(
        f'<row r="{n}"><c r="A{n}" t="s"><v>1</v></c><c r="B{n}"><v>2</v></c></row>'.encode()
        for n in range(9_000, 11_001)
    )
    for chunk in (_rows(20_000, 22_000), crossing):
        assert len(chunk) > xlsxguard._SHAPES_FROM
        assert xlsxguard._all_near(chunk, 0, len(chunk)) is True
        assert _by_regex_and_by_shapes(chunk) == ((False, -1, -1), (False, -1, -1))
    types = [b"x" * (k + 1) for k in range(xlsxguard._MAX_SHAPES + 1)]
    varied = b"".join(
        f'<row r="{n}">'.encode()
        + b"".join(f'<c r="{"ABCDEFGHIJ"[k]}{n}" t="'.encode() + kind + b'"><v>1</v></c>'
                   for k, kind in enumerate(types))
        + b"</row>"
        for n in range(20_000, 21_000)
    )  # fmt: skip
    assert xlsxguard._all_near(varied, 0, len(varied)) is None
    assert _by_regex_and_by_shapes(varied) == ((False, -1, -1), (False, -1, -1))


@pytest.mark.parametrize(
    "odd",
    [
        b'<c r="AB7" t="s"><v>1</v></c>',  # a far column
        b'<c r="A123456"><v>1</v></c>',  # a far row
        b'<c r="A7" r="XFD1048576"><v>1</v></c>',  # a second reference
        b'<c s="1" r="A7"><v>1</v></c>',  # another attribute order
        b"<c><v>1</v></c>",  # no reference
        b'<c r="a7"><v>1</v></c>',  # lower case
        b'<c r="A7"  t="s"><v>1</v></c>',  # two spaces
        b'<c r="A7" t="s" cm="1"><v>1</v></c>',  # an attribute Excel seldom writes
        b'<cols><col min="1" max="1"/></cols>',  # not a cell, but a "<c"
    ],
)
def test_one_odd_cell_anywhere_is_seen_as_the_regex_sees_it(odd: bytes) -> None:
    """One cell the shapes do not stand for, at the start, inside or at the end of a chunk
    (sampled or not), leaves the verdict to the regex: the same bound and irregularity."""
    rows = _rows(20_000, 24_000)
    for at in (0, len(rows) // 5, len(rows) // 2, len(rows) * 4 // 5, len(rows)):
        cut = rows.rfind(b"<row", 0, at) if at else 0
        cut = cut if cut > 0 else (len(rows) if at else 0)
        chunk = rows[:cut] + b'<row r="7">' + odd + b"</row>" + rows[cut:]
        assert xlsxguard._all_near(chunk, 0, len(chunk)) is False, (odd, at)
        by_regex, by_shapes = _by_regex_and_by_shapes(chunk)
        assert by_shapes == by_regex, (odd, at)


def test_shapes_give_way_to_the_regex_after_two_misses() -> None:
    """A sheet whose chunks the shapes count in vain (a shape only where none is sampled) is
    read by the regex alone after two tries running; rows all far are counted as far shapes,
    never as near ones, and measured by their last row."""
    fast = xlsxguard._FastScan()
    rare = _rows(20_401, 20_500).replace(b' s="4">', b' s="40400">')
    chunk = _rows(20_000, 20_400) + rare + _rows(20_501, 22_000) + _rows(100_000, 100_001)
    assert xlsxguard._all_near(chunk, 0, len(chunk)) is False
    for _ in range(3):
        fast.scan(chunk, 0, len(chunk))
    assert not fast.by_shapes and fast.shape_misses == 2
    assert (fast.irregular, fast.bottom, fast.right) == (False, 100_000, 4)
    far = _rows(100_000, 101_500)
    assert xlsxguard._all_near(far, 0, len(far)) is None
    assert _by_regex_and_by_shapes(far) == ((False, 101_499, 4), (False, 101_499, 4))


def _excel_rows(first: int, last: int) -> bytes:
    """Rows as Excel writes them: spans, a custom height and x14ac:dyDescent on every row (an
    "m", an "h" and a ":" in each)."""
    return b"".join(
        f'<row r="{n}" spans="1:3" ht="15" customHeight="1" x14ac:dyDescent="0.25">'
        f'<c r="A{n}" s="1" t="s"><v>{n}</v></c><c r="B{n}" s="2"><v>1</v></c></row>'.encode()
        for n in range(first, last + 1)
    )


@pytest.mark.parametrize("at", [0.0, 0.3, 0.7, 1.0])
def test_features_behind_common_letters_are_found_wherever_they_are(at: float) -> None:
    """Where every row holds an "m" and an "h" (Excel's customHeight and ht), the one search
    that rules a group out still finds a hidden row, a zero-height row, a hyperlink, a merge,
    a conditional format and a comment at the start, inside or at the end of a chunk."""
    rows = _excel_rows(2, 3_000)
    cut = rows.rfind(b"<row", 0, int(len(rows) * at)) if at else 0
    cut = len(rows) if at == 1.0 else max(cut, 0)
    odd = (
        b'<row r="1" hidden="1" ht="15" customHeight="1"><c r="A1" t="s"><v>0</v></c></row>'
        b'<row r="9000" ht="0" customHeight="1"><c r="A9000"/></row>'
        b'<mergeCell ref="A1:B3"/><hyperlink ref="C1:C4"/><comment ref="A1"/>'
        b'<conditionalFormatting sqref="A1"/>'
    )
    chunk = rows[:cut] + odd + rows[cut:]
    features = xlsxguard._Features(Path("r.xlsx"), "xl/worksheets/sheet1.xml", "花名册")
    features.scan(chunk, 0, len(chunk))
    assert (features.merges, features.merged_cells, features.links, features.linked_cells) == (
        1,
        6,
        1,
        4,
    )
    assert (features.conditional, features.comments) == (1, 1)
    assert sorted(features.hidden.rows) == [1, 9000]
    plain = xlsxguard._Features(Path("r.xlsx"), "xl/worksheets/sheet1.xml", "花名册")
    plain.scan(rows, 0, len(rows))
    assert (plain.merges, plain.links, plain.conditional, plain.comments) == (0, 0, 0, 0)
    assert plain.hidden.rows == set()


def test_prefixed_cells_are_found_among_excel_rows() -> None:
    """A namespace-prefixed cell among rows full of x14ac:dyDescent is seen wherever it is; a
    form feed after ``:c`` counts as before: when a chunk has many colons, not when few."""
    rows = _excel_rows(2, 3_000)
    for at in (0, len(rows) // 2, len(rows)):
        cut = rows.rfind(b"<row", 0, at) if at else 0
        cut = len(rows) if at == len(rows) else cut
        chunk = rows[:cut] + b'<row r="1"><x:c r="A1"><x:v>1</x:v></x:c></row>' + rows[cut:]
        assert xlsxguard._has_prefixed_cell(chunk, 0, len(chunk)), at
    assert not xlsxguard._has_prefixed_cell(rows, 0, len(rows))
    odd = b'<row r="1"><x:c\x0cr="A1"/></row>'
    few = _rows(2, 300) + odd
    assert few.count(b":") < 1000 and not xlsxguard._has_prefixed_cell(few, 0, len(few))
    many = rows + odd
    assert many.count(b":") >= 1000 and xlsxguard._has_prefixed_cell(many, 0, len(many))
