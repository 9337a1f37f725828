"""A folder of submissions at once: every roster checked (in parallel), the same person found
in two institutions' rosters, one summary workbook (汇总.xlsx), one payout over all files.

Usable without the CLI::

    batch = check_batch(expand_inputs([Path("报送/")]), program)
    write_summary(batch, Path("核对结果/汇总.xlsx"))

Each file is checked in a worker process (as many as the machine has cores, at most one per
file). A file that cannot be read becomes a :class:`FileResult` with its one-line ``error``;
the others are still checked. After all files are in, a person (the program's
``duplicate-person`` key columns) found in two files gets a ``duplicate-person`` error on
the first row of each file, naming the other files and rows: which institution trained them
must be settled before either is paid.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from ..check.validate import Report, row_label
from ..domain.errors import InputError, SkillpolicyError
from ..domain.findings import Finding
from ..domain.money import format_amount
from ..domain.values import fold
from ..io.resources import SearchPath
from ..io.sheet import Layout
from ..loading.programfiles import ProgramFiles
from ..policy.params import load_params
from ..policy.programs import Program, RuleSpec
from ..rules import RowView
from ..rules.keys import key_part, subject_of

Mode = Literal["validate", "subsidy"]
SUFFIXES = (".xlsx", ".xlsm")
SUMMARY_NAME = "汇总.xlsx"
DUPLICATE_RULE = "duplicate-person"
_NAMED = 3  # other occurrences named in one finding; more are counted

STATUS_OK = "无错误"
STATUS_ERRORS = "有错误"
STATUS_UNREADABLE = "无法读取"


@dataclass
class FileResult:
    """One file of a batch: its report (and payout), or why it could not be read."""

    path: Path
    shown: str  # the name printed and written for this file
    report: Report | None = None
    payout: Any = None  # a subsidy.Payout on a subsidy batch, or for the payable amount
    error: str | None = None  # one line: what could not be used, and where
    institution: str = ""
    keys: dict[tuple[str, ...], int] = field(default_factory=dict)  # person key -> first row
    key_column: str | None = None
    mode_is_subsidy: bool = False  # exit code and JSON follow `subsidy`, not `validate`

    @property
    def errors(self) -> int:
        return self._count("error")

    @property
    def warnings(self) -> int:
        return self._count("warning")

    def _count(self, severity: str) -> int:
        if self.report is None:
            return 0
        return sum(1 for f in self.report.findings if f.severity == severity)

    @property
    def payable(self) -> Decimal | None:
        """What the file pays as it stands (None when nothing could be computed)."""
        return None if self.payout is None else Decimal(self.payout.total)

    @property
    def status(self) -> str:
        if self.report is None:
            return STATUS_UNREADABLE
        return STATUS_ERRORS if self.report.has_errors else STATUS_OK

    @property
    def exit_code(self) -> int:
        """INTERFACE.md's exit code for this file alone."""
        if self.report is None:
            return 2
        if self.payout is not None and self.mode_is_subsidy:
            return 1 if self.payout.has_violations else 0
        return 1 if self.report.has_errors else 0

    def to_json(self, program: Program) -> dict[str, Any]:
        """The single-file JSON of ``validate`` (or ``subsidy``), or the file's error."""
        if self.report is None:
            return {"program": program.id, "file": self.shown, "error": self.error}
        if self.mode_is_subsidy and self.payout is not None:
            return {"file": self.shown, **self.payout.to_json()}
        return self.report.to_json()


@dataclass
class Batch:
    """Every file of a batch, in the order given."""

    program: Program
    files: list[FileResult]
    mode: Mode = "validate"

    @property
    def exit_code(self) -> int:
        """The worst file's exit code: 2 unreadable, 1 rule violations, else 0."""
        return max((f.exit_code for f in self.files), default=0)

    @property
    def readable(self) -> list[FileResult]:
        return [f for f in self.files if f.report is not None]

    def to_json(self) -> list[dict[str, Any]]:
        """A list, one object per file in the order given (README "A folder at once")."""
        return [f.to_json(self.program) for f in self.files]

    def total_payable(self) -> Decimal:
        return sum((f.payable for f in self.files if f.payable is not None), Decimal("0.00"))


