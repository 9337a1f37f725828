"""subsidy's fast paths (issue 16): a line's parts that one cell decides are computed once
per distinct value of that cell (:class:`~skillpolicy.compute.paylines.LineMaker`) and the
amounts once per distinct input; every line must be what the row-by-row functions make of
the same row, on every bundled example and on a roster of awkward cells."""

from __future__ import annotations

import datetime as dt
import tomllib
from copy import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import ROOT
from skillpolicy.compute.paylines import PayLine, amount_text, make_line
from skillpolicy.compute.paymethod import Method
from skillpolicy.compute.subsidy import paying_method, validate_and_compute
from skillpolicy.domain.errors import SkillpolicyError
from skillpolicy.domain.money import format_amount
from skillpolicy.io.resources import SearchPath
from skillpolicy.loading.programfiles import list_programs, load_program
from skillpolicy.policy.params import load_params
from skillpolicy.rules import CellProblem, RowView

EXAMPLES = ROOT / "examples"
PARAMS = EXAMPLES / "skillpolicy.toml"
SEARCH = SearchPath("catalogs")
XUCHANG = "xuchang-2013-revitalization"


def _paying_examples() -> list[tuple[str, str, str | None]]:
    data = tomllib.loads((EXAMPLES / "examples.toml").read_text(encoding="utf-8"))
    found = []
    for entry in data["example"]:
        program = load_program(entry["program"], SEARCH)
        if program.subsidies:
            found.append((entry["file"], entry["program"], entry.get("kind")))
    return found


def _outcome(method: Method, view: RowView) -> object:
    """The row's claims, or the problem that stops them (type and message)."""
    try:
        return method.claims(view)
    except (CellProblem, SkillpolicyError) as problem:
        return type(problem), str(problem)


def _assert_claims_as_row_by_row(path: Path, program_id: str, kind: str | None = None) -> int:
    """Claims of one Method over every row (amounts and conditions kept per distinct cells)
    against those of a fresh Method for each row, which has seen no other row."""
    program = load_program(program_id, SEARCH)
    params = load_params(PARAMS, program, list_programs(SEARCH))
    views: list[RowView] = []
    report, _ = validate_and_compute(
        path, program, mode="validate", params=params, kind=kind, search=SEARCH,
        on_row=views.append,
    )  # fmt: skip
    try:
        _, shared = paying_method(path, program, report.layout, params, SEARCH)
    except SkillpolicyError:
        return 0  # a sheet that pays nothing, or lacks what the money needs
    for view in views:
        _, fresh = paying_method(path, program, report.layout, params, SEARCH)
        assert _outcome(shared, view) == _outcome(fresh, view), f"{path.name} 第{view.number}行"
    return len(views)


def _lines_with_views(
    path: Path, program_id: str, kind: str | None = None
) -> list[tuple[PayLine, RowView]]:
    program = load_program(program_id, SEARCH)
    params = load_params(PARAMS, program, list_programs(SEARCH))
    views: dict[int, RowView] = {}
    _, payout = validate_and_compute(
        path,
        program,
        mode="validate",
        params=params,
        kind=kind,
        search=SEARCH,
        on_row=lambda view: views.__setitem__(view.number, view),
    )
    if payout is None:
        return []
    return [(line, views[line.row]) for line in payout.lines if line.row is not None]


def _assert_made_as_row_by_row(path: Path, program_id: str, kind: str | None = None) -> int:
    program = load_program(program_id, SEARCH)
    pairs = _lines_with_views(path, program_id, kind)
    for line, view in pairs:
        reference = make_line(
            view, program, line.name, line.subject, line.status, line.amount,
            line.payee_kind, line.payee, line.basis, line.reasons, line.tranche,
        )  # fmt: skip
        assert line == reference, f"{path.name} 第{line.row}行"
    return len(pairs)


