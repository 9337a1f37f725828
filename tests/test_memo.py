"""The per-run memo the rule kinds share: each distinct cell value judged once (rules/base.py)."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import skillpolicy.rules
from skillpolicy.check.validate import validate_sheet
from skillpolicy.domain.identifiers import ResidentId, check_resident_id, latest_birth
from skillpolicy.domain.values import (
    ValueProblem,
    cell_text,
    is_blank,
    parse_date,
    parse_decimal,
    parse_int,
    parse_level,
    parse_ratio,
    parse_yes_no,
)
from skillpolicy.loading.programfiles import load_program
from skillpolicy.rules.base import Memo
from skillpolicy.rules.kind_duplicate import typed_part

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# cells as calamine hands them over: good, blank, broken, and values equal across types
CELLS: list[Any] = [
    None,
    "",
    "   ",
    "\u200b",
    "2013-02-27",
    "2013年2月27日",
    "2013-02-30",
    "不是日期",
    dt.date(2013, 2, 27),
    dt.datetime(2013, 2, 27, 0, 0),
    41332,
    41332.0,
    60,
    True,
    False,
    1,
    1.0,
    "1",
    "0.85",
    "85%",
    "-3",
    "是",
    "否",
    "也许",
    "高级工",
    "三级",
    "技师（二级）",
    "无等级",
    Decimal("0.9"),
    float("nan"),
]


def outcome(judge: Callable[[Any], Any], raw: Any) -> tuple[str, Any]:
    """What a reader says of ``raw``: its value, or the problem's message."""
    try:
        return "value", judge(raw)
    except ValueProblem as problem:
        return "problem", problem.message


