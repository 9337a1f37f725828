"""`skillpolicy ledger list | export | void RUN | migrate`: what the clerk does with the ledger."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from ..domain.errors import InputError
from ..domain.identifiers import check_credit_code, check_resident_id, mask_id
from ..domain.money import format_amount, format_amount_grouped, to_fen
from ..io.fileio import atomic_path, check_output
from ..ledger import Ledger, StoredLine
from .common import STATE, ForceOption, LedgerOption, OperatorOption, Table, examples, note, stdout
from .ledger_group import group

EXPORT_HEADER = [
    "运行编号", "记账时间", "项目", "姓名/单位", "证件号", "职业(工种)", "等级", "笔次",
    "类别", "开班年度", "金额（元）", "收款方", "原表行号", "状态", "台账键",
]  # fmt: skip
XLSX_MAX_ROWS = 1_048_576
_CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _open(spec: str | None) -> Ledger:
    """An existing ledger: reading or voiding never starts a new, empty one."""
    from ..ledger.open import open_ledger

    return open_ledger(spec, create=False)


def ledger_path(spec: str | None) -> Path | None:
    """The SQLite file ``spec`` names, or None (:func:`skillpolicy.ledger.open.ledger_path`)."""
    from ..ledger.open import ledger_path as path_of

    return path_of(spec)


@group.command(
    "list",
    epilog=examples("skillpolicy ledger list", "skillpolicy ledger list --ledger 台账.sqlite3"),
)
def list_command(
    ledger: LedgerOption = None,
    office: Annotated[str | None, typer.Option("--office", help="只列出这个经办机构的运行")] = None,
) -> None:
    """列出台账中的各次运行：编号、经办机构、经办人、项目、文件、记账时间、笔数、金额，是否已作废。"""
    book = _open(ledger)
    try:
        runs = book.runs()
        location = book.location
    finally:
        book.close()
    if office is not None:
        runs = [run for run in runs if run.office == office.strip()]
    title = f"台账 {location}" + (f"：{office.strip()}" if office is not None else "")
    table = Table(title=title)
    # the run id is what `ledger void` and `export --run` take: never wrapped or cut
    widest = max((len(run.run_id) for run in runs), default=4)
    table.add_column("运行编号", no_wrap=True, min_width=widest)
    for header in ("经办机构", "经办人", "项目", "文件", "文件 sha256", "记账时间"):
        table.add_column(header, overflow="fold")
    table.add_column("笔数", justify="right")
    table.add_column("金额（元）", justify="right")
    # a state is read at a glance: never folded inside its name (已审批, 已作废（…）)
    table.add_column("状态", no_wrap=True)
    for run in runs:
        table.add_row(
            run.run_id,
            run.office,
            run.operator,
            run.program,
            run.file_name,
            run.file_hash[:12],
            run.created_at,
            str(run.line_count),
            format_amount_grouped(run.total),
            f"已作废（{run.voided_by}）" if run.voided_by else run.state_name,
        )
    stdout.print(table)
    active = [run for run in runs if not run.voided_by]
    total = sum((run.total for run in active), start=Decimal("0.00"))
    stdout.print(
        f"共 {len(runs)} 次运行（作废 {len(runs) - len(active)} 次）；"
        f"有效 {sum(run.line_count for run in active)} 笔，合计 {format_amount_grouped(total)} 元"
    )


def _shown_subject(subject: str, full_ids: bool) -> str:
    """A person's identity number masked unless asked for; a unit's credit code as it is."""
    if full_ids or not _is_person(subject):
        return subject
    return mask_id(subject)


def _is_person(subject: str) -> bool:
    """An identity number (or anything number-like that is not a unit's credit code)."""
    if (len(subject) == 18 and subject[:17].isdigit()) or (
        len(subject) == 15 and subject.isdigit()
    ):
        return True  # the shape of an identity number is enough to hide it
    if check_resident_id(subject).ok:
        return True
    return not check_credit_code(subject).ok and sum(ch.isdigit() for ch in subject) >= 8


def _export_rows(lines: Iterator[StoredLine], full_ids: bool) -> Iterator[list[object]]:
    for stored in lines:
        line = stored.line
        shown = _shown_subject(line.subject, full_ids)
        key = line.key if shown == line.subject else line.key.replace(line.subject, shown)
        yield [
            stored.run_id,
            stored.created_at,
            line.program,
            line.name,
            shown,
            line.occupation,
            line.level,
            line.tranche if line.tranche is not None else "",
            line.target,
            line.year if line.year is not None else "",
            line.amount,
            line.payee,
            line.row if line.row is not None else "",
            "有效" if stored.active else "已作废",
            key,
        ]


def _write_csv(path: Path, rows: Iterator[list[object]]) -> int:
    count = 0
    # utf-8 with BOM: Excel on a clerk's PC opens it with the Chinese intact
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_HEADER)
        for row in rows:
            writer.writerow([_csv_safe(value) for value in row])
            count += 1
    return count


