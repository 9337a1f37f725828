"""The reader's batches of columns: the same rows, cells and notes as the rows one at a time,
at any batch size; and the checking loop that makes a row's view only when one is needed."""

from __future__ import annotations

import datetime as dt
import inspect
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import GeneratorType
from typing import Any

import openpyxl
import pytest

from conftest import GUANGXI_ROSTER_HEADER, guangxi_clean_rows, make_resident_id, write_rows
from skillpolicy.check import validate
from skillpolicy.check.validate import Checker, make_context, open_sheet, validate_sheet
from skillpolicy.io.examples import BundledExample, bundled_examples
from skillpolicy.io.resources import SearchPath
from skillpolicy.io.sheet import SheetReader
from skillpolicy.ledger.reading import EmptyLedger
from skillpolicy.loading.programfiles import list_programs, load_program
from skillpolicy.policy.params import load_params
from skillpolicy.rules import RowView

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PEOPLE = [make_resident_id(f"4501021980031510{n}") for n in range(1, 8)]

Read = list[tuple[int, dict[str, Any], tuple[str, ...]]]


def _awkward_sheet(path: Path) -> Path:
    """A roster with every case the reader filters or fills: a title row, a merge down the
    培训机构 column, a blank and a whitespace-only row, the header repeated, a control
    character in a name, a hidden data row and a hidden blank row."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    rows: list[list[Any]] = [
        ["学员花名册"],
        ["姓名", "身份证号", "培训机构"],
        ["张三", PEOPLE[0], "甲学校"],  # row 3: 甲学校 merged down to row 5
        ["李四", PEOPLE[1], None],
        ["王五", PEOPLE[2], None],
        [None, None, None],  # row 6: blank
        ["  ", None, "\u3000"],  # row 7: only spaces
        ["姓名", "身份证号", "培训机构"],  # row 8: the header repeated on a printed page
        ["赵六XMARK", PEOPLE[3], "乙学校"],  # row 9: a control character in the name
        ["钱七", PEOPLE[4], "乙学校"],  # row 10: hidden
        [None, None, None],  # row 11: hidden and blank
        ["孙八", PEOPLE[5], "丙学校"],
    ]
    for row in rows:
        sheet.append(row)
    sheet.merge_cells("C3:C5")
    sheet.row_dimensions[10].hidden = True
    sheet.row_dimensions[11].hidden = True
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data.replace(b"XMARK", b"_x001B_"))
    return path


def _by_batches(path: Path, size: int) -> tuple[Read, list[int]]:
    reader = SheetReader(path)
    read: Read = []
    for batch in reader.batches(size):
        assert len(batch) > 0
        assert all(len(values) == len(batch) for values in batch.columns.values())
        for index, number in enumerate(batch.numbers):
            cells = {name: values[index] for name, values in batch.columns.items()}
            read.append((number, cells, batch.cleaned.get(index, ())))
    return read, reader.hidden_data_rows


def test_batches_fill_merges_skip_blank_and_header_rows_and_clean_controls(
    tmp_path: Path,
) -> None:
    """Columns of a batch hold each data row's cells: a merged 培训机构 filled down, blank,
    whitespace-only and repeated header rows left out, a control character removed and its
    column named, a hidden row with data recorded (a hidden blank one not)."""
    read, hidden = _by_batches(_awkward_sheet(tmp_path / "r.xlsx"), 4096)
    assert [(number, cells["姓名"], cells["培训机构"]) for number, cells, _ in read] == [
        (3, "张三", "甲学校"),
        (4, "李四", "甲学校"),
        (5, "王五", "甲学校"),
        (9, "赵六", "乙学校"),
        (10, "钱七", "乙学校"),
        (12, "孙八", "丙学校"),
    ]
    assert [cleaned for _, _, cleaned in read] == [(), (), (), ("姓名",), (), ()]
    assert hidden == [10]


@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_any_batch_size_reads_what_one_batch_reads(tmp_path: Path, size: int) -> None:
    """Batches of any size (a merge, a skipped row or the control character falling across
    their edges) give the rows, cells, cleaned columns and hidden rows of one whole batch."""
    path = _awkward_sheet(tmp_path / "r.xlsx")
    assert _by_batches(path, size) == _by_batches(path, 4096)


def test_rows_are_the_batches_rows_one_at_a_time(tmp_path: Path) -> None:
    """SheetReader.rows() (for explain and the forms) gives the batches' rows as Row objects:
    the same numbers, cells in the same order, and cleaned columns."""
    path = _awkward_sheet(tmp_path / "r.xlsx")
    reader = SheetReader(path)
    rows = [(row.number, row.cells, row.cleaned) for row in reader.rows()]
    assert rows == _by_batches(path, 3)[0]
    assert [list(cells) for _, cells, _ in rows] == [["姓名", "身份证号", "培训机构"]] * 6
    assert reader.hidden_data_rows == [10]


def test_a_column_of_few_repeated_values_is_interned_and_every_column_s_types_kept(
    tmp_path: Path,
) -> None:
    """A batch's columns that repeat few texts or dates hold each value as one object (equal
    cells are the same object); a column of distinct texts, or of numbers (0.0 equals -0.0,
    1 equals 1.0), is left as read; the batch keeps each sheet column's cell types."""
    day = dt.date(2013, 9, 16)
    rows: list[list[Any]] = [["姓名", "身份证号", "培训机构", "开班日期", "到课率"]]
    rows += [
        [f"学员{n}", PEOPLE[n % 7], "甲学校" if n % 2 else "乙学校", day, 0.9] for n in range(40)
    ]
    batch = next(SheetReader(write_rows(tmp_path / "r.xlsx", rows)).batches())
    institutions = batch.columns["培训机构"]
    assert len(set(map(id, institutions))) == 2
    assert len(set(map(id, batch.columns["开班日期"]))) == 1
    assert len(set(map(id, batch.columns["姓名"]))) == 40
    assert len(set(map(id, batch.columns["到课率"]))) == 40
    assert batch.types == {
        "姓名": {str},
        "身份证号": {str},
        "培训机构": {str},
        "开班日期": {dt.date},
        "到课率": {float},
    }


