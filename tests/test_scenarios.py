"""Scenario files: rows in, findings out, one parametrised test for every program.

Each ``scenarios/<program>.toml`` has a ``[defaults]`` row that passes every rule, and cases
whose rows override some of its cells. The header is written on row 1, so the first data row
is worksheet row 2, the row number findings carry.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import tomli_w

from skillpolicy.check.validate import validate_sheet
from skillpolicy.compute.subsidy import compute_subsidy
from skillpolicy.loading.programfiles import load_program

SCENARIO_DIR = Path(__file__).parent / "scenarios"


def _cases(*, money: bool = False) -> list[Any]:
    params = []
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for case in data["case"]:
            if money and "lines" not in case:
                continue
            params.append(pytest.param(data, case, id=f"{path.stem}: {case['name']}"))
    return params


def write_sheet(path: Path, rows: list[dict[str, Any]], columns: list[str]) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(columns)
    for row in rows:
        values = []
        for column in columns:
            value = row.get(column, "")
            values.append(None if value == "" else value)
        sheet.append(values)
    for column_cells in sheet.iter_cols(min_row=2):
        for cell in column_cells:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    workbook.save(path)


def write_params(
    tmp_path: Path, program_id: str, case: dict[str, Any], base: dict[str, Any] | None = None
) -> Path | None:
    values: dict[str, Any] = dict(base or {}) | dict(case.get("params", {}))
    for name, names in case.get("lists", {}).items():
        list_path = tmp_path / f"{name}.xlsx"
        write_sheet(list_path, [{"单位名称": n} for n in names], ["单位名称"])
        values[name] = list_path.name
    if not values:
        return None
    params_path = tmp_path / "params.toml"
    params_path.write_text(tomli_w.dumps({program_id: values}), encoding="utf-8")
    return params_path


def build_sheet(data: dict[str, Any], case: dict[str, Any], tmp_path: Path) -> Path:
    defaults: dict[str, Any] = data.get("defaults", {})
    rows = [defaults | row for row in case["rows"]]
    columns = list(case.get("columns", data.get("columns", [])))
    for row in rows:
        columns += [c for c in row if c not in columns]
    columns = [c for c in columns if c not in case.get("drop_columns", [])]
    sheet_path = tmp_path / "sheet.xlsx"
    write_sheet(sheet_path, rows, columns)
    return sheet_path


def run_case(data: dict[str, Any], case: dict[str, Any], tmp_path: Path) -> list[Any]:
    report = validate_sheet(
        build_sheet(data, case, tmp_path),
        load_program(data["program"]),
        kind=data.get("kind"),
        as_of=case.get("as_of"),
        params_file=write_params(tmp_path, data["program"], case, data.get("params")),
    )
    return report.findings


@pytest.mark.parametrize(("data", "case"), _cases())
def test_scenario(data: dict[str, Any], case: dict[str, Any], tmp_path: Path) -> None:
    """The case's rows produce exactly the findings the scenario lists, with their words."""
    findings = run_case(data, case, tmp_path)
    actual = sorted(((f.row or 0), f.column or "", f.rule, f.severity) for f in findings)
    expected = sorted(
        (e.get("row", 0), e.get("column", ""), e["rule"], e.get("severity", "error"))
        for e in case.get("expect", [])
    )
    assert actual == expected, "\n".join(
        f"{f.row} {f.column} {f.rule}: {f.message}" for f in findings
    )
    for wanted in case.get("expect", []):
        for words in wanted.get("says", []):
            assert any(
                words in f.message
                for f in findings
                if f.rule == wanted["rule"] and (f.row or 0) == wanted.get("row", 0)
            ), f"no {wanted['rule']} finding on row {wanted.get('row')} says {words!r}"


@pytest.mark.parametrize(("data", "case"), _cases(money=True))
def test_scenario_money(data: dict[str, Any], case: dict[str, Any], tmp_path: Path) -> None:
    """The case's rows come out paid, pending or refused with the amounts computed by hand."""
    payout = compute_subsidy(
        build_sheet(data, case, tmp_path),
        load_program(data["program"]),
        kind=data.get("kind"),
        as_of=case.get("as_of"),
        params_file=write_params(tmp_path, data["program"], case, data.get("params")),
    )
    actual = [
        (line.row, line.tranche, line.status, str(line.amount), [r.rule for r in line.reasons])
        for line in payout.lines
    ]
    expected = [
        (
            e["row"],
            e.get("tranche"),
            e["status"],
            e.get("amount", "0.00"),
            e.get("reasons", []),
        )
        for e in case["lines"]
    ]
    assert actual == expected
    if "total" in case:
        assert str(payout.total) == case["total"]
        assert payout.to_json()["total_in_words"] == case["total_in_words"]
