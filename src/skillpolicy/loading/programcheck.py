"""Checking a program file whole: every problem at once, each with file, line and key path.

A program file is read in three passes, and the problems of all three are reported together:

1. the structure (keys, types, dates) against the pydantic models in :mod:`.programs`;
2. each rule's ``params`` against the parameters its kind takes (:data:`RULE_PARAMS`);
3. what the rules and money methods need from the rest of the file: an occupation catalog
   that exists, a deadline, the local parameters naming a name list, the amounts and rates a
   method reads; ids unique and dates in order.

Nothing here runs a rule; a file that passes loads and runs without an internal error.
"""

from __future__ import annotations

import builtins
import difflib
import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..domain.errors import CatalogError
from ..domain.values import ValueProblem, parse_level
from ..io.datafile import KeyedError, describe_error, locate, read_toml
from ..io.resources import SearchPath
from ..policy.dated import coverage_problems, dated_entries, iter_dated

# --- what each rule kind takes as params ------------------------------------------------------


class _Params(BaseModel):
    # built when a rule of the kind is first checked: a run checks one program, which uses
    # a few of the kinds (the program's own models are not deferred: Program builds them)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


Ratio = Decimal  # a share written as a quoted decimal, "0.60" for 60%


class NoParams(_Params):
    """The rule takes no parameters."""


class ClosedListParams(_Params):
    """A value from a closed list (training-category: the program's department targets)."""

    column: str | None = Field(None, description="列名（省略时用该规则的默认列）")
    allowed: list[str] | None = Field(None, description="允许的取值", min_length=1)


class CatalogParams(_Params):
    column: str = Field("职业(工种)", description="职业（工种）列")


class SchoolEnterpriseParams(_Params):
    contract_months: int = Field(ge=0, description="劳动合同期限下限（月，含）")
    insurance_months: int = Field(ge=0, description="社保缴纳月数下限（含）")
    levels: list[str] = Field(min_length=1, description="适用的等级")


class AttendanceParams(_Params):
    minimum: Ratio = Field(ge=0, le=1, description='到课率下限（含），如 "0.60"')


class PartnersParams(_Params):
    applies_to: list[str] = Field(min_length=1, description="适用的单位类型")
    enterprises_column: str = Field(description="合作企业数列")
    minimum_enterprises: int = Field(ge=0, description="合作企业数下限（含）")
    specialities_column: str = Field(description="共建专业数列")
    minimum_specialities: int = Field(ge=0, description="共建专业数下限（含）")


class AwardQuotaParams(_Params):
    quotas: dict[str, int] = Field(min_length=1, description="奖项 → 每次名额")


class LevelsParams(_Params):
    levels: list[str] = Field(min_length=1, description="适用的等级")


class EducationFundParams(_Params):
    floor: str = Field("education_fund_floor", description="[[rates]] 中下限的名称")
    ceiling: str = Field("education_fund_ceiling", description="[[rates]] 中上限的名称")


# --- what each rule kind (rules/kinds.py) takes as params -----------------------------------


class _KindParams(_Params):
    """A kind's params: ``messages`` may replace any of its message templates."""

    templates: ClassVar[dict[str, frozenset[str]]] = {}  # message name -> its placeholders

    messages: dict[str, str] = Field(
        default_factory=dict, description="替换该种类的提示语模板（{column} 等占位符见文档）"
    )

    @model_validator(mode="after")
    def _templates(self) -> _KindParams:
        for name, text in self.messages.items():
            if name not in self.templates:
                allowed = "、".join(sorted(self.templates))
                raise KeyedError(f"没有「{name}」这种提示语；可写：{allowed}", ("messages", name))
            names = {"summary", *self.templates[name]}
            try:
                # a placeholder in Chinese names a column of the row ({单位类型})
                text.format(**dict.fromkeys(names | set(quoted_columns(text)), ""))
            except (KeyError, IndexError, ValueError) as error:
                shown = "、".join("{" + n + "}" for n in sorted(names))
                raise KeyedError(
                    f"提示语中的占位符有误（{error}）；可用：{shown}", ("messages", name)
                ) from None
        return self


def quoted_columns(text: str) -> list[str]:
    """The columns a message template quotes: its placeholders that are not ASCII names
    (``{单位类型}``; the kinds' own values are ASCII: ``{column}``, ``{value}``…)."""
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(text) if field]
    except ValueError:
        return []
    return [field for field in fields if not field.isascii()]


class OneOfKind(_KindParams):
    """one-of: the cell holds one of ``allowed``."""

    templates: ClassVar[dict[str, frozenset[str]]] = {
        "blank": frozenset({"column", "allowed"}),
        "outside": frozenset({"column", "value", "allowed", "hint"}),
        "failing": frozenset({"column", "value"}),
    }
    column: str = Field(description="列名")
    allowed: list[str] = Field(min_length=1, description="允许的取值")
    blank_allowed: bool = Field(False, description="为空时不算问题")
    multiple: bool = Field(False, description="可多选：以、，；或空格分隔，每一项都须在 allowed 中")
    failing: list[str] = Field(
        default_factory=list,
        description="认得但仍是问题的取值（如鉴定结果“不合格”），提示语用 failing",
    )
    read: Literal["level"] | None = Field(
        None,
        description="level：按职业资格等级读（三级、高级工、预备技师按技师…），比较等级名称",
    )


class InCatalogKind(_KindParams):
    """in-catalog: the cell names an occupation of a catalog."""

    templates: ClassVar[dict[str, frozenset[str]]] = {
        "blank": frozenset({"column", "title"}),
        "outside": frozenset({"value", "title", "hint"}),
    }
    column: str = Field("职业(工种)", description="职业（工种）列")
    catalog: str | None = Field(None, description="目录编号（省略时用项目的 catalog）")
    catalog_parameter: str | None = Field(
        None,
        description="给出目录的本地参数（类型 catalog）：目录编号或参数文件旁的 .toml 文件",
    )

    @model_validator(mode="after")
    def _one_catalog(self) -> InCatalogKind:
        if self.catalog is not None and self.catalog_parameter is not None:
            raise KeyedError("catalog 和 catalog_parameter 只写一个", ("catalog_parameter",))
        return self


class YesKind(_KindParams):
    """yes: every named column answers 是."""

    templates: ClassVar[dict[str, frozenset[str]]] = {
        "blank": frozenset({"column"}),
        "no": frozenset({"column"}),
    }
    columns: list[str] = Field(min_length=1, description="须为“是”的各列")


