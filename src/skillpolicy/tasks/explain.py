"""Explaining one row's decision: every rule in order, then the money, then the ledger.

:func:`explain_row` runs the same checks and the same money computation as ``validate`` and
``subsidy`` (across-row rules need the whole sheet, so the whole sheet is read) and keeps what
concerns one row: each rule's inputs (masked), the bound and reading it applied, its clause and
its outcome; each value the amount was computed from, with where that value came from; and
what the ledger holds for the row's lines. Everything is said in the clerk's Chinese, with the
clause beside every step.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from ..check.alreadypaid import already_paid_findings
from ..check.validate import BATCH_ROWS, Checker, make_context, open_sheet, row_label
from ..domain.collector import collector_paused
from ..domain.errors import InputError, ParameterError
from ..domain.findings import SEVERITY_NAMES, Finding
from ..domain.money import format_amount
from ..domain.privacy import redact
from ..io.resources import SearchPath
from ..loading.programfiles import ProgramFiles
from ..policy.conditions import Condition, rows_holding
from ..policy.dated import dated_names, since, value_on
from ..policy.params import LocalParams, load_params
from ..policy.programs import SHEET_KIND_NAMES, Program, RuleSpec
from ..rules import CellProblem, Kind, RowView, Rule

Outcome = Literal["passed", "failed", "not-applicable", "skipped"]

OUTCOME_NAMES: dict[str, str] = {
    "passed": "通过",
    "failed": "未通过",
    "not-applicable": "不适用",
    "skipped": "未检查",
}
STATUS_NAMES = {"paid": "发放", "pending": "待定", "refused": "不予发放"}
PAYEE_NAMES = {"trainee": "学员本人", "institution": "培训机构", "unit": "单位"}


@dataclass
class RuleStep:
    """One rule applied to the row."""

    spec: RuleSpec
    citation: str
    outcome: Outcome
    inputs: dict[str, str] = field(default_factory=dict)  # column -> masked cell text
    bounds: dict[str, str] = field(default_factory=dict)  # parameter -> value as written
    findings: list[Finding] = field(default_factory=list)
    note: str = ""  # why skipped or not applicable

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.spec.id,
            "summary": self.spec.summary,
            "citation": self.citation,
            "reading": self.spec.reading,
            "severity": self.spec.severity,
            "inputs": self.inputs,
            "bounds": self.bounds,
            "outcome": self.outcome,
            "note": self.note,
            "findings": [f.to_json() for f in self.findings],
        }


@dataclass
class MoneyStep:
    """One step of the amount: what, its value, and where the value came from."""

    step: str
    value: str
    source: str

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "value": self.value, "source": self.source}


@dataclass
class LineOutcome:
    """One line the row pays (one per tranche on a designation sheet) and its ledger entry."""

    tranche: int | None
    status: str
    amount: str
    payee_kind: str
    payee: str
    basis: str
    reasons: list[Finding]
    ledger: str

    def to_json(self) -> dict[str, Any]:
        return {
            "tranche": self.tranche,
            "status": self.status,
            "amount": self.amount,
            "payee_kind": self.payee_kind,
            "payee": self.payee,
            "basis": self.basis,
            "reasons": [f.to_json() for f in self.reasons],
            "ledger": self.ledger,
        }


@dataclass
class Explanation:
    program: Program
    file: str
    sheet: str
    kind: str
    row: int
    label: str
    reference: str
    rules: list[RuleStep] = field(default_factory=list)
    money_method: str = ""
    money_citation: str = ""
    money_steps: list[MoneyStep] = field(default_factory=list)
    lines: list[LineOutcome] = field(default_factory=list)
    money_note: str = ""  # why nothing was computed
    ledger_note: str = ""  # when the ledger was not read

    def to_json(self) -> dict[str, Any]:
        return {
            "program": self.program.id,
            "file": self.file,
            "sheet": self.sheet,
            "kind": self.kind,
            "row": self.row,
            "label": self.label,
            "reference": self.reference,
            "rules": [step.to_json() for step in self.rules],
            "money": {
                "method": self.money_method,
                "citation": self.money_citation,
                "steps": [step.to_json() for step in self.money_steps],
                "lines": [line.to_json() for line in self.lines],
                "note": self.money_note,
            },
            "ledger_note": self.ledger_note,
        }

    def text_lines(self) -> list[str]:
        """The explanation as the clerk reads it, one step a line."""
        out = [
            f"{self.program.title}（{self.program.document}）  {self.file}  "
            f"工作表「{self.sheet}」第{self.row}行（{SHEET_KIND_NAMES[self.kind]}）：{self.label}",
            f"参照日：{self.reference}",
            "",
            "一、规则（按项目文件中的顺序）",
        ]
        for number, step in enumerate(self.rules, 1):
            severity = SEVERITY_NAMES[step.spec.severity]
            out.append(
                f"{number}. [{OUTCOME_NAMES[step.outcome]}] {step.spec.id}（{severity}）"
                f"  {step.spec.summary}  【{step.citation}】"
            )
            if step.inputs:
                shown = "；".join(f"{k}：{v or '（空）'}" for k, v in step.inputs.items())
                out.append(f"   输入  {shown}")
            out.extend(_bound_lines(step))
            if step.spec.reading:
                out.append(f"   解读  {step.spec.reading}")
            if step.note:
                out.append(f"   说明  {step.note}")
            for finding in step.findings:
                where = f"「{finding.column}」列 " if finding.column else ""
                out.append(
                    f"   结果  {SEVERITY_NAMES[finding.severity]}：{where}{finding.message}"
                    f"【{finding.citation}】"
                )
        out += ["", "二、补贴"]
        if self.money_note:
            out.append(f"   {self.money_note}")
        else:
            out.append(f"   计发方式  {self.money_method}【{self.money_citation}】")
            for money in self.money_steps:
                out.append(f"   {money.step}  {money.value}（{money.source}）")
            for line in self.lines:
                tranche = f"第{line.tranche}笔 " if line.tranche else ""
                out.append(
                    f"   {tranche}{STATUS_NAMES[line.status]} {line.amount} 元，"
                    f"收款方 {PAYEE_NAMES.get(line.payee_kind, line.payee_kind)} {line.payee}"
                    + (f"；计算：{line.basis}" if line.basis else "")
                )
                for reason in line.reasons:
                    out.append(f"      理由  {reason.rule}：{reason.message}【{reason.citation}】")
        out += ["", "三、台账"]
        if self.ledger_note:
            out.append(f"   {self.ledger_note}")
        for line in self.lines:
            tranche = f"第{line.tranche}笔：" if line.tranche else ""
            out.append(f"   {tranche}{line.ledger}")
        return [redact(line) for line in out]


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{k} {_shown(v)}" for k, v in value.items())
    return str(value)


_PART_MARKS = "①②③④⑤⑥⑦⑧⑨⑩"


def _bound_lines(step: RuleStep) -> list[str]:
    """The rule's parameters under 标准: the plain ones on one line; a list of tables (an
    all-of rule's checks, a tenure rule's paths) a numbered line per table, so that each
    part reads on its own."""
    if not step.bounds:
        return []
    dated = dated_names(step.spec.params)
    plain: list[str] = []
    parts: list[tuple[str, list[Any]]] = []
    for key, shown in step.bounds.items():
        written = step.spec.params.get(key)
        if (
            key not in dated
            and isinstance(written, list)
            and len(written) > 1
            and all(isinstance(part, dict) for part in written)
        ):
            parts.append((key, written))
        else:
            plain.append(f"{key} = {shown}")
    out = ["   标准  " + "；".join(plain)] if plain else []
    for number, (key, written) in enumerate(parts):
        lead = "   标准  " if number == 0 and not plain else "         "
        out.append(f"{lead}{key}：")
        for index, part in enumerate(written):
            mark = _PART_MARKS[index] if index < len(_PART_MARKS) else f"({index + 1})"
            out.append(f"           {mark} {_shown(part)}")
    return out


def _bounds(spec: RuleSpec, view: RowView) -> dict[str, str]:
    """The rule's parameters as written; one written by dates as the value in force on the
    row's reference date with the date it took effect."""
    if not dated_names(spec.params):
        return {key: _shown(value) for key, value in spec.params.items()}
    try:
        day = view.reference_date()
    except CellProblem:
        day = view.context.as_of or view.context.program.reference_date
    out = {}
    for key, written in spec.params.items():
        value, start = value_on(written, day)
        out[key] = _shown(value) + since(start)
    return out


