"""The ledger: schema and migrations, paying each line once, voids, concurrency, the CLI.

Every test that takes ``ledger_target`` (or ``book``) runs twice: on an SQLite file and on a
PostgreSQL schema (conftest.py starts a throwaway server, or uses SKILLPOLICY_TEST_POSTGRES).
"""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import GUANGXI_PAYOUT_HEADER, LedgerTarget
from skillpolicy.domain.errors import InputError
from skillpolicy.ledger import Ledger, LedgerLine, RunInfo
from skillpolicy.ledger.open import default_ledger_path, ledger_path, open_ledger
from skillpolicy.ledger.sqlite import (
    CREATE_MIGRATIONS_TABLE,
    MIGRATIONS,
    SCHEMA_VERSION,
    SqliteLedger,
    placeholders,
)

PROGRAM = "guangxi-2012-technician"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def person_id(number: int) -> str:
    """A valid identity number, different for every ``number``."""
    first17 = f"4501021980{number:07d}"
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def make_line(number: int, *, amount: str = "1900.00", **changes: Any) -> LedgerLine:
    subject = changes.pop("subject", person_id(number))
    level = changes.pop("level", "技师")
    fields: dict[str, Any] = {
        "key": f"{PROGRAM}|{subject}|{level}",
        "program": PROGRAM,
        "subject": subject,
        "name": f"学员{number}",
        "occupation": "焊工",
        "level": level,
        "year": 2012,
        "amount": Decimal(amount),
        "payee": "个人",
        "row": number + 3,
    }
    fields.update(changes)
    return LedgerLine(**fields)


def make_lines(count: int, start: int = 0) -> list[LedgerLine]:
    return [make_line(n) for n in range(start, start + count)]


def make_run(run_id: str, file_name: str = "roster.xlsx") -> RunInfo:
    return RunInfo(
        run_id=run_id,
        program=PROGRAM,
        file_name=file_name,
        file_hash="ab" * 32,
        created_at="2024-03-01T09:30:00+08:00",
        params={"shortage_uplift": "1.20"},
    )


@pytest.fixture
def book(ledger_target: LedgerTarget) -> Any:
    ledger = ledger_target.open()
    yield ledger
    ledger.close()


def active_keys(ledger: Ledger) -> list[str]:
    return [stored.line.key for stored in ledger.lines() if stored.active]


# --- schema -----------------------------------------------------------------------------------


def test_schema_is_created_with_its_version(ledger_target: LedgerTarget) -> None:
    """A new ledger has the runs, lines, voids and schema_migrations tables at the current version."""
    ledger_target.open().close()
    versions = [v for (v,) in ledger_target.sql("SELECT version FROM schema_migrations")]
    assert {"schema_migrations", "runs", "lines", "voids"} <= ledger_target.tables()
    assert "lines_active_key" in ledger_target.indexes()
    # every migration, in order (version 6 may be another branch's until they are merged)
    assert versions == [m.version for m in MIGRATIONS] and versions[-1] == SCHEMA_VERSION
    assert {"office", "operator"} <= set(ledger_target.columns("runs"))


def test_reopening_is_idempotent(ledger_target: LedgerTarget) -> None:
    """Opening an existing ledger again applies no migration twice and keeps its lines."""
    with ledger_target.open() as first:
        first.commit(make_run("R1"), make_lines(3))
    for _ in range(2):
        with ledger_target.open() as again:
            assert again.schema_version() == SCHEMA_VERSION
            assert len(active_keys(again)) == 3
    [(count,)] = ledger_target.sql("SELECT COUNT(*) FROM schema_migrations")
    assert count == len(MIGRATIONS)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_new_ledger_file_is_owner_only(tmp_path: Path) -> None:
    """The ledger file holds identity numbers: it is created with mode 0600."""
    path = tmp_path / "ledger.sqlite3"
    SqliteLedger(path).close()
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_new_ledger_has_16_kib_pages_and_an_older_one_keeps_its_own(tmp_path: Path) -> None:
    """A new ledger file is laid out in 16 KiB pages; an existing one, 4 KiB pages here, keeps
    them through its migrations and commits (its page size is never rewritten)."""

    def page_size(path: Path) -> int:
        db = sqlite3.connect(path)
        try:
            return int(db.execute("PRAGMA page_size").fetchone()[0])
        finally:
            db.close()

    fresh = tmp_path / "new.sqlite3"
    with SqliteLedger(fresh) as ledger:
        ledger.commit(make_run("R1"), make_lines(2))
    assert page_size(fresh) == 16384
    older = tmp_path / "older.sqlite3"
    db = sqlite3.connect(older)
    db.execute("PRAGMA page_size = 4096")
    db.execute(CREATE_MIGRATIONS_TABLE)  # an empty ledger of schema 0, made with 4 KiB pages
    db.commit()
    db.close()
    with SqliteLedger(older) as ledger:
        assert ledger.schema_version() == SCHEMA_VERSION
        ledger.commit(make_run("R1"), make_lines(2))
    assert page_size(older) == 4096


