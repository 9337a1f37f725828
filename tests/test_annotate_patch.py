"""The annotated copy is the clerk's workbook patched: every cell, style and part kept."""

from __future__ import annotations

import datetime as dt
import errno
import io
import re
import shutil
import struct
import subprocess
import tomllib
import zipfile
from collections.abc import Callable
from copy import copy
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from conftest import GUANGXI_ROSTER_HEADER, guangxi_clean_rows, make_resident_id
from skillpolicy.check.validate import Report, validate_sheet
from skillpolicy.domain.errors import InputError
from skillpolicy.domain.findings import Finding
from skillpolicy.io import xlsxpatch
from skillpolicy.loading.programfiles import load_program
from skillpolicy.outputs.annotate import write_annotated

EXAMPLE_DIR = Path(__file__).parent.parent / "examples"
EXPECTED_DIR = Path(__file__).parent / "examples"
GUANGXI = "guangxi-2012-technician"
FORMULA_LIKE = ["=1+2", "+8613800000000", "-5", "@SUM(A1)"]
MARK_COLOURS = {"FFFF9999", "FFFFE699"}
STYLE_PARTS = ("font", "border", "alignment", "protection", "number_format")
CHANGED_PARTS = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"}


def _example_params() -> list[Any]:
    params = []
    for path in sorted(EXPECTED_DIR.glob("*.toml")):
        expected = tomllib.loads(path.read_text(encoding="utf-8"))
        params.append(pytest.param(expected, id=path.stem))
    return params


def _rgb(cell: Any) -> str:
    return str(cell.fill.fgColor.rgb)


def _shown_cells(report: Report) -> set[str]:
    """The cells the report's findings are marked on (merged-away ones aside)."""
    return {
        f"{report.layout.letters[f.column]}{f.row}"
        for f in report.findings
        if f.row is not None and f.column in report.layout.letters
    }


def assert_faithful(source: Path, marked_path: Path, report: Report) -> set[str]:
    """Every sheet, cell value and style of ``source`` is in the copy; only marked cells differ,
    by a red or yellow fill and a comment that follows the clerk's own. Returns the marked
    cells of the data sheet."""
    original = openpyxl.load_workbook(source)
    copy_book = openpyxl.load_workbook(marked_path)
    assert copy_book.sheetnames[: len(original.sheetnames)] == original.sheetnames
    assert copy_book.sheetnames[-1].startswith("问题汇总")
    assert set(original.defined_names) <= set(copy_book.defined_names)
    data_sheet = original[report.layout.sheet].title if report.layout.sheet in original else None
    marked: set[str] = set()
    for before in original.worksheets:
        after = copy_book[before.title]
        assert after.sheet_state == before.sheet_state, before.title
        assert {str(r) for r in after.merged_cells.ranges} == {
            str(r) for r in before.merged_cells.ranges
        }
        assert after.freeze_panes == before.freeze_panes
        assert len(after.data_validations.dataValidation) == len(
            before.data_validations.dataValidation
        )
        for letter, dimension in before.column_dimensions.items():
            assert after.column_dimensions[letter].width == dimension.width, letter
        for row in before.iter_rows():
            for cell in row:
                other = after[cell.coordinate]
                assert (other.value, other.data_type) == (cell.value, cell.data_type)
                for part in STYLE_PARTS:
                    assert copy(getattr(other, part)) == copy(getattr(cell, part)), (
                        before.title,
                        cell.coordinate,
                        part,
                    )
                if copy(other.fill) != copy(cell.fill):
                    assert before.title == data_sheet and _rgb(other) in MARK_COLOURS
                    assert other.fill.fill_type == "solid"
                    marked.add(cell.coordinate)
                if cell.comment is not None:
                    assert other.comment is not None
                    assert other.comment.text.startswith(cell.comment.text)
                elif other.comment is not None:
                    assert before.title == data_sheet and cell.coordinate in marked | _shown_cells(
                        report
                    ), cell.coordinate
    return marked


