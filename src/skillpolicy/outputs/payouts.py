"""The payout schedule (补贴发放花名册): one workbook a finance office can check, sign and file.

Sheets, in order: 汇总 (one row per payee, the grand total in figures and in 大写, counts and
signature lines), one sheet per payee (学员本人, or each 培训机构 / 单位) listing its paid lines
with a 小计, 未发放 (every pending or refused line with its reasons, to send back) and 说明.

Every sheet starts with the same header block in the clerk's words (program, document and
clause, funding source, method, date made); where the numbers came from (the amounts and
parameters used, the input file and its SHA-256, the ledger run) is on the last sheet, 说明,
and in the workbook's properties, not on the face of a page handed up for signature.
Amounts are numeric cells written from the Decimal itself;
text from the roster always goes through :func:`~skillpolicy.io.xlsxout.put`, so a name such as
``=HYPERLINK(...)`` stays text. Full identity numbers appear only with ``full_ids``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..compute.payee import PAYEE_KIND_NAMES
from ..compute.paylines import PayLine, Payout
from ..compute.paymethod import ZERO
from ..domain.identifiers import mask_id
from ..domain.money import amount_in_words, format_amount_grouped, to_fen
from ..domain.privacy import redact
from ..io.fileio import StagedFile, ensure_not_input
from ..io.xlsxout import HEADER_FILL, HEADER_FONT, lines_needed, print_setup, put, set_widths
from ..policy.paymodel import PayeeKind

__all__ = [
    "PENDING_SHEET",
    "SUMMARY_SHEET",
    "TRAINEE_SHEET",
    "safe_sheet_title",
    "write_payout_workbook",
]

SUMMARY_SHEET = "汇总"
PENDING_SHEET = "未发放"
TRAINEE_SHEET = "学员本人"
STATUS_NAMES = {"paid": "发放", "pending": "待定", "refused": "不予发放"}
MONEY_FORMAT = "#,##0.00"
NOT_COMMITTED = "未记入台账（预览，未正式登记发放）"
NOTES_SHEET = "说明"
SEAL_AND_DATE = "（单位盖章）　　　　　　年　　月　　日"

_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
TITLE_FONT = Font(bold=True, size=16)
BOLD = Font(bold=True)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
MIDDLE = Alignment(vertical="center", wrap_text=True)
NUMBER = Alignment(horizontal="right", vertical="center")
LINE_HEIGHT = 15.0  # points per wrapped line of 11-point text (CJK glyphs need a little more)

# Excel: at most 31 characters (UTF-16 units), none of these, no apostrophe at either end.
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_SHEET_LIMIT = 31
# A resident identity number (18 or 15 characters) inside free text: a name typed into the
# wrong column, or a rule message quoting a cell. Masked unless full numbers were asked for.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def _units16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut16(text: str, limit: int) -> str:
    while _units16(text) > limit:
        text = text[:-1]
    return text


def safe_sheet_title(name: str, taken: set[str]) -> str:
    """A sheet name Excel accepts, not in ``taken`` (compared case-insensitively); adds it.

    Forbidden characters become "_", the name is cut to 31 characters, and a clash gets a
    "(2)", "(3)"... suffix after cutting the name short enough to keep it.
    """
    cleaned = _SHEET_BAD.sub("_", " ".join(name.split())).strip("'") or "收款方"
    if cleaned.casefold() == "history":  # reserved by Excel
        cleaned += "_"
    candidate = _cut16(cleaned, _SHEET_LIMIT).strip("'") or "收款方"
    number = 1
    while candidate.casefold() in taken:
        number += 1
        suffix = f"({number})"
        candidate = _cut16(cleaned, _SHEET_LIMIT - len(suffix)).rstrip("'") + suffix
    taken.add(candidate.casefold())
    return candidate


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    money: bool = False


class _Texts:
    """Text from the roster and findings as it may be shown (identity numbers masked)."""

    def __init__(self, full_ids: bool) -> None:
        self.full_ids = full_ids

    def __call__(self, text: str) -> str:
        if self.full_ids:
            return text
        return redact(_ID_IN_TEXT.sub(lambda match: mask_id(match.group(0)), text))


class _SheetWriter:
    """Writes one sheet: header block, bordered table with a repeated header row, print setup."""

    def __init__(self, sheet: Worksheet, columns: Sequence[Column]) -> None:
        self.sheet = sheet
        self.columns = list(columns)
        self.span = len(self.columns)
        self.total_width = sum(c.width for c in self.columns)
        self.row = 1
        self.header_row = 0
        self._looks: dict[tuple[str, bool], Any] = {}  # a table cell's style indexes, by look
        set_widths(sheet, [c.width for c in self.columns])

    # -- header block and free lines -----------------------------------------------------

    def merged_line(
        self,
        text: str,
        *,
        font: Font | None = None,
        alignment: Alignment = MIDDLE,
        min_height: float = LINE_HEIGHT,
        scale: float = 1.0,
    ) -> None:
        cell = self.sheet.cell(row=self.row, column=1)
        put(cell, text)
        cell.alignment = alignment
        if font is not None:
            cell.font = font
        if self.span > 1:
            self.sheet.merge_cells(
                start_row=self.row, start_column=1, end_row=self.row, end_column=self.span
            )
        lines = lines_needed(text, self.total_width / scale)
        self.sheet.row_dimensions[self.row].height = max(min_height, LINE_HEIGHT * scale * lines)
        self.row += 1

    def header_block(self, title: str, lines: Sequence[str]) -> None:
        self.merged_line(title, font=TITLE_FONT, alignment=CENTRE, min_height=28, scale=1.5)
        for line in lines:
            self.merged_line(line)
        self.row += 1  # a blank row before the table

    # -- the table ---------------------------------------------------------------------------

    def table_header(self) -> None:
        self.header_row = self.row
        for index, column in enumerate(self.columns, start=1):
            cell = self.sheet.cell(row=self.row, column=index)
            put(cell, column.title)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = CENTRE
            cell.border = BORDER
        self._fit_height(self.row)
        self.row += 1

    def table_row(self, values: Sequence[Any], *, bold: bool = False) -> int:
        cells = []
        for index, (column, value) in enumerate(zip(self.columns, values, strict=True), start=1):
            cell = self.sheet.cell(row=self.row, column=index)
            if column.money and isinstance(value, Decimal):
                value = to_fen(value)  # stored to the fen: 1900.00, as shown
            put(cell, value)
            if column.money and isinstance(value, Decimal):
                look = "money"
            elif isinstance(value, int):
                look = "centre"
            else:
                look = "middle"
            self._style(cell, look, bold)
            cells.append(cell)
        self._fit_height(self.row, cells)
        self.row += 1
        return self.row - 1

    def _style(self, cell: Any, look: str, bold: bool) -> None:
        """Border, alignment, number format and font of a table cell; a fresh cell takes the
        indexes the first cell of the same look was given (setting each style object looks
        it up in the workbook's lists by its hash, which openpyxl computes afresh each time)."""
        made = self._looks.get((look, bold))
        if made is not None and not cell.has_style:
            cell._style = copy(made)
            return
        cell.border = BORDER
        if look == "money":
            cell.number_format = MONEY_FORMAT
            cell.alignment = NUMBER
        elif look == "centre":
            cell.alignment = CENTRE
        else:
            cell.alignment = MIDDLE
        if bold:
            cell.font = BOLD
        if made is None:
            self._looks[(look, bold)] = copy(cell._style)

    def _fit_height(self, row: int, cells: Sequence[Any] | None = None) -> None:
        if cells is None:
            cells = [self.sheet.cell(row=row, column=i) for i in range(1, self.span + 1)]
        lines = 1
        for column, cell in zip(self.columns, cells, strict=True):
            value = cell.value
            if isinstance(value, str):
                lines = max(lines, lines_needed(value, column.width))
        self.sheet.row_dimensions[row].height = max(18.0, LINE_HEIGHT * lines + 3)

    def signatures(self, signers: dict[str, tuple[str, str]]) -> None:
        """经办人、复核人、审批人 as the run recorded them, blank lines to sign otherwise."""
        from ..ledger.workflow import signature_line

        self.row += 1
        self.merged_line(signature_line(signers), min_height=30)
        self.merged_line(SEAL_AND_DATE, alignment=Alignment(horizontal="right"), min_height=30)

    # -- print setup ---------------------------------------------------------------------

    def finish(self) -> None:
        header = (self.header_row, self.header_row) if self.header_row else None
        print_setup(self.sheet, header_rows=header, landscape=True)
        if self.header_row:
            self.sheet.freeze_panes = f"A{self.header_row + 1}"


def _today_text(today: date) -> str:
    return f"{today.year}年{today.month}月{today.day}日"


def _numbers_used(payout: Payout) -> tuple[str, str]:
    """The local parameters a run used, and apart from them the fixed amounts the document
    itself sets (1,900.00 a trainee is the document's, not the bureau's)."""
    program = payout.program
    local: list[str] = []
    fixed: list[str] = []
    for name, value in payout.params_used.items():
        if program.local_parameter(name.split(".", 1)[0]) is None and any(
            amount.name == name for amount in program.amounts
        ):
            amount = program.amount(name)
            shown = (  # a sum that changes by date shows each value with the day it took effect
                f"{format_amount_grouped(amount.amount)} 元"
                if amount.amount is not None
                else f"{amount.shown()}（元）"
            )
            fixed.append(f"{shown}（{program.citation(amount.clause)}）")
        else:
            local.append(f"{name} = {value}")
    return "；".join(local) or "无", "；".join(fixed)


def _header_lines(payout: Payout, today: date) -> list[str]:
    """What every sheet's face says, in the clerk's words; where it came from is on 说明."""
    program = payout.program
    clause, summary = payout.spec.clause, payout.spec.summary
    _, fixed = _numbers_used(payout)
    return [
        f"文号：{program.document} {clause}　发文机关：{program.issuer}".rstrip(),
        f"资金来源：{program.fund or '（项目文件未写明）'}",
        f"依据/计算方法：{summary}",
        *([f"文件规定金额：{fixed}"] if fixed else []),
        f"制表日期：{_today_text(today)}",
    ]


def _provenance_lines(payout: Payout) -> list[tuple[str, str]]:
    """Where the numbers came from (说明 sheet): parameters, input file and hash, ledger run."""
    program = payout.program
    params = [
        f"{program.parameter_title(name)}：{value}" for name, value in payout.params_used.items()
    ]
    run = payout.run_id or NOT_COMMITTED
    if payout.run_id and payout.ledger_location:
        run += f"（台账 {payout.ledger_location}）"
    lines = [
        ("项目", f"{program.title}（{program.document}）"),
        ("计算所用标准", "；".join(params) or "无"),
        ("输入文件", payout.file),
        ("输入文件校验值（SHA-256）", payout.file_hash),
        ("台账登记", run),
    ]
    skipped = "；".join(
        f"{program.rule_title(rule.id)}（{reason}）" for rule, reason in payout.report.skipped
    )
    if skipped:
        lines.append(("未检查的规则", skipped))
    return lines


def _write_notes(workbook: Workbook, title: str, payout: Payout, shown: _Texts) -> None:
    sheet = workbook.create_sheet(title)
    put(sheet.cell(row=1, column=1), f"{_title(payout)}：数据来源说明")
    sheet.cell(row=1, column=1).font = TITLE_FONT
    for row, (label, value) in enumerate(_provenance_lines(payout), start=2):
        put(sheet.cell(row=row, column=1), label)
        sheet.cell(row=row, column=1).font = BOLD
        put(sheet.cell(row=row, column=2), shown(value))
    set_widths(sheet, [26, 90])
    print_setup(sheet, header_rows=None, landscape=True, wrap_from=2)


def _title(payout: Payout) -> str:
    return f"{payout.program.title} 补贴发放花名册"


@dataclass
class _Group:
    kind: PayeeKind
    payee: str
    lines: list[PayLine]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


def _paid_groups(payout: Payout) -> list[_Group]:
    """Paid lines by payee: 学员本人 first, then institutions/units in name order."""
    groups: dict[tuple[str, str], _Group] = {}
    for line in payout.lines:
        if line.status == "paid":
            key = (line.payee_kind, line.payee)
            groups.setdefault(key, _Group(line.payee_kind, line.payee, [])).lines.append(line)
    return sorted(groups.values(), key=lambda g: (g.kind != "trainee", g.kind, g.payee))


def _has_tranches(payout: Payout) -> bool:
    return any(line.tranche is not None for line in payout.lines)


def _payee_columns(kind: PayeeKind, *, full_ids: bool, tranches: bool) -> list[Column]:
    unit = kind == "unit"
    columns = [
        Column("序号", 6),
        Column("单位名称" if unit else "姓名", 28 if unit else 12),
        Column("统一社会信用代码" if unit else "身份证号", 22),
    ]
    if full_ids and not unit:
        columns.append(Column("身份证号（完整）", 22))
    if not unit:
        columns += [Column("职业（工种）", 14), Column("等级", 10)]
    if tranches:
        columns.append(Column("笔次", 6))
    columns += [Column("金额（元）", 15, money=True), Column("计算依据", 34)]
    if kind == "trainee":
        columns.append(Column("签领", 14))
    columns.append(Column("备注", 14))
    return columns


def _payee_values(
    index: int, line: PayLine, kind: PayeeKind, shown: _Texts, *, full_ids: bool, tranches: bool
) -> list[Any]:
    unit = kind == "unit"
    values: list[Any] = [index, shown(line.name), line.shown_id]
    if full_ids and not unit:
        values.append(line.subject)
    if not unit:
        values += [line.occupation, line.level]
    if tranches:
        values.append(line.tranche)
    values += [line.amount, shown(line.basis)]
    if kind == "trainee":
        values.append(None)
    values.append(line.place)
    return values


def _subtotal_values(columns: list[Column], group: _Group) -> list[Any]:
    """小计 row: label, count, the Decimal sum under 金额, its 大写 in the next column."""
    values: list[Any] = [None] * len(columns)
    values[0] = "小计"
    unit_word = "笔" if group.kind == "unit" or any(line.tranche for line in group.lines) else "人"
    values[1] = f"共 {len(group.lines)} {unit_word}"
    money = next(i for i, c in enumerate(columns) if c.money)
    values[money] = group.total
    values[money + 1] = f"大写：{amount_in_words(group.total)}"
    return values


def _write_payee_sheet(
    workbook: Workbook,
    title: str,
    group: _Group,
    payout: Payout,
    header: list[str],
    shown: _Texts,
    *,
    full_ids: bool,
) -> None:
    tranches = _has_tranches(payout)
    columns = _payee_columns(group.kind, full_ids=full_ids, tranches=tranches)
    writer = _SheetWriter(workbook.create_sheet(title), columns)
    payee = f"收款方：{PAYEE_KIND_NAMES[group.kind]}　{shown(group.payee)}"
    if group.kind == "trainee":
        payee = "收款方：学员本人（按下表逐人发放，本人签领）"
    writer.header_block(_title(payout), [*header, payee])
    writer.table_header()
    for index, line in enumerate(group.lines, start=1):
        writer.table_row(
            _payee_values(index, line, group.kind, shown, full_ids=full_ids, tranches=tranches)
        )
    writer.table_row(_subtotal_values(columns, group), bold=True)
    writer.signatures(payout.signers)
    writer.finish()


def _write_summary(
    workbook: Workbook,
    title: str,
    payout: Payout,
    groups: list[_Group],
    sheet_names: list[str],
    header: list[str],
    shown: _Texts,
) -> None:
    columns = [
        Column("序号", 6),
        Column("收款方类别", 12),
        Column("收款方", 30),
        Column("人数/笔数", 10),
        Column("金额（元）", 16, money=True),
        Column("金额（大写）", 30),
        Column("明细工作表", 20),
    ]
    writer = _SheetWriter(workbook.create_sheet(title), columns)
    writer.header_block(_title(payout), header)
    writer.table_header()
    totals = {
        (kind, payee): (count, amount) for kind, payee, count, amount in payout.totals_by_payee()
    }
    for index, (group, sheet_name) in enumerate(zip(groups, sheet_names, strict=True), start=1):
        count, amount = totals[(PAYEE_KIND_NAMES[group.kind], group.payee)]
        writer.table_row(
            [
                index,
                PAYEE_KIND_NAMES[group.kind],
                shown(group.payee),
                count,
                amount,
                amount_in_words(amount),
                sheet_name,
            ]
        )
    if not groups:
        writer.table_row([None, None, "（本次无发放）", 0, ZERO, amount_in_words(ZERO), None])
    total = payout.total
    paid = payout.count("paid")
    writer.table_row(["合计", None, None, paid, total, amount_in_words(total), None], bold=True)
    writer.row += 1
    facts: list[tuple[str, Any]] = [
        ("合计（小写）", total),
        ("合计（大写）", amount_in_words(total)),
        ("发放笔数", paid),
        ("待定笔数", payout.count("pending")),
        ("不予发放笔数", payout.count("refused")),
    ]
    for label, value in facts:
        label_cell = writer.sheet.cell(row=writer.row, column=2)
        put(label_cell, label)
        label_cell.font = BOLD
        value_cell = writer.sheet.cell(row=writer.row, column=3)
        put(value_cell, value)
        value_cell.alignment = Alignment(horizontal="left", vertical="center")
        if isinstance(value, Decimal):
            value_cell.number_format = MONEY_FORMAT
        writer.row += 1
    if payout.count("pending") or payout.count("refused"):
        writer.merged_line(f"待定和不予发放的各行及其理由见“{PENDING_SHEET}”表。")
    writer.signatures(payout.signers)
    writer.finish()


def _reasons_text(line: PayLine) -> str:
    return "；\n".join(r.reason_text() for r in line.reasons) or "（未说明理由）"


def _write_pending(
    workbook: Workbook,
    title: str,
    payout: Payout,
    header: list[str],
    shown: _Texts,
    *,
    full_ids: bool,
) -> None:
    tranches = _has_tranches(payout)
    people = any(line.payee_kind != "unit" for line in payout.lines)
    several = any(line.source for line in payout.lines)  # a row names its file too
    place = Column("原表（文件、行号）", 24) if several else Column("行号", 7)
    columns = [Column("序号", 6), place, Column("姓名/单位", 20), Column("证件号", 22)]
    if full_ids and people:
        columns.append(Column("身份证号（完整）", 22))
    if tranches:
        columns.append(Column("笔次", 6))
    columns += [Column("收款方", 20), Column("状态", 10), Column("原因及依据", 60)]
    writer = _SheetWriter(workbook.create_sheet(title), columns)
    writer.header_block(
        _title(payout),
        [*header, "以下各行本次不发放：待定的待条件具备后再核发；不予发放的请按理由更正或退回。"],
    )
    writer.table_header()
    held = [line for line in payout.lines if line.status != "paid"]
    for index, line in enumerate(held, start=1):
        where = line.place if several else line.row
        values: list[Any] = [index, where, shown(line.name), line.shown_id]
        if full_ids and people:
            values.append(line.subject if line.payee_kind != "unit" else None)
        if tranches:
            values.append(line.tranche)
        values += [shown(line.payee), STATUS_NAMES[line.status], shown(_reasons_text(line))]
        writer.table_row(values)
    if not held:
        empty: list[Any] = [None] * len(columns)
        empty[2] = "无"
        writer.table_row(empty)
    writer.finish()


def build_payout_workbook(
    payout: Payout, *, full_ids: bool = False, today: date | None = None
) -> Workbook:
    """The schedule as an in-memory workbook (see :func:`write_payout_workbook`)."""
    today = today or date.today()
    shown = _Texts(full_ids)
    header = [shown(line) for line in _header_lines(payout, today)]
    workbook = openpyxl.Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    taken: set[str] = set()
    summary_title = safe_sheet_title(SUMMARY_SHEET, taken)
    pending_title = safe_sheet_title(PENDING_SHEET, taken)
    notes_title = safe_sheet_title(NOTES_SHEET, taken)
    groups = _paid_groups(payout)
    names = [
        safe_sheet_title(TRAINEE_SHEET if g.kind == "trainee" else shown(g.payee), taken)
        for g in groups
    ]
    _write_summary(workbook, summary_title, payout, groups, names, header, shown)
    for group, name in zip(groups, names, strict=True):
        _write_payee_sheet(workbook, name, group, payout, header, shown, full_ids=full_ids)
    _write_pending(workbook, pending_title, payout, header, shown, full_ids=full_ids)
    _write_notes(workbook, notes_title, payout, shown)
    workbook.active = 0
    workbook.properties.title = _title(payout)
    workbook.properties.creator = "skillpolicy"
    workbook.properties.description = "；".join(
        f"{label}：{value}" for label, value in _provenance_lines(payout)
    )
    return workbook


def write_payout_workbook(payout: Payout, target: Path, *, full_ids: bool = False) -> None:
    """Write the payout schedule to ``target`` (.xlsx) via a temporary file and a rename.

    Refuses to write over the input roster. Full identity numbers appear only when
    ``full_ids`` is true (a 身份证号（完整） column beside the masked one).
    """
    stage_payout_workbook(payout, target, full_ids=full_ids).commit()


def stage_payout_workbook(payout: Payout, target: Path, *, full_ids: bool = False) -> StagedFile:
    """Write the schedule to ``target``'s temporary file; the caller renames it into place
    (``.commit()``) once the run is recorded, after rewriting it if the commit changed the
    payout (:func:`restage_payout_workbook`), or discards it."""
    ensure_not_input(target, Path(payout.file))
    staged = StagedFile(target)
    try:
        staged.write(build_payout_workbook(payout, full_ids=full_ids).save)
    except BaseException:
        staged.discard()
        raise
    return staged


def restage_payout_workbook(staged: StagedFile, payout: Payout, *, full_ids: bool = False) -> None:
    """Rewrite a staged schedule after the commit (its run id, lines paid meanwhile)."""
    staged.write(build_payout_workbook(payout, full_ids=full_ids).save)
