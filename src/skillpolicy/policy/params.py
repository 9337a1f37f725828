"""Local parameters: the numbers and lists a document leaves to the bureau (INTERFACE.md).

They come from ``--params FILE`` or ``skillpolicy.toml`` in the working directory. Every table
must name a known program and every key a declared parameter, so a typo stops the run instead
of silently leaving a value unset.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..domain.errors import ParameterError
from ..io.datafile import KeyedError, read_toml
from ..io.fileio import not_regular_file
from .dated import FORM, coverage_problems, dated_entries
from .programs import Amount, DatedValue, InForce, LocalParameter, Program

DEFAULT_PARAMS_FILE = "skillpolicy.toml"
# Top-level settings of the file beside the program tables: the office making the runs.
SETTINGS = ("office",)
# ``approval = ["经办", "复核", "审批"]``: the steps a payment run of this office takes.
APPROVAL_SETTING = "approval"
# What a local amount or factor may be: a subsidy per line is never near a hundred million
# yuan, and a larger number (1e30) would overflow the exact arithmetic and the ledger.
MIN_AMOUNT = Decimal("0.00")
MAX_AMOUNT = Decimal("99999999.99")
MAX_FACTOR = Decimal("1000")
# Top-level tables of settings: [report] names who sends the monthly report upward.
REPORT_SIGNERS = {"unit": "报送单位", "preparer": "填报人", "reviewer": "审核人"}


def _money(value: Any, where: str, path: Path | None) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ParameterError(
            '应为带引号的金额，如 "800.00"（不要写成小数，以免精度损失）', file=path, key=where
        )
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ParameterError(f"「{value}」不是金额", file=path, key=where) from exc
    if amount.is_finite() and not MIN_AMOUNT <= amount <= MAX_AMOUNT:
        raise ParameterError(
            f"「{value}」超出允许范围：金额应在 {MIN_AMOUNT} 至 {MAX_AMOUNT:,} 元之间",
            file=path,
            key=where,
        )
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ParameterError(f"「{value}」不是非负、最多两位小数的金额", file=path, key=where)
    return amount


def _dated(
    value: list[Any],
    where: str,
    path: Path | None,
    parse: Callable[[Any, str, Path | None], Decimal],
    period: InForce | None = None,
) -> list[tuple[date, Decimal]]:
    """``[{ from = 2013-01-01, value = "150.00" }, …]``: each value with the day it takes
    effect, in order without overlap, covering the program's ``in_force`` when it states one."""
    try:
        entries = dated_entries(value)
    except KeyedError as problem:
        key = where + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in problem.key)
        raise ParameterError(str(problem), file=path, key=key) from None
    if not entries:
        raise ParameterError(FORM, file=path, key=where)
    out = [
        (entry.start, parse(entry.value, f"{where}[{index}].value", path))
        for index, entry in enumerate(entries)
    ]
    if period is not None:
        for loc, message in coverage_problems(entries, period.start, period.to):
            index = loc[0]
            raise ParameterError(message, file=path, key=f"{where}[{index}].{loc[1]}")
    return out


def _dated_money(value: list[Any], where: str, path: Path | None) -> list[tuple[date, Decimal]]:
    """Sums by the day each takes effect (:func:`_dated` of :func:`_money`)."""
    return _dated(value, where, path, _money)


def _decimal(value: Any, where: str, path: Path | None) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ParameterError('应为带引号的数，如 "1.20"', file=path, key=where)
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ParameterError(f"「{value}」不是数", file=path, key=where) from exc
    if not number.is_finite() or number <= 0:
        raise ParameterError(f"「{value}」应为正数", file=path, key=where)
    if number > MAX_FACTOR:
        raise ParameterError(
            f"「{value}」超出允许范围：应为大于 0、不超过 {MAX_FACTOR} 的数", file=path, key=where
        )
    return number


