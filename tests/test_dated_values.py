"""Values carry dates: rates, factors, shares, rule bounds, thresholds and local parameters
written as ``[{ from = …, value = … }]`` take the value in force on each row's reference date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from conftest import make_resident_id, write_rows
from skillpolicy.check.validate import validate_sheet
from skillpolicy.compute.subsidy import compute_subsidy
from skillpolicy.domain.errors import CatalogError, ParameterError
from skillpolicy.io.resources import SearchPath
from skillpolicy.loading.programcheck import check_program_file
from skillpolicy.loading.programfiles import list_programs, load_program_file
from skillpolicy.policy.dated import coverage_problems, dated_entries, value_on
from skillpolicy.report.model import rule_param
from skillpolicy.tasks.explain import explain_row

CONTROL = Path(__file__).parent / "broken_catalogs" / "control" / "programs" / "valid-program.toml"
COLUMNS = ["姓名", "身份证号", "开班日期", "到课率"]
# the change takes effect on 1 July: 30 June is the old value, 1 July (inclusive) the new one
DAYS = ["2024-06-30", "2024-07-01", "2024-07-02"]


def _program(tmp_path: Path, extra: str, columns: list[str] = COLUMNS, head: str = "") -> Path:
    """The control program with the roster's columns widened, ``head`` among the top-level
    keys and ``extra`` appended."""
    text = CONTROL.read_text(encoding="utf-8").replace(
        'columns = ["姓名", "身份证号"]', f"columns = {columns!r}".replace("'", '"')
    )
    text = text.replace('region = "测试市"\n', f'region = "测试市"\n{head}')
    path = tmp_path / "programs" / "valid-program.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text + "\n" + extra, encoding="utf-8")
    return path


def _roster(tmp_path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    person = make_resident_id("45010219800315101")
    return write_rows(tmp_path / "roster.xlsx", [header, *[["韦志强", person, *r] for r in rows]])


BOUND = """[[rules]]
id = "attendance-bound"
kind = "number"
sheet = "roster"
clause = "二"
summary = "到课率要求"
params = { column = "到课率", type = "ratio", bound = "不少于", value = [
  { from = 2024-01-01, value = "0.60" },
  { from = 2024-07-01, value = "0.80" },
] }
"""


def test_a_bound_that_changes_mid_year_applies_by_each_rows_date(tmp_path: Path) -> None:
    """A number bound written by dates: 70% passes on 30 June, fails from 1 July (inclusive)."""
    program = load_program_file(_program(tmp_path, BOUND))
    sheet = _roster(tmp_path, COLUMNS, [[day, "0.70"] for day in DAYS])
    report = validate_sheet(sheet, program)
    found = [f for f in report.sorted_findings() if f.rule == "attendance-bound"]
    assert [(f.row, f.message) for f in found] == [
        (3, "「到课率」为70%，少于80%；到课率要求"),
        (4, "「到课率」为70%，少于80%；到课率要求"),
    ]


def test_a_row_without_its_reference_date_takes_the_programs_date(tmp_path: Path) -> None:
    """A blank 开班日期 reads the bound in force on the program's reference date (31 January)."""
    program = load_program_file(_program(tmp_path, BOUND))
    sheet = _roster(tmp_path, COLUMNS, [["", "0.70"]])
    report = validate_sheet(sheet, program)
    assert not [f for f in report.sorted_findings() if f.rule == "attendance-bound"]


def test_as_of_overrides_each_rows_date_for_the_bound(tmp_path: Path) -> None:
    """--as-of picks the bound for every row, whatever its 开班日期."""
    program = load_program_file(_program(tmp_path, BOUND))
    sheet = _roster(tmp_path, COLUMNS, [["2024-06-30", "0.70"]])
    report = validate_sheet(sheet, program, as_of=dt.date(2024, 8, 1))
    assert [f.row for f in report.sorted_findings() if f.rule == "attendance-bound"] == [2]


