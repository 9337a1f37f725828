"""One condition model: a test on a row's cells, for rules (``applies_when``) and for money
(``when`` of a refusal, a pending note, a factor or a payee).

A condition names a column (or several, each of which must meet it) and exactly one test:
``in``, ``not_in``, ``contains``, ``yes``, ``blank`` / ``filled`` or ``in_catalog``; or it
is ``any``, a list of conditions of which one must hold. A cell of a column the sheet does
not have reads as blank. :func:`rows_holding` evaluates a
condition a column at a time (each distinct cell value judged once); :func:`holds` on one row.
This module sits low: rules, money and the program model all import it, it imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from itertools import compress
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..domain.values import ValueProblem, cell_text, fold, is_blank, parse_yes_no, per_distinct
from ..io.datafile import KeyedError

__all__ = ["Condition", "holds", "rows_holding"]

# the catalog a local parameter (``in_catalog``) names, as a set of occupation names
CatalogOf = Callable[[str], Container[str]]


class Condition(BaseModel):
    """A test on one row's cells; with ``columns`` it must hold for every one of them.

    Or ``any``: several conditions, of which at least one holds (no column and no test of
    its own).

    Exactly one test: ``in`` (the value is one of), ``not_in`` (none of; blank counts),
    ``contains``, ``yes`` (a 是/否 cell is 是: true, or is not: false), ``blank`` (true: empty
    or no such column) or its opposite ``filled``, or ``in_catalog`` (the value is an
    occupation of the catalog a local parameter names)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    column: str | None = Field(None, description="所判断的列")
    columns: list[str] = Field(default_factory=list, description="所判断的几列（每一列都须满足）")
    is_in: list[str] | None = Field(None, alias="in", description="取值为其中之一")
    not_in: list[str] | None = Field(None, description="取值不是其中任何一个（未填也算）")
    contains: str | None = Field(None, description="取值含有这段文字")
    yes: bool | None = Field(None, description="true：填“是”；false：不是“是”（含未填）")
    blank: bool | None = Field(None, description="true：未填或没有这一列；false：已填")
    filled: bool | None = Field(None, description="true：已填；false：未填（即 blank 的反面）")
    in_catalog: str | None = Field(
        None, description="取值在这个本地参数（catalog 类）所指的职业目录中"
    )
    # Optional[...] (not "X | None"): a forward reference to the class itself
    any_of: Optional[list[Condition]] = Field(  # noqa: UP045
        None,
        alias="any",
        min_length=2,
        description="其中任一条件成立即可（每项是一个完整的条件；写了它就不写 column 和判断）",
    )

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        tests = [
            self.is_in,
            self.not_in,
            self.contains,
            self.yes,
            self.blank,
            self.filled,
            self.in_catalog,
        ]
        if self.any_of is not None:
            written = [self.column, self.columns or None, *tests]
            if any(value is not None for value in written):
                raise KeyedError("写了 any 就不再写 column、columns 和判断", ("any",))
            return self
        if bool(self.column) == bool(self.columns):
            raise KeyedError("须写 column 或 columns 二者之一", ("column",))
        if sum(test is not None for test in tests) != 1:
            raise KeyedError(
                "须写且只写一种判断：in、not_in、contains、yes、blank（或 filled）、in_catalog",
                ("column" if self.column else "columns",),
            )
        return self

    @property
    def targets(self) -> list[str]:
        """The columns the condition reads."""
        if self.any_of is not None:
            return list(dict.fromkeys(c for part in self.any_of for c in part.targets))
        return [self.column] if self.column else list(self.columns)

    def leaves(self) -> list[Condition]:
        """The simple conditions this one is made of (itself, or the parts of ``any``)."""
        if self.any_of is not None:
            return [leaf for part in self.any_of for leaf in part.leaves()]
        return [self]

    def missing(self, has: Callable[[str], bool]) -> list[str]:
        """The columns, absent from the sheet, that keep the condition from being judged
        (``has`` says whether the sheet has a column): any absent column of a simple
        condition; for ``any``, its absent columns only when no part can be judged."""
        if self.any_of is not None:
            lacking = [part.missing(has) for part in self.any_of]
            if all(lacking):
                return list(dict.fromkeys(c for part in lacking for c in part))
            return []
        return [c for c in self.targets if not has(c)]

    def as_dict(self) -> dict[str, Any]:
        """The condition as written in the file (for explanations)."""
        return self.model_dump(by_alias=True, exclude_none=True, exclude_defaults=True)

    def judge(self, raw: Any, catalog_of: CatalogOf | None = None) -> bool:
        """Whether one cell meets the test (a cell of a column the sheet lacks is None).

        Raises ValueProblem for a ``yes`` test on a cell that is neither 是 nor 否."""
        present = not is_blank(raw)
        if self.blank is not None:
            return self.blank != present
        if self.filled is not None:
            return self.filled == present
        if self.yes is not None:
            said_yes = present and parse_yes_no(raw) is True
            return said_yes == self.yes
        if self.not_in is not None:
            return not present or cell_text(raw) not in _folded(self.not_in)
        if not present:
            return False
        text = cell_text(raw)
        if self.is_in is not None:
            return text in _folded(self.is_in)
        if self.contains is not None:
            return fold(self.contains) in text
        if catalog_of is None:
            raise KeyError(f"in_catalog {self.in_catalog} needs a catalog")
        return text in catalog_of(str(self.in_catalog))


