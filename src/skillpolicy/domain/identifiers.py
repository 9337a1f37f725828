"""Checks for Chinese identifiers found in training rosters.

Resident identity numbers (GB 11643-1999), unified social credit codes
(GB 32100-2015), phone numbers, postcodes, Luhn bank-card numbers, and masks
for printing them.  Written here rather than taken from a third-party package
because the published ones reject numbers that are valid (new county codes,
residence permits).

Every check returns a frozen result with ``ok``, the normalised ``value`` it
looked at, and ``problem``: one Chinese sentence a clerk can act on.
"""

from __future__ import annotations

import math
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence, Set
from dataclasses import dataclass
from datetime import date
from itertools import compress, filterfalse, repeat

__all__ = [
    "Check",
    "ResidentId",
    "birth_of",
    "check_credit_code",
    "check_phone",
    "check_postcode",
    "check_resident_id",
    "check_resident_ids",
    "latest_birth",
    "luhn_ok",
    "mask_account",
    "mask_id",
    "mask_phone",
    "normalise_text",
    "plain_resident_ids",
    "plain_resident_ids_born",
]


@dataclass(frozen=True)
class Check:
    """Outcome of one identifier check."""

    ok: bool
    value: str
    problem: str | None


@dataclass(frozen=True)
class ResidentId(Check):
    """Outcome of a resident identity number check.

    ``birth_date`` and ``sex`` are filled only when ``ok`` is true, so callers
    never compute ages from a number that failed.
    """

    birth_date: date | None = None
    sex: str | None = None
    legacy: bool = False


# --------------------------------------------------------------------------- text


def normalise_text(raw: object) -> str:
    """Return ``str(raw)`` NFKC-folded with all whitespace removed.

    NFKC turns full-width digits/letters and U+3000 into ASCII.  Zero-width
    format characters (U+200B, BOM, ...) are dropped too: they arrive with
    text pasted from web pages and are invisible to the clerk.  ``None`` gives
    "" rather than "None".
    """
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw))
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf")


# A spreadsheet shows a long number in scientific notation once it is stored as a number.
_SCIENTIFIC_RE = re.compile(r"[+-]?\d+(?:\.\d*)?[eE][+-]?\d+")
# "450102199001011234.0" is what a numeric cell becomes after a float round trip.
_DECIMAL_RE = re.compile(r"\d+\.\d*")


def _is_number(raw: object) -> bool:
    # bool is an int subclass but never comes from a numeric cell.
    return isinstance(raw, int | float) and not isinstance(raw, bool)


def _is_nan(raw: object) -> bool:
    # pandas and some readers hand blank cells over as NaN.
    return isinstance(raw, float) and math.isnan(raw)


def _cell_text(raw: object) -> str:
    """Text of a cell, turning integral floats (13812345678.0) into plain digits."""
    if _is_nan(raw):
        return ""
    if isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
        return str(int(raw))
    return normalise_text(raw)


# ------------------------------------------------------------ resident identity number

_ID_CHECK_CHARS = "10X98765432"  # index = sum mod 11, same as (12 - s) mod 11 with 10 -> X
_PROVINCE_CODES = frozenset(
    [
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,  # Hong Kong residence permit
        82,  # Macau residence permit
        83,  # Taiwan residence permit
    ]
)
# the same as two-digit text (the first two characters of a number, all digits)
_PROVINCE_PREFIXES = frozenset(f"{code:02d}" for code in _PROVINCE_CODES)

# The standard's own worked example 440524188001010014 is born in 1880, so the floor
# cannot be 1900; plausible ages for training belong to the policy rules, not here.
_MIN_BIRTH_YEAR = 1800

_ID_EMPTY = "身份证号码为空，请填写18位公民身份号码。"
_ID_NUMERIC = (
    "身份证号码在表格中被存成了数字，后几位已经丢失，请把该单元格设为文本格式后重新输入完整号码。"
)
_ID_LEGACY = "这是15位的旧身份证号码，请提供现行的18位公民身份号码。"
_ID_CHARS = "身份证号码只能由数字和末位的X组成，请删除其他字符后重新填写。"
_ID_X_POSITION = "身份证号码中只有最后一位可以是X，请对照身份证核对号码。"
_ID_CHECK = "身份证号码的校验位不符，请对照身份证原件重新核对整个号码。"


