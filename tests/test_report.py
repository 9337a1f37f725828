"""`report monthly`: the ledger records what the report needs; the report's figures, files,
default month, atomic replacement, lock, empty month and the cron-facing CLI."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import subprocess
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest

from conftest import ROOT, LedgerTarget, mm, skillpolicy_script
from skillpolicy.compute.paycommit import commit_payout
from skillpolicy.compute.subsidy import compute_subsidy
from skillpolicy.domain.errors import InputError
from skillpolicy.ledger import Ledger, findings_of
from skillpolicy.ledger.open import open_ledger
from skillpolicy.ledger.sqlite import MIGRATIONS, SCHEMA_VERSION, SqliteLedger
from skillpolicy.loading.programfiles import load_program
from skillpolicy.report import default_month, report_lock, write_monthly_report
from skillpolicy.report.text import percent as report_percent

EXAMPLES = ROOT / "examples"
PARAMS = EXAMPLES / "skillpolicy.toml"
XUCHANG = "xuchang-2013-revitalization"
GUANGXI = "guangxi-2012-technician"
FUJIAN = "fujian-2013-free-training"
# (program, roster): 结业日期 in 2012-12/2013-01 (Guangxi), 2013-06/09/10 (Fujian),
# 2013-10/2013-11 (Xuchang): a ledger spanning several months
ROSTERS = (
    (GUANGXI, "guangxi-2012-technician.xlsx"),
    (FUJIAN, "fujian-2013-free-training.xlsx"),
    (XUCHANG, "xuchang-2013-revitalization.xlsx"),
)
TITLE = {pid: load_program(pid).title for pid, _ in ROSTERS}


# the already-paid refusal as the report names it (no rule id on a clerk's sheet)
ALREADY_PAID = "已由此前的运行发放，不得重复发放"
# These figures are about counting, not approval: the runs are an office's that works alone
# (经办 only, approved on commit); tests/test_workflow.py pins that other runs do not count.
ALONE = ("经办",)


def commit(ledger: Ledger, program_id: str, roster: str) -> Any:
    payout = compute_subsidy(
        EXAMPLES / roster, load_program(program_id), params_file=PARAMS, ledger=ledger
    )
    commit_payout(payout, ledger, approval=ALONE)
    return payout


@pytest.fixture
def report_ledger(ledger_target: LedgerTarget) -> LedgerTarget:
    """The three example rosters committed, on SQLite and on PostgreSQL."""
    with ledger_target.open() as ledger:
        for program_id, roster in ROSTERS:
            commit(ledger, program_id, roster)
    return ledger_target


@pytest.fixture
def ledger_path(report_ledger: LedgerTarget) -> str:
    """What --ledger takes for the committed ledger."""
    return report_ledger.spec


def _date(value: Any) -> str:
    """A roster date cell as YYYY-MM, by hand (text in any of the accepted forms, or a date)."""
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    year, month = re.findall(r"\d+", str(value))[:2]
    return f"{int(year):04d}-{int(month):02d}"


def roster_rows(name: str) -> list[dict[str, Any]]:
    sheet = openpyxl.load_workbook(EXAMPLES / name).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if "姓名" in row)
    names = [str(h).replace("（", "(").replace("）", ")") for h in rows[header]]
    return [dict(zip(names, row, strict=True)) for row in rows[header + 1 :] if row[1]]


def sheet_rows(path: Path, title: str) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(path)
    return [row for row in book[title].iter_rows(values_only=True) if any(row)]


def program_row(path: Path, program_id: str, period: str) -> tuple[Any, ...]:
    return next(r for r in sheet_rows(path, "概况") if r[0] == TITLE[program_id] and r[1] == period)


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


# --------------------------------------------------------------------------- the ledger


def test_commit_records_the_report_fields_and_the_unpaid_rows(
    report_ledger: LedgerTarget,
) -> None:
    """A commit records each paid line's report fields and the unpaid rows with their reasons."""
    [paid] = report_ledger.sql(
        "SELECT name, pay_month, target, department, training_type, person_category, "
        "institution, locality, outcome, attendance, inspections, class_start, amount, payee "
        "FROM lines WHERE program = ? AND name = '魏凤英'",
        (XUCHANG,),
    )
    unpaid = Counter(
        (status, ",".join(dict.fromkeys(f.rule for f in findings_of(findings, None))))
        for status, findings in report_ledger.sql(
            "SELECT status, findings FROM outcomes WHERE program = ? AND pay_month = '2013-10'",
            (XUCHANG,),
        )
    )
    assert paid == (
        "魏凤英", "2013-10", "农村劳动力培训", "市人力资源和社会保障局", "就业技能培训",
        "农村转移就业劳动者", "许昌市魏都区华夏职业培训学校", "许昌县", "合格", "0.74", 3,
        "2013-09-02", "950.00", "学员本人",
    )  # fmt: skip
    # 2013-10 by hand: 赵学军 冯海涛 朱少华 朱春生 have no result yet (pending); 郑世杰 59.99%
    # attendance; 梁秋菊 no certificate number; the 巾帼 class approved after it started (4);
    # one 创业培训 trainee outside the subsidy groups
    assert unpaid == {
        ("pending", "certificate"): 4,
        ("refused", "attendance"): 1,
        ("refused", "certificate"): 1,
        ("refused", "class-approved"): 4,
        ("refused", "subsidy-group"): 1,
    }


