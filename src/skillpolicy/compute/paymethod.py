"""One generic money method: a program's ``[[subsidies]]`` entry evaluated on a row.

The amount is the sum of the entry's parts (a fixed amount, a local parameter, either picked
by a cell's value), times its factor when the factor's condition holds, rounded as the entry
says; with tranches, each tranche is a fixed amount or a share of that sum. Refusals and
pending notes are conditions on the row's cells. Nothing here knows a program: the numbers,
conditions, messages and clauses all come from the program file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..domain.findings import Finding
from ..domain.money import format_amount
from ..domain.values import ValueProblem, fold, is_blank, parse_yes_no
from ..io.resources import SearchPath
from ..policy.conditions import Condition, holds
from ..policy.dated import since
from ..policy.params import LocalParams
from ..policy.paymodel import AmountPart, PayeeKind, PayeeOption, Pending, Refusal
from ..policy.programs import Amount, Program, SubsidySpec
from ..rules import CellProblem, RowView
from .bycell import ANSWERS_KEPT, cells_key
from .payee import payee_options, payee_text

if TYPE_CHECKING:
    from ..policy.catalog import Catalog

__all__ = ["ZERO", "Claim", "Method"]

ZERO = Decimal("0.00")


@dataclass
class Claim:
    """What a row asks to be paid before the ledger has its say."""

    amount: Decimal
    payee_kind: PayeeKind
    payee: str
    basis: str
    tranche: int | None = None
    pending: Finding | None = None
    refusal: Finding | None = None


@dataclass
class _Part:
    """A part with the values it reads, fetched once per run."""

    spec: AmountPart
    fixed: Amount | None = None  # a [[amounts]] entry, or a dated money parameter
    value: Decimal | None = None  # an undated money parameter
    table: dict[str, Amount | Decimal] | None = None  # by a cell's value
    keys: tuple[str, ...] = ()  # the keys a money-by-key parameter declares


def _reads_yes(raw: object) -> bool:
    """Whether a cell is blank or a readable 是/否."""
    if is_blank(raw):
        return True
    try:
        parse_yes_no(raw)
    except ValueProblem:
        return False
    return True


class Method:
    """A ``[[subsidies]]`` entry made ready for a run: every number it reads is fetched here,
    so an unset local parameter stops the run before the first row."""

    def __init__(
        self, program: Program, spec: SubsidySpec, params: LocalParams, search: SearchPath
    ) -> None:
        self.program = program
        self.spec = spec
        self.params = params
        self.search = search
        self.citation = program.citation(spec.clause)
        self.used: dict[str, str] = {}
        self.catalogs: dict[str, Catalog] = {}
        self.parts = [self._part(part) for part in spec.amount_parts]
        self.factor: Decimal | None = None  # an undated factor
        self.factor_values: list[tuple[date, Decimal]] = []  # or factors by date in force
        self._factor_at: dict[date, tuple[Decimal, date | None]] = {}
        if spec.factor is not None:
            if spec.factor.parameter is not None:
                name = spec.factor.parameter
                dated = params.dated_decimal(name)
                if dated is None:
                    self.factor = params.decimal(name)
                    self.used[name] = str(self.factor)
                else:
                    self.factor_values = dated
                    self.used[name] = "；".join(f"{d.isoformat()}起 {v}" for d, v in dated)
            else:
                rate = program.rate(str(spec.factor.rate))
                if rate.values:
                    self.factor_values = [(v.start, v.value) for v in rate.values]
                    self.used[rate.name] = rate.shown()
                else:
                    self.factor = rate.value
        for condition in (leaf for when in spec.conditions() for leaf in when.leaves()):
            if condition.in_catalog is not None and condition.in_catalog not in self.catalogs:
                from ..policy.catalog import load_catalog

                catalog_id = params.text(condition.in_catalog)
                self.catalogs[condition.in_catalog] = load_catalog(catalog_id, search)
                self.used[condition.in_catalog] = catalog_id
        self.tranche_amounts = [
            self._fixed(t.amount) if t.amount is not None else None for t in spec.tranches
        ]
        self.payees = payee_options(spec.payee)
        self.pending_values = {fold(v) for v in spec.pending_values}
        # what a row's amount reads: its parts' columns, the reference date's column where
        # a value is dated, the factor's condition; the amount is kept per distinct cells
        by_date = bool(self.factor_values) or any(
            (part.fixed is not None and bool(part.fixed.values))
            or any(not isinstance(v, Decimal) and v.values for v in (part.table or {}).values())
            for part in self.parts
        )
        columns = [str(part.spec.column) for part in self.parts if part.table is not None]
        if by_date and program.reference_column:
            columns.append(program.reference_column)
        if spec.factor is not None and spec.factor.when is not None:
            columns.extend(spec.factor.when.targets)
        self.amount_columns = tuple(dict.fromkeys(columns))
        self._amounts: dict[tuple[Any, ...], tuple[Decimal, str] | Finding] = {}
        # each condition's verdicts per distinct value of the cells it reads
        self._verdicts: dict[int, tuple[tuple[str, ...], dict[tuple[Any, ...], bool]]] = {}
        self._payees: dict[int, dict[tuple[Any, ...], tuple[PayeeKind, str]]] = {}

    # --- reading the program file and the parameters --------------------------------------

    def _fixed(self, name: str) -> Amount:
        amount = self.program.amount(name)
        self.used[name] = amount.shown()
        return amount

    def _part(self, spec: AmountPart) -> _Part:
        if spec.amount is not None:
            return _Part(spec, fixed=self._fixed(spec.amount))
        if spec.by:
            return _Part(spec, table={fold(k): self._fixed(v) for k, v in spec.by.items()})
        name = str(spec.parameter)
        if spec.column:
            table = self.params.money_by_key(name)
            self.used.update(
                {
                    f"{name}.{k}": format_amount(v) if isinstance(v, Decimal) else v.shown()
                    for k, v in table.items()
                }
            )
            declared = self.program.local_parameter(name)
            keys = tuple(declared.keys) if declared is not None else ()
            return _Part(spec, table=dict(table), keys=keys)
        dated = self.params.dated(name)
        if dated is not None:
            self.used[name] = dated.shown()
            return _Part(spec, fixed=dated)
        value = self.params.money(name)
        self.used[name] = format_amount(value)
        return _Part(spec, value=value)

    # --- conditions and findings ------------------------------------------------------------

    def holds(self, condition: Condition, view: RowView) -> bool:
        """Whether ``condition`` holds on ``view``'s row (for every column it names), judged
        once per distinct value of those cells."""
        entry = self._verdicts.get(id(condition))
        if entry is None:
            entry = self._verdicts[id(condition)] = (tuple(condition.targets), {})
        columns, verdicts = entry
        key = cells_key(view.row.cells, columns)
        if key is None:
            return self.holds_on_row(condition, view)
        found = verdicts.get(key)
        if found is None:
            found = self.holds_on_row(condition, view)  # a cell it cannot read: not kept
            if len(verdicts) >= ANSWERS_KEPT:
                verdicts.clear()
            verdicts[key] = found
        return found

    def holds_on_row(self, condition: Condition, view: RowView) -> bool:
        """:meth:`holds`, judged on the row itself."""
        try:
            return holds(condition, view.raw, self.catalogs.__getitem__)
        except ValueProblem as problem:
            column = next(c for c in condition.targets if not _reads_yes(view.raw(c)))
            raise CellProblem(column, f"{column}{problem.message}") from None

    def reason(self, rule: str, message: str, clause: str | None = None) -> Finding:
        citation = self.program.citation(clause) if clause else self.citation
        return Finding(
            row=None, column=None, rule=rule, severity="error", message=message, citation=citation
        )

    def refusal(self, refusals: list[Refusal], view: RowView) -> Finding | None:
        for refusal in refusals:
            if self.holds(refusal.when, view):
                return self.reason(refusal.rule, refusal.message, refusal.clause)
        return None

    def pending(self, notes: list[Pending], view: RowView) -> Finding | None:
        for note in notes:
            if self.holds(note.when, view):
                return Finding(
                    row=view.number,
                    column=note.when.targets[0],
                    rule=note.rule,
                    severity="review",
                    message=note.message,
                    citation=self.citation,
                )
        return None

    def outcome_pending(self, view: RowView) -> Finding | None:
        """The line waits while the outcome column (鉴定结果) is blank or a pending value."""
        column = self.spec.outcome
        if column is None:
            return None
        value = view.text(column)
        if not value or value in self.pending_values:
            return Finding(
                row=view.number,
                column=column,
                rule=self.spec.outcome_rule or column,
                severity="review",
                message=f"{column}未出，待有结果后再核发",
                citation=self.citation,
            )
        return None

    def on_row(self, amount: Amount, view: RowView) -> tuple[Decimal, str] | Finding:
        """The sum in force on the row's reference date, with "（自 … 起施行）" when it is a
        dated value; a refusal when none is in force yet."""
        if not amount.values:
            assert amount.amount is not None  # the model requires amount or values
            return amount.amount, ""
        found = amount.in_force(view.reference_date())
        if found is None:
            return self.reason(
                "subsidy",
                f"{view.reference_phrase()}时「{amount.description}」尚未施行"
                f"（自 {amount.values[0].start.isoformat()} 起施行）",
                amount.clause,
            )
        value, start = found
        return value, since(start)

    # --- the row ----------------------------------------------------------------------------

    def payee(self, view: RowView) -> tuple[PayeeKind, str]:
        """The first payee option whose condition holds (the last one otherwise)."""
        for option in self.payees:
            if option.when is None or self.holds(option.when, view):
                return self._payee_text(option, view)
        return self._payee_text(self.payees[-1], view)

    def _payee_text(self, option: PayeeOption, view: RowView) -> tuple[PayeeKind, str]:
        """:func:`payee_text`, once per option and distinct value of its column."""
        if option.column is None:
            return payee_text(option, view)
        key = cells_key(view.row.cells, (option.column,))
        if key is None:
            return payee_text(option, view)
        answers = self._payees.get(id(option))
        if answers is None:
            answers = self._payees[id(option)] = {}
        found = answers.get(key)
        if found is None:
            found = payee_text(option, view)
            if len(answers) >= ANSWERS_KEPT:
                answers.clear()
            answers[key] = found
        return found

    def default_payee(self, view: RowView) -> tuple[PayeeKind, str]:
        """Who a row a rule refuses is shown as payable to: the option without a condition
        (the last), since a condition would read cells the rules found wrong."""
        plain = [option for option in self.payees if option.when is None]
        return self._payee_text((plain or self.payees)[-1], view)

    def _part_value(self, part: _Part, view: RowView) -> tuple[Decimal, str] | Finding:
        spec = part.spec
        source = f"本地参数 {spec.parameter}" if spec.parameter else ""
        if part.table is not None:
            column = str(spec.column)
            if spec.read == "level":
                level = view.level(column)
                key = level.title if level is not None else ""
            else:
                key = view.text(column)
            found = part.table.get(fold(key) if spec.by else key)
            if found is None:
                if key in part.keys:  # a key the parameter declares, not set by the bureau
                    raise self.params.key_not_set(str(spec.parameter), key)
                return self.reason(
                    spec.unknown_rule,
                    f"{column}为{key or '空'}，没有规定的{spec.label or '补贴'}标准",
                )
            named = f"{spec.label} {key}" if spec.label else key
            if isinstance(found, Decimal):
                return found, f"{named} {format_amount(found)}"
            dated = self.on_row(found, view)
            if isinstance(dated, Finding):
                return dated
            cite = self.program.citation(found.clause)
            return dated[0], f"{named} {format_amount(dated[0])}{dated[1]}（{cite}）"
        if part.value is not None:
            shown = f"{format_amount(part.value)}（{source}）"
            return part.value, f"{spec.label} {shown}" if spec.label else shown
        assert part.fixed is not None
        dated = self.on_row(part.fixed, view)
        if isinstance(dated, Finding):
            return dated
        cite = source or self.program.citation(part.fixed.clause)
        shown = f"{format_amount(dated[0])}{dated[1]}（{cite}）"
        return dated[0], f"{spec.label} {shown}" if spec.label else shown

    def amount(self, view: RowView) -> tuple[Decimal, str] | Finding:
        """The parts' sum, times the factor when its condition holds, rounded; a refusal when
        a part has no value for the row. Computed once per distinct value of the cells it
        reads (:attr:`amount_columns`)."""
        key = cells_key(view.row.cells, self.amount_columns)
        if key is None:
            return self.amount_on_row(view)
        found = self._amounts.get(key)
        if found is None:
            found = self.amount_on_row(view)  # a cell it cannot read raises: not kept
            if len(self._amounts) >= ANSWERS_KEPT:
                self._amounts.clear()
            self._amounts[key] = found
        return found

    def amount_on_row(self, view: RowView) -> tuple[Decimal, str] | Finding:
        """:meth:`amount`, computed on the row itself."""
        total, shown = ZERO, []
        for part in self.parts:
            found = self._part_value(part, view)
            if isinstance(found, Finding):
                return found
            total += found[0]
            shown.append(found[1])
        basis = " + ".join(shown) + " 元"
        factor = self.spec.factor
        applies = factor is not None and (factor.when is None or self.holds(factor.when, view))
        if applies and factor is not None:
            # the row's reference date is read only when the factor is written by dates
            value, start = (
                (self.factor, None)
                if self.factor is not None
                else self.factor_on(view.reference_date())
            )
            total = self.spec.rounding.apply(total * value)
            basis += f" × {factor.label} {value}{since(start)}"
        return self.spec.rounding.apply(total), basis

    def factor_on(self, day: date) -> tuple[Decimal, date | None]:
        """The factor in force on ``day`` and the day it took effect (None: undated), looked
        up once per distinct reference date."""
        if self.factor is not None:
            return self.factor, None
        found = self._factor_at.get(day)
        if found is None:
            earlier = [(start, value) for start, value in self.factor_values if start <= day]
            start, value = earlier[-1] if earlier else self.factor_values[0]
            found = self._factor_at[day] = (value, start)
        return found

    def claims(self, view: RowView) -> list[Claim]:
        """The row's lines: one, or one per tranche."""
        payee_kind, payee = self.payee(view)
        refused = self.refusal(self.spec.refuse, view)
        count = len(self.spec.tranches) or 1
        numbers: list[int | None] = list(range(1, count + 1)) if self.spec.tranches else [None]
        if refused is not None:
            return [Claim(ZERO, payee_kind, payee, "", n, refusal=refused) for n in numbers]
        if not self.spec.tranches:
            found = self.amount(view)
            if isinstance(found, Finding):
                return [Claim(ZERO, payee_kind, payee, "", refusal=found)]
            pending = self.outcome_pending(view)
            return [Claim(found[0], payee_kind, payee, found[1], pending=pending)]
        whole: tuple[Decimal, str] | Finding | None = None
        claims = []
        for number, (tranche, fixed) in enumerate(
            zip(self.spec.tranches, self.tranche_amounts, strict=True), start=1
        ):
            value: tuple[Decimal, str] | Finding
            if fixed is not None:
                dated = self.on_row(fixed, view)
                value = dated if isinstance(dated, Finding) else (dated[0], fixed.description)
                if not isinstance(dated, Finding) and dated[1]:
                    value = (dated[0], fixed.description + dated[1])
            else:
                whole = self.amount(view) if whole is None else whole
                if isinstance(whole, Finding):
                    value = whole
                else:
                    day = view.reference_date() if isinstance(tranche.share, list) else None
                    share, start = tranche.share_on(day)
                    value = (
                        self.spec.rounding.apply(whole[0] * share),
                        f"{(share * 100).normalize():f}%{since(start)} ×（{whole[1]}）",
                    )
            if isinstance(value, Finding):
                claim = Claim(ZERO, payee_kind, payee, "", number, refusal=value)
            else:
                claim = Claim(value[0], payee_kind, payee, value[1], number)
            own = self.refusal(tranche.refuse, view)
            if own is not None:
                claim.refusal = own
            elif claim.refusal is None:
                claim.pending = self.pending(tranche.pending, view)
            claims.append(claim)
        return claims
