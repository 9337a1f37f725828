"""`skillpolicy validate SHEET --program ID`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..domain.errors import InputError
from ..io.fileio import check_output
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
    print_json,
    program,
    progress,
    stdout,
    styled,
)
from .dispatch import sheet_named

if TYPE_CHECKING:
    from ..check.validate import Report

SEVERITY_STYLE = {"error": "red", "warning": "yellow", "review": "cyan"}


# validate's options that take a value, and its flags (a test checks them against the
# command's): enough to tell, before typer converts the options, which file it checks
OPTIONS_WITH_VALUE = frozenset(
    {"--program", "-p", "--as-of", "--format", "-f", "--params", "--ledger", "--kind"}
    | {"--institution", "--max-rows", "--annotate", "--annotate-dir"}
)
FLAGS = frozenset({"--force"})


def sheet_to_open(args: list[str]) -> Path | None:
    """The one workbook ``validate ARGS`` checks, told from the words alone, to open ahead
    of typer's conversion of the options; None for several files, a folder (the batch
    reads each file in its own process), a marked copy (its output is checked first) and
    words without a program (a usage error, told at once rather than after the guard)."""
    if any(arg.partition("=")[0] in ("--annotate", "--annotate-dir") for arg in args):
        return None
    if not any(arg.startswith(("--program", "-p")) for arg in args):
        return None
    return sheet_named(args, OPTIONS_WITH_VALUE, FLAGS)


def validate_sheet(*args: Any, **options: Any) -> Report:
    """:func:`skillpolicy.check.validate.validate_sheet`, imported when a sheet is checked (the
    rules, the sheet reader and the program models stay out of start-up)."""
    from ..check.validate import validate_sheet as check

    return check(*args, **options)


def print_report(report: Report, max_rows: int = DEFAULT_MAX_ROWS) -> None:
    """The findings as a table, at most ``max_rows`` of them (0: all); a longer list ends
    with a summary by rule and where the rest is, so a 50,000-row sheet prints in seconds."""
    from ..domain.findings import SEVERITY_NAMES

    layout = report.layout
    stdout.print(
        f"{report.program.title}（{report.program.document}）  {report.file}  "
        f"工作表「{layout.sheet}」，表头在第{layout.header_row}行"
    )
    findings = report.sorted_findings()
    shown = findings if not max_rows else findings[:max_rows]
    if shown:
        table = Table(show_lines=False)
        for header in ("行", "对象", "列", "级别", "问题", "规则", "依据"):
            table.add_column(header, overflow="fold")
        previous: int | str | None = "start"
        for finding in shown:
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
    if len(shown) < len(findings):
        print_rule_summary(report, f"以上仅列出前 {len(shown)} 条问题，共 {len(findings)} 条")
    counts = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITY_NAMES}
    stdout.print(
        f"共 {report.rows} 行，{report.valid_rows} 行无错误；"
        f"错误 {counts['error']} 条，警告 {counts['warning']} 条，复核 {counts['review']} 条"
        + (f"；未检查的规则 {len(report.skipped)} 条：" if report.skipped else "")
    )
    for spec, reason in report.skipped:
        stdout.print(
            f"  未检查 {spec.id}（{spec.summary}）：{reason}", markup=False, highlight=False
        )


WHERE_THE_REST_IS = (
    "全部问题：--annotate 标注副本.xlsx（问题单元格标红，附问题汇总表），"
    "或 --format json（完整列表）；--max-rows 0 在此全部列出"
)


def print_rule_summary(report: Report, heading: str, rest: str = WHERE_THE_REST_IS) -> None:
    """Count per rule with its clause, after a table cut short (``heading`` says where)."""
    from ..domain.findings import SEVERITY_NAMES

    stdout.print(f"{heading}；问题按规则汇总：", markup=False, highlight=False)
    table = Table(show_lines=False)
    for header in ("规则", "内容", "错误", "警告", "复核", "合计", "依据"):
        table.add_column(header, overflow="fold")
    for entry in report.by_rule():
        try:
            summary = report.program.rule(entry.rule).summary
        except KeyError:
            summary = ""
        table.add_row(
            entry.rule,
            summary,
            *(str(entry.by_severity.get(s, 0) or "") for s in SEVERITY_NAMES),
            str(entry.count),
            entry.citation,
        )
    stdout.print(table)
    stdout.print(rest, markup=False, highlight=False)


def validate_command(
    sheet: SheetsArg,  # named so a usage error says SHEET, as it always did
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
    institution: InstitutionOption = None,
    force: ForceOption = False,
    max_rows: MaxRowsOption = DEFAULT_MAX_ROWS,
    annotate_dir: Annotated[
        Path | None,
        typer.Option(
            "--annotate-dir",
            help="核对多个文件时：每份表的标注副本和汇总.xlsx 写入此文件夹",
        ),
    ] = None,
) -> None:
    """按项目规则核对一张表，或一个文件夹、多个文件；有错误时退出码为 1。"""
    check_format(output_format)
    check_kind(kind)
    if batch.is_batch(sheet, annotate_dir):
        if annotate is not None:
            raise InputError("核对多个文件时请用 --annotate-dir 文件夹，而不是 --annotate")
        validate_batch(sheet, program_id, as_of, output_format, params, ledger, kind,
                       institution, force, max_rows, annotate_dir)  # fmt: skip
        return
    path = sheet[0]
    if annotate is not None:
        check_output(annotate, force=force, inputs=[path, params], suffixes=(".xlsx",))
    from ..io.sheet import opening_ahead
    from ..ledger.reading import open_for_reading

    with opening_ahead(path):  # calamine parses while the program and the ledger load
        item = program(program_id)
        # lines an earlier run paid are findings too: the ledger --commit would write (the
        # default one without --ledger), only read; a missing default ledger is empty and is
        # not created
        book = open_for_reading(ledger)
        try:
            with progress("正在核对") as tick:
                report = validate_sheet(
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
        finally:
            book.close()
    copy_note = None
    if annotate is not None:
        from ..outputs.annotate import write_annotated  # openpyxl is only needed for the copy

        with progress("正在写标注副本", rows=False):
            copy_note = write_annotated(report, path, annotate).note()
    if output_format == "json":
        print_json(report.to_json())
        for spec, reason in report.skipped:
            note(f"未检查 {spec.id}：{reason}")
    else:
        print_report(report, max_rows)
        if annotate is not None:
            note(f"标注副本已写入 {annotate}")
    if copy_note is not None:
        note(copy_note)
    if report.has_errors:
        raise typer.Exit(1)


def validate_batch(
    sheets: list[Path],
    program_id: str,
    as_of: str | None,
    output_format: str,
    params: Path | None,
    ledger: str | None,
    kind: str | None,
    institution: str | None,
    force: bool,
    max_rows: int,
    annotate_dir: Path | None,
) -> None:
    """Several files or a folder: each file's report, the 汇总 table, the worst exit code."""
    item = program(program_id)
    files = batch.inputs_of(sheets)
    if annotate_dir is not None:
        batch.check_annotate_dir(annotate_dir, sheets, [*files, *filter(None, [params])], force)
    result = batch.run_batch(
        files, item, "validate", kind=kind, as_of=parse_as_of(as_of), params=params,
        ledger=ledger, institution=institution,
    )  # fmt: skip
    if annotate_dir is not None:
        with progress("正在写标注副本", rows=False):
            batch.write_outputs(result, annotate_dir)
    if output_format == "json":
        sys.stdout.write(json_text(result.to_json()))
    else:
        for each in result.files:
            if each.report is not None:
                print_report(each.report, max_rows)
                stdout.print("")
        batch.print_summary(result)
    if result.exit_code:
        raise typer.Exit(result.exit_code)


def register(app: typer.Typer) -> None:
    app.command(
        "validate",
        epilog=examples(
            "skillpolicy validate 花名册.xlsx --program 项目编号",
            "skillpolicy validate 报送/ -p 项目编号 --annotate-dir 核对结果/",
        ),
    )(validate_command)