Bound = Literal["以上", "不少于", "不低于", "超过", "以下", "不超过", "低于", "不满"]


class NumberKind(_KindParams):
    """number: an integer, a ratio or a number against a bound in the document's words, or
    within a range."""

    # an editor asks for one of the two: a bound's value, or a range
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={"oneOf": [{"required": ["value"]}, {"required": ["between"]}]},
    )

    templates: ClassVar[dict[str, frozenset[str]]] = {
        "blank": frozenset({"column", "bound"}),
        "missed": frozenset({"column", "value", "missed", "bound"}),
    }
    column: str = Field(description="数值列")
    type: Literal["integer", "ratio", "number"] = Field(
        "integer", description="integer：整数；ratio：比例；number：可带小数的数（如评分）"
    )
    bound: Bound = Field(
        "不少于",
        description="界限的说法：以上/不少于/不低于 ≥，超过 >，以下/不超过 ≤，低于/不满 <",
    )
    value: Decimal | None = Field(
        None, description='界限值：整数，或带引号的小数如 "0.60"（即60%）'
    )
    between: tuple[Decimal, Decimal] | None = Field(
        None, description='取值范围（两端都含），如 ["0", "100"]；写了它就不写 bound 和 value'
    )
    least: int | None = Field(
        None,
        ge=0,
        description="整数可读的最小值（更小的算填写有误；默认 1，界限小于 1 时为界限）",
    )

    @model_validator(mode="after")
    def _value_or_between(self) -> NumberKind:
        if self.between is None and self.value is None:
            raise KeyedError("缺少（必填）", ("value",))
        if self.between is not None:
            if self.value is not None or "bound" in self.model_fields_set:
                raise KeyedError("写了 between 就不写 bound 和 value", ("between",))
            if self.between[0] > self.between[1]:
                raise KeyedError("between 的下限大于上限，请检查是否写反", ("between",))
        return self


class DateOrderKind(_KindParams):
    """date-order: a date on or before another column's, a fixed date or the deadline."""

    templates: ClassVar[dict[str, frozenset[str]]] = {
        "blank": frozenset({"column", "limit"}),
        "other_blank": frozenset({"column", "other"}),
        "late": frozenset({"column", "value", "other", "limit"}),
    }
    column: str = Field(description="日期列")
    not_after_column: str | None = Field(None, description="不得晚于这一列的日期")
    not_after: date | None = Field(None, description="不得晚于这一天（省略时用项目的 deadline）")
    fact: str | None = Field(
        None,
        description="表中没有该列时，改用表头上方写的这一项（如 填报日期），对每一行都适用",
    )


class NameListEntry(_KindParams):
    """One of several name lists a name-list rule reads (``lists``)."""

    templates: ClassVar[dict[str, frozenset[str]]] = {
        "outside": frozenset({"column", "value"}),
        "listed": frozenset({"column", "value"}),
    }
    list: str = Field(description="给出名单的本地参数（类型 file）")
    listed: bool = Field(True, description="true：须在名单内；false：不得在名单上")


class NameListKind(_KindParams):
    """name-list: the cell's name is (or is not) on a local parameter's name list."""

    templates: ClassVar[dict[str, frozenset[str]]] = {
        "blank": frozenset({"column"}),
        "outside": frozenset({"column", "value"}),
        "listed": frozenset({"column", "value"}),
    }
    column: str = Field(description="名称列")
    list: str | None = Field(None, description="给出名单的本地参数（类型 file）")
    listed: bool = Field(True, description="true：须在名单内；false：不得在名单上")
    lists: builtins.list[NameListEntry] | None = Field(
        None,
        min_length=2,
        description="对照几份名单（写了它就不写 list 和 listed）：依次核对参数已设置的各份，"
        "都未设置时不检查",
    )

    @model_validator(mode="after")
    def _one_way(self) -> NameListKind:
        if self.lists is None and self.list is None:
            raise KeyedError("缺少（必填）；或写 lists 对照几份名单", ("list",))
        if self.lists is not None and (self.list is not None or "listed" in self.model_fields_set):
            raise KeyedError("写了 lists 就不写 list 和 listed（写在 lists 的各项中）", ("lists",))
        return self


class ExcludesKind(_KindParams):
    """excludes: the cell's text does not contain ``text``."""

    templates: ClassVar[dict[str, frozenset[str]]] = {"found": frozenset({"column", "value"})}
    column: str = Field(description="列名")
    text: str = Field(min_length=1, description="含有这段文字的行不属本项目")


def _a_level(value: str) -> str:
    """A level as the document writes it (三级 or 高级工), refused when it is none."""
    try:
        parse_level(value)
    except ValueProblem:
        raise ValueError(
            "不是职业资格等级；应为：五级/初级工、四级/中级工、三级/高级工、二级/技师、一级/高级技师"
        ) from None
    return value


class TenurePath(_Params):
    """One path of level-tenure: holding ``from`` for ``years`` years, apply for ``to``."""

    from_: str = Field(alias="from", description="现等级（须持有的等级）")
    to: str = Field(description="申报等级")
    years: int = Field(gt=0, description="现等级须满的年数（含）")

    @field_validator("from_", "to")
    @classmethod
    def _levels(cls, value: str) -> str:
        return _a_level(value)


class LevelTenureKind(_KindParams):
    """level-tenure: a level held N years by the reference date before applying for the next."""

    templates: ClassVar[dict[str, frozenset[str]]] = {
        "blank_applied": frozenset({"column", "allowed"}),
        "other_level": frozenset({"column", "level", "allowed"}),
        "blank_current": frozenset({"column", "level", "needed", "years"}),
        "wrong_current": frozenset({"column", "held", "level", "needed", "years"}),
        "blank_obtained": frozenset({"column", "level", "needed", "years"}),
        "short": frozenset({"column", "value", "reference", "due", "level", "needed", "years"}),
    }
    paths: list[TenurePath] = Field(min_length=1, description="晋升路径：from、to、years")
    applied_column: str = Field("申报等级", description="申报等级列")
    current_column: str = Field("现等级", description="现等级列")
    obtained_column: str = Field("取证日期", description="现等级的取证日期列")
    reference_column: str = Field(
        "开班日期", description="参照日列（为空时用项目的 reference_date）"
    )


