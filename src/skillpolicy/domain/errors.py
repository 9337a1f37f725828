"""Domain exceptions: each names what went wrong and where, so the CLI can print one line."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from .privacy import redact


class SkillpolicyError(Exception):
    """Input that cannot be used (exit code 2).

    ``message`` is Chinese for the clerk; the location fields are joined in front of it so the
    printed line says which file, sheet, row, column or key is at fault. A message may quote a
    cell: identity, phone and account numbers in it are masked here
    (:func:`skillpolicy.domain.privacy.redact`), so no caller can forget to.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.sheet = sheet
        self.row = row
        self.column = column
        self.line = line
        self.key = key

    def where(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.sheet is not None:
            parts.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.line is not None:
            parts.append(f"第{self.line}行")
        if self.column is not None:
            parts.append(f"「{self.column}」列")
        if self.key is not None:
            parts.append(f"键 {self.key}")
        return "，".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return redact(f"{where}：{self.message}") if where else self.message

    def located(self, **where: object) -> SkillpolicyError:
        """Fill in location fields that are still unknown (callers higher up know the file)."""
        for name, value in where.items():
            if getattr(self, name, None) is None and value is not None:
                setattr(self, name, str(value) if name == "file" else value)
        return self


class InputError(SkillpolicyError):
    """The clerk's workbook or data file cannot be read as the command needs it."""


class CatalogError(SkillpolicyError):
    """A program, catalog or calendar data file is broken."""


class ParameterError(SkillpolicyError):
    """A local parameter is missing, unknown or malformed."""


def near_miss(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``word`` (a misspelt option, command or id), if one is close."""
    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``；是否要用 X？`` naming the near miss of ``word``, or nothing when none is close."""
    guess = near_miss(word, candidates)
    return f"；是否要用 {guess}？" if guess else ""
