"""Columns as data: catalogs/columns.toml and a program file's own [columns]."""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import ROOT, Run, make_resident_id, write_rows
from skillpolicy.check.validate import validate_sheet
from skillpolicy.domain.errors import CatalogError
from skillpolicy.io.columns import (
    COLUMN_TYPES,
    COLUMNS_SCHEMA_FILE,
    ColumnSpec,
    columns_json_schema,
    load_columns_file,
    shared_columns,
)
from skillpolicy.io.resources import SearchPath
from skillpolicy.io.sheet import SheetReader
from skillpolicy.loading.programfiles import list_programs, load_program, load_program_file
from skillpolicy.outputs.annotate import write_annotated
from skillpolicy.outputs.blank import build_blank

SHIPPED = ROOT / "catalogs"
BASE_PROGRAM = "fujian-2013-free-training"
CUSTOM_ID = "county-insured-training"
# the new column a user's program declares, and how its sheet writes the header (an alias)
INSURED = "参保月数"
INSURED_HEADER = "参保月份数"


def custom_program(folder: Path) -> Path:
    """A copy of a shipped program plus a column no shipped file declares, used in required."""
    text = (SHIPPED / "programs" / f"{BASE_PROGRAM}.toml").read_text(encoding="utf-8")
    text = text.replace("#:schema ../program.schema.json\n", "")
    text = text.replace(f'id = "{BASE_PROGRAM}"', f'id = "{CUSTOM_ID}"')
    text = text.replace(
        'required = ["姓名", "身份证号", "所在企业", "职业(工种)"]',
        f'required = ["姓名", "身份证号", "所在企业", "职业(工种)", "{INSURED}"]',
    )
    text = text.replace('"鉴定结果"]\n', f'"鉴定结果", "{INSURED}"]\n', 1)
    text += (
        f'\n[columns."{INSURED}"]\ntype = "integer"\nminimum = 0\n'
        f'aliases = ["{INSURED_HEADER}"]\ndescription = "截至开班日期已连续参加失业保险的月数"\n'
        '\n[columns."培训形式"]\nvalues = ["全脱产"]\n'
    )
    path = folder / "programs" / f"{CUSTOM_ID}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def sample_sheet(path: Path, insured: list[Any], forms: list[str] | None = None) -> Path:
    """A roster with the new column under its alias, one row per value of ``insured``."""
    header = ["姓名", "身份证号", "所在企业", "职业(工种)", "培训形式", "培训机构", "开班日期"]
    header.append(INSURED_HEADER)
    rows: list[list[Any]] = [header]
    for index, months in enumerate(insured):
        form = (forms or [])[index] if forms and index < len(forms) else "全脱产"
        person = make_resident_id(f"35010219850101{index:03d}")
        start = dt.date(2013, 3, 1)
        rows.append([f"学员{index}", person, "福州某企业", "焊工", form, "福州技校", start, months])
    return write_rows(path, rows)


def test_shipped_columns_declare_every_column_the_shipped_programs_use() -> None:
    """Every column a shipped program's sheets name is declared in catalogs/columns.toml."""
    shared = shared_columns()
    for program in list_programs():
        for kind, sheet in program.sheets.items():
            missing = [name for name in sheet.columns if name not in shared]
            assert not missing, (program.id, kind, missing)


def test_shared_columns_use_only_the_documented_types() -> None:
    """Each shared column has one of the column types, and the required ones are all used."""
    used = {column.type for column in shared_columns().columns.values()}
    assert used <= set(COLUMN_TYPES)
    wanted = {"text", "person-id", "credit-code", "phone", "postcode", "date", "ratio"}
    wanted |= {"integer", "money", "yes-no", "level", "choice", "catalog"}
    assert wanted <= used


def test_columns_schema_is_the_generated_one() -> None:
    """catalogs/columns.schema.json is the schema generated from the model that loads it."""
    shipped = json.loads((SHIPPED / COLUMNS_SCHEMA_FILE).read_text(encoding="utf-8"))
    assert shipped == columns_json_schema()
    first = (SHIPPED / "columns.toml").read_text(encoding="utf-8").splitlines()[0]
    assert first == f"#:schema {COLUMNS_SCHEMA_FILE}"


def test_aliases_apply_on_the_sheet_kinds_they_name() -> None:
    """手机 is 联系电话 on a roster but its own column on an application sheet."""
    shared = shared_columns()
    assert shared.canonical_header("手机", "roster") == "联系电话"
    assert shared.canonical_header("手机", "application") == "手机"
    assert shared.canonical_header("工资总额", "levy") == "职工工资总额"
    assert shared.canonical_header("工资总额", "application") is None


