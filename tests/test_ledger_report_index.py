"""Schema 8: the paid summaries indexed in the monthly report's grouping order, on SQLite and
on PostgreSQL; a ledger of schema 7 is migrated and reports exactly what it did before."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from conftest import LedgerTarget, at_schema
from skillpolicy.ledger import LedgerLine, LineFacts, OutcomeLine, RunInfo
from skillpolicy.ledger.sqlite import SCHEMA_VERSION, SELECT_MONTH_FIGURES, for_office

PROGRAM = "guangxi-2012-technician"
MONTH = "2024-03"


def paid_line(number: int, month: str, institution: str) -> LedgerLine:
    facts = LineFacts(
        month=month, institution=institution, outcome="合格", inspections=number % 4 + 1,
        class_start=f"{month}-01",
    )  # fmt: skip
    return LedgerLine(
        key=f"{PROGRAM}|{number}", program=PROGRAM, subject=f"4501{number:014d}", name="学员",
        occupation="焊工", level="技师" if number % 5 == 0 else "高级工", year=2024,
        amount=Decimal("1900.00") if number % 3 else Decimal("950.00"), payee=institution,
        row=number + 3, facts=facts,
    )  # fmt: skip


def commit_runs(book: Any, first: int) -> None:
    """Two approved runs of paid lines over three months and two institutions, with a
    pending line each."""
    for run_number in range(2):
        start = first + 100 * run_number
        lines = [
            paid_line(n, ("2024-01", "2024-02", MONTH)[n % 3], ("甲校", "乙校")[n % 2])
            for n in range(start, start + 40)
        ]
        pending = OutcomeLine(
            paid_line(start + 99, MONTH, "甲校")._replace(amount=Decimal("0.00")),
            "pending",
            ("certified",),
        )
        run = RunInfo(
            f"R{start}", PROGRAM, f"R{start}.xlsx", "ab" * 32, f"{MONTH}-05T09:30:00+08:00",
            approval=("经办",),
        )  # fmt: skip
        book.commit(run, lines, [pending])


def month_figures(book: Any) -> list[tuple[Any, ...]]:
    return sorted(
        (f.program, f.month, f.status, f.outcome, f.high_skill, f.amount, f.institution, f.count)
        for f in book.month_figures(MONTH)
    )


def test_a_schema_7_ledger_gains_the_report_index_and_reports_as_before(
    ledger_target: LedgerTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening a ledger of schema 7 migrates it to the current schema with the
    paid_groups_report index; the month figures of its runs are the same before and after,
    and a run committed after the migration counts beside them."""
    with monkeypatch.context() as old:
        at_schema(old, 7)
        with ledger_target.open() as book:
            assert book.schema_version() == 7
            commit_runs(book, 1)
            before = month_figures(book)
        assert "paid_groups_report" not in ledger_target.indexes()
    assert any(status == "paid" for _, _, status, *_ in before)
    with ledger_target.open() as book:
        assert book.schema_version() == SCHEMA_VERSION
        assert month_figures(book) == before
        commit_runs(book, 1000)
        after = month_figures(book)
    assert "paid_groups_report" in ledger_target.indexes()
    assert sum(f[-1] for f in after if f[2] == "paid") == 160  # four runs of 40 paid lines


def test_the_report_groups_paid_summaries_by_the_index_without_sorting(
    tmp_path: Any,
) -> None:
    """On SQLite the month figures read paid_groups through its covering report index in
    grouping order (no temporary B-tree for that part)."""
    from skillpolicy.ledger.sqlite import SqliteLedger, month_figures_parameters

    with SqliteLedger(tmp_path / "ledger.sqlite3") as book:
        commit_runs(book, 1)
        plan = [
            row[3]
            for row in book._db.execute(
                "EXPLAIN QUERY PLAN " + for_office(SELECT_MONTH_FIGURES, None),
                month_figures_parameters(MONTH, None),
            )
        ]
    paid_part = plan[: next(i for i, step in enumerate(plan) if step == "UNION ALL")]
    assert "SCAN s USING COVERING INDEX paid_groups_report" in paid_part
    assert not any("TEMP B-TREE" in step for step in paid_part)