def blank_or(parser: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The uncached reading the memo's typed readers stand for: None for a blank cell."""
    from skillpolicy.domain.values import is_blank

    return lambda raw: None if is_blank(raw) else parser(raw)


READERS: list[tuple[str, Callable[[Any], Any]]] = [
    ("date", blank_or(parse_date)),
    ("ratio", blank_or(parse_ratio)),
    ("decimal", blank_or(parse_decimal)),
    ("level", blank_or(parse_level)),
    ("yes_no", blank_or(parse_yes_no)),
]


@pytest.mark.parametrize(("name", "uncached"), READERS, ids=[name for name, _ in READERS])
def test_the_memo_reads_every_cell_as_the_uncached_parser_does(
    name: str, uncached: Callable[[Any], Any]
) -> None:
    """Each typed reader answers, first and from memory, exactly what its parser says (value or
    problem message), for good, blank and broken cells and values equal across types."""
    memo = Memo()
    cached = getattr(memo, name)
    for _ in range(2):  # the second pass answers from memory
        for raw in CELLS:
            assert outcome(cached, raw) == outcome(uncached, raw), (name, raw)


def test_integers_text_and_identity_numbers_match_their_uncached_answers() -> None:
    """memo.int with each minimum, memo.text and memo.resident_id answer as parse_int,
    cell_text and check_resident_id do, twice over."""
    memo = Memo()
    ids = ["11010519491231002X", "11010519491231002x", "110105194912310021", "4501021990", 1.5]
    for _ in range(2):
        for raw in CELLS:
            for minimum in (0, 1):
                expected = outcome(blank_or(partial(parse_int, minimum=minimum)), raw)
                assert outcome(partial(memo.int, minimum=minimum), raw) == expected
            assert memo.text(raw) == cell_text(raw) or raw == ""
        for raw in [*ids, *CELLS]:
            assert memo.resident_id(raw) == check_resident_id(raw)


def test_key_parts_through_the_memo_are_the_uncached_ones() -> None:
    """A duplicate or group key part read through the memo equals the one read without it,
    for every declared type, a broken cell included (it compares by its text)."""
    memo = Memo()
    for column_type in ("person-id", "credit-code", "level", "date", "integer", "text"):
        for raw in [*CELLS, "11010519491231002X", "91350100M000100Y43"]:
            if raw is None or raw == "":
                continue
            assert typed_part(column_type, raw, memo) == typed_part(column_type, raw)


def test_a_value_is_judged_once_and_a_broken_one_raises_the_same_problem_each_time() -> None:
    """The judgement runs once per distinct (how, type, value); a ValueProblem is remembered
    and raised again with the same message, without judging again."""
    calls: Counter[Any] = Counter()

    def judge(raw: Any) -> dt.date:
        calls[raw] += 1
        return parse_date(raw)

    memo = Memo()
    for _ in range(3):
        assert memo.judge("date", "2013-02-27", judge) == dt.date(2013, 2, 27)
        with pytest.raises(ValueProblem) as caught:
            memo.judge("date", "2013-02-30", judge)
        assert caught.value.message == outcome(parse_date, "2013-02-30")[1]
    assert calls == Counter({"2013-02-27": 1, "2013-02-30": 1})


def test_true_one_and_one_point_zero_are_judged_apart() -> None:
    """Equal values of different types (True == 1 == 1.0 in Python) get their own answers."""
    memo = Memo()
    seen = [memo.judge("type", raw, lambda r: type(r).__name__) for raw in (True, 1, 1.0)]
    assert seen == ["bool", "int", "float"]
    assert memo.judge("other", 1, lambda r: "another judgement") == "another judgement"


def test_the_memo_keeps_at_most_its_limit_and_still_answers_rightly() -> None:
    """Past its limit the memo starts afresh: it never holds more than ``limit`` answers, and a
    value forgotten is judged again to the same answer."""
    calls: Counter[Any] = Counter()

    def square(raw: int) -> int:
        calls[raw] += 1
        return raw * raw

    memo = Memo(limit=4)
    for _ in range(3):
        for value in range(10):
            assert memo.judge("square", value, square) == value * value
            assert 1 <= len(memo) <= 4
    assert all(count > 1 for count in calls.values())  # forgotten, judged again


def test_an_unhashable_value_is_judged_each_time() -> None:
    """A value that cannot be a dict key (from a library caller) is judged, not refused."""
    memo = Memo()
    assert memo.judge("length", ["a", "b"], len) == 2
    assert len(memo) == 0


def test_each_distinct_identity_number_is_checked_once_a_run(monkeypatch: Any) -> None:
    """Validating Xuchang's example (valid, duplicate, row labels and ledger keys all read the
    身份证号), each distinct 身份证号 cell is checked once, the same findings as before."""
    program = load_program("xuchang-2013-revitalization")
    sheet = EXAMPLES / "xuchang-2013-revitalization.xlsx"
    expected = validate_sheet(sheet, program).to_json()
    calls: Counter[Any] = Counter()

    def counted(raw: object, *, not_after: dt.date | None = None) -> ResidentId:
        if not_after is None:
            calls[(type(raw), raw)] += 1
        return check_resident_id(raw, not_after=not_after)

    for module in pkgutil.iter_modules(skillpolicy.rules.__path__, "skillpolicy.rules."):
        loaded = importlib.import_module(module.name)
        if hasattr(loaded, "check_resident_id"):
            monkeypatch.setattr(loaded, "check_resident_id", counted)
    assert validate_sheet(sheet, program).to_json() == expected
    assert calls, "the identity numbers were checked"
    assert max(calls.values()) == 1, [key for key, count in calls.items() if count > 1]


def test_a_column_of_identity_numbers_is_checked_as_cell_by_cell() -> None:
    """Memo.people gives each cell's number when valid ("" otherwise) and keeps the whole
    check of every cell that is not a plain valid number (blank, whitespace, lower-case x,
    full-width, numeric, broken), equal to check_resident_id's; the same batch's column asked
    again gets the same answer."""
    cells: list[Any] = [
        "11010519491231002X",
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        " 11010519491231002X ",
        "110105194912310021",
        "990105194912310021",
        "110105179912310015",
        110105194912310021,
        None,
        "",
        "   ",
        *CELLS,
    ]
    memo = Memo()
    people = memo.people(cells)
    results = [check_resident_id(raw) for raw in cells]
    assert people.latest == latest_birth(people.values)  # the full-width number's included
    assert memo.people(
        ["１１０１０５１９４９１２３１００２Ｘ", "11010519400101001X"[:17] + "0"]
    ).latest == (check_resident_id("１１０１０５１９４９１２３１００２Ｘ").birth_date)
    assert people.values == [result.value if result.ok else "" for result in results]
    plain = {0, 1}  # the plain valid numbers (x or X): no object of their own
    assert sorted(people.checked) == [i for i in range(len(cells)) if i not in plain]
    assert all(people.checked[i] == results[i] for i in people.checked)
    assert memo.people(cells) is people


def test_a_whole_column_is_judged_as_cell_by_cell() -> None:
    """Memo.each answers for every cell what judge would, also for a column mixing True, 1,
    1.0 and Decimal 1 (equal in Python, not to a reader), NaN and unhashable cells."""
    columns: list[list[Any]] = [
        CELLS,
        ["高级工", "高级工", None, "技师", "高级工"],
        [True, 1, 1.0, Decimal(1), "1", None],
        [1, 2, 3, 2, 1],
        [float("nan"), float("nan"), 1.5],
        [["a"], "a", None],
    ]
    for cells in columns:
        memo, alone = Memo(), Memo()
        for _ in range(2):
            assert memo.each("text", cells, repr) == [alone.judge("text", c, repr) for c in cells]
        assert memo.each("type", cells, lambda r: type(r).__name__) == [
            type(c).__name__ for c in cells
        ]


_CELL = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "\u3000", "高级工", "技师", "2013-02-27", "1", "是"]),
    st.text(max_size=4),
    st.dates(min_value=dt.date(2012, 1, 1), max_value=dt.date(2012, 1, 9)),
    st.datetimes(min_value=dt.datetime(2012, 1, 1), max_value=dt.datetime(2012, 1, 2)),
    st.sampled_from([True, 1, 1.0, Decimal(1), 0, False]),
)


