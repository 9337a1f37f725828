"""The command line a person expects: -h, usage errors in one Chinese line, completion, examples."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import cli_env, skillpolicy_script

COMMANDS = [
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
    ["subsidy"],
    ["levy"],
    ["demo"],
    ["render"],
    ["ledger"],
    ["ledger", "list"],
    ["ledger", "export"],
    ["ledger", "void"],
    ["report"],
    ["report", "monthly"],
    ["init"],
]


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a usage error (exit 2, nothing on stdout)."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("错误："), result.stderr
    return lines[0]


def complete(words: str, tmp_path: Path) -> list[str]:
    """What bash completion offers for the last word of ``words``."""
    env = cli_env() | {
        "_SKILLPOLICY_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    result = subprocess.run(
        [skillpolicy_script()], env=env, cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "root")
def test_dash_h_is_help_and_ends_with_examples(
    run_cli: Callable[..., Any], command: list[str]
) -> None:
    """`-h` is help for every command, and the help ends with real `skillpolicy …` examples."""
    result = run_cli(*command, "-h")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = [line.strip() for line in result.stdout.rstrip().splitlines()]
    assert "示例：" in lines
    examples = lines[lines.index("示例：") + 1 :]
    assert 1 <= len(examples) <= 2
    assert all(line.startswith(" ".join(["skillpolicy", *command[:1]])) for line in examples)


def test_misspelt_option_is_one_chinese_line_with_the_near_miss(
    run_cli: Callable[..., Any],
) -> None:
    """A misspelt option: `错误：没有 --progam 选项，是否要用 --program？`, exit 2."""
    result = run_cli("validate", "roster.xlsx", "--progam", "guangxi-2012-technician")
    assert one_line(result) == "错误：没有 --progam 选项，是否要用 --program？"


def test_missing_argument_is_one_chinese_line(run_cli: Callable[..., Any]) -> None:
    """A missing argument names it in one Chinese line and says where help is, exit 2."""
    line = one_line(run_cli("validate"))
    assert line == "错误：缺少参数 SHEET（skillpolicy validate -h 查看用法）"


def test_missing_required_option_is_one_chinese_line(run_cli: Callable[..., Any]) -> None:
    """A missing required option (`--program`) is named in one Chinese line, exit 2."""
    line = one_line(run_cli("validate", "roster.xlsx"))
    assert line.startswith("错误：缺少选项 --program")


def test_option_without_its_value_is_one_chinese_line(run_cli: Callable[..., Any]) -> None:
    """An option given without its value says so in one Chinese line, exit 2."""
    assert one_line(run_cli("template", "guangxi-2012-technician", "--out")) == (
        "错误：选项 --out 后面缺少值"
    )


def test_misspelt_command_is_one_chinese_line_with_the_near_miss(
    run_cli: Callable[..., Any],
) -> None:
    """A misspelt command names the command meant, in one Chinese line, exit 2."""
    assert one_line(run_cli("valdate")) == "错误：没有 valdate 命令，是否要用 validate？"


def test_extra_argument_is_one_chinese_line(run_cli: Callable[..., Any]) -> None:
    """An extra argument is named in one Chinese line, exit 2 (validate and subsidy take
    several files, levy one)."""
    line = one_line(run_cli("levy", "a.xlsx", "b.xlsx", "-p", "xuchang-2013-revitalization"))
    assert line.startswith("错误：多余的参数 b.xlsx")


@pytest.mark.parametrize(
    ("args", "meant"),
    [
        (["program", "show", "guangxi-2012-technican"], "guangxi-2012-technician"),
        (["catalog", "show", "guangxi-2012-shortag"], "guangxi-2012-shortage"),
        (["render", "guangxi-2012-aplication", "--check"], "guangxi-2012-application"),
    ],
)
def test_misspelt_ids_get_a_near_miss(
    run_cli: Callable[..., Any], args: list[str], meant: str
) -> None:
    """A misspelt program, catalog or form id ends with `是否要用 <the id meant>？`, exit 2."""
    assert one_line(run_cli(*args)).endswith(f"是否要用 {meant}？")


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("skillpolicy program show gua", {"guangxi-2012-technician", "guangxi-2019-lifelong"}),
        (
            "skillpolicy validate x.xlsx --program jin",
            {"jincheng-2022-workstation", "jincheng-2022-training-base"},
        ),
        ("skillpolicy catalog show guangxi", {"guangxi-2012-shortage"}),
        ("skillpolicy render pay", {"payout-notice"}),
    ],
)
def test_program_catalog_and_form_ids_complete(
    tmp_path: Path, words: str, expected: set[str]
) -> None:
    """Shell completion offers program ids, catalog ids and form ids that start as typed."""
    assert set(complete(words, tmp_path)) == expected


def test_install_completion_writes_the_bash_script(tmp_path: Path) -> None:
    """`--install-completion bash` installs a completion script that calls skillpolicy."""
    env = cli_env() | {"HOME": str(tmp_path), "SHELL": "/bin/bash"}
    result = subprocess.run(
        [skillpolicy_script(), "--install-completion", "bash"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    scripts = list(tmp_path.rglob("*skillpolicy*"))
    assert scripts, sorted(tmp_path.iterdir())
    assert "_SKILLPOLICY_COMPLETE" in scripts[0].read_text(encoding="utf-8")


def test_show_completion_prints_the_script(run_cli: Callable[..., Any]) -> None:
    """`--show-completion bash` prints the script that completes skillpolicy."""
    result = run_cli("--show-completion", "bash")
    assert result.returncode == 0, result.stderr
    assert "_SKILLPOLICY_COMPLETE=complete_bash" in result.stdout
