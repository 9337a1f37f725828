"""The monthly report's figures, computed from the ledger's aggregates alone.

Counting conventions (README, "Monthly report"):

- a roster row counts once as **trained** in the month of its 结业日期 (else of the run that
  recorded it): paid, pending and refused rows alike, except a refusal only because the line
  was already paid (that row was counted when it was paid) and a unit's second tranche;
- **certified** is 鉴定结果 (or 验收结果) 合格; the **pass rate** is 合格 / (合格 + 不合格),
  rows still waiting for a result left out;
- **paid** counts lines and sums their amounts exactly (a unit's two tranches are two lines);
- **refused by reason** counts each rule id a refused line cites;
- **cumulative** is every month up to and including the report month;
- **units and award winners are counted apart**: a unit a program designates (Jincheng's
  技师工作站 and 培养基地, paid on a 评审授牌表) counts once in ``units`` (家), a winner of an
  award (Xuchang's 技术能手 / 技能大奖) in ``awards`` (人); neither is a trained person, so
  neither is in ``trained``, ``certified`` or the pass rate.

A shared ledger holds many offices' runs: by default the report is the city's, with a table
per office (each office's figures are its own runs', so the offices add up to the city
exactly); ``office`` makes the report of one office alone.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from ..errors import InputError
from ..ledger import AWARD_TARGET, ClassInspection, Ledger, MonthFigure
from ..programs import ALREADY_PAID, Program

ZERO = Decimal("0.00")
XUCHANG = "xuchang-2013-revitalization"
GUANGXI_2012 = "guangxi-2012-technician"
# 许政办〔2013〕52号: a two-year campaign, 2013–2014 (the program file's reading)
XUCHANG_FIRST_MONTH = (2013, 1)
XUCHANG_MONTHS = 24
PASS_RATE_FLOOR = Decimal("0.80")  # institution-standing: below 80% loses the designation
MIN_INSPECTIONS = 3  # inspections: each class checked at random at least 3 times


def repeats_a_paid_line(reasons: str) -> bool:
    """Whether an unpaid row is someone an earlier run paid (already-paid among its reasons,
    alone or beside a rule it now also fails): counted as a refusal, never as a new trainee."""
    return ALREADY_PAID in reasons.split(",")


# the four campaign-wide targets; how each is counted from the ledger, or None: not held
OTHER_TARGETS = {
    "各类职业培训": "trained",
    "职业技能鉴定": "appraised",
    "培养高技能人才": "high_skill",
    "促进就业": None,
}
_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})", re.ASCII)
FIRST_YEAR, LAST_YEAR = 2000, 2099  # the months a report can be about


def parse_month(text: str) -> str:
    """``YYYY-MM`` checked (month 01–12, year 2000–2099); full-width digits and dashes, as
    a Chinese input method types them, are folded first. Raises InputError otherwise."""
    folded = unicodedata.normalize("NFKC", text).strip().replace("－", "-")
    match = _MONTH.fullmatch(folded)
    if match is None or not 1 <= int(match[2]) <= 12:
        raise InputError(f"--month 应写成 YYYY-MM（如 2014-03），不能是「{text}」")
    if not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        raise InputError(f"--month 的年份应在 {FIRST_YEAR} 至 {LAST_YEAR} 之间，不能是「{text}」")
    return f"{match[1]}-{int(match[2]):02d}"


def default_month(today: date) -> str:
    """The previous calendar month: a run on 1–3 January 2015 reports 2014-12."""
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def month_end(month: str) -> date:
    year, number = int(month[:4]), int(month[5:])
    return date(year, number, calendar.monthrange(year, number)[1])


def bare(name: str) -> str:
    """A category name without its quotation marks (“两后生”培训 = "两后生"培训 = 两后生培训)."""
    return "".join(ch for ch in name if ch not in "“”\"「」‘’'")


Counted = Literal["persons", "units", "awards"]
# sheets whose lines are units, not trained persons (a designation pays the unit it designates)
UNIT_SHEETS = ("designation", "levy", "application")


def counted_as(program: Program | None, figure: MonthFigure) -> Counted:
    """Whether ``figure``'s lines are trained persons, designated units or award winners: a
    program that pays only on unit sheets pays units; an award line's target is its 奖项
    after :data:`AWARD_TARGET`."""
    if program is None:
        return "persons"
    paying = {spec.sheet for spec in program.subsidies}
    if paying and paying <= set(UNIT_SHEETS):
        return "units"
    return "awards" if figure.target.startswith(AWARD_TARGET) else "persons"


@dataclass
class Tally:
    trained: int = 0
    certified: int = 0
    failed: int = 0
    pending: int = 0
    high_skill: int = 0  # certified 技师/高级技师
    units: int = 0  # designated units (家): not trained persons
    awards: int = 0  # award winners (人): not trained persons
    paid_count: int = 0
    paid_amount: Decimal = ZERO
    refused: dict[str, int] = field(default_factory=dict)  # rule id -> lines

    @property
    def appraised(self) -> int:
        return self.certified + self.failed

    @property
    def pass_rate(self) -> Decimal | None:
        return None if not self.appraised else Decimal(self.certified) / Decimal(self.appraised)

    @property
    def refused_count(self) -> int:
        return sum(self.refused.values())

    def add(self, figure: MonthFigure, counted: Counted = "persons") -> None:
        if figure.status == "paid":
            self.paid_count += figure.count
            self.paid_amount += figure.amount * figure.count
        elif figure.status == "pending":
            self.pending += figure.count if figure.first else 0
        if figure.status == "refused":
            for rule in filter(None, figure.reasons.split(",")):
                self.refused[rule] = self.refused.get(rule, 0) + figure.count
        if repeats_a_paid_line(figure.reasons) or not figure.first:
            return
        if counted != "persons":  # a unit or a winner: counted apart, never as a trainee
            if counted == "units":
                self.units += figure.count
            else:
                self.awards += figure.count
            return
        self.trained += figure.count
        if figure.outcome == "合格":
            self.certified += figure.count
            self.high_skill += figure.count if figure.high_skill else 0
        elif figure.outcome == "不合格":
            self.failed += figure.count


@dataclass
class ProgramSection:
    program: str
    title: str
    month: Tally
    cumulative: Tally


NO_OFFICE = "（未注明经办机构）"


@dataclass
class OfficeSection:
    """One office's programs, month and cumulative, in the city report."""

    office: str  # "" for runs that named no office
    programs: list[ProgramSection]

    @property
    def name(self) -> str:
        return self.office or NO_OFFICE

    @property
    def month_total(self) -> Tally:
        return sum_tallies(s.month for s in self.programs)

    @property
    def cumulative_total(self) -> Tally:
        return sum_tallies(s.cumulative for s in self.programs)


