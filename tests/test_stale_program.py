"""in_force and the stale-program warning: a sheet outside the program's period is flagged."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl

from conftest import Run, write_rows
from skillpolicy.check.validate import validate_sheet
from skillpolicy.loading.programfiles import load_program

XUCHANG = "xuchang-2013-revitalization"
HEADER = ["姓名", "性别", "身份证号", "培训类别", "培训类型", "开班日期"]


def _roster(tmp_path: Path, resident_id: Any, *starts: dt.date) -> Path:
    rows: list[list[Any]] = [HEADER]
    for index, start in enumerate(starts):
        first17 = f"41100219900101{2 * index + 1:03d}"  # odd: 男
        rows.append(["王五", "男", resident_id(first17), "农村劳动力培训", "就业技能培训", start])
    return write_rows(tmp_path / "roster.xlsx", rows)


def test_xuchang_is_in_force_for_its_campaign() -> None:
    """The Xuchang file states its two-year campaign, and each of its sheets gets the check."""
    program = load_program(XUCHANG)
    assert program.in_force is not None
    assert (program.in_force.start, program.in_force.to) == (
        dt.date(2013, 1, 1),
        dt.date(2014, 12, 31),
    )
    checked = {spec.sheet for spec in program.rules if spec.id == "stale-program"}
    assert checked == set(program.sheets)


def test_programs_without_in_force_get_no_such_rule() -> None:
    """A program that states no period is never warned about one."""
    program = load_program("guangxi-2012-technician")
    assert program.in_force is None
    assert all(spec.id != "stale-program" for spec in program.rules)


def test_rows_inside_the_period_raise_nothing(tmp_path: Path, resident_id: Any) -> None:
    """Classes that started in 2013 and on the last day of 2014 are inside the period."""
    sheet = _roster(tmp_path, resident_id, dt.date(2013, 9, 2), dt.date(2014, 12, 31))
    report = validate_sheet(sheet, load_program(XUCHANG))
    assert [f for f in report.findings if f.rule == "stale-program"] == []


def test_a_row_after_the_period_gives_one_sheet_warning(tmp_path: Path, resident_id: Any) -> None:
    """Classes starting in 2015 give one sheet-level warning naming the period and the dates."""
    sheet = _roster(
        tmp_path, resident_id, dt.date(2013, 9, 2), dt.date(2015, 1, 1), dt.date(2015, 3, 2)
    )
    report = validate_sheet(sheet, load_program(XUCHANG))
    [stale] = [f for f in report.findings if f.rule == "stale-program"]
    assert (stale.row, stale.column, stale.severity) == (None, None, "warning")
    assert "2013-01-01 至 2014-12-31" in stale.message
    assert "最早 2015-01-01" in stale.message and "最晚 2015-03-02" in stale.message
    assert stale.citation == "许政办〔2013〕52号 二"


def test_as_of_outside_the_period_warns(tmp_path: Path, resident_id: Any) -> None:
    """--as-of overrides 开班日期 as the reference date, so a 2016 as-of date is outside."""
    sheet = _roster(tmp_path, resident_id, dt.date(2013, 9, 2))
    report = validate_sheet(sheet, load_program(XUCHANG), as_of=dt.date(2016, 1, 4))
    assert [f.rule for f in report.findings if f.row is None] == ["stale-program"]


def test_warning_reaches_table_json_and_annotated_copy(
    run_cli: Run, tmp_path: Path, resident_id: Any
) -> None:
    """The warning is in --format json (row null), the table (全表) and the 问题汇总 sheet."""
    sheet = _roster(tmp_path, resident_id, dt.date(2015, 5, 4))
    result = run_cli("validate", sheet, "--program", XUCHANG, "--format", "json")
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert [f["row"] for f in findings if f["rule"] == "stale-program"] == [None]
    table = run_cli("validate", sheet, "--program", XUCHANG)
    assert "stale-program" in table.stdout and "全表" in table.stdout
    marked = tmp_path / "marked.xlsx"
    annotated = run_cli("validate", sheet, "--program", XUCHANG, "--annotate", marked)
    assert annotated.returncode == 0, annotated.stderr
    summary = openpyxl.load_workbook(marked)["问题汇总"]
    cells = [str(c.value) for row in summary.iter_rows() for c in row if c.value is not None]
    assert load_program(XUCHANG).rule_title("stale-program") in cells  # named in Chinese
    assert any("施行期间" in cell for cell in cells)


def test_program_show_states_the_period(run_cli: Run) -> None:
    """`program show` prints the period a program is in force."""
    result = run_cli("program", "show", XUCHANG)
    assert result.returncode == 0, result.stderr
    assert "施行期间：2013-01-01 至 2014-12-31（二）" in result.stdout