def test_every_example_line_is_what_make_line_makes() -> None:
    """On every bundled example sheet that pays (rosters, designations, awards, technicians),
    each line (key, occupation, level, target, year, facts) equals make_line's for its row."""
    made = {
        name: _assert_made_as_row_by_row(EXAMPLES / name, program_id, kind)
        for name, program_id, kind in _paying_examples()
    }
    assert sum(made.values()) > 100
    assert made["jincheng-2022-workstation-designation.xlsx"] > 0  # two tranches a row
    assert made["xuchang-2013-revitalization-awards.xlsx"] > 0


def test_every_example_rows_claims_are_what_a_fresh_method_claims() -> None:
    """On every bundled example sheet that pays, each row's claims (amount, basis, payee,
    refusal, pending note) from one Method that has seen the rows before equal those of a
    Method that sees that row alone."""
    checked = {
        name: _assert_claims_as_row_by_row(EXAMPLES / name, program_id, kind)
        for name, program_id, kind in _paying_examples()
    }
    assert sum(checked.values()) > 100
    assert checked["jincheng-2022-training-base-designation.xlsx"] > 0


# awkward values for the cells a line reads alone: the same number as int, float, bool and
# text, signed zeros, dates as cells, text and serials, unreadable and oversized values
_AWKWARD: dict[str, list[Any]] = {
    "开班日期": [dt.datetime(2013, 9, 2), "2013/9/2", "2013年9月2日", "2013-13-01", 41519, None],
    "结业日期": ["2013-10-11", dt.datetime(2013, 10, 11), "2013.10.11", "不详", "", 41558.0],
    "到课率": [0.85, "85%", 60, "", 1, 1.0, True, "0.850", 0.0, -0.0],
    "抽查次数": [3, 3.0, "3", True, 0.0, -0.0, 1e20, "abc", None, 2**70],
    "鉴定结果": ["合格", " 合格 ", "不合格", "", None, "待定", 1, True],
    "申报等级": ["初级工", "五级", "中级", "特级", None, 1, 1.0],
    "培训类别": ["农村劳动力培训", "“农村劳动力培训”", "未知类别", None, 1, True, 1.0],
    "职业（工种）": ["电焊工", "电焊工 ", 7, 7.0, None],
    "所在地": ["许昌县", None, 1, True, "魏都区"],
    "培训类型": ["就业技能培训", "创业培训", 1, None, "就业技能培训 ", "岗位技能提升培训"],
    "补贴领取方式": ["委托培训机构", "本人领取", None, 1, True, " 委托 ", ""],
    "培训机构": ["许昌技校", "", None, 1, "许昌技校 "],
}


def test_awkward_cells_make_the_same_lines_as_row_by_row(tmp_path: Path) -> None:
    """A Xuchang roster whose cells take equal-looking values of different types (1, 1.0,
    True, "1", -0.0 and 0.0), unreadable dates and counts, and oversized numbers: every line
    equals make_line's for its row and every row's claims a fresh Method's, whatever value of
    a column was seen first."""
    book = openpyxl.load_workbook(EXAMPLES / "xuchang-2013-revitalization.xlsx")
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[3]]
    data_rows = range(4, sheet.max_row + 1)
    name_column = headers.index("姓名") + 1
    people = [row for row in data_rows if sheet.cell(row=row, column=name_column).value]
    for offset, row in enumerate(people):
        for place, (column, values) in enumerate(_AWKWARD.items()):
            cell = sheet.cell(row=row, column=headers.index(column) + 1)
            cell.value = values[(offset + 3 * place) % len(values)]
    path = tmp_path / "awkward.xlsx"
    book.save(path)
    assert _assert_made_as_row_by_row(path, "xuchang-2013-revitalization") > 20
    assert _assert_claims_as_row_by_row(path, "xuchang-2013-revitalization") > 20


def test_amount_text_is_format_amount_whatever_came_first() -> None:
    """A line's amount as JSON prints it, kept per distinct amount, is format_amount's for
    equal amounts written differently (1900 after 1900.000, -0 after 0, half a fen) and
    still refuses what format_amount refuses."""
    amounts = ["1900.000", "1900", "1.9E+3", "0", "-0", "-0.00", "0.005", "0.004", "1E-9",
               "123456789012.345", "800.10", "800.1"]  # fmt: skip
    for text in [*amounts, *reversed(amounts)]:
        assert amount_text(Decimal(text)) == format_amount(Decimal(text)), text
    for bad in ("NaN", "sNaN", "Infinity"):
        with pytest.raises(ValueError):
            format_amount(Decimal(bad))
        with pytest.raises(ValueError):
            amount_text(Decimal(bad))


