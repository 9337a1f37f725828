"""The level-tenure kind: a level held N years by the reference date (rules/kind_tenure.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from kindrows import found, run

COLUMNS = ["现等级", "取证日期", "申报等级", "开班日期"]
RULE = """[[rules]]
id = "tenure"
kind = "level-tenure"
sheet = "roster"
clause = "二"
summary = "高级工满三年申报技师"
params = { paths = [{ from = "三级", to = "技师", years = 3 }] }
"""


def test_held_exactly_n_years_by_the_class_start_passes(tmp_path: Path) -> None:
    """取证日期 + 3 years on the 开班日期 itself qualifies; one day later does not."""
    rows = [
        ["高级工", "2009-06-01", "技师", "2012-06-01"],
        ["高级工", "2009-06-02", "技师", "2012-06-01"],
    ]
    result = found(tmp_path, RULE, COLUMNS, rows)
    assert [(f.row, f.column) for f in result] == [(3, "取证日期")]
    assert "到开班日期 2012-06-01时未满三年（满三年之日为 2012-06-02）" in result[0].message


def test_29_february_is_held_on_28_february(tmp_path: Path) -> None:
    """A level obtained on 29 February is held three years on 28 February (民法典 第二百零二条)."""
    rows = [
        ["高级工", "2008-02-29", "技师", "2011-02-28"],
        ["高级工", "2008-02-29", "技师", "2011-02-27"],
    ]
    result = found(tmp_path, RULE, COLUMNS, rows)
    assert [f.row for f in result] == [3]
    assert "满三年之日为 2011-02-28" in result[0].message


def test_blank_class_start_uses_the_programs_reference_date(tmp_path: Path) -> None:
    """Without a 开班日期 the program's reference date decides, and the message says so."""
    rows = [["高级工", "2021-02-01", "技师", None], ["高级工", "2021-01-31", "技师", None]]
    result = found(tmp_path, RULE, COLUMNS, rows)
    assert [f.row for f in result] == [2]
    assert "参照日 2024-01-31（测试用参照日）" in result[0].message


def test_as_of_overrides_the_class_start(tmp_path: Path) -> None:
    """--as-of replaces every row's reference date."""
    rows = [["高级工", "2009-06-01", "技师", "2012-06-01"]]
    result = found(tmp_path, RULE, COLUMNS, rows, as_of=dt.date(2012, 5, 31))
    assert "指定的参照日 2012-05-31" in result[0].message


def test_levels_compare_by_meaning_and_other_pairs_are_named(tmp_path: Path) -> None:
    """三级 is 高级工; a wrong current level or an unlisted target says what the program takes."""
    rows = [
        ["三级", "2000-01-01", "二级", "2012-06-01"],
        ["中级工", "2000-01-01", "技师", "2012-06-01"],
        ["技师", "2000-01-01", "高级技师", "2012-06-01"],
    ]
    result = found(tmp_path, RULE, COLUMNS, rows)
    assert [(f.row, f.column) for f in result] == [(3, "现等级"), (4, "申报等级")]
    assert result[0].message.startswith("现等级为中级工，申报技师须已取得高级工职业资格满三年")
    assert result[1].message == "申报等级为高级技师，不属本项目；本项目只受理：高级工满三年申报技师"


def test_blank_cells_are_findings_of_the_cell_that_is_blank(tmp_path: Path) -> None:
    """A blank 申报等级, 现等级 or 取证日期 is a finding on that cell, in that order."""
    rows = [
        [None, None, None, "2012-06-01"],
        [None, "2000-01-01", "技师", "2012-06-01"],
        ["高级工", None, "技师", "2012-06-01"],
    ]
    result = found(tmp_path, RULE, COLUMNS, rows)
    assert [(f.row, f.column) for f in result] == [(2, "申报等级"), (3, "现等级"), (4, "取证日期")]
    assert (
        result[2].message
        == "取证日期为空，无法核对高级工持证是否满三年；请填写高级工证书的取证日期"
    )


def test_an_unreadable_date_is_an_error_on_its_cell(tmp_path: Path) -> None:
    """A 取证日期 that is not a date is one error on that cell, not a crash."""
    result = found(tmp_path, RULE, COLUMNS, [["高级工", "去年", "技师", "2012-06-01"]])
    assert [(f.row, f.column, f.severity) for f in result] == [(2, "取证日期", "error")]


def test_applies_when_limits_the_rows_checked(tmp_path: Path) -> None:
    """With applies_when only the rows it selects are checked."""
    rule = RULE + 'applies_when = { column = "开班日期", filled = true }\n'
    rows: list[list[Any]] = [
        ["高级工", "2011-06-01", "技师", "2012-06-01"],
        ["高级工", "2023-06-01", "技师", None],
    ]
    assert [f.row for f in found(tmp_path, rule, COLUMNS, rows)] == [2]


def test_missing_column_skips_the_rule_and_says_which(tmp_path: Path) -> None:
    """A sheet without 取证日期 skips the rule with a reason naming the column."""
    report = run(tmp_path, RULE, ["现等级", "申报等级"], [["高级工", "技师"]])
    assert [(spec.id, reason) for spec, reason in report.skipped] == [
        ("tenure", "表中没有「取证日期」列")
    ]
