"""Text from a workbook, a file name or a message made safe to show on a terminal.

A cell may hold an escape sequence (clear the screen, a fake OSC-8 link), a right-to-left
override that reorders a table row, or text that looks like rich markup (``[/b]张三``).
:func:`visible` writes every control and bidi character as a visible escape (``\\x1b``,
``\\u202e``); :func:`shown` also masks personal numbers first (on the text a wrapped table
would cut), so a table that wraps inside a number still shows it masked. Markup is never
interpreted: the consoles of the command line are created with markup off.
"""

from __future__ import annotations

import re

from .privacy import redact

__all__ = ["shown", "visible"]

# C0 controls but tab and newline, DEL, C1 controls; bidi embeddings, overrides, isolates
# and marks.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_LINE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    named = _NAMED.get(match.group(0))
    if named is not None:
        return named
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, one_line: bool = False) -> str:
    """``text`` with control and bidi characters written as visible escapes; with
    ``one_line`` line breaks and tabs too (a message is one line on stderr)."""
    pattern = _UNSAFE_LINE if one_line else _UNSAFE
    if pattern.search(text) is None:
        return text
    return pattern.sub(_escape, text)


def shown(text: str, *, one_line: bool = False) -> str:
    """What a terminal may show of ``text``: numbers masked, then controls made visible."""
    return visible(redact(text), one_line=one_line)
