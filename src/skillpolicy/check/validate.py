"""Validation: stream a sheet through a program's rules and collect the findings as data."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Protocol, TypeVar

from ..domain.collector import collector_paused
from ..domain.errors import InputError
from ..domain.findings import Finding
from ..domain.identifiers import mask_id
from ..domain.values import is_blank
from ..io.columns import PERSON_KINDS
from ..io.resources import SearchPath
from ..io.sheet import BATCH_ROWS as BATCH_ROWS  # rows checked at a time (re-exported)
from ..io.sheet import Layout, Row, RowBatch, SheetReader
from ..loading.programfiles import ProgramFiles
from ..policy.catalog import load_catalog
from ..policy.params import LocalParams, load_params
from ..policy.programs import SHEET_KIND_NAMES, Program, RuleSpec
from ..rules import Batch, CellProblem, Context, Kind, RowView, Rule, make_rule
from .alreadypaid import already_paid_rows

T = TypeVar("T")


@dataclass
class RuleCount:
    """One rule's share of a report's findings, by severity."""

    rule: str
    citation: str
    by_severity: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(self.by_severity.values())


@dataclass
class Report:
    program: Program
    file: str
    layout: Layout
    rows: int = 0
    rows_with_errors: set[int] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    skipped: list[tuple[RuleSpec, str]] = field(default_factory=list)
    labels: dict[int, str] = field(default_factory=dict)  # who a row with findings is about

    @property
    def valid_rows(self) -> int:
        return self.rows - len(self.rows_with_errors)

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    def sorted_findings(self) -> list[Finding]:
        """By row, then by the column's place in the sheet, then rule (stable for tests)."""
        place = self.layout.columns
        return sorted(
            self.findings,
            key=lambda f: (
                f.row if f.row is not None else 1 << 30,
                place.get(f.column or "", 1 << 20),
                f.rule,
                f.message,
            ),
        )

    def add_row(self, view: RowView, findings: list[Finding]) -> None:
        """Count a row and keep its findings (validate and subsidy both report this way)."""
        self.rows += 1
        if findings:
            self._keep(view, findings)

    def add_rows(self, checked: CheckedBatch) -> None:
        """Count a checked batch's rows and keep the findings of those that have any: a row
        without findings is only counted (no view of it is made)."""
        self.rows += len(checked)
        for index, findings in checked.flagged():
            self._keep(checked.view(index), findings)

    def _keep(self, view: RowView, findings: list[Finding]) -> None:
        self.findings.extend(findings)
        self.labels[view.number] = row_label(view)
        if any(f.severity == "error" for f in findings):
            self.rows_with_errors.add(view.number)

    def add_sheet_findings(self, findings: list[Finding]) -> None:
        """Findings known only after the last row (quotas, shares, class tallies)."""
        self.findings.extend(findings)
        self.rows_with_errors.update(
            f.row for f in findings if f.row is not None and f.severity == "error"
        )

    def by_rule(self) -> list[RuleCount]:
        """How many findings each rule made, most first, with its citation: the summary a
        table too long to print ends with."""
        counts: dict[str, RuleCount] = {}
        for finding in self.findings:
            entry = counts.get(finding.rule)
            if entry is None:
                counts[finding.rule] = entry = RuleCount(finding.rule, finding.citation)
            entry.by_severity[finding.severity] = entry.by_severity.get(finding.severity, 0) + 1
        return sorted(counts.values(), key=lambda entry: (-entry.count, entry.rule))

    def to_json(self) -> dict[str, Any]:
        return {
            "program": self.program.id,
            "file": self.file,
            "rows": self.rows,
            "valid_rows": self.valid_rows,
            "findings": [f.to_json() for f in self.sorted_findings()],
            "skipped": [{"rule": spec.id, "reason": reason} for spec, reason in self.skipped],
        }


_OUTCOME_LIMIT = 100_000  # distinct input combinations remembered per rule


def _key_value(value: Any) -> Any:
    # True == 1 in Python; keep a bool cell apart from a number cell in the outcome table
    return ("bool", value) if isinstance(value, bool) else value


def _outcome_keys(batch: Batch, columns: tuple[str, ...], filled: tuple[str, ...]) -> list[Any]:
    """Per row of ``batch``, what a pure rule's outcome depends on: the cells of ``columns``
    (a bool cell kept apart from the number equal to it) and whether each of ``filled`` is
    blank; a tuple of them, or the one alone when there is one (a rule's keys are always of
    the one form, its inputs being fixed)."""
    parts: list[Iterable[Any]] = []
    for column in columns:
        values = batch.column(column)
        parts.append(map(_key_value, values) if bool in set(map(type, values)) else values)
    parts.extend(map(is_blank, batch.column(column)) for column in filled)
    if not parts:
        return [()] * len(batch)
    if len(parts) == 1:  # one cell a key: the cell itself (no tuple made a row)
        return list(parts[0])
    return list(zip(*parts, strict=True))


