"""Who a line is paid to: the first of the subsidy's payee options whose condition holds.

An option names a column (培训机构, which also reads "培训机构：名称" above the header and
``--institution``; 单位名称) or a fixed name (学员本人). INTERFACE.md "Payee": an institution
the sheet does not name at all is :data:`UNNAMED_INSTITUTION`, computed but not payable.
"""

from __future__ import annotations

from ..domain.values import fold_width
from ..policy.paymodel import PayeeKind, PayeeOption
from ..rules import RowView

__all__ = ["PAYEE_KIND_NAMES", "UNNAMED_INSTITUTION", "payee_options", "payee_text"]

UNNAMED_INSTITUTION = "未注明培训机构"  # the payee when the sheet names no institution at all
PAYEE_KIND_NAMES = {"trainee": "学员本人", "institution": "培训机构", "unit": "单位"}

# the shorthand payee = "trainee" | "institution" | "unit" of a program file
SHORTHAND: dict[str, PayeeOption] = {
    "trainee": PayeeOption(kind="trainee", name="学员本人"),
    "institution": PayeeOption(kind="institution", column="培训机构", if_blank="（未填培训机构）"),
    "unit": PayeeOption(kind="unit", column="单位名称"),
}


def payee_options(payee: str | list[PayeeOption]) -> list[PayeeOption]:
    """A subsidy's payee as options, the shorthand spelt out."""
    return [SHORTHAND[payee]] if isinstance(payee, str) else list(payee)


def payee_text(option: PayeeOption, view: RowView) -> tuple[PayeeKind, str]:
    """The kind and name of ``option``'s payee on ``view``'s row."""
    if option.name is not None:
        return option.kind, option.name
    column = str(option.column)
    if not view.has(column):
        # no column, none named above the header, no --institution
        return option.kind, UNNAMED_INSTITUTION if option.kind == "institution" else ""
    raw = view.raw(column)  # the payee as written: its quotation marks are not folded
    name = fold_width(raw) if isinstance(raw, str) else view.text(column)
    return option.kind, name or option.if_blank
