"""Personal numbers kept out of terminal lines, JSON, logs and exception messages.

:func:`redact` masks, in free text, what looks like a resident identity number, a mobile
phone number, or a bank card/account number, the same way the tables mask the
identity column (:func:`~skillpolicy.identifiers.mask_id`):

- a run of 15 or more digits (18-character identity numbers, 15-digit legacy ones, 16–19
  digit bank cards and accounts, certificate numbers), spaces between digit groups allowed,
  with a trailing ``X``: first 4 and last 4 kept, ``1101**********123X`` (``6222 **** ****
  7890`` when written in groups);
- an 11-digit mobile number (``+86``/``0086``/``86`` prefix, ``-``/space groups allowed):
  ``138****5678``.

Landlines are left alone: on these forms they are units' office numbers, and the tool's own
hints quote one (``0771-5870650``).

An 18-character unified social credit code (a unit's public registration number) is left as
it is, unless its middle reads as a birth date the way an identity number's does. Digit runs
next to ASCII letters (hashes, ids with letters) are left alone.

Free text is all this module knows; the masking of a known identity column stays with the
code that knows the column. :class:`RedactingStream` applies :func:`redact` to everything
written to a text stream, which is how the command line guarantees its output carries no
unmasked number whatever path produced it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import IO, Any

from .identifiers import check_credit_code

__all__ = ["RedactingStream", "redact", "redact_strictly"]

_MOBILE_HEAD = 3
_MOBILE_TAIL = 4
_LONG_KEEP = 4

# Digits are Unicode decimals (\d): a full-width ID is as personal as an ASCII one.
_PATTERN = re.compile(
    r"""
    (?P<code>(?<![0-9A-Za-z])[0-9A-Z]{18}(?![0-9A-Za-z]))
    | (?P<long>(?<![\dA-Za-z])\d(?:[ \u3000]?\d){14,}(?:[ \u3000]?[Xx])?(?![\dA-Za-z]))
    | (?P<mobile>(?<![\dA-Za-z+])(?:(?:\+|00)?86[ \-]?)?1[3-9]\d(?:[ \-]?\d{4}){2}(?![\dA-Za-z]))
    """,
    re.VERBOSE,
)
# Cheap test first: text without 7 digits in a row (one space or dash allowed between any
# two) has nothing to mask; in long text only the lines holding such a run are looked at.
_MAYBE = re.compile(r"\d(?:[ \u3000\-]?\d){6}")
_SHORT = 4096
_STRICT_RUN = re.compile(r"\d{6,}")


def _looks_like_birth(text: str) -> bool:
    """Characters 7–14 of an 18-character number read as a date from 1900 to 2099."""
    try:
        born = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2099


def _keep_ends(digits: str, keep: int) -> str:
    if len(digits) <= 2 * keep:
        return "*" * len(digits)
    return digits[:keep] + "*" * (len(digits) - 2 * keep) + digits[-keep:]


def _mask_digits_only(text: str, head: int, tail: int) -> str:
    """Star the digits (and a check ``X``) of ``text`` except the first ``head`` and last
    ``tail``; spaces and dashes stay, so a table cell keeps its width."""
    positions = [i for i, ch in enumerate(text) if ch.isdigit() or ch in "Xx"]
    hidden = set(positions[head : len(positions) - tail])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(text))


def _replace(match: re.Match[str]) -> str:
    found = match.group(0)
    kind = match.lastgroup
    if kind == "code":
        digits = sum(ch.isdigit() for ch in found)
        if digits < 15:
            return found  # mostly letters: a code, not a personal number
        birth_like = found[:14].isdigit() and _looks_like_birth(found)
        if not birth_like and check_credit_code(found).ok:
            return found  # a unit's credit code is public
        return _keep_ends(found, _LONG_KEEP)
    if kind == "long":
        return _mask_digits_only(found, _LONG_KEEP, _LONG_KEEP)
    # a mobile number, maybe with its country code: the last 11 digits are the number
    digits = sum(ch.isdigit() for ch in found)
    return _mask_digits_only(found, digits - 11 + _MOBILE_HEAD, _MOBILE_TAIL)


def redact(text: str) -> str:
    """``text`` with identity, phone and account numbers masked (see the module docstring)."""
    found = _MAYBE.search(text)
    if found is None:
        return text
    if len(text) <= _SHORT:
        return _PATTERN.sub(_replace, text)
    # A large JSON document or table: mask line by line where a candidate is (a number never
    # spans a line break), instead of running the full pattern over megabytes.
    parts: list[str] = []
    done = 0
    while found is not None:
        start = max(text.rfind("\n", 0, found.start()) + 1, done)
        end = text.find("\n", found.end())
        end = len(text) if end < 0 else end
        parts.append(text[done:start])
        parts.append(_PATTERN.sub(_replace, text[start:end]))
        done = end
        found = _MAYBE.search(text, end)
    parts.append(text[done:])
    return "".join(parts)


def redact_strictly(text: str) -> str:
    """:func:`redact`, then every remaining run of 6 or more digits starred but its first 2
    and last 2: for messages nobody wrote for the clerk (an internal error may quote a
    fragment of a cell)."""
    return _STRICT_RUN.sub(lambda m: _keep_ends(m.group(0), 2), redact(text))


class RedactingStream:
    """A text stream that passes everything written through :func:`redact`.

    Wraps ``sys.stdout``/``sys.stderr`` for the command line; every other attribute (isatty,
    fileno, encoding, buffer) is the wrapped stream's, so consoles behave as before.
    """

    def __init__(self, inner: IO[str]) -> None:
        self._inner = inner

    @property
    def inner(self) -> IO[str]:
        return self._inner

    def write(self, text: str) -> int:
        self._inner.write(redact(text))
        return len(text)  # what the caller handed over, as TextIOBase.write promises

    def writelines(self, lines: list[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._inner.flush()

    def isatty(self) -> bool:
        return self._inner.isatty()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
