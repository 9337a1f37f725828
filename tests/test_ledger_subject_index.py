"""Schema 9: on SQLite lines_subject holds only the lines whose key does not begin with their
program and subject; the others are found by subject through the unique key index. The
ledger-history look-up answers exactly as before on both backends, whatever a key's shape."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from conftest import LedgerTarget, at_schema
from skillpolicy.ledger import HistoryQuery, LedgerLine, RunInfo
from skillpolicy.ledger.sqlite import SCHEMA_VERSION, SqliteLedger

PROGRAM = "guangxi-2019-lifelong"
OTHER = "guangxi-2012-technician"
PERSON = "450102198003151011"
NEIGHBOUR = "450102198003151012"
FIRM = "甲公司"
BRANCH = "甲公司分部"  # a subject that begins with another's
STRANGER = "450102199001013033"


def paid(
    key: str, subject: str, *, program: str = PROGRAM, year: int = 2012, occupation: str = "焊工"
) -> LedgerLine:
    return LedgerLine(
        key=key, program=program, subject=subject, name="学员", occupation=occupation,
        year=year, amount=Decimal("600.00"), payee="某培训学校",
    )  # fmt: skip


def run(run_id: str, program: str = PROGRAM) -> RunInfo:
    return RunInfo(
        run_id, program, f"{run_id}.xlsx", "ab" * 32, "2012-11-02T09:30:00+08:00",
        approval=("经办",),
    )  # fmt: skip


# Every shape of key a program file can make: the subject first (every bundled program), the
# subject later, the key the subject itself ends, a key naming another subject, a subject
# that begins with another's, and a line of another program.
LINES = {
    "R1": [
        paid(f"{PROGRAM}|{PERSON}|焊工|2012", PERSON),
        paid(f"{PROGRAM}|焊工|{NEIGHBOUR}|2012", NEIGHBOUR),
        paid(f"{PROGRAM}|{FIRM}", FIRM),
        paid(f"{PROGRAM}|{BRANCH}|焊工", BRANCH),
        paid(f"{PROGRAM}|{PERSON}|电工|2011", STRANGER, year=2011),
    ],
    "R2": [paid(f"{PROGRAM}|{NEIGHBOUR}|电工|2011", NEIGHBOUR, year=2011, occupation="电工")],
    "VOID": [paid(f"{PROGRAM}|{FIRM}|焊工|2010", FIRM, year=2010)],
}


def commit_all(book: Any) -> None:
    for run_id, lines in LINES.items():
        book.commit(run(run_id), lines)
    book.void("VOID", "录入有误")
    book.commit(run("O1", OTHER), [paid(f"{OTHER}|{PERSON}|焊工", PERSON, program=OTHER)])


def answer(book: Any) -> dict[tuple[str, ...], list[tuple[str, int, int]]]:
    keys = [(subject,) for subject in (PERSON, NEIGHBOUR, FIRM, BRANCH, STRANGER, "无此人")]
    found = book.history(HistoryQuery(PROGRAM, ("subject",), keys, 2013))
    return {
        key: [(r.run_id, r.year, r.people) for r in runs] for key, runs in sorted(found.items())
    }


EXPECTED = {
    (BRANCH,): [("R1", 2012, 1)],
    (FIRM,): [("R1", 2012, 1)],  # its voided run is not found
    (NEIGHBOUR,): [("R2", 2011, 1), ("R1", 2012, 1)],
    (PERSON,): [("R1", 2012, 1)],  # not the line keyed by PERSON that pays STRANGER
    (STRANGER,): [("R1", 2011, 1)],
}


def test_history_finds_a_person_whatever_the_shape_of_the_key(
    ledger_target: LedgerTarget,
) -> None:
    """Paid lines are found by subject whether the key begins with program and subject or
    not; a subject that begins with another's, a key naming someone else, a voided run and
    another program's line are never taken for the person."""
    with ledger_target.open() as book:
        commit_all(book)
        assert answer(book) == EXPECTED


