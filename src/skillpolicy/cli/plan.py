"""`skillpolicy plan summary PLANS… --program ID`: the cities' training plans, totalled."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..domain.errors import InputError
from ..io.fileio import check_output
from .common import (
    STATE,
    ForceOption,
    FormatOption,
    LedgerOption,
    ParamsOption,
    ProgramOption,
    Table,
    check_format,
    examples,
    note,
    print_json,
    program,
    stdout,
)
from .validate import print_report

if TYPE_CHECKING:
    from ..tasks.plan import PlanSummary

group = typer.Typer(
    help="培训计划：汇总各设区市上报的重点企业培训计划，读回省厅下达的指导性培训计划指标。",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

PlansArg = Annotated[
    list[Path] | None,
    typer.Argument(
        help="各设区市的培训计划表 (.xlsx)，一个或多个；一行为一个设区市、重点企业和职业（工种）",
        show_default=False,
    ),
]


def print_summary(summary: PlanSummary) -> None:
    table = Table(show_lines=False)
    for header in ("设区市", "重点企业数", "计划人数", "本地院校以外", "指导性培训计划指标"):
        table.add_column(header, overflow="fold")
    for city, totals in summary.by("city").items():
        share = totals.outside_share
        shown = f"{totals.outside}（{share * 100:.1f}%）" if share is not None else ""
        target = summary.targets.get(city)
        table.add_row(
            city,
            str(len(totals.enterprises)),
            str(totals.planned),
            shown,
            "" if target is None else str(target),
        )
    stdout.print(table)
    stdout.print(f"合计计划 {summary.total} 人", markup=False, highlight=False)


def print_targets(targets: dict[str, int]) -> None:
    table = Table(show_lines=False)
    for header in ("设区市", "指导性培训计划指标（人）"):
        table.add_column(header)
    for city, target in targets.items():
        table.add_row(city, str(target))
    stdout.print(table)
    stdout.print(f"合计 {sum(targets.values())} 人", markup=False, highlight=False)


@group.command(
    "summary",
    epilog=examples(
        "skillpolicy plan summary 福州.xlsx 泉州.xlsx 漳州.xlsx --program 项目编号 --out 汇总.xlsx",
        "skillpolicy plan summary --targets 汇总.xlsx --program 项目编号",
    ),
)
def summary_command(
    program_id: ProgramOption,
    plans: PlansArg = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="写出汇总表（.xlsx）：按设区市（含待省厅填写的指导性培训计划指标列）、按行业、按承训机构和明细",
        ),
    ] = None,
    targets: Annotated[
        Path | None,
        typer.Option(
            "--targets", help="读回省厅填好指标的汇总表，列出各设区市的指导性培训计划指标"
        ),
    ] = None,
    params_file: ParamsOption = None,
    output_format: FormatOption = "table",
    force: ForceOption = False,
    ledger: LedgerOption = None,
) -> None:
    """汇总培训计划：逐表核对（重点企业、上年是否已培训、计划人数、30%比例、2月底前报送），
    按设区市、行业和承训机构合计；有错误时退出码为 1。"""
    check_format(output_format)
    from ..ledger.reading import open_for_reading
    from ..loading.programfiles import ProgramFiles
    from ..policy.params import load_params
    from ..tasks.plan import read_targets, summarise_plans, write_summary_workbook

    item = program(program_id)
    files = list(plans or [])
    if not files and targets is None:
        raise InputError("请给出培训计划表，或用 --targets 读回指标")
    if out is not None:
        if not files:
            raise InputError("--out 需要培训计划表")
        check_output(
            out, force=force, inputs=[*files, *([targets] if targets else [])], suffixes=(".xlsx",)
        )
    found = read_targets(targets) if targets is not None else {}
    if not files:
        if output_format == "json":
            print_json({"program": item.id, "targets": found})
        else:
            print_targets(found)
        return
    params = load_params(params_file, item, ProgramFiles(STATE.catalogs(), item))
    # plan-no-repeat reads the ledger a commit would write (validate reads it the same way)
    book = open_for_reading(ledger)
    try:
        summary = summarise_plans(files, item, params=params, search=STATE.catalogs(), ledger=book)
    finally:
        book.close()
    summary.targets = found
    if out is not None:
        write_summary_workbook(summary, out)
    if output_format == "json":
        print_json(summary.to_json())
    else:
        for report in summary.reports:
            print_report(report, 0)
        print_summary(summary)
    if out is not None:
        note(f"汇总表已写入 {out}")
    if summary.has_errors:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="plan")
