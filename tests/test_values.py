"""Tests for skillpolicy.domain.values: cell folding, value parsers, levels and periods."""

from __future__ import annotations

import re
import sys
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from skillpolicy.domain import values as values_module
from skillpolicy.domain.values import (
    Level,
    ValueProblem,
    add_months,
    add_years,
    blank_cells,
    cell_text,
    fold,
    fold_header,
    held_for,
    is_blank,
    parse_date,
    parse_decimal,
    parse_int,
    parse_level,
    parse_ratio,
    parse_yes_no,
    period_end,
)

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def excel_serial(day: date) -> int:
    """Excel 1900-system serial of a day on or after 1900-03-01."""
    return (day - date(1899, 12, 30)).days


def problem(parser: object, raw: object) -> str:
    """Message of the ValueProblem that parser(raw) must raise."""
    assert callable(parser)
    with pytest.raises(ValueProblem) as caught:
        parser(raw)
    assert caught.value.message == str(caught.value)
    return caught.value.message


def assert_one_sentence(message: str) -> None:
    """A clerk-facing message: one line, no sentence break inside, says how to fix it."""
    assert "\n" not in message
    assert "。" not in message.rstrip("。")
    assert "请" in message


# ---------------------------------------------------------------------------
# ValueProblem
# ---------------------------------------------------------------------------


def test_value_problem_is_value_error_with_message() -> None:
    """ValueProblem is a ValueError and keeps its message in .message and str()."""
    error = ValueProblem("「x」不对，请改正")
    assert isinstance(error, ValueError)
    assert error.message == "「x」不对，请改正"
    assert str(error) == "「x」不对，请改正"


# ---------------------------------------------------------------------------
# fold, fold_header, is_blank, cell_text
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("（一）", "(一)"),
        ("２０１２", "2012"),
        ("\u3000张三\u3000", "张三"),
        ("  张 三 \t\n", "张 三"),
        ("８５％", "85%"),
        ("￥１，２００", "¥1,200"),
        ("\ufeff编号\u200b", "编号"),
        ("ＡＢＣ", "ABC"),
        ("", ""),
    ],
)
def test_fold(raw: str, expected: str) -> None:
    """fold applies NFKC and strips surrounding whitespace, U+3000 and zero-width marks."""
    assert fold(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("* 姓 名：", "姓名"),
        ("＊姓名:", "姓名"),
        ("姓名*", "姓名"),
        ("**身份证号码**：", "身份证号码"),
        ("\u3000出 生\u3000日 期\u3000", "出生日期"),
        ("到课率（％）", "到课率(%)"),
        ("补贴金额\n（元）", "补贴金额(元)"),
        ("姓名", "姓名"),
    ],
)
def test_fold_header(raw: str, expected: str) -> None:
    """fold_header removes all whitespace, edge stars and a trailing colon."""
    assert fold_header(raw) == expected


@pytest.mark.parametrize("raw", [None, "", " ", "\u3000", " \t\n ", "\u200b"])
def test_is_blank_true(raw: object) -> None:
    """None, empty and whitespace-only strings are blank."""
    assert is_blank(raw)


@pytest.mark.parametrize("raw", ["0", "否", 0, 0.0, False, date(2012, 8, 31), "-"])
def test_is_blank_false(raw: object) -> None:
    """Zero, False, dates and visible text are not blank."""
    assert not is_blank(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("", ""),
        ("　张三　", "张三"),
        ("（３）", "(3)"),
        (3, "3"),
        (-12, "-12"),
        (3.0, "3"),
        (1200.0, "1200"),
        (0.6, "0.6"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e-05, "0.00001"),
        (85.5, "85.5"),
        (True, "是"),
        (False, "否"),
        (date(2012, 8, 31), "2012-08-31"),
        (datetime(2012, 8, 31), "2012-08-31"),
        (datetime(2012, 8, 31, 8, 30), "2012-08-31 08:30:00"),
        (time(8, 30), "08:30:00"),
        (Decimal("1.50"), "1.50"),
    ],
)
def test_cell_text(raw: object, expected: str) -> None:
    """cell_text renders each calamine cell type as the text a clerk sees."""
    assert cell_text(raw) == expected


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_cell_text_float_round_trips(value: float) -> None:
    """cell_text of any finite float is plain decimal text that reads back as the same float."""
    text = cell_text(value)
    assert "e" not in text.lower()
    assert float(text) == value


