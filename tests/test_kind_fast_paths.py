"""The rule kinds' whole-batch fast paths answer exactly as their row-at-a-time paths."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import make_resident_id
from skillpolicy.check.validate import make_context
from skillpolicy.io.resources import SearchPath
from skillpolicy.io.sheet import Layout
from skillpolicy.loading.programfiles import list_programs, load_program
from skillpolicy.policy.params import LocalParams, load_params
from skillpolicy.policy.programs import Program
from skillpolicy.rules.kind_duplicate import Duplicate
from skillpolicy.rules.kinds import Batch, Flags, Kind, hits, kind_class

PROGRAM = "xuchang-2013-revitalization"
COLUMNS = ["姓名", "身份证号", "培训类别", "开班日期", "性别", "培训机构", "职业(工种)", "抽查次数"]
PEOPLE = [make_resident_id(first17) for first17 in ("41102319900101123", "41102319850315002")]
IDS = st.sampled_from(
    [*PEOPLE, PEOPLE[0].lower(), f" {PEOPLE[1]} ", "41102319900101123", None, "", " ", 4110231990]
)
CATEGORIES = st.sampled_from(["创业培训", "创业 培训", "下岗失业人员培训", None, "", "\u3000"])


@cache
def program_and_params() -> tuple[Program, LocalParams]:
    """The Xuchang program and its default local parameters (read once)."""
    program = load_program(PROGRAM)
    return program, load_params(None, program, list_programs(SearchPath("catalogs")))


def a_rule(kind: str, params: dict[str, Any] | None = None) -> Kind:
    """A fresh rule of the Xuchang program's ``kind`` (its params replaced when given) over a
    sheet with the test's columns."""
    program, params_ = program_and_params()
    spec = next(rule for rule in program.rules if rule.kind == kind)
    if params is not None:
        spec = spec.model_copy(update={"params": params})
    layout = Layout(
        file=Path("roster.xlsx"),
        sheet="Sheet1",
        kind="roster",
        header_row=1,
        columns={name: place for place, name in enumerate(COLUMNS)},
        letters={name: chr(65 + place) for place, name in enumerate(COLUMNS)},
    )
    context = make_context(program, layout, params=params_, search=SearchPath("catalogs"))
    return kind_class(kind)(spec, context)


def shown(flags: Flags) -> list[Any]:
    """Flags as comparable data, in row order."""
    return [
        (i, [(f.row, f.column, f.message) for f in found], broken and broken.message)
        for i, (found, broken) in sorted(flags.items())
    ]


def batches_of(rows: list[dict[str, Any]], size: int) -> list[Batch]:
    """``rows`` cut into batches of ``size``, numbered from sheet row 2."""
    return [
        Batch(list(range(2 + start, 2 + start + len(part))), part)
        for start in range(0, len(rows), size)
        for part in [rows[start : start + size]]
    ]


@settings(max_examples=120, deadline=None)
@given(
    rows=st.lists(st.fixed_dictionaries({"身份证号": IDS, "培训类别": CATEGORIES}), max_size=30),
    size=st.integers(min_value=1, max_value=8),
    required=st.booleans(),
    every=st.booleans(),
)
def test_duplicate_keys_found_over_the_batch_are_those_found_row_by_row(
    rows: list[dict[str, Any]], size: int, required: bool, every: bool
) -> None:
    """duplicate's whole-batch path (keys by dict and set operations) flags the same rows
    with the same messages as its row-by-row path, over several batches, with blank,
    invalid and equal-but-differently-written cells, all rows or some of them."""
    params = {"columns": ["身份证号", "培训类别"], "required": ["身份证号"] if required else []}
    fast, slow = a_rule("duplicate", params), a_rule("duplicate", params)
    assert isinstance(fast, Duplicate) and isinstance(slow, Duplicate)
    for batch in batches_of(rows, size):
        chosen = range(len(batch)) if every else range(0, len(batch), 2)
        assert shown(fast.flag_columns(batch, chosen, fast.plan(batch))) == shown(
            slow.flag_rows(batch, chosen, slow.plan(batch))
        )