def test_a_version_1_ledger_is_migrated_in_place(tmp_path: Path) -> None:
    """A schema-1 ledger is migrated in place: month back-filled, its lines counted by the report."""
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
               "description TEXT NOT NULL, applied_at TEXT NOT NULL)")  # fmt: skip
    for statement in MIGRATIONS[0].statements:
        db.execute(statement)
    db.execute("INSERT INTO schema_migrations VALUES (1, 'v1', '2013-11-02T09:00:00+08:00')")
    db.execute("INSERT INTO runs VALUES ('R1', ?, 'a.xlsx', 'h', '2013-11-02T09:00:00+08:00', "
               "'{}', 1, '1900.00')", (GUANGXI,))  # fmt: skip
    db.execute("INSERT INTO lines VALUES ('R1', 1, 'k1', ?, 's', '张三', '焊工', '技师', NULL, "
               "'', 2012, '1900.00', '学员本人', 4, 1)", (GUANGXI,))  # fmt: skip
    db.close()
    with SqliteLedger(path) as ledger:
        assert ledger.schema_version() == SCHEMA_VERSION == MIGRATIONS[-1].version
        (line,) = list(ledger.lines())
        assert line.line.facts.month == "2013-11"  # back-filled from the run
        figures = ledger.month_figures("2013-11")
    assert [(f.program, f.month, f.status, f.amount, f.count) for f in figures] == [
        (GUANGXI, "2013-11", "paid", Decimal("1900.00"), 1)
    ]


def test_resubmitting_a_roster_does_not_count_its_trainees_twice(
    ledger_path: str, tmp_path: Path
) -> None:
    """A roster committed again pays nothing and records no run, so its trainees are neither
    counted again nor listed as refusals: the report is the first run's."""
    with open_ledger(ledger_path) as ledger:
        runs = len(ledger.runs())
        again = commit(ledger, XUCHANG, "xuchang-2013-revitalization.xlsx")
        assert again.total == 0
        assert again.run_id is None and len(ledger.runs()) == runs
        files = write_monthly_report(ledger, tmp_path / "out", "2013-10")
    row = program_row(files.workbook, XUCHANG, "本月")
    assert row[2:4] == (23, 18)
    assert row[7] == 12  # paid lines are still the first run's
    reasons = {r[0]: r[1] for r in sheet_rows(files.workbook, "概况") if r[0] == ALREADY_PAID}
    assert reasons == {}  # a resubmission that pays nothing is not recorded at all