def _id_check_char(first17: str) -> str:
    """The check character of 17 ASCII digits (ISO 7064 MOD 11-2).

    The weights are 2^(18-k) mod 11 for the k-th digit, so the weighted sum is, modulo 11,
    twice the digits read as a number in any base congruent to 2 modulo 11: base 13 (every
    digit 0-9 is a base-13 digit), one conversion instead of seventeen products."""
    return _ID_CHECK_CHARS[2 * int(first17, 13) % 11]


# What nearly every cell holds: plain ASCII, nothing to normalise (the fast path).
_PLAIN_ID = re.compile(r"[0-9]{17}[0-9Xx]")


# birth dates by their eight digits: a roster's people share a few thousand of them
_BIRTHS: dict[str, date | None] = {}
_BIRTHS_KEPT = 50_000
# those of them that are real dates from _MIN_BIRTH_YEAR on (what a valid number may hold)
_REAL_BIRTHS: set[str] = set()


def _parse_date(text: str) -> date | None:
    found = _BIRTHS.get(text, _NOT_SEEN)
    if found is not _NOT_SEEN:
        return found  # type: ignore[return-value]
    try:  # eight ASCII digits: ISO 8601's basic form (YYYYMMDD), read in C
        birth: date | None = date.fromisoformat(text)
    except ValueError:
        birth = None
    if len(_BIRTHS) < _BIRTHS_KEPT:
        _BIRTHS[text] = birth
        if birth is not None and birth.year >= _MIN_BIRTH_YEAR:
            _REAL_BIRTHS.add(text)
    return birth


_NOT_SEEN = object()


def _valid_id(text: str, birth: date, sex: str) -> ResidentId:
    """A valid number's ResidentId, made without the frozen dataclass's six ``__setattr__``
    calls (the same object: equal, hashed and printed alike)."""
    found = object.__new__(ResidentId)
    found.__dict__.update(
        ok=True, value=text, problem=None, birth_date=birth, sex=sex, legacy=False
    )
    return found


def check_resident_id(raw: object, *, not_after: date | None = None) -> ResidentId:
    """Check an 18-character resident identity number (GB 11643-1999).

    ``not_after`` is a reference date (e.g. the roster date); a birth date
    after it is rejected.  County codes are deliberately not checked.
    """
    if isinstance(raw, str) and _PLAIN_ID.fullmatch(raw):
        text = raw.upper()
    else:
        if raw is None or _is_nan(raw):
            return ResidentId(ok=False, value="", problem=_ID_EMPTY)
        text = normalise_text(raw).upper()
        if _is_number(raw) or _SCIENTIFIC_RE.fullmatch(text) or _DECIMAL_RE.fullmatch(text):
            return ResidentId(ok=False, value=text, problem=_ID_NUMERIC)
        if not text:
            return ResidentId(ok=False, value="", problem=_ID_EMPTY)
        # Characters first: "450102-1990..." should be told about the dash, not the length.
        if any(ch not in "0123456789X" for ch in text):
            return ResidentId(ok=False, value=text, problem=_ID_CHARS)
        if len(text) == 15 and text.isdigit():
            return ResidentId(ok=False, value=text, problem=_ID_LEGACY, legacy=True)
        if len(text) != 18:
            problem = (
                f"身份证号码应为18位，现在是{len(text)}位，请对照身份证核对是否多输或漏输了字符。"
            )
            return ResidentId(ok=False, value=text, problem=problem)
        if not text[:17].isdigit():
            return ResidentId(ok=False, value=text, problem=_ID_X_POSITION)
    if text[:2] not in _PROVINCE_PREFIXES:
        problem = f"身份证号码前两位“{text[:2]}”不是有效的省级行政区代码，请对照身份证核对号码。"
        return ResidentId(ok=False, value=text, problem=problem)
    birth = _parse_date(text[6:14])
    if birth is None or birth.year < _MIN_BIRTH_YEAR:
        problem = (
            f"身份证号码第7至14位的出生日期“{text[6:14]}”不是{_MIN_BIRTH_YEAR}年以后的真实日期，"
            "请对照身份证核对号码。"
        )
        return ResidentId(ok=False, value=text, problem=problem)
    if not_after is not None and birth > not_after:
        problem = (
            f"身份证号码中的出生日期{birth.isoformat()}晚于参考日期{not_after.isoformat()}，"
            "请核对号码或参考日期。"
        )
        return ResidentId(ok=False, value=text, problem=problem)
    # The expected check char is never put in the message: it would help forge numbers.
    if _id_check_char(text[:17]) != text[17]:
        return ResidentId(ok=False, value=text, problem=_ID_CHECK)
    return _valid_id(text, birth, "男" if text[16] in "13579" else "女")


