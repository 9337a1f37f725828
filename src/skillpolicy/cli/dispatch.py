"""Only the command a run names is built: typer turns every registered command into a click
command (reading each signature and its annotations) before it parses the arguments, a
fixed cost of every run that grows with the number of commands."""

from __future__ import annotations

import copy
import os

import typer
from typer.main import get_command_name

# the options before the command name that take a value (``--catalog-dir DIR``)
ROOT_OPTIONS_WITH_VALUE = ("--catalog-dir", "--template-dir")


def command_name(args: list[str]) -> str | None:
    """The command ``args`` name after the root options, or None when it cannot be told
    without click (a flag such as ``--help``, ``--``, an option not known here)."""
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
            return arg
    return None


def only_the_named_command(app: typer.Typer, args: list[str]) -> typer.Typer:
    """``app`` with only the command or group ``args`` name registered (its root options and
    callback kept), so that typer builds that one; ``app`` itself when the name is not one of
    its commands (click then says which there are), when there is none (the root's help) and
    when the shell asks for completions (which need them all)."""
    if any(key.endswith("_COMPLETE") for key in os.environ):
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
