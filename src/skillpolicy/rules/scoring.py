"""An expert panel's score sheet (one unit and expert a row; Jincheng 三、3): its columns and
which unit a row scores. Its rules are kinds (``number``, ``duplicate``, ``distinct-count``,
``not-listed``) written in the program file."""

from __future__ import annotations

from ..domain.values import fold
from .base import RowView

SCORE_COLUMN = "评分"
EXPERT_COLUMN = "专家"


def unit_key(row: RowView) -> str:
    """Which unit a row scores: its 统一社会信用代码 when filled, else its 单位名称 (folded)."""
    if row.has("统一社会信用代码") and not row.blank("统一社会信用代码"):
        return fold(row.text("统一社会信用代码")).upper()
    return fold(row.text("单位名称"))