def check_resident_ids(
    raws: Iterable[object], check: Callable[[object], ResidentId] | None = None
) -> list[ResidentId]:
    """:func:`check_resident_id` of each value (no reference date), for a whole column.

    A plain valid number (18 ASCII characters, a known province, a real birth date already
    seen, the check character right: nearly every cell) is judged inline, its checksum by one
    base-13 conversion; any other value goes through :func:`check_resident_id` for its
    problem. The answers are equal to the one-by-one ones. Another ``check`` (a caller's
    stand-in) judges every value itself."""
    if check is not None and check is not check_resident_id:
        return list(map(check, raws))
    one = check_resident_id
    out: list[ResidentId] = []
    append = out.append
    plain = _PLAIN_ID.fullmatch
    births = _BIRTHS
    prefixes = _PROVINCE_PREFIXES
    chars = _ID_CHECK_CHARS
    new = object.__new__
    for raw in raws:
        if raw.__class__ is str and plain(raw):
            text = raw.upper()
            birth = births.get(text[6:14])
            if (
                birth is not None
                and birth.year >= _MIN_BIRTH_YEAR
                and text[:2] in prefixes
                and chars[2 * int(text[:17], 13) % 11] == text[17]
            ):
                # made without the frozen dataclass's __init__ (one object.__setattr__ a
                # field): a column of distinct numbers makes one per cell
                found = new(ResidentId)
                found.__dict__.update(
                    ok=True,
                    value=text,
                    problem=None,
                    birth_date=birth,
                    sex="男" if text[16] in "13579" else "女",
                    legacy=False,
                )
                append(found)
                continue
        append(one(raw))
    return out


# a plain number of a known province: 18 ASCII characters, the first two a province code
_PLAIN_KNOWN_ID = re.compile("(?:" + "|".join(sorted(_PROVINCE_PREFIXES)) + ")[0-9]{15}[0-9Xx]")
_BIRTH_TEXT = operator.itemgetter(slice(6, 14))
# a run of such numbers, each on a line of its own (a column's cells joined by newlines)
_PLAIN_KNOWN_LINES = re.compile(f"(?:{_PLAIN_KNOWN_ID.pattern}\n)*")
_TEXT_ONLY = frozenset([str])


def _plain_lines(texts: Sequence[str]) -> list[bool] | None:
    """Whether each text is a plain number of a known province (:data:`_PLAIN_KNOWN_ID`),
    found by matching the texts joined one a line: a run of plain lines at a time, a step
    only for each text that is not one. None when every text is; a list when one holding
    a newline would make more lines than texts."""
    joined = "\n".join(texts) + "\n"
    if joined.count("\n") != len(texts):
        return list(map(bool, map(_PLAIN_KNOWN_ID.fullmatch, texts)))
    marks: list[bool] | None = None
    line = position = 0
    run = _PLAIN_KNOWN_LINES.match
    while True:
        end = run(joined, position).end()  # type: ignore[union-attr]  # a run may be empty
        line += (end - position) // 19
        if line == len(texts):
            return marks
        if marks is None:
            marks = [True] * len(texts)
        marks[line] = False  # this line is not a plain number: the run goes on after it
        position = joined.index("\n", end) + 1
        line += 1


def plain_resident_ids(cells: Sequence[object], types: Set[type] | None = None) -> list[str]:
    """:func:`plain_resident_ids_born` without the latest birth."""
    return plain_resident_ids_born(cells, types)[0]


