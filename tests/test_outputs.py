"""INTERFACE.md "Files": nothing replaced without --force, never an input, never a non-file."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ROOT

EXAMPLES = ROOT / "examples"
GUANGXI = "guangxi-2012-technician"
XUCHANG = "xuchang-2013-revitalization"
PLACEHOLDER = b"a clerk's own file\n"

Run = Callable[..., subprocess.CompletedProcess[str]]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit 2, nothing on stdout, one 错误： line holding every word."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def inputs(tmp_path: Path, xlsx: Callable[..., Path]) -> Path:
    """The example roster and levy sheet and a small occupation list, in the working folder."""
    shutil.copy(EXAMPLES / f"{GUANGXI}.xlsx", tmp_path / "roster.xlsx")
    shutil.copy(EXAMPLES / f"{XUCHANG}-levy.xlsx", tmp_path / "levy.xlsx")
    xlsx(tmp_path / "list.xlsx", [["行业", "职业（工种）"], ["机械制造", "焊工"]])
    return tmp_path


def commands(target: str) -> dict[str, list[str]]:
    """Every command that writes one file, writing ``target`` (extension fitting)."""
    stem = target.rsplit(".", 1)[0]
    return {
        "template": ["template", GUANGXI, "--out", f"{stem}.xlsx"],
        "validate --annotate": ["validate", "roster.xlsx", "-p", GUANGXI, "--annotate", f"{stem}.xlsx"],
        "subsidy --out": ["subsidy", "roster.xlsx", "-p", GUANGXI, "--out", f"{stem}.xlsx"],
        "levy --out": ["levy", "levy.xlsx", "-p", XUCHANG, "--out", f"{stem}.xlsx"],
        "ledger export": ["ledger", "export", "--ledger", "ledger.sqlite3", "--out", f"{stem}.xlsx"],
        "catalog import": [
            "catalog", "import", "list.xlsx", "--id", "x", "--title", "t", "--source", "s",
            "--out", f"{stem}.toml",
        ],
        "init": ["init", "--out", f"{stem}.toml"],
    }  # fmt: skip


def _target(args: list[str]) -> str:
    return args[-1]


@pytest.fixture
def with_ledger(run_cli: Run, inputs: Path) -> Path:
    """A ledger holding one committed run of the example roster."""
    result = run_cli(
        "subsidy", "roster.xlsx", "-p", GUANGXI, "--ledger", "ledger.sqlite3", "--commit"
    )
    assert result.returncode in (0, 1), result.stderr
    return inputs / "ledger.sqlite3"


@pytest.mark.parametrize("name", list(commands("out")))
def test_an_existing_file_is_replaced_only_with_force(
    run_cli: Run, with_ledger: Path, name: str
) -> None:
    """Every writing command refuses an existing target (exit 2, one line naming it and
    --force, the file untouched) and replaces it when --force is given."""
    args = commands("out")[name]
    target = with_ledger.parent / _target(args)
    target.write_bytes(PLACEHOLDER)
    refused(run_cli(*args), _target(args), "已存在", "--force")
    assert target.read_bytes() == PLACEHOLDER
    result = run_cli(*args, "--force")
    assert result.returncode in (0, 1), result.stderr
    assert target.read_bytes() != PLACEHOLDER


def test_render_replaces_its_documents_only_with_force(run_cli: Run, tmp_path: Path) -> None:
    """A second `render` into the same folder refuses (exit 2, nothing changed); --force redoes it."""
    # --allow-errors: the example's planted errors would otherwise stop the render (issue 15)
    args = ["render", "guangxi-2012-application", "--allow-errors", "--data",
            EXAMPLES / "guangxi-2012-technician-application.xlsx", "--out", "forms"]  # fmt: skip
    assert run_cli(*args).returncode == 0
    before = {path: sha256(path) for path in (tmp_path / "forms").iterdir()}
    refused(run_cli(*args), "已存在", "--force")
    assert {path: sha256(path) for path in (tmp_path / "forms").iterdir()} == before
    assert run_cli(*args, "--force").returncode == 0


@pytest.mark.parametrize("name", list(commands("out")))
def test_a_directory_is_never_written_over(run_cli: Run, with_ledger: Path, name: str) -> None:
    """A target that is a folder is refused even with --force, and stays a folder."""
    args = commands("out")[name]
    (with_ledger.parent / _target(args)).mkdir()
    refused(run_cli(*args, "--force"), _target(args), "文件夹")
    assert (with_ledger.parent / _target(args)).is_dir()


@pytest.mark.parametrize("name", ["template", "validate --annotate", "subsidy --out", "init"])
def test_a_fifo_is_never_written_over(run_cli: Run, with_ledger: Path, name: str) -> None:
    """A target that is a FIFO is refused even with --force (without blocking), and stays one."""
    args = commands("out")[name]
    fifo = with_ledger.parent / _target(args)
    os.mkfifo(fifo)
    refused(run_cli(*args, "--force"), _target(args), "不是普通文件")
    assert fifo.is_fifo()


@pytest.mark.parametrize(
    "args",
    [
        ["template", GUANGXI, "--out", "/dev/null", "--force"],
        ["subsidy", "roster.xlsx", "-p", GUANGXI, "--out", "/dev/null", "--force"],
        ["validate", "roster.xlsx", "-p", GUANGXI, "--annotate", "/dev/null", "--force"],
    ],
)
def test_dev_null_is_refused_even_with_force(run_cli: Run, inputs: Path, args: list[str]) -> None:
    """`--out /dev/null --force` is refused: a device is not a file to replace."""
    refused(run_cli(*args), "/dev/null", "不是普通文件")
    assert Path("/dev/null").is_char_device()


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["validate", "roster.xlsx", "-p", GUANGXI, "--annotate", "link.xlsx"], "link.xlsx"),
        (["subsidy", "roster.xlsx", "-p", GUANGXI, "--out", "link.xlsx"], "link.xlsx"),
        (
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
                "list-link.toml",
            ],
            "list-link.toml",
        ),
    ],
)
def test_a_hard_link_to_the_input_is_refused_even_with_force(
    run_cli: Run, inputs: Path, args: list[str], name: str
) -> None:
    """An output that is the input under another name (same inode) is refused with --force."""
    source = inputs / ("list.xlsx" if name.startswith("list") else "roster.xlsx")
    before = sha256(source)
    os.link(source, inputs / name)
    refused(run_cli(*args, "--force"), name, "输入文件")
    assert sha256(source) == before


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["subsidy", "roster.xlsx", "-p", GUANGXI, "--out", "payouts.csv"], "payouts.csv"),
        (["template", GUANGXI, "--out", "blank.xls"], "blank.xls"),
        (["levy", "levy.xlsx", "-p", XUCHANG, "--out", "levy.ods"], "levy.ods"),
        (["validate", "roster.xlsx", "-p", GUANGXI, "--annotate", "marked.xlsm"], "marked.xlsm"),
        (["init", "--out", "params.ini"], "params.ini"),
        (["ledger", "export", "--out", "all.txt"], "all.txt"),
    ],
)
def test_an_extension_that_does_not_match_the_content_is_refused(
    run_cli: Run, inputs: Path, args: list[str], name: str
) -> None:
    """`--out payouts.csv` for an .xlsx schedule (and the like) is refused; nothing is written."""
    refused(run_cli(*args), name, "扩展名")
    assert not (inputs / name).exists()


def test_commit_with_an_existing_out_stops_before_the_ledger(run_cli: Run, inputs: Path) -> None:
    """`subsidy --commit --out EXISTING` stops before anything is recorded: no ledger is made."""
    (inputs / "payouts.xlsx").write_bytes(PLACEHOLDER)
    result = run_cli(
        "subsidy", "roster.xlsx", "-p", GUANGXI, "--out", "payouts.xlsx",
        "--ledger", "ledger.sqlite3", "--commit",
    )  # fmt: skip
    refused(result, "payouts.xlsx", "--force")
    assert not (inputs / "ledger.sqlite3").exists()
    assert (inputs / "payouts.xlsx").read_bytes() == PLACEHOLDER


def test_check_output_is_the_one_place(tmp_path: Path) -> None:
    """The library's check refuses an existing file, allows it with force, refuses a folder."""
    from skillpolicy.domain.errors import InputError
    from skillpolicy.io.fileio import check_output

    target = tmp_path / "a.xlsx"
    check_output(target, suffixes=(".xlsx",))
    target.write_bytes(PLACEHOLDER)
    with pytest.raises(InputError, match="--force"):
        check_output(target, suffixes=(".xlsx",))
    check_output(target, force=True, suffixes=(".xlsx",))
    with pytest.raises(InputError, match="输入文件"):
        check_output(target, force=True, inputs=[target])
    with pytest.raises(InputError, match="文件夹"):
        check_output(tmp_path, force=True)


def test_help_of_every_writing_command_offers_force(run_cli: Run) -> None:
    """Each command that writes files documents --force in its help."""
    for args in (["template"], ["validate"], ["subsidy"], ["levy"], ["render"], ["init"],
                 ["ledger", "export"], ["catalog", "import"]):  # fmt: skip
        result = run_cli(*args, "-h")
        assert "--force" in result.stdout, args
