"""Refusal reasons in the ledger: each pending or refused line keeps its findings whole (rule,
column, severity, message, citation) from schema 7 on, on SQLite and on PostgreSQL; a ledger
of schema 5 is migrated, its rule ids becoming findings of the rule alone; the report reads
the rule ids from the findings and counts exactly as it did from the comma-joined ids."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import LedgerTarget, at_schema
from inprocess import run_main
from skillpolicy.domain.findings import ALREADY_PAID, Finding
from skillpolicy.ledger import (
    ALREADY_PAID_MESSAGE,
    LedgerLine,
    LineFacts,
    OutcomeLine,
    RunInfo,
)
from skillpolicy.ledger.sqlite import SCHEMA_VERSION

PROGRAM = "guangxi-2012-technician"
FRESH = "fujian-2013-free-training"  # the same outcomes committed anew, under another program
MONTH = "2024-03"
CITATION = "桂人社发〔2012〕11号 四(一)"

# (line number, status, rule ids as schema 5 kept them, 所在地)
OLD_OUTCOMES = [
    (1, "refused", "attendance,already-paid", "南宁市"),
    (2, "refused", "attendance", "南宁市"),
    (3, "pending", "certified", "柳州市"),
    (4, "refused", ALREADY_PAID, ""),
    (5, "pending", "", "柳州市"),
]


def run_info(run_id: str, program: str = PROGRAM) -> RunInfo:
    return RunInfo(
        run_id, program, f"{run_id}.xlsx", "ab" * 32, f"{MONTH}-05T09:30:00+08:00",
        approval=("经办",),
    )  # fmt: skip


def unpaid_line(number: int, program: str = PROGRAM, locality: str = "") -> LedgerLine:
    facts = LineFacts(
        month=MONTH, institution="甲校", locality=locality, inspections=1, class_start="2024-03-01"
    )
    return LedgerLine(
        key=f"{program}|{number}", program=program, subject=f"4501{number:014d}", name="学员",
        occupation="焊工", level="技师", year=2024, amount=Decimal("0.00"), payee="甲校",
        row=number + 3, facts=facts,
    )  # fmt: skip


def finding(row: int | None, rule: str, column: str | None = "到课率", **changes: Any) -> Finding:
    values: dict[str, Any] = {
        "severity": "error",
        "message": f"{rule} 的说明：到课率 59.99% 低于 60%，“不予补贴”\\",
        "citation": CITATION,
    }
    values.update(changes)
    return Finding(row=row, column=column, rule=rule, **values)


def schema_5_ledger(target: LedgerTarget, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ledger made by the previous schema (5), holding OLD_OUTCOMES of one run."""
    with monkeypatch.context() as old:
        at_schema(old, 5)
        target.open().close()
    assert "reasons" in target.columns("outcomes")
    target.sql(
        "INSERT INTO runs (run_id, program, file_name, file_hash, created_at, params, "
        "line_count, total) VALUES ('R5', ?, 'R5.xlsx', 'h', ?, '{}', 0, '0.00')",
        (PROGRAM, f"{MONTH}-01T09:00:00+08:00"),
    )
    for number, status, reasons, locality in OLD_OUTCOMES:
        line = unpaid_line(number)
        target.sql(
            "INSERT INTO outcomes (run_id, line_no, line_key, program, subject, name, "
            "occupation, level, target, start_year, payee, sheet_row, status, reasons, current, "
            "pay_month, institution, locality, inspections, class_start) VALUES "
            "('R5', ?, ?, ?, ?, ?, ?, ?, '', 2024, ?, ?, ?, ?, 1, ?, '甲校', ?, 1, '2024-03-01')",
            (number, line.key, PROGRAM, line.subject, line.name, line.occupation, line.level,
             line.payee, line.row, status, reasons, MONTH, locality),
        )  # fmt: skip


def fresh_outcomes() -> list[OutcomeLine]:
    """OLD_OUTCOMES as a commit of today gives them: findings with messages and citations
    (the first with attendance twice, on two cells: still one refusal for attendance)."""
    made = []
    for number, status, reasons, locality in OLD_OUTCOMES:
        line = unpaid_line(number, FRESH, locality)
        found = [finding(line.row, rule) for rule in filter(None, reasons.split(","))]
        if number == 1:
            found.insert(1, finding(line.row, "attendance", "结业日期"))
        made.append(OutcomeLine(line, status, tuple(found)))
    return made


