"""Workbooks skillpolicy writes: the blank template and the annotated copy of a roster."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from conftest import (
    skillpolicy_script,
)
from skillpolicy.check.validate import validate_sheet
from skillpolicy.domain.findings import Finding
from skillpolicy.io.resources import SearchPath
from skillpolicy.io.sheet import SheetReader
from skillpolicy.loading.programfiles import list_programs, load_program
from skillpolicy.outputs.annotate import write_annotated
from skillpolicy.policy.catalog import load_catalog
from skillpolicy.policy.programs import SheetKind

TEMPLATES = [(p.id, kind) for p in list_programs() for kind in p.sheets]

# sheet kinds with no closed-list column, and why
NO_CLOSED_LISTS = {"score": "one unit and expert a row: names, a code and numbers only"}
LEVELS = ["初级工", "中级工", "高级工", "技师", "高级技师"]
LEVEL_COLUMNS = {"现等级", "申报等级"}
OCCUPATION_COLUMNS = {"职业(工种)", "培训职业"}
YES_NO_COLUMNS = {
    "本地院校",
    "培养评价激励制度",
    "师带徒计划",
    "校企或院所合作",
    "资金场地保障",
    "先进设施设备",
    "管理制度",
    "无违规记录",
    "师资队伍",
    "是否授牌",
    "规模以上",
    "开展职工培训",
}
# kinds whose headers look like another kind's: read back only when asked for (--kind)
EXPLICIT_KINDS = {"technician"}
# 主体资格 takes several values separated by 、 (INTERFACE.md), so no single-choice dropdown.
MULTI_SELECT_COLUMNS = {"主体资格"}

FORMULA_LIKE = ["=1+2", "+8613800000000", "-5", "@SUM(A1)", '=HYPERLINK("http://x","y")']


def expected_lists(program_id: str, kind: SheetKind) -> dict[str, list[str]]:
    """Column -> the dropdown values a blank sheet must offer for it."""
    program = load_program(program_id)
    spec = program.sheets[kind]
    lists: dict[str, list[str]] = {}
    for column in spec.columns:
        if column in spec.choices and column not in MULTI_SELECT_COLUMNS:
            lists[column] = list(spec.choices[column])
        elif column in LEVEL_COLUMNS:
            lists[column] = LEVELS
        elif column in YES_NO_COLUMNS:
            lists[column] = ["是", "否"]
        elif column == "性别":
            lists[column] = ["男", "女"]
        elif column in OCCUPATION_COLUMNS and program.catalog:
            lists[column] = load_catalog(program.catalog, SearchPath("catalogs")).occupations
    return lists


def list_validations(workbook: Workbook, sheet: Worksheet) -> dict[str, list[Any]]:
    """Column letter -> the values of the list validation covering it (resolved from its range)."""
    found: dict[str, list[Any]] = {}
    for validation in sheet.data_validations.dataValidation:
        if validation.type != "list":
            continue
        match = re.fullmatch(
            r"=?'?([^'!]+)'?!(\$?[A-Z]+\$?\d+:\$?[A-Z]+\$?\d+)", validation.formula1
        )
        assert match, validation.formula1
        source = workbook[match.group(1)]
        min_col, min_row, max_col, max_row = range_boundaries(match.group(2).replace("$", ""))
        assert min_col and min_row and max_col and max_row, match.group(2)  # A1:B2, not A:A
        values = [
            source.cell(row=r, column=c).value
            for c in range(min_col, max_col + 1)
            for r in range(min_row, max_row + 1)
        ]
        for cells in str(validation.sqref).split():
            first = cells.split(":")[0]
            found[re.sub(r"\d+", "", first)] = values
    return found


@pytest.fixture(scope="module")
def blanks(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """One blank workbook per program and sheet kind, made by `skillpolicy template`."""
    folder = tmp_path_factory.mktemp("blanks")
    script = skillpolicy_script()
    made: dict[tuple[str, str], Path] = {}
    for program_id, kind in TEMPLATES:
        out = folder / f"{program_id}-{kind}.xlsx"
        result = subprocess.run(
            [script, "template", program_id, "--kind", kind, "--out", str(out)],
            cwd=folder,
            env={k: v for k, v in os.environ.items() if not k.startswith("SKILLPOLICY_")},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        made[(program_id, kind)] = out
    return made


# --- template ---------------------------------------------------------------------------------


def test_every_program_has_a_template_per_sheet_kind() -> None:
    """Templates are made for all six programs and both Jincheng sheet kinds (guards the list)."""
    assert len({p for p, _ in TEMPLATES}) == 6
    assert ("jincheng-2022-workstation", "designation") in TEMPLATES
    assert ("guangxi-2012-technician", "application") in TEMPLATES


@pytest.mark.parametrize(("program_id", "kind"), TEMPLATES)
def test_template_header_is_read_back_as_its_kind(
    blanks: dict[tuple[str, str], Path], program_id: str, kind: SheetKind
) -> None:
    """The blank's header row is detected as its sheet kind, with every column of the spec."""
    reader = SheetReader(blanks[(program_id, kind)], kind=kind if kind in EXPLICIT_KINDS else None)
    spec = load_program(program_id).sheets[kind]
    assert reader.layout.kind == kind
    assert set(reader.layout.columns) == set(spec.columns)
    assert list(reader.rows()) == []


