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
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from ..domain.errors import InputError
from ..domain.findings import ALREADY_PAID
from ..ledger import (
    AWARD_TARGET,
    ClassInspection,
    Ledger,
    LocalityFigure,
    MonthFigure,
    ReportFigures,
)
from ..policy.dated import since, value_on
from ..policy.programs import Program

ZERO = Decimal("0.00")
# The report's program facts come from the program files: a campaign is a program in force
# for a period with targets (planned pro rata over its months), a target's ``measure`` says
# how the ledger counts it, and the pass-rate floor and the inspections minimum are the
# params of the programs' institution-standing and inspections rules.
STANDING_RULE, INSPECTIONS_RULE = "institution-standing", "inspections"
# The plan year of a program with city plans (Fujian 2013 二) is its plan-no-repeat rule's
# ``plan_year``: the city table counts that year's months only.
PLAN_YEAR_RULE = "plan-no-repeat"
NO_CITY = "（未填所在地）"


def repeats_a_paid_line(reasons: str) -> bool:
    """Whether an unpaid row is someone an earlier run paid (already-paid among its reasons,
    alone or beside a rule it now also fails): counted as a refusal, never as a new trainee."""
    return bool(reasons) and ALREADY_PAID in _rule_ids(reasons)


# A figure's comma-joined rule ids split once per distinct text (a report adds some 160,000
# figures to its tallies, with a handful of distinct reasons among them).
_RULE_IDS: dict[str, tuple[str, ...]] = {}


def _rule_ids(reasons: str) -> tuple[str, ...]:
    """The rule ids of ``reasons``, in order, empty ones left out."""
    ids = _RULE_IDS.get(reasons)
    if ids is None:
        ids = tuple(filter(None, reasons.split(",")))
        if len(_RULE_IDS) < 4096:
            _RULE_IDS[reasons] = ids
    return ids


def campaign_of(programs: Iterable[Program]) -> Program | None:
    """The program whose targets the report plans month by month: in force for a closed
    period, with targets."""
    return next(
        (p for p in programs if p.in_force and p.in_force.to is not None and p.targets), None
    )


def rule_param(
    program: Program, rule_id: str, name: str, day: date | None = None
) -> tuple[str, str] | None:
    """A rule's parameter as written and its citation, or None when the program has none;
    a parameter written by dates gives the value in force on ``day`` (the program's reference
    date when None), its citation saying from when."""
    for spec in program.rules:
        if spec.id == rule_id and name in spec.params:
            value, start = value_on(spec.params[name], day or program.reference_date)
            return str(value), program.citation(spec.clause) + since(start)
    return None


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


@functools.lru_cache(maxsize=1024)
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
    if _pays_units(program):
        return "units"
    return "awards" if figure.target.startswith(AWARD_TARGET) else "persons"


# A program's answer, kept with the program it is about (a report asks for every figure: a
# million-line ledger's report asks some 75,000 times about half a dozen programs).
_PAYS_UNITS: dict[int, tuple[Program, bool]] = {}


def _pays_units(program: Program) -> bool:
    """Whether ``program`` pays only on unit sheets (its lines are designated units)."""
    known = _PAYS_UNITS.get(id(program))
    if known is not None and known[0] is program:
        return known[1]
    paying = {spec.sheet for spec in program.subsidies}
    units = bool(paying) and paying <= set(UNIT_SHEETS)
    if len(_PAYS_UNITS) > 64:
        _PAYS_UNITS.clear()
    _PAYS_UNITS[id(program)] = (program, units)
    return units


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
    returned_count: int = 0  # paid lines the bank returned (counted among the paid too)
    returned_amount: Decimal = ZERO

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
        status, count, reasons = figure.status, figure.count, figure.reasons
        if status == "returned":  # already counted as paid: shown apart
            self.returned_count += count
            self.returned_amount += figure.amount * count
            return
        if status == "paid":
            self.paid_count += count
            self.paid_amount += figure.amount * count
        elif status == "pending":
            self.pending += count if figure.first else 0
        elif status == "refused":
            refused = self.refused
            for rule in _rule_ids(reasons):
                refused[rule] = refused.get(rule, 0) + count
        if not figure.first or repeats_a_paid_line(reasons):
            return
        if counted != "persons":  # a unit or a winner: counted apart, never as a trainee
            if counted == "units":
                self.units += count
            else:
                self.awards += count
            return
        self.trained += count
        if figure.outcome == "合格":
            self.certified += count
            self.high_skill += count if figure.high_skill else 0
        elif figure.outcome == "不合格":
            self.failed += count


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


@dataclass(frozen=True)
class CityTargets:
    """The indicative targets (指导性培训计划指标) the province set for ``program``'s cities."""

    program: str
    targets: dict[str, int]
    source: str = ""  # the file they were read from


