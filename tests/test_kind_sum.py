"""The sum kind: several integer columns added up against a bound (rules/kind_sum.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kindrows import found, run

COLUMNS = ["合作企业数", "共建专业数", "培训形式"]
RULE = """[[rules]]
id = "partners-total"
kind = "sum"
sheet = "roster"
clause = "一"
summary = "合作企业与共建专业合计5个以上"
params = { columns = ["合作企业数", "共建专业数"], bound = "以上", value = 5 }
"""


def test_the_sum_meets_the_bound_inclusively(tmp_path: Path) -> None:
    """2 + 3 = 5 meets 5以上; 2 + 2 = 4 does not, and the message gives the total."""
    result = found(tmp_path, RULE, COLUMNS, [[2, 3, None], [2, 2, None]])
    assert [(f.row, f.column, f.message) for f in result] == [
        (3, "合作企业数", "合作企业数、共建专业数合计4，少于5；合作企业与共建专业合计5个以上")
    ]


def test_exclusive_bound_word(tmp_path: Path) -> None:
    """超过5 excludes 5 itself."""
    rule = RULE.replace('bound = "以上"', 'bound = "超过"')
    assert [f.row for f in found(tmp_path, rule, COLUMNS, [[2, 3, None], [3, 3, None]])] == [2]


def test_blank_cells_count_as_zero_all_blank_is_a_finding(tmp_path: Path) -> None:
    """One blank cell counts as 0; every cell blank asks for them to be filled."""
    rows: list[list[Any]] = [[5, None, None], [None, None, None]]
    result = found(tmp_path, RULE, COLUMNS, rows)
    assert [(f.row, f.message) for f in result] == [(3, "合作企业数、共建专业数均未填；请填写整数")]


def test_unreadable_cell_is_an_error_on_it(tmp_path: Path) -> None:
    """A count that is not an integer is an error on its own cell."""
    result = found(tmp_path, RULE, COLUMNS, [[2, "三个", None]])
    assert [(f.column, f.severity) for f in result] == [("共建专业数", "error")]


def test_applies_when_and_a_missing_column(tmp_path: Path) -> None:
    """applies_when selects rows; a sheet without one of the columns skips the rule."""
    rule = RULE + 'applies_when = { column = "培训形式", in = ["脱产"] }\n'
    assert [f.row for f in found(tmp_path, rule, COLUMNS, [[1, 1, "脱产"], [1, 1, None]])] == [2]
    report = run(tmp_path, RULE, ["合作企业数"], [[9]])
    assert [reason for _, reason in report.skipped] == ["表中没有「共建专业数」列"]
