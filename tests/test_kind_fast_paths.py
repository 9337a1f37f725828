"""The rule kinds' whole-batch fast paths answer exactly as their row-at-a-time paths."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import make_resident_id
from skillpolicy.check.validate import make_context
from skillpolicy.io.resources import SearchPath
from skillpolicy.io.sheet import Layout
from skillpolicy.loading.programfiles import list_programs, load_program
from skillpolicy.policy.params import LocalParams, load_params
from skillpolicy.policy.programs import Program
from skillpolicy.rules.kind_duplicate import Duplicate
from skillpolicy.rules.kind_share import Share
from skillpolicy.rules.kind_valid import Valid
from skillpolicy.rules.kinds import Batch, DateOrder, Flags, Kind, Number, OneOf, hits, kind_class

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


def a_rule(kind: str, params: dict[str, Any] | None = None, as_of: dt.date | None = None) -> Kind:
    """A fresh rule of the Xuchang program's ``kind`` (its params replaced when given; a kind
    the program uses only inside an all-of made from its first rule) over a sheet with the
    test's columns, run with ``as_of``."""
    program, params_ = program_and_params()
    spec = next((rule for rule in program.rules if rule.kind == kind), None)
    if spec is None:
        spec = program.rules[0].model_copy(update={"kind": kind, "params": params})
    elif params is not None:
        spec = spec.model_copy(update={"params": params})
    layout = Layout(
        file=Path("roster.xlsx"),
        sheet="Sheet1",
        kind="roster",
        header_row=1,
        columns={name: place for place, name in enumerate(COLUMNS)},
        letters={name: chr(65 + place) for place, name in enumerate(COLUMNS)},
    )
    context = make_context(
        program, layout, params=params_, search=SearchPath("catalogs"), as_of=as_of
    )
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
    rule: Kind, batches: list[Batch], chosen: list[range], of: str = "max"
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
        figure = sum(values) if of == "sum" else max(values)
        if figure >= 3:
            continue
        for number in numbers:
            late.append((number, label, len(numbers), figure))
    return flagged, late


def assert_grouped_as_by_hand(rows: list[dict[str, Any]], size: int, of: str, every: bool) -> None:
    """group-number over ``rows`` in batches of ``size`` (all rows, or every other one)
    flags and finds what working it out row by row does (:func:`grouped_by_hand`)."""
    program, _ = program_and_params()
    spec = next(rule for rule in program.rules if rule.kind == "group-number")
    params = {**spec.params, "of": of}
    rule, alone = a_rule("group-number", params), a_rule("group-number", params)
    batches = batches_of(rows, size)
    chosen = [range(len(b)) if every else range(0, len(b), 2) for b in batches]
    flagged = []
    for batch, picked in zip(batches, chosen, strict=True):
        for i, (found, problem) in sorted(rule.flag(batch, picked).items()):
            assert not found and problem is not None
            flagged.append((batch.numbers[i], problem.column, problem.message))
    late = [(f.row, f.column, f.message) for f in rule.finish()]
    by_hand, missed = grouped_by_hand(alone, batches, chosen, of)
    assert flagged == by_hand
    assert [(row, column) for row, column, _ in late] == [(m[0], "抽查次数") for m in missed]
    for (_, _, message), (_, label, count, figure) in zip(late, missed, strict=True):
        assert f"{label}，开班日期相同的{count}名学员）抽查{figure}次" in message


@settings(max_examples=120, deadline=None)
@given(
    rows=st.lists(CLASSES, max_size=30),
    size=st.integers(min_value=1, max_value=8),
    every=st.booleans(),
    of=st.sampled_from(["max", "sum"]),
)
def test_group_figures_over_batches_are_those_worked_out_row_by_row(
    rows: list[dict[str, Any]], size: int, every: bool, of: str
) -> None:
    """group-number over several batches (all rows or some) flags the unreadable counts and
    finds the groups below the bound (their highest count, or the sum), with their labels,
    sizes and rows, as working it out row by row does."""
    assert_grouped_as_by_hand(rows, size, of, every)


