"""From the experts' scores to the designation sheet (Jincheng 2022 三、3).

A score sheet has one row per unit and expert (单位名称, 统一社会信用代码, 专家, 评分, optional
item scores and 回避专家). Its rules (``score-range``, ``duplicate-score``, ``minimum-experts``,
``expert-conflict``) run as on any sheet; then each unit's 评审得分 is aggregated by the
program's ``[scoring]`` table, units are ranked, and the designation sheet's ``quota`` rule
decides who is designated. Units tied across the quota line are held for review (POLICIES.md
"Quota ties"), and so is a unit whose scores have an error: it is not ranked until they are
corrected. The result is written as a designation sheet that ``subsidy``, the designation
notice (``render``) and the ledger read as they read any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Literal

import openpyxl

from ..check.validate import Checker, Report, checked_rows, make_context, open_sheet
from ..domain.errors import InputError
from ..domain.findings import Finding
from ..io.fileio import file_sha256, write_atomically
from ..io.resources import SearchPath
from ..io.xlsxout import WRAP, print_setup, put, set_widths, write_row
from ..policy.params import LocalParams
from ..policy.programs import Program, RuleSpec, Scoring
from ..rules import CellProblem, RowView
from ..rules.scoring import EXPERT_COLUMN, SCORE_COLUMN, unit_key

SCORE_KIND = "score"
ITEM_COLUMNS = ("资料审查得分", "答辩得分")
QUOTA_RULE = "quota"

Decision = Literal["designated", "not-designated", "tied", "held"]
# How each decision is written in 是否授牌. Units tied across the quota line are written 是:
# the designation sheet then holds more units than the quota, and its own ``quota`` rule holds
# each tied unit for review (pending, never paid or announced by sheet order) until the panel
# decides and the clerk edits the sheet. A unit whose scores are wrong is not ranked: 否, with
# the reason in 说明, until the sheet is corrected and summed again.
DECISION_NAMES: dict[str, str] = {
    "designated": "是",
    "not-designated": "否",
    "tied": "是",
    "held": "否",
}


@dataclass
class ExpertScore:
    """One row of the score sheet."""

    row: int
    expert: str
    score: Decimal | None
    items: dict[str, Decimal | None]
    counted: bool  # False when the row has an error finding


@dataclass
class UnitResult:
    """One unit: its scores, its 评审得分, its rank and whether it is designated."""

    name: str
    code: str
    first_row: int
    scores: list[ExpertScore] = field(default_factory=list)
    score: Decimal | None = None
    rank: int | None = None
    decision: Decision = "held"
    note: str = ""

    @property
    def counted(self) -> list[Decimal]:
        return [s.score for s in self.scores if s.counted and s.score is not None]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "code": self.code,
            "row": self.first_row,
            "score": f"{self.score}" if self.score is not None else None,
            "experts": len(self.counted),
            "rank": self.rank,
            "designated": {"designated": True, "not-designated": False}.get(self.decision),
            "note": self.note,
            "scores": [
                {
                    "row": s.row,
                    "expert": s.expert,
                    "score": _shown(s.score) or None,
                    "counted": s.counted,
                }
                for s in self.scores
            ],
        }


@dataclass
class Review:
    """The result of ``review score``: every unit ranked and decided, with the sheet's findings."""

    program: Program
    file: str
    file_hash: str
    report: Report
    scoring: Scoring
    quota: int
    units: list[UnitResult] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return self.report.has_errors

    def count(self, *decisions: Decision) -> int:
        return sum(1 for unit in self.units if unit.decision in decisions)

    def ranked(self) -> list[UnitResult]:
        """Ranked units first (by rank, then sheet order), then the held unranked ones."""
        return sorted(
            self.units,
            key=lambda u: (u.rank is None, u.rank or 0, u.first_row),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "program": self.program.id,
            "file": self.file,
            "method": self.scoring.method,
            "quota": self.quota,
            "designated": self.count("designated"),
            "not_designated": self.count("not-designated"),
            "held": self.count("tied", "held"),
            "units": [unit.to_json() for unit in self.ranked()],
            "findings": [f.to_json() for f in self.report.sorted_findings()],
            "skipped": [
                {"rule": spec.id, "reason": reason} for spec, reason in self.report.skipped
            ],
        }


def aggregate(scores: list[Decimal], scoring: Scoring) -> Decimal:
    """A unit's 评审得分 from its counted scores: the mean, or with ``trimmed-mean`` the mean
    after dropping one highest and one lowest score when at least ``trim_from`` experts
    scored; rounded half up to ``places`` decimals."""
    if not scores:
        raise ValueError("no scores to aggregate")
    kept = sorted(scores)
    if scoring.method == "trimmed-mean" and len(kept) >= scoring.trim_from:
        kept = kept[1:-1]
    mean = sum(kept, Decimal(0)) / Decimal(len(kept))
    return mean.quantize(Decimal(1).scaleb(-scoring.places), rounding=ROUND_HALF_UP)