def test_history_by_subject_and_occupation_reads_both_halves(
    ledger_target: LedgerTarget,
) -> None:
    """A look-up by subject and occupation picks the exact pairs from either half: the
    subject-first key found by its range, the other through lines_subject."""
    with ledger_target.open() as book:
        commit_all(book)
        keys = [(PERSON, "焊工"), (NEIGHBOUR, "焊工"), (NEIGHBOUR, "电工"), (PERSON, "电工")]
        found = book.history(HistoryQuery(PROGRAM, ("subject", "occupation"), keys, 2013))
    assert {key: [r.run_id for r in runs] for key, runs in found.items()} == {
        (PERSON, "焊工"): ["R1"],
        (NEIGHBOUR, "焊工"): ["R1"],
        (NEIGHBOUR, "电工"): ["R2"],
    }


def leaf_entries(path: Any, index: str) -> int:
    """How many entries ``index`` holds (its leaf cells, counted by SQLite's dbstat)."""
    import sqlite3

    db = sqlite3.connect(path)
    try:
        (count,) = db.execute(
            "SELECT COALESCE(SUM(ncell), 0) FROM dbstat WHERE name = ? AND pagetype = 'leaf'",
            (index,),
        ).fetchone()
    finally:
        db.close()
    return int(count)


def test_a_key_beginning_with_program_and_subject_adds_no_subject_index_entry(
    tmp_path: Any,
) -> None:
    """On SQLite only the lines whose key does not begin with "program|subject|" go into
    lines_subject; the unique key index still holds every active line."""
    path = tmp_path / "ledger.sqlite3"
    with SqliteLedger(path) as book:
        commit_all(book)
    outside = [
        line
        for lines in LINES.values()
        for line in lines
        if not line.key.startswith(f"{line.program}|{line.subject}|")
    ]
    assert len(outside) == 3  # the key naming the subject later, ending with it, naming another
    assert leaf_entries(path, "lines_subject") == len(outside)
    assert leaf_entries(path, "lines_active_key") == 7  # R1, R2 and O1; VOID's line left it


def test_a_schema_8_ledger_is_migrated_and_answers_as_before(
    ledger_target: LedgerTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening a ledger of schema 8 migrates it to the current schema (SQLite: lines_subject
    rebuilt partial, its lines kept); history answers the same before and after, and a line
    committed after the migration is found beside the earlier ones."""
    with monkeypatch.context() as old:
        at_schema(old, 8)
        with ledger_target.open() as book:
            assert book.schema_version() == 8
            commit_all(book)
            before = answer(book)
    assert before == EXPECTED
    with ledger_target.open() as book:
        assert book.schema_version() == SCHEMA_VERSION
        assert answer(book) == before
        book.commit(run("R3"), [paid(f"{PROGRAM}|{PERSON}|车工|2012", PERSON)])
        assert answer(book)[(PERSON,)] == [("R1", 2012, 1), ("R3", 2012, 1)]
    if ledger_target.backend == "sqlite":
        (sql,) = ledger_target.sql("SELECT sql FROM sqlite_master WHERE name = 'lines_subject'")
        assert sql[0].endswith("WHERE instr(line_key, program || '|' || subject || '|') <> 1")


def test_a_key_is_answered_once_when_its_person_spans_two_statements(
    ledger_target: LedgerTarget,
) -> None:
    """Keys are looked up a few hundred a statement; a person whose occupations fall into
    two statements still has each paid run once under each key (a statement's rows answer
    only its own keys, though its IN lists match other pairs too)."""
    people = [f"4501021980{n:08d}" for n in range(200)]
    occupations = ("车工", "焊工", "电工")
    lines = [
        paid(f"{PROGRAM}|{person}|{occupation}", person, occupation=occupation)
        for person in people
        for occupation in occupations
    ]
    keys = [(person, occupation) for person in people for occupation in occupations]
    with ledger_target.open() as book:
        book.commit(run("R1"), lines)
        found = book.history(HistoryQuery(PROGRAM, ("subject", "occupation"), keys, 2013))
    assert sorted(found) == sorted(keys)
    assert {len(runs) for runs in found.values()} == {1}
