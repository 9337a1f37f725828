"""What the former registered functions needed, as vocabulary of the kinds: ``applies_when``
with ``any``, a rule's ``skip_message``, all-of parts that say what an absent column means
(``absent``), message templates quoting any cell of the row, ``number``'s ``least``,
``one-of`` reading levels and ``in-catalog``'s ``catalog_parameter`` (rules/kinds.py,
rules/kind_all_of.py, policy/conditions.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write_rows
from kindrows import PERSON, found, program_file, run
from skillpolicy.check.validate import validate_sheet
from skillpolicy.domain.identifiers import mask_id
from skillpolicy.loading.programcheck import check_program_file
from skillpolicy.loading.programfiles import load_program, load_program_file
from skillpolicy.policy.conditions import Condition, holds, rows_holding
from skillpolicy.policy.params import load_params
from skillpolicy.tasks.explain import explain_row

CONTRACT, INSURANCE, LEVEL = "劳动合同期限(月)", "社保缴纳月数", "申报等级"
SCHOOL = """[[rules]]
id = "school"
kind = "all-of"
sheet = "roster"
clause = "十"
summary = "校企合作培养"
applies_when = { any = [{ column = "劳动合同期限(月)", filled = true }, { column = "社保缴纳月数", filled = true }] }
skip_message = "{reason}（不是校企合作培养名册）"

[[rules.params.checks]]
kind = "number"
column = "劳动合同期限(月)"
value = 6
least = 0
absent = "blank"
messages = { blank = "须签订{bound}个月以上劳动合同；请填写", missed = "劳动合同期限{value}个月，不满{bound}个月" }

[[rules.params.checks]]
kind = "number"
column = "社保缴纳月数"
value = 3
least = 0
absent = "blank"
messages = { blank = "须缴纳{bound}个月以上社保；请填写", missed = "社保缴纳{value}个月，不满{bound}个月" }

[[rules.params.checks]]
kind = "one-of"
column = "申报等级"
read = "level"
allowed = ["中级工", "技师"]
absent = "skip"
messages = { outside = "只适用于{allowed}，不含{value}" }
"""


def _said(
    tmp_path: Path, columns: list[str], rows: list[list[object]]
) -> list[tuple[int | None, str | None, str]]:
    return [(f.row, f.column, f.message) for f in found(tmp_path, SCHOOL, columns, rows)]


def test_any_holds_when_one_of_its_conditions_holds() -> None:
    """``any``: a row meets it when at least one part holds, by row and a column at a time."""
    when = Condition.model_validate(
        {"any": [{"column": "A", "filled": True}, {"column": "B", "in": ["是"]}]}
    )
    cells = {"A": ["x", None, None, ""], "B": [None, "是", "否", None]}
    assert rows_holding(when, cells.__getitem__, range(4)) == [0, 1]
    rows = [{name: values[i] for name, values in cells.items()} for i in range(4)]
    assert [holds(when, row.get) for row in rows] == [True, True, False, False]
    assert when.targets == ["A", "B"]


def test_any_lacks_its_columns_only_when_no_part_can_be_judged() -> None:
    """An ``any`` condition stops its rule only when every part lacks a column."""
    when = Condition.model_validate(
        {"any": [{"column": "A", "filled": True}, {"column": "B", "filled": True}]}
    )
    assert when.missing(lambda c: c == "B") == []
    assert when.missing(lambda c: False) == ["A", "B"]


def test_any_takes_no_column_or_test_of_its_own() -> None:
    """``any`` beside a column or a test is refused; so is an ``any`` of one condition."""
    with pytest.raises(ValueError, match="any"):
        Condition.model_validate({"any": [{"column": "A", "filled": True}] * 2, "column": "A"})
    with pytest.raises(ValueError, match="at least 2"):
        Condition.model_validate({"any": [{"column": "A", "filled": True}]})


def test_a_row_with_either_column_filled_is_checked_on_both(tmp_path: Path) -> None:
    """Either column filled makes the row subject to the rule, the other then required; a row
    with neither is not checked; 0 months is a missed bound (least = 0), not unreadable."""
    rows: list[list[object]] = [
        [5, 3, "中级工"],
        [None, None, "高级工"],
        [None, 2, "技师"],
        [0, 3, "预备技师"],
        [6, 3, "高级技师"],
    ]
    assert _said(tmp_path, [CONTRACT, INSURANCE, LEVEL], rows) == [
        (2, CONTRACT, "劳动合同期限5个月，不满6个月"),
        (4, CONTRACT, "须签订6个月以上劳动合同；请填写"),
        (4, INSURANCE, "社保缴纳2个月，不满3个月"),
        (5, CONTRACT, "劳动合同期限0个月，不满6个月"),
        (6, LEVEL, "只适用于中级工、技师，不含高级技师"),
    ]


def test_absent_blank_part_runs_and_absent_skip_part_is_left_out(tmp_path: Path) -> None:
    """Without 劳动合同期限(月) (absent = blank) the rule still runs and asks for it on a
    subject row; without 申报等级 (absent = skip) that part alone is left out."""
    assert _said(tmp_path, [INSURANCE], [[3], [None]]) == [
        (2, CONTRACT, "须签订6个月以上劳动合同；请填写")
    ]


def test_skip_message_states_why_in_the_files_words(tmp_path: Path) -> None:
    """A sheet with neither column skips the rule with the file's skip_message around the
    reason the program gives."""
    report = run(tmp_path, SCHOOL, [LEVEL], [["中级工"]])
    assert [(spec.id, reason) for spec, reason in report.skipped] == [
        ("school", "表中没有「劳动合同期限(月)」「社保缴纳月数」列（不是校企合作培养名册）")
    ]


def test_an_unreadable_level_stops_the_row_at_that_cell(tmp_path: Path) -> None:
    """one-of with read = level: a cell that is no level is reported as unreadable."""
    result = _said(tmp_path, [CONTRACT, INSURANCE, LEVEL], [[6, 3, "厨师长"]])
    assert len(result) == 1
    assert result[0][:2] == (2, LEVEL)
    assert result[0][2].startswith("申报等级")


def test_number_without_least_reads_zero_as_unreadable(tmp_path: Path) -> None:
    """Without ``least`` an integer below 1 is an unreadable cell, as before."""
    rule = """[[rules]]