def _raw_entries(path: Path) -> dict[str, bytes]:
    """Every entry's compressed bytes as they sit in the archive."""
    raw = {}
    with zipfile.ZipFile(path) as archive, path.open("rb") as handle:
        for info in archive.infolist():
            handle.seek(info.header_offset)
            header = handle.read(30)
            name_length, extra_length = struct.unpack("<HH", header[26:30])
            handle.seek(info.header_offset + 30 + name_length + extra_length)
            raw[info.filename] = handle.read(info.compress_size)
    return raw


@pytest.mark.parametrize("expected", _example_params())
def test_copy_of_every_example_keeps_every_cell_and_style(
    tmp_path: Path, expected: dict[str, Any]
) -> None:
    """Each bundled example's copy: every cell of every sheet with its value and style; the
    marked cells differ only by fill and comment, and every finding on a cell is marked."""
    source = EXAMPLE_DIR / expected["example"]
    report = validate_sheet(
        source,
        load_program(expected["program"]),
        kind=expected.get("kind"),
        params_file=EXAMPLE_DIR / "skillpolicy.toml",
    )
    copy_info = write_annotated(report, source, tmp_path / "marked.xlsx")
    assert copy_info.note() is None
    marked = assert_faithful(source, tmp_path / "marked.xlsx", report)
    sheet = openpyxl.load_workbook(tmp_path / "marked.xlsx")[report.layout.sheet]
    commented = {
        cell.coordinate for row in sheet.iter_rows() for cell in row if cell.comment is not None
    }
    assert marked <= commented
    assert _shown_cells(report) - commented <= _merged_away(sheet)


def _merged_away(sheet: Any) -> set[str]:
    return {
        cell.coordinate
        for area in sheet.merged_cells.ranges
        for row in sheet.iter_rows(
            min_row=area.min_row, max_row=area.max_row, min_col=area.min_col, max_col=area.max_col
        )
        for cell in row
        if (cell.row, cell.column) != (area.min_row, area.min_col)
    }


def test_unchanged_parts_are_copied_byte_for_byte(tmp_path: Path) -> None:
    """Parts the copy does not change (theme, shared strings, document properties, other
    sheets) are the very compressed bytes of the input: nothing re-deflated."""
    source = EXAMPLE_DIR / "xuchang-2013-revitalization.xlsx"
    report = validate_sheet(source, load_program("xuchang-2013-revitalization"))
    write_annotated(report, source, tmp_path / "marked.xlsx")
    before, after = _raw_entries(source), _raw_entries(tmp_path / "marked.xlsx")
    untouched = [
        name
        for name in before
        if name not in CHANGED_PARTS
        and not name.startswith(("xl/worksheets/", "xl/styles"))
        and not name.endswith(".rels")
    ]
    assert untouched, "the example has parts the copy leaves alone"
    for name in untouched:
        assert after[name] == before[name], name
    with zipfile.ZipFile(source) as a, zipfile.ZipFile(tmp_path / "marked.xlsx") as b:
        assert {i.filename: i.CRC for i in a.infolist() if i.filename in untouched} == {
            i.filename: i.CRC for i in b.infolist() if i.filename in untouched
        }
        assert b.testzip() is None


def _rich_roster(tmp_path: Path) -> Path:
    """A guangxi roster dressed the way a clerk dresses one: fonts, borders, widths, a
    validation list, a defined name, a comment of her own, a second and a hidden sheet."""
    broken = ["王五", "男", "450102198001010011", "焊工", "高级工", "2001-01-01", "技师", "脱产"]
    blank_form = ["赵六", "女", make_resident_id("45010219800101002"), "焊工", "高级工",
                  "2001-01-01", "技师", None, "合格"]  # fmt: skip
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "花名册"
    sheet.append(["学员花名册"])
    sheet.merge_cells("A1:I1")
    for values in [GUANGXI_ROSTER_HEADER, *guangxi_clean_rows(), broken, blank_form]:
        sheet.append(values)
    thin = Side(style="thin", color="FF808080")
    for row in sheet.iter_rows(min_row=2, max_row=sheet.max_row):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.font = Font(name="宋体", size=12, bold=cell.row == 2, color="FF1F4E79")
    sheet["C5"].fill = PatternFill("solid", fgColor="FFCCFFCC")  # the clerk's own colour
    sheet["C5"].comment = Comment("已电话核实", "科员")
    sheet["A4"].comment = Comment("本人已离职", "科员")
    sheet.column_dimensions["C"].width = 24
    sheet.freeze_panes = "A3"
    validation = DataValidation(type="list", formula1='"脱产,半脱产"')
    validation.add("H3:H100")
    sheet.add_data_validation(validation)
    workbook.defined_names["名单"] = DefinedName("名单", attr_text="花名册!$A$3:$I$6")
    notes = workbook.create_sheet("说明")
    notes["A1"] = "共享字符串"
    notes["A2"] = 12.5
    hidden = workbook.create_sheet("内部")
    hidden["A1"] = "内部备注"
    hidden.sheet_state = "hidden"
    source = tmp_path / "roster.xlsx"
    workbook.save(source)
    return source


