"""Rule kinds (rules/kinds.py): a rule written as a kind with parameters in a program file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import make_resident_id, write_rows
from skillpolicy.check.validate import validate_sheet
from skillpolicy.domain.findings import Finding
from skillpolicy.loading.programfiles import load_program_file
from skillpolicy.policy.params import load_params
from skillpolicy.tasks.explain import explain_row

CONTROL = Path(__file__).parent / "broken_catalogs" / "control" / "programs" / "valid-program.toml"
COLUMNS = ["姓名", "身份证号", "培训形式", "到课率"]


def _program(tmp_path: Path, rules: str, columns: list[str] = COLUMNS) -> Path:
    """The control program with the roster's columns widened and ``rules`` appended."""
    text = CONTROL.read_text(encoding="utf-8").replace(
        'columns = ["姓名", "身份证号"]', f"columns = {columns!r}".replace("'", '"')
    )
    path = tmp_path / "programs" / "valid-program.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text + "\n" + rules, encoding="utf-8")
    return path


def _findings(
    tmp_path: Path, rules: str, rows: list[list[Any]], columns: list[str] = COLUMNS
) -> list[Finding]:
    program = load_program_file(_program(tmp_path, rules, columns))
    person = make_resident_id("45010219800315101")
    sheet = write_rows(
        tmp_path / "roster.xlsx", [columns, *[["韦志强", person, *row] for row in rows]]
    )
    report = validate_sheet(sheet, program)
    return [f for f in report.sorted_findings() if f.rule != "identity"]


def _number_rule(bound: str, value: str) -> str:
    return f"""[[rules]]
id = "attendance-bound"
kind = "number"
sheet = "roster"
clause = "二"
summary = "到课率要求"
params = {{ column = "到课率", type = "ratio", bound = "{bound}", value = "{value}" }}
"""


@pytest.mark.parametrize(
    ("bound", "flagged"),
    [
        ("以上", [3]),
        ("不少于", [3]),
        ("不低于", [3]),
        ("超过", [3, 4]),
        ("以下", [5]),
        ("不超过", [5]),
        ("低于", [4, 5]),
        ("不满", [4, 5]),
    ],
)
def test_number_bound_words_decide_the_boundary(
    tmp_path: Path, bound: str, flagged: list[int]
) -> None:
    """A number kind's bound in the document's words includes or excludes the value itself."""
    rows = [["脱产", "0.59"], ["脱产", "0.60"], ["脱产", "0.61"]]  # worksheet rows 3, 4, 5
    found = _findings(tmp_path, _number_rule(bound, "0.60"), rows)
    assert [f.row for f in found] == [r - 1 for r in flagged]
    assert all(f.rule == "attendance-bound" and f.column == "到课率" for f in found)


def test_number_missed_message_names_the_value_and_the_bound(tmp_path: Path) -> None:
    """The default message says the cell's value, how it misses and the bound, then the summary."""
    found = _findings(tmp_path, _number_rule("不少于", "0.60"), [["脱产", "0.5"]])
    assert [f.message for f in found] == ["「到课率」为50%，少于60%；到课率要求"]


def test_number_unreadable_cell_is_one_error_on_that_cell(tmp_path: Path) -> None:
    """A cell the kind cannot read is reported once as an error naming the column."""
    found = _findings(tmp_path, _number_rule("不少于", "0.60"), [["脱产", "很多"]])
    assert len(found) == 1 and found[0].severity == "error"
    assert found[0].message.startswith("到课率")


ONE_OF = """[[rules]]
id = "form"
kind = "one-of"
sheet = "roster"
clause = "三"
summary = "培训形式"
[rules.params]
column = "培训形式"
allowed = ["脱产", "半脱产"]
messages = { outside = "{column}写成了「{value}」，只收{allowed}" }
"""


def test_one_of_uses_the_files_message_template(tmp_path: Path) -> None:
    """A ``messages`` template in the file replaces the kind's wording; a folded match passes."""
    found = _findings(tmp_path, ONE_OF, [["业余", "0.9"], ["半脱产 ", "0.9"], ["", "0.9"]])
    assert [(f.row, f.message) for f in found] == [
        (2, "培训形式写成了「业余」，只收脱产、半脱产"),
        (4, "培训形式为空；应填：脱产、半脱产"),
    ]


