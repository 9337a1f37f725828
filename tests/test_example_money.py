"""subsidy --format json on the bundled examples pays what an independent count of the sheet says.

The oracle reads the example workbook with openpyxl and the planted findings from
tests/examples/*.toml: a row is paid when nothing was planted in it and, where the program
needs an outcome, the outcome is in; the amount is the program's published figure.
"""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal

import openpyxl
import pytest

from conftest import ROOT, Run
from skillpolicy.domain.money import amount_in_words

EXAMPLES = ROOT / "examples"
EXPECTED = ROOT / "tests" / "examples"


def _sheet_rows(name: str) -> list[tuple[int, dict[str, object]]]:
    """(row number, cells by header) below the first row holding 序号, read with openpyxl."""
    sheet = openpyxl.load_workbook(EXAMPLES / name, data_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header_index = next(i for i, row in enumerate(rows) if row and "序号" in row)
    headers = [str(h) if h is not None else "" for h in rows[header_index]]
    return [
        (header_index + 2 + offset, dict(zip(headers, row, strict=False)))
        for offset, row in enumerate(rows[header_index + 1 :])
        # a data row names a person or a unit; a footnote in 序号 alone is not one
        if any(
            row[headers.index(key)] not in (None, "")
            for key in ("姓名", "单位名称")
            if key in headers
        )
    ]


def _planted_rows(stem: str) -> set[int]:
    data = tomllib.loads((EXPECTED / f"{stem}.toml").read_text(encoding="utf-8"))
    return {f["row"] for f in data.get("finding", []) if "row" in f and f["severity"] == "error"}


def _subsidy(run_cli: Run, name: str, program: str) -> dict[str, object]:
    result = run_cli(
        "subsidy", EXAMPLES / name, "--program", program,
        "--params", EXAMPLES / "skillpolicy.toml", "--format", "json",
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    payload: dict[str, object] = json.loads(result.stdout)
    return payload


@pytest.mark.slow
def test_guangxi_2012_example_pays_1900_per_certified_clean_row(run_cli: Run) -> None:
    """Guangxi 2012: 1,900.00 for every certified row without a planted error; total in words."""
    planted = _planted_rows("guangxi-2012-technician")
    paid_rows = [
        number
        for number, cells in _sheet_rows("guangxi-2012-technician.xlsx")
        if number not in planted and str(cells.get("鉴定结果") or "").strip() == "合格"
    ]
    payload = _subsidy(run_cli, "guangxi-2012-technician.xlsx", "guangxi-2012-technician")
    total = Decimal("1900.00") * len(paid_rows)
    assert payload["paid"] == len(paid_rows)
    assert payload["total"] == f"{total:.2f}"
    assert payload["total_in_words"] == amount_in_words(total)
    lines = payload["lines"]
    assert isinstance(lines, list)
    assert sorted(line["row"] for line in lines if line["status"] == "paid") == paid_rows


@pytest.mark.slow
def test_fujian_example_pays_the_cost_per_trainee_for_every_clean_row(run_cli: Run) -> None:
    """Fujian: cost_per_trainee (600.00 in examples/skillpolicy.toml) for each row without errors."""
    planted = _planted_rows("fujian-2013-free-training")
    rows = [n for n, _ in _sheet_rows("fujian-2013-free-training.xlsx") if n not in planted]
    params = tomllib.loads((EXAMPLES / "skillpolicy.toml").read_text(encoding="utf-8"))
    cost = Decimal(params["fujian-2013-free-training"]["cost_per_trainee"])
    payload = _subsidy(run_cli, "fujian-2013-free-training.xlsx", "fujian-2013-free-training")
    assert payload["paid"] == len(rows)
    assert payload["total"] == f"{cost * len(rows):.2f}"


@pytest.mark.slow
def test_jincheng_designation_example_pays_tranches_by_designation_and_acceptance(
    run_cli: Run,
) -> None:
    """Jincheng workstation: 120,000.00 on designation, 180,000.00 more after 合格 acceptance."""
    planted = _planted_rows("jincheng-2022-workstation-designation")
    first = second = 0
    for number, cells in _sheet_rows("jincheng-2022-workstation-designation.xlsx"):
        if number in planted or str(cells.get("是否授牌")).strip() != "是":
            continue
        first += 1
        second += str(cells.get("验收结果") or "").strip() == "合格"
    payload = _subsidy(
        run_cli, "jincheng-2022-workstation-designation.xlsx", "jincheng-2022-workstation"
    )
    total = Decimal("120000.00") * first + Decimal("180000.00") * second
    assert payload["paid"] == first + second
    assert payload["total"] == f"{total:.2f}"
