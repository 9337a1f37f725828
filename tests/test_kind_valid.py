"""The valid kind: identifier columns checked by their declared type (rules/kind_valid.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import make_resident_id, write_rows
from kindrows import found, program_file, run
from skillpolicy.check.validate import validate_sheet
from skillpolicy.domain.findings import Finding
from skillpolicy.loading.programfiles import load_program_file

CONTACT = """[[rules]]
id = "phones"
kind = "valid"
sheet = "roster"
clause = "附件2"
summary = "电话和邮编有效"
params = { columns = ["联系电话", "邮编"] }
"""
PERSON = """[[rules]]
id = "person"
kind = "valid"
sheet = "roster"
clause = "四"
summary = "身份证号有效"
params = { columns = ["身份证号"], blank_allowed = false }
"""
CODE = """[[rules]]
id = "code"
kind = "valid"
sheet = "roster"
clause = "二"
summary = "信用代码有效"
params = { columns = ["统一社会信用代码"], blank_allowed = false }
"""


def test_phone_messages_name_the_column_postcode_messages_do_not_need_to(tmp_path: Path) -> None:
    """A bad phone says which phone column; a bad postcode's text names the postcode itself."""
    rows = [["0771-5870650", "530022"], ["5870650", "5300"], ["12812345678", None]]
    result = found(tmp_path, CONTACT, ["联系电话", "邮编"], rows)
    assert [(f.row, f.column) for f in result] == [(3, "联系电话"), (3, "邮编"), (4, "联系电话")]
    assert result[0].message.startswith("联系电话：固定电话缺少区号")
    assert result[1].message.startswith("邮政编码应为6位数字，现在是4位")
    assert result[2].message.startswith("联系电话：手机号码应以13至19开头")


def test_blank_cells_pass_unless_blank_is_not_allowed(tmp_path: Path) -> None:
    """Blank contact cells pass by default; a blank credit code is a finding with blank_allowed false."""
    assert found(tmp_path, CONTACT, ["联系电话", "邮编"], [[None, None]]) == []
    result = found(tmp_path, CODE, ["统一社会信用代码"], [[None], ["91350100M000100Y43"]])
    assert [f.row for f in result] == [2]
    assert result[0].message.startswith("统一社会信用代码为空")


def test_a_credit_code_with_a_wrong_check_character(tmp_path: Path) -> None:
    """GB 32100-2015: a changed last character fails the check."""
    result = found(tmp_path, CODE, ["统一社会信用代码"], [["91350100M000100Y44"]])
    assert [(f.column, f.rule) for f in result] == [("统一社会信用代码", "code")]


def _people(tmp_path: Path, rows: list[list[Any]], rule: str = PERSON) -> list[Finding]:
    """The findings of the rule on a roster of (身份证号, 性别, 开班日期) rows."""
    program = load_program_file(program_file(tmp_path, rule, ["性别", "开班日期"]))
    sheet = write_rows(
        tmp_path / "people.xlsx",
        [["姓名", "身份证号", "性别", "开班日期"], *[["韦志强", *row] for row in rows]],
    )
    report = validate_sheet(sheet, program)
    return [f for f in report.sorted_findings() if f.rule != "identity"]


BORN_2012 = make_resident_id("45010220120601101")  # born 2012-06-01, 17th digit odd: male


def test_birth_date_after_the_class_start_is_refused(tmp_path: Path) -> None:
    """A person born after the row's 开班日期 is refused; born on that day passes."""
    result = _people(tmp_path, [[BORN_2012, None, "2012-06-01"], [BORN_2012, None, "2012-05-31"]])
    assert [(f.row, f.column) for f in result] == [(3, "身份证号")]
    assert "2012-05-31" in result[0].message


def test_blank_class_start_falls_back_to_the_programs_reference_date(tmp_path: Path) -> None:
    """Without a 开班日期 the program's reference date (2024-01-31) is the limit."""
    late = make_resident_id("45010220240201101")  # born 2024-02-01
    result = _people(tmp_path, [[late, None, None], [BORN_2012, None, None]])
    assert [f.row for f in result] == [2]


def test_sex_must_agree_with_the_17th_digit(tmp_path: Path) -> None:
    """性别 女 on a male number, or a word that is no sex, is a finding on 性别."""
    rows = [[BORN_2012, "男", None], [BORN_2012, "女", None], [BORN_2012, "M", None]]
    result = _people(tmp_path, rows)
    assert [(f.row, f.column) for f in result] == [(3, "性别"), (4, "性别")]
    assert result[0].message == (
        "性别填的是“女”，但身份证号第17位表示“男”；请核对身份证后改正性别或身份证号"
    )
    assert result[1].message == "性别「M」应填“男”或“女”"


def test_a_blank_or_legacy_number_is_refused(tmp_path: Path) -> None:
    """With blank_allowed false a blank number is a finding; a 15-digit one says it is legacy."""
    result = _people(tmp_path, [[None, None, None], ["110105491231002", None, None]])
    assert [(f.row, f.column) for f in result] == [(2, "身份证号"), (3, "身份证号")]


def test_applies_when_and_no_column_at_all(tmp_path: Path) -> None:
    """applies_when selects rows; a sheet with none of the columns skips the rule."""
    rule = CONTACT + 'applies_when = { column = "邮编", filled = true }\n'
    rows = [["5870650", "530022"], ["5870650", None]]
    assert [f.row for f in found(tmp_path, rule, ["联系电话", "邮编"], rows)] == [2]
    report = run(tmp_path, CONTACT, ["培训形式"], [["脱产"]])
    assert [spec.id for spec, _ in report.skipped] == ["phones"]
