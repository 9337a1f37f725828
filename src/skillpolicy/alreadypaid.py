"""The ledger's own rule (``already-paid``): a line an earlier run paid is not paid again.

Validation reports it on the row and the subsidy run refuses the line with the same finding,
so both take it from here."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .findings import Finding
from .ledger import PaidEntry
from .money import format_amount
from .paykeys import line_key
from .programs import ALREADY_PAID, Program, SubsidySpec
from .rules import RowView
from .sheet import Layout


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
    spec = program.subsidy_for(view.context.layout.kind)
    if spec is None:
        return []
    keys = {line_key(program, view, t): t for t in spec.tranche_numbers}
    paid = ledger.paid(list(keys))
    column = already_paid_column(view.context.layout)
    found = []
    for key, entry in paid.items():
        finding = already_paid_finding(program, spec, entry, view.number, keys[key])
        found.append(replace(finding, column=column))
    return found


def already_paid_column(layout: Layout) -> str | None:
    """The column an already-paid finding points at: the person's or the unit's identifier."""
    column = "身份证号" if layout.has("身份证号") else "统一社会信用代码"
    return column if layout.has(column) else None
