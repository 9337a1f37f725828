"""`skillpolicy ledger review | approve | reject | step | show | log | verify`: 经办、复核、审批
and the audit log. Each command parses, calls the ledger and prints."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from ..domain.errors import InputError
from ..domain.money import format_amount_grouped
from ..domain.privacy import redact
from ..ledger import OUTCOME_NAMES, Ledger, RunRecord, StoredOutcome
from ..ledger.workflow import (
    ACTION_NAMES,
    APPROVE,
    REJECT,
    REVIEW,
    STAGES,
    STATE_NAMES,
    AuditEntry,
)
from .common import LedgerOption, Table, examples, note, print_json, stdout
from .ledger_group import group

RunArg = Annotated[str, typer.Argument(help="运行编号（见 skillpolicy ledger list）")]
ByOption = Annotated[str, typer.Option("--by", help="办理人姓名（记入台账和日志）")]
OfficeOpt = Annotated[str, typer.Option("--office", help="办理机构，如 泽州县人社局")]


def _open(spec: str | None) -> Ledger:
    from ..ledger.open import open_ledger

    return open_ledger(spec, create=False)


def _record(book: Ledger, run_id: str) -> RunRecord:
    found = next((run for run in book.runs() if run.run_id == run_id), None)
    if found is None:
        raise InputError(f"台账中没有运行 {run_id}", file=book.location)
    return found


def _step(
    spec: str | None, run_id: str, step: str, by: str, *, office: str = "", note_text: str = ""
) -> RunRecord:
    book = _open(spec)
    try:
        book.take_step(run_id, step, by, office=office, note=note_text)
        return _record(book, run_id)
    finally:
        book.close()


def _done(record: RunRecord, what: str) -> None:
    stdout.print(
        f"运行 {record.run_id} 已{what}：现为{record.state_name}；"
        f"{record.line_count} 笔，合计 {format_amount_grouped(record.total)} 元"
    )


@group.command(
    "review", epilog=examples("skillpolicy ledger review 20260907093000-1a2b3c --by 李复核")
)
def review_command(run_id: RunArg, by: ByOption, ledger: LedgerOption = None) -> None:
    """复核一次待复核的运行（复核人不得是经办人）。"""
    _done(_step(ledger, run_id, REVIEW, by), "复核")


@group.command(
    "approve", epilog=examples("skillpolicy ledger approve 20260907093000-1a2b3c --by 王局长")
)
def approve_command(run_id: RunArg, by: ByOption, ledger: LedgerOption = None) -> None:
    """审批一次已复核的运行：审批后才算已发放（审批人不得是经办人或复核人）。"""
    _done(_step(ledger, run_id, APPROVE, by), "审批")


@group.command(
    "reject",
    epilog=examples(
        "skillpolicy ledger reject 20260907093000-1a2b3c --by 王局长 --reason 金额有误"
    ),
)
def reject_command(
    run_id: RunArg,
    by: ByOption,
    reason: Annotated[str, typer.Option("--reason", help="驳回原因（记入台账）")],
    ledger: LedgerOption = None,
) -> None:
    """驳回一次尚未审批的运行：其各笔不再占用，可重新经办。"""
    _done(_step(ledger, run_id, REJECT, by, note_text=reason), "驳回")


@group.command(
    "step",
    epilog=examples(
        "skillpolicy ledger step 20260907093000-1a2b3c --stage 资格初审 --by 张三 --office 泽州县人社局",
        "skillpolicy ledger step 20260907093000-1a2b3c --stage 公示 --by 李四 --from 2026-09-01 --to 2026-09-07",
    ),
)
def step_command(
    run_id: RunArg,
    stage: Annotated[str, typer.Option("--stage", help="环节：" + "、".join(STAGES))],
    by: ByOption,
    office: OfficeOpt = "",
    scores: Annotated[
        Path | None, typer.Option("--scores", help="专家评审的评分表（记下其 sha256）")
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="公示开始日期")] = None,
    end: Annotated[str | None, typer.Option("--to", help="公示结束日期")] = None,
    remark: Annotated[str, typer.Option("--note", help="说明")] = "",
    ledger: LedgerOption = None,
) -> None:
    """记录认定运行的评审环节（资格初审、资格复核、专家评审、征求意见、公示、授牌）。"""
    stage = stage.strip()
    detail: dict[str, Any] = {}
    if stage == "资格初审" and not office.strip():
        raise InputError("资格初审须写明初审的县（市、区）人社局（--office）")
    if stage == "专家评审":
        if scores is None:
            raise InputError("专家评审须给出评分表（--scores 评分表.xlsx）")
        if not scores.is_file():
            raise InputError("评分表不存在", file=scores)
        detail["scores_file"] = scores.name
        detail["scores_sha256"] = hashlib.sha256(scores.read_bytes()).hexdigest()
    if stage == "公示":
        if start is None or end is None:
            raise InputError("公示须写明起止日期（--from 和 --to）")
        try:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError:
            raise InputError(f"公示日期应写成 2026-09-01 这样：{start} 至 {end}") from None
        if last < first:
            raise InputError(f"公示结束日期 {end} 早于开始日期 {start}")
        detail["from"], detail["to"] = first.isoformat(), last.isoformat()
    book = _open(ledger)
    try:
        book.take_step(run_id, stage, by, office=office.strip(), note=remark, detail=detail)
    finally:
        book.close()
    stdout.print(f"运行 {run_id} 已记录环节「{stage}」（{by.strip()}）")


def _step_text(detail: dict[str, Any]) -> str:
    parts = []
    if "scores_sha256" in detail:
        parts.append(f"评分表 {detail.get('scores_file', '')} sha256 {detail['scores_sha256']}")
    if "from" in detail:
        parts.append(f"公示 {detail['from']} 至 {detail['to']}")
    return "；".join(parts)


@group.command("show", epilog=examples("skillpolicy ledger show 20260907093000-1a2b3c"))
def show_command(run_id: RunArg, ledger: LedgerOption = None) -> None:
    """一次运行的全部经过：经办、复核、审批或驳回，评审各环节，未发放各行及其理由，作废，以及操作日志。"""
    book = _open(ledger)
    try:
        record = _record(book, run_id)
        steps = book.steps(run_id)
        unpaid = book.outcomes(run_id)
        entries = [entry for entry in book.audit_log() if entry.run_id == run_id]
    finally:
        book.close()
    stdout.print(
        f"运行 {record.run_id}：{record.program}，文件 {record.file_name}，"
        f"{record.office or '未写明经办机构'}；{record.line_count} 笔，"
        f"合计 {format_amount_grouped(record.total)} 元；状态：{record.state_name}"
    )
    if record.approval:
        stdout.print(f"审批环节：{record.approval.replace(',', '、')}")
    # the steps as lines, never folded: a scores sheet's sha256 is copied from here whole
    stdout.print("各环节：" if steps else "各环节：（无）")
    for step in steps:
        where = f"（{step.office}）" if step.office else ""
        said = "；".join(t for t in (step.note, _step_text(step.detail)) if t)
        stdout.print(
            f"  {step.step_no}. {step.step} {step.actor}{where} {step.created_at}"
            + (f"：{said}" if said else ""),
            soft_wrap=True,
        )
    _print_outcomes(unpaid)
    _print_log(entries, "操作日志")


def _print_outcomes(unpaid: list[StoredOutcome]) -> None:
    """The run's pending and refused lines, each with every reason's message and clause (as
    lines, never folded: a clerk copies a message from here)."""
    stdout.print("未发放各行：" if unpaid else "未发放各行：（无）")
    for outcome in unpaid:
        line = outcome.line
        where = f"原表第{line.row}行 " if line.row is not None else ""
        tranche = f" 第{line.tranche}笔" if line.tranche else ""
        why = "；".join(reason.reason_text() for reason in outcome.reasons) or "（未记理由）"
        later = "" if outcome.current else "（已由此后的运行取代）"
        stdout.print(
            f"  {where}{line.name} {redact(line.subject)}{tranche}："
            f"{OUTCOME_NAMES.get(outcome.status, outcome.status)}{later}；{why}",
            soft_wrap=True,
        )


def _entry_json(entry: AuditEntry) -> dict[str, Any]:
    return asdict(entry)


# What the clerk reads for each key of an entry's detail (the stored keys stay as they are:
# the hash chain is over them)
DETAIL_LABELS = {
    "program": "项目", "file_name": "文件", "input_sha256": "报表sha256",
    "program_sha256": "项目文件sha256", "params_sha256": "参数文件sha256", "lines": "笔数",
    "total": "合计", "approval": "审批环节", "state": "状态", "step": "环节",
    "reason": "理由", "void_id": "作废编号", "from": "自", "to": "至",
    "bank_file": "银行回单", "bank_sha256": "回单sha256", "arrived": "已到账",
    "returned": "退回", "returned_total": "退回金额", "unknown": "无法对应",
    "duplicated": "重复", "source_sha256": "来源台账sha256", "runs": "运行数",
    "conflicts": "冲突", "stage": "评审环节", "scores_file": "评分表",
    "scores_sha256": "评分表sha256",
}  # fmt: skip


def _detail_text(detail: dict[str, Any]) -> str:
    """An entry's detail as the clerk reads it: Chinese labels, states by their names."""
    shown = []
    for key, value in sorted(detail.items()):
        if key == "state":
            value = STATE_NAMES.get(str(value), value)
        elif isinstance(value, list):
            value = "、".join(map(str, value))
        shown.append(f"{DETAIL_LABELS.get(key, key)}={value}")
    return "；".join(shown)