def test_a_commit_is_synced_to_disk_whatever_sqlites_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ledger runs with synchronous = FULL (each commit synced before it returns) even
    where the SQLite build defaults to NORMAL, which may lose the last commits on a power cut."""
    connect = sqlite3.connect

    def normal_by_default(*args: Any, **options: Any) -> sqlite3.Connection:
        db: sqlite3.Connection = connect(*args, **options)
        db.execute("PRAGMA synchronous = NORMAL")
        return db

    monkeypatch.setattr(sqlite3, "connect", normal_by_default)
    with SqliteLedger(tmp_path / "ledger.sqlite3") as ledger:
        ledger.commit(make_run("R1"), make_lines(2))
        assert ledger._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert ledger._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_newer_schema_is_refused_and_left_byte_identical(tmp_path: Path) -> None:
    """A ledger written by a newer skillpolicy is refused with a Chinese message and not touched."""
    path = tmp_path / "ledger.sqlite3"
    with SqliteLedger(path) as ledger:
        ledger.commit(make_run("R1"), make_lines(2))
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO schema_migrations VALUES (?, ?, ?)",
            (SCHEMA_VERSION + 1, "from the future", "2099-01-01T00:00:00+08:00"),
        )
    db.close()
    before = path.read_bytes()
    stamp = path.stat().st_mtime_ns
    with pytest.raises(InputError, match="请升级") as caught:
        SqliteLedger(path)
    assert str(SCHEMA_VERSION + 1) in str(caught.value)
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == stamp


def test_a_newer_postgresql_schema_is_refused_untouched(
    postgres_target_fixture: LedgerTarget,
) -> None:
    """A shared ledger written by a newer skillpolicy is refused, and not one row changes."""
    target = postgres_target_fixture
    with target.open() as ledger:
        ledger.commit(make_run("R1"), make_lines(2))
    target.sql(
        "INSERT INTO schema_migrations VALUES (?, ?, ?)",
        (SCHEMA_VERSION + 1, "from the future", "2099-01-01T00:00:00+08:00"),
    )

    def state() -> list[Any]:
        return [
            target.sql("SELECT * FROM schema_migrations ORDER BY version"),
            target.sql("SELECT * FROM runs"),
            target.sql("SELECT * FROM lines ORDER BY line_no"),
            sorted(target.tables()),
            sorted(target.indexes()),
            target.columns("lines"),
        ]

    before = state()
    with pytest.raises(InputError, match="请升级") as caught:
        target.open()
    assert str(SCHEMA_VERSION + 1) in str(caught.value)
    assert state() == before


def test_an_older_ledger_is_migrated_in_place(
    ledger_target: LedgerTarget, monkeypatch: Any
) -> None:
    """A pending migration is applied on open, in order, keeping every line (schema versioning)."""
    from skillpolicy.ledger import sqlite as module

    with ledger_target.open() as ledger:
        ledger.commit(make_run("R1"), make_lines(3))
    step = module.Migration(
        SCHEMA_VERSION + 1, "test: month column", ("ALTER TABLE lines ADD COLUMN month TEXT",)
    )
    monkeypatch.setattr(module, "MIGRATIONS", (*module.MIGRATIONS, step))
    monkeypatch.setattr(module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with ledger_target.open() as ledger:
        assert ledger.schema_version() == SCHEMA_VERSION + 1
        assert len(active_keys(ledger)) == 3
    assert "month" in ledger_target.columns("lines")


def test_a_ledger_locked_too_long_gives_a_clear_error(tmp_path: Path, monkeypatch: Any) -> None:
    """When another writer holds the ledger past the busy timeout, commit fails with InputError."""
    from skillpolicy.ledger import sqlite as module

    path = tmp_path / "ledger.sqlite3"
    SqliteLedger(path).close()
    monkeypatch.setattr(module, "BUSY_TIMEOUT_SECONDS", 0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with SqliteLedger(path) as ledger, pytest.raises(InputError, match="占用"):
            ledger.commit(make_run("R1"), make_lines(1))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with SqliteLedger(path) as ledger:
        assert ledger.runs() == []


def test_a_file_that_is_not_a_ledger_is_refused_untouched(tmp_path: Path) -> None:
    """A workbook or another SQLite database given as the ledger is refused and not changed."""
    workbook = tmp_path / "roster.xlsx"
    openpyxl.Workbook().save(workbook)
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE things (x TEXT)")
    db.close()
    for path in (workbook, other):
        before = path.read_bytes()
        with pytest.raises(InputError):
            SqliteLedger(path)
        assert path.read_bytes() == before


# --- paying once ------------------------------------------------------------------------------


def test_commit_then_paid_finds_keys_with_their_run(book: Ledger) -> None:
    """After a commit, paid() returns each key with the run id, time, file and amount."""
    lines = make_lines(3)
    assert book.commit(make_run("R1"), lines) == {}
    found = book.paid([line.key for line in lines] + ["not-paid"])
    assert set(found) == {line.key for line in lines}
    entry = found[lines[0].key]
    assert (entry.run_id, entry.file_name, entry.amount) == (
        "R1",
        "roster.xlsx",
        Decimal("1900.00"),
    )
    assert entry.created_at == "2024-03-01T09:30:00+08:00"
    [run] = book.runs()
    assert (run.run_id, run.line_count, run.total, run.voided_by) == (
        "R1",
        3,
        Decimal("5700.00"),
        None,
    )


def test_committing_the_same_lines_twice_pays_nothing_the_second_time(book: Ledger) -> None:
    """A second commit of the same lines records no line and returns every key naming the first run."""
    lines = make_lines(5)
    book.commit(make_run("R1"), lines)
    conflicts = book.commit(make_run("R2", "roster-again.xlsx"), lines)
    assert set(conflicts) == {line.key for line in lines}
    assert {entry.run_id for entry in conflicts.values()} == {"R1"}
    assert {entry.file_name for entry in conflicts.values()} == {"roster.xlsx"}
    assert len(list(book.lines())) == 5
    second = {run.run_id: run for run in book.runs()}["R2"]
    assert (second.line_count, second.total) == (0, Decimal("0"))


def test_partly_paid_roster_pays_only_the_new_lines(book: Ledger) -> None:
    """Lines already paid are refused, the others recorded; the run's count and total say so."""
    book.commit(make_run("R1"), make_lines(2))
    conflicts = book.commit(make_run("R2"), make_lines(4))  # lines 0, 1 paid; 2, 3 new
    assert set(conflicts) == {make_line(0).key, make_line(1).key}
    runs = {run.run_id: run for run in book.runs()}
    assert (runs["R2"].line_count, runs["R2"].total) == (2, Decimal("3800.00"))
    assert sorted(active_keys(book)) == sorted(line.key for line in make_lines(4))


def test_a_key_repeated_within_one_commit_is_recorded_once(book: Ledger) -> None:
    """The same key twice in one roster is paid once; the repeat comes back naming this run."""
    line = make_line(1)
    conflicts = book.commit(make_run("R1"), [line, line])
    assert list(conflicts) == [line.key]
    assert conflicts[line.key].run_id == "R1"
    assert active_keys(book) == [line.key]


