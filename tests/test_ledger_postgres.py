"""The shared PostgreSQL ledger: offices committing at once, processes killed and connections
dropped mid-commit, moving a desk's SQLite ledger in, least privilege, the city report.

These need a PostgreSQL server: conftest.py starts a throwaway one (tests/pgcluster.py) or
uses SKILLPOLICY_TEST_POSTGRES; locally they are skipped with one line saying how when
neither is possible, in CI (CI set) they fail instead.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

import pgcluster
from conftest import LedgerTarget, PostgresServer, cli_env, postgres_target, skillpolicy_script
from skillpolicy.domain.errors import InputError
from skillpolicy.ledger import LedgerLine, LineFacts, OutcomeLine, RunInfo
from skillpolicy.ledger.open import open_ledger
from skillpolicy.ledger.postgres import mask_password, shown_location
from skillpolicy.ledger.sqlite import SqliteLedger
from test_ledger import GUANGXI_HEADER, PROGRAM, make_line, make_lines, person_id

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def run_info(run_id: str, office: str, created_at: str = "2024-03-01T09:30:00+08:00") -> RunInfo:
    return RunInfo(run_id, PROGRAM, f"{run_id}.xlsx", "cd" * 32, created_at, {}, office, "tester")


def backend_pids(server: PostgresServer, query_start: str) -> list[int]:
    """The server processes of skillpolicy connections running a statement starting so."""
    with psycopg.connect(server.url, autocommit=True) as db:
        rows = db.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'skillpolicy' "
            "AND state = 'active' AND query LIKE %s",
            (query_start + "%",),
        ).fetchall()
    return [pid for (pid,) in rows]


def waiting_pids(server: PostgresServer) -> list[int]:
    """The server processes of skillpolicy connections waiting for another transaction (a key
    it inserts that another transaction inserted and has not ended), whatever the statement."""
    with psycopg.connect(server.url, autocommit=True) as db:
        rows = db.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'skillpolicy' "
            "AND wait_event_type = 'Lock' AND wait_event = 'transactionid'"
        ).fetchall()
    return [pid for (pid,) in rows]


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.005)
    raise AssertionError(f"timed out waiting for {what}")


# --- eight offices at once ----------------------------------------------------------------------

OFFICE_WORKER = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from test_ledger import make_lines
from test_ledger_postgres import run_info
from skillpolicy.ledger.open import open_ledger

_, _, spec, number, folder = sys.argv
number = int(number)
folder = Path(folder)
office = f"第{number}县人社局"
# 8 rosters of 1,500 lines over 4,000 entitlements: each overlaps its neighbours'
lines = [make_lines(1, start=(number * 500 + n) % 4000)[0] for n in range(1500)]
batches = [lines[i : i + 300] for i in range(0, 1500, 300)]
book = open_ledger(spec)
(folder / f"ready-{number}").touch()
while not (folder / "go").exists():
    time.sleep(0.001)
result = {"office": office, "offered": [l.key for l in lines], "paid": {}, "refused": {}}
for index, batch in enumerate(batches):
    run_id = f"W{number}-{index}"
    conflicts = book.commit(run_info(run_id, office), batch)
    for line in batch:
        if line.key in conflicts:
            entry = conflicts[line.key]
            result["refused"][line.key] = [entry.run_id, entry.office]
        else:
            result["paid"][line.key] = run_id
book.close()
(folder / f"result-{number}.json").write_text(json.dumps(result, ensure_ascii=False))
"""


