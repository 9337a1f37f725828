"""Xuchang's fixed amounts (许政办〔2013〕52号 四(五)三) through the CLI: award lists and
shortage-occupation technicians. The rules and amounts themselves are pinned by
``scenarios/xuchang-2013-awards.toml`` and ``scenarios/xuchang-2013-technicians.toml``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from skillpolicy.check.validate import validate_sheet
from skillpolicy.io.resources import SearchPath
from skillpolicy.io.sheet import SheetReader
from skillpolicy.loading.programfiles import load_program
from skillpolicy.policy.catalog import load_catalog

PROGRAM = "xuchang-2013-revitalization"
AWARD_HEADER = ["序号", "姓名", "身份证号", "奖项", "评选年度", "所在企业"]
TECHNICIAN_HEADER = [
    "姓名",
    "身份证号",
    "职业(工种)",
    "申报等级",
    "培训机构",
    "鉴定结果",
    "证书编号",
]

Run = Callable[..., Any]


def write(path: Path, rows: list[list[Any]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def awards(tmp_path: Path, resident_id: Callable[[str], str]) -> Path:
    """A 2014 award list under a title row: two 技术能手 and one 技能大奖."""
    return write(
        tmp_path / "awards.xlsx",
        [
            ["2014年度许昌市技术能手、技能大奖获奖人员名单"],
            AWARD_HEADER,
            [1, "王建华", resident_id("41100219750101101"), "技术能手", 2014, "许继集团有限公司"],
            [
                2,
                "李秀英",
                resident_id("41100219800202102"),
                "技术能手",
                2014,
                "瑞贝卡发制品股份有限公司",
            ],
            [3, "张国庆", resident_id("41100219700303103"), "技能大奖", 2014, "许继集团有限公司"],
        ],
    )


@pytest.fixture
def technicians(tmp_path: Path, resident_id: Callable[[str], str]) -> Path:
    """Three shortage technicians from two institutions, one still waiting for its appraisal."""
    return write(
        tmp_path / "technicians.xlsx",
        [
            TECHNICIAN_HEADER,
            [
                "王建华",
                resident_id("41100219750101101"),
                "焊工",
                "技师",
                "许昌技师学院",
                "合格",
                "A1",
            ],
            [
                "李秀英",
                resident_id("41100219800202102"),
                "车工",
                "高级技师",
                "许继技工学校",
                "合格",
                "A2",
            ],
            [
                "张国庆",
                resident_id("41100219700303103"),
                "焊工",
                "技师",
                "许昌技师学院",
                None,
                None,
            ],
        ],
    )


@pytest.fixture
def catalog_params(tmp_path: Path) -> Path:
    """A parameters file naming a shortage catalog by id (the shipped Guangxi list as stand-in)."""
    path = tmp_path / "params.toml"
    path.write_text(f'[{PROGRAM}]\nshortage_catalog = "guangxi-2012-shortage"\n', encoding="utf-8")
    return path


def test_an_award_list_is_detected_before_a_roster(awards: Path) -> None:
    """A sheet with 姓名, 身份证号 and 奖项 is read as an award list without --kind."""
    assert SheetReader(awards).layout.kind == "award"


def test_a_technician_sheet_is_read_as_a_roster_unless_asked(technicians: Path) -> None:
    """The technician sheet's headers look like a roster's: only --kind technician selects it."""
    assert SheetReader(technicians).layout.kind == "roster"
    assert SheetReader(technicians, kind="technician").layout.kind == "technician"


@pytest.mark.slow
def test_award_subsidy_pays_each_winner_with_masked_ids(run_cli: Run, awards: Path) -> None:
    """`subsidy` on an award list pays 3,000.00 and 10,000.00 to the winners, ids masked."""
    result = run_cli("subsidy", awards.name, "-p", PROGRAM, "--format", "json")
    assert result.returncode == 0, result.stderr
    payout = json.loads(result.stdout)
    assert (payout["total"], payout["total_in_words"], payout["paid"]) == (
        "16000.00",
        "壹万陆仟元整",
        3,
    )
    assert [(line["amount"], line["payee"]) for line in payout["lines"]] == [
        ("3000.00", "获奖者本人"),
        ("3000.00", "获奖者本人"),
        ("10000.00", "获奖者本人"),
    ]
    assert all("*" in line["id"] for line in payout["lines"])


@pytest.mark.slow
def test_an_award_is_paid_once_per_round(run_cli: Run, awards: Path, tmp_path: Path) -> None:
    """Committed twice, an award list pays nothing the second time; the next round is paid again."""
    ledger = str(tmp_path / "ledger.sqlite3")
    first = run_cli("subsidy", awards.name, "-p", PROGRAM, "--ledger", ledger, "--commit")
    assert first.returncode == 0, first.stderr
    again = run_cli("subsidy", awards.name, "-p", PROGRAM, "--ledger", ledger, "--format", "json")
    assert again.returncode == 1
    assert {line["status"] for line in json.loads(again.stdout)["lines"]} == {"refused"}
    workbook = openpyxl.load_workbook(awards)
    sheet = workbook.active
    assert sheet is not None
    for row in sheet.iter_rows(min_row=3):
        row[4].value = 2016
    workbook.save(tmp_path / "awards-2016.xlsx")
    later = run_cli("subsidy", "awards-2016.xlsx", "-p", PROGRAM, "--ledger", ledger)
    assert later.returncode == 0, later.stdout + later.stderr


@pytest.mark.slow
def test_technician_subsidy_pays_the_institutions(
    run_cli: Run, technicians: Path, catalog_params: Path
) -> None:
    """`subsidy --kind technician` pays 2,000.00 a certified technician to its institution."""
    result = run_cli(
        "subsidy",
        technicians.name,
        "-p",
        PROGRAM,
        "--kind",
        "technician",
        "--params",
        catalog_params.name,
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    payout = json.loads(result.stdout)
    assert (payout["total"], payout["paid"], payout["pending"]) == ("4000.00", 2, 1)
    assert [(line["status"], line["payee"]) for line in payout["lines"]] == [
        ("paid", "许昌技师学院"),
        ("paid", "许继技工学校"),
        ("pending", "许昌技师学院"),
    ]


@pytest.mark.slow
def test_technicians_need_the_shortage_catalog_parameter(run_cli: Run, technicians: Path) -> None:
    """Without shortage_catalog set, validate --kind technician exits 2 naming the parameter."""
    result = run_cli("validate", technicians.name, "-p", PROGRAM, "--kind", "technician")
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert "shortage_catalog" in result.stderr
    assert "四(五)三" in result.stderr


def test_shortage_catalog_may_be_a_toml_file_beside_the_parameters(
    technicians: Path, tmp_path: Path
) -> None:
    """shortage_catalog = "list.toml" reads that catalog file, relative to the parameters file."""
    folder = tmp_path / "local"
    folder.mkdir()
    shipped = load_catalog("guangxi-2012-shortage", SearchPath("catalogs"))
    (folder / "list.toml").write_text(
        'id = "list"\ntitle = "许昌市急需紧缺职业（工种）目录"\nsource = "测试"\n\n'
        '[[industries]]\nname = "机械制造"\noccupations = ["焊工"]\n',
        encoding="utf-8",
    )
    (folder / "params.toml").write_text(
        f'[{PROGRAM}]\nshortage_catalog = "list.toml"\n', encoding="utf-8"
    )
    assert "车工" in shipped
    report = validate_sheet(
        technicians,
        load_program(PROGRAM),
        kind="technician",
        params_file=folder / "params.toml",
    )
    found = [(f.row, f.column, f.rule) for f in report.findings]
    assert found == [(3, "职业(工种)", "shortage-technician")]  # 车工 is not on this list
    assert "许昌市急需紧缺职业（工种）目录" in report.findings[0].message


@pytest.mark.slow
def test_an_unknown_shortage_catalog_is_exit_2(
    run_cli: Run, technicians: Path, tmp_path: Path
) -> None:
    """A shortage_catalog naming no catalog stops the run with one line naming it."""
    (tmp_path / "params.toml").write_text(
        f'[{PROGRAM}]\nshortage_catalog = "xuchang-2013-shortage"\n', encoding="utf-8"
    )
    result = run_cli(
        "validate",
        technicians.name,
        "-p",
        PROGRAM,
        "--kind",
        "technician",
        "--params",
        "params.toml",
    )
    assert result.returncode == 2
    assert "未知的职业目录「xuchang-2013-shortage」" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["award", "technician", "levy"])
def test_template_writes_each_new_kind(run_cli: Run, tmp_path: Path, kind: str) -> None:
    """`template --kind award|technician|levy` writes the sheet, which reads back as that kind."""
    result = run_cli("template", PROGRAM, "--kind", kind, "--out", "blank.xlsx")
    assert result.returncode == 0, result.stderr
    asked = kind if kind == "technician" else None
    assert SheetReader(tmp_path / "blank.xlsx", kind=asked).layout.kind == kind


@pytest.mark.slow
def test_an_unknown_kind_lists_the_kinds(run_cli: Run, awards: Path) -> None:
    """--kind with an unknown name is exit 2 and lists every sheet kind."""
    result = run_cli("validate", awards.name, "-p", PROGRAM, "--kind", "awards")
    assert result.returncode == 2
    for kind in ("roster", "application", "designation", "award", "technician", "levy"):
        assert kind in result.stderr


def test_a_forced_kind_without_its_headers_says_which_headers(technicians: Path) -> None:
    """--kind technician on a sheet without 申报等级 names the headers a technician sheet needs."""
    from skillpolicy.domain.errors import InputError

    path = write(technicians.parent / "plain.xlsx", [["姓名", "身份证号", "培训类型"]])
    with pytest.raises(InputError, match="申报等级"):
        SheetReader(path, kind="technician")
