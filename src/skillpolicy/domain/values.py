"""Parsers for the cell values found in HR-bureau spreadsheets.

Cells arrive from python-calamine as str, int, float, bool, date, datetime, time,
timedelta or None. Every parser either returns a clean Python value or raises
``ValueProblem`` whose message is one Chinese sentence a clerk can act on: it quotes
the value as 「…」, says what is wrong and shows how to write it instead.
"""

from __future__ import annotations

import calendar
import math
import operator
import re
import unicodedata
from collections.abc import Callable, Sequence, Set
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import IntEnum
from types import NoneType
from typing import TypeVar

__all__ = [
    "Level",
    "ValueProblem",
    "add_months",
    "add_years",
    "blank_cells",
    "cell_text",
    "fold",
    "fold_header",
    "fold_width",
    "header_without_note",
    "held_for",
    "is_blank",
    "parse_date",
    "parse_decimal",
    "parse_int",
    "parse_level",
    "parse_ratio",
    "parse_yes_no",
    "per_distinct",
    "per_distinct_pair",
    "period_end",
]


class ValueProblem(ValueError):
    """A cell value that cannot be used; ``message`` is one Chinese sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------

# Zero-width characters that survive copy-paste from web pages and Word; str.strip()
# does not treat them as whitespace.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


_WHITESPACE = re.compile(r"[\s" + _INVISIBLE + r"]+")
_EDGE_WHITESPACE = re.compile(r"^[\s" + _INVISIBLE + r"]+|[\s" + _INVISIBLE + r"]+$")


# Quotation marks are one mark (POLICIES.md "Text cells"): straight, curly, corner and
# full-width (NFKC already maps ＂ to ") all fold to the straight double quote, so
# "两后生"培训, “两后生”培训 and 「两后生」培训 name one category.
_QUOTES = str.maketrans(dict.fromkeys("'“”‘’「」＂", '"'))


def fold_width(text: str) -> str:
    """NFKC-normalise and strip surrounding whitespace, quotation marks kept as written (a name
    printed on a payout schedule or notice)."""
    return _EDGE_WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


def fold(text: str) -> str:
    """NFKC-normalise (full-width to half-width), fold quotation marks to one mark and strip
    surrounding whitespace."""
    return _EDGE_WHITESPACE.sub("", unicodedata.normalize("NFKC", text).translate(_QUOTES))


_HEADER_EDGES = re.compile(r"^\*+|[*:]+$")
# a unit or note in brackets at the end of a header: 到课率（%）, 培训人数(人), 金额（元）
_HEADER_NOTE = re.compile(r"\([^()]*\)$")


def fold_header(text: str) -> str:
    """Fold a column header: no whitespace at all, no required-field stars, no colon."""
    # NFKC already maps ＊ to * and ： to :, so only the half-width forms remain.
    return _HEADER_EDGES.sub("", _WHITESPACE.sub("", fold(text)))


def header_without_note(folded: str) -> str:
    """A folded header without a trailing bracketed unit or note (``到课率(%)`` ->
    ``到课率``); the header itself when nothing is left without it."""
    bare = _HEADER_NOTE.sub("", folded)
    return _HEADER_EDGES.sub("", bare) if bare else folded


def is_blank(raw: object) -> bool:
    """True for None, the empty string and whitespace-only strings."""
    if raw is None:
        return True
    if raw.__class__ is not str:  # a number, a date, a bool (or a str subclass)
        return isinstance(raw, str) and _blank_text(raw)
    if not raw:
        return True
    # a cell that starts with a visible character (most of them) is not blank: no strips
    first = raw[0]
    if not first.isspace() and first not in _INVISIBLE:
        return False
    return _blank_text(raw)


# every character a non-empty blank cell can start with: whitespace (what str.isspace()
# says of a character, all below U+3001) and the zero-width ones
_BLANK_START = frozenset(
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000" + _INVISIBLE
)
_TEXT_OR_NONE = frozenset([str, NoneType])


# a text, in the column's texts each after a NUL, that starts with one of them (a NUL in a cell
# may be taken for a start: then the column is judged cell by cell, as it would be anyway)
_STARTS_BLANK = re.compile("\x00[" + "".join(re.escape(ch) for ch in sorted(_BLANK_START)) + "]")


def blank_cells(cells: Sequence[object], types: Set[type] | None = None) -> list[bool]:
    """:func:`is_blank` of every cell. A column of text and empty cells none of whose texts
    starts with a space or a zero-width character (nearly every column) is answered at C speed:
    its blank cells are exactly the empty ones (one search over the texts joined). ``types``,
    when given, are the cells' types (found once for a column that several ask about)."""
    if types is None:
        types = set(map(type, cells))
    if _TEXT_OR_NONE.issuperset(types) and not _STARTS_BLANK.search(
        "\x00" + "\x00".join(filter(None, cells))  # type: ignore[arg-type]
    ):
        return list(map(operator.not_, cells))
    return list(map(is_blank, cells))