class DurationKind(_KindParams):
    """duration: from one date to another at most N months."""

    templates: ClassVar[dict[str, frozenset[str]]] = {
        "by_blank": frozenset({"column", "value", "allowed"}),
        "by_outside": frozenset({"column", "value", "allowed"}),
        "blank": frozenset({"column"}),
        "reversed": frozenset({"column", "value", "other", "start"}),
        "over": frozenset({"column", "form", "start", "value", "months", "last"}),
    }
    start_column: str = Field("开班日期", description="起始日期列")
    end_column: str = Field("结业日期", description="结束日期列")
    months: int | dict[str, int] = Field(
        description="最长月数（含）；或按 by 列的取值分别写，如 { 全脱产 = 3, 半脱产 = 6 }"
    )
    by: str | None = Field(None, description="months 按这一列的取值分别写时的列名")

    @model_validator(mode="after")
    def _months_by(self) -> DurationKind:
        table = isinstance(self.months, dict)
        if table and not self.by:
            raise KeyedError("months 按取值分别写时须写 by（按哪一列取值）", ("by",))
        if not table and self.by:
            raise KeyedError("写了 by 时 months 须按取值分别写，如 { 全脱产 = 3 }", ("months",))
        months = self.months.values() if isinstance(self.months, dict) else [self.months]
        if (table and not self.months) or any(m <= 0 for m in months):
            raise KeyedError("月数应为正整数", ("months",))
        return self


class LevelStepKind(_KindParams):
    """level-step: the level applied for is at most N levels above the level held."""

    templates: ClassVar[dict[str, frozenset[str]]] = {
        "over": frozenset({"column", "held_column", "held", "level", "steps"}),
    }
    column: str = Field("申报等级", description="申报等级列")
    held_column: str = Field("现等级", description="现等级列")
    at_most: int = Field(1, ge=0, description="最多高出现等级几级（含）；1 即只能申报上一级")


class FilledKind(_KindParams):
    """filled: a cell that must be filled (or, with filled = false, left empty)."""

    templates: ClassVar[dict[str, frozenset[str]]] = {
        "blank": frozenset({"column"}),
        "filled": frozenset({"column", "value"}),
    }
    column: str = Field(description="列名")
    filled: bool = Field(True, description="true：须填写（默认）；false：须为空")


class AllOfKind(_KindParams):
    """all-of: several kinds under one rule id, each with its params and applies_when."""

    checks: list[dict[str, Any]] = Field(
        min_length=1,
        description="各部分：kind、该种类的参数，可选 applies_when；依次核对",
    )
    first: bool = Field(False, description="true：一行有了第一条问题就不再核对后面的部分")


class ValidKind(_KindParams):
    """valid: identifier columns hold valid values of their declared type."""

    templates: ClassVar[dict[str, frozenset[str]]] = {
        "person-id": frozenset({"column", "problem"}),
        "credit-code": frozenset({"column", "problem"}),
        "phone": frozenset({"column", "problem"}),
        "postcode": frozenset({"column", "problem"}),
        "sex_unknown": frozenset({"column", "value"}),
        "sex_differs": frozenset({"column", "value", "id_column", "sex"}),
        "missing": frozenset({"reason"}),
    }
    columns: list[str] = Field(
        min_length=1,
        description="各列（类型须为 person-id、credit-code、phone 或 postcode），表中有的都核对",
    )
    blank_allowed: bool = Field(True, description="true：为空不算问题（默认）；false：为空也提示")
    sex_column: str = Field("性别", description="person-id：须与身份证号第17位一致的性别列")
    reference_column: str = Field(
        "开班日期", description="person-id：出生日期不得晚于的参照日列（为空时用项目的参照日）"
    )


class SumKind(_KindParams):
    """sum: the sum of several integer columns against a bound in the document's words."""

    templates: ClassVar[dict[str, frozenset[str]]] = {
        "blank": frozenset({"columns"}),
        "missed": frozenset({"columns", "value", "missed", "bound"}),
    }
    columns: list[str] = Field(min_length=1, description="相加的整数列（至少两列，为空的按0计）")
    bound: Bound = Field("不少于", description="界限的说法，同 number")
    value: int = Field(description="界限值（整数）")

    @model_validator(mode="after")
    def _two_or_more(self) -> SumKind:
        if len(self.columns) < 2:
            raise KeyedError("sum 至少写两列；只核对一列时用 number", ("columns",))
        return self


VALID_TYPES = ("person-id", "credit-code", "phone", "postcode")


class DuplicateKind(_KindParams):
    """duplicate: rows whose key columns all hold the same values."""

    templates: ClassVar[dict[str, frozenset[str]]] = {
        "blank": frozenset({"column"}),
        "repeated": frozenset({"first", "columns", "column", "value"}),
    }
    columns: list[str] = Field(min_length=1, description="这些列都相同的为重复；第一列为主")
    or_else: dict[str, str] = Field(
        default_factory=dict,
        description="某列为空（或表中没有）时改用的列，如统一社会信用代码 → 单位名称",
    )
    required: list[str] = Field(
        default_factory=list, description="为空即为问题的键列（其余为空的行不比较）"
    )

    @model_validator(mode="after")
    def _named_columns(self) -> DuplicateKind:
        for key in ("or_else", "required"):
            for name in getattr(self, key):
                if name not in self.columns:
                    raise KeyedError(f"「{name}」不在 columns 中", (key, name))
        return self


class ShareKind(_KindParams):
    """share: per group, the share of rows (or of a sum) answering 是 or 否, against a bound."""

    templates: ClassVar[dict[str, frozenset[str]]] = {
        "missed": frozenset(
            {"group", "column", "counted", "count", "total", "share", "missed", "bound"}
        ),
    }
    column: str = Field(description="是/否列；写了 among 时为文字列")
    counted: str | list[str] = Field(
        "是", description="计入比例的回答（是或否），或 among 中的取值"
    )
    among: list[str] | None = Field(
        None, min_length=1, description="只计这一列为这些取值的行（文字列，如合格、不合格）"
    )
    at: str | None = Field(None, description="提示所在的列（默认 column）")
    group: str | None = Field(None, description="按这一列分组（省略时全表一组）")
    weight: str | None = Field(None, description="按这一整数列求和（省略时数行数）")
    bound: Bound = Field(
        description="界限的说法：以上/不少于/不低于 ≥，超过 >，以下/不超过 ≤，低于/不满 <"
    )
    value: Ratio = Field(ge=0, le=1, description='比例界限，带引号的小数，如 "0.30"')

    @model_validator(mode="after")
    def _counted(self) -> ShareKind:
        counted = [self.counted] if isinstance(self.counted, str) else self.counted
        if self.among is None and counted not in (["是"], ["否"]):
            raise KeyedError("没写 among 时应为“是”或“否”", ("counted",))
        for value in counted:
            if self.among is not None and value not in self.among:
                raise KeyedError(f"「{value}」不在 among 中", ("counted",))
        return self


