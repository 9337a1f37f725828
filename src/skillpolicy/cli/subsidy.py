"""`skillpolicy subsidy SHEET --program ID`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import SkillpolicyError
from ..fileio import StagedFile, ensure_not_input
from ..ledger.open import ledger_path, open_ledger
from ..money import amount_in_words, format_amount_grouped
from ..subsidy import Payout, commit_payout, compute_subsidy
from .common import (
    STATE,
    AsOfOption,
    FormatOption,
    KindOption,
    LedgerOption,
    ParamsOption,
    ProgramOption,
    SheetArg,
    Table,
    check_format,
    check_kind,
    note,
    parse_as_of,
    print_json,
    program,
    stdout,
    styled,
)

STATUS_NAMES = {"paid": "发放", "pending": "待定", "refused": "不予发放"}
STATUS_STYLE = {"paid": "green", "pending": "yellow", "refused": "red"}


def print_payout(payout: Payout) -> None:
    item = payout.program
    stdout.print(f"{item.title}（{item.document}）  {payout.file}  sha256 {payout.file_hash[:12]}…")
    table = Table(show_lines=False)
    for header in ("行", "姓名/单位", "证件号", "笔", "状态", "金额（元）", "收款方", "说明"):
        table.add_column(header, overflow="fold")
    for line in payout.lines:
        style = STATUS_STYLE[line.status]
        why = "；".join(f"{r.message}（{r.citation}）" for r in line.reasons) or line.basis
        table.add_row(
            str(line.row or ""),
            line.name,
            line.shown_id,
            str(line.tranche or ""),
            styled(STATUS_NAMES[line.status], style),
            format_amount_grouped(line.amount),
            line.payee,
            why,
        )
    stdout.print(table)
    totals = Table(title="按收款方合计")
    for header in ("收款方类别", "收款方", "人数/笔数", "金额（元）"):
        totals.add_column(header)
    for kind, payee, count, amount in payout.totals_by_payee():
        totals.add_row(kind, payee, str(count), format_amount_grouped(amount))
    stdout.print(totals)
    stdout.print(
        f"发放 {payout.count('paid')} 笔，待定 {payout.count('pending')} 笔，"
        f"不予发放 {payout.count('refused')} 笔；合计 {format_amount_grouped(payout.total)} 元"
        f"（大写：{amount_in_words(payout.total)}）"
    )


def subsidy_command(
    sheet: SheetArg,
    program_id: ProgramOption,
    as_of: AsOfOption = None,
    output_format: FormatOption = "table",
    params: ParamsOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="另存发放花名册（.xlsx）：按收款方分表，含合计与大写金额"),
    ] = None,
    full_ids: Annotated[
        bool, typer.Option("--full-ids", help="发放花名册中同时列出完整身份证号（财务核对用）")
    ] = False,
    ledger: LedgerOption = None,
    commit: Annotated[
        bool, typer.Option("--commit", help="把发放的各笔记入台账；已记入的不再发放")
    ] = False,
    kind: KindOption = None,
) -> None:
    """计算补贴：每行发放、待定或不予发放，附理由和金额；表中有违反规则之处时退出码为 1。"""
    check_format(output_format)
    check_kind(kind)
    item = program(program_id)
    if out is not None:
        ensure_not_input(out, sheet)
    # read an existing ledger while computing; create one only when committing, so a run that
    # stops with exit 2 leaves no empty ledger behind and a mistyped path is not a new ledger
    book = None
    if ledger is not None or commit:
        path = ledger_path(ledger)
        if not commit or (path is not None and path.exists()):
            book = open_ledger(ledger, create=False)
    staged: StagedFile | None = None
    try:
        payout = compute_subsidy(
            sheet,
            item,
            kind=kind,
            as_of=parse_as_of(as_of),
            params_file=params,
            search=STATE.catalogs(),
            ledger=book,
            shown_name=str(sheet),
        )
        # order of a payment run: every output written to its temporary file, then the
        # commit, then the rename; a failure before the commit records nothing
        if out is not None:
            from ..payouts import restage_payout_workbook, stage_payout_workbook

            staged = stage_payout_workbook(payout, out, full_ids=full_ids)
        if commit:
            book = book or open_ledger(ledger, create=True)
            commit_payout(payout, book)
        if staged is not None:
            try:
                if payout.run_id:
                    restage_payout_workbook(staged, payout, full_ids=full_ids)
                staged.commit()
            except SkillpolicyError as error:
                if payout.run_id:  # committed already: say so, and how to get the schedule
                    error.message += (
                        f"；本次运行 {payout.run_id} 已记入台账 {payout.ledger_location}，"
                        f"可用 skillpolicy ledger reprint {payout.run_id} --out … 重新生成发放花名册"
                    )
                raise
    finally:
        if staged is not None:
            staged.discard()
        if book is not None:
            book.close()
    if output_format == "json":
        print_json(payout.to_json())
    else:
        print_payout(payout)
    for spec, reason in payout.report.skipped:
        note(f"未检查 {spec.id}：{reason}")
    if payout.run_id:
        note(f"已记入台账 {payout.ledger_location}：运行 {payout.run_id}")
    if out is not None:
        note(f"发放花名册已写入 {out}")
    if payout.has_violations:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("subsidy")(subsidy_command)