# ---------------------------------------------------------------------------
# parse_date
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "2012-08-31",
        "2012-8-31",
        "2012/8/31",
        "2012/08/31",
        "2012.8.31",
        "2012.08.31",
        "2012年8月31日",
        "2012年08月31日",
        "2012 年 8 月 31 日",
        "2012年8月31号",
        "2012年8月31",
        "２０１２年８月３１日",
        "２０１２－０８－３１",
        "２０１２／８／３１",
        "２０１２．８．３１",
        "20120831",
        "２０１２０８３１",
        " 2012-08-31 ",
        "\u30002012-08-31\u3000",
        "2012 - 08 - 31",
        "2012-08-31 00:00:00",
        "2012-08-31 08:30",
        "2012-08-31T08:30:15",
        "2012/8/31 8:30:15.5",
        "41152",
        "41152.75",
        date(2012, 8, 31),
        datetime(2012, 8, 31),
        datetime(2012, 8, 31, 23, 59, 59),
        41152,
        41152.0,
        41152.999,
        Decimal("41152"),
    ],
)
def test_parse_date_forms(raw: object) -> None:
    """Every accepted date form (text, date cell, Excel serial) gives 2012-08-31."""
    assert parse_date(raw) == date(2012, 8, 31)


def test_parse_date_returns_plain_date() -> None:
    """A datetime cell comes back as a date, not a datetime."""
    result = parse_date(datetime(2012, 8, 31, 8, 30))
    assert type(result) is date


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, date(1900, 1, 1)),
        (2, date(1900, 1, 2)),
        (31, date(1900, 1, 31)),
        (32, date(1900, 2, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (62, date(1900, 3, 2)),
        (366, date(1900, 12, 31)),
        (367, date(1901, 1, 1)),
        (36526, date(2000, 1, 1)),
        (43831, date(2020, 1, 1)),
        (2958465, date(9999, 12, 31)),
        ("59", date(1900, 2, 28)),
        ("61", date(1900, 3, 1)),
        (59.5, date(1900, 2, 28)),
        (61.01, date(1900, 3, 1)),
    ],
)
def test_parse_date_excel_serials(serial: object, expected: date) -> None:
    """Excel 1900-system serials map to the dates Excel shows, around the fake 1900-02-29 too."""
    assert parse_date(serial) == expected


@pytest.mark.parametrize("serial", [60, 60.0, 60.5, "60"])
def test_parse_date_serial_60_does_not_exist(serial: object) -> None:
    """Serial 60 is Excel's fictitious 1900-02-29 and is refused as a nonexistent date."""
    message = problem(parse_date, serial)
    assert "1900-02-29" in message
    assert "不存在" in message
    assert_one_sentence(message)


@pytest.mark.parametrize(
    "serial", [0, -1, 0.5, 0.999, -41152, 2958466, 2958466.0, 10**12, "0", "2958466"]
)
def test_parse_date_serial_out_of_range(serial: object) -> None:
    """Serials below 1 or beyond 2958465 (9999-12-31) are refused."""
    message = problem(parse_date, serial)
    assert "范围" in message
    assert_one_sentence(message)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("2013-02-29", "2 月只有 28 天"),
        ("2013年2月29日", "2 月只有 28 天"),
        ("2012-02-30", "2 月只有 29 天"),
        ("2012-04-31", "4 月只有 30 天"),
        ("2012-08-00", "8 月只有 31 天"),
        ("2012-13-01", "没有 13 月"),
        ("2012-00-10", "没有 0 月"),
        ("2012-13-45", "没有 13 月"),
        ("20121345", "没有 13 月"),
        ("20130229", "2 月只有 28 天"),
        ("1900-02-29", "1900 年 2 月只有 28 天"),
        ("1900/2/29", "1900 年 2 月只有 28 天"),
    ],
)
def test_parse_date_impossible_text(raw: str, fragment: str) -> None:
    """Date-like text naming a day that does not exist says why it does not exist."""
    message = problem(parse_date, raw)
    assert message.startswith(f"「{raw}」")
    assert fragment in message
    assert "2012-08-31" in message
    assert_one_sentence(message)


def test_parse_date_example_message() -> None:
    """The message for an impossible date quotes the value and shows a correct example."""
    assert problem(parse_date, "2012-13-45") == (
        "「2012-13-45」不是有效日期，因为没有 13 月，请写成 2012-08-31 这样的日期"
    )


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_parse_date_blank(raw: object) -> None:
    """A blank date cell says the date is empty."""
    message = problem(parse_date, raw)
    assert message.startswith("日期为空")
    assert_one_sentence(message)