def _columns(rule: Rule, spec: RuleSpec) -> tuple[str, ...]:
    """The columns the rule reads: its declared inputs and any column its params name."""
    if isinstance(rule, Kind):
        columns = [*rule.columns(), *rule.condition_columns()]
    else:
        columns = [*rule.inputs(), *rule.presence()] if rule.pure else list(rule.needs())
    for value in spec.params.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and rule.context.layout.has(item):
                columns.append(item)
    return tuple(dict.fromkeys(columns))


def _rule_step(
    spec: RuleSpec,
    rule: Rule | None,
    skipped: str | None,
    view: RowView,
    findings: list[Finding],
    program: Program,
) -> RuleStep:
    step = RuleStep(
        spec=spec,
        citation=program.citation(spec.clause),
        outcome="passed",
        bounds=_bounds(spec, view),
    )
    if skipped is not None or rule is None:
        step.outcome, step.note = "skipped", f"{skipped}，未检查（不是通过）"
        return step
    columns = [c for c in _columns(rule, spec) if view.has(c)]
    step.inputs = {column: redact(view.text(column)) for column in columns}
    step.findings = [f for f in findings if f.rule == spec.id]
    when = spec.condition
    if step.findings:
        step.outcome = "failed"
    elif when is not None and not _applies(rule, when, view):
        step.outcome = "not-applicable"
        named = "、".join(f"「{c}」" for c in when.targets)
        step.note = f"本行{named}不满足适用条件（{_shown(when.as_dict())}），本规则对该行不适用"
    elif columns and all(view.blank(c) for c in columns):
        step.outcome, step.note = "not-applicable", "相关单元格均为空，本规则对该行无要求"
    return step