_FOLDED: dict[tuple[str, ...], frozenset[str]] = {}


def _folded(values: list[str]) -> frozenset[str]:
    key = tuple(values)
    found = _FOLDED.get(key)
    if found is None:
        found = _FOLDED[key] = frozenset(fold(v) for v in values)
    return found


def holds(
    condition: Condition, cell: Callable[[str], Any], catalog_of: CatalogOf | None = None
) -> bool:
    """Whether ``condition`` holds on one row whose cells ``cell(column)`` gives (raw values;
    None for a column the sheet lacks). Raises ValueProblem as :meth:`Condition.judge`."""
    if condition.any_of is not None:
        return any(holds(part, cell, catalog_of) for part in condition.any_of)
    return all(condition.judge(cell(column), catalog_of) for column in condition.targets)


# how a column's verdicts are found: given a name for the test (one for each column of each
# part of a condition), the column's cells and the judgement of one cell, a verdict a cell
Verdicts = Callable[[str, Sequence[Any], Callable[[Any], bool]], list[bool]]


def rows_holding(
    condition: Condition,
    column: Callable[[str], Sequence[Any]],
    rows: Sequence[int] | range,
    catalog_of: CatalogOf | None = None,
    verdicts: Verdicts | None = None,
) -> list[int]:
    """Those of ``rows`` (indexes into the columns ``column(name)`` gives) on which
    ``condition`` holds, each distinct cell value judged once; an unreadable 是/否 cell does
    not meet a ``yes`` test. A column at a time: its verdicts looked up and the rows kept
    picked at C speed. ``verdicts``, when given, finds a column's verdicts (a rule's run
    remembers them from one batch to the next); else each batch judges its distinct cells."""
    if condition.any_of is not None:
        held: set[int] = set()
        for place, part in enumerate(condition.any_of):
            left = [i for i in rows if i not in held]
            inner = None if verdicts is None else _named(verdicts, f"{place}/")
            held.update(rows_holding(part, column, left, catalog_of, inner))
        return [i for i in rows if i in held]
    kept: Sequence[int] | range = rows
    for name in condition.targets:
        if not kept:
            break
        values = column(name)
        judge = _judge(condition, catalog_of)
        verdict = per_distinct(values, judge) if verdicts is None else verdicts(name, values, judge)
        if isinstance(kept, range) and kept == range(len(values)):
            kept = list(compress(kept, verdict))
        else:
            kept = list(compress(kept, map(verdict.__getitem__, kept)))
    return list(kept)


def _judge(condition: Condition, catalog_of: CatalogOf | None) -> Callable[[Any], bool]:
    """Whether a cell meets ``condition``'s test (an unreadable one does not)."""

    def judge(raw: Any) -> bool:
        try:
            return condition.judge(raw, catalog_of)
        except ValueProblem:
            return False

    return judge


def _named(verdicts: Verdicts, prefix: str) -> Verdicts:
    """``verdicts`` with each test's name put after ``prefix`` (a part of an ``any``)."""

    def named(name: str, values: Sequence[Any], judge: Callable[[Any], bool]) -> list[bool]:
        return verdicts(prefix + name, values, judge)

    return named
