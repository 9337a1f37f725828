"""`skillpolicy levy SHEET --program ID`: the employee education fund levy (not a payout)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..domain.money import amount_in_words, format_amount_grouped
from ..io.fileio import check_output
from .common import (
    STATE,
    ForceOption,
    FormatOption,
    ProgramOption,
    Table,
    check_format,
    examples,
    note,
    print_json,
    program,
    stdout,
    styled,
)

if TYPE_CHECKING:
    from ..compute.levy import Levy

STATUS_STYLE = {"levied": "green", "exempt": "cyan", "refused": "red"}

LevySheetArg = Annotated[
    Path, typer.Argument(help="职工教育经费征收表 (.xlsx)：一行一家企业", show_default=False)
]


def print_levy(levy: Levy) -> None:
    from ..compute.levy import STATUS_NAMES
    from ..rules.xuchang import percent_text

    item = levy.program
    stdout.print(f"{item.title}（{item.document}）  {levy.file}  sha256 {levy.file_hash[:12]}…")
    table = Table(show_lines=False)
    for header in (
        "行",
        "单位名称",
        "统一社会信用代码",
        "职工工资总额（元）",
        "提取比例",
        "应提取（元）",
        "结果",
        "征收金额（元）",
        "说明",
    ):
        table.add_column(header, overflow="fold")
    for line in levy.lines:
        style = STATUS_STYLE[line.status]
        refused = line.status == "refused"
        table.add_row(
            str(line.row),
            line.name,
            line.code,
            format_amount_grouped(line.payroll) if line.payroll is not None else "",
            percent_text(line.rate) if line.rate is not None else "",
            "" if refused else format_amount_grouped(line.should_set_aside),
            styled(STATUS_NAMES[line.status], style),
            format_amount_grouped(line.amount),
            "；".join(r.reason_text() for r in line.reasons),
        )
    stdout.print(table)
    stdout.print(
        f"征收 {levy.count('levied')} 家，不征收 {levy.count('exempt')} 家，"
        f"退回更正 {levy.count('refused')} 家；合计 {format_amount_grouped(levy.total)} 元"
        f"（大写：{amount_in_words(levy.total)}）"
    )


def levy_command(
    sheet: LevySheetArg,
    program_id: ProgramOption,
    output_format: FormatOption = "table",
    out: Annotated[
        Path | None,
        typer.Option("--out", help="另存征收清单（.xlsx）：每家企业一行，含合计与大写金额"),
    ] = None,
    force: ForceOption = False,
) -> None:
    """核算职工教育经费统筹征收：规模以上且未开展职工培训的企业，按应提取额的规定比例征收；表中有违反规则之处时退出码为 1。"""
    check_format(output_format)
    from ..compute.levy import compute_levy, write_levy_workbook  # openpyxl: only this command

    item = program(program_id)
    if out is not None:
        check_output(out, force=force, inputs=[sheet], suffixes=(".xlsx",))
    levy = compute_levy(sheet, item, search=STATE.catalogs(), shown_name=str(sheet))
    if out is not None:
        write_levy_workbook(levy, out)
    if output_format == "json":
        print_json(levy.to_json())
    else:
        print_levy(levy)
    for spec, reason in levy.report.skipped:
        note(f"未检查 {spec.id}：{reason}")
    if out is not None:
        note(f"征收清单已写入 {out}")
    if levy.has_violations:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command(
        "levy",
        epilog=examples(
            "skillpolicy levy 征收表.xlsx --program 项目编号",
            "skillpolicy levy 征收表.xlsx -p 项目编号 --out 征收清单.xlsx",
        ),
    )(levy_command)