def test_a_paid_trainee_refused_again_for_another_reason_is_not_a_new_trainee(
    ledger_path: str, tmp_path: Path
) -> None:
    """Resubmitted with 到课率 now 50%, a paid trainee is refused for attendance and as already
    paid; the resubmission pays nothing and records nothing, so the trainee is not counted a
    second time, nor its class's 抽查次数 of 1 taken as the class's."""
    program = load_program(XUCHANG)
    first = compute_subsidy(EXAMPLES / f"{XUCHANG}.xlsx", program, params_file=PARAMS)
    row = next(line.row for line in first.lines if line.status == "paid")
    assert row is not None
    book = openpyxl.load_workbook(EXAMPLES / f"{XUCHANG}.xlsx")
    sheet = book.worksheets[0]
    header = next(r for r in range(1, 10) if sheet.cell(row=r, column=1).value == "序号")
    column = next(c.column for c in sheet[header] if c.value == "到课率")
    sheet.cell(row=row, column=column, value=0.5)
    inspections = next(c.column for c in sheet[header] if c.value == "抽查次数")
    sheet.cell(row=row, column=inspections, value=1)  # would make its class look thin
    again = tmp_path / "resubmitted.xlsx"
    book.save(again)
    with open_ledger(ledger_path) as ledger:
        before = write_monthly_report(ledger, tmp_path / "before", "2013-10")
        thin = ledger.thin_inspections("2013-10", 3)
        payout = compute_subsidy(again, program, params_file=PARAMS, ledger=ledger)
        commit_payout(payout, ledger, approval=ALONE)
        [line] = [line for line in payout.lines if line.row == row]
        assert [r.rule for r in line.reasons] == ["attendance", "already-paid"]
        after = write_monthly_report(ledger, tmp_path / "after", "2013-10")
        assert ledger.thin_inspections("2013-10", 3) == thin  # nor a trainee of its class
    assert program_row(after.workbook, XUCHANG, "本月")[2:4] == (23, 18)  # trained, certified
    assert program_row(before.workbook, XUCHANG, "本月")[2:4] == (23, 18)

    attendance = program.rule_title("attendance")

    def refusals(files: Any) -> dict[str, int]:
        wanted = (ALREADY_PAID, attendance)
        return {r[0]: r[1] for r in sheet_rows(files.workbook, "概况") if r[0] in wanted}

    # the resubmission pays nothing, so it records no run (issue 12): no refusal is added
    assert payout.run_id is None
    assert refusals(after) == refusals(before)


def test_a_void_takes_the_runs_rows_out_of_the_report(ledger_path: str, tmp_path: Path) -> None:
    """A voided run's paid and unpaid rows leave the report."""
    with open_ledger(ledger_path) as ledger:
        run = next(r for r in ledger.runs() if r.program == XUCHANG)
        ledger.void(run.run_id, "测试作废")
        files = write_monthly_report(ledger, tmp_path / "out", "2013-10")
    assert [r for r in sheet_rows(files.workbook, "概况") if r[0] == TITLE[XUCHANG]] == []


# --------------------------------------------------------------------------- the figures