def _applies(rule: Rule, when: Condition, view: RowView) -> bool:
    """Whether the row meets the rule's ``applies_when`` (the evaluator the rules use)."""
    catalog_of = rule.condition_catalog if isinstance(rule, Kind) else None
    return bool(rows_holding(when, lambda c: [view.raw(c)], [0], catalog_of))


def _value_source(name: str, program: Program, params: LocalParams) -> str:
    base = name.split(".", 1)[0]
    for amount in program.amounts:
        if amount.name == name:
            return f"文件规定的金额 {name}：{amount.description}，{program.citation(amount.clause)}"
    declared = program.local_parameter(base)
    if declared is not None:
        where = (
            f"本地参数文件 {params.source}"
            if params.source and base in params.values
            else "本地参数默认值"
        )
        return f"本地参数 {name}（{declared.description}），{where}，{program.citation(declared.clause)}"
    return "项目文件"


@collector_paused()  # the sheet's duplicate tables live until the end, as in validate
def explain_row(
    path: Path,
    program: Program,
    row: int,
    *,
    kind: str | None = None,
    as_of: date | None = None,
    params_file: Path | None = None,
    search: SearchPath | None = None,
    ledger: Any = None,
    shown_name: str | None = None,
) -> Explanation:
    """How ``validate`` and ``subsidy`` decide worksheet row ``row`` of ``path``, step by step."""
    search = search or SearchPath("catalogs")
    params = load_params(params_file, program, ProgramFiles(search, program))
    reader = open_sheet(path, program, kind)
    layout = reader.layout
    context = make_context(
        program, layout, params=params, search=search, as_of=as_of, ledger=ledger
    )
    checker = Checker(context)
    target: RowView | None = None
    findings: list[Finding] = []
    last = layout.header_row
    # every row is checked (the rules across rows need them all), a batch of columns at a
    # time as validate does; a view is made for the one row explained
    for rows in reader.batches(BATCH_ROWS):
        checked = checker.check_batch(rows)
        numbers = rows.numbers
        if not numbers:
            continue
        last = numbers[-1]
        if target is None and numbers[0] <= row <= last:
            index = bisect_left(numbers, row)
            if numbers[index] == row:
                target = checked.view(index)
                findings = list(checked.findings.get(index, ()))
    if target is None:
        raise InputError(
            f"第{row}行不是数据行；数据在第{layout.header_row + 1}行到第{last}行之间",
            file=shown_name or path,
            sheet=layout.sheet,
        )
    findings = [*findings, *(f for f in checker.finish() if f.row == row)]
    if ledger is not None:
        findings.extend(already_paid_findings(program, target, ledger))
    explanation = Explanation(
        program=program,
        file=shown_name or str(path),
        sheet=layout.sheet,
        kind=layout.kind,
        row=row,
        label=row_label(target),
        reference=target.reference_phrase(),
    )
    running = {id(rule.spec): rule for rule in checker.rules}
    skipped = {id(spec): reason for spec, reason in checker.skipped}
    for spec in program.rules_for(layout.kind):
        explanation.rules.append(
            _rule_step(
                spec, running.get(id(spec)), skipped.get(id(spec)), target, findings, program
            )
        )
    _explain_money(explanation, path, program, row, kind, as_of, params, search, ledger)
    return explanation


