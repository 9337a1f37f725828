"""The employee education fund levy (职工教育经费统筹征收), as a program file's levy sheet states it.

Not a payout: enterprises set aside 1.5%–2.5% of their payroll for staff training, and an
enterprise of scale (规模以上) that trains nobody has 60% of the amount it should have set
aside levied by the tax office. One enterprise a row; each row is ``levied``, ``exempt`` (with
the reason) or ``refused`` (the sheet has an error on that row: the rules' findings are the
reasons). The rates come from the program's ``[[rates]]``; nothing here hard-codes them.

    should_set_aside = payroll × rate             (rate blank: the floor), rounded to the fen
    amount           = share × should_set_aside   rounded half up to the fen

The amount is 60% *of the amount that should have been set aside* (按应提取职工教育经费的60%),
so it is computed from the rounded figure the line shows, and a clerk checking it by hand
gets the same fen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, TypeVar

import openpyxl

from ..check.validate import Report, run_sheet
from ..domain.errors import CatalogError, InputError
from ..domain.findings import Finding
from ..domain.identifiers import normalise_text
from ..domain.money import amount_in_words, format_amount, to_fen
from ..io.fileio import file_sha256, write_atomically
from ..io.resources import SearchPath
from ..io.xlsxout import WRAP, print_setup, put, set_widths, write_row
from ..loading.programfiles import list_programs
from ..policy.params import LocalParams
from ..policy.programs import SHEET_KIND_NAMES, Program, Rate
from ..rules import CellProblem, RowView
from ..rules.xuchang import (
    EDUCATION_FUND_CEILING,
    EDUCATION_FUND_FLOOR,
    EDUCATION_FUND_LEVY_SHARE,
    percent_text,
)

__all__ = ["Levy", "LevyLine", "LevyRates", "compute_levy", "write_levy_workbook"]

LevyStatus = Literal["levied", "exempt", "refused"]
STATUS_NAMES: dict[str, str] = {"levied": "征收", "exempt": "不征收", "refused": "退回更正"}
LEVY_KIND = "levy"
ZERO = Decimal("0.00")
TOTAL_LIMIT = Decimal(10) ** 12  # 1 万亿: amount_in_words writes amounts below it
MONEY_FORMAT = "#,##0.00"
T = TypeVar("T")


@dataclass(frozen=True)
class LevyRates:
    """The band an enterprise sets aside in and the share levied, from the program file."""

    floor: Rate
    ceiling: Rate
    share: Rate

    @classmethod
    def of(cls, program: Program) -> LevyRates:
        try:
            return cls(
                floor=program.rate(EDUCATION_FUND_FLOOR),
                ceiling=program.rate(EDUCATION_FUND_CEILING),
                share=program.rate(EDUCATION_FUND_LEVY_SHARE),
            )
        except KeyError as missing:
            raise CatalogError(
                f"项目 {program.id} 的 rates 中没有 {missing.args[0]}，无法核算职工教育经费",
                key="rates",
            ) from None


@dataclass
class LevyLine:
    row: int
    name: str
    code: str  # the credit code as written (normalised); a unit's, so never masked
    status: LevyStatus
    payroll: Decimal | None
    rate: Decimal | None  # the rate applied (the floor when the cell is blank)
    should_set_aside: Decimal
    amount: Decimal
    # why it is exempt (the levy's own finding) or refused (the rules' error findings)
    reasons: list[Finding] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "name": self.name,
            "id": self.code,
            "status": self.status,
            "payroll": format_amount(self.payroll) if self.payroll is not None else None,
            "rate": f"{self.rate.normalize():f}" if self.rate is not None else None,
            "should_set_aside": format_amount(self.should_set_aside),
            "amount": format_amount(self.amount),
            "reasons": [reason.reason_json() for reason in self.reasons],
        }


@dataclass
class Levy:
    """The result of a levy run: every enterprise's line, the total, what it was read from."""

    program: Program
    file: str
    file_hash: str
    report: Report
    rates: LevyRates
    lines: list[LevyLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.status == "levied"), ZERO)

    @property
    def has_violations(self) -> bool:
        """Exit 1: the sheet was read and has rule violations (an exempt row is not one)."""
        return self.report.has_errors

    def count(self, status: LevyStatus) -> int:
        return sum(1 for line in self.lines if line.status == status)

    def to_json(self) -> dict[str, Any]:
        return {
            "program": self.program.id,
            "currency": "CNY",
            "total": format_amount(self.total),
            "total_in_words": amount_in_words(self.total),
            "levied": self.count("levied"),
            "exempt": self.count("exempt"),
            "refused": self.count("refused"),
            "lines": [line.to_json() for line in self.lines],
        }