@settings(max_examples=150, deadline=None)
@given(
    batches=st.lists(st.lists(_CELL, max_size=30), min_size=1, max_size=5),
    limit=st.integers(min_value=1, max_value=12),
)
def test_a_column_answered_whole_matches_the_judgement_of_each_cell(
    batches: list[list[Any]], limit: int
) -> None:
    """Memo.each over several batches (text, blank and date cells answered whole, other
    columns cell by cell), with a small limit and judge() asked in between, gives each cell
    exactly its own judgement, and the memo never holds more than its limit."""
    memo = Memo(limit=limit)

    def judgement(raw: Any) -> str:
        return f"{type(raw).__name__}:{raw}"

    for cells in batches:
        memo.next_batch()
        assert memo.each("shown", cells, judgement) == [judgement(c) for c in cells]
        assert memo.each("blank", cells, is_blank) == [is_blank(c) for c in cells]
        for raw in cells[:3]:
            assert memo.judge("shown", raw, judgement) == judgement(raw)
        assert len(memo) <= limit


def test_a_problem_remembered_by_judge_is_raised_by_each_for_the_same_judgement() -> None:
    """A column asked through each() after judge() remembered a ValueProblem for one of its
    values under the same name raises that problem, as a cell-by-cell look-up would."""
    memo = Memo()
    with pytest.raises(ValueProblem):
        memo.judge("date", "2013-02-30", parse_date)
    with pytest.raises(ValueProblem):
        memo.each("date", ["2013-02-27", "2013-02-30"], lambda raw: None)


def _said(raw: Any) -> str:
    """A judgement that says something of some values (a text, a bool, a number above one,
    a date of an odd day), nothing of the others; it tells the types apart."""
    if isinstance(raw, str) and raw.strip():
        return f"text:{raw}"
    if isinstance(raw, bool) or (isinstance(raw, int | float | Decimal) and raw > 1):
        return f"{type(raw).__name__}:{raw}"
    if isinstance(raw, dt.date) and raw.day % 2:
        return f"date:{raw.isoformat()}"
    return ""


