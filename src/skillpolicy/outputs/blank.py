"""A blank roster or application workbook for a program: its headers, dropdowns, instructions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

import openpyxl
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ..domain.errors import InputError
from ..domain.values import Level
from ..io.columnspec import Column
from ..io.fileio import write_atomically
from ..io.xlsxout import WRAP, print_setup, put, set_widths, write_row
from ..policy.catalog import Catalog
from ..policy.programs import SHEET_KIND_NAMES, Program, SheetKind

DATA_ROWS = 2000  # validations cover this many rows below the header
SERIAL = "序号"
LEVEL_TITLES = [level.title for level in sorted(Level)]
YES_NO = ["是", "否"]
# how a filled-in sheet is checked, where it is not plain `validate` with the kind detected
CHECK_NOTES = {
    "technician": "本表表头与花名册相似，核对时须指明表的种类："
    "skillpolicy validate 文件 --program {program} --kind technician。",
    "levy": "填好后可用 skillpolicy levy 文件 --program {program} 核对并核算征收金额。",
}

# how each column type is filled in, for the 填表说明 sheet (keyed by type, never by column)
_HINTS: dict[str, str] = {
    "person-id": "18位公民身份号码，末位 X 大写；本列已设为文本格式，请勿改为数字（否则后几位会丢失）",
    "phone": "手机11位；固定电话带区号，如 {area_code}-2345678",
    "date": "日期，如 2012-08-31",
    "ratio": "百分数，如 85%",
    "integer": "整数",
    "level": "从下拉列表选择：初级工、中级工、高级工、技师、高级技师（也可写五级…一级）",
    "yes-no": "从下拉列表选择：是 或 否",
    "catalog": "从下拉列表选择目录内的职业（工种）",
    "catalog-free": "填写职业（工种）名称（本项目没有职业目录，不设下拉列表）",
    "choice": "从下拉列表选择",
    "multi-choice": "可多选，用顿号“、”分隔",
    "credit-code": "18位统一社会信用代码",
    "postcode": "6位数字",
    "number": "数字",
    "money": "金额（元），如 1900.00",
    "text": "文字",
}


def _column(program: Program, name: str) -> Column:
    declared = program.column_set().get(name)
    return declared if declared is not None else Column(name=name, type="text")


def _choices(
    program: Program, kind: SheetKind, column: str, catalog: Catalog | None
) -> list[str] | None:
    spec = program.sheets[kind]
    declared = _column(program, column)
    if declared.values and column in program.columns:  # narrowed in [columns]: that list
        return list(declared.values)
    if column in spec.choices:
        return list(spec.choices[column])
    if declared.values:
        return list(declared.values)
    if declared.type == "level":
        return LEVEL_TITLES
    if declared.type == "yes-no":
        return YES_NO
    if declared.type == "catalog" and catalog is not None:
        return catalog.occupations
    if column == "所在地" and program.localities:
        return list(program.localities)
    return None


def _hint(program: Program, column: str, catalog: Catalog | None) -> str:
    value_kind: str = _column(program, column).type
    if value_kind == "catalog" and catalog is None:
        value_kind = "catalog-free"
    if column == "所在地" and program.localities:
        return "从下拉列表选择（列表外的地方可照填，Excel 会提示确认）"
    return _HINTS[value_kind].format(area_code=program.area_code or "0000")


def _number_validation(column: Column) -> DataValidation:
    """Whole numbers (integer) or sums (money) within the column's declared bounds, at least 0."""
    low = column.minimum if column.minimum is not None else 0
    whole = column.type == "integer"
    kind: Literal["whole", "decimal"] = "whole" if whole else "decimal"
    what = "整数" if whole else "金额"
    if column.maximum is not None:
        validation = DataValidation(
            type=kind,
            operator="between",
            formula1=str(low),
            formula2=str(column.maximum),
            allow_blank=True,
        )
        validation.error = f"请填写{low}到{column.maximum}之间的{what}"
        return validation
    validation = DataValidation(
        type=kind, operator="greaterThanOrEqual", formula1=str(low), allow_blank=True
    )
    validation.error = f"请填写{what}" if low == 0 else f"请填写不小于{low}的{what}"
    return validation