def _readable(read: Callable[[], T | None]) -> T | None:
    """A cell's value, or None when it is broken (its rule's finding already says so)."""
    try:
        return read()
    except CellProblem:
        return None


def _reference_day(view: RowView) -> date:
    """The row's reference date, the program's when its date cell cannot be read."""
    try:
        return view.reference_date()
    except CellProblem:
        return view.context.program.reference_date


class _Levier:
    """The loop's consumer in a levy run: turns each checked row into its line, then refuses
    the lines the late errors name (:func:`~skillpolicy.check.validate.run_sheet`)."""

    def __init__(self, levy: Levy) -> None:
        self.levy = levy
        self.program = levy.program
        self.rates = levy.rates
        self.citation = levy.program.citation(levy.rates.share.clause)

    def row(self, view: RowView, findings: list[Finding]) -> None:
        self.levy.lines.append(self.line(view, findings))

    def late(self, findings: list[Finding]) -> list[Finding]:
        late_errors: dict[int, list[Finding]] = {}
        for finding in findings:
            if finding.row is not None and finding.severity == "error":
                late_errors.setdefault(finding.row, []).append(finding)
        for line in self.levy.lines:
            errors = late_errors.get(line.row or -1)
            if errors:
                line.status, line.amount, line.should_set_aside = "refused", ZERO, ZERO
                line.reasons = list(errors)
        return []

    def reason(self, row: int, column: str, message: str) -> Finding:
        """Why an enterprise is exempt, from its ``column`` cell: a note (a warning), not a
        rule broken."""
        return Finding(row, column, "education-fund", "warning", message, self.citation)

    def line(self, view: RowView, findings: list[Finding]) -> LevyLine:
        payroll = _readable(lambda: view.decimal("职工工资总额"))
        given = _readable(lambda: view.ratio("提取比例")) if view.has("提取比例") else None
        rate_blank = not view.has("提取比例") or view.blank("提取比例")
        day = _reference_day(view)
        rate = self.rates.floor.on(day)[0] if rate_blank else given
        code = view.raw("统一社会信用代码") if view.has("统一社会信用代码") else None
        line = LevyLine(
            row=view.number,
            name=view.text("单位名称"),
            code=normalise_text(code).upper() if code is not None else "",
            status="refused",
            payroll=payroll,
            rate=rate,
            should_set_aside=ZERO,
            amount=ZERO,
        )
        errors = [f for f in findings if f.severity == "error"]
        if errors or payroll is None or rate is None:
            line.reasons = errors
            return line
        line.should_set_aside = to_fen(payroll * rate)
        floor = f"（未填提取比例，按下限{percent_text(rate)}计）" if rate_blank else ""
        if not view.yes_no("规模以上"):
            line.status = "exempt"
            line.reasons = [
                self.reason(
                    view.number,
                    "规模以上",
                    f"非规模以上企业，不统一征收；仍应按职工工资总额的"
                    f"{percent_text(self.rates.floor.on(day)[0])}—"
                    f"{percent_text(self.rates.ceiling.on(day)[0])}"
                    f"自行足额提取职工教育经费{floor}",
                )
            ]
        elif view.yes_no("开展职工培训"):
            line.status = "exempt"
            line.reasons = [
                self.reason(
                    view.number,
                    "开展职工培训",
                    f"已开展职工培训，职工教育经费由企业自行提取使用，不统一征收{floor}",
                )
            ]
        else:
            line.status = "levied"
            line.amount = to_fen(self.rates.share.on(day)[0] * line.should_set_aside)
        return line


def levy_programs(search: SearchPath) -> list[str]:
    return [p.id for p in list_programs(search) if LEVY_KIND in p.sheets]