@pytest.mark.parametrize(
    "raw", ["1899-12-31", "1850年1月1日", "0001-01-01", date(1899, 12, 31), datetime(1800, 1, 1)]
)
def test_parse_date_before_1900(raw: object) -> None:
    """Years before 1900 are refused."""
    message = problem(parse_date, raw)
    assert "1900" in message
    assert_one_sentence(message)


@pytest.mark.parametrize("raw", ["12-08-31", "12/8/31", "12年8月31日", "012-08-31", "20120-08-31"])
def test_parse_date_year_needs_four_digits(raw: str) -> None:
    """Years that are not four digits are refused with a request for four digits."""
    message = problem(parse_date, raw)
    assert "四位" in message
    assert_one_sentence(message)


@pytest.mark.parametrize("raw", ["31/08/2012", "08/31/2012", "31.8.2012", "8-31-2012"])
def test_parse_date_year_last_is_refused(raw: str) -> None:
    """Day-month-year and month-day-year orders are refused, asking for year first."""
    message = problem(parse_date, raw)
    assert "年、月、日的顺序" in message
    assert_one_sentence(message)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("2012", "只有年份"),
        ("１９９０", "只有年份"),
        ("201208", "只有年和月"),
        ("2012-08", "缺少日"),
        ("2012.8", "缺少日"),
        ("2012年8月", "缺少日"),
    ],
)
def test_parse_date_incomplete(raw: str, fragment: str) -> None:
    """A year alone or a year and month is refused instead of being read as a serial."""
    message = problem(parse_date, raw)
    assert fragment in message
    assert_one_sentence(message)


@pytest.mark.parametrize(
    "raw",
    [
        "明天",
        "二〇一二年八月三十一日",
        "2012-08-31-01",
        "2012-08/31",
        "2012-008-31",
        "123456789",
        "abc",
        True,
        False,
        float("nan"),
        float("inf"),
        time(8, 30),
        timedelta(days=3),
        [2012, 8, 31],
    ],
)
def test_parse_date_unrecognised(raw: object) -> None:
    """Values that are not dates in any accepted form are refused with an example."""
    message = problem(parse_date, raw)
    assert "2012-08-31" in message
    assert_one_sentence(message)


dates_since_excel_fix = st.dates(min_value=date(1900, 3, 1), max_value=date(2099, 12, 31))


@given(dates_since_excel_fix)
def test_parse_date_text_forms_round_trip(day: date) -> None:
    """Every text form formatted from a date parses back to that date."""
    y, m, d = day.year, day.month, day.day
    forms = [
        day.isoformat(),
        f"{y}-{m}-{d}",
        f"{y}/{m}/{d}",
        f"{y}/{m:02d}/{d:02d}",
        f"{y}.{m}.{d}",
        f"{y}.{m:02d}.{d:02d}",
        f"{y}年{m}月{d}日",
        f"{y}年{m:02d}月{d:02d}日",
        f"{y} 年 {m} 月 {d} 日",
        f"{y:04d}{m:02d}{d:02d}",
        f"{day.isoformat()} 00:00:00",
        f"\u3000{day.isoformat()} ",
    ]
    forms += [form.translate(FULL_WIDTH) for form in forms]
    for form in forms:
        assert parse_date(form) == day, form


@given(dates_since_excel_fix, st.floats(min_value=0, max_value=0.999))
def test_parse_date_serial_round_trips(day: date, fraction: float) -> None:
    """The Excel serial of a date, as int, float with time of day or text, parses back to it."""
    serial = excel_serial(day)
    assert parse_date(serial) == day
    assert parse_date(float(serial)) == day
    assert parse_date(serial + fraction) == day
    assert parse_date(datetime.combine(day, time(13, 45))) == day
    # Text of 4 digits in 1900..2100 is taken as a year typed alone (see test above).
    assume(not 1900 <= serial <= 2100)
    assert parse_date(str(serial)) == day


# ---------------------------------------------------------------------------
# parse_ratio
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0.85, "0.85"),
        (0.6, "0.6"),
        (0, "0"),
        (1, "1"),
        (1.0, "1.0"),
        (0.0, "0.0"),
        (Decimal("0.9"), "0.9"),
        ("0.85", "0.85"),
        (".85", "0.85"),
        ("85%", "0.85"),
        ("85 %", "0.85"),
        ("85％", "0.85"),
        ("８５％", "0.85"),
        ("85.5%", "0.855"),
        ("59.99%", "0.5999"),
        ("100%", "1"),
        ("0%", "0"),
        ("-0%", "0"),
        ("1", "1"),
        ("  0.6  ", "0.6"),
    ],
)
def test_parse_ratio_forms(raw: object, expected: str) -> None:
    """Ratios from numbers, percent cells and percent text are exact Decimals."""
    result = parse_ratio(raw)
    assert isinstance(result, Decimal)
    assert result == Decimal(expected)