PERSON_CELLS = st.sampled_from(
    [
        *PEOPLE,
        PEOPLE[0].lower(),
        f" {PEOPLE[1]} ",
        PEOPLE[0].translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")),
        make_resident_id("41102320200101123"),  # born in 2020, after the classes began
        make_resident_id("41102320130302124"),  # born the day after 2013-03-01
        make_resident_id("41102320200101123")[:17] + "0",  # and a wrong check character
        "41102319900101123",
        PEOPLE[1][:17] + "0" if PEOPLE[1][17] != "0" else PEOPLE[1][:17] + "1",
        None,
        "",
        " ",
        "\u3000",
        4110231990,
        4.11023199001011e17,
    ]
)
STARTS = st.sampled_from(
    [
        "2013-03-01",
        "2013年3月1日",
        dt.datetime(2013, 3, 1),
        dt.date(2013, 3, 2),
        dt.date(2021, 1, 1),
        None,
        "",
        "不是日期",
    ]
)
SEXES = st.sampled_from(["男", "女", " 女 ", "Ｍ", "未知", None, "", "　"])


def people_by_hand(rule: Kind, batch: Batch, rows: range, blank_allowed: bool) -> list[Any]:
    """valid's answer for a 身份证号 column worked out a row at a time: each filled (or, when
    blanks are not allowed, each) cell checked alone, a valid one again against the row's
    reference date (as_of, else its readable 开班日期, else the program's) when born after it,
    then a valid number's sex against 性别."""
    from skillpolicy.domain.identifiers import check_resident_id
    from skillpolicy.domain.values import ValueProblem, cell_text, is_blank, parse_date

    assert isinstance(rule, Valid)
    flagged = []
    for i in rows:
        raw = batch.column("身份证号")[i]
        if blank_allowed and is_blank(raw):
            continue
        start = batch.column("开班日期")[i]
        try:
            day = None if is_blank(start) else parse_date(start)
        except ValueProblem:
            day = None
        reference = rule.context.as_of or day or rule.program.reference_date
        result = check_resident_id(raw)
        if result.ok and result.birth_date is not None and result.birth_date > reference:
            result = check_resident_id(raw, not_after=reference)
        if not result.ok:
            flagged.append((i, [(batch.numbers[i], "身份证号", result.problem)], None))
            continue
        sex = batch.column("性别")[i]
        if is_blank(sex) or cell_text(sex) == result.sex:
            continue
        said = rule._sex_differs("身份证号", cell_text(sex), str(result.sex))
        flagged.append((i, [(batch.numbers[i], where, m) for where, m in said], None))
    return flagged


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.fixed_dictionaries({"身份证号": PERSON_CELLS, "开班日期": STARTS, "性别": SEXES}),
        max_size=30,
    ),
    size=st.integers(min_value=1, max_value=8),
    blank_allowed=st.booleans(),
    every=st.booleans(),
    as_of=st.sampled_from([None, dt.date(2013, 3, 1), dt.date(2030, 1, 1)]),
)
def test_identity_numbers_checked_a_column_at_a_time_are_those_checked_row_by_row(
    rows: list[dict[str, Any]], size: int, blank_allowed: bool, every: bool, as_of: dt.date | None
) -> None:
    """valid's 身份证号 path over whole batches (plain valid numbers recognised a column at a
    time, birth dates and sexes read from their text) flags the same rows with the same
    messages as checking each row alone: blank, whitespace, lower-case x, full-width,
    numeric and mutated numbers, numbers born after the row's 开班日期 (text, date, datetime,
    blank, unreadable) or after --as-of, and 性别 cells that differ, are blank or are no sex."""
    params = {"columns": ["身份证号"], "blank_allowed": blank_allowed}
    rule = a_rule("valid", params, as_of=as_of)
    for batch in batches_of(rows, size):
        chosen = range(len(batch)) if every else range(0, len(batch), 2)
        assert shown(rule.flag(batch, chosen)) == people_by_hand(rule, batch, chosen, blank_allowed)