class DistinctCountKind(_KindParams):
    """distinct-count: per group, how many different values a column holds."""

    templates: ClassVar[dict[str, frozenset[str]]] = {
        "missed": frozenset({"group", "column", "count", "missed", "bound"}),
    }
    column: str = Field(description="数其中不同取值的列（如专家）")
    group: list[str] = Field(default_factory=list, description="按这些列分组（省略时全表一组）")
    or_else: dict[str, str] = Field(default_factory=dict, description="分组列为空时改用的列")
    label: str | None = Field(None, description="提示中称呼一组所用的列（取该组第一行）")
    except_column: str | None = Field(None, description="该组各行在此列列出的值不计（如回避专家）")
    bound: Bound = Field(
        "不少于", description="界限的说法：以上/不少于/不低于 ≥，超过 >，以下/不超过 ≤，低于/不满 <"
    )
    value: int = Field(ge=0, description="界限值（个数）")

    @model_validator(mode="after")
    def _named_columns(self) -> DistinctCountKind:
        for name in self.or_else:
            if name not in self.group:
                raise KeyedError(f"「{name}」不在 group 中", ("or_else", name))
        return self


class NotListedKind(_KindParams):
    """not-listed: a row's value is not one of the names its group's rows list in another column."""

    templates: ClassVar[dict[str, frozenset[str]]] = {
        "listed": frozenset({"group", "column", "value", "listed_column", "listed_row"}),
    }
    column: str = Field(description="核对的列（如专家）")
    listed_column: str = Field(
        description="列出不得出现的名称的列（如回避专家；多个以、，；/或空格分隔）"
    )
    group: list[str] = Field(
        default_factory=list, description="按这些列分组（省略时全表一组），如申报单位"
    )
    or_else: dict[str, str] = Field(default_factory=dict, description="分组列为空时改用的列")
    label: str | None = Field(None, description="提示中称呼一组所用的列（取该组第一行）")

    @model_validator(mode="after")
    def _named_columns(self) -> NotListedKind:
        for name in self.or_else:
            if name not in self.group:
                raise KeyedError(f"「{name}」不在 group 中", ("or_else", name))
        if self.listed_column == self.column:
            raise KeyedError(
                "listed_column 应是列出名称的另一列，不能与 column 相同", ("listed_column",)
            )
        return self


_QUOTA_ROW = frozenset({"group", "count", "maximum", "rank", "place"})
_QUOTA_TIE = frozenset({"group", "count", "maximum", "rank", "rows", "tied", "place", "left"})


class QuotaKind(_KindParams):
    """quota: at most N rows per group take a place, ranked by a score; ties across the line
    are held for review."""

    templates: ClassVar[dict[str, frozenset[str]]] = {
        "over": frozenset({"group", "count", "maximum"}),
        "beyond": _QUOTA_ROW | {"value"},
        "beyond_unranked": _QUOTA_ROW,
        "tied": _QUOTA_TIE | {"value"},
        "tied_unranked": _QUOTA_TIE,
    }
    rank: str = Field(description="排名所依据的分数列")
    order: Literal["highest", "lowest"] = Field(
        "highest", description="highest：分高者在前（评审得分）；lowest：小者在前（名次）"
    )
    maximum: int = Field(gt=0, description="每组名额上限（含）")
    counted: str | None = Field(None, description="只计这一是/否列为“是”的行（如是否授牌）")
    group: list[str] = Field(default_factory=list, description="按这些列分组，各组名额分开计")
    at: str | None = Field(None, description="提示所在的列（默认 counted，否则 rank）")


class GroupNumberKind(_KindParams):
    """group-number: per group of rows, the highest (or the sum) of a number column."""

    templates: ClassVar[dict[str, frozenset[str]]] = {
        "missed": frozenset({"group", "rows", "column", "value", "missed", "bound"}),
    }
    group: list[str] = Field(min_length=1, description="这些列都相同的行为一组（如一个班）")
    column: str = Field(description="整数列（如抽查次数）；空白按0计")
    of: Literal["max", "sum"] = Field("max", description="max：取组内最大的；sum：组内相加")
    label: list[str] | None = Field(None, description="提示中称呼一组所用的列（默认 group）")
    bound: Bound = Field(
        "不少于", description="界限的说法：以上/不少于/不低于 ≥，超过 >，以下/不超过 ≤，低于/不满 <"
    )
    value: int = Field(ge=0, description="界限值")


LEDGER_FACTS = Literal[
    "subject",
    "enterprise",
    "occupation",
    "level",
    "target",
    "name",
    "institution",
    "locality",
    "training_type",
    "person_category",
]
_HISTORY_FOUND = frozenset(
    {"column", "people", "runs", "run", "date", "file", "office", "year", "plan_year"}
) | frozenset(get_args(LEDGER_FACTS))


class LedgerHistoryKind(_KindParams):
    """ledger-history: the row's key already paid in the ledger in earlier years."""

    templates: ClassVar[dict[str, frozenset[str]]] = {
        "found": _HISTORY_FOUND,
        "no_ledger": frozenset({"year", "plan_year"}),
    }
    match: dict[LEDGER_FACTS, str] = Field(
        min_length=1,
        description='台账各笔的哪一项 → 表中哪一列，如 { subject = "身份证号", occupation = '
        '"职业(工种)" }；须含 subject（身份证号或信用代码）或 enterprise（所在企业）',
    )
    years: Literal["earlier", "year-before"] = Field(
        "earlier", description="earlier：该行年度以前各年；year-before：该行年度的前一年"
    )
    plan_year: int | None = Field(
        None, ge=2000, le=2099, description="各行都以这一年为年度（如计划年度 2013）"
    )
    year_column: str | None = Field(
        None, description="各行年度取自这一日期列（默认项目的 reference_column，即开班日期）"
    )
    approved_only: bool = Field(False, description="true：只计已审批、未作废的运行")
    at: str | None = Field(None, description="提示所在的列（默认 occupation 对应的列）")

    @model_validator(mode="after")
    def _indexed(self) -> LedgerHistoryKind:
        if "subject" not in self.match and "enterprise" not in self.match:
            raise KeyedError("match 须含 subject 或 enterprise（台账按这两项查询）", ("match",))
        if self.at is not None and self.at not in self.match.values():
            raise KeyedError(f"「{self.at}」不是 match 中的列", ("at",))
        return self


