"""The duration kind: from one date to another at most N months (rules/kind_duration.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kindrows import found, run

COLUMNS = ["培训形式", "开班日期", "结业日期"]
BY_FORM = """[[rules]]
id = "course-length"
kind = "duration"
sheet = "roster"
clause = "五(三)"
summary = "全脱产不超过3个月，半脱产不超过6个月"
params = { by = "培训形式", months = { "全脱产" = 3, "半脱产" = 6 } }
"""
FIXED = """[[rules]]
id = "course-length"
kind = "duration"
sheet = "roster"
clause = "五(三)"
summary = "不超过2个月"
params = { months = 2 }
"""


def test_n_months_end_the_day_before_the_same_day_n_months_on(tmp_path: Path) -> None:
    """2013-03-01..2013-05-31 is three months; ..2013-06-01 is more, and says the last day."""
    rows = [["全脱产", "2013-03-01", "2013-05-31"], ["全脱产", "2013-03-01", "2013-06-01"]]
    result = found(tmp_path, BY_FORM, COLUMNS, rows)
    assert [(f.row, f.column) for f in result] == [(3, "结业日期")]
    assert result[0].message == (
        "全脱产培训自 2013-03-01 至 2013-06-01，超过3个月（最迟应于 2013-05-31 结业）；"
        "请缩短培训时间或核对日期"
    )


def test_months_by_value_of_another_column(tmp_path: Path) -> None:
    """半脱产 may last six months where 全脱产 may last three."""
    rows = [["半脱产", "2013-03-01", "2013-08-31"], ["半脱产", "2013-03-01", "2013-09-01"]]
    assert [f.row for f in found(tmp_path, BY_FORM, COLUMNS, rows)] == [3]


def test_month_end_start_runs_to_the_shorter_months_last_day(tmp_path: Path) -> None:
    """From 31 December, two months end before 28/29 February (the month's last day)."""
    rows = [[None, "2012-12-31", "2013-02-27"], [None, "2012-12-31", "2013-02-28"]]
    result = found(tmp_path, FIXED, COLUMNS, rows)
    assert [f.row for f in result] == [3]
    assert result[0].message.startswith("培训自 2012-12-31 至 2013-02-28，超过2个月")


def test_unknown_or_blank_form_names_the_choices(tmp_path: Path) -> None:
    """A 培训形式 the table lacks, or a blank one, is a finding listing the forms."""
    rows = [["函授", "2013-03-01", "2013-04-01"], [None, "2013-03-01", "2013-04-01"]]
    result = found(tmp_path, BY_FORM, COLUMNS, rows)
    assert [f.message for f in result] == [
        "培训形式「函授」；应为：全脱产、半脱产",
        "培训形式为空；应为：全脱产、半脱产",
    ]


def test_blank_date_and_end_before_start(tmp_path: Path) -> None:
    """A blank date is named; an end before the start asks for a check."""
    rows: list[list[Any]] = [
        ["全脱产", None, "2013-04-01"],
        ["全脱产", "2013-03-01", None],
        ["全脱产", "2013-03-01", "2013-02-01"],
    ]
    result = found(tmp_path, BY_FORM, COLUMNS, rows)
    assert [(f.row, f.column, f.message) for f in result] == [
        (2, "开班日期", "开班日期为空，无法核对培训时间；请填写"),
        (3, "结业日期", "结业日期为空，无法核对培训时间；请填写"),
        (4, "结业日期", "结业日期 2013-02-01 早于开班日期 2013-03-01；请核对"),
    ]


def test_unreadable_date_is_one_error_on_its_cell(tmp_path: Path) -> None:
    """A start date that is not a date is an error on that cell."""
    result = found(tmp_path, BY_FORM, COLUMNS, [["全脱产", "三月初", "2013-04-01"]])
    assert [(f.column, f.severity) for f in result] == [("开班日期", "error")]


def test_applies_when_limits_the_rows_checked(tmp_path: Path) -> None:
    """Rows outside applies_when are not checked."""
    rule = FIXED + 'applies_when = { column = "培训形式", in = ["全脱产"] }\n'
    rows = [["全脱产", "2013-03-01", "2013-09-01"], ["半脱产", "2013-03-01", "2013-09-01"]]
    assert [f.row for f in found(tmp_path, rule, COLUMNS, rows)] == [2]


def test_missing_column_skips_the_rule(tmp_path: Path) -> None:
    """Without 结业日期 the rule is skipped, with the reason."""
    report = run(tmp_path, BY_FORM, ["培训形式", "开班日期"], [["全脱产", "2013-03-01"]])
    assert [(spec.id, reason) for spec, reason in report.skipped] == [
        ("course-length", "表中没有「结业日期」列")
    ]
