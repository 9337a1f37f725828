"""The forms ``skillpolicy render`` prints: each one's data model and where its data comes from.

A form's model lists every field its template may use, and every field is required: a
template that leaves one out, or names one the model lacks, fails ``render FORM --check``.
Field names are the Chinese names a clerk sees in the template (``{{ 单位名称 }}``); values
are text already formatted for print (dates as 2012年8月31日, money as 1,900.00 and in
uppercase), so a template needs no logic beyond loops over rows.

Data comes from the clerk's workbook (read with :class:`~skillpolicy.io.sheet.SheetReader`, one
document per unit, class or payee) or from a TOML file whose ``[[documents]]`` tables give the
fields directly.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ..domain.errors import CatalogError, InputError, did_you_mean
from ..domain.identifiers import mask_id, mask_phone
from ..domain.money import amount_in_words, format_amount_grouped
from ..domain.values import ValueProblem, cell_text, fold, parse_date, parse_int, parse_yes_no
from ..io.columns import ColumnSet, shared_columns
from ..io.datafile import parse_toml, read_bounded_text
from ..io.resources import SearchPath
from ..io.sheet import Row, SheetReader

CHECKED = "☑"
UNCHECKED = "☐"


def box(flag: bool) -> str:
    return CHECKED if flag else UNCHECKED


def chinese_date(day: date) -> str:
    """2026年9月28日: no leading zeros (GB/T 9704-2012 7.3.5.3)."""
    return f"{day.year}年{day.month}月{day.day}日"


class FormModel(BaseModel):
    """Base of every form's data: fields required, nothing extra, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------


class YesNo(FormModel):
    """A 是/否 answer printed as two boxes: ``{{ x.是 }}是 {{ x.否 }}否``."""

    是: str
    否: str

    @classmethod
    def of(cls, flag: bool) -> YesNo:
        return cls(是=box(flag), 否=box(not flag))


class GuangxiQualifications(FormModel):
    """主体资格 boxes of 附件2 (打“√”，可多选)."""

    企业: str
    技师学院: str
    高级技工学校: str
    国家级高技能人才培养基地: str
    国家重点技工学校: str
    自治区高技能人才培养示范基地: str
    其他: str  # what the unit wrote that is not one of the six (validate reports it)


class GuangxiOccupation(FormModel):
    序号: str
    培训职业: str
    培训人数: str
    申报优势说明: str


class GuangxiApplication(FormModel):
    """附件2 广西急需紧缺职业（工种）技师、高级技师培训计划申报表 (one per unit)."""

    单位名称: str
    行业主管部门: str
    单位负责人: str
    联系电话: str
    手机: str
    单位联系人: str
    联系人电话: str
    联系人手机: str
    通信地址: str
    邮编: str
    主体资格: GuangxiQualifications
    职业列表: list[GuangxiOccupation]
    培训人数合计: str
    申报日期: str
    核对标记: str = ""  # the rules' errors on this unit's rows, printed in red (--allow-errors)


class WorkstationTypes(FormModel):
    企业: str
    行业协会: str
    科研生产型事业单位: str
    市级以上公共技能实训基地: str
    技能人才培训基地: str


class JinchengWorkstation(FormModel):
    """晋城市技师工作站建设项目申报书: every condition of 一(一) is a field."""

    单位名称: str
    统一社会信用代码: str
    单位类型: str
    单位类型选项: WorkstationTypes
    单位负责人: str
    联系电话: str
    手机: str
    单位联系人: str
    通信地址: str
    邮编: str
    申报日期: str
    技师及高级技师人数: str
    培养评价激励制度: YesNo
    师带徒计划: YesNo
    校企或院所合作: YesNo
    资金场地保障: YesNo
    先进设施设备: YesNo
    核对标记: str = ""  # the rules' errors on this row, printed in red (--allow-errors)


class TrainingBaseTypes(FormModel):
    职业院校: str
    企业行业: str
    职业技能培训机构: str
    公共职业技能实训基地: str


class JinchengTrainingBase(FormModel):
    """晋城市技能人才培养基地建设项目申报书: every condition of 一(二) is a field."""

    单位名称: str
    统一社会信用代码: str
    单位类型: str
    单位类型选项: TrainingBaseTypes
    单位负责人: str
    联系电话: str
    手机: str
    单位联系人: str
    通信地址: str
    邮编: str
    申报日期: str
    管理制度: YesNo
    无违规记录: YesNo
    紧缺专业实训装备数: str
    年培训人数: str
    合作企业数: str
    共建专业数: str
    师资队伍: YesNo
    核对标记: str = ""  # the rules' errors on this row, printed in red (--allow-errors)


class XuchangTrainee(FormModel):
    序号: str
    姓名: str
    性别: str
    身份证号: str
    人员类别: str
    联系电话: str


class XuchangClass(FormModel):
    """许昌 开班审批表: one class (same 培训机构, 职业(工种), 开班日期) with its trainees."""

    培训机构: str
    职业工种: str
    培训类别: str
    培训类型: str
    申报等级: str
    开班日期: str
    结业日期: str
    培训天数: str
    学员人数: str
    学员: list[XuchangTrainee]