id = "months"
kind = "number"
sheet = "roster"
clause = "十"
summary = "须满6个月"
params = { column = "劳动合同期限(月)", value = 6 }
"""
    (finding,) = found(tmp_path, rule, [CONTRACT], [[0]])
    assert "小于 1" in finding.message


QUOTING = """[[rules]]
id = "partners"
kind = "number"
sheet = "roster"
clause = "一"
summary = "合作企业"
applies_when = { column = "人员类别", in = ["企业职工", "失业人员"] }
params.column = "培训人数"
params.value = 2
params.least = 0
params.messages.missed = "{column}为{value}，{人员类别}须有{bound}家以上（{身份证号}）"
"""


def test_a_template_quotes_any_cell_of_its_row_masked(tmp_path: Path) -> None:
    """A placeholder naming a column is filled with that row's cell; an identity number
    quoted this way is masked; two rows with the same checked value quote their own cells."""
    result = found(tmp_path, QUOTING, ["人员类别", "培训人数"], [["企业职工", 1], ["失业人员", 1]])
    masked = mask_id(PERSON)
    assert [(f.row, f.column, f.message) for f in result] == [
        (2, "培训人数", f"培训人数为1，企业职工须有2家以上（{masked}）"),
        (3, "培训人数", f"培训人数为1，失业人员须有2家以上（{masked}）"),
    ]
    assert PERSON not in "".join(f.message for f in result)


CATALOG_PARAMETER = """[[local_parameters]]
name = "city_catalog"
kind = "catalog"
clause = "一"
description = "本市的急需紧缺目录"

[[rules]]
id = "shortage"
kind = "in-catalog"
sheet = "roster"
clause = "一"
summary = "急需紧缺"
params = { column = "职业(工种)", catalog_parameter = "city_catalog" }
"""
CITY_CATALOG = """id = "city-list"
title = "本市急需紧缺目录"
source = "测试"

