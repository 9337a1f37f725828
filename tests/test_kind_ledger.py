"""The ``ledger-history`` rule kind and the one ledger query behind it, on SQLite and
PostgreSQL: a row whose key the ledger already paid in earlier years (or the year before) is
a finding naming the runs; Fujian's no-repeat and plan-no-repeat are entries of this kind."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

import openpyxl
import pytest

from conftest import ROOT, LedgerTarget, make_resident_id, write_rows
from kindrows import program_file
from skillpolicy.check.validate import Report, validate_sheet
from skillpolicy.ledger import (
    HISTORY_FACTS,
    INDEXED_FACTS,
    HistoryQuery,
    HistoryRun,
    Ledger,
    LedgerLine,
    LineFacts,
    RunInfo,
)
from skillpolicy.ledger.sqlite import SqliteLedger, select_history, select_history_by_key
from skillpolicy.loading.programcheck import LEDGER_FACTS, check_program_file
from skillpolicy.loading.programfiles import load_program, load_program_file
from test_plan_ledger import ROSTER, commit, roster_of_2012

PROGRAM = "valid-program"
WEI = make_resident_id("45010219800315101")
LI = make_resident_id("45010219850612202")
ZHAO = make_resident_id("45010219900101303")
FUJIAN = "fujian-2013-free-training"
PARAMS = ROOT / "examples" / "skillpolicy.toml"

RULE = """[[rules]]
id = "again"
kind = "ledger-history"
sheet = "roster"
clause = "二"
summary = "已免费培训过的不再培训"
params = {{ match = {{ subject = "身份证号", occupation = "职业(工种)" }}{extra} }}
"""
COLUMNS = ["职业(工种)", "开班日期"]


def line(subject: str, occupation: str, year: int, *, program: str = PROGRAM,
         enterprise: str = "") -> LedgerLine:  # fmt: skip
    """A paid line of ``subject`` in ``occupation`` with 开班日期 in ``year``."""
    return LedgerLine(
        key=f"{program}|{subject}|{occupation}|{year}",
        program=program,
        subject=subject,
        name="学员",
        occupation=occupation,
        year=year,
        amount=Decimal("600.00"),
        payee="某培训学校",
        facts=LineFacts(enterprise=enterprise),
    )


def run_info(run_id: str, created: str = "2012-11-02", office: str = "") -> RunInfo:
    return RunInfo(
        run_id=run_id,
        program=PROGRAM,
        file_name=f"{run_id}.xlsx",
        file_hash="ab" * 32,
        created_at=f"{created}T09:30:00+08:00",
        office=office,
        approval=("经办",),
    )


def validate(tmp_path: Path, extra: str, rows: list[list[Any]], ledger: Any) -> Report:
    """The control program with the rule (``extra`` params appended) over ``rows``."""
    path = program_file(tmp_path, RULE.format(extra=extra), COLUMNS)
    sheet = write_rows(tmp_path / "roster.xlsx", [["姓名", "身份证号", *COLUMNS], *rows])
    return validate_sheet(sheet, load_program_file(path), ledger=ledger)


def found(report: Report, rule: str = "again") -> list[Any]:
    return [f for f in report.sorted_findings() if f.rule == rule]


class CountingLedger:
    """A ledger that records every history query it is asked."""

    def __init__(self, inner: Ledger) -> None:
        self.inner = inner
        self.queries: list[HistoryQuery] = []

    def history(self, query: HistoryQuery) -> dict[tuple[str, ...], list[HistoryRun]]:
        self.queries.append(query)
        return self.inner.history(query)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


# --------------------------------------------------------------------------- the query


def test_history_finds_earlier_active_lines_by_exact_key(ledger_target: LedgerTarget) -> None:
    """history() answers per key with runs of earlier years, oldest first; voided runs drop out."""
    with ledger_target.open() as ledger:
        ledger.commit(run_info("R2011", "2011-10-01"), [line(WEI, "焊工", 2011)])
        ledger.commit(run_info("R2012"), [line(WEI, "焊工", 2012), line(LI, "电工", 2012)])
        ledger.commit(run_info("R2013", "2013-05-01"), [line(WEI, "焊工", 2013)])
        ledger.commit(run_info("OTHER"), [line(WEI, "焊工", 2010, program="other-program")])
        keys = [(WEI, "焊工"), (WEI, "电工"), (LI, "电工")]
        answer = ledger.history(HistoryQuery(PROGRAM, ("subject", "occupation"), keys, 2013))
        # WEI/电工 is made of values that each occur, but no line holds the pair
        assert set(answer) == {(WEI, "焊工"), (LI, "电工")}
        assert [(r.run_id, r.year, r.people) for r in answer[(WEI, "焊工")]] == [
            ("R2011", 2011, 1),
            ("R2012", 2012, 1),
        ]
        assert answer[(LI, "电工")][0].file_name == "R2012.xlsx"
        year_before = HistoryQuery(PROGRAM, ("subject", "occupation"), keys, 2013, from_year=2012)
        assert [r.run_id for r in ledger.history(year_before)[(WEI, "焊工")]] == ["R2012"]
        ledger.void("R2011", "重复上报")
        again = ledger.history(HistoryQuery(PROGRAM, ("subject", "occupation"), keys, 2013))
        assert [r.run_id for r in again[(WEI, "焊工")]] == ["R2012"]


def test_history_counts_people_per_run_and_can_ask_only_approved_runs(
    ledger_target: LedgerTarget,
) -> None:
    """By enterprise: distinct people per run; approved_only leaves out a run still to review."""
    firm = "福州闽江重工机械有限公司"
    with ledger_target.open() as ledger:
        ledger.commit(
            run_info("R1", office="鼓楼区人社局"),
            [line(s, "焊工", 2012, enterprise=firm) for s in (WEI, LI, ZHAO)],
        )
        waiting = replace(run_info("R2"), approval=("经办", "复核", "审批"))
        ledger.commit(waiting, [line(WEI, "电工", 2012, enterprise=firm)])
        keys = [(firm, "焊工"), (firm, "电工")]
        every = HistoryQuery(PROGRAM, ("enterprise", "occupation"), keys, 2013, from_year=2012)
        answer = ledger.history(every)
        assert [(r.run_id, r.people, r.office) for r in answer[(firm, "焊工")]] == [
            ("R1", 3, "鼓楼区人社局")
        ]
        assert (firm, "电工") in answer
        approved = HistoryQuery(
            PROGRAM, ("enterprise", "occupation"), keys, 2013, from_year=2012, approved_only=True
        )
        assert set(ledger.history(approved)) == {(firm, "焊工")}


def test_history_looks_up_keys_beyond_one_statements_parameters(
    ledger_target: LedgerTarget,
) -> None:
    """1,200 keys (more than one statement binds) are all answered, and an unknown one is not."""
    people = [make_resident_id(f"4501021970{n:07d}") for n in range(1200)]
    with ledger_target.open() as ledger:
        ledger.commit(run_info("R1"), [line(p, "焊工", 2012) for p in people])
        keys = [(p, "焊工") for p in people] + [(WEI, "焊工")]
        answer = ledger.history(HistoryQuery(PROGRAM, ("subject", "occupation"), keys, 2013))
    assert set(answer) == {(p, "焊工") for p in people}


def test_history_refuses_a_query_without_an_indexed_fact(ledger_target: LedgerTarget) -> None:
    """A query must start from subject or enterprise, the facts the ledger indexes."""
    with ledger_target.open() as ledger, pytest.raises(ValueError, match="subject"):
        ledger.history(HistoryQuery(PROGRAM, ("occupation",), [("焊工",)], 2013))


@pytest.mark.parametrize("facts", [("subject", "occupation"), ("enterprise", "occupation")])
def test_history_statement_walks_an_index(tmp_path: Path, facts: tuple[str, ...]) -> None:
    """SQLite plans the history statement through lines_subject or lines_enterprise."""
    with SqliteLedger(tmp_path / "ledger.sqlite3") as ledger:
        sql = select_history(facts, 3, lower=True, approved=True, outside_key=facts[0] == "subject")
        values = ["x"] * 6 + [PROGRAM, 2013, 2012]
        plan = [row[-1] for row in ledger._db.execute(f"EXPLAIN QUERY PLAN {sql}", values)]
    assert any(f"USING INDEX lines_{facts[0]} " in step for step in plan), plan


def test_history_by_key_walks_the_unique_key_index(tmp_path: Path) -> None:
    """SQLite finds the lines whose key begins with program and subject by a range of the
    unique key index per person, never by a scan of the lines."""
    with SqliteLedger(tmp_path / "ledger.sqlite3") as ledger:
        # a whole chunk of people: 165 ranges, where SQLite would rather index every line
        sql = select_history_by_key(("subject", "occupation"), 165, 165, lower=True, approved=True)
        values = ["x"] * 3 * 165 + ["焊工"] * 165 + [PROGRAM, 2013, 2012]
        plan = [row[-1] for row in ledger._db.execute(f"EXPLAIN QUERY PLAN {sql}", values)]
    assert "SEARCH l USING INDEX lines_active_key (line_key>? AND line_key<?)" in plan, plan
    assert not any(step.startswith("SCAN l") or "AUTOMATIC" in step for step in plan), plan


# --------------------------------------------------------------------------- the kind


def test_a_row_paid_in_an_earlier_year_is_a_finding_naming_the_run(
    ledger_target: LedgerTarget, tmp_path: Path
) -> None:
    """Same person and occupation paid in an earlier year: an error on 职业(工种) with the template."""
    messages = (
        ', messages = { found = "{subject}：{year}年已参加{occupation}（{runs}），共{people}人；'
        '首次为 {date} 的 {run}（{file}）" }'
    )
    rows = [
        ["韦志强", WEI, "焊工", dt.date(2013, 3, 1)],
        ["韦志强", WEI, "电工", dt.date(2013, 3, 1)],  # another occupation
        ["李梅", LI, "焊工", dt.date(2012, 3, 1)],  # paid in the same year: not earlier
        ["赵", "4501", "焊工", dt.date(2013, 3, 1)],  # not a valid number: not looked up
    ]
    with ledger_target.open() as ledger:
        ledger.commit(run_info("R2012", office="某区人社局"), [line(WEI, "焊工", 2012)])
        ledger.commit(run_info("L2012"), [line(LI, "焊工", 2012)])
        report = validate(tmp_path, messages, rows, ledger)
    (finding,) = found(report)
    assert (finding.row, finding.column, finding.severity) == (2, "职业(工种)", "error")
    assert finding.message == (
        f"{WEI[:4]}{'*' * 10}{WEI[-4:]}：2012年已参加焊工（R2012（2012-11-02，R2012.xlsx，"
        "某区人社局）），共1人；首次为 2012-11-02 的 R2012（R2012.xlsx）"
    )
    assert finding.citation.endswith(" 二")


def test_a_person_found_in_two_runs_is_counted_once(
    ledger_target: LedgerTarget, tmp_path: Path
) -> None:
    """By enterprise and occupation, people are distinct persons across runs; both runs named."""
    firm = "福州闽江重工机械有限公司"
    rule = RULE.replace('subject = "身份证号"', 'enterprise = "所在企业"').format(
        extra=', messages = { found = "{enterprise}{occupation}已有{people}人（{runs}）" }'
    )
    path = program_file(tmp_path, rule, ["所在企业", *COLUMNS])
    sheet = write_rows(
        tmp_path / "roster.xlsx",
        [
            ["姓名", "身份证号", "所在企业", *COLUMNS],
            ["赵", ZHAO, firm, "焊工", dt.date(2013, 3, 1)],
        ],
    )
    with ledger_target.open() as ledger:
        ledger.commit(run_info("R2011", "2011-10-01"), [line(WEI, "焊工", 2011, enterprise=firm)])
        ledger.commit(
            run_info("R2012"),
            [line(s, "焊工", 2012, enterprise=firm) for s in (WEI, LI)],
        )
        report = validate_sheet(sheet, load_program_file(path), ledger=ledger)
    (finding,) = found(report)
    assert finding.message == (
        f"{firm}焊工已有2人（R2011（2011-10-01，R2011.xlsx）、R2012（2012-11-02，R2012.xlsx））"
    )


def test_the_year_before_a_fixed_plan_year_only(
    ledger_target: LedgerTarget, tmp_path: Path
) -> None:
    """years = "year-before" with plan_year: only lines of plan_year − 1 count, whatever the row's date."""
    extra = ', years = "year-before", plan_year = 2013'
    rows: list[list[Any]] = [
        ["韦志强", WEI, "焊工", dt.date(2020, 3, 1)],
        ["李梅", LI, "焊工", None],
    ]
    with ledger_target.open() as ledger:
        ledger.commit(run_info("R2011"), [line(WEI, "焊工", 2011)])
        ledger.commit(run_info("R2012"), [line(LI, "焊工", 2012)])
        report = validate(tmp_path, extra, rows, ledger)
    assert [(f.row, f.column) for f in found(report)] == [(3, "职业(工种)")]
    assert "R2012" in found(report)[0].message