def _outcome(rule: Rule, view: RowView) -> tuple[tuple[Finding, ...], CellProblem | None]:
    found: list[Finding] = []
    try:
        found.extend(rule.check(view))
    except CellProblem as problem:
        return tuple(found), problem
    return tuple(found), None


class Checker:
    """The rules of one program for one sheet, fed row by row (the subsidy run shares it)."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.rules: list[Rule] = []
        self.skipped: list[tuple[RuleSpec, str]] = []
        for spec in context.program.rules_for(context.layout.kind):
            rule = make_rule(spec, context)
            reason = rule.skip_reason()
            if reason is None:
                self.rules.append(rule)
            else:
                self.skipped.append((spec, spec.skipped_because(reason)))
        # pure rules are answered from a table of the outcomes seen for the same input cells
        self._plan: list[tuple[Rule, tuple[str, ...] | None, tuple[str, ...], dict[Any, Any]]] = []
        for rule in self.rules:
            columns = rule.inputs() if rule.pure else None
            filled = rule.presence() if rule.pure else ()
            self._plan.append((rule, columns, filled, {}))

    def check_row(self, row: Row) -> tuple[RowView, list[Finding]]:
        return self.check_rows([row])[0]

    def check_rows(self, rows: list[Row]) -> list[tuple[RowView, list[Finding]]]:
        """Rows in order with their findings: the kinds evaluated a column at a time over all
        of ``rows`` (findings made only for the rows they flag), the registered functions row
        by row; each row's findings in the program's rule order."""
        batch = Batch([row.number for row in rows], [row.cells for row in rows])
        views = [RowView(row, self.context) for row in rows]
        found = self._check(batch, views.__getitem__)
        return [(view, found.get(k, [])) for k, view in enumerate(views)]

    def check_batch(self, rows: RowBatch) -> CheckedBatch:
        """A batch of the reader's rows checked as :meth:`check_rows` checks rows, straight
        from its columns: a row's view is made only when a registered function must see it
        or when asked for later; a row whose control characters were removed gets a warning
        for each such cell after its rules' findings."""
        checked = CheckedBatch(rows, self.context)
        batch = Batch.of_columns(rows.numbers, rows.columns)
        checked.findings = self._check(batch, checked.view, rows.types)
        program = self.context.program
        for k, columns in rows.cleaned.items():
            if columns:
                checked.findings.setdefault(k, []).extend(
                    _control_findings(rows.numbers[k], columns, program)
                )
        return checked

    def _check(
        self,
        batch: Batch,
        view: Callable[[int], RowView],
        types: dict[str, frozenset[type]] | None = None,
    ) -> dict[int, list[Finding]]:
        """The findings of the rows of ``batch`` that have any, by index, in rule order;
        ``view`` gives a row's view to the rules that read one, ``types`` the cell types of
        columns the reader found (the memo asks no pass over them)."""
        memo = self.context.memo
        memo.next_batch()  # the last batch's columns are not asked again
        for name, cell_types in (types or {}).items():
            memo.know_types(batch.column(name), cell_types)
        findings: dict[int, list[Finding]] = {}
        numbers = batch.numbers
        # per row (by index), the columns whose unreadable cell is reported already: once a row
        reported: dict[int, set[str]] = {}

        def unreadable(rule: Rule, k: int, broken: CellProblem) -> None:
            seen = reported.setdefault(k, set())
            if broken.column not in seen:
                seen.add(broken.column)
                findings.setdefault(k, []).append(
                    rule.finding(numbers[k], broken.column, broken.message, "error")
                )

        for rule, columns, filled, outcomes in self._plan:
            if isinstance(rule, Kind):
                for k, (found, broken) in rule.check_batch(batch).items():
                    if found:
                        findings.setdefault(k, []).extend(found)
                    if broken is not None:
                        unreadable(rule, k, broken)
                continue
            if columns is None:
                for k in range(len(batch)):
                    said: list[Finding] = []
                    try:
                        said.extend(rule.check(view(k)))
                    except CellProblem as problem:
                        if said:
                            findings.setdefault(k, []).extend(said)
                            said = []
                        unreadable(rule, k, problem)
                    if said:
                        findings.setdefault(k, []).extend(said)
                continue
            if not columns and not filled and len(batch):
                # reads no cell: one outcome for every row, known after the first batch
                outcome = outcomes.get(())
                if outcome is None:
                    outcome = outcomes[()] = _outcome(rule, view(len(batch) - 1))
                if not outcome[0] and outcome[1] is None:
                    continue
            keys = _outcome_keys(batch, columns, filled)
            # each distinct key of the batch answered once (from its last row: a pure rule's
            # outcome depends on the key alone), then the rows whose key has something to say
            saying: dict[Any, tuple[tuple[Finding, ...], CellProblem | None]] = {}
            for key, k in dict(zip(keys, range(len(keys)), strict=True)).items():
                outcome = outcomes.get(key)
                if outcome is None:
                    outcome = _outcome(rule, view(k))
                    if len(outcomes) < _OUTCOME_LIMIT:
                        outcomes[key] = outcome
                if outcome[0] or outcome[1] is not None:
                    saying[key] = outcome
            if not saying:
                continue
            for k, key in enumerate(keys):
                outcome = saying.get(key)
                if outcome is None:
                    continue
                said_before, broken = outcome
                if said_before:
                    number = numbers[k]
                    findings.setdefault(k, []).extend(
                        Finding(number, f.column, f.rule, f.severity, f.message, f.citation)
                        for f in said_before
                    )
                if broken is not None:
                    unreadable(rule, k, broken)
        self.context.memo.next_batch()  # nor kept alive while the next batch is read
        return findings

    def finish(self) -> list[Finding]:
        return [finding for rule in self.rules for finding in rule.late()]


