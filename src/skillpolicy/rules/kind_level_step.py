"""level-step: the level applied for is at most N levels above the level held.

For a document that forbids barring on seniority but wants a skipped level looked at (a
破格/越级 application flagged for manual review, not rejected), the entry's severity is
``review``. Levels compare by meaning (三级 = 高级工); a blank level is not judged here.
"""

from __future__ import annotations

from typing import Any

from .kind_cells import CellsKind, Verdict, read_level
from .kinds import kind


@kind("level-step")
class LevelStep(CellsKind):
    """``column`` (申报等级) is at most ``at_most`` levels above ``held_column`` (现等级)."""

    def setup(self) -> None:
        self.column = str(self.params.get("column", "申报等级"))
        self.held = str(self.params.get("held_column", "现等级"))
        self.at_most = int(self.params.get("at_most", 1))

    def needs(self) -> tuple[str, ...]:
        return (self.held, self.column)

    def judge(self, *raws: Any) -> Verdict:
        held_raw, applied_raw = raws
        held = read_level(self.held, held_raw)
        applied = read_level(self.column, applied_raw)
        if held is None or applied is None or applied - held <= self.at_most:
            return [], None
        text = self.template(
            "over",
            "{held_column}{held}，申报{level}，越过{steps}级；{summary}",
            column=self.column,
            held_column=self.held,
            held=held.title,
            level=applied.title,
            steps=applied - held - 1,
        )
        return [(self.column, text)], None
