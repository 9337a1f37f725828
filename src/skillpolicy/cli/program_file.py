"""`skillpolicy program check FILE.toml [--sample SHEET.xlsx]` and `skillpolicy program schema`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..domain.errors import CatalogError
from ..domain.money import amount_in_words, format_amount_grouped
from .common import STATE, KindOption, ParamsOption, check_kind, note, stdout

SEVERITY = {"error": "错误", "warning": "警告", "review": "复核"}


def check_command(
    file: Annotated[Path, typer.Argument(help="项目文件 (.toml)", show_default=False)],
    sample: Annotated[
        Path | None,
        typer.Option("--sample", help="再用这张样表核对并计算补贴（.xlsx）"),
    ] = None,
    params: ParamsOption = None,
    kind: KindOption = None,
) -> None:
    """检查一个项目文件：键、规则种类及其参数、目录、名单、计发方式、编号、日期；列出全部问题。"""
    check_kind(kind)
    if not file.is_file():
        raise CatalogError("项目文件不存在", file=file)
    from ..loading.programcheck import check_program_file, load_checked, search_beside
    from ..tasks.programsample import run_sample

    search = search_beside(file, STATE.catalogs())
    problems = check_program_file(file, search)
    if problems:
        for problem in problems:
            note(str(problem))
        note(f"共 {len(problems)} 处问题")
        raise typer.Exit(2)
    program = load_checked(file, search)
    stdout.print(f"{file}：无问题（{program.id}，{len(program.rules)} 条规则）", markup=False)
    if sample is None:
        return
    run = run_sample(program, sample, search=search, params_file=params, kind=kind)
    report = run.report
    counts = {s: sum(1 for f in report.findings if f.severity == s) for s in SEVERITY}
    stdout.print(
        f"样表 {sample}：{report.rows} 行，"
        + "，".join(f"{SEVERITY[s]} {n} 条" for s, n in counts.items()),
        markup=False,
    )
    for spec, reason in report.skipped:
        note(f"未检查 {spec.id}：{reason}")
    if run.payout is None:
        stdout.print(f"补贴：{run.money_note}", markup=False)
        return
    payout = run.payout
    stdout.print(
        f"补贴：发放 {payout.count('paid')} 笔，待定 {payout.count('pending')} 笔，"
        f"不予发放 {payout.count('refused')} 笔；合计 {format_amount_grouped(payout.total)} 元"
        f"（大写：{amount_in_words(payout.total)}）",
        markup=False,
    )


def schema_command() -> None:
    """打印项目文件的 JSON Schema（供编辑器在输入时检查 TOML 文件）。"""
    from ..loading.programschema import program_json_schema

    sys.stdout.write(json.dumps(program_json_schema(), ensure_ascii=False, indent=2) + "\n")


def register(group: typer.Typer) -> None:
    group.command("check")(check_command)
    group.command("schema")(schema_command)
