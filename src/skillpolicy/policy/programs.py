"""Programs as data: each policy document is a TOML file under ``catalogs/programs``.

A program file holds the document number, issuer, dates, targets, the rules with the clause
each comes from (and the reading chosen where the document is vague), fixed amounts, and the
local parameters a bureau must set before money can be computed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from ..domain.findings import ALREADY_PAID, Severity
from ..io.columns import SHEET_KIND_NAMES, ColumnSet, shared_columns
from ..io.columnspec import ColumnSpec
from ..io.datafile import KeyedError
from .conditions import Condition
from .dated import DatedEntry, order_problem
from .paymodel import AmountPart, Factor, PayeeOption, Refusal, Rounding, Tranche

SheetKind = Literal[
    "roster", "application", "designation", "award", "technician", "levy", "score", "plan"
]
ParameterKind = Literal["money", "decimal", "money-by-key", "file", "catalog", "bool"]


__all__ = ["SHEET_KIND_NAMES", "Program", "SheetKind"]  # SHEET_KIND_NAMES lives in columns


# rules a finding may name that no program file lists (the ledger's own check)
OTHER_RULE_TITLES = {ALREADY_PAID: "同一人（单位）同一事项不重复发放（台账已有发放记录）"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Target(_Strict):
    name: str
    count: int = Field(gt=0)
    unit: str = "人"
    clause: str
    department: str | None = None
    measure: Literal["trained", "appraised", "high_skill", "certified"] | None = Field(
        None,
        description="月报如何由台账统计进度：trained 培训人次，appraised 鉴定人次，"
        "high_skill 技师及以上，certified 取证（合格）人数；不写为不统计",
    )


def _two_places(value: Decimal) -> Decimal:
    if value < 0 or value != value.quantize(Decimal("0.01")):
        raise ValueError("金额须为非负数，最多两位小数")
    return value


class DatedValue(DatedEntry):
    """A sum and the day it takes effect (``{ from = 2014-01-01, value = "2000.00" }``)."""

    value: Decimal = Field(description="自生效日起的金额")

    @field_validator("value")
    @classmethod
    def _money(cls, value: Decimal) -> Decimal:
        return _two_places(value)


class DatedRatio(DatedEntry):
    """A ratio or factor and the day it takes effect (``{ from = …, value = "0.60" }``)."""

    value: Decimal = Field(gt=0, description="自生效日起的比例或系数")


def _ordered(entries: list[DatedEntry], key: str) -> None:
    problem = order_problem(entries)
    if problem is not None:
        raise KeyedError(problem[1], (key, *problem[0]))


def _on(entries: list[DatedEntry], day: date) -> DatedEntry | None:
    """The entry in force on ``day`` (None: before the first, or in a gap)."""
    for index in range(len(entries) - 1, -1, -1):
        entry = entries[index]
        if entry.start <= day:
            following = entries[index + 1].start if index + 1 < len(entries) else None
            ends = entry.to if entry.to is not None else None
            if (ends is None or day <= ends) and (following is None or day < following):
                return entry
            return None
    return None


class Amount(_Strict):
    """A fixed sum the document itself names (元, two decimals), or sums by the day each takes
    effect (``values``); a row uses the one in force on its reference date."""

    name: str
    amount: Decimal | None = None
    values: list[DatedValue] = Field(default_factory=list)
    clause: str
    description: str

    @field_validator("amount")
    @classmethod
    def _two_places(cls, value: Decimal | None) -> Decimal | None:
        return None if value is None else _two_places(value)

    @model_validator(mode="after")
    def _some_value(self) -> Amount:
        if self.amount is None and not self.values:
            raise KeyedError("缺少（必填）：写 amount，或按生效日写 values", ("amount",))
        _ordered(list(self.values), "values")
        return self

    def in_force(self, day: date) -> tuple[Decimal, date | None] | None:
        """The sum in force on ``day`` and the day it took effect (None for the undated
        ``amount``); None when ``day`` has no dated value and there is no ``amount``."""
        dated = _on(list(self.values), day)
        if dated is not None:
            return dated.value, dated.start
        return (self.amount, None) if self.amount is not None else None

    def shown(self) -> str:
        """Every value, for tables and the run's record: "1900.00" or "2013-01-01起 1900.00；…"."""
        parts = [] if self.amount is None else [f"{self.amount:.2f}"]
        parts += [_dated_text(v, f"{v.value:.2f}") for v in self.values]
        return "；".join(parts)


