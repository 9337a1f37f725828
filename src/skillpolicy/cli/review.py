"""`skillpolicy review score SCORES --program ID`: experts' scores to the designation sheet."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

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
from .validate import print_report

if TYPE_CHECKING:
    from ..tasks.scoring import Review

group = typer.Typer(
    help="专家评审：由专家评分汇总评审得分、排名并按名额确定拟授牌单位。",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DECISION_STYLE = {"designated": "green", "not-designated": "red", "tied": "cyan", "held": "cyan"}

ScoresArg = Annotated[
    Path,
    typer.Argument(help="专家评分表 (.xlsx)：一行为一位专家对一个单位的评分", show_default=False),
]


def print_review(review: Review) -> None:
    from ..tasks.scoring import DECISION_NAMES, method_text

    table = Table(show_lines=False)
    for header in (
        "排名",
        "单位名称",
        "统一社会信用代码",
        "评审得分",
        "计分办法",
        "是否授牌",
        "说明",
    ):
        table.add_column(header, overflow="fold")
    for unit in review.ranked():
        held = unit.decision in ("tied", "held")
        decision = "待定" if held else DECISION_NAMES[unit.decision]
        table.add_row(
            "" if unit.rank is None else str(unit.rank),
            unit.name,
            unit.code,
            "" if unit.score is None else str(unit.score),
            method_text(review.scoring, len(unit.counted)) if unit.score is not None else "",
            styled(decision, DECISION_STYLE[unit.decision]),
            unit.note,
        )
    stdout.print(table)
    stdout.print(
        f"名额至多 {review.quota} 个：授牌 {review.count('designated')} 个，"
        f"不授牌 {review.count('not-designated')} 个，待定 {review.count('tied', 'held')} 个",
        markup=False,
        highlight=False,
    )


@group.command(
    "score",
    epilog=examples(
        "skillpolicy review score 专家评分.xlsx --program 项目编号",
        "skillpolicy review score 专家评分.xlsx -p 项目编号 --out 评审结果.xlsx",
    ),
)
def score_command(
    sheet: ScoresArg,
    program_id: ProgramOption,
    output_format: FormatOption = "table",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="写出评审结果（.xlsx）：评审授牌表（填好是否授牌，subsidy 和 render 可直接读）及评分明细",
        ),
    ] = None,
    force: ForceOption = False,
) -> None:
    """汇总专家评分：按项目文件规定的办法算出各单位评审得分，排名，按名额确定是否授牌；评分有错误时退出码为 1。"""
    check_format(output_format)
    from ..tasks.scoring import review_scores, write_review_workbook

    item = program(program_id)
    if out is not None:
        check_output(out, force=force, inputs=[sheet], suffixes=(".xlsx",))
    review = review_scores(sheet, item, search=STATE.catalogs(), shown_name=str(sheet))
    if out is not None:
        write_review_workbook(review, out)
    if output_format == "json":
        print_json(review.to_json())
    else:
        print_report(review.report, 0)
        print_review(review)
    if out is not None:
        note(f"评审结果已写入 {out}")
    if review.has_errors:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="review")