def expand_inputs(items: Iterable[Path]) -> list[Path]:
    """Files as given, and for a folder every workbook directly in it, sorted by name
    (hidden files, Excel's ``~$`` lock files and a previous :data:`SUMMARY_NAME` skipped)."""
    found: list[Path] = []
    for item in items:
        if item.is_dir():
            inside = sorted(
                path
                for path in item.iterdir()
                if path.suffix.lower() in SUFFIXES
                and not path.name.startswith((".", "~$"))
                and path.name != SUMMARY_NAME
                and path.is_file()
            )
            if not inside:
                raise InputError("文件夹中没有 .xlsx 工作簿", file=item)
            found.extend(inside)
        else:
            found.append(item)
    seen: set[Path] = set()
    unique = []
    for path in found:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            unique.append(path)
    return unique


@dataclass(frozen=True)
class _Job:
    path: Path
    shown: str
    program: Program
    mode: Mode
    kind: str | None
    as_of: date | None
    params_file: Path | None
    search_dirs: tuple[Path, ...]
    ledger: str | None
    institution: str | None


class _People:
    """Each person's (or unit's) duplicate key with the first row it is on, the rows' labels
    and the institutions named, gathered from the rows as the one reading of a file goes by."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.keys: dict[tuple[str, ...], int] = {}
        self.labels: dict[int, str] = {}
        self.institutions: Counter[str] = Counter()
        self.layout: Layout | None = None
        self.spec: RuleSpec | None = None
        self.columns: list[str] = ["身份证号"]
        self.units = False

    def _rule(self, layout: Layout) -> RuleSpec | None:
        return next(
            (s for s in self.program.rules_for(layout.kind) if s.id == DUPLICATE_RULE), None
        )

    def _start(self, layout: Layout) -> None:
        self.layout = layout
        self.spec = self._rule(layout)
        self.columns = list((self.spec.params if self.spec else {}).get("columns", ["身份证号"]))
        self.units = not layout.has("身份证号") and layout.has("单位名称")

    def see(self, view: RowView) -> None:
        """One row: its institution, and its key unless an earlier row had that key."""
        layout = view.context.layout
        if self.layout is not layout:
            self._start(layout)
        if layout.has("培训机构"):
            self.institutions[view.text("培训机构")] += 1
        if self.spec is None:
            return
        if self.units:
            subject = subject_of(view)
            if not subject:
                return
            by_code = layout.has("统一社会信用代码") and not view.blank("统一社会信用代码")
            key: tuple[str, ...] = ("code" if by_code else "name", fold(subject))
        else:
            result = view.resident_id()
            if not result.ok:
                return
            key = (result.value, *(key_part(view, c) for c in self.columns[1:] if layout.has(c)))
        if key not in self.keys:
            self.keys[key] = view.number
            self.labels[view.number] = row_label(view)

    def institution(self, layout: Layout) -> str:
        """The institution most rows name, else the one named above the header."""
        self.institutions.pop("", None)
        named = self.institutions.most_common(1)[0][0] if self.institutions else ""
        return named or layout.facts.get("单位名称", "")

    def key_column(self, layout: Layout) -> str | None:
        """The column a cross-file finding points at (None: the kind has no such rule)."""
        if self._rule(layout) is None:
            return None
        units = not layout.has("身份证号") and layout.has("单位名称")
        if not units:
            return "身份证号"
        return "统一社会信用代码" if layout.has("统一社会信用代码") else "单位名称"


def _check(job: _Job) -> FileResult:
    """One file, in a worker process, read once: its report, its payout (the payable amount
    on a validate batch) and its people's keys. Never raises for the clerk's input."""
    from ..compute.subsidy import validate_and_compute
    from ..ledger.reading import open_for_reading

    result = FileResult(job.path, job.shown, mode_is_subsidy=job.mode == "subsidy")
    try:
        search = SearchPath("catalogs", list(job.search_dirs[:-1]))
        program = job.program
        params = load_params(job.params_file, program, ProgramFiles(search, program))
        people = _People(program)
        book = open_for_reading(job.ledger, missing_ok=job.mode == "subsidy")
        try:
            report, result.payout = validate_and_compute(
                job.path,
                program,
                mode=job.mode,
                params=params,
                kind=job.kind,
                as_of=job.as_of,
                search=search,
                ledger=book,
                shown_name=job.shown,
                institution=job.institution,
                on_row=people.see,
            )
        finally:
            book.close()
    except SkillpolicyError as error:
        result.error = str(error.located(file=job.shown))
        return result
    for number, label in people.labels.items():
        report.labels.setdefault(number, label)
    result.report = report
    result.keys = people.keys
    result.key_column = people.key_column(report.layout)
    result.institution = people.institution(report.layout)
    return result


def check_batch(
    paths: Sequence[Path],
    program: Program,
    *,
    mode: Mode = "validate",
    kind: str | None = None,
    as_of: date | None = None,
    params_file: Path | None = None,
    search: SearchPath | None = None,
    ledger: str | None = None,
    institution: str | None = None,
    shown_names: Sequence[str] | None = None,
    workers: int | None = None,
    on_file: Callable[[FileResult], None] | None = None,
) -> Batch:
    """Check every file of ``paths`` against ``program``, then across files.

    ``ledger`` is the ledger's location (None: the default one), opened to read in each
    worker. ``on_file`` hears each file as it is done (in the order they finish), before the
    cross-file findings are added. ``workers`` defaults to the machine's cores; 1 checks in
    this process. With ``mode="subsidy"`` each file's payout is kept for one payout
    (:func:`merged_payout`)."""
    search = search or SearchPath("catalogs")
    names = list(shown_names) if shown_names is not None else [str(p) for p in paths]
    jobs = [
        _Job(
            path,
            name,
            program,
            mode,
            kind,
            as_of,
            params_file,
            tuple(search.dirs),
            ledger,
            institution,
        )
        for path, name in zip(paths, names, strict=True)
    ]
    count = workers if workers is not None else min(os.cpu_count() or 1, len(jobs))
    results: dict[int, FileResult] = {}
    if count <= 1 or len(jobs) <= 1:
        for index, job in enumerate(jobs):
            results[index] = _check(job)
            if on_file is not None:
                on_file(results[index])
    else:
        with ProcessPoolExecutor(max_workers=count) as pool:
            futures = {pool.submit(_check, job): index for index, job in enumerate(jobs)}
            for future in as_completed(futures):
                results[futures[future]] = done = future.result()
                if on_file is not None:
                    on_file(done)
    batch = Batch(program, [results[i] for i in range(len(jobs))], mode)
    add_cross_file_duplicates(batch)
    return batch


def add_cross_file_duplicates(batch: Batch) -> None:
    """A ``duplicate-person`` error on the first row of each file a person is in, when two or
    more files hold that person (the same key columns as within one sheet)."""
    where: dict[tuple[str, ...], list[tuple[FileResult, int]]] = {}
    for result in batch.readable:
        for key, row in result.keys.items():
            where.setdefault(key, []).append((result, row))
    added: dict[int, list[Finding]] = {}
    for places in where.values():
        if len(places) < 2:
            continue
        for result, row in places:
            others = [(other, number) for other, number in places if other is not result]
            added.setdefault(id(result), []).append(
                _duplicate_finding(batch.program, result, row, others)
            )
    for result in batch.readable:
        found = added.get(id(result))
        if not found or result.report is None:
            continue
        result.report.add_sheet_findings(found)
        if result.payout is not None:
            from ..compute.refusals import apply_late_findings

            apply_late_findings(result.payout, found)


def _duplicate_finding(
    program: Program, result: FileResult, row: int, others: list[tuple[FileResult, int]]
) -> Finding:
    assert result.report is not None
    kind = result.report.layout.kind
    spec = next(s for s in program.rules_for(kind) if s.id == DUPLICATE_RULE)
    named = "、".join(f"{Path(o.shown).name} 第{n}行" for o, n in others[:_NAMED])
    if len(others) > _NAMED:
        named += f" 等 {len(others)} 处"
    who = "同一单位" if result.key_column != "身份证号" else "同一人"
    return Finding(
        row,
        result.key_column,
        DUPLICATE_RULE,
        "error",
        f"{who}也在另一份报送表中：{named}；{who}只能补贴一次，请核实由哪一家申报后删去其余的行",
        program.citation(spec.clause),
    )


SUMMARY_HEADERS = ("序号", "文件", "培训机构", "行数", "错误", "警告", "应发金额（元）", "状态")


def summary_rows(batch: Batch) -> list[list[Any]]:
    """One row per file, as 汇总.xlsx lists them (status names the error of an unreadable file)."""
    rows: list[list[Any]] = []
    for number, result in enumerate(batch.files, start=1):
        status = result.status
        if result.error is not None:
            status = f"{STATUS_UNREADABLE}：{result.error}"
        rows.append(
            [
                number,
                Path(result.shown).name,
                result.institution,
                result.report.rows if result.report is not None else None,
                result.errors if result.report is not None else None,
                result.warnings if result.report is not None else None,
                result.payable,
                status,
            ]
        )
    return rows


def write_summary(batch: Batch, target: Path) -> None:
    """汇总.xlsx: one row per file and a totals row, print-ready (owner-only: it names files
    and institutions, no identity numbers, but sits beside the annotated copies)."""
    from openpyxl import Workbook

    from ..io.fileio import write_atomically
    from ..io.xlsxout import append_row, print_setup, set_widths, write_row

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "汇总"
    write_row(sheet, 1, list(SUMMARY_HEADERS), header=True)
    rows = summary_rows(batch)
    for values in rows:
        append_row(sheet, values)
    readable = batch.readable
    append_row(
        sheet,
        [
            "合计",
            f"{len(batch.files)} 个文件",
            None,
            sum(r.report.rows for r in readable if r.report is not None),
            sum(r.errors for r in readable),
            sum(r.warnings for r in readable),
            batch.total_payable(),
            f"{sum(1 for r in batch.files if r.status == STATUS_ERRORS)} 个有错误，"
            f"{sum(1 for r in batch.files if r.error is not None)} 个无法读取",
        ],
    )
    for row in sheet.iter_rows(min_row=2, min_col=7, max_col=7):
        for cell in row:
            cell.number_format = "#,##0.00"
    set_widths(sheet, [6, 30, 30, 8, 8, 8, 16, 40])
    print_setup(sheet, landscape=True, wrap_from=2)
    write_atomically(target, book.save)


def annotated_name(result: FileResult, taken: set[str]) -> str:
    """The annotated copy's name in the output folder: ``<stem>-标注.xlsx``, numbered when two
    inputs share a name."""
    stem = Path(result.shown).stem
    name = f"{stem}-标注.xlsx"
    number = 2
    while name in taken:
        name = f"{stem}-标注-{number}.xlsx"
        number += 1
    taken.add(name)
    return name


def merged_payout(batch: Batch) -> Any:
    """One payout over every readable file of a subsidy batch: lines in file order, one file
    name (the files' names joined) and one checksum (over each file's), one report whose
    findings are every file's (their rows are each file's own)."""
    from ..compute.paylines import Payout

    payouts = [r.payout for r in batch.readable if r.payout is not None]
    if not payouts:
        raise InputError("没有可计算补贴的文件")
    first = payouts[0]
    digest = hashlib.sha256()
    for payout in payouts:
        digest.update(f"{Path(payout.file).name}\0{payout.file_hash}\n".encode())
    report = Report(
        program=batch.program,
        file="、".join(Path(p.file).name for p in payouts),
        layout=first.report.layout,
        skipped=list(first.report.skipped),
    )
    params: dict[str, str] = {}
    merged = Payout(
        program=batch.program,
        spec=first.spec,
        file=report.file,
        file_hash=digest.hexdigest(),
        report=report,
        params_used=params,
    )
    for payout in payouts:
        for line in payout.lines:  # the schedule's 原表 column names the file of each row
            line.source = Path(payout.file).name
        report.rows += payout.report.rows
        report.findings.extend(payout.report.findings)
        params.update(payout.params_used)
        merged.lines.extend(payout.lines)
    return merged


def batch_payout_json(batch: Batch, merged: Any) -> dict[str, Any]:
    """``subsidy``'s JSON for several files: the one payout, each line naming its file, and
    ``files``: per file its rows, counts and total, or its error."""
    payload: dict[str, Any] = merged.to_json()
    lines = iter(payload["lines"])
    files: list[dict[str, Any]] = []
    for result in batch.files:
        if result.payout is None:
            files.append({"file": result.shown, "error": result.error})
            continue
        payout = result.payout
        for _ in payout.lines:
            next(lines)["file"] = result.shown
        files.append(
            {
                "file": result.shown,
                "institution": result.institution,
                "rows": payout.report.rows,
                "total": format_amount(payout.total),
                "paid": payout.count("paid"),
                "pending": payout.count("pending"),
                "refused": payout.count("refused"),
            }
        )
    payload["files"] = files
    return payload
