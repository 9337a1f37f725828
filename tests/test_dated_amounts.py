"""Amounts that carry dates: each row is paid the sum in force on its reference date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from conftest import write_rows
from skillpolicy.compute.subsidy import compute_subsidy
from skillpolicy.domain.errors import CatalogError
from skillpolicy.io.resources import SearchPath
from skillpolicy.loading.programfiles import load_program, load_program_file
from skillpolicy.tasks.explain import explain_row

PROGRAM = """
id = "county-2024"
title = "某县职业技能培训补贴（示例）"
document = "某人社〔2024〕1号"
issuer = "某县人力资源和社会保障局"
issued = 2024-01-02
reference_date = 2024-01-02
reference_date_note = "发文日；花名册给出开班日期时以开班日期为准"
region = "某县"

[sheets.roster]
columns = ["姓名", "性别", "身份证号", "培训机构", "开班日期"]
required = ["姓名", "身份证号"]

[[amounts]]
name = "per_head"
clause = "三"
description = "每培训一人补贴"
values = [{ from = 2024-01-01, value = "100.00" }, { from = 2024-07-01, value = "150.00" }]

[[rules]]
id = "identity"
sheet = "roster"
clause = "二"
summary = "身份证号有效"

[[subsidies]]
sheet = "roster"
method = "per-trainee"
clause = "三"
summary = "每人补贴，年中调整标准"
amount = "per_head"
payee = "institution"
requires = ["培训机构"]
key = ["身份证号"]
"""


@pytest.fixture
def county(tmp_path: Path, resident_id: Any) -> tuple[Path, SearchPath, Path]:
    """A user's catalog folder holding the program above, and a roster across the change."""
    (tmp_path / "mine" / "programs").mkdir(parents=True)
    program = tmp_path / "mine" / "programs" / "county-2024.toml"
    program.write_text(PROGRAM, encoding="utf-8")
    starts = [dt.date(2024, 3, 1), dt.date(2024, 7, 1), dt.date(2023, 12, 1)]
    rows: list[list[Any]] = [["姓名", "性别", "身份证号", "培训机构", "开班日期"]]
    for index, start in enumerate(starts):
        number = resident_id(f"41100219900101{2 * index + 1:03d}")
        rows.append([f"学员{index}", "男", number, "某县职业培训学校", start])
    roster = write_rows(tmp_path / "roster.xlsx", rows)
    return program, SearchPath("catalogs", [tmp_path / "mine"]), roster


def test_each_row_is_paid_the_sum_in_force_on_its_date(
    county: tuple[Path, SearchPath, Path],
) -> None:
    """March is paid 100.00, 1 July (the change day) 150.00; before the first date: refused."""
    path, search, roster = county
    payout = compute_subsidy(roster, load_program_file(path, search), search=search)
    by_row = {line.row: line for line in payout.lines}
    assert (by_row[2].status, str(by_row[2].amount)) == ("paid", "100.00")
    assert (by_row[3].status, str(by_row[3].amount)) == ("paid", "150.00")
    assert "自 2024-07-01 起施行" in by_row[3].basis
    assert by_row[4].status == "refused"
    [reason] = by_row[4].reasons
    assert "尚未施行" in reason.message and "2024-01-01" in reason.message
    assert payout.params_used["per_head"] == "2024-01-01起 100.00；2024-07-01起 150.00"


def test_explain_names_the_value_and_the_day_it_took_effect(
    county: tuple[Path, SearchPath, Path],
) -> None:
    """explain shows the dated sum used for the row and the day it took effect."""
    path, search, roster = county
    explanation = explain_row(roster, load_program_file(path, search), 3, search=search)
    [line] = explanation.lines
    assert line.amount == "150.00" and "自 2024-07-01 起施行" in line.basis


