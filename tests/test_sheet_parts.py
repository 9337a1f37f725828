"""A large sheet read in parts on a second thread reads exactly as the whole-sheet parse does:
every example and odd input, merges and gaps across the cuts, errors at the same row; the
cuts are made only where they cannot change what is read; nothing is left behind."""

from __future__ import annotations

import datetime as dt
import gc
import importlib.util
import re
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from conftest import (
    GUANGXI_ROSTER_HEADER,
    guangxi_clean_rows,
    plant_unconvertible_date,
    write_rows,
)
from corpus.build import (
    BUILDERS,
    SHEET_OPEN,
    build,
    clean_rows,
    package,
    roster_rows_xml,
    row_xml,
    sheet_xml,
)
from inprocess import run_main
from skillpolicy.check.validate import validate_sheet
from skillpolicy.domain.errors import InputError
from skillpolicy.io import sheetparts, xlsxguard
from skillpolicy.io.sheet import SheetReader, sniff_workbook
from skillpolicy.loading.programfiles import load_program

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").rglob("*.xlsx"))
# the corpus cases a reader gets to read (the rest are refused before any parse)
READ_CASES = sorted(
    set(BUILDERS)
    - {
        "not-a-zip", "empty-file", "truncated-xlsx", "corrupt-member", "encrypted-workbook",
        "old-xls", "csv-as-xlsx", "ods-as-xlsx", "docx-as-xlsx", "zip-bomb", "zip-bomb-lying",
        "huge-shared-strings", "dimension-xfd", "far-cell",
    }
)  # fmt: skip


@pytest.fixture
def in_parts(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every sheet read in parts of a few hundred bytes; records whether each was."""
    used: list[bool] = []
    opened = sheetparts.PartsWriting.open

    def recording(self: sheetparts.PartsWriting) -> sheetparts.PartedSheet | None:
        parted = opened(self)
        if sheetparts.PARTED_FROM_BYTES == 0:  # not the whole-sheet read compared with
            used.append(parted is not None)
        return parted

    monkeypatch.setattr(sheetparts, "PARTED_FROM_BYTES", 0)
    monkeypatch.setattr(sheetparts, "PART_BYTES", 300)
    monkeypatch.setattr(sheetparts.PartsWriting, "open", recording)
    return used


@dataclass
class Temporaries:
    """A temporary folder of the test's own, and how many files were made in it."""

    folder: Path
    made: int = 0

    def left(self) -> list[Path]:
        return list(self.folder.iterdir())


@pytest.fixture
def temporaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Temporaries:
    """Python's temporary folder made a fresh one, with the files made there counted."""
    kept = Temporaries(tmp_path / "tmp")
    kept.folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(kept.folder))
    mkstemp = tempfile.mkstemp

    def counted(*args: Any, **kwargs: Any) -> tuple[int, str]:
        kept.made += 1
        return mkstemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", counted)
    return kept


def read_all(path: Path) -> tuple[str, Any]:
    """Everything a reader gives of ``path``, or the one line it refuses it with."""
    try:
        reader = SheetReader(path)
        batches = [(b.numbers, b.columns, b.cleaned) for b in reader.batches(size=7)]
        return "read", (reader.layout, reader._merges, batches, reader.hidden_data_rows)
    except InputError as error:
        return "refused", str(error)


def whole(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Any]:
    """What the whole-sheet parse reads of ``path``."""
    with monkeypatch.context() as patch:
        patch.setattr(sheetparts, "PARTED_FROM_BYTES", 1 << 62)
        return read_all(path)


