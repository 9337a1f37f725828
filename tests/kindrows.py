"""Helpers for the tests of one rule kind: the control program with a roster of chosen columns
and one rule appended, validated over a few rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from conftest import make_resident_id, write_rows
from skillpolicy.check.validate import Report, validate_sheet
from skillpolicy.domain.findings import Finding
from skillpolicy.loading.programfiles import load_program_file

CONTROL = Path(__file__).parent / "broken_catalogs" / "control" / "programs" / "valid-program.toml"
PERSON = make_resident_id("45010219800315101")


def program_file(tmp_path: Path, rules: str, columns: list[str]) -> Path:
    """The control program, its roster widened to ``columns`` and ``rules`` appended."""
    listed = ", ".join(f'"{c}"' for c in ["姓名", "身份证号", *columns])
    text = CONTROL.read_text(encoding="utf-8").replace(
        'columns = ["姓名", "身份证号"]', f"columns = [{listed}]"
    )
    path = tmp_path / "programs" / "valid-program.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text + "\n" + rules, encoding="utf-8")
    return path


def run(
    tmp_path: Path,
    rules: str,
    columns: list[str],
    rows: list[Any],
    as_of: dt.date | None = None,
) -> Report:
    """Validate a roster of ``rows`` (after 姓名 and a valid 身份证号) against the rule."""
    program = load_program_file(program_file(tmp_path, rules, columns))
    sheet = write_rows(
        tmp_path / "roster.xlsx",
        [["姓名", "身份证号", *columns], *[["韦志强", PERSON, *row] for row in rows]],
    )
    return validate_sheet(sheet, program, as_of=as_of)


def found(
    tmp_path: Path,
    rules: str,
    columns: list[str],
    rows: list[Any],
    as_of: dt.date | None = None,
) -> list[Finding]:
    """The findings of every rule but the control's identity rule, sorted."""
    report = run(tmp_path, rules, columns, rows, as_of)
    return [f for f in report.sorted_findings() if f.rule != "identity"]
