"""Only the command a run names is built: typer turns every registered command into a click
command (reading each signature and its annotations) before it parses the arguments, a
fixed cost of every run that grows with the number of commands."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

import typer
from typer.main import get_command_name

# the options before the command name that take a value (``--catalog-dir DIR``)
ROOT_OPTIONS_WITH_VALUE = ("--catalog-dir", "--template-dir")


def shell_completing() -> bool:
    """Whether the shell asks for completions (click's ``_SKILLPOLICY_COMPLETE``): they need
    every command."""
    return any(key.endswith("_COMPLETE") for key in os.environ)


def command_name(args: list[str]) -> str | None:
    """The command ``args`` name after the root options, or None when it cannot be told
    without click (a flag such as ``--help``, ``--``, an option not known here)."""
    index = _command_index(args)
    return None if index is None else args[index]


def _command_index(args: list[str]) -> int | None:
    """Where in ``args`` the command's name is (:func:`command_name`), or None."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ROOT_OPTIONS_WITH_VALUE:
            index += 2
        elif arg.startswith(tuple(f"{option}=" for option in ROOT_OPTIONS_WITH_VALUE)):
            index += 1
        elif arg.startswith("-"):
            return None
        else:
            return index
    return None


def sheet_named(args: list[str], valued: frozenset[str], flags: frozenset[str]) -> Path | None:
    """The one file a command's ``args`` (after its name) give as their only positional
    argument, told from the words alone (``valued``: the command's options that take a value,
    ``flags``: those that take none); None when there is not exactly one, or when the words
    hold an option not known here or a help option (click then decides what they mean)."""
    found: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--":
            found.extend(args[index:])
            break
        if not arg.startswith("-") or arg == "-":
            found.append(arg)
        elif arg in valued:
            index += 1
        elif arg in flags or _glued(arg) in valued:  # --program=ID, -pID
            continue
        else:
            return None
    return Path(found[0]) if len(found) == 1 else None


def _glued(arg: str) -> str:
    """The option a word that carries its value too names (``--program=ID``, ``-pID``)."""
    return arg.partition("=")[0] if arg.startswith("--") else arg[:2]


def opening_early(
    args: list[str], sheets: dict[str, Callable[[list[str]], Path | None]]
) -> AbstractContextManager[None]:
    """The workbook ``args`` name opened ahead (:func:`skillpolicy.io.sheet.opening_ahead`:
    the guard at once, then calamine's parse on another thread) while typer converts the
    options and the command loads its program; ``sheets`` tells, per command name, which
    one file its arguments name, if any. Nothing is opened for another command, for shell
    completion, or when the file cannot be told from the words alone: the command then
    opens its sheet itself, as it always does.

    Such a run holds Python's cyclic collector off throughout, as the sheet's check always
    did (:func:`~skillpolicy.domain.collector.collector_paused_to_the_end`): what it loads
    first (pydantic, the program's models, the rules) lives to its end, and the collector,
    triggered by those allocations, would walk it a hundred times for nothing."""
    index = _command_index(args)
    if index is None or shell_completing():
        return nullcontext()
    named = sheets.get(args[index])
    path = named(args[index + 1 :]) if named is not None else None
    if path is None or not path.is_file():
        return nullcontext()
    return _opened_early(path)


@contextmanager
def _opened_early(path: Path) -> Iterator[None]:
    from ..domain.collector import collector_paused_to_the_end
    from ..io.sheet import opening_ahead

    with collector_paused_to_the_end(), opening_ahead(path):
        yield


def only_the_named_command(app: typer.Typer, args: list[str]) -> typer.Typer:
    """``app`` with only the command or group ``args`` name registered (its root options and
    callback kept), so that typer builds that one; ``app`` itself when the name is not one of
    its commands (click then says which there are), when there is none (the root's help) and
    when the shell asks for completions (which need them all)."""
    if shell_completing():
        return app
    name = command_name(args)
    if name is None:
        return app
    commands = [
        info
        for info in app.registered_commands
        if (info.name or get_command_name(getattr(info.callback, "__name__", ""))) == name
    ]
    groups = [info for info in app.registered_groups if info.name == name]
    if not commands and not groups:
        return app
    narrowed = copy.copy(app)
    narrowed.registered_commands = commands
    narrowed.registered_groups = groups
    return narrowed
