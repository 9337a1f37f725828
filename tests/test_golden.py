"""Golden outputs: ``validate --format json`` and ``subsidy --format json`` of every bundled
example and every scenario case, compared exactly with what they printed when saved.

The outputs live in ``tests/golden/``: one file per example (``examples/<stem>.json``) and one
per scenario file (``scenarios/<stem>.json``, a case name to its two outputs). Only the
temporary folder a scenario's sheet is written to is replaced by ``<TMP>``. A change of rule
engine must leave every one of them as it is; a deliberate change is saved again with
``SKILLPOLICY_WRITE_GOLDEN=1 pytest tests/test_golden.py`` and named in the change's note.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest

from inprocess import Outcome, run_main
from test_scenarios import build_sheet, write_params

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PARAMS = EXAMPLES / "skillpolicy.toml"
GOLDEN = Path(__file__).parent / "golden"
SCENARIO_DIR = Path(__file__).parent / "scenarios"
EXPECTED_DIR = Path(__file__).parent / "examples"
# Read once at import: run_main clears every SKILLPOLICY_* variable for the command it runs.
WRITE = os.environ.get("SKILLPOLICY_WRITE_GOLDEN") == "1"


def _record(outcome: Outcome, tmp: Path | None) -> dict[str, Any]:
    """An outcome as saved: exit code, stdout as JSON (or text if it is not), stderr lines."""
    out, err = outcome.out, outcome.err
    if tmp is not None:
        out = out.replace(str(tmp), "<TMP>")
        err = err.replace(str(tmp), "<TMP>")
    try:
        stdout: Any = json.loads(out)
    except json.JSONDecodeError:
        stdout = out
    return {"code": outcome.code, "stdout": stdout, "stderr": err.splitlines()}


def _both(
    args: list[str | Path],
    cwd: Path,
    tmp: Path | None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, Any]:
    """The validate and subsidy outputs for one sheet and its options."""
    return {
        command: _record(
            run_main(
                command, *args, "--format", "json", cwd=cwd, capsys=capsys, monkeypatch=monkeypatch
            ),
            tmp,
        )
        for command in ("validate", "subsidy")
    }


def _compare(path: Path, actual: dict[str, Any]) -> None:
    """Write the golden file when asked to, else compare with it exactly."""
    if WRITE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(actual, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert actual == expected


def _examples() -> list[Any]:
    return [pytest.param(path, id=path.stem) for path in sorted(EXPECTED_DIR.glob("*.toml"))]


@pytest.mark.parametrize("described", _examples())
def test_golden_example(
    described: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bundled example's validate and subsidy JSON are exactly as saved."""
    data = tomllib.loads(described.read_text(encoding="utf-8"))
    args: list[str | Path] = [
        f"examples/{data['example']}",
        "--program",
        data["program"],
        "--params",
        PARAMS,
    ]
    if "kind" in data:
        args += ["--kind", data["kind"]]
    actual = _both(args, ROOT, None, capsys, monkeypatch)
    _compare(GOLDEN / "examples" / f"{described.stem}.json", actual)


def _scenario_files() -> list[Any]:
    return [pytest.param(path, id=path.stem) for path in sorted(SCENARIO_DIR.glob("*.toml"))]


@pytest.mark.parametrize("scenario", _scenario_files())
def test_golden_scenarios(
    scenario: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every case of a scenario file gives exactly the saved validate and subsidy JSON."""
    data = tomllib.loads(scenario.read_text(encoding="utf-8"))
    actual: dict[str, Any] = {}
    for number, case in enumerate(data["case"]):
        folder = tmp_path / f"case{number}"
        folder.mkdir()
        sheet = build_sheet(data, case, folder)
        args: list[str | Path] = [sheet.name, "--program", data["program"]]
        params = write_params(folder, data["program"], case, data.get("params"))
        if params is not None:
            args += ["--params", params.name]
        if data.get("kind"):
            args += ["--kind", data["kind"]]
        if case.get("as_of"):
            args += ["--as-of", case["as_of"].isoformat()]
        actual[case["name"]] = _both(args, folder, folder, capsys, monkeypatch)
    _compare(GOLDEN / "scenarios" / f"{scenario.stem}.json", actual)