def compute_levy(
    path: Path,
    program: Program,
    *,
    search: SearchPath | None = None,
    shown_name: str | None = None,
) -> Levy:
    """Check the levy sheet at ``path`` and compute every enterprise's line."""
    search = search or SearchPath("catalogs")
    if LEVY_KIND not in program.sheets:
        having = "、".join(levy_programs(search)) or "（无）"
        raise InputError(f"项目 {program.id} 没有职工教育经费征收；有此项的项目：{having}")
    rates = LevyRates.of(program)

    def start(report: Report) -> _Levier:
        layout = report.layout
        if layout.kind != LEVY_KIND:
            raise InputError(
                f"这是一张{SHEET_KIND_NAMES[layout.kind]}（第{layout.header_row}行表头），"
                f"不是{SHEET_KIND_NAMES[LEVY_KIND]}；征收表须有“单位名称”“职工工资总额”列",
                file=path,
                sheet=layout.sheet,
            )
        levy = Levy(
            program=program,
            file=shown_name or str(path),
            file_hash=file_sha256(path),
            report=report,
            rates=rates,
        )
        return _Levier(levy)

    # the levy reads no local parameter: the document fixes every number it needs
    params = LocalParams(program, {}, None)
    report, levier = run_sheet(
        path, program, params=params, search=search, consumer=start, shown_name=shown_name
    )
    assert levier is not None
    levy = levier.levy
    if levy.total >= TOTAL_LIMIT:
        # each payroll is below 1 万亿, but enough of them add up past what 大写 can write
        raise InputError(
            f"征收合计 {format_amount(levy.total)} 元达到 1 万亿元以上，超出大写金额的范围；"
            "请核对职工工资总额是否多输了数字，或把表拆开分别计算",
            file=path,
            sheet=report.layout.sheet,
        )
    return levy


# --------------------------------------------------------------------------- the workbook

COLUMNS: list[tuple[str, float]] = [
    ("序号", 6),
    ("原表行", 8),
    ("单位名称", 30),
    ("统一社会信用代码", 22),
    ("职工工资总额（元）", 18),
    ("提取比例", 10),
    ("应提取职工教育经费（元）", 18),
    ("征收金额（元）", 16),
    ("结果", 10),
    ("说明", 50),
]


def _fen(amount: Decimal | None) -> Decimal | None:
    """An amount as the list stores it: to the fen, exactly (shown 0.00)."""
    return None if amount is None else to_fen(amount)


def write_levy_workbook(levy: Levy, target: Path) -> None:
    """One sheet: a header block saying what it was computed from, every line, the total."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "职工教育经费征收清单"
    program = levy.program
    rates = levy.rates
    day = program.reference_date
    floor, ceiling = rates.floor.on(day)[0], rates.ceiling.on(day)[0]
    header = [
        f"{program.title}职工教育经费统筹征收清单",
        f"依据：{program.citation(rates.share.clause)}（{program.issuer}）",
        f"提取比例 {percent_text(floor)}—{percent_text(ceiling)}"
        f"（未填按 {percent_text(floor)}）；规模以上且未开展职工培训的企业按应提取额的 "
        f"{percent_text(rates.share.on(day)[0])} 征收，四舍五入到分",
        f"输入文件：{levy.file}　sha256 {levy.file_hash}",
        f"制表日期：{date.today().isoformat()}",
    ]
    for index, text in enumerate(header, start=1):
        put(sheet.cell(row=index, column=1), text)
    sheet.cell(row=1, column=1).font = openpyxl.styles.Font(bold=True, size=14)
    top = len(header) + 2
    write_row(sheet, top, [title for title, _ in COLUMNS], header=True)
    for number, line in enumerate(levy.lines, start=1):
        row = top + number
        why = "；".join(reason.message for reason in line.reasons)
        values: list[Any] = [
            number,
            line.row,
            line.name,
            line.code,
            _fen(line.payroll),
            line.rate,
            _fen(line.should_set_aside) if line.status != "refused" else None,
            _fen(line.amount),
            STATUS_NAMES[line.status],
            why,
        ]
        write_row(sheet, row, values)
        for column in (5, 7, 8):
            sheet.cell(row=row, column=column).number_format = MONEY_FORMAT
        sheet.cell(row=row, column=6).number_format = "0.00%"
        sheet.cell(row=row, column=10).alignment = WRAP
    total_row = top + len(levy.lines) + 1
    write_row(
        sheet,
        total_row,
        [
            "合计",
            None,
            f"征收 {levy.count('levied')} 家，不征收 {levy.count('exempt')} 家，"
            f"退回更正 {levy.count('refused')} 家",
            None,
            None,
            None,
            None,
            _fen(levy.total),
            None,
            f"大写：{amount_in_words(levy.total)}",
        ],
        header=True,
    )
    sheet.cell(row=total_row, column=8).number_format = MONEY_FORMAT
    sheet.freeze_panes = f"A{top + 1}"
    set_widths(sheet, [width for _, width in COLUMNS])
    print_setup(sheet, header_rows=(top, top), landscape=True, wrap_from=top + 1)
    write_atomically(target, workbook.save)
