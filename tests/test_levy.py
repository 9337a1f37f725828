"""The employee education fund levy (许政办〔2013〕52号 五(二)): library, scenarios and CLI.

The levy scenarios live in ``scenarios/xuchang-2013-levy.toml``: ``test_scenarios.py`` checks
their findings, and the ``levy_lines`` worked by hand are checked here against
:func:`skillpolicy.compute.levy.compute_levy`.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from skillpolicy.compute.levy import compute_levy, write_levy_workbook
from skillpolicy.domain.errors import InputError
from skillpolicy.domain.identifiers import check_credit_code
from skillpolicy.io.resources import shipped_dir
from skillpolicy.loading.programfiles import load_program
from test_scenarios import SCENARIO_DIR, build_sheet

PROGRAM = "xuchang-2013-revitalization"
LEVY_KEYS = {
    "program",
    "currency",
    "total",
    "total_in_words",
    "levied",
    "exempt",
    "refused",
    "lines",
}
LINE_KEYS = {
    "row",
    "name",
    "id",
    "status",
    "payroll",
    "rate",
    "should_set_aside",
    "amount",
    "reasons",
}
HEADER = ["单位名称", "统一社会信用代码", "职工工资总额", "提取比例", "规模以上", "开展职工培训"]
EAST = "91411000MA3X5B7Y2J"
WEST = "91411000174123457T"
SOUTH = "91411000MA40C2DK1N"

Run = Callable[..., Any]


def _levy_cases() -> list[Any]:
    params = []
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for case in data["case"]:
            if "levy_lines" in case:
                params.append(pytest.param(data, case, id=f"{path.stem}: {case['name']}"))
    return params


def levy_sheet(path: Path, rows: list[list[Any]], *, title: bool = True) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    if title:
        sheet.append(["2013年度规模以上企业职工教育经费提取情况表"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """Three enterprises: one levied, one exempt, one with a rate above the band."""
    return levy_sheet(
        tmp_path / "levy.xlsx",
        [
            ["许昌市东城机械制造有限公司", EAST, 2000000, "1.5%", "是", "否"],
            ["许昌瑞丰发制品有限公司", WEST, 800000, None, "否", "否"],
            ["许昌恒达电气有限公司", SOUTH, 1000000, "3%", "是", "否"],
        ],
    )


# --- the scenarios' hand-worked lines ------------------------------------------------------


@pytest.mark.parametrize(("data", "case"), _levy_cases())
def test_levy_scenario_lines(data: dict[str, Any], case: dict[str, Any], tmp_path: Path) -> None:
    """Each scenario row is levied, exempt or refused with the set-aside and amount worked by hand."""
    levy = compute_levy(build_sheet(data, case, tmp_path), load_program(data["program"]))
    actual = [
        (
            line.row,
            line.status,
            str(line.should_set_aside),
            str(line.amount),
            [r.rule for r in line.reasons],
        )
        for line in levy.lines
    ]
    expected = [
        (
            e["row"],
            e["status"],
            e.get("should_set_aside", "0.00"),
            e.get("amount", "0.00"),
            e.get("reasons", []),
        )
        for e in case["levy_lines"]
    ]
    assert actual == expected
    by_row = {line.row: line for line in levy.lines}
    for wanted in case["levy_lines"]:
        line = by_row[wanted["row"]]
        if "rate" in wanted:
            assert line.to_json()["rate"] == wanted["rate"]
        for words in wanted.get("says", []):
            assert any(words in r.message for r in line.reasons), (words, line.reasons)
    assert str(levy.total) == case["levy_total"]
    assert levy.to_json()["total_in_words"] == case["levy_total_in_words"]


# --- the library ---------------------------------------------------------------------------


def test_levy_json_has_exactly_the_documented_keys(mixed: Path) -> None:
    """to_json has the levy keys, and every line the line keys with amounts as 2-decimal strings."""
    payload = compute_levy(mixed, load_program(PROGRAM)).to_json()
    assert set(payload) == LEVY_KEYS
    assert (payload["levied"], payload["exempt"], payload["refused"]) == (1, 1, 1)
    assert (payload["total"], payload["total_in_words"]) == ("18000.00", "壹万捌仟元整")
    for line in payload["lines"]:
        assert set(line) == LINE_KEYS
    first, second, third = payload["lines"]
    assert first == {
        "row": 3,
        "name": "许昌市东城机械制造有限公司",
        "id": EAST,
        "status": "levied",
        "payroll": "2000000.00",
        "rate": "0.015",
        "should_set_aside": "30000.00",
        "amount": "18000.00",
        "reasons": [],
    }
    assert (second["status"], second["rate"], second["should_set_aside"]) == (
        "exempt",
        "0.015",
        "12000.00",
    )
    assert second["reasons"][0]["citation"] == "许政办〔2013〕52号 五(二)"
    assert (third["status"], third["rate"], third["amount"]) == ("refused", "0.03", "0.00")
    assert [r["rule"] for r in third["reasons"]] == ["education-fund"]


def test_rates_come_from_the_program_file(mixed: Path) -> None:
    """A program whose [[rates]] say 50% and 1%–3% levies by those numbers, not by 60% and 1.5%–2.5%."""
    program = load_program(PROGRAM)
    rates = [
        rate.model_copy(update={"value": value})
        for rate, value in zip(
            program.rates, (Decimal("0.01"), Decimal("0.03"), Decimal("0.50")), strict=True
        )
    ]
    assert [r.name for r in rates] == [
        "education_fund_floor",
        "education_fund_ceiling",
        "education_fund_levy_share",
    ]
    changed = program.model_copy(update={"rates": rates})
    levy = compute_levy(mixed, changed)
    assert [(line.status, str(line.amount)) for line in levy.lines] == [
        ("levied", "15000.00"),  # 2,000,000 × 1.5% = 30,000; 50% of it
        ("exempt", "0.00"),
        ("levied", "15000.00"),  # 3% is inside the band 1%–3% now
    ]
    assert levy.lines[1].should_set_aside == Decimal("8000.00")  # a blank rate is the 1% floor


def test_a_roster_is_not_a_levy_sheet(tmp_path: Path) -> None:
    """compute_levy on a roster stops with an InputError naming the headers a levy sheet needs."""
    path = tmp_path / "roster.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["姓名", "身份证号", "培训类型"])
    workbook.save(path)
    with pytest.raises(InputError, match=r"不是职工教育经费征收表.*职工工资总额"):
        compute_levy(path, load_program(PROGRAM))


def _credit_code(serial: int) -> str:
    """A valid GB 32100 code for a made-up unit, found with the public check."""
    body = f"91411000{serial:08d}"
    for org_check in "0123456789X":
        for last in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            if check_credit_code(body + org_check + last).ok:
                return body + org_check + last
    raise AssertionError(serial)


def test_a_total_of_1_wanyi_or_more_is_refused_not_a_crash(tmp_path: Path) -> None:
    """70 payrolls just under 1 万亿 levy 1.05 万亿 in all: exit 2, not an internal error."""
    path = tmp_path / "huge.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for serial in range(70):
        sheet.append([f"企业{serial}", _credit_code(serial), "999999999999.99", "2.5%", "是", "否"])
    workbook.save(path)
    with pytest.raises(InputError, match=r"征收合计 1050000000000\.00 元达到 1 万亿元以上"):
        compute_levy(path, load_program(PROGRAM))


def test_a_program_without_a_levy_is_refused(mixed: Path) -> None:
    """compute_levy for a program with no levy sheet names the programs that have one."""
    with pytest.raises(InputError, match=r"没有职工教育经费征收.*xuchang-2013-revitalization"):
        compute_levy(mixed, load_program("guangxi-2012-technician"))


def test_levy_sheet_headers_are_found_below_a_title_and_by_alias(tmp_path: Path) -> None:
    """A header written 工资总额 / 职工教育经费提取比例 under a title row is read as the levy sheet."""
    path = tmp_path / "alias.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["某县2013年职工教育经费统筹表"])
    sheet.append([])
    sheet.append(
        [
            "单位名称",
            "统一社会信用代码",
            "工资总额",
            "职工教育经费提取比例",
            "规模以上",
            "开展职工培训",
        ]
    )
    sheet.append(["许昌市东城机械制造有限公司", EAST, "1,000,000.00", "2.5%", "√", "×"])
    workbook.save(path)
    levy = compute_levy(path, load_program(PROGRAM))
    assert levy.report.layout.header_row == 3
    assert [(line.row, line.status, str(line.amount)) for line in levy.lines] == [
        (4, "levied", "15000.00")
    ]


def test_levy_workbook_lists_every_line_and_the_total(mixed: Path, tmp_path: Path) -> None:
    """write_levy_workbook writes each enterprise with its result, and a total in figures and words."""
    levy = compute_levy(mixed, load_program(PROGRAM))
    target = tmp_path / "out.xlsx"
    write_levy_workbook(levy, target)
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    text = "\n".join(" ".join(str(v) for v in row if v is not None) for row in values)
    assert "许政办〔2013〕52号 五(二)" in text
    assert "sha256" in text
    rows = [
        row for row in values if row[2] in ("许昌市东城机械制造有限公司", "许昌恒达电气有限公司")
    ]
    assert [(row[7], row[8]) for row in rows] == [(18000, "征收"), (0, "退回更正")]
    total = next(row for row in values if row[0] == "合计")
    assert total[7] == 18000
    assert total[9] == "大写：壹万捌仟元整"


# --- the command ---------------------------------------------------------------------------


@pytest.mark.slow
def test_levy_command_json_and_exit_1_on_violations(run_cli: Run, mixed: Path) -> None:
    """`levy --format json` prints the library's object on stdout only and exits 1 on a violation."""
    result = run_cli("levy", mixed.name, "--program", PROGRAM, "--format", "json")
    assert result.returncode == 1, result.stderr
    assert (
        json.loads(result.stdout)
        == compute_levy(mixed, load_program(PROGRAM), shown_name=mixed.name).to_json()
    )
    assert result.stderr == ""


