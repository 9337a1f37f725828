"""The rich side of the terminal: a console that never reads data as markup, and tables
whose cells are masked. Imported on first use (through :mod:`.common`), so that start-up,
``--version`` and ``--help`` do not load rich."""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO

from rich.console import Console, RenderableType
from rich.table import Table as RichTable
from rich.text import Text

from ..domain.terminal import shown


class SafeConsole(Console):
    """A console that never reads data as markup, emoji codes or highlighting, and shows a
    string it prints with numbers masked and control characters visibly escaped."""

    def print(self, *objects: Any, **options: Any) -> None:
        safe = [
            Text(shown(item, one_line=True)) if isinstance(item, str) else item for item in objects
        ]
        super().print(*safe, **options)


class Table(RichTable):
    """A rich table whose text cells, title and headers are shown the way :func:`shown`
    writes them (masked before the table wraps them, controls escaped, never markup)."""

    def __init__(self, *headers: Any, title: str | None = None, **options: Any) -> None:
        super().__init__(*headers, title=shown(title, one_line=True) if title else None, **options)

    def add_row(self, *renderables: RenderableType | None, **options: Any) -> None:
        cells = [Text(shown(item)) if isinstance(item, str) else item for item in renderables]
        super().add_row(*cells, **options)


def styled(text: str, style: str) -> Text:
    """Text in a colour or weight, shown as :func:`shown` writes it (never markup)."""
    return Text(shown(text, one_line=True), style=style)


# Findings and tables go to stdout; errors and notes to stderr, so `--format json` stays clean.
# A pipe or a cron log has no width; give tables room rather than rich's 80 columns, unless
# COLUMNS says how wide the reader is.
def _width(stream: TextIO) -> int | None:
    return None if stream.isatty() or os.environ.get("COLUMNS", "").isdigit() else 160


def make_console(*, to_stderr: bool) -> SafeConsole:
    """The console of stdout (tables, findings) or of stderr (errors, notes)."""
    return SafeConsole(
        stderr=to_stderr,
        soft_wrap=to_stderr,
        width=_width(sys.stderr if to_stderr else sys.stdout),
        markup=False,
        emoji=False,
        highlight=False,
    )