def open_sheet(
    path: Path, program: Program, kind: str | None = None, institution: str | None = None
) -> SheetReader:
    """Open the workbook and check that its kind and required columns suit the program.

    A sheet without a 培训机构 column takes the institution named above its header, else
    ``institution`` (``--institution``), as every row's 培训机构 (INTERFACE.md "Payee")."""
    if kind is not None and kind not in program.sheets:  # asked for: say so before reading
        accepted = "、".join(f"{SHEET_KIND_NAMES[k]}（{k}）" for k in program.sheets)
        asked = SHEET_KIND_NAMES.get(kind)  # any text may come from a library caller
        raise InputError(
            f"项目 {program.id} 没有{asked}（{kind}）；只接受：{accepted}"
            if asked
            else f"表的种类「{kind}」不存在；项目 {program.id} 接受：{accepted}",
            file=path,
        )
    reader = SheetReader(path, kind=kind, columns=program.column_set())
    layout = reader.layout
    if not layout.has("培训机构") and layout.kind in PERSON_KINDS:
        named = layout.facts.get("培训机构") or (institution or "").strip()
        if named:
            layout = reader.layout = replace(layout, constants={"培训机构": named})
    if layout.kind not in program.sheets:
        accepted = "、".join(SHEET_KIND_NAMES[k] for k in program.sheets)
        raise InputError(
            f"这是一张{SHEET_KIND_NAMES[layout.kind]}（第{layout.header_row}行表头），"
            f"项目 {program.id} 只接受：{accepted}",
            file=path,
            sheet=layout.sheet,
        )
    missing = [c for c in program.sheets[layout.kind].required if not layout.has(c)]
    if missing:
        raise InputError(
            f"第{layout.header_row}行表头缺少必需的列：{'、'.join(missing)}",
            file=path,
            sheet=layout.sheet,
        )
    return reader


def make_context(
    program: Program,
    layout: Layout,
    *,
    params: LocalParams,
    search: SearchPath,
    as_of: date | None = None,
    ledger: Any = None,
) -> Context:
    return Context(
        program=program,
        layout=layout,
        params=params,
        catalog_loader=lambda catalog_id: load_catalog(catalog_id, search),
        as_of=as_of,
        ledger=ledger,
    )


def row_label(view: RowView) -> str:
    """A short, masked description of the row's person or unit for tables."""
    if view.has("姓名"):
        result = view.resident_id()
        shown = mask_id(result.value) if result.value else ""
        return f"{view.text('姓名')} {shown}".strip()
    return view.text("单位名称") or view.text("企业名称")  # a plan row names its enterprise


PROGRESS_EVERY = 500


def counted(rows: Iterable[T], progress: Callable[[int], None] | None) -> Iterator[T]:
    """``rows`` as they are, telling ``progress`` how many went by every
    :data:`PROGRESS_EVERY` (nothing when it is None)."""
    if progress is None:
        yield from rows
        return
    for done, row in enumerate(rows, start=1):
        yield row
        if done % PROGRESS_EVERY == 0:
            progress(done)


