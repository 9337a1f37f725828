"""The ``quota`` rule kind: at most N rows per group (or per sheet) take a place, ranked by a
score; the rows below the line are findings, and rows tied on the score that straddles the
line are held for review, never decided by the sheet's order (POLICIES.md "Quota ties")."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from ..domain.findings import Finding
from ..domain.values import ValueProblem, cell_text, fold, is_blank, parse_decimal, parse_yes_no
from .base import CellProblem
from .kinds import Batch, Flags, Kind, kind

_Entry = tuple[Decimal | None, int]  # a row's score (None: blank or unreadable) and number


@kind("quota")
class Quota(Kind):
    """Rows answering 是 in ``counted`` (every row without it), per ``group``, ranked by the
    ``rank`` column (``order`` highest or lowest first; no score last, then in sheet order): at
    most ``maximum`` take a place. Over the quota, one finding for the group, one on each row
    beyond the line, and a review on each row tied across it."""

    def setup(self) -> None:
        self.rank = str(self.params["rank"])
        self.highest = str(self.params.get("order", "highest")) == "highest"
        self.maximum = int(self.params["maximum"])
        self.counted: str | None = self.params.get("counted")
        self.group: list[str] = list(self.params.get("group", []))
        self.column = str(self.params.get("at") or self.counted or self.rank)
        self.entries: dict[tuple[str, ...], list[_Entry]] = {}

    def needs(self) -> tuple[str, ...]:
        return (self.counted or self.rank, *self.group)

    def columns(self) -> tuple[str, ...]:
        return (*self.needs(), *self.present(self.rank))

    def _score(self, raw: Any) -> Decimal | None:
        if is_blank(raw):
            return None
        try:
            return parse_decimal(raw)
        except ValueProblem:
            return None  # an unreadable score ranks last

    def flag(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        counted = batch.column(self.counted) if self.counted else None
        scores = batch.column(self.rank) if self.context.layout.has(self.rank) else None
        groups = [batch.column(name) for name in self.group]
        flags: Flags = {}
        for i in rows:
            if counted is not None:
                raw = counted[i]
                try:
                    if is_blank(raw) or not parse_yes_no(raw):
                        continue
                except ValueProblem as problem:
                    column = str(self.counted)
                    flags[i] = ([], CellProblem(column, f"{column}{problem.message}"))
                    continue
            key = tuple(fold(cell_text(values[i])) for values in groups)
            score = self._score(scores[i]) if scores is not None else None
            self.entries.setdefault(key, []).append((score, batch.numbers[i]))
        return flags

    def _order(self, entry: _Entry) -> tuple[bool, Decimal, int]:
        score, number = entry
        value = score if score is not None else Decimal(0)
        return (score is None, -value if self.highest else value, number)

    def finish(self) -> Iterator[Finding]:
        for key, entries in sorted(self.entries.items()):
            yield from self._over(key, entries)

    def _over(self, key: tuple[str, ...], entries: list[_Entry]) -> Iterator[Finding]:
        count, maximum = len(entries), self.maximum
        if count <= maximum:
            return
        group = "、".join(part for part in key if part)
        values = {"group": group, "count": count, "maximum": maximum}
        yield self.finding(
            None,
            self.column,
            self.template("over", "{group}共{count}个，超过上限{maximum}个；{summary}", **values),
        )
        ranked = sorted(entries, key=self._order)
        tied: list[_Entry] = []
        if maximum > 0 and ranked[maximum - 1][0] == ranked[maximum][0]:
            tied = [entry for entry in ranked if entry[0] == ranked[maximum][0]]
        if tied:
            first = ranked.index(tied[0]) + 1
            rows = "、".join(f"第{number}行" for _score, number in tied)
            for score, number in tied:
                name, default = (
                    (
                        "tied",
                        "{group}共{count}个，超过上限{maximum}个；本行{rank}{value}，与{rows}共{tied}行"
                        "并列第{place}名，名额只剩{left}个，待复核；{summary}",
                    )
                    if score is not None
                    else (
                        "tied_unranked",
                        "{group}共{count}个，超过上限{maximum}个；本行没有"
                        "{rank}，与{rows}共{tied}行并列第{place}名，名额只剩{left}个，待复核；{summary}",
                    )
                )
                message = self.template(
                    name,
                    default,
                    **values,
                    value=score,
                    rank=self.rank,
                    rows=rows,
                    tied=len(tied),
                    place=first,
                    left=maximum - first + 1,
                )
                yield self.finding(number, self.column, message, "review")
        for place, (score, number) in enumerate(ranked[maximum:], start=maximum + 1):
            if (score, number) in tied:
                continue
            name, default = (
                (
                    "beyond",
                    "{group}共{count}个，超过上限{maximum}个；本行{rank}{value}，排第{place}名，"
                    "在名额之外；{summary}",
                )
                if score is not None
                else (
                    "beyond_unranked",
                    "{group}共{count}个，超过上限{maximum}个；本行没有{rank}，"
                    "排第{place}名，在名额之外；{summary}",
                )
            )
            message = self.template(
                name, default, **values, value=score, rank=self.rank, place=place
            )
            yield self.finding(number, self.column, message)
