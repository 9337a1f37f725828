"""Programs as data: each policy document is a TOML file under ``catalogs/programs``.

A program file holds the document number, issuer, dates, targets, the rules with the clause
each comes from (and the reading chosen where the document is vague), fixed amounts, and the
local parameters a bureau must set before money can be computed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .columns import SHEET_KIND_NAMES
from .datafile import KeyedError, load_model
from .errors import CatalogError
from .resources import SearchPath, check_data_id

SheetKind = Literal["roster", "application", "designation", "award", "technician", "levy"]
Severity = Literal["error", "warning", "review"]
ParameterKind = Literal["money", "decimal", "money-by-key", "file", "catalog", "bool"]


__all__ = ["SHEET_KIND_NAMES", "Program", "SheetKind"]  # SHEET_KIND_NAMES lives in columns


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Target(_Strict):
    name: str
    count: int = Field(gt=0)
    unit: str = "人"
    clause: str
    department: str | None = None


class Amount(_Strict):
    """A fixed sum the document itself names (元, two decimals)."""

    name: str
    amount: Decimal
    clause: str
    description: str

    @field_validator("amount")
    @classmethod
    def _two_places(cls, value: Decimal) -> Decimal:
        if value < 0 or value != value.quantize(Decimal("0.01")):
            raise ValueError("金额须为非负数，最多两位小数")
        return value


class Rate(_Strict):
    """A fixed ratio the document names (0.015 for 1.5%)."""

    name: str
    value: Decimal
    clause: str
    description: str


class RuleSpec(_Strict):
    id: str
    clause: str
    sheet: SheetKind
    severity: Severity = "error"
    summary: str
    reading: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)


class LocalParameter(_Strict):
    """A number or list the document leaves to the bureau: shipped without a value."""

    name: str
    kind: ParameterKind
    description: str
    clause: str
    keys: list[str] = Field(default_factory=list)
    default: str | bool | None = None


class SheetSpec(_Strict):
    columns: list[str] = Field(min_length=1)
    required: list[str] = Field(default_factory=list)
    choices: dict[str, list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _required_are_columns(self) -> SheetSpec:
        for name in [*self.required, *self.choices]:
            if name not in self.columns:
                raise ValueError(f"「{name}」不在 columns 中")
        return self


class SubsidySpec(_Strict):
    """How a program's money is computed: the method is Python, everything it reads is here."""

    sheet: SheetKind
    method: Literal[
        "per-trainee", "school-enterprise", "training-plus-appraisal", "tranches", "award"
    ]
    clause: str
    summary: str
    reading: str | None = None
    amount: str | None = None  # name of an [[amounts]] entry
    amount_column: str | None = None  # or a column whose value picks one of amount_by
    amount_by: dict[str, str] = Field(default_factory=dict)  # column value -> [[amounts]] name
    amount_parameter: str | None = None  # or of a local parameter
    payee: Literal["trainee", "institution", "unit", "trainee-or-institution"]
    outcome: str | None = None  # column whose blank value means "pending"
    outcome_rule: str | None = None  # the rule a pending line cites
    pending_values: list[str] = Field(default_factory=list)
    requires: list[str] = Field(default_factory=list)
    key: list[str] = Field(min_length=1)  # columns that identify what is paid (ledger key)


