"""The machinery every rule shares: the registry, the per-run context and the row view."""

from __future__ import annotations

import copy
import datetime as dt
import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from itertools import compress, count
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from ..domain.findings import Finding, Severity
from ..domain.identifiers import (
    ResidentId,
    check_resident_id,
    plain_resident_ids_born,
)
from ..domain.values import (
    NUMERIC_TYPES,
    Level,
    ValueProblem,
    blank_cells,
    cell_text,
    is_blank,
    parse_date,
    parse_decimal,
    parse_int,
    parse_level,
    parse_ratio,
    parse_yes_no,
    per_distinct,
)
from ..io.sheet import Layout, Row
from ..policy.dated import dated_names, resolve_params

if TYPE_CHECKING:
    from ..policy.catalog import Catalog
    from ..policy.params import LocalParams
    from ..policy.programs import Program, RuleSpec

T = TypeVar("T")

_REGISTRY: dict[str, type[Rule]] = {}


def register(*rule_ids: str) -> Callable[[type[RuleT]], type[RuleT]]:
    def decorate(cls: type[RuleT]) -> type[RuleT]:
        for rule_id in rule_ids:
            if rule_id in _REGISTRY:
                raise RuntimeError(f"rule id registered twice: {rule_id}")
            _REGISTRY[rule_id] = cls
        return cls

    return decorate


def rule_class(rule_id: str) -> type[Rule]:
    return _REGISTRY[rule_id]


def registered_ids() -> frozenset[str]:
    return frozenset(_REGISTRY)