@pytest.mark.parametrize(("program_id", "kind"), TEMPLATES)
def test_template_has_dropdowns_for_closed_lists(
    blanks: dict[tuple[str, str], Path], program_id: str, kind: SheetKind
) -> None:
    """Every closed-list column has a list validation offering exactly its values."""
    workbook = openpyxl.load_workbook(blanks[(program_id, kind)])
    sheet = workbook.worksheets[0]
    letters = {cell.value: cell.column_letter for cell in sheet[2] if cell.value}
    validations = list_validations(workbook, sheet)
    expected = expected_lists(program_id, kind)
    if kind in NO_CLOSED_LISTS:
        assert not expected and not validations, NO_CLOSED_LISTS[kind]
        return
    assert expected, "every sheet kind has at least one closed list"
    for column, values in expected.items():
        assert validations.get(letters[column]) == values, column
    for column in MULTI_SELECT_COLUMNS & set(letters):
        assert letters[column] not in validations


def test_guangxi_template_offers_the_catalog_occupations(
    blanks: dict[tuple[str, str], Path],
) -> None:
    """guangxi-2012 roster's 职业(工种) dropdown lists the 35 catalog occupations; 培训形式 脱产/半脱产."""
    workbook = openpyxl.load_workbook(blanks[("guangxi-2012-technician", "roster")])
    sheet = workbook.worksheets[0]
    letters = {cell.value: cell.column_letter for cell in sheet[2] if cell.value}
    validations = list_validations(workbook, sheet)
    assert len(validations[letters["职业(工种)"]]) == 35
    assert "物流师" in validations[letters["职业(工种)"]]
    assert validations[letters["培训形式"]] == ["脱产", "半脱产"]
    assert validations[letters["申报等级"]] == LEVELS


@pytest.mark.parametrize(("program_id", "kind"), TEMPLATES)
def test_template_has_an_instructions_sheet(
    blanks: dict[tuple[str, str], Path], program_id: str, kind: SheetKind
) -> None:
    """The blank has a visible 填表说明 sheet with one line per column, required ones marked."""
    workbook = openpyxl.load_workbook(blanks[(program_id, kind)])
    assert "填表说明" in workbook.sheetnames
    guide = workbook["填表说明"]
    assert guide.sheet_state == "visible"
    spec = load_program(program_id).sheets[kind]
    rows = {row[0]: row[1] for row in guide.iter_rows(min_row=2, values_only=True) if row[0]}
    for column in spec.columns:
        assert column in rows
        assert (rows[column] == "必填") == (column in spec.required), column


def test_template_identity_column_is_text_formatted(
    blanks: dict[tuple[str, str], Path],
) -> None:
    """身份证号 cells are preformatted as text so Excel keeps all 18 digits."""
    sheet = openpyxl.load_workbook(blanks[("guangxi-2012-technician", "roster")]).worksheets[0]
    letter = next(cell.column_letter for cell in sheet[2] if cell.value == "身份证号")
    assert sheet[f"{letter}3"].number_format == "@"