def test_explain_shows_the_bound_in_force_with_its_date(tmp_path: Path) -> None:
    """`explain` shows a dated bound as the value in force on the row's date and from when."""
    program = load_program_file(_program(tmp_path, BOUND))
    sheet = _roster(tmp_path, COLUMNS, [["2024-06-30", "0.70"], ["2024-07-01", "0.70"]])
    before = {s.spec.id: s for s in explain_row(sheet, program, 2).rules}["attendance-bound"]
    after = {s.spec.id: s for s in explain_row(sheet, program, 3).rules}["attendance-bound"]
    assert before.outcome == "passed" and after.outcome == "failed"
    assert before.bounds["value"] == "0.60（自 2024-01-01 起施行）"
    assert after.bounds["value"] == "0.80（自 2024-07-01 起施行）"


MONEY = """
[[amounts]]
name = "base"
amount = "1000.00"
clause = "三"
description = "每人1000元"

[[rates]]
name = "uplift"
clause = "三(二)"
description = "提高比例"
values = [{ from = 2024-01-01, value = "1.1" }, { from = 2024-07-01, value = "1.2" }]

[[local_parameters]]
name = "local_factor"
kind = "decimal"
description = "本地系数"
clause = "四"

[[subsidies]]
sheet = "roster"
method = "dated-money"
clause = "三"
summary = "每人1000元，乘以提高比例"
amount = "base"
factor = { rate = "uplift", label = "提高" }
payee = "trainee"
key = ["身份证号"]
"""
MONEY_COLUMNS = ["姓名", "身份证号", "开班日期"]


def _amounts(tmp_path: Path, extra: str, params: Path | None = None) -> dict[int | None, Any]:
    search = SearchPath("catalogs", [tmp_path])
    program = load_program_file(_program(tmp_path, extra, MONEY_COLUMNS), search)
    sheet = _roster(tmp_path, MONEY_COLUMNS, [[day] for day in DAYS])
    payout = compute_subsidy(sheet, program, params_file=params, search=search)
    return {line.row: line for line in payout.lines}


def test_a_rate_that_changes_mid_year_applies_by_each_rows_date(tmp_path: Path) -> None:
    """1000 × 1.1 on 30 June, × 1.2 from 1 July (inclusive); each line says from when."""
    lines = _amounts(tmp_path, MONEY)
    assert [str(lines[row].amount) for row in (2, 3, 4)] == ["1100.00", "1200.00", "1200.00"]
    assert lines[2].basis.endswith("× 提高 1.1（自 2024-01-01 起施行）")
    assert lines[3].basis.endswith("× 提高 1.2（自 2024-07-01 起施行）")


def test_a_local_parameter_that_changes_mid_year_applies_by_each_rows_date(
    tmp_path: Path,
) -> None:
    """A factor set by dates in the parameters file applies the value in force on each row."""
    params = tmp_path / "skillpolicy.toml"
    params.write_text(
        '[valid-program]\nlocal_factor = [{ from = 2024-01-01, value = "1.5" }, '
        '{ from = 2024-07-01, value = "2" }]\n',
        encoding="utf-8",
    )
    extra = MONEY.replace('factor = { rate = "uplift"', 'factor = { parameter = "local_factor"')
    lines = _amounts(tmp_path, extra, params)
    assert [str(lines[row].amount) for row in (2, 3, 4)] == ["1500.00", "2000.00", "2000.00"]
    assert "（自 2024-07-01 起施行）" in lines[3].basis


def test_a_tranche_share_that_changes_applies_by_each_rows_date(tmp_path: Path) -> None:
    """A tranche's share written by dates: 40% before 1 July, 50% from that day."""
    extra = (
        MONEY.replace('factor = { rate = "uplift", label = "提高" }\n', "")
        + "\n[[subsidies.tranches]]\n"
        'share = [{ from = 2024-01-01, value = "0.40" }, { from = 2024-07-01, value = "0.50" }]\n'
    )
    lines = _amounts(tmp_path, extra)
    assert [str(lines[row].amount) for row in (2, 3)] == ["400.00", "500.00"]
    assert lines[3].basis.startswith("50%（自 2024-07-01 起施行）")


