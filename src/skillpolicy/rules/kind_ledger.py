"""The ``ledger-history`` rule kind: what the ledger already paid for the same key.

``match`` names which ledger line facts (``subject``, ``enterprise``, ``occupation``, …) the
sheet's columns are compared with; a row whose key the ledger holds in the years asked for
(any year before the row's year, or exactly the year before it; ``plan_year`` fixes that year
for every row) is a finding naming the runs. The rows of a batch are looked up together, one
query per distinct year for the keys not yet asked about, never one per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..domain.identifiers import check_resident_id, mask_id, normalise_text
from ..domain.values import ValueProblem, cell_text, is_blank, parse_date, parse_level
from ..ledger import HistoryQuery, HistoryRun, people_in
from .base import CellProblem
from .kinds import Batch, Flags, Kind, kind

EARLIER, YEAR_BEFORE = "earlier", "year-before"


def _runs(runs: Sequence[HistoryRun]) -> str:
    """Runs named as the clerk reads them: id (date, file, office)."""
    return "、".join(
        f"{run.run_id}（{run.created_at[:10]}，{run.file_name}"
        + (f"，{run.office}" if run.office else "")
        + "）"
        for run in runs
    )


@kind("ledger-history")
class LedgerHistory(Kind):
    """A row whose ``match`` facts the ledger already holds as paid lines of earlier years (or
    of the year before): one finding naming the people (distinct persons across the runs) and
    the runs. Not run without a ledger (``messages.no_ledger`` says why)."""

    def setup(self) -> None:
        self.match: dict[str, str] = dict(self.params["match"])
        self.facts = tuple(sorted(self.match, key=lambda f: f not in ("subject", "enterprise")))
        self.years = str(self.params.get("years", EARLIER))
        plan_year = self.params.get("plan_year")
        self.plan_year: int | None = int(plan_year) if plan_year is not None else None
        self.approved_only = bool(self.params.get("approved_only", False))
        self.year_column = str(
            self.params.get("year_column") or self.program.reference_column or "开班日期"
        )
        default_at = self.match.get("occupation") or self.match[self.facts[0]]
        self.at_column = str(self.params.get("at") or default_at)
        types = self.program.column_set()
        self.types = {fact: types.type_of(column) for fact, column in self.match.items()}
        self.found: dict[tuple[int, tuple[str, ...]], list[HistoryRun]] = {}

    def needs(self) -> tuple[str, ...]:
        return tuple(self.match[fact] for fact in self.facts)

    def skip_reason(self) -> str | None:
        reason = super().skip_reason()
        if reason is None and self.context.ledger is None:
            year = self.plan_year - 1 if self.plan_year and self.years == YEAR_BEFORE else ""
            return self.template(
                "no_ledger",
                "未指定台账（--ledger），无法核对台账中已有的记录",
                plan_year=self.plan_year or "",
                year=year,
            )
        return reason

    def _value(self, fact: str, raw: Any) -> str:
        """A cell as the ledger records that fact ("" when it cannot be compared)."""
        if is_blank(raw):
            return ""
        column_type = self.types[fact]
        if fact == "subject" and column_type == "person-id":
            person = check_resident_id(raw)
            return person.value if person.ok else ""
        if column_type == "credit-code":
            return normalise_text(cell_text(raw)).upper()
        if column_type == "level":
            try:
                level = parse_level(raw)
            except ValueProblem:
                return ""
            return level.title if level else ""
        return cell_text(raw)

    def _year(self, raw: Any) -> int:
        """The row's year: ``plan_year``, else its year column's, else the run's date's."""
        if self.plan_year is not None:
            return self.plan_year
        if raw is not None and not is_blank(raw):
            try:
                day = parse_date(raw)
            except ValueProblem as problem:
                raise CellProblem(
                    self.year_column, f"{self.year_column}{problem.message}"
                ) from None
            if day is not None:
                return day.year
        return self.run_date().year

    def _look_up(self, year: int, keys: set[tuple[str, ...]]) -> None:
        """Ask the ledger once for the keys of ``year`` not asked about yet."""
        new = [key for key in keys if (year, key) not in self.found]
        if not new:
            return
        query = HistoryQuery(
            program=self.program.id,
            facts=self.facts,
            keys=new,
            before_year=year,
            from_year=year - 1 if self.years == YEAR_BEFORE else None,
            approved_only=self.approved_only,
        )
        answer = self.context.ledger.history(query)
        for key in new:
            self.found[(year, key)] = answer.get(key, [])

    def flag(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        flags: Flags = {}
        columns = [batch.column(self.match[fact]) for fact in self.facts]
        years = (
            batch.column(self.year_column)
            if self.plan_year is None and self.context.layout.has(self.year_column)
            else None
        )
        wanted: dict[int, set[tuple[str, ...]]] = {}
        keyed: list[tuple[int, int, tuple[str, ...]]] = []
        seen: dict[tuple[str, type, Any], str] = {}  # each distinct cell read once a batch

        def value(fact: str, raw: Any) -> str:
            memo = (fact, raw.__class__, raw)
            if memo not in seen:
                seen[memo] = self._value(fact, raw)
            return seen[memo]

        for i in rows:
            key = tuple(
                value(fact, values[i]) for fact, values in zip(self.facts, columns, strict=True)
            )
            if not all(key):
                continue  # a blank or invalid key cell: its own rule says so
            try:
                year = self._year(years[i] if years is not None else None)
            except CellProblem as broken:
                flags[i] = ([], broken)
                continue
            wanted.setdefault(year, set()).add(key)
            keyed.append((i, year, key))
        for year, keys in wanted.items():
            self._look_up(year, keys)
        for i, year, key in keyed:
            runs = self.found[(year, key)]
            if runs:
                flags[i] = (
                    [self.at(batch, i, self.at_column, self._message(batch, i, year, runs))],
                    None,
                )
        return flags

    def _message(self, batch: Batch, i: int, year: int, runs: list[HistoryRun]) -> str:
        first = runs[0]
        cells = {fact: cell_text(batch.column(column)[i]) for fact, column in self.match.items()}
        if "subject" in cells:
            cells["subject"] = mask_id(cells["subject"])
        return self.template(
            "found",
            "台账中已有{people}人参加过{year}年的同类培训（运行 {runs}）；{summary}",
            **cells,
            column=self.at_column,
            people=people_in(runs),  # a person found in two runs counts once
            runs=_runs(runs),
            run=first.run_id,
            date=first.created_at[:10],
            file=first.file_name,
            office=first.office,
            year=first.year,
            plan_year=year,
        )
