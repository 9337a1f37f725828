"""Jincheng's expert review (三、3): score sheet rules, aggregation, ranking, quota, output.

Every expected score, rank and decision below is worked by hand from the rows the test writes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from skillpolicy.check.validate import validate_sheet
from skillpolicy.compute.subsidy import compute_subsidy
from skillpolicy.loading.programfiles import load_program
from skillpolicy.policy.programs import Program
from skillpolicy.tasks.scoring import aggregate, review_scores, write_review_workbook

PROGRAM = "jincheng-2022-workstation"
HEADER = ["单位名称", "统一社会信用代码", "专家", "评分", "回避专家"]
EXPERTS = ["李建国", "王淑芬", "赵志强", "陈立新", "刘红梅"]
# valid 统一社会信用代码 (GB 32100-2015), so the designation sheet written passes credit-code
CODES = [
    "91140500MA0K12348W",
    "91140500110012344R",
    "52140500MJ0Y567845",
    "12140500407001232E",
    "91140521MA0H987674",
    "91140581200312340Q",
    "53140500MA0L34564C",
    "91140500MA0KX7Y861",
    "121405004070056713",
    "91140500731901232K",
    "91140502MA0GABCD98",
]

Run = Callable[..., Any]


@pytest.fixture(scope="module")
def program() -> Program:
    return load_program(PROGRAM)


def unit_rows(index: int, score: int, *, conflict: str | None = None) -> list[list[Any]]:
    """Five experts' scores for unit ``index`` whose trimmed mean is ``score``: the ±5
    extremes are dropped and ``score``, ``score+1``, ``score-1`` average to ``score``."""
    spread = [score + 5, score - 5, score, score + 1, score - 1]
    return [
        [f"单位{index + 1:02d}", CODES[index], expert, value, conflict]
        for expert, value in zip(EXPERTS, spread, strict=True)
    ]


def write_scores(path: Path, rows: list[list[Any]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["2022年技师工作站专家评分表"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_trimmed_mean_drops_one_highest_and_one_lowest_with_five_experts(
    program: Program,
) -> None:
    """Five scores 80, 90, 70, 85, 95: 70 and 95 are dropped, (80+85+90)/3 = 85.00."""
    assert program.scoring is not None and program.scoring.method == "trimmed-mean"
    scores = [Decimal(v) for v in ("80", "90", "70", "85", "95")]
    assert aggregate(scores, program.scoring) == Decimal("85.00")


def test_fewer_scores_than_trim_from_take_the_plain_mean(program: Program) -> None:
    """Four scores (below trim_from = 5) are averaged whole: (80+81+82+90)/4 = 83.25."""
    assert program.scoring is not None
    scores = [Decimal(v) for v in ("80", "81", "82", "90")]
    assert aggregate(scores, program.scoring) == Decimal("83.25")


def test_aggregate_rounds_half_up_to_the_program_places(program: Program) -> None:
    """81, 81, 83 kept of five average 81.666… → 81.67; a mean of 84.5 at 0 places → 85."""
    assert program.scoring is not None
    five = [Decimal(v) for v in ("80", "81", "81", "83", "90")]
    assert aggregate(five, program.scoring) == Decimal("81.67")
    whole = program.scoring.model_copy(update={"method": "mean", "places": 0})
    assert aggregate([Decimal(84), Decimal(85)], whole) == Decimal(85)


def test_mean_method_in_the_program_file_keeps_every_score(
    program: Program, tmp_path: Path
) -> None:
    """With method = "mean" the unit's 评审得分 is the plain mean of all five scores."""
    assert program.scoring is not None
    plain = program.model_copy(
        update={"scoring": program.scoring.model_copy(update={"method": "mean"})}
    )
    rows = [
        ["单位01", CODES[0], e, v, None] for e, v in zip(EXPERTS, (80, 90, 70, 85, 96), strict=True)
    ]
    review = review_scores(write_scores(tmp_path / "s.xlsx", rows), plain)
    assert [u.score for u in review.units] == [Decimal("84.20")]  # 421 / 5


def test_units_are_ranked_and_the_quota_of_ten_applied(program: Program, tmp_path: Path) -> None:
    """Eleven units scored 95, 93, …, 75: the top ten are designated, the eleventh is not."""
    rows = [row for k in range(11) for row in unit_rows(k, 95 - 2 * k)]
    review = review_scores(write_scores(tmp_path / "s.xlsx", rows), program)
    assert not review.report.findings
    got = [(u.name, u.score, u.rank, u.decision) for u in review.ranked()]
    assert got == [
        (f"单位{k + 1:02d}", Decimal(95 - 2 * k).quantize(Decimal("0.01")), k + 1, "designated")
        for k in range(10)
    ] + [("单位11", Decimal("75.00"), 11, "not-designated")]
    assert review.units[10].note == "排第11名，在名额（10个）之外"


def test_units_tied_across_the_quota_line_are_held_for_review(
    program: Program, tmp_path: Path
) -> None:
    """Units 10 and 11 both score 77.00 for the last place: both get a quota review finding,
    share rank 10, are written 是 and their first tranche is pending, not paid."""
    scores = [95, 93, 91, 89, 87, 85, 83, 81, 79, 77, 77]
    rows = [row for k, score in enumerate(scores) for row in unit_rows(k, score)]
    review = review_scores(write_scores(tmp_path / "s.xlsx", rows), program)
    findings = sorted((f.row, f.rule, f.severity) for f in review.report.findings)
    assert findings == [(48, "quota", "review"), (53, "quota", "review")]  # first rows of 10, 11
    assert all("并列第10名" in f.message for f in review.report.findings)
    tied = [u for u in review.units if u.decision == "tied"]
    assert [(u.name, u.rank) for u in tied] == [("单位10", 10), ("单位11", 10)]
    assert review.count("designated") == 9
    out = tmp_path / "评审结果.xlsx"
    write_review_workbook(review, out)
    payout = compute_subsidy(out, program)
    first = {line.name: line for line in payout.lines if line.tranche == 1}
    assert first["单位10"].status == first["单位11"].status == "pending"
    assert [r.rule for r in first["单位11"].reasons] == ["quota"]
    assert sum(1 for line in first.values() if line.status == "paid") == 9
    assert payout.total == Decimal("1080000.00")  # 9 × 120,000.00, the first tranche