def _csv_safe(value: object) -> object:
    """Text that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, str) and value.startswith(_CSV_FORMULA_STARTS):
        return "'" + value
    return value


def _write_xlsx(path: Path, rows: Iterator[list[object]]) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from ..io.xlsxout import (
        HEADER_FILL,
        HEADER_FONT,
        WRAP,
        print_setup,
        stream_row_done,
        stream_row_height,
    )

    book = Workbook(write_only=True)
    sheet = book.create_sheet("台账")
    widths = [22, 22, 26, 12, 22, 14, 10, 6, 14, 10, 12, 16, 8, 8, 48]
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    header = []
    for title in EXPORT_HEADER:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
        header.append(cell)
    sheet.freeze_panes = "A2"
    print_setup(sheet, landscape=True)
    stream_row_height(sheet, 1, zip(EXPORT_HEADER, widths, strict=True))
    sheet.append(header)
    stream_row_done(sheet, 1)
    count = 0
    for row in rows:
        count += 1
        if count >= XLSX_MAX_ROWS:
            raise InputError("台账各笔超过 Excel 工作表的行数上限，请导出为 .csv")
        # text longer than its column wraps and the row is as tall as its lines
        stream_row_height(sheet, count + 1, zip(row, widths, strict=False), tall_only=True)
        sheet.append(
            [_xlsx_safe(sheet, value, width) for value, width in zip(row, widths, strict=False)]
        )
        stream_row_done(sheet, count + 1)
    book.save(path)
    return count


def _xlsx_safe(sheet: Any, value: object, width: float) -> object:
    """Amounts as numbers with two decimals; text that would read as a formula stays text;
    text longer than its column ``width`` wraps."""
    from openpyxl.cell import WriteOnlyCell

    from ..io.xlsxout import WRAP, lines_needed, put, xml_safe

    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet)
        put(cell, to_fen(value))  # stored as its digits to the fen, no float on the way
        cell.number_format = "#,##0.00"
        return cell
    if isinstance(value, str):
        wraps = lines_needed(value, width) > 1
        if not (wraps or value.startswith(_CSV_FORMULA_STARTS)):
            return xml_safe(value)  # no character XML cannot hold
        cell = WriteOnlyCell(sheet)
        put(cell, value)  # never run as a formula
        if wraps:
            cell.alignment = WRAP
        return cell
    return value


@group.command(
    "export",
    epilog=examples(
        "skillpolicy ledger export --out 台账.xlsx",
        "skillpolicy ledger export --run 20260907093000-1a2b3c --out 本次发放.csv",
    ),
)
def export_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="导出文件（.xlsx 或 .csv）")],
    ledger: LedgerOption = None,
    run: Annotated[str | None, typer.Option("--run", help="只导出这一次运行的各笔")] = None,
    full_ids: Annotated[
        bool, typer.Option("--full-ids", help="列出完整身份证号（默认只显示前4位和后4位）")
    ] = False,
    force: ForceOption = False,
) -> None:
    """导出台账中的每一笔（含已作废的），身份证号默认打码。"""
    suffix = out.suffix.lower()
    check_output(out, force=force, inputs=[ledger_path(ledger)], suffixes=(".xlsx", ".csv"))
    book = _open(ledger)
    try:
        if run is not None and run not in {r.run_id for r in book.runs()}:
            raise InputError(f"台账中没有运行 {run}", file=book.location)
        rows = _export_rows(book.lines(run), full_ids)
        with atomic_path(out) as temporary:
            count = (_write_csv if suffix == ".csv" else _write_xlsx)(temporary, rows)
    finally:
        book.close()
    masked = "含完整身份证号" if full_ids else "身份证号已打码"
    stdout.print(f"已导出 {count} 笔到 {out}（{masked}）")


@group.command(
    "void",
    epilog=examples("skillpolicy ledger void 20260907093000-1a2b3c --reason 花名册有误，重新核发"),
)
def void_command(
    run_id: Annotated[str, typer.Argument(help="要作废的运行编号（见 skillpolicy ledger list）")],
    reason: Annotated[str, typer.Option("--reason", help="作废原因（记入台账）")],
    ledger: LedgerOption = None,
    by: Annotated[
        str | None, typer.Option("--by", help="作废人（记入操作日志；默认为当前系统用户名）")
    ] = None,
) -> None:
    """作废一次运行：记下作废记录，其各笔不再计入台账（可重新发放）；不删除任何记录。"""
    from ..ledger.workflow import os_user

    book = _open(ledger)
    try:
        record = next((r for r in book.runs() if r.run_id == run_id), None)
        void_id = book.void(run_id, reason, (os_user() if by is None else by).strip())
    finally:
        book.close()
    count = record.line_count if record else 0
    total = format_amount_grouped(record.total) if record else "0.00"
    stdout.print(
        f"已作废运行 {run_id}（作废记录 {void_id}）：其 {count} 笔、合计 {total} 元不再计入台账"
    )


@group.command(
    "reprint",
    epilog=examples("skillpolicy ledger reprint 20131031120000-a1b2c3 --out 发放花名册.xlsx"),
)
def reprint_command(
    run_id: Annotated[
        str, typer.Argument(help="已记入台账的运行编号（见 skillpolicy ledger list）")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="发放花名册（.xlsx）")],
    ledger: LedgerOption = None,
    full_ids: Annotated[
        bool, typer.Option("--full-ids", help="发放花名册中同时列出完整身份证号（财务核对用）")
    ] = False,
    force: ForceOption = False,
) -> None:
    """只凭台账重新生成一次运行的发放花名册（原花名册丢失或未写成时）。"""
    from ..outputs.payouts import write_payout_workbook
    from ..outputs.reprint import payout_from_ledger

    check_output(out, force=force, inputs=[ledger_path(ledger)], suffixes=(".xlsx",))
    book = _open(ledger)
    try:
        payout = payout_from_ledger(book, run_id, STATE.catalogs())
    finally:
        book.close()
    write_payout_workbook(payout, out, full_ids=full_ids)
    stdout.print(
        f"已据台账重印运行 {run_id} 的发放花名册到 {out}："
        f"{payout.count('paid')} 笔，合计 {format_amount_grouped(payout.total)} 元"
    )


def register(app: typer.Typer) -> None:
    from . import ledger_workflow  # noqa: F401  (its commands join this group)

    app.add_typer(group, name="ledger")


CONFLICT_HEADER = [
    "运行编号", "记账时间", "项目", "姓名/单位", "证件号", "职业(工种)", "等级", "笔次",
    "金额（元）", "已由运行", "其经办机构", "其记账时间", "其文件",
]  # fmt: skip


@group.command("migrate")
def migrate_command(
    source: Annotated[Path, typer.Option("--from", help="本机的 SQLite 台账文件")],
    target: Annotated[
        str, typer.Option("--to", help="共享台账：postgresql:// 地址或 service=名称")
    ],
    office: Annotated[str, typer.Option("--office", help="这本台账所属的经办机构")],
    conflicts: Annotated[
        Path | None,
        typer.Option(
            "--conflicts", help="未迁入各笔（已由其他机构发放）的清单 .csv（默认写在当前目录）"
        ),
    ] = None,
    operator: OperatorOption = None,
) -> None:
    """把一个经办机构的 SQLite 台账迁入共享台账（一个事务）；已由其他机构发放的各笔不迁入，
    列入清单并以退出码 1 结束；再次运行不会重复迁入。"""
    from datetime import datetime

    from ..ledger.migrate import migrate_sqlite_ledger
    from ..ledger.workflow import os_user

    if conflicts is not None and conflicts.exists():
        raise InputError("冲突清单文件已存在，请换一个文件名", file=conflicts)
    result = migrate_sqlite_ledger(
        source, target, office, operator=os_user() if operator is None else operator
    )
    stdout.print(
        f"已迁入 {result.copied_runs} 次运行、{result.copied_lines} 笔到共享台账（{office.strip()}）；"
        f"此前已迁入、本次跳过的运行 {result.skipped_runs} 次"
    )
    if not result.conflicts:
        return
    stamp = datetime.now().strftime("%Y%m%d%H%M%S")
    out = conflicts or Path.cwd() / f"迁移冲突-{office.strip()}-{stamp}.csv"
    rows = (
        [
            stored.run_id, stored.created_at, stored.line.program, stored.line.name,
            _shown_subject(stored.line.subject, False), stored.line.occupation,
            stored.line.level, stored.line.tranche if stored.line.tranche is not None else "",
            stored.line.amount, entry.run_id, entry.office, entry.created_at, entry.file_name,
        ]
        for stored, entry in result.conflicts
    )  # fmt: skip
    with (
        atomic_path(out) as temporary,
        temporary.open("w", encoding="utf-8-sig", newline="") as handle,
    ):
        writer = csv.writer(handle)
        writer.writerow(CONFLICT_HEADER)
        for row in rows:
            writer.writerow([_csv_safe(value) for value in row])
    note(f"{len(result.conflicts)} 笔已由其他经办机构发放，未迁入；清单见 {out}，请逐笔核实处理")
    raise typer.Exit(1)
