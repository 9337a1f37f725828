"""Fujian 2013 二 against the ledger: the plan check on last year's free training of an
enterprise's occupation (schema version 5 records 所在企业), and `report monthly --targets`,
each city's trainees against the province's indicative target.

Every expected figure below is counted by hand from the bundled example roster
(examples/fujian-2013-free-training.xlsx, 30 rows), as the comments say.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import docx
import openpyxl

from conftest import ROOT, LedgerTarget, skillpolicy_script
from skillpolicy.check.validate import validate_sheet
from skillpolicy.compute.paycommit import commit_payout
from skillpolicy.compute.subsidy import compute_subsidy
from skillpolicy.ledger import HistoryQuery, Ledger
from skillpolicy.ledger.sqlite import MIGRATIONS, SCHEMA_VERSION, SqliteLedger
from skillpolicy.loading.programfiles import load_program
from skillpolicy.report import CityTargets, write_monthly_report
from skillpolicy.tasks.plan import summarise_plans, write_summary_workbook

EXAMPLES = ROOT / "examples"
PARAMS = EXAMPLES / "skillpolicy.toml"
ROSTER = EXAMPLES / "fujian-2013-free-training.xlsx"
PLANS = EXAMPLES / "fujian-2013-free-training-plans.xlsx"
FUJIAN = "fujian-2013-free-training"
ALONE = ("经办",)  # an office that works alone: its runs are approved on commit
PLAN_HEADER = [
    "设区市",
    "企业名称",
    "行业",
    "职业(工种)",
    "计划人数",
    "承训机构",
    "本地院校",
    "报送日期",
]
MINJIANG = "福州闽江重工机械有限公司"
RONGCHENG = "福建榕城电子科技有限公司"


def commit(ledger: Ledger, roster: Path, approval: tuple[str, ...] = ALONE) -> str:
    """Commit ``roster``'s payout; returns the new run's id."""
    before = {run.run_id for run in ledger.runs()}
    payout = compute_subsidy(roster, load_program(FUJIAN), params_file=PARAMS, ledger=ledger)
    commit_payout(payout, ledger, approval=approval)
    (run_id,) = [run.run_id for run in ledger.runs() if run.run_id not in before]
    return run_id


def roster_of_2012(path: Path) -> Path:
    """The example roster moved a year back, every row 合格 (as if trained free in 2012)."""
    book = openpyxl.load_workbook(ROSTER)
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=4):
        if not row[1].value:
            continue
        for cell in row[11:13]:  # 开班日期, 结业日期
            value = cell.value
            if isinstance(value, dt.datetime):
                cell.value = value.replace(year=2012)
            elif isinstance(value, str):
                cell.value = value.replace("2013", "2012")
        row[13].value = "合格"
    book.save(path)
    return path


def write_plan(path: Path, rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(PLAN_HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def plan_row(enterprise: str, occupation: str) -> list[Any]:
    return [
        "福州市",
        enterprise,
        "装备制造",
        occupation,
        20,
        "省外培训中心",
        "否",
        dt.date(2013, 2, 20),
    ]


# --------------------------------------------------------------------------- the schema


def test_schema_5_records_each_lines_enterprise(ledger_target: LedgerTarget) -> None:
    """Both backends reach schema 5 (and on) with 所在企业 on lines and outcomes, recorded by a commit."""
    with ledger_target.open() as ledger:
        commit(ledger, ROSTER)
        assert ledger.schema_version() == SCHEMA_VERSION >= 5
    assert "enterprise" in ledger_target.columns("lines")
    assert "enterprise" in ledger_target.columns("outcomes")
    assert "lines_enterprise" in ledger_target.indexes()
    # 吴杰 is paid (row 1); 邱明亮 refused, his employer not on the key list (row 17)
    assert ledger_target.sql("SELECT enterprise FROM lines WHERE name = '吴杰'") == [(MINJIANG,)]
    assert ledger_target.sql("SELECT enterprise FROM outcomes WHERE name = '邱明亮'") == [
        ("泉州市丰泽区永兴五金加工厂",)
    ]


def test_a_version_4_ledger_is_migrated_and_its_lines_have_no_enterprise(tmp_path: Path) -> None:
    """A schema-4 ledger gains the column in place; its older lines keep it empty and match nothing."""
    path = tmp_path / "v4.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
               "description TEXT NOT NULL, applied_at TEXT NOT NULL)")  # fmt: skip
    for migration in MIGRATIONS[:4]:
        for statement in migration.statements:
            db.execute(statement)
        db.execute("INSERT INTO schema_migrations VALUES (?, 'v', '2013-01-02T09:00:00+08:00')",
                   (migration.version,))  # fmt: skip
    db.execute("INSERT INTO runs (run_id, program, file_name, file_hash, created_at, params, "
               "line_count, total, state) VALUES ('R1', ?, 'a.xlsx', 'h', "
               "'2012-11-02T09:00:00+08:00', '{}', 1, '600.00', 'approved')", (FUJIAN,))  # fmt: skip
    db.execute("INSERT INTO lines (run_id, line_no, line_key, program, subject, name, occupation, "
               "level, tranche, target, start_year, amount, payee, sheet_row, active, pay_month) "
               "VALUES ('R1', 1, 'k1', ?, 's', '张三', '维修电工', '', NULL, '', 2012, '600.00', "
               "'某校', 4, 1, '2012-06')", (FUJIAN,))  # fmt: skip
    db.close()
    with SqliteLedger(path) as ledger:
        assert ledger.schema_version() == SCHEMA_VERSION  # 5 and every later one
        (line,) = list(ledger.lines())
        assert line.line.facts.enterprise == ""
        query = HistoryQuery(
            FUJIAN, ("enterprise", "occupation"), [(MINJIANG, "维修电工")], 2013,
            from_year=2012, approved_only=True,
        )  # fmt: skip
        assert ledger.history(query) == {}


# --------------------------------------------------------------------------- plan-no-repeat


def test_a_plan_row_trained_free_last_year_for_its_enterprise_is_held_for_review(
    ledger_target: LedgerTarget, tmp_path: Path
) -> None:
    """Last year's approved paid lines of a row's enterprise and occupation: a review naming count and run."""
    program = load_program(FUJIAN)
    plan = write_plan(
        tmp_path / "plan.xlsx",
        [plan_row(MINJIANG, "维修电工"), plan_row(MINJIANG, "焊工"),
         plan_row(RONGCHENG, "电子设备装接工")],
    )  # fmt: skip
    with ledger_target.open() as ledger:
        run_id = commit(ledger, roster_of_2012(tmp_path / "2012.xlsx"))
        report = validate_sheet(plan, program, kind="plan", params_file=PARAMS, ledger=ledger)
        found = [f for f in report.findings if f.rule == "plan-no-repeat"]
        # by hand, 2012: 闽江重工 维修电工 吴杰 王志强 许永强 (rows 1, 4, 5); 榕城电子
        # 电子设备装接工 曾琳 杨冬梅 许玲 李永强 吴秋菊 (rows 8-12); no one of 闽江重工 in 焊工
        assert [(f.row, f.column, f.severity) for f in found] == [
            (2, "职业(工种)", "review"),
            (4, "职业(工种)", "review"),
        ]
        assert f"{MINJIANG}已有3人参加过2012年维修电工的免费培训" in found[0].message
        assert run_id in found[0].message and "2012.xlsx" in found[0].message
        assert "不参加2013年同职业（工种）的培训" in found[0].message
        assert "已有5人参加过2012年电子设备装接工" in found[1].message
        assert found[0].citation.endswith(" 二")
        assert not report.has_errors
        ledger.void(run_id, "测试作废")
        again = validate_sheet(plan, program, kind="plan", params_file=PARAMS, ledger=ledger)
        assert not [f for f in again.findings if f.rule == "plan-no-repeat"]


def test_lines_of_the_plan_year_or_of_runs_not_approved_do_not_count(
    ledger_target: LedgerTarget, tmp_path: Path
) -> None:
    """Lines of the plan year itself and of a run not yet approved raise no plan-no-repeat finding."""
    program = load_program(FUJIAN)
    plan = write_plan(tmp_path / "plan.xlsx", [plan_row(MINJIANG, "维修电工")])
    with ledger_target.open() as ledger:
        commit(ledger, ROSTER)
        waiting = commit(
            ledger, roster_of_2012(tmp_path / "2012.xlsx"), approval=("经办", "复核", "审批")
        )
        assert {run.run_id: run.state for run in ledger.runs()}[waiting] == "proposed"
        report = validate_sheet(plan, program, kind="plan", params_file=PARAMS, ledger=ledger)
    assert not [f for f in report.findings if f.rule == "plan-no-repeat"]


def test_without_a_ledger_the_rule_says_it_was_not_checked(tmp_path: Path) -> None:
    """No ledger: plan-no-repeat is listed once among the skipped rules, saying why."""
    program = load_program(FUJIAN)
    plan = write_plan(tmp_path / "plan.xlsx", [plan_row(MINJIANG, "维修电工")])
    report = validate_sheet(plan, program, kind="plan", params_file=PARAMS)
    skipped = [(spec.id, reason) for spec, reason in report.skipped if spec.id == "plan-no-repeat"]
    assert len(skipped) == 1 and "未指定台账" in skipped[0][1]


def test_validate_kind_plan_with_a_ledger_on_the_command_line(
    ledger_target: LedgerTarget, tmp_path: Path
) -> None:
    """`validate --kind plan --ledger …` reports the review in JSON and exits 0 (no error)."""
    with ledger_target.open() as ledger:
        commit(ledger, roster_of_2012(tmp_path / "2012.xlsx"))
    plan = write_plan(tmp_path / "plan.xlsx", [plan_row(MINJIANG, "维修电工")])
    done = subprocess.run(
        [skillpolicy_script(), "validate", str(plan), "--program", FUJIAN, "--kind", "plan",
         "--ledger", ledger_target.spec, "--params", str(PARAMS), "--format", "json"],
        capture_output=True, text=True, encoding="utf-8", check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert [(f["row"], f["rule"], f["severity"]) for f in findings] == [
        (2, "plan-no-repeat", "review")
    ]


def test_plan_summary_reads_the_ledger_too(ledger_target: LedgerTarget, tmp_path: Path) -> None:
    """`plan summary --ledger …` runs the same check: the review is among its findings."""
    with ledger_target.open() as ledger:
        commit(ledger, roster_of_2012(tmp_path / "2012.xlsx"))
    plan = write_plan(tmp_path / "plan.xlsx", [plan_row(MINJIANG, "维修电工")])
    done = subprocess.run(
        [skillpolicy_script(), "plan", "summary", str(plan), "--program", FUJIAN,
         "--ledger", ledger_target.spec, "--params", str(PARAMS), "--format", "json"],
        capture_output=True, text=True, encoding="utf-8", check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert [(f["row"], f["rule"]) for f in findings] == [(2, "plan-no-repeat")]
    assert "已有3人" in findings[0]["message"]


# --------------------------------------------------------------------------- report monthly


def roster_with_a_row_without_city(path: Path) -> Path:
    """The example roster with 黄静's 所在地 (row 29, 漳州市, paid) left blank."""
    book = openpyxl.load_workbook(ROSTER)
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=4):
        if row[1].value == "黄静":
            row[6].value = None
    book.save(path)
    return path