def test_parse_ratio_float_has_no_binary_noise() -> None:
    """A float 0.6 becomes exactly Decimal 0.6, so it equals 0.60 and passes a 60% threshold."""
    assert parse_ratio(0.6) == Decimal("0.60")
    assert str(parse_ratio(0.6)) == "0.6"
    assert parse_ratio(0.6) >= Decimal("0.6")
    assert parse_ratio(0.1 + 0.2) == Decimal("0.30000000000000004")


def test_parse_ratio_just_below_threshold() -> None:
    """59.99% stays below a 0.60 threshold and 60% meets it."""
    assert parse_ratio("59.99%") < parse_ratio(0.60)
    assert parse_ratio("59.99%") < Decimal("0.60")
    assert parse_ratio("60%") == parse_ratio(0.6)


@pytest.mark.parametrize("raw", [85, 85.0, "85", "1.5", 1.01, Decimal("60")])
def test_parse_ratio_number_above_one_is_ambiguous(raw: object) -> None:
    """A number above 1 without a % sign is refused and the message offers both readings."""
    message = problem(parse_ratio, raw)
    assert "%" in message
    assert "0.85" in message
    assert_one_sentence(message)


def test_parse_ratio_ambiguous_message_suggests_percent() -> None:
    """For 85 the message suggests writing 85%."""
    assert "85%" in problem(parse_ratio, 85)


@pytest.mark.parametrize("raw", ["101%", "100.01%", "150 %", 120, "120"])
def test_parse_ratio_above_100_percent(raw: object) -> None:
    """More than 100% is refused."""
    message = problem(parse_ratio, raw)
    assert "超过了 100%" in message
    assert_one_sentence(message)


@pytest.mark.parametrize("raw", [-0.1, -1, "-5%", "-0.5"])
def test_parse_ratio_negative(raw: object) -> None:
    """Negative ratios are refused."""
    message = problem(parse_ratio, raw)
    assert "负数" in message
    assert_one_sentence(message)


@pytest.mark.parametrize(
    "raw", [None, "", " ", "八成", "85%%", "%", "0.8.5", True, float("nan"), date(2012, 1, 1)]
)
def test_parse_ratio_unrecognised(raw: object) -> None:
    """Blank and non-numeric values are refused with an example of a ratio."""
    message = problem(parse_ratio, raw)
    assert "85%" in message
    assert_one_sentence(message)


@given(st.decimals(min_value=0, max_value=100, places=6))
def test_parse_ratio_percent_text_is_exact(x: Decimal) -> None:
    """parse_ratio(f"{x}%") is exactly x / 100 for any x in 0..100."""
    assert parse_ratio(f"{x}%") == x / 100


@given(st.decimals(min_value=0, max_value=100, allow_nan=False, allow_infinity=False))
def test_parse_ratio_percent_text_exact_any_precision(x: Decimal) -> None:
    """Percent text with any number of digits is shifted two places without rounding."""
    result = parse_ratio(f"{x}%").as_tuple()
    expected = x.as_tuple()
    # Compare digit tuples: Decimal arithmetic would itself round at 28 digits.
    assert result.digits == expected.digits
    assert result.exponent == expected.exponent - 2  # type: ignore[operator]


# ---------------------------------------------------------------------------
# parse_int
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (300, 300),
        (0, 0),
        (300.0, 300),
        (Decimal("300"), 300),
        (Decimal("300.00"), 300),
        ("300", 300),
        ("３００", 300),
        (" 300 ", 300),
        ("300.0", 300),
        ("1,200", 1200),
        ("1，200", 1200),
        ("12,345,678", 12345678),
        ("300人", 300),
        ("300 人", 300),
        ("1,200名", 1200),
        ("3个", 3),
        ("12家", 12),
        ("2次", 2),
        ("+5", 5),
    ],
)
def test_parse_int_forms(raw: object, expected: int) -> None:
    """Whole numbers from ints, whole floats, digit text, grouped text and counted text."""
    result = parse_int(raw)
    assert type(result) is int
    assert result == expected


def test_parse_int_minimum() -> None:
    """The minimum is inclusive and may be negative."""
    assert parse_int(1, minimum=1) == 1
    assert parse_int("-3", minimum=-5) == -3
    message = problem(lambda raw: parse_int(raw, minimum=1), 0)
    assert "1" in message
    assert_one_sentence(message)


