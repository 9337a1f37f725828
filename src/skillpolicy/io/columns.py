"""The columns the sheets use: declared in ``catalogs/columns.toml``, never in Python.

Each column has a type (how its cells are read and checked), aliases (other headers clerks
write for it, on the sheet kinds ``alias_sheets`` names, else on every kind), the blank
template's cell format and a description. A program file adds columns of its own or narrows a
shared one in its ``[columns]`` table; :class:`ColumnSet` is the two merged, and everything
that reads a sheet, writes a template or marks a copy asks it. The code here is keyed by type
only: a column declared in a program file works with no code change.

Headers are matched after :func:`skillpolicy.domain.values.fold_header`. On a sheet with one person a
row (roster, technician, award) 手机 and 培训职业 are aliases of 联系电话 and 职业(工种); on an
application sheet they are columns of their own (an alias wins over a name on its sheets).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..domain.identifiers import check_credit_code, check_phone, check_postcode, check_resident_id
from ..domain.values import (
    ValueProblem,
    fold_header,
    header_without_note,
    is_blank,
    parse_date,
    parse_decimal,
    parse_int,
    parse_level,
    parse_ratio,
    parse_yes_no,
)

if TYPE_CHECKING:
    from .columnspec import COLUMN_TYPES as COLUMN_TYPES
    from .columnspec import DEFAULT_FORMATS as DEFAULT_FORMATS
    from .columnspec import Column as Column
    from .columnspec import ColumnsFile as ColumnsFile
    from .columnspec import ColumnSpec as ColumnSpec
    from .columnspec import ColumnType as ColumnType
    from .columnspec import SheetKindName as SheetKindName

# the names :mod:`.columnspec` holds, loaded with pydantic when first asked for
_MODELS = frozenset(
    {"COLUMN_TYPES", "DEFAULT_FORMATS", "Column", "ColumnsFile", "ColumnSpec"}
    | {"ColumnType", "SheetKindName"}
)


def __getattr__(name: str) -> Any:
    """The declarations' models and types (:mod:`.columnspec`), imported on first use so
    that reading a sheet's headers does not load pydantic."""
    if name in _MODELS:
        from . import columnspec

        return getattr(columnspec, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


COLUMNS_FILE = "columns.toml"  # in the shipped catalogs folder
COLUMNS_SCHEMA_FILE = "columns.schema.json"

SHEET_KIND_NAMES: dict[str, str] = {
    "roster": "学员花名册",
    "application": "申报表",
    "designation": "评审授牌表",
    "award": "技能人才奖励名单",
    "technician": "急需紧缺技师培养名册",
    "levy": "职工教育经费征收表",
    "score": "专家评分表",
    "plan": "培训计划表",
}

# the kinds whose rows are people
PERSON_KINDS = frozenset({"roster", "award", "technician"})

# the key headers that tell the sheet kinds apart (INTERFACE.md "Sheets"), in detection order:
# a kind whose keys include another's comes before it (award before roster, levy before
# application). A technician sheet looks like a roster, whose keys are a subset of its own and
# come first, so it is never detected from its headers: it is chosen with --kind technician.
KIND_KEYS: dict[str, tuple[str, ...]] = {
    "designation": ("单位名称", "是否授牌"),
    "levy": ("单位名称", "职工工资总额"),
    "score": ("单位名称", "专家", "评分"),
    "plan": ("设区市", "企业名称", "计划人数"),
    "award": ("姓名", "身份证号", "奖项"),
    "roster": ("姓名", "身份证号"),
    "technician": ("姓名", "身份证号", "申报等级"),
    "application": ("单位名称",),
}

# the types whose values are numbers, for minimum and maximum
NUMERIC_TYPES = frozenset({"integer", "number", "money", "ratio"})


class ColumnSet:
    """The declared columns of one run: the shared ones and a program file's own."""

    def __init__(self, columns: Mapping[str, Column]) -> None:
        self.columns = dict(columns)
        self._indexes: dict[str, dict[str, str]] = {}
        self._headers: frozenset[str] | None = None

    def __contains__(self, name: object) -> bool:
        return name in self.columns

    def get(self, name: str) -> Column | None:
        return self.columns.get(name)

    def type_of(self, name: str) -> str:
        column = self.columns.get(name)
        return column.type if column is not None else "text"

    def with_program(self, declared: Mapping[str, ColumnSpec]) -> ColumnSet:
        """These columns with a program file's ``[columns]`` applied (checked by the loader)."""
        if not declared:
            return self
        from .columnspec import merged as merged_column

        merged = dict(self.columns)
        for name, spec in declared.items():
            shared = merged.get(name)
            if shared is None and spec.type is None:
                continue  # the loader says 缺少 type
            merged[name] = merged_column(name, shared, spec)
        return ColumnSet(merged)

    def index(self, kind: str) -> dict[str, str]:
        """Folded header → canonical name on a sheet of ``kind``: names, then aliases."""
        found = self._indexes.get(kind)
        if found is None:
            found = {fold_header(name): name for name in self.columns}
            for name, column in self.columns.items():
                for alias in column.aliases_on(kind):
                    found[fold_header(alias)] = name
            self._indexes[kind] = found
        return found

    def folded_headers(self) -> frozenset[str]:
        """Every folded header some sheet kind knows (names and all aliases): a folded cell
        outside it, not ending in a bracketed note, names no column on any sheet."""
        if self._headers is None:
            self._headers = frozenset(
                fold_header(header)
                for name, column in self.columns.items()
                for header in (name, *column.aliases)
            )
        return self._headers

    def canonical_header(self, text: str, kind: str) -> str | None:
        """The canonical name of a header cell on a sheet of ``kind``, or None if unknown.

        The header as written is looked up first (``职业(工种)``, ``劳动合同期限(月)`` keep
        their brackets), then without a trailing bracketed unit or note (``到课率(%)``)."""
        return self.canonical_folded(fold_header(text), kind)

    def canonical_folded(self, folded: str, kind: str) -> str | None:
        """:meth:`canonical_header` of a header already folded (:func:`fold_header`)."""
        index = self.index(kind)
        found = index.get(folded)
        if found is None and folded.endswith(")"):
            found = index.get(header_without_note(folded))
        return found

    def check_cell(self, name: str, raw: object) -> str | None:
        """Why a filled cell of column ``name`` is not a value of its declared type (a Chinese
        phrase to follow the column's name), or None when it is (or the cell is blank)."""
        column = self.columns.get(name)
        if column is None or is_blank(raw):
            return None
        return cell_problem(column, raw)


def _checked_identifier(check: Callable[[object], Any]) -> Callable[[object], object]:
    def parse(raw: object) -> object:
        outcome = check(raw)
        if not outcome.ok:
            raise ValueProblem(f"：{outcome.problem}")
        return outcome.value

    return parse


# how a cell of each type is read; a ValueProblem says why it cannot be
PARSERS: dict[str, Callable[[object], object]] = {
    "person-id": _checked_identifier(check_resident_id),
    "credit-code": _checked_identifier(check_credit_code),
    "phone": _checked_identifier(check_phone),
    "postcode": _checked_identifier(check_postcode),
    "date": parse_date,
    "ratio": parse_ratio,
    "number": parse_decimal,
    "money": parse_decimal,
    "yes-no": parse_yes_no,
    "level": parse_level,
}


def cell_problem(column: Column, raw: object) -> str | None:
    """Why ``raw`` (not blank) is not a value of ``column``, or None."""
    from ..domain.values import cell_text, fold

    parser = PARSERS.get(column.type)
    if column.type == "integer":
        low = column.minimum if column.minimum is not None else Decimal(0)
        parser = functools.partial(parse_int, minimum=int(low.to_integral_value("ROUND_CEILING")))
    if parser is not None:
        try:
            value = parser(raw)
        except ValueProblem as problem:
            return problem.message
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            if column.minimum is not None and value < column.minimum:
                return f"「{cell_text(raw)}」小于下限 {column.minimum}"
            if column.maximum is not None and value > column.maximum:
                return f"「{cell_text(raw)}」大于上限 {column.maximum}"
        return None
    if column.type in ("choice", "multi-choice") and column.values:
        allowed = {fold(value) for value in column.values}
        text = cell_text(raw)
        parts = [p for p in text.replace(",", "、").replace("，", "、").split("、") if p.strip()]
        picked = parts if column.type == "multi-choice" else [text]
        wrong = [p for p in picked if fold(p) not in allowed]
        if wrong:
            return f"「{'、'.join(wrong)}」不在可选的取值中（{'、'.join(column.values)}）"
    return None


def shipped_columns_path() -> Path:
    from .resources import shipped_dir

    return shipped_dir("catalogs") / COLUMNS_FILE


def load_columns_file(path: Path) -> ColumnSet:
    """The columns declared in ``path`` (a ``columns.toml``); a CatalogError naming the line."""
    from pydantic import ValidationError

    from ..domain.errors import CatalogError
    from .columnspec import Column, ColumnsFile
    from .datafile import describe_error, read_toml

    data, text = read_toml(path)
    try:
        parsed = ColumnsFile.model_validate(data)
    except ValidationError as exc:
        line, key, reason = describe_error(exc.errors()[0], text)
        raise CatalogError(f"{key}：{reason}" if key else reason, file=path, line=line) from exc
    columns: dict[str, Column] = {}
    for name, spec in parsed.columns.items():
        if spec.type is None:
            raise CatalogError(f"columns.{name}.type：缺少（必填）", file=path)
        columns[name] = Column.model_validate(
            {"name": name, **spec.model_dump(exclude_defaults=True)}
        )
    for kind in SHEET_KIND_NAMES:  # an alias says one column on each sheet kind it applies on
        claimed: dict[str, str] = {}
        for name, column in columns.items():
            for alias in column.aliases_on(kind):
                other = claimed.setdefault(fold_header(alias), name)
                if other != name:
                    raise CatalogError(
                        f"columns.{name}.aliases：别名「{alias}」在{SHEET_KIND_NAMES[kind]}中"
                        f"已是列「{other}」的别名，读表时无法区分",
                        file=path,
                    )
    return ColumnSet(columns)


@functools.cache
def shared_columns() -> ColumnSet:
    """The columns every program shares (``catalogs/columns.toml``), read once."""
    return load_columns_file(shipped_columns_path())


def canonical_header(text: str, kind: str) -> str | None:
    """The canonical name of a header on a sheet of ``kind`` among the shared columns."""
    return shared_columns().canonical_header(text, kind)


def header_clashes(
    declared: Mapping[str, ColumnSpec], shared: ColumnSet
) -> Iterable[tuple[str, str, str]]:
    """(column, header, the other column) for each header a program file's column claims
    that another column already answers to (its name or an alias), on some sheet kind."""
    claimed: dict[str, str] = {}
    for name, column in shared.columns.items():
        claimed.setdefault(fold_header(name), name)
        for alias in column.aliases:
            claimed.setdefault(fold_header(alias), name)
    for name, spec in declared.items():
        for header in ([] if name in shared else [name]) + list(spec.aliases):
            other = claimed.get(fold_header(header))
            if other is not None and other != name:
                yield name, header, other
            else:
                claimed[fold_header(header)] = name


def columns_json_schema() -> dict[str, Any]:
    """The JSON Schema of ``columns.toml`` (``#:schema`` on its first line)."""
    from .columnspec import ColumnsFile

    schema = ColumnsFile.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://skillpolicy.invalid/{COLUMNS_SCHEMA_FILE}",
        **schema,
        "title": "skillpolicy 共用列声明",
        "description": "各项目共用的表列：类型、别名、空模板格式、说明。",
    }
