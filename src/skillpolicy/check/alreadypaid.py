"""The ledger's own rule (``already-paid``): a line an earlier run paid is not paid again.

Validation reports it on the row and the subsidy run refuses the line with the same finding,
so both take it from here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..domain.findings import ALREADY_PAID, Finding
from ..domain.money import format_amount
from ..io.sheet import Layout
from ..ledger import PaidEntry
from ..policy.programs import Program, SubsidySpec
from ..rules import RowView
from .paykeys import line_key


def already_paid_finding(
    program: Program, spec: SubsidySpec, entry: PaidEntry, row: int | None, tranche: int | None
) -> Finding:
    what = f"第{tranche}笔经费" if tranche else "该项补贴"
    office = f"{entry.office}，" if entry.office else ""
    return Finding(
        row=row,
        column=None,
        rule=ALREADY_PAID,
        severity="error",
        message=(
            f"{what}已由 {entry.created_at[:10]} 的运行 {entry.run_id}（{office}文件 {entry.file_name}，"
            f"{entry.state_name}）发放 {format_amount(entry.amount)} 元，不得重复发放；"
            "如那次发放有误，请先作废或驳回该次运行"
        ),
        citation=program.citation(spec.clause),
    )


def already_paid_findings(program: Program, view: RowView, ledger: Any) -> list[Finding]:
    """Lines of this row an earlier run already paid (the subsidy run refuses them too)."""
    return already_paid_rows(program, [view], ledger)[0]


def already_paid_rows(
    program: Program, views: Sequence[RowView], ledger: Any
) -> list[list[Finding]]:
    """Per row of ``views`` (rows of one sheet), the lines an earlier run already paid: the
    ledger asked once for the keys of all of them, not once a row."""
    found: list[list[Finding]] = [[] for _ in views]
    if not views or getattr(ledger, "empty", False):  # no ledger file yet: nothing was paid
        return found
    layout = views[0].context.layout
    spec = program.subsidy_for(layout.kind)
    if spec is None:
        return found
    tranches = spec.tranche_numbers
    # every line key of the rows, with the rows (and tranche) it belongs to: two rows of the
    # same person hold the same key, and each is told
    owners: dict[str, list[tuple[int, int | None]]] = {}
    for index, view in enumerate(views):
        for tranche in tranches:
            owners.setdefault(line_key(program, view, tranche), []).append((index, tranche))
    paid = ledger.paid(list(owners))
    if not paid:
        return found
    column = already_paid_column(layout)
    for key, entry in paid.items():
        for index, tranche in owners.get(key, ()):
            finding = already_paid_finding(program, spec, entry, views[index].number, tranche)
            found[index].append(replace(finding, column=column))
    return found


def already_paid_column(layout: Layout) -> str | None:
    """The column an already-paid finding points at: the person's or the unit's identifier."""
    column = "身份证号" if layout.has("身份证号") else "统一社会信用代码"
    return column if layout.has(column) else None
