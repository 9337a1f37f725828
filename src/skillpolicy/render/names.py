"""File names made from data (a unit's name, a payee) that every OS accepts.

Windows forbids ``\\ / : * ? " < > |`` and control characters, ignores trailing dots and
spaces, and reserves CON, PRN, AUX, NUL, COM1–9 and LPT1–9 with any extension; most file
systems cap a name at 255 bytes (UTF-8) or 255 UTF-16 units; Windows and macOS compare names
without case. A name made here has none of these problems and is unique in its batch.
"""

from __future__ import annotations

import re
import unicodedata

_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"COM{i}" for i in "0123456789¹²³"}
    | {f"LPT{i}" for i in "0123456789¹²³"}
)
# bytes of UTF-8 for the stem: leaves room for "-9999", the extension and a temp-file prefix
MAX_STEM_BYTES = 180
FALLBACK = "未命名"


def _cut(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore")


def safe_stem(text: str) -> str:
    """``text`` as a file-name stem: forbidden characters become ``_``, ends trimmed."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(
        "_" if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") else char for char in text
    )
    text = _FORBIDDEN.sub("_", text)
    text = re.sub(r"\.{2,}", "_", text)  # no ".." anywhere
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"_{2,}", "_", text)
    text = _cut(text.strip(" ._"), MAX_STEM_BYTES).rstrip(" .")
    if not text:
        return FALLBACK
    if text.split(".", 1)[0].rstrip(" ").upper() in _RESERVED:
        text = f"_{text}"
    return text


def unique_file_name(text: str, suffix: str, taken: set[str]) -> str:
    """A safe ``stem + suffix`` not yet in ``taken`` (compared without case); records it."""
    stem = safe_stem(text)
    name = f"{stem}{suffix}"
    number = 2
    while name.casefold() in taken:
        name = f"{stem}-{number}{suffix}"
        number += 1
    taken.add(name.casefold())
    return name
