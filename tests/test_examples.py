"""The bundled examples: each workbook reports exactly the errors planted in it.

``scripts/make_examples.py`` writes the workbooks in ``examples/`` and, from the same data
structures that plant the errors, the expected findings in ``tests/examples/<stem>.toml``.
These tests run the library (and once the CLI) on every example and compare.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import tomllib
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import python_calamine

from skillpolicy.check.validate import Report, validate_sheet
from skillpolicy.domain.identifiers import check_resident_id
from skillpolicy.io.sheet import SheetReader
from skillpolicy.loading.programfiles import load_program, program_ids

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
EXPECTED = Path(__file__).parent / "examples"
PARAMS = EXAMPLES / "skillpolicy.toml"
GENERATOR = ROOT / "scripts" / "make_examples.py"

CJK = re.compile(r"[\u4e00-\u9fff]")

Key = tuple[int | None, str | None, str, str]
Run = Callable[..., subprocess.CompletedProcess[str]]  # the run_cli fixture of conftest.py


def _expected_files() -> list[Path]:
    return sorted(EXPECTED.glob("*.toml"))


def _expected(stem: str) -> dict[str, Any]:
    return tomllib.loads((EXPECTED / f"{stem}.toml").read_text(encoding="utf-8"))


@cache
def _report(stem: str) -> Report:
    expected = _expected(stem)
    return validate_sheet(
        EXAMPLES / expected["example"],
        load_program(expected["program"]),
        kind=expected.get("kind"),
        params_file=PARAMS,
        shown_name=f"examples/{expected['example']}",
    )


def _key(finding: dict[str, Any]) -> Key:
    return (finding.get("row"), finding.get("column"), finding["rule"], finding["severity"])


STEMS = [path.stem for path in _expected_files()]


@pytest.mark.parametrize("stem", STEMS)
def test_example_reports_exactly_the_planted_findings(stem: str) -> None:
    """Validating an example gives exactly the planted (row, column, rule, severity) multiset."""
    report = _report(stem)
    got: Counter[Key] = Counter((f.row, f.column, f.rule, f.severity) for f in report.findings)
    planted = _expected(stem).get("finding", [])
    want = Counter(_key(f) for f in planted)
    what = {_key(f): f["planted"] for f in planted}
    messages: dict[Key, str] = {
        (f.row, f.column, f.rule, f.severity): f.message for f in report.findings
    }
    unexpected = [f"{k}: {messages[k]}" for k in sorted(got - want, key=str)]
    missing = [f"{k}: {what[k]}" for k in sorted(want - got, key=str)]
    assert not unexpected and not missing, (
        f"not planted but reported: {unexpected}\nplanted but not reported: {missing}"
    )


@pytest.mark.parametrize("stem", STEMS)
def test_example_boundary_cells_are_not_flagged(stem: str) -> None:
    """Cells the generator put on a rule's boundary on purpose (exactly 60%, 3 years…) stay clean."""
    boundaries = [b for b in _expected(stem).get("boundary", []) if "row" in b]
    flagged = {(f.row, f.column): f.message for f in _report(stem).findings}
    for boundary in boundaries:
        where = (boundary["row"], boundary["column"])
        assert where not in flagged, f"{boundary['valid']}: {flagged.get(where)}"


@pytest.mark.parametrize("stem", STEMS)
def test_example_findings_speak_chinese_and_cite_the_document(stem: str) -> None:
    """Every finding on an example has a Chinese message and a citation of the program's document."""
    report = _report(stem)
    document = report.program.document
    assert report.findings, "every example has planted errors"
    for finding in report.findings:
        assert finding.message.strip() and CJK.search(finding.message), finding
        assert finding.citation.startswith(document), finding


@pytest.mark.parametrize("stem", STEMS)
def test_example_plants_several_kinds_of_error(stem: str) -> None:
    """Each example plants 3 to 8 errors, each described; a class-wide one repeats on its rows."""
    planted = _expected(stem).get("finding", [])
    assert all(f["planted"].strip() for f in planted)
    errors = {f["planted"] for f in planted}
    assert 3 <= len(errors) <= 8, errors


def test_every_example_workbook_has_expected_findings() -> None:
    """Every example workbook has an expectations file and every program has an example."""
    # an example read only with --kind is named so that `demo` (which globs those) skips it
    programs = sorted(program_ids(), key=len, reverse=True)
    workbooks: dict[str, str] = {}
    for path in sorted(EXAMPLES.glob("*.xlsx")):
        program = next((p for p in programs if path.name.startswith(p)), None)
        if program is not None:
            workbooks[path.name] = program
    named = {}
    for path in _expected_files():
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert data["example"] == f"{path.stem}.xlsx"
        if "kind" in data:
            assert (EXAMPLES / data["example"]).is_file(), data["example"]
            assert not data["example"].startswith(data["program"]), data["example"]
            assert data["program"] in program_ids()
            continue
        named[data["example"]] = data["program"]
    assert named == workbooks
    assert set(workbooks.values()) == set(program_ids())


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_examples", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def _cells(path: Path) -> list[list[Any]]:
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    return [list(row) for row in workbook.get_sheet_by_index(0).iter_rows()]


def test_generator_reproduces_the_committed_examples(tmp_path: Path) -> None:
    """Running scripts/make_examples.py again writes the same cells, expectations and params."""
    _generator().write_all(tmp_path / "examples", tmp_path / "expected")
    fresh = sorted(p.name for p in (tmp_path / "examples").iterdir())
    assert fresh == sorted(p.name for p in EXAMPLES.iterdir() if p.suffix in (".xlsx", ".toml"))
    for name in fresh:
        if name.endswith(".xlsx"):
            assert _cells(tmp_path / "examples" / name) == _cells(EXAMPLES / name), name
        else:  # the parameters file and the data files it names
            assert (tmp_path / "examples" / name).read_text(encoding="utf-8") == (
                EXAMPLES / name
            ).read_text(encoding="utf-8"), name
    for path in (tmp_path / "expected").iterdir():
        assert path.read_text(encoding="utf-8") == (EXPECTED / path.name).read_text(
            encoding="utf-8"
        ), path.name


def _identity_numbers(path: Path) -> list[str]:
    numbers = []
    for row in SheetReader(path).rows():
        result = check_resident_id(row.raw("身份证号"))
        if len(result.value) == 18:
            numbers.append(result.value)
    return numbers


@pytest.mark.slow
def test_cli_validate_json_on_an_example(run_cli: Run) -> None:
    """`skillpolicy validate --format json` on an example: the contract's keys, exit 1, ids masked."""
    name, program = "guangxi-2012-technician.xlsx", "guangxi-2012-technician"
    result = run_cli(
        "validate",
        f"examples/{name}",
        "--program",
        program,
        "--format",
        "json",
        "--params",
        "examples/skillpolicy.toml",
        cwd=ROOT,
    )
    assert result.returncode == 1, result.stderr
    payload = json.loads(result.stdout)
    assert set(payload) == {"program", "file", "rows", "valid_rows", "findings", "skipped"}
    assert payload["program"] == program
    assert payload["file"] == f"examples/{name}"
    assert payload["rows"] == _report("guangxi-2012-technician").rows
    assert payload["valid_rows"] < payload["rows"]
    got = Counter(_key(f) for f in payload["findings"])
    assert got == Counter(_key(f) for f in _expected("guangxi-2012-technician")["finding"])
    numbers = _identity_numbers(EXAMPLES / name)
    assert len(numbers) >= 25
    for number in numbers:
        assert number not in result.stdout and number not in result.stderr