class LocalParams:
    """The values set for one program, checked against what the program declares."""

    def __init__(self, program: Program, values: dict[str, Any], source: Path | None) -> None:
        self.program = program
        self.values = values
        self.source = source

    def where_to_set(self) -> str:
        return str(self.source) if self.source else f"./{DEFAULT_PARAMS_FILE}（或用 --params 指定）"

    def is_set(self, name: str) -> bool:
        return name in self.values or self._declared(name).default is not None

    def _declared(self, name: str) -> LocalParameter:
        declared = self.program.local_parameter(name)
        if declared is None:
            raise KeyError(f"{self.program.id} declares no local parameter {name}")
        return declared

    def require(self, name: str) -> Any:
        declared = self._declared(name)
        if name in self.values:
            return self.values[name]
        if declared.default is not None:
            return declared.default
        raise ParameterError(
            f"本次计算需要本地参数 {name}（{declared.description}，{self.program.document} "
            f"{declared.clause}），但尚未设置；请在 {self.where_to_set()} 的 "
            f"[{self.program.id}] 表中设置",
        )

    def key_not_set(self, name: str, key: str) -> ParameterError:
        """The error for a run that needs ``name``'s value for ``key`` and finds none."""
        return ParameterError(
            f"本次计算需要本地参数 {name} 中“{key}”的标准，但尚未设置；"
            f"请在 {self.where_to_set()} 的 [{self.program.id}] 表中设置"
        )

    def money(self, name: str) -> Decimal:
        return _money(self.require(name), f"{self.program.id}.{name}", self.source)

    def dated(self, name: str) -> Amount | None:
        """A money parameter set by dates (``[{ from = …, value = … }]``) as an amount whose
        value in force on a row's date is looked up per row; None when set as one sum."""
        value = self.require(name)
        if not isinstance(value, list):
            return None
        declared = self._declared(name)
        values = _dated_money(value, f"{self.program.id}.{name}", self.source)
        return Amount(
            name=name,
            values=[DatedValue(**{"from": start, "value": sum_}) for start, sum_ in values],
            clause=declared.clause,
            description=declared.description,
        )

    def decimal(self, name: str) -> Decimal:
        return _decimal(self.require(name), f"{self.program.id}.{name}", self.source)

    def dated_decimal(self, name: str) -> list[tuple[date, Decimal]] | None:
        """A factor set by dates (``[{ from = …, value = "1.20" }]``): each value with the day
        it takes effect; None when set as one number."""
        value = self.require(name)
        if not isinstance(value, list):
            return None
        return _dated(value, f"{self.program.id}.{name}", self.source, _decimal)

    def money_by_key(self, name: str) -> dict[str, Decimal | Amount]:
        """Each key's sum; a key set by dates as an amount whose value in force on a row's
        reference date is looked up per row."""
        value = self.require(name)
        out: dict[str, Decimal | Amount] = {}
        declared = self._declared(name)
        for key, sum_ in value.items():
            where = f"{self.program.id}.{name}.{key}"
            if isinstance(sum_, list):
                dated = _dated(sum_, where, self.source, _money)
                out[key] = Amount(
                    name=f"{name}.{key}",
                    values=[DatedValue(**{"from": d, "value": v}) for d, v in dated],
                    clause=declared.clause,
                    description=declared.description,
                )
            else:
                out[key] = _money(sum_, where, self.source)
        return out

    def flag(self, name: str) -> bool:
        return bool(self.require(name))

    def text(self, name: str) -> str:
        return str(self.require(name))

    def file(self, name: str) -> Path:
        path = Path(str(self.require(name)))
        if not path.is_absolute() and self.source is not None:
            path = self.source.parent / path
        if not path.is_file():
            raise ParameterError(
                f"本地参数 {name} 指向的文件不存在：{path}",
                file=self.source,
                key=f"{self.program.id}.{name}",
            )
        return path

    def described(self) -> list[tuple[LocalParameter, str | None]]:
        """Each declared parameter with its value as text, or None when unset."""
        out: list[tuple[LocalParameter, str | None]] = []
        for declared in self.program.local_parameters:
            if declared.name in self.values:
                value = self.values[declared.name]
                if isinstance(value, dict):
                    shown = "，".join(
                        f"{k} {'；'.join(_entry_text(e) for e in v) if isinstance(v, list) else v}"
                        for k, v in value.items()
                    )
                elif isinstance(value, list):
                    shown = "；".join(_entry_text(e) for e in value if isinstance(e, dict))
                else:
                    shown = str(value)
                out.append((declared, shown))
            elif declared.default is not None:
                out.append((declared, f"{declared.default}（默认）"))
            else:
                out.append((declared, None))
        return out


def _entry_text(entry: dict[str, Any]) -> str:
    """One dated entry as a clerk reads it: "2013-01-01起 150.00" or "…起至2013-12-31 150.00"."""
    until = f"至{entry['to']}" if "to" in entry else ""
    return f"{entry.get('from')}起{until} {entry.get('value')}"


def _check_value(
    declared: LocalParameter, value: Any, where: str, path: Path, period: InForce | None = None
) -> None:
    if declared.kind == "money" and isinstance(value, list):
        _dated(value, where, path, _money, period)
    elif declared.kind == "money":
        _money(value, where, path)
    elif declared.kind == "decimal" and isinstance(value, list):
        _dated(value, where, path, _decimal, period)
    elif declared.kind == "decimal":
        _decimal(value, where, path)
    elif declared.kind == "money-by-key":
        if not isinstance(value, dict):
            raise ParameterError('应为表，如 { "初级工" = "1000.00" }', file=path, key=where)
        for key, amount in value.items():
            if declared.keys and key not in declared.keys:
                allowed = "、".join(declared.keys)
                raise ParameterError(f"未知的键「{key}」，可用：{allowed}", file=path, key=where)
            if isinstance(amount, list):
                _dated(amount, f"{where}.{key}", path, _money, period)
            else:
                _money(amount, f"{where}.{key}", path)
    elif declared.kind == "bool":
        if not isinstance(value, bool):
            raise ParameterError("应为 true 或 false", file=path, key=where)
    elif not isinstance(value, str) or not value:
        raise ParameterError("应为带引号的文字（文件路径或目录编号）", file=path, key=where)


