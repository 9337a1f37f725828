"""Wording shared by the workbook and the Word narrative."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .model import ProgramSection

EMPTY_NOTE = "{month} 台账中没有任何记录（无结业、无发放、无不予发放）：本月无数据。"


def percent(value: Decimal | None) -> str:
    """``Decimal("0.8125")`` -> ``"81.3%"``; None (nothing to divide by) -> ``"—"``."""
    if value is None:
        return "—"
    return f"{(value * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def program_heading(section: ProgramSection) -> str:
    return section.title if section.title == section.program else f"{section.title}"
