"""What a subsidy run computes once per distinct value of the cells that decide it.

A roster of 100,000 rows repeats its training types, dates, institutions and levels: a part
of a line, an amount or a condition that only a few cells of the row decide is computed for
the first row with those values and looked up for the others. Cells are told apart by type
as well as value (``1``, ``1.0``, ``True`` and ``"1"`` read differently); a cell of a type
whose equal values may read differently (a Decimal, where ``1.0`` equals ``1.00``; a float
zero, where ``-0.0`` equals ``0.0``) is never looked up, its answer computed afresh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from ..rules import RowView

__all__ = ["ANSWERS_KEPT", "ByCells", "Reader", "cells_key"]

_MISSING: Any = object()
_KEPT_TYPES = frozenset([str, type(None), bool, int, float, dt.date, dt.datetime, dt.time])
_OWN_KEY = frozenset([str, type(None), dt.date, dt.datetime, dt.time])  # no other type equals
ANSWERS_KEPT = 1 << 16  # answers kept per table before they are all forgotten


def cells_key(cells: dict[str, Any], columns: Iterable[str]) -> tuple[Any, ...] | None:
    """The look-up key of a row's ``columns``, or None when a cell cannot be looked up."""
    key = []
    for column in columns:
        raw = cells.get(column)
        cls = raw.__class__
        if cls not in _KEPT_TYPES or (cls is float and not raw):
            return None
        key.append(raw if cls in _OWN_KEY else (cls, raw))
    return tuple(key)


Reader = tuple[str | None, Callable[[RowView], Any]]  # (the deciding column, or None: no look-up)


class ByCells:
    """Several values, each ``compute(view)`` of a reader whose value one cell of the row
    (its column) alone decides, computed once per distinct value of that cell (at most
    :data:`ANSWERS_KEPT` kept at once), all read in one pass over the row: ``read(view)``
    lists them in the order of ``readers``. A reader whose column is None is computed on
    every row."""

    __slots__ = ("readers",)

    def __init__(self, readers: Iterable[Reader]) -> None:
        self.readers: list[tuple[str | None, Callable[[RowView], Any], dict[Any, Any]]] = [
            (column, compute, {}) for column, compute in readers
        ]

    def __call__(self, view: RowView) -> list[Any]:
        cells = view.row.cells
        values: list[Any] = []
        append = values.append
        for column, compute, answers in self.readers:
            if column is None:
                append(compute(view))
                continue
            raw = cells.get(column)
            cls = raw.__class__
            if cls in _OWN_KEY:
                key = raw
            elif cls in _KEPT_TYPES and (raw or cls is not float):
                key = (cls, raw)
            else:
                append(compute(view))
                continue
            found = answers.get(key, _MISSING)
            if found is _MISSING:
                if len(answers) >= ANSWERS_KEPT:
                    answers.clear()
                found = answers[key] = compute(view)
            append(found)
        return values