def method_text(scoring: Scoring, experts: int) -> str:
    """How a unit's 评审得分 was computed, for the result sheet."""
    if scoring.method == "trimmed-mean" and experts >= scoring.trim_from:
        return f"{experts}位专家评分，去掉最高分和最低分后平均"
    return f"{experts}位专家评分的平均"


def quota_rule(program: Program) -> RuleSpec:
    """The designation sheet's ``quota`` rule (the most units designated)."""
    for spec in program.rules_for("designation"):
        if spec.id == QUOTA_RULE:
            return spec
    raise InputError(f"项目 {program.id} 的评审授牌表没有 quota 规则，无法确定名额")


def _readable(view: RowView, column: str) -> Decimal | None:
    try:
        return view.decimal(column)
    except CellProblem:
        return None


def review_scores(
    path: Path,
    program: Program,
    *,
    search: SearchPath | None = None,
    shown_name: str | None = None,
) -> Review:
    """Check the score sheet at ``path``, aggregate, rank and apply the quota."""
    search = search or SearchPath("catalogs")
    scoring = program.scoring
    if scoring is None or SCORE_KIND not in program.sheets:
        raise InputError(f"项目 {program.id} 没有专家评分（项目文件中没有 [scoring]）", file=path)
    quota_spec = quota_rule(program)
    reader = open_sheet(path, program, SCORE_KIND)
    layout = reader.layout
    params = LocalParams(program, {}, None)  # the score rules read no local parameter
    checker = Checker(make_context(program, layout, params=params, search=search))
    report = Report(
        program=program, file=shown_name or str(path), layout=layout, skipped=list(checker.skipped)
    )
    units: dict[str, UnitResult] = {}
    by_row: dict[int, ExpertScore] = {}
    unit_of_row: dict[int, UnitResult] = {}
    for view, findings in checked_rows(reader, checker):
        report.add_row(view, findings)
        key = unit_key(view)
        unit = units.get(key)
        if unit is None:
            code = view.text("统一社会信用代码") if view.has("统一社会信用代码") else ""
            unit = units[key] = UnitResult(view.text("单位名称"), code, view.number)
        entry = ExpertScore(
            row=view.number,
            expert=view.text(EXPERT_COLUMN),
            score=_readable(view, SCORE_COLUMN),
            items={c: _readable(view, c) for c in ITEM_COLUMNS if view.has(c)},
            counted=True,
        )
        unit.scores.append(entry)
        by_row[view.number] = entry
        unit_of_row[view.number] = unit
    report.add_sheet_findings(checker.finish())
    if not units:
        raise InputError("专家评分表中没有评分行", file=path, sheet=layout.sheet)
    flawed: set[int] = set()
    for finding in report.findings:
        if finding.severity == "error" and finding.row is not None and finding.row in by_row:
            by_row[finding.row].counted = False
            flawed.add(id(unit_of_row[finding.row]))
    review = Review(
        program=program,
        file=shown_name or str(path),
        file_hash=file_sha256(path),
        report=report,
        scoring=scoring,
        quota=int(quota_spec.params["maximum"]),
    )
    review.units = list(units.values())
    for unit in review.units:
        if id(unit) in flawed:
            unit.note = "评分有误（见问题清单），未参加排名，暂不授牌；更正后重新汇总"
        elif unit.counted:
            unit.score = aggregate(unit.counted, scoring)
    _decide(review, program.citation(quota_spec.clause), program.citation(scoring.clause))
    return review


