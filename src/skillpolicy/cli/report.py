"""`skillpolicy report monthly [--month YYYY-MM] [--ledger PATH|URL] [--office X] --out DIR`
(cron-safe)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..domain.errors import SkillpolicyError
from .common import STATE, LedgerOption, ParamsOption, examples

if TYPE_CHECKING:
    import logging

EXIT_BAD_INPUT = 2
EXIT_FAILED = 3

report_app = typer.Typer(
    help="由台账生成报表（月报）。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    epilog=examples("skillpolicy report monthly --out 月报/"),
)


def _logger() -> logging.Logger:
    """Plain lines with timestamps on stderr: no prompts, no colour, fit for a cron mail."""
    import logging  # only here: every other command starts without it

    logger = logging.getLogger("skillpolicy.report")
    if not any(getattr(h, "_skillpolicy", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S%z")
        )
        handler._skillpolicy = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger


@report_app.command(
    "monthly",
    epilog=examples(
        "skillpolicy report monthly --out 月报/",
        "skillpolicy report monthly --month 2013-10 --targets 汇总.xlsx --out 月报/",
    ),
)
def monthly_command(
    out: Annotated[Path, typer.Option("--out", help="输出目录：月报写入 DIR/YYYY-MM/")],
    month: Annotated[
        str | None,
        typer.Option("--month", help="报告月份 YYYY-MM（默认上一个日历月）", show_default=False),
    ] = None,
    ledger: LedgerOption = None,
    office: Annotated[
        str | None,
        typer.Option("--office", help="只报这个经办机构的运行（默认为全市汇总，附各经办机构表）"),
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="报送单位（印在月报末尾，默认留空待填）")
    ] = None,
    preparer: Annotated[str | None, typer.Option("--preparer", help="填报人")] = None,
    reviewer: Annotated[str | None, typer.Option("--reviewer", help="审核人")] = None,
    params: ParamsOption = None,
    targets: Annotated[
        Path | None,
        typer.Option(
            "--targets",
            help="省厅填好指导性培训计划指标的汇总表（plan summary 生成）：加出各设区市对照指标的进度表",
        ),
    ] = None,
) -> None:
    """月报：各项目培训、取证、发放与不予发放，许昌 13 类目标进度，机构合格率；xlsx + docx。

    --targets 读入省厅填好指导性培训计划指标的汇总表，加出各设区市的培训、发放与完成率。

    共享台账默认出全市汇总月报，并附各经办机构的表（各机构之和等于全市）；--office 只报一个机构。
    退出码 0 仅当月报已写出；输入问题（台账不存在、月份格式错误、目录不可写）为 2。
    """
    from ..ledger.ahead import FiguresAhead, plain_month

    # the ledger's long query starts on a thread now, while the writers and programs load
    today = date.today()
    office = office.strip() if office is not None else None
    first = plain_month(month, today)
    ahead = FiguresAhead(ledger, first, office) if first is not None else None

    from ..ledger.open import open_ledger
    from ..loading.programfiles import list_programs
    from ..policy.params import configured_signers
    from ..report import CityTargets, write_monthly_report
    from ..report.docx import Signers

    log = _logger()
    try:
        names = configured_signers(params)  # [report] of the params file; options override
        signers = Signers(
            names.get("unit", "") if unit is None else unit.strip(),
            names.get("preparer", "") if preparer is None else preparer.strip(),
            names.get("reviewer", "") if reviewer is None else reviewer.strip(),
        )
        city_targets = None
        if targets is not None:  # read first: a bad targets file writes nothing
            from ..tasks.plan import read_targets, targets_program  # only with --targets

            found = read_targets(targets)
            owner = targets_program(targets, list_programs(STATE.catalogs()))
            city_targets = CityTargets(owner.id, found, targets.name)
        book = open_ledger(ledger, create=False)
        try:
            files = write_monthly_report(
                book,
                out,
                month,
                today=today,
                search=STATE.catalogs(),
                office=office,
                signers=signers,
                targets=city_targets,
                ahead=ahead,
            )
        finally:
            book.close()
    except SkillpolicyError as error:
        log.error("月报未写出：%s", error)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except Exception as error:  # a cron job must say what went wrong, then fail
        log.error("月报未写出：%s: %s", type(error).__name__, error)
        raise typer.Exit(EXIT_FAILED) from None
    if files.empty:
        log.info("月报 %s 无数据（已写出注明无数据的月报）", files.month)


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