KIND_PARAMS: dict[str, type[_KindParams]] = {
    "ledger-history": LedgerHistoryKind,
    "valid": ValidKind,
    "sum": SumKind,
    "all-of": AllOfKind,
    "filled": FilledKind,
    "level-step": LevelStepKind,
    "duration": DurationKind,
    "level-tenure": LevelTenureKind,
    "group-number": GroupNumberKind,
    "quota": QuotaKind,
    "distinct-count": DistinctCountKind,
    "not-listed": NotListedKind,
    "share": ShareKind,
    "duplicate": DuplicateKind,
    "excludes": ExcludesKind,
    "name-list": NameListKind,
    "date-order": DateOrderKind,
    "one-of": OneOfKind,
    "in-catalog": InCatalogKind,
    "yes": YesKind,
    "number": NumberKind,
}


def _ids(model: type[_Params], *rule_ids: str) -> dict[str, type[_Params]]:
    return dict.fromkeys(rule_ids, model)


RULE_PARAMS: dict[str, type[_Params]] = {
    **_ids(
        ClosedListParams,
        "training-form",
        "training-type",
        "key-group",
        "applicant-type",
        "training-category",
    ),
    **_ids(
        NoParams,
        "identity",
        "institution-listed",
        "deadline",
        "stale-program",
        "column-type",
    ),
    "occupation-in-catalog": CatalogParams,
    "school-enterprise": SchoolEnterpriseParams,
    "attendance": AttendanceParams,
    "partners": PartnersParams,
    "award-quota": AwardQuotaParams,
    "shortage-technician": LevelsParams,
    "education-fund": EducationFundParams,
}

# Rules that read a name list or a catalog through a local parameter of the program.
RULE_LOCAL_PARAMETERS: dict[str, dict[str, str]] = {
    "institution-listed": {"institution_directory": "file", "credit_blacklist": "file"},
    "shortage-technician": {"shortage_catalog": "catalog"},
}

# What each money method reads besides its own keys: local parameters (name -> kind) and
# fixed amounts ([[amounts]] names).
LEVY_RATES = ("education_fund_floor", "education_fund_ceiling", "education_fund_levy_share")


# --- problems ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a program file: where (line, key path) and what, in Chinese."""

    file: str
    line: int | None
    key: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        if self.key:
            where += f" {self.key}"
        return f"{where}：{self.message}"


class ProgramFileError(CatalogError):
    """A program file with one or more problems; ``problems`` holds every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0]
        super().__init__(first.message, file=first.file, line=first.line, key=first.key)
        self.problems = problems

    def __str__(self) -> str:
        shown = "；".join(str(problem) for problem in self.problems)
        if len(self.problems) > 1:
            return f"项目文件有 {len(self.problems)} 处问题：{shown}"
        return shown


Loc = tuple[int | str, ...]


def _key(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Collector:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.problems: list[Problem] = []

    def add(self, message: str, loc: Loc, line: int | None = None) -> None:
        line = line if line is not None else locate(self.text, loc)
        self.problems.append(Problem(str(self.path), line, _key(loc) or None, message))

    def add_validation(
        self, exc: ValidationError, prefix: Loc = (), remap: Callable[[Loc], Loc] | None = None
    ) -> None:
        for error in exc.errors():
            loc = tuple(error["loc"])
            error["loc"] = (*prefix, *(remap(loc) if remap is not None else loc))
            line, key, reason = describe_error(error, self.text)
            if error["type"] == "missing":
                reason = "缺少（必填）"
            elif error["type"] == "decimal_parsing":
                reason = f'「{error["input"]}」应为数，写成带引号的小数，如 "0.60"（即60%）'
            elif error["type"] == "literal_error" and error["loc"][0] == "columns":
                from ..io.columns import COLUMN_TYPES

                reason += f"；可用的类型：{'、'.join(COLUMN_TYPES)}"
            self.problems.append(Problem(str(self.path), line, key, reason))


# --- the checks -------------------------------------------------------------------------------


def _check_params(found: _Collector, data: dict[str, Any]) -> None:
    from ..rules import known_rule_ids

    known = known_rule_ids()
    rules = data.get("rules")
    if not isinstance(rules, list):
        return
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict) or not isinstance(rule.get("id"), str):
            continue
        kind = rule.get("kind", "function")
        params = rule.get("params", {})
        if isinstance(kind, str) and kind != "function":
            if kind not in KIND_PARAMS:
                close = difflib.get_close_matches(kind, sorted(KIND_PARAMS), n=1, cutoff=0.6)
                hint = f"是否应为「{close[0]}」？" if close else ""
                found.add(
                    f"未知的规则种类「{kind}」；{hint}可用的种类："
                    f"{'、'.join(['function', *sorted(KIND_PARAMS)])}（docs/program-files.md 第四节）",
                    ("rules", index, "kind"),
                )
            elif isinstance(params, dict):
                at = ("rules", index, "params")
                if _validate_params(found, KIND_PARAMS[kind], params, at) and kind == "all-of":
                    _check_parts(found, params["checks"], (*at, "checks"))
            continue
        rule_id = rule.get("function") or rule["id"]
        if not isinstance(rule_id, str):
            continue  # the structure pass says "应为字符串"
        if rule_id not in known or rule_id not in RULE_PARAMS:
            close = difflib.get_close_matches(rule_id, sorted(RULE_PARAMS), n=1, cutoff=0.6)
            hint = f"是否应为「{close[0]}」？" if close else ""
            found.add(
                f"未知的规则编号「{rule_id}」（程序中没有这条规则的实现）；{hint}"
                "可用的规则见 docs/program-files.md 第四节或 skillpolicy program schema",
                ("rules", index, "function" if "function" in rule else "id"),
            )
            continue
        if not isinstance(params, dict):
            continue  # the structure pass says "应为表"
        _validate_params(found, RULE_PARAMS[rule_id], params, ("rules", index, "params"))


def _validate_params(
    found: _Collector, model: type[_Params], params: dict[str, Any], at: Loc
) -> bool:
    """``params`` against ``model``; a parameter written by dates has its form and order
    checked and each of its values validated in its place (the problem at its entry).
    True when no problem was found."""
    dated: dict[str, list[Any]] = {}
    for name, value in iter_dated(params):
        try:
            dated[name] = [entry.value for entry in dated_entries(value)]
        except KeyedError as problem:
            found.add(str(problem), (*at, name, *problem.key))
    if len(dated) != len(list(iter_dated(params))):
        return False
    first = {**params, **{name: values[0] for name, values in dated.items()}}
    try:
        model.model_validate(first)
    except ValidationError as exc:
        found.add_validation(exc, at)
        return False
    valid = True
    for name, values in dated.items():
        for number, value in enumerate(values[1:], start=1):
            try:
                model.model_validate({**first, name: value})
            except ValidationError as exc:
                found.add_validation(exc, at, _entry_loc(name, number))
                valid = False
    return valid


def _entry_loc(name: str, number: int) -> Callable[[Loc], Loc]:
    """A validation error's location on a dated parameter moved to the entry it came from."""

    def remap(loc: Loc) -> Loc:
        return (name, number, "value", *loc[1:]) if loc[:1] == (name,) else loc

    return remap


