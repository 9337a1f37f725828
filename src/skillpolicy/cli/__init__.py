"""The command line: a thin layer over the library, one small module per subcommand."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TextIO, cast

import typer

from .. import __version__
from ..domain.errors import SkillpolicyError
from ..domain.privacy import RedactingStream, redact_strictly
from .common import STATE, examples, stderr
from .dispatch import command_name, only_the_named_command, opening_early, shell_completing
from .usage import usage_message

if TYPE_CHECKING:
    app: typer.Typer  # every command (module __getattr__ below builds it on first use)

# The module that registers each command or group, with the names it adds, in the order the
# root's help lists them. A run that names a command imports its module alone: the others'
# imports and option definitions would be a fixed cost of every run (a test checks each
# module registers exactly these names).
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "programs": ("programs", "program"),
    "catalog": ("catalog",),
    "template": ("template",),
    "validate": ("validate",),
    "subsidy": ("subsidy",),
    "explain": ("explain",),
    "levy": ("levy",),
    "demo": ("demo",),
    "ledger": ("ledger",),
    "render": ("render",),
    "report": ("report",),
    "plan": ("plan",),
    "review": ("review",),
    "init": ("init",),
}

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3


def _version(value: bool) -> None:
    if value:
        print(f"skillpolicy {__version__}")
        raise typer.Exit()


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


def command_app(name: str | None = None) -> typer.Typer:
    """The command line with the commands of the module that registers ``name``; with every
    command when ``name`` is None or names none of them (the root's help, a misspelt
    command: click then lists them all)."""
    app = typer.Typer(
        name="skillpolicy",
        help="职业技能培训补贴政策核查工具：核对花名册、计算补贴、打印文书。",
        no_args_is_help=True,
        add_completion=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
        epilog=examples("skillpolicy demo", "skillpolicy validate 花名册.xlsx --program 项目编号"),
    )
    app.callback()(root)
    named = [module for module, names in COMMAND_MODULES.items() if name in names]
    for module in named or COMMAND_MODULES:
        importlib.import_module(f".{module}", __name__).register(app)
    return app


def __getattr__(name: str) -> typer.Typer:
    """``app``, the command line with every command, built when first asked for."""
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    built = globals()["app"] = command_app()
    return built


def main() -> None:
    """Entry point: turn domain errors into one line on stderr and exit 2, never a traceback.

    Everything written to stdout and stderr (tables, JSON, notes, logs, usage errors) passes
    through :class:`~skillpolicy.domain.privacy.RedactingStream`, so no path can print an unmasked
    identity, phone or account number; files the clerk asked for are written unmasked.
    """
    streams = (sys.stdout, sys.stderr)
    sys.unraisablehook = _quiet_unraisable  # kept to the end: such errors come at exit
    sys.stdout = cast(TextIO, RedactingStream(sys.stdout))
    sys.stderr = cast(TextIO, RedactingStream(sys.stderr))
    try:
        _run()
    finally:
        sys.stdout, sys.stderr = streams


def _quiet_unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """A file a failed write left open fails again when it is closed at exit (a full disk):
    the clerk has already been told in one line, so no traceback follows it."""
    if isinstance(unraisable.exc_value, OSError):
        return
    sys.__unraisablehook__(unraisable)


def _internal_error(error: BaseException) -> NoReturn:
    if os.environ.get("SKILLPOLICY_DEBUG"):
        import traceback

        # the traceback goes through the redacting stderr too, so it is printed here
        traceback.print_exception(error, file=sys.stderr)
        sys.exit(EXIT_INTERNAL)
    # an unexpected error's text was written for no clerk and may quote part of a cell
    stderr.print(
        f"内部错误：{type(error).__name__}: {redact_strictly(str(error))}"
        "（请把命令和输入文件报告给开发者；"
        "设置 SKILLPOLICY_DEBUG=1 可显示详细信息）",
        markup=False,
        highlight=False,
    )
    sys.exit(EXIT_INTERNAL)


def _run() -> None:
    if sys.argv[1:] == ["--version"]:  # the version alone: no need to build every command
        print(f"skillpolicy {__version__}")
        sys.exit(0)
    try:
        # the one sheet `validate` names is opened (guard, then parse on a thread) before
        # typer converts the options: calamine parses while the rest loads
        args = sys.argv[1:]
        named = command_app(None if shell_completing() else command_name(args))
        with opening_early(args, {"validate": _validate_sheet}):
            code = only_the_named_command(named, args)(standalone_mode=False)
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
        line = None if type(error).__name__ == "NoArgsIsHelpError" else usage_message(error)
        if line is not None:
            stderr.print(line, markup=False, highlight=False)
            sys.exit(EXIT_BAD_INPUT)
        if callable(show) and isinstance(code, int):
            show()
            sys.exit(EXIT_BAD_INPUT)
        if isinstance(error, typer.Abort):
            sys.exit(130)
        _internal_error(error)
    except (SystemExit, GeneratorExit):
        raise
    except BaseException as error:
        # not an Exception (a Rust panic inside a parser, say): still a bug, never exit 1
        _internal_error(error)
    sys.exit(code if isinstance(code, int) else 0)


def _validate_sheet(args: list[str]) -> Path | None:
    """The one sheet ``validate``'s arguments name (:func:`.validate.sheet_to_open`)."""
    from .validate import sheet_to_open

    return sheet_to_open(args)