def test_a_local_parameter_out_of_order_is_refused_with_its_key(tmp_path: Path) -> None:
    """Dated parameter values out of order stop the run naming the file and the entry."""
    params = tmp_path / "skillpolicy.toml"
    params.write_text(
        '[valid-program]\nlocal_factor = [{ from = 2024-07-01, value = "1.5" }, '
        '{ from = 2024-01-01, value = "2" }]\n',
        encoding="utf-8",
    )
    extra = MONEY.replace('factor = { rate = "uplift"', 'factor = { parameter = "local_factor"')
    with pytest.raises(ParameterError) as raised:
        _amounts(tmp_path, extra, params)
    assert "valid-program.local_factor[1].from" in str(raised.value)
    assert "从早到晚" in str(raised.value)


def test_a_threshold_that_changes_is_read_at_the_reports_date() -> None:
    """A report threshold written by dates gives the value in force on the day asked, and its
    citation says from when; undated it reads as before."""
    program = next(p for p in list_programs() if rule_param(p, "inspections", "value"))
    spec = next(s for s in program.rules if s.id == "inspections")
    dated = spec.model_copy(
        update={
            "params": {
                **spec.params,
                "value": [
                    {"from": dt.date(2013, 1, 1), "value": 3},
                    {"from": dt.date(2014, 1, 1), "value": 4},
                ],
            }
        }
    )
    changed = program.model_copy(
        update={"rules": [dated if s is spec else s for s in program.rules]}
    )
    before = rule_param(changed, "inspections", "value", dt.date(2013, 12, 31))
    after = rule_param(changed, "inspections", "value", dt.date(2014, 1, 1))
    assert (
        before is not None and before[0] == "3" and before[1].endswith("（自 2013-01-01 起施行）")
    )
    assert after is not None and after[0] == "4" and after[1].endswith("（自 2014-01-01 起施行）")
    plain = rule_param(program, "inspections", "value", dt.date(2014, 1, 1))
    assert plain is not None and "起施行" not in plain[1]


def test_a_dated_rule_threshold_passes_program_check(tmp_path: Path) -> None:
    """A shipped rule's threshold rewritten by dates still loads: each value is checked."""
    path = _program(tmp_path, BOUND)
    assert check_program_file(path, SearchPath("catalogs")) == []


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ('[{ from = 2024-01-01, value = "0.60" }, { from = 2024-01-01, value = "0.80" }]', "重叠"),
        (
            '[{ from = 2024-07-01, value = "0.60" }, { from = 2024-01-01, value = "0.80" }]',
            "从早到晚",
        ),
        (
            '[{ from = 2024-01-01, value = "0.60" }, { from = 2024-07-01, value = "很多" }]',
            "应为数",
        ),
    ],
)
def test_a_broken_dated_bound_is_named_by_its_entry(tmp_path: Path, value: str, words: str) -> None:
    """A dated bound with entries overlapping, out of order or not a number is a load error
    naming the file, line and the entry's key path."""
    rule = BOUND.split("value = [", 1)[0] + f"value = {value} }}\n"
    with pytest.raises(CatalogError) as raised:
        load_program_file(_program(tmp_path, rule))
    said = str(raised.value)
    assert "valid-program.toml:" in said and "rules[1].params.value[1]" in said
    assert words in said


def test_a_dated_value_must_cover_the_period_in_force(tmp_path: Path) -> None:
    """With ``in_force``, a bound whose first value starts later leaves days without a value."""
    head = 'in_force = { from = 2023-07-01, clause = "七" }\n'
    with pytest.raises(CatalogError) as raised:
        load_program_file(_program(tmp_path, BOUND, head=head))
    said = str(raised.value)
    assert "rules[1].params.value[0].from" in said
    assert "2023-07-01 至 2023-12-31 没有值" in said


def test_value_on_takes_the_entry_in_force_and_its_start() -> None:
    """The entry in force on a day, the boundary day inclusive; an undated value as it is."""
    dated = [
        {"from": dt.date(2024, 1, 1), "value": "a"},
        {"from": dt.date(2024, 7, 1), "to": dt.date(2024, 12, 31), "value": "b"},
    ]
    assert value_on(dated, dt.date(2024, 6, 30)) == ("a", dt.date(2024, 1, 1))
    assert value_on(dated, dt.date(2024, 7, 1)) == ("b", dt.date(2024, 7, 1))
    assert value_on("c", dt.date(2024, 7, 1)) == ("c", None)