def _check_parts(found: _Collector, checks: list[dict[str, Any]], at: Loc) -> None:
    """Each part of an all-of rule: a known kind (not all-of), its params, its applies_when."""
    from ..policy.programs import AppliesWhen

    for number, check in enumerate(checks):
        loc = (*at, number)
        kind = check.get("kind")
        if kind not in KIND_PARAMS or kind == "all-of":
            parts = "、".join(k for k in sorted(KIND_PARAMS) if k != "all-of")
            found.add(f"「{kind}」不是可用于 checks 的种类；可用：{parts}", (*loc, "kind"))
            continue
        params = {k: v for k, v in check.items() if k not in ("kind", "applies_when", "absent")}
        _validate_params(found, KIND_PARAMS[kind], params, loc)
        if check.get("absent", "blank") not in ("blank", "skip"):
            found.add(
                f"absent 只能是 blank（缺列时按空白核对）或 skip（缺列时不核对这一部分），"
                f"现为「{check['absent']}」",
                (*loc, "absent"),
            )
        if "applies_when" in check:
            try:
                AppliesWhen.model_validate(check["applies_when"])
            except ValidationError as exc:
                found.add_validation(exc, (*loc, "applies_when"))


# kinds that judge across rows: their findings are made once the sheet is read, without a row's
# cells, so their messages cannot quote one
ACROSS_ROWS = ("share", "distinct-count", "not-listed", "quota", "group-number")


def _check_quoted(found: _Collector, program: Any, spec: Any, params: Any, at: Loc) -> None:
    """Every column a message template quotes (``{单位类型}``) is a column of the rule's sheet,
    and the kind judges a row at a time."""
    messages = params.get("messages")
    sheet = program.sheets.get(spec.sheet)
    if not isinstance(messages, dict) or sheet is None:
        return
    kind = params.get("kind", spec.kind)
    for name, text in messages.items():
        if not isinstance(text, str):
            continue
        for column in quoted_columns(text):
            if kind in ACROSS_ROWS:
                found.add(
                    f"{kind} 跨行核对，提示语不能引用本行的列「{{{column}}}」",
                    (*at, "messages", name),
                )
            elif column not in sheet.columns:
                found.add(
                    f"提示语引用的「{{{column}}}」不是该表的列（[sheets.{spec.sheet}] columns 中"
                    "没有）；{…} 中只能写该种类的占位符或本表的列名",
                    (*at, "messages", name),
                )


def _check_valid_columns(found: _Collector, program: Any, params: Any, at: Loc) -> None:
    """The columns a valid rule names are declared with a type it checks."""
    declared = program.column_set().columns
    for name in params.get("columns", []) if isinstance(params, dict) else []:
        column = declared.get(name)
        if column is None or column.type not in VALID_TYPES:
            kind = f"类型为 {column.type}" if column is not None else "没有声明"
            found.add(f"valid 只核对类型为 {'、'.join(VALID_TYPES)} 的列；「{name}」{kind}", at)


def _check_money(
    found: _Collector,
    program: Any,
    index: int,
    money: Any,
    need_parameter: Callable[[str, str, Loc, str], None],
) -> None:
    """A [[subsidies]] entry's pieces: every amount, rate, parameter and column it names."""
    from ..io.columns import SHEET_KIND_NAMES
    from ..policy.paymodel import Condition
    from ..policy.programs import Program, SubsidySpec

    assert isinstance(program, Program) and isinstance(money, SubsidySpec)
    loc: Loc = ("subsidies", index)
    amounts = {a.name for a in program.amounts}
    sheet = program.sheets.get(money.sheet)
    columns = set(sheet.columns) if sheet is not None else set()
    where = SHEET_KIND_NAMES[money.sheet]

    def need_amount(name: str, at: Loc) -> None:
        if name not in amounts:
            found.add(f"「{name}」不在 [[amounts]] 中", at)

    def need_column(name: str | None, at: Loc) -> None:
        if sheet is not None and name is not None and name not in columns:
            found.add(f"「{name}」不是{where}的列（[sheets.{money.sheet}] columns 中没有）", at)

    def need_condition(condition: Condition, at: Loc) -> None:
        if condition.any_of is not None:
            for number, part in enumerate(condition.any_of):
                need_condition(part, (*at, "any", number))
            return
        for name in condition.targets:
            need_column(name, (*at, "column" if condition.column else "columns"))
        if condition.in_catalog is not None:
            need_parameter(condition.in_catalog, "catalog", (*at, "in_catalog"), "条件")

    if money.amount:
        need_amount(money.amount, (*loc, "amount"))
    for value, name in money.amount_by.items():
        need_amount(name, (*loc, "amount_by", value))
    if money.amount_by and money.amount_column not in columns:
        found.add(f"amount_by 需要 amount_column 指明{where}中的一列", (*loc, "amount_column"))
    if money.amount_parameter:
        need_parameter(money.amount_parameter, "money", (*loc, "amount_parameter"), "")
    for number, part in enumerate(money.parts):
        at: Loc = (*loc, "parts", number)
        if part.amount is not None:
            need_amount(part.amount, (*at, "amount"))
        for value, name in part.by.items():
            need_amount(name, (*at, "by", value))
        if part.parameter is not None:
            kind = "money-by-key" if part.column else "money"
            need_parameter(part.parameter, kind, (*at, "parameter"), "金额")
        need_column(part.column, (*at, "column"))
    fixed_tranches = bool(money.tranches) and all(t.amount for t in money.tranches)
    if not money.amount_parts and not fixed_tranches:
        found.add(
            "缺少金额：写 amount、amount_parameter、amount_column 与 amount_by，或 parts",
            loc,
        )
    if money.factor is not None:
        if money.factor.parameter is not None:
            need_parameter(money.factor.parameter, "decimal", (*loc, "factor", "parameter"), "系数")
        elif money.factor.rate not in {r.name for r in program.rates}:
            found.add(f"「{money.factor.rate}」不在 [[rates]] 中", (*loc, "factor", "rate"))
        if money.factor.when is not None:
            need_condition(money.factor.when, (*loc, "factor", "when"))
    for number, refusal in enumerate(money.refuse):
        need_condition(refusal.when, (*loc, "refuse", number, "when"))
    for number, tranche in enumerate(money.tranches):
        at = (*loc, "tranches", number)
        if tranche.amount is not None:
            need_amount(tranche.amount, (*at, "amount"))
        for inner, refusal in enumerate(tranche.refuse):
            need_condition(refusal.when, (*at, "refuse", inner, "when"))
        for inner, note in enumerate(tranche.pending):
            need_condition(note.when, (*at, "pending", inner, "when"))
    if not isinstance(money.payee, str):
        for number, option in enumerate(money.payee):
            if option.when is not None:
                need_condition(option.when, (*loc, "payee", number, "when"))


