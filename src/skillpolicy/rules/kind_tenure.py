"""level-tenure: a level held N years by the reference date before the next may be applied for.

``paths`` lists what may be applied for: ``{ from = "高级工", to = "技师", years = 3 }``. A row
applies for ``to`` (申报等级) holding ``from`` (现等级) since 取证日期; it qualifies when the
date N years on (29 February → 28 February, 民法典 第二百零二条) is not after the reference date:
the row's 开班日期 when given, else the program's reference date; ``--as-of`` overrides both.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..domain.values import held_for, parse_level, period_end
from .kind_cells import CellsKind, Verdict, read_date, read_level
from .kinds import kind

_CHINESE_NUMBERS = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五", 6: "六"}


def years_phrase(years: int) -> str:
    return f"{_CHINESE_NUMBERS.get(years, str(years))}年"


@kind("level-tenure")
class LevelTenure(CellsKind):
    """申报等级 is one a path leads to; 现等级 is that path's level, held ``years`` by the
    reference date (取证日期 + years <= reference)."""

    def setup(self) -> None:
        self.applied = str(self.params.get("applied_column", "申报等级"))
        self.current = str(self.params.get("current_column", "现等级"))
        self.obtained = str(self.params.get("obtained_column", "取证日期"))
        self.start = str(self.params.get("reference_column", "开班日期"))
        # levels compare by meaning: 三级 and 高级工 are one level; messages use the title
        self.paths = [
            (parse_level(p["from"]).title, parse_level(p["to"]).title, int(p["years"]))
            for p in self.params["paths"]
        ]
        self.allowed = "；".join(f"{a}满{years_phrase(y)}申报{b}" for a, b, y in self.paths)

    def needs(self) -> tuple[str, ...]:
        return (self.current, self.obtained, self.applied)

    def cells(self) -> tuple[str, ...]:
        return (self.applied, self.current, self.obtained, self.start)

    def _reference(self, start_raw: Any) -> tuple[dt.date, str]:
        as_of = self.context.as_of
        if as_of is not None:
            return as_of, f"指定的参照日 {as_of.isoformat()}"
        start = read_date(self.start, start_raw) if self.context.layout.has(self.start) else None
        if start is not None:
            return start, f"{self.start} {start.isoformat()}"
        program = self.program
        note = program.reference_date_note
        return program.reference_date, f"参照日 {program.reference_date.isoformat()}（{note}）"

    def judge(self, *raws: Any) -> Verdict:
        applied_raw, current_raw, obtained_raw, start_raw = raws
        applied = read_level(self.applied, applied_raw)
        current = read_level(self.current, current_raw)
        if applied is None:
            text = self.template(
                "blank_applied",
                "{column}为空；本项目只受理：{allowed}",
                column=self.applied,
                allowed=self.allowed,
            )
            return [(self.applied, text)], None
        path = next((p for p in self.paths if p[1] == applied.title), None)
        if path is None:
            text = self.template(
                "other_level",
                "{column}为{level}，不属本项目；本项目只受理：{allowed}",
                column=self.applied,
                level=applied.title,
                allowed=self.allowed,
            )
            return [(self.applied, text)], None
        needed, _, years = path
        words = {"level": applied.title, "needed": needed, "years": years_phrase(years)}
        if current is None:
            text = self.template(
                "blank_current",
                "{column}为空；申报{level}须已取得{needed}职业资格满{years}",
                column=self.current,
                **words,
            )
            return [(self.current, text)], None
        if current.title != needed:
            text = self.template(
                "wrong_current",
                "{column}为{held}，申报{level}须已取得{needed}职业资格满{years}；"
                "请按{column}改报相应等级，或核对{column}",
                column=self.current,
                held=current.title,
                **words,
            )
            return [(self.current, text)], None
        obtained = read_date(self.obtained, obtained_raw)
        if obtained is None:
            text = self.template(
                "blank_obtained",
                "{column}为空，无法核对{needed}持证是否满{years}；请填写{needed}证书的{column}",
                column=self.obtained,
                **words,
            )
            return [(self.obtained, text)], None
        reference, phrase = self._reference(start_raw)
        if held_for(obtained, years=years, by=reference):
            return [], None
        due = period_end(obtained, years=years)
        text = self.template(
            "short",
            "{needed}{column}为 {value}，到{reference}时未满{years}（满{years}之日为 {due}）；"
            "须持证满{years}方可申报{level}",
            column=self.obtained,
            value=obtained.isoformat(),
            reference=phrase,
            due=due.isoformat() if due else "9999-12-31 以后",
            **words,
        )
        return [(self.obtained, text)], None