@pytest.mark.parametrize("raw", [-1, "-1", -1.0, "-3人"])
def test_parse_int_below_default_minimum(raw: object) -> None:
    """The default minimum 0 refuses negative numbers and says the bound."""
    message = problem(parse_int, raw)
    assert "小于 0" in message
    assert_one_sentence(message)


@pytest.mark.parametrize("raw", [2.5, "2.5", "1,200.5", Decimal("0.1"), "3.5人"])
def test_parse_int_fraction(raw: object) -> None:
    """A fractional value is refused as not whole."""
    message = problem(parse_int, raw)
    assert "小数" in message
    assert_one_sentence(message)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "三百",
        "12,00",
        "1,2000",
        "300人次人",
        "300元",
        "1 200",
        True,
        float("inf"),
        "1e999",
    ],
)
def test_parse_int_unrecognised(raw: object) -> None:
    """Blank, words, badly grouped digits, units other than counts and booleans are refused."""
    message = problem(parse_int, raw)
    assert "整数" in message
    assert_one_sentence(message)


# ---------------------------------------------------------------------------
# parse_decimal
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (1200, "1200"),
        (1200.5, "1200.5"),
        (0.1, "0.1"),
        (Decimal("99.99"), "99.99"),
        ("1200", "1200"),
        ("1200.50", "1200.50"),
        ("1,200.50", "1200.50"),
        ("¥1,200.50", "1200.50"),
        ("￥1200", "1200"),
        ("¥ 1200", "1200"),
        ("1200元", "1200"),
        ("1,200.00 元", "1200.00"),
        ("￥１，２００元", "1200"),
        ("-¥100", "-100"),
        ("¥-100", "-100"),
        ("0", "0"),
    ],
)
def test_parse_decimal_forms(raw: object, expected: str) -> None:
    """Money amounts from numbers and text with ¥/￥/元 and thousands separators."""
    result = parse_decimal(raw)
    assert isinstance(result, Decimal)
    assert result == Decimal(expected)


def test_parse_decimal_refuses_amounts_of_1_wanyi_or_more() -> None:
    """1 万亿 or more is no amount (fuzzer: 1e300 overflowed the fen arithmetic)."""
    assert parse_decimal("999999999999.99") == Decimal("999999999999.99")
    for raw in (10**12, -(10**12), 1e300, "1e99", "¥1,000,000,000,000"):
        assert "1 万亿" in problem(parse_decimal, raw)


def test_parse_decimal_keeps_exact_digits() -> None:
    """No rounding and no binary noise: floats go through repr, text keeps its digits."""
    assert str(parse_decimal(0.1)) == "0.1"
    assert str(parse_decimal("1,200.50")) == "1200.50"
    assert parse_decimal("0.005") == Decimal("0.005")


@pytest.mark.parametrize(
    "raw",
    [None, "", "一千二", "1.2万元", "¥", "元", "--100", "-¥-100", "12,00", True, float("nan")],
)
def test_parse_decimal_unrecognised(raw: object) -> None:
    """Blank, words, 万 amounts, bare symbols and booleans are refused with an example."""
    message = problem(parse_decimal, raw)
    assert "1200" in message
    assert_one_sentence(message)


# ---------------------------------------------------------------------------
# parse_yes_no
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["是", "有", "√", "✓", "✔", "Y", "y", "yes", "YES", "Yes", "true", "TRUE", "1", True, 1, 1.0],
)
def test_parse_yes_no_yes(raw: object) -> None:
    """Every accepted yes form is True."""
    assert parse_yes_no(raw) is True


@pytest.mark.parametrize(
    "raw",
    ["否", "无", "×", "✗", "✘", "N", "n", "no", "NO", "false", "FALSE", "0", False, 0, 0.0],
)
def test_parse_yes_no_no(raw: object) -> None:
    """Every accepted no form is False."""
    assert parse_yes_no(raw) is False


def test_parse_yes_no_folds_text() -> None:
    """Full-width letters and surrounding spaces are folded before matching."""
    assert parse_yes_no("　Ｙ　") is True
    assert parse_yes_no(" ｎｏ ") is False


@pytest.mark.parametrize("raw", [None, "", "不是", "可能", "2", 2, "x", "ok", "是否"])
def test_parse_yes_no_unrecognised(raw: object) -> None:
    """Anything else is refused with a message listing the accepted forms."""
    message = problem(parse_yes_no, raw)
    for form in ("是/否", "有/无", "√/×", "Y/N", "1/0"):
        assert form in message
    assert_one_sentence(message)


# ---------------------------------------------------------------------------
# Level
# ---------------------------------------------------------------------------


