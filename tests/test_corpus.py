"""The corpus of bad and odd inputs (issue 6): every case through validate, subsidy and render.

The cases and what each command must answer are in corpus/cases.toml; corpus/build.py writes
the files. Every (case, command) is a real ``skillpolicy`` process, measured with os.wait4:
it must end within MAX_SECONDS with at most MAX_RSS_MB peak RSS, print no traceback, and for
a refused input say one line and leave its output folder empty. The whole corpus runs once,
two processes at a time, the first time a test here needs it.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import tempfile
import threading
import time
import tomllib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import cli_env, skillpolicy_script
from corpus.build import INJECTIONS, PROGRAM, build

CORPUS = Path(__file__).parent / "corpus"
CASES: list[dict[str, Any]] = tomllib.loads((CORPUS / "cases.toml").read_text("utf-8"))["case"]
COMMANDS = ("validate", "subsidy", "render")
# CPU seconds of the child (user and system): a case's own work, which the load of other
# processes on a shared machine does not stretch as it stretches wall time; a run that hangs
# without working is caught by HARD_TIMEOUT
MAX_SECONDS = 10.0
MAX_RSS_MB = 500.0
HARD_TIMEOUT = 60.0  # a run that hangs is killed, and fails, rather than stalling CI
ADDRESS_SPACE_LIMIT = 3 << 30  # safety net: a runaway allocation fails instead of swapping
OUTPUTS = {"validate": "标注 副本.xlsx", "subsidy": "发放 花名册.xlsx", "render": "文书 输出"}


@dataclass
class Run:
    """One finished process: what it said, how long it took, what it left behind."""

    args: list[str]
    code: int
    stdout: str
    stderr: str
    seconds: float  # wall
    rss_mb: float
    out_dir: Path
    left: list[str] = field(default_factory=list)  # files under out_dir, relative
    cpu_seconds: float = 0.0  # user and system time of the child


def run_measured(
    args: list[str], cwd: Path, env: dict[str, str]
) -> tuple[int, str, str, float, float, float]:
    """Run ``args``; exit code, stdout, stderr, wall seconds, peak RSS (MB) and CPU seconds of
    the child."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        child = subprocess.Popen(args, cwd=cwd, env=env, stdout=out, stderr=err)
        if hasattr(resource, "prlimit"):
            try:
                limit = (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT)
                resource.prlimit(child.pid, resource.RLIMIT_AS, limit)
            except (ProcessLookupError, PermissionError, ValueError):
                pass
        timer = threading.Timer(HARD_TIMEOUT, child.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            timer.cancel()
        seconds = time.monotonic() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (
            child.returncode,
            out.read().decode("utf-8", errors="replace"),
            err.read().decode("utf-8", errors="replace"),
            seconds,
            usage.ru_maxrss / 1024,  # KiB on Linux
            usage.ru_utime + usage.ru_stime,
        )


def command_args(command: str, data: str, out_dir: Path) -> list[str]:
    output = str(out_dir / OUTPUTS[command])
    if command == "validate":
        return ["validate", data, "-p", PROGRAM, "--format", "json", "--annotate", output]
    if command == "subsidy":
        return ["subsidy", data, "-p", PROGRAM, "--format", "json", "--out", output]
    return ["render", "payout-notice", "--data", data, "-p", PROGRAM, "--out", output]


def expected(case: dict[str, Any], command: str) -> dict[str, Any]:
    """What ``command`` must answer for ``case``: the case's own keys, then its command table."""
    table: dict[str, Any] = {key: case[key] for key in ("exit", "words") if key in case}
    table.update(case.get(command, {}))
    return table


@pytest.fixture(scope="session")
def corpus_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Run]:
    """Build every case and run every command on it (two processes at a time)."""
    root = tmp_path_factory.mktemp("corpus")
    script = skillpolicy_script()
    # the cases pin the bounds of a 500 MB process (256 MB a sheet, 64 MB of shared strings,
    # 5 million cells): the workbook guard's budget for such a process, whatever this
    # machine's memory
    env = {**cli_env(), "SKILLPOLICY_WORKBOOK_MEMORY_MB": "384"}
    jobs: list[tuple[str, str, Path, str]] = []
    for case in CASES:
        folder = root / case["id"]
        data = os.path.relpath(build(case["id"], folder), folder)
        for command in COMMANDS:
            out_dir = folder / f"out-{command}"
            out_dir.mkdir()
            jobs.append((case["id"], command, folder, data))

    def one(job: tuple[str, str, Path, str]) -> tuple[tuple[str, str], Run]:
        case_id, command, folder, data = job
        out_dir = folder / f"out-{command}"
        args = command_args(command, data, out_dir.relative_to(folder))
        code, stdout, stderr, seconds, rss, cpu = run_measured([script, *args], folder, env)
        left = sorted(str(p.relative_to(out_dir)) for p in out_dir.rglob("*") if p.is_file())
        run = Run(args, code, stdout, stderr, seconds, rss, out_dir, left, cpu)
        return (case_id, command), run

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, jobs))


def _params() -> Iterator[Any]:
    for case in CASES:
        for command in COMMANDS:
            yield pytest.param(case, command, id=f"{case['id']}-{command}")