class PayoutItem(FormModel):
    序号: str
    姓名: str
    证件号: str
    职业工种: str
    说明: str
    金额: str


class PayoutNotice(FormModel):
    """补贴拨付通知及发放表: one payee, its paid lines, the total in figures and uppercase."""

    项目名称: str
    文号: str
    资金来源: str
    收款方类别: str
    收款方: str
    明细: list[PayoutItem]
    笔数: str
    合计金额: str
    合计大写: str
    发文机关: str  # the issuing authority printed above the seal (a line per joint issuer)
    制表日期: str
    签字: str = ""  # 经办人、复核人、审批人 with names and dates, or blank lines to sign


OCCUPATION_HEADER = "职业（工种）"


def finish_payout_notice(notice: PayoutNotice, data: bytes) -> bytes:
    """A notice none of whose lines names an occupation (a unit's designation, say) prints no
    职业（工种） column; its width goes to 姓名/单位, so a unit's name wraps less."""
    from .tablecols import drop_column

    if any(item.职业工种.strip() for item in notice.明细):
        return data
    return drop_column(data, OCCUPATION_HEADER, widen=1)


def finish_notice(_notice: JinchengNotice, data: bytes) -> bytes:
    """No body paragraph of the notice ends in a lone character (set a little tighter)."""
    from .layout import tighten_lone_lines

    return tighten_lone_lines(data)


class NoticeUnit(FormModel):
    序号: str
    单位名称: str
    统一社会信用代码: str
    评审得分: str


class JinchengNotice(FormModel):
    """公示 of designated units (GB/T 9704-2012 layout), with the period's explicit dates.

    ``发文机关`` lists the issuers one by one (the red 发文机关标志 and the 署名 print each on a
    line of its own); ``发文单位`` is the same names joined for the body text; ``标题`` may hold
    a line break where a long title turns (at a phrase, never inside one).
    """

    发文机关: list[str]
    发文字号: str
    标题: str
    项目名称: str
    单位列表: list[NoticeUnit]
    公示天数: str
    公示开始日期: str
    公示结束日期: str
    发文单位: str
    联系人: str
    联系电话: str
    发布日期: str


# ---------------------------------------------------------------------------
# Loading data
# ---------------------------------------------------------------------------


@dataclass
class RenderOptions:
    """What some forms need beyond the data file."""

    program: str | None = None
    params: Path | None = None
    as_of: date | None = None
    published: date | None = None
    catalogs: SearchPath | None = None
    doc_number: str | None = None  # 发文字号 of a notice (--doc-number)
    contact: str | None = None  # "联系人 联系电话" of a notice (--contact), over the program's
    issuer: str | None = None  # issuing authority of a payout notice (--issuer), over the program's
    allow_errors: bool = False  # print applications the rules reject, marked (--allow-errors)
    today: date = field(default_factory=date.today)
    ledger: Any = None  # the ledger a payout notice is computed against (read only)
    institution: str | None = None  # --institution: the payee of a sheet that names none
    form: FormSpec | None = None  # the form being printed (set by load_documents)


Loader = Callable[[Path, RenderOptions], list[FormModel]]


@dataclass(frozen=True)
class FormSpec:
    id: str
    title: str
    model: type[FormModel]
    file_name: Callable[[Any], str]  # the document's file name, without .docx
    summary: tuple[str, ...]  # top-level fields listed in the summary workbook
    source: str  # what --data is, for `render --list`
    load_sheet: Loader
    needs: tuple[str, ...] = ()  # options the sheet loader needs
    # the rendered .docx finished for its document (a column nobody fills dropped, …)
    finish: Callable[[Any, bytes], bytes] | None = None
    # from the program files' [[forms]]: the programs that declare it, its template file, the
    # kind of sheet read, the columns it cannot be made without, the rules run first
    programs: tuple[str, ...] = ()
    template: str | None = None
    sheet: str = "roster"
    required: tuple[str, ...] = ()
    checked: bool = False
    layout: str = ""  # the name of its :class:`Layout` in LAYOUTS
    working_days: int | None = None  # a notice's period, in working days

    @property
    def template_name(self) -> str:
        return self.template or f"{self.id}.docx"


def printed(raw: object) -> str:
    """A cell as the clerk wrote it (full-width punctuation kept), surrounding space trimmed."""
    if isinstance(raw, str):
        return raw.strip()
    return cell_text(raw)


def required_columns_text(spec: FormSpec) -> str:
    """What a form requires of its sheet, in words (``render --list``, ``render --help``): the
    columns its program file's ``[[forms]]`` entry names; any other field the sheet lacks prints
    blank, for the clerk to fill in by hand. A payout notice needs what ``subsidy`` needs."""
    if spec.id == PAYOUT_NOTICE:
        return "与 subsidy 计算补贴所需的列相同（或 --run）"
    return "、".join(spec.required) or "无"