def _blank_text(text: str) -> bool:
    # str.strip() knows every Unicode space (U+3000, NBSP); the zero-width ones are added
    return not text.strip().strip(_INVISIBLE).strip()


def _float_text(value: float) -> str:
    if not math.isfinite(value):
        return repr(value)
    if value.is_integer():
        return str(int(value))
    # repr gives the shortest round-tripping digits; format "f" avoids "1e-05".
    return format(Decimal(repr(value)), "f")


def cell_text(raw: object) -> str:
    """The folded text a clerk sees in the cell."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return fold(raw)
    if isinstance(raw, bool):  # before int: bool is a subclass of int
        return "是" if raw else "否"
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        return _float_text(raw)
    if isinstance(raw, Decimal):
        return format(raw, "f") if raw.is_finite() else str(raw)
    if isinstance(raw, datetime):  # before date: datetime is a subclass of date
        if raw.time() == time(0, 0) and raw.tzinfo is None:
            return raw.date().isoformat()
        return raw.isoformat(sep=" ")
    if isinstance(raw, date | time):
        return raw.isoformat()
    return fold(str(raw))


def _shown(raw: object) -> str:
    """The value as quoted inside 「」 in a message: as typed, on one short line."""
    text = " ".join(raw.split()) if isinstance(raw, str) else cell_text(raw)
    return text if len(text) <= 40 else text[:39] + "…"


# Plain decimal number text. The exponent is capped at two digits so that "1e999999"
# cannot make int() build a gigantic number; Excel shows large numbers as 1.2E+17.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,2})?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def _number_from_text(text: str) -> Decimal | None:
    """Exact Decimal from folded number text (thousands separators allowed), else None."""
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    if _NUMBER.fullmatch(text):
        return Decimal(text)
    return None


def _number_from_cell(raw: int | float | Decimal) -> Decimal | None:
    """Exact Decimal of a numeric cell, None when it is NaN or infinite."""
    if isinstance(raw, float):
        # repr keeps what the clerk typed (0.6 stays 0.6, not 0.59999999999999997779...).
        return Decimal(repr(raw)) if math.isfinite(raw) else None
    value = Decimal(raw)
    return value if value.is_finite() else None


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

_DATE_HINT = "请写成 2012-08-31 这样的日期"
_MAX_SERIAL = 2958465  # 9999-12-31, Excel's last date
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 0 for serials after Excel's fake 1900-02-29
_TIME_SUFFIX = r"(?:\s*[T\s]\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_YMD_SEPARATED = re.compile(r"(\d+)\s*([-/.])\s*(\d+)\s*\2\s*(\d+)" + _TIME_SUFFIX)
_YMD_CHINESE = re.compile(r"(\d+)\s*年\s*(\d+)\s*月\s*(\d+)\s*[日号]?" + _TIME_SUFFIX)
_YEAR_MONTH = re.compile(r"(\d{4})\s*(?:[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月)")


def _from_serial(serial: int, shown: str) -> date:
    if serial < 1 or serial > _MAX_SERIAL:
        raise ValueProblem(
            f"「{shown}」超出了 Excel 日期序号的范围（1 到 {_MAX_SERIAL}），{_DATE_HINT}"
        )
    if serial == 60:
        # Excel copies Lotus 1-2-3 in treating 1900 as a leap year.
        raise ValueProblem(
            f"「{shown}」是 Excel 日期序号 60，对应并不存在的 1900-02-29，{_DATE_HINT}"
        )
    if serial < 60:
        return _EXCEL_EPOCH + timedelta(days=serial + 1)
    return _EXCEL_EPOCH + timedelta(days=serial)


def _checked_date(year: int, month: int, day: int, shown: str) -> date:
    if year < 1900:
        raise ValueProblem(
            f"「{shown}」的年份 {year} 早于 1900 年，请检查年份后写成 2012-08-31 这样的日期"
        )
    if not 1 <= month <= 12:
        raise ValueProblem(f"「{shown}」不是有效日期，因为没有 {month} 月，{_DATE_HINT}")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise ValueProblem(
            f"「{shown}」不是有效日期，因为 {year} 年 {month} 月只有 {last} 天，{_DATE_HINT}"
        )
    return date(year, month, day)


def _date_from_parts(first: str, second: str, third: str, shown: str) -> date:
    if len(first) != 4:
        if len(third) == 4:
            raise ValueProblem(
                f"「{shown}」像是把年份写在了最后，请按年、月、日的顺序写成 2012-08-31"
            )
        raise ValueProblem(f"「{shown}」的年份不是四位数，请写出完整的四位年份，如 2012-08-31")
    if len(second) > 2 or len(third) > 2:
        raise ValueProblem(f"「{shown}」的月或日超过两位数，{_DATE_HINT}")
    return _checked_date(int(first), int(second), int(third), shown)


def _date_from_text(raw: str) -> date:
    text = fold(raw)
    shown = _shown(raw)
    if not text:
        raise ValueProblem(f"日期为空，{_DATE_HINT}")
    if text.isascii() and text.isdigit():
        if len(text) == 8:  # 20120831; 8 digits is beyond the largest serial
            return _checked_date(int(text[:4]), int(text[4:6]), int(text[6:]), shown)
        if len(text) == 4 and 1900 <= int(text) <= 2100:
            # Almost surely a year typed alone rather than a serial for a day in 1905.
            raise ValueProblem(f"「{shown}」只有年份，请写成 2012-08-31 这样的完整日期")
        if len(text) == 6 and text[:2] in ("19", "20") and 1 <= int(text[4:]) <= 12:
            # Year and month (201208), not a serial for a day in the 2400s.
            raise ValueProblem(f"「{shown}」只有年和月，请写成 2012-08-31 这样的完整日期")
        if len(text) <= 7:
            return _from_serial(int(text), shown)
        raise ValueProblem(f"「{shown}」不是有效日期，{_DATE_HINT}")
    match = _YMD_SEPARATED.fullmatch(text)
    if match:
        return _date_from_parts(match[1], match[3], match[4], shown)
    match = _YMD_CHINESE.fullmatch(text)
    if match:
        return _date_from_parts(match[1], match[2], match[3], shown)
    if _YEAR_MONTH.fullmatch(text):
        raise ValueProblem(f"「{shown}」缺少日，请写成 2012-08-31 这样的完整日期")
    number = _number_from_text(text)
    if number is not None:  # text of a fractional serial, e.g. "41152.5"
        return _date_from_number(number, shown)
    raise ValueProblem(f"「{shown}」不是可识别的日期，{_DATE_HINT}")


def _date_from_number(number: Decimal, shown: str) -> date:
    # A fractional part is the time of day; the date is the whole part.
    if number < 1:
        return _from_serial(0, shown)
    if number > _MAX_SERIAL:
        return _from_serial(_MAX_SERIAL + 1, shown)
    return _from_serial(int(number), shown)


def parse_date(raw: object) -> date:
    """A calendar date from a date cell, date text or an Excel (1900 system) serial."""
    if isinstance(raw, datetime):
        value = raw.date()
    elif isinstance(raw, date):
        value = raw
    elif isinstance(raw, bool):
        raise ValueProblem(f"「{_shown(raw)}」是是/否值而不是日期，{_DATE_HINT}")
    elif isinstance(raw, int | float | Decimal):
        number = _number_from_cell(raw)
        if number is None:
            raise ValueProblem(f"「{_shown(raw)}」不是数字日期，{_DATE_HINT}")
        value = _date_from_number(number, _shown(raw))
    elif isinstance(raw, time | timedelta):
        raise ValueProblem(f"「{_shown(raw)}」是时间而不是日期，{_DATE_HINT}")
    elif raw is None:
        raise ValueProblem(f"日期为空，{_DATE_HINT}")
    elif isinstance(raw, str):
        return _date_from_text(raw)
    else:
        raise ValueProblem(f"「{_shown(raw)}」不是日期，{_DATE_HINT}")
    if value.year < 1900:
        raise ValueProblem(f"「{_shown(raw)}」早于 1900 年，请检查年份后写成 2012-08-31 这样的日期")
    return value


# ---------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------

_RATIO_HINT = "请写成 85% 或 0.85 这样的比例"
_PERCENT = re.compile(r"(.*?)\s*%")


def _shift(value: Decimal, places: int) -> Decimal:
    """value * 10**places, exact whatever the decimal context precision is."""
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # callers pass finite values only
    return Decimal((sign, digits, exponent + places))


def parse_ratio(raw: object) -> Decimal:
    """A ratio between 0 and 1 from 0.85, 85%, 85.5 % or a percent-formatted cell."""
    shown = _shown(raw)
    percent = False
    value: Decimal | None
    if is_blank(raw):
        raise ValueProblem(f"比例为空，{_RATIO_HINT}")
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise ValueProblem(f"「{shown}」不是比例，{_RATIO_HINT}")
    if isinstance(raw, str):
        text = fold(raw)
        match = _PERCENT.fullmatch(text)
        if match:
            percent, text = True, match[1]
        value = _number_from_text(text)
    else:
        value = _number_from_cell(raw)
    if value is None:
        raise ValueProblem(f"「{shown}」不是比例，{_RATIO_HINT}")
    if percent:
        value = _shift(value, -2)
    if value < 0:
        raise ValueProblem(f"「{shown}」是负数，比例应在 0 到 100% 之间，{_RATIO_HINT}")
    if value > 1:
        if percent or value > 100:
            raise ValueProblem(f"「{shown}」超过了 100%，比例应在 0 到 100% 之间，{_RATIO_HINT}")
        # 85 could be 85% or a typo for 0.85; guessing would change who gets a subsidy.
        raise ValueProblem(
            f"「{shown}」大于 1，看不出是百分数还是小数，"
            f"请写成 {cell_text(raw)}% 或不大于 1 的小数如 0.85"
        )
    return value.copy_abs() if value.is_zero() else value  # no "-0"


_COUNT_UNIT = re.compile(r"(.*?)\s*[人名个家次]")


def parse_int(raw: object, *, minimum: int = 0, hint: str | None = None) -> int:
    """A whole number such as a head count: 300, 300.0, "1,200", "300人"; ``hint`` says what
    to write instead (default: an integer not below ``minimum``)."""
    shown = _shown(raw)
    hint = hint or f"请填写不小于 {minimum} 的整数，如 300"
    value: Decimal | None
    if is_blank(raw):
        raise ValueProblem(f"数量为空，{hint}")
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise ValueProblem(f"「{shown}」不是整数，{hint}")
    if isinstance(raw, int):
        number = raw
    else:
        if isinstance(raw, str):
            text = fold(raw)
            match = _COUNT_UNIT.fullmatch(text)
            value = _number_from_text(match[1] if match else text)
        else:
            value = _number_from_cell(raw)
        if value is None:
            raise ValueProblem(f"「{shown}」不是整数，{hint}")
        if value != value.to_integral_value():
            raise ValueProblem(f"「{shown}」带有小数，{hint}")
        number = int(value)
    if number < minimum:
        raise ValueProblem(f"「{shown}」小于 {minimum}，{hint}")
    return number


_MONEY_LIMIT = Decimal(10) ** 12  # 1 万亿 yuan, also the limit of the 大写金额 writer
_MONEY = re.compile(r"([+-]?)\s*(?:¥\s*)?([+-]?)\s*(.*?)\s*(?:元)?")


def parse_decimal(raw: object) -> Decimal:
    """An exact amount of money: 1200, 1200.5, "¥1,200.50", "1200元"."""
    shown = _shown(raw)
    hint = "请只填写数字金额，如 1200 或 1,200.50"
    value: Decimal | None = None
    if is_blank(raw):
        raise ValueProblem(f"金额为空，{hint}")
    if isinstance(raw, str):
        match = _MONEY.fullmatch(fold(raw))
        # At most one sign, either before or after the currency symbol.
        if match and not (match[1] and match[2]) and not match[3].startswith(("+", "-")):
            value = _number_from_text(match[1] + match[2] + match[3])
    elif isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        value = _number_from_cell(raw)
    if value is None:
        raise ValueProblem(f"「{shown}」不是金额，{hint}")
    if value.copy_abs() >= _MONEY_LIMIT:
        # beyond any payroll or score; larger numbers would also overflow the fen arithmetic
        raise ValueProblem(
            f"「{shown}」达到 1 万亿元以上，不是合理的金额，请核对是否多输了数字；{hint}"
        )
    return value


_YES = frozenset({"是", "有", "√", "✓", "✔", "y", "yes", "true", "1"})
_NO = frozenset({"否", "无", "×", "✗", "✘", "n", "no", "false", "0"})
_YES_NO_HINT = "请填写 是/否、有/无、√/×、Y/N 或 1/0"


def parse_yes_no(raw: object) -> bool:
    """A yes/no answer from 是/否, 有/无, √/×, Y/N, yes/no, a boolean cell or 1/0."""
    if isinstance(raw, bool):
        return raw
    if is_blank(raw):
        raise ValueProblem(f"是否项为空，{_YES_NO_HINT}")
    text = cell_text(raw).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueProblem(f"「{_shown(raw)}」不是是/否值，{_YES_NO_HINT}")


# ---------------------------------------------------------------------------
# Vocational qualification levels
# ---------------------------------------------------------------------------


class Level(IntEnum):
    """国家职业资格 level; a higher qualification compares greater.

    The int values run 1..5 from 五级 up to 一级 so that ordering is the natural one;
    use ``grade`` for the official 级 name, never ``int(level)``.
    """

    JUNIOR = 1  # 五级 / 初级工
    INTERMEDIATE = 2  # 四级 / 中级工
    SENIOR = 3  # 三级 / 高级工
    TECHNICIAN = 4  # 二级 / 技师
    SENIOR_TECHNICIAN = 5  # 一级 / 高级技师

    @property
    def title(self) -> str:
        """The worker's title, e.g. 高级工; outputs use this."""
        return _TITLES[self]

    @property
    def grade(self) -> str:
        """The official level name, e.g. 三级."""
        return _GRADES[self]