def _check_consistency(found: _Collector, program: Any, search: SearchPath | None) -> None:
    from ..io.columns import SHEET_KIND_NAMES
    from ..policy.programs import Program

    assert isinstance(program, Program)
    _unique(found, "targets", [t.name for t in program.targets])
    _unique(found, "amounts", [a.name for a in program.amounts])
    _unique(found, "rates", [r.name for r in program.rates])
    _unique(found, "local_parameters", [p.name for p in program.local_parameters])
    rates = {r.name for r in program.rates}
    declared = {p.name: p.kind for p in program.local_parameters}

    def need_parameter(name: str, kind: str, loc: Loc, who: str) -> None:
        if name not in declared:
            found.add(
                f"{who}需要本地参数 {name}（类型 {kind}），但 [[local_parameters]] 中没有声明", loc
            )
        elif declared[name] != kind:
            found.add(f"{who}需要的本地参数 {name} 类型应为 {kind}，现为 {declared[name]}", loc)

    seen: set[tuple[str, str]] = set()
    for index, spec in enumerate(program.rules):
        loc: Loc = ("rules", index)
        if (spec.sheet, spec.id) in seen:
            found.add(f"规则「{spec.id}」在{SHEET_KIND_NAMES[spec.sheet]}中重复", (*loc, "id"))
        seen.add((spec.sheet, spec.id))
        if spec.sheet not in program.sheets:
            found.add(
                f"规则「{spec.id}」用于 {spec.sheet}（{SHEET_KIND_NAMES[spec.sheet]}），"
                "但该项目没有这种表（[sheets] 中缺少）",
                (*loc, "sheet"),
            )
        if spec.kind != "function":
            fixed = spec.params.get("not_after_column") or spec.params.get("not_after")
            if spec.kind == "date-order" and not fixed and program.deadline is None:
                found.add(
                    f"规则「{spec.id}」（date-order）未写 not_after 或 not_after_column 时用项目的"
                    " deadline（申报截止日期），但未填写",
                    loc,
                )
            parts = spec.params.get("checks", []) if spec.kind == "all-of" else []
            for number, part in enumerate([spec.params, *parts]):
                at = (*loc, "params", "checks", number - 1) if number else loc
                if not isinstance(part, dict):
                    continue
                part_kind = part.get("kind", spec.kind)
                if part_kind == "name-list" and "list" in part:
                    need_parameter(str(part["list"]), "file", at, f"规则 {spec.id} ")
                if part_kind == "name-list" and isinstance(part.get("lists"), list):
                    for entry in part["lists"]:
                        if isinstance(entry, dict) and isinstance(entry.get("list"), str):
                            need_parameter(entry["list"], "file", at, f"规则 {spec.id} ")
                if part_kind == "in-catalog" and part.get("catalog_parameter"):
                    need_parameter(
                        str(part["catalog_parameter"]), "catalog", at, f"规则 {spec.id} "
                    )
                _check_quoted(found, program, spec, part, at if number else (*loc, "params"))
            if spec.kind == "valid":
                _check_valid_columns(found, program, spec.params, (*loc, "params", "columns"))
            for number, part in enumerate(
                spec.params.get("checks", []) if spec.kind == "all-of" else []
            ):
                if isinstance(part, dict) and part.get("kind") == "valid":
                    at = (*loc, "params", "checks", number, "columns")
                    _check_valid_columns(found, program, part, at)
            if spec.kind == "in-catalog" and not (
                spec.params.get("catalog")
                or spec.params.get("catalog_parameter")
                or program.catalog
            ):
                found.add(
                    f"规则「{spec.id}」（in-catalog）需要职业目录：写 params.catalog 或项目的 catalog",
                    loc,
                )
            continue
        name = spec.function or spec.id
        if name not in RULE_PARAMS:
            continue  # already said: unknown kind
        if name == "occupation-in-catalog" and program.catalog is None:
            found.add(
                "规则 occupation-in-catalog 需要项目的 catalog（职业目录编号），但未填写", loc
            )
        if name == "deadline" and program.deadline is None:
            found.add("规则 deadline 需要项目的 deadline（申报截止日期），但未填写", loc)
        if RULE_PARAMS[name] is ClosedListParams and "allowed" not in spec.params:
            if name != "training-category":
                found.add("缺少（必填）：允许的取值列表", (*loc, "params", "allowed"))
            elif not any(t.department for t in program.targets):
                found.add(
                    "规则 training-category 未写 allowed 时取有责任单位（department）的"
                    " [[targets]] 名称，但没有这样的目标",
                    (*loc, "params", "allowed"),
                )
        for parameter, kind in RULE_LOCAL_PARAMETERS.get(name, {}).items():
            need_parameter(parameter, kind, loc, f"规则 {spec.id} ")
        if name == "education-fund":
            for key in ("floor", "ceiling"):
                rate = str(spec.params.get(key, EducationFundParams.model_fields[key].default))
                if rate not in rates:
                    found.add(f"「{rate}」不在 [[rates]] 中", (*loc, "params", key))
    for index, money in enumerate(program.subsidies):
        loc = ("subsidies", index)
        kinds = [m.sheet for m in program.subsidies[:index]]
        if money.sheet not in program.sheets:
            found.add(f"subsidies 用于 {money.sheet}，但该项目没有这种表", (*loc, "sheet"))
        elif money.sheet in kinds:
            found.add(f"{SHEET_KIND_NAMES[money.sheet]}已有一项 subsidies", (*loc, "sheet"))
        _check_money(found, program, index, money, need_parameter)
        if money.outcome_rule and money.outcome_rule not in {
            r.id for r in program.rules if r.sheet == money.sheet
        }:
            found.add(f"outcome_rule「{money.outcome_rule}」不是该表的规则", (*loc, "outcome_rule"))
    if program.scoring is not None:
        for kind in ("score", "designation"):
            if kind not in program.sheets:
                found.add(f"scoring 需要 [sheets.{kind}]", ("scoring",))
    if "levy" in program.sheets:
        for name in LEVY_RATES:
            if name not in rates:
                found.add(f"征收职工教育经费需要 [[rates]] 中的「{name}」", ("sheets", "levy"))
    if (
        program.in_force is not None
        and program.in_force.to is not None
        and program.in_force.to < program.in_force.start
    ):
        found.add("施行期间的 to 早于 from，请检查是否写反", ("in_force",))
    if program.deadline is not None and program.deadline < program.issued:
        found.add("截止日期早于发文日期，请检查是否写反", ("deadline",))
    if program.catalog is not None:
        search = search or SearchPath("catalogs")
        if search.find(f"occupations/{program.catalog}.toml") is None:
            known = "、".join(p.stem for p in search.glob("occupations", "*.toml"))
            found.add(
                f"职业目录「{program.catalog}」不存在（occupations/{program.catalog}.toml）；"
                f"现有目录：{known}",
                ("catalog",),
            )


