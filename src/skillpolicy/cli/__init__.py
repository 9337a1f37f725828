"""The command line: a thin layer over the library, one small module per subcommand."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from .. import __version__
from ..errors import SkillpolicyError
from . import catalog as catalog_cmd
from . import demo as demo_cmd
from . import ledger as ledger_cmd
from . import levy as levy_cmd
from . import programs as programs_cmd
from . import render as render_cmd
from . import report as report_cmd
from . import subsidy as subsidy_cmd
from . import template as template_cmd
from . import validate as validate_cmd
from .common import STATE, stderr

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3

app = typer.Typer(
    name="skillpolicy",
    help="职业技能培训补贴政策核查工具：核对花名册、计算补贴、打印文书。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        print(f"skillpolicy {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本号")
    ] = False,
    catalog_dir: Annotated[
        list[Path] | None,
        typer.Option(
            "--catalog-dir",
            envvar="SKILLPOLICY_CATALOG_DIR",
            help="自己的目录/项目文件夹（含 occupations/、programs/），优先于随程序发布的",
        ),
    ] = None,
    template_dir: Annotated[
        list[Path] | None,
        typer.Option(
            "--template-dir",
            envvar="SKILLPOLICY_TEMPLATE_DIR",
            help="自己的 Word 模板文件夹，优先于随程序发布的",
        ),
    ] = None,
) -> None:
    """职业技能培训补贴政策核查工具。"""
    STATE.catalog_dirs = list(catalog_dir or [])
    STATE.template_dirs = list(template_dir or [])


programs_cmd.register(app)
catalog_cmd.register(app)
template_cmd.register(app)
validate_cmd.register(app)
subsidy_cmd.register(app)
levy_cmd.register(app)
demo_cmd.register(app)
ledger_cmd.register(app)
render_cmd.register(app)
report_cmd.register(app)


def main() -> None:
    """Entry point: turn domain errors into one line on stderr and exit 2, never a traceback."""
    try:
        code = app(standalone_mode=False)
    except SkillpolicyError as error:
        stderr.print(f"错误：{error}", markup=False, highlight=False)
        sys.exit(EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        stderr.print("已中断", markup=False)
        sys.exit(130)
    except Exception as error:
        # usage errors (unknown option, missing argument) know how to show themselves; typer
        # vendors click in recent versions, so they are recognised by shape, not by class
        show, code = getattr(error, "show", None), getattr(error, "exit_code", None)
        if callable(show) and isinstance(code, int):
            show()
            sys.exit(EXIT_BAD_INPUT)
        if isinstance(error, typer.Abort):
            sys.exit(130)
        if os.environ.get("SKILLPOLICY_DEBUG"):
            raise
        stderr.print(
            f"内部错误：{type(error).__name__}: {error}（请把命令和输入文件报告给开发者；"
            "设置 SKILLPOLICY_DEBUG=1 可显示详细信息）",
            markup=False,
            highlight=False,
        )
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else 0)