def test_a_dressed_roster_keeps_its_formatting_comments_and_sheets(tmp_path: Path) -> None:
    """Fonts, borders, fills, widths, a validation list, a defined name, merged title, frozen
    panes, the clerk's own comments, other and hidden sheets: all in the copy; a marked cell
    that had a comment keeps it, ours follows; a blank cell with a finding is marked too."""
    source = _rich_roster(tmp_path)
    report = validate_sheet(source, load_program(GUANGXI))
    cells = {(f.row, f.column) for f in report.findings}
    assert (5, "身份证号") in cells and (6, "培训形式") in cells
    write_annotated(report, source, tmp_path / "marked.xlsx")
    marked = assert_faithful(source, tmp_path / "marked.xlsx", report)
    assert "C5" in marked
    book = openpyxl.load_workbook(tmp_path / "marked.xlsx")
    sheet = book["花名册"]
    identity = next(f for f in report.findings if (f.row, f.column) == (5, "身份证号"))
    assert sheet["C5"].comment is not None
    assert sheet["C5"].comment.text.startswith("已电话核实")
    assert identity.message in sheet["C5"].comment.text
    assert sheet["A4"].comment is not None and sheet["A4"].comment.text == "本人已离职"
    blank = sheet["H6"]  # not in the input's XML at all
    assert blank.value is None and _rgb(blank) == "FFFF9999" and blank.comment is not None
    assert book["内部"].sheet_state == "hidden" and book["内部"]["A1"].value == "内部备注"
    assert book["说明"]["A1"].value == "共享字符串" and book["说明"]["A2"].value == 12.5


def test_formula_like_text_merges_and_control_characters(tmp_path: Path) -> None:
    """=/+/-/@ text stays text, a merged-away finding is marked on the range's top-left cell,
    and a cell with an escaped control character is copied as written."""
    rows = [GUANGXI_ROSTER_HEADER, *guangxi_clean_rows()]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in [["学员花名册"], *rows]:
        sheet.append(row)
    letters = {cell.value: cell.column_letter for cell in sheet[2] if cell.value}
    sheet.merge_cells(f"{letters['申报等级']}3:{letters['培训形式']}3")
    for offset, text in enumerate(FORMULA_LIKE):
        cell = sheet.cell(row=9, column=1 + offset, value=text)
        cell.data_type = "s"
    source = tmp_path / "roster.xlsx"
    workbook.save(source)
    report = validate_sheet(source, load_program(GUANGXI))
    write_annotated(report, source, tmp_path / "marked.xlsx")
    assert_faithful(source, tmp_path / "marked.xlsx", report)
    copy_sheet = openpyxl.load_workbook(tmp_path / "marked.xlsx").worksheets[0]
    for offset, text in enumerate(FORMULA_LIKE):
        written = copy_sheet.cell(row=9, column=1 + offset)
        assert (written.value, written.data_type) == (text, "s")
    anchor = copy_sheet[f"{letters['申报等级']}3"]
    merged_away = [f for f in report.findings if f.row == 3 and f.column == "培训形式"]
    assert merged_away and anchor.comment is not None
    assert merged_away[0].message in anchor.comment.text


