"""The ledger: what has been paid, by which run, so nothing is ever paid twice.

The rest of the program talks to a :class:`Ledger`: an SQLite file on one desk
(:mod:`skillpolicy.ledger.sqlite`) or a city's shared PostgreSQL database
(:mod:`skillpolicy.ledger.postgres`), with the same schema versions and statements. Every run
records the office that made it and the operator, so one shared ledger answers for the whole
city and for each of its offices.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from ..domain.findings import ALREADY_PAID, Finding, Severity

if TYPE_CHECKING:
    from .reconcile import BankFile, Reconciliation
    from .workflow import AuditEntry, RunStep, Verification

# An award line's target is its 奖项 after this mark (奖项：技术能手): the monthly report counts
# award winners apart from trained persons, whatever the award is called.
AWARD_TARGET = "奖项："
# The reason a commit gives a line it finds already paid (the subsidy run then names the run).
ALREADY_PAID_MESSAGE = "已由此前的运行发放，不得重复发放"


class LineFacts(NamedTuple):
    """What the monthly report needs to know about a line besides its money (all optional).

    A named tuple, like :class:`LedgerLine`: a commit builds 100,000 of each, and a tuple is
    made several times faster than a frozen dataclass; the field order is the column order.
    """

    month: str = ""  # "YYYY-MM" of 结业日期, else of the committing run
    department: str = ""  # the department owning ``target`` (Xuchang 13 categories)
    training_type: str = ""  # 培训类型
    person_category: str = ""  # 人员类别
    institution: str = ""  # 培训机构
    locality: str = ""  # 所在地 (county or city)
    outcome: str = ""  # 合格, 不合格, or "" while pending
    attendance: str = ""  # 到课率 as a decimal string, e.g. "0.74"
    inspections: int | None = None  # 抽查次数, where the roster has it
    class_start: str = ""  # 开班日期 (ISO), which with 培训机构 and 职业(工种) names the class
    enterprise: str = ""  # 所在企业 (schema version 5; "" on lines recorded before it)


NO_FACTS = LineFacts()


class LedgerLine(NamedTuple):
    """One paid line as the ledger keeps it (fields in the order of the ledger's columns)."""

    key: str  # what is paid: the program id and its `key` columns' values, joined by "|"
    program: str
    subject: str  # full identity number, or the unit's credit code (name when it has none)
    name: str  # person or unit name
    occupation: str = ""
    level: str = ""
    tranche: int | None = None
    target: str = ""  # e.g. the Xuchang 培训类别
    year: int | None = None  # year of 开班日期, for Fujian's no-repeat rule
    amount: Decimal = Decimal("0.00")
    payee: str = ""
    row: int | None = None
    facts: LineFacts = NO_FACTS


def bare_reason(rule: str, status: str, row: int | None) -> Finding:
    """A reason known by its rule id alone (an outcome recorded before schema 7, or a caller
    that names only the rule): an error for a refusal, a review for a hold; no column,
    message or citation."""
    severity: Severity = "error" if status == "refused" else "review"
    return Finding(row=row, column=None, rule=rule, severity=severity, message="", citation="")


def already_paid_reason(row: int | None) -> Finding:
    """Why the ledger itself refuses a line it finds already paid at commit time (another
    run holds its key, or the key is repeated within the run)."""
    return Finding(
        row=row,
        column=None,
        rule=ALREADY_PAID,
        severity="error",
        message=ALREADY_PAID_MESSAGE,
        citation="",
    )


@dataclass(frozen=True)
class OutcomeLine:
    """A validated line that was not paid: pending, or refused with its reasons (findings).

    A reason may be given as a bare rule id; it stands for :func:`bare_reason`'s finding."""

    line: LedgerLine  # amount 0.00; key, program and facts as a paid line would have had
    status: str  # "pending" or "refused"
    reasons: tuple[Finding | str, ...] = ()

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every reason as a finding, in order."""
        return tuple(
            reason
            if isinstance(reason, Finding)
            else bare_reason(reason, self.status, self.line.row)
            for reason in self.reasons
        )

    @property
    def rules(self) -> tuple[str, ...]:
        """The reasons' distinct rule ids, in order."""
        return tuple(dict.fromkeys(r if isinstance(r, str) else r.rule for r in self.reasons))


# A commit writes thousands of outcomes, most of them with reasons seen before (the same
# hold, the same refusal): each distinct pair of JSON texts is made once, by one encoder.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_TEXTS_KEPT = 4096
_OUTCOME_TEXTS: dict[tuple[tuple[Any, ...], ...], tuple[str, str]] = {}


def outcome_texts(outcome: OutcomeLine) -> tuple[str, str]:
    """:func:`findings_text` and :func:`rules_text` of ``outcome`` from one look-up (its
    reasons read once: the rule ids are the findings' own, in order, each once)."""
    findings = outcome.findings
    key = tuple((f.rule, f.column, f.severity, f.message, f.citation) for f in findings)
    texts = _OUTCOME_TEXTS.get(key)
    if texts is None:
        texts = (
            _ENCODE([f.record() for f in findings]),
            _ENCODE(list(dict.fromkeys(part[0] for part in key))),
        )
        if len(_OUTCOME_TEXTS) < _TEXTS_KEPT:
            _OUTCOME_TEXTS[key] = texts
    return texts


def findings_text(outcome: OutcomeLine) -> str:
    """An outcome's reasons as the ledger stores them: a JSON array of
    :meth:`~skillpolicy.domain.findings.Finding.record` objects (rule, column, severity, message,
    citation; the row is the line's)."""
    return outcome_texts(outcome)[0]


def rules_text(outcome: OutcomeLine) -> str:
    """An outcome's distinct rule ids as the ledger stores them (a JSON array): what the
    report groups by and asks about (``already-paid``)."""
    return outcome_texts(outcome)[1]


def findings_of(stored: Any, row: int | None) -> tuple[Finding, ...]:
    """The reasons of a stored outcome: its JSON text (SQLite) or the array a PostgreSQL
    driver has already decoded (jsonb)."""
    records = json.loads(stored) if isinstance(stored, str | bytes) else stored
    return tuple(Finding.from_record(record, row) for record in records or ())


def rule_ids_text(stored: Any) -> str:
    """An outcome's rule ids as the report reads them, comma-joined in order, from the JSON
    array :func:`rules_text` stored ("" for none, and for a paid line)."""
    if not stored:
        return ""
    rules = json.loads(stored) if isinstance(stored, str | bytes) else stored
    return ",".join(dict.fromkeys(str(rule) for rule in rules if rule))


OUTCOME_NAMES = {"pending": "待定", "refused": "不予发放"}


@dataclass(frozen=True)
class StoredOutcome:
    """A pending or refused line of a committed run, as the ledger holds it."""

    run_id: str
    line: LedgerLine
    status: str  # "pending" or "refused"
    reasons: tuple[Finding, ...]
    current: bool  # False once a later run's outcome or payment of its key superseded it


class MonthFigure(NamedTuple):
    """One group of the report's aggregate: lines alike in everything but identity.

    ``status`` is paid, pending or refused; ``amount`` is each line's amount (lines are
    grouped by amount, so totals stay exact decimals); ``first`` is False for a second
    tranche (the same unit counted once as trained). A named tuple: a million-line ledger's
    report makes some 50,000, a frozen dataclass took five times as long to make each.
    """

    program: str
    month: str
    target: str
    department: str  # "" when the backend does not group by it (the program file knows it)
    status: str
    outcome: str
    high_skill: bool
    first: bool
    reasons: str  # distinct rule ids of the findings, comma-joined; "" for paid lines
    amount: Decimal
    count: int  # type: ignore[assignment]  # the field, not tuple.count
    institution: str = ""


class ReportFigures(NamedTuple):
    """The report's figures read once and grouped twice (:meth:`Ledger.report_figures`)."""

    # by program, month, category, outcome, level, tranche, status, reasons and amount
    months: list[MonthFigure]
    # by program and institution, the report's month apart from the months before it (each
    # such figure's ``month`` the earliest of its lines'), ``target`` only AWARD_TARGET or ""
    institutions: list[MonthFigure]


@dataclass(frozen=True)
class ClassInspection:
    program: str
    institution: str
    occupation: str
    class_start: str
    month: str
    inspections: int
    trainees: int


@dataclass(frozen=True)
class LocalityFigure:
    """One group of a program's lines by 所在地 (the city table of the monthly report)."""

    locality: str  # "" for lines whose roster gave no 所在地
    month: str
    status: str  # paid, pending or refused
    outcome: str
    reasons: str
    first: bool  # False for a second tranche
    amount: Decimal
    count: int


# The line facts a ledger-history rule may match a sheet's columns against (the ledger's own
# column of each); a query names ``subject`` or ``enterprise``, the two that are indexed.
HISTORY_FACTS: dict[str, str] = {
    "subject": "subject",
    "enterprise": "enterprise",
    "occupation": "occupation",
    "level": "level",
    "target": "target",
    "name": "name",
    "institution": "institution",
    "locality": "locality",
    "training_type": "training_type",
    "person_category": "person_category",
}
INDEXED_FACTS = ("subject", "enterprise")


@dataclass(frozen=True)
class HistoryRun:
    """One run's paid lines for one key of facts in one year (of 开班日期)."""

    run_id: str
    created_at: str
    file_name: str
    office: str
    year: int
    people: int  # distinct subjects among those lines
    # those subjects (identity numbers or units' codes; never printed): people across runs
    # are counted from them, so a person found in two runs counts once
    subjects: frozenset[str] = frozenset()


def people_in(runs: Sequence[HistoryRun]) -> int:
    """Distinct people (subjects) among ``runs``' lines: a person in two runs counts once."""
    return len(frozenset().union(*(run.subjects for run in runs)))


@dataclass(frozen=True)
class HistoryQuery:
    """Paid lines of ``program`` whose ``facts`` hold one of ``keys``, with a 开班日期 year
    before ``before_year`` (and not before ``from_year`` when it is given); active lines
    only, and with ``approved_only`` only those of approved runs that were never voided."""

    program: str
    facts: tuple[str, ...]  # names of HISTORY_FACTS, one of INDEXED_FACTS among them
    keys: Sequence[tuple[str, ...]]  # distinct values of ``facts``, in their order
    before_year: int
    from_year: int | None = None
    approved_only: bool = False


@dataclass(frozen=True)
class RunInfo:
    """What a committing run says about itself."""

    run_id: str
    program: str
    file_name: str
    file_hash: str  # sha256 of the input workbook
    created_at: str  # ISO timestamp, local time with offset
    params: dict[str, Any] = field(default_factory=dict)
    office: str = ""  # the office that made the run, e.g. 魏都区人社局 ("" when not named)
    operator: str = ""  # who ran it: --operator, else the OS user
    # the office's approval chain (skillpolicy.toml ``approval``), recorded on the run
    approval: tuple[str, ...] = ("经办", "复核", "审批")
    # sha256 of the files the run was made from, for the audit log (input, program, params)
    sources: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PaidEntry:
    """An earlier payment found in the ledger."""

    key: str
    run_id: str
    created_at: str
    amount: Decimal
    file_name: str
    office: str = ""  # the office whose run paid it
    state: str = "approved"  # the paying run's state: proposed, reviewed or approved

    @property
    def state_name(self) -> str:
        """待复核, 已复核 or 已审批."""
        from .workflow import STATE_NAMES

        return STATE_NAMES.get(self.state, self.state)


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    program: str
    file_name: str
    file_hash: str
    created_at: str
    line_count: int
    total: Decimal
    voided_by: str | None  # the void record's id, when voided
    office: str = ""
    operator: str = ""
    state: str = "approved"  # proposed (待复核), reviewed, approved or rejected
    approval: str = ""  # the chain asked for, comma-separated ("" for runs before version 4)

    @property
    def state_name(self) -> str:
        """待复核, 已复核, 已审批, 已驳回, or 已作废 for a voided run."""
        from .workflow import STATE_NAMES, VOIDED_NAME

        return VOIDED_NAME if self.voided_by else STATE_NAMES.get(self.state, self.state)


@dataclass(frozen=True)
class StoredLine:
    run_id: str
    created_at: str
    line: LedgerLine
    active: bool


class Ledger(Protocol):
    location: str

    def paid(self, keys: Sequence[str]) -> dict[str, PaidEntry]:
        """Active (not voided) payments among ``keys``."""
        ...

    def history(self, query: HistoryQuery) -> dict[tuple[str, ...], list[HistoryRun]]:
        """The paid lines ``query`` asks for, by key: one entry per run and year, by year,
        then oldest run first (keys with none are left out). Looked up in the database a few
        hundred keys at a time through the index on ``subject`` or ``enterprise``."""
        ...

    def commit(
        self,
        run: RunInfo,
        lines: Sequence[LedgerLine],
        outcomes: Sequence[OutcomeLine] = (),
    ) -> dict[str, PaidEntry]:
        """Record ``lines`` in one transaction; lines already paid are not recorded.

        Returns the keys that were already paid (checked inside the transaction, so two
        processes committing the same roster at once cannot both pay a line). ``outcomes``,
        the run's pending and refused lines, are recorded in the same transaction (a line
        found already paid is recorded as refused ``already-paid``); each supersedes the
        earlier outcome of its key, as a paid line does.
        """
        ...

    def month_figures(self, up_to_month: str, office: str | None = None) -> list[MonthFigure]:
        """Counts and amounts of current lines and outcomes in months up to ``up_to_month``,
        grouped in the database by program, month, category, outcome, level, tranche, amount and
        institution (a few thousand rows however large the ledger); only ``office``'s runs
        when it is given."""
        ...

    def report_figures(self, month: str, office: str | None = None) -> ReportFigures:
        """The figures of :meth:`month_figures` up to ``month``, grouped in the database by
        month without the institution, and by institution, with ``month`` apart from the
        months before it (a few thousand rows in all); lines without a month are left out
        of the second."""
        ...

    def thin_inspections(
        self, month: str, minimum: int, office: str | None = None
    ) -> list[ClassInspection]:
        """Classes of ``month`` inspected fewer than ``minimum`` times (where recorded)."""
        ...

    def locality_figures(
        self, program: str, first_month: str, up_to_month: str, office: str | None = None
    ) -> list[LocalityFigure]:
        """``program``'s paid lines (approved runs, not voided) and current outcomes in months
        ``first_month`` to ``up_to_month``, grouped by 所在地, month, status and amount."""
        ...

    def offices(self) -> list[str]:
        """The offices that have runs in the ledger, sorted ("" for runs that named none)."""
        ...

    def runs(self) -> list[RunRecord]: ...

    def lines(self, run_id: str | None = None) -> Iterator[StoredLine]: ...

    def outcomes(self, run_id: str) -> list[StoredOutcome]:
        """``run_id``'s pending and refused lines with their reasons, in line order."""
        ...

    def void(self, run_id: str, reason: str, actor: str = "") -> str:
        """Record that ``run_id``'s lines no longer count; returns the void's id."""
        ...

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
        """Record 复核, 审批, 驳回 or a review stage of ``run_id``; returns the run's new state."""
        ...

    def steps(self, run_id: str | None = None) -> list[RunStep]:
        """A run's steps in order; without ``run_id`` every run's 经办/复核/审批/驳回."""
        ...

    def audit_log(self) -> list[AuditEntry]: ...

    def reconcile(self, run_id: str, bank: BankFile, actor: str) -> Reconciliation:
        """Mark an approved run's paid lines 已到账 or 退回 from the bank's return file."""
        ...

    def verify(self) -> Verification: ...

    def close(self) -> None: ...

    def __enter__(self) -> Ledger: ...

    def __exit__(self, *exc: object) -> None: ...
