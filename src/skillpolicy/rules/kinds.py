"""Rule kinds: a small vocabulary of rules a program file names with parameters.

A kind is evaluated a column at a time: :meth:`Kind.check_batch` gets the cells of every row
of a batch by column and answers only for the rows it flags (Python objects, the findings,
are made for those alone). Each distinct cell value is judged once per batch. The same kind
explains one row through :meth:`Rule.check`, a batch of that row alone.

A ``[[rules]]`` entry without ``kind`` (or ``kind = "function"``) runs the registered rule
class named by its ``function`` (default: its id), for what no kind can say yet.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Container, Iterator, Sequence
from decimal import Decimal
from functools import partial
from itertools import compress
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from ..domain.findings import Finding
from ..domain.identifiers import mask_id, mask_phone
from ..domain.values import (
    ValueProblem,
    cell_text,
    fold,
    is_blank,
    parse_date,
    parse_decimal,
    parse_int,
    parse_level,
    parse_ratio,
    parse_yes_no,
    per_distinct,
    per_distinct_pair,
)
from ..policy.conditions import rows_holding
from .base import CellProblem, RowView, Rule, missing_columns_reason
from .common import close_match, one_of

if TYPE_CHECKING:
    from ..policy.programs import Program

KindT = TypeVar("KindT", bound="Kind")

_KINDS: dict[str, type[Kind]] = {}

FUNCTION = "function"


def kind(name: str) -> Callable[[type[KindT]], type[KindT]]:
    def decorate(cls: type[KindT]) -> type[KindT]:
        if name in _KINDS:
            raise RuntimeError(f"rule kind registered twice: {name}")
        cls.kind_name = name
        _KINDS[name] = cls
        return cls

    return decorate


def kind_class(name: str) -> type[Kind]:
    return _KINDS[name]


def known_kinds() -> frozenset[str]:
    return frozenset(_KINDS)


class Batch:
    """Rows of one sheet, their cells read by column: the reader's columns as they are
    (:meth:`of_columns`), or made on demand from rows' cells (one row for ``explain``)."""

    def __init__(self, numbers: Sequence[int], cells: Sequence[dict[str, Any]]) -> None:
        self.numbers = numbers
        self._cells = cells
        self._columns: dict[str, list[Any]] = {}

    @classmethod
    def of_columns(cls, numbers: Sequence[int], columns: dict[str, list[Any]]) -> Batch:
        """A batch over ``columns`` (each as long as ``numbers``), no row made."""
        batch = cls(numbers, ())
        batch._columns = dict(columns)
        return batch

    def __len__(self) -> int:
        return len(self.numbers)

    def column(self, name: str) -> list[Any]:
        """The cells of column ``name`` (all blank for a column the sheet does not have)."""
        values = self._columns.get(name)
        if values is None:
            cells = self._cells
            values = [c.get(name) for c in cells] if cells else [None] * len(self.numbers)
            self._columns[name] = values
        return values


# per row of a batch that a kind flags: its findings and the cell it could not read, if any
Flags = dict[int, tuple[list[Finding], CellProblem | None]]


def _key(value: Any) -> Any:
    # True == 1 in Python: keep a bool cell apart from a number cell when memoising
    return (value.__class__, value)


def among(said: dict[int, Any], rows: Sequence[int] | range, size: int) -> list[int]:
    """Those of the indexes ``said`` has (in order) that are of ``rows``, indexes into a
    batch of ``size`` rows: all of them when ``rows`` is the whole batch."""
    if not said:
        return []
    if isinstance(rows, range):
        if rows == range(size):
            return list(said)
        return [i for i in said if i in rows]
    wanted = set(rows)
    return [i for i in said if i in wanted]


def hits(rows: Sequence[int] | range, marks: Sequence[Any]) -> Sequence[int]:
    """Those of ``rows`` whose mark is true; at C speed when ``rows`` is the whole batch, and
    none at all when no mark is (a column whose distinct values are all fine)."""
    if not any(marks):
        return ()
    if isinstance(rows, range) and rows == range(len(marks)):
        return list(compress(rows, marks))
    return [i for i in rows if marks[i]]