CONTROL_RULE = "control-characters"


def control_findings(row: Row, program: Program) -> list[Finding]:
    """A warning for each cell of ``row`` whose control characters were removed when read."""
    return _control_findings(row.number, row.cleaned, program)


def _control_findings(number: int, cleaned: tuple[str, ...], program: Program) -> list[Finding]:
    return [
        Finding(
            number,
            column,
            CONTROL_RULE,
            "warning",
            "单元格中有不可见的控制字符（如换页符、ESC），已删除后再核对；请在原表中清除",
            program.document,
        )
        for column in cleaned
    ]


HIDDEN_RULE = "hidden-cells"
_LISTED = 20


def _listed(items: list[str]) -> str:
    shown = "、".join(items[:_LISTED])
    return shown + (f" 等 {len(items)} 处" if len(items) > _LISTED else "")


def hidden_findings(reader: SheetReader, program: Program) -> list[Finding]:
    """A sheet-level review finding naming the hidden rows and the hidden read columns that
    hold data: the clerk reviewing the sheet in Excel never sees them."""
    hidden = reader.hidden
    if hidden is None:
        return []
    layout = reader.layout
    found: list[Finding] = []
    if reader.hidden_data_rows:
        rows = [f"第{number}行" for number in reader.hidden_data_rows]
        found.append(
            Finding(
                None,
                None,
                HIDDEN_RULE,
                "review",
                f"{_listed(rows)}在 Excel 中被隐藏（或行高为 0），但有数据，已照常核对；"
                "请取消隐藏后复核这些行",
                program.document,
            )
        )
    columns = [
        f"{letter}列（{name}）"
        for name, letter in layout.letters.items()
        if hidden.hides_column(column_number(letter))
    ]
    if columns:
        found.append(
            Finding(
                None,
                None,
                HIDDEN_RULE,
                "review",
                f"{_listed(columns)}在 Excel 中被隐藏，但本工具读取并核对了它们；请取消隐藏后复核",
                program.document,
            )
        )
    return found


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


class CheckedBatch:
    """A batch of rows checked: the findings of the rows that have any (by index in the
    batch, each row's in the program's rule order) and the rows' views, each made when first
    asked for (validate makes none for a row without findings)."""

    def __init__(self, rows: RowBatch, context: Context) -> None:
        self.rows = rows
        self.context = context
        self.findings: dict[int, list[Finding]] = {}
        self._views: dict[int, RowView] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def view(self, index: int) -> RowView:
        """Row ``index``'s view (its :class:`Row` made from the columns the first time)."""
        view = self._views.get(index)
        if view is None:
            view = self._views[index] = RowView(self.rows.row(index), self.context)
        return view

    def flagged(self) -> Iterator[tuple[int, list[Finding]]]:
        """The rows with findings, in order, by index, with their findings."""
        for index in sorted(self.findings):
            yield index, self.findings[index]

    def each(self) -> Iterator[tuple[RowView, list[Finding]]]:
        """Every row in order with its view and its findings (a list of its own, empty when
        the row has none): for a consumer that sees every row."""
        made = self._views
        context = self.context
        findings = self.findings
        for index, row in enumerate(self.rows.rows()):
            view = made.get(index)
            if view is None:
                view = RowView(row, context)
            yield view, findings.get(index) or []


def checked_rows(reader: SheetReader, checker: Checker) -> Iterator[tuple[RowView, list[Finding]]]:
    """Every row of the sheet with its view and findings, checked a batch at a time."""
    for rows in reader.batches(BATCH_ROWS):
        yield from checker.check_batch(rows).each()


class RowConsumer(Protocol):
    """What a run makes of the checked rows besides the report: a subsidy run's lines, a
    levy's lines. :func:`run_sheet` feeds it every row, then the rows' late findings."""

    def row(self, view: RowView, findings: list[Finding]) -> None:
        """One checked row with the findings the rules gave it (read them, do not change them)."""

    def late(self, findings: list[Finding]) -> list[Finding]:
        """The sheet's findings known only after the last row (across-row rules) and any
        added later (a batch's cross-file ones), to apply to the rows' lines; returns the
        findings it makes in turn, for the report."""


C = TypeVar("C", bound=RowConsumer)