def read_as_whole(
    path: Path, monkeypatch: pytest.MonkeyPatch, in_parts: list[bool], *, parted: bool = True
) -> tuple[str, Any]:
    """Assert that a reader gives of ``path`` what the whole-sheet parse gives, having read it
    in parts (``parted``) or whole; what it gave."""
    expected = whole(path, monkeypatch)
    assert read_all(path) == expected
    assert in_parts == [parted]
    return expected


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_reads_the_same_in_parts(
    path: Path, in_parts: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each bundled example, cut into parts of 300 bytes, gives the same layout, rows,
    merges and hidden rows as when parsed whole."""
    read_as_whole(path, monkeypatch, in_parts)


@pytest.mark.parametrize("case", READ_CASES)
def test_every_odd_input_reads_the_same_in_parts(
    case: str, tmp_path: Path, in_parts: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each odd input of the corpus (merges over the sheet, hidden rows, control characters,
    dates out of range, cells without references...) reads, or is refused, the same in parts."""
    path = build(case, tmp_path)
    if case == "empty-cells":  # 40 MB of empty cells: a part per 300 bytes would be 130,000
        monkeypatch.setattr(sheetparts, "PART_BYTES", 1 << 20)
    assert read_all(path) == whole(path, monkeypatch)


def _padded_roster(path: Path) -> Path:
    """A roster beginning at C4, a vertical merge over a cut, rows whose last cells are
    empty for a whole part, and empty rows between parts."""
    book = openpyxl.Workbook()
    table = book.active
    assert table is not None
    table.cell(row=4, column=3, value="学员花名册")
    for offset, value in enumerate(GUANGXI_ROSTER_HEADER):
        table.cell(row=5, column=3 + offset, value=value)
    rows = guangxi_clean_rows() * 60
    number = 6
    for index, values in enumerate(rows):
        if index % 40 == 39:
            number += 25  # a gap of empty rows
        for offset, value in enumerate(values):
            if 20 <= index < 45 and offset >= 6:
                continue  # a stretch without the last columns
            table.cell(row=number, column=3 + offset, value=value)
        number += 1
    table.merge_cells(start_row=10, start_column=10, end_row=30, end_column=10)
    table.cell(row=number + 3, column=1, value="备注：左侧一列只在末尾")
    book.save(path)
    return path


def test_a_sheet_off_the_corner_with_merges_and_gaps_reads_the_same_in_parts(
    tmp_path: Path, in_parts: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parts that start at other rows and columns than the sheet, a merge filling down
    across a cut, and a note left of every column at the end read as the whole sheet does."""
    path = _padded_roster(tmp_path / "padded.xlsx")
    expected = read_as_whole(path, monkeypatch, in_parts)
    assert expected[0] == "read"


def test_dates_of_a_1904_workbook_read_the_same_in_parts(
    tmp_path: Path, in_parts: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workbook counting dates from 1904 keeps doing so in parts."""
    path = write_rows(tmp_path / "r.xlsx", [GUANGXI_ROSTER_HEADER, *guangxi_clean_rows() * 30])
    book = openpyxl.load_workbook(path)
    book.epoch = CALENDAR_MAC_1904
    book.save(path)
    expected = whole(path, monkeypatch)
    got = read_all(path)
    assert got == expected
    dates = [d for _, columns, _ in got[1][2] for d in columns["取证日期"]]
    assert dt.datetime(2008, 1, 1) in dates or dt.date(2008, 1, 1) in dates


def _raw_roster(path: Path, rows: list[str], *, extra: str = "") -> Path:
    return package(path, [("花名册", "visible", sheet_xml([*rows, extra]))])


def _trainee_rows(count: int) -> list[str]:
    """The corpus roster's rows as XML: title, header, then ``count`` trainees from row 3."""
    trainees = clean_rows()
    return roster_rows_xml((trainees * count)[:count])


def test_a_cell_numbered_before_the_rows_above_it_is_refused_in_parts(
    tmp_path: Path, in_parts: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crafted sheet whose last row element holds a cell of row 5: parsed whole it is put
    in its place, in parts it cannot be, so it is refused with one line naming the row."""
    rows = _trainee_rows(40)
    moved = row_xml(99, ["插队"]).replace('r="99"', 'r="1000"', 1).replace('"A99"', '"K5"')
    path = _raw_roster(tmp_path / "crafted.xlsx", [*rows, moved])
    assert whole(path, monkeypatch)[0] == "read"
    outcome, message = read_all(path)
    assert outcome == "refused"
    assert "行号顺序错乱" in message and "第5行" in message


def test_a_sheet_with_a_comment_among_its_rows_is_parsed_whole(
    tmp_path: Path, in_parts: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A comment (or CDATA) among the rows could hide text like a row: such a sheet is not
    cut, and reads as always."""
    rows = _trainee_rows(40)
    rows.insert(10, '<!-- <row r="2"><c r="A2"><v>1</v></c></row> -->')
    path = _raw_roster(tmp_path / "commented.xlsx", rows)
    read_as_whole(path, monkeypatch, in_parts, parted=False)


def test_rows_without_numbers_are_never_cut_before(
    tmp_path: Path, in_parts: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows written without their r attribute count on from the row before: a cut is made
    only before a numbered row, so every row keeps its number."""
    unnumbered = '<row spans="1:16">'  # as some writers put it, cells without references too
    rows = [
        row
        if index % 3 == 0 or index < 2
        else re.sub(r' r="[A-Z]+\d+"', "", row.replace(row[: row.index(">") + 1], unnumbered))
        for index, row in enumerate(_trainee_rows(60))
    ]
    path = _raw_roster(tmp_path / "unnumbered.xlsx", rows)
    expected = read_as_whole(path, monkeypatch, in_parts)
    assert expected[0] == "read"


def test_a_date_out_of_range_in_a_later_part_names_the_same_row(
    tmp_path: Path, in_parts: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A date calamine cannot convert, far down the sheet, stops the reader with the same
    line, naming the same cell, as the whole-sheet parse."""
    path = write_rows(tmp_path / "r.xlsx", [GUANGXI_ROSTER_HEADER, *guangxi_clean_rows() * 100])
    plant_unconvertible_date(path, "F150")
    expected = read_as_whole(path, monkeypatch, in_parts)
    assert expected[0] == "refused" and "F150" in expected[1]


def _parts_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "skillpolicy-sheet-parts"]


def test_the_parsing_thread_ends_and_no_file_is_left(
    tmp_path: Path, in_parts: list[bool], temporaries: Temporaries
) -> None:
    """A reader dropped after its first batch stops the thread parsing its parts; the
    temporary workbook of parts is gone from the temporary folder as soon as it is open."""
    path = write_rows(tmp_path / "r.xlsx", [GUANGXI_ROSTER_HEADER, *guangxi_clean_rows() * 2000])
    reader = SheetReader(path)
    assert temporaries.left() == []
    next(reader.batches(size=5))
    assert _parts_threads()
    del reader
    gc.collect()
    deadline = time.monotonic() + 5
    while _parts_threads() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _parts_threads()
    assert in_parts == [True]


def _bench_roster(path: Path, rows: int) -> Path:
    spec = importlib.util.spec_from_file_location(
        "bench_validate", ROOT / "benchmarks" / "bench_validate.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_validate", bench)  # its dataclasses look their module up
    spec.loader.exec_module(bench)
    bench.write_roster(path, rows)
    return path


def test_validate_of_a_roster_in_parts_is_the_whole_sheet_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The benchmark's xuchang roster of 3,000 rows (planted errors in 1%) cut into parts of
    64 KB: validate's report is the whole-sheet parse's, to the byte."""
    path = _bench_roster(tmp_path / "roster.xlsx", 3000)
    program = load_program("xuchang-2013-revitalization")
    with monkeypatch.context() as patch:
        patch.setattr(sheetparts, "PARTED_FROM_BYTES", 1 << 62)
        expected = validate_sheet(path, program).to_json()
    monkeypatch.setattr(sheetparts, "PARTED_FROM_BYTES", 0)
    monkeypatch.setattr(sheetparts, "PART_BYTES", 64 * 1024)
    parted = sheetparts.open_parted(path)
    assert parted is not None and parted.parts > 10
    del parted
    assert validate_sheet(path, program).to_json() == expected


def test_only_a_large_sheet_is_parted(tmp_path: Path) -> None:
    """Below PARTED_FROM_BYTES of sheet XML the sheet is parsed whole (no thread, no file)."""
    path = write_rows(tmp_path / "r.xlsx", [GUANGXI_ROSTER_HEADER, *guangxi_clean_rows()])
    assert sheetparts.open_parted(path) is None


def test_a_workbook_the_guard_refuses_leaves_no_parts_behind(
    tmp_path: Path,
    in_parts: list[bool],
    monkeypatch: pytest.MonkeyPatch,
    temporaries: Temporaries,
) -> None:
    """The parts are written while the guard reads the file; when it refuses the file (a
    cell far beyond the roster) the refusal is the one it always gave, and the parts are
    deleted unopened."""
    path = build("far-cell", tmp_path / "case")
    expected = whole(path, monkeypatch)
    assert expected[0] == "refused"
    assert read_all(path) == expected
    assert in_parts == []  # never opened
    assert temporaries.left() == []


def test_the_command_line_reads_a_large_sheet_in_parts(
    tmp_path: Path,
    in_parts: list[bool],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``validate --format json`` (which opens the workbook ahead) reads in parts and prints
    what the whole-sheet parse gives."""
    path = write_rows(tmp_path / "r.xlsx", [GUANGXI_ROSTER_HEADER, *guangxi_clean_rows() * 50])
    args = ("validate", path, "--program", "guangxi-2012-technician", "--format", "json")
    with monkeypatch.context() as patch:
        patch.setattr(sheetparts, "PARTED_FROM_BYTES", 1 << 62)
        expected = run_main(*args, cwd=tmp_path, capsys=capsys, monkeypatch=patch)
    got = run_main(*args, cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
    assert in_parts[-1:] == [True]
    assert (got.code, got.out, got.err) == (expected.code, expected.out, expected.err)
    assert '"rows": 100' in got.out or '"rows":100' in got.out


def test_a_small_workbook_makes_no_temporary_file(tmp_path: Path, temporaries: Temporaries) -> None:
    """Reading a sheet below PARTED_FROM_BYTES creates nothing in the temporary folder."""
    path = write_rows(tmp_path / "r.xlsx", [GUANGXI_ROSTER_HEADER, *guangxi_clean_rows()])
    assert len(list(SheetReader(path).rows())) == 2
    assert temporaries.made == 0


def test_a_part_repeats_only_the_worksheet_start_tag(
    tmp_path: Path, in_parts: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each part opens with the sheet's XML declaration and ``<worksheet>`` start tag alone
    (a quoted ">" inside it kept whole), not the column widths and views before the rows,
    and the sheet reads as it does whole."""
    opening = SHEET_OPEN.replace("<worksheet ", '<worksheet xmlns:q="urn:q" q:note="a>b" ')
    views = '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    widths = "<cols>" + '<col min="1" max="3" width="12"/>' * 50 + "</cols>"
    path = package(
        tmp_path / "head.xlsx",
        [
            (
                "花名册",
                "visible",
                sheet_xml(_trainee_rows(40), before=views + widths, opening=opening),
            )
        ],
    )
    head = (opening + views + widths).encode()
    assert sheetparts._opening(head) == opening.encode()
    assert read_all(path) == whole(path, monkeypatch)
    assert in_parts == [True]


def test_the_parts_are_written_from_the_bytes_the_guard_inflated(
    tmp_path: Path, in_parts: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader inflates the sheet's XML once: the parts are written from what the workbook
    guard inflated, never from the sheet opened again in the archive, and read as the
    whole-sheet parse does."""
    path = write_rows(tmp_path / "r.xlsx", [GUANGXI_ROSTER_HEADER, *guangxi_clean_rows() * 40])
    expected = whole(path, monkeypatch)
    opened: list[str] = []
    member = zipfile.ZipFile.open

    def recorded(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(name if isinstance(name, str) else name.filename)
        return member(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", recorded)
    assert read_all(path) == expected
    assert in_parts == [True]
    assert "xl/worksheets/sheet1.xml" not in opened


def test_a_sheet_the_guard_never_told_of_is_parsed_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, temporaries: Temporaries
) -> None:
    """Parts writing from a guard that returned without telling it the sheet's bytes gives
    no parts (the whole-sheet parse reads the sheet) and leaves no file behind."""
    path = write_rows(tmp_path / "r.xlsx", [GUANGXI_ROSTER_HEADER, *guangxi_clean_rows() * 40])
    monkeypatch.setattr(sheetparts, "PARTED_FROM_BYTES", 0)
    writing = sheetparts.PartsWriting(path, tapped=True)
    assert writing.tap is not None
    writing.tap("xl/worksheets/other.xml", b"<worksheet>")  # not the sheet: ignored
    writing.guard_done()
    assert writing.open() is None
    assert temporaries.made >= 1 and temporaries.left() == []


def test_the_guard_is_not_held_up_by_a_sheet_that_is_not_parted(tmp_path: Path) -> None:
    """For a small sheet the tapped guard is never kept waiting: it accepts the workbook
    with the writer gone, and nothing is parted."""
    path = write_rows(tmp_path / "r.xlsx", [GUANGXI_ROSTER_HEADER, *guangxi_clean_rows()])
    writing = sheetparts.PartsWriting(path, tapped=True)
    assert writing.tap is not None
    writing._done.wait(5)
    started = time.monotonic()
    for _ in range(100):  # far more than the chunks it holds: each returns at once
        writing.tap("xl/worksheets/sheet1.xml", b"<row/>")
    assert time.monotonic() - started < 2
    assert sniff_workbook(path, writing.tap) == {}
    writing.guard_done()
    assert writing.open() is None


def test_rows_of_parts_of_other_widths_give_the_same_columns(
    tmp_path: Path, in_parts: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A roster whose every column is known, with a stray note beyond its header in a later
    row (so the later parts' rows are wider than the first's): each batch's columns hold the
    cells the whole-sheet parse gives, in batches across the widening."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "身份证号", "培训机构"])
    for n in range(60):
        sheet.append([f"学员{n}", f"45010219800315{n:04d}", "甲学校"])
    sheet["F45"] = "备注"
    path = tmp_path / "r.xlsx"
    book.save(path)
    expected = read_as_whole(path, monkeypatch, in_parts)
    assert expected[0] == "read"


class _Opened:
    """python_calamine as sheetparts sees it, noting each workbook opened (and when)."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.event = threading.Event()
        recorder = self

        class Workbook:
            @staticmethod
            def from_path(path: str) -> Any:
                recorder.paths.append(path)
                recorder.event.set()
                return python_calamine.CalamineWorkbook.from_path(path)

        self.CalamineWorkbook = Workbook
        self.CalamineError = python_calamine.CalamineError


def _sheet_chunks(path: Path, size: int = 4096) -> list[bytes]:
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    return [xml[k : k + size] for k in range(0, len(xml), size)]


def test_the_first_parts_are_opened_once_the_shared_strings_pass_before_the_sheet_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first eighth of a large sheet is a workbook of its own, opened (its shared
    strings read) only once the guard has let the shared strings and styles pass, and then
    before the guard has read the end of the sheet; the sheet still reads as it does whole."""
    path = _bench_roster(tmp_path / "roster.xlsx", 600)
    with zipfile.ZipFile(path) as archive:
        assert {"xl/sharedStrings.xml", "xl/styles.xml"} <= set(archive.namelist())
    expected = whole(path, monkeypatch)
    monkeypatch.setattr(sheetparts, "PARTED_FROM_BYTES", 0)
    monkeypatch.setattr(sheetparts, "PART_BYTES", 16 * 1024)
    opened = _Opened()
    monkeypatch.setattr(sheetparts, "python_calamine", opened)
    writing = sheetparts.PartsWriting(path, tapped=True)
    tap = writing.tap
    assert tap is not None
    tap("xl/styles.xml", b"")
    *body, end = _sheet_chunks(path)
    for chunk in body:
        tap("xl/worksheets/sheet1.xml", chunk)
    assert not opened.event.wait(0.5)  # the shared strings have not passed the guard
    tap("xl/sharedStrings.xml", b"")
    assert opened.event.wait(5)  # opened with the end of the sheet still unread
    first = opened.paths[0]
    tap("xl/worksheets/sheet1.xml", end)
    tap("xl/worksheets/sheet1.xml", b"")
    writing.guard_done()
    parted = writing.open()
    assert parted is not None
    assert opened.paths[0] == first and len(set(opened.paths)) == 3  # + the rest, the merges
    del parted
    monkeypatch.setattr(sheetparts, "python_calamine", python_calamine)
    assert read_all(path) == expected


def test_a_sheet_in_two_workbooks_of_parts_reads_the_same_and_leaves_no_file(
    tmp_path: Path,
    in_parts: list[bool],
    monkeypatch: pytest.MonkeyPatch,
    temporaries: Temporaries,
) -> None:
    """A sheet cut into a first workbook of parts and a second (opened while the first's
    parts are read) reads as the whole-sheet parse does, and no temporary file is left."""
    path = write_rows(tmp_path / "r.xlsx", [GUANGXI_ROSTER_HEADER, *guangxi_clean_rows() * 400])
    expected = whole(path, monkeypatch)
    monkeypatch.setattr(sheetparts, "PART_BYTES", 16 * 1024)
    assert read_all(path) == expected
    assert in_parts == [True]
    assert temporaries.made == 3  # the first eighth, the rest, the merged ranges
    assert temporaries.left() == []


@pytest.mark.parametrize("markup", ["<!-- a note -->", "<![CDATA[x]]>", "<?note x?>"])
@pytest.mark.parametrize("chunk", [7, 4 * 1024 * 1024])
def test_markup_among_the_rows_is_found_across_the_guard_s_chunks(
    tmp_path: Path,
    in_parts: list[bool],
    monkeypatch: pytest.MonkeyPatch,
    markup: str,
    chunk: int,
) -> None:
    """A comment, CDATA or processing instruction among the rows leaves the sheet whole
    wherever the guard's inflated chunks happen to end (in the middle of its "<!" or "<?"
    too), and the sheet reads as always."""
    rows = _trainee_rows(40)
    rows.insert(10, markup)
    path = _raw_roster(tmp_path / "marked.xlsx", rows)
    monkeypatch.setattr(xlsxguard, "_OUT", chunk)
    read_as_whole(path, monkeypatch, in_parts, parted=False)


def test_a_workbook_laid_out_as_excel_writes_it_opens_its_first_parts_early(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a workbook laid out as Excel writes it (styles and shared strings after the
    sheet), the guard checks the styles and shared strings ahead, beside the sheet, so the
    first workbook of parts is opened before the guard has read the end of the sheet."""
    source = _bench_roster(tmp_path / "roster.xlsx", 600)
    path = tmp_path / "excel-order.xlsx"
    with zipfile.ZipFile(source) as original:
        members = {info.filename: original.read(info) for info in original.infolist()}
    last = ("xl/styles.xml", "xl/sharedStrings.xml")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in [*(n for n in members if n not in last), *last]:
            archive.writestr(name, members[name])
    monkeypatch.setattr(sheetparts, "PARTED_FROM_BYTES", 0)
    monkeypatch.setattr(sheetparts, "PART_BYTES", 16 * 1024)
    monkeypatch.setattr(xlsxguard, "_AHEAD_FLOOR", 1024)  # the sheet is a big part
    monkeypatch.setattr(xlsxguard, "_OUT", 16 * 1024)  # inflated a little at a time
    opened = _Opened()
    monkeypatch.setattr(sheetparts, "python_calamine", opened)
    writing = sheetparts.PartsWriting(path, tapped=True)
    tap = writing.tap
    assert tap is not None

    def held(name: str, data: bytes) -> None:
        if name == "xl/worksheets/sheet1.xml" and not data:  # the sheet's end, once opened
            assert opened.event.wait(10)
        tap(name, data)

    assert sniff_workbook(path, held) == {}
    writing.guard_done()
    assert writing.open() is not None


def test_first_parts_opened_early_then_refused_leave_nothing_and_the_guard_s_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, temporaries: Temporaries
) -> None:
    """A sheet whose first parts were opened while the guard read on, and which the guard
    then refuses (a cell far beyond the roster at its end), is refused with the line the
    whole-sheet read gives, and no temporary file is left."""
    path = _raw_roster(
        tmp_path / "far.xlsx",
        _trainee_rows(400),
        extra='<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    )
    expected = whole(path, monkeypatch)
    assert expected[0] == "refused"
    monkeypatch.setattr(sheetparts, "PARTED_FROM_BYTES", 0)
    monkeypatch.setattr(sheetparts, "PART_BYTES", 4 * 1024)
    monkeypatch.setattr(xlsxguard, "_OUT", 4 * 1024)
    opened = _Opened()
    monkeypatch.setattr(sheetparts, "python_calamine", opened)
    with zipfile.ZipFile(path) as archive:
        size = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    told = [0]
    tap = sheetparts._Tap.__call__

    def held(self: sheetparts._Tap, name: str, data: bytes) -> None:
        if name == "xl/worksheets/sheet1.xml":
            told[0] += len(data)
            if told[0] > size // 2:  # past half the sheet, its first parts are open
                assert opened.event.wait(10)
        tap(self, name, data)

    monkeypatch.setattr(sheetparts._Tap, "__call__", held)
    assert read_all(path) == expected
    assert opened.paths  # the first parts were opened before the refusal
    assert temporaries.left() == []
