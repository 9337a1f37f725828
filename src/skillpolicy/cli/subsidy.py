"""`skillpolicy subsidy SHEET --program ID`."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..domain.errors import InputError, SkillpolicyError
from ..domain.money import amount_in_words, format_amount_grouped
from ..io.fileio import StagedFile, check_output
from ..ledger import Ledger
from . import batch
from .common import (
    DEFAULT_MAX_ROWS,
    STATE,
    AsOfOption,
    ForceOption,
    FormatOption,
    InstitutionOption,
    KindOption,
    LedgerOption,
    MaxRowsOption,
    OfficeOption,
    OperatorOption,
    ParamsOption,
    ProgramOption,
    SheetsArg,
    Table,
    check_format,
    check_kind,
    examples,
    json_text,
    note,
    parse_as_of,
    program,
    progress,
    stdout,
    styled,
)
from .validate import print_rule_summary

if TYPE_CHECKING:
    from ..compute.paylines import Payout
    from ..tasks.batch import Batch

STATUS_NAMES = {"paid": "发放", "pending": "待定", "refused": "不予发放"}
STATUS_STYLE = {"paid": "green", "pending": "yellow", "refused": "red"}


def compute_subsidy(*args: Any, **options: Any) -> Payout:
    """:func:`skillpolicy.compute.subsidy.compute_subsidy`, imported when a sheet is computed (the
    rules, the sheet reader and the program models stay out of start-up)."""
    from ..compute.subsidy import compute_subsidy as compute

    return compute(*args, **options)


def commit_payout(*args: Any, **options: Any) -> None:
    """:func:`skillpolicy.compute.paycommit.commit_payout`, imported when a run is committed."""
    from ..compute.paycommit import commit_payout as commit

    commit(*args, **options)


def print_payout(payout: Payout, max_rows: int = DEFAULT_MAX_ROWS) -> None:
    """Every line as a table, at most ``max_rows`` of them (0: all), then the totals; a
    longer list ends with its findings summed up by rule."""
    item = payout.program
    stdout.print(f"{item.title}（{item.document}）  {payout.file}  sha256 {payout.file_hash[:12]}…")
    table = Table(show_lines=False)
    for header in ("行", "姓名/单位", "证件号", "笔", "状态", "金额（元）", "收款方", "说明"):
        table.add_column(header, overflow="fold")
    lines = payout.lines if not max_rows else payout.lines[:max_rows]
    for line in lines:
        style = STATUS_STYLE[line.status]
        why = "；".join(r.reason_text() for r in line.reasons) or line.basis
        table.add_row(
            (line.place or "") if line.source else str(line.row or ""),
            line.name,
            line.shown_id,
            str(line.tranche or ""),
            styled(STATUS_NAMES[line.status], style),
            format_amount_grouped(line.amount),
            line.payee,
            why,
        )
    stdout.print(table)
    if len(lines) < len(payout.lines):
        print_rule_summary(
            payout.report,
            f"以上仅列出前 {len(lines)} 笔，共 {len(payout.lines)} 笔",
            "全部各笔：--out 发放花名册.xlsx 或 --format json（完整列表）；--max-rows 0 在此全部列出",
        )
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


def source_hashes(program_id: str, params: Path | None) -> dict[str, str]:
    """sha256 of the program file and of the parameters file a run was made with."""
    import hashlib

    from ..loading.programfiles import program_path
    from ..policy.params import DEFAULT_PARAMS_FILE

    found = {"program": program_path(program_id, STATE.catalogs())}
    params_file = params or Path.cwd() / DEFAULT_PARAMS_FILE
    if params_file.is_file():
        found["params"] = params_file
    return {what: hashlib.sha256(path.read_bytes()).hexdigest() for what, path in found.items()}


def subsidy_command(
    sheet: SheetsArg,  # named so a usage error says SHEET, as it always did
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
    institution: InstitutionOption = None,
    force: ForceOption = False,
    max_rows: MaxRowsOption = DEFAULT_MAX_ROWS,
    office: OfficeOption = None,
    operator: OperatorOption = None,
) -> None:
    """计算补贴：每行发放、待定或不予发放，附理由和金额；表中有违反规则之处时退出码为 1。

    给多个文件或一个文件夹时，合为一份发放花名册、一次台账记录。"""
    check_format(output_format)
    check_kind(kind)
    from ..compute.paylines import unnamed_payee_warning
    from ..io.sheet import opening_ahead
    from ..ledger.open import ledger_path, open_ledger
    from ..ledger.reading import EmptyLedger, open_for_reading
    from ..policy.params import configured_approval, configured_office
    from ..tasks.batch import batch_payout_json, merged_payout

    # one sheet: calamine parses it while the program and the ledger load
    with opening_ahead(sheet[0]) if len(sheet) == 1 else nullcontext():
        item = program(program_id)
        several = batch.is_batch(sheet, None)
        files = batch.inputs_of(sheet) if several else sheet
        path = files[0]
        if out is not None:
            inputs = [*files, params, ledger_path(ledger)]
            check_output(out, force=force, inputs=inputs, suffixes=(".xlsx",))
        # a preview reads the ledger --commit would write (the default one without --ledger), so
        # the two agree; a ledger is created only when a commit records something, so a run that
        # stops with exit 2 leaves no empty ledger behind and a mistyped path is not a new ledger
        if commit and office is None:
            office = configured_office(params)
        chain = configured_approval(params) if commit else ()
        book: Ledger = open_for_reading(ledger, missing_ok=commit)
        staged: StagedFile | None = None
        several_files: Batch | None = None
        try:
            if several:
                several_files = batch.run_batch(
                    files, item, "subsidy", kind=kind, as_of=parse_as_of(as_of), params=params,
                    ledger=ledger, institution=institution,
                )  # fmt: skip
                failed = [f for f in several_files.files if f.error is not None]
                if failed and (commit or out is not None):
                    raise InputError(
                        f"有 {len(failed)} 个文件无法读取（见上）：未记入台账，也未写发放花名册"
                    )
                payout = merged_payout(several_files)
            else:
                with progress("正在核对") as tick:
                    payout = compute_subsidy(
                        path,
                        item,
                        kind=kind,
                        as_of=parse_as_of(as_of),
                        params_file=params,
                        search=STATE.catalogs(),
                        ledger=book,
                        shown_name=str(path),
                        institution=institution,
                        progress=tick,
                    )
            if commit or out is not None:  # a payment needs a named payee; a preview does not
                payout.check_payable(path if several_files is None else payout.file)
            # order of a payment run: every output written to its temporary file, then the
            # commit, then the rename; a failure before the commit records nothing
            if out is not None:
                from ..outputs.payouts import restage_payout_workbook, stage_payout_workbook

                staged = stage_payout_workbook(payout, out, full_ids=full_ids)
            if commit and payout.count("paid"):
                if isinstance(book, EmptyLedger):
                    book = open_ledger(ledger, create=True)
                commit_payout(
                    payout,
                    book,
                    office=office or "",
                    operator=operator,
                    approval=chain,
                    sources=source_hashes(item.id, params),
                )
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
            book.close()
    if output_format == "json":
        if several_files is None:
            sys.stdout.write(payout.json_text() + "\n")
        else:
            sys.stdout.write(json_text(batch_payout_json(several_files, payout)))
    else:
        print_payout(payout, max_rows)
        if several_files is not None:
            batch.print_summary(several_files)
    for spec, reason in payout.report.skipped:
        note(f"未检查 {spec.id}：{reason}")
    if payout.unnamed_payee:
        note(f"警告：{unnamed_payee_warning(payout.program, payout.spec).message}")
    if payout.run_id:
        note(f"已记入台账 {payout.ledger_location}：运行 {payout.run_id}")
    if out is not None:
        note(f"发放花名册已写入 {out}")
    if commit and not payout.run_id:  # nothing to pay: no run is recorded
        note("没有可记入台账的发放行")
        raise typer.Exit(1)
    if several_files is not None and several_files.exit_code == 2:
        raise typer.Exit(2)
    if payout.has_violations:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command(
        "subsidy",
        epilog=examples(
            "skillpolicy subsidy 花名册.xlsx --program 项目编号",
            "skillpolicy subsidy 花名册.xlsx -p 项目编号 --out 发放花名册.xlsx --commit",
        ),
    )(subsidy_command)
