"""Money as data: a fictional county program pays with the generic pieces alone.

Its amount is a sum of parts (a lookup by 培训类型 plus a fixed amount), times a rate for
shortage occupations, paid in two tranches by share, to a payee chosen by a condition, with
a refusal and a pending note written as conditions and rounding stated in the file.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import write_rows
from skillpolicy.compute.subsidy import compute_subsidy
from skillpolicy.domain.errors import CatalogError
from skillpolicy.io.resources import SearchPath
from skillpolicy.loading.programfiles import load_program, load_program_file, program_ids
from skillpolicy.policy.paymodel import Rounding

PROGRAM = """
id = "county-money"
title = "某县技能提升补贴（示例）"
document = "某人社〔2025〕3号"
issuer = "某县人力资源和社会保障局"
issued = 2025-01-02
reference_date = 2025-01-02
reference_date_note = "发文日"
region = "某县"

[sheets.roster]
columns = ["姓名", "身份证号", "培训机构", "培训类型", "职业(工种)", "补贴领取方式", "本地院校", "鉴定结果"]
required = ["姓名", "身份证号"]

[[amounts]]
name = "skills"
amount = "1000.00"
clause = "三(一)"
description = "技能提升培训每人1000元"

[[amounts]]
name = "startup"
amount = "1500.00"
clause = "三(一)"
description = "创业培训每人1500元"

[[amounts]]
name = "exam"
amount = "200.00"
clause = "三(二)"
description = "考核补贴每人200元"

[[rates]]
name = "uplift"
value = "1.105"
clause = "三(三)"
description = "急需职业提高10.5%"

[[rules]]
id = "identity"
sheet = "roster"
clause = "二"
summary = "身份证号有效"

[[subsidies]]
sheet = "roster"
method = "county-two-payments"
clause = "三"
summary = "培训补贴加考核补贴，急需职业提高，分两笔发放"
parts = [
  { column = "培训类型", by = { "技能提升" = "skills", "创业" = "startup" }, label = "培训补贴", unknown_rule = "identity" },
  { amount = "exam", label = "考核" },
]
factor = { rate = "uplift", label = "急需职业提高", when = { column = "职业(工种)", in = ["焊工"] } }
rounding = { to = "1", mode = "down" }
refuse = [{ rule = "identity", message = "非本地院校的不予补贴", when = { column = "本地院校", yes = false } }]
payee = [
  { kind = "institution", column = "培训机构", when = { column = "补贴领取方式", contains = "代领" } },
  { kind = "trainee", name = "学员本人" },
]
key = ["身份证号"]

[[subsidies.tranches]]
share = "0.40"

[[subsidies.tranches]]
share = "0.60"
refuse = [{ rule = "identity", message = "考核不合格，余款不予拨付", when = { column = "鉴定结果", in = ["不合格"] } }]
pending = [{ rule = "identity", message = "考核结果未出，余款待定", when = { column = "鉴定结果", not_in = ["合格"] } }]
"""

HEADER = [
    "姓名",
    "身份证号",
    "培训机构",
    "培训类型",
    "职业(工种)",
    "补贴领取方式",
    "本地院校",
    "鉴定结果",
]


@pytest.fixture
def county(tmp_path: Path, resident_id: Any) -> tuple[Path, SearchPath, Path]:
    """The program above in a user's folder and a roster with one row per case."""
    (tmp_path / "mine" / "programs").mkdir(parents=True)
    program = tmp_path / "mine" / "programs" / "county-money.toml"
    program.write_text(PROGRAM, encoding="utf-8")
    cells = [
        ["技能提升", "电工", "本人领取", "是", "合格"],  # 1200.00: 480 + 720
        ["技能提升", "焊工", "培训机构代领", "是", "合格"],  # 1200 × 1.105 = 1326
        ["创业", "电工", "", "是", "不合格"],  # second tranche refused
        ["创业", "电工", "", "是", ""],  # second tranche pending
        ["技能提升", "电工", "", "否", "合格"],  # both refused
    ]
    rows: list[list[Any]] = [HEADER]
    for index, row in enumerate(cells):
        number = resident_id(f"41100219900101{2 * index + 1:03d}")
        rows.append([f"学员{index}", number, "某县职业培训学校", *row])
    roster = write_rows(tmp_path / "roster.xlsx", rows)
    return program, SearchPath("catalogs", [tmp_path / "mine"]), roster


def _lines(county: tuple[Path, SearchPath, Path]) -> dict[tuple[int | None, int | None], Any]:
    path, search, roster = county
    payout = compute_subsidy(roster, load_program_file(path, search), search=search)
    return {(line.row, line.tranche): line for line in payout.lines}