def test_applies_when_limits_a_rule_to_rows_meeting_the_condition(tmp_path: Path) -> None:
    """``applies_when`` checks only the rows whose other cell meets the condition."""
    rule = (
        _number_rule("不少于", "0.60") + 'applies_when = { column = "培训形式", in = ["脱产"] }\n'
    )
    found = _findings(tmp_path, rule, [["脱产", "0.5"], ["半脱产", "0.5"]])
    assert [f.row for f in found] == [2]


def test_explain_shows_a_kind_failing_on_one_row(tmp_path: Path) -> None:
    """`explain` evaluates a kind for the one row asked about and shows its outcome."""
    program = load_program_file(_program(tmp_path, _number_rule("不少于", "0.60")))
    person = make_resident_id("45010219800315101")
    sheet = write_rows(
        tmp_path / "roster.xlsx",
        [COLUMNS, ["韦志强", person, "脱产", "0.9"], ["韦志强", person, "脱产", "0.4"]],
    )
    steps = {s.spec.id: s for s in explain_row(sheet, program, 3).rules}
    step = steps["attendance-bound"]
    assert step.outcome == "failed", step
    assert [f.message for f in step.findings] == ["「到课率」为40%，少于60%；到课率要求"]
    assert step.inputs["到课率"] == "0.4"


def test_explain_says_a_kind_does_not_apply_when_its_condition_fails(tmp_path: Path) -> None:
    """A row outside ``applies_when`` is explained as not applicable, naming the condition."""
    rule = (
        _number_rule("不少于", "0.60") + 'applies_when = { column = "培训形式", in = ["脱产"] }\n'
    )
    program = load_program_file(_program(tmp_path, rule))
    person = make_resident_id("45010219800315101")
    sheet = write_rows(tmp_path / "roster.xlsx", [COLUMNS, ["韦志强", person, "半脱产", "0.4"]])
    step = {s.spec.id: s for s in explain_row(sheet, program, 2).rules}["attendance-bound"]
    assert step.outcome == "not-applicable"
    assert "培训形式" in step.note


def _date_rule(params: str) -> str:
    return f"""[[rules]]
id = "approved-first"
kind = "date-order"
sheet = "roster"
clause = "四"
summary = "先审批后开班"
params = {params}
"""


DATE_COLUMNS = ["姓名", "身份证号", "开班审批日期", "开班日期"]


def _date_findings(tmp_path: Path, rule: str, rows: list[list[Any]]) -> list[Finding]:
    return _findings(tmp_path, rule, rows, DATE_COLUMNS)


def test_date_order_against_another_column(tmp_path: Path) -> None:
    """date-order flags a date later than the other column's; the same day passes; a blank
    other date is a finding on that column."""
    rule = _date_rule('{ column = "开班审批日期", not_after_column = "开班日期" }')
    rows = [
        ["2013-05-02", "2013-05-01"],
        ["2013-05-01", "2013-05-01"],
        ["2013-04-01", ""],
    ]
    found = _date_findings(tmp_path, rule, rows)
    assert [(f.row, f.column, f.message) for f in found] == [
        (2, "开班审批日期", "开班审批日期 2013-05-02 晚于开班日期 2013-05-01；先审批后开班"),
        (4, "开班日期", "开班日期为空，无法核对开班审批日期是否不晚于开班日期；请填写"),
    ]


def test_date_order_against_a_fixed_day(tmp_path: Path) -> None:
    """date-order with ``not_after`` compares with that day; a blank date names the day."""
    rule = _date_rule('{ column = "开班日期", not_after = 2013-06-30 }')
    found = _date_findings(tmp_path, rule, [["", "2013-07-01"], ["", "2013-06-30"], ["", ""]])
    assert [(f.row, f.message) for f in found] == [
        (2, "开班日期 2013-07-01 晚于截止日期 2013-06-30；先审批后开班"),
        (4, "开班日期为空；须不晚于 2013-06-30，请填写"),
    ]


def test_date_order_without_a_bound_needs_the_programs_deadline(tmp_path: Path) -> None:
    """`program check` refuses a date-order with no bound in a program without a deadline."""
    from skillpolicy.loading.programcheck import check_program_file

    path = _program(tmp_path, _date_rule('{ column = "开班日期" }'))
    said = [str(problem) for problem in check_program_file(path)]
    assert len(said) == 1 and "deadline" in said[0] and "rules[1]" in said[0], said


LIST_COLUMNS = ["姓名", "身份证号", "培训机构", "所在地"]
NAME_LIST_PARAMETER = """
[[local_parameters]]
name = "barred"
kind = "file"
description = "取消资格的机构名单"
clause = "五"
"""