def test_a_sheet_wide_institution_is_a_column_of_every_row(
    guangxi_roster: Callable[..., Path],
) -> None:
    """A 培训机构 named with --institution (the sheet has no such column) is a column of the
    batch, every row holding it, after the sheet's own columns."""
    program = load_program("guangxi-2012-technician")
    reader = open_sheet(guangxi_roster(), program, institution="南宁市高级技工学校")
    batches = list(reader.batches())
    assert len(batches) == 1
    columns = batches[0].columns
    assert list(columns)[-1] == "培训机构"
    assert columns["培训机构"] == ["南宁市高级技工学校"] * len(batches[0])
    assert len(batches[0]) == 2


@pytest.mark.parametrize(
    "example", bundled_examples(EXAMPLES), ids=lambda example: example.path.stem
)
def test_a_checked_batch_has_the_findings_of_the_rows_checked_as_rows(
    example: BundledExample,
) -> None:
    """Checker.check_batch on the reader's columns finds, row for row, what check_rows finds
    on the same rows as Row objects (every bundled example, with its program and params)."""
    program = load_program(example.program)
    search = SearchPath("catalogs")
    params = load_params(EXAMPLES / "skillpolicy.toml", program, list_programs(search))
    by_columns: dict[int, list[Any]] = {}
    by_rows: dict[int, list[Any]] = {}
    reader = open_sheet(example.path, program, example.kind)
    columns = Checker(make_context(program, reader.layout, params=params, search=search))
    for batch in reader.batches():
        checked = columns.check_batch(batch)
        for index, findings in checked.flagged():
            by_columns[batch.numbers[index]] = [
                f for f in findings if f.rule != "control-characters"
            ]
    reader = open_sheet(example.path, program, example.kind)
    rows = Checker(make_context(program, reader.layout, params=params, search=search))
    for view, findings in rows.check_rows(list(reader.rows())):
        if findings:
            by_rows[view.number] = findings
    assert by_columns == by_rows
    assert columns.finish() == rows.finish()


def test_validate_makes_a_view_only_for_the_rows_with_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, guangxi_roster: Callable[..., Path]
) -> None:
    """validate with no consumer (and a ledger file not made yet) makes no RowView for a row
    without findings: the rows are counted, the flagged rows labelled."""
    made: list[int] = []

    class Counting(RowView):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            made.append(self.number)

    program = load_program("guangxi-2012-technician")
    wrong_id = ["林峰", *guangxi_clean_rows()[0][1:]]
    wrong_id[2] = "450102198003151"  # 15 digits: the identity rule's finding
    extra = [wrong_id]
    roster = guangxi_roster(extra=extra)
    plain = validate_sheet(roster, program)
    monkeypatch.setattr(validate, "RowView", Counting)
    ledger = EmptyLedger(str(tmp_path / "ledger.sqlite3"))
    report = validate_sheet(roster, program, ledger=ledger)
    flagged = sorted({f.row for f in report.findings if f.row is not None})
    assert report.rows == 3 and flagged == [5]
    assert made == flagged
    assert report.to_json() == plain.to_json()
    assert report.labels == plain.labels and list(report.labels) == [5]


