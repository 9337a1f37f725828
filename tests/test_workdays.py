"""Working days on the holiday arrangement: notice periods, data files, years not held."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillpolicy.domain.errors import CatalogError
from skillpolicy.io.resources import SearchPath, shipped_dir
from skillpolicy.policy.workdays import CalendarYearMissing, WorkdayCalendar

SHIPPED = WorkdayCalendar()

# A made-up arrangement for 2099 (whose weekdays fall as 2026's do), far beyond any release of
# chinesecalendar: days off 1 Jan and 1–7 Oct, Sunday 27 Sep and Saturday 10 Oct worked.
FUTURE_2099 = """\
source = "测试用：2099年部分节假日安排（虚构）"
holidays = [
  2099-01-01,
  2099-10-01, 2099-10-02, 2099-10-03, 2099-10-04, 2099-10-05, 2099-10-06, 2099-10-07,
]
workdays = [2099-09-27, 2099-10-10]
"""


def user_calendar(tmp_path: Path, files: dict[int, str]) -> WorkdayCalendar:
    """A calendar whose --catalog-dir is ``tmp_path/mine`` holding ``holidays/<year>.toml``."""
    folder = tmp_path / "mine" / "holidays"
    folder.mkdir(parents=True)
    for year, text in files.items():
        (folder / f"{year}.toml").write_text(text, encoding="utf-8")
    return WorkdayCalendar(SearchPath("catalogs", [tmp_path / "mine"]))


def test_notice_first_day_counts_across_national_day_2026() -> None:
    """Published Mon 2026-09-28, first day counting: 2026-09-28 to Fri 2026-10-09."""
    assert SHIPPED.notice_period(date(2026, 9, 28), 5, first_day_counts=True) == (
        date(2026, 9, 28),
        date(2026, 10, 9),
    )


def test_notice_first_day_not_counted_ends_on_adjusted_saturday_2026() -> None:
    """Published Mon 2026-09-28, first day not counting: 2026-09-29 to Sat 2026-10-10 (调休)."""
    assert SHIPPED.notice_period(date(2026, 9, 28), 5, first_day_counts=False) == (
        date(2026, 9, 29),
        date(2026, 10, 10),
    )


@pytest.mark.parametrize("first_day_counts", [True, False])
def test_publication_on_holiday_saturday_starts_next_working_day(first_day_counts: bool) -> None:
    """Published on Sat 2026-10-03 (National Day) the notice runs Thu 2026-10-08 to Tue 10-13."""
    assert SHIPPED.notice_period(date(2026, 10, 3), 5, first_day_counts=first_day_counts) == (
        date(2026, 10, 8),
        date(2026, 10, 13),
    )


@pytest.mark.parametrize("first_day_counts", [True, False])
def test_publication_on_ordinary_saturday_starts_monday(first_day_counts: bool) -> None:
    """Published on an ordinary Sat 2026-03-07 the notice runs Mon 03-09 to Fri 03-13."""
    assert SHIPPED.notice_period(date(2026, 3, 7), 5, first_day_counts=first_day_counts) == (
        date(2026, 3, 9),
        date(2026, 3, 13),
    )


def test_adjusted_working_saturday_counts() -> None:
    """Sat 2026-10-10 is a working day (调休), Sun 10-11 is not, and a notice may start on it."""
    assert SHIPPED.is_working_day(date(2026, 10, 10))
    assert not SHIPPED.is_working_day(date(2026, 10, 11))
    assert SHIPPED.next_working_day(date(2026, 10, 10)) == date(2026, 10, 10)
    assert SHIPPED.notice_period(date(2026, 10, 10), 5, first_day_counts=True) == (
        date(2026, 10, 10),
        date(2026, 10, 15),  # Sat 10, Mon 12 … Thu 15
    )


def test_add_working_days_counts_start_as_day_one_and_rejects_zero() -> None:
    """add_working_days(d, 1) is d's next working day; n below 1 is a ValueError."""
    assert SHIPPED.add_working_days(date(2026, 9, 30), 1) == date(2026, 9, 30)
    assert SHIPPED.add_working_days(date(2026, 10, 1), 1) == date(2026, 10, 8)
    assert SHIPPED.add_working_days(date(2026, 9, 30), 2) == date(2026, 10, 8)
    with pytest.raises(ValueError):
        SHIPPED.add_working_days(date(2026, 9, 30), 0)


