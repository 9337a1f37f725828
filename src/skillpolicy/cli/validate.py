"""`skillpolicy validate SHEET --program ID`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..findings import SEVERITY_NAMES
from ..ledger.open import open_ledger
from ..validate import Report, validate_sheet
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

SEVERITY_STYLE = {"error": "red", "warning": "yellow", "review": "cyan"}


def print_report(report: Report) -> None:
    layout = report.layout
    stdout.print(
        f"{report.program.title}（{report.program.document}）  {report.file}  "
        f"工作表「{layout.sheet}」，表头在第{layout.header_row}行"
    )
    findings = report.sorted_findings()
    if findings:
        table = Table(show_lines=False)
        for header in ("行", "对象", "列", "级别", "问题", "规则", "依据"):
            table.add_column(header, overflow="fold")
        previous: int | str | None = "start"
        for finding in findings:
            same_row = finding.row == previous
            previous = finding.row
            row_text = "" if same_row else ("全表" if finding.row is None else str(finding.row))
            label = "" if same_row or finding.row is None else report.labels.get(finding.row, "")
            style = SEVERITY_STYLE[finding.severity]
            table.add_row(
                row_text,
                label,
                finding.column or "",
                styled(SEVERITY_NAMES[finding.severity], style),
                finding.message,
                finding.rule,
                finding.citation,
                end_section=False,
            )
        stdout.print(table)
    counts = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITY_NAMES}
    stdout.print(
        f"共 {report.rows} 行，{report.valid_rows} 行无错误；"
        f"错误 {counts['error']} 条，警告 {counts['warning']} 条，复核 {counts['review']} 条"
    )
    for spec, reason in report.skipped:
        note(f"未检查 {spec.id}（{spec.summary}）：{reason}")


def validate_command(
    sheet: SheetArg,
    program_id: ProgramOption,
    as_of: AsOfOption = None,
    output_format: FormatOption = "table",
    annotate: Annotated[
        Path | None,
        typer.Option("--annotate", help="另存一份标注副本：问题单元格标红并加批注，附问题汇总表"),
    ] = None,
    params: ParamsOption = None,
    ledger: LedgerOption = None,
    kind: KindOption = None,
) -> None:
    """按项目规则核对一张表；有错误时退出码为 1。"""
    check_format(output_format)
    check_kind(kind)
    item = program(program_id)
    # --ledger: lines an earlier run paid are findings too (an existing ledger, only read)
    book = open_ledger(ledger, create=False) if ledger is not None else None
    try:
        report = validate_sheet(
            sheet,
            item,
            kind=kind,
            as_of=parse_as_of(as_of),
            params_file=params,
            search=STATE.catalogs(),
            ledger=book,
            shown_name=str(sheet),
        )
    finally:
        if book is not None:
            book.close()
    copy_note = None
    if annotate is not None:
        from ..annotate import write_annotated  # openpyxl is only needed for the copy

        copy_note = write_annotated(report, sheet, annotate).note()
    if output_format == "json":
        print_json(report.to_json())
        for spec, reason in report.skipped:
            note(f"未检查 {spec.id}：{reason}")
    else:
        print_report(report)
        if annotate is not None:
            note(f"标注副本已写入 {annotate}")
    if copy_note is not None:
        note(copy_note)
    if report.has_errors:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("validate")(validate_command)
