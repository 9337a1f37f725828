"""The all-of kind (several kinds under one rule id), the filled kind and one-of's failing
values (rules/kind_all_of.py, rules/kind_filled.py)."""

from __future__ import annotations

from pathlib import Path

from kindrows import found, run

COLUMNS = ["鉴定结果", "证书编号", "培训形式"]
CERTIFICATE = """[[rules]]
id = "certificate"
kind = "all-of"
sheet = "roster"
clause = "四"
summary = "取得证书方可补贴"
params.first = true
params.checks = [
  { kind = "one-of", column = "鉴定结果", allowed = ["合格", "不合格"], failing = ["不合格"], blank_allowed = true },
  { kind = "filled", column = "证书编号", applies_when = { column = "鉴定结果", in = ["合格"] } },
]
"""
BOTH = """[[rules]]
id = "group"
kind = "all-of"
sheet = "roster"
clause = "三"
summary = "规定的类别和形式"
params.checks = [
  { kind = "one-of", column = "鉴定结果", allowed = ["合格"] },
  { kind = "one-of", column = "培训形式", allowed = ["脱产"] },
]
"""


def test_failing_value_is_recognised_but_a_finding(tmp_path: Path) -> None:
    """不合格 is a known value and still a finding; an unknown value says it is unknown."""
    rows = [["合格", "Z1", None], ["不合格", None, None], ["优秀", None, None], [None, None, None]]
    result = found(tmp_path, CERTIFICATE, COLUMNS, rows)
    assert [(f.row, f.column, f.message) for f in result] == [
        (3, "鉴定结果", "鉴定结果为不合格；取得证书方可补贴"),
        (4, "鉴定结果", "鉴定结果「优秀」不在规定范围内；应为：合格、不合格"),
    ]


def test_filled_applies_only_where_its_condition_holds(tmp_path: Path) -> None:
    """证书编号 is required on a 合格 row only; a blank one is a finding on that cell."""
    rows = [["合格", None, None], ["不合格", None, None], [None, None, None]]
    result = found(tmp_path, CERTIFICATE, COLUMNS, rows)
    assert [(f.row, f.column, f.rule) for f in result] == [
        (2, "证书编号", "certificate"),
        (3, "鉴定结果", "certificate"),
    ]
    assert result[0].message == "证书编号为空；请填写"


def test_a_required_column_the_sheet_lacks_is_blank_on_every_row(tmp_path: Path) -> None:
    """Without a 证书编号 column every 合格 row lacks it: flagged, not passed in silence."""
    result = found(tmp_path, CERTIFICATE, ["鉴定结果"], [["合格"], ["合格"], [None]])
    assert [(f.row, f.column) for f in result] == [(2, "证书编号"), (3, "证书编号")]


def test_filled_false_flags_a_cell_that_should_be_empty(tmp_path: Path) -> None:
    """filled = false: a filled cell where the condition holds is a finding quoting it."""
    rule = """[[rules]]
id = "no-number"
kind = "filled"
sheet = "roster"
clause = "五"
summary = "不合格的不发证"
params = { column = "证书编号", filled = false }
applies_when = { column = "鉴定结果", in = ["不合格"] }
"""
    rows = [["不合格", "Z1", None], ["合格", "Z2", None], ["不合格", None, None]]
    result = found(tmp_path, rule, COLUMNS, rows)
    assert [(f.row, f.message) for f in result] == [
        (2, "证书编号不应填写（现为「Z1」）；不合格的不发证")
    ]


def test_every_part_reports_under_the_rule_id(tmp_path: Path) -> None:
    """Without first, a row gets the findings of every part, all with the rule's id."""
    result = found(tmp_path, BOTH, COLUMNS, [["不合格", None, "函授"], ["合格", None, "脱产"]])
    assert [(f.row, f.column, f.rule) for f in result] == [
        (2, "鉴定结果", "group"),
        (2, "培训形式", "group"),
    ]


def test_first_stops_a_row_at_its_first_finding(tmp_path: Path) -> None:
    """With first = true only the first part that flags a row speaks for it."""
    rule = BOTH.replace("params.checks", "params.first = true\nparams.checks")
    result = found(tmp_path, rule, COLUMNS, [["不合格", None, "函授"]])
    assert [f.column for f in result] == ["鉴定结果"]


def test_a_part_that_cannot_run_skips_the_rule(tmp_path: Path) -> None:
    """A sheet lacking a part's column lists the whole rule as skipped, naming the column."""
    report = run(tmp_path, BOTH, ["鉴定结果"], [["合格"]])
    assert [(spec.id, reason) for spec, reason in report.skipped] == [
        ("group", "表中没有「培训形式」列")
    ]


def test_the_rules_own_applies_when_selects_rows_for_every_part(tmp_path: Path) -> None:
    """An applies_when on the all-of entry limits every part to the rows it selects."""
    rule = BOTH + 'applies_when = { column = "证书编号", filled = true }\n'
    result = found(tmp_path, rule, COLUMNS, [["不合格", "Z1", "函授"], ["不合格", None, "函授"]])
    assert {f.row for f in result} == {2}


SHARED = """[[rules]]
id = "outside"
kind = "all-of"
sheet = "roster"
clause = "五"
summary = "原则上不低于一半"
params.checks = [
  { kind = "one-of", column = "培训形式", allowed = ["脱产", "半脱产"] },
  { kind = "share", column = "鉴定结果", among = ["合格", "不合格"], counted = "合格", bound = "不低于", value = "0.50" },
]
"""


def test_a_cross_row_part_answers_for_the_whole_sheet(tmp_path: Path) -> None:
    """A share part inside all-of gives its sheet-level finding, under the all-of rule's id."""
    rows = [["合格", None, "脱产"], ["不合格", None, "脱产"], ["不合格", None, "函授"]]
    result = found(tmp_path, SHARED, COLUMNS, rows)
    assert [(f.row, f.column, f.rule) for f in result] == [
        (4, "培训形式", "outside"),
        (None, "鉴定结果", "outside"),
    ]
    assert "低于50%" in result[1].message