def test_report_figures_match_hand_counts(ledger_path: str, tmp_path: Path) -> None:
    """Every figure of the 2013-10 report equals a count made by hand from the example rosters."""
    out = tmp_path / "reports"
    with open_ledger(ledger_path) as ledger:
        files = write_monthly_report(ledger, out, "2013-10", today=dt.date(2026, 1, 1))
    assert files.workbook == out / "2013-10" / "月报-2013-10.xlsx"
    assert files.document == out / "2013-10" / "月报-2013-10.docx"
    rows = roster_rows("xuchang-2013-revitalization.xlsx")
    october = [r for r in rows if _date(r["结业日期"]) == "2013-10"]
    certified = [r for r in october if r["鉴定结果"] == "合格"]
    assert (len(october), len(certified)) == (23, 18)
    month = program_row(files.workbook, XUCHANG, "本月")
    # trained, certified, failed, pending, pass rate, paid lines, amount, in words, refused,
    # units, award winners (a roster has neither)
    # paid by hand: 华夏 4 + 钧都 3 at 800 + 150, 就业训练中心 5 at 1000 + 150 = 12,400.00
    assert month[2:] == (23, 18, 0, 4, 1, 12, 12400, "壹万贰仟肆佰元整", 7, 0, 0)
    assert program_row(files.workbook, XUCHANG, "累计")[2:4] == (23, 18)  # nothing before
    # Guangxi 2012: nothing in 2013-10; cumulative = every roster row (2012-12 and 2013-01)
    guangxi_rows = roster_rows("guangxi-2012-technician.xlsx")
    guangxi = program_row(files.workbook, GUANGXI, "累计")
    assert guangxi[2] == len(guangxi_rows) == 30
    assert guangxi[3] == sum(1 for r in guangxi_rows if r["鉴定结果"] == "合格")
    assert program_row(files.workbook, GUANGXI, "本月")[2] == 0
    # the 13 categories: month and cumulative by hand from the roster
    by_category = Counter(r["培训类别"] for r in october)
    thirteen = {t.name for t in load_program(XUCHANG).targets if t.department}
    categories = {r[0]: r for r in sheet_rows(files.workbook, "许昌目标进度") if r[0] in thirteen}
    assert len(categories) == 13
    for name, row in categories.items():
        assert row[2] == row[3] == by_category.get(name, 0), name
    rural = categories["农村劳动力培训"]
    # 2013-10 is month 10 of 24: the straight-line plan is 68,000 × 10 / 24
    assert rural[1:5] == ("市人力资源和社会保障局", 8, 8, 68000)
    assert rural[6] == 68000 * 10 // 24
    assert categories["企业职工在岗和转岗技能培训"][1] == "市工业和信息化局"
    others = {r[0]: r for r in sheet_rows(files.workbook, "许昌目标进度") if r[1] in ("人次", "人")}
    assert others["各类职业培训"][2] == 23
    assert others["职业技能鉴定"][2] == 18
    assert others["促进就业"][2] == "台账无此数据"
    guangxi_target = next(r for r in sheet_rows(files.workbook, "许昌目标进度") if r[1] == "名")
    assert guangxi_target[2:5] == (guangxi[3], 1000, f"{Decimal(guangxi[3]) / 10:.1f}%")
    # classes with fewer than 3 inspections: by hand, the 钧都 class (2 inspections, 5 trainees)
    thin = [
        r[:6]
        for r in sheet_rows(files.workbook, "培训机构")
        if r[0] == "禹州市钧都职业技能培训学校"
    ]
    assert ("禹州市钧都职业技能培训学校", "中式面点师", "2013-09-09", TITLE[XUCHANG], 2, 5) in thin
    # native charts: progress per category, monthly trend
    book = openpyxl.load_workbook(files.workbook)
    # types-openpyxl leaves out _charts, the private list openpyxl reads a sheet's charts into
    assert len(book["许昌目标进度"]._charts) == 1  # type: ignore[attr-defined]
    assert len(book["月度趋势"]._charts) == 1  # type: ignore[attr-defined]
    # the .docx carries the same figures as tables, on A4 with an East Asian font
    text = docx_text(files.document)
    assert "12,400.00" in text and "壹万贰仟肆佰元整" in text
    assert "农村劳动力培训" in text and "市人力资源和社会保障局" in text
    document = docx.Document(str(files.document))
    section = document.sections[0]
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert 'w:eastAsia="仿宋_GB2312"' in document.styles["Normal"].element.xml  # 公文 body


def test_institution_pass_rate_below_80_percent_is_flagged(
    ledger_path: str, tmp_path: Path
) -> None:
    """An institution whose pass rate is below 80% is flagged (Xuchang institution-standing)."""
    with open_ledger(ledger_path) as ledger:
        files = write_monthly_report(ledger, tmp_path / "out", "2013-11")
    # the program by its title: a clerk's sheet shows no program id
    rows = {r[0]: r for r in sheet_rows(files.workbook, "培训机构") if r[1] == TITLE[XUCHANG]}
    # 襄城县紫云: 3 合格, 2 不合格 in 2013-11 by hand -> 60%
    ziyun = rows["襄城县紫云职业培训学校"]
    assert ziyun[4:8] == (6, 3, 2, 0.6)
    assert ziyun[8] == "是（许政办〔2013〕52号 四(二)四）"  # the clause, not a rule id
    assert not rows["许昌市就业训练中心"][8]
    assert "襄城县紫云职业培训学校" in docx_text(files.document)