class CellProblem(Exception):
    """A cell a rule needs cannot be read; reported once per cell as a finding."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


# answers kept per run: about two batches' distinct values (a roster's every 身份证号 is
# distinct), so memory stays bounded however long the sheet; when full the memo starts afresh
_CACHE_LIMIT = 8_192
_MISSING = object()
# the cell types no value of another type equals: a cell of these is its own memo key
_OWN_KEY = frozenset([str, type(None), dt.date, dt.datetime, dt.time])


@dataclass(frozen=True)
class _Broken:
    message: str


def _unless_blank(parser: Callable[[object], T]) -> Callable[[object], T | None]:
    def read(raw: object) -> T | None:
        return None if is_blank(raw) else parser(raw)

    return read


_READ_DATE = _unless_blank(parse_date)
_READ_RATIO = _unless_blank(parse_ratio)
_READ_DECIMAL = _unless_blank(parse_decimal)
_READ_LEVEL = _unless_blank(parse_level)
_READ_YES_NO = _unless_blank(parse_yes_no)
_READ_INT: dict[int, Callable[[object], int | None]] = {}


_COLUMNS_KEPT = 256  # whole columns answered (a batch's few, each asked a few ways)
# a column's cell types and its distinct values, kept with the batch's answered columns
_TYPES = "#types"
_DISTINCT = "#distinct"


@dataclass(frozen=True)
class People:
    """A column of identity numbers checked (:meth:`Memo.people`): ``values`` holds each
    cell's number when it is valid (normalised, upper-case), else ""; ``checked``, by index,
    the whole check of each cell that is not a plain valid number (blank, invalid, or valid
    but written with full-width digits or spaces). A plain valid number has no object of its
    own: its birth date and sex are in its text. ``latest`` is the latest birth date of the
    valid numbers (None when there is none)."""

    values: list[str]
    checked: dict[int, ResidentId]
    latest: dt.date | None = None


class Memo:
    """Each distinct cell value judged once per run, whatever asks.

    A roster repeats its institution, occupation, dates and levels thousands of times, and
    several kinds read the same cell (the 身份证号 by ``valid``, ``duplicate``, the group keys,
    the row labels and the ledger keys), so an answer is kept by ``(how, type(raw), raw)``:
    ``how`` names the judgement (``"date"``, ``"person-id"``, ``"part:level"``…), the type keeps
    ``True`` apart from ``1`` and ``1`` from ``1.0``. At most ``limit`` answers are kept: when
    full the memo forgets them all and starts afresh (a value asked again is judged again, to
    the same answer), so a sheet of a million distinct identity numbers costs a bounded amount
    of memory. A value the judgement cannot read (:class:`ValueProblem`) is remembered too and
    raises the same problem each time it is asked."""

    def __init__(self, limit: int = _CACHE_LIMIT) -> None:
        self.limit = limit
        # per ``how``, the answers by cell: a text, blank or date cell is its own key (no
        # value of another type equals it), any other by (type, value)
        self._answers: dict[str, dict[Any, Any]] = {}
        self._held = 0
        self._forgotten = 0  # how many times the memo started afresh
        # the ``how``s with a remembered ValueProblem (judge() only): their columns go cell by cell
        self._broken: set[str] = set()
        # a batch's columns answered whole, by (how, id of the column's list)
        self._columns: dict[tuple[str, int], tuple[Sequence[Any], Any]] = {}

    def __len__(self) -> int:
        return self._held

    def _store(self, how: str) -> dict[Any, Any]:
        store = self._answers.get(how)
        if store is None:
            store = self._answers[how] = {}
        return store

    def _forget(self) -> None:
        for store in self._answers.values():
            store.clear()  # in place: a judged() closure holds its store
        self._held = 0
        self._forgotten += 1

    def judge(self, how: str, raw: Any, judgement: Callable[[Any], T]) -> T:
        """``judgement(raw)``, computed once per distinct ``raw`` for ``how``."""
        answers = self._store(how)
        cls = raw.__class__
        key = raw if cls in _OWN_KEY else (cls, raw)
        try:
            answer = answers.get(key, _MISSING)
        except TypeError:  # an unhashable value (from a library caller): judged each time
            return judgement(raw)
        if answer is _MISSING:
            try:
                answer = judgement(raw)
            except ValueProblem as problem:
                answer = _Broken(problem.message)
                self._broken.add(how)
            if self._held >= self.limit:
                self._forget()
            answers[key] = answer
            self._held += 1
        if answer.__class__ is _Broken:
            raise ValueProblem(answer.message)
        return answer  # type: ignore[no-any-return]

    def _made(self, how: str, cells: Sequence[Any]) -> Any:
        """What was made of this batch's column ``cells`` for ``how`` (``_MISSING`` if nothing)."""
        made = self._columns.get((how, id(cells)))
        if made is not None and made[0] is cells:
            return made[1]
        return _MISSING

    def _keep(self, how: str, cells: Sequence[Any], answer: Any) -> None:
        if len(self._columns) >= _COLUMNS_KEPT:
            self._columns.clear()
        self._columns[how, id(cells)] = (cells, answer)  # the list kept: its id not reused

    def types(self, cells: Sequence[Any]) -> frozenset[type]:
        """The types of a column's cells, found once a batch however many kinds ask (whether
        a column is all text, or mixes numeric types, decides how it is judged)."""
        made = self._made(_TYPES, cells)
        if made is _MISSING:
            made = frozenset(map(type, cells))
            self._keep(_TYPES, cells, made)
        return made  # type: ignore[no-any-return]

    def know_types(self, cells: Sequence[Any], types: frozenset[type]) -> None:
        """Tell the memo the types of a column's cells (the reader found them as it read the
        batch): :meth:`types` then answers without a pass over the cells."""
        self._keep(_TYPES, cells, types)

    def distinct(self, cells: Sequence[Any]) -> dict[Any, None] | None:
        """A column's distinct values in order of first appearance, found once a batch; None
        when a cell cannot be a dict key (an unhashable value from a library caller) or equal
        values of different types may be in it (True, 1 and 1.0 are one key)."""
        made = self._made(_DISTINCT, cells)
        if made is _MISSING:
            made = None
            if len(NUMERIC_TYPES.intersection(self.types(cells))) <= 1:
                try:
                    made = dict.fromkeys(cells)
                except TypeError:
                    made = None
            self._keep(_DISTINCT, cells, made)
        return made  # type: ignore[no-any-return]

    def each(
        self,
        how: str,
        cells: Sequence[Any],
        judgement: Callable[[Any], T],
        many: Callable[[list[Any]], list[T]] | None = None,
    ) -> list[T]:
        """``judgement`` of every cell of a column (one that never raises ValueProblem), each
        distinct value judged once per run; the same column (the same list: a batch's) asked
        again for the same ``how`` by another kind gets the answers already made. ``many``,
        when given, judges a list of values at once as ``judgement`` would each."""
        made = self._made(how, cells)
        if made is not _MISSING:
            return made  # type: ignore[no-any-return]
        types = self.types(cells)
        if how not in self._broken and _OWN_KEY.issuperset(types):
            distinct = self.distinct(cells)
            assert distinct is not None  # text, blank and date cells are keys of their own
            answers = self._column(how, cells, judgement, many, distinct)
        else:
            answers = per_distinct(cells, self._judged(how, judgement), types=types)
        self._keep(how, cells, answers)
        return answers

    def saying(
        self,
        how: str,
        cells: Sequence[Any],
        judgement: Callable[[Any], T],
        says: Callable[[T], object] | None = None,
    ) -> dict[int, T]:
        """By index, ``judgement`` of the cells of a column it has something to say of (an
        answer that is true, or that ``says`` finds true), each distinct value judged once a
        run (a judgement that never raises ValueProblem). The distinct values are judged (or
        looked up) and, when none has anything to say (most columns of most batches), nothing
        is made per row; else the rows of the values that do are found at C speed."""
        distinct = None if how in self._broken else self.distinct(cells)
        if distinct is None:  # cell by cell: what :meth:`each` answers
            answers = self.each(how, cells, judgement)
            flagged = compress(range(len(cells)), answers if says is None else map(says, answers))
            return {i: answers[i] for i in flagged}
        values = list(distinct)
        if _OWN_KEY.issuperset(self.types(cells)):
            judged = self._column(how, values, judgement, None, distinct)
        else:
            judged = list(map(self._judged(how, judgement), values))
        pairs = zip(values, judged, strict=True)
        said = dict(compress(pairs, judged if says is None else map(says, judged)))
        if not said:
            return {}
        if len(said) == len(values):
            return dict(enumerate(map(said.__getitem__, cells)))
        return {
            i: said[cells[i]] for i in compress(range(len(cells)), map(said.__contains__, cells))
        }

    def _column(
        self,
        how: str,
        cells: Sequence[Any],
        judgement: Callable[[Any], T],
        many: Callable[[list[Any]], list[T]] | None,
        distinct: dict[Any, None],
    ) -> list[T]:
        """:meth:`each` for a column of text, blank and date cells (each its own key) whose
        ``distinct`` values are given: the values not yet known found by a set difference,
        judged, and every cell looked up, the loops at C speed. A judgement that asks the
        memo itself may make it start afresh: then the values known before are judged too."""
        store = self._store(how)
        unknown = distinct.keys() - store.keys() if store else distinct.keys()
        forgotten = self._forgotten
        if many is None:
            fresh: dict[Any, T] = dict(zip(unknown, map(judgement, unknown), strict=True))
        else:
            values = list(unknown)
            fresh = dict(zip(values, many(values), strict=True))
        if forgotten != self._forgotten and len(fresh) < len(distinct):
            known = [value for value in distinct if value not in fresh]
            fresh.update(zip(known, map(judgement, known), strict=True))
        if len(fresh) == len(distinct):
            lookup = fresh
        elif fresh:
            lookup = store | fresh
        else:
            lookup = store
        answers = list(map(lookup.__getitem__, cells))
        if fresh:
            if self._held + len(fresh) > self.limit:
                self._forget()
            if len(fresh) <= self.limit:
                store.update(fresh)
                self._held += len(fresh)
        return answers

    def _judged(self, how: str, judgement: Callable[[Any], T]) -> Callable[[Any], T]:
        """:meth:`judge` for one ``how`` (a judgement that never raises ValueProblem), with
        the look-up inlined: a column of distinct values asks it once a cell."""
        answers = self._store(how)

        def judged(raw: Any) -> T:
            cls = raw.__class__
            key = raw if cls in _OWN_KEY else (cls, raw)
            try:
                answer = answers.get(key, _MISSING)
            except TypeError:  # an unhashable value (from a library caller)
                return judgement(raw)
            if answer is _MISSING:
                answer = judgement(raw)
                if self._held >= self.limit:
                    self._forget()
                answers[key] = answer
                self._held += 1
            elif answer.__class__ is _Broken:  # remembered by judge() for the same ``how``
                raise ValueProblem(answer.message)
            return answer  # type: ignore[no-any-return]

        return judged

    def blanks(self, cells: Sequence[Any]) -> list[bool]:
        """:func:`is_blank` of every cell of a column (:func:`blank_cells`, at C speed for a
        column of text), shared by the kinds that ask for the same batch's column."""
        made = self._made("blank", cells)
        if made is _MISSING:
            made = blank_cells(cells, self.types(cells))
            self._keep("blank", cells, made)
        return made  # type: ignore[no-any-return]

    def people(self, cells: Sequence[Any]) -> People:
        """A column of 身份证号 checked (:class:`People`), shared by the kinds that read the
        same batch's column: the plain valid numbers recognised a column at a time
        (:func:`plain_resident_ids`), every other cell through :meth:`resident_id` (each
        distinct one checked once a run, shared with the one-cell look-ups)."""
        made = self._made("people", cells)
        if made is not _MISSING:
            return made  # type: ignore[no-any-return]
        values, latest = plain_resident_ids_born(cells, self.types(cells))
        checked: dict[int, ResidentId] = {}
        if "" in values:
            for index in compress(range(len(values)), map(operator.not_, values)):
                result = checked[index] = self.resident_id(cells[index])
                if result.ok:
                    values[index] = result.value
                    born = result.birth_date
                    if born is not None and (latest is None or born > latest):
                        latest = born
        people = People(values, checked, latest)
        self._keep("people", cells, people)
        return people

    def next_batch(self) -> None:
        """Forget the whole columns answered (their cells with them): a new batch begins."""
        self._columns.clear()

    def text(self, raw: Any) -> str:
        """The folded text a clerk sees in the cell (:func:`cell_text`)."""
        if raw is None or raw == "":
            return ""
        return self.judge("text", raw, cell_text)

    def resident_id(self, raw: Any) -> ResidentId:
        """The 身份证号 ``raw`` checked (no reference date): once per run per distinct value,
        shared by the ``valid`` kind, duplicate and group keys, row labels and ledger keys."""
        return self.judge("person-id", raw, check_resident_id)

    # the typed readers: None for a blank cell, ValueProblem for one that cannot be read

    def date(self, raw: Any) -> dt.date | None:
        return None if raw is None or raw == "" else self.judge("date", raw, _READ_DATE)

    def ratio(self, raw: Any) -> Decimal | None:
        return None if raw is None or raw == "" else self.judge("ratio", raw, _READ_RATIO)

    def decimal(self, raw: Any) -> Decimal | None:
        return None if raw is None or raw == "" else self.judge("decimal", raw, _READ_DECIMAL)

    def level(self, raw: Any) -> Level | None:
        return None if raw is None or raw == "" else self.judge("level", raw, _READ_LEVEL)

    def yes_no(self, raw: Any) -> bool | None:
        return None if raw is None or raw == "" else self.judge("yesno", raw, _READ_YES_NO)

    def int(self, raw: Any, minimum: int = 0) -> int | None:
        if raw is None or raw == "":
            return None
        read = _READ_INT.get(minimum)
        if read is None:
            read = _READ_INT[minimum] = _unless_blank(partial(parse_int, minimum=minimum))
        return self.judge(f"int{minimum}", raw, read)


