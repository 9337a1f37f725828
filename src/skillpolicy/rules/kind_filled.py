"""filled: a cell that must be filled (``filled = true``, the default) or left empty
(``filled = false``), usually only when ``applies_when`` holds (“合格的须填证书编号”,
“未授牌的不应有验收结果”). A sheet without the column is every row blank: a required cell
is then missing on each row it applies to, never passed in silence."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from itertools import compress
from typing import Any

from ..domain.values import cell_text
from .kinds import Batch, Flags, Kind, kind


@kind("filled")
class Filled(Kind):
    """``column`` is filled (or, with ``filled = false``, empty) on every row checked."""

    def setup(self) -> None:
        self.column = str(self.params["column"])
        self.filled = bool(self.params.get("filled", True))

    def needs(self) -> tuple[str, ...]:
        return ()

    def columns(self) -> tuple[str, ...]:
        return self.present(self.column)

    def flag(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        present = self.context.layout.has(self.column)
        if not present and not self.filled:
            return {}
        values: list[Any] = batch.column(self.column) if present else [None] * len(batch)
        flags: Flags = {}
        said: dict[Any, str] = {}
        blanks = self.context.memo.blanks(values)
        wanted = self.filled  # a blank cell is the finding when it must be filled
        if wanted not in blanks:  # no cell of the batch is a finding (found at C speed)
            return flags
        # the cells that are a finding, found at C speed, those of ``rows`` kept
        found: Iterable[int] = compress(
            range(len(blanks)), blanks if wanted else map(operator.not_, blanks)
        )
        if rows != range(len(blanks)):
            chosen = rows if isinstance(rows, range) else set(rows)
            found = (i for i in found if i in chosen)
        for i in found:
            raw = values[i]
            key = (raw.__class__, raw)
            message = said.get(key)
            if message is None:
                message = said[key] = (
                    self.template("blank", "{column}为空；请填写", column=self.column)
                    if self.filled
                    else self.template(
                        "filled",
                        "{column}不应填写（现为「{value}」）；{summary}",
                        column=self.column,
                        value=cell_text(raw),
                    )
                )
            flags[i] = ([self.at(batch, i, self.column, message)], None)
        return flags