def test_a_table_that_starts_below_and_right_of_a1(tmp_path: Path) -> None:
    """A roster whose header sits at C4 is marked on the cells where its values are."""
    broken = ["王五", "男", "450102198001010011"]  # a wrong check digit
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for r, values in enumerate([GUANGXI_ROSTER_HEADER, *guangxi_clean_rows(), broken]):
        for c, value in enumerate(values):
            sheet.cell(row=4 + r, column=3 + c, value=value)
    source = tmp_path / "roster.xlsx"
    workbook.save(source)
    report = validate_sheet(source, load_program(GUANGXI))
    assert any(f.row == 7 and f.column == "身份证号" for f in report.findings)
    write_annotated(report, source, tmp_path / "marked.xlsx")
    marked = assert_faithful(source, tmp_path / "marked.xlsx", report)
    assert "E7" in marked


def test_findings_under_vertical_merges_are_marked_on_each_ranges_top_cell(
    tmp_path: Path, guangxi_roster: Callable[..., Path]
) -> None:
    """培训形式 merged down two classes: the invalid value of the second class (read on both of
    its rows) is marked once on that range's top cell; the first range, valid, is left alone."""
    trainee = ["王五", "男", "450102198001010016", "焊工", "高级工", "2001-01-01", "技师"]
    extra = [
        [*trainee[:2], make_resident_id("45010219800101005"), *trainee[3:], "脱产", None],
        [*trainee[:2], make_resident_id("45010219800101006"), *trainee[3:], None, None],
        [*trainee[:2], make_resident_id("45010219800101007"), *trainee[3:], "函授", None],
        [*trainee[:2], make_resident_id("45010219800101008"), *trainee[3:], None, None],
    ]
    source = guangxi_roster(extra=extra)
    workbook = openpyxl.load_workbook(source)
    sheet = workbook.worksheets[0]
    letter = next(c.column_letter for c in sheet[2] if c.value == "培训形式")
    sheet.merge_cells(f"{letter}5:{letter}6")
    sheet.merge_cells(f"{letter}7:{letter}8")
    workbook.save(source)
    report = validate_sheet(source, load_program(GUANGXI))
    form = [f for f in report.findings if f.column == "培训形式"]
    assert [f.row for f in form] == [7, 8]
    write_annotated(report, source, tmp_path / "marked.xlsx")
    copy_sheet = openpyxl.load_workbook(tmp_path / "marked.xlsx").worksheets[0]
    top = copy_sheet[f"{letter}7"].comment
    assert top is not None and top.text.count(form[0].message) == 2
    assert copy_sheet[f"{letter}5"].comment is None