# --------------------------------------------------------------------------- cron safety


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2015, 1, 1), "2014-12"),
        (dt.date(2015, 1, 3), "2014-12"),
        (dt.date(2014, 3, 1), "2014-02"),
        (dt.date(2014, 12, 31), "2014-11"),
    ],
)
def test_default_month_is_the_previous_calendar_month(today: dt.date, expected: str) -> None:
    """Without --month the report covers the calendar month before today."""
    assert default_month(today) == expected


def test_a_run_on_the_first_of_january_reports_december(ledger_path: str, tmp_path: Path) -> None:
    """A run on 1 January writes December of the previous year."""
    with open_ledger(ledger_path) as ledger:
        files = write_monthly_report(ledger, tmp_path / "out", today=dt.date(2014, 1, 1))
    assert files.month == "2013-12"
    assert files.workbook.is_file() and files.workbook.parent.name == "2013-12"


def test_an_empty_month_writes_a_report_that_says_so(ledger_path: str, tmp_path: Path) -> None:
    """A month with no ledger rows still writes a report that says so."""
    with open_ledger(ledger_path) as ledger:
        files = write_monthly_report(ledger, tmp_path / "out", "2011-05")
    assert files.empty
    assert any("没有任何记录" in str(r[0]) for r in sheet_rows(files.workbook, "概况"))
    assert "没有任何记录" in docx_text(files.document)


