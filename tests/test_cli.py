"""The command-line contract (shared/INTERFACE.md): commands, exit codes, stderr, JSON.

The CLI is run as the installed console script in a subprocess, because the contract is about
``skillpolicy.cli:main`` (which turns domain errors into one stderr line and exit 2) and about
keeping stdout and stderr apart.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import zipfile
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from skillpolicy.loading.programfiles import program_ids
from skillpolicy.policy.catalog import load_catalog_file

PROGRAM_IDS = program_ids()  # whatever catalogs/programs/ ships
FINDING_KEYS = {"row", "column", "rule", "severity", "message", "citation"}
REPORT_KEYS = {"program", "file", "rows", "valid_rows", "findings", "skipped"}

# Rows that break guangxi-2012-technician rules: a repeated person (row 5 repeats row 3's
# number), an occupation outside the catalog, tenure too short, a training form not allowed.
BAD_ROWS = [
    ["王五", "男", "450102198001010015", "厨师", "高级工", "2011-01-01", "技师", "函授", "合格"],
]

COMMANDS_WITH_HELP = [
    [],
    ["programs"],
    ["program"],
    ["program", "show"],
    ["catalog"],
    ["catalog", "list"],
    ["catalog", "show"],
    ["catalog", "diff"],
    ["catalog", "import"],
    ["template"],
    ["validate"],
    ["demo"],
]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """Exit 2, nothing on stdout, exactly one line on stderr starting with 错误：."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("错误："), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


# --- every command exists, has help and the documented exit code ---------------------------