def _print_log(entries: list[AuditEntry], title: str) -> None:
    table = Table(title=title)
    for header in ("序号", "时间", "操作", "运行编号", "办理人", "机构", "主机", "内容", "哈希"):
        table.add_column(header, overflow="fold")
    for entry in entries:
        detail = _detail_text(entry.detail)
        table.add_row(
            str(entry.seq),
            entry.created_at,
            ACTION_NAMES.get(entry.action, entry.action),
            entry.run_id,
            entry.actor,
            entry.office,
            entry.host,
            detail,
            entry.hash[:16],
        )
    stdout.print(table)


@group.command(
    "log",
    epilog=examples(
        "skillpolicy ledger log --since 2026-09-01",
        "skillpolicy ledger log --run 20260907093000-1a2b3c --format json",
    ),
)
def log_command(
    ledger: LedgerOption = None,
    run: Annotated[str | None, typer.Option("--run", help="只列出这一次运行的日志")] = None,
    since: Annotated[str | None, typer.Option("--since", help="只列出此日期起的日志")] = None,
    output_format: Annotated[str, typer.Option("--format", help="table 或 json")] = "table",
) -> None:
    """列出台账的操作日志（谁、何时、何机构、何主机、文件的 sha256、笔数与金额；证件号打码）。"""
    if output_format not in ("table", "json"):
        raise InputError(f"--format 应为 table 或 json，而不是「{output_format}」")
    if since is not None:
        try:
            since = date.fromisoformat(since).isoformat()
        except ValueError:
            raise InputError(f"--since 应写成 2026-09-01 这样的日期，而不是「{since}」") from None
    book = _open(ledger)
    try:
        entries = book.audit_log()
    finally:
        book.close()
    if run is not None:
        entries = [entry for entry in entries if entry.run_id == run]
    if since is not None:
        entries = [entry for entry in entries if entry.created_at[:10] >= since]
    if output_format == "json":
        print_json({"entries": [_entry_json(entry) for entry in entries]})
        return
    _print_log(entries, "操作日志")


