"""duration: the time from one date to another is at most N months.

A course from 开班日期 S to 结业日期 E (both days of training) lasts at most N months when E is
before S + N months (the same day N months on; a day the month lacks is its last day):
2013-03-01..2013-05-31 is three months, ..2013-06-01 is more. ``months`` is one number, or a
table by the value of another column (``by = "培训形式"``: 全脱产 3, 半脱产 6).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..domain.values import cell_text, fold, period_end
from .common import one_of
from .kind_cells import CellsKind, Verdict, read_date
from .kinds import kind


@kind("duration")
class Duration(CellsKind):
    """``end_column`` falls before ``start_column`` + ``months`` months; an end before the
    start is a finding too."""

    def setup(self) -> None:
        self.start = str(self.params.get("start_column", "开班日期"))
        self.end = str(self.params.get("end_column", "结业日期"))
        self.by: str | None = self.params.get("by")
        months = self.params["months"]
        if isinstance(months, dict):
            self.months: dict[str, int] = {fold(k): int(v) for k, v in months.items()}
            self.choices = [str(k) for k in months]
            self.fixed: int | None = None
        else:
            self.months, self.choices, self.fixed = {}, [], int(months)

    def needs(self) -> tuple[str, ...]:
        return (self.by, self.start, self.end) if self.by else (self.start, self.end)

    def judge(self, *raws: Any) -> Verdict:
        form, limit = "", self.fixed
        if self.by:
            by_raw, start_raw, end_raw = raws
            form = cell_text(by_raw)
            limit = self.months.get(fold(form)) if form else None
            if limit is None:
                name, default = (
                    ("by_outside", "{column}「{value}」；应为：{allowed}")
                    if form
                    else ("by_blank", "{column}为空；应为：{allowed}")
                )
                text = self.template(
                    name, default, column=self.by, value=form, allowed=one_of(self.choices)
                )
                return [(self.by, text)], None
        else:
            start_raw, end_raw = raws
        assert limit is not None
        start, end = read_date(self.start, start_raw), read_date(self.end, end_raw)
        if start is None or end is None:
            missing = self.start if start is None else self.end
            text = self.template("blank", "{column}为空，无法核对培训时间；请填写", column=missing)
            return [(missing, text)], None
        if end < start:
            text = self.template(
                "reversed",
                "{column} {value} 早于{other} {start}；请核对",
                column=self.end,
                value=end.isoformat(),
                other=self.start,
                start=start.isoformat(),
            )
            return [(self.end, text)], None
        over = period_end(start, months=limit)  # None: beyond 9999-12-31, no end reaches it
        if over is None or end < over:
            return [], None
        text = self.template(
            "over",
            "{form}培训自 {start} 至 {value}，超过{months}个月（最迟应于 {last} 结业）；"
            "请缩短培训时间或核对日期",
            column=self.end,
            form=form,
            start=start.isoformat(),
            value=end.isoformat(),
            months=limit,
            last=(over - timedelta(days=1)).isoformat(),
        )
        return [(self.end, text)], None