def test_level_order() -> None:
    """A higher qualification compares greater: 初级工 < 中级工 < 高级工 < 技师 < 高级技师."""
    assert Level.JUNIOR < Level.INTERMEDIATE < Level.SENIOR
    assert Level.SENIOR < Level.TECHNICIAN < Level.SENIOR_TECHNICIAN
    assert sorted(Level, reverse=True)[0] is Level.SENIOR_TECHNICIAN
    assert max(Level.SENIOR, Level.TECHNICIAN) is Level.TECHNICIAN


@pytest.mark.parametrize(
    ("level", "title", "grade"),
    [
        (Level.JUNIOR, "初级工", "五级"),
        (Level.INTERMEDIATE, "中级工", "四级"),
        (Level.SENIOR, "高级工", "三级"),
        (Level.TECHNICIAN, "技师", "二级"),
        (Level.SENIOR_TECHNICIAN, "高级技师", "一级"),
    ],
)
def test_level_title_and_grade(level: Level, title: str, grade: str) -> None:
    """Each level has its worker title and its official 级 name, and both parse back."""
    assert level.title == title
    assert level.grade == grade
    assert parse_level(title) is level
    assert parse_level(grade) is level


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("初级工", Level.JUNIOR),
        ("中级工", Level.INTERMEDIATE),
        ("高级工", Level.SENIOR),
        ("技师", Level.TECHNICIAN),
        ("高级技师", Level.SENIOR_TECHNICIAN),
        ("初级", Level.JUNIOR),
        ("中级", Level.INTERMEDIATE),
        ("高级", Level.SENIOR),
        ("五级", Level.JUNIOR),
        ("四级", Level.INTERMEDIATE),
        ("三级", Level.SENIOR),
        ("二级", Level.TECHNICIAN),
        ("一级", Level.SENIOR_TECHNICIAN),
        ("5级", Level.JUNIOR),
        ("4级", Level.INTERMEDIATE),
        ("3级", Level.SENIOR),
        ("2级", Level.TECHNICIAN),
        ("1级", Level.SENIOR_TECHNICIAN),
        ("３级", Level.SENIOR),
        ("预备技师", Level.TECHNICIAN),
        ("国家职业资格三级", Level.SENIOR),
        ("国家职业资格一级", Level.SENIOR_TECHNICIAN),
        ("职业资格二级", Level.TECHNICIAN),
        ("职业资格高级技师", Level.SENIOR_TECHNICIAN),
        ("职业技能等级四级", Level.INTERMEDIATE),
        ("三级/高级工", Level.SENIOR),
        ("三级／高级工", Level.SENIOR),
        ("高级工/三级", Level.SENIOR),
        ("高级工(三级)", Level.SENIOR),
        ("高级工（三级）", Level.SENIOR),
        ("高级工（国家职业资格三级）", Level.SENIOR),
        ("高级技师（一级）", Level.SENIOR_TECHNICIAN),
        ("技师(国家职业资格二级)", Level.TECHNICIAN),
        ("预备技师（二级）", Level.TECHNICIAN),
        ("一级/高级技师", Level.SENIOR_TECHNICIAN),
        ("中级（四级）", Level.INTERMEDIATE),
        ("五级、初级工", Level.JUNIOR),
        (" 高级 工 ", Level.SENIOR),
        ("\u3000技师\u3000", Level.TECHNICIAN),
        (Level.SENIOR, Level.SENIOR),
    ],
)
def test_parse_level_forms(raw: object, expected: Level) -> None:
    """Titles, grades, digit grades, prefixes and agreeing combined forms are accepted."""
    assert parse_level(raw) is expected


def test_parse_level_senior_technician_is_not_technician() -> None:
    """高级技师 is never read as 技师 or 高级工."""
    assert parse_level("高级技师") is Level.SENIOR_TECHNICIAN
    assert parse_level("高级技师") is not Level.TECHNICIAN
    assert parse_level("高级技师") is not Level.SENIOR
    assert parse_level("国家职业资格高级技师") is Level.SENIOR_TECHNICIAN


@pytest.mark.parametrize(
    "raw",
    ["三级/技师", "高级工(二级)", "高级技师（二级）", "技师（国家职业资格一级）", "初级/五级/四级"],
)
def test_parse_level_parts_must_agree(raw: str) -> None:
    """Combined forms whose parts name different levels are refused, naming both."""
    message = problem(parse_level, raw)
    assert "不是同一等级" in message
    assert message.startswith(f"「{raw}」")
    assert_one_sentence(message)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "特级",
        "六级",
        "6级",
        "3",
        3,
        "中级职称",
        "国家职业资格",
        "高级工证书",
        "工程师",
        "/",
    ],
)
def test_parse_level_unrecognised(raw: object) -> None:
    """Unknown words, bare digits, other titles and a prefix alone are refused."""
    message = problem(parse_level, raw)
    assert "高级技师" in message
    assert_one_sentence(message)