def plain_resident_ids_born(
    cells: Sequence[object], types: Set[type] | None = None
) -> tuple[list[str], date | None]:
    """For a column of cells, each cell's number (upper-case) when it is a plain valid
    resident identity number, else "".

    Plain valid means what :func:`check_resident_id` finds valid without normalising: a text
    of 18 ASCII digits (the last may be X or x), a known province, a real birth date from
    1800 on and the right check character. A cell answered "" may still be valid (written
    with full-width digits or spaces): ask :func:`check_resident_id` for it. Every judgement
    is made a column at a time at C speed (no object per number); a valid number's birth
    date and sex are in its text (digits 7-14 and the parity of the 17th). ``types``, when
    given, are the cells' types (found once for a column several ask about).

    A column of text whose every cell is a plain number of a known province (nearly every
    batch of a roster) is recognised by one match over its cells joined, and a column whose
    birth dates are all real ones seen before by one set look-up. Besides the numbers, the
    latest birth date of the valid ones (None when there is none)."""
    if types is None:
        types = set(map(type, cells))
    texts: list[str] = (
        cells  # type: ignore[assignment]
        if _TEXT_ONLY.issuperset(types)
        else [cell if cell.__class__ is str else "" for cell in cells]
    )
    matched = _plain_lines(texts)
    numbers = texts if matched is None else list(compress(texts, matched))
    if not numbers:
        return [""] * len(cells), None
    if "x" in "".join(numbers):
        numbers = list(map(str.upper, numbers))
    births = list(map(_BIRTH_TEXT, numbers))
    # the check character is right when the 18 characters read in base 13 (X as 10) leave 1
    # modulo 11: base 13 is 2 modulo 11, so this is the standard's weighted sum (see
    # _id_check_char) plus the check value
    remainders = map(
        operator.mod,
        map(int, map(str.replace, numbers, repeat("X"), repeat("A")), repeat(13)),
        repeat(11),
    )
    right = map(operator.eq, remainders, repeat(1))
    valid = list(map(operator.mul, numbers, right))  # the number, or "" when not valid
    # the birth texts not known to be real dates: each first seen parsed once; the numbers
    # of those that are not real dates are not valid
    unreal = set(filterfalse(_REAL_BIRTHS.__contains__, births))
    for text in unreal.difference(_BIRTHS):
        _parse_date(text)
    unreal.difference_update(_REAL_BIRTHS)
    if unreal:
        for index in compress(range(len(births)), map(unreal.__contains__, births)):
            valid[index] = ""
    latest_text = max(compress(births, valid), default="")
    latest = _parse_date(latest_text) if latest_text else None
    if matched is None:
        return valid, latest
    out = [""] * len(cells)
    for index, number in zip(compress(range(len(cells)), matched), valid, strict=True):
        out[index] = number
    return out, latest


def latest_birth(numbers: Iterable[str]) -> date | None:
    """The latest birth date of valid numbers ("" for a cell that holds none: left out)."""
    latest = max(map(_BIRTH_TEXT, numbers), default="")
    return _parse_date(latest) if latest else None


def birth_of(number: str) -> date:
    """The birth date in a valid number (upper-case, as :func:`plain_resident_ids` gives it)."""
    birth = _parse_date(number[6:14])
    if birth is None:
        raise ValueError(f"not a valid number: {mask_id(number)}")
    return birth


# ------------------------------------------------------------ unified social credit code

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 chars: no I, O, Z, S, V
_USCC_FIRST = frozenset("123456789ABCDEFGY")
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

_USCC_EMPTY = "统一社会信用代码为空，请填写18位统一社会信用代码。"
_USCC_NUMERIC = (
    "统一社会信用代码在表格中被存成了数字，部分字符已经丢失，"
    "请把该单元格设为文本格式后重新输入完整代码。"
)
_USCC_BAD_CHARS = (
    "统一社会信用代码只能包含数字和除I、O、Z、S、V以外的大写字母，请对照营业执照核对后重新填写。"
)
_USCC_FIRST_CHAR = (
    "统一社会信用代码第1位登记管理部门代码应为1至9、A至G或Y，请对照营业执照核对代码。"
)
_USCC_DIVISION = "统一社会信用代码第3至8位行政区划码应全部是数字，请对照营业执照核对代码。"
_USCC_ORG_CHECK = (
    "统一社会信用代码第17位（组织机构代码校验位）不符，请对照营业执照重新核对整个代码。"
)
_USCC_CHECK = "统一社会信用代码第18位校验位不符，请对照营业执照重新核对整个代码。"