@pytest.mark.slow
def test_eight_offices_committing_overlapping_rosters_pay_each_entitlement_once(
    tmp_path: Path, postgres_target_fixture: LedgerTarget
) -> None:
    """Eight processes (eight offices) commit overlapping rosters at once: every entitlement is
    paid exactly once, and the already-paid refusals account for every other line, each naming
    the run and office that did pay it."""
    target = postgres_target_fixture
    target.open().close()
    script = tmp_path / "office_worker.py"
    script.write_text(OFFICE_WORKER, encoding="utf-8")
    workers = [
        subprocess.Popen(
            [sys.executable, str(script), str(TESTS), target.spec, str(n), str(tmp_path)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(8)
    ]
    wait_for(lambda: all((tmp_path / f"ready-{n}").exists() for n in range(8)), "workers")
    (tmp_path / "go").touch()
    for worker in workers:
        _, errors = worker.communicate(timeout=300)
        assert worker.returncode == 0, errors
    results = [json.loads((tmp_path / f"result-{n}.json").read_text()) for n in range(8)]
    winners: dict[str, tuple[str, str]] = {}  # key -> (run, office) that paid it
    for result in results:
        assert set(result["paid"]) | set(result["refused"]) == set(result["offered"])
        assert set(result["paid"]).isdisjoint(result["refused"])
        for key, run_id in result["paid"].items():
            assert key not in winners, f"{key} paid twice"
            winners[key] = (run_id, result["office"])
    offered = {key for result in results for key in result["offered"]}
    assert set(winners) == offered
    for result in results:
        for key, (run_id, office) in result["refused"].items():
            assert winners[key] == (run_id, office)
            assert office != result["office"] or run_id.startswith("W")
    rows = target.sql("SELECT line_key, run_id FROM lines WHERE active = 1")
    assert len(rows) == len({key for key, _ in rows}) == len(offered)
    assert dict(rows) == {key: run for key, (run, _) in winners.items()}
    runs = {run.run_id: run for run in open_ledger(target.spec).runs()}
    assert sum(run.line_count for run in runs.values()) == len(offered)
    assert sum(run.total for run in runs.values()) == Decimal("1900.00") * len(offered)


# --- a process killed mid-commit ------------------------------------------------------------------

COMMIT_WORKER = r"""
import sys
sys.path.insert(0, sys.argv[1])
from test_ledger import make_lines
from test_ledger_postgres import outcome_lines, run_info
from skillpolicy.ledger.open import open_ledger

_, _, spec, run_id, count = sys.argv
book = open_ledger(spec)
book.commit(run_info(run_id, "魏都区人社局"), make_lines(int(count)), outcome_lines(int(count)))
book.close()
"""
KILL_LINES = 40_000


def outcome_lines(count: int) -> list[OutcomeLine]:
    """``count`` pending lines of other people (so a commit also writes many outcomes)."""
    return [
        OutcomeLine(make_line(100_000 + n, amount="0.00"), "pending", ("review",))
        for n in range(count)
    ]


def start_commit(target: LedgerTarget, tmp_path: Path, run_id: str) -> subprocess.Popen[str]:
    script = tmp_path / "commit_worker.py"
    script.write_text(COMMIT_WORKER, encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, str(script), str(TESTS), target.spec, run_id, str(KILL_LINES)],
        stderr=subprocess.PIPE,
        text=True,
    )


def hold_paid_groups(server_spec: str) -> psycopg.Connection[Any]:
    """A transaction holding the report summaries' table: a commit that reaches it waits there,
    with its run and lines inserted but not committed."""
    holder = psycopg.connect(server_spec)
    holder.execute("LOCK TABLE paid_groups IN ACCESS EXCLUSIVE MODE")
    return holder


@pytest.mark.slow
@pytest.mark.parametrize(
    "stage",
    ["COPY incoming_lines", "COPY paid_groups", "COPY outcomes"],
    ids=["copying-lines", "lines-inserted", "writing-outcomes"],
)
def test_a_commit_killed_at_any_point_leaves_nothing_and_a_rerun_pays_the_remainder(
    tmp_path: Path, postgres_target_fixture: LedgerTarget, stage: str
) -> None:
    """kill -9 of a committing process while it copies its lines, after its lines went in, or
    while it writes its outcomes: no trace of its run; rerun, it pays exactly what was unpaid."""
    target = postgres_target_fixture
    server = target.server
    assert server is not None
    earlier = make_lines(KILL_LINES // 4)
    with target.open() as book:
        book.commit(run_info("P0", "城区人社局"), earlier)
    holder = hold_paid_groups(target.spec) if stage == "COPY paid_groups" else None
    worker = start_commit(target, tmp_path, "K1")
    try:
        pids = wait_for(
            lambda: backend_pids(server, stage) or worker.poll() is not None, f"stage {stage}"
        )
        assert worker.poll() is None, f"the commit ended before {stage}: {worker.stderr}"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if holder is not None:
            holder.rollback()
            holder.close()
    assert isinstance(pids, list)
    gone = wait_for(
        lambda: not target.sql("SELECT 1 FROM pg_stat_activity WHERE pid = ANY(?)", (pids,)),
        "the killed commit's server process to end",
    )
    assert gone
    assert target.sql("SELECT run_id FROM runs ORDER BY run_id") == [("P0",)]
    assert target.sql("SELECT COUNT(*) FROM lines") == [(len(earlier),)]
    for table in ("outcomes", "paid_groups", "paid_classes"):
        assert target.sql(f"SELECT COUNT(*) FROM {table} WHERE run_id = 'K1'") == [(0,)]
    everything = make_lines(KILL_LINES)
    with target.open() as book:
        conflicts = book.commit(run_info("K2", "魏都区人社局"), everything)
        [rerun] = [run for run in book.runs() if run.run_id == "K2"]
    assert set(conflicts) == {line.key for line in earlier}
    assert {entry.run_id for entry in conflicts.values()} == {"P0"}
    assert rerun.line_count == KILL_LINES - len(earlier)
    assert target.sql("SELECT COUNT(*) FROM lines WHERE active = 1") == [(KILL_LINES,)]


@pytest.mark.slow
def test_a_commit_killed_while_copying_its_lines_straight_in_leaves_nothing(
    tmp_path: Path, postgres_target_fixture: LedgerTarget
) -> None:
    """kill -9 of a process copying a run's lines straight into ``lines`` (no key held
    elsewhere): no run, line or outcome of it is left, and a rerun pays every line."""
    target = postgres_target_fixture
    server = target.server
    assert server is not None
    target.open().close()
    worker = start_commit(target, tmp_path, "K1")
    pids = wait_for(
        lambda: backend_pids(server, "COPY lines") or worker.poll() is not None, "COPY lines"
    )
    assert worker.poll() is None, f"the commit ended before copying its lines: {worker.stderr}"
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    assert isinstance(pids, list)
    wait_for(
        lambda: not target.sql("SELECT 1 FROM pg_stat_activity WHERE pid = ANY(?)", (pids,)),
        "the killed commit's server process to end",
    )
    for table in ("runs", "lines", "outcomes", "paid_groups", "paid_classes", "run_steps"):
        assert target.sql(f"SELECT COUNT(*) FROM {table}") == [(0,)]
    with target.open() as book:
        assert book.commit(run_info("K2", "魏都区人社局"), make_lines(KILL_LINES)) == {}
        [rerun] = book.runs()
    assert (rerun.run_id, rerun.line_count) == ("K2", KILL_LINES)


# --- the connection drops mid-commit ------------------------------------------------------------


def guangxi_roster(path: Path, count: int) -> Path:
    """A guangxi-2012-technician roster of ``count`` certified trainees (each paid 1,900.00)."""
    from conftest import make_resident_id, write_rows

    rows = [
        [
            f"学员{n}",
            make_resident_id(f"45010219800101{n:03d}"),
            "焊工",
            "高级工",
            "2008-01-01",
            "技师",
            "广西机电技师学院",
            "合格",
        ]
        for n in range(count)
    ]
    return write_rows(path, [GUANGXI_HEADER, *rows])


def run_cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [skillpolicy_script(), *map(str, args)], cwd=cwd, env=cli_env(), capture_output=True,
        text=True, encoding="utf-8", timeout=300, check=False,
    )  # fmt: skip


@pytest.fixture
def private_postgres_target(postgres_server: PostgresServer) -> Iterator[LedgerTarget]:
    """A ledger on a cluster of this test's own, which it may restart without cutting the
    connections of tests running beside it on the shared server."""
    folder = Path(tempfile.mkdtemp(prefix="skillpolicy-pg-own-"))
    try:
        server = PostgresServer(pgcluster.start(folder), folder)
        yield from postgres_target(server)
    finally:
        pgcluster.stop(folder)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
def test_a_connection_dropped_mid_commit_is_one_line_exit_2_and_nothing_partial(
    tmp_path: Path, private_postgres_target: LedgerTarget
) -> None:
    """The server goes away while subsidy --commit is inside its transaction: one line on
    stderr, exit 2, no run and no line recorded; the next run pays every line."""
    target = private_postgres_target
    server = target.server
    assert server is not None
    roster = guangxi_roster(tmp_path / "花名册.xlsx", 50)
    target.open().close()
    holder = hold_paid_groups(target.spec)
    command = [skillpolicy_script(), "subsidy", str(roster), "--program", PROGRAM,
               "--ledger", target.spec, "--commit", "--office", "魏都区人社局"]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=tmp_path, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, encoding="utf-8",
    )  # fmt: skip
    try:
        pids = wait_for(
            lambda: backend_pids(server, "COPY paid_groups") or process.poll() is not None,
            "the commit to wait inside its transaction",
        )
        assert process.poll() is None, process.communicate()
        if server.folder is not None:
            pgcluster.restart(server.folder)  # the server itself goes away and comes back
        else:
            target.sql("SELECT pg_terminate_backend(pid) FROM unnest(?::int[]) AS pid", (pids,))
        out, err = process.communicate(timeout=120)
    finally:
        holder.close()
    assert process.returncode == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "连接中断" in lines[0] and "未记入台账" in lines[0]
    assert "Traceback" not in err
    assert target.sql("SELECT COUNT(*) FROM runs") == [(0,)]
    assert target.sql("SELECT COUNT(*) FROM lines") == [(0,)]
    again = run_cli(*command[1:], cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert target.sql("SELECT COUNT(*), MIN(r.office) FROM lines l JOIN runs r USING (run_id)") == [
        (50, "魏都区人社局")
    ]


# --- moving an office's SQLite ledger in ---------------------------------------------------------


def test_migrating_a_desk_ledger_lists_conflicts_and_copies_nothing_twice(
    tmp_path: Path, postgres_target_fixture: LedgerTarget
) -> None:
    """ledger migrate copies a desk's runs as its office's; lines another office already paid
    are not copied but listed in a file (exit 1); a second migration copies nothing."""
    target = postgres_target_fixture
    desk = tmp_path / "魏都区.sqlite3"
    with SqliteLedger(desk) as book:
        book.commit(run_info("D1", ""), make_lines(6))
        book.commit(run_info("D2", ""), make_lines(3, start=6))
        book.void("D2", "重复上报")
    with target.open() as shared:
        shared.commit(run_info("C1", "东城区人社局"), [make_line(4), make_line(5), make_line(7)])
    conflicts = tmp_path / "冲突.csv"
    first = run_cli(
        "ledger", "migrate", "--from", desk, "--to", target.spec, "--office", "魏都区人社局",
        "--conflicts", conflicts, cwd=tmp_path,
    )  # fmt: skip
    assert first.returncode == 1, first.stderr
    assert "已迁入 2 次运行" in first.stdout
    assert "2 笔已由其他经办机构发放" in first.stderr
    with conflicts.open(encoding="utf-8-sig", newline="") as handle:
        listed = list(csv.reader(handle))
    assert [(row[0], row[9], row[10]) for row in listed[1:]] == [
        ("D1", "C1", "东城区人社局"),
        ("D1", "C1", "东城区人社局"),
    ]
    assert person_id(4) not in conflicts.read_text(encoding="utf-8-sig")  # masked
    with target.open() as shared:
        runs = {run.run_id: run for run in shared.runs()}
        active = {s.line.key: s.run_id for s in shared.lines() if s.active}
    assert runs["D1"].office == runs["D2"].office == "魏都区人社局"
    assert (runs["D1"].line_count, runs["D1"].total) == (4, Decimal("7600.00"))
    assert runs["D2"].voided_by is not None
    assert active == {
        **{make_line(n).key: "D1" for n in (0, 1, 2, 3)},
        **{make_line(n).key: "C1" for n in (4, 5, 7)},
    }
    before = target.sql("SELECT COUNT(*) FROM lines")
    second = run_cli(
        "ledger", "migrate", "--from", desk, "--to", target.spec, "--office", "魏都区人社局",
        cwd=tmp_path,
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    assert "已迁入 0 次运行、0 笔" in second.stdout and "跳过的运行 2 次" in second.stdout
    assert target.sql("SELECT COUNT(*) FROM lines") == before
    assert not list(tmp_path.glob("迁移冲突-*.csv"))


# --- least privilege ------------------------------------------------------------------------------


@pytest.fixture
def roles_database(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh database with sql/roles.sql applied (the roles are the cluster's)."""
    name = f"ledger_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_server.url, autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")
    url = postgres_server.url.replace("/postgres?", f"/{name}?", 1)
    try:
        yield url
    finally:
        with psycopg.connect(postgres_server.url, autocommit=True) as db:
            db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def apply_roles(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as db:
        db.execute((ROOT / "sql" / "roles.sql").read_text(encoding="utf-8"))


def as_role(url: str, role: str) -> str:
    return url.replace("postgresql://postgres@", f"postgresql://{role}@", 1)


def test_the_clerk_role_records_and_voids_but_cannot_change_amounts_or_delete(
    roles_database: str,
) -> None:
    """With sql/roles.sql the owner migrates; a clerk commits and voids runs, and is refused
    UPDATE of amounts or totals and any DELETE; a clerk cannot migrate a new ledger."""
    url = roles_database
    apply_roles(url)
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'wang_li') THEN "
            "CREATE ROLE wang_li LOGIN IN ROLE skillpolicy_clerk; END IF; END $$"
        )
    clerk = as_role(url, "wang_li")
    with pytest.raises(InputError, match="所有者") as caught:
        open_ledger(clerk)
    assert "wang_li" in str(caught.value) or "台账" in str(caught.value)
    open_ledger(as_role(url, "skillpolicy_owner")).close()  # the owner creates the tables
    apply_roles(url)  # and the grants on them
    with open_ledger(clerk) as book:
        assert book.commit(run_info("R1", "魏都区人社局"), make_lines(3)) == {}
        book.commit(run_info("R2", "魏都区人社局"), make_lines(2, start=3))
        book.void("R2", "重复上报")
        assert len(book.paid([line.key for line in make_lines(5)])) == 3
        book.take_step("R1", "复核", "李复核")
        assert book.take_step("R1", "审批", "王审批") == "approved"
        assert book.verify().bad is None
    forbidden = [
        "UPDATE lines SET amount = '1.00'",
        "UPDATE runs SET total = '1.00'",
        "UPDATE paid_groups SET amount = '1.00'",
        "DELETE FROM lines",
        "DELETE FROM voids",
        "DELETE FROM runs",
        "TRUNCATE outcomes",
        "INSERT INTO schema_migrations VALUES (99, 'x', 'y')",
        "UPDATE audit_log SET actor = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "UPDATE run_steps SET actor = 'x'",
        "DELETE FROM run_steps",
    ]
    for statement in forbidden:
        with (
            psycopg.connect(clerk, autocommit=True) as db,
            pytest.raises(psycopg.errors.InsufficientPrivilege),
        ):
            db.execute(statement)
    with psycopg.connect(url, autocommit=True) as db:
        owner_of = db.execute(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'skillpolicy'"
        ).fetchall()
    assert owner_of == [("skillpolicy_owner",)]


# --- finding the shared ledger ------------------------------------------------------------------


def test_the_ledger_comes_from_skillpolicy_ledger_or_a_service_name(
    tmp_path: Path, postgres_target_fixture: LedgerTarget, monkeypatch: Any
) -> None:
    """Without --ledger, SKILLPOLICY_LEDGER names the shared ledger; --ledger service=NAME
    reads host, database and options from the libpq service file (no password anywhere)."""
    target = postgres_target_fixture
    with target.open() as book:
        book.commit(run_info("R1", "魏都区人社局"), make_lines(2))
    monkeypatch.setenv("SKILLPOLICY_LEDGER", target.spec)
    with open_ledger(None) as book:
        assert [run.run_id for run in book.runs()] == ["R1"]
    monkeypatch.delenv("SKILLPOLICY_LEDGER")
    from psycopg.conninfo import conninfo_to_dict

    parts = conninfo_to_dict(target.spec)
    service = tmp_path / "pg_service.conf"
    service.write_text(
        "[city]\n" + "".join(f"{key}={value}\n" for key, value in parts.items()),
        encoding="utf-8",
    )
    monkeypatch.setenv("PGSERVICEFILE", str(service))
    with open_ledger("service=city") as book:
        assert [run.run_id for run in book.runs()] == ["R1"]
        assert book.location == "postgresql 服务「city」"


def test_passwords_are_masked_wherever_a_ledger_is_named() -> None:
    """A URL's or a connection string's password never reaches a message."""
    assert mask_password("postgresql://clerk:s3cret@db:5432/ledger") == (
        "postgresql://clerk:***@db:5432/ledger"
    )
    assert "s3cret" not in mask_password("host=db password=s3cret dbname=ledger")
    assert "s3cret" not in mask_password("host=db password='s3 cret' dbname=ledger")
    assert shown_location("postgresql://clerk:s3cret@db:5432/ledger?sslmode=require") == (
        "postgresql://clerk@db:5432/ledger"
    )


def test_a_cli_run_records_its_office_and_operator_and_names_them_when_refusing(
    tmp_path: Path, postgres_target_fixture: LedgerTarget
) -> None:
    """subsidy --commit --office records the office and the operator (--operator, else the OS
    user; office also from skillpolicy.toml); another office's repeat is refused naming both."""
    target = postgres_target_fixture
    roster = guangxi_roster(tmp_path / "花名册.xlsx", 3)
    first = run_cli(
        "subsidy", roster, "--program", PROGRAM, "--ledger", target.spec, "--commit",
        "--office", "魏都区人社局", "--operator", "王丽", cwd=tmp_path,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    county = tmp_path / "county"
    county.mkdir()
    (county / "skillpolicy.toml").write_text('office = "许昌县人社局"\n', encoding="utf-8")
    # the same three trainees and a fourth: the county pays only the fourth (a run that paid
    # nothing would record no run at all, issue 12)
    larger = guangxi_roster(county / "花名册.xlsx", 4)
    second = run_cli(
        "subsidy", larger, "--program", PROGRAM, "--ledger", target.spec, "--commit",
        "--format", "json", cwd=county,
    )  # fmt: skip
    assert second.returncode == 1, second.stderr
    assert "魏都区人社局" in second.stdout
    with target.open() as book:
        runs = book.runs()
    assert [(r.office, r.operator, r.line_count) for r in runs] == [
        ("魏都区人社局", "王丽", 3),
        ("许昌县人社局", runs[1].operator, 1),
    ]
    assert runs[1].operator  # the OS user
    listed = run_cli("ledger", "list", "--ledger", target.spec, "--office", "许昌县人社局",
                     cwd=tmp_path)  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert runs[1].run_id in listed.stdout and runs[0].run_id not in listed.stdout


# --- the city report ------------------------------------------------------------------------------

OFFICES = ["魏都区人社局", "许昌县人社局", ""]


def office_line(
    number: int, month: str, outcome: str = "合格", amount: str = "1900.00"
) -> LedgerLine:
    facts = LineFacts(month=month, institution=f"培训机构{number % 3}", outcome=outcome)
    return make_line(number, amount=amount, facts=facts)


def test_the_city_report_is_the_sum_of_its_offices_reports(
    ledger_target: LedgerTarget, tmp_path: Path
) -> None:
    """Three offices' runs (paid, pending and refused lines, repeats across offices, a void):
    every program figure of the city report, month and cumulative, is the sum of the offices'
    own reports, and the city report's table per office is that office's report."""
    from openpyxl import load_workbook

    from skillpolicy.loading.programfiles import list_programs
    from skillpolicy.report import write_monthly_report
    from skillpolicy.report.model import build_report, sum_tallies

    programs = {p.id: p for p in list_programs()}
    with ledger_target.open() as book:
        for index, office in enumerate(OFFICES):
            start = index * 10  # each office's roster overlaps the next one's by five people
            lines = [
                office_line(n, "2024-03" if n % 2 else "2024-02") for n in range(start, start + 15)
            ]
            unpaid = [
                OutcomeLine(office_line(500 + start + n, "2024-03", "", "0.00"), "pending", ("review",))
                for n in range(3)
            ] + [
                OutcomeLine(office_line(700 + start + n, "2024-03", "不合格", "0.00"), "refused",
                            ("certificate",))
                for n in range(2 + index)
            ]  # fmt: skip
            book.commit(run_info(f"R{index}", office), lines, unpaid)
            book.take_step(f"R{index}", "复核", "李复核")  # only approved runs are paid
            book.take_step(f"R{index}", "审批", "王审批")
        book.commit(run_info("RV", OFFICES[0]), [office_line(900, "2024-03")])
        book.void("RV", "错报")
        city = build_report(book, "2024-03", programs, "now")
        separate = {o: build_report(book, "2024-03", programs, "now", o) for o in book.offices()}
        write_monthly_report(book, tmp_path / "月报", "2024-03", programs=list(programs.values()))
        write_monthly_report(
            book, tmp_path / "月报", "2024-03", programs=list(programs.values()), office=OFFICES[1]
        )
    assert set(separate) == set(OFFICES)
    assert [o.office for o in city.offices] == list(separate)
    [section] = city.programs
    parts = [s for report in separate.values() for s in report.programs]
    assert section.month == sum_tallies(p.month for p in parts)
    assert section.cumulative == sum_tallies(p.cumulative for p in parts)
    assert section.cumulative.paid_count == 35 and section.cumulative.refused["already-paid"] == 10
    for table in city.offices:
        assert table.programs == separate[table.office].programs
    folder = tmp_path / "月报" / "2024-03"
    assert "各经办机构" in load_workbook(folder / "月报-2024-03.xlsx").sheetnames
    assert (folder / "月报-2024-03-许昌县人社局.xlsx").is_file()
    assert (folder / "月报-2024-03-许昌县人社局.docx").is_file()


def test_a_commit_chosen_as_a_deadlock_victim_is_tried_again_and_pays(
    postgres_target_fixture: LedgerTarget,
) -> None:
    """A commit caught in a real deadlock with another writer is rolled back by the server and
    tried again: it then pays every line, once."""
    import threading

    target = postgres_target_fixture
    server = target.server
    assert server is not None
    first, second = make_line(1), make_line(2)
    with target.open() as book:
        book.commit(run_info("R0", "城区人社局"), [make_line(0)])
    other = psycopg.connect(target.spec)  # another writer holding the second key
    other.execute("SET LOCAL deadlock_timeout = '60s'")  # so the commit detects the deadlock
    other.execute(
        "INSERT INTO runs SELECT 'T', program, file_name, file_hash, created_at, params, 0, "
        "'0.00', office, operator FROM runs WHERE run_id = 'R0'"
    )
    insert = (
        "INSERT INTO lines (run_id, line_no, line_key, program, subject, name, occupation, level, "
        "target, amount, payee, active) VALUES ('T', %s, %s, 'p', 's', 'n', '', '', '', '1.00', "
        "'', 1)"
    )
    other.execute(insert, (2, second.key))
    outcome: dict[str, Any] = {}

    def commit() -> None:
        with target.open() as book:
            outcome["conflicts"] = book.commit(run_info("R1", "魏都区人社局"), [first, second])

    worker = threading.Thread(target=commit)
    worker.start()
    wait_for(lambda: waiting_pids(server), "the commit to wait for the second key")
    other.execute(insert, (1, first.key))  # waits for the commit: a deadlock the commit detects
    other.rollback()
    other.close()
    worker.join(timeout=120)
    assert outcome["conflicts"] == {}
    assert target.sql("SELECT line_key, run_id FROM lines WHERE active = 1 ORDER BY line_key") == (
        sorted([(make_line(0).key, "R0"), (first.key, "R1"), (second.key, "R1")])
    )


# --- the report's summaries written by a PostgreSQL commit -------------------------------------


def test_postgresql_summaries_equal_sqlites_after_conflicts_and_a_void(
    tmp_path: Path, postgres_target_fixture: LedgerTarget
) -> None:
    """paid_groups and paid_classes a PostgreSQL commit writes (with lines another run holds
    left out) give the month figures and thin classes SQLite's give, line for line."""
    import random

    def lines(keys: range, rng: random.Random) -> list[LedgerLine]:
        made = []
        for number in keys:
            facts = LineFacts(
                month=rng.choice(["2013-09", "2013-10"]),
                outcome=rng.choice(["合格", "不合格", ""]),
                institution=rng.choice(["甲校", "乙校"]),
                inspections=rng.choice([None, 1, 2, 4]),
                class_start="2013-08-01",
            )
            made.append(
                make_line(
                    number, occupation=rng.choice(["焊工", "电工"]),
                    amount=rng.choice(["1900.00", "950.00"]), facts=facts,
                )
            )  # fmt: skip
        return made

    def alone(run_id: str, office: str) -> RunInfo:
        # counting, not approval: an office that works alone, so each run counts once proposed
        return dataclasses.replace(run_info(run_id, office), approval=("经办",))

    def figures(spec: str) -> tuple[list[Any], list[Any]]:
        rng = random.Random(11)
        with open_ledger(spec) as ledger:
            ledger.commit(alone("R1", "甲县"), lines(range(0, 60), rng))
            taken = ledger.commit(alone("R2", "乙县"), lines(range(40, 100), rng))
            assert len(taken) == 20  # 40–59 are R1's
            ledger.void("R1", "重复报送")
            ledger.commit(alone("R3", "甲县"), lines(range(0, 30), rng))
            month = sorted(ledger.month_figures("2013-10"), key=repr)
            thin = sorted(ledger.thin_inspections("2013-10", 3), key=repr)
        return month, thin

    sqlite = figures(str(tmp_path / "desk.sqlite3"))
    assert sqlite[0] and sqlite[1]
    assert figures(postgres_target_fixture.spec) == sqlite