@dataclass
class CityRow:
    """One city's trainees against its indicative target; ``city`` "" for lines without 所在地."""

    city: str
    target: int | None  # None: no target for this city (or no city)
    month: Tally
    cumulative: Tally  # the plan year up to the report month

    @property
    def name(self) -> str:
        return self.city or NO_CITY

    @property
    def done(self) -> Decimal | None:
        """培训人数 / 指导性指标 (exact; shown rounded down to 0.1%); None without a target."""
        if not self.target:
            return None
        return Decimal(self.cumulative.trained) / Decimal(self.target)


@dataclass
class CityProgress:
    program: str
    title: str
    plan_year: int | None  # None: every month up to the report's counts
    first_month: str
    source: str
    rows: list[CityRow]

    @property
    def target(self) -> int:
        return sum(row.target or 0 for row in self.rows)

    @property
    def month_total(self) -> Tally:
        return sum_tallies(row.month for row in self.rows)

    @property
    def cumulative_total(self) -> Tally:
        return sum_tallies(row.cumulative for row in self.rows)

    @property
    def done(self) -> Decimal | None:
        """Trained in the cities that have a target, over the sum of their targets."""
        if not self.target:
            return None
        trained = sum(row.cumulative.trained for row in self.rows if row.target is not None)
        return Decimal(trained) / Decimal(self.target)


@dataclass
class InstitutionRow:
    program: str
    institution: str
    month: Tally
    cumulative: Tally
    flagged: bool  # institution-standing: cumulative pass rate below the program's floor


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
    elapsed_months: int  # of the campaign, at the end of the report month
    reason_names: dict[str, str] = field(default_factory=dict)  # rule id -> summary
    office: str | None = None  # the one office reported on; None: the whole ledger (city)
    offices: list[OfficeSection] = field(default_factory=list)  # the city report's offices
    campaign_months: int = 0  # the campaign's whole period, in months
    campaign_period: str = ""  # its years, "2013—2014年"
    pass_rate_floor: Decimal | None = None  # institution-standing's share bound (value)
    standing_citation: str = ""
    min_inspections: int | None = None  # the inspections rule's minimum
    inspections_citation: str = ""
    cities: CityProgress | None = None  # per city against the indicative targets, when loaded

    @property
    def floor_shown(self) -> str:
        """The pass-rate floor as the document writes it: "80%"."""
        if self.pass_rate_floor is None:
            return "—"
        return f"{(self.pass_rate_floor * 100).normalize():f}%"

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
        total.returned_count += tally.returned_count
        total.returned_amount += tally.returned_amount
        for rule, count in tally.refused.items():
            total.refused[rule] = total.refused.get(rule, 0) + count
    return total


def campaign_months(campaign: Program | None) -> int:
    """How many calendar months the campaign's period covers (2013-01 to 2014-12: 24)."""
    if campaign is None or campaign.in_force is None or campaign.in_force.to is None:
        return 0
    start, end = campaign.in_force.start, campaign.in_force.to
    return (end.year - start.year) * 12 + end.month - start.month + 1


def campaign_months_elapsed(month: str, campaign: Program | None) -> int:
    """Months of the campaign up to and including ``month`` (0 before it, all after it)."""
    if campaign is None or campaign.in_force is None:
        return 0
    start = campaign.in_force.start
    year, number = int(month[:4]), int(month[5:])
    elapsed = (year - start.year) * 12 + number - start.month + 1
    return max(0, min(campaign_months(campaign), elapsed))


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
    targets: CityTargets | None = None,
    read: ReportFigures | None = None,
) -> MonthlyReport:
    """Every figure of ``month``'s report, from two grouped queries on the ledger (and one
    per office for the city report's office tables); ``office``: that office's runs only;
    ``targets``: a city table for their program (one more query); ``read``: the
    ledger's ``report_figures(month, office)`` when already read."""
    grouped = ledger.report_figures(month, office) if read is None else read
    figures = [f for f in grouped.months if f.month]
    titles = {pid: p.title for pid, p in programs.items()}
    campaign = campaign_of(programs.values())
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
        if campaign is not None and figure.program == campaign.id and figure.target and counted:
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
    elapsed = campaign_months_elapsed(month, campaign)
    months_total = campaign_months(campaign)
    categories: list[CategoryRow] = []
    xuchang_targets: list[TargetRow] = []
    xuchang = campaign
    if xuchang is not None:
        for target in xuchang.targets:
            planned = target.count * elapsed // months_total
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
        tally = cumulative.get(xuchang.id, Tally())
        for target in xuchang.targets:
            if target.department is not None:
                continue
            measure = target.measure
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
                    target.count * elapsed // months_total,
                )
            )
    guangxi: TargetRow | None = None
    for program in programs.values():
        counted_targets = [t for t in program.targets if t.measure == "certified"]
        if program is not campaign and counted_targets and guangxi is None:
            target = counted_targets[0]
            certified = cumulative.get(program.id, Tally()).certified
            guangxi = TargetRow(target.name, target.unit, target.count, certified, target.count)
    end = month_end(month)  # the thresholds in force at the end of the month reported
    floors = {
        pid: Decimal(found[0])
        for pid, program in programs.items()
        if (found := rule_param(program, STANDING_RULE, "value", end)) is not None
    }
    institutions = _institutions(grouped.institutions, month, programs, floors)
    standing = next(
        (f for p in programs.values() if (f := rule_param(p, STANDING_RULE, "value", end))),
        None,
    )
    inspected = next(
        (f for p in programs.values() if (f := rule_param(p, INSPECTIONS_RULE, "value", end))),
        None,
    )
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
        thin_classes=(
            ledger.thin_inspections(month, int(inspected[0]), office) if inspected else []
        ),
        trend_months=months,
        trend=trend,
        trend_amounts=amounts,
        elapsed_months=elapsed,
        campaign_months=months_total,
        campaign_period=_period(campaign),
        pass_rate_floor=Decimal(standing[0]) if standing else None,
        standing_citation=standing[1] if standing else "",
        min_inspections=int(inspected[0]) if inspected else None,
        inspections_citation=inspected[1] if inspected else "",
        reason_names=_reason_names(programs.values()),
        office=office,
        offices=office_sections(ledger, month, programs) if office is None else [],
        cities=(
            city_progress(ledger, month, programs, targets, office) if targets is not None else None
        ),
    )