TARGETS = {"福州市": 100, "泉州市": 50, "三明市": 20}


def city_table(path: Path) -> list[tuple[Any, ...]]:
    sheet = openpyxl.load_workbook(path)["设区市指标进度"]
    rows = [row for row in sheet.iter_rows(values_only=True) if any(v is not None for v in row)]
    header = next(i for i, row in enumerate(rows) if row[0] == "设区市")
    total = next(i for i, row in enumerate(rows) if row[0] == "合计")
    return rows[header : total + 1]


def test_city_table_counts_each_citys_trainees_against_its_target(
    ledger_target: LedgerTarget, tmp_path: Path
) -> None:
    """Per city: target, month, trained, paid, amount, share done (floored); no-target and no-city rows apart."""
    with ledger_target.open() as ledger:
        commit(ledger, roster_with_a_row_without_city(tmp_path / "roster.xlsx"))
        files = write_monthly_report(
            ledger,
            tmp_path / "out",
            "2013-10",
            targets=CityTargets(FUJIAN, TARGETS, "汇总.xlsx"),
        )
    # by hand (600.00 a paid line): 福州 rows 1-12, 12 trained, 张爱华 (identity) and 张永明's
    # second row (duplicate) refused, 10 paid; 泉州 rows 13-22, 10 trained, 邱明亮 (key list),
    # 许佳 叶静 (half-time over 6 months, ending 2013-10-01) and 林佳 (barred institution)
    # refused, 6 paid; 漳州 rows 23-28, 6 trained and paid; 厦门 row 30, refused (not-xiamen);
    # 黄静 without a city, paid. 完成率: 12/100, 10/50, 0/20; total (12 + 10 + 0) / 170 = 12.94%
    assert city_table(files.workbook) == [
        ("设区市", "指导性培训计划指标", "本月培训", "培训人数", "已发放人数", "发放金额（元）",
         "完成率"),
        ("福州市", 100, 0, 12, 10, 6000, 0.12),
        ("泉州市", 50, 2, 10, 6, 3600, 0.2),
        ("三明市", 20, 0, 0, 0, 0, 0),
        ("厦门市", "未下达", 0, 1, 0, 0, None),
        ("漳州市", "未下达", 0, 6, 6, 3600, None),
        ("（未填所在地）", "未下达", 0, 1, 1, 600, None),
        ("合计", 170, 2, 30, 23, 13800, 0.129),
    ]  # fmt: skip
    document = docx.Document(str(files.document))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "七、各设区市培训进度（对照指导性培训计划指标）" in text
    assert "2013年1月至本月" in text and "指标来源：汇总.xlsx" in text
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert ["合计", "170", "2", "30", "23", "13,800.00", "12.9%"] in cells
    assert ["厦门市", "未下达", "0", "1", "0", "0.00", "—"] in cells