@pytest.mark.slow
def test_levy_command_exits_0_on_a_clean_sheet_and_writes_out(run_cli: Run, tmp_path: Path) -> None:
    """A clean levy sheet: exit 0, a table with the Chinese total, and --out writes the workbook."""
    levy_sheet(
        tmp_path / "clean.xlsx",
        [
            ["许昌市东城机械制造有限公司", EAST, 1000003, None, "是", "否"],
            ["许昌瑞丰发制品有限公司", WEST, 800000, "2.5%", "是", "是"],
        ],
    )
    result = run_cli("levy", "clean.xlsx", "-p", PROGRAM, "--out", "levy-out.xlsx")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "征收 1 家，不征收 1 家，退回更正 0 家；合计 9,000.03 元（大写：玖仟元零叁分）" in (
        result.stdout
    )
    assert (tmp_path / "levy-out.xlsx").is_file()
    assert "征收清单已写入 levy-out.xlsx" in result.stderr


@pytest.mark.slow
def test_levy_command_on_a_roster_is_exit_2_and_writes_nothing(
    run_cli: Run, tmp_path: Path
) -> None:
    """`levy` on a sheet that is not a levy sheet: exit 2, one line on stderr, no --out file."""
    path = tmp_path / "roster.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["姓名", "身份证号", "培训类型"])
    workbook.save(path)
    result = run_cli("levy", "roster.xlsx", "-p", PROGRAM, "--out", "levy-out.xlsx")
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("错误：roster.xlsx")
    assert "不是职工教育经费征收表" in result.stderr
    assert not (tmp_path / "levy-out.xlsx").exists()


