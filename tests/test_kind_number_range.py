"""The number kind's decimal type and ``between`` range (both ends included)."""

from __future__ import annotations

from pathlib import Path

from kindrows import found, run

COLUMNS = ["评分", "培训形式"]
RULE = """[[rules]]
id = "score"
kind = "number"
sheet = "roster"
clause = "三"
summary = "评分在0–100分之间"
params = { column = "评分", type = "number", between = ["0", "100"] }
"""


def test_both_ends_are_inside_and_decimals_are_read(tmp_path: Path) -> None:
    """0 and 100 pass, 85.5 passes; -0.5 and 100.01 are outside, shown as written."""
    rows = [["0", None], ["100", None], ["85.5", None], ["-0.5", None], ["100.01", None]]
    result = found(tmp_path, RULE, COLUMNS, rows)
    assert [(f.row, f.column) for f in result] == [(5, "评分"), (6, "评分")]
    assert result[1].message == "「评分」为100.01，不在0–100；评分在0–100分之间"


def test_blank_and_unreadable_cells(tmp_path: Path) -> None:
    """A blank score is a finding; text that is no number is an error on the cell."""
    result = found(tmp_path, RULE, COLUMNS, [[None, None], ["优", None]])
    assert (result[0].row, result[0].message) == (2, "评分为空；请填写")
    assert (result[1].row, result[1].column, result[1].severity) == (3, "评分", "error")


def test_templates_see_the_range_as_bound(tmp_path: Path) -> None:
    """A message template's {bound} is the range, {value} the number as written."""
    rule = RULE.replace(
        'between = ["0", "100"] }',
        'between = ["0", "100"], messages = { missed = "{column} {value} 不在 {bound} 分之内" } }',
    )
    result = found(tmp_path, rule, COLUMNS, [["101", None]])
    assert [f.message for f in result] == ["评分 101 不在 0–100 分之内"]


def test_applies_when_and_a_missing_column(tmp_path: Path) -> None:
    """applies_when selects rows; a sheet without the column skips the rule with the reason."""
    rule = RULE + 'applies_when = { column = "培训形式", in = ["脱产"] }\n'
    assert [
        f.row for f in found(tmp_path, rule, COLUMNS, [["101", "脱产"], ["101", "半脱产"]])
    ] == [2]
    report = run(tmp_path, RULE, ["培训形式"], [["脱产"]])
    assert [reason for _, reason in report.skipped] == ["表中没有「评分」列"]


def _integer_rule(bound: str, value: int) -> str:
    return f"""[[rules]]
id = "count"
kind = "number"
sheet = "roster"
clause = "三"
summary = "人数"
params = {{ column = "培训人数", bound = "{bound}", value = {value} }}
"""


def test_an_unreadable_integer_is_told_the_rules_own_bound(tmp_path: Path) -> None:
    """An integer cell that cannot be read is told the bound the rule states (不少于 300),
    with 300 as the example only where 300 meets it; the parse floor stays 1."""
    said = {
        (bound, value): [
            f.message
            for f in found(tmp_path, _integer_rule(bound, value), ["培训人数"], [["待定"], [0]])
        ]
        for bound, value in [("不少于", 300), ("不超过", 10), ("超过", 5)]
    }
    assert said[("不少于", 300)] == [
        "培训人数「待定」不是整数，请填写不小于 300 的整数，如 300",
        "培训人数「0」小于 1，请填写不小于 300 的整数，如 300",
    ]
    assert said[("不超过", 10)][0] == "培训人数「待定」不是整数，请填写不大于 10 的整数"
    assert said[("超过", 5)][0] == "培训人数「待定」不是整数，请填写大于 5 的整数，如 300"