def _raw_sheet_workbook(path: Path, rows: list[list[str]], *, prefixed: bool) -> None:
    """A workbook written by hand the way other writers do it: inline strings, a styles part
    with a bold font, and (``prefixed``) an ``x:`` namespace prefix and cells without ``r``."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    p = "x:" if prefixed else ""
    xmlns = f'xmlns:x="{main}"' if prefixed else f'xmlns="{main}"'
    body = []
    for number, values in enumerate(rows, start=1):
        cells = []
        for column, value in enumerate(values):
            ref = "" if prefixed else f' r="{chr(65 + column)}{number}"'
            cells.append(
                f'<{p}c{ref} s="1" t="inlineStr"><{p}is><{p}t>{value}</{p}t></{p}is></{p}c>'
            )
        body.append(f'<{p}row r="{number}">{"".join(cells)}</{p}row>')
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {xmlns} xmlns:r="{rel}">'
        f"<{p}sheetData>{''.join(body)}</{p}sheetData></{p}worksheet>"
    )
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{main}">'
        '<fonts count="2"><font><sz val="11"/><name val="宋体"/></font>'
        '<font><b/><sz val="12"/><name val="宋体"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override '
            'PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.styles+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            f'{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            '<sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            f'{rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
            f'Type="{rel}/styles" Target="styles.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/styles.xml": styles,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode())


@pytest.mark.parametrize("prefixed", [False, True], ids=["plain", "prefixed-no-refs"])
def test_a_workbook_from_another_writer(tmp_path: Path, prefixed: bool) -> None:
    """Inline strings, a namespace prefix and cells without references (as some writers
    produce them): the copy keeps each cell's value and bold text style; the marked cell gets
    a red variant of its own style."""
    rest = ["焊工", "高级工", "2008-01-01", "技师", "脱产", "合格"]
    rows = [
        GUANGXI_ROSTER_HEADER,
        ["张三", "男", make_resident_id("45010219800101001"), *rest],
        ["王五", "男", "450102198001010011", *rest],
    ]
    source = tmp_path / "roster.xlsx"
    _raw_sheet_workbook(source, rows, prefixed=prefixed)
    report = validate_sheet(source, load_program(GUANGXI))
    assert any((f.row, f.column) == (3, "身份证号") for f in report.findings)
    write_annotated(report, source, tmp_path / "marked.xlsx")
    marked = assert_faithful(source, tmp_path / "marked.xlsx", report)
    assert marked == {"C3"}
    sheet = openpyxl.load_workbook(tmp_path / "marked.xlsx").worksheets[0]
    assert sheet["C3"].font.b and sheet["C3"].number_format == "@"


@pytest.mark.slow
def test_a_copy_above_the_old_streaming_size_keeps_its_formatting(tmp_path: Path) -> None:
    """A sheet of more than 750,000 cells (formerly copied without formatting) keeps every
    cell's style index; only the marked cell's changes, to a variant with the same font."""
    rows = [GUANGXI_ROSTER_HEADER]
    first = dt.date(1960, 1, 1)
    for number in range(84_000):
        born = (first + dt.timedelta(days=number % 15_000)).strftime("%Y%m%d")
        identity = make_resident_id(f"450102{born}{2 * (number // 15_000) + 1:03d}")
        rows.append(
            ["张三", "男", identity, "焊工", "高级工", "2008-01-01", "技师", "脱产", "合格"]
        )
    rows.append(
        ["王五", "男", "450102198001010011", "焊工", "高级工", "2008-01-01", "技师", "脱产"]
    )
    source = tmp_path / "big.xlsx"
    _raw_sheet_workbook(source, rows, prefixed=False)
    report = validate_sheet(source, load_program(GUANGXI))
    assert [(f.row, f.column) for f in report.findings] == [(len(rows), "身份证号")]
    write_annotated(report, source, tmp_path / "marked.xlsx")
    with zipfile.ZipFile(source) as a, zipfile.ZipFile(tmp_path / "marked.xlsx") as b:
        before = a.read("xl/worksheets/sheet1.xml")
        after = b.read("xl/worksheets/sheet1.xml")
        styles = b.read("xl/styles.xml").decode()
    assert before.count(b'<c r="') == after.count(b'<c r="') > 750_000
    assert after.count(b' s="1"') == before.count(b' s="1"') - 1  # the marked cell's
    found = re.search(rb'<c r="C%d" s="(\d+)"' % len(rows), after)
    assert found is not None
    variant = found[1]
    xfs = styles.split("<cellXfs")[1].split("</cellXfs>")[0].split("<xf ")[1:]
    assert 'fontId="1"' in xfs[int(variant)] and 'numFmtId="49"' in xfs[int(variant)]


def _libreoffice_calc() -> str | None:
    program = shutil.which("soffice")
    if program is None:
        return None
    calc = Path(program).resolve().parent / "libsclo.so"
    installed = calc.exists() or Path("/usr/lib/libreoffice/program/libsclo.so").exists()
    return program if installed else None


def _convert(program: str, source: Path, kind: str, out: Path, profile: Path) -> Path:
    result = subprocess.run(
        [program, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", kind, "--outdir", str(out), str(source)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    produced = out / f"{source.stem}.{kind}"
    assert result.returncode == 0 and "Error" not in result.stderr, result.stderr
    assert produced.is_file(), (result.stdout, result.stderr)
    return produced


@pytest.mark.slow
@pytest.mark.skipif(_libreoffice_calc() is None, reason="LibreOffice Calc is not installed")
def test_libreoffice_opens_the_copy_and_a_workbook_it_wrote_is_patched_too(tmp_path: Path) -> None:
    """A roster saved by LibreOffice is annotated faithfully; LibreOffice converts the copy to
    PDF and back to .xlsx without an error, keeping the marks, comments and summary."""
    program = _libreoffice_calc()
    assert program is not None
    profile = tmp_path / "profile"
    dressed = _rich_roster(tmp_path)
    saved_by_lo = _convert(program, dressed, "xlsx", tmp_path / "lo", profile)
    for source in (dressed, saved_by_lo):
        report = validate_sheet(source, load_program(GUANGXI))
        marked = tmp_path / f"marked-{source.parent.name}.xlsx"
        write_annotated(report, source, marked)
        assert assert_faithful(source, marked, report) >= {"C5"}
        pdf = _convert(program, marked, "pdf", tmp_path / "pdf", profile)
        assert pdf.read_bytes().startswith(b"%PDF")
        back = openpyxl.load_workbook(_convert(program, marked, "xlsx", tmp_path / "back", profile))
        sheet = back["花名册"]
        assert _rgb(sheet["C5"]) == "FFFF9999" and sheet["C5"].comment is not None
        assert back.sheetnames[-1] == "问题汇总" and back["问题汇总"]["A1"].value == "行"


def test_a_workbook_that_cannot_be_patched_is_one_line_and_nothing_written(
    tmp_path: Path, guangxi_roster: Callable[..., Path]
) -> None:
    """A sheet XML cut short after it was read: InputError naming the file; no copy left."""
    source = guangxi_roster()
    report = validate_sheet(source, load_program(GUANGXI))
    report.findings.append(
        Finding(row=3, column="姓名", rule="x", severity="error", message="m", citation="c")
    )
    with zipfile.ZipFile(source) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"][:400]
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    with pytest.raises(InputError) as raised:
        write_annotated(report, source, tmp_path / "marked.xlsx")
    assert str(source) in str(raised.value.file)
    assert not (tmp_path / "marked.xlsx").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_mark_below_the_last_row_gets_its_row_and_the_dimension_grows(
    tmp_path: Path, guangxi_roster: Callable[..., Path]
) -> None:
    """A finding on a row the sheet's XML does not hold: the row is added in order with the
    marked cell, and the sheet's declared dimension grows to include it."""
    source = guangxi_roster()
    report = validate_sheet(source, load_program(GUANGXI))
    report.findings.append(
        Finding(row=40, column="鉴定结果", rule="x", severity="error", message="缺", citation="c")
    )
    write_annotated(report, source, tmp_path / "marked.xlsx")
    with zipfile.ZipFile(tmp_path / "marked.xlsx") as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:I40"/>' in xml
    assert xml.index(b'<row r="4"') < xml.index(b'<row r="40"') < xml.index(b"</sheetData>")
    sheet = openpyxl.load_workbook(tmp_path / "marked.xlsx").worksheets[0]
    assert _rgb(sheet["I40"]) == "FFFF9999" and sheet["I40"].comment is not None
    assert "缺" in sheet["I40"].comment.text