DATES = st.sampled_from(
    [
        "2013-02-27",
        "2013年2月27日",
        " 2013-03-01 ",
        "２０１３－０３－０２",
        dt.date(2013, 3, 1),
        dt.datetime(2013, 3, 1, 0, 0),
        dt.datetime(2013, 3, 1, 9, 30),
        41334,
        41334.0,
        True,
        1,
        None,
        "",
        "\u3000",
        "2013-02-30",
        "不是日期",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.fixed_dictionaries({"开班审批日期": DATES, "开班日期": DATES}), max_size=30),
    size=st.integers(min_value=1, max_value=8),
    every=st.booleans(),
    other=st.booleans(),
)
@example(  # True == 1 in Python, but the bool is no date and the 1 is 1900-01-01
    rows=[{"开班审批日期": v, "开班日期": "2013-03-01"} for v in (True, 1, 1.0)],
    size=3,
    every=True,
    other=True,
)
def test_date_order_judged_per_distinct_pair_is_judged_row_by_row(
    rows: list[dict[str, Any]], size: int, every: bool, other: bool
) -> None:
    """date-order judging each distinct pair of cells once (per_distinct_pair) flags the same
    rows with the same messages and unreadable cells as judging each row alone, for text,
    full-width, date, datetime, numeric, bool, blank and unreadable cells, against another
    column or the program's deadline."""
    program, _ = program_and_params()
    spec = next(rule for rule in program.rules if rule.kind == "date-order")
    params = dict(spec.params)
    if not other:
        del params["not_after_column"]
        params["not_after"] = dt.date(2013, 3, 1)
    rule = a_rule("date-order", params)
    assert isinstance(rule, DateOrder)
    for batch in batches_of(rows, size):
        chosen = range(len(batch)) if every else range(0, len(batch), 2)
        by_hand: Flags = {}
        for i in chosen:
            later = batch.column("开班日期")[i] if other else None
            message, column, broken = rule._judge(batch.column("开班审批日期")[i], later)
            if message is not None:
                by_hand[i] = ([rule.at(batch, i, column, message)], None)
            elif broken is not None:
                by_hand[i] = ([], broken)
        assert shown(rule.flag(batch, chosen)) == shown(by_hand)


RESULTS = st.sampled_from(
    ["合格", "不合格", " 合格 ", "＂合格＂", "缺考", None, "", "\u3000", 1, True]
)
INSTITUTIONS = st.sampled_from(["甲校", " 甲校", "ＡＢ校", "AB校", None, "", "乙校"])


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.fixed_dictionaries({"鉴定结果": RESULTS, "培训机构": INSTITUTIONS}), max_size=30
    ),
    size=st.integers(min_value=1, max_value=8),
    grouped=st.booleans(),
)
def test_shares_tallied_a_column_at_a_time_are_those_tallied_row_by_row(
    rows: list[dict[str, Any]], size: int, grouped: bool
) -> None:
    """share's whole-batch tally (Counter over the answered and the counted rows) leaves the
    same totals per group, and the same late findings, as tallying each row: blank, padded,
    full-width and unlisted answers, numbers and bools, blank groups, with a group or without."""
    program, _ = program_and_params()
    spec = next(rule for rule in program.rules if rule.kind == "share")
    params = {k: v for k, v in spec.params.items() if grouped or k != "group"}
    fast, slow = a_rule("share", params), a_rule("share", params)
    assert isinstance(fast, Share) and isinstance(slow, Share)
    for batch in batches_of(rows, size):
        assert shown(fast.flag(batch, range(len(batch)))) == shown(
            slow.flag(batch, list(range(len(batch))))  # a list of rows: row by row
        )
    assert fast.totals == slow.totals
    assert [f.message for f in fast.finish()] == [f.message for f in slow.finish()]


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.fixed_dictionaries({"身份证号": IDS, "培训类别": CATEGORIES}), max_size=30),
    size=st.integers(min_value=1, max_value=8),
)
def test_duplicate_keys_kept_as_ints_repeat_exactly_when_their_parts_do(
    rows: list[dict[str, Any]], size: int
) -> None:
    """duplicate keeps each key as one int (an identity number in base 36, other parts
    numbered): a row is flagged, naming the first row, exactly when an earlier row has the
    same valid identity number and the same folded category, as tuples of the parts say."""
    from skillpolicy.rules.kind_duplicate import typed_part

    params = {"columns": ["身份证号", "培训类别"]}
    rule = a_rule("duplicate", params)
    seen: dict[tuple[str, str], int] = {}
    for batch in batches_of(rows, size):
        expected = []
        for i in range(len(batch)):
            raw, category = batch.column("身份证号")[i], batch.column("培训类别")[i]
            person = "" if raw is None or raw == "" else typed_part("person-id", raw)
            if not person:
                continue
            filled = category is not None and category.strip()
            key = (person, typed_part("text", category) if filled else "")
            first = seen.setdefault(key, batch.numbers[i])
            if first != batch.numbers[i]:
                expected.append((batch.numbers[i], first))
        flagged = rule.flag(batch, range(len(batch)))
        got = [(batch.numbers[i], found[0].message) for i, (found, _) in sorted(flagged.items())]
        assert [number for number, _ in got] == [number for number, _ in expected]
        for (_, message), (_, first) in zip(got, expected, strict=True):
            assert message.startswith(f"与第{first}行的")


