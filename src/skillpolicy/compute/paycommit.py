"""Recording a payout in the ledger: :func:`commit_payout` (every paid line in one
transaction, the rest as outcomes, the OS user as operator unless one is named) and the
collector held off for the bulk step (:func:`~skillpolicy.domain.collector.collector_paused`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

from ..domain.collector import collector_paused
from ..ledger import Ledger, LedgerLine, OutcomeLine, RunInfo
from ..ledger.workflow import os_user
from .paylines import PayLine, Payout, ledger_lines
from .refusals import refuse_committed_elsewhere


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
        paid_lines = ledger_lines(
            (line for line in payout.lines if line.status == "paid"), payout.program.id
        )
        outcomes = [
            OutcomeLine(recorded(line), line.status, tuple(line.reasons))
            for line in payout.lines
            if line.status != "paid"
        ]
        conflicts = ledger.commit(run, paid_lines, outcomes)
        # freed while the collector is still off: its first collection after, due since the
        # allocations above, walked all 100,000 of them (0.05 s of CPU) for nothing
        del paid_lines, outcomes
    refuse_committed_elsewhere(payout, conflicts, run_id)
    payout.run_id = run_id
    payout.ledger_location = ledger.location
    payout.signers = {"经办": (run.operator, run.created_at[:10])}
