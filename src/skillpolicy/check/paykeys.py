"""Ledger keys: what exactly a line pays for, so the same thing is never paid twice."""

from __future__ import annotations

from ..policy.programs import Program
from ..rules.base import RowView
from ..rules.keys import YEAR_OF_START, key_part, subject_of

__all__ = ["YEAR_OF_START", "key_part", "line_key", "subject_of"]


def line_key(program: Program, view: RowView, tranche: int | None = None) -> str:
    spec = program.subsidy_for(view.context.layout.kind)
    assert spec is not None, "line_key on a sheet kind that pays nothing"
    parts = [program.id, *(key_part(view, column) for column in spec.key)]
    if tranche is not None:
        parts.append(f"第{tranche}笔")
    return "|".join(parts)
