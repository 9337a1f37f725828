"""Personal numbers kept out of terminal lines, JSON, logs and exception messages.

:func:`redact` masks, in free text, what looks like a resident identity number, a mobile
phone number, or a bank card/account number, the same way the tables mask the
identity column (:func:`~skillpolicy.domain.identifiers.mask_id`):

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
    | (?P<grouped>(?<![\d.\-])\d+(?P<sep>[.\-_/])\d+(?:(?P=sep)\d+)+(?![\d]))
    | (?P<glued>(?<=[A-Za-z])\d{11,}[Xx]?(?!\d)|(?<!\d)\d{11,}[Xx]?(?=[A-Za-z]))
    """,
    re.VERBOSE,
)
# Zero-width characters between two digits are dropped before looking (the identity rule
# strips them too, so a number split by one is the same number).
_ZERO_WIDTH = re.compile(r"(?<=\d)[\u200b-\u200d\u2060\ufeff]+(?=\d)")
# The alphanumeric token a glued number sits in: a long hexadecimal hash is left alone.
_TOKEN = re.compile(r"[0-9A-Za-z]+")
_HASH = re.compile(r"[0-9a-fA-F]{32,}")
# Cheap test first: text without 7 digits in a row (one space or dash allowed between any
# two) has nothing to mask; in long text only the lines holding such a run are looked at.
_MAYBE = re.compile(r"\d(?:[ \u3000\-._/\u200b-\u200d\u2060\ufeff]?\d){6}")
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


def _grouped(found: str) -> str:
    """Digits written in groups with dots, dashes, underscores or slashes: a mobile number
    (11 digits, ``1[3-9]…``) or a long number (15 or more) is masked; dates are not."""
    digits = sum(ch.isdigit() for ch in found)
    if digits >= 15:
        return _mask_digits_only(found, _LONG_KEEP, _LONG_KEEP)
    plain = "".join(ch for ch in found if ch.isdigit())
    if digits == 11 and plain[0] == "1" and plain[1] in "3456789":
        return _mask_digits_only(found, _MOBILE_HEAD, _MOBILE_TAIL)
    return found


def _glued(match: re.Match[str]) -> str:
    """A number glued to Latin letters; the token it is part of may be a hash or a code."""
    found = match.group(0)
    text = match.string
    start, end = match.start(), match.end()
    while start > 0 and text[start - 1].isascii() and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isascii() and text[end].isalnum():
        end += 1
    token = text[start:end]
    if _HASH.fullmatch(token) or (len(token) == 18 and check_credit_code(token).ok):
        return found
    digits = sum(ch.isdigit() for ch in found)
    if digits >= 15:
        return _mask_digits_only(found, _LONG_KEEP, _LONG_KEEP)
    if digits == 11 and found[0] == "1" and found[1] in "3456789":
        return _mask_digits_only(found, _MOBILE_HEAD, _MOBILE_TAIL)
    return found


def _replace(match: re.Match[str]) -> str:
    found = match.group(0)
    kind = match.lastgroup
    if kind == "sep":  # the last group matched inside ``grouped``
        kind = "grouped"
    if kind == "grouped":
        return _grouped(found)
    if kind == "glued":
        return _glued(match)
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
    if (
        "\u200b" in text
        or "\u200c" in text
        or "\u200d" in text
        or "\u2060" in text
        or "\ufeff" in text
    ):
        text = _ZERO_WIDTH.sub("", text)
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