def load_params(
    path: Path | None,
    program: Program,
    all_programs: list[Program] | Callable[[], list[Program]] | Mapping[str, Program],
) -> LocalParams:
    """Read the parameters file (or ./skillpolicy.toml if present) and return ``program``'s.

    ``all_programs`` (every program, to check the file's other tables) may be a function:
    it is then called only when there is a file to check (loading every program file is most
    of the fixed cost of a run without one). It may also be a mapping by id
    (:class:`~skillpolicy.loading.programfiles.ProgramFiles`): only the programs the file's
    tables name are then looked up."""
    if path is None:
        default = Path.cwd() / DEFAULT_PARAMS_FILE
        if not default.exists():
            return LocalParams(program, {}, None)
        path = default
    if not path.exists():
        raise ParameterError("参数文件不存在", file=path)
    problem = not_regular_file(path)
    if problem is not None:
        raise ParameterError(problem, file=path)
    data = _read_params_file(path)
    by_id: Mapping[str, Program]
    if isinstance(all_programs, Mapping):
        by_id = all_programs
    else:
        by_id = {p.id: p for p in (all_programs() if callable(all_programs) else all_programs)}
    for table, values in data.items():
        if table in SETTINGS:
            if not isinstance(values, str):
                raise ParameterError("应为带引号的文字", file=path, key=table)
            continue
        if table == "report":
            _report_table(values, path)
            continue
        if table == APPROVAL_SETTING:
            configured_approval(path)
            continue
        if table not in by_id:
            known = "、".join(by_id)
            raise ParameterError(f"未知的项目「{table}」；现有项目：{known}", file=path, key=table)
        if not isinstance(values, dict):
            raise ParameterError("应为一个表 [项目编号]", file=path, key=table)
        for name, value in values.items():
            declared = by_id[table].local_parameter(name)
            if declared is None:
                names = "、".join(p.name for p in by_id[table].local_parameters) or "（无）"
                raise ParameterError(
                    f"项目 {table} 没有名为 {name} 的本地参数；可设置的有：{names}",
                    file=path,
                    key=f"{table}.{name}",
                )
            _check_value(declared, value, f"{table}.{name}", path, by_id[table].in_force)
    return LocalParams(program, dict(data.get(program.id, {})), path.resolve())


def _read_params_file(path: Path) -> dict[str, Any]:
    """The parameters file's tables; a file TOML cannot read is a ParameterError naming the
    line."""
    try:
        data, _ = read_toml(path)
    except Exception as exc:
        raise ParameterError(
            str(getattr(exc, "message", exc)), file=path, line=getattr(exc, "line", None)
        ) from exc
    return data


def _settings(path: Path | None) -> tuple[dict[str, Any], Path]:
    """The parameters file read whole, for its top-level settings: ``path``, else
    ./skillpolicy.toml ({} when that does not exist); a named file that is missing is an error."""
    if path is None:
        path = Path.cwd() / DEFAULT_PARAMS_FILE
        if not path.is_file():
            return {}, path
    if not path.is_file():
        raise ParameterError("参数文件不存在", file=path)
    data = _read_params_file(path)
    return data, path


def configured_office(path: Path | None) -> str:
    """``office = "…"`` from the parameters file (or ./skillpolicy.toml), "" when not set."""
    data, path = _settings(path)
    office = data.get("office", "")
    if not isinstance(office, str):
        raise ParameterError("应为带引号的文字（经办机构名称）", file=path, key="office")
    return office.strip()


def configured_approval(path: Path | None) -> tuple[str, ...]:
    """``approval = [...]`` of the parameters file (or ./skillpolicy.toml): the office's chain
    of steps; 经办、复核、审批 when not set."""
    from ..ledger.workflow import FULL_CHAIN, check_chain

    data, path = _settings(path)
    if APPROVAL_SETTING not in data:
        return FULL_CHAIN
    try:
        return check_chain(data[APPROVAL_SETTING])
    except ValueError as exc:
        raise ParameterError(str(exc), file=path, key=APPROVAL_SETTING) from None


def _report_table(values: Any, path: Path) -> dict[str, str]:
    """``[report]``: the monthly report's 报送单位 / 填报人 / 审核人, each quoted text."""
    if not isinstance(values, dict):
        raise ParameterError("应为一个表 [report]", file=path, key="report")
    names: dict[str, str] = {}
    for key, value in values.items():
        if key not in REPORT_SIGNERS:
            allowed = "、".join(f"{k}（{v}）" for k, v in REPORT_SIGNERS.items())
            raise ParameterError(
                f"未知的键「{key}」，可用：{allowed}", file=path, key=f"report.{key}"
            )
        if not isinstance(value, str):
            raise ParameterError(
                f"应为带引号的文字（{REPORT_SIGNERS[key]}）", file=path, key=f"report.{key}"
            )
        names[key] = value.strip()
    return names


def configured_signers(path: Path | None) -> dict[str, str]:
    """``[report]`` of the parameters file (or ./skillpolicy.toml): unit, preparer, reviewer
    as set there (a key not set is absent); {} when there is no file or no table."""
    data, path = _settings(path)
    return _report_table(data["report"], path) if "report" in data else {}