def test_a_program_column_is_a_header_only_for_that_program(tmp_path: Path) -> None:
    """A column declared in one program file is recognised (with its alias) only with it."""
    program = load_program_file(custom_program(tmp_path))
    assert program.column_set().canonical_header(INSURED_HEADER, "roster") == INSURED
    assert shared_columns().canonical_header(INSURED_HEADER, "roster") is None
    sheet = sample_sheet(tmp_path / "roster.xlsx", [6])
    layout = SheetReader(sheet, columns=program.column_set()).layout
    assert layout.has(INSURED) and layout.headers[INSURED] == INSURED_HEADER
    assert not SheetReader(sheet).layout.has(INSURED)


def test_narrowing_keeps_the_shared_type_and_adds_bounds() -> None:
    """A program's narrowing keeps the shared type and aliases and adds its own values."""
    narrowed = shared_columns().with_program(
        {"社保缴纳月数": ColumnSpec(maximum=600), "性别": ColumnSpec(values=["女"])}
    )
    months = narrowed.get("社保缴纳月数")
    assert months is not None and months.type == "integer" and months.from_program
    assert narrowed.check_cell("社保缴纳月数", 12) is None
    assert "上限" in (narrowed.check_cell("社保缴纳月数", 601) or "")
    assert "不在可选的取值中" in (narrowed.check_cell("性别", "男") or "")
    assert narrowed.check_cell("性别", "女") is None


def test_column_declared_only_in_a_users_program_file_works(run_cli: Run, tmp_path: Path) -> None:
    """validate reads a required column the user's program declares, and checks its cells."""
    custom_program(tmp_path / "catalog")
    sheet = sample_sheet(tmp_path / "roster.xlsx", [6, "三", -1, "12", 0])
    result = run_cli(
        "--catalog-dir",
        tmp_path / "catalog",
        "validate",
        sheet,
        "--program",
        CUSTOM_ID,
        "--format",
        "json",
    )
    assert result.returncode == 1, result.stderr
    assert "表头缺少必需的列" not in result.stderr
    findings = json.loads(result.stdout)["findings"]
    flagged = sorted(f["row"] for f in findings if f["rule"] == "column-type")
    assert flagged == [3, 4]  # "三" and -1; 6, "12" and 0 are whole numbers of at least 0
    assert all(f["column"] == INSURED for f in findings if f["rule"] == "column-type")


def test_program_check_passes_the_users_program_with_a_sample(run_cli: Run, tmp_path: Path) -> None:
    """program check accepts the file with its new column and runs a sample that has it."""
    path = custom_program(tmp_path / "catalog")
    sheet = sample_sheet(tmp_path / "roster.xlsx", [6, 7])
    params = tmp_path / "params.toml"
    params.write_text(f'[{CUSTOM_ID}]\ncost_per_trainee = "600.00"\n', encoding="utf-8")
    result = run_cli("program", "check", path, "--sample", sheet, "--params", params)
    assert result.returncode == 0, result.stderr
    assert "表头缺少" not in result.stdout + result.stderr


def test_narrowed_choice_is_checked_on_the_sheet(tmp_path: Path) -> None:
    """A shared column the program narrows (培训形式 to 全脱产) flags the values it dropped."""
    program = load_program_file(custom_program(tmp_path))
    sheet = sample_sheet(tmp_path / "roster.xlsx", [6, 6], forms=["全脱产", "半脱产"])
    report = validate_sheet(sheet, program, search=SearchPath("catalogs", [tmp_path]))
    flagged = [(f.row, f.column) for f in report.findings if f.rule == "column-type"]
    assert flagged == [(3, "培训形式")]


def test_shipped_programs_get_no_column_type_rule() -> None:
    """The shipped programs declare no columns of their own, so column-type never runs on them."""
    for program in list_programs():
        assert not program.columns
        assert all(spec.id != "column-type" for spec in program.rules), program.id


