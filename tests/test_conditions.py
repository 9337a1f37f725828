"""One condition model: a rule's ``applies_when`` and money's ``when`` are the same Condition,
evaluated by one evaluator a column at a time or on one row, with the same answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import make_resident_id, write_rows
from skillpolicy.check.validate import validate_sheet
from skillpolicy.domain.errors import CatalogError
from skillpolicy.domain.values import ValueProblem
from skillpolicy.loading.programfiles import load_program_file
from skillpolicy.policy.conditions import Condition, holds, rows_holding
from skillpolicy.policy.paymodel import Factor, PayeeOption, Pending, Refusal
from skillpolicy.policy.programs import RuleSpec

CONTROL = Path(__file__).parent / "broken_catalogs" / "control" / "programs" / "valid-program.toml"
COLUMNS = ["姓名", "身份证号", "培训形式", "本地院校", "到课率"]


def _findings(tmp_path: Path, when: str, rows: list[list[Any]]) -> list[int | None]:
    """The rows a 到课率 rule restricted by ``applies_when = when`` flags."""
    text = CONTROL.read_text(encoding="utf-8").replace(
        'columns = ["姓名", "身份证号"]', f"columns = {COLUMNS!r}".replace("'", '"')
    )
    text += f"""
[[rules]]
id = "attendance-bound"
kind = "number"
sheet = "roster"
clause = "二"
summary = "到课率要求"
params = {{ column = "到课率", type = "ratio", bound = "不少于", value = "0.60" }}
applies_when = {when}
"""
    path = tmp_path / "programs" / "valid-program.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    program = load_program_file(path)
    person = make_resident_id("45010219800315101")
    sheet = write_rows(
        tmp_path / "roster.xlsx", [COLUMNS, *[["韦志强", person, *row] for row in rows]]
    )
    report = validate_sheet(sheet, program)
    return [f.row for f in report.sorted_findings() if f.rule == "attendance-bound"]


ROWS = [["脱产", "是", "0.5"], ["半脱产（委托）", "否", "0.5"], ["", "", "0.5"]]


@pytest.mark.parametrize(
    ("when", "flagged"),
    [
        ('{ column = "培训形式", contains = "委托" }', [3]),
        ('{ column = "本地院校", yes = true }', [2]),
        ('{ column = "本地院校", yes = false }', [3, 4]),
        ('{ column = "培训形式", blank = true }', [4]),
        ('{ column = "培训形式", filled = true }', [2, 3]),
        ('{ columns = ["培训形式", "本地院校"], filled = true }', [2, 3]),
        ('{ column = "培训形式", not_in = ["脱产"] }', [3, 4]),
    ],
)
def test_applies_when_takes_every_spelling_money_takes(
    tmp_path: Path, when: str, flagged: list[int]
) -> None:
    """A rule's applies_when accepts contains, yes, blank and columns as money's when does."""
    assert _findings(tmp_path, when, ROWS) == flagged


def test_rules_and_money_share_the_one_condition_model() -> None:
    """applies_when and every money when (refuse, pending, factor, payee) are the same model."""
    assert RuleSpec.model_fields["applies_when"].annotation == Condition | None
    assert Refusal.model_fields["when"].annotation is Condition
    assert Pending.model_fields["when"].annotation is Condition
    assert Factor.model_fields["when"].annotation == Condition | None
    assert PayeeOption.model_fields["when"].annotation == Condition | None


def test_money_when_accepts_filled_as_the_opposite_of_blank() -> None:
    """``filled = true`` (an applies_when spelling) holds exactly where ``blank = false`` does."""
    filled = Condition.model_validate({"column": "鉴定结果", "filled": True})
    blank = Condition.model_validate({"column": "鉴定结果", "blank": False})
    for value in ["合格", "", " ", None, 0]:
        assert filled.judge(value) == blank.judge(value)


def test_column_at_a_time_and_one_row_agree() -> None:
    """rows_holding over a column gives the rows on which holds is true row by row."""
    condition = Condition.model_validate({"columns": ["a", "b"], "not_in": ["否"]})
    rows: list[dict[str, Any]] = [
        {"a": "是", "b": "是"},
        {"a": "否", "b": "是"},
        {"a": None, "b": "否"},
        {},
    ]
    by_column = rows_holding(condition, lambda c: [r.get(c) for r in rows], range(len(rows)))
    by_row = [i for i, r in enumerate(rows) if holds(condition, r.get)]
    assert by_column == by_row == [0, 3]


def test_two_tests_in_one_condition_are_refused_at_load(tmp_path: Path) -> None:
    """A condition with two tests is a load error naming the rule's applies_when."""
    with pytest.raises(CatalogError) as raised:
        _findings(tmp_path, '{ column = "培训形式", in = ["脱产"], filled = true }', ROWS)
    assert "rules[1].applies_when" in str(raised.value)
    assert "只写一种判断" in str(raised.value)


