"""The bounds a workbook must keep before a parser opens it (skillpolicy.io.xlsxguard).

The corpus (test_corpus.py) runs the hostile files through the commands; these tests pin the
guard's own promises: ordinary workbooks take the fast pass and are read, unusual but valid
XML is followed exactly the way calamine reads it, and crafted references are caught however
they are spelt.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import python_calamine

from corpus.build import (
    HEADER,
    clean_rows,
    package,
    roster,
    roster_rows_xml,
    sheet_xml,
    zip_bomb,
)
from skillpolicy.domain.errors import InputError
from skillpolicy.io import xlsxguard
from skillpolicy.io.sheet import SheetReader, sniff_workbook


@pytest.fixture
def exact_passes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The parts the exact pass reads, in order."""
    seen: list[str] = []
    original = xlsxguard._ExactScan.__init__

    def spy(self: Any, path: Path, part: str, sheet: str | None) -> None:
        seen.append(part)
        original(self, path, part, sheet)

    monkeypatch.setattr(xlsxguard._ExactScan, "__init__", spy)
    return seen


def _one_sheet(path: Path, rows: list[str], **kwargs: Any) -> Path:
    return package(path, [("花名册", "visible", sheet_xml(rows, **kwargs))])


def _names(path: Path) -> list[str]:
    return [row.text("姓名") for row in SheetReader(path).rows()]


def test_openpyxl_roster_takes_the_fast_pass(tmp_path: Path, exact_passes: list[str]) -> None:
    """A roster as openpyxl (and Excel) write it is checked by the fast pass alone."""
    path = roster(tmp_path / "r.xlsx", clean_rows())
    assert _names(path) == ["吴永明", "蓝永明", "林振华"]
    assert exact_passes == []


def test_sheet_without_dimension_element_is_read(tmp_path: Path, exact_passes: list[str]) -> None:
    """<dimension> is optional: a sheet without one is read, by the fast pass."""
    path = _one_sheet(tmp_path / "r.xlsx", roster_rows_xml())
    with zipfile.ZipFile(path) as archive:
        assert b"<dimension" not in archive.read("xl/worksheets/sheet1.xml")
    assert _names(path) == ["吴永明", "蓝永明", "林振华"]
    assert exact_passes == []


