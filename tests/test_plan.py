"""Fujian 2013 二: city training plans checked, totalled, and the province's targets read back.

Every total and share below is worked by hand from the rows the test writes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from skillpolicy.check.validate import validate_sheet
from skillpolicy.domain.errors import InputError
from skillpolicy.loading.programfiles import load_program
from skillpolicy.policy.params import LocalParams
from skillpolicy.policy.programs import Program
from skillpolicy.tasks.plan import read_targets, summarise_plans, write_summary_workbook

PROGRAM = "fujian-2013-free-training"
HEADER = [
    "设区市",
    "企业名称",
    "行业",
    "职业(工种)",
    "计划人数",
    "承训机构",
    "本地院校",
    "报送日期",
]
KEY = ["福州闽江重工机械有限公司", "福建榕城电子科技有限公司", "泉州市鲤城纺织机械有限公司"]
FEB_28 = dt.date(2013, 2, 28)

Run = Callable[..., Any]


@pytest.fixture(scope="module")
def program() -> Program:
    return load_program(PROGRAM)


def write_plan(path: Path, rows: list[list[Any]], header: list[str] = HEADER) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["2013年企业紧缺技术工种免费技能培训计划"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def params_for(program: Program, tmp_path: Path) -> LocalParams:
    """The key-enterprise list as a local parameter, the way a bureau sets it."""
    listing = tmp_path / "重点企业名单.xlsx"
    write_plan(listing, [[name] for name in KEY], header=["单位名称"])
    return LocalParams(program, {"key_enterprises": listing.name}, tmp_path / "skillpolicy.toml")


def fuzhou(planned_local: int, planned_outside: int, day: dt.date = FEB_28) -> list[list[Any]]:
    return [
        ["福州市", KEY[0], "装备制造", "数控车工", planned_local, "福州市高级技工学校", "是", day],
        ["福州市", KEY[1], "电子信息", "电工", planned_outside, "省电子培训中心", "否", day],
    ]


def test_plan_sheet_is_read_by_its_headers_and_its_rules_run(
    program: Program, tmp_path: Path
) -> None:
    """设区市 + 企业名称 + 计划人数 make a plan sheet; an enterprise off the key list, a plan
    sent on 1 March and a 计划人数 of 0 are errors on their rows; 28 February is in time."""
    rows = fuzhou(70, 30)
    rows.append(["福州市", "福州某某贸易公司", "商贸", "营销员", 10, "某校", "否", FEB_28])
    rows.append(["福州市", KEY[0], "装备制造", "焊工", 0, "某校", "否", dt.date(2013, 3, 1)])
    report = validate_sheet(
        write_plan(tmp_path / "p.xlsx", rows), program, params=params_for(program, tmp_path)
    )
    assert report.layout.kind == "plan"
    got = sorted((f.row, f.column, f.rule, f.severity) for f in report.findings)
    assert got == [
        (5, "企业名称", "plan-enterprise", "error"),
        (6, "报送日期", "plan-deadline", "error"),
        (6, "计划人数", "plan-count", "error"),
    ]


def test_outside_share_is_weighted_by_planned_trainees_per_city(
    program: Program, tmp_path: Path
) -> None:
    """福州 30 of 100 outside its schools is exactly 30% (no warning); 29 of 100 is 29% (a
    sheet warning naming the city), though each city has one outside row of two."""
    fine = validate_sheet(
        write_plan(tmp_path / "a.xlsx", fuzhou(70, 30)),
        program,
        params=params_for(program, tmp_path),
    )
    assert not fine.findings
    low = validate_sheet(
        write_plan(tmp_path / "b.xlsx", fuzhou(71, 29)),
        program,
        params=params_for(program, tmp_path),
    )
    assert [(f.row, f.rule, f.severity) for f in low.findings] == [
        (None, "plan-outside-share", "warning")
    ]
    assert "福州市" in low.findings[0].message and "29%" in low.findings[0].message


def test_deadline_reads_the_date_above_the_header_when_there_is_no_column(
    program: Program, tmp_path: Path
) -> None:
    """Without a 报送日期 column the 填报日期 written above the header is the submission date."""
    path = tmp_path / "p.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["填报日期", "2013年3月2日"])
    sheet.append(HEADER[:-1])
    for row in fuzhou(70, 30):
        sheet.append(row[:-1])
    workbook.save(path)
    report = validate_sheet(path, program, params=params_for(program, tmp_path))
    assert [(f.row, f.rule) for f in report.findings] == [
        (3, "plan-deadline"),
        (4, "plan-deadline"),
    ]
    assert "2013-03-02" in report.findings[0].message


def test_summary_totals_per_city_industry_and_institution(program: Program, tmp_path: Path) -> None:
    """Two cities' files: 福州 70 + 30 = 100, 泉州 50; totals per industry and institution."""
    a = write_plan(tmp_path / "福州.xlsx", fuzhou(70, 30))
    b = write_plan(
        tmp_path / "泉州.xlsx",
        [["泉州市", KEY[2], "装备制造", "机修钳工", 50, "省电子培训中心", "否", FEB_28]],
    )
    summary = summarise_plans([a, b], program, params=params_for(program, tmp_path))
    assert not summary.has_errors and summary.total == 150
    cities = {
        name: (t.planned, t.outside, len(t.enterprises)) for name, t in summary.by("city").items()
    }
    assert cities == {"福州市": (100, 30, 2), "泉州市": (50, 50, 1)}
    industries = {name: t.planned for name, t in summary.by("industry").items()}
    assert industries == {"装备制造": 120, "电子信息": 30}
    institutions = {name: t.planned for name, t in summary.by("institution").items()}
    assert institutions == {"福州市高级技工学校": 70, "省电子培训中心": 80}