def _dated_text(entry: DatedEntry, value: str) -> str:
    until = f"至{entry.to.isoformat()}" if entry.to is not None else ""
    return f"{entry.start.isoformat()}起{until} {value}"


class Rate(_Strict):
    """A fixed ratio the document names (0.015 for 1.5%), or ratios by the day each takes
    effect (``values``); a row uses the one in force on its reference date."""

    name: str
    value: Decimal | None = None
    values: list[DatedRatio] = Field(default_factory=list)
    clause: str
    description: str

    @model_validator(mode="after")
    def _some_value(self) -> Rate:
        if self.value is None and not self.values:
            raise KeyedError("缺少（必填）：写 value，或按生效日写 values", ("value",))
        _ordered(list(self.values), "values")
        return self

    def on(self, day: date) -> tuple[Decimal, date | None]:
        """The ratio in force on ``day`` and the day it took effect (None: undated); a day
        with no dated value takes ``value``, else the nearest value before it, else the first."""
        dated = _on(list(self.values), day)
        if dated is not None:
            return dated.value, dated.start
        if self.value is not None:
            return self.value, None
        earlier = [v for v in self.values if v.start <= day]
        chosen = earlier[-1] if earlier else self.values[0]
        return chosen.value, chosen.start

    def shown(self) -> str:
        """Every value as a percentage: "1.5%" or "2013-01-01起 1.5%；…"."""
        parts = [] if self.value is None else [_percent(self.value)]
        parts += [_dated_text(v, _percent(v.value)) for v in self.values]
        return "；".join(parts)