@pytest.mark.parametrize(
    ("cell", "exact", "refused"),
    [
        ('<c r="Z150000"><v>1</v></c>', False, False),  # 150,000 x 26: within the fast bound
        ('<c r="AZ6"><v>1</v></c>', True, False),  # 99,999 x 52 from A1: exact pass, small
        ('<c r="AZ150000"><v>1</v></c>', True, True),  # 150,000 x 52 = 7.8 million
    ],
)
def test_farther_references_are_read_from_the_fast_pass(
    tmp_path: Path,
    exact_passes: list[str],
    cell: str,
    exact: bool,
    refused: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two-letter columns and six-digit rows bound the sheet; past the limit (5,000,000 cells
    here, whatever this machine's memory allows) the exact pass measures it from its real
    first cell."""
    monkeypatch.setattr(xlsxguard, "MAX_CELLS", 5_000_000)
    path = _one_sheet(tmp_path / "r.xlsx", [*roster_rows_xml(), f"<row>{cell}</row>"])
    if refused:
        with pytest.raises(InputError, match="A1:AZ150000"):
            sniff_workbook(path)
    else:
        sniff_workbook(path)
    assert bool(exact_passes) == exact


@pytest.mark.parametrize(
    ("label", "cell"),
    [
        ("reference after the type", '<c t="inlineStr" r="{ref}"><is><t>x</t></is></c>'),
        ("single quotes", "<c r='{ref}' t='inlineStr'><is><t>x</t></is></c>"),
        ("spaces round =", '<c r = "{ref}" t="inlineStr"><is><t>x</t></is></c>'),
        ("a namespace prefix", '<x:c r="{ref}" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c>'),
        ("a '>' in another value", '<c r="{ref}" cm=">" t="inlineStr"><is><t>x</t></is></c>'),
    ],
)
def test_unusual_cell_markup_is_followed_exactly(
    tmp_path: Path, exact_passes: list[str], label: str, cell: str
) -> None:
    """Valid XML Excel does not write goes to the exact pass; near cells pass, far are refused."""
    near = [*roster_rows_xml(), f'<row r="6">{cell.format(ref="B6")}</row>']
    path = _one_sheet(tmp_path / "near.xlsx", near)
    sniff_workbook(path)
    assert exact_passes == ["xl/worksheets/sheet1.xml"], label
    far = [*roster_rows_xml(), f'<row r="6">{cell.format(ref="XFD1048576")}</row>']
    with pytest.raises(InputError, match="A1:XFD1048576"):
        sniff_workbook(_one_sheet(tmp_path / "far.xlsx", far))


@pytest.mark.parametrize(
    "cell",
    [
        '<c r="xfd1048576"><v>1</v></c>',  # lower case: calamine accepts it
        '<c r="A6" r="XFD1048576"><v>1</v></c>',  # calamine keeps the last r
        '<c r="A6" x=">" r="XFD1048576"><v>1</v></c>',  # a quoted '>' does not end the tag
        '<c r="A6"x="1"r="XFD1048576"><v>1</v></c>',  # no space between attributes
        '<c r="B4294967297"><v>1</v></c>',  # past 2^32: calamine wraps it round
    ],
)
def test_crafted_references_are_caught(tmp_path: Path, cell: str) -> None:
    """However a far reference is spelt, the sheet is refused before calamine sees it."""
    rows = [*roster_rows_xml(), f'<row r="6">{cell}</row>']
    with pytest.raises(InputError, match="数据范围"):
        sniff_workbook(_one_sheet(tmp_path / "r.xlsx", rows))


def test_cells_without_references_are_placed_as_calamine_places_them(tmp_path: Path) -> None:
    """Cells and rows without r attributes: the exact pass finds calamine's own extent."""
    rows = [
        '<row r="2"><c t="inlineStr"><is><t>a</t></is></c><c/><c><v>1</v></c></row>',
        "<row><c/><c/><c/><c><v>2</v></c></row>",
        '<row r="9"/>',
        '<row><c r="C12"><v>3</v></c><c><v>4</v></c></row>',
    ]
    path = _one_sheet(tmp_path / "r.xlsx", rows)
    sniff_workbook(path)
    scan = xlsxguard._ExactScan(path, "xl/worksheets/sheet1.xml", None)
    with zipfile.ZipFile(path) as archive:
        scan.feed(archive.read("xl/worksheets/sheet1.xml"), final=True)
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    assert (scan.extent.top, scan.extent.left) == sheet.start
    assert (scan.extent.bottom, scan.extent.right) == sheet.end


def test_dtd_in_any_part_is_refused(tmp_path: Path) -> None:
    """A DOCTYPE in a part no reader needs (docProps/app.xml) is refused all the same."""
    path = roster(tmp_path / "r.xlsx", clean_rows())
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts["docProps/app.xml"] = b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://x/"><x/>'
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    with pytest.raises(InputError, match=r"docProps/app\.xml.*DTD"):
        sniff_workbook(path)


def test_part_smaller_than_declared_is_broken(tmp_path: Path) -> None:
    """A zip directory that declares more bytes than a part holds: refused as corrupt."""
    path = roster(tmp_path / "r.xlsx", clean_rows())
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    directory = int.from_bytes(data[end + 16 : end + 20], "little")
    entry = data.find(b"xl/worksheets/sheet1.xml", directory) - 46
    assert data[entry : entry + 4] == b"PK\x01\x02"
    declared = int.from_bytes(data[entry + 24 : entry + 28], "little")
    data[entry + 24 : entry + 28] = (declared + 10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="已损坏"):
        sniff_workbook(path)


def test_too_many_parts_is_refused_before_listing_them(tmp_path: Path) -> None:
    """A zip with more than MAX_PARTS entries is refused from its end record."""
    path = roster(tmp_path / "r.xlsx", clean_rows())
    with zipfile.ZipFile(path, "a") as archive:
        for number in range(xlsxguard.MAX_PARTS + 1):
            archive.writestr(f"customXml/item{number}.xml", b"")
    with pytest.raises(InputError, match="内部文件多得异常"):
        sniff_workbook(path)


def test_count_cells_counts_what_openpyxl_would_build(tmp_path: Path) -> None:
    """count_cells: every <c> of every sheet (empty ones too) plus the shared strings."""
    rows = [*roster_rows_xml(), '<row r="6"><c r="A6" s="1"/><c r="B6" t="s"><v>0</v></c></row>']
    path = package(
        tmp_path / "r.xlsx",
        [("花名册", "visible", sheet_xml(rows)), ("空", "hidden", sheet_xml([]))],
        shared_strings=['<sst xmlns="x"><si><t>a</t></si><si><t>b</t></si></sst>'],
    )
    written = sum(1 for row in [HEADER, *clean_rows()] for value in row if value is not None)
    assert xlsxguard.count_cells(path) == 1 + written + 2 + 2  # title, roster, row 6, strings


def test_word_template_with_a_dtd_is_refused(tmp_path: Path) -> None:
    """The other XML the project parses, a .docx template's, refuses a DTD the same way."""
    from skillpolicy.render.engine import DocxTemplate, RenderError

    source = Path(__file__).resolve().parents[1] / "templates" / "payout-notice.docx"
    target = tmp_path / "payout-notice.docx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "word/document.xml":
                declaration, rest = data.split(b"?>", 1)
                data = declaration + b'?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                data += rest.replace(b"{{", b"&x;{{", 1)
            copy.writestr(info, data)
    with pytest.raises(RenderError, match="DTD") as raised:
        DocxTemplate(target)
    assert str(target) in str(raised.value)


def test_memory_budget_follows_the_environment_or_the_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SKILLPOLICY_WORKBOOK_MEMORY_MB sets the budget; without it, half the physical memory."""
    monkeypatch.setenv(xlsxguard.MEMORY_VARIABLE, "3000")
    assert xlsxguard.memory_budget() == 3000 * xlsxguard.MIB
    monkeypatch.delenv(xlsxguard.MEMORY_VARIABLE)
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert xlsxguard.memory_budget() == physical // 2


def _big_sheet_rows(rows: int) -> Iterator[str]:
    """Roster rows of about 1 KB each, written as raw XML (random text: no bomb ratio)."""
    cells = "".join(
        f'<c r="{letter}%(n)d" t="inlineStr"><is><t>%(t{k})s</t></is></c>'
        for k, letter in enumerate("ABCDEF")
    )
    template = '<row r="%(n)d">' + cells + "</row>"
    block = []
    for number in range(2, rows + 2):
        noise = os.urandom(240).hex()
        texts = {f"t{k}": noise[k * 80 : k * 80 + 80] for k in range(6)}
        block.append(template % {"n": number, **texts})
        if len(block) == 2000:
            yield "".join(block)
            block.clear()
    yield "".join(block)


@pytest.mark.slow
@pytest.mark.skipif(
    xlsxguard.MAX_SHEET_BYTES <= 300 * xlsxguard.MIB, reason="a machine with under 1 GB of memory"
)
def test_a_sheet_above_the_old_fixed_cap_is_accepted_and_bombs_are_still_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sheet inflating to more than the old fixed 256 MB passes the guard (its cap follows
    the machine's memory), the old cap would have refused it, and a zip bomb still fails."""
    header = (
        '<row r="1">'
        + "".join(
            f'<c r="{letter}1" t="inlineStr"><is><t>{title}</t></is></c>'
            for letter, title in zip("ABCDEF", HEADER, strict=False)
        )
        + "</row>"
    )
    path = _one_sheet(tmp_path / "big.xlsx", [header, *_big_sheet_rows(360_000)])
    with zipfile.ZipFile(path) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
        assert sheet.file_size > 256 * xlsxguard.MIB
        xlsxguard.check_workbook(path, archive)
        monkeypatch.setattr(xlsxguard, "MAX_SHEET_BYTES", 256 * xlsxguard.MIB)
        with pytest.raises(InputError, match="解压后超过"):
            xlsxguard.check_workbook(path, archive)
    monkeypatch.undo()
    bomb = zip_bomb(tmp_path)
    with zipfile.ZipFile(bomb) as archive, pytest.raises(InputError):
        xlsxguard.check_workbook(bomb, archive)


def test_a_shared_strings_table_is_held_to_its_own_cap_not_other_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shared-strings table over the cap on other parts but within its own (a million-row
    roster's is about 90 MB against 64 MB) is read; past its own cap it is refused by name."""
    count = 40_000
    strings = [
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
        *(f"<si><t>学员{n:08d}</t></si>" for n in range(count)),
        "</sst>",
    ]
    rows = [f'<row r="{n + 1}"><c r="A{n + 1}" t="s"><v>{n}</v></c></row>' for n in range(count)]
    path = package(
        tmp_path / "s.xlsx", [("花名册", "visible", sheet_xml(rows))], shared_strings=strings
    )
    with zipfile.ZipFile(path) as archive:
        size = archive.getinfo("xl/sharedStrings.xml").file_size
        monkeypatch.setattr(xlsxguard, "MAX_PART_BYTES", size // 4)
        monkeypatch.setattr(xlsxguard, "MAX_SHARED_STRINGS_BYTES", size * 4)
        xlsxguard.check_workbook(path, archive)
        monkeypatch.setattr(xlsxguard, "MAX_SHARED_STRINGS_BYTES", size // 2)
        with pytest.raises(InputError, match="共享字符串表"):
            xlsxguard.check_workbook(path, archive)