class Program(_Strict):
    id: str
    title: str
    document: str
    issuer: str
    issued: date
    reference_date: date
    reference_date_note: str
    deadline: date | None = None
    region: str
    catalog: str | None = None
    funding_source: str | None = None
    reading: str | None = None
    sheets: dict[SheetKind, SheetSpec]
    targets: list[Target] = Field(default_factory=list)
    amounts: list[Amount] = Field(default_factory=list)
    rates: list[Rate] = Field(default_factory=list)
    rules: list[RuleSpec] = Field(min_length=1)
    local_parameters: list[LocalParameter] = Field(default_factory=list)
    subsidies: list[SubsidySpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Program:
        from .rules import known_rule_ids  # rules import program types; load lazily

        known = known_rule_ids()
        seen: set[str] = set()
        for index, spec in enumerate(self.rules):
            if spec.id not in known:
                raise KeyedError(
                    f"未知的规则编号「{spec.id}」（程序中没有这条规则的实现）",
                    ("rules", index, "id"),
                )
            key = f"{spec.sheet}:{spec.id}"
            if key in seen:
                raise KeyedError(
                    f"规则「{spec.id}」在{SHEET_KIND_NAMES[spec.sheet]}中重复",
                    ("rules", index, "id"),
                )
            seen.add(key)
            if spec.sheet not in self.sheets:
                raise KeyedError(
                    f"规则「{spec.id}」用于{spec.sheet}，但该项目没有这种表",
                    ("rules", index, "sheet"),
                )
        declared = {p.name for p in self.local_parameters}
        kinds: set[str] = set()
        for index, money in enumerate(self.subsidies):
            if money.sheet not in self.sheets or money.sheet in kinds:
                raise KeyedError(
                    f"subsidies 用于 {money.sheet}，但该项目没有这种表或已有一项",
                    ("subsidies", index, "sheet"),
                )
            kinds.add(money.sheet)
            if money.amount and money.amount not in {a.name for a in self.amounts}:
                raise KeyedError(
                    f"「{money.amount}」不在 amounts 中", ("subsidies", index, "amount")
                )
            for value, name in money.amount_by.items():
                if name not in {a.name for a in self.amounts}:
                    raise KeyedError(
                        f"「{name}」不在 amounts 中", ("subsidies", index, "amount_by", value)
                    )
            if money.amount_by and money.amount_column not in self.sheets[money.sheet].columns:
                raise KeyedError(
                    f"amount_by 需要 amount_column 指明{SHEET_KIND_NAMES[money.sheet]}中的一列",
                    ("subsidies", index, "amount_column"),
                )
            if money.amount_parameter and money.amount_parameter not in declared:
                raise KeyedError(
                    f"「{money.amount_parameter}」不是已声明的本地参数",
                    ("subsidies", index, "amount_parameter"),
                )
        if self.deadline is not None and self.deadline < self.issued:
            raise KeyedError("截止日期早于发文日期，请检查是否写反", ("deadline",))
        return self

    def subsidy_for(self, kind: str) -> SubsidySpec | None:
        """How money is computed on a sheet of ``kind`` (None: that sheet pays nothing)."""
        return next((spec for spec in self.subsidies if spec.sheet == kind), None)

    def rules_for(self, kind: str) -> list[RuleSpec]:
        return [spec for spec in self.rules if spec.sheet == kind]

    def rule(self, rule_id: str) -> RuleSpec:
        for spec in self.rules:
            if spec.id == rule_id:
                return spec
        raise KeyError(rule_id)

    def amount(self, name: str) -> Amount:
        for amount in self.amounts:
            if amount.name == name:
                return amount
        raise KeyError(name)

    def rate(self, name: str) -> Rate:
        for rate in self.rates:
            if rate.name == name:
                return rate
        raise KeyError(name)

    def citation(self, clause: str) -> str:
        return f"{self.document} {clause}"

    def local_parameter(self, name: str) -> LocalParameter | None:
        return next((p for p in self.local_parameters if p.name == name), None)


PROGRAM_IDS = (
    "guangxi-2012-technician",
    "jincheng-2022-workstation",
    "jincheng-2022-training-base",
    "guangxi-2019-lifelong",
    "fujian-2013-free-training",
    "xuchang-2013-revitalization",
)


def load_program_file(path: Path) -> Program:
    program = load_model(path, Program)
    if program.id != path.stem:
        raise CatalogError(
            f"项目编号「{program.id}」与文件名不一致，应为「{path.stem}」", file=path, key="id"
        )
    return program


def program_path(program_id: str, search: SearchPath) -> Path:
    check_data_id(program_id, "项目")
    path = search.find(f"programs/{program_id}.toml")
    if path is None:
        known = ", ".join(p.stem for p in search.glob("programs", "*.toml"))
        raise CatalogError(f"未知的项目「{program_id}」；现有项目：{known}")
    return path


def load_program(program_id: str, search: SearchPath | None = None) -> Program:
    return load_program_file(program_path(program_id, search or SearchPath("catalogs")))


def list_programs(search: SearchPath | None = None) -> list[Program]:
    search = search or SearchPath("catalogs")
    return [load_program_file(path) for path in search.glob("programs", "*.toml")]