def _said_or_broken(answer: tuple[list[str], CellProblem | None]) -> bool:
    """Whether a judgement of messages and a problem says anything."""
    return bool(answer[0]) or answer[1] is not None


def _message_or_broken(answer: tuple[str | None, CellProblem | None]) -> bool:
    """Whether a judgement of a message or a problem says anything."""
    return answer[0] is not None or answer[1] is not None


class Kind(Rule):
    """A rule kind: parameters from the program file, evaluated a column at a time."""

    kind_name: ClassVar[str] = ""
    columnar: ClassVar[bool] = True

    def columns(self) -> tuple[str, ...]:
        """The input columns the kind reads (from its params)."""
        return self.needs()

    def condition_columns(self) -> tuple[str, ...]:
        when = self.spec.condition
        return tuple(when.targets) if when else ()

    def condition_catalog(self, parameter: str) -> Container[str]:
        """The catalog a local parameter names (``in_catalog``), as occupation names."""
        return self.context.catalog(self.context.params.text(parameter))

    def condition_verdicts(
        self, name: str, cells: Sequence[Any], judge: Callable[[Any], bool]
    ) -> list[bool]:
        """Whether each cell of a column meets a test of ``applies_when`` (``name``d), each
        distinct value judged once a run through the run's memo."""
        return self.context.memo.each(self.how(f"when:{name}"), cells, judge)

    def skip_reason(self) -> str | None:
        has = self.context.layout.has
        missing = [name for name in self.needs() if not has(name)]
        when = self.spec.condition
        if when is not None:
            missing += [name for name in when.missing(has) if name not in missing]
        return missing_columns_reason(self.context.layout, missing) if missing else None

    def check_batch(self, batch: Batch) -> Flags:
        """The flagged rows of ``batch`` (by index) with their findings, ``applies_when`` first;
        with params written by dates, each row against the values in force on its reference
        date (rows grouped by the values in force, each group flagged a column at a time)."""
        when = self.spec.condition
        rows: Sequence[int] | range = range(len(batch))
        if when is not None:
            rows = rows_holding(
                when, batch.column, rows, self.condition_catalog, self.condition_verdicts
            )
        return self.flag_on_dates(batch, rows)

    def flag_on_dates(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        """:meth:`flag` with each row's dated params taken on its reference date."""
        if not self.dated_params:
            return self.flag(batch, rows)
        groups: dict[int, tuple[Kind, list[int]]] = {}
        for i, day in zip(rows, self.reference_days(batch, rows), strict=True):
            rule = self.on_date(day)
            groups.setdefault(id(rule), (rule, []))[1].append(i)
        flags: Flags = {}
        for rule, members in groups.values():
            flags.update(rule.flag(batch, members))
        return flags

    def reference_days(self, batch: Batch, rows: Sequence[int] | range) -> list[dt.date]:
        """Each row's reference date (the program's reference column, else its reference date;
        --as-of first), each distinct cell parsed once; an unreadable cell takes the
        program's date (the date rules report the cell)."""
        fallback = self.run_date()
        column = self.program.reference_column
        if self.context.as_of is not None or not column or not self.context.layout.has(column):
            return [fallback] * len(rows)
        values = batch.column(column)
        days: dict[Any, dt.date] = {}
        out = []
        for i in rows:
            key = _key(values[i])
            day = days.get(key)
            if day is None:
                try:
                    parsed = None if is_blank(values[i]) else parse_date(values[i])
                except ValueProblem:
                    parsed = None
                day = days[key] = parsed or fallback
            out.append(day)
        return out

    def flag(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        raise NotImplementedError

    def check(self, row: RowView) -> Iterator[Finding]:
        """One row (``explain``): a batch of that row alone; a broken cell raises."""
        batch = Batch([row.number], [row.row.cells])
        found, broken = self.check_batch(batch).get(0, ([], None))
        yield from found
        if broken is not None:
            raise broken

    def at(self, batch: Batch, index: int, column: str | None, message: str) -> Finding:
        if _CELL in message:
            message = quote_cells(self.program, batch, index, message)
        return self.finding(batch.numbers[index], column, message)

    def template(self, name: str, default: str, **values: Any) -> str:
        """A message: the file's ``messages.NAME`` template, else the kind's own. A
        placeholder of the file's template that names no value of the kind names a column of
        the row (``{单位类型}``): it is kept marked and filled for each row by :meth:`at`."""
        return self.template_from(self.params.get("messages", {}), name, default, **values)

    def template_from(
        self, templates: dict[str, str], name: str, default: str, **values: Any
    ) -> str:
        """:meth:`template` from the given ``templates`` (a part of the params' own)."""
        text = templates.get(name)
        if text is None:
            return default.format(summary=self.spec.summary, **values)
        return text.format_map(_Quoting(summary=self.spec.summary, **values))


# a column named in a message template, marked until the row's cell fills it (a cell never
# holds a NUL: control characters are removed when a sheet is read)
_CELL = "\x00"
_QUOTED = re.compile("\x00([^\x00]*)\x00")
# how a quoted cell of a personal-number column is shown
_MASKS: dict[str, Callable[[str], str]] = {"person-id": mask_id, "phone": mask_phone}


class _Quoting(dict[str, Any]):
    """A template's values; a name that is none of them is a column, kept marked."""

    def __missing__(self, key: str) -> str:
        return f"{_CELL}{key}{_CELL}"


def quote_cells(program: Program, batch: Batch, index: int, message: str) -> str:
    """``message`` with each marked column replaced by the row's cell as the clerk sees it
    (:func:`cell_text`), an identity or phone number masked (blank when the sheet lacks it)."""
    types = program.column_set()

    def shown(match: re.Match[str]) -> str:
        name = match[1]
        text = cell_text(batch.column(name)[index])
        declared = types.get(name)
        mask = _MASKS.get(declared.type) if declared is not None else None
        return mask(text) if mask is not None and text else text

    return _QUOTED.sub(shown, message)


_SEPARATORS = re.compile(r"[、,，;；/\s]+")


@kind("one-of")
class OneOf(Kind):
    """The cell holds one value of ``allowed`` (folded: full-width, quotation marks, spaces),
    or with ``multiple = true`` one or more separated by 、 , ; or spaces; blank is a finding
    unless ``blank_allowed``. With ``read = "level"`` the cell is read as a qualification level
    (三级, 高级工, 预备技师 …) and its title compared; a cell that is no level is unreadable."""

    def setup(self) -> None:
        self.column = str(self.params["column"])
        self.allowed: list[str] = list(self.params["allowed"])
        self.folded = {fold(v) for v in self.allowed}
        self.blank_allowed = bool(self.params.get("blank_allowed", False))
        self.multiple = bool(self.params.get("multiple", False))
        # recognised values that are still a finding (鉴定结果 不合格)
        self.failing = {fold(v) for v in self.params.get("failing", [])}
        self.read_level = self.params.get("read") == "level"

    def needs(self) -> tuple[str, ...]:
        return (self.column,)

    def flag(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        """Each distinct cell judged once a run (:meth:`~.base.Memo.saying`); only the rows
        of a value with something to say are visited."""
        memo = self.context.memo
        if self.read_level:
            levels = memo.saying(
                self.how("level"), batch.column(self.column), self._judge_level, _said_or_broken
            )
            return {
                i: ([self.at(batch, i, self.column, m) for m in levels[i][0]], levels[i][1])
                for i in among(levels, rows, len(batch))
            }
        said = memo.saying(self.how("one-of"), batch.column(self.column), self._judge)
        return {
            i: ([self.at(batch, i, self.column, m) for m in said[i]], None)
            for i in among(said, rows, len(batch))
        }

    def _judge_level(self, raw: Any) -> tuple[list[str], CellProblem | None]:
        if is_blank(raw):
            return self._judge(raw), None
        try:
            level = parse_level(raw)
        except ValueProblem as problem:
            return [], CellProblem(self.column, f"{self.column}{problem.message}")
        return self._judge(level.title), None

    def _judge(self, raw: Any) -> list[str]:
        text = cell_text(raw)
        parts = [p for p in _SEPARATORS.split(text) if p] if self.multiple else [text]
        if is_blank(raw) or not any(parts):
            if self.blank_allowed:
                return []
            blank = self.template(
                "blank",
                "{column}为空；应填：{allowed}",
                column=self.column,
                allowed=one_of(self.allowed),
            )
            return [blank]
        return [
            self._failing(part) if fold(part) in self.failing else self._outside(part)
            for part in parts
            if fold(part) not in self.folded or fold(part) in self.failing
        ]

    def _failing(self, value: str) -> str:
        return self.template(
            "failing", "{column}为{value}；{summary}", column=self.column, value=value
        )

    def _outside(self, value: str) -> str:
        return self.template(
            "outside",
            "{column}「{value}」不在规定范围内；应为：{allowed}。{hint}",
            column=self.column,
            value=value,
            allowed=one_of(self.allowed),
            hint=close_match(value, self.allowed),
        ).rstrip("。")


@kind("in-catalog")
class InCatalog(Kind):
    """The cell names an occupation of the program's catalog, or of ``catalog``, or of the
    catalog a local parameter names (``catalog_parameter``: a catalog id, or a .toml file
    beside the parameters file; unset, the run stops naming it)."""

    def setup(self) -> None:
        self.column = str(self.params.get("column", "职业(工种)"))
        self.catalog_id = str(self.params.get("catalog") or self.program.catalog or "")
        self.catalog_parameter: str | None = self.params.get("catalog_parameter")
        if self.catalog_parameter is not None:
            from .named_catalog import catalog_named_by

            self._catalog = catalog_named_by(self.context, self.catalog_parameter)

    def needs(self) -> tuple[str, ...]:
        return (self.column,)

    def flag(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        catalog = (
            self._catalog
            if self.catalog_parameter is not None
            else self.context.catalog(self.catalog_id)
        )
        values = batch.column(self.column)
        judged: dict[Any, str | None] = {}
        flags: Flags = {}
        for i in rows:
            raw = values[i]
            key = _key(raw)
            if key not in judged:
                if is_blank(raw):
                    judged[key] = self.template(
                        "blank",
                        "{column}为空；请填写《{title}》内的职业（工种）",
                        column=self.column,
                        title=catalog.title,
                    )
                else:
                    value = cell_text(raw)
                    judged[key] = (
                        None
                        if value in catalog
                        else self.template(
                            "outside",
                            "「{value}」不在《{title}》内，不属本项目培养范围；"
                            "请按目录填写规范名称。{hint}",
                            value=value,
                            title=catalog.title,
                            hint=close_match(value, catalog.occupations),
                        ).rstrip("。")
                    )
            message = judged[key]
            if message is not None:
                flags[i] = ([self.at(batch, i, self.column, message)], None)
        return flags


@kind("yes")
class Yes(Kind):
    """Every named column (of those the sheet has) answers 是; blank and 否 are findings."""

    def setup(self) -> None:
        self.names: list[str] = list(self.params["columns"])

    def needs(self) -> tuple[str, ...]:
        return ()

    def columns(self) -> tuple[str, ...]:
        return self.present(*self.names)

    def skip_reason(self) -> str | None:
        if not any(self.context.layout.has(c) for c in self.names):
            return missing_columns_reason(self.context.layout, self.names)
        return super().skip_reason()

    def flag(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        flags: Flags = {}
        for column in self.columns():
            values = batch.column(column)
            judged: dict[Any, tuple[str | None, CellProblem | None]] = {}
            for i in rows:
                if i in flags and flags[i][1] is not None:
                    continue  # a row stops at its first unreadable answer
                raw = values[i]
                key = _key(raw)
                if key not in judged:
                    judged[key] = self._judge(column, raw)
                message, broken = judged[key]
                if message is None and broken is None:
                    continue
                found, _ = flags.setdefault(i, ([], None))
                if message is not None:
                    found.append(self.at(batch, i, column, message))
                else:
                    flags[i] = (found, broken)
        return flags

    def _judge(self, column: str, raw: Any) -> tuple[str | None, CellProblem | None]:
        if is_blank(raw):
            return self.template("blank", "「{column}」未填；请填“是”或“否”", column=column), None
        try:
            answer = parse_yes_no(raw)
        except ValueProblem as problem:
            return None, CellProblem(column, f"{column}{problem.message}")
        if answer:
            return None, None
        return (
            self.template(
                "no", "「{column}」为否：{summary}是申报条件，不具备的不能申报", column=column
            ),
            None,
        )


# the document's words for a bound, and whether a value meets it
BOUNDS: dict[str, Callable[[Any, Any], bool]] = {
    "以上": operator.ge,
    "不少于": operator.ge,
    "不低于": operator.ge,
    "超过": operator.gt,
    "以下": operator.le,
    "不超过": operator.le,
    "低于": operator.lt,
    "不满": operator.lt,
}
# how a value that misses the bound is described
_MISSED = {
    "以上": "少于",
    "不少于": "少于",
    "不低于": "低于",
    "超过": "未超过",
    "以下": "超过",
    "不超过": "超过",
    "低于": "不低于",
    "不满": "已满",
}


# how a bound is said in the hint for an unreadable integer (parse_int's own words for ≥)
_HINT_WORDS = {
    "以上": "不小于",
    "不少于": "不小于",
    "不低于": "不小于",
    "超过": "大于",
    "以下": "不大于",
    "不超过": "不大于",
    "低于": "小于",
    "不满": "小于",
}


def percent_floor(value: Decimal) -> str:
    from .training import percent

    return percent(value)


@kind("number")
class Number(Kind):
    """An integer (``type = "integer"``), a ratio (``type = "ratio"``) or a decimal number
    (``type = "number"``) against a bound named in the document's words: ``bound = "不少于"``
    and ``value``; or within ``between = [low, high]``, both ends included. An integer below
    ``least`` (default: 1, or the bound when it is lower) is unreadable, not a missed bound."""

    def setup(self) -> None:
        self.column = str(self.params["column"])
        self.type = str(self.params.get("type", "integer"))
        between = self.params.get("between")
        self.range: tuple[Decimal, Decimal] | None = None
        if between is not None:
            low, high = (Decimal(str(end)) for end in between)
            self.range = (low, high)
            self.bound = "之间"

            def within(value: Any, _limit: Any) -> bool:
                return bool(low <= value <= high)

            self.meets: Callable[[Any, Any], bool] = within
            raw_limit: Any = low
        else:
            self.bound = str(self.params.get("bound", "不少于"))
            self.meets = BOUNDS[self.bound]
            raw_limit = self.params["value"]
        self.limit: int | Decimal = (
            int(raw_limit) if self.type == "integer" else Decimal(str(raw_limit))
        )

    def needs(self) -> tuple[str, ...]:
        return (self.column,)

    def _parse(self, raw: Any) -> int | Decimal:
        if self.type == "ratio":
            return parse_ratio(raw)
        if self.type == "number":
            return parse_decimal(raw)
        least = self.params.get("least")
        minimum = min(int(self.limit), 1) if least is None else int(least)
        return parse_int(raw, minimum=minimum, hint=self._integer_hint())

    def _integer_hint(self) -> str:
        """What an unreadable integer cell should hold, in the kind's own bound (不少于 300),
        with 300 as the example where it meets the bound."""
        if self.range is not None:
            low, high = self.range
            return f"请填写 {low}–{high} 之间的整数"
        words = _HINT_WORDS.get(self.bound, self.bound)
        example = "，如 300" if self.meets(300, self.limit) else ""
        return f"请填写{words} {self.limit} 的整数{example}"

    def _shown(self, value: int | Decimal) -> str:
        if self.type == "ratio":
            return percent_floor(Decimal(value))
        if self.type == "number":
            return f"{Decimal(value).normalize():f}"
        return str(value)

    def _shown_limit(self) -> str:
        if self.range is not None:
            low, high = self.range
            return f"{low}–{high}"
        return self._shown(self.limit)

    def _judge(self, raw: Any) -> tuple[str | None, CellProblem | None]:
        shown_limit = self._shown_limit()
        if raw is None or raw == "" or is_blank(raw):
            blank = (
                "「{column}」未填；请填写整数" if self.type == "integer" else "{column}为空；请填写"
            )
            return self.template("blank", blank, column=self.column, bound=shown_limit), None
        try:
            value = self._parse(raw)
        except ValueProblem as problem:
            return None, CellProblem(self.column, f"{self.column}{problem.message}")
        if self.meets(value, self.limit):
            return None, None
        return (
            self.template(
                "missed",
                "「{column}」为{value}，{missed}{bound}；{summary}",
                column=self.column,
                value=self._shown(value),
                missed=_MISSED.get(self.bound, "不在"),
                bound=shown_limit,
            ),
            None,
        )

    def flag(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        """Each distinct cell judged once a run; only the rows with something said visited."""
        said = self.context.memo.saying(
            self.how("number"), batch.column(self.column), self._judge, _message_or_broken
        )
        flags: Flags = {}
        for i in among(said, rows, len(batch)):
            message, broken = said[i]
            if message is not None:
                flags[i] = ([self.at(batch, i, self.column, message)], None)
            else:
                flags[i] = ([], broken)
        return flags


# a column of dates alone (not datetimes), and the first date a date cell may hold
DATES_ONLY = frozenset([dt.date])
FIRST_DATE = dt.date(1900, 1, 1)


@kind("date-order")
class DateOrder(Kind):
    """A date on or before another column's date (``not_after_column``), a fixed date
    (``not_after``) or, with neither, the program's ``deadline``; blank is a finding. With
    ``fact``, a sheet without the column is judged on the date written above its header
    (``填报日期：2013年2月27日``), once for every row."""

    def setup(self) -> None:
        self.column = str(self.params["column"])
        self.other: str | None = self.params.get("not_after_column")
        fixed = self.params.get("not_after") or self.program.deadline
        self.fixed: dt.date | None = None if self.other else fixed
        fact: str | None = self.params.get("fact")
        layout = self.context.layout
        self.fact = fact if fact and not layout.has(self.column) else None

    def needs(self) -> tuple[str, ...]:
        if self.fact:
            return (self.other,) if self.other else ()
        return (self.column, self.other) if self.other else (self.column,)

    def skip_reason(self) -> str | None:
        if self.fact and self.fact not in self.context.layout.facts:
            return f"表中没有“{self.column}”列，表头上方也没有{self.fact}"
        return super().skip_reason()

    def _flag_fact(self, batch: Batch, rows: Sequence[int] | range, fact: str) -> Flags:
        written = self.context.layout.facts[fact]
        where = f"表头上方的{fact}"
        try:
            day = parse_date(written)
        except ValueProblem as problem:
            message: str | None = f"{where}「{written}」{problem.message}"
        else:
            message, _column, _broken = self._judge(day, None, column=where)
        if message is None:
            return {}
        return {i: ([self.at(batch, i, None, message)], None) for i in rows}

    def _date(self, column: str, raw: Any) -> dt.date | None:
        if raw is None or raw == "" or is_blank(raw):
            return None
        try:
            return parse_date(raw)
        except ValueProblem as problem:
            raise CellProblem(column, f"{column}{problem.message}") from None

    def flag(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        if self.fact:
            return self._flag_fact(batch, rows, self.fact)
        values = batch.column(self.column)
        if self.other:
            said = self._pairs_saying(values, batch.column(self.other))
        else:
            judge = partial(self._says, other_raw=None)
            said = self.context.memo.saying(self.how("date-order"), values, judge)
        flags: Flags = {}
        for i in among(said, rows, len(batch)):
            message, column, broken = said[i]  # type: ignore[misc]
            if message is not None:
                flags[i] = ([self.at(batch, i, column, message)], None)
            elif broken is not None:
                flags[i] = ([], broken)
        return flags

    def _pairs_saying(
        self, values: Sequence[Any], others: Sequence[Any]
    ) -> dict[int, tuple[str | None, str, CellProblem | None] | None]:
        """By index, :meth:`_says` of each row's pair of cells that says something. Two
        columns of dates alone, none before 1900 (what a sheet's date cells are read as), say
        something only where the date is after the other: those rows are found at C speed;
        any other pair is judged once per distinct pair."""
        memo = self.context.memo
        types = (memo.types(values), memo.types(others))
        if (
            types == (DATES_ONLY, DATES_ONLY)
            and min(values) >= FIRST_DATE
            and min(others) >= FIRST_DATE
        ):
            later = compress(range(len(values)), map(operator.gt, values, others))
            return {i: self._says(values[i], others[i]) for i in later}
        judged = per_distinct_pair(values, others, self._says, types=types)
        return {i: judged[i] for i in compress(range(len(judged)), judged)}

    def _says(self, raw: Any, other_raw: Any) -> tuple[str | None, str, CellProblem | None] | None:
        """:meth:`_judge` of a pair of cells, None when it has nothing to say."""
        said = self._judge(raw, other_raw)
        return said if said[0] is not None or said[2] is not None else None

    def _judge(
        self, raw: Any, other_raw: Any, column: str | None = None
    ) -> tuple[str | None, str, CellProblem | None]:
        try:
            day = self._date(self.column, raw)
            limit = self._date(self.other, other_raw) if self.other else self.fixed
        except CellProblem as broken:
            return None, broken.column, broken
        other = self.other or "截止日期"
        shown = limit.isoformat() if limit else ""
        column = column or self.column
        if day is None:
            message = self.template(
                "blank", "{column}为空；须不晚于 {limit}，请填写", column=column, limit=shown
            )
            return message, self.column, None
        if limit is None:
            message = self.template(
                "other_blank",
                "{other}为空，无法核对{column}是否不晚于{other}；请填写",
                column=column,
                other=other,
            )
            return message, other, None
        if day <= limit:
            return None, self.column, None
        message = self.template(
            "late",
            "{column} {value} 晚于{other} {limit}；{summary}",
            column=column,
            value=day.isoformat(),
            other=other,
            limit=shown,
        )
        return message, self.column, None


@kind("name-list")
class NameList(Kind):
    """The cell's name is (``listed = true``, the default) or is not (``listed = false``) on
    the name list a local parameter (``list``) names; a blank cell is a finding only when the
    name must be listed. Not run while the parameter is unset (the reason says where to set it).

    With ``lists`` (each ``{ list, listed, messages }``) the cell is judged against each list
    whose parameter is set, in order, one finding per list it fails; a blank cell is one finding
    when any list must hold the name; not run while none of the parameters is set."""

    def setup(self) -> None:
        self.column = str(self.params["column"])
        self._names: frozenset[str] | None = None
        # several lists: (parameter, listed, its messages over the rule's)
        self.several: list[tuple[str, bool, dict[str, str]]] | None = None
        self._read: dict[str, frozenset[str]] = {}  # each list read once a run
        if "lists" in self.params:
            rule_messages: dict[str, str] = self.params.get("messages", {})
            self.several = [
                (
                    str(entry["list"]),
                    bool(entry.get("listed", True)),
                    {**rule_messages, **entry.get("messages", {})},
                )
                for entry in self.params["lists"]
            ]
            self.parameter = self.several[0][0]
            self.listed = any(listed for _, listed, _ in self.several)
            return
        self.parameter = str(self.params["list"])
        self.listed = bool(self.params.get("listed", True))

    def needs(self) -> tuple[str, ...]:
        return (self.column,)

    def skip_reason(self) -> str | None:
        reason = super().skip_reason()
        parameters = [p for p, _, _ in self.several] if self.several else [self.parameter]
        if reason is None and not any(self.context.params.is_set(p) for p in parameters):
            where = self.context.params.where_to_set()
            return f"未设置本地参数 {'、'.join(parameters)}（在 {where} 中设置）"
        return reason

    def names(self) -> frozenset[str]:
        if self._names is None:
            from ..policy.namelists import read_name_list

            self._names = read_name_list(self.context.params.file(self.parameter))
        return self._names

    def flag(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        if self.several is not None:
            return self._flag_several(batch, rows)
        names = self.names()
        values = batch.column(self.column)
        judged: dict[Any, str | None] = {}
        flags: Flags = {}
        for i in rows:
            raw = values[i]
            key = _key(raw)
            if key not in judged:
                judged[key] = self._judge(cell_text(raw), names)
            message = judged[key]
            if message is not None:
                flags[i] = ([self.at(batch, i, self.column, message)], None)
        return flags

    def _flag_several(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        """Each set list in order; a blank cell once (when a list must hold the name)."""
        from ..policy.namelists import read_name_list

        params = self.context.params
        lists: list[tuple[frozenset[str], bool, dict[str, str]]] = []
        for name, listed, messages in self.several or []:
            if params.is_set(name):
                if name not in self._read:
                    self._read[name] = read_name_list(params.file(name))
                lists.append((self._read[name], listed, messages))
        judged = per_distinct(
            batch.column(self.column),
            lambda raw: self._judge_several(cell_text(raw), lists),
        )
        flags: Flags = {}
        for i in rows:
            said = judged[i]
            if said:
                flags[i] = ([self.at(batch, i, self.column, m) for m in said], None)
        return flags

    def _judge_several(
        self,
        value: str,
        lists: list[tuple[frozenset[str], bool, dict[str, str]]],
    ) -> list[str]:
        if not value:
            if not self.listed:
                return []
            return [self.template("blank", "{column}为空；请填写", column=self.column)]
        said = []
        for names, listed, messages in lists:
            if (fold(value) in names) == listed:
                continue
            default = (
                "{column}「{value}」不在名单内；{summary}"
                if listed
                else "{column}「{value}」在名单上；{summary}"
            )
            name = "outside" if listed else "listed"
            said.append(
                self.template_from(messages, name, default, column=self.column, value=value)
            )
        return said

    def _judge(self, value: str, names: frozenset[str]) -> str | None:
        if not value:
            if not self.listed:
                return None
            return self.template("blank", "{column}为空；请填写", column=self.column)
        if (fold(value) in names) == self.listed:
            return None
        default = (
            "{column}「{value}」不在名单内；{summary}"
            if self.listed
            else "{column}「{value}」在名单上；{summary}"
        )
        name = "outside" if self.listed else "listed"
        return self.template(name, default, column=self.column, value=value)


@kind("excludes")
class Excludes(Kind):
    """The cell's text does not contain ``text`` (所在地 not in 厦门)."""

    def setup(self) -> None:
        self.column = str(self.params["column"])
        self.text = str(self.params["text"])

    def needs(self) -> tuple[str, ...]:
        return (self.column,)

    def flag(self, batch: Batch, rows: Sequence[int] | range) -> Flags:
        values = batch.column(self.column)
        flags: Flags = {}
        judged: dict[Any, str | None] = {}
        for i in rows:
            raw = values[i]
            key = _key(raw)
            if key not in judged:
                value = cell_text(raw)
                judged[key] = (
                    self.template(
                        "found", "{column}为{value}：{summary}", column=self.column, value=value
                    )
                    if self.text in value
                    else None
                )
            message = judged[key]
            if message is not None:
                flags[i] = ([self.at(batch, i, self.column, message)], None)
        return flags