def test_an_interrupted_run_leaves_the_previous_report_intact(
    ledger_path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run interrupted mid-write leaves the previous report's files byte for byte."""
    out = tmp_path / "out"
    with open_ledger(ledger_path) as ledger:
        files = write_monthly_report(ledger, out, "2013-10")
        before = (files.workbook.read_bytes(), files.document.read_bytes())

        def crash(*args: Any) -> None:
            raise KeyboardInterrupt  # the workbook is already written to its temporary file

        monkeypatch.setattr("skillpolicy.report.docx.write_document", crash)
        with pytest.raises(KeyboardInterrupt):
            write_monthly_report(ledger, out, "2013-10")
    assert (files.workbook.read_bytes(), files.document.read_bytes()) == before
    assert sorted(p.name for p in files.workbook.parent.iterdir()) == [
        "月报-2013-10.docx",
        "月报-2013-10.xlsx",
    ]


def test_rerunning_a_month_replaces_it(ledger_path: str, tmp_path: Path) -> None:
    """Rerunning a month replaces its two files and leaves nothing else."""
    out = tmp_path / "out"
    with open_ledger(ledger_path) as ledger:
        first = write_monthly_report(ledger, out, "2013-11", now=lambda: dt.datetime(2013, 12, 1))
        second = write_monthly_report(ledger, out, "2013-11", now=lambda: dt.datetime(2013, 12, 2))
    assert first.workbook == second.workbook
    assert "2013年12月2日" in str(sheet_rows(second.workbook, "概况")[1][0])  # the second run
    assert len(list(second.workbook.parent.iterdir())) == 2


def test_a_second_run_waits_for_the_lock(ledger_path: str, tmp_path: Path) -> None:
    """A run that cannot take the folder's lock gives up with a clear error and writes nothing."""
    out = tmp_path / "out"
    out.mkdir()
    with (
        report_lock(out),
        open_ledger(ledger_path) as ledger,
        pytest.raises(InputError, match="另一个月报任务"),
    ):
        write_monthly_report(ledger, out, "2013-10", lock_wait=0.2)
    assert not (out / "2013-10").exists()


def test_the_cli_is_cron_safe(ledger_path: str, tmp_path: Path) -> None:
    """The CLI prints nothing on stdout, timestamped plain lines on stderr, exit 0 only when written."""
    script = skillpolicy_script()
    out = tmp_path / "out"
    done = subprocess.run(
        [script, "report", "monthly", "--month", "2013-10", "--ledger", str(ledger_path),
         "--out", str(out)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "\x1b[" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines and all(re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", line) for line in lines)
    assert (out / "2013-10" / "月报-2013-10.docx").is_file()
    missing = subprocess.run(
        [script, "report", "monthly", "--ledger", str(tmp_path / "none.sqlite3"),
         "--out", str(out)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert missing.returncode == 2
    assert "月报未写出" in missing.stderr
    bad = subprocess.run(
        [script, "report", "monthly", "--month", "2013-13", "--ledger", str(ledger_path),
         "--out", str(out)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert bad.returncode == 2


def test_a_pending_line_paid_later_counts_once(tmp_path: Path) -> None:
    """A line pending in one run and paid in a later one is counted once, as paid."""
    from skillpolicy.ledger import LedgerLine, LineFacts, OutcomeLine, RunInfo

    facts = LineFacts(month="2013-10", outcome="", institution="甲校")
    line = LedgerLine(key="k1", program=GUANGXI, subject="s1", name="张三", facts=facts)
    paid = LedgerLine(
        key="k1", program=GUANGXI, subject="s1", name="张三", amount=Decimal("1900.00"),
        facts=LineFacts(month="2013-10", outcome="合格", institution="甲校"),
    )  # fmt: skip

    def run(run_id: str) -> RunInfo:
        return RunInfo(
            run_id, GUANGXI, "a.xlsx", "h", f"2013-11-0{run_id[-1]}T09:00:00+08:00",
            approval=ALONE,
        )  # fmt: skip

    with SqliteLedger(tmp_path / "l.sqlite3") as ledger:
        ledger.commit(run("R1"), [], [OutcomeLine(line, "pending", ("certified",))])
        # paid now, offered twice in the same run: the repeat is refused already-paid
        ledger.commit(run("R2"), [paid, paid])
        figures = ledger.month_figures("2013-10")
    counted = {(f.status, f.reasons, f.outcome): f.count for f in figures}
    assert counted == {("paid", "", "合格"): 1, ("refused", "already-paid", "合格"): 1}


def test_paid_summaries_match_the_active_lines_after_commits_and_voids(tmp_path: Path) -> None:
    """The per-run paid summaries, less voided runs, equal a direct count of the active lines."""
    import random

    from skillpolicy.ledger import LedgerLine, LineFacts, RunInfo

    rng = random.Random(7)

    def lines(keys: range) -> list[LedgerLine]:
        made = []
        for number in keys:
            facts = LineFacts(
                month=rng.choice(["2013-09", "2013-10"]),
                outcome=rng.choice(["合格", "不合格", ""]),
                institution=rng.choice(["甲校", "乙校"]),
                inspections=rng.choice([None, 1, 2, 4]),
                class_start="2013-08-01",
            )
            line = LedgerLine(
                key=f"k{number}", program=GUANGXI, subject=f"s{number}", name="某",
                occupation=rng.choice(["焊工", "电工"]), level=rng.choice(["技师", "高级工"]),
                amount=Decimal(rng.choice(["1900.00", "950.00"])), facts=facts,
            )  # fmt: skip
            made.append(line)
        return made

    def run(run_id: str) -> RunInfo:
        return RunInfo(run_id, GUANGXI, "a.xlsx", "h", "2013-11-01T09:00:00+08:00", approval=ALONE)

    path = tmp_path / "l.sqlite3"
    with SqliteLedger(path) as ledger:
        ledger.commit(run("R1"), lines(range(0, 60)))
        ledger.commit(run("R2"), lines(range(40, 100)))  # 40–59 already paid by R1
        ledger.void("R1", "重复报送")
        ledger.commit(run("R3"), lines(range(0, 30)))  # paid again after the void
        figures = ledger.month_figures("2013-10")
        thin = ledger.thin_inspections("2013-10", 3)
    summarised: Counter[tuple[str, str, str, Decimal]] = Counter()
    for figure in figures:
        if figure.status == "paid":
            summarised[(figure.month, figure.outcome, figure.institution, figure.amount)] += (
                figure.count
            )
    with sqlite3.connect(path) as db:
        direct = Counter(
            {
                (month, outcome, institution, Decimal(amount)): count
                for month, outcome, institution, amount, count in db.execute(
                    "SELECT pay_month, outcome, institution, amount, COUNT(*) FROM lines "
                    "WHERE active = 1 GROUP BY 1, 2, 3, 4"
                )
            }
        )
        classes = db.execute(
            "SELECT institution, occupation, MIN(inspections), COUNT(*) FROM lines "
            "WHERE active = 1 AND pay_month = '2013-10' AND inspections IS NOT NULL "
            "GROUP BY 1, 2 HAVING MIN(inspections) < 3 ORDER BY 1, 2"
        ).fetchall()
    assert sum(direct.values()) == 70  # R2 paid 60–99 (R1 had 40–59), R3 0–29 after the void
    assert summarised == direct
    assert [(c.institution, c.occupation, c.inspections, c.trainees) for c in thin] == classes


def test_report_figures_are_the_month_figures_grouped_by_month_and_by_institution(
    report_ledger: LedgerTarget,
) -> None:
    """report_figures holds month_figures' counts regrouped: by month without the institution,
    and by institution with the report month apart and the category only as award or not."""
    from skillpolicy.ledger import AWARD_TARGET

    month = "2013-10"
    with report_ledger.open() as ledger:
        fine = ledger.month_figures(month)
        grouped = ledger.report_figures(month)
    assert fine and grouped.institutions

    def common(f: Any) -> tuple[Any, ...]:
        return (f.program, f.outcome, f.high_skill, f.first, f.status, f.reasons, f.amount)

    by_month: Counter[tuple[Any, ...]] = Counter()
    by_institution: Counter[tuple[Any, ...]] = Counter()
    for f in fine:
        by_month[(*common(f), f.month, f.target)] += f.count
        if f.institution and f.month:
            award = AWARD_TARGET if f.target.startswith(AWARD_TARGET) else ""
            by_institution[(*common(f), f.institution, f.month == month, award)] += f.count
    months: Counter[tuple[Any, ...]] = Counter()
    for f in grouped.months:
        assert f.institution == ""
        months[(*common(f), f.month, f.target)] += f.count
    institutions: Counter[tuple[Any, ...]] = Counter()
    for f in grouped.institutions:
        assert f.month and f.month <= month
        institutions[(*common(f), f.institution, f.month == month, f.target)] += f.count
    assert months == by_month
    assert institutions == by_institution


def test_report_percentages_round_down_so_a_rate_under_a_line_reads_under_it() -> None:
    """79.96% reads 79.9% (not 80.0%), 99.99% done is not 100.0%, and nothing to divide by is —."""
    assert report_percent(Decimal("0.7996")) == "79.9%"
    assert report_percent(Decimal("0.9999")) == "99.9%"
    assert report_percent(Decimal("0.8125")) == "81.2%"
    assert report_percent(Decimal(1)) == "100.0%"
    assert report_percent(None) == "—"


def test_units_and_award_winners_are_counted_apart_from_trained_persons(tmp_path: Path) -> None:
    """Jincheng's designated units (家) and Xuchang's award winners are not trained persons."""
    workstation = "jincheng-2022-workstation"
    with SqliteLedger(tmp_path / "ledger.sqlite3") as ledger:
        commit(ledger, XUCHANG, "xuchang-2013-revitalization.xlsx")
        month = dt.date.today().strftime("%Y-%m")  # lines without 结业日期: the run's month
        before = write_monthly_report(ledger, tmp_path / "before", month, today=dt.date.today())
        awards = commit(ledger, XUCHANG, "xuchang-2013-revitalization-awards.xlsx")
        units = commit(ledger, workstation, "jincheng-2022-workstation-designation.xlsx")
        after = write_monthly_report(ledger, tmp_path / "after", month, today=dt.date.today())
    winners = len(awards.lines)
    designated = sum(1 for line in units.lines if line.tranche in (None, 1))
    assert winners and designated
    title = load_program(workstation).title
    rows = {(r[0], r[1]): r for r in sheet_rows(after.workbook, "概况") if r[1] in ("本月", "累计")}
    headers = next(r for r in sheet_rows(after.workbook, "概况") if r[:2] == ("项目", "期间"))
    unit_column, award_column = headers.index("认定单位（家）"), headers.index("获奖人员（人）")
    # Jincheng: units only, no trainee, no pass rate
    jincheng = rows[(title, "累计")]
    assert jincheng[2:5] == (0, 0, 0) and jincheng[6] is None
    assert (jincheng[unit_column], jincheng[award_column]) == (designated, 0)
    # Xuchang: trainees, certified and pass rate as before the awards; winners apart
    xuchang = rows[(TITLE[XUCHANG], "累计")]
    assert xuchang[2:7] == program_row(before.workbook, XUCHANG, "累计")[2:7]
    assert (xuchang[unit_column], xuchang[award_column]) == (0, winners)
    text = docx_text(after.document)
    trained = xuchang[2]
    assert f"截至本月累计培训 {trained} 人（次）" in text
    assert f"认定单位 {designated} 家，获奖人员 {winners} 人（不计入培训人数）" in text


def test_figures_read_ahead_are_the_ledgers_own_for_that_month_and_office_only(
    ledger_path: str,
) -> None:
    """FiguresAhead hands over report_figures of its month and office, and None for another
    month or office, so a report never uses figures read for a different one."""
    from skillpolicy.ledger.ahead import FiguresAhead

    with open_ledger(ledger_path, create=False) as ledger:
        own = ledger.report_figures("2013-10")
    assert own.months
    ahead = FiguresAhead(ledger_path, "2013-10", None)
    assert ahead.figures("2013-10", None) == own
    assert ahead.figures("2013-11", None) is None
    assert ahead.figures("2013-10", "许昌县") is None


def test_figures_read_ahead_of_a_missing_ledger_are_none(tmp_path: Path) -> None:
    """A read ahead that fails (no such ledger) gives None, leaving the error to the report."""
    from skillpolicy.ledger.ahead import FiguresAhead

    missing = str(tmp_path / "none.sqlite3")
    assert FiguresAhead(missing, "2013-10", None).figures("2013-10", None) is None
    assert not Path(missing).exists()


@pytest.mark.parametrize(
    ("given", "expected"),
    [(None, "2014-12"), ("2013-10", "2013-10"), ("2013-1", None), ("２０１３-10", None)],
)
def test_the_month_read_ahead_is_the_plain_or_default_month(
    given: str | None, expected: str | None
) -> None:
    """plain_month: no --month is last calendar month, YYYY-MM as given, anything else None."""
    from skillpolicy.ledger.ahead import plain_month

    assert plain_month(given, dt.date(2015, 1, 2)) == expected


def test_figures_read_ahead_are_dropped_when_the_run_waited_for_the_lock(
    ledger_path: str, tmp_path: Path
) -> None:
    """A run that had to wait for another run's lock reads its figures again (what it read
    ahead may predate lines committed meanwhile); one that did not wait uses them."""
    import threading

    from skillpolicy.ledger.ahead import FiguresAhead

    class Recorded(FiguresAhead):
        asked = 0

        def figures(self, month: str, office: str | None) -> Any:
            Recorded.asked += 1
            return super().figures(month, office)

    out = tmp_path / "out"
    out.mkdir()
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with report_lock(out):
            held.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    threading.Timer(0.3, release.set).start()
    with open_ledger(ledger_path) as ledger:
        waited = write_monthly_report(
            ledger, out, "2013-10", ahead=Recorded(ledger_path, "2013-10", None)
        )
    holder.join()
    assert Recorded.asked == 0
    with open_ledger(ledger_path) as ledger:
        free = write_monthly_report(
            ledger, out, "2013-10", ahead=Recorded(ledger_path, "2013-10", None)
        )
    assert Recorded.asked == 1
    assert waited.workbook == free.workbook and free.workbook.is_file()
