"""Working days on the State Council's yearly holiday arrangement, adjusted working days included.

A year's arrangement comes from a data file ``catalogs/holidays/<year>.toml`` when one is found
(a clerk's ``--catalog-dir`` first, then the shipped catalogs), else from the ``chinesecalendar``
package (2004 up to the last year its installed release holds). A data file wins over the
package, so a correction can be shipped without waiting for a new release. A date in a year that
neither holds is an error naming the year and how to add it: weekends are never guessed.

Data file format (dates are TOML dates, not quoted)::

    source = "国务院办公厅关于2027年部分节假日安排的通知（及其文号）"
    # Days off that would otherwise be working days: the whole span of each festival.
    holidays = [2027-01-01, 2027-02-05, ...]
    # Weekend days that are working days (调休上班); may be empty: workdays = []
    workdays = [2027-02-20, ...]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from ..domain.errors import CatalogError
from ..io.datafile import KeyedError, load_model
from ..io.resources import SearchPath

HOLIDAY_DIR = "holidays"

_WEEKDAY_NAMES = "一二三四五六日"
_ONE_DAY = timedelta(days=1)


class CalendarYearMissing(CatalogError):
    """No holiday arrangement is held for a year a working-day count needs."""

    def __init__(self, year: int, held: str) -> None:
        super().__init__(
            f"没有 {year} 年的节假日安排（国务院办公厅关于{year}年部分节假日安排的通知），"
            f"无法按工作日计算，也不会按周末推算；请新建数据文件 catalogs/{HOLIDAY_DIR}/{year}.toml"
            f'（格式：source = "通知名称和文号"，holidays = [放假的日期, …]，'
            f"workdays = [调休上班的周末日期, …]，日期写成 {year}-10-01 不加引号），"
            f"或用 --catalog-dir 指向含 {HOLIDAY_DIR}/{year}.toml 的目录。已收录：{held}"
        )
        self.year = year


class HolidayFile(BaseModel):
    """One year's arrangement as written in ``catalogs/holidays/<year>.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=1)
    holidays: list[date] = Field(min_length=1)
    workdays: list[date]

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> HolidayFile:
        year = (info.context or {}).get("year")
        for key, days in (("holidays", self.holidays), ("workdays", self.workdays)):
            seen: set[date] = set()
            for index, day in enumerate(days):
                if year is not None and day.year != year:
                    raise KeyedError(
                        f"「{day}」不在 {year} 年（文件名 {year}.toml 定了年份）", (key, index)
                    )
                if day in seen:
                    raise KeyedError(f"「{day}」重复列出", (key, index))
                seen.add(day)
        holidays = set(self.holidays)
        for index, day in enumerate(self.workdays):
            if day in holidays:
                raise KeyedError(
                    f"「{day}」同时列在 holidays 和 workdays 中，请核对通知", ("workdays", index)
                )
            if day.weekday() < 5:
                raise KeyedError(
                    f"「{day}」是星期{_WEEKDAY_NAMES[day.weekday()]}，本来就是工作日；"
                    "workdays 只列调休上班的周六、周日",
                    ("workdays", index),
                )
        return self


@dataclass(frozen=True)
class _Arrangement:
    """A year's days off and adjusted working days, or ``None`` sets for the package's years."""

    source: str
    holidays: frozenset[date] | None = None
    workdays: frozenset[date] | None = None


def _library_years() -> tuple[int, int] | None:
    """The first and last year the installed chinesecalendar holds."""
    try:
        days = chinese_calendar.constants.holidays.keys()
        return min(days).year, max(days).year
    except (AttributeError, ValueError):  # pragma: no cover - a future release's layout
        return None


def _library_name() -> str:
    return f"chinesecalendar {getattr(chinese_calendar, '__version__', '')}".strip()


class WorkdayCalendar:
    """Working days: ``is_working_day``, the next one, the n-th one, and notice periods."""

    def __init__(self, search: SearchPath | None = None) -> None:
        self.search = search or SearchPath("catalogs")
        self._years: dict[int, _Arrangement] = {}

    # -- the year's arrangement ------------------------------------------------------------

    def _arrangement(self, year: int) -> _Arrangement:
        found = self._years.get(year)
        if found is None:
            found = self._years[year] = self._load(year)
        return found

    def _load(self, year: int) -> _Arrangement:
        path = self.search.find(f"{HOLIDAY_DIR}/{year}.toml")
        if path is not None:
            data = load_model(path, HolidayFile, year=year)
            return _Arrangement(
                source=f"{path}（{data.source}）",
                holidays=frozenset(data.holidays),
                workdays=frozenset(data.workdays),
            )
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            raise CalendarYearMissing(year, self.held_years()) from None
        return _Arrangement(source=_library_name())

    def held_years(self) -> str:
        """The years held, for messages: the package's range and any data files found."""
        parts: list[str] = []
        years = _library_years()
        if years is not None:
            parts.append(f"{years[0]}–{years[1]} 年（{_library_name()}）")
        files = sorted(
            path.stem
            for path in self.search.glob(HOLIDAY_DIR, "*.toml")
            if path.stem.isdigit() and len(path.stem) == 4
        )
        if files:
            parts.append(f"数据文件 {', '.join(files)} 年")
        return "；".join(parts) or "无"

    def arrangement_source(self, year: int) -> str:
        """Where ``year``'s arrangement comes from: the data file and its notice, or the package."""
        return self._arrangement(year).source

    def data_file(self, year: int) -> Path | None:
        """The data file that holds ``year``, if one is found (it wins over the package)."""
        return self.search.find(f"{HOLIDAY_DIR}/{year}.toml")

    # -- days ------------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day; raises CalendarYearMissing for a year not held."""
        day = d.date() if isinstance(d, datetime) else d
        arrangement = self._arrangement(day.year)
        if arrangement.holidays is None or arrangement.workdays is None:
            return bool(chinese_calendar.is_workday(day))
        if day in arrangement.workdays:
            return True
        return day.weekday() < 5 and day not in arrangement.holidays

    def next_working_day(self, d: date) -> date:
        """``d`` itself when it is a working day, else the first working day after it."""
        day = d.date() if isinstance(d, datetime) else d
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day counting ``start`` as day 1 when it is a working day.

        So ``[start, result]`` holds exactly ``n`` working days and ``result`` is one of them.
        """
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        day = self.next_working_day(start)
        for _ in range(n - 1):
            day = self.next_working_day(day + _ONE_DAY)
        return day

    def notice_period(
        self, published: date, days: int, *, first_day_counts: bool
    ) -> tuple[date, date]:
        """The first and last day of a notice (公示) of ``days`` working days.

        When the first day counts, the period starts on the publication day if that is a working
        day (else the next working day); when it does not, on the next working day after the
        publication day. It ends on its ``days``-th working day.
        """
        day = published.date() if isinstance(published, datetime) else published
        start = self.next_working_day(day if first_day_counts else day + _ONE_DAY)
        return start, self.add_working_days(start, days)
