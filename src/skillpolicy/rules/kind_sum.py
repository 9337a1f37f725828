"""sum: the sum of several integer columns against a bound in the document's words
(“技师、高级技师和技术技能带头人3名以上”: 技师人数 + 高级技师人数 + 带头人人数 不少于 3)."""

from __future__ import annotations

from typing import Any

from ..domain.values import parse_int
from .kind_cells import CellsKind, Verdict, read
from .kinds import _MISSED, BOUNDS, kind


@kind("sum")
class Sum(CellsKind):
    """The integers of ``columns`` (blank counts as 0) add up to meet ``bound`` ``value``;
    all of them blank is a finding on the first."""

    def setup(self) -> None:
        self.names: list[str] = [str(c) for c in self.params["columns"]]
        self.bound = str(self.params.get("bound", "不少于"))
        self.meets = BOUNDS[self.bound]
        self.limit = int(self.params["value"])

    def needs(self) -> tuple[str, ...]:
        return tuple(self.names)

    def judge(self, *raws: Any) -> Verdict:
        counts = [read(c, raw, parse_int) for c, raw in zip(self.names, raws, strict=True)]
        joined = "、".join(self.names)
        if all(count is None for count in counts):
            text = self.template("blank", "{columns}均未填；请填写整数", columns=joined)
            return [(self.names[0], text)], None
        total = sum(count or 0 for count in counts)
        if self.meets(total, self.limit):
            return [], None
        text = self.template(
            "missed",
            "{columns}合计{value}，{missed}{bound}；{summary}",
            columns=joined,
            value=total,
            missed=_MISSED[self.bound],
            bound=self.limit,
        )
        return [(self.names[0], text)], None