def test_a_repeated_header_is_left_out_beside_a_sheet_wide_institution(
    guangxi_roster: Callable[..., Path],
) -> None:
    """A header repeated on a printed page is not a data row when the 培训机构 comes from
    --institution (the constant is not part of the sheet's header)."""
    program = load_program("guangxi-2012-technician")
    path = guangxi_roster(extra=[GUANGXI_ROSTER_HEADER], drop=["培训机构"])
    reader = open_sheet(path, program, institution="南宁市高级技工学校")
    assert [row.number for row in reader.rows()] == [3, 4]


def test_a_repeated_header_written_with_aliases_is_left_out(tmp_path: Path) -> None:
    """The header row written with an alias (身份证号码), repeated lower down as it was
    written, is left out like a header written with the columns' own names."""
    header = ["姓名", "身份证号码", "培训机构"]
    rows = [header, ["张三", PEOPLE[0], "甲学校"], header, ["李四", PEOPLE[1], "甲学校"]]
    path = write_rows(tmp_path / "r.xlsx", rows)
    assert [row.number for row in SheetReader(path).rows()] == [2, 4]


def test_the_reader_keeps_no_raw_rows_of_a_batch_it_handed_over() -> None:
    """While a batch is being checked the reader holds none of calamine's rows behind it (the
    batch's cells live in the batch alone and go with it), and the memo holds none of its
    columns once it is checked: one batch's cells alive at a time, not two."""
    program = load_program("xuchang-2013-revitalization")
    reader = open_sheet(EXAMPLES / "xuchang-2013-revitalization.xlsx", program)
    context = make_context(
        program,
        reader.layout,
        params=load_params(None, program, list_programs(SearchPath("catalogs"))),
        search=SearchPath("catalogs"),
    )
    checker = Checker(context)
    batches = reader.batches(2)
    assert isinstance(batches, GeneratorType)
    seen = 0
    for batch in batches:
        assert "chunk" not in inspect.getgeneratorlocals(batches)
        checker.check_batch(batch)
        assert not context.memo._columns
        seen += 1
    assert seen > 1


@pytest.mark.parametrize("says", [True, False])
def test_a_pure_rule_that_reads_no_cell_says_the_same_of_every_row(says: bool) -> None:
    """A pure rule with no input columns (the automatic column-type rule of a program without
    its own columns) is judged once a run: over two batches every row gets what the rule
    says of it alone (the finding with its own row number), or no row gets anything."""
    from collections.abc import Iterator

    from skillpolicy.domain.findings import Finding
    from skillpolicy.rules import Rule

    class Constant(Rule):
        pure = True

        def check(self, row: RowView) -> Iterator[Finding]:
            if says:
                yield self.finding(row.number, None, "每行都有")

    example = next(
        e for e in bundled_examples(EXAMPLES) if e.program == "xuchang-2013-revitalization"
    )
    program = load_program(example.program)
    search = SearchPath("catalogs")
    params = load_params(EXAMPLES / "skillpolicy.toml", program, list_programs(search))
    reader = open_sheet(example.path, program, example.kind)
    context = make_context(program, reader.layout, params=params, search=search)
    checker = Checker(context)
    rule = Constant(program.rules[0], context)
    checker.rules, checker._plan = [rule], [(rule, (), (), {})]
    rows = list(reader.rows())
    assert len(rows) > 2
    for part in (rows[:2], rows[2:]):
        for view, findings in checker.check_rows(part):
            assert findings == list(rule.check(view))
            assert [f.row for f in findings] == ([view.number] if says else [])


def test_a_pure_rule_of_one_input_is_keyed_by_the_cell_itself() -> None:
    """The outcome table of a pure rule that reads one cell (the in-force rule's 开班日期)
    is keyed by the cell itself, a bool cell kept apart from the number equal to it; with
    two inputs, by their tuple."""
    from skillpolicy.rules import Batch

    day = dt.date(2013, 9, 16)
    batch = Batch([3, 4, 5, 6], [{"a": day, "b": ""}, {"a": 1}, {"a": True}, {"a": day}])
    assert validate._outcome_keys(batch, ("a",), ()) == [day, 1, ("bool", True), day]
    assert validate._outcome_keys(batch, (), ("b",)) == [True, True, True, True]
    assert validate._outcome_keys(batch, ("a",), ("b",)) == [
        (day, True),
        (1, True),
        (("bool", True), True),
        (day, True),
    ]
