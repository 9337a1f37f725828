"""The SQLite ledger: one file, schema created and migrated here, writers serialised.

The SQL is kept in module-level constants written with ``?`` placeholders and only the types
and statements PostgreSQL also accepts (TEXT and INTEGER columns, amounts as decimal
strings, ids made in Python, partial unique indexes, no AUTOINCREMENT, no SQLite-only
functions). :func:`placeholders` is the one place a ``?`` is translated, so a PostgreSQL
backend can reuse the same statements with its driver's ``%s`` style.

Schema (version 1)::

    schema_migrations(version PK, description, applied_at)
    runs(run_id PK, program, file_name, file_hash, created_at, params JSON, line_count,
         total TEXT)
    lines(run_id FK, line_no, line_key, program, subject, name, occupation, level, tranche,
          target, start_year, amount TEXT, payee, sheet_row, active 0/1;
          PK (run_id, line_no); UNIQUE (line_key) WHERE active = 1)
    voids(void_id PK, run_id UNIQUE FK, reason, created_at)

Version 2 adds what the monthly report reads (:class:`~skillpolicy.ledger.LineFacts`)::

    lines + (pay_month, department, training_type, person_category, institution, locality,
             outcome, attendance, inspections, class_start)   -- month back-filled from the run
    outcomes(run_id FK, line_no, line_key, program, subject, name, occupation, level, tranche,
             target, start_year, payee, sheet_row, status, reasons, current 0/1, <facts>;
             PK (run_id, line_no); INDEX (line_key) WHERE current = 1)
    paid_groups(run_id FK, program, pay_month, target, outcome, level, tranche, amount,
                institution, line_count)         -- a run's paid lines counted, written once
    paid_classes(run_id FK, program, institution, occupation, class_start, pay_month,
                 inspections (the least), line_count)

Version 3 records who made each run, so a city's shared ledger answers per office::

    runs + (office, operator)                    -- '' for runs made before version 3

Version 5 records each line's 所在企业 (Fujian's plan check: an enterprise's occupation
already trained free last year)::

    lines + (enterprise), outcomes + (enterprise)  -- '' for lines recorded before version 5
    INDEX lines_enterprise (enterprise, occupation, start_year) WHERE enterprise <> ''

Version 6 changes nothing in SQLite; on PostgreSQL it replaces the foreign key from ``lines``
to ``runs`` with triggers keeping the same guarantee once per statement (:func:`_migration_6`).

Version 7 keeps each outcome's reasons whole, as findings (:func:`structured_reasons`)::

    outcomes - reasons + (findings, rules)
        findings  -- a JSON array of {rule, column, severity, message, citation}
        rules     -- their distinct rule ids, a JSON array: the report's grouping key
                  -- (both TEXT holding JSON on SQLite, jsonb on PostgreSQL)
    INDEX outcomes_report with rules where it had reasons

Version 8 adds an index only (:data:`_PAID_GROUPS_REPORT`, both backends)::

    INDEX paid_groups_report (program, pay_month, target, outcome, level, tranche, amount,
                              institution, run_id, line_count)   -- the report's grouping order

Version 9 writes fewer index entries per paid line (SQLite; PostgreSQL records the version
and keeps its index)::

    INDEX lines_subject (subject) WHERE the key does not begin with "program|subject|"
        -- the others are found by subject as a range of the unique key (select_history_by_key)

``outcomes`` holds the pending and refused lines of each run with their reasons; the report
groups by ``rules`` and asks whether a rule is among them with ``json_each`` (jsonb's ``@>``
on PostgreSQL, :data:`HAS_RULE`). Grouping by the rule ids the findings' own JSON holds
(``json_each`` per row) took the month figures from 0.29 to 0.65 s over 20,000 outcomes;
``rules`` is written from the same findings in the same statement, so it cannot drift from
them. The latest outcome or paid line of a key supersedes the earlier ones
(``current`` 0), and a void takes its run's outcomes out too. Paid lines stay in ``lines`` so
the unique index on active keys is unchanged.

The report reads paid lines through ``paid_groups`` and ``paid_classes`` (skipping voided
runs) instead of an index on ``lines``, which every commit would have to maintain.

A line is never deleted: a void inserts a ``voids`` row and sets its run's lines'
``active`` to 0, which takes them out of the partial unique index so they can be paid again.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..domain.errors import InputError
from ..domain.findings import ALREADY_PAID as ALREADY_PAID  # one constant for every module
from ..io.fileio import os_error_text
from . import (
    AWARD_TARGET,
    HISTORY_FACTS,
    INDEXED_FACTS,
    ClassInspection,
    HistoryQuery,
    HistoryRun,
    LedgerLine,
    LineFacts,
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
    findings_of,
    outcome_texts,
    rule_ids_text,
    workflow,
)

if TYPE_CHECKING:
    from .reconcile import BankFile, Reconciliation

BUSY_TIMEOUT_SECONDS = 30.0
# Most databases cap bound parameters (SQLite's default was 999 until 3.32); stay well under.
MAX_PARAMETERS = 500
# Page cache per connection: a 100,000-line commit into a large ledger touches many index pages
CACHE_KIB = 65536
# A new ledger's pages (an existing file keeps its own): 16 KiB pages took 0.1 s of CPU off
# the 91,035-line commit against 8 KiB (fewer pages to fill, log and checkpoint), and the
# paid look-ups and the monthly report of a 1,000,000-line ledger cost the same.
PAGE_SIZE = 16384
ZERO = Decimal("0.00")
HIGH_SKILL_LEVELS = frozenset({"技师", "高级技师"})


def placeholders(sql: str, style: str = "qmark") -> str:
    """The statement in a driver's parameter style: ``qmark`` (``?``) or ``format`` (``%s``).

    The constants below never hold a literal ``?`` or ``%`` outside a placeholder.
    """
    if style == "qmark":
        return sql
    if style == "format":
        return sql.replace("?", "%s")
    raise ValueError(f"unknown parameter style {style!r}")


def for_office(sql: str, office: str | None, dialect: str = "sqlite") -> str:
    """A report statement for every office (None) or, with its ``?`` parameters, one; its
    reading of the outcomes' findings in ``dialect``'s JSON (``sqlite`` or ``postgresql``)."""
    return sql.format(
        office="" if office is None else OF_OFFICE,
        rules=RULES_OF[dialect],
        has_rule=HAS_RULE[dialect],
    )


def month_figures_parameters(up_to_month: str, office: str | None) -> tuple[Any, ...]:
    """The parameters of :data:`SELECT_MONTH_FIGURES` for every office or one."""
    if office is None:
        return (up_to_month, up_to_month, up_to_month)
    return (up_to_month, office, up_to_month, office, up_to_month, office)


def report_figures_parameters(month: str, office: str | None) -> tuple[Any, ...]:
    """The parameters of :data:`SELECT_REPORT_FIGURES` for every office or one."""
    return (*month_figures_parameters(month, office), month)


def thin_inspections_parameters(month: str, minimum: int, office: str | None) -> tuple[Any, ...]:
    """The parameters of :data:`SELECT_THIN_INSPECTIONS` for every office or one."""
    # already-paid among the reasons: a repeat, not a trainee of the class
    repeat = ALREADY_PAID
    if office is None:
        return (month, month, repeat, minimum)
    return (month, office, month, repeat, office, minimum)


def locality_figures_parameters(
    program: str, first_month: str, up_to_month: str, office: str | None
) -> tuple[Any, ...]:
    """The parameters of :data:`SELECT_LOCALITY_FIGURES` for every office or one."""
    span = (program, first_month, up_to_month)
    return (*span, *span) if office is None else (*span, office, *span, office)


class _RuleIds(dict[str, str]):
    """The report's rule-id texts, each distinct JSON array read once (a few dozen kinds of
    reason among thousands of groups)."""

    def __missing__(self, stored: str) -> str:
        text = self[stored] = rule_ids_text(stored)
        return text


def locality_figures_of(rows: Iterable[Sequence[Any]]) -> list[LocalityFigure]:
    """The rows of :data:`SELECT_LOCALITY_FIGURES` as figures."""
    rule_ids = _RuleIds()
    return [
        LocalityFigure(
            locality=locality,
            month=month,
            status=status,
            outcome=outcome,
            reasons=rule_ids[reasons],
            first=tranche is None or tranche == 1,
            amount=_decimal(amount),
            count=int(count),
        )
        for locality, month, status, outcome, reasons, tranche, amount, count in rows
    ]


def month_figures_of(rows: Iterable[Sequence[Any]]) -> list[MonthFigure]:
    """The rows of :data:`SELECT_MONTH_FIGURES` as figures."""
    rule_ids = _RuleIds()
    return [
        MonthFigure(
            program=program,
            month=month,
            target=target,
            department="",  # not grouped: the report takes it from the program file
            status=status,
            outcome=outcome,
            high_skill=level in HIGH_SKILL_LEVELS,
            first=tranche is None or tranche == 1,
            reasons=rule_ids[reasons],
            amount=_decimal(amount),
            count=int(count),
            institution=institution,
        )
        for program, month, target, outcome, level, tranche, status, reasons, amount,
        institution, count in rows
    ]  # fmt: skip


def report_figures_of(rows: Iterable[Sequence[Any]]) -> ReportFigures:
    """The rows of :data:`SELECT_REPORT_FIGURES` as the two lists of figures."""
    months: list[Sequence[Any]] = []
    institutions: list[Sequence[Any]] = []
    for row in rows:
        (institutions if row[0] else months).append(row[1:])
    return ReportFigures(month_figures_of(months), month_figures_of(institutions))


def thin_inspections_of(rows: Iterable[Sequence[Any]]) -> list[ClassInspection]:
    """The rows of :data:`SELECT_THIN_INSPECTIONS` as classes."""
    return [
        ClassInspection(program, institution, occupation, start, row_month, int(low), int(n))
        for program, institution, occupation, start, row_month, low, n in rows
    ]


def in_list(sql: str, count: int) -> str:
    """Expand the ``{marks}`` of an IN-list template to ``count`` placeholders."""
    return sql.format(marks=", ".join("?" * count))


# --------------------------------------------------------------------------- schema


@dataclass(frozen=True)
class Migration:
    """One step of the schema; applied in order, each in the same transaction as the rest.

    ``postgres``, when given, is what the PostgreSQL backend runs instead of ``statements``
    (the same version number on both backends, different means)."""

    version: int
    description: str
    statements: tuple[str, ...]
    # what PostgreSQL runs instead, where the two differ (JSON, triggers); else ``statements``
    postgresql: tuple[str, ...] | None = None


CREATE_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at TEXT NOT NULL
)"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "台账初建：运行、已发放各笔、作废记录",
        (
            """
            CREATE TABLE runs (
                run_id TEXT PRIMARY KEY,
                program TEXT NOT NULL,
                file_name TEXT NOT NULL,
                file_hash TEXT NOT NULL,
                created_at TEXT NOT NULL,
                params TEXT NOT NULL,
                line_count INTEGER NOT NULL,
                total TEXT NOT NULL
            )""",
            """
            CREATE TABLE lines (
                run_id TEXT NOT NULL REFERENCES runs (run_id),
                line_no INTEGER NOT NULL,
                line_key TEXT NOT NULL,
                program TEXT NOT NULL,
                subject TEXT NOT NULL,
                name TEXT NOT NULL,
                occupation TEXT NOT NULL,
                level TEXT NOT NULL,
                tranche INTEGER,
                target TEXT NOT NULL,
                start_year INTEGER,
                amount TEXT NOT NULL,
                payee TEXT NOT NULL,
                sheet_row INTEGER,
                active INTEGER NOT NULL,
                PRIMARY KEY (run_id, line_no)
            )""",
            "CREATE UNIQUE INDEX lines_active_key ON lines (line_key) WHERE active = 1",
            "CREATE INDEX lines_subject ON lines (subject)",
            """
            CREATE TABLE voids (
                void_id TEXT PRIMARY KEY,
                run_id TEXT NOT NULL UNIQUE REFERENCES runs (run_id),
                reason TEXT NOT NULL,
                created_at TEXT NOT NULL
            )""",
        ),
    ),
)
_FACT_COLUMNS_2 = (  # the facts migration 2 added (LineFacts' order)
    "pay_month",  # LineFacts.month ("month" is left free for a later, wider use)
    "department",
    "training_type",
    "person_category",
    "institution",
    "locality",
    "outcome",
    "attendance",
    "inspections",
    "class_start",
)
_REPORT_KEY = "program, pay_month, target, outcome, level, tranche"
_GROUP_KEY = f"run_id, {_REPORT_KEY}, amount, institution"
_CLASS_KEY = "run_id, program, institution, occupation, class_start, pay_month"
# Every run's paid lines summarised: the migration's back-fill (commits count in Python).
_SUMMARISE_GROUPS = (
    f"INSERT INTO paid_groups ({_GROUP_KEY}, line_count) "
    f"SELECT {_GROUP_KEY}, COUNT(*) FROM lines GROUP BY {_GROUP_KEY}"
)
_SUMMARISE_CLASSES = (
    f"INSERT INTO paid_classes ({_CLASS_KEY}, inspections, line_count) "
    f"SELECT {_CLASS_KEY}, MIN(inspections), COUNT(*) FROM lines "
    f"WHERE inspections IS NOT NULL GROUP BY {_CLASS_KEY}"
)
_FACT_DDL = dict.fromkeys(_FACT_COLUMNS_2, "TEXT NOT NULL DEFAULT ''")
_FACT_DDL["inspections"] = "INTEGER"

MIGRATIONS += (
    Migration(
        2,
        "月报：各笔的月份、类别与部门、培训类型、人员类别、机构、所在地、结果、到课率；待定与不予发放的各行",
        (
            *(f"ALTER TABLE lines ADD COLUMN {name} {_FACT_DDL[name]}" for name in _FACT_COLUMNS_2),
            # lines paid before version 2: the month of the run that paid them
            "UPDATE lines SET pay_month = (SELECT SUBSTR(r.created_at, 1, 7) FROM runs r "
            "WHERE r.run_id = lines.run_id) WHERE pay_month = ''",
            """
            CREATE TABLE outcomes (
                run_id TEXT NOT NULL REFERENCES runs (run_id),
                line_no INTEGER NOT NULL,
                line_key TEXT NOT NULL,
                program TEXT NOT NULL,
                subject TEXT NOT NULL,
                name TEXT NOT NULL,
                occupation TEXT NOT NULL,
                level TEXT NOT NULL,
                tranche INTEGER,
                target TEXT NOT NULL,
                start_year INTEGER,
                payee TEXT NOT NULL,
                sheet_row INTEGER,
                status TEXT NOT NULL,
                reasons TEXT NOT NULL,
                current INTEGER NOT NULL,
                """
            + ",\n                ".join(f"{name} {_FACT_DDL[name]}" for name in _FACT_COLUMNS_2)
            + """,
                PRIMARY KEY (run_id, line_no)
            )""",
            "CREATE INDEX outcomes_current_key ON outcomes (line_key) WHERE current = 1",
            f"CREATE INDEX outcomes_report ON outcomes ({_REPORT_KEY}, status, reasons, "
            "institution) WHERE current = 1",
            "CREATE INDEX outcomes_month ON outcomes (pay_month)",
            # The report reads paid lines through per-run summaries rather than an index on
            # lines (which every commit would pay for): a run's groups and classes are written
            # once, in its commit, and never change; a void leaves them and the report skips
            # voided runs, so the summaries cannot drift from the lines.
            """
            CREATE TABLE paid_groups (
                run_id TEXT NOT NULL REFERENCES runs (run_id),
                program TEXT NOT NULL,
                pay_month TEXT NOT NULL,
                target TEXT NOT NULL,
                outcome TEXT NOT NULL,
                level TEXT NOT NULL,
                tranche INTEGER,
                amount TEXT NOT NULL,
                institution TEXT NOT NULL,
                line_count INTEGER NOT NULL
            )""",
            "CREATE INDEX paid_groups_month ON paid_groups (pay_month)",
            """
            CREATE TABLE paid_classes (
                run_id TEXT NOT NULL REFERENCES runs (run_id),
                program TEXT NOT NULL,
                institution TEXT NOT NULL,
                occupation TEXT NOT NULL,
                class_start TEXT NOT NULL,
                pay_month TEXT NOT NULL,
                inspections INTEGER NOT NULL,
                line_count INTEGER NOT NULL
            )""",
            "CREATE INDEX paid_classes_month ON paid_classes (pay_month)",
            # the runs paid before version 2, voided ones too (the report skips those)
            _SUMMARISE_GROUPS,
            _SUMMARISE_CLASSES,
        ),
    ),
)
MIGRATIONS += (
    Migration(
        3,
        "经办机构：每次运行记下经办机构与经办人",
        (
            "ALTER TABLE runs ADD COLUMN office TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE runs ADD COLUMN operator TEXT NOT NULL DEFAULT ''",
            "CREATE INDEX runs_office ON runs (office)",
        ),
    ),
)
MIGRATIONS += (
    Migration(
        4,
        "经办、复核、审批：运行的状态与各环节，防篡改的操作日志（此前的运行记为已审批）",
        (
            # new runs are proposed (待复核); those made before version 4 count as approved
            "ALTER TABLE runs ADD COLUMN state TEXT NOT NULL DEFAULT 'proposed'",
            "ALTER TABLE runs ADD COLUMN approval TEXT NOT NULL DEFAULT '经办,复核,审批'",
            "ALTER TABLE runs ADD COLUMN log_seq INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE runs ADD COLUMN log_hash TEXT NOT NULL DEFAULT ''",
            "UPDATE runs SET state = 'approved', approval = ''",
            """
            CREATE TABLE run_steps (
                run_id TEXT NOT NULL REFERENCES runs (run_id),
                step_no INTEGER NOT NULL,
                step TEXT NOT NULL,
                actor TEXT NOT NULL,
                office TEXT NOT NULL,
                created_at TEXT NOT NULL,
                note TEXT NOT NULL,
                detail TEXT NOT NULL,
                PRIMARY KEY (run_id, step_no)
            )""",
            # one person, one of 经办/复核/审批/驳回 per run: the ledger's own guard
            "CREATE UNIQUE INDEX run_steps_one_person ON run_steps (run_id, actor) "
            "WHERE step IN ('经办', '复核', '审批', '驳回')",
            """
            CREATE TABLE audit_log (
                seq INTEGER PRIMARY KEY,
                created_at TEXT NOT NULL,
                action TEXT NOT NULL,
                run_id TEXT NOT NULL,
                actor TEXT NOT NULL,
                office TEXT NOT NULL,
                host TEXT NOT NULL,
                detail TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            )""",
            "CREATE INDEX audit_log_run ON audit_log (run_id)",
            # the bank's return file: each paid line 已到账 or 退回 (insert-only)
            """
            CREATE TABLE bank_results (
                run_id TEXT NOT NULL REFERENCES runs (run_id),
                line_no INTEGER NOT NULL,
                result TEXT NOT NULL,
                reason TEXT NOT NULL,
                bank_file TEXT NOT NULL,
                bank_row INTEGER,
                created_at TEXT NOT NULL,
                actor TEXT NOT NULL,
                PRIMARY KEY (run_id, line_no)
            )""",
        ),
    ),
)
MIGRATIONS += (
    Migration(
        5,
        "所在企业：各笔记下学员所在企业（福建培训计划核对上年同一企业同一职业的免费培训）",
        (
            # lines recorded before version 5 keep it empty: their enterprise is not known
            "ALTER TABLE lines ADD COLUMN enterprise TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE outcomes ADD COLUMN enterprise TEXT NOT NULL DEFAULT ''",
            # only lines that name an enterprise are indexed (a roster without 所在企业 adds
            # nothing to a commit's index work)
            "CREATE INDEX lines_enterprise ON lines (enterprise, occupation, start_year) "
            "WHERE enterprise <> ''",
        ),
    ),
)
_REPORT_INDEX = (
    f"CREATE INDEX outcomes_report ON outcomes ({_REPORT_KEY}, status, rules, institution) "
    "WHERE current = 1"
)


def structured_reasons(version: int) -> Migration:
    """Each outcome's reasons as findings, a JSON array in ``findings``, and their distinct
    rule ids, a JSON array in ``rules`` (TEXT holding JSON on SQLite, jsonb on PostgreSQL),
    instead of comma-joined rule ids in ``reasons``. Outcomes recorded before keep their rule
    ids, each as a finding of that rule alone: an error on a refused line, a review on a
    pending one, no column, and an empty message and citation (the ledger never held them,
    and today's program file may say something else)."""
    severity = "CASE outcomes.status WHEN 'refused' THEN 'error' ELSE 'review' END"
    return Migration(
        version,
        "不予发放和待定各行的理由按完整的检查结果记录（规则、列、严重程度、说明、依据），"
        "此前各行只有规则编号",
        (
            "DROP INDEX outcomes_report",  # it held reasons
            "ALTER TABLE outcomes ADD COLUMN findings TEXT NOT NULL DEFAULT '[]'",
            "ALTER TABLE outcomes ADD COLUMN rules TEXT NOT NULL DEFAULT '[]'",
            # "a,b" → [{"rule": "a", …}, {"rule": "b", …}], split in order
            "UPDATE outcomes SET findings = (WITH RECURSIVE part(rule, rest) AS ("
            "SELECT '', outcomes.reasons || ',' UNION ALL "
            "SELECT substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1) "
            "FROM part WHERE rest <> '') "
            "SELECT json_group_array(json_object('rule', rule, 'column', NULL, "
            f"'severity', {severity}, 'message', '', 'citation', '')) "
            "FROM part WHERE rule <> '') WHERE reasons <> ''",
            "UPDATE outcomes SET rules = (SELECT json_group_array(json_extract(f.value, "
            "'$.rule')) FROM json_each(outcomes.findings) f) WHERE reasons <> ''",
            "ALTER TABLE outcomes DROP COLUMN reasons",
            _REPORT_INDEX,
        ),
        postgresql=(
            "DROP INDEX outcomes_report",
            "ALTER TABLE outcomes ADD COLUMN findings jsonb NOT NULL DEFAULT '[]'::jsonb",
            "ALTER TABLE outcomes ADD COLUMN rules jsonb NOT NULL DEFAULT '[]'::jsonb",
            "UPDATE outcomes SET findings = (SELECT jsonb_agg(jsonb_build_object('rule', rule, "
            f"'column', NULL, 'severity', {severity}, 'message', '', 'citation', '') "
            "ORDER BY n) FROM unnest(string_to_array(outcomes.reasons, ',')) "
            "WITH ORDINALITY AS part(rule, n) WHERE rule <> '') WHERE reasons <> ''",
            "UPDATE outcomes SET rules = jsonb_path_query_array(findings, '$[*].rule') "
            "WHERE reasons <> ''",
            "ALTER TABLE outcomes DROP COLUMN reasons",
            _REPORT_INDEX,
        ),
    )


def _migration_6() -> Migration:
    """PostgreSQL checks that each line names a recorded run once per statement, not per row.

    The foreign key from ``lines`` to ``runs`` made PostgreSQL look up the run once for each
    of a commit's 100,000 lines (a quarter of the commit's one INSERT); the same guarantee now
    costs one look-up per statement: after each INSERT into ``lines`` a statement-level
    trigger holds the runs its new lines name (KEY SHARE, as the foreign key did) and refuses
    the statement when any is missing; a line's run_id changed, or a run deleted or renamed
    while lines name it, is refused as before. SQLite keeps its foreign key (its per-row check
    is a small part of its commit): the version is recorded and nothing else changes.
    """
    refuse = (
        "RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', "
        "MESSAGE = 'lines must name a recorded run'"
    )
    return Migration(
        6,
        "记账提速：共享台账（PostgreSQL）核对各笔所属运行改为每条语句一次，保证不变",
        (),
        postgresql=(
            "ALTER TABLE lines DROP CONSTRAINT lines_run_id_fkey",
            "CREATE FUNCTION lines_name_runs() RETURNS trigger LANGUAGE plpgsql "
            "SET search_path FROM CURRENT AS $body$ BEGIN "
            "PERFORM 1 FROM runs r WHERE r.run_id IN (SELECT DISTINCT a.run_id FROM added a) "
            "FOR KEY SHARE; "
            "IF EXISTS (SELECT 1 FROM (SELECT DISTINCT a.run_id FROM added a) n WHERE NOT EXISTS "
            f"(SELECT 1 FROM runs r WHERE r.run_id = n.run_id)) THEN {refuse}; END IF; "
            "RETURN NULL; END $body$",
            "CREATE TRIGGER lines_name_runs AFTER INSERT ON lines REFERENCING NEW TABLE AS added "
            "FOR EACH STATEMENT EXECUTE FUNCTION lines_name_runs()",
            "CREATE FUNCTION line_names_a_run() RETURNS trigger LANGUAGE plpgsql "
            "SET search_path FROM CURRENT AS $body$ BEGIN "
            "PERFORM 1 FROM runs r WHERE r.run_id = NEW.run_id FOR KEY SHARE; "
            f"IF NOT FOUND THEN {refuse}; END IF; RETURN NEW; END $body$",
            "CREATE TRIGGER line_names_a_run BEFORE UPDATE OF run_id ON lines FOR EACH ROW "
            "WHEN (NEW.run_id IS DISTINCT FROM OLD.run_id) EXECUTE FUNCTION line_names_a_run()",
            "CREATE FUNCTION run_keeps_its_lines() RETURNS trigger LANGUAGE plpgsql "
            "SET search_path FROM CURRENT AS $body$ BEGIN "
            "IF EXISTS (SELECT 1 FROM lines l WHERE l.run_id = OLD.run_id) THEN "
            "RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', "
            "MESSAGE = 'a run that lines name is kept'; END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $body$",
            "CREATE TRIGGER run_keeps_its_lines BEFORE DELETE ON runs FOR EACH ROW "
            "EXECUTE FUNCTION run_keeps_its_lines()",
            "CREATE TRIGGER run_keeps_its_id BEFORE UPDATE OF run_id ON runs FOR EACH ROW "
            "WHEN (NEW.run_id IS DISTINCT FROM OLD.run_id) EXECUTE FUNCTION run_keeps_its_lines()",
        ),
    )


MIGRATIONS += (_migration_6(), structured_reasons(7))
# The report groups the paid summaries of every month up to its own by the report's key:
# with this covering index in that order SQLite streams the groups instead of sorting
# every summary row (0.72 s to 0.22 s of a 1,000,000-line ledger's report); a commit adds
# a few thousand summary rows to it.
_PAID_GROUPS_REPORT = (
    f"CREATE INDEX paid_groups_report ON paid_groups ({_REPORT_KEY}, amount, institution, "
    "run_id, line_count)"
)
MIGRATIONS += (
    Migration(
        8,
        "月报提速：已发放汇总按月报的分组次序建索引（月报按索引逐组读出，不再排序）",
        (_PAID_GROUPS_REPORT,),
    ),
)
# A line whose key starts with its program and subject ("program|subject|…", every bundled
# program's key) is found by subject through the unique key index, a range of keys per
# person (:func:`select_history_by_key`); lines_subject holds only the other lines (a key
# that puts the subject later, or never names it), so a commit of such lines writes no
# entry into it (0.25–0.3 s of CPU of a 91,035-line commit; the condition costs 0.07 s).
# ``instr(…) <> 1`` is exact: the key does not begin with that text. PostgreSQL keeps the
# full index (its keys compare in the database's collation, where a range is not a prefix).
_OUTSIDE_KEY = "instr({t}line_key, {t}program || '|' || {t}subject || '|') <> 1"
_SUBJECT_OUTSIDE_KEY = _OUTSIDE_KEY.format(t="")
MIGRATIONS += (
    Migration(
        9,
        "记账提速：按身份证号查历史的索引只收录台账键不以项目和身份证号开头的各笔"
        "（其余各笔按台账键的前缀由唯一键索引查到），每次记账少写一个索引",
        (
            "DROP INDEX lines_subject",
            f"CREATE INDEX lines_subject ON lines (subject) WHERE {_SUBJECT_OUTSIDE_KEY}",
        ),
        postgresql=(),
    ),
)
# Every fact a line records, in LineFacts' order (a test pins it).
_FACT_COLUMNS = (*_FACT_COLUMNS_2, "enterprise")
SCHEMA_VERSION = MIGRATIONS[-1].version

SELECT_SCHEMA_VERSION = "SELECT MAX(version) FROM schema_migrations"
INSERT_MIGRATION = (
    "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)"
)

# --------------------------------------------------------------------------- statements

_PAID_COLUMNS = "l.line_key, l.run_id, r.created_at, l.amount, r.file_name, r.office, r.state"

SELECT_PAID = (
    f"SELECT {_PAID_COLUMNS} FROM lines l JOIN runs r ON r.run_id = l.run_id "
    "WHERE l.active = 1 AND l.line_key IN ({marks})"
)


def select_history(
    facts: Sequence[str], count: int, *, lower: bool, approved: bool, outside_key: bool = False
) -> str:
    """The statement of :meth:`SqliteLedger.history` for ``count`` keys of ``facts`` (ledger
    column names from HISTORY_FACTS, never user text): each fact's values in an IN list (the
    exact pairs are picked in Python), grouped by key, year and run. The first fact is
    ``subject`` or ``enterprise``, so the look-up walks lines_subject or lines_enterprise.

    ``outside_key`` (SQLite, a ``subject`` first): only the lines lines_subject holds, those
    whose key does not begin with their program and subject (the partial index's own
    condition); :func:`select_history_by_key` finds the others."""
    columns = [f"l.{HISTORY_FACTS[fact]}" for fact in facts]
    marks = ", ".join("?" * count)
    where = [f"{column} IN ({marks})" for column in columns]
    if facts[0] == "enterprise":
        where.append("l.enterprise <> ''")  # the partial index's own condition
    elif outside_key:
        where.append(_OUTSIDE_KEY.format(t="l."))  # the partial index's own condition
        source = "lines l INDEXED BY lines_subject"  # as select_history_by_key names its own
        return _select_history(columns, source, where, lower=lower, approved=approved)
    return _select_history(columns, "lines l", where, lower=lower, approved=approved)


def select_history_by_key(
    facts: Sequence[str], subjects: int, count: int, *, lower: bool, approved: bool
) -> str:
    """The other half of a history look-up by ``subject`` on SQLite: the lines whose key
    begins with "program|subject|", through the unique key index, one range of keys per
    person (``subjects`` of them, :func:`history_by_key_parameters`); the other facts' values
    in IN lists of ``count`` as in :func:`select_history`. In SQLite's binary order the keys
    from "p|s|" up to, not including, "p|s}" are exactly those beginning with "p|s|" ("}"
    follows "|"), and a line of program p and subject s found there is not in lines_subject."""
    if facts[0] != "subject":
        raise ValueError(f"a look-up by key ranges starts with the subject: {facts}")
    columns = [f"l.{HISTORY_FACTS[fact]}" for fact in facts]
    marks = ", ".join("?" * count)
    where = ["l.line_key >= w.low", "l.line_key < w.high", "l.subject = w.subject"]
    where += [f"{column} IN ({marks})" for column in columns[1:]]
    ranges = ", ".join(["(?, ?, ?)"] * subjects)
    # named: with a hundred ranges and no statistics SQLite would build an automatic index
    # over all the lines instead (4 s a statement on a 1,000,000-line ledger)
    source = "w CROSS JOIN lines l INDEXED BY lines_active_key"
    return f"WITH w (subject, low, high) AS (VALUES {ranges}) " + _select_history(
        columns, source, where, lower=lower, approved=approved
    )


def _select_history(
    columns: Sequence[str], source: str, where: list[str], *, lower: bool, approved: bool
) -> str:
    where = [*where, "l.program = ?", "l.active = 1", "l.start_year < ?"]
    if lower:
        where.append("l.start_year >= ?")
    if approved:
        where += [
            "r.state = 'approved'",
            "NOT EXISTS (SELECT 1 FROM voids v WHERE v.run_id = l.run_id)",
        ]
    keys = ", ".join(columns)
    # one row per person (subject) and run: people are counted in Python, per run and, a
    # person found in two runs once, per key
    return (
        f"SELECT DISTINCT {keys}, l.start_year, l.run_id, r.created_at, r.file_name, r.office, "
        f"l.subject FROM {source} JOIN runs r ON r.run_id = l.run_id "
        f"WHERE {' AND '.join(where)}"
    )


def history_parameters(query: HistoryQuery, chunk: Sequence[tuple[str, ...]]) -> list[Any]:
    """The parameters of :func:`select_history` for ``chunk`` of ``query``'s keys."""
    values: list[Any] = [key[place] for place in range(len(query.facts)) for key in chunk]
    return values + _history_bounds(query)


def history_subjects(chunk: Sequence[tuple[str, ...]]) -> list[str]:
    """The distinct subjects of ``chunk`` (a subject-first query's keys), sorted."""
    return sorted({key[0] for key in chunk})


def history_by_key_parameters(
    query: HistoryQuery, chunk: Sequence[tuple[str, ...]], subjects: Sequence[str]
) -> list[Any]:
    """The parameters of :func:`select_history_by_key` for ``chunk`` and its ``subjects``."""
    values: list[Any] = []
    for subject in subjects:
        prefix = f"{query.program}|{subject}"
        values += [subject, f"{prefix}|", f"{prefix}}}"]
    values += [key[place] for place in range(1, len(query.facts)) for key in chunk]
    return values + _history_bounds(query)


def _history_bounds(query: HistoryQuery) -> list[Any]:
    values: list[Any] = [query.program, query.before_year]
    if query.from_year is not None:
        values.append(query.from_year)
    return values


def history_of(
    rows: Iterable[Sequence[Any]],
    chunk: Sequence[tuple[str, ...]],
    found: dict[tuple[str, ...], list[Any]],
) -> None:
    """The rows of :func:`select_history` for ``chunk`` added to ``found`` under the chunk's
    own keys: one run a key and year, with the people (distinct subjects) of its lines. A
    key of another chunk is answered by that chunk's statement alone (else a person whose
    keys fall into two chunks had each run twice under a key)."""
    wanted = set(chunk)
    width = len(chunk[0]) if chunk else 0
    people: dict[tuple[tuple[str, ...], tuple[Any, ...]], set[str]] = {}
    for row in rows:
        key = tuple(row[:width])
        if key not in wanted:
            continue  # the IN lists also match other combinations of the values
        *run, subject = row[width:]
        people.setdefault((key, tuple(run)), set()).add(subject)
    for (key, (year, run_id, created_at, file_name, office)), subjects in people.items():
        found.setdefault(key, []).append(
            HistoryRun(
                run_id, created_at, file_name, office, int(year), len(subjects),
                frozenset(subjects),
            )
        )  # fmt: skip


def history_order(found: dict[tuple[str, ...], list[HistoryRun]]) -> None:
    """Each key's runs by year, then oldest run first."""
    for runs in found.values():
        runs.sort(key=lambda run: (run.year, run.created_at, run.run_id))


def history_chunks(query: HistoryQuery, extra: int = 0) -> Iterator[Sequence[tuple[str, ...]]]:
    """The query's distinct keys, sorted, as many at a time as the parameter cap allows
    (``extra``: parameters a key costs beyond one per fact)."""
    if not query.facts or query.facts[0] not in INDEXED_FACTS:
        raise ValueError(f"a history query starts with one of {INDEXED_FACTS}: {query.facts}")
    keys = sorted(set(query.keys))
    size = max(1, (MAX_PARAMETERS - 3) // (len(query.facts) + extra))
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


INSERT_RUN = (
    "INSERT INTO runs (run_id, program, file_name, file_hash, created_at, params, "
    "line_count, total, office, operator) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# A line goes in only if no active line has its key: the partial unique index decides, inside
# the transaction (in PostgreSQL this is also safe without a table lock).
_FACTS = ", ".join(_FACT_COLUMNS)
_FACT_MARKS = ", ".join("?" * len(_FACT_COLUMNS))
# The columns of a row made by run_rows, in order.
_LINE_ROW = (
    "run_id", "line_no", "line_key", "program", "subject", "name", "occupation", "level",
    "tranche", "target", "start_year", "amount", "payee", "sheet_row", *_FACT_COLUMNS,
)  # fmt: skip
# Binding None costs the driver an adaptation look-up per value, so the integer columns that
# may be NULL (tranche, start_year, sheet_row, inspections) are bound as a float NaN, which
# SQLite stores as NULL (sqlite3_bind_double; a test pins it): no adaptation, no text copied
# and no NULLIF per value (3.6% fewer of SQLite's instructions than '' and NULLIF for 20,000
# of the benchmark's lines, by callgrind). One object: summary_rows finds it by identity (NaN
# is not equal to itself).
_NULL = float("nan")
INSERT_LINE_IF_NEW = (
    f"INSERT INTO lines ({', '.join(_LINE_ROW)}, active) VALUES ("
    + ", ".join("?" for _ in _LINE_ROW)
    + ", 1) "
    "ON CONFLICT (line_key) WHERE active = 1 DO NOTHING"
)
INSERT_OUTCOME = (
    "INSERT INTO outcomes (run_id, line_no, line_key, program, subject, name, occupation, "
    "level, tranche, target, start_year, payee, sheet_row, status, findings, rules, "
    f"{_FACTS}, current) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {_FACT_MARKS}, 1)"
)
SUPERSEDE_OUTCOMES = "UPDATE outcomes SET current = 0 WHERE current = 1 AND line_key IN ({marks})"
RETIRE_RUN_OUTCOMES = "UPDATE outcomes SET current = 0 WHERE run_id = ? AND current = 1"
ANY_CURRENT_OUTCOME = "SELECT 1 FROM outcomes WHERE current = 1 LIMIT 1"
SELECT_RUN_OUTCOMES = (
    "SELECT line_key, program, subject, name, occupation, level, tranche, target, start_year, "
    f"payee, sheet_row, status, findings, current, {_FACTS} FROM outcomes WHERE run_id = ? "
    "ORDER BY line_no"
)
# The rule ids of outcome ``s``'s findings as the report selects them (JSON text, beside the
# paid lines' ''), and whether the ``?`` rule is one of them: the one place the backends'
# JSON differs.
RULES_OF = {"sqlite": "s.rules", "postgresql": "s.rules::text"}
HAS_RULE = {
    "sqlite": "EXISTS (SELECT 1 FROM json_each(s.rules) f WHERE f.value = ?)",
    "postgresql": "s.rules @> jsonb_build_array(?::text)",
}
# The report's aggregates: grouped in the database in the order of the report indexes (so
# SQLite streams the groups instead of sorting a million rows); amounts are grouped, not
# summed, so that the totals are exact decimals computed from a few thousand rows.
_GROUP_KEY_COLUMNS = tuple(_GROUP_KEY.split(", "))
_CLASS_KEY_COLUMNS = tuple(_CLASS_KEY.split(", "))
INSERT_PAID_GROUP = (
    f"INSERT INTO paid_groups ({_GROUP_KEY}, line_count) "
    f"VALUES ({', '.join('?' * (len(_GROUP_KEY_COLUMNS) + 1))})"
)
INSERT_PAID_CLASS = (
    f"INSERT INTO paid_classes ({_CLASS_KEY}, inspections, line_count) "
    f"VALUES ({', '.join('?' * (len(_CLASS_KEY_COLUMNS) + 2))})"
)
# Paid in the report: lines of approved runs that were not voided. The runs are a few
# hundred rows: listed once per statement, not looked up twice for each summary row.
_NOT_VOIDED = (
    "s.run_id IN (SELECT a.run_id FROM runs a WHERE a.state = 'approved' "
    "AND NOT EXISTS (SELECT 1 FROM voids v WHERE v.run_id = a.run_id))"
)
# One office's rows: appended to the conditions on ``s`` (a summary or outcome row's run).
OF_OFFICE = " AND s.run_id IN (SELECT o.run_id FROM runs o WHERE o.office = ?)"
# The report's aggregates: paid lines from the per-run summaries of runs not voided, the
# current outcomes from their report index; amounts are grouped, not summed, so that the
# totals are exact decimals computed in Python from a few thousand rows.
SELECT_MONTH_FIGURES = (
    f"SELECT {_REPORT_KEY}, 'paid', '', amount, institution, SUM(line_count) "
    f"FROM paid_groups s WHERE pay_month <= ? AND {_NOT_VOIDED}{{office}} "
    f"GROUP BY {_REPORT_KEY}, amount, institution "
    "UNION ALL "
    f"SELECT {_REPORT_KEY}, status, {{rules}}, '0.00', institution, COUNT(*) FROM outcomes s "
    "WHERE current = 1 AND pay_month <= ?{office} "
    f"GROUP BY {_REPORT_KEY}, status, rules, institution "
    # paid, then returned by the bank: counted apart (they stay among the paid figures);
    # read from the bank's results, a few rows, into the lines by their key (scanning the
    # lines for them took 2.5 s of a 1,000,000-line report with no result recorded at all)
    "UNION ALL "
    f"SELECT {_REPORT_KEY}, 'returned', '', amount, institution, COUNT(*) "
    "FROM bank_results b CROSS JOIN lines s "
    "WHERE s.run_id = b.run_id AND s.line_no = b.line_no AND b.result = '退回' "
    f"AND pay_month <= ? AND {_NOT_VOIDED}{{office}} "
    f"GROUP BY {_REPORT_KEY}, amount, institution"
)
# The report's figures grouped twice from the one reading of SELECT_MONTH_FIGURES (a CTE read
# twice is materialised by both backends): by month without the institution (the program,
# trend and category tables), and by institution with the months before the report's folded
# into one (the institution table: its month, then everything up to it), the category
# folded into whether it names an award (all that table asks of it). Of a 1,000,000-line
# ledger's 53,287 groups, 3,872 rows reach Python: fetching, making and tallying the fine
# groups was about 0.5 s of CPU, the regrouping in the database costs some 0.08 s.
_FIGURE_COLUMNS = (
    "program, pay_month, target, outcome, level, tranche, status, reasons, amount, institution, n"
)
_FIGURE_KEY = "program, pay_month, target, outcome, level, tranche, status, reasons, amount"
_AWARD_OR_NOT = (
    f"CASE WHEN substr(target, 1, {len(AWARD_TARGET)}) = '{AWARD_TARGET}' "
    f"THEN '{AWARD_TARGET}' ELSE '' END"
)
SELECT_REPORT_FIGURES = (
    f"WITH f ({_FIGURE_COLUMNS}) AS ({SELECT_MONTH_FIGURES}) "
    f"SELECT 0, {_FIGURE_KEY}, '', SUM(n) FROM f GROUP BY {_FIGURE_KEY} "
    "UNION ALL "
    f"SELECT 1, program, MIN(pay_month), {_AWARD_OR_NOT}, outcome, level, tranche, status, "
    "reasons, amount, institution, SUM(n) FROM f WHERE institution <> '' AND pay_month <> '' "
    f"GROUP BY program, institution, pay_month = ?, {_AWARD_OR_NOT}, outcome, level, tranche, "
    "status, reasons, amount"
)
# One program's lines by 所在地 (the monthly report's city table, read only when targets are
# given): read from the lines and outcomes themselves, as no summary is kept per city.
SELECT_LOCALITY_FIGURES = (
    "SELECT locality, pay_month, 'paid', outcome, '', tranche, amount, COUNT(*) FROM lines s "
    f"WHERE program = ? AND pay_month >= ? AND pay_month <= ? AND {_NOT_VOIDED}{{office}} "
    "GROUP BY locality, pay_month, outcome, tranche, amount "
    "UNION ALL "
    "SELECT locality, pay_month, status, outcome, {rules}, tranche, '0.00', COUNT(*) "
    "FROM outcomes s WHERE current = 1 AND program = ? AND pay_month >= ? AND pay_month <= ?"
    "{office} GROUP BY locality, pay_month, status, outcome, rules, tranche"
)
_CLASS_COLUMNS = "program, institution, occupation, class_start, pay_month, inspections"
SELECT_THIN_INSPECTIONS = (
    "SELECT program, institution, occupation, class_start, pay_month, MIN(inspections), "
    f"SUM(trainees) FROM (SELECT {_CLASS_COLUMNS}, line_count AS trainees FROM paid_classes s "
    f"WHERE pay_month = ? AND {_NOT_VOIDED}{{office}} "
    f"UNION ALL SELECT {_CLASS_COLUMNS}, 1 FROM outcomes s WHERE pay_month = ? AND current = 1 "
    "AND NOT {has_rule} AND inspections IS NOT NULL{office}) c "
    "GROUP BY program, institution, occupation, class_start, pay_month "
    "HAVING MIN(inspections) < ? ORDER BY program, institution, class_start, occupation"
)
UPDATE_RUN_TOTALS = "UPDATE runs SET line_count = ?, total = ? WHERE run_id = ?"
SELECT_RUNS = (
    "SELECT r.run_id, r.program, r.file_name, r.file_hash, r.created_at, r.line_count, "
    "r.total, v.void_id, r.office, r.operator, r.state, r.approval FROM runs r "
    "LEFT JOIN voids v ON v.run_id = r.run_id "
    "ORDER BY r.created_at, r.run_id"
)
SELECT_RUN_VOID = (
    "SELECT r.run_id, v.void_id FROM runs r LEFT JOIN voids v ON v.run_id = r.run_id "
    "WHERE r.run_id = ?"
)
_LINE_COLUMNS = (
    "l.run_id, r.created_at, l.line_key, l.program, l.subject, l.name, l.occupation, l.level, "
    "l.tranche, l.target, l.start_year, l.amount, l.payee, l.sheet_row, l.active, "
    + ", ".join(f"l.{name}" for name in _FACT_COLUMNS)
)
SELECT_ALL_LINES = (
    f"SELECT {_LINE_COLUMNS} FROM lines l JOIN runs r ON r.run_id = l.run_id "
    "ORDER BY r.created_at, l.run_id, l.line_no"
)
SELECT_RUN_LINES = (
    f"SELECT {_LINE_COLUMNS} FROM lines l JOIN runs r ON r.run_id = l.run_id "
    "WHERE l.run_id = ? ORDER BY l.line_no"
)
SELECT_OFFICES = "SELECT DISTINCT office FROM runs ORDER BY office"
INSERT_VOID = "INSERT INTO voids (void_id, run_id, reason, created_at) VALUES (?, ?, ?, ?)"
DEACTIVATE_RUN_LINES = "UPDATE lines SET active = 0 WHERE run_id = ? AND active = 1"

# SQLite-only statements: connection set-up and catalog look-ups a PostgreSQL backend does
# its own way (information_schema, LOCK / SERIALIZABLE).
_BEGIN_WRITE = "BEGIN IMMEDIATE"
_BEGIN_READ = "BEGIN"
_LIST_INDEXES = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
_INDEX_NAME = re.compile(r"CREATE\s+(?:UNIQUE\s+)?INDEX\s+(\w+)", re.IGNORECASE)
_EXPECTED_INDEXES = {
    match[1]: " ".join(statement.split())
    for migration in MIGRATIONS
    for statement in migration.statements
    if (match := _INDEX_NAME.match(statement.strip())) is not None
}
_LIST_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"


# --------------------------------------------------------------------------- helpers


def propose_run(execute: workflow.Execute, run: RunInfo, lines: int, total: Decimal) -> str:
    """The 经办 step and log entry of ``run``, just inserted with ``lines`` paid lines
    totalling ``total`` (:func:`~skillpolicy.ledger.workflow.record_proposal`), on either
    backend."""
    return workflow.record_proposal(
        execute,
        run_id=run.run_id,
        actor=run.operator,
        office=run.office,
        created_at=run.created_at,
        chain=run.approval,
        detail=proposal_detail(run, lines, total),
    )


def proposal_detail(run: RunInfo, lines: int, total: Decimal) -> dict[str, Any]:
    """What the audit log keeps about a proposal: where it came from, and what it pays."""
    return {
        "program": run.program,
        "file_name": run.file_name,
        "input_sha256": run.file_hash,
        "program_sha256": run.sources.get("program", ""),
        "params_sha256": run.sources.get("params", ""),
        "lines": lines,
        "total": amount_text(total),
    }


def log_void(execute: workflow.Execute, run_id: str, void_id: str, reason: str, actor: str) -> None:
    found = execute("SELECT office, line_count, total FROM runs WHERE run_id = ?", (run_id,))
    office, count, total = found[0]
    workflow.append_log(
        execute,
        action="void",
        run_id=run_id,
        actor=actor,
        office=office,
        detail={"void_id": void_id, "reason": reason, "lines": int(count), "total": str(total)},
        created_at=now_iso(),
    )


def log_schema(execute: workflow.Execute, before: int) -> None:
    """A schema migration's entry (from version 4 on, when the log exists)."""
    if before >= SCHEMA_VERSION or SCHEMA_VERSION < 4:
        return
    from .workflow import os_user

    workflow.append_log(
        execute,
        action="schema",
        actor=os_user(),
        detail={"from": before, "to": SCHEMA_VERSION},
        created_at=now_iso(),
    )


def now_iso() -> str:
    """Local time with its offset, to the second: what the clerk sees in ``ledger list``."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def new_id(prefix: str = "") -> str:
    """A time-sortable unique id: ``V20240102150405-<12 hex>``."""
    return f"{prefix}{datetime.now().strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:12]}"


def amount_text(amount: Decimal) -> str:
    """A Decimal as plain text (never exponent notation, never a float)."""
    if type(amount) is not Decimal or not amount.is_finite():
        raise ValueError(f"ledger amounts must be finite Decimals, not {amount!r}")
    text = str(amount)
    return text if "E" not in text else f"{amount:f}"


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise InputError(f"台账中的金额「{text}」不是数字，台账可能已损坏") from None


def _chunks(items: Sequence[str], size: int = MAX_PARAMETERS) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _is_busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


def _busy_error(path: Path) -> InputError:
    return InputError(
        f"台账正被其他程序占用，等待 {BUSY_TIMEOUT_SECONDS:.0f} 秒仍未释放，请稍后再试", file=path
    )


# sqlite3 primary result codes for a store that cannot be written or read (not a bug).
_STORAGE_PROBLEMS = {
    13: "磁盘空间不足",  # SQLITE_FULL
    8: "台账文件或其所在的文件系统是只读的",  # SQLITE_READONLY
    14: "无法打开台账文件或其临时文件",  # SQLITE_CANTOPEN
    10: "读写设备出错",  # SQLITE_IOERR
}


# Why a ledger could not be opened or read, told apart from a damaged file: an operator told
# "damaged" may restore a good ledger from an old backup.
_OPEN_PROBLEMS = {
    13: "磁盘空间不足，无法打开台账；台账本身没有损坏，腾出空间后再试",  # SQLITE_FULL
    8: "台账文件或其所在的文件系统是只读的，无法打开台账；台账本身没有损坏",  # SQLITE_READONLY
    14: "无法打开台账文件或其临时文件（请检查文件夹权限和磁盘空间）；台账本身没有损坏",
    10: "读写台账时设备出错（可能是磁盘已满或设备故障）；请先检查磁盘，不要用旧备份覆盖台账",
    23: "没有读取台账文件的权限",  # SQLITE_AUTH
}
_ENOSPC_WORDS = ("database or disk is full", "disk is full")


def _open_problem(error: sqlite3.Error, path: Path) -> InputError | None:
    """A full disk, read-only, locked or unreadable store as one line that is not
    "damaged"; None when the error does not say so."""
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in (5, 6) or (isinstance(error, sqlite3.OperationalError) and _is_busy(error)):
        return _busy_error(path)
    if primary is None and any(word in str(error).lower() for word in _ENOSPC_WORDS):
        primary = 13
    text = _OPEN_PROBLEMS.get(primary) if primary is not None else None
    return InputError(text, file=path) if text is not None else None


def _storage_problem(error: BaseException, path: Path) -> InputError | None:
    """A full disk, read-only or unreadable store as an input error naming the ledger."""
    code = getattr(error, "sqlite_errorcode", None)
    if not isinstance(error, sqlite3.Error) or code is None:
        return None
    text = _STORAGE_PROBLEMS.get(code & 0xFF)
    if text is None:
        return None
    return InputError(f"写入台账失败：{text}；本次没有任何改动记入台账", file=path)


def _create_private_file(path: Path) -> None:
    """Create an empty file readable and writable by its owner only (0600 where supported)."""
    with contextlib.suppress(FileExistsError):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(descriptor)


# --------------------------------------------------------------------------- the ledger


class SqliteLedger:
    """A :class:`~skillpolicy.ledger.Ledger` kept in one SQLite file.

    Opening creates the file (owner-only) and applies pending migrations in one transaction;
    a file whose schema is newer than :data:`SCHEMA_VERSION`, or that is not a ledger, is
    refused without being changed. Writers take SQLite's write lock at ``BEGIN IMMEDIATE`` and
    wait up to :data:`BUSY_TIMEOUT_SECONDS` for each other.
    """

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path).expanduser()
        self.location = str(self.path)
        if self.path.is_dir():
            raise InputError("台账路径是一个文件夹，请指定台账文件", file=self.path)
        if not self.path.exists():
            if not create:
                raise InputError("台账文件不存在", file=self.path)
            if not self.path.parent.is_dir():
                raise InputError("台账所在的文件夹不存在", file=self.path.parent)
            try:
                _create_private_file(self.path)
            except OSError as exc:
                raise InputError(f"无法创建台账文件：{os_error_text(exc)}", file=self.path) from exc
            created = True
        else:
            created = False
        try:
            self._db = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None
            )
        except sqlite3.Error as exc:
            self._forget(created)
            raise InputError(f"无法打开台账文件：{exc}", file=self.path) from exc
        try:
            self._prepare()
        except BaseException as exc:
            self._db.close()
            self._forget(created)
            problem = _storage_problem(exc, self.path)
            if problem is not None:
                raise problem from exc
            raise

    def _forget(self, created: bool) -> None:
        """Remove the ledger file this call created and could not set up (a full disk, say),
        so a failed first commit leaves no empty ledger behind."""
        if not created:
            return
        for path in (
            self.path,
            *(Path(f"{self.path}{end}") for end in ("-wal", "-shm", "-journal")),
        ):
            with contextlib.suppress(OSError):
                path.unlink()

    # -- opening ----------------------------------------------------------------

    def _prepare(self) -> None:
        version = self._read_version()  # reads only: a refused file is never written
        if version is not None and version > SCHEMA_VERSION:
            raise InputError(
                f"台账结构版本为 {version}，比本程序支持的 {SCHEMA_VERSION} 新："
                "请升级 skillpolicy 后再使用；台账未作任何改动",
                file=self.path,
            )
        if version is None:
            # a new file: larger pages make fewer, shallower index pages (set before any table)
            self._db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        self._db.execute("PRAGMA foreign_keys = ON")
        # A committed payment survives a power cut: each commit syncs the log to disk before
        # it returns (FULL; a build may default to NORMAL in WAL mode, which can lose the last
        # commits). Measured: 0.24 s of wall of a 91,035-line commit, and it stays.
        self._db.execute("PRAGMA synchronous = FULL")
        self._db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        if version is None or version < SCHEMA_VERSION:
            self._migrate()
        self._check_indexes()
        self._use_wal()

    def _read_version(self) -> int | None:
        """The schema version, None for an empty file; refuses a file that is not a ledger."""
        try:
            tables = {name for (name,) in self._db.execute(_LIST_TABLES)}
            if not tables:
                return None
            if "schema_migrations" not in tables:
                raise InputError("此文件是 SQLite 数据库，但不是 skillpolicy 台账", file=self.path)
            (version,) = self._db.execute(SELECT_SCHEMA_VERSION).fetchone()
        except sqlite3.DatabaseError as exc:
            problem = _open_problem(exc, self.path)
            if problem is not None:
                raise problem from exc
            raise InputError(
                "无法读取台账：不是 SQLite 台账文件，或文件已损坏", file=self.path
            ) from exc
        return int(version) if version is not None else 0

    def _check_indexes(self) -> None:
        """Refuse a ledger whose indexes are not the schema's: the unique index on active
        line keys is what keeps a line from being paid twice."""
        present = {
            name: " ".join((sql or "").split()) for name, sql in self._db.execute(_LIST_INDEXES)
        }
        for name, sql in _EXPECTED_INDEXES.items():
            if present.get(name) != sql:
                what = "缺少" if name not in present else "被改动了"
                raise InputError(
                    f"台账已损坏：索引 {name} {what}（它保证同一笔不被重复发放）；"
                    "台账未作任何改动，请联系管理员修复或从最近的备份恢复",
                    file=self.path,
                )

    def _migrate(self) -> None:
        """Apply pending migrations in one write transaction (another process may race us)."""
        with self._write():
            self._db.execute(CREATE_MIGRATIONS_TABLE)
            (current,) = self._db.execute(SELECT_SCHEMA_VERSION).fetchone()
            current = int(current or 0)
            if current > SCHEMA_VERSION:
                raise InputError(
                    f"台账结构版本为 {current}，比本程序支持的 {SCHEMA_VERSION} 新：请升级 skillpolicy",
                    file=self.path,
                )
            for migration in MIGRATIONS:
                if migration.version <= current:
                    continue
                for statement in migration.statements:
                    self._db.execute(statement)
                self._db.execute(
                    INSERT_MIGRATION, (migration.version, migration.description, now_iso())
                )
            log_schema(self._execute, current)

    def _use_wal(self) -> None:
        """WAL lets readers go on while a run commits; the switch needs a moment alone."""
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        while True:
            try:
                (mode,) = self._db.execute("PRAGMA journal_mode = WAL").fetchone()
            except sqlite3.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
                continue
            if str(mode).lower() == "wal" or time.monotonic() > deadline:
                return  # a file system without shared memory keeps the rollback journal
            time.sleep(0.05)

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        try:
            self._db.execute(_BEGIN_WRITE)
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise _busy_error(self.path) from exc
            raise
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")  # after a failed COMMIT SQLite may have done it
            problem = _storage_problem(exc, self.path)
            if problem is not None:
                raise problem from exc
            raise

    @contextlib.contextmanager
    def _read(self) -> Iterator[None]:
        """One consistent snapshot for a multi-statement read."""
        self._db.execute(_BEGIN_READ)
        try:
            yield
        finally:
            self._db.execute("COMMIT")

    # -- reading ----------------------------------------------------------------

    def schema_version(self) -> int:
        (version,) = self._db.execute(SELECT_SCHEMA_VERSION).fetchone()
        return int(version)

    def _paid(self, keys: Sequence[str]) -> dict[str, PaidEntry]:
        found: dict[str, PaidEntry] = {}
        unique = sorted(set(keys))  # in key order neighbouring look-ups share index pages
        for chunk in _chunks(unique):
            for key, run_id, created_at, amount, file_name, office, state in self._db.execute(
                in_list(SELECT_PAID, len(chunk)), tuple(chunk)
            ):
                found[key] = PaidEntry(
                    key, run_id, created_at, _decimal(amount), file_name, office, state
                )
        return found

    def paid(self, keys: Sequence[str]) -> dict[str, PaidEntry]:
        """Active (not voided) payments among ``keys``, looked up 500 at a time."""
        with self._read():
            return self._paid(keys)

    def history(self, query: HistoryQuery) -> dict[tuple[str, ...], list[HistoryRun]]:
        """Paid lines by key of facts (the ledger-history rule kind), a chunk of keys a look-up."""
        found: dict[tuple[str, ...], list[HistoryRun]] = {}
        lower, approved = query.from_year is not None, query.approved_only
        by_subject = query.facts[0] == "subject"  # lines_subject and the key ranges
        with self._read():
            for chunk in history_chunks(query, extra=2 if by_subject else 0):
                sql = select_history(
                    query.facts, len(chunk), lower=lower, approved=approved,
                    outside_key=by_subject,
                )  # fmt: skip
                rows = self._db.execute(sql, history_parameters(query, chunk)).fetchall()
                if by_subject:
                    subjects = history_subjects(chunk)
                    sql = select_history_by_key(
                        query.facts, len(subjects), len(chunk), lower=lower, approved=approved
                    )
                    parameters = history_by_key_parameters(query, chunk, subjects)
                    rows += self._db.execute(sql, parameters).fetchall()
                history_of(rows, chunk, found)
        history_order(found)
        return found

    def runs(self) -> list[RunRecord]:
        return [
            RunRecord(
                run_id=run_id,
                program=program,
                file_name=file_name,
                file_hash=file_hash,
                created_at=created_at,
                line_count=int(line_count),
                total=_decimal(total),
                voided_by=void_id,
                office=office,
                operator=operator,
                state=state,
                approval=approval,
            )
            for run_id, program, file_name, file_hash, created_at, line_count, total, void_id,
            office, operator, state, approval in self._db.execute(SELECT_RUNS)
        ]  # fmt: skip

    def offices(self) -> list[str]:
        return [office for (office,) in self._db.execute(SELECT_OFFICES)]

    def outcomes(self, run_id: str) -> list[StoredOutcome]:
        with self._read():
            rows = self._db.execute(SELECT_RUN_OUTCOMES, (run_id,)).fetchall()
        return [stored_outcome(run_id, row) for row in rows]

    def lines(self, run_id: str | None = None) -> Iterator[StoredLine]:
        """Every line, voided ones too (``active`` False), in the order they were paid."""
        cursor = (
            self._db.execute(SELECT_ALL_LINES)
            if run_id is None
            else self._db.execute(SELECT_RUN_LINES, (run_id,))
        )
        for row in cursor:
            yield _stored_line(row)

    # -- writing ----------------------------------------------------------------

    def commit(
        self,
        run: RunInfo,
        lines: Sequence[LedgerLine],
        outcomes: Sequence[OutcomeLine] = (),
    ) -> dict[str, PaidEntry]:
        """Record the run and every line not already paid, in one transaction.

        ``BEGIN IMMEDIATE`` takes the write lock first, so a second process committing the
        same roster waits and then finds every line paid. Inside the transaction each line is
        inserted only if no active line has its key (the partial unique index decides); when
        fewer rows went in than were offered, the keys already paid are looked up and returned
        with the earlier run. A key repeated within ``lines`` is recorded once; the repeats come
        back as conflicts naming this run. The run itself is recorded even when nothing was
        paid, so ``ledger list`` shows that the roster was submitted again.

        ``outcomes`` (pending and refused lines) go in within the same transaction, numbered
        after the paid lines; a line found already paid is added to them as refused
        ``already-paid``. Earlier current outcomes of the keys recorded here are superseded.
        """
        params = json.dumps(run.params, ensure_ascii=False, sort_keys=True, default=str)
        # in the roster's order: line_no ascends, and SQLite inserts no faster in key order
        made = run_rows(run, lines, null=_NULL)
        rows = made.rows
        count, total = made.paid()
        with self._write():
            self._db.execute(
                INSERT_RUN,
                (run.run_id, run.program, run.file_name, run.file_hash, run.created_at, params,
                 count, amount_text(total), run.office, run.operator),
            )  # fmt: skip
            inserted = self._db.executemany(INSERT_LINE_IF_NEW, rows).rowcount
            earlier: dict[str, PaidEntry] = {}
            if inserted != len(rows):
                earlier = {
                    key: entry
                    for key, entry in self._paid(made.keys).items()
                    if entry.run_id != run.run_id
                }
                count, total = made.paid(earlier)
                self._db.execute(UPDATE_RUN_TOTALS, (count, amount_text(total), run.run_id))
            paid_rows = rows if not earlier else [row for row in rows if row[2] not in earlier]
            self._summarise(paid_rows)
            self._record_outcomes(run.run_id, lines, outcomes, set(earlier), made.keys)
            propose_run(self._execute, run, count, total)
        return {**made.repeats, **earlier}

    def _summarise(self, rows: list[tuple[Any, ...]]) -> None:
        """The run's paid lines counted by the report's groups and classes, written once
        (:func:`summary_rows`)."""
        groups, classes = summary_rows(rows)
        self._db.executemany(INSERT_PAID_GROUP, groups)
        self._db.executemany(INSERT_PAID_CLASS, classes)

    def _record_outcomes(
        self,
        run_id: str,
        lines: Sequence[LedgerLine],
        outcomes: Sequence[OutcomeLine],
        earlier: set[str],
        offered: Sequence[str],
    ) -> None:
        """The run's unpaid lines, plus the offered lines that were not paid after all (paid
        by another run, or a key repeated within this run); each supersedes the earlier
        current outcome of its key, as the lines paid now do. ``offered``: each key once."""
        refused: list[OutcomeLine] = []
        # the usual run: every line offered went in, none refused (a set of its keys is made
        # only if some earlier outcome is current, which a ledger without outcomes never has)
        paid_now: Iterable[str] = offered
        if earlier or len(offered) != len(lines):
            paid_now = set()
            for line in lines:
                if line.key in earlier or line.key in paid_now:
                    refused.append(
                        OutcomeLine(
                            line._replace(amount=ZERO), "refused", (already_paid_reason(line.row),)
                        )
                    )
                else:
                    paid_now.add(line.key)
        everything = [*outcomes, *refused]
        if self._has_current_outcomes():
            superseding = sorted(
                {*paid_now, *(o.line.key for o in everything if o.rules != (ALREADY_PAID,))}
            )
            for chunk in _chunks(superseding):
                self._db.execute(in_list(SUPERSEDE_OUTCOMES, len(chunk)), tuple(chunk))
        if not everything:
            return
        start = len(lines) + 1
        self._db.executemany(
            INSERT_OUTCOME,
            [_outcome_row(run_id, n, o) for n, o in enumerate(everything, start=start)],
        )

    def _has_current_outcomes(self) -> bool:
        return self._db.execute(ANY_CURRENT_OUTCOME).fetchone() is not None

    # -- the report's aggregates ------------------------------------------------

    def month_figures(self, up_to_month: str, office: str | None = None) -> list[MonthFigure]:
        with self._read():
            rows = self._db.execute(
                for_office(SELECT_MONTH_FIGURES, office),
                month_figures_parameters(up_to_month, office),
            ).fetchall()
        return month_figures_of(rows)

    def report_figures(self, month: str, office: str | None = None) -> ReportFigures:
        with self._read():
            rows = self._db.execute(
                for_office(SELECT_REPORT_FIGURES, office), report_figures_parameters(month, office)
            ).fetchall()
        return report_figures_of(rows)

    def locality_figures(
        self, program: str, first_month: str, up_to_month: str, office: str | None = None
    ) -> list[LocalityFigure]:
        with self._read():
            rows = self._db.execute(
                for_office(SELECT_LOCALITY_FIGURES, office),
                locality_figures_parameters(program, first_month, up_to_month, office),
            ).fetchall()
        return locality_figures_of(rows)

    def thin_inspections(
        self, month: str, minimum: int, office: str | None = None
    ) -> list[ClassInspection]:
        rows = self._db.execute(
            for_office(SELECT_THIN_INSPECTIONS, office),
            thin_inspections_parameters(month, minimum, office),
        ).fetchall()
        return thin_inspections_of(rows)

    def void(self, run_id: str, reason: str, actor: str = "") -> str:
        """Record a void of ``run_id`` and take its lines out of the active set (no DELETE)."""
        reason = reason.strip()
        if not reason:
            raise InputError("作废必须写明原因（--reason）")
        with self._write():
            found = self._db.execute(SELECT_RUN_VOID, (run_id,)).fetchone()
            if found is None:
                raise InputError(f"台账中没有运行 {run_id}", file=self.path)
            if found[1] is not None:
                raise InputError(
                    f"运行 {run_id} 已于此前作废（作废记录 {found[1]}）", file=self.path
                )
            void_id = new_id("V")
            self._db.execute(INSERT_VOID, (void_id, run_id, reason, now_iso()))
            self._db.execute(DEACTIVATE_RUN_LINES, (run_id,))
            self._db.execute(RETIRE_RUN_OUTCOMES, (run_id,))
            log_void(self._execute, run_id, void_id, reason, actor)
        return void_id

    # -- 经办、复核、审批 and the audit log -------------------------------------------

    def _execute(self, sql: str, parameters: Sequence[Any]) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._db.execute(sql, tuple(parameters)).fetchall()]

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
        with self._write():
            try:
                return workflow.take_step(
                    self._execute,
                    run_id=run_id,
                    step=step,
                    actor=actor,
                    office=office,
                    created_at=now_iso(),
                    note=note,
                    detail=detail,
                    location=self.location,
                )
            except sqlite3.IntegrityError as exc:  # the index behind the check above
                raise InputError(workflow.SAME_PERSON_RULE, file=self.path) from exc

    def steps(self, run_id: str | None = None) -> list[workflow.RunStep]:
        if run_id is None:
            return [s for found in workflow.signers(self._execute).values() for s in found]
        return workflow.steps_of(self._execute, run_id)

    def reconcile(self, run_id: str, bank: BankFile, actor: str) -> Reconciliation:
        with self._write():
            return workflow.reconcile(
                self._execute,
                run_id=run_id,
                bank=bank,
                actor=actor,
                created_at=now_iso(),
                location=self.location,
            )

    def audit_log(self) -> list[workflow.AuditEntry]:
        with self._read():
            return workflow.log_entries(self._execute)

    def verify(self) -> workflow.Verification:
        with self._read():
            return workflow.verify(self._execute)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SqliteLedger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _facts(values: Sequence[Any]) -> LineFacts:
    month, department, training_type, person_category, institution, locality, outcome, \
        attendance, inspections, class_start, enterprise = values  # fmt: skip
    return LineFacts(
        month=month,
        department=department,
        training_type=training_type,
        person_category=person_category,
        institution=institution,
        locality=locality,
        outcome=outcome,
        attendance=attendance,
        inspections=None if inspections is None else int(inspections),
        class_start=class_start,
        enterprise=enterprise,
    )


# What _summarise counts each line by: the columns of a paid group and of a paid class (less
# the run id) and the line's inspections, each once; then where each summary's are in it.
_FINE_COLUMNS = tuple(
    dict.fromkeys((*_GROUP_KEY_COLUMNS[1:], *_CLASS_KEY_COLUMNS[1:], "inspections"))
)
_FINE_OF = itemgetter(*(_LINE_ROW.index(name) for name in _FINE_COLUMNS))
_GROUP_IN_FINE = itemgetter(*(_FINE_COLUMNS.index(name) for name in _GROUP_KEY_COLUMNS[1:]))
_CLASS_IN_FINE = itemgetter(*(_FINE_COLUMNS.index(name) for name in _CLASS_KEY_COLUMNS[1:]))
_INSPECTIONS_IN_FINE = _FINE_COLUMNS.index("inspections")
_KEY_OF = itemgetter(LedgerLine._fields.index("key"))
_AMOUNT_OF = itemgetter(LedgerLine._fields.index("amount"))


def summary_rows(
    rows: Sequence[tuple[Any, ...]], null: Any = _NULL
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The ``paid_groups`` and ``paid_classes`` rows of a run's paid ``rows`` (:func:`run_rows`'
    with ``null`` standing for NULL): the lines counted by the report's groups and classes.

    Counted in Python from the rows just inserted (a GROUP BY over the run's lines costs
    several times as much in SQLite, and in PostgreSQL its hash aggregate took 0.25 s of
    the 91,035-line commit): once per line by the columns of both summaries together (a few
    thousand distinct, 7,588 for 91,035 lines), then each group and class from those (half
    the time of counting the groups and the classes apart and sorting the classes' lines by
    inspections). A line without inspections is not counted in its class; a NULL tranche is
    None in its group."""
    if not rows:
        return [], []
    run_id = rows[0][0]
    groups: Counter[tuple[Any, ...]] = Counter()
    classes: dict[tuple[Any, ...], tuple[int, int]] = {}  # the fewest inspections, trainees
    for fine, count in Counter(map(_FINE_OF, rows)).items():
        groups[_GROUP_IN_FINE(fine)] += count
        inspections = fine[_INSPECTIONS_IN_FINE]
        if inspections is null:
            continue
        key = _CLASS_IN_FINE(fine)
        found = classes.get(key)
        classes[key] = (
            (inspections, count)
            if found is None
            else (min(found[0], inspections), found[1] + count)
        )
    tranche = _GROUP_KEY_COLUMNS.index("tranche") - 1  # bound as ``null`` when it is NULL
    return (
        [
            (run_id, *key[:tranche], None if key[tranche] is null else key[tranche],
             *key[tranche + 1 :], count)
            for key, count in groups.items()
        ],
        [(run_id, *key, least, count) for key, (least, count) in classes.items()],
    )  # fmt: skip


@dataclass(frozen=True)
class RunRows:
    """A run's lines as the rows of ``lines`` (:data:`_LINE_ROW` order).

    Made by one comprehension whose target unpacks each line and its facts by name: no
    function is called per line, and no column is transposed and zipped back (run_rows took
    0.225 s that way, 0.141 s this way for 91,035 lines).
    """

    rows: list[tuple[Any, ...]]  # each key once: the first line of a repeated key
    repeats: dict[str, PaidEntry]  # the later lines of a key repeated in the run
    keys: Sequence[str]  # the rows' keys, in the order of ``lines``
    amounts: Sequence[Decimal]  # and their amounts

    def paid(self, earlier: Container[str] = ()) -> tuple[int, Decimal]:
        """How many rows, and their total, leaving out the keys in ``earlier``."""
        if not earlier:
            return len(self.keys), sum(self.amounts, ZERO)
        left = [amount for key, amount in zip(self.keys, self.amounts, strict=True)
                if key not in earlier]  # fmt: skip
        return len(left), sum(left, ZERO)


def run_rows(run: RunInfo, lines: Sequence[LedgerLine], *, null: Any = None) -> RunRows:
    """The rows ``lines`` become in ``lines``, in their order.

    ``null`` stands for an integer column's NULL: SQLite's driver binds ``None`` through an
    adaptation look-up many times slower than a text, so SQLite binds a NaN (:data:`_NULL`),
    which it stores as NULL."""
    repeats: dict[str, PaidEntry] = {}
    numbers: Sequence[int] = range(1, len(lines) + 1)
    keys = list(map(_KEY_OF, lines))
    if len(set(keys)) != len(keys):  # a key repeated: its first line is the one recorded
        kept: dict[str, int] = {}
        for number, line in enumerate(lines, start=1):
            if line.key in kept:
                repeats[line.key] = PaidEntry(
                    line.key, run.run_id, run.created_at, line.amount, run.file_name, run.office
                )
            else:
                kept[line.key] = number
        numbers = list(kept.values())
        lines = [lines[number - 1] for number in numbers]
        keys = list(kept)
    if not lines:
        return RunRows([], repeats, (), ())
    amounts = list(map(_AMOUNT_OF, lines))
    if set(map(type, amounts)) != {Decimal}:
        for value in amounts:
            amount_text(value)  # raises on the first amount that is not a Decimal
    text = {value: amount_text(value) for value in set(amounts)}.__getitem__
    run_id, default = run.run_id, run.created_at[:7]  # a line without 结业日期: the run's month
    # one tuple display per line, its fields unpacked by name: the NULLs stood in and the
    # month filled in as it goes (no column is copied a second time)
    rows = [
        (run_id, number, key, program, subject, name, occupation, level,
         null if tranche is None else tranche, target, null if year is None else year,
         text(amount), payee, null if row is None else row, month or default, department,
         training_type, person_category, institution, locality, outcome, attendance,
         null if inspections is None else inspections, class_start, enterprise)
        for number, (key, program, subject, name, occupation, level, tranche, target, year,
                     amount, payee, row, (month, department, training_type, person_category,
                                          institution, locality, outcome, attendance,
                                          inspections, class_start, enterprise))
        in zip(numbers, lines, strict=True)
    ]  # fmt: skip
    return RunRows(rows, repeats, keys, amounts)


def _outcome_row(run_id: str, line_no: int, outcome: OutcomeLine) -> tuple[Any, ...]:
    line = outcome.line
    # LedgerLine's first nine fields and LineFacts are in column order (pinned by a test)
    return (
        run_id, line_no, *line[:9], line.payee, line.row, outcome.status,
        *outcome_texts(outcome), *line.facts,
    )  # fmt: skip


def _row_line(
    row: Sequence[Any], amount: Decimal, payee: str, sheet_row: Any, facts: Sequence[Any]
) -> LedgerLine:
    """A ledger row's line: its first nine columns are LedgerLine's first nine fields (key …
    year, pinned by a test), then the amount, payee, sheet row and facts as given."""
    key, program, subject, name, occupation, level, tranche, target, year = row[:9]
    return LedgerLine(
        key, program, subject, name, occupation, level, tranche, target, year,
        amount, payee, sheet_row, _facts(facts),
    )  # fmt: skip


def stored_outcome(run_id: str, row: Sequence[Any]) -> StoredOutcome:
    """A row of :data:`SELECT_RUN_OUTCOMES` as the outcome it records (an unpaid line: no
    amount)."""
    payee, sheet_row, status, findings, current = row[9:14]
    line = _row_line(row, ZERO, payee, sheet_row, row[14:])
    return StoredOutcome(run_id, line, status, findings_of(findings, sheet_row), bool(current))


def _stored_line(row: tuple[Any, ...]) -> StoredLine:
    run_id, created_at = row[:2]
    amount, payee, sheet_row, active = row[11:15]
    line = _row_line(row[2:], _decimal(amount), payee, sheet_row, row[15:])
    return StoredLine(run_id=run_id, created_at=created_at, line=line, active=bool(active))
