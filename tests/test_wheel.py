"""The built wheel carries its data files and works installed, away from the checkout."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
# the checkout's program files: the wheel must carry each of them, whatever they are
PROGRAM_IDS = sorted(p.stem for p in (ROOT / "catalogs" / "programs").glob("*.toml"))

pytestmark = pytest.mark.slow


def _clean_env() -> dict[str, str]:
    """The environment without anything that could point Python back at the checkout."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SKILLPOLICY_", "PYTHON", "VIRTUAL_ENV", "PIP_"))
    }


def _run(args: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m build --wheel --no-isolation` of the checkout, into a temporary folder."""
    for module in ("build", "hatchling"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed (pip install build hatchling)")
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", out, ROOT], out)
    wheels = sorted(out.glob("skillpolicy-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with the wheel installed whose dependencies come from the environment running
    the tests, not from the base interpreter: on a fresh machine the system Python has none.

    The venv is made without the system site-packages; after the wheel is installed, a
    ``.pth`` file appends this environment's site-packages to its path (a path line only: the
    ``.pth`` files in that folder, the checkout's editable install among them, are not run),
    so the wheel in the venv is found first and typer, openpyxl and the rest after it.
    """
    folder = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", folder], folder)
    python = folder / "bin" / "python"
    _run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheel], folder)
    purelib = _run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], folder
    ).stdout.strip()
    ours = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    (Path(purelib) / "skillpolicy-test-dependencies.pth").write_text(
        "".join(f"{path}\n" for path in ours), encoding="utf-8"
    )
    return folder


def test_wheel_contains_programs_and_catalog(wheel: Path) -> None:
    """The wheel carries every program file of the checkout and the guangxi-2012-shortage catalog."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    programs = {
        n for n in names if n.startswith("skillpolicy/catalogs/programs/") and n.endswith(".toml")
    }
    assert programs == {f"skillpolicy/catalogs/programs/{p}.toml" for p in PROGRAM_IDS}
    assert "skillpolicy/catalogs/occupations/guangxi-2012-shortage.toml" in names
    assert "skillpolicy/py.typed" in names
    assert "skillpolicy/cli/__init__.py" in names


def test_installed_package_is_the_wheel_not_the_checkout(venv: Path, tmp_path: Path) -> None:
    """Inside the venv, `import skillpolicy` and its shipped data resolve into the venv."""
    code = (
        "import skillpolicy; from skillpolicy.io.resources import shipped_dir; "
        "print(skillpolicy.__file__); print(shipped_dir('catalogs'))"
    )
    result = _run([venv / "bin" / "python", "-c", code], tmp_path)
    module_file, catalogs = result.stdout.splitlines()
    assert Path(module_file).resolve().is_relative_to(venv.resolve()), module_file
    assert Path(catalogs).resolve().is_relative_to(venv.resolve()), catalogs


def test_installed_cli_lists_programs_from_another_directory(venv: Path, tmp_path: Path) -> None:
    """`<venv>/bin/skillpolicy programs` run outside the checkout exits 0 and names every id."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = _run([venv / "bin" / "skillpolicy", "programs"], elsewhere)
    for program_id in PROGRAM_IDS:
        assert program_id in result.stdout
    assert result.stderr == ""


def test_installed_cli_runs_the_bundled_examples(venv: Path, tmp_path: Path) -> None:
    """`<venv>/bin/skillpolicy demo --brief` finds the examples the wheel ships and exits 0."""
    result = _run([venv / "bin" / "skillpolicy", "demo", "--brief"], tmp_path)
    assert "示例核对汇总" in result.stdout


CUSTOM = ROOT / "examples" / "custom-program"
CUSTOM_ID = "qinghe-2026-work-training"
CUSTOM_CITE = "青禾人社〔2026〕7号（示例）"


def _skillpolicy(
    venv: Path, cwd: Path, *args: str | Path, code: int = 0
) -> subprocess.CompletedProcess[str]:
    """The installed CLI with ``--catalog-dir`` at the seventh program's folder, its exit code
    checked (``validate`` and ``subsidy`` exit 1 on a sheet with violations)."""
    result = subprocess.run(
        [str(venv / "bin" / "skillpolicy"), "--catalog-dir", str(CUSTOM), *map(str, args)],
        cwd=cwd,
        env={**_clean_env(), "COLUMNS": "300"},  # long paths: no line folded under an assertion
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == code, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def test_installed_cli_runs_a_seventh_program_written_as_data_only(
    venv: Path, tmp_path: Path
) -> None:
    """The installed wheel runs examples/custom-program, a program written as data only."""
    program_file = CUSTOM / "programs" / f"{CUSTOM_ID}.toml"
    roster = CUSTOM / "花名册.xlsx"
    params = ("--params", CUSTOM / "skillpolicy.toml")
    ledger = ("--ledger", tmp_path / "台账.sqlite3")

    checked = _skillpolicy(venv, tmp_path, "program", "check", program_file, "--sample", roster,
                           *params)  # fmt: skip
    assert "无问题" in checked.stdout
    assert "发放 4 笔，待定 0 笔，不予发放 9 笔；合计 3,020.00 元" in checked.stdout

    _skillpolicy(venv, tmp_path, "template", CUSTOM_ID, "--out", tmp_path / "空白.xlsx")
    blank = openpyxl.load_workbook(tmp_path / "空白.xlsx")
    top = {
        value for row in blank.worksheets[0].iter_rows(max_row=5, values_only=True) for value in row
    }
    assert {"参保月数", "签订劳动合同", "所在企业", "培训类型"} <= top  # the declared new columns

    validated = json.loads(
        _skillpolicy(venv, tmp_path, "validate", roster, "-p", CUSTOM_ID, *params,
                     "--format", "json", code=1).stdout
    )  # fmt: skip
    found = {(f["row"], f["rule"], f["citation"]) for f in validated["findings"]}
    assert found == {
        (6, "insured-months", f"{CUSTOM_CITE} 二(二)"),  # 参保2个月, 不满3个月
        (7, "attendance", f"{CUSTOM_CITE} 三(二)"),  # 岗位技能提升培训, 到课率70%
        (9, "partner-enterprise", f"{CUSTOM_CITE} 二(三)"),  # not on the local name list
        (10, "no-dispatch", f"{CUSTOM_CITE} 二(五)"),  # 劳务派遣
        (11, "occupation-in-catalog", f"{CUSTOM_CITE} 二(四)；附件1"),  # 面包师
        (12, "labour-contract", f"{CUSTOM_CITE} 二(一)"),  # 签订劳动合同 否
        (13, "class-dates", f"{CUSTOM_CITE} 三"),  # 开班 after 结业
        (14, "training-type", f"{CUSTOM_CITE} 三"),  # 创业培训
        (15, "column-type", f"{CUSTOM_CITE} 列的声明"),  # 参保月数「三个月」
        (15, "insured-months", f"{CUSTOM_CITE} 二(二)"),
    }
    assert (validated["rows"], validated["valid_rows"]) == (13, 4)

    committed = _skillpolicy(venv, tmp_path, "subsidy", roster, "-p", CUSTOM_ID, *params, *ledger,
                             "--format", "json", "--commit", "--operator", "张经办", code=1)  # fmt: skip
    payout = json.loads(committed.stdout)
    paid = {line["row"]: (line["amount"], line["payee"]) for line in payout["lines"]
            if line["status"] == "paid"}  # fmt: skip
    assert paid == {
        3: ("500.00", "青禾县星河机械有限公司"),  # 以工代训 in March: 500.00, to the enterprise
        4: ("720.00", "青禾县禾丰食品有限公司"),  # 1 July, the change day: 600.00 × 1.20 合格
        5: ("1200.00", "青禾县职业技能培训学校"),  # 岗位技能提升 1000.00 × 1.20, to the school
        8: ("600.00", "青禾县安康养老服务中心"),  # September: 600.00 (到课率 not applicable)
    }
    assert (payout["total"], payout["refused"], payout["pending"]) == ("3020.00", 9, 0)
    [run_id] = re.findall(r"运行 (\S+)", committed.stderr)

    _skillpolicy(venv, tmp_path, "ledger", "review", run_id, "--by", "李复核", *ledger)
    approved = _skillpolicy(venv, tmp_path, "ledger", "approve", run_id, "--by", "王局长", *ledger)
    assert "已审批" in approved.stdout

    explained = json.loads(
        _skillpolicy(venv, tmp_path, "explain", roster, "-p", CUSTOM_ID, "--row", "4", *params,
                     *ledger, "--format", "json").stdout
    )  # fmt: skip
    outcomes = {rule["rule"]: rule["outcome"] for rule in explained["rules"]}
    assert outcomes["attendance"] == "not-applicable"  # applies_when: 以工代训 has no classes
    assert outcomes["insured-months"] == outcomes["partner-enterprise"] == "passed"
    [line] = explained["money"]["lines"]  # the amount, then what the ledger says of it
    assert "600.00（自 2026-07-01 起施行）" in line["basis"] and "取证提高 1.20" in line["basis"]
    assert [reason["rule"] for reason in line["reasons"]] == ["already-paid"]
    assert run_id in line["ledger"] and "720.00" in line["ledger"]

    _skillpolicy(venv, tmp_path, "report", "monthly", "--month", "2026-08", *ledger,
                 "--out", tmp_path / "月报")  # fmt: skip
    report = openpyxl.load_workbook(tmp_path / "月报" / "2026-08" / "月报-2026-08.xlsx")
    rows = [row for row in report["概况"].iter_rows(values_only=True) if row[0] == _title()]
    month, total = ([row[1], row[7], row[8], row[10]] for row in rows)
    assert month == ["本月", 1, 720, 0]  # 结业 in August: 钱丽华 alone
    assert total == ["累计", 3, 2420, 9]  # 吴桂芳 (结业 October) is not yet counted


def _title() -> str:
    """The seventh program's title as its file states it."""
    text = (CUSTOM / "programs" / f"{CUSTOM_ID}.toml").read_text(encoding="utf-8")
    return str(tomllib.loads(text)["title"])
