"""`skillpolicy template PROGRAM --out BLANK.xlsx`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..domain.errors import InputError
from ..io.fileio import check_output
from .common import (
    STATE,
    ForceOption,
    KindOption,
    ProgramArg,
    check_kind,
    examples,
    program,
    stdout,
)


def template_command(
    program_id: ProgramArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="输出的空白 .xlsx")],
    kind: KindOption = None,
    force: ForceOption = False,
) -> None:
    """生成空白花名册或申报表：带项目表头、下拉选项和填表说明。"""
    check_kind(kind)
    check_output(out, force=force, suffixes=(".xlsx",))
    from ..policy.catalog import load_catalog
    from ..policy.programs import SHEET_KIND_NAMES

    item = program(program_id)
    chosen = next((k for k in item.sheets if k == kind), None) if kind else next(iter(item.sheets))
    if chosen is None:
        accepted = "、".join(item.sheets)
        raise InputError(f"项目 {item.id} 没有 {kind} 表；可用：{accepted}")
    catalog = load_catalog(item.catalog, STATE.catalogs()) if item.catalog else None
    from ..outputs.blank import build_blank  # imports openpyxl; only this command needs it

    build_blank(item, chosen, catalog, out)
    stdout.print(f"已写入 {out}（{item.title}{SHEET_KIND_NAMES.get(chosen, chosen)}）")


def register(app: typer.Typer) -> None:
    app.command(
        "template",
        epilog=examples(
            "skillpolicy template 项目编号 --out 花名册.xlsx",
            "skillpolicy template 项目编号 --kind application --out 申报表.xlsx",
        ),
    )(template_command)