# the sheet's duplicate table, tallies and findings live until the end: the collector would
# walk them again and again, more often the longer the sheet
@collector_paused()
def run_sheet(
    path: Path,
    program: Program,
    *,
    params: LocalParams,
    search: SearchPath,
    consumer: Callable[[Report], C] | None = None,
    kind: str | None = None,
    as_of: date | None = None,
    ledger: Any = None,
    paid_on_rows: bool = True,
    shown_name: str | None = None,
    institution: str | None = None,
    on_row: Callable[[RowView], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[Report, C | None]:
    """The one loop every sheet goes through (validate, subsidy and levy alike): open the
    sheet (:func:`open_sheet`: guard, reader, header), check its rows in batches with the
    program's :class:`Checker`, then add the sheet-level findings (the rules' late ones and
    the hidden cells).

    ``consumer``, when given, is called with the (still empty) report once the sheet is open
    and before any rule is built (it may refuse the sheet: an InputError stops the run), and
    the :class:`RowConsumer` it returns sees every checked row and then the rules' late
    findings; the report and that consumer come back. ``on_row`` sees every row's view as
    it goes by and ``progress`` hears how many rows are done (every :data:`PROGRESS_EVERY`).
    With a ``ledger`` the rules that read it do, and, when ``paid_on_rows``, a line an
    earlier run paid is a finding of its row (a subsidy run refuses such lines at the end
    instead, through its consumer)."""
    reader = open_sheet(path, program, kind, institution)
    report = Report(program=program, file=shown_name or str(path), layout=reader.layout)
    taker = consumer(report) if consumer is not None else None
    context = make_context(
        program, reader.layout, params=params, search=search, as_of=as_of, ledger=ledger
    )
    checker = Checker(context)
    report.skipped.extend(checker.skipped)
    # no ledger file yet (the default one not made): nothing was paid, no key need be made
    paid_check = ledger is not None and paid_on_rows and not getattr(ledger, "empty", False)
    every_row = on_row is not None or taker is not None or paid_check
    # a line an earlier run paid joins its row's findings after the consumer saw the row;
    # the ledger is asked once a batch of rows
    waiting: list[tuple[RowView, list[Finding]]] = []
    done = 0
    for rows in reader.batches(BATCH_ROWS):
        checked = checker.check_batch(rows)
        if not every_row:  # validate: the rows counted, views made for those with findings
            report.add_rows(checked)
            if progress is not None:
                for mark in range(
                    done - done % PROGRESS_EVERY + PROGRESS_EVERY,
                    done + len(checked) + 1,
                    PROGRESS_EVERY,
                ):
                    progress(mark)
            done += len(checked)
            # the batch let go before the reader makes the next one: one batch's cells
            # alive at a time, not two
            del rows, checked
            continue
        for view, findings in checked.each():
            if on_row is not None:
                on_row(view)
            if taker is not None:
                taker.row(view, findings)
            if paid_check:
                waiting.append((view, findings))
                if len(waiting) >= BATCH_ROWS:
                    _add_with_paid(report, program, waiting, ledger)
                    waiting = []
            else:
                report.add_row(view, findings)
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done)
    _add_with_paid(report, program, waiting, ledger)
    late = checker.finish()
    report.add_sheet_findings(late)
    report.add_sheet_findings(hidden_findings(reader, program))
    if taker is not None:
        report.add_sheet_findings(taker.late(late))
    return report, taker


def _add_with_paid(
    report: Report, program: Program, rows: list[tuple[RowView, list[Finding]]], ledger: Any
) -> None:
    """Add ``rows`` to the report, each with its lines an earlier run already paid."""
    for (view, findings), paid in zip(
        rows, already_paid_rows(program, [v for v, _ in rows], ledger), strict=True
    ):
        findings.extend(paid)
        report.add_row(view, findings)


def validate_sheet(
    path: Path,
    program: Program,
    *,
    kind: str | None = None,
    as_of: date | None = None,
    params: LocalParams | None = None,
    params_file: Path | None = None,
    search: SearchPath | None = None,
    ledger: Any = None,
    shown_name: str | None = None,
    institution: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Check every row of ``path`` against ``program``; findings come back as data.

    ``progress``, when given, is called with the number of rows checked so far, every
    :data:`PROGRESS_EVERY` rows (a progress bar on a terminal)."""
    search = search or SearchPath("catalogs")
    if params is None:
        params = load_params(params_file, program, ProgramFiles(search, program))
    report, _ = run_sheet(
        path,
        program,
        params=params,
        search=search,
        kind=kind,
        as_of=as_of,
        ledger=ledger,
        shown_name=shown_name,
        institution=institution,
        progress=progress,
    )
    return report
