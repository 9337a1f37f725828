"""The column declarations as pydantic models: a column as ``catalogs/columns.toml`` or a
program file's ``[columns]`` declares it (:class:`ColumnSpec`), the shared file whole
(:class:`ColumnsFile`) and a column as a run uses it (:class:`Column`).

Kept apart from :mod:`.columns` so that opening a workbook (the reader maps headers through
:mod:`.columns`) does not load pydantic: the models are built when columns are loaded, while
calamine parses the sheet. :mod:`.columns` re-exports every name here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

ColumnType = Literal[
    "text",
    "person-id",
    "credit-code",
    "phone",
    "postcode",
    "date",
    "ratio",
    "integer",
    "number",
    "money",
    "yes-no",
    "level",
    "choice",
    "multi-choice",
    "catalog",
]

COLUMN_TYPES: tuple[str, ...] = get_args(ColumnType)

SheetKindName = Literal[
    "roster", "application", "designation", "award", "technician", "levy", "score", "plan"
]

# the Excel number format of each type's cells in a blank template, unless a column says
DEFAULT_FORMATS: dict[str, str] = {
    "person-id": "@",
    "credit-code": "@",
    "phone": "@",
    "postcode": "@",
    "date": "yyyy-mm-dd",
    "ratio": "0%",
    "money": "#,##0.00",
}


class ColumnSpec(BaseModel):
    """One column as a file declares it. In ``catalogs/columns.toml`` ``type`` is required; in a
    program file's ``[columns]`` a column the shared file already declares may leave it out
    and only narrow the column (fewer values, a bound, another description)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: ColumnType | None = Field(
        None,
        description="类型：text 文字、person-id 身份证号、credit-code 统一社会信用代码、phone 电话、"
        "postcode 邮编、date 日期、ratio 百分数、integer 整数、number 数、money 金额、"
        "yes-no 是/否、level 职业技能等级、choice 单选、multi-choice 多选、"
        "catalog 项目职业目录（catalog）中的职业",
    )
    aliases: list[str] = Field(default_factory=list, description="表头的其他写法（别名）")
    near_misses: list[str] = Field(
        default_factory=list,
        description="表头的近似写法：不当作这一列，但规则因缺这一列而跳过时提示改名",
    )
    alias_sheets: list[SheetKindName] = Field(
        default_factory=list, description="别名只在这些种类的表中适用；不写为所有种类"
    )
    values: list[str] = Field(
        default_factory=list, description="choice、multi-choice 列可选的取值（空模板的下拉列表）"
    )
    minimum: Decimal | None = Field(None, description="数值列的下限（含）")
    maximum: Decimal | None = Field(None, description="数值列的上限（含）")
    format: str | None = Field(
        None, description='空模板中该列单元格的格式（Excel 数字格式，如 "@" 文本、"0.00%"）'
    )
    description: str | None = Field(None, description="这一列填什么（写入空模板的填表说明）")
    clause: str | None = Field(None, description="规定这一列的条款或标准")

    @model_validator(mode="after")
    def _bounds_in_order(self) -> ColumnSpec:
        if self.minimum is not None and self.maximum is not None and self.maximum < self.minimum:
            raise ValueError("maximum 小于 minimum，请检查是否写反")
        return self


class ColumnsFile(BaseModel):
    """``catalogs/columns.toml``: the columns every program shares."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: dict[str, ColumnSpec] = Field(min_length=1, description="列名 → 列的声明")


class Column(BaseModel):
    """A column as a run uses it: the shared declaration with a program's narrowing applied."""

    model_config = ConfigDict(frozen=True)

    name: str
    type: ColumnType
    aliases: tuple[str, ...] = ()
    alias_sheets: tuple[str, ...] = ()
    near_misses: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    format: str | None = None
    description: str | None = None
    clause: str | None = None
    from_program: bool = False  # declared or narrowed in the program file

    @property
    def cell_format(self) -> str | None:
        """The blank template's number format for this column's cells."""
        return self.format or DEFAULT_FORMATS.get(self.type)

    def aliases_on(self, kind: str) -> tuple[str, ...]:
        return self.aliases if not self.alias_sheets or kind in self.alias_sheets else ()


def merged(name: str, shared: Column | None, spec: ColumnSpec) -> Column:
    """Column ``name`` as a program file's ``spec`` narrows the ``shared`` one (or declares it)."""
    base: dict[str, Any] = shared.model_dump() if shared is not None else {"name": name}
    given = spec.model_dump(exclude_defaults=True)
    for key in ("aliases", "alias_sheets", "near_misses", "values"):
        if key in given:
            given[key] = tuple(given[key])
    if shared is not None and "aliases" in given:  # a program adds aliases, it cannot drop one
        given["aliases"] = (*shared.aliases, *given["aliases"])
    return Column.model_validate({**base, **given, "from_program": True})