def test_rows_are_looked_up_once_per_distinct_year_not_per_row(
    ledger_target: LedgerTarget, tmp_path: Path
) -> None:
    """Forty rows of two years and five people: two queries, each of the distinct keys only."""
    people = [make_resident_id(f"45010219800315{n:03d}") for n in range(5)]
    rows = [["学员", people[n % 5], "焊工", dt.date(2013 + n % 2, 3, 1)] for n in range(40)]
    with ledger_target.open() as ledger:
        ledger.commit(run_info("R2012"), [line(people[0], "焊工", 2012)])
        counting = CountingLedger(ledger)
        report = validate(tmp_path, "", rows, counting)
    assert sorted(q.before_year for q in counting.queries) == [2013, 2014]
    assert all(len(q.keys) == 5 and len(set(q.keys)) == 5 for q in counting.queries)
    assert [f.row for f in found(report)] == list(range(2, 42, 5))


def test_an_unreadable_year_cell_is_that_cells_error(
    ledger_target: LedgerTarget, tmp_path: Path
) -> None:
    """A 开班日期 that is not a date is reported as such; the row is not looked up."""
    with ledger_target.open() as ledger:
        report = validate(tmp_path, "", [["韦志强", WEI, "焊工", "三月初"]], ledger)
    (finding,) = found(report)
    assert finding.column == "开班日期" and finding.severity == "error"