def test_the_city_table_counts_the_plan_year_only(
    ledger_target: LedgerTarget, tmp_path: Path
) -> None:
    """The city table counts the plan year only; without targets the report has no city table."""
    with ledger_target.open() as ledger:
        commit(ledger, roster_of_2012(tmp_path / "2012.xlsx"))
        files = write_monthly_report(
            ledger, tmp_path / "out", "2013-10", targets=CityTargets(FUJIAN, {"福州市": 100})
        )
        plain = write_monthly_report(ledger, tmp_path / "plain", "2013-10")
    assert city_table(files.workbook)[1:] == [
        ("福州市", 100, 0, 0, 0, 0, 0),
        ("合计", 100, 0, 0, 0, 0, 0),
    ]
    assert "设区市指标进度" not in openpyxl.load_workbook(plain.workbook).sheetnames


def test_cli_reads_the_targets_from_the_filled_summary(
    ledger_target: LedgerTarget, tmp_path: Path
) -> None:
    """`report monthly --targets` reads the filled summary; a bad targets file is one line, exit 2, nothing written."""
    with ledger_target.open() as ledger:
        commit(ledger, ROSTER)
    program = load_program(FUJIAN)
    from skillpolicy.loading.programfiles import list_programs
    from skillpolicy.policy.params import load_params

    summary = summarise_plans(
        [PLANS], program, params=load_params(PARAMS, program, list_programs())
    )
    filled = tmp_path / "汇总.xlsx"
    write_summary_workbook(summary, filled)
    book = openpyxl.load_workbook(filled)
    sheet = book["按设区市"]
    for row in sheet.iter_rows(min_row=4):
        if row[1].value == "福州市":
            row[6].value = 100
    book.save(filled)

    def run(targets: Path, out: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [skillpolicy_script(), "report", "monthly", "--month", "2013-10", "--ledger",
             ledger_target.spec, "--targets", str(targets), "--out", str(out)],
            capture_output=True, text=True, encoding="utf-8", check=False, cwd=tmp_path,
        )  # fmt: skip

    done = run(filled, tmp_path / "out")
    assert done.returncode == 0, done.stderr
    table = city_table(tmp_path / "out" / "2013-10" / "月报-2013-10.xlsx")
    assert table[1] == ("福州市", 100, 0, 12, 10, 6000, 0.12)
    junk = tmp_path / "坏.xlsx"
    junk.write_text("not a workbook", encoding="utf-8")
    bad = run(junk, tmp_path / "bad")
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1 and "坏.xlsx" in bad.stderr
    assert "Traceback" not in bad.stderr and not (tmp_path / "bad").exists()
    sheet.cell(row=4, column=7).value = "一百"
    book.save(filled)
    wrong = run(filled, tmp_path / "wrong")
    assert wrong.returncode == 2
    line = wrong.stderr.strip()
    assert "汇总.xlsx" in line and "第4行" in line and "指导性培训计划指标" in line
    assert not (tmp_path / "wrong").exists()