[[industries]]
name = "机械"
occupations = ["焊工", "车工"]
"""


def _in_city_catalog(tmp_path: Path, setting: str) -> list[tuple[int | None, str]]:
    (tmp_path / "params.toml").write_text(
        f'["valid-program"]\ncity_catalog = "{setting}"\n', encoding="utf-8"
    )
    (tmp_path / "city-list.toml").write_text(CITY_CATALOG, encoding="utf-8")
    program = load_program_file(program_file(tmp_path, CATALOG_PARAMETER, ["职业(工种)"]))
    sheet = write_rows(
        tmp_path / "roster.xlsx",
        [
            ["姓名", "身份证号", "职业(工种)"],
            *[["韦志强", PERSON, o] for o in ["焊工", "钳工", None]],
        ],
    )
    params = load_params(tmp_path / "params.toml", program, [program])
    report = validate_sheet(sheet, program, params=params)
    return [(f.row, f.message) for f in report.sorted_findings() if f.rule == "shortage"]


def test_in_catalog_takes_a_toml_file_named_by_a_local_parameter(tmp_path: Path) -> None:
    """catalog_parameter naming a .toml file beside the parameters file: its occupations."""
    assert _in_city_catalog(tmp_path, "city-list.toml") == [
        (3, "「钳工」不在《本市急需紧缺目录》内，不属本项目培养范围；请按目录填写规范名称"),
        (4, "职业(工种)为空；请填写《本市急需紧缺目录》内的职业（工种）"),
    ]


def test_in_catalog_takes_a_catalog_id_named_by_a_local_parameter(tmp_path: Path) -> None:
    """catalog_parameter naming a catalog id: that shipped catalog."""
    result = _in_city_catalog(tmp_path, "guangxi-2012-shortage")
    assert [row for row, _ in result] == [3, 4]
    assert "《2012年广西急需紧缺职业（工种）目录》" in result[0][1]


def test_in_catalog_parameter_must_be_a_declared_catalog_parameter(tmp_path: Path) -> None:
    """program check: catalog_parameter names a local parameter of kind catalog."""
    text = CATALOG_PARAMETER.replace('kind = "catalog"', 'kind = "file"')
    problems = check_program_file(program_file(tmp_path, text, ["职业(工种)"]))
    assert any("city_catalog" in str(p) and "catalog" in str(p) for p in problems)


TWO_LISTS = """[[local_parameters]]
name = "directory"
kind = "file"
clause = "八"
description = "机构目录"

[[local_parameters]]
name = "blacklist"
kind = "file"
clause = "八"
description = "信用黑名单"

