"""date-order with ``fact``: a sheet without the date column is judged on the date written
above its header (Fujian's plan sheets: 填报日期)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import write_rows
from kindrows import PERSON, found, program_file
from skillpolicy.check.validate import Report, validate_sheet
from skillpolicy.loading.programfiles import load_program_file

RULE = """[[rules]]
id = "sent-in-time"
kind = "date-order"
sheet = "roster"
clause = "二"
summary = "2月底前报送"
params = { column = "报送日期", fact = "填报日期", not_after = 2013-02-28 }
"""


def _with_fact(tmp_path: Path, written: str | None, rules: str = RULE) -> Report:
    """Two rows under a title block that says ``填报日期：written`` (none when None)."""
    program = load_program_file(program_file(tmp_path, rules, []))
    above: list[list[Any]] = [["填报日期", written]] if written is not None else [["附件2"]]
    sheet = write_rows(
        tmp_path / "roster.xlsx",
        [*above, ["姓名", "身份证号"], ["韦志强", PERSON], ["韦志刚", PERSON]],
    )
    return validate_sheet(sheet, program)


def _mine(report: Report) -> list[tuple[int | None, str | None, str]]:
    return [(f.row, f.column, f.message) for f in report.findings if f.rule == "sent-in-time"]


def test_a_late_date_above_the_header_is_a_finding_on_every_row(tmp_path: Path) -> None:
    """A 填报日期 after the limit flags each row, naming where the date was read."""
    said = "表头上方的填报日期 2013-03-01 晚于截止日期 2013-02-28；2月底前报送"
    assert _mine(_with_fact(tmp_path, "2013年3月1日")) == [(3, None, said), (4, None, said)]


def test_the_last_day_itself_is_in_time(tmp_path: Path) -> None:
    """不晚于 includes the day: 2013-02-28 above the header passes."""
    assert _mine(_with_fact(tmp_path, "2013-02-28")) == []


def test_an_unreadable_date_above_the_header_says_what_was_written(tmp_path: Path) -> None:
    """A 填报日期 that is no date is a finding quoting it, not a crash."""
    [(row, column, message), _] = _mine(_with_fact(tmp_path, "二月底"))
    assert (row, column) == (3, None)
    assert message.startswith("表头上方的填报日期「二月底」")


def test_no_column_and_no_fact_skips_the_rule_and_says_why(tmp_path: Path) -> None:
    """Neither a 报送日期 column nor a 填报日期 above the header: skipped with the reason."""
    report = _with_fact(tmp_path, None)
    assert [(spec.id, reason) for spec, reason in report.skipped] == [
        ("sent-in-time", "表中没有“报送日期”列，表头上方也没有填报日期")
    ]


def test_the_column_wins_over_the_fact(tmp_path: Path) -> None:
    """With a 报送日期 column each row is judged on its own cell; a blank one is a finding."""
    result = found(tmp_path, RULE, ["报送日期"], [["2013-02-28"], ["2013-03-01"], [None]])
    assert [(f.row, f.column) for f in result] == [(3, "报送日期"), (4, "报送日期")]
    assert result[1].message == "报送日期为空；须不晚于 2013-02-28，请填写"


def test_applies_when_limits_the_rows_a_fact_flags(tmp_path: Path) -> None:
    """applies_when still selects the rows when the date comes from above the header."""
    rule = RULE + 'applies_when = { column = "姓名", in = ["韦志刚"] }\n'
    assert [row for row, _, _ in _mine(_with_fact(tmp_path, "2013-03-01", rule))] == [4]