def _percent(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"


# a rule's ``applies_when`` is the one condition model money's ``when`` also is
AppliesWhen = Condition


class RuleSpec(_Strict):
    id: str
    kind: str = Field(
        "function",
        description="规则种类（docs/program-files.md 第四节）；function：程序中登记的规则",
    )
    function: str | None = Field(None, description="kind = function 时登记的规则名（默认同 id）")
    clause: str
    sheet: SheetKind
    severity: Severity = "error"
    summary: str
    reading: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    applies_when: Condition | None = Field(
        None, description="只对满足条件的行适用（条件的写法见“条件”一节，与补贴的 when 相同）"
    )
    skip_message: str | None = Field(
        None,
        description="规则不能运行（跳过）时的说明；{reason} 处填入程序给出的原因",
    )

    @field_validator("skip_message")
    @classmethod
    def _skip_message(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                value.format(reason="")
            except (KeyError, IndexError, ValueError) as error:
                raise ValueError(
                    f"skip_message 中的占位符有误（{error}）；只可用 {{reason}}"
                ) from None
        return value

    def skipped_because(self, reason: str) -> str:
        """Why the rule is skipped, in the file's words when it states them (``skip_message``)."""
        return self.skip_message.format(reason=reason) if self.skip_message else reason

    @property
    def condition(self) -> Condition | None:
        return self.applies_when


class LocalParameter(_Strict):
    """A number or list the document leaves to the bureau: shipped without a value."""

    name: str
    kind: ParameterKind
    description: str
    clause: str
    keys: list[str] = Field(default_factory=list)
    default: str | bool | None = None
    example: str | bool | dict[str, str] | None = None  # for `skillpolicy init`, illustrative


class Contact(_Strict):
    """Whom the public writes to about a notice (联系人, 联系电话), as the document names them."""

    name: str = Field(min_length=1)
    phone: str = Field(min_length=1)


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
    """How a program's money is computed, all of it data (:mod:`.paymodel`): the amount's
    parts, a factor, tranches, refusals, pending notes, the payee and the rounding."""

    sheet: SheetKind
    method: str = Field(
        pattern=r"^[a-z][a-z0-9-]*$", description="计发方式的名称（仅作说明，如 per-trainee）"
    )
    clause: str
    summary: str
    reading: str | None = None
    amount: str | None = None  # name of an [[amounts]] entry
    amount_column: str | None = None  # or a column whose value picks one of amount_by
    amount_by: dict[str, str] = Field(default_factory=dict)  # column value -> [[amounts]] name
    amount_parameter: str | None = None  # or of a local parameter
    parts: list[AmountPart] = Field(default_factory=list, description="金额为这几部分之和")
    factor: Factor | None = Field(None, description="条件成立时金额乘以的系数")
    tranches: list[Tranche] = Field(default_factory=list, description="分几笔发放")
    refuse: list[Refusal] = Field(default_factory=list, description="整行不予发放的条件")
    rounding: Rounding = Field(default_factory=Rounding, description="金额的舍入")
    payee: Literal["trainee", "institution", "unit"] | list[PayeeOption]
    outcome: str | None = None  # column whose blank value means "pending"
    outcome_rule: str | None = None  # the rule a pending line cites
    pending_values: list[str] = Field(default_factory=list)
    requires: list[str] = Field(default_factory=list)
    key: list[str] = Field(min_length=1)  # columns that identify what is paid (ledger key)

    @property
    def amount_parts(self) -> list[AmountPart]:
        """The parts the amount adds up, the shorthand keys (amount, amount_parameter,
        amount_column with amount_by) spelt out as parts."""
        short: list[AmountPart] = []
        if self.amount is not None:
            short.append(AmountPart(amount=self.amount))
        if self.amount_parameter is not None:
            short.append(AmountPart(parameter=self.amount_parameter))
        if self.amount_by:
            short.append(AmountPart(column=self.amount_column, by=self.amount_by))
        return [*short, *self.parts]

    @property
    def tranche_numbers(self) -> list[int | None]:
        """The tranche of each line a row gets: [1, 2, …], or [None] for one line."""
        return list(range(1, len(self.tranches) + 1)) if self.tranches else [None]

    def conditions(self) -> list[Condition]:
        """Every condition the entry states, in the order a run reads them."""
        found = [refusal.when for refusal in self.refuse]
        if self.factor is not None and self.factor.when is not None:
            found.append(self.factor.when)
        for tranche in self.tranches:
            found += [r.when for r in tranche.refuse] + [p.when for p in tranche.pending]
        if not isinstance(self.payee, str):
            found += [option.when for option in self.payee if option.when is not None]
        return found


class Scoring(_Strict):
    """How the experts' scores on a score sheet make each unit's 评审得分 (``skillpolicy review
    score``); the quota it then applies is the designation sheet's ``quota`` rule."""

    clause: str = Field(description="出处条款，如 三、3")
    summary: str = Field(description="评分办法的概括")
    reading: str | None = Field(None, description="文件未规定时选定的理解")
    method: Literal["mean", "trimmed-mean"] = Field(
        "trimmed-mean",
        description="mean 算术平均；trimmed-mean 评分专家够数时去掉最高分和最低分再平均",
    )
    trim_from: int = Field(
        5, ge=3, description="trimmed-mean：至少这么多位专家评分时去掉最高、最低分"
    )
    places: int = Field(2, ge=0, le=4, description="评审得分保留的小数位数（四舍五入）")
    minimum_designated: int = Field(0, ge=0, description="拟授牌单位的下限；不足时提醒")


class InForce(_Strict):
    """When a program is in force (``in_force = { from = …, to = … }``); ``to`` may be open."""

    start: date = Field(alias="from", description="施行起始日（含）")
    to: date | None = Field(None, description="施行截止日（含）；不写为至今有效")
    clause: str = Field(description="出处条款，如实施方案规定的活动期间")


class FormDeclaration(_Strict):
    """A Word form the program prints (``skillpolicy render``): its id, the layout (data model
    and sheet reading, in ``render.forms``) that fills it, its template, sheet and columns."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="文书编号（render 的第一个参数）")
    layout: str = Field(description="文书的版式：按哪种数据模型从表中取数（render --list 列出）")
    title: str = Field(description="文书名称")
    template: str | None = Field(
        None, description="Word 模板文件名（templates/ 或 --template-dir 中）；默认：文书编号.docx"
    )
    sheet: SheetKind = Field(description="数据表的种类（按此读表头）")
    required: list[str] = Field(
        default_factory=list, description="打印必需的列；其余缺列的项在文书上留空"
    )
    checked: bool = Field(False, description="true：打印前按本项目的规则核对该表（有错不打印）")
    source: str = Field(description="--data 是什么，render --list 显示")
    file_name: str = Field(
        description="每份文书的文件名（不含 .docx），可用 {字段} 引用文书字段，如 附件2-{单位名称}"
    )
    summary: list[str] = Field(min_length=1, description="汇总表列出的文书字段")
    working_days: int | None = Field(
        None, ge=1, description="公示期的工作日数（designation-notice 版式须写，如 5）"
    )


STALE_PROGRAM = "stale-program"
COLUMN_TYPE = "column-type"


class Program(_Strict):
    id: str
    title: str
    document: str
    issuer: str
    issued: date
    reference_date: date
    reference_date_note: str
    reference_column: str | None = Field(
        "开班日期",
        description="各行的参照日所在的列（按生效日取值时用这一天）；该列未填或不写时用 "
        "reference_date；--as-of 优先",
    )
    deadline: date | None = None
    region: str
    catalog: str | None = None
    funding_source: str | None = None
    contact: Contact | None = None
    localities: list[str] = Field(default_factory=list)  # 所在地 dropdown of the blank template
    area_code: str | None = None  # telephone area code for examples on the clerk's forms
    reading: str | None = None
    sheets: dict[SheetKind, SheetSpec]
    targets: list[Target] = Field(default_factory=list)
    amounts: list[Amount] = Field(default_factory=list)
    rates: list[Rate] = Field(default_factory=list)
    rules: list[RuleSpec] = Field(min_length=1)
    local_parameters: list[LocalParameter] = Field(default_factory=list)
    subsidies: list[SubsidySpec] = Field(default_factory=list)
    in_force: InForce | None = None
    scoring: Scoring | None = None
    columns: dict[str, ColumnSpec] = Field(
        default_factory=dict,
        description="本项目自己的列，或对共用列（catalogs/columns.toml）的收窄：列名 → 列的声明",
    )
    forms: list[FormDeclaration] = Field(
        default_factory=list, description="本项目打印的文书（skillpolicy render）"
    )
    _column_set: ColumnSet | None = PrivateAttr(None)

    def column_set(self) -> ColumnSet:
        """The columns this program's sheets use: the shared ones with ``[columns]`` applied."""
        if self._column_set is None:
            self._column_set = shared_columns().with_program(self.columns)
        return self._column_set

    @model_validator(mode="after")
    def _column_type_rules(self) -> Program:
        """A sheet using a column the program file declares or narrows has its cells checked
        against that declaration (column-type), unless the file lists the rule itself."""
        listed = {spec.sheet for spec in self.rules if spec.id == COLUMN_TYPE}
        for kind, sheet in self.sheets.items():
            if kind in listed or not any(name in self.columns for name in sheet.columns):
                continue
            self.rules.append(
                RuleSpec(
                    id=COLUMN_TYPE,
                    clause="列的声明",
                    sheet=kind,
                    summary="本项目文件声明（或收窄）的列，单元格须符合其类型、取值和上下限",
                    reading="按项目文件 [columns] 中的声明逐格检查；空白单元格不在此检查",
                )
            )
        return self

    @model_validator(mode="after")
    def _stale_program_rules(self) -> Program:
        """A program in force for a period checks every sheet against it (stale-program),
        unless the file lists that rule for the sheet itself."""
        if self.in_force is None:
            return self
        listed = {spec.sheet for spec in self.rules if spec.id == STALE_PROGRAM}
        until = self.in_force.to.isoformat() if self.in_force.to else "今"
        for kind in self.sheets:
            if kind not in listed:
                self.rules.append(
                    RuleSpec(
                        id=STALE_PROGRAM,
                        clause=self.in_force.clause,
                        sheet=kind,
                        severity="warning",
                        summary=f"本项目施行期间为 {self.in_force.start.isoformat()} 至 {until}",
                        reading="参照日（开班日期；未填的用项目参照日；--as-of 优先）"
                        "在施行期间之外的，全表提醒一次",
                    )
                )
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

    def rule_title(self, rule_id: str) -> str:
        """A rule as a clerk reads it (its summary in the program file), never its English id."""
        for spec in self.rules:
            if spec.id == rule_id:
                return spec.summary
        return OTHER_RULE_TITLES.get(rule_id, "其他规定")

    @property
    def fund(self) -> str:
        """The fund as an official paper names it: ``funding_source`` without its clause note."""
        import re

        return re.sub(
            r"[（(][一二三四五六七八九十\d()（）、，,\s]+[）)]$", "", self.funding_source or ""
        )

    def parameter_title(self, name: str) -> str:
        """A fixed amount or local parameter as a clerk reads it (its description)."""
        for amount in self.amounts:
            if amount.name == name:
                return amount.description
        parameter = self.local_parameter(name)
        return parameter.description if parameter is not None else name

    def citation(self, clause: str) -> str:
        return f"{self.document} {clause}"

    def local_parameter(self, name: str) -> LocalParameter | None:
        return next((p for p in self.local_parameters if p.name == name), None)


# How `program show` names a rule parameter for a clerk; `*_column(s)` read as the column.
_PARAM_LABELS = {
    "allowed": "可选",
    "applies_to": "适用于",
    "column": "列",
    "columns": "列",
    "or_else": "为空时改用",
    "required": "须填写",
    "group": "分组",
    "label": "称呼一组用",
    "rank": "排名依据",
    "order": "排序",
    "counted": "计入",
    "among": "只计",
    "weight": "求和列",
    "at": "提示所在列",
    "of": "取",
    "minimum": "至少",
    "maximum": "至多",
    "minimum_enterprises": "合作企业至少",
    "minimum_specialities": "共建专业至少",
    "contract_months": "劳动合同至少（月）",
    "insurance_months": "社保缴纳至少（月）",
    "levels": "等级",
    "groups": "人员类别",
    "types": "培训类型",
    "months": "期限（月）",
    "passed": "合格",
    "failed": "不合格",
    "pending": "待定",
    "paths": "晋升年限",
    "quotas": "名额",
    "floor": "下限",
    "ceiling": "上限",
}


def _readable_value(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except ArithmeticError:
            return value
        if number.is_finite() and "." in value and 0 < number <= 1:
            return f"{(number * 100).normalize():f}%"  # a share or rate: 0.60 reads as 60%
        return value
    if isinstance(value, dict):
        if {"from", "value"} <= set(value) <= {"from", "to", "value"}:  # a dated value
            until = f"至{value['to']}" if "to" in value else ""
            return f"{value['from']}起{until} {_readable_value(value['value'])}"
        if set(value) == {"from", "to", "years"}:
            return f"{value['from']}→{value['to']} 满{value['years']}年"
        return "，".join(f"{key} {_readable_value(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        joiner = "；" if any(isinstance(item, dict) for item in value) else "、"
        return joiner.join(_readable_value(item) for item in value)
    return str(value)


def describe_rule_params(params: dict[str, Any], program: Program | None = None) -> str:
    """A rule's parameters as a clerk reads them: ``可选：脱产、半脱产；至少：60%``, never a
    Python repr; a value naming one of ``program``'s rates or amounts shows its number."""
    rates = {rate.name: rate for rate in program.rates} if program else {}
    amounts = {amount.name: amount for amount in program.amounts} if program else {}
    parts = []
    for key, value in params.items():
        label = _PARAM_LABELS.get(key)
        if label is None and key.endswith("_column"):
            label = "列"
        if isinstance(value, str) and value in rates:
            rate = rates[value]
            shown = f"{rate.shown()}（{rate.clause}）"
        elif isinstance(value, str) and value in amounts:
            amount = amounts[value]
            money = f"{amount.amount:,.2f}" if amount.amount is not None else amount.shown()
            shown = f"{money} 元（{amount.clause}）"
        else:
            shown = _readable_value(value)
        parts.append(f"{label or key}：{shown}")
    return "；".join(parts)