def _require_columns(reader: SheetReader, columns: Iterable[str]) -> None:
    layout = reader.layout
    missing = [c for c in columns if not layout.has(c)]
    if missing:
        raise InputError(
            f"打印该文书需要的列缺失：{'、'.join(missing)}（第{layout.header_row}行表头）",
            file=reader.path,
            sheet=layout.sheet,
        )


def _declared(options: RenderOptions) -> ColumnSet:
    """The columns a form's sheet is read with: its program's, when --program names one."""
    if options.program is None:
        return shared_columns()
    from ..loading.programfiles import load_program

    return load_program(options.program, options.catalogs).column_set()


def _open(path: Path, options: RenderOptions) -> SheetReader:
    """The form's sheet, of the kind its declaration names, with the columns it requires."""
    spec = options.form
    assert spec is not None, "a form's sheet is opened through load_documents"
    reader = SheetReader(path, kind=spec.sheet, columns=_declared(options))
    _require_columns(reader, spec.required)
    return reader


_MASKS: dict[str, Callable[[str], str]] = {"person-id": mask_id, "phone": mask_phone}


class _Cells:
    """Typed access to a row's cells, errors naming the row and column."""

    def __init__(self, reader: SheetReader, row: Row) -> None:
        self.reader = reader
        self.row = row

    def _problem(self, column: str, problem: ValueProblem) -> InputError:
        return InputError(
            problem.message,
            file=self.reader.path,
            sheet=self.reader.layout.sheet,
            row=self.row.number,
            column=self.reader.layout.headers.get(column, column),
        )

    def text(self, column: str) -> str:
        return printed(self.row.raw(column)) if self.reader.layout.has(column) else ""

    def masked(self, column: str) -> str:
        """A person's number as every form prints it, masked by the column's declared type
        (person-id, phone); other columns as written."""
        text = self.text(column)
        kind = self.reader.declared.type_of(column)
        if not text or kind not in _MASKS:
            return text
        return _MASKS[kind](text)

    def required(self, column: str) -> str:
        value = self.text(column)
        if not value:
            raise self._problem(column, ValueProblem("为空，打印文书需要这一项"))
        return value

    def date_text(self, column: str) -> str:
        if self.row.blank(column):
            return ""
        return chinese_date(self.parsed_date(column))

    def parsed_date(self, column: str) -> date:
        try:
            return parse_date(self.row.raw(column))
        except ValueProblem as problem:
            raise self._problem(column, problem) from None

    def count(self, column: str) -> str:
        if self.row.blank(column):
            return ""
        try:
            return str(parse_int(self.row.raw(column)))
        except ValueProblem as problem:
            raise self._problem(column, problem) from None

    def yes_no(self, column: str) -> YesNo:
        if not self.reader.layout.has(column):  # not on the sheet: both boxes left to tick
            return YesNo(是=UNCHECKED, 否=UNCHECKED)
        try:
            return YesNo.of(parse_yes_no(self.row.raw(column)))
        except ValueProblem as problem:
            raise self._problem(column, problem) from None


def _consistent(
    reader: SheetReader, rows: list[Row], columns: Iterable[str], group: str
) -> dict[str, Any]:
    """The unit-level cells of a group of rows; a different non-blank value is an error."""
    values: dict[str, Any] = {}
    for column in columns:
        for row in rows:
            if row.blank(column):
                continue
            if column not in values:
                values[column] = row.raw(column)
            elif fold(cell_text(values[column])) != fold(row.text(column)):
                raise InputError(
                    f"同一{group}的各行此项不一致：「{cell_text(values[column])}」与「{row.text(column)}」",
                    file=reader.path,
                    sheet=reader.layout.sheet,
                    row=row.number,
                    column=reader.layout.headers.get(column, column),
                )
    return values


_GUANGXI_UNIT = (
    "单位名称",
    "行业主管部门",
    "单位负责人",
    "联系电话",
    "手机",
    "单位联系人",
    "联系人电话",
    "联系人手机",
    "通信地址",
    "邮编",
    "主体资格",
    "申报日期",
)


def _qualifications(raw: Any) -> GuangxiQualifications:
    names = [n for n in GuangxiQualifications.model_fields if n != "其他"]
    written = _split_choices(cell_text(raw))
    chosen = {fold(part) for part in written}
    others = [part for part in written if fold(part) not in {fold(n) for n in names}]
    return GuangxiQualifications(
        **{n: box(fold(n) in chosen) for n in names}, 其他="、".join(others)
    )


def _split_choices(text: str) -> list[str]:
    for separator in "，,;；/ \u3000":
        text = text.replace(separator, "、")
    return [part for part in text.split("、") if part]


UNCHECKED_MARK = "【未通过核对，仅供更正，不得上报】"