@pytest.mark.parametrize("day", [date(2099, 6, 1), date(2003, 12, 31)])
def test_year_not_held_is_an_error_naming_year_and_data_file(day: date) -> None:
    """A date in a year neither chinesecalendar nor a data file holds raises, naming the year."""
    with pytest.raises(CalendarYearMissing) as caught:
        SHIPPED.is_working_day(day)
    error = caught.value
    assert isinstance(error, CatalogError)
    assert error.year == day.year
    text = str(error)
    assert f"{day.year} 年" in text
    assert f"catalogs/holidays/{day.year}.toml" in text
    assert "--catalog-dir" in text
    assert "holidays = [" in text and "workdays = [" in text
    assert "\n" not in text


def test_user_data_file_for_future_year_is_used(tmp_path: Path) -> None:
    """A holidays/2099.toml in a --catalog-dir folder supplies 2099's days off and 调休."""
    calendar = user_calendar(tmp_path, {2099: FUTURE_2099})
    assert not calendar.is_working_day(date(2099, 10, 1))  # Thursday, a holiday
    assert calendar.is_working_day(date(2099, 10, 10))  # Saturday, worked
    assert calendar.is_working_day(date(2099, 9, 27))  # Sunday, worked
    assert not calendar.is_working_day(date(2099, 10, 11))  # plain Sunday
    assert calendar.is_working_day(date(2099, 10, 12))  # plain Monday
    assert calendar.notice_period(date(2099, 9, 28), 5, first_day_counts=True) == (
        date(2099, 9, 28),
        date(2099, 10, 9),
    )
    assert calendar.notice_period(date(2099, 9, 28), 5, first_day_counts=False) == (
        date(2099, 9, 29),
        date(2099, 10, 10),
    )
    assert calendar.notice_period(date(2099, 9, 26), 1, first_day_counts=True) == (
        date(2099, 9, 27),
        date(2099, 9, 27),
    )
    source = calendar.arrangement_source(2099)
    assert "2099.toml" in source and "虚构" in source


def test_counting_past_the_last_held_year_names_the_next_year(tmp_path: Path) -> None:
    """A notice that runs from a held 2099 into 2100 stops with an error naming 2100."""
    calendar = user_calendar(tmp_path, {2099: FUTURE_2099})
    with pytest.raises(CalendarYearMissing) as caught:
        calendar.notice_period(date(2099, 12, 28), 5, first_day_counts=True)
    assert caught.value.year == 2100
    assert "holidays/2100.toml" in str(caught.value)
    assert "2099" in str(caught.value)  # the data file's year is listed as held


def test_data_file_wins_over_chinesecalendar(tmp_path: Path) -> None:
    """A holidays/2026.toml found on the search path replaces chinesecalendar's 2026."""
    correction = (
        'source = "测试用更正"\n'
        "holidays = [2026-10-01, 2026-10-02, 2026-10-05, 2026-10-06, 2026-10-07]\n"
        "workdays = []\n"
    )
    calendar = user_calendar(tmp_path, {2026: correction})
    assert SHIPPED.is_working_day(date(2026, 9, 20))  # chinesecalendar: Sunday worked
    assert SHIPPED.is_working_day(date(2026, 10, 10))  # chinesecalendar: Saturday worked
    assert not calendar.is_working_day(date(2026, 9, 20))  # the correction lists no 调休
    assert not calendar.is_working_day(date(2026, 10, 10))
    assert not calendar.is_working_day(date(2026, 10, 5))
    assert "2026.toml" in calendar.arrangement_source(2026)