_CONDITIONS = [
    {"columns": ["a", "b"], "not_in": ["否"]},
    {"column": "a", "in": ["合格", "是"]},
    {"column": "a", "yes": True},
    {"column": "b", "yes": False},
    {"column": "a", "blank": True},
    {"columns": ["a", "b"], "filled": True},
    {"column": "b", "contains": "委托"},
]
_CELLS = st.sampled_from(
    [None, "", " ", "是", "否", "合格", "不合格", "委托培训", "也许", True, 1, 1.0, 0, False]
)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.fixed_dictionaries({"a": _CELLS, "b": _CELLS}), max_size=20),
    which=st.integers(min_value=0, max_value=len(_CONDITIONS) - 1),
    step=st.integers(min_value=1, max_value=3),
)
def test_a_column_judged_by_its_distinct_values_keeps_the_rows_one_row_keeps(
    rows: list[dict[str, Any]], which: int, step: int
) -> None:
    """rows_holding (each column judged by its distinct values, True, 1 and 1.0 apart, the
    rows picked at C speed) keeps, of all rows or some, those on which holds is true row by
    row (an unreadable 是/否 cell not meeting a yes test)."""
    condition = Condition.model_validate(_CONDITIONS[which])

    def one_row(row: dict[str, Any]) -> bool:
        try:
            return holds(condition, row.get)
        except ValueProblem:
            return False

    for chosen in (range(len(rows)), range(0, len(rows), step)):
        kept = rows_holding(condition, lambda c: [r.get(c) for r in rows], chosen)
        assert kept == [i for i in chosen if one_row(rows[i])]


@settings(max_examples=150, deadline=None)
@given(
    batches=st.lists(
        st.lists(st.fixed_dictionaries({"a": _CELLS, "b": _CELLS}), max_size=12), max_size=4
    ),
    which=st.integers(min_value=0, max_value=len(_CONDITIONS)),
    step=st.integers(min_value=1, max_value=3),
)
def test_verdicts_remembered_across_batches_keep_the_rows_one_row_keeps(
    batches: list[list[dict[str, Any]]], which: int, step: int
) -> None:
    """rows_holding with its verdicts found through a run's memo (each distinct cell judged
    once a run, each test of each column and of each part of an ``any`` under a name of its
    own) keeps, batch after batch, the rows on which holds is true row by row, with blank,
    whitespace, 是/否, True, 1 and 1.0 cells, for every kind of test and an ``any`` of two
    tests of one column."""
    from skillpolicy.rules.base import Memo

    either = {"any": [{"column": "a", "in": ["合格"]}, {"column": "a", "yes": True}]}
    condition = Condition.model_validate((*_CONDITIONS, either)[which])
    memo = Memo()

    def verdicts(name: str, cells: Any, judge: Any) -> list[bool]:
        return memo.each(f"when:{name}", cells, judge)

    def one_row(row: dict[str, Any]) -> bool:
        try:
            return holds(condition, row.get)
        except ValueProblem:
            return False

    for rows in batches:
        memo.next_batch()
        columns = {c: [r.get(c) for r in rows] for c in ("a", "b")}
        for chosen in (range(len(rows)), range(0, len(rows), step)):
            kept = rows_holding(condition, columns.__getitem__, chosen, None, verdicts)
            assert kept == [i for i in chosen if one_row(rows[i])]
