"""The pieces a program file builds its money from: amount parts, a factor, tranches,
refusals, pending notes, payees and rounding (``[[subsidies]]``); their conditions are the
one condition model of :mod:`.conditions`, the same a rule's ``applies_when`` is.

These are data only; :mod:`.paymethod` evaluates them on a row and :mod:`.payee` picks who is
paid. A program needs no Python of its own for its money: every method is a combination of
these pieces (docs/program-files.md, "补贴的计发").
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..io.datafile import KeyedError
from .conditions import Condition
from .dated import DatedEntry, order_problem

__all__ = [
    "AmountPart",
    "Condition",
    "Factor",
    "PayeeKind",
    "PayeeOption",
    "Pending",
    "Refusal",
    "Rounding",
    "Tranche",
]

PayeeKind = Literal["trainee", "institution", "unit"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Refusal(_Strict):
    """When ``when`` holds, the line (or every line of the row) is refused with this reason."""

    when: Condition
    rule: str = Field(description="不予发放所引的规则编号")
    message: str = Field(min_length=1, description="不予发放的理由（中文）")
    clause: str | None = Field(None, description="出处条款；不写时用本项补贴的 clause")


class Pending(_Strict):
    """When ``when`` holds, the line waits (review) with this note."""

    when: Condition
    rule: str = Field(description="待定所引的规则编号")
    message: str = Field(min_length=1, description="待定的说明（中文）")


class AmountPart(_Strict):
    """One sum the amount adds up: a fixed amount, a local parameter, or either picked by a
    cell's value (``column`` with ``by``, or with a money-by-key ``parameter``)."""

    amount: str | None = Field(None, description="[[amounts]] 中的名称（按生效日取值）")
    parameter: str | None = Field(
        None, description="本地参数名：money 类（可按生效日），或与 column 同用的 money-by-key 类"
    )
    column: str | None = Field(None, description="按这一列的取值查金额")
    by: dict[str, str] = Field(
        default_factory=dict, description="取值 → [[amounts]] 中的名称（与 column 同用）"
    )
    read: Literal["text", "level"] = Field(
        "text", description="如何读 column：text 按文字；level 按职业资格等级的规范名称"
    )
    label: str | None = Field(None, description="计算说明中这一部分的名称，如“鉴定”")
    unknown_rule: str = Field(
        "subsidy", description="column 的取值没有对应金额时，不予发放所引的规则编号"
    )

    @model_validator(mode="after")
    def _one_source(self) -> AmountPart:
        sources = [self.amount is not None, self.parameter is not None, bool(self.by)]
        if sum(sources) != 1:
            raise ValueError("须写且只写一种金额来源：amount、parameter 或 by")
        if (self.by or self.column) and not self.column:
            raise ValueError("by 须与 column 同用")
        if self.amount is not None and self.column:
            raise ValueError("amount 是固定金额，不按列取值：去掉 column，或改用 by")
        return self


class Factor(_Strict):
    """The amount times a factor (a local parameter or a [[rates]] entry) when ``when`` holds."""

    parameter: str | None = Field(None, description="本地参数名（decimal 类），如提高倍数")
    rate: str | None = Field(None, description="或 [[rates]] 中的名称")
    when: Condition | None = Field(None, description="乘以系数的条件；不写为总是")
    label: str = Field(min_length=1, description="计算说明中系数的名称，如“急需紧缺提高”")

    @model_validator(mode="after")
    def _one_source(self) -> Factor:
        if (self.parameter is None) == (self.rate is None):
            raise ValueError("须写 parameter 或 rate 二者之一")
        return self


class DatedShare(DatedEntry):
    """A tranche's share and the day it takes effect (``{ from = …, value = "0.40" }``)."""

    value: Annotated[Decimal, Field(gt=0, le=1)] = Field(description="自生效日起的比例")


class Tranche(_Strict):
    """One of several payments of a row (``[[subsidies.tranches]]``): a fixed amount or a
    share of the subsidy's amount, with its own refusals and pending notes."""

    amount: str | None = Field(None, description="[[amounts]] 中的名称")
    share: Annotated[Decimal, Field(gt=0, le=1)] | list[DatedShare] | None = Field(
        None,
        description='或本项补贴金额（parts 之和）的比例，如 "0.40"；'
        '也可按生效日写 [{ from = 2022-01-01, value = "0.40" }]',
    )
    refuse: list[Refusal] = Field(default_factory=list, description="这一笔不予发放的条件")
    pending: list[Pending] = Field(default_factory=list, description="这一笔待定的条件")

    @model_validator(mode="after")
    def _one_source(self) -> Tranche:
        if (self.amount is None) == (self.share is None):
            raise ValueError("须写 amount 或 share 二者之一")
        if isinstance(self.share, list):
            if not self.share:
                raise KeyedError("按生效日写 share 时至少写一项", ("share",))
            problem = order_problem(list(self.share))
            if problem is not None:
                raise KeyedError(problem[1], ("share", *problem[0]))
        return self

    def share_on(self, day: date | None) -> tuple[Decimal, date | None]:
        """The share in force on ``day`` and the day it took effect (None: undated); a day
        before every dated share takes the first, a day in a gap the one before it. ``day`` may
        be None only for an undated share."""
        if not isinstance(self.share, list):
            return self.share or Decimal(1), None
        assert day is not None, "a dated share needs the row's reference date"
        earlier = [entry for entry in self.share if entry.start <= day]
        chosen = earlier[-1] if earlier else self.share[0]
        return chosen.value, chosen.start


class PayeeOption(_Strict):
    """Who is paid: the name in a column, or a fixed name; the first option whose ``when``
    holds is taken (an option without ``when`` always holds)."""

    kind: PayeeKind = Field(description="trainee 个人；institution 培训机构；unit 单位")
    column: str | None = Field(
        None,
        description="收款方名称所在的列；“培训机构”也读表头上方的“培训机构：名称”和 --institution",
    )
    name: str | None = Field(None, description="或固定的收款方名称，如“学员本人”")
    if_blank: str = Field("", description="该列未填时显示的收款方")
    when: Condition | None = Field(None, description="选用这一收款方的条件")

    @model_validator(mode="after")
    def _one_name(self) -> PayeeOption:
        if (self.column is None) == (self.name is None):
            raise ValueError("须写 column 或 name 二者之一")
        return self


_MODES = {"half-up": ROUND_HALF_UP, "down": ROUND_DOWN, "half-even": ROUND_HALF_EVEN}


class Rounding(_Strict):
    """How a computed amount is rounded: to ``to`` (0.01 分, 1 元) by ``mode``."""

    to: Decimal = Field(Decimal("0.01"), description='舍入到："0.01"（分）、"1"（元）')
    mode: Literal["half-up", "down", "half-even"] = Field(
        "half-up", description="half-up 四舍五入；down 舍去；half-even 四舍六入五成双"
    )

    @field_validator("to")
    @classmethod
    def _quantum(cls, value: Decimal) -> Decimal:
        if value not in (Decimal("0.01"), Decimal("0.1"), Decimal("1")):
            raise ValueError('舍入单位只能是 "0.01"、"0.1" 或 "1"')
        return value

    def apply(self, amount: Decimal) -> Decimal:
        """``amount`` rounded, always shown with two decimals (元.角分)."""
        rounded = amount.quantize(self.to, rounding=_MODES[self.mode])
        return rounded.quantize(Decimal("0.01"))
