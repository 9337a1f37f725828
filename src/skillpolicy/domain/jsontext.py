"""JSON text for the command line: every string masked, then encoded as
``json.dumps(value, ensure_ascii=False, indent=2)`` encodes it, character for character.

``indent`` turns off the standard library's C encoder, and walking a payout of 100,000
lines once to mask it and once more to encode it cost seconds. :func:`masked_json` does both
in one walk: a string is masked (:func:`~skillpolicy.domain.privacy.redact`) and encoded by
the C string encoder, an object or a list of plain values is laid out here, and anything else
(a float, an object with keys that are not text) is handed to :func:`json.dumps` itself.
Strings are masked before they are encoded: once encoded, a number after a line break in a
cell follows the letter of ``\\n`` and would escape the mask.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C encoder where the interpreter has it
from typing import Any

from .privacy import redact

__all__ = ["masked", "masked_json", "masked_string"]

_INDENT = "  "


def masked(value: Any) -> Any:
    """Every string of a JSON payload masked (dictionary keys are left as they are)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [masked(item) for item in value]
    return value


def masked_json(value: Any, level: int = 0) -> str:
    """``json.dumps(masked(value), ensure_ascii=False, indent=2)``, made in one walk; with
    ``level``, the text of ``value`` standing that deep in a document (its lines indented as
    the encoder indents them there, its first line not)."""
    chunks: list[str] = []
    _Writer(chunks).encode(value, level)
    return "".join(chunks)


def masked_string(text: str) -> str:
    """A string masked and encoded as :func:`masked_json` encodes it."""
    return encode_basestring(redact(text))


def _scalar(value: Any) -> str | None:
    """A string, null, boolean or integer as the JSON encoder writes it; None for others."""
    if isinstance(value, str):
        return encode_basestring(redact(value))
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    return None


class _Writer:
    """One document's text: what comes before each member (the separator, the indentation
    and the encoded key) is made once per key and depth."""

    def __init__(self, chunks: list[str]) -> None:
        self.chunks = chunks
        self.prefixes: dict[int, dict[str, str]] = {}

    def encode(self, value: Any, level: int) -> None:
        chunks = self.chunks
        text = _scalar(value)
        if text is not None:
            chunks.append(text)
        elif isinstance(value, list | tuple):
            self.array(value, level)
        elif isinstance(value, dict) and value:
            self.object(value, level)
        elif isinstance(value, dict):
            chunks.append("{}")
        else:
            self.as_the_encoder_writes(value, level)

    def as_the_encoder_writes(self, value: Any, level: int) -> None:
        """``value`` as :func:`json.dumps` writes it, indented to where it stands (a line
        break in JSON text is always layout: one inside a string is written \\n)."""
        text = json.dumps(masked(value), ensure_ascii=False, indent=2)
        self.chunks.append(text.replace("\n", "\n" + _INDENT * level) if level else text)

    def member(self, lead: str, item: Any, level: int) -> None:
        """An array item or an object member after ``lead`` (its separator, indentation and
        key): a plain value on the same chunk, a nested one encoded one level deeper."""
        found = _scalar(item)
        if found is None:
            self.chunks.append(lead)
            self.encode(item, level + 1)
        else:
            self.chunks.append(lead + found)

    def array(self, value: list[Any] | tuple[Any, ...], level: int) -> None:
        chunks = self.chunks
        if not value:
            chunks.append("[]")
            return
        inner = "\n" + _INDENT * (level + 1)
        separator = "[" + inner
        for item in value:
            self.member(separator, item, level)
            separator = "," + inner
        chunks.append("\n" + _INDENT * level + "]")

    def object(self, value: dict[Any, Any], level: int) -> None:
        chunks = self.chunks
        mark = len(chunks)
        prefixes = self.prefixes.get(level)
        if prefixes is None:
            prefixes = self.prefixes[level] = {}
        first = True
        for key, item in value.items():
            prefix = prefixes.get(key) if key.__class__ is str else None
            if prefix is None:
                if key.__class__ is not str:  # a key the encoder converts: as it writes it
                    del chunks[mark:]
                    self.as_the_encoder_writes(value, level)
                    return
                inner = "\n" + _INDENT * (level + 1)
                prefix = prefixes[key] = "," + inner + encode_basestring(key) + ": "
            if first:
                prefix = "{" + prefix[1:]
                first = False
            cls = item.__class__
            if cls is str:
                chunks.append(prefix + encode_basestring(redact(item)))
            elif item is None:
                chunks.append(prefix + "null")
            elif cls is int:
                chunks.append(prefix + int.__repr__(item))
            else:
                self.member(prefix, item, level)
        chunks.append("\n" + _INDENT * level + "}")