def figures(book: Any, program: str) -> dict[str, Any]:
    """Everything the report reads about ``program``'s outcomes, the program left out."""
    return {
        "month": sorted(
            (f.month, f.status, f.reasons, f.outcome, f.first, f.institution, f.count)
            for f in book.month_figures(MONTH)
            if f.program == program
        ),
        "locality": sorted(
            (f.locality, f.status, f.reasons, f.count)
            for f in book.locality_figures(program, "2024-01", MONTH)
        ),
        "thin": sorted(
            (c.institution, c.class_start, c.inspections, c.trainees)
            for c in book.thin_inspections(MONTH, 3)
            if c.program == program
        ),
    }


def test_a_schema_5_ledger_is_migrated_to_findings(
    ledger_target: LedgerTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Schema 5's comma-joined rule ids become findings of the rule alone, in order: an error
    on a refused line, a review on a pending one, no column, empty message and citation."""
    schema_5_ledger(ledger_target, monkeypatch)
    with ledger_target.open() as book:
        assert book.schema_version() == SCHEMA_VERSION
        kept = {o.line.row - 3: o for o in book.outcomes("R5")}
    columns = ledger_target.columns("outcomes")
    assert "findings" in columns and "reasons" not in columns
    assert "outcomes_report" in ledger_target.indexes()
    assert [(n, kept[n].status, [f.rule for f in kept[n].reasons]) for n in sorted(kept)] == [
        (1, "refused", ["attendance", ALREADY_PAID]),
        (2, "refused", ["attendance"]),
        (3, "pending", ["certified"]),
        (4, "refused", [ALREADY_PAID]),
        (5, "pending", []),
    ]
    assert kept[1].reasons[0] == Finding(4, None, "attendance", "error", "", "")
    assert kept[3].reasons[0] == Finding(6, None, "certified", "review", "", "")
    assert all(o.current and o.line.facts.locality == loc for o, (*_, loc) in
               zip((kept[n] for n in sorted(kept)), OLD_OUTCOMES, strict=True))  # fmt: skip


def test_the_report_counts_a_migrated_ledger_as_before(
    ledger_target: LedgerTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migrated rule ids group, count and exclude repeats exactly as the comma-joined ids did,
    and exactly as the same outcomes committed today with whole findings."""
    schema_5_ledger(ledger_target, monkeypatch)
    with ledger_target.open() as book:
        book.commit(run_info("R7", FRESH), [], fresh_outcomes())
        migrated, fresh = figures(book, PROGRAM), figures(book, FRESH)
    assert migrated == fresh
    assert migrated["month"] == sorted(
        (MONTH, status, reasons, "", True, "甲校", 1) for _, status, reasons, _ in OLD_OUTCOMES
    )
    assert migrated["locality"] == [
        ("", "refused", ALREADY_PAID, 1),
        ("南宁市", "refused", "attendance", 1),
        ("南宁市", "refused", "attendance,already-paid", 1),
        ("柳州市", "pending", "", 1),
        ("柳州市", "pending", "certified", 1),
    ]
    # a class's trainees leave out the lines refused as already paid (1 and 4)
    assert migrated["thin"] == [("甲校", "2024-03-01", 1, 3)]


def test_findings_round_trip_through_the_ledger(ledger_target: LedgerTarget) -> None:
    """Every part of each reason comes back as committed; a bare rule id reads as the finding
    of that rule alone; a line the commit finds already paid is refused with its own finding."""
    held = unpaid_line(1)
    refused = unpaid_line(2)
    reasons = (
        finding(refused.row, "attendance"),
        finding(refused.row, "sheet-share", None, severity="warning", citation=""),
    )
    paid = unpaid_line(3)._replace(amount=Decimal("1900.00"))
    with ledger_target.open() as book:
        book.commit(
            run_info("R1"),
            [paid, paid],  # the repeat is refused by the commit itself
            [
                OutcomeLine(held, "pending", (finding(held.row, "certified", severity="review"),)),
                OutcomeLine(refused, "refused", reasons),
                OutcomeLine(unpaid_line(4), "refused", ("designated",)),
            ],
        )
        stored = book.outcomes("R1")
        assert book.outcomes("nothing") == []
    assert [(o.line.key, o.status) for o in stored] == [
        (held.key, "pending"), (refused.key, "refused"), (unpaid_line(4).key, "refused"),
        (paid.key, "refused"),
    ]  # fmt: skip
    assert stored[0].reasons == (finding(held.row, "certified", severity="review"),)
    assert stored[1].reasons == reasons
    assert stored[1].line == refused
    assert stored[2].reasons == (Finding(7, None, "designated", "error", "", ""),)
    assert stored[3].reasons == (
        Finding(paid.row, None, ALREADY_PAID, "error", ALREADY_PAID_MESSAGE, ""),
    )


def test_ledger_show_prints_each_unpaid_lines_reasons(
    ledger_target: LedgerTarget,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`ledger show RUN` lists the run's pending and refused lines with every reason's message
    and clause (a reason known by rule id alone shows the id), identity numbers masked."""
    held, refused, bare = unpaid_line(1), unpaid_line(2), unpaid_line(3)
    subject = "450102198003151013"  # a valid identity number: printed masked
    refused = refused._replace(subject=subject)
    with ledger_target.open() as book:
        book.commit(
            run_info("R1"),
            [],
            [
                OutcomeLine(held, "pending", (finding(held.row, "certified", severity="review"),)),
                OutcomeLine(
                    refused,
                    "refused",
                    (
                        finding(refused.row, "attendance"),
                        finding(refused.row, "class-approved", citation=""),
                    ),
                ),
                OutcomeLine(bare, "refused", ("designated",)),
            ],
        )
    shown = run_main("ledger", "show", "R1", "--ledger", ledger_target.spec, cwd=tmp_path,
                     capsys=capsys, monkeypatch=monkeypatch)  # fmt: skip
    assert shown.code == 0, shown.err
    said = shown.out.splitlines()
    start = said.index("未发放各行：")
    assert said[start + 1 : start + 4] == [
        f"  原表第4行 学员 4501**********0001：待定；{finding(4, 'certified').message}（{CITATION}）",
        f"  原表第5行 学员 4501**********1013：不予发放；{finding(5, 'attendance').message}"
        f"（{CITATION}）；{finding(5, 'class-approved').message}",
        "  原表第6行 学员 4501**********0003：不予发放；designated",
    ]
    assert subject not in shown.out


def test_a_reprint_lists_the_unpaid_lines_with_their_reasons(tmp_path: Path) -> None:
    """`ledger reprint`'s 未发放 sheet lists the run's pending and refused lines with their
    messages and clauses, as the schedule printed at the commit did."""
    import openpyxl

    from conftest import ROOT
    from skillpolicy.compute.paycommit import commit_payout
    from skillpolicy.compute.subsidy import compute_subsidy
    from skillpolicy.ledger.sqlite import SqliteLedger
    from skillpolicy.loading.programfiles import load_program
    from skillpolicy.outputs.payouts import PENDING_SHEET, build_payout_workbook
    from skillpolicy.outputs.reprint import payout_from_ledger

    program = "xuchang-2013-revitalization"
    examples = ROOT / "examples"

    def held(book: openpyxl.Workbook) -> list[list[Any]]:
        sheet = book[PENDING_SHEET]
        return [
            [c.value for c in row] for row in sheet.iter_rows() if isinstance(row[0].value, int)
        ]

    with SqliteLedger(tmp_path / "l.sqlite3") as ledger:
        payout = compute_subsidy(
            examples / f"{program}.xlsx", load_program(program),
            params_file=examples / "skillpolicy.toml", ledger=ledger,
        )  # fmt: skip
        commit_payout(payout, ledger, approval=("经办",))
        assert payout.run_id is not None
        original = held(build_payout_workbook(payout))
        again = held(build_payout_workbook(payout_from_ledger(ledger, payout.run_id)))
    assert len(original) == payout.count("pending") + payout.count("refused") > 0
    assert again == original
