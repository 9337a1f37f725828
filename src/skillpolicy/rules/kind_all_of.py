"""all-of: one rule that says several things, each a kind with its params (and its own
``applies_when``), reported under the rule's id, clause and severity.

A document's sentence often checks two cells at once (“四类人员 … 参加就业技能培训或创业培训”);
``checks`` lists one kind per part, evaluated in order a column at a time over the batch. A
row stops at its first unreadable cell (the parts after it are not judged for that row), and
with ``first = true`` at its first finding. The rule is skipped when a part cannot run,
unless the part says what to do when the sheet lacks its columns: ``absent = "blank"`` (the
part runs, each absent cell read as blank) or ``absent = "skip"`` (the part is left out).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import filterfalse

from ..domain.findings import Finding
from ..policy.conditions import Condition, rows_holding
from .base import missing_columns_reason
from .kinds import Batch, Flags, Kind, kind, kind_class

PART_KEYS = ("kind", "applies_when", "absent")


@kind("all-of")
class AllOf(Kind):
    """Every part of ``checks`` holds for the row."""

    def setup(self) -> None:
        self.first = bool(self.params.get("first", False))
        self.parts: list[tuple[Kind, Condition | None]] = []
        # parts whose absent columns read as blank: their missing columns do not skip the rule
        self.absent_blank: set[int] = set()
        self.left_out: list[str] = []  # the absent columns of the parts left out
        has = self.context.layout.has
        for check in self.params["checks"]:
            params = {k: v for k, v in check.items() if k not in PART_KEYS}
            spec = self.spec.model_copy(
                update={"kind": check["kind"], "params": params, "applies_when": None}
            )
            part = kind_class(str(check["kind"]))(spec, self.context)
            when = check.get("applies_when")
            absent = check.get("absent")
            if absent is not None and not all(has(c) for c in _reads(part, params)):
                if absent == "skip":
                    self.left_out += [c for c in _reads(part, params) if not has(c)]
                    continue
                self.absent_blank.add(id(part))
            self.parts.append((part, Condition.model_validate(when) if when else None))

    def needs(self) -> tuple[str, ...]:
        return ()

    def columns(self) -> tuple[str, ...]:
        names = [c for part, _ in self.parts for c in part.columns()]
        names += [c for _, when in self.parts if when for c in when.targets]
        return tuple(dict.fromkeys(c for c in names if self.context.layout.has(c)))

    def skip_reason(self) -> str | None:
        has = self.context.layout.has
        if not self.parts:  # every part left out: nothing to check
            return missing_columns_reason(self.context.layout, list(dict.fromkeys(self.left_out)))
        for part, when in self.parts:
            reason = None if id(part) in self.absent_blank else part.skip_reason()
            absent = when.missing(has) if when else []
            if reason is None and absent:
                reason = f"表中没有「{absent[0]}」列"
            if reason is not None:
                return reason
        return super().skip_reason()

    def flag(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        flags: Flags = {}
        stopped: set[int] = set()
        for part, when in self.parts:
            selected = list(filterfalse(stopped.__contains__, rows)) if stopped else rows
            if when:
                selected = rows_holding(
                    when, batch.column, selected, part.condition_catalog, part.condition_verdicts
                )
            for i, (found, broken) in part.flag_on_dates(batch, selected).items():
                earlier, _ = flags.get(i, ([], None))
                flags[i] = ([*earlier, *found], broken)
                if broken is not None or (self.first and found):
                    stopped.add(i)
        return flags

    def finish(self) -> Iterator[Finding]:
        """A part that judges across rows (share, quota, not-listed, …) answers once the whole
        sheet has been seen."""
        for part, _ in self.parts:
            yield from part.late()


def _reads(part: Kind, params: dict[str, object]) -> list[str]:
    """The columns a part needs, and those its params name (a ``filled`` part needs none)."""
    named = [params["column"]] if isinstance(params.get("column"), str) else []
    listed = params.get("columns")
    named += [c for c in listed if isinstance(c, str)] if isinstance(listed, list) else []
    return [*part.needs(), *(str(c) for c in named)]
