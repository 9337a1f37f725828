"""经办、复核、审批 and the audit log: states of a run, one person per step, the hash chain.

Tests taking ``ledger_target`` run on an SQLite file and on a PostgreSQL schema.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import LedgerTarget
from inprocess import run_main
from skillpolicy.domain.errors import InputError
from skillpolicy.ledger import LedgerLine, PaidEntry, RunInfo
from skillpolicy.ledger.workflow import SAME_PERSON_RULE

PROGRAM = "guangxi-2012-technician"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
FULL = ("经办", "复核", "审批")


def person_id(number: int) -> str:
    first17 = f"4501021981{number:07d}"
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def lines(count: int, start: int = 0) -> list[LedgerLine]:
    return [
        LedgerLine(
            key=f"{PROGRAM}|{person_id(n)}|技师",
            program=PROGRAM,
            subject=person_id(n),
            name=f"学员{n}",
            occupation="焊工",
            level="技师",
            year=2012,
            amount=Decimal("1900.00"),
            payee="南宁市高级技工学校",
            row=n + 3,
        )
        for n in range(start, start + count)
    ]


def run(
    run_id: str,
    *,
    office: str = "青秀区人社局",
    operator: str = "张经办",
    approval: tuple[str, ...] = FULL,
) -> RunInfo:
    return RunInfo(
        run_id=run_id,
        program=PROGRAM,
        file_name=f"{run_id}.xlsx",
        file_hash="ab" * 32,
        created_at="2024-03-01T09:30:00+08:00",
        office=office,
        operator=operator,
        approval=approval,
        sources={"program": "cd" * 32, "params": "ef" * 32},
    )


def state_of(book: Any, run_id: str) -> str:
    return str(next(r for r in book.runs() if r.run_id == run_id).state)


def test_a_run_is_proposed_reviewed_and_approved_by_three_people(
    ledger_target: LedgerTarget,
) -> None:
    """A commit is 待复核 and holds its lines; 复核 then 审批 by two others makes it 已审批."""
    with ledger_target.open() as book:
        book.commit(run("R1"), lines(2))
        assert state_of(book, "R1") == "proposed"
        held = book.paid([line.key for line in lines(2)])
        assert {entry.state for entry in held.values()} == {"proposed"}
        assert book.take_step("R1", "复核", "李复核") == "reviewed"
        assert book.take_step("R1", "审批", "王审批") == "approved"
        steps = [(s.step, s.actor) for s in book.steps("R1")]
        assert steps == [("经办", "张经办"), ("复核", "李复核"), ("审批", "王审批")]
        actions = [(e.action, e.actor) for e in book.audit_log() if e.run_id == "R1"]
        assert actions == [("propose", "张经办"), ("review", "李复核"), ("approve", "王审批")]


def test_the_same_person_cannot_take_two_steps_of_one_run(ledger_target: LedgerTarget) -> None:
    """The proposer cannot review, the reviewer cannot approve or reject: refused, nothing
    recorded; the ledger's own index refuses a second step by one person written around it."""
    with ledger_target.open() as book:
        book.commit(run("R1"), lines(1))
        with pytest.raises(InputError, match=SAME_PERSON_RULE):
            book.take_step("R1", "复核", "张经办")
        book.take_step("R1", "复核", "李复核")
        with pytest.raises(InputError, match="李复核 已是运行 R1 的复核人"):
            book.take_step("R1", "审批", "李复核")
        with pytest.raises(InputError, match=SAME_PERSON_RULE):
            book.take_step("R1", "驳回", "李复核", note="金额有误")
        assert state_of(book, "R1") == "reviewed"
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        ledger_target.sql(
            "INSERT INTO run_steps (run_id, step_no, step, actor, office, created_at, note, "
            "detail) VALUES ('R1', 9, '审批', '张经办', '', '', '', '{}')"
        )


def test_steps_follow_the_chain_in_order(ledger_target: LedgerTarget) -> None:
    """审批 before 复核 is refused; a decided run takes no more steps; a two-step office's
    复核 approves; a one-step office's run is approved when committed."""
    with ledger_target.open() as book:
        book.commit(run("R1"), lines(1))
        with pytest.raises(InputError, match="须先复核"):
            book.take_step("R1", "审批", "王审批")
        book.commit(run("R2", approval=("经办", "复核")), lines(1, start=1))
        assert book.take_step("R2", "复核", "李复核") == "approved"
        with pytest.raises(InputError, match="已审批"):
            book.take_step("R2", "审批", "王审批")
        book.commit(run("R3", approval=("经办",)), lines(1, start=2))
        record = next(r for r in book.runs() if r.run_id == "R3")
        assert (record.state, record.approval) == ("approved", "经办")


