"""Benchmark `skillpolicy subsidy --commit` into an empty ledger and into one holding 1M lines.

Run from the repository root (the project installed, e.g. ``pip install -e .[test]``):

    python benchmarks/bench_subsidy.py                   # 100,000 rows, 1,000,000 lines, best of 3
    python benchmarks/bench_subsidy.py --repeat 5 --ledger-lines 200000

The xuchang-2013-revitalization roster is bench_validate.py's (generated once into --workdir,
default bench-out/, and reused); the local parameters are written beside it. A ledger holding
--ledger-lines active lines of other people (same program, identity numbers from counties
outside Xuchang, so no key collides with the roster's) is built once through the SqliteLedger
API and cached in --workdir; every run that needs it gets a fresh copy, so each commits into
an identical ledger.

Measured in fresh processes (best wall, best CPU, largest peak RSS, from GNU time when it is
installed): ``subsidy --commit`` into a new ledger path, the same into a copy of the large
ledger, and ``subsidy`` without --commit (the compute alone). Measured in this process:
compute_subsidy once, then only ``commit_payout(payout, ledger)`` into an empty ledger and into
a copy of the large ledger, best of --repeat. Target: the commit step <= 2 s for 100k lines.
Finally a second commit of the same roster into the same ledger must pay 0.00.

With ``--ledger postgresql://…`` (a database the benchmark may create ``bench_*`` schemas in,
see pg_bench.py) the commit step is also measured into an empty PostgreSQL ledger and into
one holding the same --ledger-lines lines (built once, kept in its schema), and each is
compared with SQLite's figure from the same run: PASS when within 1.5x.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from bench_validate import (
    CATEGORIES,
    GIVEN,
    INSTITUTIONS,
    OCCUPATIONS,
    PROGRAM,
    SURNAMES,
    Measure,
    ensure_roster,
    gnu_time,
    identity,
    run_once,
    skillpolicy_command,
    verdict,
)

from skillpolicy.compute.paycommit import commit_payout
from skillpolicy.compute.paylines import Payout
from skillpolicy.compute.subsidy import compute_subsidy
from skillpolicy.io.resources import SearchPath
from skillpolicy.ledger import LedgerLine, RunInfo
from skillpolicy.ledger.sqlite import SqliteLedger
from skillpolicy.loading.programfiles import load_program

LEDGER_VERSION = 2  # bump when the synthetic ledger or the schema changes (rebuilds the cache)
COMMIT_TARGET = 2.0  # seconds for the commit step of 100k lines
POSTGRES_RATIO = 1.5  # the shared ledger's commit step against SQLite's, same run
OK_CODES = (0, 1)  # the roster has planted errors: subsidy exits 1 and still pays the rest
PARAMS = f"""\
# Xuchang's local parameters for bench_subsidy.py (as in examples/skillpolicy.toml)
[{PROGRAM}]
training_subsidy = {{ "就业技能培训" = "800.00", "创业培训" = "1000.00" }}
appraisal_subsidy = "150.00"
"""
# Henan counties outside Xuchang (the roster uses 4110xx): their identity numbers never collide
OTHER_COUNTIES = (
    "410102",
    "410103",
    "410105",
    "410202",
    "410302",
    "410402",
    "410502",
    "410602",
    "410702",
    "410802",
)
AMOUNTS = {"就业技能培训": Decimal("950.00"), "创业培训": Decimal("1150.00")}


# --------------------------------------------------------------------------- inputs


def ensure_params(workdir: Path) -> Path:
    path = workdir / f"params-{PROGRAM}.toml"
    if not path.exists() or path.read_text(encoding="utf-8") != PARAMS:
        path.write_text(PARAMS, encoding="utf-8")
    return path


def synthetic_line(number: int, rng: random.Random) -> LedgerLine:
    """Line ``number`` of the large ledger: a person of another county, unique by number."""
    county = OTHER_COUNTIES[number % len(OTHER_COUNTIES)]
    rest = number // len(OTHER_COUNTIES)
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=rest % 12_000)
    serial = rest // 12_000  # < 500 for up to 60M lines, so (county, birth, serial) is unique
    subject = identity(county, birth, rng.random() < 0.5, serial)
    target = rng.choice(CATEGORIES)
    kind = "创业培训" if target == "创业培训" else "就业技能培训"
    entrusted = rng.random() < 0.5
    return LedgerLine(
        key=f"{PROGRAM}|{subject}|{target}",
        program=PROGRAM,
        subject=subject,
        name=rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
        occupation=rng.choice(OCCUPATIONS),
        level=rng.choice(("初级工", "中级工", "专项能力")),
        target=target,
        year=rng.choice((2013, 2014)),
        amount=AMOUNTS[kind],
        payee=rng.choice(INSTITUTIONS) if entrusted else "学员本人",
        row=number % 100_000 + 3,
    )


def sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def remove_ledger(path: Path) -> None:
    for item in (path, *sidecars(path)):
        item.unlink(missing_ok=True)


def copy_ledger(source: Path, target: Path) -> None:
    """A fresh copy of a closed ledger (with its WAL, should one have been left behind),
    flushed to disk before it is used: else the commit's checkpoint, which syncs the ledger
    file, waits for the whole copy (400+ MB) to be written back, which a ledger in use never
    has to do (0.7 s of the median of 3 timed commits into the 1M-line copy)."""
    remove_ledger(target)
    copies = [(source, target)]
    wal = sidecars(source)[0]
    if wal.exists():
        copies.append((wal, sidecars(target)[0]))
    for original, copy_path in copies:
        shutil.copyfile(original, copy_path)
        with copy_path.open("rb+") as written:
            os.fsync(written.fileno())


def ensure_big_ledger(workdir: Path, lines: int, batch: int) -> tuple[Path, dict[str, object]]:
    """The cached ledger holding ``lines`` active lines, committed ``batch`` at a time."""
    path = workdir / f"ledger-{PROGRAM}-{lines}-v{LEDGER_VERSION}.sqlite3"
    meta_path = path.with_suffix(".json")
    if path.exists() and meta_path.exists():
        return path, json.loads(meta_path.read_text(encoding="utf-8"))
    print(f"building a ledger of {lines:,} lines into {path} ...", file=sys.stderr, flush=True)
    partial = path.with_name(path.stem + ".partial.sqlite3")
    remove_ledger(partial)
    rng = random.Random(1_000_000)
    began = time.perf_counter()
    batches: list[float] = []
    with SqliteLedger(partial, create=True) as ledger:
        for number, start in enumerate(range(0, lines, batch), start=1):
            chunk = [synthetic_line(i, rng) for i in range(start, min(start + batch, lines))]
            run = RunInfo(
                run_id=f"20140101000000-bench{number:04d}",
                program=PROGRAM,
                file_name=f"synthetic-{number:04d}.xlsx",
                file_hash=hashlib.sha256(f"synthetic-{number}".encode()).hexdigest(),
                created_at=(dt.datetime(2014, 1, 1, 9) + dt.timedelta(hours=number))
                .astimezone()
                .isoformat(timespec="seconds"),
                params={"synthetic": True},
            )
            tick = time.perf_counter()
            conflicts = ledger.commit(run, chunk)
            batches.append(time.perf_counter() - tick)
            if conflicts:
                raise SystemExit(f"synthetic keys collided: {len(conflicts)} in batch {number}")
            print(
                f"  batch {number}: {len(chunk):,} lines in {batches[-1]:.2f} s",
                file=sys.stderr,
                flush=True,
            )
    partial.replace(path)
    for old, new in zip(sidecars(partial), sidecars(path), strict=True):
        if old.exists():
            old.replace(new)
    meta: dict[str, object] = {
        "lines": lines,
        "batch": batch,
        "seconds": round(time.perf_counter() - began, 1),
        "first_batch_seconds": round(batches[0], 2),
        "last_batch_seconds": round(batches[-1], 2),
    }
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    print(f"  done in {meta['seconds']} s", file=sys.stderr, flush=True)
    return path, meta


# --------------------------------------------------------------------------- measuring


def measure_fresh(
    prepare: Callable[[int], list[str]],
    check: Callable[[int], None],
    cwd: Path,
    repeat: int,
    timer: str | None,
) -> Measure:
    """Like bench_validate.measure, but each run gets its own files (``prepare`` is untimed)."""
    runs = []
    for index in range(repeat):
        command = prepare(index)
        runs.append(run_once(command, cwd, timer, OK_CODES))
        check(index)
    return Measure(
        seconds=min(r[0] for r in runs),
        cpu=min(r[1] for r in runs),
        peak_mb=max(r[2] for r in runs),
    )


def last_run(path: Path) -> tuple[int, int, Decimal]:
    """(runs in the ledger, lines and total of the newest run)."""
    with SqliteLedger(path, create=False) as ledger:
        runs = ledger.runs()
    return len(runs), runs[-1].line_count, runs[-1].total


def timed_commit(payout: Payout, path: Path | str) -> float:
    """Seconds of commit_payout alone (opening and closing the ledger are not counted)."""
    from skillpolicy.ledger.open import open_ledger

    paid = payout.count("paid")
    with open_ledger(str(path), create=True) as ledger:
        began = time.perf_counter()
        commit_payout(payout, ledger)
        seconds = time.perf_counter() - began
    if payout.count("paid") != paid:
        raise SystemExit(f"commit into {path} refused {paid - payout.count('paid')} lines")
    return seconds


# --------------------------------------------------------------------------- the run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("bench-out"), help="cache directory")
    parser.add_argument("--rows", type=int, default=100_000, help="roster rows (default 100000)")
    parser.add_argument(
        "--ledger-lines", type=int, default=1_000_000, help="lines in the large ledger"
    )
    parser.add_argument("--batch", type=int, default=100_000, help="lines per synthetic run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (default 3)")
    parser.add_argument("--regenerate", action="store_true", help="rewrite the cached roster")
    parser.add_argument(
        "--ledger", help="also measure PostgreSQL: a postgresql:// URL (bench_* schemas made there)"
    )
    parser.add_argument(
        "--skip-cli", action="store_true", help="measure only the in-process commit steps"
    )
    args = parser.parse_args()
    if min(args.rows, args.ledger_lines, args.batch, args.repeat) < 1:
        parser.error("--rows, --ledger-lines, --batch and --repeat must be at least 1")

    workdir = args.workdir.resolve()
    roster, _ = ensure_roster(workdir, args.rows, args.regenerate)
    params = ensure_params(workdir)
    big, big_meta = ensure_big_ledger(workdir, args.ledger_lines, args.batch)
    scratch = workdir / "subsidy-runs"
    scratch.mkdir(exist_ok=True)
    timer = gnu_time()
    skillpolicy = skillpolicy_command()

    def subsidy(ledger: Path | None, commit: bool) -> list[str]:
        command = [*skillpolicy, "subsidy", str(roster), "--program", PROGRAM]
        command += ["--params", str(params), "--format", "json"]
        if ledger is not None:
            command += ["--ledger", str(ledger)]
        return [*command, "--commit"] if commit else command

    # in-process: compute once (this also warms the page cache for the roster)
    print("computing the payout in-process ...", file=sys.stderr, flush=True)
    began = time.perf_counter()
    payout = compute_subsidy(
        roster,
        load_program(PROGRAM, SearchPath("catalogs")),
        params_file=params,
        search=SearchPath("catalogs"),
        shown_name=str(roster),
    )
    compute_seconds = time.perf_counter() - began
    paid, total = payout.count("paid"), payout.total

    def check_commit(path: Path, runs_before: int) -> Callable[[int], None]:
        def check(_: int) -> None:
            runs, lines, run_total = last_run(path)
            if (runs, lines, run_total) != (runs_before + 1, paid, total):
                raise SystemExit(
                    f"{path}: {runs} runs, newest {lines} lines {run_total}; "
                    f"expected {runs_before + 1} runs, newest {paid} lines {total}"
                )

        return check

    empty = scratch / "empty.sqlite3"
    copied = scratch / "copy.sqlite3"
    big_runs = -(-args.ledger_lines // args.batch)

    def fresh_empty(_: int) -> list[str]:
        remove_ledger(empty)
        return subsidy(empty, commit=True)

    def fresh_copy(_: int) -> list[str]:
        copy_ledger(big, copied)
        return subsidy(copied, commit=True)

    if args.skip_cli:
        commit_steps(args, payout, big, empty, copied)
        return
    print("measuring the CLI ...", file=sys.stderr, flush=True)
    cli = {
        "compute": measure_fresh(
            lambda _: subsidy(None, commit=False), lambda _: None, workdir, args.repeat, timer
        ),
        "empty": measure_fresh(fresh_empty, check_commit(empty, 0), workdir, args.repeat, timer),
        "big": measure_fresh(
            fresh_copy, check_commit(copied, big_runs), workdir, args.repeat, timer
        ),
    }

    # the second commit of the same roster, end to end: `copied` already holds this roster
    done = subprocess.run(
        subsidy(copied, commit=True), cwd=workdir, capture_output=True, check=False
    )
    if done.returncode not in OK_CODES:
        raise SystemExit(f"second commit exited {done.returncode}:\n{done.stderr.decode()}")
    second = json.loads(done.stdout)
    second_runs, second_lines, second_total = last_run(copied)
    already = sum(
        1
        for line in second["lines"]
        if any(reason["rule"] == "already-paid" for reason in line["reasons"])
    )

    print("measuring commit_payout in-process ...", file=sys.stderr, flush=True)
    step_empty, step_big = [], []
    for _ in range(args.repeat):
        remove_ledger(empty)
        step_empty.append(timed_commit(payout, empty))
    for _ in range(args.repeat):
        copy_ledger(big, copied)
        step_big.append(timed_commit(payout, copied))
    # and the commit-time conflict path: the same payout (computed without a ledger) again
    again = copy.deepcopy(payout)
    with SqliteLedger(copied, create=False) as ledger:
        began = time.perf_counter()
        commit_payout(again, ledger)
        conflict_seconds = time.perf_counter() - began

    postgres = (
        measure_postgres(args.ledger, payout, args.ledger_lines, args.batch, args.repeat)
        if args.ledger
        else None
    )

    big_mb = big.stat().st_size / (1024 * 1024)
    after_mb = copied.stat().st_size / (1024 * 1024)
    how = "GNU time %M" if timer else "os.wait4 ru_maxrss"
    print(f"roster          {roster}")
    print(
        f"payout          {payout.report.rows:,} rows: {paid:,} paid lines ({total:,} CNY), "
        f"{payout.count('pending'):,} pending, {payout.count('refused'):,} refused"
    )
    print(
        f"large ledger    {args.ledger_lines:,} active lines in {big_runs} runs, {big_mb:.0f} MB "
        f"(built once in {big_meta['seconds']} s; batches of {args.batch:,}: first "
        f"{big_meta['first_batch_seconds']} s, last {big_meta['last_batch_seconds']} s)"
    )
    print(
        f"method          CLI: {args.repeat} fresh processes each, best wall, best cpu, "
        f"max peak RSS ({how}); every --commit run into a new or freshly copied ledger"
    )
    print()
    print(f"{'':52}{'wall s':>8}{'cpu s':>8}{'peak MB':>9}")
    for label, key in (
        ("skillpolicy subsidy --format json (no --commit)", "compute"),
        ("  ... --commit into a new, empty ledger", "empty"),
        (f"  ... --commit into a {args.ledger_lines:,}-line ledger", "big"),
    ):
        item = cli[key]
        print(f"{label:52}{item.seconds:8.2f}{item.cpu:8.2f}{item.peak_mb:9.1f}")
    for label, key in (("empty", "empty"), (f"{args.ledger_lines:,}-line", "big")):
        extra = cli[key].seconds - cli["compute"].seconds
        print(f"  --commit costs {extra:+.2f} s wall over the compute ({label} ledger; context)")
    print()
    print(
        f"commit step in-process: commit_payout() of {paid:,} paid lines, best of {args.repeat} "
        f"(compute_subsidy took {compute_seconds:.2f} s)"
    )
    for label, runs in (
        ("into an empty ledger", step_empty),
        (f"into a {args.ledger_lines:,}-line ledger", step_big),
    ):
        best = min(runs)
        spread = ", ".join(f"{s:.2f}" for s in runs)
        print(
            f"  {label:34}{best:6.2f} s  (target <= {COMMIT_TARGET:.0f} s)  "
            f"{verdict(best, COMMIT_TARGET)}   [runs {spread}]"
        )
    print(f"  ledger file after the commit: {big_mb:.0f} MB -> {after_mb:.0f} MB")
    print()
    print("second commit of the same roster into the same ledger")
    # a payout with nothing paid records no run: the newest is still the first commit's
    nothing = second["total"] == "0.00" and second_runs == big_runs + 1
    print(
        f"  CLI: total {second['total']} CNY, paid {second['paid']:,}, {already:,} lines refused "
        f"as already-paid; the ledger still holds {second_runs} runs, the newest "
        f"({second_lines:,} lines, {second_total} CNY) the first commit's  "
        f"{'OK' if nothing else 'FAIL'}"
    )
    print(
        f"  in-process commit_payout of the stale payout (commit-time conflicts): total "
        f"{again.total} CNY, {again.count('paid'):,} paid, in {conflict_seconds:.2f} s  "
        f"{'OK' if again.total == 0 else 'FAIL'}"
    )
    if postgres is not None:
        print()
        print(f"PostgreSQL commit step (same payout, best of {args.repeat}; target <= "
              f"{POSTGRES_RATIO}x SQLite's in this run)")  # fmt: skip
        for label, runs, sqlite_runs in (
            ("into an empty ledger", postgres[0], step_empty),
            (f"into a {args.ledger_lines:,}-line ledger", postgres[1], step_big),
        ):
            best, base = min(runs), min(sqlite_runs)
            ratio = best / base
            spread = ", ".join(f"{s:.2f}" for s in runs)
            print(
                f"  {label:34}{best:6.2f} s  ({ratio:.2f}x SQLite's {base:.2f} s)  "
                f"{'PASS' if ratio <= POSTGRES_RATIO else 'FAIL'}   [runs {spread}]"
            )
    for path in (empty, copied):
        remove_ledger(path)


def commit_steps(
    args: argparse.Namespace, payout: Payout, big: Path, empty: Path, copied: Path
) -> None:
    """Only the in-process commit steps (SQLite, and PostgreSQL with --ledger), printed."""
    step_empty, step_big = [], []
    for _ in range(args.repeat):
        remove_ledger(empty)
        step_empty.append(timed_commit(payout, empty))
    for _ in range(args.repeat):
        copy_ledger(big, copied)
        step_big.append(timed_commit(payout, copied))
    runs = {"SQLite": (step_empty, step_big)}
    if args.ledger:
        runs["PostgreSQL"] = measure_postgres(
            args.ledger, payout, args.ledger_lines, args.batch, args.repeat
        )
    print(f"commit step in-process: commit_payout() of {payout.count('paid'):,} paid lines, "
          f"best of {args.repeat}")  # fmt: skip
    for backend, (into_empty, into_big) in runs.items():
        for label, times, base in (
            ("into an empty ledger", into_empty, step_empty),
            (f"into a {args.ledger_lines:,}-line ledger", into_big, step_big),
        ):
            ratio = min(times) / min(base)
            verdict_text = (
                "" if backend == "SQLite"
                else f"  {ratio:.2f}x SQLite  {'PASS' if ratio <= POSTGRES_RATIO else 'FAIL'}"
            )  # fmt: skip
            spread = ", ".join(f"{t:.2f}" for t in times)
            print(f"  {backend:11}{label:34}{min(times):6.2f} s{verdict_text}   [runs {spread}]")
    for path in (empty, copied):
        remove_ledger(path)


def measure_postgres(
    url: str, payout: Payout, lines: int, batch: int, repeat: int
) -> tuple[list[float], list[float]]:
    """The commit step into an empty PostgreSQL ledger and into one of ``lines`` lines."""
    from pg_bench import active_lines, forget_run, reset_schema, schema_url

    from skillpolicy.ledger.open import open_ledger

    empty_runs = []
    for _ in range(repeat):
        target = reset_schema(url, "bench_commit_empty")
        open_ledger(target).close()  # the schema's migrations, not measured
        empty_runs.append(timed_commit(payout, target))
    schema = f"bench_commit_{lines}"
    big = schema_url(url, schema)
    if active_lines(url, schema) != lines:
        print(f"building a PostgreSQL ledger of {lines:,} lines ...", file=sys.stderr, flush=True)
        reset_schema(url, schema)
        rng = random.Random(1_000_000)
        with open_ledger(big) as ledger:
            for number, start in enumerate(range(0, lines, batch), start=1):
                chunk = [synthetic_line(i, rng) for i in range(start, min(start + batch, lines))]
                run = RunInfo(
                    f"20140101000000-bench{number:04d}", PROGRAM, f"synthetic-{number:04d}.xlsx",
                    "0" * 64, "2014-01-01T09:00:00+08:00", {"synthetic": True},
                )  # fmt: skip
                ledger.commit(run, chunk)
        forget_run(url, schema, "")  # vacuum and analyse the new tables
    big_runs = []
    for _ in range(repeat):
        big_runs.append(timed_commit(payout, big))
        with open_ledger(big) as ledger:
            newest = ledger.runs()[-1].run_id
        forget_run(url, schema, newest)
    return empty_runs, big_runs


if __name__ == "__main__":
    main()