class _Member(io.BytesIO):
    """A zip member's writer that keeps what it is given, and fails on the chunk ``failing``."""

    def __init__(self, failing: bytes | None = None) -> None:
        super().__init__()
        self.written: list[bytes] = []
        self.failing = failing

    def write(self, data: Any) -> int:
        if data == self.failing:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.written.append(bytes(data))
        return len(data)


def test_the_rewritten_sheet_is_deflated_behind_in_order_and_its_failure_reaches_the_caller() -> (
    None
):
    """The marked sheet is written on a thread of its own: every chunk arrives in order by the
    end of the block; a write that fails there (a full disk) is raised to the caller, and an
    error of the block itself is the one raised."""
    member = _Member()
    chunks = [f"<row r={n}/>".encode() for n in range(200)]
    with xlsxpatch._written_behind(member) as stream:
        for chunk in chunks:
            stream.write(chunk)
    assert member.written == chunks
    failing = _Member(failing=chunks[3])
    with pytest.raises(OSError) as raised, xlsxpatch._written_behind(failing) as stream:
        for chunk in chunks:
            stream.write(chunk)
    assert raised.value.errno == errno.ENOSPC
    assert failing.written == chunks[:3]
    with (
        pytest.raises(ValueError, match="the block's own"),
        xlsxpatch._written_behind(_Member(failing=chunks[0])) as stream,
    ):
        stream.write(chunks[0])
        raise ValueError("the block's own")