def test_coverage_finds_the_gap_after_an_entrys_end() -> None:
    """An entry ending (``to``) before the period does leaves the rest without a value."""
    entries = dated_entries(
        [{"from": dt.date(2024, 1, 1), "to": dt.date(2024, 6, 30), "value": "1"}]
    )
    problems = coverage_problems(entries, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert problems == [
        ((0, "to"), "施行期间内 2024-07-01 至 2024-12-31 没有值（这一项施行到 2024-06-30）")
    ]


BY_KEY = """
[[local_parameters]]
name = "by_type"
kind = "money-by-key"
keys = ["技能提升"]
description = "按培训类型的补贴标准"
clause = "四"

[[subsidies]]
sheet = "roster"
method = "by-type"
clause = "三"
summary = "按培训类型的标准"
parts = [{ column = "培训类型", parameter = "by_type", label = "培训补贴" }]
payee = "trainee"
key = ["身份证号"]
"""


def test_a_money_by_key_sum_that_changes_applies_by_each_rows_date(tmp_path: Path) -> None:
    """One key of a money-by-key parameter set by dates: 800 before 1 July, 900 from that day."""
    params = tmp_path / "skillpolicy.toml"
    params.write_text(
        '[valid-program]\nby_type = { "技能提升" = [{ from = 2024-01-01, value = "800.00" }, '
        '{ from = 2024-07-01, value = "900.00" }] }\n',
        encoding="utf-8",
    )
    columns = [*MONEY_COLUMNS, "培训类型"]
    search = SearchPath("catalogs", [tmp_path])
    program = load_program_file(_program(tmp_path, BY_KEY, columns), search)
    sheet = _roster(tmp_path, columns, [[day, "技能提升"] for day in DAYS])
    payout = compute_subsidy(sheet, program, params_file=params, search=search)
    lines = {line.row: line for line in payout.lines}
    assert [str(lines[row].amount) for row in (2, 3, 4)] == ["800.00", "900.00", "900.00"]
    assert "（自 2024-07-01 起施行）" in lines[3].basis


GROUP = """[[rules]]
id = "class-size"
kind = "group-number"
sheet = "roster"
clause = "二"
summary = "每班抽查次数要求"
params = { group = ["开班日期"], column = "抽查次数", bound = "不少于", value = [
  { from = 2024-01-01, value = 2 },
  { from = 2024-07-01, value = 3 },
] }
"""

TWICE = """[[rules]]
id = "twice"
kind = "duplicate"
sheet = "roster"
clause = "二"
summary = "同一人不得重复"
params = { columns = ["身份证号"], required = [
  { from = 2024-01-01, value = [] },
  { from = 2024-07-01, value = ["身份证号"] },
] }
"""


def test_a_dated_group_bound_keeps_the_findings_of_every_date(tmp_path: Path) -> None:
    """A group-number rule with a bound written by dates reports every group that misses the
    bound in force on its rows' date (a class of 30 June needs 2 inspections, of 1 July 3)."""
    columns = ["姓名", "身份证号", "开班日期", "抽查次数"]
    program = load_program_file(_program(tmp_path, GROUP, columns))
    sheet = _roster(tmp_path, columns, [["2024-06-30", 1], ["2024-07-01", 2], ["2024-07-02", 3]])
    report = validate_sheet(sheet, program)
    assert [f.row for f in report.sorted_findings() if f.rule == "class-size"] == [2, 3]


def test_a_dated_duplicate_sees_a_repeat_across_the_change(tmp_path: Path) -> None:
    """A duplicate rule with a parameter written by dates still sees the same person on both
    sides of the change (the first-seen table is the run's, not one per date)."""
    program = load_program_file(_program(tmp_path, TWICE))
    sheet = _roster(tmp_path, COLUMNS, [["2024-06-30", "0.90"], ["2024-07-01", "0.90"]])
    report = validate_sheet(sheet, program)
    assert [(f.row, f.message) for f in report.findings if f.rule == "twice"] == [
        (3, "与第2行的身份证号相同；同一人不得重复")
    ]
