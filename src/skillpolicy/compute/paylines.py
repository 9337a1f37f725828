"""A subsidy run's lines and its result: :class:`PayLine` (one person's or unit's line, or
one tranche of it), :class:`Payout` (every line, the totals, what it was computed from), and
how a row's cells fill a line (its key, occupation, level, target, year and the facts the
monthly report reads)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, Literal

from ..check.paykeys import YEAR_OF_START, key_part, line_key, subject_of
from ..check.validate import Report
from ..domain.errors import InputError
from ..domain.findings import ALREADY_PAID, Finding
from ..domain.identifiers import mask_id
from ..domain.jsontext import masked_json, masked_string
from ..domain.money import amount_in_words, format_amount
from ..io.sheet import Layout
from ..ledger import AWARD_TARGET, NO_FACTS, LedgerLine, LineFacts
from ..policy.paymodel import PayeeKind
from ..policy.programs import Program, SubsidySpec
from ..rules import CellProblem, RowView
from .bycell import ByCells, Reader
from .payee import PAYEE_KIND_NAMES, UNNAMED_INSTITUTION
from .paymethod import ZERO

Status = Literal["paid", "pending", "refused"]
_LEDGER_INTEGER_LIMIT = 1 << 63  # a ledger INTEGER column (SQLite, PostgreSQL BIGINT) holds less


_AMOUNT_TEXTS: dict[Decimal, str] = {}
_AMOUNT_TEXTS_KEPT = 4096


def amount_text(amount: Decimal) -> str:
    """:func:`format_amount`, made once per distinct amount: equal amounts (``1900`` and
    ``1900.000``, ``0`` and ``-0``) round to the same fen and print alike."""
    try:
        return _AMOUNT_TEXTS[amount]
    except KeyError:
        pass
    except TypeError:  # a signalling NaN cannot be hashed: format_amount says what it is
        return format_amount(amount)
    text = format_amount(amount)
    if len(_AMOUNT_TEXTS) >= _AMOUNT_TEXTS_KEPT:
        _AMOUNT_TEXTS.clear()
    _AMOUNT_TEXTS[amount] = text
    return text


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
            "amount": amount_text(self.amount),
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


def ledger_lines(lines: Iterable[PayLine], program: str) -> list[LedgerLine]:
    """Each of ``lines`` as :meth:`PayLine.ledger_line` makes it, for a commit's 100,000:
    one call a line (``LedgerLine._make``) where ``LedgerLine(…)`` makes two, 0.08 s instead
    of 0.11 s for 91,035 lines (thread CPU)."""
    make = LedgerLine._make
    return [
        make((line.key, program, line.subject, line.name, line.occupation, line.level,
              line.tranche, line.target, line.year, line.amount, line.payee, line.row,
              line.facts))
        for line in lines
    ]  # fmt: skip


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

    def json_text(self) -> str:
        """``masked_json(self.to_json())`` (what ``--format json`` prints, every string
        masked) made without the objects of 100,000 lines: a line without reasons is written
        straight from its fields, the same text character for character."""
        lines = self.lines
        if not lines:
            return masked_json(self.to_json())
        head = masked_json({**self.to_json(with_lines=False), "lines": []})
        assert head.endswith("[]\n}")
        texts = [_line_text(line) for line in lines]
        return head[:-4] + "[\n    " + ",\n    ".join(texts) + "\n  ]\n}"

    def to_json(self, *, with_lines: bool = True) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "program": self.program.id,
            "currency": "CNY",
            "total": format_amount(self.total),
            "total_in_words": amount_in_words(self.total),
            "paid": self.count("paid"),
            "pending": self.count("pending"),
            "refused": self.count("refused"),
        }
        if with_lines:
            payload["lines"] = [line.to_json() for line in self.lines]
        return payload


_SHOWN_STRINGS: dict[str, str] = {}  # status and amount texts, masked and encoded


def _shown(text: str) -> str:
    found = _SHOWN_STRINGS.get(text)
    if found is None:
        if len(_SHOWN_STRINGS) >= _AMOUNT_TEXTS_KEPT:
            _SHOWN_STRINGS.clear()
        found = _SHOWN_STRINGS[text] = masked_string(text)
    return found


def _line_text(line: PayLine) -> str:
    """``masked_json(line.to_json(), level=2)``: a line without reasons written from its
    fields, one with reasons through the writer."""
    if line.reasons:
        return masked_json(line.to_json(), 2)
    row = "null" if line.row is None else int.__repr__(line.row)
    tranche = "" if line.tranche is None else f',\n      "tranche": {int.__repr__(line.tranche)}'
    return (
        f'{{\n      "row": {row},\n      "name": {masked_string(line.name)},'
        f'\n      "id": {masked_string(line.shown_id)},\n      "status": {_shown(line.status)},'
        f'\n      "amount": {_shown(amount_text(line.amount))},\n      "reasons": []{tranche},'
        f'\n      "payee": {masked_string(line.payee)}\n    }}'
    )


def make_line(
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
        year=start_year(view),
        facts=line_facts(view, program, target),
    )


_SUBJECT_COLUMNS = ("身份证号", "统一社会信用代码")  # the key part is subject_of's


class LineMaker:
    """:func:`make_line` for the rows of one sheet: each part of a line that one cell decides
    (a key part, the occupation, level and target, the start year, each of the facts) is
    computed once per distinct value of that cell, and once per row for all its tranches."""

    def __init__(self, program: Program, layout: Layout) -> None:
        self.program = program
        self.layout = layout
        spec = program.subsidy_for(layout.kind)
        assert spec is not None, "LineMaker on a sheet kind that pays nothing"
        # the subject (identity number or credit code) is nearly every row's own: made once
        # a row by the caller, and the key part of those columns (a broken one would have
        # stopped the subject already)
        self.subject: Callable[[RowView], str] = subject_of
        self.key_columns = spec.key
        self.key_count = sum(1 for column in spec.key if column not in _SUBJECT_COLUMNS)
        target = self._part_or_blank("培训类别")
        if layout.kind == "award" and layout.has("奖项"):
            target = ("奖项", lambda view: AWARD_TARGET + key_part(view, "奖项"))
        outcome = _outcome_column(program, layout.kind)
        texts: list[Reader] = [
            (column, partial(_fact_text, column=column))
            for column in ("培训类型", "人员类别", "培训机构", "所在地")
        ]
        self.read = ByCells(
            [
                *(self._key_part(c) for c in spec.key if c not in _SUBJECT_COLUMNS),
                self._part_or_blank("职业(工种)"),
                self._part_or_blank("申报等级"),
                target,
                ("开班日期", start_year),
                ("结业日期", _fact_month),
                *texts,
                (outcome, partial(_fact_outcome, column=outcome)),
                ("到课率", _fact_attendance),
                ("抽查次数", _fact_inspections),
                ("开班日期", partial(_fact_day, column="开班日期")),
                ("所在企业", partial(_fact_text, column="所在企业")),
            ]
        )
        self.departments: dict[str, str] = {}
        self._row: RowView | None = None
        self._parts: tuple[str, str, str, str, int | None, LineFacts] = (
            "", "", "", "", None, NO_FACTS
        )  # fmt: skip

    def _key_part(self, column: str) -> Reader:
        compute = partial(key_part, column=column)
        if column == YEAR_OF_START:
            return "开班日期", compute
        return column, compute

    def _part_or_blank(self, column: str) -> Reader:
        if not self.layout.has(column):
            return None, lambda view: ""
        return column, partial(key_part, column=column)

    def _parts_of(
        self, view: RowView, subject: str
    ) -> tuple[str, str, str, str, int | None, LineFacts]:
        values = self.read(view)
        count = self.key_count
        parts = iter(values[:count])
        key = "|".join(
            [
                self.program.id,
                *(subject if c in _SUBJECT_COLUMNS else next(parts) for c in self.key_columns),
            ]
        )
        (
            occupation, level, target, year, month, training_type, category, institution,
            locality, outcome, attendance, checks, start, enterprise,
        ) = values[count:]  # fmt: skip
        department = self.departments.get(target)
        if department is None:
            department = self.departments[target] = _department(self.program, target)
        facts = LineFacts(
            month, department, training_type, category, institution, locality, outcome,
            attendance, checks, start, enterprise,
        )  # fmt: skip
        return key, occupation, level, target, year, facts

    def line(
        self,
        view: RowView,
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
        """:func:`make_line` of the row (the row's parts made once for all its lines)."""
        if view is not self._row:
            self._parts = self._parts_of(view, subject)
            self._row = view
        key, occupation, level, target, year, facts = self._parts
        return PayLine(
            view.number, name, subject, status, amount, payee_kind, payee,
            key if tranche is None else f"{key}|第{tranche}笔", basis, reasons, tranche,
            occupation, level, target, year, facts,
        )  # fmt: skip


def start_year(view: RowView) -> int | None:
    """The year of 开班日期 (Fujian's no-repeat rule reads it); none when the cell is
    unreadable, whose text (an identity number, say) need not fit the ledger's INTEGER."""
    try:
        start = view.date("开班日期") if view.has("开班日期") else None
    except CellProblem:
        return None
    return start.year if start else None


def _fact_text(view: RowView, column: str) -> str:
    """A descriptive cell's text for the ledger; a broken cell is simply left blank."""
    try:
        return view.text(column) if view.has(column) else ""
    except CellProblem:
        return ""


def _fact_day(view: RowView, column: str) -> str:
    """A date cell in ISO form for the ledger, blank when absent, blank or unreadable."""
    try:
        found = view.date(column) if view.has(column) and not view.blank(column) else None
    except CellProblem:
        found = None
    return found.isoformat() if found else ""


def _fact_month(view: RowView) -> str:
    return _fact_day(view, "结业日期")[:7]


def _fact_attendance(view: RowView) -> str:
    try:
        ratio = view.ratio("到课率") if view.has("到课率") and not view.blank("到课率") else None
    except CellProblem:
        ratio = None
    return "" if ratio is None else str(ratio)


def _fact_inspections(view: RowView) -> int | None:
    try:
        checks = view.int("抽查次数") if view.has("抽查次数") else None
    except CellProblem:
        checks = None
    if checks is not None and checks >= _LEDGER_INTEGER_LIMIT:
        checks = None  # no count of inspections: a number typed in the wrong column
    return checks


def _fact_outcome(view: RowView, column: str) -> str:
    outcome = _fact_text(view, column)
    return outcome if outcome in ("合格", "不合格") else ""


def _outcome_column(program: Program, kind: str) -> str:
    spec = program.subsidy_for(kind)
    return spec.outcome if spec is not None and spec.outcome else "鉴定结果"


def _department(program: Program, target: str) -> str:
    """The department owning a line's target (Xuchang's 13 categories), "" for none."""
    if not target:
        return ""
    bare = target.strip('“”"「」')
    return next(
        (t.department or "" for t in program.targets if t.name.strip('“”"「」') == bare), ""
    )


def line_facts(view: RowView, program: Program, target: str) -> LineFacts:
    """The row's descriptive cells for the ledger; a broken cell is simply left blank."""
    return LineFacts(
        month=_fact_month(view),
        department=_department(program, target),
        training_type=_fact_text(view, "培训类型"),
        person_category=_fact_text(view, "人员类别"),
        institution=_fact_text(view, "培训机构"),
        locality=_fact_text(view, "所在地"),
        outcome=_fact_outcome(view, _outcome_column(program, view.context.layout.kind)),
        attendance=_fact_attendance(view),
        inspections=_fact_inspections(view),
        class_start=_fact_day(view, "开班日期"),
        enterprise=_fact_text(view, "所在企业"),
    )


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