@given(
    marks=st.lists(st.sampled_from([[], ["问题"], None, (None, None), 0, "x"]), max_size=20),
    step=st.integers(min_value=1, max_value=3),
)
def test_the_rows_picked_by_their_marks_are_those_a_loop_picks(marks: list[Any], step: int) -> None:
    """hits() picks, from the whole batch or some of its rows, exactly the rows whose mark is
    true, in order (an empty answer when no mark is)."""
    for rows in (range(len(marks)), range(0, len(marks), step), list(range(len(marks)))[::step]):
        assert list(hits(rows, marks)) == [i for i in rows if marks[i]]


COUNTS = st.sampled_from([0, 1, 2, 3, 4, "3", "三次", None, "", 2.0, -1])
CLASSES = st.fixed_dictionaries(
    {
        "培训机构": st.sampled_from(["甲校", "甲 校", "乙校", None]),
        "职业(工种)": st.sampled_from(["电工", "焊工"]),
        "开班日期": st.sampled_from(["2013-03-01", "2013年3月1日", "2013-04-01"]),
        "抽查次数": COUNTS,
    }
)


def grouped_by_hand(
    rule: Kind, batches: list[Batch], chosen: list[range]
) -> tuple[list[Any], list[Any]]:
    """group-number's answer worked out row by row: the unreadable counts flagged per batch,
    then per group (keys read as the kind reads them, groups in order of their first row)
    the highest count against the bound, a finding on each row of a group that misses it."""
    from skillpolicy.domain.values import cell_text
    from skillpolicy.rules.kind_duplicate import key_parts
    from skillpolicy.rules.kind_group import _count

    memo = rule.context.memo
    flagged: list[Any] = []
    groups: dict[tuple[str, ...], tuple[str, list[int], list[int]]] = {}
    for batch, rows in zip(batches, chosen, strict=True):
        parts = [
            key_parts(memo, rule.program.column_set().type_of(name), batch.column(name))
            for name in ["培训机构", "职业(工种)", "开班日期"]
        ]
        for i in rows:
            value = _count(batch.column("抽查次数")[i])
            if isinstance(value, str):
                flagged.append((batch.numbers[i], "抽查次数", f"抽查次数{value}"))
                continue
            key = tuple(part[i] for part in parts)
            label = " ".join(cell_text(batch.column(c)[i]) for c in ["培训机构", "职业(工种)"])
            group = groups.setdefault(key, (label, [], []))
            group[1].append(batch.numbers[i])
            group[2].append(value)
    late = []
    for label, numbers, values in groups.values():
        if max(values) >= 3:
            continue
        for number in numbers:
            late.append((number, label, len(numbers), max(values)))
    return flagged, late


@settings(max_examples=120, deadline=None)
@given(
    rows=st.lists(CLASSES, max_size=30),
    size=st.integers(min_value=1, max_value=8),
    every=st.booleans(),
)
def test_group_figures_over_batches_are_those_worked_out_row_by_row(
    rows: list[dict[str, Any]], size: int, every: bool
) -> None:
    """group-number over several batches (all rows or some) flags the unreadable counts and
    finds the groups below the bound, with their labels, sizes and rows, as working it out
    row by row does."""
    rule, alone = a_rule("group-number"), a_rule("group-number")
    batches = batches_of(rows, size)
    chosen = [range(len(b)) if every else range(0, len(b), 2) for b in batches]
    flagged = []
    for batch, picked in zip(batches, chosen, strict=True):
        for i, (found, broken) in sorted(rule.flag(batch, picked).items()):
            assert not found and broken is not None
            flagged.append((batch.numbers[i], broken.column, broken.message))
    late = [(f.row, f.column, f.message) for f in rule.finish()]
    by_hand, missed = grouped_by_hand(alone, batches, chosen)
    assert flagged == by_hand
    assert [(row, column) for row, column, _ in late] == [(m[0], "抽查次数") for m in missed]
    for (_, _, message), (_, label, count, figure) in zip(late, missed, strict=True):
        assert f"{label}，开班日期相同的{count}名学员）抽查{figure}次" in message
