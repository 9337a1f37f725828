"""`skillpolicy init [--out skillpolicy.toml] [--force]`: a starter local-parameters file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..io.fileio import check_output, write_text_atomically
from .common import STATE, ForceOption, examples, stdout

# params.DEFAULT_PARAMS_FILE, written out so that start-up does not load the program models
DEFAULT_OUT = "skillpolicy.toml"


def init_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="写出的参数文件（.toml）")] = Path(
        DEFAULT_OUT
    ),
    force: ForceOption = False,
) -> None:
    """写出本地参数文件模板：每个项目的本地参数（含条款和示例值），均已注释，去掉 # 并填写后生效。"""
    from ..loading.programfiles import list_programs
    from ..policy.starter import starter_params

    check_output(out, force=force, suffixes=(".toml",))
    programs = list_programs(STATE.catalogs())
    write_text_atomically(out, starter_params(programs), private=False)  # no personal data
    count = sum(len(program.local_parameters) for program in programs)
    stdout.print(
        f"已写入 {out}：{len(programs)} 个项目、{count} 个本地参数（均已注释；"
        "去掉 # 并改成本局的数值后生效）",
        markup=False,
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command(
        "init",
        epilog=examples("skillpolicy init", "skillpolicy init --out 本局参数.toml --force"),
    )(init_command)