_TITLES = {
    Level.JUNIOR: "初级工",
    Level.INTERMEDIATE: "中级工",
    Level.SENIOR: "高级工",
    Level.TECHNICIAN: "技师",
    Level.SENIOR_TECHNICIAN: "高级技师",
}
_GRADES = {
    Level.JUNIOR: "五级",
    Level.INTERMEDIATE: "四级",
    Level.SENIOR: "三级",
    Level.TECHNICIAN: "二级",
    Level.SENIOR_TECHNICIAN: "一级",
}
_LEVEL_WORDS = {
    "高级技师": Level.SENIOR_TECHNICIAN,
    "预备技师": Level.TECHNICIAN,
    "技师": Level.TECHNICIAN,
    "高级工": Level.SENIOR,
    "中级工": Level.INTERMEDIATE,
    "初级工": Level.JUNIOR,
    "高级": Level.SENIOR,
    "中级": Level.INTERMEDIATE,
    "初级": Level.JUNIOR,
    "一级": Level.SENIOR_TECHNICIAN,
    "二级": Level.TECHNICIAN,
    "三级": Level.SENIOR,
    "四级": Level.INTERMEDIATE,
    "五级": Level.JUNIOR,
    "1级": Level.SENIOR_TECHNICIAN,
    "2级": Level.TECHNICIAN,
    "3级": Level.SENIOR,
    "4级": Level.INTERMEDIATE,
    "5级": Level.JUNIOR,
}
# Longest words first, so 高级技师 is never read as 高级 + 技师 and 高级工 never as 高级.
_LEVEL_TOKEN = re.compile(
    r"(?:国家职业资格|职业资格|职业技能等级)?("
    + "|".join(sorted(_LEVEL_WORDS, key=len, reverse=True))
    + r")"
)
_LEVEL_SEPARATORS = "/()、,-"
_LEVEL_HINT = "请写成 初级工、中级工、高级工、技师、高级技师 或 五级至一级"