def test_undated_amounts_are_unchanged() -> None:
    """A shipped amount without dates is used as before, whatever the row's date."""
    amount = load_program("guangxi-2012-technician").amount("subsidy_per_trainee")
    assert amount.values == []
    assert amount.in_force(dt.date(1990, 1, 1)) == (amount.amount, None)


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ("", "缺少"),
        (
            'values = [{ from = 2024-07-01, value = "150.00" }, { from = 2024-01-01, value = "1" }]',
            "从早到晚",
        ),
        ('values = [{ from = 2024-07-01, value = "1.005" }]', "两位小数"),
    ],
)
def test_bad_dated_values_are_named(tmp_path: Path, values: str, words: str) -> None:
    """An amount with no value, values out of order or a sum with three decimals: exit 2."""
    text = PROGRAM.replace(
        'values = [{ from = 2024-01-01, value = "100.00" }, { from = 2024-07-01, value = "150.00" }]',
        values,
    )
    path = tmp_path / "county-2024.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as raised:
        load_program_file(path)
    assert "amounts[0]" in str(raised.value) and words in str(raised.value)


# --- local parameters set by date ----------------------------------------------------------------

XUCHANG = "xuchang-2013-revitalization"
XUCHANG_HEADER = ["姓名", "性别", "身份证号", "人员类别", "培训类别", "培训类型", "职业(工种)",
                  "培训机构", "开班审批日期", "开班日期", "到课率", "抽查次数", "鉴定结果",
                  "证书编号"]  # fmt: skip


def _xuchang_params(tmp_path: Path, appraisal: str) -> Path:
    path = tmp_path / "skillpolicy.toml"
    path.write_text(
        f'[{XUCHANG}]\ntraining_subsidy = {{ "就业技能培训" = "800.00", "创业培训" = "1000.00" }}\n'
        f"appraisal_subsidy = {appraisal}\n",
        encoding="utf-8",
    )
    return path


def test_a_parameter_set_by_date_is_taken_on_each_row_date(
    tmp_path: Path, resident_id: Any
) -> None:
    """appraisal_subsidy raised from 10 October: a September class gets 150, an October 200."""
    rows: list[list[Any]] = [XUCHANG_HEADER]
    for index, start in enumerate([dt.date(2013, 9, 2), dt.date(2013, 10, 14)]):
        rows.append([
            f"学员{index}", "男", resident_id(f"41100219900101{2 * index + 1:03d}"),
            "农村转移就业劳动者", "农村劳动力培训", "就业技能培训", "电工", "某培训学校",
            start - dt.timedelta(days=7), start, "0.90", 3, "合格", f"13410000000{index}",
        ])  # fmt: skip
    roster = write_rows(tmp_path / "roster.xlsx", rows)
    params = _xuchang_params(
        tmp_path,
        '[{ from = 2013-01-01, value = "150.00" }, { from = 2013-10-10, value = "200.00" }]',
    )
    payout = compute_subsidy(roster, load_program(XUCHANG), params_file=params)
    amounts = [(line.status, str(line.amount)) for line in payout.lines]
    assert amounts == [("paid", "950.00"), ("paid", "1000.00")]
    assert "自 2013-10-10 起施行" in payout.lines[1].basis
    assert payout.params_used["appraisal_subsidy"] == "2013-01-01起 150.00；2013-10-10起 200.00"


def test_a_parameter_set_by_date_out_of_order_stops(tmp_path: Path) -> None:
    """Dated parameter values out of order are a parameter error naming the key."""
    from skillpolicy.domain.errors import ParameterError
    from skillpolicy.loading.programfiles import list_programs
    from skillpolicy.policy.params import load_params

    params = _xuchang_params(
        tmp_path, '[{ from = 2014-01-01, value = "1.00" }, { from = 2013-01-01, value = "2.00" }]'
    )
    with pytest.raises(ParameterError) as raised:
        load_params(params, load_program(XUCHANG), list_programs())
    assert "appraisal_subsidy" in str(raised.value) and "从早到晚" in str(raised.value)
