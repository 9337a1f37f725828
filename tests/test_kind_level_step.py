"""The level-step kind: the level applied for at most N levels above the one held."""

from __future__ import annotations

from pathlib import Path

from kindrows import found, run

COLUMNS = ["现等级", "申报等级", "培训形式"]
RULE = """[[rules]]
id = "skip-level"
kind = "level-step"
sheet = "roster"
clause = "十"
severity = "review"
summary = "越级申报的提交人工复核"
params = { at_most = 1 }
"""


def test_one_level_up_passes_two_is_flagged_for_review(tmp_path: Path) -> None:
    """中级工 → 高级工 passes; 中级工 → 技师 skips one level and is a review finding."""
    rows = [["中级工", "高级工", None], ["中级工", "技师", None], ["四级", "二级", None]]
    result = found(tmp_path, RULE, COLUMNS, rows)
    assert [(f.row, f.column, f.severity) for f in result] == [
        (3, "申报等级", "review"),
        (4, "申报等级", "review"),
    ]
    assert result[0].message == "现等级中级工，申报技师，越过1级；越级申报的提交人工复核"


def test_at_most_widens_the_step(tmp_path: Path) -> None:
    """With at_most = 2 a skip of one level passes and a skip of two does not."""
    rule = RULE.replace("at_most = 1", "at_most = 2")
    rows = [["初级工", "高级工", None], ["初级工", "技师", None]]
    assert [f.row for f in found(tmp_path, rule, COLUMNS, rows)] == [3]


def test_blank_levels_are_not_judged_and_unreadable_ones_are_errors(tmp_path: Path) -> None:
    """A blank level is no finding here; a level that cannot be read is an error on its cell."""
    rows = [[None, "技师", None], ["中级工", None, None], ["中级", "工程师", None]]
    result = found(tmp_path, RULE, COLUMNS, rows)
    assert [(f.row, f.column, f.severity) for f in result] == [(4, "申报等级", "error")]


def test_applies_when_and_a_missing_column(tmp_path: Path) -> None:
    """applies_when selects the rows; without 现等级 the rule is skipped with the reason."""
    rule = RULE + 'applies_when = { column = "培训形式", in = ["脱产"] }\n'
    rows = [["初级工", "技师", "脱产"], ["初级工", "技师", "半脱产"]]
    assert [f.row for f in found(tmp_path, rule, COLUMNS, rows)] == [2]
    report = run(tmp_path, RULE, ["申报等级"], [["技师"]])
    assert [reason for _, reason in report.skipped] == ["表中没有「现等级」列"]