def rule_errors(path: Path, options: RenderOptions) -> dict[int | None, list[str]]:
    """The form's program's rules run on its sheet, as ``validate`` runs them, when its
    declaration says ``checked`` (else nothing is marked).

    A sheet with errors is refused, naming the first, unless ``options.allow_errors``; then
    each row's errors come back (``None``: the sheet as a whole) to be printed on its form.
    """
    spec = options.form
    if spec is None or not spec.checked or options.program is None:
        return {}
    from ..check.validate import validate_sheet
    from ..loading.programfiles import ProgramFiles, load_program
    from ..policy.params import load_params

    search = options.catalogs or SearchPath("catalogs")
    program = load_program(options.program, search)
    params = load_params(options.params, program, ProgramFiles(search, program))
    report = validate_sheet(
        path, program, kind=spec.sheet, as_of=options.as_of, params=params, search=search
    )
    errors = [f for f in report.sorted_findings() if f.severity == "error"]
    if errors and not options.allow_errors:
        first = errors[0]
        where = f"第{first.row}行" if first.row is not None else "全表"
        column = f"「{first.column}」" if first.column else ""
        raise InputError(
            f"申报表有 {len(errors)} 处错误，不能据此打印（{where}{column}：{first.message}）；"
            "请先用 skillpolicy validate 核对改正，或加 --allow-errors 打印带“未通过核对”标记的文书",
            file=path,
        )
    marks: dict[int | None, list[str]] = {}
    for finding in errors:  # where, kept short: the mark is one line in the page header
        where = f"第{finding.row}行" if finding.row is not None else "全表"
        column = f"「{finding.column}」" if finding.column else ""
        if f"{where}{column}" not in marks.get(finding.row, []):
            marks.setdefault(finding.row, []).append(f"{where}{column}")
    return marks


def _mark(marks: dict[int | None, list[str]], rows: Iterable[int]) -> str:
    """【未通过核对…】 and where the errors are (validate lists what they are)."""
    found = [*marks.get(None, []), *(m for row in rows for m in marks.get(row, []))]
    return UNCHECKED_MARK + "、".join(found) + "有误" if found else ""


def load_occupation_plan_application(path: Path, options: RenderOptions) -> list[FormModel]:
    """A unit's application with its occupations (rows grouped by 单位名称, one form each)."""
    marks = rule_errors(path, options)
    reader = _open(path, options)
    groups: dict[str, list[Row]] = {}
    for row in reader.rows():
        name = _Cells(reader, row).required("单位名称")
        groups.setdefault(fold(name), []).append(row)
    forms: list[FormModel] = []
    for rows in groups.values():
        unit = _consistent(reader, rows, _GUANGXI_UNIT, "单位")
        first = _Cells(reader, rows[0])
        occupations: list[GuangxiOccupation] = []
        total = 0
        unknown: list[str] = []
        for index, row in enumerate(rows, start=1):
            cells = _Cells(reader, row)
            try:
                count = cells.count("培训人数")
                total += int(count or 0)
            except InputError:  # printed as written (validate reports it); left out of the total
                count = cells.text("培训人数")
                unknown.append(count)
            occupations.append(
                GuangxiOccupation(
                    序号=str(index),
                    培训职业=cells.text("培训职业"),
                    培训人数=count,
                    申报优势说明=cells.text("申报优势说明"),
                )
            )
        applied = unit.get("申报日期")
        forms.append(
            GuangxiApplication(
                **{c: printed(unit.get(c)) for c in _GUANGXI_UNIT[:10]},
                主体资格=_qualifications(unit.get("主体资格")),
                职业列表=occupations,
                培训人数合计=(str(total) + (f"（不含“{'、'.join(unknown)}”）" if unknown else ""))
                if reader.layout.has("培训人数")
                else "",
                申报日期=first.date_text("申报日期") if applied is not None else "",
                核对标记=_mark(marks, (row.number for row in rows)),
            )
        )
    return forms


_JINCHENG_COMMON = (
    "单位名称",
    "统一社会信用代码",
    "单位类型",
    "单位负责人",
    "联系电话",
    "手机",
    "单位联系人",
    "通信地址",
    "邮编",
    "申报日期",
)

# 单位类型 as written on the sheet -> the box it ticks
_WORKSTATION_TYPES = {t: t for t in WorkstationTypes.model_fields}
_TRAINING_BASE_TYPES = {
    "职业院校": "职业院校",
    "技工院校": "职业院校",
    "企业": "企业行业",
    "行业": "企业行业",
    "企业(行业)": "企业行业",
    "职业技能培训机构": "职业技能培训机构",
    "公共职业技能实训基地": "公共职业技能实训基地",
}


def _type_boxes(value: str, mapping: dict[str, str], names: Iterable[str]) -> dict[str, str]:
    ticked = mapping.get(fold(value))
    return {name: box(name == ticked) for name in names}


def _common(cells: _Cells) -> dict[str, str]:
    values = {c: cells.text(c) for c in _JINCHENG_COMMON}
    values["单位名称"] = cells.required("单位名称")
    values["申报日期"] = cells.date_text("申报日期")
    return values


_WORKSTATION_YES_NO = (
    "培养评价激励制度",
    "师带徒计划",
    "校企或院所合作",
    "资金场地保障",
    "先进设施设备",
)


