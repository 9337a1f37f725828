"""Fixtures shared by the test modules: run the CLI, write small workbooks, make valid IDs."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
from docx.shared import Length

ROOT = Path(__file__).resolve().parents[1]

# Where the shared project documents (INTERFACE.md, POLICIES.md) live: beside the checkout in
# the team's layout, or copied into it.
SHARED_DIRS = [ROOT, ROOT / "docs", ROOT.parent / "shared"]

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

Run = Callable[..., subprocess.CompletedProcess[str]]


def skillpolicy_script() -> str:
    """The console script of the environment running the tests (a venv's bin is not on PATH
    when pytest is started as .venv/bin/python -m pytest), else the one on PATH."""
    beside = Path(sys.executable).parent / "skillpolicy"
    if beside.is_file():
        return str(beside)
    found = shutil.which("skillpolicy")
    assert found is not None, "the skillpolicy console script is not installed (pip install -e .)"
    return found


def make_resident_id(first17: str) -> str:
    """A GB 11643-1999 number: ``first17`` digits plus the check character."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return first17 + _ID_CHECK[total % 11]


@pytest.fixture
def resident_id() -> Callable[[str], str]:
    """Make a valid 18-character identity number from its first 17 digits."""
    return make_resident_id


@pytest.fixture(autouse=True)
def private_data_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: Any) -> Path:
    """Every test has its own platform data directory, so no test reads or writes the real
    default ledger (a run without --ledger reads the default one)."""
    home = tmp_path_factory.mktemp("data-home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def cli_env() -> dict[str, str]:
    """The environment a CLI test runs in: no SKILLPOLICY_* settings, no forced colour, and a
    wide terminal so tables are not wrapped."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SKILLPOLICY_") and k not in ("FORCE_COLOR", "TTY_COMPATIBLE")
    }
    env["COLUMNS"] = "200"
    return env


@pytest.fixture
def run_cli(tmp_path: Path) -> Run:
    """Run the installed ``skillpolicy`` console script; stdout and stderr are kept apart.

    The working directory defaults to ``tmp_path`` so no stray ``skillpolicy.toml`` is read.
    """
    script = skillpolicy_script()
    env = cli_env()

    def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [script, *map(str, args)],
            cwd=cwd or tmp_path,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            check=False,
        )

    return run


def write_rows(path: Path, rows: Sequence[Sequence[Any]], *, title: str | None = None) -> Path:
    """Write ``rows`` from A1 into the first sheet of a new workbook at ``path``."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    if title:
        sheet.title = title
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def plant_unconvertible_date(path: Path, cell: str) -> Path:
    """Put -1.1e11 formatted as a date (a date calamine cannot convert: a Rust panic) in
    ``cell`` of the first sheet of the workbook at ``path``."""
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    sheet[cell] = -1.1e11
    sheet[cell].number_format = "yyyy-mm-dd"
    book.save(path)
    return path


def mm(length: Length | None) -> int:
    """A python-docx page size or margin in whole millimetres; python-docx gives None for a
    length the section does not set, which no test expects."""
    assert length is not None
    millimetres: float = length.mm  # a float, python-docx documents; its property is unannotated
    return round(millimetres)


@pytest.fixture
def xlsx() -> Callable[..., Path]:
    """Write rows into a new one-sheet workbook: ``xlsx(path, rows)``."""
    return write_rows


GUANGXI_ROSTER_HEADER = [
    "姓名",
    "性别",
    "身份证号",
    "职业(工种)",
    "现等级",
    "取证日期",
    "申报等级",
    "培训形式",
    "鉴定结果",
]


# The guangxi-2012-technician columns a subsidy run pays from (the ledger and collector tests)
GUANGXI_PAYOUT_HEADER = [
    "姓名",
    "身份证号",
    "职业(工种)",
    "现等级",
    "取证日期",
    "申报等级",
    "培训机构",
    "鉴定结果",
]


def guangxi_clean_rows() -> list[list[Any]]:
    """Two trainees who meet every guangxi-2012-technician roster rule."""
    return [
        ["张三", "男", make_resident_id("45010219800101001"), "焊工", "高级工",
         dt.date(2008, 1, 1), "技师", "脱产", "合格"],
        ["李四", "女", make_resident_id("45010219850202002"), "车工", "技师",
         "2009-05-01", "高级技师", "半脱产", None],
    ]  # fmt: skip


@pytest.fixture
def guangxi_roster(tmp_path: Path) -> Callable[..., Path]:
    """A guangxi-2012-technician roster in ``tmp_path``: title row 1, header row 2, two clean
    trainees from row 3, then ``extra`` rows; ``drop`` leaves columns out."""

    def build(
        name: str = "roster.xlsx",
        extra: Sequence[Sequence[Any]] = (),
        *,
        drop: Sequence[str] = (),
        sheet: str | None = None,
    ) -> Path:
        keep = [i for i, column in enumerate(GUANGXI_ROSTER_HEADER) if column not in drop]
        body = [GUANGXI_ROSTER_HEADER, *guangxi_clean_rows(), *extra]
        rows = [["学员花名册"], *([row[i] for i in keep] for row in body)]
        return write_rows(tmp_path / name, rows, title=sheet)

    return build


@pytest.fixture
def shared_document() -> Callable[[str], str]:
    """The text of a shared project document (POLICIES.md, INTERFACE.md); skip if absent."""

    def read(name: str) -> str:
        for folder in SHARED_DIRS:
            if (folder / name).is_file():
                return (folder / name).read_text(encoding="utf-8")
        pytest.skip(f"{name} not found in {', '.join(map(str, SHARED_DIRS))}")

    return read


# --- the ledger on both backends -----------------------------------------------------------------

POSTGRES_ENV = "SKILLPOLICY_TEST_POSTGRES"  # a server URL (superuser) the tests may use
POSTGRES_FOLDER_ENV = "SKILLPOLICY_TEST_PGFOLDER"  # its tests/pgcluster.py folder, if it has one
HOW_TO_RUN_POSTGRES = (
    f"PostgreSQL ledger tests skipped: no server binaries found; install postgresql or set "
    f"{POSTGRES_ENV}=postgresql://… (see .ci/run)"
)


@dataclass
class PostgresServer:
    """A server the tests may create schemas, databases and roles in."""

    url: str
    folder: Path | None  # the cluster's folder when tests/pgcluster.py started it (restartable)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The PostgreSQL server of this test session: ``SKILLPOLICY_TEST_POSTGRES``, else a
    throwaway cluster started here; skipped locally (one line saying how) when neither can be
    had, a failure when ``CI`` is set."""
    given = os.environ.get(POSTGRES_ENV)
    if given:
        named = os.environ.get(POSTGRES_FOLDER_ENV)
        yield PostgresServer(given, Path(named) if named else None)
        return
    import pgcluster

    if pgcluster.bin_dir() is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL ledger tests: set {POSTGRES_ENV}")
        pytest.skip(HOW_TO_RUN_POSTGRES)
    folder = Path(tempfile.mkdtemp(prefix="skillpolicy-pg-"))
    try:
        url = pgcluster.start(folder)
        yield PostgresServer(url, folder)
    finally:
        pgcluster.stop(folder)
        shutil.rmtree(folder, ignore_errors=True)


def with_options(url: str, options: str) -> str:
    """``url`` with libpq ``options`` added (``-c search_path=…``)."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(options, safe='')}"


@dataclass
class LedgerTarget:
    """One test's ledger: an SQLite file, or a fresh schema of the test PostgreSQL server."""

    backend: str  # "sqlite" or "postgresql"
    spec: str  # what --ledger takes
    server: PostgresServer | None = None
    schema: str = ""

    def open(self, *, create: bool = True) -> Any:
        from skillpolicy.ledger.open import open_ledger

        return open_ledger(self.spec, create=create)

    def sql(self, statement: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement (``?`` placeholders) straight on the ledger's database."""
        if self.backend == "sqlite":
            db = sqlite3.connect(self.spec, isolation_level=None)
            try:
                return [tuple(row) for row in db.execute(statement, tuple(parameters))]
            finally:
                db.close()
        import psycopg

        with psycopg.connect(self.spec, autocommit=True) as server:
            cursor = server.execute(statement.replace("?", "%s"), tuple(parameters))
            return [tuple(row) for row in cursor.fetchall()] if cursor.description else []

    def columns(self, table: str) -> list[str]:
        if self.backend == "sqlite":
            return [row[1] for row in self.sql(f"PRAGMA table_info({table})")]
        return [
            name
            for (name,) in self.sql(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? "
                "AND table_name = ? ORDER BY ordinal_position",
                (self.schema, table),
            )
        ]

    def tables(self) -> set[str]:
        if self.backend == "sqlite":
            return {n for (n,) in self.sql("SELECT name FROM sqlite_master WHERE type='table'")}
        return {
            n
            for (n,) in self.sql(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
                (self.schema,),
            )
        }

    def indexes(self) -> set[str]:
        if self.backend == "sqlite":
            return {n for (n,) in self.sql("SELECT name FROM sqlite_master WHERE type='index'")}
        return {
            n for (n,) in self.sql("SELECT indexname FROM pg_indexes WHERE schemaname = ?",
                                   (self.schema,))
        }  # fmt: skip


def at_schema(patch: pytest.MonkeyPatch, version: int) -> None:
    """Within ``patch`` (a ``monkeypatch.context()``), make the ledgers build and expect schema
    ``version``: the migrations up to it and the indexes they create (a ledger of an earlier
    release, for a migration test)."""
    from skillpolicy.ledger import sqlite as module

    steps = tuple(m for m in module.MIGRATIONS if m.version <= version)
    indexes = {
        named[1]: " ".join(statement.split())
        for m in steps
        for statement in m.statements
        if (named := module._INDEX_NAME.match(statement.strip())) is not None
    }
    patch.setattr(module, "MIGRATIONS", steps)
    patch.setattr(module, "SCHEMA_VERSION", version)
    patch.setattr(module, "_EXPECTED_INDEXES", indexes)


def postgres_target(server: PostgresServer) -> Iterator[LedgerTarget]:
    """A fresh schema on ``server`` as a ledger (dropped afterwards)."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.url, autocommit=True) as db:
        db.execute(f"CREATE SCHEMA {schema}")
    try:
        yield LedgerTarget(
            "postgresql", with_options(server.url, f"-c search_path={schema}"), server, schema
        )
    finally:
        with psycopg.connect(server.url, autocommit=True) as db:
            db.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LedgerTarget]:
    """The test's ledger, once as an SQLite file and once as a PostgreSQL schema."""
    if request.param == "sqlite":
        yield LedgerTarget("sqlite", str(tmp_path / "ledger.sqlite3"))
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    yield from postgres_target(server)


@pytest.fixture
def postgres_target_fixture(postgres_server: PostgresServer) -> Iterator[LedgerTarget]:
    """A PostgreSQL ledger only (for what SQLite does not have: offices on many hosts)."""
    yield from postgres_target(postgres_server)
