"""PostgreSQL helpers for the benchmarks: a ledger per schema of the database a URL names.

``--ledger postgresql://…`` in bench_subsidy.py and bench_report.py names a database the
benchmark may create schemas in (``bench_*``); each measured ledger is one schema, reached
through libpq's ``options=-c search_path=…``. A throwaway server for them:
``python tests/pgcluster.py start --durable /tmp/bench-pg`` prints such a URL.
"""

from __future__ import annotations

from urllib.parse import quote

import psycopg

# what a measured commit left behind, removed again so that every repeat starts alike (the
# run's audit log entries are the newest, so the chain before them still holds)
RUN_TABLES = (
    "bank_results", "run_steps", "audit_log", "outcomes", "paid_groups", "paid_classes",
    "voids", "lines", "runs",
)  # fmt: skip


def schema_url(url: str, schema: str) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(f'-c search_path={schema}', safe='')}"


def reset_schema(url: str, schema: str) -> str:
    """An empty schema ``schema`` (dropped first if present); returns its ledger URL."""
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        db.execute(f"CREATE SCHEMA {schema}")
    return schema_url(url, schema)


def active_lines(url: str, schema: str) -> int | None:
    """Active lines in the ledger of ``schema``, None when it holds no ledger."""
    with psycopg.connect(url, autocommit=True) as db:
        found = db.execute("SELECT to_regclass(%s)", (f"{schema}.lines",)).fetchone()
        if found is None or found[0] is None:
            return None
        row = db.execute(f"SELECT COUNT(*) FROM {schema}.lines WHERE active = 1").fetchone()
    return None if row is None else int(row[0])


def forget_run(url: str, schema: str, run_id: str) -> None:
    """Remove a measured run's rows (the benchmark's superuser only; clerks cannot) and
    vacuum, so the next repeat commits into the same ledger."""
    with psycopg.connect(url, autocommit=True) as db:
        for table in RUN_TABLES:
            db.execute(f"DELETE FROM {schema}.{table} WHERE run_id = %s", (run_id,))
        for table in RUN_TABLES:
            db.execute(f"VACUUM ANALYZE {schema}.{table}")