def load_workstation_application(path: Path, options: RenderOptions) -> list[FormModel]:
    marks = rule_errors(path, options)
    reader = _open(path, options)
    forms: list[FormModel] = []
    for row in reader.rows():
        cells = _Cells(reader, row)
        common = _common(cells)
        forms.append(
            JinchengWorkstation(
                **common,
                单位类型选项=WorkstationTypes(
                    **_type_boxes(
                        common["单位类型"], _WORKSTATION_TYPES, WorkstationTypes.model_fields
                    )
                ),
                技师及高级技师人数=cells.count("技师及高级技师人数"),
                **{c: cells.yes_no(c) for c in _WORKSTATION_YES_NO},
                核对标记=_mark(marks, (row.number,)),
            )
        )
    return forms


_BASE_YES_NO = ("管理制度", "无违规记录", "师资队伍")
_BASE_COUNTS = ("紧缺专业实训装备数", "年培训人数", "合作企业数", "共建专业数")


def load_training_base_application(path: Path, options: RenderOptions) -> list[FormModel]:
    marks = rule_errors(path, options)
    reader = _open(path, options)
    forms: list[FormModel] = []
    for row in reader.rows():
        cells = _Cells(reader, row)
        common = _common(cells)
        forms.append(
            JinchengTrainingBase(
                **common,
                单位类型选项=TrainingBaseTypes(
                    **_type_boxes(
                        common["单位类型"], _TRAINING_BASE_TYPES, TrainingBaseTypes.model_fields
                    )
                ),
                **{c: cells.yes_no(c) for c in _BASE_YES_NO},
                **{c: cells.count(c) for c in _BASE_COUNTS},
                核对标记=_mark(marks, (row.number,)),
            )
        )
    return forms


_CLASS_KEY = ("培训机构", "职业(工种)", "开班日期")
_CLASS_SHARED = ("培训类别", "培训类型", "申报等级", "结业日期")


def _distinct(values: Iterable[str]) -> str:
    """The different values of a class-level cell, in order (one, normally)."""
    return "、".join(dict.fromkeys(v for v in values if v))


def load_class_approvals(path: Path, options: RenderOptions) -> list[FormModel]:
    reader = _open(path, options)
    classes: dict[tuple[str, str, date], list[Row]] = {}
    for row in reader.rows():
        cells = _Cells(reader, row)
        key = (
            fold(cells.required("培训机构")),
            fold(cells.required("职业(工种)")),
            cells.parsed_date("开班日期"),
        )
        classes.setdefault(key, []).append(row)
    forms: list[FormModel] = []
    for (_, _, start), rows in classes.items():
        all_cells = [_Cells(reader, row) for row in rows]
        first = all_cells[0]
        ends = {c.parsed_date("结业日期") for c in all_cells if not c.row.blank("结业日期")}
        days = str((max(ends) - start).days + 1) if ends else ""
        forms.append(
            XuchangClass(
                培训机构=first.text("培训机构"),
                职业工种=first.text("职业(工种)"),
                开班日期=chinese_date(start),
                培训天数=days,
                学员人数=str(len(rows)),
                学员=[
                    XuchangTrainee(
                        序号=str(index),
                        姓名=c.text("姓名"),
                        性别=c.text("性别"),
                        身份证号=c.masked("身份证号"),
                        人员类别=c.text("人员类别"),
                        # masked like the identity number: the README's rule for print
                        联系电话=c.masked("联系电话"),
                    )
                    for index, c in enumerate(all_cells, start=1)
                ],
                **{
                    column: _distinct(
                        c.date_text(column) if column.endswith("日期") else c.text(column)
                        for c in all_cells
                    )
                    for column in _CLASS_SHARED
                },
            )
        )
    return forms


def load_payout_notices(path: Path, options: RenderOptions) -> list[FormModel]:
    """The notices of what ``subsidy`` would pay now: the same computation against the same
    ledger (lines already paid are refused there, so they are not offered again); a payee
    with nothing payable gets no notice."""
    from ..compute.subsidy import compute_subsidy
    from ..loading.programfiles import load_program

    if options.program is None:
        raise InputError("打印补贴拨付通知需要 --program（项目编号），以便按项目计算补贴")
    search = options.catalogs or SearchPath("catalogs")
    program = load_program(options.program, search)
    payout = compute_subsidy(
        path,
        program,
        as_of=options.as_of,
        params_file=options.params,
        search=search,
        ledger=options.ledger,
        shown_name=str(path),
        institution=options.institution,
    )
    payout.check_payable(path)  # a notice names its payee
    paid = [
        _NoticeLine(line.payee_kind, line.payee, line.name, line.shown_id, line.occupation,
                    line.basis, line.amount)
        for line in payout.lines
        if line.status == "paid"
    ]  # fmt: skip
    forms = _payout_notices(program, paid, options, {})
    if not forms:
        raise InputError(
            "没有可发放的补贴（全部为待定、不予发放或已记入台账），不生成拨付通知", file=path
        )
    return forms


