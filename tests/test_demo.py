"""`skillpolicy demo` runs every bundled example, its program and kind read from data."""

from __future__ import annotations

import re
import subprocess
import tomllib
from collections.abc import Callable

from conftest import ROOT
from skillpolicy.io.examples import bundled_examples

EXAMPLES = ROOT / "examples"
EXPECTED = ROOT / "tests" / "examples"

Run = Callable[..., subprocess.CompletedProcess[str]]


def test_manifest_agrees_with_the_expected_findings() -> None:
    """examples/examples.toml names, for every example with expectations, the same program
    and sheet kind as tests/examples/<stem>.toml."""
    listed = {e.path.name: (e.program, e.kind) for e in bundled_examples(EXAMPLES)}
    expected = {}
    for path in sorted(EXPECTED.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        expected[data["example"]] = (data["program"], data.get("kind"))
    assert listed == expected


def test_every_example_workbook_is_listed_or_a_parameters_list() -> None:
    """Each examples/*.xlsx is a sheet the manifest lists or a list skillpolicy.toml names."""
    listed = {e.path.name for e in bundled_examples(EXAMPLES)}
    params = (EXAMPLES / "skillpolicy.toml").read_text(encoding="utf-8")
    for path in sorted(EXAMPLES.glob("*.xlsx")):
        assert path.name in listed or f'"{path.name}"' in params, path.name


def test_demo_runs_examples_not_named_after_a_program(run_cli: Run) -> None:
    """`demo --brief` has a row for every listed example, xuchang-technicians.xlsx included,
    checked as a technician sheet (its 2,000.00 a technician paid)."""
    result = run_cli("demo", "--brief")
    assert result.returncode == 0, result.stderr
    for example in bundled_examples(EXAMPLES):
        assert f"│ {example.path.name} " in result.stdout, example.path.name
    row = next(line for line in result.stdout.splitlines() if "xuchang-technicians.xlsx" in line)
    cells = [cell.strip() for cell in row.strip("│").split("│")]
    assert cells[0] == "xuchang-2013-revitalization"
    assert re.fullmatch(r"\d+/\d+/\d+", cells[7]), cells
    paid = int(cells[7].split("/")[0])
    assert paid > 0 and cells[8] == f"{paid * 2000:,}.00"