def test_sum_of_parts_paid_in_tranches_by_share(county: tuple[Path, SearchPath, Path]) -> None:
    """Lookup part plus fixed part, split 40% / 60% by the tranches' shares."""
    lines = _lines(county)
    assert [(lines[(2, t)].status, str(lines[(2, t)].amount)) for t in (1, 2)] == [
        ("paid", "480.00"),
        ("paid", "720.00"),
    ]
    assert "培训补贴" in lines[(2, 1)].basis and "考核" in lines[(2, 1)].basis


def test_factor_applies_when_its_condition_holds_and_rounds_as_stated(
    county: tuple[Path, SearchPath, Path],
) -> None:
    """A 焊工 gets 1200 × 1.105 = 1326.00, rounded down to the yuan as the file states."""
    lines = _lines(county)
    assert str(lines[(3, 1)].amount) == "530.00"  # 1326 × 0.40 = 530.4, down to the yuan
    assert str(lines[(3, 2)].amount) == "795.00"  # 1326 × 0.60 = 795.6, down to the yuan
    assert "急需职业提高" in lines[(3, 1)].basis


def test_payee_is_chosen_by_a_condition(county: tuple[Path, SearchPath, Path]) -> None:
    """代领 pays the institution in the 培训机构 column; otherwise the trainee."""
    lines = _lines(county)
    assert (lines[(2, 1)].payee_kind, lines[(2, 1)].payee) == ("trainee", "学员本人")
    assert (lines[(3, 1)].payee_kind, lines[(3, 1)].payee) == ("institution", "某县职业培训学校")


def test_tranche_refusal_and_pending_come_from_the_file(
    county: tuple[Path, SearchPath, Path],
) -> None:
    """不合格 refuses the second tranche, a blank result holds it, with the file's words."""
    lines = _lines(county)
    assert lines[(4, 1)].status == "paid" and str(lines[(4, 1)].amount) == "680.00"
    assert lines[(4, 2)].status == "refused"
    assert lines[(4, 2)].reasons[0].message == "考核不合格，余款不予拨付"
    assert lines[(5, 2)].status == "pending"
    assert lines[(5, 2)].reasons[0].message == "考核结果未出，余款待定"


def test_row_refusal_refuses_every_tranche(county: tuple[Path, SearchPath, Path]) -> None:
    """本地院校 否 refuses both tranches with the file's message and clause."""
    lines = _lines(county)
    for tranche in (1, 2):
        line = lines[(6, tranche)]
        assert (line.status, str(line.amount)) == ("refused", "0.00")
        assert line.reasons[0].message == "非本地院校的不予补贴"
        assert line.reasons[0].citation == "某人社〔2025〕3号 三"


def test_per_trainee_honours_the_files_payee(tmp_path: Path, resident_id: Any) -> None:
    """A per-trainee subsidy paying the unit named in a column pays that unit, not 培训机构."""
    shipped = load_program("guangxi-2012-technician")
    assert shipped.subsidies[0].method == "per-trainee"
    text = PROGRAM.replace('method = "county-two-payments"', 'method = "per-trainee"')
    start = text.index("payee = [")
    end = text.index("]\n", text.index("学员本人")) + 2
    text = text[:start] + 'payee = [{ kind = "unit", column = "培训机构" }]\n' + text[end:]
    (tmp_path / "mine" / "programs").mkdir(parents=True)
    (tmp_path / "mine" / "programs" / "county-money.toml").write_text(text, encoding="utf-8")
    search = SearchPath("catalogs", [tmp_path / "mine"])
    row = ["学员", resident_id("41100219900101001"), "某县技工学校", "技能提升", "电工", "", "是"]
    roster = write_rows(tmp_path / "r.xlsx", [HEADER, [*row, "合格"]])
    payout = compute_subsidy(roster, load_program("county-money", search), search=search)
    assert {(line.payee_kind, line.payee) for line in payout.lines} == {("unit", "某县技工学校")}


def test_rounding_modes() -> None:
    """Rounding is stated per method: half-up to the fen by default, down or half-even."""
    assert str(Rounding().apply(Decimal("1.005"))) == "1.01"
    assert str(Rounding(to=Decimal("1"), mode="down").apply(Decimal("9.99"))) == "9.00"
    assert str(Rounding(mode="half-even").apply(Decimal("1.005"))) == "1.00"


def test_every_shipped_subsidy_is_generic_data() -> None:
    """Every shipped program's money loads as generic pieces: parts or fixed tranches."""
    for program in (load_program(pid) for pid in program_ids()):
        for spec in program.subsidies:
            assert spec.amount_parts or all(t.amount for t in spec.tranches), program.id


def test_a_condition_with_two_tests_is_refused(tmp_path: Path) -> None:
    """A condition naming both in and yes is a mistake in the file: exit 2, key path named."""
    text = PROGRAM.replace(
        'when = { column = "本地院校", yes = false }',
        'when = { column = "本地院校", yes = false, in = ["否"] }',
    )
    path = tmp_path / "county-money.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match=r"subsidies\[0\]\.refuse\[0\]\.when"):
        load_program_file(path)