@pytest.mark.slow
def test_levy_command_refuses_to_overwrite_its_input(run_cli: Run, mixed: Path) -> None:
    """`levy --out` naming the input sheet is exit 2 and leaves the sheet as it was."""
    before = mixed.read_bytes()
    result = run_cli("levy", mixed.name, "-p", PROGRAM, "--out", mixed.name)
    assert result.returncode == 2
    assert "输出文件与输入文件相同" in result.stderr
    assert mixed.read_bytes() == before


@pytest.mark.slow
def test_levy_help(run_cli: Run) -> None:
    """`skillpolicy levy --help` exits 0 and prints usage on stdout only."""
    result = run_cli("levy", "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout
    assert result.stderr == ""


@pytest.mark.slow
def test_validate_reads_a_levy_sheet_and_subsidy_refuses_it(run_cli: Run, mixed: Path) -> None:
    """`validate` detects the levy sheet and reports its rules; `subsidy` says it pays nothing."""
    checked = run_cli("validate", mixed.name, "-p", PROGRAM, "--format", "json")
    assert checked.returncode == 1, checked.stderr
    found = {(f["row"], f["column"], f["rule"]) for f in json.loads(checked.stdout)["findings"]}
    assert found == {(5, "提取比例", "education-fund")}
    paid = run_cli("subsidy", mixed.name, "-p", PROGRAM)
    assert paid.returncode == 2
    assert "职工教育经费征收表，不涉及补贴发放" in paid.stderr


@pytest.mark.slow
def test_levy_template_is_read_back_as_a_levy_sheet(run_cli: Run, tmp_path: Path) -> None:
    """`template --kind levy` writes the levy headers; filled in, `levy` reads it (exit 0)."""
    result = run_cli("template", PROGRAM, "--kind", "levy", "--out", "blank.xlsx")
    assert result.returncode == 0, result.stderr
    workbook = openpyxl.load_workbook(tmp_path / "blank.xlsx")
    sheet = workbook.worksheets[0]
    assert sheet.title == "职工教育经费征收表"
    assert [c.value for c in sheet[2]] == ["序号", *HEADER]  # 序号 for the clerk, then the levy's
    sheet.append([1, "许昌市东城机械制造有限公司", EAST, 1000000, 0.02, "是", "否"])
    workbook.save(tmp_path / "filled.xlsx")
    computed = run_cli("levy", "filled.xlsx", "-p", PROGRAM, "--format", "json")
    assert computed.returncode == 0, computed.stderr
    assert json.loads(computed.stdout)["total"] == "12000.00"


def test_levy_reads_no_local_parameters(mixed: Path, tmp_path: Path, monkeypatch: Any) -> None:
    """A broken ./skillpolicy.toml does not stop the levy: the document fixes every number it uses."""
    (tmp_path / "skillpolicy.toml").write_text("[no-such-program]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert compute_levy(mixed, load_program(PROGRAM)).total == Decimal("18000.00")


def test_the_shipped_levy_example_is_computed(tmp_path: Path) -> None:
    """The bundled levy example gives the levied, exempt and refused counts its planted rows imply."""
    example = shipped_dir("examples") / "xuchang-2013-revitalization-levy.xlsx"
    copy = tmp_path / example.name
    shutil.copyfile(example, copy)
    levy = compute_levy(copy, load_program(PROGRAM))
    assert levy.count("refused") == len(levy.report.rows_with_errors) > 0
    assert levy.count("levied") > 0 and levy.count("exempt") > 0
    assert levy.total == sum(
        (line.amount for line in levy.lines if line.status == "levied"), Decimal("0.00")
    )