def _explain_money(
    explanation: Explanation,
    path: Path,
    program: Program,
    row: int,
    kind: str | None,
    as_of: date | None,
    params: LocalParams,
    search: SearchPath,
    ledger: Any,
) -> None:
    from ..compute.subsidy import compute_subsidy

    spec = program.subsidy_for(explanation.kind)
    if spec is None:
        explanation.money_note = f"{SHEET_KIND_NAMES[explanation.kind]}不涉及补贴发放"
        explanation.ledger_note = "不涉及台账"
        return
    explanation.money_method = spec.summary
    explanation.money_citation = program.citation(spec.clause)
    try:
        payout = compute_subsidy(
            path,
            program,
            kind=kind,
            as_of=as_of,
            params_file=params.source,
            search=search,
            ledger=ledger,
        )
    except (ParameterError, InputError) as error:  # a parameter unset, a column it needs absent
        explanation.money_note = f"未能计算补贴：{error.message}"
        explanation.ledger_note = "未计算补贴，未查台账"
        return
    lines = [line for line in payout.lines if line.row == row]
    basis = " ".join(line.basis for line in lines)
    if spec.reading:
        explanation.money_steps.append(MoneyStep("解读", spec.reading, "项目文件"))
    for name, value in payout.params_used.items():
        key = name.split(".", 1)[1] if "." in name else None
        if key is not None and key not in basis:
            continue  # a rate for another level or training type
        source = _value_source(name, program, params)
        explanation.money_steps.append(MoneyStep(f"采用 {name}", f"{value} 元", source))
    explanation.money_steps.append(
        MoneyStep("舍入", "金额以元为单位，四舍五入到分", "skillpolicy 计算规则")
    )
    paid = ledger.paid([line.key for line in lines]) if ledger is not None else {}
    for line in lines:
        entry = paid.get(line.key)
        if ledger is None:
            said = "未指定台账（--ledger），未查询"
        elif entry is None:
            said = "台账中没有这一笔（尚未发放）"
        else:
            said = (
                f"台账记载：已于 {entry.created_at} 由运行 {entry.run_id}"
                f"（{entry.file_name}）发放 {format_amount(entry.amount)} 元"
            )
        explanation.lines.append(
            LineOutcome(
                tranche=line.tranche,
                status=line.status,
                amount=format_amount(line.amount),
                payee_kind=line.payee_kind,
                payee=line.payee,
                basis=line.basis,
                reasons=list(line.reasons),
                ledger=said,
            )
        )