# --- annotated copy ---------------------------------------------------------------------------


def _is_red(cell: Any) -> bool:
    rgb = str(cell.fill.fgColor.rgb)[-6:]
    red, green, blue = (int(rgb[i : i + 2], 16) for i in (0, 2, 4))
    return (
        cell.fill.fill_type == "solid" and red >= 0xC0 and red > green + 0x30 and red > blue + 0x30
    )


@pytest.fixture
def annotated(
    run_cli: Callable[..., Any],
    tmp_path: Path,
    guangxi_roster: Callable[..., Path],
    resident_id: Callable[[str], str],
) -> tuple[dict[str, Any], Workbook, Workbook]:
    """A roster with errors (some text cells that look like formulas), its JSON report, its
    annotated copy and the source workbook."""
    source = guangxi_roster(
        extra=[
            [
                "王五",
                "男",
                resident_id("45010219800101001"),
                "厨师",
                "高级工",
                "2011-01-01",
                "技师",
                "函授",
                "合格",
            ],
            [
                "赵六",
                "女",
                "450102198001010016",
                "焊工",
                "高级工",
                "2001-01-01",
                "技师",
                "脱产",
                None,
            ],
        ],
    )
    workbook = openpyxl.load_workbook(source)
    sheet = workbook.worksheets[0]
    for offset, text in enumerate(FORMULA_LIKE):  # a row of formula-looking text, as text
        cell = sheet.cell(row=7, column=1 + offset, value=text)
        cell.data_type = "s"
    workbook.save(source)
    result = run_cli(
        "validate",
        source.name,
        "-p",
        "guangxi-2012-technician",
        "--format",
        "json",
        "--annotate",
        "marked.xlsx",
    )
    assert result.returncode == 1, result.stderr
    marked = openpyxl.load_workbook(tmp_path / "marked.xlsx")
    return json.loads(result.stdout), marked, openpyxl.load_workbook(source)


def test_annotated_cells_are_red_with_message_and_citation(
    annotated: tuple[dict[str, Any], Workbook, Workbook],
) -> None:
    """Each cell with an error finding is filled red and its comment has message and citation."""
    report, marked, _ = annotated
    sheet = marked.worksheets[0]
    letters = {cell.value: cell.column_letter for cell in sheet[2] if cell.value}
    cell_findings = [f for f in report["findings"] if f["row"] is not None and f["column"]]
    assert {f["row"] for f in cell_findings} == {5, 6, 7}
    for finding in cell_findings:
        cell = sheet[f"{letters[finding['column']]}{finding['row']}"]
        assert finding["severity"] == "error"
        assert _is_red(cell), (cell.coordinate, cell.fill.fgColor.rgb)
        assert cell.comment is not None, cell.coordinate
        assert finding["message"] in cell.comment.text
        assert finding["citation"] in cell.comment.text


def test_cells_without_findings_are_left_alone(
    annotated: tuple[dict[str, Any], Workbook, Workbook],
) -> None:
    """Cells with no finding get no comment and no fill; every value is copied unchanged."""
    report, marked, original = annotated
    sheet, source = marked.worksheets[0], original.worksheets[0]
    letters = {cell.value: cell.column_letter for cell in sheet[2] if cell.value}
    flagged = {f"{letters[f['column']]}{f['row']}" for f in report["findings"] if f["row"]}
    for row in source.iter_rows():
        for cell in row:
            copy = sheet[cell.coordinate]
            assert copy.value == cell.value
            if cell.coordinate not in flagged:
                assert copy.comment is None and not _is_red(copy), cell.coordinate


def test_summary_sheet_lists_every_finding(
    annotated: tuple[dict[str, Any], Workbook, Workbook],
) -> None:
    """The 问题汇总 sheet has one row per finding: row, column, cell, the rule's Chinese summary
    (never its id), message, citation."""
    report, marked, _ = annotated
    assert "问题汇总" in marked.sheetnames
    summary = marked["问题汇总"]
    sheet = marked.worksheets[0]
    letters = {cell.value: cell.column_letter for cell in sheet[2] if cell.value}
    header = [cell.value for cell in summary[1]]
    rows = [
        dict(zip(header, r, strict=True)) for r in summary.iter_rows(min_row=2, values_only=True)
    ]
    listed = [
        (r["行"], r["列"], r["单元格"], r["规则"], r["问题"], r["依据"])
        for r in rows
        if any(r.values())
    ]
    expected = [
        (
            f["row"],
            f["column"],
            f"{letters[f['column']]}{f['row']}",
            load_program(report["program"]).rule_title(f["rule"]),
            f["message"],
            f["citation"],
        )
        for f in report["findings"]
    ]
    assert listed == expected