# ---------------------------------------------------------------------------
# add_years, add_months, held_for
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        (date(2020, 6, 1), 3, date(2023, 6, 1)),
        (date(2020, 2, 29), 3, date(2023, 2, 28)),
        (date(2020, 2, 29), 4, date(2024, 2, 29)),
        (date(2020, 2, 29), 1, date(2021, 2, 28)),
        (date(2019, 2, 28), 1, date(2020, 2, 28)),
        (date(2020, 2, 29), -1, date(2019, 2, 28)),
        (date(2020, 12, 31), 0, date(2020, 12, 31)),
        (date(1996, 2, 29), 104, date(2100, 2, 28)),
    ],
)
def test_add_years(start: date, years: int, expected: date) -> None:
    """Same month-day years later; 29 Feb falls back to 28 Feb in a common year."""
    assert add_years(start, years) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2100, 1, 31), 1, date(2100, 2, 28)),
        (date(2000, 1, 31), 1, date(2000, 2, 29)),
        (date(2023, 3, 31), 1, date(2023, 4, 30)),
        (date(2023, 1, 15), 1, date(2023, 2, 15)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
        (date(2023, 12, 31), 1, date(2024, 1, 31)),
        (date(2023, 1, 31), 12, date(2024, 1, 31)),
        (date(2023, 1, 31), 13, date(2024, 2, 29)),
        (date(2023, 3, 31), -1, date(2023, 2, 28)),
        (date(2023, 1, 10), -1, date(2022, 12, 10)),
        (date(2023, 5, 5), 0, date(2023, 5, 5)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    """Same day months later, clamped to the last day of a shorter month."""
    assert add_months(start, months) == expected


def test_add_months_out_of_range() -> None:
    """Going past year 9999 or before year 1 is a ValueError."""
    with pytest.raises(ValueError, match="outside"):
        add_months(date(9999, 12, 1), 1)
    with pytest.raises(ValueError, match="outside"):
        add_years(date(1, 1, 1), -1)


@pytest.mark.parametrize(
    ("start", "years", "months", "by", "expected"),
    [
        (date(2020, 6, 1), 3, 0, date(2023, 6, 1), True),
        (date(2020, 6, 1), 3, 0, date(2023, 5, 31), False),
        (date(2020, 6, 1), 3, 0, date(2023, 6, 2), True),
        (date(2020, 2, 29), 3, 0, date(2023, 2, 28), True),
        (date(2020, 2, 29), 3, 0, date(2023, 2, 27), False),
        (date(2020, 2, 29), 4, 0, date(2024, 2, 28), False),
        (date(2020, 2, 29), 4, 0, date(2024, 2, 29), True),
        (date(2023, 1, 31), 0, 1, date(2023, 2, 28), True),
        (date(2023, 1, 31), 0, 1, date(2023, 2, 27), False),
        (date(2020, 6, 1), 1, 6, date(2021, 12, 1), True),
        (date(2020, 6, 1), 1, 6, date(2021, 11, 30), False),
        (date(2020, 2, 29), 1, 1, date(2021, 3, 29), True),
        (date(2020, 2, 29), 1, 1, date(2021, 3, 28), False),
        (date(2020, 6, 1), 0, 0, date(2020, 6, 1), True),
        (date(2020, 6, 1), 0, 0, date(2020, 5, 31), False),
    ],
)
def test_held_for_boundaries(
    start: date, years: int, months: int, by: date, expected: bool
) -> None:
    """Held for the period exactly on the corresponding day; one day earlier is not enough."""
    assert held_for(start, years=years, months=months, by=by) is expected


def test_held_for_negative_period() -> None:
    """A negative period is a programming error."""
    with pytest.raises(ValueError, match="non-negative"):
        held_for(date(2020, 1, 1), years=-1, by=date(2020, 1, 1))


def test_period_ending_after_9999_is_never_held() -> None:
    """A period ending after 9999-12-31 has no end date and is not held (fuzzer: no crash)."""
    assert period_end(date(9999, 1, 1), years=3) is None
    assert period_end(date(9999, 10, 1), months=3) is None
    assert period_end(date(9999, 9, 30), months=3) == date(9999, 12, 30)
    assert held_for(date(9999, 1, 1), years=3, by=date(9999, 12, 31)) is False


any_date = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))