def test_a_rejected_run_can_be_proposed_again_and_an_approved_one_cannot(
    ledger_target: LedgerTarget,
) -> None:
    """驳回 releases the run's entitlements to a new proposal; an approved run keeps them."""
    with ledger_target.open() as book:
        book.commit(run("R1"), lines(2))
        assert book.take_step("R1", "驳回", "王审批", note="花名册有误") == "rejected"
        assert book.paid([line.key for line in lines(2)]) == {}
        assert book.commit(run("R2"), lines(2)) == {}
        book.take_step("R2", "复核", "李复核")
        book.take_step("R2", "审批", "王审批")
        conflicts = book.commit(run("R3", operator="赵经办"), lines(2))
        assert {entry.run_id for entry in conflicts.values()} == {"R2"}
        assert {entry.state for entry in conflicts.values()} == {"approved"}


def test_two_offices_proposing_one_person_at_once_hold_it_once(
    ledger_target: LedgerTarget,
) -> None:
    """Two offices commit the same trainee at the same moment: exactly one proposal holds the
    entitlement, the other is told it is held by a run 待复核."""
    results: dict[str, dict[str, PaidEntry]] = {}
    barrier = threading.Barrier(2)

    def propose(run_id: str, office: str) -> None:
        with ledger_target.open() as book:
            barrier.wait()
            results[run_id] = book.commit(run(run_id, office=office), lines(3))

    threads = [
        threading.Thread(target=propose, args=("RA", "青秀区人社局")),
        threading.Thread(target=propose, args=("RB", "兴宁区人社局")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    losers = [run_id for run_id, conflicts in results.items() if conflicts]
    assert len(losers) == 1
    winner = ({"RA", "RB"} - set(losers)).pop()
    assert {e.run_id for e in results[losers[0]].values()} == {winner}
    assert {e.state_name for e in results[losers[0]].values()} == {"待复核"}
    with ledger_target.open() as book:
        held = [stored.run_id for stored in book.lines() if stored.active]
    assert held == [winner] * 3


def test_only_approved_runs_count_as_paid_in_the_monthly_figures(
    ledger_target: LedgerTarget,
) -> None:
    """A proposed or reviewed run's lines are not paid in the report until 审批."""

    def paid_count(book: Any) -> int:
        return sum(f.count for f in book.month_figures("2099-12") if f.status == "paid")

    with ledger_target.open() as book:
        book.commit(run("R1"), lines(2))
        assert paid_count(book) == 0
        book.take_step("R1", "复核", "李复核")
        assert paid_count(book) == 0
        book.take_step("R1", "审批", "王审批")
        assert paid_count(book) == 2


def test_an_already_paid_refusal_names_the_state_of_the_holding_run() -> None:
    """A later run's already-paid finding says whether the holder is 待复核, 已复核 or 已审批."""
    from skillpolicy.check.alreadypaid import already_paid_finding
    from skillpolicy.loading.programfiles import load_program

    program = load_program(PROGRAM)
    for state, name in (("proposed", "待复核"), ("reviewed", "已复核"), ("approved", "已审批")):
        entry = PaidEntry("k", "R1", "2024-03-01T09:30:00+08:00", Decimal("1900.00"), "a.xlsx",
                          "", state)  # fmt: skip
        found = already_paid_finding(program, program.subsidies[0], entry, 4, None)
        assert name in found.message


# --- the audit log ----------------------------------------------------------------------------


def test_verify_passes_on_a_clean_log_with_every_action(ledger_target: LedgerTarget) -> None:
    """Schema migration, propose, review, approve, reject and void are all logged, chained,
    and the chain verifies; each proposal carries the input, program and params sha256."""
    with ledger_target.open() as book:
        book.commit(run("R1"), lines(1))
        book.take_step("R1", "复核", "李复核")
        book.take_step("R1", "审批", "王审批")
        book.commit(run("R2"), lines(1, start=1))
        book.take_step("R2", "驳回", "王审批", note="重复上报")
        book.commit(run("R3"), lines(1, start=2))
        book.void("R3", "花名册有误", "张经办")
        entries = book.audit_log()
        result = book.verify()
    actions = [e.action for e in entries]
    assert actions[0] == "schema"
    assert actions[1:] == [
        "propose", "review", "approve", "propose", "reject", "propose", "void",
    ]  # fmt: skip
    proposal = entries[1].detail
    assert proposal["input_sha256"] == "ab" * 32
    assert proposal["program_sha256"] == "cd" * 32
    assert proposal["params_sha256"] == "ef" * 32
    assert (proposal["lines"], proposal["total"]) == (1, "1900.00")
    assert all(e.prev_hash == p.hash for p, e in itertools.pairwise(entries))
    assert result.bad is None and result.count == 8 and result.head == entries[-1].hash


def _logged(tmp_path: Path) -> Path:
    from skillpolicy.ledger.sqlite import SqliteLedger

    path = tmp_path / "ledger.sqlite3"
    with SqliteLedger(path) as book:
        for n in range(3):
            book.commit(run(f"R{n}"), lines(1, start=n))
        book.take_step("R0", "复核", "李复核")
    return path


def _edit(path: Path, statement: str) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute(statement)
    finally:
        db.close()


@pytest.mark.parametrize(
    ("statement", "bad", "words"),
    [
        ("UPDATE audit_log SET actor = '冒名' WHERE seq = 3", 3, "该条被改动"),
        ("UPDATE audit_log SET detail = replace(detail, '1900.00', '19000.00') WHERE seq = 2",
         2, "该条被改动"),
        ("DELETE FROM audit_log WHERE seq = 2", 2, "缺失"),
        ("DELETE FROM audit_log WHERE seq = 5", 5, "截短"),
    ],
)  # fmt: skip
def test_verify_names_the_first_bad_entry_after_an_edit_a_delete_or_a_cut(
    tmp_path: Path, statement: str, bad: int, words: str
) -> None:
    """Editing an entry, deleting one, or cutting the log short in the SQLite file is found,
    and the first entry affected is named."""
    from skillpolicy.ledger.sqlite import SqliteLedger

    path = _logged(tmp_path)
    with SqliteLedger(path) as book:
        assert book.verify().bad is None
    _edit(path, statement)
    with SqliteLedger(path) as book:
        result = book.verify()
    assert result.bad == bad
    assert words in result.problem


def test_cli_verify_exits_1_naming_the_entry_and_0_when_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ledger verify` prints the head on a clean log (exit 0), the bad entry after an edit
    (exit 1)."""
    path = _logged(tmp_path)
    clean = run_main("ledger", "verify", "--ledger", path, cwd=tmp_path, capsys=capsys,
                     monkeypatch=monkeypatch)  # fmt: skip
    assert clean.code == 0 and "操作日志完好：共 5 条" in clean.out
    _edit(path, "UPDATE audit_log SET office = '别处' WHERE seq = 4")
    bad = run_main("ledger", "verify", "--ledger", path, cwd=tmp_path, capsys=capsys,
                   monkeypatch=monkeypatch)  # fmt: skip
    assert bad.code == 1
    assert "第 4 条日志的内容与其哈希不符" in bad.out


def test_cli_log_prints_the_entries_masked_and_filtered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ledger log --run R --format json` lists that run's entries; identity numbers never
    appear in full."""
    from skillpolicy.ledger.sqlite import SqliteLedger

    path = _logged(tmp_path)
    with SqliteLedger(path) as book:  # an identity number typed into a reason
        book.take_step("R0", "驳回", "王审批", note=f"与 {person_id(7)} 重复")
    out = run_main("ledger", "log", "--ledger", path, "--run", "R0", "--format", "json",
                   cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)  # fmt: skip
    assert out.code == 0
    entries = json.loads(out.out)["entries"]
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("propose", "张经办"), ("review", "李复核"), ("reject", "王审批"),
    ]  # fmt: skip
    assert person_id(7) not in out.out and person_id(7)[:4] in entries[-1]["detail"]["reason"]
    table = run_main("ledger", "log", "--ledger", path, cwd=tmp_path, capsys=capsys,
                     monkeypatch=monkeypatch)  # fmt: skip
    assert table.code == 0 and "王审批" in table.out and person_id(7) not in table.out
    since = run_main("ledger", "log", "--ledger", path, "--since", "2999-01-01",
                     cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)  # fmt: skip
    assert since.code == 0 and "张经办" not in since.out


def test_the_log_table_names_each_detail_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ledger log` shows an entry's detail with Chinese labels and state names (笔数, 状态=已复核),
    never the stored English keys."""
    from skillpolicy.cli.ledger_workflow import _detail_text

    assert _detail_text({"lines": 12, "state": "reviewed", "approval": ["经办", "复核"]}) == (
        "审批环节=经办、复核；笔数=12；状态=已复核"
    )
    table = run_main("ledger", "log", "--ledger", _logged(tmp_path), cwd=tmp_path,
                     capsys=capsys, monkeypatch=monkeypatch)  # fmt: skip
    assert table.code == 0
    for stored in ("state=", "lines=", "total=", "reviewed"):
        assert stored not in table.out


def test_cli_review_approve_and_the_same_person_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI moves a run 待复核 → 已复核 → 已审批; the same person twice is exit 2 with one line
    naming the rule; `ledger list` shows the state and `ledger show` the steps."""
    path = _logged(tmp_path)

    def cli(*args: str | Path) -> Any:
        return run_main(*args, "--ledger", path, cwd=tmp_path, capsys=capsys,
                        monkeypatch=monkeypatch)  # fmt: skip

    same = cli("ledger", "approve", "R0", "--by", "李复核")
    assert same.code == 2
    assert len(same.err_lines) == 1 and SAME_PERSON_RULE in same.err
    assert "Traceback" not in same.err
    assert cli("ledger", "approve", "R0", "--by", "王审批").code == 0
    rejected = cli("ledger", "reject", "R1", "--by", "王审批", "--reason", "金额有误")
    assert rejected.code == 0 and "已驳回" in rejected.out
    listed = cli("ledger", "list")
    assert "已审批" in listed.out and "已驳回" in listed.out and "待复核" in listed.out
    shown = cli("ledger", "show", "R0")
    assert shown.code == 0
    for word in ("张经办", "李复核", "王审批", "状态：已审批"):
        assert word in shown.out


def test_jincheng_review_stages_are_recorded_as_steps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """资格初审 (with its county office), 专家评审 (with the scores sheet's sha256) and 公示
    (with its dates) become steps of the run that `ledger show` tells in order."""
    import hashlib

    path = _logged(tmp_path)
    scores = tmp_path / "评分表.xlsx"
    scores.write_bytes(b"scores")

    def cli(*args: str | Path) -> Any:
        return run_main(*args, "--ledger", path, cwd=tmp_path, capsys=capsys,
                        monkeypatch=monkeypatch)  # fmt: skip

    assert cli("ledger", "step", "R2", "--stage", "资格初审", "--by", "陈").code == 2
    assert cli("ledger", "step", "R2", "--stage", "资格初审", "--by", "陈",
               "--office", "泽州县人社局").code == 0  # fmt: skip
    assert cli("ledger", "step", "R2", "--stage", "专家评审", "--by", "专家组",
               "--scores", scores).code == 0  # fmt: skip
    assert cli("ledger", "step", "R2", "--stage", "公示", "--by", "陈",
               "--from", "2026-09-01", "--to", "2026-09-07").code == 0  # fmt: skip
    assert cli("ledger", "step", "R2", "--stage", "评优", "--by", "陈").code == 2
    shown = cli("ledger", "show", "R2")
    assert shown.code == 0
    digest = hashlib.sha256(b"scores").hexdigest()
    for word in ("资格初审", "泽州县人社局", "专家评审", digest, "公示 2026-09-01 至 2026-09-07"):
        assert word in shown.out


def test_runs_made_before_the_workflow_migrate_as_approved(tmp_path: Path) -> None:
    """A version-3 ledger's runs become 已审批 on opening, and the migration is logged."""
    from skillpolicy.ledger import sqlite as module

    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute(module.CREATE_MIGRATIONS_TABLE)
    for migration in module.MIGRATIONS[:3]:
        for statement in migration.statements:
            db.execute(statement)
        db.execute(module.INSERT_MIGRATION, (migration.version, migration.description, "x"))
    db.execute(
        module.INSERT_RUN,
        ("OLD", PROGRAM, "a.xlsx", "ab" * 32, "2023-01-01T00:00:00+08:00", "{}", 0, "0.00",
         "", ""),
    )  # fmt: skip
    db.close()
    with module.SqliteLedger(path) as book:
        assert state_of(book, "OLD") == "approved"
        log = book.audit_log()
        assert [(e.action, e.detail) for e in log] == [
            ("schema", {"from": 3, "to": module.SCHEMA_VERSION})
        ]
        assert book.verify().bad is None


def test_an_office_working_alone_sets_approval_in_its_parameters(
    tmp_path: Path,
    guangxi_roster: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`approval = ["经办"]` in skillpolicy.toml: a commit is approved at once and records the
    chain; a chain that is not allowed is exit 2 naming the key."""
    from skillpolicy.ledger.sqlite import SqliteLedger

    roster = guangxi_roster()
    ledger = tmp_path / "ledger.sqlite3"
    (tmp_path / "skillpolicy.toml").write_text('approval = ["经办"]\n', encoding="utf-8")
    done = run_main("subsidy", roster, "-p", PROGRAM, "--ledger", ledger, "--commit", "--institution", "南宁市高级技工学校",
                    cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)  # fmt: skip
    assert done.code in (0, 1), done.err
    with SqliteLedger(ledger) as book:
        [record] = book.runs()
        assert (record.state, record.approval) == ("approved", "经办")
        [proposal] = [e for e in book.audit_log() if e.action == "propose"]
    assert len(proposal.detail["program_sha256"]) == 64
    assert len(proposal.detail["params_sha256"]) == 64
    (tmp_path / "skillpolicy.toml").write_text('approval = ["审批"]\n', encoding="utf-8")
    bad = run_main("subsidy", roster, "-p", PROGRAM, "--ledger", ledger, "--commit", "--institution", "南宁市高级技工学校",
                   cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)  # fmt: skip
    assert bad.code == 2 and "approval" in bad.err and len(bad.err_lines) == 1


def _sheet_text(path: Path) -> str:
    from openpyxl import load_workbook

    book = load_workbook(path)
    return "\n".join(
        str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
        if cell.value is not None
    )  # fmt: skip


def _docx_text(path: Path) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(str(path)).paragraphs)


def test_every_paper_names_the_signers_recorded_on_the_run(
    tmp_path: Path,
    guangxi_roster: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The payout schedule of a proposal prints its 经办人 with the date and blank lines for
    复核人 and 审批人; after 复核 and 审批 the reprinted schedule and the payout notice print all
    three names; a notice of a run not yet approved is refused (exit 2)."""
    ledger = tmp_path / "ledger.sqlite3"

    def cli(*args: str | Path) -> Any:
        return run_main(*args, cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)

    done = cli("subsidy", guangxi_roster(), "-p", PROGRAM, "--ledger", ledger, "--commit",
               "--institution", "南宁市高级技工学校", "--operator", "张经办",
               "--out", tmp_path / "发放花名册.xlsx")  # fmt: skip
    assert done.code in (0, 1), done.err
    from skillpolicy.ledger.sqlite import SqliteLedger

    with SqliteLedger(ledger) as book:
        [record] = book.runs()
        day = record.created_at[:10]
    first = _sheet_text(tmp_path / "发放花名册.xlsx")
    assert f"经办人：张经办（{day}）" in first
    assert "复核人：\u3000" in first and "审批人：\u3000" in first
    early = cli("render", "payout-notice", "--run", record.run_id, "--ledger", ledger,
                "--out", tmp_path / "早")  # fmt: skip
    assert early.code == 2 and "待复核" in early.err
    assert cli("ledger", "review", record.run_id, "--by", "李复核", "--ledger", ledger).code == 0
    assert cli("ledger", "approve", record.run_id, "--by", "王审批", "--ledger", ledger).code == 0
    reprinted = cli("ledger", "reprint", record.run_id, "--ledger", ledger,
                    "--out", tmp_path / "重印.xlsx")  # fmt: skip
    assert reprinted.code == 0, reprinted.err
    notices = cli("render", "payout-notice", "--run", record.run_id, "--ledger", ledger,
                  "--out", tmp_path / "通知")  # fmt: skip
    assert notices.code == 0, notices.err
    papers = [_sheet_text(tmp_path / "重印.xlsx")] + [
        _docx_text(path) for path in sorted((tmp_path / "通知").glob("*.docx"))
    ]
    assert len(papers) >= 2
    for text in papers:
        for who in ("经办人：张经办", "复核人：李复核", "审批人：王审批"):
            assert f"{who}（{day}）" in text


# --- the bank's return file -----------------------------------------------------------------


def _bank_file(path: Path, rows: list[list[Any]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["XX银行代发结果"])
    sheet.append(["户名", "身份证号", "交易金额（元）", "处理结果", "失败原因"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_reconciling_a_bank_return_marks_arrived_and_returned_lines(
    ledger_target: LedgerTarget, tmp_path: Path
) -> None:
    """Matched 成功 lines are 已到账, 失败 ones 退回 with the reason and their entitlement is free
    for a new proposal; unknown and duplicated bank lines are reported; the report counts the
    returned lines apart; a run not approved cannot be reconciled."""
    from skillpolicy.ledger.reconcile import read_bank_file

    paid = lines(3)
    bank = read_bank_file(_bank_file(tmp_path / "回单.xlsx", [
        ["学员0", person_id(0), "1900.00", "成功", ""],
        ["学员1", person_id(1), 1900, "失败", "账户已销户"],
        ["陌生人", person_id(99), "1900.00", "成功", ""],
        ["学员0", person_id(0), "1900.00", "成功", ""],
    ]))  # fmt: skip
    with ledger_target.open() as book:
        book.commit(run("R1"), paid)
        with pytest.raises(InputError, match="审批后"):
            book.reconcile("R1", bank, "赵出纳")
        book.take_step("R1", "复核", "李复核")
        book.take_step("R1", "审批", "王审批")
        result = book.reconcile("R1", bank, "赵出纳")
        assert [(b.row, outcome) for b, _, outcome in result.matched] == [
            (3, "已到账"),
            (4, "退回"),
        ]
        assert [b.row for b in result.unknown] == [5]
        assert [b.row for b in result.duplicated] == [6]
        assert book.paid([line.key for line in paid]).keys() == {paid[0].key, paid[2].key}
        [returned] = [f for f in book.month_figures("2099-12") if f.status == "returned"]
        assert (returned.count, returned.amount) == (1, Decimal("1900.00"))
        from skillpolicy.loading.programfiles import list_programs
        from skillpolicy.report.model import build_report

        report = build_report(book, "2024-03", {p.id: p for p in list_programs()}, "now")
        total = report.cumulative_total
        assert (total.paid_count, total.returned_count) == (3, 1)
        assert total.returned_amount == Decimal("1900.00")
        again = book.reconcile("R1", bank, "赵出纳")
        assert again.matched == [] and len(again.already) == 2
        assert book.commit(run("R2", operator="钱经办"), [paid[1]]) == {}  # proposed again
        [entry] = [e for e in book.audit_log() if e.action == "reconcile"][:1]
        assert (entry.detail["returned"], entry.detail["unknown"]) == (1, 1)
        assert book.verify().bad is None
    rows = ledger_target.sql("SELECT line_no, result, reason FROM bank_results ORDER BY line_no")
    assert rows == [(1, "已到账", ""), (2, "退回", "账户已销户")]


def test_cli_reconcile_lists_unknown_and_duplicated_lines_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ledger reconcile RUN --bank FILE` prints each bank line's result and exits 1 while
    some bank lines match nothing or repeat one; a bad result cell is exit 2 naming it."""
    from skillpolicy.ledger.sqlite import SqliteLedger

    path = tmp_path / "ledger.sqlite3"
    with SqliteLedger(path) as book:
        book.commit(run("R1", approval=("经办",)), lines(2))
    bank = _bank_file(tmp_path / "回单.xlsx", [
        ["学员0", person_id(0), "1900.00", "成功", ""],
        ["学员1", person_id(1), "1900.00", "失败", "户名不符"],
        ["学员1", person_id(1), "1900.00", "失败", "户名不符"],
    ])  # fmt: skip
    out = run_main("ledger", "reconcile", "R1", "--bank", bank, "--ledger", path, "--by", "赵出纳",
                   cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)  # fmt: skip
    assert out.code == 1
    assert "已到账 1 笔，退回 1 笔" in out.out and "重复 1 行" in out.out
    assert person_id(0) not in out.out  # identity numbers masked
    broken = _bank_file(tmp_path / "坏.xlsx", [["学员0", person_id(0), "1900.00", "待定", ""]])
    bad = run_main("ledger", "reconcile", "R1", "--bank", broken, "--ledger", path,
                   cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)  # fmt: skip
    assert bad.code == 2 and len(bad.err_lines) == 1
    assert "坏.xlsx，工作表「Sheet」，第3行，「处理结果」列" in bad.err and "待定" in bad.err