@dataclass(frozen=True)
class _NoticeLine:
    payee_kind: str
    payee: str
    name: str
    shown_id: str
    occupation: str
    basis: str
    amount: Decimal


def _payout_notices(
    program: Any,
    lines: list[_NoticeLine],
    options: RenderOptions,
    signers: dict[str, tuple[str, str]],
) -> list[FormModel]:
    """One notice per payee of ``lines`` (a trainee paid in person gets one named for them),
    signed by ``signers`` (经办/复核/审批 → name, date; blank lines for those missing)."""
    from ..compute.payee import PAYEE_KIND_NAMES
    from ..ledger.workflow import signature_line

    payees: dict[tuple[str, str], list[_NoticeLine]] = {}
    for line in lines:
        payee = line.name if line.payee_kind == "trainee" else line.payee
        payees.setdefault((line.payee_kind, payee), []).append(line)
    forms: list[FormModel] = []
    for (kind, payee), group in sorted(payees.items()):
        total = sum((line.amount for line in group), Decimal("0.00"))
        forms.append(
            PayoutNotice(
                项目名称=program.title,
                文号=program.document,
                资金来源=program.fund,
                收款方类别=PAYEE_KIND_NAMES[kind],
                收款方=payee,
                明细=[
                    PayoutItem(
                        序号=str(index),
                        姓名=line.name,
                        证件号=line.shown_id,
                        职业工种=line.occupation,
                        说明=grouped_amounts(line.basis),
                        金额=format_amount_grouped(line.amount),
                    )
                    for index, line in enumerate(group, start=1)
                ],
                笔数=str(len(group)),
                合计金额=format_amount_grouped(total),
                合计大写=amount_in_words(total),
                发文机关="\n".join(issuer_names(options.issuer or program.issuer)),
                制表日期=chinese_date(options.today),
                签字=signature_line(signers),
            )
        )
    return forms


_IN_PERSON = ("学员本人", "获奖者本人")  # the payee of a line paid to the trainee or winner


def load_run_notices(ledger: Any, run_id: str, options: RenderOptions) -> list[FormModel]:
    """The notices of exactly what the committed run ``run_id`` paid, from the ledger."""
    from ..domain.money import format_amount
    from ..loading.programfiles import load_program

    run = next((r for r in ledger.runs() if r.run_id == run_id), None)
    if run is None:
        raise InputError(f"台账中没有运行 {run_id}（skillpolicy ledger list 列出各次运行）")
    if run.voided_by is not None:
        raise InputError(f"运行 {run_id} 已作废，不再打印其拨付通知")
    if run.state != "approved":
        raise InputError(
            f"运行 {run_id} {run.state_name}，审批后才算发放，才能打印其拨付通知"
            f"（skillpolicy ledger review / approve {run_id} --by 姓名）"
        )
    program = load_program(run.program, options.catalogs or SearchPath("catalogs"))
    lines = []
    for stored in ledger.lines(run_id):
        line = stored.line
        if line.payee in _IN_PERSON:
            kind = "trainee"
        elif line.tranche is not None:
            kind = "unit"
        else:
            kind = "institution"
        shown = line.subject if kind == "unit" else mask_id(line.subject)
        basis = f"第{line.tranche}笔" if line.tranche else f"{format_amount(line.amount)} 元"
        lines.append(
            _NoticeLine(kind, line.payee, line.name, shown, line.occupation, basis, line.amount)
        )
    from ..ledger.workflow import signers_of

    forms = _payout_notices(program, lines, options, signers_of(ledger.steps(run_id)))
    if not forms:
        raise InputError(f"运行 {run_id} 没有发放的笔数，不生成拨付通知")
    return forms


_UNGROUPED = re.compile(r"(?<![\d,.])(\d{4,})\.(\d{2})(?![\d])")


def grouped_amounts(text: str) -> str:
    """Amounts in running text with thousands separators, as in the figures: 1900.00 -> 1,900.00."""
    return _UNGROUPED.sub(lambda m: format_amount_grouped(Decimal(m.group(0))), text)


