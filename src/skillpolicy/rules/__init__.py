"""One small class per rule id; importing this package registers them all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import (  # noqa: F401  (registration)
    columntype,
    common,
    inforce,
    kind_all_of,
    kind_count,
    kind_duplicate,
    kind_duration,
    kind_filled,
    kind_group,
    kind_ledger,
    kind_level_step,
    kind_not_listed,
    kind_quota,
    kind_share,
    kind_sum,
    kind_tenure,
    kind_valid,
    kinds,
    people,
    sheetwide,
    training,
    units,
    xuchang,
)
from .base import CellProblem, Context, RowView, Rule, registered_ids, rule_class
from .kinds import FUNCTION, Batch, Kind, kind_class, known_kinds

if TYPE_CHECKING:
    from ..policy.programs import RuleSpec


def known_rule_ids() -> frozenset[str]:
    return registered_ids()


def make_rule(spec: RuleSpec, context: Context) -> Rule:
    """The rule an entry names: its kind with its params, or the registered function."""
    if spec.kind == FUNCTION:
        return rule_class(spec.function or spec.id)(spec, context)
    return kind_class(spec.kind)(spec, context)


__all__ = [
    "FUNCTION",
    "Batch",
    "CellProblem",
    "Context",
    "Kind",
    "RowView",
    "Rule",
    "kind_class",
    "known_kinds",
    "known_rule_ids",
    "make_rule",
    "rule_class",
]