def test_formula_like_text_in_the_roster_stays_text(
    annotated: tuple[dict[str, Any], Workbook, Workbook],
) -> None:
    """Text cells starting with = + - @ are copied into the annotated workbook as text."""
    _, marked, _ = annotated
    sheet = marked.worksheets[0]
    for offset, text in enumerate(FORMULA_LIKE):
        cell = sheet.cell(row=7, column=1 + offset)
        assert (cell.value, cell.data_type) == (text, "s")


def test_formula_like_text_in_the_summary_stays_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, guangxi_roster: Callable[..., Path]
) -> None:
    """Summary cells whose text starts with = + - @ are written as text, never as formulas."""
    monkeypatch.chdir(tmp_path)
    source = guangxi_roster()
    report = validate_sheet(source, load_program("guangxi-2012-technician"))
    planted = Finding(
        row=3, column="@列", rule="+rule", severity="warning", message="=1+2", citation="-cite"
    )
    report.findings.append(planted)
    write_annotated(report, source, tmp_path / "marked.xlsx")
    summary = openpyxl.load_workbook(tmp_path / "marked.xlsx")["问题汇总"]
    row = list(summary[2])
    values = {cell.value: cell.data_type for cell in row}
    for text in ("@列", "=1+2", "-cite"):
        assert values.get(text) == "s", (text, values)


def test_annotated_copy_keeps_the_summary_name_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, guangxi_roster: Callable[..., Path]
) -> None:
    """A workbook that already has a 问题汇总 sheet keeps it; the summary gets another name."""
    monkeypatch.chdir(tmp_path)
    source = guangxi_roster()
    workbook = openpyxl.load_workbook(source)
    workbook.create_sheet("问题汇总")["A1"] = "原有内容"
    workbook.save(source)
    report = validate_sheet(source, load_program("guangxi-2012-technician"))
    write_annotated(report, source, tmp_path / "marked.xlsx")
    marked = openpyxl.load_workbook(tmp_path / "marked.xlsx")
    assert marked["问题汇总"]["A1"].value == "原有内容"
    assert [cell.value for cell in marked["问题汇总_"][1]][:2] == ["行", "列"]


def test_annotating_a_finding_in_a_merged_cell_does_not_crash(
    run_cli: Callable[..., Any], tmp_path: Path, guangxi_roster: Callable[..., Path]
) -> None:
    """A finding in a merged-away cell is marked on the range's top-left cell (exit 1, not 3)."""
    source = guangxi_roster()
    workbook = openpyxl.load_workbook(source)
    sheet = workbook.worksheets[0]
    letters = {cell.value: cell.column_letter for cell in sheet[2] if cell.value}
    # 申报等级 and 培训形式 of row 3 merged into one cell: 培训形式 is now blank.
    sheet.merge_cells(f"{letters['申报等级']}3:{letters['培训形式']}3")
    workbook.save(source)
    result = run_cli(
        "validate",
        source.name,
        "-p",
        "guangxi-2012-technician",
        "--format",
        "json",
        "--annotate",
        "marked.xlsx",
    )
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert [(f["row"], f["column"], f["rule"]) for f in findings] == [
        (3, "培训形式", "training-form")
    ]
    marked = openpyxl.load_workbook(tmp_path / "marked.xlsx")
    anchor = marked.worksheets[0][f"{letters['申报等级']}3"]
    assert anchor.comment is not None and findings[0]["message"] in anchor.comment.text
    summary = list(marked["问题汇总"].iter_rows(min_row=2, values_only=True))
    assert [row[3] for row in summary] == ["培训形式为脱产或半脱产"]  # the rule, in Chinese