[[rules]]
id = "institution-listed"
kind = "name-list"
sheet = "roster"
clause = "八"
summary = "在目录内且不在黑名单上"
params.column = "培训机构"
params.messages = { blank = "培训机构为空；请填写承训机构全称" }
params.lists = [
  { list = "directory", messages = { outside = "{column}「{value}」不在目录内" } },
  { list = "blacklist", listed = false, messages = { listed = "{column}「{value}」在黑名单上" } },
]
"""


def _against_two_lists(
    tmp_path: Path, setting: str
) -> tuple[list[tuple[int | None, str]], list[str]]:
    write_rows(tmp_path / "directory.xlsx", [["单位名称"], ["甲校"], ["乙校"]])
    write_rows(tmp_path / "blacklist.xlsx", [["单位名称"], ["乙校"], ["丙校"]])
    (tmp_path / "params.toml").write_text(f'["valid-program"]\n{setting}', encoding="utf-8")
    program = load_program_file(program_file(tmp_path, TWO_LISTS, ["培训机构"]))
    rows = [["韦志强", PERSON, name] for name in ["甲校", "乙校", "丙校", None]]
    sheet = write_rows(tmp_path / "roster.xlsx", [["姓名", "身份证号", "培训机构"], *rows])
    params = load_params(tmp_path / "params.toml", program, [program])
    report = validate_sheet(sheet, program, params=params)
    said = [(f.row, f.message) for f in report.sorted_findings() if f.rule != "identity"]
    return said, [reason for _, reason in report.skipped]


def test_name_list_against_several_lists_under_one_rule(tmp_path: Path) -> None:
    """lists: each list judged in order, one finding per list failed, a blank cell once."""
    setting = 'directory = "directory.xlsx"\nblacklist = "blacklist.xlsx"\n'
    said, skipped = _against_two_lists(tmp_path, setting)
    assert said == [
        (3, "培训机构「乙校」在黑名单上"),
        (4, "培训机构「丙校」不在目录内"),
        (4, "培训机构「丙校」在黑名单上"),
        (5, "培训机构为空；请填写承训机构全称"),
    ]
    assert skipped == []


def test_name_list_with_one_of_its_lists_set_reads_that_one(tmp_path: Path) -> None:
    """lists: a list whose parameter is unset is not read; the rule still runs on the other."""
    said, _ = _against_two_lists(tmp_path, 'blacklist = "blacklist.xlsx"\n')
    assert said == [
        (3, "培训机构「乙校」在黑名单上"),
        (4, "培训机构「丙校」在黑名单上"),
        (5, "培训机构为空；请填写承训机构全称"),
    ]


def test_name_list_is_skipped_only_when_none_of_its_lists_is_set(tmp_path: Path) -> None:
    """lists: none set, the rule is skipped naming every parameter and where to set them."""
    said, skipped = _against_two_lists(tmp_path, "")
    assert said == []
    assert skipped == [
        f"未设置本地参数 directory、blacklist（在 {tmp_path / 'params.toml'} 中设置）"
    ]


def test_name_list_lists_name_declared_file_parameters(tmp_path: Path) -> None:
    """program check: each of lists names a local parameter of kind file; list beside lists
    is refused."""
    text = TWO_LISTS.replace(
        'name = "blacklist"\nkind = "file"', 'name = "blacklist"\nkind = "catalog"'
    )
    problems = [str(p) for p in check_program_file(program_file(tmp_path, text, ["培训机构"]))]
    assert any("blacklist" in p and "file" in p for p in problems)
    both = TWO_LISTS.replace(
        'params.column = "培训机构"', 'params.column = "培训机构"\nparams.list = "directory"'
    )
    problems = [str(p) for p in check_program_file(program_file(tmp_path, both, ["培训机构"]))]
    assert any("写了 lists 就不写 list" in p for p in problems)


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize(
    ("program", "row", "rule", "outcome", "message"),
    [
        (
            "guangxi-2019-lifelong",
            14,
            "school-enterprise",
            "failed",
            "劳动合同期限5个月，不满6个月，不给予学校补贴",
        ),
        ("guangxi-2019-lifelong", 4, "school-enterprise", "not-applicable", None),
        (
            "guangxi-2019-lifelong",
            34,
            "institution-listed",
            "failed",
            "培训机构「贵港市速成职业技能培训中心」在信用黑名单上，不得承担政府补贴培训",
        ),
        (
            "jincheng-2022-training-base",
            5,
            "partners",
            "failed",
            "合作企业数为1，职业院校须有2家合作企业以上",
        ),
    ],
)
def test_explain_tells_the_converted_rules_outcome(
    program: str, row: int, rule: str, outcome: str, message: str | None
) -> None:
    """explain still explains the shipped rules that were functions: the outcome and message
    validate gives, and a row outside an ``any`` condition as not applicable."""
    explanation = explain_row(
        EXAMPLES / f"{program}.xlsx",
        load_program(program),
        row,
        params_file=EXAMPLES / "skillpolicy.toml",
    )
    (step,) = [s for s in explanation.rules if s.spec.id == rule]
    assert step.outcome == outcome
    assert [f.message for f in step.findings] == ([message] if message else [])


def test_an_all_of_with_every_part_left_out_is_skipped(tmp_path: Path) -> None:
    """All parts absent = "skip" and their columns absent: the rule is skipped naming them,
    never passed with nothing checked."""
    rule = """[[rules]]
id = "both"
kind = "all-of"
sheet = "roster"
clause = "十"
summary = "两项"
params.checks = [
  { kind = "filled", column = "劳动合同期限(月)", absent = "skip" },
  { kind = "filled", column = "社保缴纳月数", absent = "skip" },
]
"""
    report = run(tmp_path, rule, [LEVEL], [["中级工"]])
    assert [(spec.id, reason) for spec, reason in report.skipped] == [
        ("both", "表中没有「劳动合同期限(月)」「社保缴纳月数」列")
    ]


def test_a_kind_across_rows_cannot_quote_a_rows_cell(tmp_path: Path) -> None:
    """program check: a cross-row kind's message (made once the sheet is read) quoting a
    column is refused, naming the kind and the column."""
    rule = """[[rules]]
id = "conflict"
kind = "not-listed"
sheet = "roster"
clause = "三"
summary = "回避"
params = { column = "培训机构", listed_column = "人员类别", messages = { listed = "{人员类别}：{column}「{value}」" } }
"""
    problems = [
        str(p) for p in check_program_file(program_file(tmp_path, rule, ["培训机构", "人员类别"]))
    ]
    assert any("not-listed" in p and "人员类别" in p and "跨行" in p for p in problems), problems