class _KeepsNothing(dict[Any, Any]):
    """A table of looks that never keeps one: every cell styled the slow way."""

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


def _cells(book: Any) -> list[tuple[Any, ...]]:
    return [
        (sheet.title, cell.coordinate, cell.value, cell.data_type, cell.number_format,
         *(repr(copy(style)) for style in (cell.font, cell.fill, cell.border, cell.alignment)))
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
    ] + [
        (sheet.title, row, dimension.height)
        for sheet in book.worksheets
        for row, dimension in sorted(sheet.row_dimensions.items())
    ]  # fmt: skip


def test_payout_workbook_cells_styled_from_kept_looks_match_cells_styled_one_by_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The payout schedule's table cells take the style indexes of the first cell of the same
    look: every cell's value, number format, font, fill, border, alignment and every row's
    height equal those of a schedule whose cells are each styled one by one."""
    from skillpolicy.outputs import payouts

    lines = _lines_with_views(EXAMPLES / "xuchang-2013-revitalization.xlsx", XUCHANG)
    program = load_program(XUCHANG, SEARCH)
    params = load_params(PARAMS, program, list_programs(SEARCH))
    _, payout = validate_and_compute(
        EXAMPLES / "xuchang-2013-revitalization.xlsx", program, mode="subsidy",
        params=params, search=SEARCH,
    )  # fmt: skip
    assert payout is not None and len(lines) == len(payout.lines)
    day = dt.date(2024, 5, 6)
    kept = _cells(payouts.build_payout_workbook(payout, today=day))
    made = payouts._SheetWriter.__init__

    def one_by_one(self: Any, *args: Any) -> None:
        made(self, *args)
        self._looks = _KeepsNothing()

    monkeypatch.setattr(payouts._SheetWriter, "__init__", one_by_one)
    assert kept == _cells(payouts.build_payout_workbook(payout, today=day))
    assert len(kept) > 500


def test_payout_json_text_is_the_masked_json_of_its_payload(tmp_path: Path) -> None:
    """A payout's JSON text written line by line from the lines' fields equals the masked
    encoding of its payload, for every example that pays and for lines with reasons, a
    tranche, no row, and names and payees holding numbers after a line break or quotes."""
    from skillpolicy.domain.findings import Finding
    from skillpolicy.domain.jsontext import masked_json

    checked = 0
    for name, program_id, kind in _paying_examples():
        program = load_program(program_id, SEARCH)
        params = load_params(PARAMS, program, list_programs(SEARCH))
        _, payout = validate_and_compute(
            EXAMPLES / name, program, mode="validate", params=params, kind=kind, search=SEARCH
        )
        if payout is None:
            continue
        assert payout.json_text() == masked_json(payout.to_json()), name
        checked += len(payout.lines)
        if name == "xuchang-2013-revitalization.xlsx":
            awkward = payout
    assert checked > 100
    first = awkward.lines[0]
    reason = Finding(3, "姓名", "identity", "error", "身份证号「110101199003071234」有误", "第三条")
    awkward.lines[:] = [
        first,
        PayLine(None, "张三\n13812345678", "110101199003071234", "paid", Decimal("1.9E+3"),
                "trainee", '许昌"技校"\\', "k", "", [], 2),
        PayLine(7, "\u2028李四\x00", "4110", "refused", Decimal("-0"), "unit", "", "k", "",
                [reason], None),
        PayLine(8, "王五", "", "pending", Decimal("123456789012345"), "institution",
                "电话 0371-5870650", "k", "", [], 1),
    ]  # fmt: skip
    assert awkward.json_text() == masked_json(awkward.to_json())
    awkward.lines[:] = []
    assert awkward.json_text() == masked_json(awkward.to_json())