@group.command("verify", epilog=examples("skillpolicy ledger verify"))
def verify_command(ledger: LedgerOption = None) -> None:
    """核验操作日志的哈希链：未被改动、删除或截短时退出码为 0，否则指出第一条有问题的日志（退出码 1）。"""
    book = _open(ledger)
    try:
        result = book.verify()
        entries = {entry.seq: entry for entry in book.audit_log()} if result.bad else {}
    finally:
        book.close()
    if result.bad is None:
        stdout.print(f"操作日志完好：共 {result.count} 条，末条哈希 {result.head}")
        return
    stdout.print(f"操作日志未通过核验：{result.problem}")
    entry = entries.get(result.bad)
    if entry is not None:
        stdout.print(
            f"第 {entry.seq} 条：{entry.created_at} {ACTION_NAMES.get(entry.action, entry.action)} "
            f"运行 {entry.run_id or '—'} 办理人 {entry.actor}"
        )
    note("请联系管理员，从备份核对台账")
    raise typer.Exit(1)


__all__ = ["STATE_NAMES"]


@group.command(
    "reconcile",
    epilog=examples("skillpolicy ledger reconcile 20260907093000-1a2b3c --bank 银行回单.xlsx"),
)
def reconcile_command(
    run_id: RunArg,
    bank: Annotated[
        Path,
        typer.Option("--bank", help="银行回单（.xlsx）：收款人、身份证号或账号、金额、状态、原因"),
    ],
    ledger: LedgerOption = None,
    by: Annotated[str | None, typer.Option("--by", help="对账人（默认为当前系统用户名）")] = None,
) -> None:
    """按银行回单逐笔对账：成功的记为已到账，失败的记为退回（附原因，其资格待重新经办）；
    回单中对不上或重复的行列出，并以退出码 1 结束。"""
    from ..ledger.reconcile import read_bank_file
    from ..ledger.workflow import os_user

    parsed = read_bank_file(bank)
    book = _open(ledger)
    try:
        result = book.reconcile(run_id, parsed, (os_user() if by is None else by).strip())
    finally:
        book.close()
    table = Table(title=f"运行 {run_id} 对账：{bank.name}")
    for header in ("回单行", "收款人", "证件号/账号", "金额（元）", "结果", "原因"):
        table.add_column(header, overflow="fold")
    rows = [(b, outcome) for b, _, outcome in result.matched]
    rows += [(b, "回单中无此笔（未知）") for b in result.unknown]
    rows += [(b, "重复") for b in result.duplicated]
    rows += [(b, "此前已对账") for b in result.already]
    for line, outcome in sorted(rows, key=lambda pair: pair[0].row):
        table.add_row(
            str(line.row),
            line.payee,
            line.number,
            format_amount_grouped(line.amount),
            outcome,
            line.reason,
        )
    stdout.print(table)
    returned = result.returned
    stdout.print(
        f"已到账 {len(result.matched) - len(returned)} 笔，退回 {len(returned)} 笔"
        f"（合计 {format_amount_grouped(sum((m[0].amount for m in returned), Decimal('0.00')))} 元，"
        f"须重新经办）；未知 {len(result.unknown)} 行，重复 {len(result.duplicated)} 行"
    )
    if result.unknown or result.duplicated:
        note("银行回单中有对不上或重复的行，请逐行核实")
        raise typer.Exit(1)
