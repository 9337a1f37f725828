"""Lines refused after they were computed: by the findings known only when the sheet is done
(across-row rules, a batch's cross-file ones), by the ledger's earlier runs (``already-paid``),
and by another run that recorded the same line while this one was committing."""

from __future__ import annotations

from dataclasses import replace

from ..check.alreadypaid import already_paid_column, already_paid_finding
from ..domain.findings import Finding
from ..ledger import PaidEntry
from .paylines import Payout
from .paymethod import ZERO


def apply_late_findings(payout: Payout, findings: list[Finding]) -> None:
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


def refuse_paid_before(payout: Payout, paid: dict[str, PaidEntry]) -> list[Finding]:
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


def refuse_committed_elsewhere(payout: Payout, paid: dict[str, PaidEntry], run_id: str) -> None:
    """Refuse the paid lines the commit did not record: paid by another run meanwhile, or a
    key repeated in this run, whose first line is the one recorded."""
    if not paid:
        return  # the usual commit: every line recorded, none to look for
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