def city_progress(
    ledger: Ledger,
    month: str,
    programs: dict[str, Program],
    targets: CityTargets,
    office: str | None = None,
) -> CityProgress:
    """Each city's trainees (counted as the report counts them), paid lines and amount in the
    plan year up to ``month``, against its target: the target cities first, in the targets'
    order, then cities without a target, then lines without a 所在地."""
    program = programs.get(targets.program)
    found = rule_param(program, PLAN_YEAR_RULE, "plan_year") if program is not None else None
    plan_year = int(found[0]) if found is not None else None
    first = f"{plan_year:04d}-01" if plan_year is not None else ""
    last = min(month, f"{plan_year:04d}-12") if plan_year is not None else month
    figures = ledger.locality_figures(targets.program, first, last, office) if first <= last else []
    month_tallies: dict[str, Tally] = defaultdict(Tally)
    cumulative: dict[str, Tally] = defaultdict(Tally)
    for figure in figures:
        city = figure.locality.strip()
        counted = _as_month_figure(targets.program, figure)
        cumulative[city].add(counted)
        if figure.month == month:
            month_tallies[city].add(counted)
    cities = list(targets.targets)
    cities += sorted(c for c in cumulative if c and c not in targets.targets)
    cities += [""] if "" in cumulative else []
    return CityProgress(
        program=targets.program,
        title=program.title if program is not None else targets.program,
        plan_year=plan_year,
        first_month=first,
        source=targets.source,
        rows=[
            CityRow(city, targets.targets.get(city), month_tallies[city], cumulative[city])
            for city in cities
        ],
    )


def _as_month_figure(program: str, figure: LocalityFigure) -> MonthFigure:
    return MonthFigure(
        program=program,
        month=figure.month,
        target="",
        department="",
        status=figure.status,
        outcome=figure.outcome,
        high_skill=False,
        first=figure.first,
        reasons=figure.reasons,
        amount=figure.amount,
        count=figure.count,
    )


def _reason_names(programs: Iterable[Program]) -> dict[str, str]:
    names = {ALREADY_PAID: "已由此前的运行发放，不得重复发放"}
    for program in programs:
        for rule in program.rules:
            names.setdefault(rule.id, rule.summary)
    return names


def _period(campaign: Program | None) -> str:
    """The campaign's years as the report names them: "2013—2014年"."""
    if campaign is None or campaign.in_force is None or campaign.in_force.to is None:
        return ""
    first, last = campaign.in_force.start.year, campaign.in_force.to.year
    return f"{first}年" if first == last else f"{first}—{last}年"


def _institutions(
    figures: list[MonthFigure],
    month: str,
    programs: dict[str, Program],
    floors: dict[str, Decimal],
) -> list[InstitutionRow]:
    """Each program's institutions, month and cumulative, from figures grouped by
    institution (:attr:`~skillpolicy.ledger.ReportFigures.institutions`)."""
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
        floor = floors.get(key[0])
        flagged = floor is not None and rate is not None and rate < floor
        result.append(InstitutionRow(key[0], key[1], month_tallies[key], total, flagged))
    return result