def _decide(review: Review, quota_citation: str, scoring_citation: str) -> None:
    """Rank the scored units and apply the quota; ties across the line are held for review."""
    scored = sorted(
        (u for u in review.units if u.score is not None),
        key=lambda u: (-(u.score or Decimal(0)), u.first_row),
    )
    for unit in scored:  # equal scores share a rank (1, 2, 2, 4)
        unit.rank = 1 + sum(1 for other in scored if (other.score or 0) > (unit.score or 0))
    quota = review.quota
    line = scored[quota - 1].score if len(scored) > quota else None
    tied = [u for u in scored if line is not None and u.score == line]
    straddles = len(tied) > 0 and len(scored) > quota and scored[quota].score == line
    names = "、".join(f"「{u.name}」" for u in tied)
    for place, unit in enumerate(scored, start=1):
        if straddles and unit in tied:
            unit.decision = "tied"
            first = tied[0].rank
            places = quota - (first or 0) + 1
            unit.note = (
                f"与其他单位并列第{first}名，名额只剩{places}个：待专家评审组确定，"
                "确定前不公示、不拨付；确定后把落选单位的是否授牌改为否"
            )
            review.report.findings.append(
                Finding(
                    unit.first_row,
                    SCORE_COLUMN,
                    QUOTA_RULE,
                    "review",
                    f"「{unit.name}」评审得分{unit.score}，与{names}共{len(tied)}个单位并列第"
                    f"{first}名，名额（{quota}个）只剩{places}个，不能按表中顺序决定；"
                    "待专家评审组确定后再授牌",
                    quota_citation,
                )
            )
        elif place <= quota:
            unit.decision = "designated"
        else:
            unit.decision = "not-designated"
            unit.note = f"排第{unit.rank}名，在名额（{quota}个）之外"
    minimum = review.scoring.minimum_designated
    designated = review.count("designated")
    if designated < minimum:
        review.report.findings.append(
            Finding(
                None,
                None,
                QUOTA_RULE,
                "warning",
                f"本次确定授牌单位{designated}个，少于通知拟评定的{minimum}个；请核实",
                scoring_citation,
            )
        )


RESULT_COLUMNS: list[tuple[str, float]] = [
    ("序号", 6),
    ("单位名称", 32),
    ("统一社会信用代码", 22),
    ("评审得分", 10),
    ("是否授牌", 10),
    ("验收结果", 10),
    ("排名", 8),
    ("计分办法", 26),
    ("各专家评分", 40),
    ("说明", 30),
]
DETAIL_COLUMNS: list[tuple[str, float]] = [
    ("序号", 6),
    ("评分表行号", 10),
    ("单位名称", 32),
    ("统一社会信用代码", 22),
    ("专家", 12),
    ("评分", 8),
    ("资料审查得分", 12),
    ("答辩得分", 10),
    ("是否计入", 10),
]


def _shown(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def write_review_workbook(review: Review, target: Path) -> None:
    """The designation sheet (评审结果, first and read by ``subsidy``) and every expert's
    score kept for the record (评分明细)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "评审结果"
    program = review.program
    scoring = review.scoring
    title = [
        f"{program.title}专家评审结果",
        f"依据：{program.citation(scoring.clause)}；名额至多{review.quota}个；"
        f"输入文件：{review.file}　sha256 {review.file_hash[:16]}…　制表日期：{date.today().isoformat()}",
    ]
    for index, text in enumerate(title, start=1):
        put(sheet.cell(row=index, column=1), text)
    sheet.cell(row=1, column=1).font = openpyxl.styles.Font(bold=True, size=14)
    top = len(title) + 1
    write_row(sheet, top, [name for name, _ in RESULT_COLUMNS], header=True)
    for number, unit in enumerate(review.ranked(), start=1):
        experts = "；".join(
            f"{s.expert} {_shown(s.score)}" + ("" if s.counted else "（不计）") for s in unit.scores
        )
        counted = len(unit.counted)
        values: list[Any] = [
            number,
            unit.name,
            unit.code,
            unit.score,
            DECISION_NAMES[unit.decision],
            None,
            unit.rank,
            method_text(scoring, counted) if unit.score is not None else None,
            experts,
            unit.note or None,
        ]
        write_row(sheet, top + number, values)
        if unit.score is not None:
            sheet.cell(row=top + number, column=4).number_format = "0." + "0" * scoring.places
        for column in (9, 10):
            sheet.cell(row=top + number, column=column).alignment = WRAP
    sheet.freeze_panes = f"A{top + 1}"
    set_widths(sheet, [width for _, width in RESULT_COLUMNS])
    print_setup(sheet, header_rows=(top, top), landscape=True, wrap_from=top + 1)

    detail = workbook.create_sheet("评分明细")
    write_row(detail, 1, [name for name, _ in DETAIL_COLUMNS], header=True)
    number = 0
    for unit in review.ranked():
        for entry in unit.scores:
            number += 1
            write_row(
                detail,
                1 + number,
                [
                    number,
                    entry.row,
                    unit.name,
                    unit.code,
                    entry.expert,
                    _shown(entry.score) or None,
                    _shown(entry.items.get("资料审查得分")) or None,
                    _shown(entry.items.get("答辩得分")) or None,
                    "是" if entry.counted else "否",
                ],
            )
    detail.freeze_panes = "A2"
    set_widths(detail, [width for _, width in DETAIL_COLUMNS])
    print_setup(detail, header_rows=(1, 1), landscape=True)
    write_atomically(target, workbook.save, private=False)


__all__ = [
    "Review",
    "UnitResult",
    "aggregate",
    "review_scores",
    "write_review_workbook",
]
