"""The code stays ruff- and mypy-clean, and the README's quick start is what CI runs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; install the project with its [test] extra")
    return found


def test_ruff_check_is_clean() -> None:
    """ruff check finds nothing in src, tests, scripts and benchmarks."""
    result = subprocess.run(
        [_tool("ruff"), "check", "src", "tests", "scripts", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    """mypy --strict (configured in pyproject) finds no error in the package."""
    result = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean_on_the_tests() -> None:
    """mypy --strict (configured in pyproject) finds no error in tests/, conftest and corpus included."""
    result = subprocess.run(
        [_tool("mypy"), "tests"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run executes exactly the README's second quick-start command."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.+?)\n```", quick_start)
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci.splitlines()


def test_readme_first_command_installs_the_runtime_only_and_runs_demo() -> None:
    """The README's first quick-start command installs `-e .` (no test extras) and runs demo."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    first = re.findall(r"```sh\n(.+?)\n```", quick_start)[0]
    steps = [step.strip() for step in first.split("&&")]
    assert steps == [
        "python3 -m venv .venv",
        ".venv/bin/pip install -e .",
        ".venv/bin/skillpolicy demo",
    ]


def test_readme_documents_every_command() -> None:
    """Every top-level CLI command is named in the README."""
    from typer.main import get_command

    from skillpolicy.cli import app

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = get_command(app)
    names = list(getattr(command, "commands", {}))
    assert names, "no commands registered"
    for name in names:
        assert f"skillpolicy {name}" in readme, name


def test_every_test_has_a_docstring() -> None:
    """Every test function has a docstring saying what it pins."""
    import ast

    missing = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
                "test_"
            ):
                doc = ast.get_docstring(node)
                if not doc or not doc.strip():
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert missing == []
