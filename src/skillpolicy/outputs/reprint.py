"""A committed run's payout schedule rebuilt from the ledger alone (``ledger reprint``).

A payment run writes its schedule before it commits and renames it into place after; should
the schedule still be lost (a crash after the commit, a deleted file), the ledger holds every
paid line of the run: name, identity or credit code, occupation, level, tranche, amount and
payee. This module turns them back into a :class:`~skillpolicy.compute.paylines.Payout` that
:func:`~skillpolicy.outputs.payouts.write_payout_workbook` writes like the original, its pending and
refused rows (未发放) with the reasons the run recorded (schema 7: message and clause; a row
recorded before it names its rules only).
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from ..check.validate import Report
from ..compute.payee import payee_options
from ..compute.paylines import PayLine, Payout, Status
from ..domain.errors import InputError
from ..domain.findings import Finding
from ..io.resources import SearchPath
from ..io.sheet import Layout
from ..ledger import Ledger, LedgerLine
from ..ledger.workflow import signers_of
from ..loading.programfiles import load_program
from ..policy.paymodel import PayeeKind
from ..policy.programs import Program, SubsidySpec

__all__ = ["payout_from_ledger"]


def _spec_for(program: Program, line: LedgerLine) -> SubsidySpec:
    """The subsidy a stored line was paid under, told apart by the shape of its key."""
    parts = line.key.split("|")[1:]
    if line.tranche is not None:
        parts = parts[:-1]
    fitting = [spec for spec in program.subsidies if len(spec.key) == len(parts)]
    if line.tranche is not None:
        fitting = [spec for spec in fitting if spec.tranches] or fitting
    for spec in fitting:
        if "申报等级" in spec.key and line.level and line.level in parts:
            return spec
    if len(fitting) > 1:
        fitting = [spec for spec in fitting if "申报等级" not in spec.key] or fitting
    if fitting:
        return fitting[0]
    return program.subsidies[0]


def _payee_kind(spec: SubsidySpec, line: LedgerLine) -> PayeeKind:
    """The kind of the payee option a stored line was paid to: the only kind, or the option
    whose fixed name the line names, or the first that reads a column."""
    options = payee_options(spec.payee)
    if len({option.kind for option in options}) == 1:
        return options[0].kind
    for option in options:
        if option.name is not None and option.name == line.payee:
            return option.kind
    return next((o.kind for o in options if o.column is not None), options[0].kind)


def payout_from_ledger(ledger: Ledger, run_id: str, search: SearchPath | None = None) -> Payout:
    """The paid lines of committed run ``run_id`` as a payout (voided runs are refused)."""
    record = next((run for run in ledger.runs() if run.run_id == run_id), None)
    if record is None:
        raise InputError(f"台账中没有运行 {run_id}", file=ledger.location)
    if record.voided_by:
        raise InputError(
            f"运行 {run_id} 已作废（作废记录 {record.voided_by}），不再重印发放花名册",
            file=ledger.location,
        )
    program = load_program(record.program, search or SearchPath("catalogs"))
    if not program.subsidies:
        raise InputError(f"项目 {program.id} 没有可计算的补贴", file=ledger.location)
    stored = [entry.line for entry in ledger.lines(run_id)]
    spec = _spec_for(program, stored[0]) if stored else program.subsidies[0]
    layout = Layout(
        file=Path(record.file_name),
        sheet="",
        kind=spec.sheet,
        header_row=0,
        columns={},
        letters={},
    )
    report = Report(program=program, file=record.file_name, layout=layout)
    payout = Payout(
        program=program,
        spec=spec,
        file=record.file_name,
        file_hash=record.file_hash,
        report=report,
        params_used={},
        run_id=run_id,
        ledger_location=ledger.location,
        signers=signers_of(ledger.steps(run_id)),
    )
    payout.lines += [_pay_line(program, line, "paid") for line in stored]
    payout.lines += [
        _pay_line(program, unpaid.line, cast(Status, unpaid.status), unpaid.reasons)
        for unpaid in ledger.outcomes(run_id)
    ]
    return payout


def _pay_line(
    program: Program, line: LedgerLine, status: Status, reasons: tuple[Finding, ...] = ()
) -> PayLine:
    line_spec = _spec_for(program, line)
    return PayLine(
        row=line.row,
        name=line.name,
        subject=line.subject,
        status=status,
        amount=line.amount,
        payee_kind=_payee_kind(line_spec, line),
        payee=line.payee,
        key=line.key,
        basis=f"{line_spec.summary}（据台账重印）",
        reasons=list(reasons),
        tranche=line.tranche,
        occupation=line.occupation,
        level=line.level,
        target=line.target,
        year=line.year,
        facts=line.facts,
    )