@dataclass
class Context:
    """What a run knows besides the rows: program, layout, parameters, catalogs, ledger."""

    program: Program
    layout: Layout
    params: LocalParams
    catalog_loader: Callable[[str], Catalog]
    as_of: dt.date | None = None
    ledger: Any = None
    _catalogs: dict[str, Catalog] = field(default_factory=dict)
    # each distinct cell value judged once per run (parsed, checked, folded), by every kind
    memo: Memo = field(default_factory=Memo)

    def catalog(self, catalog_id: str) -> Catalog:
        if catalog_id not in self._catalogs:
            self._catalogs[catalog_id] = self.catalog_loader(catalog_id)
        return self._catalogs[catalog_id]


class RowView:
    """A row with memoised typed accessors; a broken cell raises CellProblem every time asked."""

    __slots__ = ("_resident", "context", "number", "row")

    def __init__(self, row: Row, context: Context) -> None:
        self.row = row
        self.number = row.number
        self.context = context
        self._resident: ResidentId | None = None

    def has(self, column: str) -> bool:
        return self.context.layout.has(column)

    def blank(self, column: str) -> bool:
        return is_blank(self.row.cells.get(column))

    def text(self, column: str) -> str:
        return self.context.memo.text(self.row.cells.get(column))

    def raw(self, column: str) -> Any:
        return self.row.cells.get(column)

    def resident_id(self) -> ResidentId:
        """The 身份证号 checked once per run per distinct value (identity, duplicates, keys and
        labels share it)."""
        if self._resident is None:
            self._resident = self.context.memo.resident_id(self.row.cells.get("身份证号"))
        return self._resident

    def _parsed(self, column: str, read: Callable[[Any], T | None]) -> T | None:
        try:
            return read(self.row.cells.get(column))
        except ValueProblem as problem:
            raise CellProblem(column, f"{column}{problem.message}") from None

    def date(self, column: str) -> dt.date | None:
        return self._parsed(column, self.context.memo.date)

    def ratio(self, column: str) -> Decimal | None:
        return self._parsed(column, self.context.memo.ratio)

    def int(self, column: str, minimum: int = 0) -> int | None:
        try:
            return self.context.memo.int(self.row.cells.get(column), minimum)
        except ValueProblem as problem:
            raise CellProblem(column, f"{column}{problem.message}") from None

    def decimal(self, column: str) -> Decimal | None:
        return self._parsed(column, self.context.memo.decimal)

    def level(self, column: str) -> Level | None:
        return self._parsed(column, self.context.memo.level)

    def yes_no(self, column: str) -> bool | None:
        return self._parsed(column, self.context.memo.yes_no)

    def reference_date(self) -> dt.date:
        """The date in the program's reference column (开班日期) when the row gives one, else
        the program's reference date; --as-of overrides both."""
        if self.context.as_of is not None:
            return self.context.as_of
        column = self.context.program.reference_column
        if column and self.has(column):
            start = self.date(column)
            if start is not None:
                return start
        return self.context.program.reference_date

    def reference_phrase(self) -> str:
        if self.context.as_of is not None:
            return f"指定的参照日 {self.context.as_of.isoformat()}"
        column = self.context.program.reference_column
        if column and self.has(column) and not self.blank(column):
            return f"{column} {self.reference_date().isoformat()}"
        program = self.context.program
        return f"参照日 {program.reference_date.isoformat()}（{program.reference_date_note}）"


