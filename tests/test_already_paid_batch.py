"""validate asks the ledger for already-paid lines once a batch of rows, not once a row
(alreadypaid.py), on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from conftest import GUANGXI_PAYOUT_HEADER, LedgerTarget, make_resident_id, write_rows
from skillpolicy.check.alreadypaid import already_paid_findings
from skillpolicy.check.validate import BATCH_ROWS, Checker, make_context, open_sheet, validate_sheet
from skillpolicy.compute.paycommit import commit_payout
from skillpolicy.compute.subsidy import compute_subsidy
from skillpolicy.domain.findings import Finding
from skillpolicy.io.resources import SearchPath
from skillpolicy.loading.programfiles import load_program

PROGRAM = "guangxi-2012-technician"
EXAMPLE_PARAMS = Path(__file__).resolve().parents[1] / "examples" / "skillpolicy.toml"
HEADER = GUANGXI_PAYOUT_HEADER
SEARCH = SearchPath("catalogs")
NAMES = ["韦志强", "黄丽萍", "覃海军", "蒙晓燕", "陆建国"]


class CountingLedger:
    """A ledger that notes every ``paid`` question it is asked (and answers it)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.asked: list[list[str]] = []

    def paid(self, keys: Sequence[str]) -> Any:
        self.asked.append(list(keys))
        return self.inner.paid(keys)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def person(number: int) -> list[Any]:
    """A trainee of the Guangxi roster, certified, with a valid identity number."""
    first17 = f"4501021980031{number:03d}1"
    return [
        NAMES[number % len(NAMES)],
        make_resident_id(first17),
        "数控车工",
        "高级工",
        "2008-05-20",
        "技师",
        "广西机电技师学院",
        "合格",
    ]


def paid_rows(findings: list[Finding]) -> list[tuple[int | None, str | None]]:
    return sorted((f.row, f.column) for f in findings if f.rule == "already-paid")


def test_validate_asks_the_ledger_once_for_a_batch_and_finds_the_same_lines(
    tmp_path: Path, ledger_target: LedgerTarget
) -> None:
    """Three trainees paid before, one of them twice on the new roster, two new: one ledger
    question for the whole sheet, and an already-paid error on exactly the four repeated rows,
    each the finding the row alone would get."""
    program = load_program(PROGRAM)
    first = write_rows(tmp_path / "第一期.xlsx", [HEADER, *[person(n) for n in (1, 2, 3)]])
    second = write_rows(
        tmp_path / "第二期.xlsx",
        [HEADER, *[person(n) for n in (1, 4, 2, 3, 5, 1)]],
    )
    with ledger_target.open() as ledger:
        payout = compute_subsidy(first, program, params_file=EXAMPLE_PARAMS, ledger=ledger)
        commit_payout(payout, ledger)
        counting = CountingLedger(ledger)
        report = validate_sheet(second, program, params_file=EXAMPLE_PARAMS, ledger=counting)
        # the same rows checked one at a time, as before
        reader = open_sheet(second, program)
        context = make_context(
            program, reader.layout, params=report_params(program), search=SEARCH, ledger=ledger
        )
        checker = Checker(context)
        alone = [
            finding
            for row in reader.rows()
            for finding in already_paid_findings(program, checker.check_row(row)[0], ledger)
        ]
    assert len(counting.asked) == 1
    assert paid_rows(report.findings) == [
        (2, "身份证号"),
        (4, "身份证号"),
        (5, "身份证号"),
        (7, "身份证号"),
    ]
    batched = [f for f in report.findings if f.rule == "already-paid"]
    assert sorted(batched, key=repr) == sorted(alone, key=repr)
    assert all(payout.run_id is not None and payout.run_id in f.message for f in alone)


def report_params(program: Any) -> Any:
    """The example parameters, loaded as validate loads them."""
    from skillpolicy.loading.programfiles import list_programs
    from skillpolicy.policy.params import load_params

    return load_params(EXAMPLE_PARAMS, program, list_programs(SEARCH))


def test_a_sheet_longer_than_a_batch_asks_once_a_batch(
    tmp_path: Path, ledger_target: LedgerTarget
) -> None:
    """A sheet of one batch and one row more asks the ledger twice, whatever its length in
    rows; the paid trainee on the last row is still found."""
    program = load_program(PROGRAM)
    first = write_rows(tmp_path / "第一期.xlsx", [HEADER, person(7)])
    rows = [person(900 + n % 50) for n in range(BATCH_ROWS)]
    second = write_rows(tmp_path / "第二期.xlsx", [HEADER, *rows, person(7)])
    with ledger_target.open() as ledger:
        commit_payout(
            compute_subsidy(first, program, params_file=EXAMPLE_PARAMS, ledger=ledger), ledger
        )
        counting = CountingLedger(ledger)
        report = validate_sheet(second, program, params_file=EXAMPLE_PARAMS, ledger=counting)
    assert len(counting.asked) == 2
    assert paid_rows(report.findings) == [(BATCH_ROWS + 2, "身份证号")]


def test_a_ledger_file_not_made_yet_is_not_asked_at_all(tmp_path: Path) -> None:
    """Against the empty stand-in for a default ledger that does not exist, validate makes no
    line keys and asks nothing; the findings are those of a run without a ledger."""
    from skillpolicy.ledger.reading import EmptyLedger

    program = load_program(PROGRAM)
    sheet = write_rows(tmp_path / "第一期.xlsx", [HEADER, *[person(n) for n in (1, 2, 1)]])
    counting = CountingLedger(EmptyLedger(str(tmp_path / "ledger.sqlite3")))
    report = validate_sheet(sheet, program, params_file=EXAMPLE_PARAMS, ledger=counting)
    alone = validate_sheet(sheet, program, params_file=EXAMPLE_PARAMS)
    assert counting.asked == []
    assert report.to_json() == alone.to_json()
