"""Money: each row becomes paid, pending or refused lines, with the same findings as validate.

A row with an error finding is refused with those findings as reasons; a row flagged for
review, or whose outcome (鉴定结果, 验收结果) is still blank, is pending; otherwise the
program's method computes the amount. With a ledger, lines already paid by an earlier run are
refused as ``already-paid`` naming that run. The sheet goes through the one loop
(:func:`~skillpolicy.check.validate.run_sheet`); the lines and the payout are in
:mod:`~skillpolicy.compute.paylines`, the lines refused late in :mod:`~skillpolicy.compute.refusals`, and
:func:`~skillpolicy.compute.paycommit.commit_payout` records the paid ones in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

from ..check.validate import Report, run_sheet
from ..domain.errors import InputError, SkillpolicyError
from ..domain.findings import Finding
from ..io.fileio import file_sha256
from ..io.resources import SearchPath
from ..io.sheet import Layout
from ..ledger import Ledger
from ..loading.programfiles import ProgramFiles
from ..policy.params import LocalParams, load_params
from ..policy.programs import SHEET_KIND_NAMES, Program, SubsidySpec
from ..rules import CellProblem, RowView
from .paylines import LineMaker, PayLine, Payout, Status
from .paymethod import ZERO, Claim, Method
from .refusals import apply_late_findings, refuse_paid_before


def _lines_for_row(
    view: RowView, findings: list[Finding], method: Method, lines: LineMaker
) -> Iterator[PayLine]:
    errors = [f for f in findings if f.severity == "error"]
    reviews = [f for f in findings if f.severity == "review"]
    name = view.text("姓名") if view.has("姓名") else view.text("单位名称")
    subject = lines.subject(view)
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
            yield lines.line(
                view,
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
        yield lines.line(
            view,
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


class _PayingRows:
    """The loop's consumer in a subsidy run: each checked row's lines, then the late
    findings and the ledger's earlier runs applied to them (:func:`run_sheet`)."""

    def __init__(
        self, payout: Payout | None, method: Method | None, *, paying: bool, ledger: Any
    ) -> None:
        self.payout = payout
        self.method = method
        self.paying = paying
        self.ledger = ledger
        self.lines = None if payout is None else LineMaker(payout.program, payout.report.layout)

    def row(self, view: RowView, findings: list[Finding]) -> None:
        if self.payout is None or self.method is None or self.lines is None:
            return
        try:
            self.payout.lines.extend(_lines_for_row(view, findings, self.method, self.lines))
        except SkillpolicyError:
            if self.paying:
                raise
            self.payout = self.method = None  # validate goes on; the amount cannot be known

    def late(self, findings: list[Finding]) -> list[Finding]:
        if self.payout is None:
            return []
        apply_late_findings(self.payout, findings)
        if self.ledger is None:
            return []
        refused = refuse_paid_before(
            self.payout, self.ledger.paid([line.key for line in self.payout.lines])
        )
        return refused if self.paying else []  # validate has them already, each on its row


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
    """Compute every line of ``path`` (nothing is recorded; see
    :func:`~skillpolicy.compute.paycommit.commit_payout`).

    ``institution`` (``--institution``) is the payee of a sheet that has no 培训机构 column
    and names none above its header; without one the amounts are still computed, payable to
    :data:`UNNAMED_INSTITUTION`, with a sheet-level warning.

    ``progress`` hears how many rows are done, as in :func:`~skillpolicy.check.validate.validate_sheet`."""
    search = search or SearchPath("catalogs")
    if not program.subsidies:
        raise InputError(f"项目 {program.id} 没有可计算的补贴")
    params = load_params(params_file, program, ProgramFiles(search, program))
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
    :func:`~skillpolicy.check.validate.validate_sheet`'s (a line an earlier run paid is a finding of
    its row) and the payout is what the sheet pays as it stands, or None where nothing can be
    computed (a kind that pays nothing, a column or a local parameter the money needs)."""
    searched = search or SearchPath("catalogs")
    paying = mode == "subsidy"
    if paying and not program.subsidies:
        raise InputError(f"项目 {program.id} 没有可计算的补贴")

    def start(report: Report) -> _PayingRows:
        layout = report.layout
        spec = program.subsidy_for(layout.kind)
        method: Method | None = None
        try:
            spec, method = paying_method(path, program, layout, params, searched)
        except SkillpolicyError:
            if paying:
                raise
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
        return _PayingRows(payout, method, paying=paying, ledger=ledger)

    report, rows = run_sheet(
        path,
        program,
        params=params,
        search=searched,
        consumer=start,
        kind=kind,
        as_of=as_of,
        ledger=ledger,
        paid_on_rows=not paying,
        shown_name=shown_name,
        institution=institution,
        on_row=on_row,
        progress=progress,
    )
    assert rows is not None
    return report, rows.payout
