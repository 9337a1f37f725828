"""Faults, with real processes: kill -9 in the middle of a run, a full disk, a read-only folder,
a ledger from a newer version; and the writer's temporary files (issue 6, part 3).

The kill tests multiply an example roster (or data sheet) so that a run lasts long enough to be
killed at chosen points: while reading, inside the ledger's commit transaction (found by
another connection failing to take SQLite's write lock), and while an output file is being
written (found by its temporary file appearing). After each kill the ledger must pass
``PRAGMA integrity_check`` and hold either all or none of the killed run's lines, no file may
sit half-written under its final name, and a rerun must work and clear the killed writer's
temporary files.

The full-disk and read-only cases mount a small tmpfs (root in a container can); where that is
not allowed they are skipped, and an in-process test injects ENOSPC at the write instead.
"""

from __future__ import annotations

import datetime as dt
import errno
import itertools
import os
import shutil
import signal
import sqlite3
import subprocess
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest

from conftest import ROOT, cli_env, make_resident_id, skillpolicy_script
from inprocess import run_main
from skillpolicy.compute.paycommit import commit_payout
from skillpolicy.compute.subsidy import compute_subsidy
from skillpolicy.domain.errors import InputError
from skillpolicy.io import fileio
from skillpolicy.ledger.sqlite import SCHEMA_VERSION, SqliteLedger
from skillpolicy.loading.programfiles import load_program

EXAMPLES = ROOT / "examples"
PARAMS = EXAMPLES / "skillpolicy.toml"
XUCHANG = "xuchang-2013-revitalization"
ROSTER_COPIES = 100  # 40 trainees a copy: 4,000 rows, about 2 s to compute here
RENDER_COPIES = 80  # 8 units a copy: 640 documents
POLL = 0.002

pytestmark = pytest.mark.slow


# --------------------------------------------------------------------------- helpers