def test_outcomes_follow_the_lines_and_the_lines_found_paid_come_last(
    ledger_target: LedgerTarget,
) -> None:
    """A run's unpaid lines are numbered after its paid ones, the lines it finds already paid
    after those (refused already-paid); an earlier outcome of a key paid now is superseded."""
    from skillpolicy.ledger import OutcomeLine

    held = OutcomeLine(make_line(2, amount="0.00"), "pending", ("review",))
    refused = OutcomeLine(make_line(9, amount="0.00"), "refused", ("rule-x",))
    with ledger_target.open() as ledger:
        ledger.commit(make_run("R1"), [make_line(0)], [held])
        conflicts = ledger.commit(make_run("R2"), make_lines(3), [refused])
        stored = ledger.outcomes("R2")
    assert list(conflicts) == [make_line(0).key]
    numbered = ledger_target.sql(
        "SELECT line_no, line_key, status, current FROM outcomes WHERE run_id = 'R2' "
        "ORDER BY line_no"
    )
    assert numbered == [(4, make_line(9).key, "refused", 1), (5, make_line(0).key, "refused", 1)]
    assert [[reason.rule for reason in s.reasons] for s in stored] == [["rule-x"], ["already-paid"]]
    # line 2 was held in R1 and is paid by R2: its earlier outcome is no longer current
    assert ledger_target.sql("SELECT current FROM outcomes WHERE run_id = 'R1'") == [(0,)]


def test_amounts_round_trip_exactly_as_decimal_text(book: Ledger) -> None:
    """Amounts are stored as TEXT decimals and read back as the same Decimal, never a float."""
    amounts = ["0.01", "1900.00", "123456789.99", "0.10", "3333.33"]
    lines = [make_line(n, amount=a) for n, a in enumerate(amounts)]
    book.commit(make_run("R1"), lines)
    stored = {s.line.key: s.line.amount for s in book.lines()}
    for line, text in zip(lines, amounts, strict=True):
        assert str(stored[line.key]) == text
        assert str(book.paid([line.key])[line.key].amount) == text
    [run] = book.runs()
    assert run.total == sum((Decimal(a) for a in amounts), Decimal(0))


def test_amounts_are_stored_as_text(ledger_target: LedgerTarget) -> None:
    """The columns holding money hold decimal text (no float column on either backend)."""
    with ledger_target.open() as book:
        book.commit(make_run("R1"), [make_line(1, amount="0.10")])
    if ledger_target.backend == "sqlite":
        types = {t for (t,) in ledger_target.sql("SELECT DISTINCT typeof(amount) FROM lines")}
        types |= {t for (t,) in ledger_target.sql("SELECT DISTINCT typeof(total) FROM runs")}
        assert types == {"text"}
    else:
        declared = ledger_target.sql(
            "SELECT DISTINCT data_type FROM information_schema.columns WHERE table_schema = ? "
            "AND column_name IN ('amount', 'total')",
            (ledger_target.schema,),
        )
        assert declared == [("text",)]
    assert ledger_target.sql("SELECT amount FROM lines") == [("0.10",)]


def test_a_float_amount_is_refused_before_anything_is_written(book: Ledger) -> None:
    """A float amount is a programming error: nothing of the run is recorded."""
    bad = make_line(1, amount="1.00")
    # The wrong type on purpose: the run-time guard is what is under test.
    bad = bad._replace(amount=1900.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        book.commit(make_run("R1"), [make_line(0), bad])
    assert book.runs() == []


def test_paid_handles_1200_keys_in_chunks_of_at_most_500(tmp_path: Path) -> None:
    """paid() with 1,200 keys finds them all, asking SQLite at most 500 keys per statement."""
    book = SqliteLedger(tmp_path / "ledger.sqlite3")
    lines = make_lines(1200)
    book.commit(make_run("R1"), lines)
    statements: list[str] = []
    book._db.set_trace_callback(statements.append)
    found = book.paid([line.key for line in lines] + ["nobody"])
    book._db.set_trace_callback(None)
    assert len(found) == 1200
    lookups = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(lookups) == 3
    assert all(s.count(PROGRAM + "|") <= 500 for s in lookups)
    book.close()


def test_paid_finds_1200_keys(book: Ledger) -> None:
    """paid() with 1,200 keys and one unknown finds exactly the 1,200 (on either backend)."""
    lines = make_lines(1200)
    book.commit(make_run("R1"), lines)
    found = book.paid([line.key for line in lines] + ["nobody"])
    assert set(found) == {line.key for line in lines}


# --- voids ------------------------------------------------------------------------------------


def test_void_makes_keys_payable_again_and_is_recorded(book: Ledger) -> None:
    """A void is a record: the run is listed as voided, its lines stay (inactive), keys pay again."""
    lines = make_lines(3)
    book.commit(make_run("R1"), lines)
    void_id = book.void("R1", "花名册有误，重新上报")
    assert book.paid([line.key for line in lines]) == {}
    [run] = book.runs()
    assert run.voided_by == void_id
    stored = list(book.lines("R1"))
    assert len(stored) == 3
    assert not any(s.active for s in stored)
    assert book.commit(make_run("R2"), lines) == {}
    assert {e.run_id for e in book.paid([line.key for line in lines]).values()} == {"R2"}


def test_a_void_is_a_row_and_no_line_is_deleted(ledger_target: LedgerTarget) -> None:
    """After a void and a repayment the voids table holds the reason and every line is kept."""
    lines = make_lines(3)
    with ledger_target.open() as book:
        book.commit(make_run("R1"), lines)
        book.void("R1", "花名册有误，重新上报")
        book.commit(make_run("R2"), lines)
    assert ledger_target.sql("SELECT run_id, reason FROM voids") == [("R1", "花名册有误，重新上报")]
    assert ledger_target.sql("SELECT COUNT(*) FROM lines") == [(6,)]


def test_voiding_an_unknown_or_voided_run_is_an_input_error(book: Ledger) -> None:
    """Voiding a run that is not there, or twice, or without a reason, is refused."""
    book.commit(make_run("R1"), make_lines(1))
    with pytest.raises(InputError, match="没有运行"):
        book.void("R9", "原因")
    with pytest.raises(InputError, match="原因"):
        book.void("R1", "  ")
    book.void("R1", "原因")
    with pytest.raises(InputError, match="已于此前作废"):
        book.void("R1", "原因")


# --- opening by spec --------------------------------------------------------------------------


def test_open_ledger_accepts_a_path_and_a_sqlite_url(tmp_path: Path, monkeypatch: Any) -> None:
    """--ledger takes a path or sqlite:///path; a missing folder or (for reading) file is refused."""
    monkeypatch.chdir(tmp_path)
    assert ledger_path("sqlite:///sub/l.sqlite3") == Path("sub/l.sqlite3")
    assert ledger_path("sqlite:////abs/l.sqlite3") == Path("/abs/l.sqlite3")
    open_ledger(str(tmp_path / "a.sqlite3")).close()
    assert (tmp_path / "a.sqlite3").is_file()
    with pytest.raises(InputError, match="文件夹不存在"):
        open_ledger("sqlite:///missing/l.sqlite3")
    with pytest.raises(InputError, match="不存在"):
        open_ledger(str(tmp_path / "b.sqlite3"), create=False)
    assert not (tmp_path / "b.sqlite3").exists()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://clerk:secret@127.0.0.1:1/ledger",
        "postgres://clerk:secret@127.0.0.1:1/ledger",
        "host=127.0.0.1 port=1 dbname=ledger user=clerk password=secret",
    ],
)
def test_an_unreachable_postgresql_ledger_is_named_without_its_password(url: str) -> None:
    """A PostgreSQL ledger that cannot be reached is an input error naming host and database,
    never the password."""
    with pytest.raises(InputError, match="无法连接共享台账") as caught:
        open_ledger(url)
    assert "secret" not in str(caught.value)
    assert "clerk@127.0.0.1:1/ledger" in str(caught.value)