def _org_value(ch: str) -> int:
    # GB 11714 values letters over the full alphabet: A=10 .. Z=35.
    return int(ch, 36)


def _org_check_char(body: str) -> str:
    c = 11 - sum(_org_value(ch) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def _uscc_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def check_credit_code(raw: object) -> Check:
    """Check an 18-character unified social credit code (GB 32100-2015)."""
    if raw is None or _is_nan(raw):
        return Check(ok=False, value="", problem=_USCC_EMPTY)
    text = normalise_text(raw).upper()
    # 18 code characters are a code even when they read as 1E…: a number in exponent form
    # carries "+" or "." (4.50102E+17)
    whole = len(text) == 18 and all(ch in _USCC_CHARS for ch in text)
    looks_numeric = _SCIENTIFIC_RE.fullmatch(text) or _DECIMAL_RE.fullmatch(text)
    if _is_number(raw) or (looks_numeric and not whole):
        return Check(ok=False, value=text, problem=_USCC_NUMERIC)
    if not text:
        return Check(ok=False, value="", problem=_USCC_EMPTY)
    if any(ch not in _USCC_CHARS for ch in text):
        return Check(ok=False, value=text, problem=_USCC_BAD_CHARS)
    if len(text) != 18:
        problem = (
            f"统一社会信用代码应为18位，现在是{len(text)}位，"
            "请对照营业执照核对是否多输或漏输了字符。"
        )
        return Check(ok=False, value=text, problem=problem)
    if text[0] not in _USCC_FIRST:
        return Check(ok=False, value=text, problem=_USCC_FIRST_CHAR)
    if not text[2:8].isdigit():
        return Check(ok=False, value=text, problem=_USCC_DIVISION)
    if _org_check_char(text[8:16]) != text[16]:
        return Check(ok=False, value=text, problem=_USCC_ORG_CHECK)
    if _uscc_check_char(text[:17]) != text[17]:
        return Check(ok=False, value=text, problem=_USCC_CHECK)
    return Check(ok=True, value=text, problem=None)


# ------------------------------------------------------------------------ phone

_DASHES = "-—–―"  # ASCII hyphen, em dash, en dash, horizontal bar (Chinese IMEs emit the last)
_SEP = f"[{_DASHES}]{{1,2}}"  # "——" is how a Chinese IME types one dash
_EXT = rf"(?:(?:[{_DASHES}]|转|分机)(?P<ext>\d{{1,6}}))?"
_MOBILE_RE = re.compile(rf"(?:\+86|0086)?(?P<num>1\d{{2}}[{_DASHES}]?\d{{4}}[{_DASHES}]?\d{{4}})")
_LANDLINE_RES = (
    # Area code written out with a separator or in brackets: trust the split given.
    re.compile(rf"(?P<area>0[1-9]\d{{1,2}}){_SEP}(?P<num>\d{{7,8}}){_EXT}"),
    re.compile(rf"\((?P<area>0[1-9]\d{{1,2}})\)(?P<num>\d{{7,8}}){_EXT}"),
    # No separator: split by the numbering plan (010 and 02x are the only short codes).
    re.compile(rf"(?P<area>0[12]\d|0[3-9]\d\d)(?P<num>\d{{7,8}}){_EXT}"),
)
_LOCAL_RE = re.compile(rf"\d{{7,8}}{_EXT}")

_PHONE_EMPTY = "联系电话为空，请填写11位手机号码或带区号的固定电话。"
_PHONE_NUMERIC = (
    "联系电话在表格中被存成了数字，区号开头的0已经丢失，请把该单元格设为文本格式后重新填写。"
)
_PHONE_SCIENTIFIC = (
    "联系电话在表格中被存成了数字并显示为科学计数法，请把该单元格设为文本格式后重新填写。"
)
_PHONE_NO_AREA = "固定电话缺少区号，请在号码前加上区号，例如0771-5870650。"
_PHONE_MOBILE_PREFIX = "手机号码应以13至19开头，请核对后重新填写。"
_PHONE_BAD = "联系电话格式不正确，请填写11位手机号码或“区号-号码”形式的固定电话，例如0771-5870650。"


def check_phone(raw: object) -> Check:
    """Check a mobile number or a landline with area code (extension allowed).

    ``value`` is canonical: 11 digits for a mobile, ``0771-5870650`` or
    ``0771-5870650转123`` for a landline.
    """
    text = _cell_text(raw)
    if not text:
        return Check(ok=False, value="", problem=_PHONE_EMPTY)
    if _SCIENTIFIC_RE.fullmatch(text):
        return Check(ok=False, value=text, problem=_PHONE_SCIENTIFIC)
    mobile = _MOBILE_RE.fullmatch(text)
    if mobile:
        digits = "".join(ch for ch in mobile["num"] if ch.isdigit())
        if digits[1] in "012":
            return Check(ok=False, value=digits, problem=_PHONE_MOBILE_PREFIX)
        return Check(ok=True, value=digits, problem=None)
    for pattern in _LANDLINE_RES:
        m = pattern.fullmatch(text)
        if m:
            value = f"{m['area']}-{m['num']}"
            if m["ext"]:
                value += f"转{m['ext']}"
            return Check(ok=True, value=value, problem=None)
    if _LOCAL_RE.fullmatch(text):
        return Check(ok=False, value=text, problem=_PHONE_NO_AREA)
    # A landline typed into a numeric cell loses its leading 0: 07715870650 -> 7715870650.
    if _is_number(raw) and text.isdigit() and text[0] != "1" and 9 <= len(text) <= 11:
        return Check(ok=False, value=text, problem=_PHONE_NUMERIC)
    return Check(ok=False, value=text, problem=_PHONE_BAD)


# --------------------------------------------------------------------- postcode

_POST_EMPTY = "邮政编码为空，请填写6位数字邮政编码。"
_POST_NUMERIC = (
    "邮政编码在表格中被存成了数字，开头的0已经丢失，请把该单元格设为文本格式后重新填写。"
)
_POST_CHARS = "邮政编码只能由数字组成，请删除其他字符后重新填写。"


def check_postcode(raw: object) -> Check:
    """Check a postcode: exactly 6 digits after normalisation."""
    text = _cell_text(raw)
    if not text:
        return Check(ok=False, value="", problem=_POST_EMPTY)
    if not text.isdigit() or not text.isascii():
        return Check(ok=False, value=text, problem=_POST_CHARS)
    if len(text) == 6:
        return Check(ok=True, value=text, problem=None)
    if _is_number(raw) and len(text) < 6:
        return Check(ok=False, value=text, problem=_POST_NUMERIC)
    problem = f"邮政编码应为6位数字，现在是{len(text)}位，请核对后重新填写。"
    return Check(ok=False, value=text, problem=problem)


# ------------------------------------------------------------------------- Luhn


def luhn_ok(raw: object) -> bool:
    """Return True when ``raw`` (spaces ignored) passes the Luhn check.

    At least two digits are required: a lone digit has no payload to check.
    """
    text = normalise_text(raw)
    # isascii() too: str.isdigit() accepts superscripts and other non-decimal digits.
    if len(text) < 2 or not text.isdigit() or not text.isascii():
        return False
    total = 0
    for i, ch in enumerate(reversed(text)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# ------------------------------------------------------------------------ masks


def _mask(value: str, keep_head: int, keep_tail: int) -> str:
    # Too short to keep anything and still hide something: hide it all.
    if len(value) <= keep_head + keep_tail:
        return "*" * len(value)
    tail = value[len(value) - keep_tail :] if keep_tail else ""
    return value[:keep_head] + "*" * (len(value) - keep_head - keep_tail) + tail


def mask_id(value: str) -> str:
    """Keep the first 4 and last 4 characters; 8 characters or fewer become all '*'."""
    return _mask(value, 4, 4)


def mask_phone(value: str) -> str:
    """Keep first 3 and last 4 of an 11-digit mobile, otherwise first 3 and last 2."""
    if len(value) == 11 and value.isdigit() and value.startswith("1"):
        return _mask(value, 3, 4)
    return _mask(value, 3, 2)


def mask_account(value: str) -> str:
    """Keep the last 4 characters; 4 characters or fewer become all '*'."""
    return _mask(value, 0, 4)
