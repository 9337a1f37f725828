"""Benchmark `skillpolicy report monthly` over a generated ledger of 1,000,000 paid lines.

Run from the repository root (the project installed, e.g. ``pip install -e .[test]``):

    python benchmarks/bench_report.py                      # 1,000,000 lines, best of 3
    python benchmarks/bench_report.py --lines 200000 --repeat 5

The ledger is built once through the SqliteLedger API (``commit`` in runs of 100,000 lines,
each with the run's pending and refused rows as outcomes, about one in ten extra) and cached
in --workdir (default bench-out/). Its lines spread over the 24 months of the Xuchang
campaign, the 13 categories with their departments, 40 institutions, classes with 1–5
inspections, outcomes 合格/不合格, a few Guangxi 2012 and Fujian lines; its runs are approved
(so the report counts their paid lines, as it counts an approved run's); every run reports
2014-06 into a fresh output folder. Measured in fresh processes (best wall, best CPU, largest
peak RSS, from GNU time when installed): the whole command, interpreter start included.
Target: <= 3 s and <= 300 MB.

With ``--ledger postgresql://…`` (a database the benchmark may create ``bench_*`` schemas in,
see pg_bench.py) the same ledger is also built into a PostgreSQL schema (once, kept) and the
report over it is measured in the same run: PASS when within 1.5x of SQLite's wall time.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from bench_validate import gnu_time, measure, skillpolicy_command, verdict

from skillpolicy.ledger import LedgerLine, LineFacts, OutcomeLine, RunInfo
from skillpolicy.loading.programfiles import load_program

LEDGER_VERSION = 5  # bump when the synthetic ledger changes, so a stale cache is rebuilt
SECONDS_TARGET = 3.0
MB_TARGET = 300.0
POSTGRES_RATIO = 1.5  # the report over the shared ledger against SQLite's, same run
RUN_SIZE = 100_000
MONTH = "2014-06"
XUCHANG = "xuchang-2013-revitalization"
INSTITUTIONS = [f"许昌市第{n}职业培训学校" for n in range(1, 41)]
OCCUPATIONS = ["电焊工", "中式烹调师", "育婴员", "家政服务员", "维修电工", "计算机操作员"]
MONTHS = [f"{y}-{m:02d}" for y in (2013, 2014) for m in range(1, 13)]
REFUSALS = ["attendance", "certificate", "class-approved", "subsidy-group", "inspections"]


def build_ledger(path: Path | str, lines: int, seed: int = 2014) -> None:
    from skillpolicy.ledger.open import open_ledger

    rng = random.Random(seed)
    categories = [(t.name, t.department or "") for t in load_program(XUCHANG).targets]
    categories = [c for c in categories if c[1]]
    with open_ledger(str(path)) as ledger:
        for run_number, start in enumerate(range(0, lines, RUN_SIZE)):
            paid: list[LedgerLine] = []
            unpaid: list[OutcomeLine] = []
            for n in range(start, min(lines, start + RUN_SIZE)):
                program = (
                    XUCHANG
                    if n % 50
                    else ("guangxi-2012-technician", "fujian-2013-free-training")[n % 100 // 50]
                )
                category, department = rng.choice(categories)
                month = rng.choice(MONTHS)
                institution = rng.choice(INSTITUTIONS)
                occupation = rng.choice(OCCUPATIONS)
                facts = LineFacts(
                    month=month,
                    department=department if program == XUCHANG else "",
                    training_type="就业技能培训",
                    person_category="农村转移就业劳动者",
                    institution=institution,
                    locality="许昌县",
                    outcome="合格",
                    attendance="0.85",
                    inspections=rng.randint(1, 5),
                    class_start=f"{month}-0{rng.randint(1, 9)}",
                )  # fmt: skip
                line = LedgerLine(
                    key=f"{program}|S{n:09d}|{category}",
                    program=program,
                    subject=f"S{n:09d}",
                    name=f"学员{n}",
                    occupation=occupation,
                    level="技师" if n % 97 == 0 else "初级工",
                    target=category if program == XUCHANG else "",
                    year=int(month[:4]),
                    amount=Decimal("950.00"),
                    payee="学员本人",
                    row=n - start + 4,
                    facts=facts,
                )
                paid.append(line)
                if n % 10 == 0:  # one unpaid row for every ten paid
                    other = LedgerLine(
                        key=f"{program}|U{n:09d}|{category}",
                        program=program,
                        subject=f"U{n:09d}",
                        name=f"学员U{n}",
                        occupation=occupation,
                        target=line.target,
                        facts=LineFacts(
                            month=month,
                            department=facts.department,
                            institution=institution,
                            outcome=rng.choice(["不合格", ""]),
                            inspections=facts.inspections,
                            class_start=facts.class_start,
                        ),
                    )
                    status = "refused" if other.facts.outcome else "pending"
                    reasons = (rng.choice(REFUSALS),) if status == "refused" else ("certificate",)
                    unpaid.append(OutcomeLine(other, status, reasons))
            run = RunInfo(
                run_id=f"BENCH-{run_number:04d}",
                program=XUCHANG,
                file_name=f"bench-{run_number}.xlsx",
                file_hash="0" * 64,
                created_at=f"2014-12-{run_number % 28 + 1:02d}T09:00:00+08:00",
                # approved as committed (an office whose chain is 经办 alone): the report
                # counts only approved runs' paid lines, and since schema 4 a run proposed
                # for review left every paid line of this ledger out of the report (v4)
                approval=("经办",),
            )
            ledger.commit(run, paid, unpaid)
            print(f"  built {min(lines, start + RUN_SIZE):,} lines", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("bench-out"))
    parser.add_argument(
        "--ledger", help="also measure PostgreSQL: a postgresql:// URL (bench_* schemas made there)"
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    ledger = args.workdir / f"report-ledger-v{LEDGER_VERSION}-{args.lines}.sqlite3"
    if not ledger.exists():
        print(f"building a ledger of {args.lines:,} lines in {ledger} …", file=sys.stderr)
        began = time.perf_counter()
        partial = ledger.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        build_ledger(partial, args.lines)
        partial.replace(ledger)
        print(f"  done in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    out = Path(tempfile.mkdtemp(prefix="bench-report-", dir=args.workdir))
    try:
        command = [
            *skillpolicy_command(),
            "report", "monthly", "--month", MONTH, "--ledger", str(ledger.resolve()),
            "--out", str(out.resolve()),
        ]  # fmt: skip
        measure(command, args.workdir, 1, None)  # warm the page cache, unmeasured
        result = measure(command, args.workdir, args.repeat, gnu_time())
        files = sorted(p.name for p in (out / MONTH).iterdir())
        postgres = None
        if args.ledger:
            from pg_bench import active_lines, forget_run, reset_schema, schema_url

            schema = f"bench_report_v{LEDGER_VERSION}_{args.lines}"
            if active_lines(args.ledger, schema) != args.lines:
                print(f"building it in PostgreSQL schema {schema} …", file=sys.stderr)
                build_ledger(reset_schema(args.ledger, schema), args.lines)
                forget_run(args.ledger, schema, "")  # vacuum and analyse
            on_postgres = [*command]
            on_postgres[on_postgres.index("--ledger") + 1] = schema_url(args.ledger, schema)
            measure(on_postgres, args.workdir, 1, None)  # warm, unmeasured
            postgres = measure(on_postgres, args.workdir, args.repeat, gnu_time())
    finally:
        shutil.rmtree(out, ignore_errors=True)
    print(
        f"report monthly --month {MONTH} over {args.lines:,} ledger lines (best of {args.repeat})"
    )
    print(f"  files      {', '.join(files)}")
    print(
        f"  wall       {result.seconds:.2f} s   target <= {SECONDS_TARGET:.0f} s   "
        f"{verdict(result.seconds, SECONDS_TARGET)}"
    )
    print(f"  cpu        {result.cpu:.2f} s")
    print(
        f"  peak RSS   {result.peak_mb:.0f} MB   target <= {MB_TARGET:.0f} MB   "
        f"{verdict(result.peak_mb, MB_TARGET)}"
    )
    if postgres is not None:
        ratio = postgres.seconds / result.seconds
        print(f"the same over PostgreSQL (best of {args.repeat})")
        print(
            f"  wall       {postgres.seconds:.2f} s   {ratio:.2f}x SQLite's in this run   "
            f"target <= {POSTGRES_RATIO}x   {'PASS' if ratio <= POSTGRES_RATIO else 'FAIL'}"
        )
        print(f"  cpu        {postgres.cpu:.2f} s   peak RSS {postgres.peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