def test_default_ledger_is_in_the_platform_data_directory(tmp_path: Path, monkeypatch: Any) -> None:
    """No --ledger: ledger.sqlite3 under the user data directory, its folder created."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SKILLPOLICY_LEDGER", raising=False)
    path = default_ledger_path()
    assert path.name == "ledger.sqlite3"
    assert "skillpolicy" in path.parent.name
    open_ledger(None).close()
    assert path.is_file()


# --- concurrency with real processes ------------------------------------------------------------

WORKER = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from test_ledger import make_lines, make_run
from skillpolicy.ledger.open import open_ledger

_, _, ledger, name, folder, mode = sys.argv
folder = Path(folder)
lines = make_lines(2000)
if mode == "whole":
    batches = [lines]
else:  # 20 runs of 100 lines, the two workers walking the roster from opposite ends
    batches = [lines[i : i + 100] for i in range(0, 2000, 100)]
    if name == "B":
        batches = [list(reversed(b)) for b in reversed(batches)]
book = None if mode == "open-late" else open_ledger(ledger)
(folder / f"ready-{name}").touch()
while not (folder / "go").exists():
    time.sleep(0.001)
if book is None:
    book = open_ledger(ledger)
result = {"paid": [], "conflicts": {}}
for number, batch in enumerate(batches):
    run_id = f"{name}-{number:02d}"
    conflicts = book.commit(make_run(run_id), batch)
    result["conflicts"].update({k: e.run_id for k, e in conflicts.items()})
    result["paid"] += [line.key for line in batch if line.key not in conflicts]
book.close()
(folder / f"result-{name}.json").write_text(json.dumps(result))
"""