def test_template_of_a_users_column_follows_its_declaration(tmp_path: Path) -> None:
    """The blank template gives the new integer column a whole-number check from its minimum
    and a 填表说明 line; the narrowed choice becomes a dropdown of the values left."""
    program = load_program_file(custom_program(tmp_path))
    target = tmp_path / "blank.xlsx"
    build_blank(program, "roster", None, target)
    workbook = openpyxl.load_workbook(target)
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[2]]
    letter = openpyxl.utils.get_column_letter(headers.index(INSURED) + 1)
    checks = [v for v in sheet.data_validations.dataValidation if letter + "3" in str(v.sqref)]
    assert len(checks) == 1
    assert checks[0].type == "whole" and checks[0].formula1 == "0"
    guide = {row[0]: row[2] for row in workbook["填表说明"].iter_rows(min_row=2, values_only=True)}
    assert guide[INSURED] == "整数"
    options = workbook["选项"]
    lists = {col[0].value: [c.value for c in col[1:] if c.value] for col in options.iter_cols()}
    assert lists["培训形式"] == ["全脱产"]


@pytest.mark.parametrize(
    ("program_id", "kind", "column", "number_format"),
    [
        ("xuchang-2013-revitalization", "levy", "职工工资总额", "#,##0.00"),
        ("xuchang-2013-revitalization", "levy", "提取比例", "0.00%"),
        ("xuchang-2013-revitalization", "roster", "到课率", "0%"),
        ("xuchang-2013-revitalization", "roster", "开班日期", "yyyy-mm-dd"),
        ("xuchang-2013-revitalization", "roster", "身份证号", "@"),
        ("guangxi-2012-technician", "application", "邮编", "@"),
        ("guangxi-2012-technician", "roster", "证书编号", "@"),
    ],
)
def test_template_number_formats_come_from_the_declaration(
    tmp_path: Path, program_id: str, kind: Any, column: str, number_format: str
) -> None:
    """Money, ratio, date and identifier cells of a blank template take their declared format."""
    declared = shared_columns().get(column)
    assert declared is not None and declared.cell_format == number_format
    target = tmp_path / "blank.xlsx"
    build_blank(load_program(program_id), kind, None, target)
    sheet = openpyxl.load_workbook(target).worksheets[0]
    headers = [cell.value for cell in sheet[2]]
    assert sheet.cell(row=3, column=headers.index(column) + 1).number_format == number_format


def test_annotated_copy_marks_a_users_column(tmp_path: Path) -> None:
    """The annotated copy marks the cell of the program's own column that breaks its type."""
    program = load_program_file(custom_program(tmp_path))
    sheet = sample_sheet(tmp_path / "roster.xlsx", [6, "三"])
    report = validate_sheet(sheet, program, search=SearchPath("catalogs", [tmp_path]))
    write_annotated(report, sheet, tmp_path / "marked.xlsx")
    marked = openpyxl.load_workbook(tmp_path / "marked.xlsx").worksheets[0]
    column = report.layout.letters[INSURED]
    comment = marked[f"{column}3"].comment
    assert comment is not None and INSURED in comment.text
    assert marked[f"{column}2"].comment is None


def test_columns_file_documents_every_key() -> None:
    """Each key a column declaration may hold is documented in docs/program-files.md."""
    text = (ROOT / "docs" / "program-files.md").read_text(encoding="utf-8")
    for name in ColumnSpec.model_fields:
        assert f"`{name}`" in text, name
    for type_name in COLUMN_TYPES:
        assert re.search(rf"\| `{re.escape(type_name)}` \|", text), type_name
    data = tomllib.loads((SHIPPED / "columns.toml").read_text(encoding="utf-8"))
    assert all("description" in spec for spec in data["columns"].values())


def test_shared_file_with_one_alias_for_two_columns_is_refused(tmp_path: Path) -> None:
    """A columns.toml giving two columns the same alias on one sheet kind is a CatalogError
    naming the alias and both columns; on different sheet kinds it is allowed."""
    path = tmp_path / "columns.toml"
    path.write_text(
        '[columns."联系电话"]\ntype = "phone"\naliases = ["电话"]\n\n'
        '[columns."联系人电话"]\ntype = "phone"\naliases = ["电话"]\n',
        encoding="utf-8",
    )
    with pytest.raises(CatalogError) as caught:
        load_columns_file(path)
    said = str(caught.value)
    assert "「电话」" in said and "联系电话" in said and "联系人电话" in said
    path.write_text(
        '[columns."联系电话"]\ntype = "phone"\naliases = ["电话"]\nalias_sheets = ["roster"]\n\n'
        '[columns."联系人电话"]\ntype = "phone"\naliases = ["电话"]\n'
        'alias_sheets = ["application"]\n',
        encoding="utf-8",
    )
    declared = load_columns_file(path)
    assert declared.canonical_header("电话", "roster") == "联系电话"
    assert declared.canonical_header("电话", "application") == "联系人电话"
