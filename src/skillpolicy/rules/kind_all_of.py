"""all-of: one rule that says several things, each a kind with its params (and its own
``applies_when``), reported under the rule's id, clause and severity.

A document's sentence often checks two cells at once (“四类人员 … 参加就业技能培训或创业培训”);
``checks`` lists one kind per part, evaluated in order a column at a time over the batch. A
row stops at its first unreadable cell (the parts after it are not judged for that row), and
with ``first = true`` at its first finding. The rule is skipped when a part cannot run.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..domain.findings import Finding
from ..policy.conditions import Condition, rows_holding
from .kinds import Batch, Flags, Kind, kind, kind_class

PART_KEYS = ("kind", "applies_when")


@kind("all-of")
class AllOf(Kind):
    """Every part of ``checks`` holds for the row."""

    def setup(self) -> None:
        self.first = bool(self.params.get("first", False))
        self.parts: list[tuple[Kind, Condition | None]] = []
        for check in self.params["checks"]:
            params = {k: v for k, v in check.items() if k not in PART_KEYS}
            spec = self.spec.model_copy(
                update={"kind": check["kind"], "params": params, "applies_when": None}
            )
            part = kind_class(str(check["kind"]))(spec, self.context)
            when = check.get("applies_when")
            self.parts.append((part, Condition.model_validate(when) if when else None))

    def needs(self) -> tuple[str, ...]:
        return ()

    def columns(self) -> tuple[str, ...]:
        names = [c for part, _ in self.parts for c in part.columns()]
        names += [c for _, when in self.parts if when for c in when.targets]
        return tuple(dict.fromkeys(c for c in names if self.context.layout.has(c)))

    def skip_reason(self) -> str | None:
        for part, when in self.parts:
            reason = part.skip_reason()
            absent = [c for c in (when.targets if when else []) if not self.context.layout.has(c)]
            if reason is None and absent:
                reason = f"表中没有「{absent[0]}」列"
            if reason is not None:
                return reason
        return super().skip_reason()

    def flag(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        flags: Flags = {}
        stopped: set[int] = set()
        for part, when in self.parts:
            selected = [i for i in rows if i not in stopped] if stopped else rows
            if when:
                selected = rows_holding(when, batch.column, selected, part.condition_catalog)
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
            yield from part.finish()
