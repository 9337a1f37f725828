"""经办、复核、审批: the states of a run, its steps and the ledger's hash-chained audit log.

Shared by both backends: every function here takes ``execute``, which runs one statement
written with ``?`` placeholders inside the caller's transaction and returns its rows (the
PostgreSQL backend translates the placeholders). Nothing here opens or commits a transaction.

A run is proposed (待复核) by ``subsidy --commit``; its lines hold their entitlements from
then on (the unique index on active keys does not look at the state). ``review`` (复核) and
``approve`` (审批) move it on as the office's approval chain (recorded on the run) asks; a
``reject`` (驳回) releases its lines as a void does. One person never takes two of the steps
经办、复核、审批、驳回 of one run: checked here inside the transaction and, behind that, by the
unique index ``run_steps_one_person``.

The audit log is a hash chain: each entry's hash is the sha256 of its canonical
serialisation (:func:`canonical`), which includes the previous entry's hash, so an edited,
deleted or reordered entry breaks the chain at that entry. The head (sequence number and
hash of the latest entry about a run) is also kept on the run's row, so a log cut short is
caught while any run still names an entry past its end.
"""

from __future__ import annotations

import hashlib
import json
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..domain.errors import InputError

if TYPE_CHECKING:
    from .reconcile import BankFile, Reconciliation

Execute = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]

# The state of a run, as stored and as the clerk reads it.
PROPOSED, REVIEWED, APPROVED, REJECTED = "proposed", "reviewed", "approved", "rejected"
STATE_NAMES = {PROPOSED: "待复核", REVIEWED: "已复核", APPROVED: "已审批", REJECTED: "已驳回"}
VOIDED_NAME = "已作废"

PROPOSE, REVIEW, APPROVE, REJECT = "经办", "复核", "审批", "驳回"
# The steps one person may take only one of, per run (the index run_steps_one_person).
SIGNING_STEPS = (PROPOSE, REVIEW, APPROVE, REJECT)
FULL_CHAIN: tuple[str, ...] = (PROPOSE, REVIEW, APPROVE)
# The chains an office may choose (``approval = [...]`` in skillpolicy.toml).
CHAINS: tuple[tuple[str, ...], ...] = (
    FULL_CHAIN,
    (PROPOSE, REVIEW),
    (PROPOSE, APPROVE),
    (PROPOSE,),
)
# Jincheng's review stages of a designation run (晋城 2022 designation: county 初审, city 复核…).
STAGES = ("资格初审", "资格复核", "专家评审", "征求意见", "公示", "授牌")
SAME_PERSON_RULE = "同一人不得在同一次运行中担任两个环节（经办、复核、审批、驳回）"

# Audit actions (stored in English, shown in Chinese).
ACTION_NAMES = {
    "propose": "经办（记入台账，待复核）",
    "review": "复核",
    "approve": "审批",
    "reject": "驳回",
    "void": "作废",
    "stage": "评审环节",
    "migrate": "迁入共享台账",
    "schema": "台账结构升级",
    "reconcile": "银行回单对账",
}
GENESIS = "0" * 64


def chain_text(chain: Sequence[str]) -> str:
    return ",".join(chain)


def parse_chain(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part)


def check_chain(value: Any) -> tuple[str, ...]:
    """``approval`` of skillpolicy.toml as a chain; raises ValueError naming what is allowed."""
    allowed = "、".join("[" + ", ".join(f'"{s}"' for s in c) + "]" for c in CHAINS)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"应为环节列表，可用：{allowed}")
    chain = tuple(v.strip() for v in value)
    if chain not in CHAINS:
        raise ValueError(f"不支持的审批环节 {list(chain)}，可用：{allowed}")
    return chain


def state_after_proposal(chain: Sequence[str]) -> str:
    return APPROVED if tuple(chain) == (PROPOSE,) else PROPOSED