def parse_level(raw: object) -> Level:
    """A qualification level from 高级工, 三级, 3级, 国家职业资格三级, 高级工(三级) and so on."""
    if isinstance(raw, Level):
        return raw
    if is_blank(raw):
        raise ValueProblem(f"职业资格等级为空，{_LEVEL_HINT}")
    shown = _shown(raw)
    text = _WHITESPACE.sub("", cell_text(raw))
    found: list[tuple[str, Level]] = []
    position = 0
    while position < len(text):
        if text[position] in _LEVEL_SEPARATORS:
            position += 1
            continue
        match = _LEVEL_TOKEN.match(text, position)
        if match is None:
            raise ValueProblem(f"「{shown}」不是可识别的职业资格等级，{_LEVEL_HINT}")
        found.append((match[1], _LEVEL_WORDS[match[1]]))
        position = match.end()
    if not found:
        raise ValueProblem(f"「{shown}」不是可识别的职业资格等级，{_LEVEL_HINT}")
    first_word, level = found[0]
    for word, other in found[1:]:
        if other is not level:
            raise ValueProblem(
                f"「{shown}」中的{first_word}（{level.grade}/{level.title}）与{word}"
                f"（{other.grade}/{other.title}）不是同一等级，请改成一致的写法，如 三级/高级工"
            )
    return level