def _start(args: Sequence[str | Path], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [skillpolicy_script(), *map(str, args)],
        cwd=cwd,
        env=cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _run(args: Sequence[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [skillpolicy_script(), *map(str, args)],
        cwd=cwd,
        env=cli_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def _kill_when(
    process: subprocess.Popen[bytes], ready: Callable[[], bool], delay: float = 0.0
) -> bool:
    """SIGKILL ``process`` ``delay`` seconds after ``ready()`` first holds; False when the
    process ended before that."""
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        if ready():
            if delay:
                time.sleep(delay)
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return process.returncode == -signal.SIGKILL
        time.sleep(POLL)
    process.wait()
    return False


def _after(seconds: float) -> Callable[[], bool]:
    start = time.monotonic()
    return lambda: time.monotonic() - start >= seconds


def _temporaries(folder: Path, name: str | None = None) -> list[Path]:
    """The writer's temporary files in ``folder`` (of the target ``name``, or of any)."""
    prefix = f".{name}." if name else "."
    return [p for p in folder.iterdir() if p.name.startswith(prefix) and p.name.endswith(".tmp")]


def _appears(folder: Path, name: str | None = None) -> Callable[[], bool]:
    return lambda: bool(_temporaries(folder, name))


def _writing_after_commit(ledger: Path, folder: Path, name: str) -> Callable[[], bool]:
    """True once the run is in the ledger and its workbook's temporary file exists: the empty
    file the CLI creates and removes up front to test the folder must not count."""
    before = len(ledger_runs(ledger))

    def probe() -> bool:
        if not _temporaries(folder, name):
            return False
        db = sqlite3.connect(f"file:{ledger}?mode=ro", uri=True, timeout=0)
        try:
            return int(db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]) > before
        except sqlite3.OperationalError:
            return False
        finally:
            db.close()

    return probe


def _write_locked(ledger: Path) -> Callable[[], bool]:
    """True while another connection holds the ledger's write lock (a commit transaction)."""

    def probe() -> bool:
        db = sqlite3.connect(ledger, timeout=0, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as error:
            return "locked" in str(error) or "busy" in str(error)
        finally:
            db.close()

    return probe


def _shifted_id(value: object, copy: int) -> object:
    """The same person's number moved to another order code (a new, valid number)."""
    if not isinstance(value, str) or len(value) != 18 or make_resident_id(value[:17]) != value:
        return value  # a planted bad number stays as it is
    order = (int(value[14:17]) + 2 * copy) % 1000  # +2n keeps the sex digit's parity
    return make_resident_id(f"{value[:14]}{order:03d}")


def _read_table(source: Path, key: str) -> tuple[list[Any], list[Any], list[tuple[Any, ...]]]:
    """The first sheet's title rows, header (the row holding ``key``) and rows below it."""
    book = openpyxl.load_workbook(source, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    at = next(i for i, row in enumerate(rows) if key in row)
    return [row[0] for row in rows[:at]], list(rows[at]), rows[at + 1 :]


def _write_table(
    target: Path, title: str, titles: list[Any], header: list[Any], body: Iterable[list[Any]]
) -> None:
    out = openpyxl.Workbook(write_only=True)
    sheet = out.create_sheet(title)
    for text in titles:
        sheet.append([text])
    sheet.append(header)
    for values in body:
        sheet.append(values)
    out.save(target)


def multiply_roster(source: Path, target: Path, copies: int) -> int:
    """Write ``copies`` copies of ``source``'s trainees (new identity numbers) to ``target``."""
    titles, header, rows = _read_table(source, "身份证号")
    column = header.index("身份证号")
    body = [row for row in rows if row[column] or row[header.index("姓名")]]
    copied: list[list[Any]] = []
    for copy in range(copies):
        for row in body:
            values: list[Any] = list(row)
            values[0] = len(copied) + 1
            values[column] = _shifted_id(values[column], copy)
            copied.append(values)
    _write_table(target, "培训补贴花名册", titles, header, copied)
    return len(copied)


def multiply_units(source: Path, target: Path, copies: int) -> int:
    """Copies of an application sheet's units, each copy's names made unique."""
    titles, header, rows = _read_table(source, "单位名称")
    name = header.index("单位名称")
    body = [row for row in rows if row[name]]
    copied: list[list[Any]] = []
    for copy in range(copies):
        for row in body:
            values: list[Any] = list(row)
            values[name] = f"{values[name]}（第{copy + 1}批）"
            copied.append(values)
    _write_table(target, "申报汇总", titles, header, copied)
    return len(copied)


def ledger_runs(path: Path) -> dict[str, tuple[int, int, int]]:
    """Check the ledger file and count each run's lines: {run: (recorded, paid, outcomes)}."""
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
        runs = dict(db.execute("SELECT run_id, line_count FROM runs").fetchall())
        paid = dict(db.execute("SELECT run_id, COUNT(*) FROM lines GROUP BY run_id").fetchall())
        outcomes: dict[str, int] = {}
        if "outcomes" in tables:
            query = "SELECT run_id, COUNT(*) FROM outcomes GROUP BY run_id"
            outcomes = dict(db.execute(query).fetchall())
    finally:
        db.close()
    assert set(paid) <= set(runs) and set(outcomes) <= set(runs), "lines of an unrecorded run"
    return {run: (runs[run], paid.get(run, 0), outcomes.get(run, 0)) for run in runs}


def assert_all_or_none(path: Path, lines_per_run: int) -> dict[str, tuple[int, int, int]]:
    """Every recorded run holds all its lines (paid + outcomes), and its count says so."""
    runs = ledger_runs(path)
    for run, (recorded, paid, outcomes) in runs.items():
        assert recorded == paid, f"run {run} records {recorded} lines but holds {paid}"
        assert paid + outcomes == lines_per_run, f"run {run} holds {paid}+{outcomes} lines"
    return runs


def assert_workbook_whole(path: Path) -> None:
    """Absent, or a complete workbook openpyxl opens."""
    if path.exists():
        openpyxl.load_workbook(path, read_only=True).close()


def assert_documents_whole(folder: Path, sample: int = 6) -> int:
    """Every .docx under its final name is a sound zip; the newest few open in python-docx."""
    documents = sorted(folder.glob("*.docx"), key=lambda p: p.stat().st_mtime_ns)
    for document in documents:
        with zipfile.ZipFile(document) as archive:
            assert archive.testzip() is None, document
    for document in documents[-sample:]:
        docx.Document(str(document))
    return len(documents)


# --------------------------------------------------------------------------- kill -9


@pytest.fixture(scope="module")
def big_roster(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, int]:
    """A 4,000-row Xuchang roster and its payout's line count and paid count."""
    folder = tmp_path_factory.mktemp("roster")
    path = folder / "花名册 4000.xlsx"
    multiply_roster(EXAMPLES / f"{XUCHANG}.xlsx", path, ROSTER_COPIES)
    payout = compute_subsidy(path, load_program(XUCHANG), params_file=PARAMS)
    return path, len(payout.lines), payout.count("paid")


def test_kill_9_during_subsidy_commit_leaves_the_ledger_whole(
    tmp_path: Path, big_roster: tuple[Path, int, int]
) -> None:
    """kill -9 while reading, inside the commit transaction and while the payout workbook is
    written: the ledger stays sound with all or none of each run, no half workbook, rerun works."""
    roster, lines, paid = big_roster
    ledgers = (tmp_path / f"台账{n}.sqlite3" for n in itertools.count())
    ledger = next(ledgers)
    out = tmp_path / "发放花名册.xlsx"

    def command() -> list[str | Path]:
        return ["subsidy", roster, "--program", XUCHANG, "--params", PARAMS,
                "--ledger", ledger, "--commit", "--out", out, "--format", "json"]  # fmt: skip

    SqliteLedger(ledger).close()  # an existing ledger: its only write is the run's commit
    landed: list[tuple[str, bool]] = []
    cases: list[tuple[str, Callable[[], Callable[[], bool]], float]] = [
        # before the commit on any machine here (the quickest begins it after about 1.2 s)
        ("reading", lambda: _after(0.6), 0.0),
        ("commit+0ms", lambda: _write_locked(ledger), 0.0),
        ("commit+10ms", lambda: _write_locked(ledger), 0.010),
        ("commit+40ms", lambda: _write_locked(ledger), 0.040),
        ("workbook", lambda: _writing_after_commit(ledger, tmp_path, out.name), 0.05),
    ]
    for label, ready, delay in cases:
        if ledger_runs(ledger):
            # a kill landed after its run committed (a quick machine): the roster is paid in
            # that ledger, and a run paying nothing has no commit to be killed in; go on in
            # a new one, the landed run kept in the old one as assert_all_or_none found it
            ledger = next(ledgers)
            SqliteLedger(ledger).close()
        before = set(ledger_runs(ledger))
        killed = _kill_when(_start(command(), tmp_path), ready(), delay)
        runs = assert_all_or_none(ledger, lines)
        landed.append((label, killed and set(runs) == before))
        assert_workbook_whole(out)
        assert killed, f"{label}: the run ended before it could be killed"
    # the kill right at the lock must have caught a transaction before it committed
    assert any(rolled_back for label, rolled_back in landed if label.startswith("commit")), landed
    assert not out.exists()
    stale = _temporaries(tmp_path, out.name)
    assert stale, "the kill while writing the workbook should have left its temporary file"
    done = _run(command(), tmp_path)
    assert done.returncode == 1, done.stderr  # the roster has planted errors
    runs = assert_all_or_none(ledger, lines)
    assert sum(paid_lines for _, paid_lines, _ in runs.values()) == paid  # each line paid once
    assert_workbook_whole(out)
    assert out.exists()
    assert not any(p.exists() for p in stale), "the rerun should remove the killed run's temp"


@pytest.fixture(scope="module")
def big_units(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("units")
    path = folder / "申报汇总.xlsx"
    multiply_units(EXAMPLES / "jincheng-2022-workstation.xlsx", path, RENDER_COPIES)
    return path


def test_kill_9_during_render_leaves_no_half_document(tmp_path: Path, big_units: Path) -> None:
    """kill -9 at several points of a 640-document render: every .docx present is whole, and a
    rerun writes them all and removes the killed run's temporary files."""
    out = tmp_path / "申报书"
    # --force: each rerun replaces the documents the killed run finished (INTERFACE.md "Files")
    command: list[str | Path] = [
        "render", "jincheng-workstation-application", "--allow-errors", "--data", big_units,
        "--out", out, "--force",
    ]  # fmt: skip
    for delay in (0.0, 0.15, 0.4):
        killed = _kill_when(
            _start(command, tmp_path), lambda: out.is_dir() and any(out.glob("*.docx")), delay
        )
        assert killed, f"render ended before the kill at +{delay}s"
        assert_documents_whole(out)
    done = _run(command, tmp_path)
    assert done.returncode == 0, done.stderr
    assert assert_documents_whole(out) == 8 * RENDER_COPIES
    assert _temporaries(out) == []
    openpyxl.load_workbook(out / "jincheng-workstation-application-汇总.xlsx").close()


@pytest.fixture(scope="module")
def report_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger holding one committed Xuchang example run."""
    path = tmp_path_factory.mktemp("report") / "台账.sqlite3"
    program = load_program(XUCHANG)
    payout = compute_subsidy(EXAMPLES / f"{XUCHANG}.xlsx", program, params_file=PARAMS)
    with SqliteLedger(path) as ledger:
        commit_payout(payout, ledger)
    return path


def _report_month(ledger: Path) -> str:
    db = sqlite3.connect(ledger)
    try:
        (month,) = db.execute("SELECT MAX(pay_month) FROM lines").fetchone()
    finally:
        db.close()
    return str(month)


def test_kill_9_during_report_keeps_the_previous_report(
    tmp_path: Path, report_ledger: Path
) -> None:
    """kill -9 while the monthly report is written: the month's previous report stays whole
    (both files open), and a rerun replaces it."""
    month = _report_month(report_ledger)
    out = tmp_path / "月报"
    command: list[str | Path] = [
        "report", "monthly", "--ledger", report_ledger, "--out", out, "--month", month
    ]  # fmt: skip
    first = _run(command, tmp_path)
    assert first.returncode == 0, first.stderr
    folder = out / month
    workbook, document = folder / f"月报-{month}.xlsx", folder / f"月报-{month}.docx"
    cases: list[tuple[Callable[[], bool], float]] = [
        (_after(0.9), 0.0),
        (_appears(folder, workbook.name), 0.0),
        (_appears(folder, workbook.name), 0.03),
        (_appears(folder, document.name), 0.0),
    ]
    killed = 0
    for ready, delay in cases:
        killed += _kill_when(_start(command, tmp_path), ready, delay)
        openpyxl.load_workbook(workbook).close()
        docx.Document(str(document))
    assert killed >= 3, f"only {killed} of {len(cases)} report runs were killed mid-run"
    again = _run(command, tmp_path)
    assert again.returncode == 0, again.stderr
    openpyxl.load_workbook(workbook).close()
    docx.Document(str(document))


# --------------------------------------------------------------------------- temporary files


def test_temporary_names_carry_the_writing_process(tmp_path: Path) -> None:
    """A temporary file is hidden, beside its target, owner-only and names the writing pid."""
    temporary = fileio.temporary_beside(tmp_path / "out.xlsx")
    assert temporary.parent == tmp_path
    assert temporary.name.startswith(f".out.xlsx.{os.getpid()}-")
    assert temporary.name.endswith(".tmp")
    assert temporary.stat().st_mode & 0o777 == 0o600


def test_stale_temporaries_of_dead_processes_are_removed(tmp_path: Path) -> None:
    """The next successful write removes temps whose writer is dead; a live writer's stay."""
    dead = subprocess.Popen(["true"])
    dead.wait()
    live = fileio.temporary_beside(tmp_path / "a.xlsx")  # this process: alive
    stale = live.with_name(live.name.replace(f".{os.getpid()}-", f".{dead.pid}-"))
    other_target = live.with_name(stale.name.replace(".a.xlsx.", ".b.docx.", 1))
    foreign = tmp_path / ".a.xlsx.abcdefgh.tmp"  # not this writer's pattern: never touched
    for path in (stale, other_target, foreign):
        path.write_bytes(b"partial")
    fileio._swept.discard(tmp_path.resolve())
    fileio.write_text_atomically(tmp_path / "a.xlsx", "done")
    assert (tmp_path / "a.xlsx").read_text(encoding="utf-8") == "done"
    assert not stale.exists() and not other_target.exists()
    assert live.exists() and foreign.exists()


def test_a_killed_pdf_conversions_working_folder_is_removed_by_the_next_write(
    tmp_path: Path,
) -> None:
    """The PDF step's working folder is named like a temporary file: a dead writer's folder
    (with LibreOffice's half output inside) goes at the next write; a live one's stays."""
    dead = subprocess.Popen(["true"])
    dead.wait()
    live = fileio.temporary_folder_beside(tmp_path / "pdf")
    assert live.is_dir() and live.stat().st_mode & 0o777 == 0o700
    stale = live.with_name(live.name.replace(f".{os.getpid()}-", f".{dead.pid}-"))
    (stale / "profile").mkdir(parents=True)
    (stale / "通知-张三.pdf").write_bytes(b"%PDF-1.7 half")
    fileio._swept.discard(tmp_path.resolve())
    fileio.write_text_atomically(tmp_path / "通知.docx", "done")
    assert not stale.exists()
    assert live.is_dir()


def test_a_failed_write_leaves_nothing_and_names_the_file(tmp_path: Path) -> None:
    """An OSError while writing becomes one Chinese InputError naming the target; no temp."""
    target = tmp_path / "发放.xlsx"

    def fail(path: Path) -> None:
        path.write_bytes(b"half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(InputError) as caught:
        fileio.write_atomically(target, fail)
    assert str(caught.value) == f"{target}：写文件失败：磁盘空间不足"
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- full disk


def _one_error_line(stderr: str, *needles: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def _guangxi(name: str = "guangxi-2012-technician.xlsx") -> Path:
    return EXAMPLES / name


def _writers(folder: Path, ledger: Path) -> dict[str, list[str | Path]]:
    """Every command that writes a file, aimed at ``folder``: {label: arguments}."""
    return {
        "validate --annotate": ["validate", _guangxi(), "--program", "guangxi-2012-technician",
                                "--annotate", folder / "标注.xlsx"],
        "subsidy --out": ["subsidy", _guangxi(), "--program", "guangxi-2012-technician",
                          "--out", folder / "发放.xlsx"],
        "levy --out": ["levy", EXAMPLES / f"{XUCHANG}-levy.xlsx", "--program", XUCHANG,
                       "--out", folder / "征收.xlsx"],
        "render --out": ["render", "jincheng-workstation-application", "--allow-errors", "--data",
                         EXAMPLES / "jincheng-2022-workstation.xlsx", "--out", folder / "申报书"],
        "template --out": ["template", "guangxi-2012-technician", "--out", folder / "空白.xlsx"],
        "ledger export": ["ledger", "export", "--ledger", ledger, "--out", folder / "台账.csv"],
        "subsidy --ledger": ["subsidy", _guangxi(), "--program", "guangxi-2012-technician",
                             "--ledger", folder / "台账.sqlite3", "--commit"],
    }  # fmt: skip


def _run_each(
    commands: dict[str, list[str | Path]],
    cwd: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, tuple[int, str]]:
    """Run each command through main() in this process: {label: (code, stderr)}."""
    results: dict[str, tuple[int, str]] = {}
    for label, args in commands.items():
        outcome = run_main(*args, cwd=cwd, capsys=capsys, monkeypatch=monkeypatch)
        results[label] = (outcome.code, outcome.err)
    return results


@pytest.fixture
def mount_tmpfs(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """Mount a small tmpfs under tmp_path (skip when this machine does not allow it)."""
    mounted: list[Path] = []
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root and mount(8)")

    def mount(name: str, size: str = "256k", *, read_only: bool = False) -> Path:
        point = tmp_path / name
        point.mkdir()
        options = f"size={size},mode=0777" + (",ro" if read_only else "")
        made = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if made.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], capture_output=True, check=False)


@pytest.fixture(scope="module")
def small_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("small") / "台账.sqlite3"
    payout = compute_subsidy(_guangxi(), load_program("guangxi-2012-technician"))
    with SqliteLedger(path) as ledger:
        commit_payout(payout, ledger)
    return path


def _fill(folder: Path) -> None:
    """Fill a file system to the last byte."""
    handle = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(handle, b"\0" * 4096)
    except OSError as error:
        assert error.errno == errno.ENOSPC
    finally:
        os.close(handle)


def test_a_full_disk_gives_exit_2_and_one_clear_line(
    tmp_path: Path,
    mount_tmpfs: Callable[..., Path],
    small_ledger: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a full file system every writing command exits 2 with one line naming the file and
    saying the disk is full, and leaves nothing behind (in-process, and once as a real process,
    where the abandoned zip's failing close at exit must not add a traceback)."""
    full = mount_tmpfs("满")
    _fill(full)
    commands = _writers(full, small_ledger)
    del commands["subsidy --ledger"]  # SQLite's own error: see the ledger test below
    real = _run(commands["subsidy --out"], tmp_path)
    assert real.returncode == 2, real.stderr
    _one_error_line(real.stderr, "错误：", str(full), "磁盘空间不足")
    for label, (code, err) in _run_each(commands, tmp_path, capsys, monkeypatch).items():
        assert code == 2, f"{label}: {err}"
        line = _one_error_line(err, "错误：", str(full), "磁盘空间不足")
        assert line.startswith("错误："), f"{label}: {line}"
    assert [p.name for p in full.iterdir()] == ["filler"]


def test_a_full_disk_under_the_ledger_gives_exit_2(
    tmp_path: Path, mount_tmpfs: Callable[..., Path]
) -> None:
    """--commit into a new ledger on a full file system exits 2 with one line naming it, and
    leaves no empty ledger file behind."""
    full = mount_tmpfs("满")
    _fill(full)
    result = _run(
        ["subsidy", _guangxi(), "--program", "guangxi-2012-technician",
         "--ledger", full / "台账.sqlite3", "--commit"], tmp_path,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    _one_error_line(result.stderr, "错误：", str(full), "磁盘空间不足")
    assert [p.name for p in full.iterdir()] == ["filler"]


def test_a_full_disk_under_the_monthly_report_gives_exit_2(
    tmp_path: Path, mount_tmpfs: Callable[..., Path], report_ledger: Path
) -> None:
    """report monthly on a full file system exits 2, says so in its log, and leaves any
    earlier report of the month in place."""
    full = mount_tmpfs("满", "2m")
    month = _report_month(report_ledger)
    command: list[str | Path] = [
        "report", "monthly", "--ledger", report_ledger, "--out", full, "--month", month
    ]  # fmt: skip
    assert _run(command, tmp_path).returncode == 0
    _fill(full)
    result = _run(command, tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "月报未写出" in result.stderr.splitlines()[-1]
    assert str(full) in result.stderr.splitlines()[-1]
    openpyxl.load_workbook(full / month / f"月报-{month}.xlsx").close()
    docx.Document(str(full / month / f"月报-{month}.docx"))


def test_enospc_injected_at_the_write_gives_exit_2_and_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the disk 'full' at the moment a workbook or document is saved, each command exits 2
    with one Chinese line naming the file, and no file or temporary file is left."""
    from openpyxl.workbook.workbook import Workbook

    from skillpolicy.io.xlsxpatch import WorkbookPatch

    def full_disk(self: object, path: object, *args: Any, **kwargs: Any) -> None:
        Path(str(path)).write_bytes(b"PK\x03\x04 half a zip")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def patch_full_disk(self: object, target: Path, *args: Any, **kwargs: Any) -> None:
        target.write_bytes(b"PK\x03\x04 half a zip")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Workbook, "save", full_disk)
    monkeypatch.setattr(WorkbookPatch, "_write", patch_full_disk)  # the annotated copy
    monkeypatch.setattr(Path, "write_bytes", _write_bytes_then_enospc)
    out = tmp_path / "输出"
    out.mkdir()
    ledger = tmp_path / "ledger.sqlite3"
    ledger.write_bytes(b"")  # export refuses it before writing; not part of this test
    commands = _writers(out, ledger)
    for label in ("ledger export", "subsidy --ledger"):
        del commands[label]
    for label, args in commands.items():
        outcome = run_main(*args, cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
        assert outcome.code == 2, f"{label}: {outcome.err}"
        line = _one_error_line(outcome.err, "错误：", str(out), "写文件失败：磁盘空间不足")
        assert line.startswith("错误："), line
        assert list(out.iterdir()) == [], f"{label} left {list(out.iterdir())}"


_real_write_bytes = Path.write_bytes


def _write_bytes_then_enospc(self: Path, data: Any) -> int:
    if self.name.endswith(".tmp"):
        _real_write_bytes(self, bytes(data)[:100])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return _real_write_bytes(self, data)


# --------------------------------------------------------------------------- read-only folder


def test_a_read_only_folder_gives_exit_2_naming_it(
    tmp_path: Path,
    mount_tmpfs: Callable[..., Path],
    small_ledger: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every writing command aimed at a read-only folder (root ignores chmod, so a read-only
    mount) exits 2 with one line '错误：…' naming the folder, no traceback, nothing written."""
    locked = mount_tmpfs("只读", read_only=True)
    results = _run_each(_writers(locked, small_ledger), tmp_path, capsys, monkeypatch)
    for label, (code, err) in results.items():
        assert code == 2, f"{label}: {err}"
        line = _one_error_line(err, "错误：", str(locked))
        assert line.startswith("错误："), f"{label}: {line}"
    assert list(locked.iterdir()) == []


def test_a_read_only_report_folder_gives_exit_2_naming_it(
    tmp_path: Path, mount_tmpfs: Callable[..., Path], report_ledger: Path
) -> None:
    """report monthly into a read-only folder exits 2 with its log line naming the folder."""
    locked = mount_tmpfs("只读", read_only=True)
    result = _run(["report", "monthly", "--ledger", report_ledger, "--out", locked], tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.splitlines()[-1]
    assert "月报未写出" in last and str(locked) in last


def test_commit_with_an_unwritable_out_folder_records_nothing(
    tmp_path: Path, mount_tmpfs: Callable[..., Path]
) -> None:
    """subsidy --commit --out into a read-only folder stops before the commit: no run recorded."""
    locked = mount_tmpfs("只读", read_only=True)
    ledger = tmp_path / "台账.sqlite3"
    result = _run(
        ["subsidy", _guangxi(), "--program", "guangxi-2012-technician", "--ledger", ledger,
         "--commit", "--out", locked / "发放花名册.xlsx"], tmp_path,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    _one_error_line(result.stderr, "错误：", str(locked))
    assert not ledger.exists()  # the ledger is only created by a commit that happens


# --------------------------------------------------------------------------- newer ledger


def _from_the_future(path: Path) -> bytes:
    with SqliteLedger(path) as ledger:
        del ledger
    db = sqlite3.connect(path)
    with db:
        db.execute(
            "INSERT INTO schema_migrations VALUES (?, ?, ?)",
            (SCHEMA_VERSION + 1, "from the future", dt.datetime(2099, 1, 1).isoformat()),
        )
    db.execute("PRAGMA journal_mode = DELETE")  # everything in the main file, no -wal
    db.close()
    return path.read_bytes()


def test_every_command_refuses_a_newer_ledger_without_touching_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """subsidy --commit, validate --ledger, ledger list/export/void and report monthly refuse a
    ledger of a newer schema with exit 2 and one line, and leave its bytes and folder as they
    were."""
    ledger = tmp_path / "新版台账.sqlite3"
    before = _from_the_future(ledger)
    listing = sorted(p.name for p in tmp_path.iterdir())
    commands: dict[str, list[str | Path]] = {
        "subsidy --commit": ["subsidy", _guangxi(), "--program", "guangxi-2012-technician",
                             "--ledger", ledger, "--commit"],
        "validate --ledger": ["validate", _guangxi(), "--program", "guangxi-2012-technician",
                              "--ledger", ledger],
        "ledger list": ["ledger", "list", "--ledger", ledger],
        "ledger export": ["ledger", "export", "--ledger", ledger, "--out", tmp_path / "e.csv"],
        "ledger void": ["ledger", "void", "R1", "--reason", "测试", "--ledger", ledger],
    }  # fmt: skip
    results = _run_each(commands, tmp_path, capsys, monkeypatch)
    report = _run(["report", "monthly", "--ledger", ledger, "--out", tmp_path / "月报",
                   "--month", "2013-10"], tmp_path)  # fmt: skip
    results["report monthly"] = (report.returncode, report.stderr)
    for label, (code, err) in results.items():
        assert code == 2, f"{label}: {err}"
        assert "Traceback" not in err
        assert str(SCHEMA_VERSION + 1) in err and "升级" in err, f"{label}: {err}"
        assert ledger.read_bytes() == before, f"{label} changed the ledger"
    leftover = sorted(p.name for p in tmp_path.iterdir())
    assert [n for n in leftover if n != "月报"] == listing