@dataclass
class CategoryRow:
    name: str
    department: str
    month: int
    cumulative: int
    target: int
    planned: int  # where a straight-line plan over the two years says it should be by now

    @property
    def done(self) -> Decimal:
        return Decimal(self.cumulative) / Decimal(self.target)

    @property
    def planned_share(self) -> Decimal:
        return Decimal(self.planned) / Decimal(self.target)


@dataclass
class TargetRow:
    name: str
    unit: str
    target: int
    cumulative: int | None  # None: the ledger does not hold this figure
    planned: int

    @property
    def done(self) -> Decimal | None:
        return None if self.cumulative is None else Decimal(self.cumulative) / self.target


@dataclass
class InstitutionRow:
    program: str
    institution: str
    month: Tally
    cumulative: Tally
    flagged: bool  # Xuchang institution-standing: cumulative pass rate below 80%


@dataclass
class MonthlyReport:
    month: str
    created_at: str
    ledger: str
    programs: list[ProgramSection]
    categories: list[CategoryRow]
    xuchang_targets: list[TargetRow]
    guangxi: TargetRow | None
    institutions: list[InstitutionRow]
    thin_classes: list[ClassInspection]
    trend_months: list[str]
    trend: dict[str, list[int]]  # program title -> trained per trend month
    trend_amounts: dict[str, list[Decimal]]
    elapsed_months: int  # of the Xuchang campaign, at the end of the report month
    reason_names: dict[str, str] = field(default_factory=dict)  # rule id -> summary
    office: str | None = None  # the one office reported on; None: the whole ledger (city)
    offices: list[OfficeSection] = field(default_factory=list)  # the city report's offices

    @property
    def empty(self) -> bool:
        """Nothing recorded in the report month."""
        return not any(
            s.month.trained or s.month.paid_count or s.month.refused_count for s in self.programs
        )

    @property
    def month_total(self) -> Tally:
        return sum_tallies(s.month for s in self.programs)

    @property
    def cumulative_total(self) -> Tally:
        return sum_tallies(s.cumulative for s in self.programs)