# ---------------------------------------------------------------------------
# Periods
# ---------------------------------------------------------------------------


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, clamped to the last day of a shorter month."""
    index = start.year * 12 + start.month - 1 + months
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise ValueError(f"{start.isoformat()} + {months} months is outside years 1..9999")
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(start.day, last))


def add_years(start: date, years: int) -> date:
    """The same month and day ``years`` later; 29 Feb becomes 28 Feb in a common year.

    民法典 第二百零二条: without a corresponding day the period ends on the month's last day.
    """
    return add_months(start, years * 12)


def period_end(start: date, *, years: int = 0, months: int = 0) -> date | None:
    """The day a period of years+months from ``start`` runs out (see :func:`held_for`), or
    None when that day would fall after 9999-12-31, the last date a cell can hold."""
    if years < 0 or months < 0:
        raise ValueError("a period is never negative")
    if start.year * 12 + start.month - 1 + years * 12 + months >= 10000 * 12:
        return None
    # One month count, so 29 Feb + 1 year 1 month is 29 Mar, not 28 Feb + 1 month.
    return add_months(start, years * 12 + months)


def held_for(start: date, *, years: int = 0, months: int = 0, by: date) -> bool:
    """True when a period of years+months starting on ``start`` has run out by ``by``.

    Per 民法典 第二百零一/二百零二条 the start day is not counted and the period ends on
    the corresponding day, so a certificate dated 2020-06-01 is held 3 years on 2023-06-01.
    A period ending after 9999-12-31 has not run out by any date.
    """
    if years < 0 or months < 0:
        raise ValueError("held_for needs a non-negative period")
    end = period_end(start, years=years, months=months)
    return end is not None and end <= by


_T = TypeVar("_T")
# the cell types that compare equal across types (True == 1 == 1.0 == Decimal(1))
NUMERIC_TYPES = frozenset([bool, int, float, Decimal])


def per_distinct(
    cells: Sequence[object], judgement: Callable[[object], _T], types: Set[type] | None = None
) -> list[_T]:
    """``judgement`` of every cell, made once per distinct value of ``cells`` (the distinct
    values found at C speed, then looked up). Equal values of different types are one dict key
    (True == 1 == 1.0): a column that mixes numeric types has each cell judged by itself.
    ``types``, when given, are the cells' types (found once for a column several ask about)."""
    if len(NUMERIC_TYPES.intersection(map(type, cells) if types is None else types)) > 1:
        return [judgement(raw) for raw in cells]
    try:
        distinct = dict.fromkeys(cells)
    except TypeError:  # an unhashable value (from a library caller)
        return [judgement(raw) for raw in cells]
    answers = {raw: judgement(raw) for raw in distinct}
    return list(map(answers.__getitem__, cells))


def per_distinct_pair(
    first: Sequence[object],
    second: Sequence[object],
    judgement: Callable[[object, object], _T],
    types: tuple[Set[type], Set[type]] | None = None,
) -> list[_T]:
    """``judgement(a, b)`` of each row's pair of cells (``first[i]``, ``second[i]``), made
    once per distinct pair (found at C speed, then looked up), as :func:`per_distinct` does
    for one column; a column that mixes numeric types has each pair judged by itself.
    ``types``, when given, are the two columns' cell types."""
    pairs = list(zip(first, second, strict=True))
    first_types, second_types = (
        (set(map(type, first)), set(map(type, second))) if types is None else types
    )
    if (
        len(NUMERIC_TYPES.intersection(first_types)) > 1
        or len(NUMERIC_TYPES.intersection(second_types)) > 1
    ):
        return [judgement(a, b) for a, b in pairs]
    try:
        distinct = dict.fromkeys(pairs)
    except TypeError:  # an unhashable value (from a library caller)
        return [judgement(a, b) for a, b in pairs]
    answers = {pair: judgement(*pair) for pair in distinct}
    return list(map(answers.__getitem__, pairs))