@pytest.mark.slow
@pytest.mark.parametrize(("case", "command"), list(_params()))
def test_corpus_case(
    corpus_runs: dict[tuple[str, str], Run], case: dict[str, Any], command: str
) -> None:
    """Each case gets its listed exit code, message or result, within the CPU-time and memory bounds."""
    run = corpus_runs[(case["id"], command)]
    want = expected(case, command)
    shown = (
        f"{' '.join(run.args)}\nexit {run.code}\nstdout: {run.stdout[:2000]}\nstderr: {run.stderr}"
    )
    assert run.code == want["exit"], shown
    assert "Traceback" not in run.stdout + run.stderr, shown
    assert "root:x:" not in run.stdout + run.stderr, shown  # /etc/passwd never comes back
    assert run.cpu_seconds <= MAX_SECONDS, f"{run.cpu_seconds:.1f} s CPU\n{shown}"
    assert run.rss_mb <= MAX_RSS_MB, f"{run.rss_mb:.0f} MB\n{shown}"
    assert not [name for name in run.left if name.endswith(".tmp")], run.left
    if run.code == 2:
        lines = run.stderr.splitlines()
        assert len(lines) == 1, shown
        assert lines[0].startswith("错误："), shown
        data = run.args[run.args.index("--data") + 1] if command == "render" else run.args[1]
        assert data in lines[0], shown
        for word in want["words"]:
            assert word in lines[0], f"{word!r} missing\n{shown}"
        assert run.stdout == "", shown
        assert run.left == [], f"a refused input left {run.left}"
        return
    for word in want.get("notes", []):
        assert word in run.stderr, f"{word!r} missing from stderr\n{shown}"
    if command == "validate":
        report = json.loads(run.stdout)
        assert report["rows"] == want["rows"], shown
        found = sorted(f"{f['row']} {f['column']} {f['rule']}" for f in report["findings"])
        assert found == sorted(want["findings"]), shown
        assert run.left == [OUTPUTS["validate"]], run.left
    elif command == "subsidy":
        payout = json.loads(run.stdout)
        counts = {key: payout[key] for key in ("paid", "pending", "refused")}
        assert counts == {key: want[key] for key in counts}, shown
        assert run.left == [OUTPUTS["subsidy"]], run.left
    else:
        documents = [name for name in run.left if name.endswith(".docx")]
        assert len(documents) == want["documents"], run.left


@pytest.mark.slow
def test_corpus_lists_every_builder() -> None:
    """cases.toml and build.py name the same cases, each once."""
    from corpus.build import BUILDERS

    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(BUILDERS)


def _workbooks(run: Run) -> list[Path]:
    return sorted(path for path in run.out_dir.rglob("*.xlsx"))


@pytest.mark.slow
def test_formula_like_text_stays_text_in_every_output_workbook(
    corpus_runs: dict[tuple[str, str], Run],
) -> None:
    """Cells starting with =, +, - or @ come back as text (data type 's'), never formulas."""
    runs = {command: corpus_runs[("formula-injection", command)] for command in COMMANDS}
    seen: dict[str, set[str]] = {command: set() for command in COMMANDS}
    for command, run in runs.items():
        assert run.code == 0, run.stderr
        books = _workbooks(run)
        assert books, f"{command} wrote no workbook"
        for path in books:
            book = openpyxl.load_workbook(path)
            for sheet in book.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        assert cell.data_type != "f", f"{path.name} {sheet.title}!{cell.coordinate}"
                        if cell.value in INJECTIONS.values():
                            assert cell.data_type == "s", f"{path.name} {cell.coordinate}"
                            seen[command].add(str(cell.value))
    # the annotated copy keeps every cell of the roster as it was
    annotated = openpyxl.load_workbook(runs["validate"].out_dir / OUTPUTS["validate"])
    sheet = annotated.worksheets[0]
    from corpus.build import COLUMN, letter

    for name, text in INJECTIONS.items():
        cell = sheet[f"{letter(COLUMN[name])}3"]
        assert (cell.value, cell.data_type) == (text, "s"), name
    # the payout schedule lists the trainee's name and the institution paid
    assert {INJECTIONS["姓名"], INJECTIONS["培训机构"]} <= seen["subsidy"], seen["subsidy"]
    # the render summary names the payee
    assert INJECTIONS["培训机构"] in seen["render"], seen["render"]


@pytest.mark.slow
def test_corpus_bounds_table(corpus_runs: dict[tuple[str, str], Run]) -> None:
    """Every run stays within the bounds; the worst command of each case is printed (-s)."""
    lines = [f"{'case':32} {'worst':8} {'cpu s':>7} {'wall s':>7} {'peak MB':>8}"]
    for case in CASES:
        runs = [(command, corpus_runs[(case["id"], command)]) for command in COMMANDS]
        slowest = max(runs, key=lambda item: item[1].cpu_seconds)
        biggest = max(run.rss_mb for _, run in runs)
        worst = slowest[1]
        lines.append(
            f"{case['id']:32} {slowest[0]:8} {worst.cpu_seconds:7.2f} {worst.seconds:7.2f}"
            f" {biggest:8.0f}"
        )
    print("\n" + "\n".join(lines))
    worst_time = max(run.cpu_seconds for run in corpus_runs.values())
    worst_rss = max(run.rss_mb for run in corpus_runs.values())
    assert worst_time <= MAX_SECONDS
    assert worst_rss <= MAX_RSS_MB
