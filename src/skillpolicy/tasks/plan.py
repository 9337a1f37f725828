"""City training plans up, indicative targets down (Fujian 2013 二).

Each 设区市 reports its key enterprises and planned trainees (a plan sheet: 设区市, 企业名称,
行业, 职业(工种), 计划人数, 承训机构, 本地院校, 报送日期). :func:`summarise_plans` checks every
plan file by the program's plan rules and totals them per city, industry and institution;
:func:`write_summary_workbook` writes the province's view with an empty
指导性培训计划指标 column for the province to fill, and :func:`read_targets` reads that
column back as each city's indicative target.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

from ..check.validate import Report, run_sheet
from ..domain.errors import InputError
from ..domain.findings import Finding
from ..domain.values import ValueProblem, cell_text, is_blank, parse_int
from ..io.fileio import write_atomically
from ..io.resources import SearchPath
from ..io.xlsxout import print_setup, put, set_widths, write_row
from ..policy.params import LocalParams
from ..policy.programs import Program
from ..rules import CellProblem, RowView

PLAN_KIND = "plan"
TARGET_HEADER = "指导性培训计划指标"
CITY_SHEET = "按设区市"
NO_INDUSTRY = "（未填行业）"
NO_INSTITUTION = "（未填承训机构）"


@dataclass
class PlanLine:
    """One readable plan row (its 计划人数 a whole number >= 1)."""

    file: str
    row: int
    city: str
    enterprise: str
    industry: str
    occupation: str
    planned: int
    institution: str
    local: bool | None


@dataclass
class Totals:
    """Planned trainees of one city, industry or institution."""

    planned: int = 0
    outside: int = 0  # planned with an institution outside the city's own schools (本地院校 否)
    enterprises: set[str] = field(default_factory=set)

    def add(self, line: PlanLine) -> None:
        self.planned += line.planned
        self.outside += line.planned if line.local is False else 0
        self.enterprises.add(line.enterprise)

    @property
    def outside_share(self) -> Decimal | None:
        return Decimal(self.outside) / Decimal(self.planned) if self.planned else None


@dataclass
class PlanSummary:
    program: Program
    reports: list[Report]
    lines: list[PlanLine] = field(default_factory=list)
    targets: dict[str, int] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return any(report.has_errors for report in self.reports)

    def by(self, key: str) -> dict[str, Totals]:
        """Totals per ``city``, ``industry`` or ``institution``, in first-seen order."""
        totals: dict[str, Totals] = defaultdict(Totals)
        for line in self.lines:
            totals[getattr(line, key)].add(line)
        return dict(totals)

    @property
    def total(self) -> int:
        return sum(line.planned for line in self.lines)

    def to_json(self) -> dict[str, Any]:
        def rows(key: str) -> list[dict[str, Any]]:
            return [
                {
                    "name": name,
                    "planned": t.planned,
                    "outside": t.outside,
                    "enterprises": len(t.enterprises),
                    **({"target": self.targets.get(name)} if key == "city" else {}),
                }
                for name, t in self.by(key).items()
            ]

        return {
            "program": self.program.id,
            "files": [report.file for report in self.reports],
            "planned": self.total,
            "cities": rows("city"),
            "industries": rows("industry"),
            "institutions": rows("institution"),
            "findings": [
                {"file": report.file, **finding.to_json()}
                for report in self.reports
                for finding in report.sorted_findings()
            ],
        }


def _line(view: RowView, file: str) -> PlanLine | None:
    try:
        planned = view.int("计划人数", minimum=1)
        local = view.yes_no("本地院校") if view.has("本地院校") else None
    except CellProblem:
        return None
    if planned is None:
        return None
    return PlanLine(
        file=file,
        row=view.number,
        city=view.text("设区市"),
        enterprise=view.text("企业名称"),
        industry=(view.text("行业") if view.has("行业") else "") or NO_INDUSTRY,
        occupation=view.text("职业(工种)"),
        planned=planned,
        institution=(view.text("承训机构") if view.has("承训机构") else "") or NO_INSTITUTION,
        local=local,
    )


class _PlanRows:
    """The loop's consumer for a plan file: each readable row's plan line, into the summary."""

    def __init__(self, summary: PlanSummary, file: str) -> None:
        self.summary = summary
        self.file = file

    @classmethod
    def maker(cls, summary: PlanSummary, file: str) -> Callable[[Report], _PlanRows]:
        return lambda report: cls(summary, file)

    def row(self, view: RowView, findings: list[Finding]) -> None:
        line = _line(view, self.file)
        if line is not None:
            self.summary.lines.append(line)

    def late(self, findings: list[Finding]) -> list[Finding]:
        return []  # a plan line has no status for a late finding to change


def summarise_plans(
    paths: Iterable[Path],
    program: Program,
    *,
    params: LocalParams,
    search: SearchPath | None = None,
    ledger: Any = None,
) -> PlanSummary:
    """Check every plan file by the program's plan rules and collect its readable rows;
    ``ledger`` (when given) is what plan-no-repeat reads."""
    if PLAN_KIND not in program.sheets:
        raise InputError(f"项目 {program.id} 没有培训计划表（[sheets.plan]）")
    search = search or SearchPath("catalogs")
    files = list(paths)
    summary = PlanSummary(program=program, reports=[])
    for path in files:
        report, _ = run_sheet(
            path,
            program,
            params=params,
            search=search,
            consumer=_PlanRows.maker(summary, str(path)),
            kind=PLAN_KIND,
            ledger=ledger,
            paid_on_rows=False,  # a plan pays nothing: the ledger is plan-no-repeat's to read
        )
        summary.reports.append(report)
    if not summary.lines and not summary.has_errors:
        raise InputError("培训计划表中没有计划行", file=files[0] if files else None)
    return summary


CITY_COLUMNS: list[tuple[str, float]] = [
    ("序号", 6),
    ("设区市", 14),
    ("重点企业数", 10),
    ("计划人数", 10),
    ("本地院校以外承训人数", 14),
    ("本地院校以外占比", 12),
    (TARGET_HEADER, 16),
]
GROUP_COLUMNS: list[tuple[str, float]] = [
    ("序号", 6),
    ("名称", 34),
    ("重点企业数", 10),
    ("计划人数", 10),
]
DETAIL_COLUMNS: list[tuple[str, float]] = [
    ("序号", 6),
    ("设区市", 12),
    ("企业名称", 30),
    ("行业", 14),
    ("职业(工种)", 16),
    ("计划人数", 10),
    ("承训机构", 28),
    ("本地院校", 8),
    ("来源文件", 24),
    ("行号", 6),
]


def write_summary_workbook(summary: PlanSummary, target: Path) -> None:
    """按设区市 (with the empty 指导性培训计划指标 column the province fills), 按行业,
    按承训机构 and 明细, each with a total row and print setup."""
    program = summary.program
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = CITY_SHEET
    put(sheet.cell(row=1, column=1), f"{program.title}各设区市培训计划汇总表")
    sheet.cell(row=1, column=1).font = openpyxl.styles.Font(bold=True, size=14)
    put(
        sheet.cell(row=2, column=1),
        f"依据：{program.document} 二；省厅平衡后在“{TARGET_HEADER}”列填写各地指标；"
        f"制表日期：{date.today().isoformat()}",
    )
    top = 3
    write_row(sheet, top, [name for name, _ in CITY_COLUMNS], header=True)
    cities = summary.by("city")
    for number, (city, totals) in enumerate(cities.items(), start=1):
        share = totals.outside_share
        write_row(
            sheet,
            top + number,
            [
                number,
                city,
                len(totals.enterprises),
                totals.planned,
                totals.outside,
                share.quantize(Decimal("0.0001")) if share is not None else None,
                summary.targets.get(city),
            ],
        )
        sheet.cell(row=top + number, column=6).number_format = "0.0%"
    last = top + len(cities) + 1
    write_row(
        sheet,
        last,
        ["合计", None, len({line.enterprise for line in summary.lines}), summary.total],
        header=True,
    )
    set_widths(sheet, [width for _, width in CITY_COLUMNS])
    sheet.freeze_panes = f"A{top + 1}"
    print_setup(sheet, header_rows=(top, top))
    for title, key in (("按行业", "industry"), ("按承训机构", "institution")):
        group = workbook.create_sheet(title)
        write_row(group, 1, [name for name, _ in GROUP_COLUMNS], header=True)
        totals_by = summary.by(key)
        for number, (name, totals) in enumerate(totals_by.items(), start=1):
            write_row(group, 1 + number, [number, name, len(totals.enterprises), totals.planned])
        write_row(group, len(totals_by) + 2, ["合计", None, None, summary.total], header=True)
        set_widths(group, [width for _, width in GROUP_COLUMNS])
        group.freeze_panes = "A2"
        print_setup(group)
    detail = workbook.create_sheet("明细")
    write_row(detail, 1, [name for name, _ in DETAIL_COLUMNS], header=True)
    for number, line in enumerate(summary.lines, start=1):
        local = {True: "是", False: "否", None: None}[line.local]
        write_row(
            detail,
            1 + number,
            [
                number,
                line.city,
                line.enterprise,
                line.industry,
                line.occupation,
                line.planned,
                line.institution,
                local,
                Path(line.file).name,
                line.row,
            ],
        )
    set_widths(detail, [width for _, width in DETAIL_COLUMNS])
    detail.freeze_panes = "A2"
    print_setup(detail, landscape=True)
    write_atomically(target, workbook.save, private=False)


def targets_program(path: Path, programs: Iterable[Program]) -> Program:
    """The program whose city plans a filled summary answers (``report monthly --targets``):
    the one program with a plan sheet, or, with several, the one its title row names."""
    planning = [program for program in programs if PLAN_KIND in program.sheets]
    if len(planning) == 1:
        return planning[0]
    title = ""
    if planning:
        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
            if CITY_SHEET in workbook.sheetnames:
                title = cell_text(workbook[CITY_SHEET].cell(row=1, column=1).value)
            workbook.close()
        except Exception:  # read_targets says what is wrong with the file
            title = ""
    named = [program for program in planning if title.startswith(program.title)]
    if len(named) == 1:
        return named[0]
    raise InputError(
        "无法确定指标属于哪个项目：请用 plan summary 生成的汇总表（首行为项目名称）", file=path
    )


def read_targets(path: Path) -> dict[str, int]:
    """Each city's 指导性培训计划指标 from the 按设区市 sheet of a summary the province
    filled in; a blank cell is a city without a target yet (left out)."""
    if not path.is_file():
        raise InputError("指标文件不存在", file=path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # a file that is not a workbook: one line, exit 2
        raise InputError(f"不是可读的 .xlsx 工作簿（{type(error).__name__}）", file=path) from None
    if CITY_SHEET not in workbook.sheetnames:
        raise InputError(f"没有“{CITY_SHEET}”工作表；请用 plan summary 生成的汇总表", file=path)
    sheet = workbook[CITY_SHEET]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    header = next(
        (
            (index, texts)
            for index, texts in enumerate([cell_text(v).strip() for v in row] for row in rows)
            if "设区市" in texts and TARGET_HEADER in texts
        ),
        None,
    )
    if header is None:
        raise InputError(f"找不到含“设区市”和“{TARGET_HEADER}”的表头", file=path, sheet=CITY_SHEET)
    index, texts = header
    city_at, target_at = texts.index("设区市"), texts.index(TARGET_HEADER)
    targets: dict[str, int] = {}
    for number, row in enumerate(rows[index + 1 :], start=index + 2):
        city = cell_text(row[city_at]).strip() if city_at < len(row) else ""
        value = row[target_at] if target_at < len(row) else None
        if not city or city == "合计" or is_blank(value):
            continue
        try:
            targets[city] = parse_int(value, minimum=0)
        except ValueProblem as problem:
            raise InputError(
                f"{TARGET_HEADER}{problem.message}",
                file=path,
                sheet=CITY_SHEET,
                row=number,
                column=TARGET_HEADER,
            ) from None
    return targets
