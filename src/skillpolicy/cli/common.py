"""What every subcommand shares: consoles, the data search paths, option types, output."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast, get_args

import typer

from ..domain.errors import InputError
from ..io.resources import SearchPath

if TYPE_CHECKING:
    from rich.text import Text

    from ..policy.programs import Program
    from .console import SafeConsole
    from .console import Table as ConsoleTable


class _LazyConsole:
    """Stands for a :class:`~.console.SafeConsole` made on first use, so that importing the
    command line (``--version``, ``--help``) does not load rich. Attributes read and set
    pass through to the console."""

    def __init__(self, *, to_stderr: bool) -> None:
        object.__setattr__(self, "_to_stderr", to_stderr)
        object.__setattr__(self, "_console", None)

    def _real(self) -> SafeConsole:
        console = object.__getattribute__(self, "_console")
        if console is None:
            from .console import make_console

            console = make_console(to_stderr=object.__getattribute__(self, "_to_stderr"))
            object.__setattr__(self, "_console", console)
        return cast("SafeConsole", console)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._real(), name, value)

    @property
    def __dict__(self) -> dict[str, Any]:  # type: ignore[override]
        # what monkeypatch and vars() see is the console's own (as werkzeug's LocalProxy does)
        return self._real().__dict__

    def __enter__(self) -> Any:
        return self._real().__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._real().__exit__(*exc)


def made(console: SafeConsole) -> SafeConsole:
    """The console behind :data:`stdout` or :data:`stderr`, made now if it is not yet: for
    rich objects that take a console (a progress display) and need the console itself."""
    real = getattr(console, "_real", None)
    return cast("SafeConsole", real()) if callable(real) else console


stdout = cast("SafeConsole", _LazyConsole(to_stderr=False))
stderr = cast("SafeConsole", _LazyConsole(to_stderr=True))


def Table(*headers: Any, title: str | None = None, **options: Any) -> ConsoleTable:
    """A table whose cells are masked (:class:`.console.Table`), rich loaded on first use."""
    from .console import Table as MaskedTable

    return MaskedTable(*headers, title=title, **options)


def styled(text: str, style: str) -> Text:
    """Text in a colour or weight, shown as :func:`shown` writes it (never markup)."""
    from .console import styled as styled_text

    return styled_text(text, style)


@dataclass
class State:
    catalog_dirs: list[Path] = field(default_factory=list)
    template_dirs: list[Path] = field(default_factory=list)

    def catalogs(self) -> SearchPath:
        return SearchPath("catalogs", self.catalog_dirs)

    def templates(self) -> SearchPath:
        return SearchPath("templates", self.template_dirs)


STATE = State()


def program(program_id: str) -> Program:
    from ..loading.programfiles import load_program

    return load_program(program_id, STATE.catalogs())


OPTION_YEARS = (1949, 2099)  # the dates an option may name


def parse_date_option(text: str | None, option: str) -> date | None:
    """A date option: full-width digits folded (the parser folds text), the year checked."""
    if text is None:
        return None
    from ..domain.values import ValueProblem, parse_date

    try:
        value = parse_date(text)
    except ValueProblem as problem:
        raise InputError(f"{option} {problem.message}") from None
    first, last = OPTION_YEARS
    if not first <= value.year <= last:
        raise InputError(f"{option} 的年份应在 {first} 至 {last} 之间，不能是「{text}」")
    return value


def parse_as_of(text: str | None) -> date | None:
    return parse_date_option(text, "--as-of")


def print_json(payload: dict[str, Any]) -> None:
    sys.stdout.write(json_text(payload))


def json_text(payload: Any) -> str:
    """``payload`` (an object, or a list of them for several files) masked and encoded
    (:func:`~skillpolicy.domain.jsontext.masked_json`, imported when output is made)."""
    from ..domain.jsontext import masked_json

    return masked_json(payload) + "\n"


DEFAULT_MAX_ROWS = 200

MaxRowsOption = Annotated[
    int,
    typer.Option(
        "--max-rows",
        min=0,
        help="表格最多显示多少条（其余按规则汇总；0 表示全部显示）；--format json 总是完整的",
    ),
]


@contextlib.contextmanager
def progress(label: str, *, rows: bool = True) -> Iterator[Callable[[int], None] | None]:
    """A progress display on stderr while long work runs, only when stderr is a terminal
    (nothing in cron or a pipe); yields the callback that reports rows done, or None."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    counter = [TextColumn("{task.completed} 行")] if rows else []
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        *counter,
        TimeElapsedColumn(),
        console=made(stderr),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done: bar.update(task, completed=done)