def _bad(holidays: str = "[2099-01-01]", workdays: str = "[]", extra: str = "") -> str:
    return f'source = "测试"\nholidays = {holidays}\nworkdays = {workdays}\n{extra}'


@pytest.mark.parametrize(
    ("text", "line", "key", "fragment"),
    [
        ('source = "测试"\nholidays = [2099-01-01,\n  2099-13-01]\nworkdays = []\n', 3, None,
         "TOML"),
        (_bad(holidays="[2099-01-01, 2098-10-01]"), 2, "holidays[1]", "不在 2099 年"),
        (_bad(holidays="[2099-01-01, 2099-01-01]"), 2, "holidays[1]", "重复"),
        (_bad(holidays="[2099-10-03]", workdays="[2099-10-03]"), 3, "workdays[0]", "同时列在"),
        (_bad(workdays="[2099-10-08]"), 3, "workdays[0]", "星期四"),
        (_bad(holidays='["国庆"]'), 2, "holidays[0]", "不是有效日期"),
        (_bad(holidays="[]"), 2, "holidays", "不能为空"),
        (_bad(extra="holiday = [2099-10-01]\n"), 4, "holiday", "未知的键"),
        ("holidays = [2099-01-01]\nworkdays = []\n", None, "source", "缺少必填的键"),
    ],
)  # fmt: skip
def test_malformed_data_file_names_file_line_and_key(
    tmp_path: Path, text: str, line: int | None, key: str | None, fragment: str
) -> None:
    """A broken holidays/<year>.toml raises CatalogError naming the file, line and key."""
    calendar = user_calendar(tmp_path, {2099: text})
    with pytest.raises(CatalogError) as caught:
        calendar.is_working_day(date(2099, 6, 1))
    error = caught.value
    assert not isinstance(error, CalendarYearMissing)
    assert error.file is not None and error.file.endswith("2099.toml")
    assert error.line == line
    assert error.key == key
    assert fragment in str(error)
    assert "2099.toml" in str(error) and "\n" not in str(error)


def test_shipped_holiday_files_load() -> None:
    """Every shipped catalogs/holidays/<year>.toml loads and is the source of its year."""
    folder = shipped_dir("catalogs") / "holidays"
    assert (folder / "README.md").is_file()
    for path in sorted(folder.glob("*.toml")):
        assert path.stem.isdigit() and len(path.stem) == 4, path
        assert path.name in SHIPPED.arrangement_source(int(path.stem))


@given(
    start=st.dates(min_value=date(2010, 1, 1), max_value=date(2025, 12, 31)),
    n=st.integers(min_value=1, max_value=10),
)
def test_add_working_days_lands_on_working_day_and_counts_n(start: date, n: int) -> None:
    """For 2010–2025, add_working_days(start, n) is a working day and [start, end] holds n."""
    end = SHIPPED.add_working_days(start, n)
    assert SHIPPED.is_working_day(end)
    span = (end - start).days + 1
    counted = sum(SHIPPED.is_working_day(start + timedelta(days=i)) for i in range(span))
    assert counted == n


@given(
    published=st.dates(min_value=date(2010, 1, 1), max_value=date(2025, 12, 31)),
    days=st.integers(min_value=1, max_value=10),
    first_day_counts=st.booleans(),
)
def test_notice_period_starts_on_a_working_day_after_publication(
    published: date, days: int, first_day_counts: bool
) -> None:
    """A notice starts on a working day, on the publication day only when it counts and works."""
    start, end = SHIPPED.notice_period(published, days, first_day_counts=first_day_counts)
    assert SHIPPED.is_working_day(start) and start >= published
    assert (start == published) == (first_day_counts and SHIPPED.is_working_day(published))
    assert end == SHIPPED.add_working_days(start, days)