def test_targets_entered_in_the_summary_are_read_back(program: Program, tmp_path: Path) -> None:
    """The 按设区市 sheet has an empty 指导性培训计划指标 column; what the province enters
    there is read back per city, a blank cell is no target, and text is one clear error."""
    a = write_plan(tmp_path / "福州.xlsx", fuzhou(70, 30))
    b = write_plan(
        tmp_path / "泉州.xlsx",
        [["泉州市", KEY[2], "装备制造", "机修钳工", 50, "某校", "否", FEB_28]],
    )
    summary = summarise_plans([a, b], program, params=params_for(program, tmp_path))
    out = tmp_path / "汇总.xlsx"
    write_summary_workbook(summary, out)
    workbook = openpyxl.load_workbook(out)
    sheet = workbook["按设区市"]
    header = [cell.value for cell in sheet[3]]
    assert header[-1] == "指导性培训计划指标"
    assert [c.value for c in sheet[4]][1:5] == ["福州市", 2, 100, 30]
    assert sheet.cell(row=4, column=7).value is None
    assert workbook.sheetnames == ["按设区市", "按行业", "按承训机构", "明细"]
    sheet.cell(row=4, column=7).value = 90
    workbook.save(out)
    assert read_targets(out) == {"福州市": 90}
    sheet.cell(row=5, column=7).value = "约五十"
    workbook.save(out)
    with pytest.raises(InputError) as caught:
        read_targets(out)
    assert "第5行" in str(caught.value) and "指导性培训计划指标" in str(caught.value)


def test_cli_summary_and_targets(run_cli: Run, tmp_path: Path) -> None:
    """plan summary writes the summary and exits 0 on clean plans; --targets prints the cities'
    targets (JSON too); a plan with an error exits 1."""
    program = load_program(PROGRAM)
    params_for(program, tmp_path)
    (tmp_path / "skillpolicy.toml").write_text(
        '[fujian-2013-free-training]\nkey_enterprises = "重点企业名单.xlsx"\n', encoding="utf-8"
    )
    plan = write_plan(tmp_path / "福州.xlsx", fuzhou(70, 30))
    out = tmp_path / "汇总.xlsx"
    result = run_cli("plan", "summary", plan, "--program", PROGRAM, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "合计计划 100 人" in result.stdout
    workbook = openpyxl.load_workbook(out)
    workbook["按设区市"].cell(row=4, column=7).value = 95
    workbook.save(out)
    targets = run_cli("plan", "summary", "--targets", out, "--program", PROGRAM, "-f", "json")
    assert targets.returncode == 0, targets.stderr
    assert json.loads(targets.stdout)["targets"] == {"福州市": 95}
    late = write_plan(tmp_path / "晚.xlsx", fuzhou(70, 30, dt.date(2013, 3, 1)))
    failed = run_cli("plan", "summary", late, "--program", PROGRAM)
    assert failed.returncode == 1 and "plan-deadline" in failed.stdout