def run_two_workers(
    tmp_path: Path, mode: str, ledger: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    tests = str(Path(__file__).resolve().parent)
    workers = [
        subprocess.Popen(
            [sys.executable, str(script), tests, str(ledger), name, str(tmp_path), mode],
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("A", "B")
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{n}").exists() for n in ("A", "B")):
        assert time.monotonic() < deadline, "workers did not start"
        assert all(w.poll() is None for w in workers), [w.communicate()[1] for w in workers]
        time.sleep(0.01)
    (tmp_path / "go").touch()  # both start committing at the same moment
    for worker in workers:
        _, errors = worker.communicate(timeout=120)
        assert worker.returncode == 0, errors
    results = [json.loads((tmp_path / f"result-{n}.json").read_text()) for n in ("A", "B")]
    return results[0], results[1]


def assert_each_key_paid_once(a: dict[str, Any], b: dict[str, Any], ledger: LedgerTarget) -> None:
    keys = {line.key for line in make_lines(2000)}
    assert set(a["paid"]).isdisjoint(b["paid"])
    assert set(a["paid"]) | set(b["paid"]) == keys
    # what one worker was refused, the other paid, and the refusal names the other's run
    assert set(a["conflicts"]) == set(b["paid"])
    assert set(b["conflicts"]) == set(a["paid"])
    assert all(run.startswith("B-") for run in a["conflicts"].values())
    assert all(run.startswith("A-") for run in b["conflicts"].values())
    with ledger.open() as book:
        stored = active_keys(book)
        assert len(stored) == 2000
        assert set(stored) == keys
        assert sum(run.line_count for run in book.runs()) == 2000


@pytest.mark.slow
def test_two_processes_committing_the_same_roster_pay_each_line_once(
    tmp_path: Path, ledger_target: LedgerTarget
) -> None:
    """Two processes commit the same 2,000 lines at once: 2,000 active lines, conflicts partition."""
    ledger_target.open().close()
    a, b = run_two_workers(tmp_path, "whole", ledger_target.spec)
    assert_each_key_paid_once(a, b, ledger_target)
    assert sorted([len(a["paid"]), len(b["paid"])]) == [0, 2000]


@pytest.mark.slow
def test_interleaved_commits_from_two_fresh_processes_pay_each_line_once(
    tmp_path: Path, ledger_target: LedgerTarget
) -> None:
    """Two processes create the ledger together, then commit 20 overlapping runs each: no double pay."""
    a, b = run_two_workers(tmp_path, "open-late", ledger_target.spec)
    assert_each_key_paid_once(a, b, ledger_target)


# --- SQL portability ----------------------------------------------------------------------------


def test_placeholders_are_translated_in_one_place() -> None:
    """The shared SQL uses ? placeholders; the format style (PostgreSQL drivers) gets %s."""
    from skillpolicy.ledger import sqlite as module

    assert placeholders("SELECT a FROM t WHERE b = ? AND c = ?", "format") == (
        "SELECT a FROM t WHERE b = %s AND c = %s"
    )
    statements = [
        v
        for k, v in vars(module).items()
        if k.isupper() and not k.startswith("_") and isinstance(v, str)
    ]  # the _PRIVATE ones are SQLite-only set-up
    statements += [s for m in module.MIGRATIONS for s in m.statements]
    sqlite_only = re.compile(
        r"\b(AUTOINCREMENT|REAL|REPLACE|GLOB|DATETIME|STRFTIME|IFNULL|WITHOUT ROWID)\b", re.I
    )
    for statement in statements:
        assert "%" not in statement
        assert not sqlite_only.search(statement), statement


# --- the CLI ------------------------------------------------------------------------------------


def assert_one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("错误：")
    return lines[0]


@pytest.fixture
def filled_ledger(ledger_target: LedgerTarget) -> str:
    with ledger_target.open() as ledger:
        ledger.commit(make_run("20240301093000-aaaaaa"), make_lines(3))
        ledger.commit(make_run("20240302093000-bbbbbb", "second.xlsx"), make_lines(2, start=3))
    return ledger_target.spec


def read_export(path: Path) -> list[list[str]]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.reader(handle))
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def test_cli_ledger_list_shows_runs(run_cli: Callable[..., Any], filled_ledger: str) -> None:
    """`ledger list` exits 0 and shows each run with its file, line count and total."""
    result = run_cli("ledger", "list", "--ledger", filled_ledger)
    assert result.returncode == 0, result.stderr
    for text in ("20240301093000-aaaaaa", "second.xlsx", "5,700.00", "abababababab", "共 2 次运行"):
        assert text in result.stdout


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_cli_export_masks_identity_numbers_by_default(
    run_cli: Callable[..., Any], filled_ledger: str, tmp_path: Path, suffix: str
) -> None:
    """`ledger export` writes every line with identity numbers masked; --full-ids shows them."""
    out = tmp_path / f"export{suffix}"
    result = run_cli("ledger", "export", "--ledger", filled_ledger, "--out", out)
    assert result.returncode == 0, result.stderr
    rows = read_export(out)
    assert len(rows) == 1 + 5
    text = out.read_bytes() if suffix == ".csv" else json.dumps(rows, ensure_ascii=False).encode()
    for number in range(5):
        full = person_id(number)
        assert full.encode() not in text
        assert f"{full[:4]}{'*' * 10}{full[-4:]}".encode() in text
    full_out = tmp_path / f"full{suffix}"
    result = run_cli(
        "ledger", "export", "--ledger", filled_ledger, "--out", full_out, "--full-ids",
        "--run", "20240302093000-bbbbbb",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = read_export(full_out)
    assert [row[4] for row in rows[1:]] == [person_id(3), person_id(4)]
    assert {Decimal(row[10]) for row in rows[1:]} == {Decimal("1900.00")}  # CSV text, xlsx number


def test_cli_export_refuses_bad_requests(
    run_cli: Callable[..., Any], filled_ledger: str, tmp_path: Path
) -> None:
    """Unknown run, wrong suffix, missing ledger, or writing over the ledger: exit 2, one line."""
    assert "没有运行" in assert_one_error_line(
        run_cli(
            "ledger",
            "export",
            "--ledger",
            filled_ledger,
            "--run",
            "R?",
            "--out",
            tmp_path / "x.csv",
        )
    )
    assert_one_error_line(
        run_cli("ledger", "export", "--ledger", filled_ledger, "--out", tmp_path / "x.txt")
    )
    assert "不存在" in assert_one_error_line(
        run_cli("ledger", "list", "--ledger", tmp_path / "nope.sqlite3")
    )
    assert not (tmp_path / "nope.sqlite3").exists()
    assert not (tmp_path / "x.csv").exists()


def test_cli_export_never_writes_over_the_ledger(
    run_cli: Callable[..., Any], tmp_path: Path
) -> None:
    """An SQLite ledger named as the export's output is refused (exit 2) and left unchanged."""
    as_csv = tmp_path / "book.csv"
    with SqliteLedger(as_csv) as ledger:
        ledger.commit(make_run("R1"), make_lines(1))
    before = as_csv.read_bytes()
    assert_one_error_line(run_cli("ledger", "export", "--ledger", as_csv, "--out", as_csv))
    assert as_csv.read_bytes() == before


def test_cli_void_records_the_void(run_cli: Callable[..., Any], filled_ledger: str) -> None:
    """`ledger void RUN --reason` exits 0, list shows it voided; voiding again exits 2."""
    result = run_cli(
        "ledger", "void", "20240301093000-aaaaaa", "--reason", "重复上报", "--ledger", filled_ledger
    )
    assert result.returncode == 0, result.stderr
    assert "已作废运行 20240301093000-aaaaaa" in result.stdout
    listed = run_cli("ledger", "list", "--ledger", filled_ledger)
    assert "已作废" in listed.stdout
    assert "作废 1 次" in listed.stdout
    again = run_cli(
        "ledger", "void", "20240301093000-aaaaaa", "--reason", "再来", "--ledger", filled_ledger
    )
    assert "已于此前作废" in assert_one_error_line(again)
    assert "没有运行" in assert_one_error_line(
        run_cli("ledger", "void", "R-unknown", "--reason", "x", "--ledger", filled_ledger)
    )
    with open_ledger(filled_ledger) as book:
        assert len(list(book.lines())) == 5
        assert len(active_keys(book)) == 2


def test_cli_postgresql_ledger_exits_2_with_one_line(run_cli: Callable[..., Any]) -> None:
    """--ledger postgresql://… that cannot be reached: exit 2, one line, no password."""
    line = assert_one_error_line(
        run_cli("ledger", "list", "--ledger", "postgresql://clerk:secret@127.0.0.1:1/ledger")
    )
    assert "无法连接共享台账" in line
    assert "secret" not in line


def test_line_and_facts_fields_follow_the_column_order() -> None:
    """Rows are built positionally, so LedgerLine and LineFacts must list fields in column order."""
    from skillpolicy.ledger import LedgerLine, LineFacts
    from skillpolicy.ledger.sqlite import _FACT_COLUMNS, _LINE_ROW

    renamed = {"key": "line_key", "year": "start_year", "row": "sheet_row"}
    assert [renamed.get(f, f) for f in LedgerLine._fields[:12]] == list(_LINE_ROW[2:14])
    assert LineFacts._fields[1:] == _FACT_COLUMNS[1:]
    assert (LineFacts._fields[0], _FACT_COLUMNS[0]) == ("month", "pay_month")


def test_empty_integer_columns_are_stored_as_null_and_counted_as_null(
    ledger_target: LedgerTarget,
) -> None:
    """Tranche, year, row and inspections left empty are stored as NULL, never '', and summarised so."""
    from skillpolicy.ledger import LineFacts

    empty = make_line(1, year=None, row=None)
    filled = make_line(2, tranche=2, facts=LineFacts(month="2024-02", inspections=3))
    with ledger_target.open() as book:
        assert book.commit(make_run("R1"), [empty, filled]) == {}
        stored = {s.line.key: s.line for s in book.lines()}
    assert (stored[empty.key].tranche, stored[empty.key].year, stored[empty.key].row) == (
        None,
        None,
        None,
    )
    assert stored[empty.key].facts.inspections is None
    assert (stored[filled.key].tranche, stored[filled.key].facts.inspections) == (2, 3)
    typed = ledger_target.sql(
        "SELECT line_key, tranche, start_year, sheet_row, inspections FROM lines WHERE "
        "tranche IS NULL AND start_year IS NULL AND sheet_row IS NULL AND inspections IS NULL"
    )
    assert typed == [(empty.key, None, None, None, None)]
    groups = ledger_target.sql("SELECT tranche, pay_month, line_count FROM paid_groups")
    assert sorted(groups, key=str) == sorted([(None, "2024-03", 1), (2, "2024-02", 1)], key=str)
    assert ledger_target.sql("SELECT inspections, line_count FROM paid_classes") == [(3, 1)]


def test_a_line_must_name_a_recorded_run_and_a_named_run_stays(ledger_target: LedgerTarget) -> None:
    """Lines naming no recorded run are refused, and so are deleting or renaming a run that lines name."""
    with ledger_target.open() as book:
        book.commit(make_run("R1"), make_lines(2))
    columns = "run_id, line_no, line_key, program, subject, name, occupation, level, target, "
    columns += "amount, payee, active"
    orphan = f"INSERT INTO lines ({columns}) SELECT 'NO-SUCH-RUN', line_no + 100, line_key || 'x', "
    orphan += "program, subject, name, occupation, level, target, amount, payee, 1 FROM lines"
    refused = [
        orphan,
        "UPDATE lines SET run_id = 'NO-SUCH-RUN' WHERE line_no = 1",
        "DELETE FROM runs WHERE run_id = 'R1'",
        "UPDATE runs SET run_id = 'R9' WHERE run_id = 'R1'",
    ]
    for statement in refused:
        with pytest.raises(Exception, match=r"(?i)foreign key|name a recorded run|lines name"):
            foreign_keys_on(ledger_target, statement)
    assert ledger_target.sql("SELECT COUNT(*) FROM lines") == [(2,)]
    assert ledger_target.sql("SELECT run_id FROM runs") == [("R1",)]


def foreign_keys_on(target: LedgerTarget, statement: str) -> None:
    """Run ``statement`` in its own transaction, with SQLite's foreign keys on (as the ledger runs)."""
    if target.backend == "sqlite":
        db = sqlite3.connect(target.spec, isolation_level=None)
        try:
            db.execute("PRAGMA foreign_keys = ON")
            db.execute(statement)
        finally:
            db.close()
        return
    import psycopg

    with psycopg.connect(target.spec, autocommit=True) as server:
        server.execute(statement)


def test_run_rows_are_the_lines_column_for_column() -> None:
    """run_rows makes each line's row in column order: the run's month filled in, a key once, NULLs stood in."""
    from skillpolicy.ledger import LineFacts
    from skillpolicy.ledger.sqlite import _LINE_ROW, run_rows

    lines = [
        make_line(1, facts=LineFacts(month="2024-01", institution="甲校", inspections=2)),
        make_line(2, amount="950.50", tranche=1),
        make_line(1, amount="1.00"),  # the key of the first line again
    ]
    made = run_rows(make_run("R1"), lines, null="")
    assert [dict(zip(_LINE_ROW, row, strict=True)) for row in made.rows] == [
        {**expected_row(lines[0], 1, "2024-01"), "tranche": ""},
        {**expected_row(lines[1], 2, "2024-03"), "inspections": ""},
    ]
    assert list(made.repeats) == [lines[0].key]
    assert made.paid() == (2, Decimal("2850.50"))
    assert made.paid({lines[1].key}) == (1, Decimal("1900.00"))
    kept = run_rows(make_run("R1"), lines[1:2])  # no stand-in: None stays None
    assert [row[2] for row in kept.rows] == [lines[1].key]
    assert kept.rows[0][_LINE_ROW.index("inspections")] is None


def test_a_null_integer_is_bound_as_a_nan_that_sqlite_stores_as_null(tmp_path: Path) -> None:
    """The commit binds an integer column's NULL as a float NaN, with no NULLIF in its
    statement; SQLite stores the NaN as NULL, and the paid summaries count such a line as
    NULL too (a NULL tranche in its group, no class without inspections)."""
    import math

    from skillpolicy.ledger import LineFacts
    from skillpolicy.ledger.sqlite import _NULL, INSERT_LINE_IF_NEW

    assert math.isnan(_NULL) and "NULLIF" not in INSERT_LINE_IF_NEW
    path = tmp_path / "ledger.sqlite3"
    with SqliteLedger(path) as book:
        book.commit(
            make_run("R1"),
            [
                make_line(1, year=None, row=None),
                make_line(2, tranche=2, facts=LineFacts(institution="甲校", inspections=3)),
            ],
        )
    db = sqlite3.connect(path)
    try:
        stored = db.execute(
            "SELECT line_no, typeof(tranche), typeof(start_year), typeof(sheet_row), "
            "typeof(inspections) FROM lines ORDER BY line_no"
        ).fetchall()
        groups = db.execute("SELECT tranche, line_count FROM paid_groups ORDER BY 1").fetchall()
        classes = db.execute("SELECT inspections, line_count FROM paid_classes").fetchall()
    finally:
        db.close()
    assert stored == [
        (1, "null", "null", "null", "null"),
        (2, "integer", "integer", "integer", "integer"),
    ]
    assert groups == [(None, 1), (2, 1)]
    assert classes == [(3, 1)]


def expected_row(line: LedgerLine, number: int, month: str) -> dict[str, Any]:
    facts = line.facts._replace(month=month)
    return {
        "run_id": "R1",
        "line_no": number,
        "line_key": line.key,
        "program": line.program,
        "subject": line.subject,
        "name": line.name,
        "occupation": line.occupation,
        "level": line.level,
        "tranche": line.tranche,
        "target": line.target,
        "start_year": line.year,
        "amount": str(line.amount),
        "payee": line.payee,
        "sheet_row": line.row,
        **dict(zip(("pay_month", *facts._fields[1:]), facts, strict=True)),
    }


# --- validate and subsidy against a ledger (found by tests/test_fuzz.py) ------------------------

EXAMPLE_PARAMS = Path(__file__).resolve().parents[1] / "examples" / "skillpolicy.toml"
GUANGXI_HEADER = GUANGXI_PAYOUT_HEADER
DESIGNATION_HEADER = ["单位名称", "统一社会信用代码", "评审得分", "是否授牌", "验收结果"]


def test_a_line_paid_before_is_refused_even_when_it_would_now_be_pending(
    tmp_path: Path,
    xlsx: Callable[..., Path],
    resident_id: Callable[[str], str],
    ledger_target: LedgerTarget,
) -> None:
    """Paid once, the same trainee with 鉴定结果 blank is refused already-paid, as validate says."""
    from skillpolicy.check.validate import validate_sheet
    from skillpolicy.compute.paycommit import commit_payout
    from skillpolicy.compute.subsidy import compute_subsidy
    from skillpolicy.loading.programfiles import load_program

    program = load_program(PROGRAM)
    row = [
        "韦志强",
        resident_id("45010219800315101"),
        "数控车工",
        "高级工",
        "2008-05-20",
        "技师",
        "广西机电技师学院",
    ]
    certified = xlsx(tmp_path / "第一期.xlsx", [GUANGXI_HEADER, [*row, "合格"]])
    waiting = xlsx(tmp_path / "第二期.xlsx", [GUANGXI_HEADER, [*row, None]])
    with ledger_target.open() as ledger:
        first = compute_subsidy(certified, program, params_file=EXAMPLE_PARAMS, ledger=ledger)
        commit_payout(first, ledger)
        assert first.total == Decimal("1900.00")
        report = validate_sheet(waiting, program, params_file=EXAMPLE_PARAMS, ledger=ledger)
        payout = compute_subsidy(waiting, program, params_file=EXAMPLE_PARAMS, ledger=ledger)
    assert [(f.row, f.rule, f.severity) for f in report.findings] == [(2, "already-paid", "error")]
    [line] = payout.lines
    assert (line.status, [r.rule for r in line.reasons]) == ("refused", ["already-paid"])
    assert first.run_id is not None and first.run_id in line.reasons[0].message
    assert payout.report.to_json() == report.to_json()  # the same findings, so exit 1 for both
    assert payout.has_violations and report.has_errors


class CollectorWatch:
    """A ledger that notes whether Python's cyclic collector was on while it committed."""

    def __init__(self, inner: Ledger, fail: bool = False) -> None:
        self.inner, self.fail, self.location = inner, fail, inner.location
        self.collector_on: list[bool] = []

    def commit(self, run: RunInfo, lines: Any, outcomes: Any = ()) -> Any:
        import gc

        self.collector_on.append(gc.isenabled())
        if self.fail:
            raise InputError("台账写入失败（测试）")
        return self.inner.commit(run, lines, outcomes)


def test_the_commit_runs_with_the_cyclic_collector_paused_and_restores_it(
    tmp_path: Path, xlsx: Callable[..., Path], resident_id: Callable[[str], str]
) -> None:
    """commit_payout holds the cyclic collector off while the ledger commits and turns it back
    on afterwards, also when the commit fails; a collector already off stays off."""
    import gc

    from skillpolicy.compute.paycommit import commit_payout
    from skillpolicy.compute.subsidy import compute_subsidy
    from skillpolicy.loading.programfiles import load_program

    row = ["韦志强", resident_id("45010219800315101"), "数控车工", "高级工", "2008-05-20",
           "技师", "广西机电技师学院", "合格"]  # fmt: skip
    sheet = xlsx(tmp_path / "名册.xlsx", [GUANGXI_HEADER, row])
    program = load_program(PROGRAM)
    assert gc.isenabled()
    with SqliteLedger(tmp_path / "ledger.sqlite3", create=True) as ledger:
        watch = CollectorWatch(ledger)
        payout = compute_subsidy(sheet, program, params_file=EXAMPLE_PARAMS)
        commit_payout(payout, watch)  # type: ignore[arg-type]
        assert watch.collector_on == [False] and gc.isenabled()
        assert payout.run_id is not None and ledger.runs()[0].total == Decimal("1900.00")
        failing = CollectorWatch(ledger, fail=True)
        with pytest.raises(InputError):
            commit_payout(compute_subsidy(sheet, program, params_file=EXAMPLE_PARAMS), failing)  # type: ignore[arg-type]
        assert failing.collector_on == [False] and gc.isenabled()
        gc.disable()
        try:
            commit_payout(compute_subsidy(sheet, program, params_file=EXAMPLE_PARAMS), watch)  # type: ignore[arg-type]
            assert not gc.isenabled()
        finally:
            gc.enable()


def test_a_unit_listed_twice_is_paid_once_even_without_a_ledger(
    tmp_path: Path, xlsx: Callable[..., Path]
) -> None:
    """A unit on two rows of a designation sheet: the repeat is a duplicate-person error, so the
    payout (and the schedule printed from it) pays the unit once, ledger or not."""
    from skillpolicy.check.validate import validate_sheet
    from skillpolicy.compute.subsidy import compute_subsidy
    from skillpolicy.loading.programfiles import load_program

    program = load_program("jincheng-2022-workstation")
    unit = ["晋城市兰花煤化工有限责任公司", "91140500MA0K12348W", 91.5, "是", "合格"]
    sheet = xlsx(tmp_path / "授牌.xlsx", [DESIGNATION_HEADER, unit, unit])
    report = validate_sheet(sheet, program)
    assert [(f.row, f.column, f.rule) for f in report.findings] == [
        (3, "统一社会信用代码", "duplicate-person")
    ]
    assert "第2行" in report.findings[0].message
    payout = compute_subsidy(sheet, program)
    shown = [(line.row, line.tranche, line.status, line.amount) for line in payout.lines]
    assert shown == [
        (2, 1, "paid", Decimal("120000.00")),
        (2, 2, "paid", Decimal("180000.00")),
        (3, 1, "refused", Decimal("0.00")),
        (3, 2, "refused", Decimal("0.00")),
    ]
    assert payout.total == Decimal("300000.00")


def test_a_key_twice_in_one_commit_is_recorded_and_shown_once(
    tmp_path: Path, xlsx: Callable[..., Path], ledger_target: LedgerTarget
) -> None:
    """Should a payout reach the commit with a key twice, the ledger records the first line and
    the payout shows the repeat refused already-paid, so its total is the ledger's."""
    from dataclasses import replace

    from skillpolicy.compute.paycommit import commit_payout
    from skillpolicy.compute.subsidy import compute_subsidy
    from skillpolicy.loading.programfiles import load_program

    unit = ["晋城市兰花煤化工有限责任公司", "91140500MA0K12348W", 91.5, "是", "合格"]
    sheet = xlsx(tmp_path / "授牌.xlsx", [DESIGNATION_HEADER, unit])
    with ledger_target.open() as ledger:
        payout = compute_subsidy(sheet, load_program("jincheng-2022-workstation"), ledger=ledger)
        payout.lines.extend([replace(line, row=3) for line in payout.lines])  # same keys
        commit_payout(payout, ledger)
        [run] = ledger.runs()
        stored = [(s.line.row, s.line.tranche, s.line.amount) for s in ledger.lines()]
    shown = [(line.row, line.tranche, line.status, line.amount) for line in payout.lines]
    assert shown == [
        (2, 1, "paid", Decimal("120000.00")),
        (2, 2, "paid", Decimal("180000.00")),
        (3, 1, "refused", Decimal("0.00")),
        (3, 2, "refused", Decimal("0.00")),
    ]
    assert all(r.rule == "already-paid" and run.run_id in r.message
               for line in payout.lines[2:] for r in line.reasons)  # fmt: skip
    assert stored == [(2, 1, Decimal("120000.00")), (2, 2, Decimal("180000.00"))]
    assert payout.total == run.total == Decimal("300000.00")


XUCHANG_HEADER = [
    "姓名", "身份证号", "人员类别", "培训类别", "培训类型", "职业(工种)", "培训机构",
    "开班审批日期", "开班日期", "结业日期", "到课率", "抽查次数", "鉴定结果", "证书编号",
]  # fmt: skip


def test_a_huge_number_in_a_date_or_count_cell_does_not_stop_the_commit(
    tmp_path: Path,
    xlsx: Callable[..., Path],
    resident_id: Callable[[str], str],
    ledger_target: LedgerTarget,
) -> None:
    """开班日期 or 抽查次数 holding 10^20 commits (year and count left out), not an OverflowError."""
    from skillpolicy.compute.paycommit import commit_payout
    from skillpolicy.compute.subsidy import compute_subsidy
    from skillpolicy.loading.programfiles import load_program

    def trainee(number: str, start: Any, inspections: Any) -> list[Any]:
        return [
            "王建伟", resident_id(number), "农村转移就业劳动者", "农村劳动力培训", "就业技能培训",
            "电焊工", "许昌技师学院", "2013-09-02", start, "2013-11-20", 0.92, inspections, "合格",
            "1341000000123456",
        ]  # fmt: skip

    rows = [
        trainee("41100219800315101", 10**20, 3),
        trainee("41100219800315102", "2013-09-09", 10**20),
    ]
    sheet = xlsx(tmp_path / "花名册.xlsx", [XUCHANG_HEADER, *rows])
    program = load_program("xuchang-2013-revitalization")
    with ledger_target.open() as ledger:
        payout = compute_subsidy(sheet, program, params_file=EXAMPLE_PARAMS, ledger=ledger)
        commit_payout(payout, ledger)
        [stored] = list(ledger.lines())
    assert [line.status for line in payout.lines] == ["refused", "paid"]
    assert payout.lines[0].year is None  # an unreadable 开班日期 has no year
    assert (stored.line.row, stored.line.year, stored.line.facts.inspections) == (3, 2013, None)


def test_ledger_lines_make_each_line_as_ledger_line_does() -> None:
    """ledger_lines (the commit's bulk path) makes each payout line exactly as PayLine.ledger_line does, in order."""
    from skillpolicy.compute.paylines import ledger_lines
    from skillpolicy.compute.subsidy import compute_subsidy
    from skillpolicy.loading.programfiles import load_program

    examples = EXAMPLE_PARAMS.parent
    lines = []
    for program_id in ("xuchang-2013-revitalization", "guangxi-2012-technician"):
        payout = compute_subsidy(
            examples / f"{program_id}.xlsx", load_program(program_id), params_file=EXAMPLE_PARAMS
        )
        made = ledger_lines(payout.lines, program_id)
        assert made == [line.ledger_line(program_id) for line in payout.lines]
        assert all(type(line) is LedgerLine for line in made)
        lines += made
    assert {line.status for line in payout.lines} >= {"paid", "refused"}
    assert len({line.facts for line in lines}) > 1 and len({line.amount for line in lines}) > 1