DAYS = st.one_of(
    st.dates(min_value=dt.date(2013, 2, 25), max_value=dt.date(2013, 3, 4)),
    st.sampled_from([dt.date(1899, 12, 31), dt.date(1900, 1, 1)]),  # the first readable day
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.fixed_dictionaries({"开班审批日期": DAYS, "开班日期": DAYS}), max_size=30),
    size=st.integers(min_value=1, max_value=8),
    every=st.booleans(),
    other_cell=st.sampled_from([None, "", "\u3000", "2013-03-01", dt.datetime(2013, 3, 1), 41334]),
)
def test_date_order_over_columns_of_dates_flags_the_rows_judged_row_by_row(
    rows: list[dict[str, Any]], size: int, every: bool, other_cell: Any
) -> None:
    """date-order over two columns of dates alone (the later ones found by comparing the
    columns at C speed) flags the same rows with the same messages as judging each row
    alone, with equal dates, a date before 1900 (unreadable), and, in some batches, one other
    cell (blank, whitespace, text, datetime, a serial) that sends the batch the general way."""
    program, _ = program_and_params()
    spec = next(rule for rule in program.rules if rule.kind == "date-order")
    rule = a_rule("date-order", dict(spec.params))
    assert isinstance(rule, DateOrder)
    for number, batch in enumerate(batches_of(rows, size)):
        if number % 2 and len(batch):
            batch.column("开班日期")[0] = other_cell
        chosen = range(len(batch)) if every else range(0, len(batch), 2)
        by_hand: Flags = {}
        for i in chosen:
            cells = (batch.column("开班审批日期")[i], batch.column("开班日期")[i])
            message, column, broken = rule._judge(*cells)
            if message is not None:
                by_hand[i] = ([rule.at(batch, i, column, message)], None)
            elif broken is not None:
                by_hand[i] = ([], broken)
        assert shown(rule.flag(batch, chosen)) == shown(by_hand)


MIXED = st.sampled_from(
    [
        "创业培训",
        " 创业培训 ",
        "创业 培训",
        "下岗失业人员培训",
        "不在其中",
        "０.８５",
        "85%",
        "0.55",
        "六十",
        None,
        "",
        " ",
        "\u3000",
        0.85,
        0.6,
        0.59,
        1,
        True,
        False,
        Decimal("0.6"),
        dt.date(2013, 3, 1),
        dt.datetime(2013, 3, 1, 9, 30),
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.fixed_dictionaries({"培训类别": MIXED}), max_size=30),
    size=st.integers(min_value=1, max_value=8),
    every=st.booleans(),
    kind_=st.sampled_from(["one-of", "number"]),
)
def test_cells_judged_once_a_run_are_flagged_as_judging_each_row_alone(
    rows: list[dict[str, Any]], size: int, every: bool, kind_: str
) -> None:
    """one-of and number, judging each distinct cell once a run and visiting only the rows
    of values that say something, flag over several batches the same rows with the same
    messages and unreadable cells as judging each row alone: blank, whitespace, full-width
    digits, numbers typed as numbers or as text, True with 1, Decimal, dates and datetimes
    mixed in one column."""
    params: dict[str, Any] = (
        {"column": "培训类别", "allowed": ["创业培训", "下岗失业人员培训"], "failing": ["不在其中"]}
        if kind_ == "one-of"
        else {"column": "培训类别", "type": "ratio", "bound": "不低于", "value": "0.60"}
    )
    rule = a_rule(kind_, params)
    for batch in batches_of(rows, size):
        chosen = range(len(batch)) if every else range(0, len(batch), 2)
        by_hand: Flags = {}
        for i in chosen:
            raw = batch.column("培训类别")[i]
            if isinstance(rule, OneOf):
                messages, broken = rule._judge(raw), None
            else:
                assert isinstance(rule, Number)
                message, broken = rule._judge(raw)
                messages = [] if message is None else [message]
                broken = None if message is not None else broken
            if messages or broken is not None:
                by_hand[i] = ([rule.at(batch, i, "培训类别", m) for m in messages], broken)
        assert shown(rule.flag(batch, chosen)) == shown(by_hand)