def test_without_a_ledger_the_rule_is_skipped_with_its_reason(tmp_path: Path) -> None:
    """No ledger: listed as skipped, with the no_ledger template (or the kind's own reason)."""
    rows = [["韦志强", WEI, "焊工", dt.date(2013, 3, 1)]]
    plain = validate(tmp_path, "", rows, None)
    assert [(s.id, r) for s, r in plain.skipped] == [
        ("again", "未指定台账（--ledger），无法核对台账中已有的记录")
    ]
    extra = (
        ', plan_year = 2013, years = "year-before", messages = { no_ledger = "无台账：{year}年" }'
    )
    told = validate(tmp_path, extra, rows, None)
    assert [r for _, r in told.skipped] == ["无台账：2012年"]


def test_a_sheet_without_a_match_column_skips_the_rule(tmp_path: Path) -> None:
    """A match column the sheet lacks: skipped, naming the column."""
    path = program_file(tmp_path, RULE.format(extra=""), COLUMNS)
    sheet = write_rows(tmp_path / "roster.xlsx", [["姓名", "身份证号"], ["韦志强", WEI]])
    report = validate_sheet(sheet, load_program_file(path), ledger=None)
    assert [r for s, r in report.skipped if s.id == "again"] == ["表中没有「职业(工种)」列"]