@pytest.mark.parametrize("command", COMMANDS_WITH_HELP, ids=lambda c: " ".join(c) or "root")
def test_help_works_for_every_command(run_cli: Callable[..., Any], command: list[str]) -> None:
    """`skillpolicy … --help` exits 0 and prints usage on stdout only."""
    result = run_cli(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout
    assert result.stderr == ""


def test_version_prints_the_installed_version(run_cli: Callable[..., Any]) -> None:
    """`--version` prints `skillpolicy X.Y.Z` (the distribution's version) and exits 0."""
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout == f"skillpolicy {version('skillpolicy')}\n"
    assert result.stderr == ""


def test_programs_lists_every_shipped_program_id(run_cli: Callable[..., Any]) -> None:
    """`programs` exits 0 and names the id of every shipped program file."""
    result = run_cli("programs")
    assert result.returncode == 0, result.stderr
    for program_id in PROGRAM_IDS:
        assert program_id in result.stdout


@pytest.mark.parametrize("program_id", PROGRAM_IDS)
def test_program_show_exits_0_for_every_program(
    run_cli: Callable[..., Any], program_id: str
) -> None:
    """`program show ID` exits 0 for every shipped program and names the program."""
    result = run_cli("program", "show", program_id)
    assert result.returncode == 0, result.stderr
    assert program_id in result.stdout
    assert result.stderr == ""


def test_catalog_list_names_the_shipped_catalog(run_cli: Callable[..., Any]) -> None:
    """`catalog list` exits 0 and lists guangxi-2012-shortage."""
    result = run_cli("catalog", "list")
    assert result.returncode == 0, result.stderr
    assert "guangxi-2012-shortage" in result.stdout


def test_catalog_show_counts_industries_and_occupations(run_cli: Callable[..., Any]) -> None:
    """`catalog show guangxi-2012-shortage` exits 0 and reports 10 industries, 35 occupations."""
    result = run_cli("catalog", "show", "guangxi-2012-shortage")
    assert result.returncode == 0, result.stderr
    assert "共 10 个行业，35 个职业（工种）" in result.stdout
    assert "物流师" in result.stdout


def test_catalog_diff_of_a_catalog_with_itself_is_same(run_cli: Callable[..., Any]) -> None:
    """`catalog diff A A` exits 0 and says the occupations are the same."""
    result = run_cli("catalog", "diff", "guangxi-2012-shortage", "guangxi-2012-shortage")
    assert result.returncode == 0, result.stderr
    assert "相同" in result.stdout


def test_catalog_diff_lists_added_removed_and_moved(
    run_cli: Callable[..., Any], tmp_path: Path
) -> None:
    """`catalog diff ID FILE.toml` prints + added, - removed and ~ moved occupations."""
    (tmp_path / "city.toml").write_text(
        'id = "city"\ntitle = "市目录"\nsource = "测试"\n'
        '[[industries]]\nname = "机械制造"\noccupations = ["焊工", "数控车工", "茶艺师"]\n',
        encoding="utf-8",
    )
    result = run_cli("catalog", "diff", "guangxi-2012-shortage", "city.toml")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "+ 茶艺师（机械制造）" in lines
    assert "- 物流师（新职业）" in lines
    assert "~ 数控车工：数控技术 → 机械制造" in lines


def test_catalog_import_writes_a_loadable_catalog(
    run_cli: Callable[..., Any], tmp_path: Path, xlsx: Callable[..., Path]
) -> None:
    """`catalog import` turns a 行业/职业（工种） sheet into a TOML catalog that loads back."""
    xlsx(
        tmp_path / "list.xlsx",
        [
            ["南宁市紧缺职业目录"],
            ["序号", "行业", "职业（工种）"],
            [1, "机械制造", "焊工"],
            [2, None, "车工"],  # a merged industry cell leaves blanks below it
            [3, "现代服务", "茶艺师"],
        ],
    )
    result = run_cli(
        "catalog",
        "import",
        "list.xlsx",
        "--id",
        "nanning-2024",
        "--title",
        "南宁",
        "--source",
        "测试",
        "--out",
        "nanning-2024.toml",
    )
    assert result.returncode == 0, result.stderr
    catalog = load_catalog_file(tmp_path / "nanning-2024.toml")
    assert [(i.name, i.occupations) for i in catalog.industries] == [
        ("机械制造", ["焊工", "车工"]),
        ("现代服务", ["茶艺师"]),
    ]


@pytest.mark.parametrize("program_id", PROGRAM_IDS)
def test_template_exits_0_and_writes_a_workbook(
    run_cli: Callable[..., Any], tmp_path: Path, program_id: str
) -> None:
    """`template PROGRAM --out FILE` exits 0 and writes an .xlsx workbook."""
    result = run_cli("template", program_id, "--out", "blank.xlsx")
    assert result.returncode == 0, result.stderr
    assert zipfile.is_zipfile(tmp_path / "blank.xlsx")


def test_demo_brief_exits_0(run_cli: Callable[..., Any]) -> None:
    """`demo --brief` exits 0 and prints the summary table."""
    result = run_cli("demo", "--brief")
    assert result.returncode == 0, result.stderr
    assert "示例核对汇总" in result.stdout


# --- validate: exit codes and JSON -----------------------------------------------------------


def test_validate_clean_roster_exits_0(
    run_cli: Callable[..., Any], guangxi_roster: Callable[..., Path]
) -> None:
    """validate exits 0 on a roster without errors and reports no errors."""
    guangxi_roster()
    result = run_cli("validate", "roster.xlsx", "--program", "guangxi-2012-technician")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "错误 0 条" in result.stdout


def test_validate_roster_with_errors_exits_1(
    run_cli: Callable[..., Any], guangxi_roster: Callable[..., Path]
) -> None:
    """validate exits 1 when the sheet was read and has rule violations."""
    guangxi_roster(extra=BAD_ROWS)
    result = run_cli("validate", "roster.xlsx", "--program", "guangxi-2012-technician")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "duplicate-person" in result.stdout


def test_validate_json_has_exactly_the_documented_keys(
    run_cli: Callable[..., Any], guangxi_roster: Callable[..., Path]
) -> None:
    """--format json prints one object with program, file, rows, valid_rows, findings, skipped."""
    guangxi_roster(extra=BAD_ROWS)
    result = run_cli(
        "validate", "roster.xlsx", "--program", "guangxi-2012-technician", "--format", "json"
    )
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == REPORT_KEYS
    assert report["program"] == "guangxi-2012-technician"
    assert report["file"] == "roster.xlsx"
    assert (report["rows"], report["valid_rows"]) == (3, 2)
    assert report["findings"]
    for finding in report["findings"]:
        assert set(finding) == FINDING_KEYS
        assert finding["severity"] in ("error", "warning", "review")
        assert finding["citation"].startswith("桂人才通字〔2012〕11号")
    found = {(f["row"], f["column"], f["rule"]) for f in report["findings"]}
    assert found == {
        (5, "身份证号", "duplicate-person"),
        (5, "职业(工种)", "occupation-in-catalog"),
        (5, "取证日期", "level-tenure"),
        (5, "培训形式", "training-form"),
    }


def test_validate_json_on_clean_roster_has_no_findings(
    run_cli: Callable[..., Any], guangxi_roster: Callable[..., Path]
) -> None:
    """--format json on a clean roster: exit 0, every row valid, an empty findings list."""
    guangxi_roster()
    result = run_cli("validate", "roster.xlsx", "-p", "guangxi-2012-technician", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "program": "guangxi-2012-technician",
        "file": "roster.xlsx",
        "rows": 2,
        "valid_rows": 2,
        "findings": [],
        "skipped": [],
    }


def test_annotate_does_not_modify_the_input(
    run_cli: Callable[..., Any], tmp_path: Path, guangxi_roster: Callable[..., Path]
) -> None:
    """--annotate writes a separate copy; the input file's bytes are unchanged."""
    source = guangxi_roster(extra=BAD_ROWS)
    before = sha256(source)
    result = run_cli(
        "validate", "roster.xlsx", "-p", "guangxi-2012-technician", "--annotate", "marked.xlsx"
    )
    assert result.returncode == 1, result.stderr
    assert sha256(source) == before
    assert zipfile.is_zipfile(tmp_path / "marked.xlsx")


@pytest.mark.parametrize("target", ["roster.xlsx", "./roster.xlsx"])
def test_annotate_refuses_to_write_over_the_input(
    run_cli: Callable[..., Any], guangxi_roster: Callable[..., Path], target: str
) -> None:
    """--annotate naming the input file itself is refused with exit 2; the input survives."""
    source = guangxi_roster(extra=BAD_ROWS)
    before = sha256(source)
    result = run_cli(
        "validate", "roster.xlsx", "-p", "guangxi-2012-technician", "--annotate", target
    )
    line = assert_one_error_line(result)
    assert "输入文件" in line
    assert sha256(source) == before


# --- errors: one line on stderr, nothing on stdout, exit 2 -----------------------------------


@pytest.fixture
def broken_inputs(
    tmp_path: Path, xlsx: Callable[..., Path], guangxi_roster: Callable[..., Path]
) -> None:
    """The inputs the error cases below name, all in the working directory."""
    guangxi_roster("roster.xlsx")
    (tmp_path / "notes.xlsx").write_text("姓名,身份证号\n张三,1\n", encoding="utf-8")
    (tmp_path / "empty.xlsx").write_bytes(b"")
    xlsx(tmp_path / "no-keys.xlsx", [["序号", "名字", "号码"], [1, "张三", "1"]])
    guangxi_roster("no-date.xlsx", drop=["取证日期"])
    xlsx(tmp_path / "twice.xlsx", [["姓名", "身份证号", "职业(工种)", "身份证号"]])
    xlsx(tmp_path / "list.xlsx", [["行业", "职业（工种）"], ["机械制造", "焊工"]])
    xlsx(
        tmp_path / "list-twice.xlsx", [["行业", "职业"], ["机械制造", "焊工"], ["汽车产业", "焊工"]]
    )


VALIDATE = ["validate", "--program", "guangxi-2012-technician", "--annotate", "marked.xlsx"]
IMPORT = ["catalog", "import", "--id", "x", "--title", "t", "--source", "s", "--out", "marked.toml"]

ERROR_CASES: dict[str, tuple[list[str], list[str]]] = {
    "unknown program (program show)": (
        ["program", "show", "no-such-program"],
        ["no-such-program", "guangxi-2012-technician"],
    ),
    "unknown program (validate)": (
        ["validate", "roster.xlsx", "--program", "no-such-program", "--annotate", "marked.xlsx"],
        ["no-such-program"],
    ),
    "unknown program (template)": (
        ["template", "no-such-program", "--out", "marked.xlsx"],
        ["no-such-program"],
    ),
    "unknown catalog (show)": (["catalog", "show", "no-such-list"], ["no-such-list"]),
    "unknown catalog (diff)": (
        ["catalog", "diff", "guangxi-2012-shortage", "no-such-list"],
        ["no-such-list"],
    ),
    "missing file": ([*VALIDATE, "absent.xlsx"], ["absent.xlsx", "不存在"]),
    "text file renamed .xlsx": ([*VALIDATE, "notes.xlsx"], ["notes.xlsx", "不是 Excel 工作簿"]),
    "empty file": ([*VALIDATE, "empty.xlsx"], ["empty.xlsx", "空"]),
    "no key headers": ([*VALIDATE, "no-keys.xlsx"], ["no-keys.xlsx", "姓名", "身份证号"]),
    "missing required column": ([*VALIDATE, "no-date.xlsx"], ["no-date.xlsx", "取证日期"]),
    "duplicate header": ([*VALIDATE, "twice.xlsx"], ["twice.xlsx", "身份证号", "B、D"]),
    "bad --as-of": ([*VALIDATE, "roster.xlsx", "--as-of", "2012-13-45"], ["--as-of", "2012-13-45"]),
    "bad --format": ([*VALIDATE, "roster.xlsx", "--format", "xml"], ["--format", "xml"]),
    "bad --kind": ([*VALIDATE, "roster.xlsx", "--kind", "list"], ["--kind", "list"]),
    "a --kind the program has not": (
        [*VALIDATE, "roster.xlsx", "--kind", "levy"],
        ["roster.xlsx", "没有职工教育经费征收表（levy）", "学员花名册（roster）"],
    ),
    "catalog import of a missing file": (
        [
            "catalog",
            "import",
            "absent.xlsx",
            "--id",
            "x",
            "--title",
            "t",
            "--source",
            "s",
            "--out",
            "marked.toml",
        ],
        ["absent.xlsx", "不存在"],
    ),
    "catalog import with an occupation twice": (
        [*IMPORT, "list-twice.xlsx"],
        ["list-twice.xlsx", "焊工", "两次"],
    ),
    "catalog import with a bad --issued": (
        [*IMPORT, "list.xlsx", "--issued", "2024-99-01"],
        ["--issued", "2024-99-01"],
    ),
    "catalog import with a bad --id": (
        [*IMPORT, "list.xlsx", "--id", "Bad_Id"],
        ["--id", "Bad_Id"],
    ),
    "catalog import over its own input": (
        [
            "catalog",
            "import",
            "list.xlsx",
            "--id",
            "x",
            "--title",
            "t",
            "--source",
            "s",
            "--out",
            "list.xlsx",
        ],
        ["list.xlsx", "输入文件"],
    ),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_unusable_input_gives_one_line_on_stderr_and_exit_2(
    run_cli: Callable[..., Any], tmp_path: Path, broken_inputs: None, case: str
) -> None:
    """Unusable input: exit 2, stdout empty, one 错误： line naming what is wrong; no output."""
    args, words = ERROR_CASES[case]
    line = assert_one_error_line(run_cli(*args))
    for word in words:
        assert word in line
    assert not (tmp_path / "marked.xlsx").exists()
    assert not (tmp_path / "marked.toml").exists()


def test_unknown_program_message_is_pinned(run_cli: Callable[..., Any]) -> None:
    """An unknown program id prints exactly this line, listing the known ids and the near miss."""
    result = run_cli("program", "show", "guangxi-2013-technician")
    assert_one_error_line(result)
    assert result.stderr == (
        "错误：未知的项目「guangxi-2013-technician」；现有项目：fujian-2013-free-training, "
        "guangxi-2012-technician, guangxi-2019-lifelong, jincheng-2022-training-base, "
        "jincheng-2022-workstation, xuchang-2013-revitalization；"
        "是否要用 guangxi-2012-technician？\n"
    )


def test_missing_required_column_message_is_pinned(
    run_cli: Callable[..., Any], guangxi_roster: Callable[..., Path]
) -> None:
    """A roster missing a required column prints exactly this line: file, sheet, header row, column."""
    guangxi_roster("roster.xlsx", drop=["取证日期"], sheet="花名册")
    result = run_cli("validate", "roster.xlsx", "--program", "guangxi-2012-technician")
    assert_one_error_line(result)
    assert result.stderr == "错误：roster.xlsx，工作表「花名册」：第2行表头缺少必需的列：取证日期\n"