def test_scoring_errors_are_findings_and_keep_the_unit_out_of_the_ranking(
    program: Program, tmp_path: Path
) -> None:
    """A duplicate score, a score of 101, a unit with four experts and a conflicted expert are
    each an error on its row; those units are not ranked, and one designated unit is fewer
    than the five the notice plans (a warning)."""
    rows = unit_rows(0, 90)  # rows 3–7, clean
    duplicated = unit_rows(1, 88)  # rows 8–12, 王淑芬 again on row 13
    rows += [*duplicated, [*duplicated[1][:3], 86, None]]
    out_of_range = unit_rows(2, 86)  # rows 14–18; 李建国 gives 101
    out_of_range[0][3] = 101
    rows += out_of_range
    rows += unit_rows(3, 84)[:4]  # rows 19–22: 刘红梅 never scored
    rows += unit_rows(4, 82, conflict="陈立新、周敏")  # rows 23–27; 陈立新 on row 26
    review = review_scores(write_scores(tmp_path / "s.xlsx", rows), program)
    findings = sorted(((f.row or 0), f.column, f.rule, f.severity) for f in review.report.findings)
    assert findings == [
        (0, None, "quota", "warning"),
        (13, "专家", "duplicate-score", "error"),
        (14, "评分", "score-range", "error"),
        (19, "专家", "minimum-experts", "error"),
        (23, "专家", "minimum-experts", "error"),  # 陈立新 does not count: 4 experts
        (26, "专家", "expert-conflict", "error"),
    ]
    says = {f.rule: f.message for f in review.report.findings if f.row is not None}
    assert "已在第9行" in says["duplicate-score"]
    assert "101" in says["score-range"] and "0–100" in says["score-range"]
    assert "回避专家" in says["expert-conflict"]
    assert [(u.name, u.rank, u.decision) for u in review.ranked()] == [
        ("单位01", 1, "designated"),
        ("单位02", None, "held"),
        ("单位03", None, "held"),
        ("单位04", None, "held"),
        ("单位05", None, "held"),
    ]


def test_validate_reads_a_score_sheet_by_its_headers(program: Program, tmp_path: Path) -> None:
    """单位名称 + 专家 + 评分 make a score sheet; validate runs the score rules on it."""
    rows = unit_rows(0, 90)
    rows[2][3] = -1
    report = validate_sheet(write_scores(tmp_path / "s.xlsx", rows), program)
    assert report.layout.kind == "score"
    assert [(f.row, f.rule) for f in report.findings] == [(5, "score-range")]


def test_cli_writes_the_designation_sheet_subsidy_reads(run_cli: Run, tmp_path: Path) -> None:
    """review score --out: the first sheet is a designation sheet with 是否授牌 filled that
    subsidy pays from; 评分明细 keeps every score; the JSON agrees with the library."""
    rows = [row for k in range(6) for row in unit_rows(k, 90 - k)]
    sheet = write_scores(tmp_path / "评分.xlsx", rows)
    out = tmp_path / "评审结果.xlsx"
    result = run_cli("review", "score", sheet, "--program", PROGRAM, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "授牌 6 个" in result.stdout
    workbook = openpyxl.load_workbook(out, read_only=True)
    first, detail = workbook.worksheets
    values = [list(r) for r in first.iter_rows(values_only=True)]
    header = values[2]
    assert header[:6] == [
        "序号",
        "单位名称",
        "统一社会信用代码",
        "评审得分",
        "是否授牌",
        "验收结果",
    ]
    assert [(r[1], r[3], r[4]) for r in values[3:5]] == [("单位01", 90, "是"), ("单位02", 89, "是")]
    assert detail.title == "评分明细" and detail.max_row == 1 + 30
    paid = run_cli("subsidy", out, "--program", PROGRAM, "--format", "json")
    lines = json.loads(paid.stdout)["lines"]
    assert sum(1 for line in lines if line["status"] == "paid") == 6
    again = run_cli("review", "score", sheet, "--program", PROGRAM, "--format", "json")
    data = json.loads(again.stdout)
    library = review_scores(sheet, load_program(PROGRAM), shown_name=str(sheet))
    assert data["units"] == library.to_json()["units"]
    assert data["designated"] == 6 and data["method"] == "trimmed-mean"


def test_cli_exits_1_on_scoring_errors_and_2_on_a_program_without_scoring(
    run_cli: Run, tmp_path: Path
) -> None:
    """A score out of range is exit 1 with the finding printed; a program without [scoring]
    is one line on stderr and exit 2."""
    rows = unit_rows(0, 90)
    rows[0][3] = 130
    sheet = write_scores(tmp_path / "评分.xlsx", rows)
    result = run_cli("review", "score", sheet, "--program", PROGRAM)
    assert result.returncode == 1 and "score-range" in result.stdout
    other = run_cli("review", "score", sheet, "--program", "fujian-2013-free-training")
    assert other.returncode == 2
    assert other.stderr.count("\n") == 1 and "没有专家评分" in other.stderr
