"""What identifies a row's person, unit or course: shared by duplicate checks and ledger keys."""

from __future__ import annotations

from ..domain.identifiers import normalise_text
from .base import CellProblem, RowView

YEAR_OF_START = "开班年度"  # a key part derived from 开班日期, not a column


def subject_of(view: RowView) -> str:
    """The person's normalised identity number, or the unit's credit code (else its name)."""
    if view.has("身份证号"):
        return view.resident_id().value
    if view.has("统一社会信用代码") and not view.blank("统一社会信用代码"):
        return normalise_text(view.raw("统一社会信用代码")).upper()
    return view.text("单位名称")


def key_part(view: RowView, column: str) -> str:
    """One part of a ledger key; a broken cell falls back to its text (its rule refuses the row)."""
    try:
        return _key_part(view, column)
    except CellProblem:
        source = "开班日期" if column == YEAR_OF_START else column
        return view.text(source) if view.has(source) else ""


def _key_part(view: RowView, column: str) -> str:
    if column == YEAR_OF_START:
        start = view.date("开班日期") if view.has("开班日期") else None
        return str(start.year) if start else ""
    if column in ("身份证号", "统一社会信用代码"):
        return subject_of(view)
    if column in ("申报等级", "现等级"):
        level = view.level(column)
        return level.title if level else ""
    if column == "评选年度":
        year = view.int(column, minimum=1)
        return str(year) if year is not None else ""
    if column in ("开班日期", "结业日期"):
        day = view.date(column)
        return day.isoformat() if day else ""
    return view.text(column) if view.has(column) else ""