def build_blank(program: Program, kind: SheetKind, catalog: Catalog | None, target: Path) -> None:
    """Write the blank workbook for ``program``'s ``kind`` sheet to ``target`` atomically."""
    if kind not in program.sheets:
        accepted = "、".join(f"{k}（{SHEET_KIND_NAMES[k]}）" for k in program.sheets)
        raise InputError(
            f"项目 {program.id} 没有{SHEET_KIND_NAMES.get(kind, kind)}；可用：{accepted}"
        )
    spec = program.sheets[kind]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_KIND_NAMES[kind]
    options = workbook.create_sheet("选项")
    guide = workbook.create_sheet("填表说明")

    title = f"{program.title}{SHEET_KIND_NAMES[kind]}（{program.document}）"
    put(sheet.cell(row=1, column=1), title)
    sheet.cell(row=1, column=1).font = openpyxl.styles.Font(bold=True, size=14)
    # 序号 first: a clerk numbers the rows; the reader ignores it
    write_row(sheet, 2, [SERIAL, *spec.columns], header=True)
    sheet.freeze_panes = "B3"
    set_widths(sheet, [6.0, *(max(10.0, 2.2 * len(c) + 2) for c in spec.columns)])

    option_column = 0
    last = 2 + DATA_ROWS
    for index, column in enumerate(spec.columns, start=2):
        letter = get_column_letter(index)
        cells = f"{letter}3:{letter}{last}"
        declared = _column(program, column)
        value_kind = declared.type
        cell_format = declared.cell_format
        if cell_format is not None:
            for row in range(3, last + 1):
                sheet.cell(row=row, column=index).number_format = cell_format
        choices = _choices(program, kind, column, catalog)
        validation: DataValidation | None = None
        if choices and value_kind != "multi-choice":
            option_column += 1
            option_letter = get_column_letter(option_column)
            put(options.cell(row=1, column=option_column), column)
            for offset, choice in enumerate(choices, start=2):
                put(options.cell(row=offset, column=option_column), choice)
            source = f"{quote_sheetname(options.title)}!${option_letter}$2:${option_letter}${len(choices) + 1}"
            validation = DataValidation(type="list", formula1=f"={source}", allow_blank=True)
            validation.error = f"请从下拉列表中选择{column}"
            if column == "所在地":  # a place off the program's list is allowed, after a warning
                validation.errorStyle = "warning"
                validation.error = f"{column}不在本项目的地区列表中，确认照填吗？"
        elif value_kind == "date":
            validation = DataValidation(
                type="date",
                operator="between",
                formula1="DATE(1900,3,1)",
                formula2="DATE(2099,12,31)",
                allow_blank=True,
            )
            validation.error = "请填写日期，如 2012-08-31"
        elif value_kind == "ratio":
            validation = DataValidation(
                type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True
            )
            validation.error = "请填写0%到100%之间的百分数"
        elif value_kind in ("integer", "money"):
            validation = _number_validation(declared)
        if validation is not None:
            validation.errorTitle = "输入有误"
            validation.showErrorMessage = True
            sheet.add_data_validation(validation)
            validation.add(cells)
    options.sheet_state = "hidden"
    print_setup(sheet, header_rows=(2, 2), landscape=True)

    write_row(guide, 1, ["列", "是否必填", "怎么填"], header=True)
    for offset, column in enumerate(spec.columns, start=2):
        value_kind = _column(program, column).type
        hint = _hint(program, column, catalog)
        choices = _choices(program, kind, column, catalog)
        if choices and value_kind in ("choice", "multi-choice") and len(choices) <= 15:
            hint += "：" + "、".join(choices)
        write_row(guide, offset, [column, "必填" if column in spec.required else "", hint])
        for cell in guide[offset]:
            cell.alignment = WRAP
    notes_row = len(spec.columns) + 3
    notes = [
        f"本表用于：{program.title}（{program.document}，{program.issuer}）。",
        "表头请勿改动；列的顺序可以调整，多余的列会被忽略。",
        "第1行为标题，可改；核对时从表头行以下逐行读取，空行跳过。",
        CHECK_NOTES.get(
            kind, "填好后可用 skillpolicy validate 核对，问题会逐格标出并注明政策条款。"
        ).format(program=program.id),
    ]
    for offset, text in enumerate(notes):
        put(guide.cell(row=notes_row + offset, column=1), text)
    set_widths(guide, [18, 10, 80])
    print_setup(guide, header_rows=(1, 1), wrap_from=2)
    save: Callable[[Path], None] = workbook.save
    write_atomically(target, save, private=False)  # headers and lists: no personal data
