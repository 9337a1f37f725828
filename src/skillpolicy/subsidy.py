"""Money: each row becomes paid, pending or refused lines, with the same findings as validate.

A row with an error finding is refused with those findings as reasons; a row flagged for
review, or whose outcome (鉴定结果, 验收结果) is still blank, is pending; otherwise the
program's method computes the amount. With a ledger, lines already paid by an earlier run are
refused as ``already-paid`` naming that run, and ``commit`` records the rest in one transaction.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from .alreadypaid import already_paid_column, already_paid_finding, already_paid_findings
from .errors import InputError, SkillpolicyError
from .findings import Finding
from .identifiers import mask_id
from .ledger import (
    AWARD_TARGET,
    NO_FACTS,
    Ledger,
    LedgerLine,
    LineFacts,
    OutcomeLine,
    PaidEntry,
    RunInfo,
)
from .money import amount_in_words, format_amount
from .params import LocalParams, load_params
from .payee import PAYEE_KIND_NAMES, UNNAMED_INSTITUTION
from .paykeys import key_part, line_key, subject_of
from .paymethod import ZERO, Claim, Method
from .paymodel import PayeeKind
from .programfiles import list_programs
from .programs import ALREADY_PAID, SHEET_KIND_NAMES, Program, SubsidySpec
from .resources import SearchPath
from .rules import CellProblem, RowView
from .sheet import Layout
from .validate import (
    Checker,
    Report,
    checked_rows,
    counted,
    hidden_findings,
    make_context,
    open_sheet,
)

Status = Literal["paid", "pending", "refused"]
_LEDGER_INTEGER_LIMIT = 1 << 63  # a ledger INTEGER column (SQLite, PostgreSQL BIGINT) holds less


@dataclass(slots=True)
class PayLine:
    row: int | None
    name: str
    subject: str  # full identity number or credit code: mask before showing
    status: Status
    amount: Decimal
    payee_kind: PayeeKind
    payee: str
    key: str
    basis: str  # how the amount was computed, in Chinese
    reasons: list[Finding] = field(default_factory=list)
    tranche: int | None = None
    occupation: str = ""
    level: str = ""
    target: str = ""
    year: int | None = None
    facts: LineFacts = NO_FACTS  # what the monthly report reads (month, category, outcome…)
    source: str = ""  # the file's name, when one payout holds several files' lines

    @property
    def place(self) -> str | None:
        """Where the line is in the clerk's sheet: 原表第12行, or 甲机构.xlsx 第12行 in a
        payout over several files (None for a line of no row)."""
        if self.row is None:
            return None
        return f"{self.source} 第{self.row}行" if self.source else f"原表第{self.row}行"

    @property
    def shown_id(self) -> str:
        return mask_id(self.subject) if self.payee_kind != "unit" else self.subject

    def to_json(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "row": self.row,
            "name": self.name,
            "id": self.shown_id,
            "status": self.status,
            "amount": format_amount(self.amount),
            "reasons": [reason.reason_json() for reason in self.reasons],
        }
        if self.tranche is not None:
            payload["tranche"] = self.tranche
        payload["payee"] = self.payee
        return payload

    def ledger_line(self, program: str) -> LedgerLine:
        # positional, in LedgerLine's field order: a commit makes 100,000 of these
        return LedgerLine(
            self.key, program, self.subject, self.name, self.occupation, self.level,
            self.tranche, self.target, self.year, self.amount, self.payee, self.row, self.facts,
        )  # fmt: skip


@dataclass
class Payout:
    """The result of a subsidy run: every line, the totals, and what it was computed from."""

    program: Program
    spec: SubsidySpec
    file: str
    file_hash: str
    report: Report
    params_used: dict[str, str]
    lines: list[PayLine] = field(default_factory=list)
    run_id: str | None = None  # set when committed to the ledger
    ledger_location: str | None = None
    # 经办/复核/审批 → (name, YYYY-MM-DD) as the ledger recorded them, for the paper
    signers: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.status == "paid"), ZERO)

    @property
    def has_violations(self) -> bool:
        """Exit 1 (INTERFACE.md): a rule was broken or a line was already paid; a unit simply
        left undesignated, or a failed acceptance, is a refusal but not a violation."""
        return self.report.has_errors or any(
            reason.rule == ALREADY_PAID for line in self.lines for reason in line.reasons
        )

    def count(self, status: Status) -> int:
        return sum(1 for line in self.lines if line.status == status)

    @property
    def unnamed_payee(self) -> bool:
        """Some line pays an institution the sheet does not name (INTERFACE.md "Payee"): the
        amounts stand, but the payment cannot be recorded or its schedule written."""
        return any(line.payee == UNNAMED_INSTITUTION for line in self.lines)

    def check_payable(self, path: Path | str) -> None:
        """Raise InputError before a commit or a payout schedule when a payee is unnamed."""
        if self.unnamed_payee:
            raise InputError(
                "表中没有培训机构列，表头上方也未注明培训机构，无法确定收款方：请在表头上方写明"
                "“培训机构：名称”，或用 --institution 名称 指明，或加一列培训机构",
                file=path,
                sheet=self.report.layout.sheet,
            )

    def totals_by_payee(self) -> list[tuple[str, str, int, Decimal]]:
        """(payee kind name, payee, paid lines, amount) for every payee with paid lines."""
        totals: dict[tuple[str, str], list[Any]] = {}
        for line in self.lines:
            if line.status == "paid":
                entry = totals.setdefault((line.payee_kind, line.payee), [0, ZERO])
                entry[0] += 1
                entry[1] += line.amount
        return [
            (PAYEE_KIND_NAMES[kind], payee, count, amount)
            for (kind, payee), (count, amount) in sorted(totals.items())
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "program": self.program.id,
            "currency": "CNY",
            "total": format_amount(self.total),
            "total_in_words": amount_in_words(self.total),
            "paid": self.count("paid"),
            "pending": self.count("pending"),
            "refused": self.count("refused"),
            "lines": [line.to_json() for line in self.lines],
        }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _lines_for_row(
    view: RowView, findings: list[Finding], method: Method, program: Program
) -> Iterator[PayLine]:
    errors = [f for f in findings if f.severity == "error"]
    reviews = [f for f in findings if f.severity == "review"]
    name = view.text("姓名") if view.has("姓名") else view.text("单位名称")
    subject = subject_of(view)
    claims: list[Claim] | None = None
    if not errors:
        try:
            claims = method.claims(view)
        except CellProblem as problem:  # a safety net: rules read every cell the money reads
            errors = [
                Finding(
                    view.number,
                    problem.column,
                    "subsidy",
                    "error",
                    problem.message,
                    method.citation,
                )
            ]
    if claims is None:
        # refused rows still get one line per tranche so the clerk sees every unit and tranche
        tranches = method.spec.tranche_numbers
        payee_kind, payee = method.default_payee(view)
        for tranche in tranches:
            yield _line(
                view,
                program,
                name,
                subject,
                "refused",
                ZERO,
                payee_kind,
                payee,
                "",
                errors,
                tranche,
            )
        return
    for claim in claims:
        if claim.refusal is not None:
            status: Status = "refused"
            reasons = [claim.refusal]
        elif reviews or claim.pending is not None:
            status, reasons = "pending", [*reviews, *([claim.pending] if claim.pending else [])]
        else:
            status, reasons = "paid", []
        amount = method.spec.rounding.apply(claim.amount) if status == "paid" else ZERO
        yield _line(
            view,
            program,
            name,
            subject,
            status,
            amount,
            claim.payee_kind,
            claim.payee,
            claim.basis,
            reasons,
            claim.tranche,
        )


def _line(
    view: RowView,
    program: Program,
    name: str,
    subject: str,
    status: Status,
    amount: Decimal,
    payee_kind: PayeeKind,
    payee: str,
    basis: str,
    reasons: list[Finding],
    tranche: int | None,
) -> PayLine:
    occupation = key_part(view, "职业(工种)") if view.has("职业(工种)") else ""
    level = key_part(view, "申报等级") if view.has("申报等级") else ""
    target = key_part(view, "培训类别") if view.has("培训类别") else ""
    if view.context.layout.kind == "award" and view.has("奖项"):
        target = AWARD_TARGET + key_part(view, "奖项")  # the report counts winners apart
    return PayLine(
        row=view.number,
        name=name,
        subject=subject,
        status=status,
        amount=amount,
        payee_kind=payee_kind,
        payee=payee,
        key=line_key(program, view, tranche),
        basis=basis,
        reasons=reasons,
        tranche=tranche,
        occupation=occupation,
        level=level,
        target=target,
        year=_start_year(view),
        facts=line_facts(view, program, target),
    )


def _start_year(view: RowView) -> int | None:
    """The year of 开班日期 (Fujian's no-repeat rule reads it); none when the cell is
    unreadable, whose text (an identity number, say) need not fit the ledger's INTEGER."""
    try:
        start = view.date("开班日期") if view.has("开班日期") else None
    except CellProblem:
        return None
    return start.year if start else None


def line_facts(view: RowView, program: Program, target: str) -> LineFacts:
    """The row's descriptive cells for the ledger; a broken cell is simply left blank."""

    def text(column: str) -> str:
        try:
            return view.text(column) if view.has(column) else ""
        except CellProblem:
            return ""

    def day(column: str) -> str:
        try:
            found = view.date(column) if view.has(column) and not view.blank(column) else None
        except CellProblem:
            found = None
        return found.isoformat() if found else ""

    try:
        ratio = view.ratio("到课率") if view.has("到课率") and not view.blank("到课率") else None
    except CellProblem:
        ratio = None
    try:
        checks = view.int("抽查次数") if view.has("抽查次数") else None
    except CellProblem:
        checks = None
    if checks is not None and checks >= _LEDGER_INTEGER_LIMIT:
        checks = None  # no count of inspections: a number typed in the wrong column
    bare = target.strip('“”"「」')
    department = next(
        (t.department or "" for t in program.targets if t.name.strip("“”\"「」") == bare),
        "",
    ) if target else ""  # fmt: skip
    spec = program.subsidy_for(view.context.layout.kind)
    outcome = text(spec.outcome if spec is not None and spec.outcome else "鉴定结果")
    return LineFacts(
        month=(day("结业日期") or "")[:7],
        department=department,
        training_type=text("培训类型"),
        person_category=text("人员类别"),
        institution=text("培训机构"),
        locality=text("所在地"),
        outcome=outcome if outcome in ("合格", "不合格") else "",
        attendance="" if ratio is None else str(ratio),
        inspections=checks,
        class_start=day("开班日期"),
        enterprise=text("所在企业"),
    )


def _refuse_already_paid(payout: Payout, paid: dict[str, PaidEntry], run_id: str) -> None:
    """Refuse the paid lines the commit did not record: paid by another run meanwhile, or a
    key repeated in this run, whose first line is the one recorded."""
    recorded: set[str] = set()
    for line in payout.lines:
        if line.status == "paid" and line.key in paid:
            if paid[line.key].run_id == run_id and line.key not in recorded:
                recorded.add(line.key)
                continue
            line.status = "refused"
            line.amount = ZERO
            line.reasons = [
                already_paid_finding(
                    payout.program, payout.spec, paid[line.key], line.row, line.tranche
                )
            ]


def paying_method(
    path: Path, program: Program, layout: Layout, params: LocalParams, search: SearchPath
) -> tuple[SubsidySpec, Method]:
    """How the sheet ``layout`` describes is paid; InputError (exit 2) when it pays nothing or
    lacks a column the money needs."""
    spec = program.subsidy_for(layout.kind)
    if spec is None:
        accepted = "、".join(SHEET_KIND_NAMES[s.sheet] for s in program.subsidies)
        raise InputError(
            f"这是一张{SHEET_KIND_NAMES[layout.kind]}，不涉及补贴发放；补贴按{accepted}计算",
            file=path,
            sheet=layout.sheet,
        )
    # a missing 培训机构 is the payee rule's to handle (INTERFACE.md "Payee"), not a stop
    missing = [c for c in spec.requires if not layout.has(c) and c != "培训机构"]
    if missing:
        raise InputError(
            f"计算补贴需要的列缺失：{'、'.join(missing)}（第{layout.header_row}行表头）",
            file=path,
            sheet=layout.sheet,
        )
    return spec, Method(program, spec, params, search)


def compute_subsidy(
    path: Path,
    program: Program,
    *,
    kind: str | None = None,
    as_of: Any = None,
    params_file: Path | None = None,
    search: SearchPath | None = None,
    ledger: Ledger | None = None,
    shown_name: str | None = None,
    institution: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Payout:
    """Compute every line of ``path`` (nothing is recorded; see :func:`commit_payout`).

    ``institution`` (``--institution``) is the payee of a sheet that has no 培训机构 column
    and names none above its header; without one the amounts are still computed, payable to
    :data:`UNNAMED_INSTITUTION`, with a sheet-level warning.

    ``progress`` hears how many rows are done, as in :func:`~skillpolicy.validate.validate_sheet`."""
    search = search or SearchPath("catalogs")
    if not program.subsidies:
        raise InputError(f"项目 {program.id} 没有可计算的补贴")
    params = load_params(params_file, program, list_programs(search))
    _, payout = validate_and_compute(
        path,
        program,
        mode="subsidy",
        params=params,
        kind=kind,
        as_of=as_of,
        search=search,
        ledger=ledger,
        shown_name=shown_name,
        institution=institution,
        progress=progress,
    )
    assert payout is not None  # the subsidy mode stops where nothing can be paid
    return payout


def validate_and_compute(
    path: Path,
    program: Program,
    *,
    mode: Literal["validate", "subsidy"],
    params: LocalParams,
    kind: str | None = None,
    as_of: Any = None,
    search: SearchPath | None = None,
    ledger: Ledger | None = None,
    shown_name: str | None = None,
    institution: str | None = None,
    on_row: Callable[[RowView], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[Report, Payout | None]:
    """Check and compute ``path`` in one reading of it (a folder of submissions reads each
    file once); ``on_row`` sees every row's view as it goes by, and ``progress`` hears how
    many rows are done. :func:`compute_subsidy` is this in the subsidy mode.

    ``mode="subsidy"``: the report and payout are :func:`compute_subsidy`'s, and it stops as
    that function stops. ``mode="validate"``: the report is
    :func:`~skillpolicy.validate.validate_sheet`'s (a line an earlier run paid is a finding of
    its row) and the payout is what the sheet pays as it stands, or None where nothing can be
    computed (a kind that pays nothing, a column or a local parameter the money needs)."""
    search = search or SearchPath("catalogs")
    paying = mode == "subsidy"
    if paying and not program.subsidies:
        raise InputError(f"项目 {program.id} 没有可计算的补贴")
    reader = open_sheet(path, program, kind, institution)
    layout = reader.layout
    spec = program.subsidy_for(layout.kind)
    method: Method | None = None
    try:
        spec, method = paying_method(path, program, layout, params, search)
    except SkillpolicyError:
        if paying:
            raise
    context = make_context(
        program, layout, params=params, search=search, as_of=as_of, ledger=ledger
    )
    checker = Checker(context)
    report = Report(
        program=program, file=shown_name or str(path), layout=layout, skipped=list(checker.skipped)
    )
    payout = None
    if method is not None and spec is not None:
        payout = Payout(
            program=program,
            spec=spec,
            file=shown_name or str(path),
            file_hash=file_sha256(path),
            report=report,
            params_used=method.used,
        )
    for view, findings in counted(checked_rows(reader, checker), progress):
        if on_row is not None:
            on_row(view)
        if payout is not None and method is not None:
            try:
                payout.lines.extend(_lines_for_row(view, findings, method, program))
            except SkillpolicyError:
                if paying:
                    raise
                payout = method = None  # validate goes on; the amount cannot be known
        if not paying and ledger is not None:
            findings.extend(already_paid_findings(program, view, ledger))
        report.add_row(view, findings)
    sheet_findings = checker.finish()
    report.add_sheet_findings(sheet_findings)
    report.add_sheet_findings(hidden_findings(reader, program))
    if payout is not None:
        _apply_late_findings(payout, sheet_findings)
        if ledger is not None:
            refused = _refuse_paid_before(payout, ledger.paid([line.key for line in payout.lines]))
            if paying:  # validate has them already, each on its row
                report.add_sheet_findings(refused)
    return report, payout


def unnamed_payee_warning(program: Program, spec: SubsidySpec) -> Finding:
    """The sheet-level warning of a payout with an unnamed payee (:attr:`Payout.unnamed_payee`);
    not one of the report's findings, which are validate's, rule for rule."""
    return Finding(
        row=None,
        column="培训机构",
        rule="payee",
        severity="warning",
        message=(
            f"表中没有培训机构列，表头上方也未注明培训机构：补贴照常计算，收款方记为"
            f"“{UNNAMED_INSTITUTION}”；记入台账或生成发放花名册前，请在表头上方写明"
            "“培训机构：名称”或用 --institution 指明"
        ),
        citation=program.citation(spec.clause),
    )


def _refuse_paid_before(payout: Payout, paid: dict[str, PaidEntry]) -> list[Finding]:
    """Refuse every line an earlier run paid, whatever it would be now, with the finding
    ``validate --ledger`` reports for it; the findings are returned for the report."""
    column = already_paid_column(payout.report.layout)
    found: list[Finding] = []
    for line in payout.lines:
        entry = paid.get(line.key)
        if entry is None:
            continue
        finding = already_paid_finding(payout.program, payout.spec, entry, line.row, line.tranche)
        finding = replace(finding, column=column)
        # a refusal keeps its reasons; a pending note or an amount no longer applies
        kept = line.reasons if line.status == "refused" else []
        line.status, line.amount, line.reasons = "refused", ZERO, [*kept, finding]
        found.append(finding)
    return found


def _apply_late_findings(payout: Payout, findings: list[Finding]) -> None:
    """Row findings known only at the end (across-row rules): errors refuse, reviews hold."""
    by_row: dict[int, list[Finding]] = {}
    for finding in findings:
        if finding.row is not None and finding.severity != "warning":
            by_row.setdefault(finding.row, []).append(finding)
    for line in payout.lines:
        extra = by_row.get(line.row or -1)
        if not extra:
            continue
        errors = [f for f in extra if f.severity == "error"]
        if errors:
            # a refusal's reasons are what refuses it; a pending note no longer applies
            kept = line.reasons if line.status == "refused" else []
            line.status, line.amount, line.reasons = "refused", ZERO, [*kept, *errors]
        elif line.status != "refused":
            line.status, line.amount = "pending", ZERO
            line.reasons = [*line.reasons, *extra]


def os_user() -> str:
    """The operator a run records when none is named: the login name of the OS user."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return ""


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector held off for a bulk step, and restored as it was.

    A commit makes some 200,000 tuples that all live until it ends and hold no cycles; the
    collector, triggered by the allocations, would walk the whole heap (the payout's lines,
    the report) again and again for nothing: about a sixth of the commit step.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def commit_payout(
    payout: Payout,
    ledger: Ledger,
    *,
    office: str = "",
    operator: str | None = None,
    approval: tuple[str, ...] = ("经办", "复核", "审批"),
    sources: dict[str, str] | None = None,
) -> None:
    """Record every paid line in one transaction; lines another run paid meanwhile are refused.

    The run records ``office`` (the office making it, "" when not named) and ``operator``
    (None: the OS user). A payout with no paid line records nothing (no run):
    ``payout.run_id`` stays None. The run is proposed (待复核) unless ``approval``, the
    office's chain, is 经办 alone; ``sources`` (sha256 of the program and params files) go
    into the audit log with the input's.
    """
    if not payout.count("paid"):
        return
    run_id = datetime.now().strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:6]
    run = RunInfo(
        run_id=run_id,
        program=payout.program.id,
        file_name=Path(payout.file).name,
        file_hash=payout.file_hash,
        created_at=datetime.now().astimezone().isoformat(timespec="seconds"),
        params=dict(payout.params_used),
        office=office.strip(),
        operator=(os_user() if operator is None else operator).strip(),
        approval=approval,
        sources=dict(sources or {}),
    )
    month = run.created_at[:7]  # a line without 结业日期 counts in the month of the run

    def recorded(line: PayLine) -> LedgerLine:
        entry = line.ledger_line(payout.program.id)
        if entry.facts.month:
            return entry
        return entry._replace(facts=entry.facts._replace(month=month))

    with collector_paused():
        # paid lines without a month take the run's month inside the ledger (no copy per line)
        paid_lines = [
            line.ledger_line(payout.program.id) for line in payout.lines if line.status == "paid"
        ]
        outcomes = [
            OutcomeLine(recorded(line), line.status, tuple(line.reasons))
            for line in payout.lines
            if line.status != "paid"
        ]
        conflicts = ledger.commit(run, paid_lines, outcomes)
    _refuse_already_paid(payout, conflicts, run_id)
    payout.run_id = run_id
    payout.ledger_location = ledger.location
    payout.signers = {"经办": (run.operator, run.created_at[:10])}
