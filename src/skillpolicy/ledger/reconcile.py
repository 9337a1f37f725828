"""The bank's return file matched against an approved run (``ledger reconcile``).

The bank's file is read by header like every sheet: the first visible worksheet, the header
row among the top 50 that names an amount and a result column. Columns (any order; full-width
forms, spaces and a trailing bracketed note folded away):

- payee: 收款人, 户名, 收款方, 姓名, 收款人名称, 账户名称
- account or identity number: 身份证号, 证件号码, 证件号, 账号, 卡号, 收款账号, 银行账号
- amount: 金额, 交易金额, 发放金额, 金额（元）
- result: 状态, 结果, 处理结果, 交易状态 (成功 / 失败)
- reason: 失败原因, 原因, 备注

A bank line is matched to a paid line of the run by identity number (or the unit's credit
code) where the file has one, else by payee name, and by amount. A line 成功 is 已到账; 失败 is
退回 with its reason, and the returned line's entitlement is released for a person to propose
again (a new ``subsidy --commit``, reviewed and approved like any other). Bank lines that match
no paid line are unknown; a second bank line for a line already matched is duplicated.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..domain.errors import InputError
from ..domain.values import ValueProblem, cell_text, fold_header, header_without_note, parse_decimal
from ..io.fileio import not_regular_file

PAYEE = ("收款人", "户名", "收款方", "姓名", "收款人名称", "账户名称", "收款人姓名")
NUMBER = ("身份证号", "身份证号码", "证件号码", "证件号", "账号", "卡号", "收款账号", "银行账号")
AMOUNT = ("金额", "交易金额", "发放金额", "实发金额")
RESULT = ("状态", "结果", "处理结果", "交易状态", "交易结果")
REASON = ("失败原因", "原因", "备注", "退回原因")
SUCCESS, FAILURE = "成功", "失败"
ARRIVED, RETURNED = "已到账", "退回"
HEADER_ROWS = 50


@dataclass(frozen=True)
class BankLine:
    row: int
    payee: str
    number: str
    amount: Decimal
    succeeded: bool
    reason: str


@dataclass(frozen=True)
class BankFile:
    path: Path
    sheet: str
    sha256: str
    lines: list[BankLine]


@dataclass
class Reconciliation:
    """What a bank file said about a run: each matched line's result, and the rest."""

    run_id: str
    matched: list[tuple[BankLine, int, str]] = field(default_factory=list)  # line_no, result
    unknown: list[BankLine] = field(default_factory=list)
    duplicated: list[BankLine] = field(default_factory=list)
    already: list[BankLine] = field(default_factory=list)  # reconciled by an earlier file

    @property
    def returned(self) -> list[tuple[BankLine, int, str]]:
        return [m for m in self.matched if m[2] == RETURNED]


def _column(headers: dict[str, int], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in headers:
            return headers[name]
    return None


def read_bank_file(path: Path) -> BankFile:
    """The bank lines of ``path`` (.xlsx); one line on error naming file, sheet, row, column."""
    from openpyxl import load_workbook

    if not path.exists():
        raise InputError("银行回单文件不存在", file=path)
    problem = not_regular_file(path)
    if problem is not None:
        raise InputError(problem, file=path)
    data = path.read_bytes()
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise InputError(
            f"无法读取银行回单（应为 .xlsx 工作簿）：{type(exc).__name__}", file=path
        ) from None
    try:
        sheet = next((ws for ws in book.worksheets if ws.sheet_state == "visible"), None)
        if sheet is None:
            raise InputError("银行回单没有可见的工作表", file=path)
        rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    header_at, headers = None, {}
    titles: dict[int, str] = {}
    for index, row in enumerate(rows[:HEADER_ROWS]):
        found = {
            header_without_note(fold_header(cell_text(value))): column
            for column, value in enumerate(row)
            if value is not None
        }
        if _column(found, AMOUNT) is not None and _column(found, RESULT) is not None:
            header_at, headers = index, found
            titles = {column: cell_text(value).strip() for column, value in enumerate(row)}
            break
    if header_at is None:
        raise InputError(
            "银行回单中找不到表头：需要金额列和状态列（成功/失败）", file=path, sheet=sheet.title
        )
    payee, number = _column(headers, PAYEE), _column(headers, NUMBER)
    amount, result = _column(headers, AMOUNT), _column(headers, RESULT)
    reason = _column(headers, REASON)
    assert amount is not None and result is not None
    if payee is None and number is None:
        raise InputError(
            "银行回单需要收款人列或身份证号（账号）列",
            file=path,
            sheet=sheet.title,
            row=header_at + 1,
        )
    lines: list[BankLine] = []
    for index, row in enumerate(rows[header_at + 1 :], start=header_at + 2):

        def text(column: int | None, row: tuple[object, ...] = row) -> str:
            if column is None or column >= len(row):
                return ""
            return cell_text(row[column]).strip()

        if not any(text(c) for c in (payee, number, amount, result)):
            continue
        status = text(result)
        if status not in (SUCCESS, FAILURE):
            raise InputError(
                f"状态应为“成功”或“失败”，而不是「{status}」",
                file=path, sheet=sheet.title, row=index, column=titles[result],
            )  # fmt: skip
        try:
            value = parse_decimal(row[amount] if amount < len(row) else None)
        except ValueProblem as exc:
            raise InputError(
                f"金额无法识别：{exc}", file=path, sheet=sheet.title, row=index,
                column=titles[amount],
            ) from None  # fmt: skip
        lines.append(
            BankLine(index, text(payee), text(number), value, status == SUCCESS, text(reason))
        )
    return BankFile(path, sheet.title, hashlib.sha256(data).hexdigest(), lines)


def match_bank_lines(
    bank: BankFile,
    paid: list[tuple[int, str, str, str, Decimal]],
    done: set[int],
) -> Reconciliation:
    """Match ``bank``'s lines to the run's paid lines ``(line_no, subject, name, payee,
    amount)``; ``done`` are line numbers an earlier bank file settled."""
    result = Reconciliation(run_id="")
    taken: set[int] = set()
    for bank_line in bank.lines:
        candidates = [
            p for p in paid
            if p[4] == bank_line.amount
            and (
                (bank_line.number and bank_line.number.upper() == p[1].upper())
                or (not bank_line.number and bank_line.payee in (p[2], p[3]))
            )
        ]  # fmt: skip
        if not candidates:
            result.unknown.append(bank_line)
            continue
        free = [p for p in candidates if p[0] not in taken]
        if not free:
            result.duplicated.append(bank_line)
            continue
        line_no = free[0][0]
        taken.add(line_no)
        if line_no in done:
            result.already.append(bank_line)
            continue
        result.matched.append((bank_line, line_no, ARRIVED if bank_line.succeeded else RETURNED))
    return result