RUN_CLASSES = st.sampled_from(
    [
        ("甲校", "电工", "2013-03-01"),
        ("甲 校", "电工", dt.date(2013, 3, 1)),
        ("甲校", "电工", dt.datetime(2013, 3, 1)),
        ("乙校", "焊工", "2013年4月1日"),
        (None, "焊工", "2013-04-01"),
        ("", "电工", None),
        (1, "电工", "2013-03-01"),
        (True, "电工", "2013-03-01"),
    ]
)
RUN_COUNTS = st.sampled_from([0, 1, 2, 3, 4, 2.0, 3.0, "3", "２", None, "", " "])


@settings(max_examples=150, deadline=None)
@given(
    runs=st.lists(st.tuples(RUN_CLASSES, st.lists(RUN_COUNTS, min_size=1, max_size=9)), max_size=8),
    size=st.integers(min_value=1, max_value=40),
    of=st.sampled_from(["max", "sum"]),
    broken=st.booleans(),
)
@example(  # 1 == True in Python, but the cells name two institutions (1 and 是)
    runs=[((1, "电工", "2013-03-01"), [3]), ((True, "电工", "2013-03-01"), [1])],
    size=40,
    of="max",
    broken=False,
)
def test_group_figures_a_run_of_rows_at_a_time_are_those_worked_out_row_by_row(
    runs: list[tuple[tuple[Any, str, Any], list[Any]]], size: int, of: str, broken: bool
) -> None:
    """group-number over batches whose rows come in runs of a class (taken a run at a time)
    finds the same groups, labels, sizes, figures and rows as working it out row by row:
    the same class written apart (甲 校, a date as text, date or datetime), blank and numeric
    institutions (1 and True in one column), counts as numbers, numeric text, full-width,
    blank, and, in some batches, one unreadable count that sends the batch row by row."""
    rows = [
        {"培训机构": school, "职业(工种)": trade, "开班日期": start, "抽查次数": count}
        for (school, trade, start), counts in runs
        for count in counts
    ]
    if broken and rows:
        rows[len(rows) // 2]["抽查次数"] = "三次"
    assert_grouped_as_by_hand(rows, size, of, every=True)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "身份证号": PERSON_CELLS,
                "开班日期": st.sampled_from(
                    [
                        dt.date(2013, 3, 1),
                        dt.date(2013, 3, 2),
                        dt.date(2021, 1, 1),
                        dt.date(1899, 12, 31),
                    ]
                ),
                "性别": SEXES,
            }
        ),
        max_size=30,
    ),
    size=st.integers(min_value=1, max_value=8),
    every=st.booleans(),
)
def test_identity_numbers_against_a_column_of_dates_are_those_checked_row_by_row(
    rows: list[dict[str, Any]], size: int, every: bool
) -> None:
    """valid's 身份证号 path over batches whose 开班日期 holds dates alone (each cell taken as
    its own reference date) flags the same rows with the same messages as checking each row
    alone: numbers born after the row's date, on the day after it, and a date before 1900
    (unreadable: the program's reference date instead) sending the batch the general way."""
    rule = a_rule("valid", {"columns": ["身份证号"], "blank_allowed": False})
    for batch in batches_of(rows, size):
        chosen = range(len(batch)) if every else range(0, len(batch), 2)
        assert shown(rule.flag(batch, chosen)) == people_by_hand(rule, batch, chosen, False)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.fixed_dictionaries({"培训类别": MIXED}), max_size=30),
    size=st.integers(min_value=1, max_value=8),
    step=st.integers(min_value=1, max_value=3),
    filled=st.booleans(),
    listed=st.booleans(),
)
def test_filled_flags_the_rows_a_row_by_row_blank_test_flags(
    rows: list[dict[str, Any]], size: int, step: int, filled: bool, listed: bool
) -> None:
    """filled (its findings picked at C speed from the column's blankness) flags, of all
    rows or some (a range or a list), exactly the rows whose cell is blank (or, with
    filled = false, filled) as is_blank says row by row: whitespace, zero-width, numbers,
    bools, dates."""
    from skillpolicy.domain.values import is_blank

    rule = a_rule("filled", {"column": "培训类别", "filled": filled})
    for batch in batches_of(rows, size):
        chosen: Any = range(0, len(batch), step)
        if listed:
            chosen = list(chosen)
        expected = [i for i in chosen if is_blank(batch.column("培训类别")[i]) == filled]
        assert sorted(rule.flag(batch, chosen)) == expected