def load_designation_notice(path: Path, options: RenderOptions) -> list[FormModel]:
    from ..loading.programfiles import ProgramFiles, load_program
    from ..policy.params import load_params

    if options.program is None:
        declared = options.form.programs if options.form is not None else ()
        raise InputError(f"打印公示需要 --program（{' 或 '.join(declared) or '项目编号'}）")
    if options.published is None:
        raise InputError("打印公示需要 --published（发布日期 YYYY-MM-DD），以计算公示起止日期")
    days = options.form.working_days if options.form is not None else None
    if days is None:
        raise InputError(
            "项目文件的 [[forms]] 中没有写公示期的工作日数（working_days），无法计算公示起止日期"
        )
    search = options.catalogs or SearchPath("catalogs")
    program = load_program(options.program, search)
    params = load_params(options.params, program, ProgramFiles(search, program))
    first_day_counts = params.flag("notice_first_day_counts")
    # a notice is published to the world: a sheet the rules reject (a wrong credit code, more
    # units than the quota) must be corrected first, never printed as it stands
    from ..check.validate import validate_sheet
    from ..policy.workdays import WorkdayCalendar

    report = validate_sheet(path, program, kind="designation", params=params, search=search)
    errors = [f for f in report.sorted_findings() if f.severity == "error"]
    if errors:
        first = errors[0]
        where = f"第{first.row}行" if first.row is not None else "全表"
        raise InputError(
            f"评审授牌表有 {len(errors)} 处错误，不能据此公示（{where}"
            f"{'「' + first.column + '」' if first.column else ''}：{first.message}）；"
            "请先用 skillpolicy validate 核对改正",
            file=path,
        )
    start, end = WorkdayCalendar().notice_period(
        options.published, days, first_day_counts=first_day_counts
    )
    reader = _open(path, options)
    units: list[NoticeUnit] = []
    for row in reader.rows():
        cells = _Cells(reader, row)
        if cells.yes_no("是否授牌").是 != CHECKED:
            continue
        units.append(
            NoticeUnit(
                序号=str(len(units) + 1),
                单位名称=cells.required("单位名称"),
                统一社会信用代码=cells.text("统一社会信用代码"),
                评审得分=cells.text("评审得分"),
            )
        )
    if not units:
        raise InputError("评审授牌表中没有“是否授牌”为“是”的单位，无可公示", file=path)
    person, phone = notice_contact(options.contact, program.contact)
    issuers = issuer_names(program.issuer)
    return [
        JinchengNotice(
            发文机关=issuers,
            发文字号=(options.doc_number or "").strip(),
            标题=notice_title(f"关于{program.title}", "拟认定单位的公示"),
            项目名称=program.title,
            单位列表=units,
            公示天数=str(days),
            公示开始日期=chinese_date(start),
            公示结束日期=chinese_date(end),
            发文单位="、".join(issuers),
            联系人=person,
            联系电话=phone,
            发布日期=chinese_date(options.published),
        )
    ]


# a 2号 title line holds 20 characters in the 156 mm text block; a longer one turns where
# its phrases meet (GB/T 9704-2012 7.3.3: 回行时词意完整), the upper line the longer
TITLE_LINE_CHARS = 18


def notice_title(subject: str, ending: str) -> str:
    """``subject + ending`` on one line when it fits, else the two phrases on two lines."""
    if len(subject) + len(ending) <= TITLE_LINE_CHARS:
        return subject + ending
    return f"{subject}\n{ending}"


def issuer_names(issuer: str) -> list[str]:
    """The issuing authorities of a joint notice, one by one (joined by 、 in the program file)."""
    return [name.strip() for name in issuer.split("、") if name.strip()]


def notice_contact(option: str | None, contact: Any) -> tuple[str, str]:
    """联系人 and 联系电话: ``--contact "姓名 电话"`` if given, else the program file's."""
    if option is not None:
        parts = [part for part in re.split(r"[\s,，、:：;；]+", option.strip()) if part]
        if len(parts) != 2:
            raise InputError(
                f'--contact「{option}」应为“联系人 联系电话”，如 --contact "郭大勇 0356-2199488"'
            )
        return parts[0], parts[1]
    if contact is None:
        raise InputError(
            '公示须写明受理异议的联系人和联系电话：项目文件中没有 contact，请用 --contact "姓名 电话" 给出'
        )
    return str(contact.name), str(contact.phone)


# ---------------------------------------------------------------------------
# TOML data: the model's fields given directly
# ---------------------------------------------------------------------------


def _as_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return chinese_date(value)
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_text(v) for k, v in value.items()}
    return value


def load_toml(path: Path, spec: FormSpec) -> list[FormModel]:
    """``[[documents]]`` tables, each giving ``spec.model``'s fields (dates as TOML dates)."""
    try:
        data = parse_toml(read_bounded_text(path, InputError), path, InputError)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"不是有效的 TOML 文件：{exc}", file=path) from exc
    documents = data.get("documents")
    if not isinstance(documents, list) or not documents:
        raise InputError("TOML 数据文件须有 [[documents]] 表，每张表是一份文书的字段", file=path)
    forms: list[FormModel] = []
    for index, document in enumerate(documents, start=1):
        try:
            forms.append(spec.model.model_validate(_as_text(document)))
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"])
            what = "缺少此字段" if error["type"] == "missing" else error["msg"]
            raise InputError(
                f"{what}（{spec.id} 的字段见 skillpolicy render {spec.id} --check）",
                file=path,
                key=f"documents[{index}].{where}",
            ) from None
    return forms