# --------------------------------------------------------------------------- Fujian


def test_fujian_no_repeat_names_the_earlier_run_as_before(
    ledger_target: LedgerTarget, tmp_path: Path
) -> None:
    """Fujian's no-repeat (now this kind): last year's paid rows, each with the earlier message."""
    program = load_program(FUJIAN)
    with ledger_target.open() as ledger:
        run_id = commit(ledger, roster_of_2012(tmp_path / "2012.xlsx"))
        paid = {(s.line.subject, s.line.occupation) for s in ledger.lines()}
        (run,) = ledger.runs()
        report = validate_sheet(ROSTER, program, params_file=PARAMS, ledger=ledger)
    sheet = openpyxl.load_workbook(ROSTER).worksheets[0]
    # every row of a person and occupation the 2012 run paid, a row refused then included
    expected = {
        cells[0].row: cells[7].value
        for cells in sheet.iter_rows(min_row=4)
        if (str(cells[3].value).upper(), cells[7].value) in paid
    }
    repeats = found(report, "no-repeat")
    assert paid and {f.row for f in repeats} == set(expected)
    for finding in repeats:
        assert finding.message == (
            f"该员工以前年度已参加过{expected[finding.row]}的免费培训（台账中 {run.created_at[:10]} "
            f"的运行 {run_id}），不再参加同职业（工种）的培训；可改报其他职业（工种）"
        )
        assert finding.severity == "error" and finding.column == "职业(工种)"


def test_fujian_no_repeat_without_a_ledger_says_so(tmp_path: Path) -> None:
    """Fujian's no-repeat without a ledger keeps its reason text."""
    report = validate_sheet(ROSTER, load_program(FUJIAN), params_file=PARAMS)
    assert [r for s, r in report.skipped if s.id == "no-repeat"] == [
        "未指定台账（--ledger），无法核对以前年度是否参加过同职业（工种）的免费培训"
    ]


# --------------------------------------------------------------------------- program check


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ('{ match = { occupation = "职业(工种)" } }', "须含 subject 或 enterprise"),
        ('{ match = { person = "身份证号" } }', "match"),
        ('{ match = { subject = "身份证号" }, years = "later" }', "years"),
        ('{ match = { subject = "身份证号" }, at = "姓名" }', "不是 match 中的列"),
        ('{ match = { subject = "身份证号" }, messages = { found = "{nobody}" } }', "占位符"),
    ],
)
def test_program_check_refuses_bad_params(tmp_path: Path, params: str, words: str) -> None:
    """Params the kind cannot run with are problems of the file, located at the rule."""
    rule = RULE.format(extra="").replace(
        'params = { match = { subject = "身份证号", occupation = "职业(工种)" } }',
        f"params = {params}",
    )
    problems = check_program_file(program_file(tmp_path, rule, COLUMNS))
    assert problems and any(words in str(p) and "rules[1].params" in str(p) for p in problems)


def test_the_facts_a_file_may_match_are_the_facts_the_ledger_answers() -> None:
    """programcheck's list of matchable facts is the ledger's HISTORY_FACTS, no more, no less."""
    assert set(get_args(LEDGER_FACTS)) == set(HISTORY_FACTS)
    assert set(INDEXED_FACTS) <= set(HISTORY_FACTS)