@settings(max_examples=150, deadline=None)
@given(
    batches=st.lists(st.lists(_CELL, max_size=30), min_size=1, max_size=5),
    limit=st.integers(min_value=1, max_value=12),
    odd=st.booleans(),
)
def test_saying_gives_the_cells_their_judgement_has_something_to_say_of(
    batches: list[list[Any]], limit: int, odd: bool
) -> None:
    """Memo.saying over several batches (each distinct value judged once a run, the rows
    found from the values that say something) gives, by index, exactly the cells whose own
    judgement is true (or that ``says`` picks): blank, whitespace, dates and datetimes, True,
    1, 1.0 and Decimal 1 in one column, with a small limit and judge() asked in between."""
    memo = Memo(limit=limit)

    def says(answer: str) -> bool:
        return len(answer) % 2 == 1

    for cells in batches:
        memo.next_batch()
        expected = {i: _said(c) for i, c in enumerate(cells) if _said(c)}
        assert memo.saying("said", cells, _said) == expected
        picked = {i: _said(c) for i, c in enumerate(cells) if says(_said(c))}
        assert memo.saying("said-odd", cells, _said, says if odd else None) == (
            picked if odd else expected
        )
        for raw in cells[:3]:
            assert memo.judge("said", raw, _said) == _said(raw)
        assert len(memo) <= limit


def test_a_column_s_types_and_distinct_values_are_found_once_a_batch() -> None:
    """Memo.types and Memo.distinct answer a batch's column from what they found before (the
    same list), and afresh for a new batch; distinct is None for a column where equal values
    of different types (True, 1) would be one key, or with an unhashable cell."""
    memo = Memo()
    cells: list[Any] = ["甲", None, "甲", dt.date(2013, 1, 1)]
    assert memo.types(cells) == {str, type(None), dt.date}
    assert memo.types(cells) is memo.types(cells)
    assert list(memo.distinct(cells) or {}) == ["甲", None, dt.date(2013, 1, 1)]
    assert memo.distinct([True, 1, "1"]) is None
    assert memo.distinct([1, 2.5, "1"]) is None
    assert list(memo.distinct([1, 3, 1, "1"]) or {}) == [1, 3, "1"]
    assert memo.distinct([["a"], "a"]) is None
    found = memo.types(cells)
    memo.next_batch()
    assert memo.types(cells) == found and memo.types(cells) is not found


def test_types_told_for_a_batch_s_column_are_answered_without_a_pass() -> None:
    """Memo.know_types (the reader found a column's types as it read it): Memo.types answers
    what it was told for that column, with no pass of its own, until the next batch."""
    memo = Memo()
    cells: list[Any] = ["甲", "乙"]
    told = frozenset([str, dt.date])  # not what a pass would find: shows none was made
    memo.know_types(cells, told)
    assert memo.types(cells) is told
    memo.next_batch()
    assert memo.types(cells) == {str}


@settings(max_examples=100, deadline=None)
@given(
    batches=st.lists(st.lists(_CELL, max_size=20), min_size=1, max_size=5),
    limit=st.integers(min_value=1, max_value=6),
)
@example(batches=[["c"], ["d"], ["d", "f", "d", "b"], ["d"], ["d"]], limit=2)
def test_a_judgement_that_asks_the_memo_itself_still_answers_each_cell(
    batches: list[list[Any]], limit: int
) -> None:
    """Memo.each and Memo.saying with a judgement that asks the memo in turn (as share's
    answers read their cells through it), so that the memo may start afresh in the middle
    of a column, give each cell its own judgement; the memo holds no more than its limit."""
    memo = Memo(limit=limit)

    def judgement(raw: Any) -> str:
        inner = memo.judge("inner", raw, lambda cell: f"{type(cell).__name__}:{cell}")
        return f"<{inner}>" if raw else ""

    for cells in batches:
        memo.next_batch()
        answered = memo.each("outer", cells, judgement)
        said = memo.saying("said", cells, judgement)
        expected = [judgement(c) for c in cells]
        assert answered == expected
        assert said == {i: a for i, a in enumerate(expected) if a}
        assert len(memo) <= limit
