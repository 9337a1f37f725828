"""The ``share`` rule kind: per group, the share of rows (or of a column's sum) whose yes/no
answer is the counted one, against a bound in the document's words; one finding per group
that misses it, for the whole sheet (a 30% "原则上" share is a sheet-level warning)."""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Iterator, Sequence
from decimal import Decimal
from itertools import compress, repeat
from typing import Any

from ..domain.findings import Finding
from ..domain.values import ValueProblem, cell_text, fold, is_blank, parse_yes_no
from .base import CellProblem
from .kinds import _MISSED, BOUNDS, Batch, Flags, Kind, kind, percent_floor


def folded_text(raw: Any) -> str:
    """A cell's text folded (full-width, quotation marks, surrounding spaces) for comparing."""
    return fold(cell_text(raw))


@kind("share")
class Share(Kind):
    """``column`` answers 是/否 (or, with ``among``, holds one of those values); per ``group``
    (else the whole sheet) the rows answering ``counted`` (or their ``weight`` column summed)
    make a share of all the group's rows that must meet ``bound`` ``value``. Rows with a blank
    group, answer or weight (or a value not ``among``) are not counted; an unreadable answer or
    weight is a finding on that cell."""

    def setup(self) -> None:
        self.column = str(self.params["column"])
        self.group: str | None = self.params.get("group")
        self.weight: str | None = self.params.get("weight")
        counted = self.params.get("counted", "是")
        self.counted_text = "、".join(counted) if isinstance(counted, list) else str(counted)
        # with ``among`` the column holds text: rows with one of those values are the whole,
        # those with a ``counted`` value the part; without it, a yes/no answer
        self.among: set[str] | None = None
        if "among" in self.params:
            self.among = {fold(value) for value in self.params["among"]}
            self.counted: Any = {fold(value) for value in self.counted_text.split("、")}
        else:
            self.counted = parse_yes_no(self.counted_text)
        self.shown_at = str(self.params.get("at") or self.column)
        self.bound = str(self.params["bound"])
        self.meets = BOUNDS[self.bound]
        self.limit = Decimal(str(self.params["value"]))
        self.totals: dict[str, list[int]] = {}

    def needs(self) -> tuple[str, ...]:
        return tuple(c for c in (self.group, self.column, self.weight) if c)

    def _read(self, column: str, raw: Any) -> Any:
        memo = self.context.memo
        try:
            if column == self.column:
                if self.among is not None:
                    text = memo.judge("folded", raw, folded_text)
                    return (text in self.counted) if text in self.among else None
                return memo.yes_no(raw) == self.counted
            return memo.int(raw, minimum=1)
        except ValueProblem as problem:
            raise CellProblem(column, f"{column}{problem.message}") from None

    def _answer(self, raw: Any) -> Any:
        """An answer cell: None when blank (not counted), else whether it is counted, or the
        CellProblem of a cell that cannot be read."""
        if is_blank(raw):
            return None
        try:
            return self._read(self.column, raw)
        except CellProblem as broken:
            return broken

    def _weight(self, raw: Any) -> Any:
        """A weight cell: None when blank (the row not counted), else its integer, or the
        CellProblem of a cell that cannot be read."""
        if is_blank(raw):
            return None
        try:
            return self._read(str(self.weight), raw)
        except CellProblem as broken:
            return broken

    def flag(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        memo = self.context.memo
        # each distinct answer and weight read once a run (the answers are this rule's own)
        answers = memo.each(self.how("answer"), batch.column(self.column), self._answer)
        weights = (
            memo.each(self.how("weight"), batch.column(self.weight), self._weight)
            if self.weight
            else None
        )
        groups = memo.each("folded", batch.column(self.group), folded_text) if self.group else None
        if (
            weights is None
            and rows == range(len(batch))
            and CellProblem not in set(map(type, answers))
        ):
            self._tally(answers, groups)  # every row, no problem: counted a column at a time
            return {}
        return self._flag_rows(answers, weights, groups, rows)

    def _tally(self, answers: list[Any], groups: list[str] | None) -> None:
        """Each answered row of a group (or of the sheet) counted, the counted ones apart,
        at C speed: what :meth:`_flag_rows` counts when no row has a weight or a problem."""
        if groups is None:
            groups = [""] * len(answers)
        answered = Counter(compress(groups, map(operator.is_not, answers, repeat(None))))
        counted = Counter(compress(groups, map(operator.is_, answers, repeat(True))))
        totals = self.totals
        for group, total in answered.items():
            if not group and self.group:
                continue  # a blank group: not counted
            counts = totals.get(group)
            if counts is None:
                counts = totals[group] = [0, 0]
            counts[0] += total
            counts[1] += counted[group]

    def _flag_rows(
        self,
        answers: list[Any],
        weights: list[Any] | None,
        groups: list[str] | None,
        rows: Sequence[int] | range,
    ) -> Flags:
        """:meth:`flag` a row at a time: each row's weight, the rows with a problem flagged."""
        totals = self.totals
        flags: Flags = {}
        for i in rows:
            answer = answers[i]
            if answer.__class__ is CellProblem:
                flags[i] = ([], answer)
                continue
            weight = 1
            if weights is not None:
                weight = weights[i]
                if weight is None:
                    continue
                if weight.__class__ is CellProblem:
                    flags[i] = ([], weight)
                    continue
            group = groups[i] if groups is not None else ""
            if answer is None or (groups is not None and not group):
                continue
            counts = totals.get(group)
            if counts is None:
                counts = totals[group] = [0, 0]
            counts[0] += weight
            if answer:
                counts[1] += weight
        return flags

    def finish(self) -> Iterator[Finding]:
        for group, (total, count) in sorted(self.totals.items()):
            share = Decimal(count) / Decimal(total)
            if self.meets(share, self.limit):
                continue
            yield self.finding(
                None,
                self.shown_at,
                self.template(
                    "missed",
                    "{group}：{column}为“{counted}”的{count}，占{share}（共{total}），"
                    "{missed}{bound}；{summary}",
                    group=group or "全表",
                    column=self.column,
                    counted=self.counted_text,
                    count=count,
                    total=total,
                    share=percent_floor(share),
                    missed=_MISSED[self.bound],
                    bound=percent_floor(self.limit),
                ),
            )