def examples(*lines: str) -> str:
    """A command's help epilog: one or two real command lines, kept as written (``\\b``
    stops click from rewrapping them)."""
    return "\b\n示例：\n" + "\n".join(f"  {line}" for line in lines)


def note(text: str) -> None:
    stderr.print(text, markup=False, highlight=False)


def _ids(subdir: str, incomplete: str) -> list[str]:
    """Ids of the data files in ``subdir`` of the search path starting with ``incomplete``
    (shell completion: the files' names only, nothing is loaded)."""
    ids = (path.stem for path in STATE.catalogs().glob(subdir, "*.toml"))
    return [found for found in ids if found.startswith(incomplete)]


def complete_program(incomplete: str) -> list[str]:
    """Shell completion of program ids."""
    return _ids("programs", incomplete)


def complete_catalog(incomplete: str) -> list[str]:
    """Shell completion of occupation catalog ids."""
    return _ids("occupations", incomplete)


def complete_form(incomplete: str) -> list[str]:
    """Shell completion of form ids (``render``)."""
    from ..render.forms import forms

    return [form for form in forms(STATE.catalogs()) if form.startswith(incomplete)]


ProgramArg = Annotated[
    str,
    typer.Argument(
        help="项目编号（skillpolicy programs 列出全部）",
        show_default=False,
        autocompletion=complete_program,
    ),
]
SheetArg = Annotated[
    Path, typer.Argument(help="学员花名册、申报表或评审授牌表 (.xlsx)", show_default=False)
]
SheetsArg = Annotated[
    list[Path],
    typer.Argument(
        help="学员花名册、申报表或评审授牌表 (.xlsx)；可给多个文件或一个文件夹",
        show_default=False,
    ),
]
ProgramOption = Annotated[
    str, typer.Option("--program", "-p", help="项目编号", autocompletion=complete_program)
]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="参照日 YYYY-MM-DD，优先于开班日期和项目参照日")
]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="输出格式：table 或 json")]
ParamsOption = Annotated[
    Path | None, typer.Option("--params", help="本地参数文件（默认读当前目录的 skillpolicy.toml）")
]
ForceOption = Annotated[
    bool,
    typer.Option("--force", help="输出文件已存在时替换它（输入文件、目录和设备从不替换）"),
]
LedgerOption = Annotated[
    str | None,
    typer.Option(
        "--ledger",
        help="台账：SQLite 文件路径，或共享台账的 postgresql:// 地址、service=名称"
        "（默认读环境变量 SKILLPOLICY_LEDGER，再默认为本机数据目录的台账文件）",
    ),
]
InstitutionOption = Annotated[
    str | None,
    typer.Option(
        "--institution",
        help="培训机构名称：表中没有培训机构列、表头上方也未注明时，作为各行的培训机构（收款方）",
    ),
]
OfficeOption = Annotated[
    str | None,
    typer.Option("--office", help="经办机构，如 魏都区人社局（默认读 skillpolicy.toml 的 office）"),
]
OperatorOption = Annotated[
    str | None, typer.Option("--operator", help="经办人（默认为当前系统用户名）")
]
KindOption = Annotated[
    str | None,
    typer.Option(
        "--kind",
        help="表的种类：roster、application、designation、award、technician、levy、score 或 plan"
        "（默认按表头识别；technician 须指明）",
    ),
]


def check_format(value: str) -> str:
    if value not in ("table", "json"):
        raise InputError(f"--format 只能是 table 或 json，不能是「{value}」")
    return value


def check_kind(value: str | None) -> str | None:
    """``--kind`` as given, or None; the program models are loaded only to check a kind
    given (without one, the workbook guard and the parse start sooner)."""
    if value is None:
        return None
    from ..policy.programs import SheetKind

    kinds = get_args(SheetKind)
    if value not in kinds:
        raise InputError(f"--kind 只能是 {'、'.join(kinds)}，不能是「{value}」")
    return value