@given(any_date, st.integers(min_value=0, max_value=200))
def test_add_years_properties(day: date, years: int) -> None:
    """add_years is never before the start and keeps the day, except 29 Feb -> 28 Feb."""
    later = add_years(day, years)
    assert later >= day
    assert later.year == day.year + years
    assert later.month == day.month
    if (day.month, day.day) == (2, 29):
        assert later.day in (28, 29)
    else:
        assert later.day == day.day
    assert later == add_months(day, 12 * years)


@given(any_date, st.integers(min_value=0, max_value=2400))
def test_add_months_properties(day: date, months: int) -> None:
    """add_months lands in the right month and keeps the day unless the month is shorter."""
    later = add_months(day, months)
    assert later >= day
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day == day.day or (later.day < day.day and add_months(later, 0) == later)
    assert later.day == day.day or (later + timedelta(days=1)).day == 1


@given(any_date, st.integers(min_value=0, max_value=50), st.integers(min_value=0, max_value=11))
def test_held_for_matches_end_date(day: date, years: int, months: int) -> None:
    """held_for is true from the end date on and false the day before."""
    end = add_months(day, 12 * years + months)
    assert held_for(day, years=years, months=months, by=end)
    assert not held_for(day, years=years, months=months, by=end - timedelta(days=1))


# ---------------------------------------------------------------------------
# Messages in general
# ---------------------------------------------------------------------------

CASES = [
    (parse_date, "2012-13-45"),
    (parse_date, "31/08/2012"),
    (parse_date, "明天"),
    (parse_ratio, "85"),
    (parse_ratio, "八成"),
    (parse_int, "2.5"),
    (parse_int, "三百"),
    (parse_decimal, "一千二"),
    (parse_yes_no, "可能"),
    (parse_level, "特级"),
]


@pytest.mark.parametrize(("parser", "raw"), CASES)
def test_messages_quote_value_as_typed(parser: object, raw: str) -> None:
    """Messages quote the offending value as typed between 「」 at the start."""
    message = problem(parser, raw)
    assert re.match(r"「[^」]+」", message)
    assert message.startswith(f"「{raw}」")
    assert_one_sentence(message)


cells = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet="0123456789０１２３-/.年月日%％,，¥元人是否级高技师工( )（）eE+"),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
    st.decimals(),
)


@pytest.mark.parametrize(
    "parser", [parse_date, parse_ratio, parse_int, parse_decimal, parse_yes_no, parse_level]
)
@given(raw=cells)
def test_parsers_fail_only_with_value_problem(parser: object, raw: object) -> None:
    """Any calamine-like cell either parses or raises ValueProblem with a one-sentence fix."""
    assert callable(parser)
    try:
        parser(raw)
    except ValueProblem as error:
        assert error.message
        assert_one_sentence(error.message)


def test_messages_quote_full_width_as_typed() -> None:
    """The quoted value keeps the clerk's full-width characters so it can be found in the sheet."""
    assert problem(parse_date, "２０１３－０２－２９").startswith("「２０１３－０２－２９」")


def test_messages_shorten_long_values() -> None:
    """A very long value is shortened in the message and stays on one line."""
    message = problem(parse_yes_no, "很长的说明\n" * 20)
    assert "…」" in message
    assert len(message) < 120
    assert_one_sentence(message)


def test_the_characters_a_blank_cell_starts_with_are_every_space_and_zero_width_one() -> None:
    """blank_cells' C-speed test knows every character str.isspace() calls a space (and the
    zero-width ones), so no blank cell is taken for a filled one."""
    spaces = {chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()}
    assert spaces | set(values_module._INVISIBLE) == values_module._BLANK_START


_BLANKISH = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "\u3000", "\u200b", " \u200b ", "\u200b \u200b \u200b", "张三"]),
    st.sampled_from(["\x00", "a\x00 b", "\x00\u3000"]),  # a NUL, the joined texts' separator
    st.text(alphabet=" \t\u3000\u200b\ufeffa张", max_size=5),
    st.text(max_size=3),
    st.sampled_from([0, 1.5, True, date(2013, 2, 27)]),
)


@given(st.lists(_BLANKISH, max_size=30))
def test_blank_cells_of_a_column_are_is_blank_of_each(cells: list[object]) -> None:
    """blank_cells answers for every cell what is_blank does, for text columns (the fast
    path), columns with spaces or zero-width characters, texts holding a NUL (the separator
    of the texts it searches joined), and mixed-type columns."""
    assert blank_cells(cells) == [is_blank(cell) for cell in cells]
