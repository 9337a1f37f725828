"""The PostgreSQL ledger: one database for a whole city, shared by its offices.

Same schema versions, migrations and statements as :mod:`skillpolicy.ledger.sqlite` (its
constants, with ``%s`` placeholders and ``BIGINT`` for ``INTEGER``); what differs is how
concurrency is handled. Many processes on many hosts commit at once, so nothing here relies
on a lock file or a table lock:

- each run is one transaction at READ COMMITTED; its run's row (with the count and total of
  its lines) and its lines, in key order, are first ``COPY``-ed straight into ``lines``
  under a savepoint: the partial unique index on active keys decides which run pays an
  entitlement, and an insert of a key another transaction holds waits for it to end. When
  a key is already paid, the savepoint is rolled back and the lines are ``COPY``-ed into a
  temporary table and moved into ``lines`` with one ``INSERT … SELECT … ON CONFLICT
  (line_key) WHERE active = 1 DO NOTHING RETURNING``, the same index deciding;
- then the run's row is written by that statement (a data-modifying ``WITH``), with the
  count and total of what it inserted: either way no row is ever updated afterwards and the
  clerk role needs no UPDATE on amounts (``sql/roles.sql``);
- the report's per-run summaries (``paid_groups``, ``paid_classes``) are counted in Python
  by the code SQLite's commit uses (:func:`~skillpolicy.ledger.sqlite.summary_rows`) and
  sent by COPY: the server's hash aggregate over the temporary table cost more than the
  count and the few thousand rows sent;
- a serialization failure or deadlock rolls the whole run back and it is tried again;
- a dropped connection rolls it back on the server: nothing of the run is left.

Migrations are applied under a transaction-scoped advisory lock by a role that may create
tables (the owner role); a clerk role meeting an older schema is told to let the owner run
it. A schema newer than this program's is refused before anything is written.

A URL's password is never shown: :func:`shown_location` is what messages and ``ledger list``
print.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..domain.errors import InputError
from . import (
    ClassInspection,
    HistoryQuery,
    HistoryRun,
    LedgerLine,
    LocalityFigure,
    MonthFigure,
    OutcomeLine,
    PaidEntry,
    ReportFigures,
    RunInfo,
    RunRecord,
    StoredLine,
    StoredOutcome,
    already_paid_reason,
    workflow,
)
from . import sqlite as common

if TYPE_CHECKING:
    from .reconcile import BankFile, Reconciliation

# How often a run is tried again after a serialization failure or deadlock.
ATTEMPTS = 8
CONNECT_TIMEOUT_SECONDS = 10
APPLICATION_NAME = "skillpolicy"
# Any fixed number: the transaction-scoped advisory lock migrations take.
MIGRATION_LOCK = 0x736B696C6C  # "skill"
# A run's 100,000 lines sit in a temporary table and are sorted once by key: with the server's
# defaults (8 MB of temporary buffers, 4 MB to sort in) both spill to disk and the commit takes
# twice as long. Set for this session (temporary buffers only before its first temporary table)
# and for the commit's transaction.
SESSION_SETTINGS = "SET temp_buffers = '128MB'"
COMMIT_WORK_MEM = "SET LOCAL work_mem = '128MB'"
# The advisory lock an audit log entry is appended under.
LOG_LOCK = MIGRATION_LOCK + 2
ALREADY_PAID = common.ALREADY_PAID
ZERO = common.ZERO
# a commit's summaries (groups, classes) and outcome rows, made beside the lines' INSERT
_Prepared = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]

_PASSWORD_IN_URL = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/?#@\s]*):[^@/?#\s]*@")
_PASSWORD_KEYWORD = re.compile(r"(?P<head>\bpassword\s*=\s*)(?:'(?:[^'\\]|\\.)*'|[^\s&]*)", re.I)


def mask_password(text: str) -> str:
    """``text`` with every URL password and ``password=`` value replaced by ``***``."""
    text = _PASSWORD_IN_URL.sub(r"\g<head>:***@", text)
    return _PASSWORD_KEYWORD.sub(r"\g<head>***", text)


def is_conninfo(spec: str) -> bool:
    """A libpq connection string (``service=city``, ``host=… dbname=…``), not a file path."""
    return re.match(r"^\s*[a-z_]+\s*=", spec) is not None


def shown_location(spec: str) -> str:
    """What a message may print for the ledger ``spec`` names: host, port, database and user,
    never a password (``postgresql://clerk@db.example:5432/ledger``)."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(spec)
    except Exception:  # a malformed spec: show only that it is a PostgreSQL ledger
        return "postgresql://…"
    if "service" in parts and not parts.get("host") and not parts.get("dbname"):
        return f"postgresql 服务「{parts['service']}」"
    user = f"{parts['user']}@" if parts.get("user") else ""
    host = str(parts.get("host") or "")
    port = f":{parts['port']}" if parts.get("port") else ""
    database = str(parts.get("dbname") or "")
    if host.startswith("/"):  # a unix socket folder
        return f"postgresql://{user}/{database}（套接字 {host}）"
    return f"postgresql://{user}{host}{port}/{database}"


def _ddl(statement: str) -> str:
    """A migration statement for PostgreSQL: SQLite's INTEGER holds 64 bits, PostgreSQL's 32."""
    return re.sub(r"\bINTEGER\b", "BIGINT", statement)


def _sql(statement: str) -> str:
    return common.placeholders(statement, "format")


SELECT_PAID_ANY = _sql(common.SELECT_PAID.replace("IN ({marks})", "= ANY(?)"))
SELECT_RUNS = _sql(common.SELECT_RUNS)
SELECT_RUN_VOID = _sql(common.SELECT_RUN_VOID)
SELECT_ALL_LINES = _sql(common.SELECT_ALL_LINES)
SELECT_RUN_LINES = _sql(common.SELECT_RUN_LINES)
INSERT_VOID = _sql(common.INSERT_VOID)
DEACTIVATE_RUN_LINES = _sql(common.DEACTIVATE_RUN_LINES)
RETIRE_RUN_OUTCOMES = _sql(common.RETIRE_RUN_OUTCOMES)
INSERT_PAID_GROUP = _sql(common.INSERT_PAID_GROUP)
INSERT_PAID_CLASS = _sql(common.INSERT_PAID_CLASS)
INSERT_MIGRATION = _sql(common.INSERT_MIGRATION)
SUPERSEDE_OUTCOMES = _sql(common.SUPERSEDE_OUTCOMES.replace("IN ({marks})", "= ANY(?)"))
SELECT_RUN_OUTCOMES = _sql(common.SELECT_RUN_OUTCOMES)
DIALECT = "postgresql"  # how the report statements read the outcomes' findings (jsonb)

_LINE_COLUMNS = ", ".join(common._LINE_ROW)
_OUTCOME_COLUMNS = (
    "run_id, line_no, line_key, program, subject, name, occupation, level, tranche, target, "
    f"start_year, payee, sheet_row, status, findings, rules, {common._FACTS}"
)
# The run's lines arrive here by COPY, then move into ``lines`` in one statement.
CREATE_INCOMING = (
    "CREATE TEMPORARY TABLE incoming_lines ON COMMIT DROP AS "
    f"SELECT {_LINE_COLUMNS} FROM lines WITH NO DATA"
)
# In binary: psycopg sends each value as it is held (no text to format, none for the server to
# parse), which takes a quarter of the COPY's time off; the types are the columns' (_ddl).
COPY_INCOMING = f"COPY incoming_lines ({_LINE_COLUMNS}) FROM STDIN (FORMAT BINARY)"
_INTEGER_COLUMNS = frozenset({"line_no", "tranche", "start_year", "sheet_row", "inspections"})
INCOMING_TYPES = ["int8" if c in _INTEGER_COLUMNS else "text" for c in common._LINE_ROW]
COPY_OUTCOMES = f"COPY outcomes ({_OUTCOME_COLUMNS}, current) FROM STDIN"
# The usual run holds no key another run holds: its lines are copied straight into ``lines``
# (in key order, as below), after its row with their count and total. The partial unique
# index decides as it does for the INSERT: a key another run holds, or is inserting, fails
# the COPY (after waiting for that run's transaction), which is rolled back to a savepoint
# and the run goes the INSERT's way. The COPY writes whole pages of rows at once, with no
# temporary table, no sort and no speculative insertion: CPU time and WAL of the commit.
COPY_LINES = f"COPY lines ({_LINE_COLUMNS}, active) FROM STDIN (FORMAT BINARY)"
LINE_TYPES = [*INCOMING_TYPES, "int8"]
INSERT_RUN = _sql(common.INSERT_RUN)
# the index whose violation sends a run the INSERT's way (any other violation is an error)
ACTIVE_KEY_INDEX = "lines_active_key"
# The lines not paid yet go in (in key order, so two runs wait for each other's keys in the
# same order rather than deadlock: the keys' bytes, the order COPY_LINES' rows are sent in,
# whatever the database's collation); the run is recorded by the same statement with the count
# and total of what went in. That each line names a recorded run is checked at the end of the
# statement, once (schema 6's trigger, not a foreign key's check per line).
INSERT_RUN_AND_LINES = (
    "WITH paid AS ("
    f"INSERT INTO lines ({_LINE_COLUMNS}, active) SELECT {_LINE_COLUMNS}, 1 "
    'FROM incoming_lines ORDER BY line_key COLLATE "C" '
    "ON CONFLICT (line_key) WHERE active = 1 DO NOTHING RETURNING line_key, amount), "
    "run AS (INSERT INTO runs (run_id, program, file_name, file_hash, created_at, params, "
    "line_count, total, office, operator) "
    "SELECT %s, %s, %s, %s, %s, %s, COUNT(*), COALESCE(SUM(amount::numeric), 0.00)::text, %s, %s "
    "FROM paid RETURNING line_count) "
    "SELECT line_count FROM run"
)
# The run's paid lines counted by the report's groups and classes in Python, as SQLite counts
# them (:func:`~skillpolicy.ledger.sqlite.summary_rows`), and sent by COPY: the server's
# hash aggregate over the incoming table took 0.25 s of a 91,035-line commit, the counting
# 0.09 s.
COPY_PAID_GROUPS = f"COPY paid_groups ({common._GROUP_KEY}, line_count) FROM STDIN"
COPY_PAID_CLASSES = f"COPY paid_classes ({common._CLASS_KEY}, inspections, line_count) FROM STDIN"
SELECT_TAKEN_BY_OTHERS = (
    f"SELECT {common._PAID_COLUMNS} FROM incoming_lines i "
    "JOIN lines l ON l.line_key = i.line_key AND l.active = 1 "
    "JOIN runs r ON r.run_id = l.run_id WHERE l.run_id <> %s"
)
SUPERSEDE_PAID_NOW = (
    "UPDATE outcomes o SET current = 0 FROM incoming_lines i WHERE o.current = 1 "
    "AND o.line_key = i.line_key AND NOT (i.line_key = ANY(%s))"
)
# the same when the run's lines were copied straight in: every line of the run is paid now
SUPERSEDE_COPIED = (
    "UPDATE outcomes o SET current = 0 FROM lines l WHERE o.current = 1 "
    "AND o.line_key = l.line_key AND l.run_id = %s"
)
_KEY_AT = common._LINE_ROW.index("line_key")


def _key_bytes(row: tuple[Any, ...]) -> bytes:
    """A row's key as UTF-8: sorted as bytes, the keys are in code point order (COLLATE "C")
    at half the CPU of comparing the str keys (their 2-byte Chinese category)."""
    key: str = row[_KEY_AT]
    return key.encode()


TABLE_EXISTS = "SELECT to_regclass('schema_migrations') IS NOT NULL"


@dataclass(frozen=True)
class MigrationResult:
    """What ``ledger migrate`` did: runs copied and skipped, and the lines not copied because
    another office had already paid them (each with the winner)."""

    copied_runs: int
    skipped_runs: int
    copied_lines: int
    conflicts: list[tuple[StoredLine, PaidEntry]]


class _Retry(Exception):
    """The transaction must be tried again (a concurrent writer moved under it)."""


class PostgresLedger:
    """A :class:`~skillpolicy.ledger.Ledger` in a PostgreSQL database (psycopg 3).

    ``spec`` is a ``postgresql://`` URL or a libpq connection string (``service=city``);
    passwords may come from ``~/.pgpass`` or the service file, as libpq reads them.
    """

    def __init__(self, spec: str, *, create: bool = True) -> None:
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - psycopg is a dependency
            raise InputError(
                "使用 PostgreSQL 共享台账需要 psycopg：pip install 'psycopg[binary]'"
            ) from exc
        self._psycopg = psycopg
        self.location = shown_location(spec)
        try:
            self._db = psycopg.connect(
                spec,
                autocommit=True,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                application_name=APPLICATION_NAME,
            )
        except psycopg.Error as exc:
            raise InputError(f"无法连接共享台账：{_reason(exc)}", file=self.location) from None
        try:
            with self._guard():
                self._db.execute(SESSION_SETTINGS)
            self._prepare(create)
        except BaseException:
            self._db.close()
            raise

    # -- opening ----------------------------------------------------------------

    def _prepare(self, create: bool) -> None:
        with self._guard():
            version = self._read_version()  # reads only: a refused ledger is never written
            if version is not None and version > common.SCHEMA_VERSION:
                raise InputError(
                    f"台账结构版本为 {version}，比本程序支持的 {common.SCHEMA_VERSION} 新："
                    "请升级 skillpolicy 后再使用；台账未作任何改动",
                    file=self.location,
                )
            if version is None and not create:
                raise InputError(
                    "共享台账中还没有 skillpolicy 的表：请先由所有者角色运行一次记账或 "
                    "skillpolicy ledger migrate",
                    file=self.location,
                )
            if version is None or version < common.SCHEMA_VERSION:
                self._migrate()

    def _read_version(self) -> int | None:
        (exists,) = self._one(TABLE_EXISTS)
        if not exists:
            return None
        (version,) = self._one(common.SELECT_SCHEMA_VERSION)
        return int(version) if version is not None else 0

    def _migrate(self) -> None:
        """Apply pending migrations in one transaction; other processes opening the ledger at
        the same moment wait on the advisory lock and then find nothing to do."""
        psycopg = self._psycopg
        try:
            with self._db.transaction():
                self._db.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
                self._db.execute(_ddl(common.CREATE_MIGRATIONS_TABLE))
                (current,) = self._one(common.SELECT_SCHEMA_VERSION)
                current = int(current or 0)
                if current > common.SCHEMA_VERSION:
                    raise InputError(
                        f"台账结构版本为 {current}，比本程序支持的 {common.SCHEMA_VERSION} 新："
                        "请升级 skillpolicy",
                        file=self.location,
                    )
                for migration in common.MIGRATIONS:
                    if migration.version <= current:
                        continue
                    statements = migration.postgresql
                    for statement in migration.statements if statements is None else statements:
                        self._db.execute(_ddl(statement))
                    self._db.execute(
                        INSERT_MIGRATION,
                        (migration.version, migration.description, common.now_iso()),
                    )
                self._lock_log()
                common.log_schema(self._execute, current)
        except psycopg.errors.InsufficientPrivilege:
            raise InputError(
                f"台账结构需要升级到版本 {common.SCHEMA_VERSION}，当前角色无权建表或改表："
                "请由台账所有者角色（见 sql/roles.sql）先运行一次 skillpolicy ledger list",
                file=self.location,
            ) from None

    # -- plumbing ---------------------------------------------------------------

    def _one(self, sql: str, parameters: Sequence[Any] = ()) -> tuple[Any, ...]:
        row = self._db.execute(sql, parameters).fetchone()
        assert row is not None
        return tuple(row)

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """A lost connection or server error as one line naming the ledger (exit 2)."""
        psycopg = self._psycopg
        try:
            yield
        except (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected):
            raise  # the caller tries the run again
        except psycopg.errors.InsufficientPrivilege as exc:
            raise InputError(
                f"当前数据库角色无权执行此操作：{_reason(exc)}", file=self.location
            ) from None
        except psycopg.OperationalError as exc:
            raise InputError(
                f"与共享台账的连接中断或数据库出错（{_reason(exc)}）：本次操作未记入台账，"
                "请稍后重新运行",
                file=self.location,
            ) from None

    def _transaction(self, work: Any) -> Any:
        """Run ``work()`` in a transaction, again after a serialization failure or deadlock."""
        psycopg = self._psycopg
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with self._guard(), self._db.transaction():
                    return work()
            except (
                psycopg.errors.SerializationFailure,
                psycopg.errors.DeadlockDetected,
                _Retry,
            ):
                if attempt == ATTEMPTS:
                    raise InputError(
                        f"共享台账繁忙，重试 {ATTEMPTS} 次仍未成功：本次没有任何改动记入台账，"
                        "请稍后再试",
                        file=self.location,
                    ) from None
                time.sleep(random.uniform(0.02, 0.1) * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    # -- reading ----------------------------------------------------------------

    def schema_version(self) -> int:
        (version,) = self._one(common.SELECT_SCHEMA_VERSION)
        return int(version)

    def paid(self, keys: Sequence[str]) -> dict[str, PaidEntry]:
        """Active (not voided) payments among ``keys``, in one look-up."""
        with self._guard():
            rows = self._db.execute(SELECT_PAID_ANY, (sorted(set(keys)),)).fetchall()
        return {row[0]: _paid_entry(row) for row in rows}

    def history(self, query: HistoryQuery) -> dict[tuple[str, ...], list[HistoryRun]]:
        """Paid lines by key of facts (the ledger-history rule kind): the SQLite statement."""
        found: dict[tuple[str, ...], list[HistoryRun]] = {}
        lower, approved = query.from_year is not None, query.approved_only
        with self._guard():
            for chunk in common.history_chunks(query):
                sql = common.select_history(query.facts, len(chunk), lower=lower, approved=approved)
                rows = self._db.execute(_sql(sql), common.history_parameters(query, chunk))
                common.history_of(rows.fetchall(), chunk, found)
        common.history_order(found)
        return found

    def runs(self) -> list[RunRecord]:
        with self._guard():
            rows = self._db.execute(SELECT_RUNS).fetchall()
        return [
            RunRecord(
                run_id=run_id,
                program=program,
                file_name=file_name,
                file_hash=file_hash,
                created_at=created_at,
                line_count=int(line_count),
                total=common._decimal(total),
                voided_by=void_id,
                office=office,
                operator=operator,
                state=state,
                approval=approval,
            )
            for run_id, program, file_name, file_hash, created_at, line_count, total, void_id,
            office, operator, state, approval in rows
        ]  # fmt: skip

    def offices(self) -> list[str]:
        with self._guard():
            return [office for (office,) in self._db.execute(common.SELECT_OFFICES)]

    def outcomes(self, run_id: str) -> list[StoredOutcome]:
        with self._guard():
            rows = self._db.execute(SELECT_RUN_OUTCOMES, (run_id,)).fetchall()
        return [common.stored_outcome(run_id, tuple(row)) for row in rows]

    def lines(self, run_id: str | None = None) -> Iterator[StoredLine]:
        """Every line, voided ones too, streamed through a server-side cursor."""
        with self._guard(), self._db.transaction(), self._db.cursor(name="lines") as cursor:
            cursor.itersize = 5000
            if run_id is None:
                cursor.execute(SELECT_ALL_LINES)
            else:
                cursor.execute(SELECT_RUN_LINES, (run_id,))
            for row in cursor:
                yield common._stored_line(tuple(row))

    def month_figures(self, up_to_month: str, office: str | None = None) -> list[MonthFigure]:
        sql = _sql(common.for_office(common.SELECT_MONTH_FIGURES, office, DIALECT))
        with self._guard():
            rows = self._db.execute(
                sql, common.month_figures_parameters(up_to_month, office)
            ).fetchall()
        return common.month_figures_of(rows)

    def report_figures(self, month: str, office: str | None = None) -> ReportFigures:
        sql = _sql(common.for_office(common.SELECT_REPORT_FIGURES, office, DIALECT))
        with self._guard():
            rows = self._db.execute(sql, common.report_figures_parameters(month, office)).fetchall()
        return common.report_figures_of(rows)

    def locality_figures(
        self, program: str, first_month: str, up_to_month: str, office: str | None = None
    ) -> list[LocalityFigure]:
        sql = _sql(common.for_office(common.SELECT_LOCALITY_FIGURES, office, DIALECT))
        parameters = common.locality_figures_parameters(program, first_month, up_to_month, office)
        with self._guard():
            rows = self._db.execute(sql, parameters).fetchall()
        return common.locality_figures_of(rows)

    def thin_inspections(
        self, month: str, minimum: int, office: str | None = None
    ) -> list[ClassInspection]:
        sql = _sql(common.for_office(common.SELECT_THIN_INSPECTIONS, office, DIALECT))
        with self._guard():
            rows = self._db.execute(
                sql, common.thin_inspections_parameters(month, minimum, office)
            ).fetchall()
        return common.thin_inspections_of(rows)

    # -- writing ----------------------------------------------------------------

    def commit(
        self,
        run: RunInfo,
        lines: Sequence[LedgerLine],
        outcomes: Sequence[OutcomeLine] = (),
    ) -> dict[str, PaidEntry]:
        """Record the run and every line no other run holds, in one transaction.

        The same contract as :meth:`SqliteLedger.commit`: the returned keys were already paid
        (by another run, naming it and its office) or repeated within ``lines``.
        """
        # in the roster's order: the INSERT below takes them in key order
        made = common.run_rows(run, lines)
        rows = made.rows
        params = json.dumps(run.params, ensure_ascii=False, sort_keys=True, default=str)
        first_outcome = len(lines) + 1

        def prepared() -> _Prepared:
            # the usual run: every row goes in, so the summaries are those of all the rows
            groups, classes = common.summary_rows(rows, null=None)
            numbered = enumerate(outcomes, start=first_outcome)
            return (
                groups,
                classes,
                [(*common._outcome_row(run.run_id, n, o), 1) for n, o in numbered],
            )

        ahead: Future[_Prepared] | None = None

        def copied() -> bool:
            """The run's row and lines, all of them, or (a key held) nothing and False."""
            nonlocal ahead
            count, total = made.paid()
            by_key = sorted(rows, key=_key_bytes)  # the INSERT's key order: see below
            try:
                with self._db.transaction(), self._db.cursor() as cursor:
                    cursor.execute(
                        INSERT_RUN,
                        (run.run_id, run.program, run.file_name, run.file_hash, run.created_at,
                         params, count, common.amount_text(total), run.office, run.operator),
                    )  # fmt: skip
                    with cursor.copy(COPY_LINES) as copy:
                        copy.set_types(LINE_TYPES)
                        if ahead is None:  # not before: the thread would hold up the sort
                            ahead = pool.submit(prepared)
                        for row in by_key:
                            copy.write_row((*row, 1))
            except self._psycopg.errors.UniqueViolation as exc:
                if exc.diag.constraint_name != ACTIVE_KEY_INDEX:
                    raise
                return False
            return True

        def work() -> dict[str, PaidEntry]:
            nonlocal ahead
            self._db.execute(COMMIT_WORK_MEM)
            copied_in = copied()
            if ahead is None:  # made while the server takes the lines in (it waits unlocked)
                ahead = pool.submit(prepared)
            if copied_in:
                groups, classes, outcome_rows = ahead.result()
                self._copy(COPY_PAID_GROUPS, groups)
                self._copy(COPY_PAID_CLASSES, classes)
                self._record_outcomes(run.run_id, lines, outcomes, outcome_rows, None, made.keys)
                return self._propose(run, made, {})
            self._db.execute(CREATE_INCOMING)
            with self._db.cursor() as cursor:
                with cursor.copy(COPY_INCOMING) as copy:
                    copy.set_types(INCOMING_TYPES)
                    for row in rows:
                        copy.write_row(row)
                (paid_count,) = self._one(
                    INSERT_RUN_AND_LINES,
                    (run.run_id, run.program, run.file_name, run.file_hash, run.created_at,
                     params, run.office, run.operator),
                )  # fmt: skip
            earlier: dict[str, PaidEntry] = {}
            if int(paid_count) != len(rows):
                taken = self._db.execute(SELECT_TAKEN_BY_OTHERS, (run.run_id,)).fetchall()
                earlier = {row[0]: _paid_entry(row) for row in taken}
                if len(earlier) + int(paid_count) != len(rows):
                    raise _Retry  # a holder voided meanwhile: try the whole run again
            groups, classes, outcome_rows = ahead.result()
            if earlier:  # the lines another run holds are not this run's to count
                paid_rows = [row for row in rows if row[2] not in earlier]
                groups, classes = common.summary_rows(paid_rows, null=None)
            self._copy(COPY_PAID_GROUPS, groups)
            self._copy(COPY_PAID_CLASSES, classes)
            self._record_outcomes(
                run.run_id, lines, outcomes, outcome_rows, set(earlier), made.keys
            )
            self._db.execute("DROP TABLE incoming_lines")
            return self._propose(run, made, earlier)

        # the server takes the lines in, 1-3 s for 100,000, while this process mostly waits for
        # it (the driver lets go of the interpreter while it waits to send or for the result):
        # the summaries and the outcomes' rows are made on a second thread meanwhile, 0.1-0.15 s
        # of CPU off the commit's path
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-commit") as pool:
            earlier = self._transaction(work)
        return {**made.repeats, **earlier}

    def _propose(
        self, run: RunInfo, made: common.RunRows, earlier: dict[str, PaidEntry]
    ) -> dict[str, PaidEntry]:
        """The run's 经办 step and log entry (its count and total leave out ``earlier``)."""
        self._lock_log()
        count, total = made.paid(earlier)
        common.propose_run(self._execute, run, count, total)
        return earlier

    def _copy(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        """``rows`` into a table by COPY (text format; None is NULL)."""
        if not rows:
            return
        with self._db.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def _record_outcomes(
        self,
        run_id: str,
        lines: Sequence[LedgerLine],
        outcomes: Sequence[OutcomeLine],
        outcome_rows: Sequence[tuple[Any, ...]],
        earlier: set[str] | None,
        offered: Sequence[str],
    ) -> None:
        """As SqliteLedger._record_outcomes; ``offered``: the run's keys, each once;
        ``outcome_rows``: the rows of ``outcomes``, numbered after the lines (the lines refused
        here as already paid follow them); ``earlier`` None: the lines were copied straight
        into ``lines`` (no incoming table), none held by another run."""
        copied = earlier is None
        earlier = earlier or set()
        refused: list[OutcomeLine] = []
        paid_now: set[str] = set()
        for line in lines if earlier or len(offered) != len(lines) else ():
            if line.key in earlier or line.key in paid_now:
                refused.append(
                    OutcomeLine(
                        line._replace(amount=ZERO), "refused", (already_paid_reason(line.row),)
                    )
                )
            else:
                paid_now.add(line.key)
        everything = [*outcomes, *refused]
        if self._db.execute(common.ANY_CURRENT_OUTCOME).fetchone() is not None:
            # the lines paid now are the incoming ones other runs did not hold
            if copied:
                self._db.execute(SUPERSEDE_COPIED, (run_id,))
            else:
                self._db.execute(SUPERSEDE_PAID_NOW, (sorted(earlier),))
            unpaid = sorted({o.line.key for o in everything if o.rules != (ALREADY_PAID,)})
            if unpaid:
                self._db.execute(SUPERSEDE_OUTCOMES, (unpaid,))
        start = len(lines) + 1 + len(outcome_rows)
        numbered = enumerate(refused, start=start)
        rows = [*outcome_rows, *((*common._outcome_row(run_id, n, o), 1) for n, o in numbered)]
        self._copy(COPY_OUTCOMES, rows)

    def void(self, run_id: str, reason: str, actor: str = "") -> str:
        """Record a void of ``run_id`` and take its lines out of the active set (no DELETE)."""
        reason = reason.strip()
        if not reason:
            raise InputError("作废必须写明原因（--reason）")

        def work() -> str:
            found = self._db.execute(SELECT_RUN_VOID, (run_id,)).fetchone()
            if found is None:
                raise InputError(f"台账中没有运行 {run_id}", file=self.location)
            if found[1] is not None:
                raise InputError(
                    f"运行 {run_id} 已于此前作废（作废记录 {found[1]}）", file=self.location
                )
            void_id = common.new_id("V")
            try:
                self._db.execute(INSERT_VOID, (void_id, run_id, reason, common.now_iso()))
            except self._psycopg.errors.UniqueViolation:  # voided by someone else just now
                raise InputError(f"运行 {run_id} 已于此前作废", file=self.location) from None
            self._db.execute(DEACTIVATE_RUN_LINES, (run_id,))
            self._db.execute(RETIRE_RUN_OUTCOMES, (run_id,))
            self._lock_log()
            common.log_void(self._execute, run_id, void_id, reason, actor)
            return void_id

        result: str = self._transaction(work)
        return result

    # -- moving an office's SQLite ledger in --------------------------------------

    def import_sqlite(self, source: Path, office: str, operator: str = "") -> MigrationResult:
        """Copy the runs of an office's SQLite ledger in one transaction (see ``ledger migrate``).

        A run already here (same run id) is skipped, so a second migration copies nothing. A
        line whose entitlement another run here already holds is not copied; it is returned
        with that run. The copied runs are recorded as ``office``'s; their counts, totals and
        report summaries cover the lines that were copied.
        """
        import hashlib

        from .sqlite import SqliteLedger

        with SqliteLedger(source, create=False) as desk:  # migrates the desk's file first
            runs = desk.runs()
            db = desk._db
            params = dict(db.execute("SELECT run_id, params FROM runs").fetchall())
            voids = db.execute("SELECT void_id, run_id, reason, created_at FROM voids").fetchall()
            line_rows = db.execute(
                f"SELECT {_LINE_COLUMNS}, active FROM lines ORDER BY run_id, line_no"
            ).fetchall()
            outcome_rows = db.execute(
                f"SELECT {_OUTCOME_COLUMNS}, current FROM outcomes ORDER BY run_id, line_no"
            ).fetchall()
            step_rows = db.execute(
                "SELECT run_id, step_no, step, actor, office, created_at, note, detail "
                "FROM run_steps ORDER BY run_id, step_no"
            ).fetchall()
        source_hash = hashlib.sha256(source.read_bytes()).hexdigest()

        def work() -> MigrationResult:
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK + 1,))
            present = {
                run_id
                for (run_id,) in self._db.execute(
                    "SELECT run_id FROM runs WHERE run_id = ANY(%s)", ([r.run_id for r in runs],)
                )
            }
            new_runs = [r for r in runs if r.run_id not in present]
            wanted = {r.run_id for r in new_runs}
            incoming = [row for row in line_rows if row[0] in wanted]
            self._db.execute(CREATE_INCOMING)
            self._db.execute("ALTER TABLE incoming_lines ADD COLUMN active BIGINT")
            with (
                self._db.cursor() as cursor,
                cursor.copy(f"COPY incoming_lines ({_LINE_COLUMNS}, active) FROM STDIN") as copy,
            ):
                for row in incoming:
                    copy.write_row(row)
            taken = self._db.execute(
                f"SELECT i.run_id, i.line_no, {common._PAID_COLUMNS} FROM incoming_lines i "
                "JOIN lines l ON l.line_key = i.line_key AND l.active = 1 "
                "JOIN runs r ON r.run_id = l.run_id WHERE i.active = 1"
            ).fetchall()
            skipped = {(row[0], row[1]): _paid_entry(row[2:]) for row in taken}
            by_line = {(row[0], row[1]): row for row in incoming}
            conflicts = [
                (_stored_from_row(by_line[where], runs), entry) for where, entry in skipped.items()
            ]
            lost: Counter[str] = Counter()
            lost_amount: dict[str, Decimal] = {}
            for (run_id, _), _entry in skipped.items():
                lost[run_id] += 1
            for (run_id, line_no), row in by_line.items():
                if (run_id, line_no) in skipped:
                    amount = common._decimal(row[11])
                    lost_amount[run_id] = lost_amount.get(run_id, ZERO) + amount
            with self._db.cursor() as cursor:
                cursor.executemany(
                    _sql(common.INSERT_RUN),
                    [
                        (r.run_id, r.program, r.file_name, r.file_hash, r.created_at,
                         params[r.run_id], r.line_count - lost[r.run_id],
                         common.amount_text(r.total - lost_amount.get(r.run_id, ZERO)),
                         office, r.operator or operator)
                        for r in new_runs
                    ],
                )  # fmt: skip
                # their state, chain and steps as the desk recorded them
                cursor.executemany(
                    _sql(workflow.UPDATE_RUN_STATE),
                    [(r.state, r.approval, r.run_id) for r in new_runs],
                )
                cursor.executemany(
                    _sql(workflow.INSERT_STEP), [row for row in step_rows if row[0] in wanted]
                )
            if skipped:
                self._db.execute(
                    "DELETE FROM incoming_lines i WHERE i.active = 1 AND EXISTS (SELECT 1 FROM "
                    "lines l WHERE l.line_key = i.line_key AND l.active = 1)"
                )
            inserted = self._db.execute(
                f"INSERT INTO lines ({_LINE_COLUMNS}, active) SELECT {_LINE_COLUMNS}, active "
                'FROM incoming_lines ORDER BY line_key COLLATE "C" ON CONFLICT (line_key) '
                "WHERE active = 1 DO NOTHING"
            ).rowcount
            if inserted != len(incoming) - len(skipped):
                raise _Retry  # a commit took one of these keys meanwhile: look again
            with self._db.cursor() as cursor:
                cursor.executemany(INSERT_VOID, [row for row in voids if row[1] in wanted])
                with cursor.copy(COPY_OUTCOMES) as copy:
                    for row in outcome_rows:
                        if row[0] in wanted:
                            copy.write_row(row)
            if wanted:
                only_these = " WHERE run_id = ANY(%s)"
                group_sql = common._SUMMARISE_GROUPS.replace(" GROUP BY", only_these + " GROUP BY")
                class_sql = common._SUMMARISE_CLASSES.replace(
                    " WHERE inspections IS NOT NULL", only_these + " AND inspections IS NOT NULL"
                )
                self._db.execute(group_sql, (sorted(wanted),))
                self._db.execute(class_sql, (sorted(wanted),))
            self._db.execute("DROP TABLE incoming_lines")
            if wanted:
                self._lock_log()
                workflow.append_log(
                    self._execute,
                    action="migrate",
                    actor=operator,
                    office=office,
                    detail={
                        "source_sha256": source_hash,
                        "runs": len(new_runs),
                        "lines": inserted,
                        "conflicts": len(conflicts),
                    },
                    created_at=common.now_iso(),
                    heads=sorted(wanted),
                )
            return MigrationResult(
                copied_runs=len(new_runs),
                skipped_runs=len(present),
                copied_lines=inserted,
                conflicts=conflicts,
            )

        result: MigrationResult = self._transaction(work)
        return result

    # -- 经办、复核、审批 and the audit log -------------------------------------------

    def _execute(self, sql: str, parameters: Sequence[Any]) -> list[tuple[Any, ...]]:
        cursor = self._db.execute(_sql(sql), tuple(parameters))
        return [tuple(row) for row in cursor.fetchall()] if cursor.description else []

    def _lock_log(self) -> None:
        """Entries are appended one transaction at a time (held until commit)."""
        self._db.execute("SELECT pg_advisory_xact_lock(%s)", (LOG_LOCK,))

    def take_step(
        self,
        run_id: str,
        step: str,
        actor: str,
        *,
        office: str = "",
        note: str = "",
        detail: dict[str, Any] | None = None,
    ) -> str:
        def work() -> str:
            self._lock_log()
            try:
                return workflow.take_step(
                    self._execute,
                    run_id=run_id,
                    step=step,
                    actor=actor,
                    office=office,
                    created_at=common.now_iso(),
                    note=note,
                    detail=detail,
                    location=self.location,
                )
            except self._psycopg.errors.UniqueViolation:  # the index behind the check
                raise InputError(workflow.SAME_PERSON_RULE, file=self.location) from None

        result: str = self._transaction(work)
        return result

    def steps(self, run_id: str | None = None) -> list[workflow.RunStep]:
        with self._guard():
            if run_id is None:
                return [s for found in workflow.signers(self._execute).values() for s in found]
            return workflow.steps_of(self._execute, run_id)

    def reconcile(self, run_id: str, bank: BankFile, actor: str) -> Reconciliation:
        def work() -> Reconciliation:
            self._lock_log()
            return workflow.reconcile(
                self._execute,
                run_id=run_id,
                bank=bank,
                actor=actor,
                created_at=common.now_iso(),
                location=self.location,
            )

        result: Reconciliation = self._transaction(work)
        return result

    def audit_log(self) -> list[workflow.AuditEntry]:
        with self._guard():
            return workflow.log_entries(self._execute)

    def verify(self) -> workflow.Verification:
        with self._guard(), self._db.transaction():
            self._db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            return workflow.verify(self._execute)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> PostgresLedger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _paid_entry(row: Sequence[Any]) -> PaidEntry:
    key, run_id, created_at, amount, file_name, office, state = row
    return PaidEntry(key, run_id, created_at, common._decimal(amount), file_name, office, state)


def _stored_from_row(row: Sequence[Any], runs: Sequence[RunRecord]) -> StoredLine:
    """A line of the desk's ledger (its ``lines`` columns and ``active``) as a stored line."""
    created = next((r.created_at for r in runs if r.run_id == row[0]), "")
    # _stored_line expects: run_id, created_at, key … sheet_row, active, facts
    values = (row[0], created, *row[2:14], row[-1], *row[14:-1])
    return common._stored_line(values)


def _reason(error: BaseException) -> str:
    """The server's or driver's one-line reason, passwords masked."""
    diag = getattr(error, "diag", None)
    text = getattr(diag, "message_primary", None) or str(error)
    first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    return mask_password(first)