def _list_rule(listed: bool) -> str:
    return f"""[[rules]]
id = "institution-check"
kind = "name-list"
sheet = "roster"
clause = "五"
summary = "机构名单"
params = {{ column = "培训机构", list = "barred", listed = {str(listed).lower()} }}
"""


def _list_findings(tmp_path: Path, listed: bool, rows: list[list[Any]]) -> list[Finding]:
    write_rows(tmp_path / "barred.xlsx", [["单位名称"], ["南宁速成培训中心"]])
    (tmp_path / "params.toml").write_text(
        '["valid-program"]\nbarred = "barred.xlsx"\n', encoding="utf-8"
    )
    program = load_program_file(
        _program(tmp_path, NAME_LIST_PARAMETER + _list_rule(listed), LIST_COLUMNS)
    )
    person = make_resident_id("45010219800315101")
    sheet = write_rows(
        tmp_path / "roster.xlsx", [LIST_COLUMNS, *[["韦志强", person, *row] for row in rows]]
    )
    params = load_params(tmp_path / "params.toml", program, [program])
    report = validate_sheet(sheet, program, params=params)
    return [f for f in report.sorted_findings() if f.rule != "identity"]


def test_name_list_not_listed_flags_names_on_the_list(tmp_path: Path) -> None:
    """name-list with ``listed = false`` flags a name on the list (folded), not a blank."""
    rows = [["南宁速成培训中心 ", "南宁"], ["广西机电技师学院", "南宁"], ["", "南宁"]]
    found = _list_findings(tmp_path, False, rows)
    assert [(f.row, f.message) for f in found] == [
        (2, "培训机构「南宁速成培训中心」在名单上；机构名单")
    ]


def test_name_list_listed_flags_names_off_the_list_and_blanks(tmp_path: Path) -> None:
    """name-list with ``listed = true`` flags a name off the list and a blank cell."""
    rows = [["南宁速成培训中心", "南宁"], ["广西机电技师学院", "南宁"], ["", "南宁"]]
    found = _list_findings(tmp_path, True, rows)
    assert [(f.row, f.message) for f in found] == [
        (3, "培训机构「广西机电技师学院」不在名单内；机构名单"),
        (4, "培训机构为空；请填写"),
    ]


def test_name_list_is_skipped_while_its_parameter_is_unset(tmp_path: Path) -> None:
    """Without the list's local parameter the rule is skipped, saying where to set it."""
    program = load_program_file(
        _program(tmp_path, NAME_LIST_PARAMETER + _list_rule(False), LIST_COLUMNS)
    )
    person = make_resident_id("45010219800315101")
    sheet = write_rows(tmp_path / "roster.xlsx", [LIST_COLUMNS, ["韦志强", person, "甲", "乙"]])
    report = validate_sheet(sheet, program, params_file=None)
    reasons = {spec.id: reason for spec, reason in report.skipped}
    assert "未设置本地参数 barred" in reasons["institution-check"]


def test_excludes_flags_a_cell_containing_the_text(tmp_path: Path) -> None:
    """excludes flags a cell whose text contains ``text`` and passes the others."""
    rule = """[[rules]]
id = "outside-area"
kind = "excludes"
sheet = "roster"
clause = "末段"
summary = "厦门市不属本项目"
params = { column = "所在地", text = "厦门" }
"""
    found = _findings(tmp_path, rule, [["甲", "厦门市思明区"], ["甲", "福州市"]], LIST_COLUMNS)
    assert [(f.row, f.message) for f in found] == [(2, "所在地为厦门市思明区：厦门市不属本项目")]


def test_one_of_multiple_flags_each_choice_outside_the_list(tmp_path: Path) -> None:
    """one-of with ``multiple = true`` splits the cell and flags each choice not allowed."""
    rule = """[[rules]]
id = "forms"
kind = "one-of"
sheet = "roster"
clause = "三"
summary = "培训形式"
params = { column = "培训形式", multiple = true, allowed = ["脱产", "半脱产"] }
"""
    found = _findings(tmp_path, rule, [["脱产、半脱产", "0.9"], ["脱产，业余；函授", "0.9"]])
    assert [(f.row, f.message) for f in found] == [
        (3, "培训形式「业余」不在规定范围内；应为：脱产、半脱产"),
        (3, "培训形式「函授」不在规定范围内；应为：脱产、半脱产"),
    ]