def _check_columns(found: _Collector, program: Any, search: SearchPath | None) -> None:
    """The program's ``[columns]`` against the shared ones, and every column its sheets name
    declared somewhere (``catalogs/columns.toml`` or ``[columns]``)."""
    from ..io.columns import NUMERIC_TYPES, header_clashes, shared_columns

    shared = shared_columns()
    for name, spec in program.columns.items():
        loc: Loc = ("columns", name)
        base = shared.get(name)
        if base is None and spec.type is None:
            found.add(f"新列「{name}」缺少 type（列的类型，如 integer、choice）", loc)
        if base is not None and spec.type is not None and spec.type != base.type:
            found.add(
                f"「{name}」是共用列，类型为 {base.type}，项目文件只能收窄，不能改为 {spec.type}",
                (*loc, "type"),
            )
        kind = spec.type or (base.type if base is not None else None)
        if kind is None:
            continue
        if spec.values and kind not in ("choice", "multi-choice"):
            found.add(
                f"values 只用于 choice、multi-choice 列，「{name}」是 {kind}", (*loc, "values")
            )
        if base is not None and base.values and spec.values:
            extra = [v for v in spec.values if v not in base.values]
            if extra:
                found.add(
                    f"收窄共用列「{name}」时 values 只能取其中的值；「{'、'.join(extra)}」不在"
                    f"共用的取值（{'、'.join(base.values)}）中",
                    (*loc, "values"),
                )
        for key in ("minimum", "maximum"):
            if getattr(spec, key) is not None and kind not in NUMERIC_TYPES:
                found.add(
                    f"{key} 只用于数值列（integer、number、money、ratio），「{name}」是 {kind}",
                    (*loc, key),
                )
    for name, header, other in header_clashes(program.columns, shared):
        found.add(
            f"「{name}」的表头「{header}」已是列「{other}」的名称或别名，读表时无法区分",
            ("columns", name, "aliases") if header != name else ("columns", name),
        )
    declared = program.column_set()
    for kind, sheet in program.sheets.items():
        for name in sheet.columns:  # required and choices are among these (checked on load)
            if name not in declared and name not in program.columns:  # no type: said above
                found.add(
                    f"列「{name}」没有声明：catalogs/columns.toml 中没有，本文件 [columns] 中"
                    f'也没有；请在 [columns."{name}"] 中写明 type',
                    ("sheets", kind, "columns"),
                )


def _check_coverage(found: _Collector, program: Any) -> None:
    """Every value written by dates has one for each day the program is in force."""
    period = program.in_force
    if period is None:
        return

    def cover(entries: list[Any], at: Loc, fallback: bool = False) -> None:
        for loc, message in coverage_problems(entries, period.start, period.to, fallback):
            found.add(message, (*at, *loc))

    for index, amount in enumerate(program.amounts):
        cover(list(amount.values), ("amounts", index, "values"), amount.amount is not None)
    for index, rate in enumerate(program.rates):
        cover(list(rate.values), ("rates", index, "values"), rate.value is not None)
    for index, money in enumerate(program.subsidies):
        for number, tranche in enumerate(money.tranches):
            if isinstance(tranche.share, list):
                cover(list(tranche.share), ("subsidies", index, "tranches", number, "share"))
    for index, spec in enumerate(program.rules):
        for name, value in iter_dated(spec.params):
            try:
                entries = dated_entries(value)
            except KeyedError:
                continue  # said by the params pass
            cover(entries, ("rules", index, "params", name))


def _unique(found: _Collector, table: str, names: list[str]) -> None:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            found.add(f"名称「{name}」重复", (table, index, "name"))
        seen.add(name)


def check_program_file(path: Path, search: SearchPath | None = None) -> list[Problem]:
    """Every problem of the program file at ``path`` (empty: it loads and runs)."""
    return _check(path, search)[1]


def _check(path: Path, search: SearchPath | None) -> tuple[Any, list[Problem]]:
    from ..policy.programs import Program

    try:
        data, text = read_toml(path)
    except CatalogError as error:
        return None, [Problem(str(path), error.line, error.key, error.message)]
    found = _Collector(path, text)
    program: Program | None = None
    try:
        program = Program.model_validate(data)
    except ValidationError as exc:
        found.add_validation(exc)
    _check_params(found, data)
    if program is not None:
        if program.id != path.stem:
            found.add(f"项目编号「{program.id}」与文件名不一致，应为「{path.stem}」", ("id",))
        _check_consistency(found, program, search)
        _check_columns(found, program, search)
        _check_coverage(found, program)
    found.problems.sort(key=lambda p: (p.line is None, p.line or 0))
    return program, found.problems


def load_checked(path: Path, search: SearchPath | None = None) -> Any:
    """The program in ``path``; a ProgramFileError listing every problem if it has any."""
    program, problems = _check(path, search)
    if problems:
        raise ProgramFileError(problems)
    return program


# --- a search path that finds what sits beside the file ----------------------------------------


def search_beside(path: Path, search: SearchPath) -> SearchPath:
    """``search`` with the folder a program file lives in (``DIR/programs/FILE.toml``: DIR)
    put first, so the catalogs beside it are found and its parameters table is known."""
    folder = path.resolve().parent
    if folder.name != "programs":
        return search
    return SearchPath(search.name, [folder.parent, *search.dirs[:-1]])