def sum_tallies(tallies: Iterable[Tally]) -> Tally:
    total = Tally()
    for tally in tallies:
        total.trained += tally.trained
        total.certified += tally.certified
        total.failed += tally.failed
        total.pending += tally.pending
        total.high_skill += tally.high_skill
        total.units += tally.units
        total.awards += tally.awards
        total.paid_count += tally.paid_count
        total.paid_amount += tally.paid_amount
        for rule, count in tally.refused.items():
            total.refused[rule] = total.refused.get(rule, 0) + count
    return total


def campaign_months_elapsed(month: str) -> int:
    year, number = int(month[:4]), int(month[5:])
    elapsed = (year - XUCHANG_FIRST_MONTH[0]) * 12 + number - XUCHANG_FIRST_MONTH[1] + 1
    return max(0, min(XUCHANG_MONTHS, elapsed))


def _trend_months(first: str, last: str) -> list[str]:
    months: list[str] = []
    year, number = int(first[:4]), int(first[5:])
    while f"{year:04d}-{number:02d}" <= last:
        months.append(f"{year:04d}-{number:02d}")
        year, number = (year, number + 1) if number < 12 else (year + 1, 1)
    return months


def program_sections(
    figures: Iterable[MonthFigure], month: str, programs: dict[str, Program]
) -> list[ProgramSection]:
    """Each program's month and cumulative tallies, in the order of ``programs``."""
    month_tallies: dict[str, Tally] = defaultdict(Tally)
    cumulative: dict[str, Tally] = defaultdict(Tally)
    for figure in figures:
        if not figure.month:
            continue
        counted = counted_as(programs.get(figure.program), figure)
        cumulative[figure.program].add(figure, counted)
        if figure.month == month:
            month_tallies[figure.program].add(figure, counted)
    order = [pid for pid in programs if pid in cumulative] + sorted(
        pid for pid in cumulative if pid not in programs
    )
    return [
        ProgramSection(
            pid,
            programs[pid].title if pid in programs else pid,
            month_tallies[pid],
            cumulative[pid],
        )
        for pid in order
    ]


def office_sections(
    ledger: Ledger, month: str, programs: dict[str, Program]
) -> list[OfficeSection]:
    """Every office's programs, from its own runs (one grouped query per office); none when
    no run names an office (a desk's own ledger)."""
    offices = ledger.offices()
    if offices == [""]:
        return []
    return [
        OfficeSection(
            office, program_sections(ledger.month_figures(month, office), month, programs)
        )
        for office in offices
    ]


