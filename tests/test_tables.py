"""Terminal tables a clerk reads: ids never cut, a long list cut short with a summary by
rule, rule parameters in words, a progress display only on a terminal."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT, cli_env, make_resident_id, skillpolicy_script
from skillpolicy.loading.programfiles import list_programs

GUANGXI = "guangxi-2012-technician"
HEADER = [
    "姓名",
    "性别",
    "身份证号",
    "职业(工种)",
    "现等级",
    "取证日期",
    "申报等级",
    "培训形式",
    "鉴定结果",
    "培训机构",
]

Run = Callable[..., subprocess.CompletedProcess[str]]


def run_at(width: int, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI with COLUMNS=width and stdout a pipe."""
    env = cli_env() | {"COLUMNS": str(width)}
    return subprocess.run(
        [skillpolicy_script(), *map(str, args)],
        cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip


def bad_roster(path: Path, rows: int) -> Path:
    """A guangxi-2012 roster of ``rows`` trainees, each with a wrong check digit and too
    short a tenure (two errors a row)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for index in range(rows):
        good = make_resident_id(f"45010219800101{index:03d}")
        wrong = good[:17] + ("0" if good[17] != "0" else "1")
        sheet.append(
            [f"学员{index}", "男", wrong, "焊工", "高级工", "2011-01-01", "技师", "脱产", "合格",
             "南宁市高级技工学校"]
        )  # fmt: skip
    book.save(path)
    return path


@pytest.mark.parametrize("width", [80, 120])
def test_programs_never_cuts_a_program_id(tmp_path: Path, width: int) -> None:
    """At 80 and 120 columns every program id is printed whole on one line; titles wrap."""
    result = run_at(width, "programs", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout
    for program in list_programs():
        assert re.search(rf"│ {re.escape(program.id)} +│", result.stdout), program.id
    assert max(len(line) for line in result.stdout.splitlines()) <= width


def test_ledger_list_never_wraps_a_run_id(tmp_path: Path) -> None:
    """`ledger list` at 80 columns prints each run id whole on one line."""
    shutil.copy(ROOT / "examples" / f"{GUANGXI}.xlsx", tmp_path / "roster.xlsx")
    commit = run_at(
        200,
        "subsidy",
        "roster.xlsx",
        "-p",
        GUANGXI,
        "--ledger",
        "l.sqlite3",
        "--commit",
        cwd=tmp_path,
    )
    assert commit.returncode in (0, 1), commit.stderr
    run_id = re.search(r"运行 (\S+)", commit.stderr)
    assert run_id is not None, commit.stderr
    listing = run_at(80, "ledger", "list", "--ledger", "l.sqlite3", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert re.search(rf"│ {re.escape(run_id.group(1))} +│", listing.stdout), listing.stdout


def test_a_long_table_stops_and_sums_up_by_rule(tmp_path: Path) -> None:
    """More findings than --max-rows: the table stops there, then a count per rule with its
    clause (the same counts as the complete JSON) and where to find the rest."""
    bad_roster(tmp_path / "roster.xlsx", 60)
    table = run_at(200, "validate", "roster.xlsx", "-p", GUANGXI, "--max-rows", "25", cwd=tmp_path)
    assert table.returncode == 1, table.stderr
    whole = run_at(200, "validate", "roster.xlsx", "-p", GUANGXI, "-f", "json", cwd=tmp_path)
    findings = json.loads(whole.stdout)["findings"]
    assert len(findings) > 100
    assert f"以上仅列出前 25 条问题，共 {len(findings)} 条" in table.stdout
    numbers = re.findall(r"^│ (\d+) +│", table.stdout, flags=re.MULTILINE)
    assert max(map(int, numbers)) <= 26  # 25 findings, two a row from row 2
    for rule, count in Counter(f["rule"] for f in findings).items():
        citation = next(f["citation"] for f in findings if f["rule"] == rule)
        line = next(line for line in table.stdout.splitlines() if line.startswith(f"│ {rule} "))
        assert f"│ {count} " in line and citation in line, line
    assert "--annotate" in table.stdout and "--format json" in table.stdout


def test_default_limit_is_200_and_zero_shows_all(tmp_path: Path) -> None:
    """Without --max-rows the table stops at 200 findings; --max-rows 0 lists them all."""
    bad_roster(tmp_path / "roster.xlsx", 120)
    cut = run_at(200, "validate", "roster.xlsx", "-p", GUANGXI, cwd=tmp_path)
    assert "以上仅列出前 200 条问题，共 240 条" in cut.stdout
    full = run_at(200, "validate", "roster.xlsx", "-p", GUANGXI, "--max-rows", "0", cwd=tmp_path)
    assert "以上仅列出" not in full.stdout
    assert "│ 121 " in full.stdout


def test_subsidy_table_stops_too(tmp_path: Path) -> None:
    """`subsidy --max-rows N` lists N lines, sums the rest up by rule, and still totals all."""
    bad_roster(tmp_path / "roster.xlsx", 30)
    result = run_at(200, "subsidy", "roster.xlsx", "-p", GUANGXI, "--max-rows", "10", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "以上仅列出前 10 笔，共 30 笔" in result.stdout
    assert "不予发放 30 笔" in result.stdout


def test_a_negative_max_rows_is_a_usage_error(tmp_path: Path) -> None:
    """`--max-rows -1` is one Chinese line, exit 2."""
    result = run_at(200, "validate", "r.xlsx", "-p", GUANGXI, "--max-rows", "-1", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("错误：--max-rows") and len(result.stderr.splitlines()) == 1


def test_no_progress_display_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    """In cron (stderr a pipe) nothing but notes reaches stderr: no progress display."""
    bad_roster(tmp_path / "roster.xlsx", 10)
    result = run_at(200, "validate", "roster.xlsx", "-p", GUANGXI, cwd=tmp_path)
    assert "正在核对" not in result.stderr
    assert "\x1b" not in result.stderr


@pytest.mark.parametrize(
    ("args", "labels"),
    [
        (["validate", "--annotate", "marked.xlsx"], ["正在核对", "正在写标注副本"]),
        (["subsidy"], ["正在核对"]),
    ],
)
def test_progress_display_when_stderr_is_a_terminal(
    tmp_path: Path, args: list[str], labels: list[str]
) -> None:
    """With stderr a terminal, reading and checking (and writing the copy) show their progress
    there; stdout stays clean."""
    bad_roster(tmp_path / "roster.xlsx", 10)
    leader, follower = pty.openpty()
    try:
        result = subprocess.run(
            [skillpolicy_script(), args[0], "roster.xlsx", "-p", GUANGXI, *args[1:]],
            cwd=tmp_path, env=cli_env(), stdout=subprocess.PIPE, stderr=follower,
            check=False, timeout=300,
        )  # fmt: skip
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
    assert result.returncode == 1
    for label in labels:
        assert label in seen.decode("utf-8", "replace")
        assert label not in result.stdout.decode("utf-8")


@pytest.mark.parametrize("program_id", [p.id for p in list_programs()])
def test_program_show_writes_rule_parameters_in_words(run_cli: Run, program_id: str) -> None:
    """`program show` prints rule parameters as a clerk reads them, never a Python repr."""
    result = run_cli("program", "show", program_id)
    assert result.returncode == 0, result.stderr
    for repr_mark in ("{'", "['", "':", "=[", "={", "Decimal("):
        assert repr_mark not in result.stdout, repr_mark


def test_program_show_reads_the_tenure_paths(tmp_path: Path) -> None:
    """Guangxi 2012's promotion paths read `高级工→技师 满3年；技师→高级技师 满2年`."""
    result = run_at(400, "program", "show", GUANGXI, cwd=tmp_path)
    assert "高级工→技师 满3年" in result.stdout
    assert "技师→高级技师 满2年" in result.stdout