@dataclass(frozen=True)
class RunStep:
    """One step of a run: 经办, 复核, 审批, 驳回, or one of Jincheng's review stages."""

    run_id: str
    step_no: int
    step: str
    actor: str
    office: str
    created_at: str
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    created_at: str
    action: str
    run_id: str
    actor: str
    office: str
    host: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Verification:
    """What ``ledger verify`` found: ``bad`` is None for an intact log."""

    count: int
    head: str
    bad: int | None = None
    problem: str = ""


def canonical(
    seq: int,
    created_at: str,
    action: str,
    run_id: str,
    actor: str,
    office: str,
    host: str,
    detail: dict[str, Any],
    prev_hash: str,
) -> str:
    """The text an entry's hash is taken over: a JSON array, keys sorted, no spaces."""
    return json.dumps(
        [seq, created_at, action, run_id, actor, office, host, detail, prev_hash],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def entry_hash(*fields: Any) -> str:
    return hashlib.sha256(canonical(*fields).encode("utf-8")).hexdigest()


def detail_text(detail: dict[str, Any]) -> str:
    return json.dumps(detail, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def host_name() -> str:
    try:
        return socket.gethostname()
    except OSError:
        return ""


# --------------------------------------------------------------------------- statements

SELECT_LOG_HEAD = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
INSERT_LOG = (
    "INSERT INTO audit_log (seq, created_at, action, run_id, actor, office, host, detail, "
    "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
UPDATE_RUN_HEAD = "UPDATE runs SET log_seq = ?, log_hash = ? WHERE run_id = ?"
SELECT_LOG = (
    "SELECT seq, created_at, action, run_id, actor, office, host, detail, prev_hash, hash "
    "FROM audit_log ORDER BY seq"
)
SELECT_RUN_HEADS = "SELECT run_id, log_seq, log_hash FROM runs WHERE log_seq > 0"
SELECT_RUN_STATE = (
    "SELECT r.state, r.approval, r.office, r.line_count, r.total, v.void_id FROM runs r "
    "LEFT JOIN voids v ON v.run_id = r.run_id WHERE r.run_id = ?"
)
SELECT_STEPS = (
    "SELECT run_id, step_no, step, actor, office, created_at, note, detail FROM run_steps "
    "WHERE run_id = ? ORDER BY step_no"
)
SELECT_ALL_SIGNERS = (
    "SELECT run_id, step_no, step, actor, office, created_at, note, detail FROM run_steps "
    "WHERE step IN ('经办', '复核', '审批', '驳回') ORDER BY run_id, step_no"
)
SELECT_NEXT_STEP = "SELECT COALESCE(MAX(step_no), 0) + 1 FROM run_steps WHERE run_id = ?"
INSERT_STEP = (
    "INSERT INTO run_steps (run_id, step_no, step, actor, office, created_at, note, detail) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
UPDATE_RUN_STATE = "UPDATE runs SET state = ?, approval = ? WHERE run_id = ?"
SET_RUN_STATE = "UPDATE runs SET state = ? WHERE run_id = ?"
DEACTIVATE_RUN_LINES = "UPDATE lines SET active = 0 WHERE run_id = ? AND active = 1"
RETIRE_RUN_OUTCOMES = "UPDATE outcomes SET current = 0 WHERE run_id = ? AND current = 1"


# --------------------------------------------------------------------------- writing


def append_log(
    execute: Execute,
    *,
    action: str,
    run_id: str = "",
    actor: str,
    office: str = "",
    detail: dict[str, Any],
    created_at: str,
    heads: Sequence[str] = (),
) -> AuditEntry:
    """Append one entry after the current head (the caller holds the log's lock) and record
    it as the head of ``run_id`` and of every run in ``heads``."""
    found = execute(SELECT_LOG_HEAD, ())
    seq, prev = (int(found[0][0]) + 1, str(found[0][1])) if found else (1, GENESIS)
    host = host_name()
    detail = json.loads(detail_text(detail))  # what is stored is what was hashed
    digest = entry_hash(seq, created_at, action, run_id, actor, office, host, detail, prev)
    execute(
        INSERT_LOG,
        (seq, created_at, action, run_id, actor, office, host, detail_text(detail), prev, digest),
    )
    for run in dict.fromkeys([*([run_id] if run_id else []), *heads]):
        execute(UPDATE_RUN_HEAD, (seq, digest, run))
    return AuditEntry(seq, created_at, action, run_id, actor, office, host, detail, prev, digest)


def record_proposal(
    execute: Execute,
    *,
    run_id: str,
    actor: str,
    office: str,
    created_at: str,
    chain: Sequence[str],
    detail: dict[str, Any],
) -> str:
    """The proposal of a run just inserted: its 经办 step, its state and chain, a log entry."""
    state = state_after_proposal(chain)
    execute(INSERT_STEP, (run_id, 1, PROPOSE, actor, office, created_at, "", detail_text({})))
    execute(UPDATE_RUN_STATE, (state, chain_text(chain), run_id))
    append_log(
        execute,
        action="propose",
        run_id=run_id,
        actor=actor,
        office=office,
        detail={**detail, "approval": list(chain), "state": state},
        created_at=created_at,
    )
    return state


def take_step(
    execute: Execute,
    *,
    run_id: str,
    step: str,
    actor: str,
    office: str,
    created_at: str,
    note: str = "",
    detail: dict[str, Any] | None = None,
    location: str = "",
) -> str:
    """Record ``step`` (复核, 审批, 驳回 or a review stage) by ``actor``; returns the new state.

    Raises :class:`InputError` when the run is missing, voided, already decided, the step is
    not the one its chain expects, or ``actor`` took another step of it already."""
    actor = actor.strip()
    if not actor:
        raise InputError("必须写明办理人（--by）")
    found = execute(SELECT_RUN_STATE, (run_id,))
    if not found:
        raise InputError(f"台账中没有运行 {run_id}", file=location)
    state, chain_value, run_office, line_count, total, void_id = found[0]
    if void_id is not None:
        raise InputError(f"运行 {run_id} 已作废，不能再{step}", file=location)
    chain = parse_chain(chain_value) or FULL_CHAIN
    extra = dict(detail or {})
    new_state = state
    if step in (REVIEW, APPROVE, REJECT):
        if state in (APPROVED, REJECTED):
            raise InputError(
                f"运行 {run_id} 已{STATE_NAMES[state][1:]}，不能再{step}", file=location
            )
        if step == REVIEW:
            if REVIEW not in chain:
                raise InputError(
                    f"运行 {run_id} 的审批环节为 {'、'.join(chain)}，没有复核", file=location
                )
            if state != PROPOSED:
                raise InputError(f"运行 {run_id} 已复核，下一步是审批", file=location)
            new_state = REVIEWED if APPROVE in chain else APPROVED
        elif step == APPROVE:
            if APPROVE not in chain:
                raise InputError(
                    f"运行 {run_id} 的审批环节为 {'、'.join(chain)}，没有审批", file=location
                )
            if REVIEW in chain and state != REVIEWED:
                raise InputError(f"运行 {run_id} 尚未复核，须先复核再审批", file=location)
            new_state = APPROVED
        else:
            if not note.strip():
                raise InputError("驳回必须写明原因（--reason）")
            new_state = REJECTED
        signed = {
            who: what
            for _, _, what, who, *_ in execute(SELECT_STEPS, (run_id,))
            if what in SIGNING_STEPS
        }
        if actor in signed:
            raise InputError(
                f"{SAME_PERSON_RULE}：{actor} 已是运行 {run_id} 的{signed[actor]}人", file=location
            )
    elif step not in STAGES:
        raise InputError(f"未知的环节「{step}」，可用：{'、'.join(STAGES)}", file=location)
    elif state == REJECTED:
        raise InputError(f"运行 {run_id} 已驳回，不能再记录{step}", file=location)
    (number,) = execute(SELECT_NEXT_STEP, (run_id,))[0]
    execute(
        INSERT_STEP,
        (run_id, int(number), step, actor, office, created_at, note.strip(), detail_text(extra)),
    )
    if new_state != state:
        execute(SET_RUN_STATE, (new_state, run_id))
    if new_state == REJECTED:
        execute(DEACTIVATE_RUN_LINES, (run_id,))
        execute(RETIRE_RUN_OUTCOMES, (run_id,))
    action = {REVIEW: "review", APPROVE: "approve", REJECT: "reject"}.get(step, "stage")
    append_log(
        execute,
        action=action,
        run_id=run_id,
        actor=actor,
        office=office or run_office,
        detail={
            **extra,
            "step": step,
            "state": new_state,
            "lines": int(line_count),
            "total": str(total),
            **({"reason": note.strip()} if note.strip() else {}),
        },
        created_at=created_at,
    )
    return str(new_state)


# --------------------------------------------------------------------------- reading


def steps_of(execute: Execute, run_id: str) -> list[RunStep]:
    return [_step(row) for row in execute(SELECT_STEPS, (run_id,))]


def signers(execute: Execute) -> dict[str, list[RunStep]]:
    """Every run's 经办/复核/审批/驳回 steps, by run."""
    found: dict[str, list[RunStep]] = {}
    for row in execute(SELECT_ALL_SIGNERS, ()):
        found.setdefault(row[0], []).append(_step(row))
    return found


def _step(row: Sequence[Any]) -> RunStep:
    run_id, step_no, step, actor, office, created_at, note, detail = row
    return RunStep(run_id, int(step_no), step, actor, office, created_at, note, json.loads(detail))


def log_entries(execute: Execute) -> list[AuditEntry]:
    return [
        AuditEntry(int(seq), at, action, run, actor, office, host, json.loads(detail), prev, h)
        for seq, at, action, run, actor, office, host, detail, prev, h in execute(SELECT_LOG, ())
    ]


def verify(execute: Execute) -> Verification:
    """Walk the chain from the first entry; the first entry whose number, link or hash does
    not hold is named, and a run whose recorded head lies past the end (or differs from the
    entry there) shows the log was cut short or rewritten."""
    rows = execute(SELECT_LOG, ())
    prev, expected, head = GENESIS, 1, GENESIS
    hashes: dict[int, str] = {}
    for seq, at, action, run, actor, office, host, detail, prev_hash, digest in rows:
        seq = int(seq)
        if seq != expected:
            return Verification(
                len(rows),
                head,
                expected,
                f"第 {expected} 条日志缺失（其后是第 {seq} 条）：日志被删改",
            )
        try:
            parsed = json.loads(detail)
        except ValueError:
            parsed = None
        fields = (seq, at, action, run, actor, office, host, parsed, prev_hash)
        if prev_hash != prev:
            return Verification(
                len(rows), head, seq, f"第 {seq} 条日志与前一条的哈希不相连：日志被删改"
            )
        if parsed is None or entry_hash(*fields) != digest:
            return Verification(
                len(rows), head, seq, f"第 {seq} 条日志的内容与其哈希不符：该条被改动"
            )
        hashes[seq] = digest
        prev, head, expected = digest, digest, seq + 1
    last = expected - 1
    for run_id, log_seq, log_hash in sorted(execute(SELECT_RUN_HEADS, ()), key=lambda r: r[1]):
        log_seq = int(log_seq)
        if log_seq > last:
            return Verification(
                len(rows),
                head,
                last + 1,
                f"日志被截短：运行 {run_id} 记载日志已到第 {log_seq} 条，日志只有 {last} 条"
                f"（自第 {last + 1} 条起缺失）",
            )
        if hashes.get(log_seq) != log_hash:
            return Verification(
                len(rows),
                head,
                log_seq,
                f"第 {log_seq} 条日志与运行 {run_id} 记载的哈希不符：日志被改写",
            )
    return Verification(len(rows), head)


# --------------------------------------------------------------------------- paper

BLANK_NAME = "\u3000" * 6
BLANK_DATE = "\u3000\u3000年\u3000月\u3000日"


def signers_of(steps: Sequence[RunStep]) -> dict[str, tuple[str, str]]:
    """经办, 复核 and 审批 of a run's steps: each step's person and date (YYYY-MM-DD)."""
    return {
        step.step: (step.actor, step.created_at[:10]) for step in steps if step.step in FULL_CHAIN
    }


def signature_line(signers: dict[str, tuple[str, str]]) -> str:
    """经办人、复核人、审批人 with their names and dates where the run has them, a blank line to
    sign where it does not."""
    parts = []
    for step in FULL_CHAIN:
        name, day = signers.get(step, ("", ""))
        parts.append(
            f"{step}人：{name}（{day}）" if name else f"{step}人：{BLANK_NAME}{BLANK_DATE}"
        )
    return "\u3000\u3000".join(parts)


# --------------------------------------------------------------------------- the bank's return

SELECT_RUN_PAID_LINES = (
    "SELECT line_no, subject, name, payee, amount FROM lines WHERE run_id = ? ORDER BY line_no"
)
SELECT_SETTLED = "SELECT line_no FROM bank_results WHERE run_id = ?"
INSERT_BANK_RESULT = (
    "INSERT INTO bank_results (run_id, line_no, result, reason, bank_file, bank_row, "
    "created_at, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
RELEASE_LINE = "UPDATE lines SET active = 0 WHERE run_id = ? AND line_no = ? AND active = 1"


def reconcile(
    execute: Execute,
    *,
    run_id: str,
    bank: BankFile,
    actor: str,
    created_at: str,
    location: str = "",
) -> Reconciliation:
    """Mark the approved run's paid lines 已到账 or 退回 from ``bank``; a returned line's
    entitlement is released (free for a person to propose again). Logged."""
    from decimal import Decimal

    from .reconcile import RETURNED, match_bank_lines

    actor = actor.strip()
    if not actor:
        raise InputError("必须写明对账人（--by）")
    found = execute(SELECT_RUN_STATE, (run_id,))
    if not found:
        raise InputError(f"台账中没有运行 {run_id}", file=location)
    state, _, office, _, _, void_id = found[0]
    if void_id is not None:
        raise InputError(f"运行 {run_id} 已作废，不能对账", file=location)
    if state != APPROVED:
        raise InputError(
            f"运行 {run_id} {STATE_NAMES.get(state, state)}，审批后才发放，才能对账", file=location
        )
    paid = [
        (int(no), subject, name, payee, Decimal(amount))
        for no, subject, name, payee, amount in execute(SELECT_RUN_PAID_LINES, (run_id,))
    ]
    done = {int(no) for (no,) in execute(SELECT_SETTLED, (run_id,))}
    result = match_bank_lines(bank, paid, done)
    result.run_id = run_id
    for bank_line, line_no, outcome in result.matched:
        execute(
            INSERT_BANK_RESULT,
            (run_id, line_no, outcome, bank_line.reason, bank.path.name, bank_line.row,
             created_at, actor),
        )  # fmt: skip
        if outcome == RETURNED:
            execute(RELEASE_LINE, (run_id, line_no))
    returned = result.returned
    append_log(
        execute,
        action="reconcile",
        run_id=run_id,
        actor=actor,
        office=office,
        detail={
            "bank_file": bank.path.name,
            "bank_sha256": bank.sha256,
            "arrived": len(result.matched) - len(returned),
            "returned": len(returned),
            "returned_total": str(sum((m[0].amount for m in returned), Decimal("0.00"))),
            "unknown": len(result.unknown),
            "duplicated": len(result.duplicated),
        },
        created_at=created_at,
    )
    return result


def os_user() -> str:
    """The operator a run records when none is named: the login name of the OS user."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return ""