def load_documents(spec: FormSpec, path: Path, options: RenderOptions) -> list[FormModel]:
    """Every document's data from ``path`` (.xlsx sheet or .toml), read for ``spec``'s program:
    ``--program`` if given (one of the programs that declare the form), else the only one."""
    if not path.exists():
        raise InputError("文件不存在", file=path)
    if path.suffix.lower() == ".toml":
        return load_toml(path, spec)
    program = options.program
    if spec.programs and program is not None and program not in spec.programs:
        raise InputError(
            f"文书 {spec.id} 是项目 {'、'.join(spec.programs)} 的文书，不能按项目 {program} 打印"
        )
    if program is None and len(spec.programs) == 1:
        program = spec.programs[0]
    return spec.load_sheet(path, replace(options, program=program, form=spec))


@dataclass(frozen=True)
class Layout:
    """What Python knows of a form: its data model and how a sheet fills it. Which program
    prints it, with which template, title, sheet and columns, is the program file's
    ``[[forms]]`` entry (``layout`` names one of :data:`LAYOUTS`)."""

    model: type[FormModel]
    load_sheet: Loader
    needs: tuple[str, ...] = ()
    finish: Callable[[Any, bytes], bytes] | None = None


NOTICE_LAYOUT = "designation-notice"  # a notice in GB/T 9704-2012 layout (--check-layout)

LAYOUTS: dict[str, Layout] = {
    "occupation-plan-application": Layout(GuangxiApplication, load_occupation_plan_application),
    "workstation-application": Layout(JinchengWorkstation, load_workstation_application),
    "training-base-application": Layout(JinchengTrainingBase, load_training_base_application),
    "class-approval": Layout(XuchangClass, load_class_approvals),
    NOTICE_LAYOUT: Layout(
        JinchengNotice, load_designation_notice, ("program", "published"), finish_notice
    ),
}

PAYOUT_NOTICE = "payout-notice"

# the one form of every program: what subsidy pays, per payee
PAYOUT_NOTICE_SPEC = FormSpec(
    id=PAYOUT_NOTICE,
    title="补贴拨付通知及发放表",
    model=PayoutNotice,
    file_name=lambda m: f"补贴拨付通知-{m.收款方}",
    summary=("收款方类别", "收款方", "笔数", "合计金额", "合计大写"),
    source="学员花名册或评审授牌表，加 --program（及 --params）；每个收款方一份",
    load_sheet=load_payout_notices,
    needs=("program",),
    finish=finish_payout_notice,
)


def _file_namer(pattern: str) -> Callable[[Any], str]:
    """A document's file name from ``pattern``: ``{字段}`` is the document's field."""
    return lambda model: pattern.format_map(dict(model))


def forms(search: SearchPath | None = None) -> dict[str, FormSpec]:
    """Every form the programs found declare (``[[forms]]``), then the payout notice. A form
    two programs declare (a notice) is one form with both programs; its first declaration
    gives its title, template and columns."""
    from ..loading.programfiles import list_programs, program_path

    search = search or SearchPath("catalogs")
    found: dict[str, FormSpec] = {}
    for program in sorted(list_programs(search), key=lambda p: p.id):
        for index, declared in enumerate(program.forms):
            known = found.get(declared.id)
            if known is not None:
                found[declared.id] = replace(known, programs=(*known.programs, program.id))
                continue
            layout = LAYOUTS.get(declared.layout)
            if layout is None:
                raise CatalogError(
                    f"未知的文书版式「{declared.layout}」；可用：{'、'.join(LAYOUTS)}"
                    f"{did_you_mean(declared.layout, LAYOUTS)}",
                    file=program_path(program.id, search),
                    key=f"forms[{index}].layout",
                )
            found[declared.id] = FormSpec(
                id=declared.id,
                title=declared.title,
                model=layout.model,
                file_name=_file_namer(declared.file_name),
                summary=tuple(declared.summary),
                source=declared.source,
                load_sheet=layout.load_sheet,
                needs=layout.needs,
                finish=layout.finish,
                programs=(program.id,),
                template=declared.template,
                sheet=declared.sheet,
                required=tuple(declared.required),
                checked=declared.checked,
                layout=declared.layout,
                working_days=declared.working_days,
            )
    found[PAYOUT_NOTICE] = PAYOUT_NOTICE_SPEC
    return found


class _ShippedForms(Mapping[str, FormSpec]):
    """The forms of the shipped programs, read from their files when first used (importing
    this module reads no program file)."""

    def __init__(self) -> None:
        self._forms: dict[str, FormSpec] | None = None

    def _loaded(self) -> dict[str, FormSpec]:
        if self._forms is None:
            self._forms = forms()
        return self._forms

    def __getitem__(self, key: str) -> FormSpec:
        return self._loaded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


FORMS: Mapping[str, FormSpec] = _ShippedForms()


def form_spec(form_id: str, search: SearchPath | None = None) -> FormSpec:
    """The form ``form_id`` of the programs on ``search`` (the shipped ones by default)."""
    known = FORMS if search is None else forms(search)
    spec = known.get(form_id)
    if spec is None:
        raise InputError(
            f"没有文书「{form_id}」；可用：{'、'.join(known)}（skillpolicy render --list）"
            f"{did_you_mean(form_id, list(known))}"
        )
    return spec