def build_report(
    ledger: Ledger,
    month: str,
    programs: dict[str, Program],
    created_at: str,
    office: str | None = None,
) -> MonthlyReport:
    """Every figure of ``month``'s report, from three grouped queries on the ledger (and one
    per office for the city report's office tables); ``office``: that office's runs only."""
    figures = [f for f in ledger.month_figures(month, office) if f.month]
    titles = {pid: p.title for pid, p in programs.items()}
    month_tallies: dict[str, Tally] = defaultdict(Tally)
    cumulative: dict[str, Tally] = defaultdict(Tally)
    by_month: dict[tuple[str, str], Tally] = defaultdict(Tally)
    category_month: dict[str, int] = defaultdict(int)
    category_total: dict[str, int] = defaultdict(int)
    departments: dict[str, str] = {}
    for figure in figures:
        kind = counted_as(programs.get(figure.program), figure)
        cumulative[figure.program].add(figure, kind)
        by_month[(figure.program, figure.month)].add(figure, kind)
        if figure.month == month:
            month_tallies[figure.program].add(figure, kind)
        counted = kind == "persons" and figure.first and not repeats_a_paid_line(figure.reasons)
        if figure.program == XUCHANG and figure.target and counted:
            key = bare(figure.target)
            category_total[key] += figure.count
            if figure.month == month:
                category_month[key] += figure.count
            if figure.department:
                departments.setdefault(key, figure.department)
    order = [pid for pid in programs if pid in cumulative] + sorted(
        pid for pid in cumulative if pid not in programs
    )
    sections = [
        ProgramSection(pid, titles.get(pid, pid), month_tallies[pid], cumulative[pid])
        for pid in order
    ]
    elapsed = campaign_months_elapsed(month)
    categories: list[CategoryRow] = []
    xuchang_targets: list[TargetRow] = []
    xuchang = programs.get(XUCHANG)
    if xuchang is not None:
        for target in xuchang.targets:
            planned = target.count * elapsed // XUCHANG_MONTHS
            if target.department is not None:
                key = bare(target.name)
                categories.append(
                    CategoryRow(
                        target.name,
                        departments.get(key, target.department),
                        category_month.get(key, 0),
                        category_total.get(key, 0),
                        target.count,
                        planned,
                    )
                )
        tally = cumulative.get(XUCHANG, Tally())
        for target in xuchang.targets:
            if target.department is not None or target.name not in OTHER_TARGETS:
                continue
            measure = OTHER_TARGETS[target.name]
            held: int | None
            if measure == "trained":
                held = sum(c.cumulative for c in categories)  # the 13 categories only
            elif measure == "appraised":
                held = tally.appraised
            elif measure == "high_skill":
                held = tally.high_skill
            else:
                held = None
            xuchang_targets.append(
                TargetRow(
                    target.name,
                    target.unit,
                    target.count,
                    held,
                    target.count * elapsed // XUCHANG_MONTHS,
                )
            )
    guangxi: TargetRow | None = None
    technician = programs.get(GUANGXI_2012)
    if technician is not None and technician.targets:
        target = technician.targets[0]
        certified = cumulative.get(GUANGXI_2012, Tally()).certified
        guangxi = TargetRow(target.name, target.unit, target.count, certified, target.count)
    institutions = _institutions(figures, month, programs)
    first = min((f.month for f in figures), default=month)
    months = _trend_months(first, month)[-36:]  # three years at most in the trend
    trend = {titles.get(pid, pid): [by_month[(pid, m)].trained for m in months] for pid in order}
    amounts = {
        titles.get(pid, pid): [by_month[(pid, m)].paid_amount for m in months] for pid in order
    }
    return MonthlyReport(
        month=month,
        created_at=created_at,
        ledger=ledger.location,
        programs=sections,
        categories=categories,
        xuchang_targets=xuchang_targets,
        guangxi=guangxi,
        institutions=institutions,
        thin_classes=ledger.thin_inspections(month, MIN_INSPECTIONS, office),
        trend_months=months,
        trend=trend,
        trend_amounts=amounts,
        elapsed_months=elapsed,
        reason_names=_reason_names(programs.values()),
        office=office,
        offices=office_sections(ledger, month, programs) if office is None else [],
    )


def _reason_names(programs: Iterable[Program]) -> dict[str, str]:
    names = {ALREADY_PAID: "已由此前的运行发放，不得重复发放"}
    for program in programs:
        for rule in program.rules:
            names.setdefault(rule.id, rule.summary)
    return names


def _institutions(
    figures: list[MonthFigure], month: str, programs: dict[str, Program]
) -> list[InstitutionRow]:
    month_tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    totals: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for figure in figures:
        if not figure.institution:
            continue
        key = (figure.program, figure.institution)
        counted = counted_as(programs.get(figure.program), figure)
        totals[key].add(figure, counted)
        if figure.month == month:
            month_tallies[key].add(figure, counted)
    result: list[InstitutionRow] = []
    for key in sorted(totals):
        total = totals[key]
        rate = total.pass_rate
        flagged = key[0] == XUCHANG and rate is not None and rate < PASS_RATE_FLOOR
        result.append(InstitutionRow(key[0], key[1], month_tallies[key], total, flagged))
    return result