class Rule:
    """One rule of one program, instantiated per run (sheet-level rules keep state)."""

    rule_id: ClassVar[str] = ""
    # A pure rule's findings depend only on the cells of inputs() (and the run's constants), so
    # the checker computes them once per distinct combination of those cells.
    pure: ClassVar[bool] = False
    # per-run state a copy made for other dates (:meth:`on_date`) shares with the rule: a
    # duplicate's first-seen table, so a repeat across a change of values is still seen
    shared_across_dates: ClassVar[tuple[str, ...]] = ()

    def __init__(self, spec: RuleSpec, context: Context) -> None:
        self.spec = spec
        self.context = context
        self.program = context.program
        # params written by dates (``value = [{ from = …, value = … }]``): the rule's own
        # params hold the values in force on the run's date; a kind evaluates each row with
        # those in force on its reference date (:meth:`on_date`)
        self.dated_params = dated_names(spec.params)
        self.param_starts: dict[str, dt.date] = {}
        self.params = spec.params
        if self.dated_params:
            self.params, self.param_starts = resolve_params(spec.params, self.run_date())
        self._at: dict[tuple[dt.date, ...], Rule] = {}
        self._how: str | None = None
        self.citation = context.program.citation(spec.clause)
        self.setup()

    def run_date(self) -> dt.date:
        """The run's reference date: --as-of, else the program's reference date."""
        return self.context.as_of or self.program.reference_date

    def on_date(self: RuleT, day: dt.date) -> RuleT:
        """This rule with its dated params as in force on ``day`` (itself when none is dated),
        made once per distinct set of values in force."""
        if not self.dated_params:
            return self
        params, starts = resolve_params(self.spec.params, day)
        key = tuple(starts.get(name, dt.date.min) for name in self.dated_params)
        found = self._at.get(key)
        if found is None:
            found = copy.copy(self)
            found.params, found.param_starts = params, starts
            found._at = {}
            found._how = None  # its judgements its own (other params, other answers)
            found.setup()
            for name in self.shared_across_dates:
                setattr(found, name, getattr(self, name))
            self._at[key] = found
        return found  # type: ignore[return-value]

    def how(self, judgement: str) -> str:
        """The name under which the run's memo keeps this rule's own ``judgement`` of each
        distinct cell (its answers depend on the rule's params: no other rule shares them)."""
        if self._how is None:
            self._how = f"rule#{next(_RULE_SERIAL)}"
        return f"{self._how}:{judgement}"

    def late(self) -> Iterator[Finding]:
        """The findings known once the whole sheet is seen: this rule's :meth:`finish` and
        that of each copy made for the rows of other dates (each copy tallied its own rows)."""
        yield from self.finish()
        for copy_on_date in self._at.values():
            yield from copy_on_date.late()

    def setup(self) -> None:
        """Per-run state for sheet-level rules."""

    # columns that must be in the sheet for the rule to run at all
    def needs(self) -> tuple[str, ...]:
        return ()

    def inputs(self) -> tuple[str, ...]:
        """Every column a pure rule reads (its needs and any optional ones)."""
        return self.needs()

    def presence(self) -> tuple[str, ...]:
        """Columns of which a pure rule reads only whether they are filled (a 证书编号)."""
        return ()

    def present(self, *columns: str) -> tuple[str, ...]:
        """Those of ``columns`` the sheet has."""
        return tuple(c for c in columns if self.context.layout.has(c))

    def skip_reason(self) -> str | None:
        """Why this rule cannot run on this sheet (Chinese), or None when it runs."""
        missing = [name for name in self.needs() if not self.context.layout.has(name)]
        if missing:
            return missing_columns_reason(self.context.layout, missing)
        return None

    def check(self, row: RowView) -> Iterator[Finding]:
        return iter(())

    def finish(self) -> Iterator[Finding]:
        return iter(())

    def finding(
        self,
        row: int | None,
        column: str | None,
        message: str,
        severity: Severity | None = None,
    ) -> Finding:
        return Finding(
            row=row,
            column=column,
            rule=self.spec.id,
            severity=severity or self.spec.severity,
            message=message,
            citation=self.citation,
        )


RuleT = TypeVar("RuleT", bound=Rule)
_RULE_SERIAL = count(1)


def missing_columns_reason(layout: Layout, missing: list[str]) -> str:
    """Why a rule is skipped: the columns it lacks, and a header of the sheet that looks like
    one of them (``到课率%`` for 到课率), so the clerk can rename it."""
    reason = f"表中没有「{'」「'.join(missing)}」列"
    hints = [(name, layout.near_miss(name)) for name in missing]
    found = [f"表头「{near}」是否就是「{name}」？请改为「{name}」" for name, near in hints if near]
    return reason + (f"（{'；'.join(found)}）" if found else "")
