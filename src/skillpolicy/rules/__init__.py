"""One small class per rule id; importing this package registers them all."""

from __future__ import annotations

from . import (  # noqa: F401  (registration)
    columntype,
    common,
    inforce,
    people,
    sheetwide,
    training,
    units,
    xuchang,
)
from .base import CellProblem, Context, RowView, Rule, registered_ids, rule_class


def known_rule_ids() -> frozenset[str]:
    return registered_ids()


__all__ = ["CellProblem", "Context", "RowView", "Rule", "known_rule_ids", "rule_class"]
