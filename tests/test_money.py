"""Tests for skillpolicy.domain.money: rounding, formatting and Chinese uppercase amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillpolicy.domain.money import (
    FEN,
    amount_in_words,
    format_amount,
    format_amount_grouped,
    to_fen,
)

# --- independent oracle ---------------------------------------------------------------------

_DIGIT_VALUE = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_SMALL_UNIT = {"拾": 10, "佰": 100, "仟": 1000}
_BIG_UNIT = {"亿": 10**8, "万": 10**4}


def parse_words(text: str) -> Decimal:
    """Read a 大写金额 back to a Decimal; strict enough to reject malformed strings."""
    body = text.removesuffix("整")
    assert "整" not in body, text
    total = 0  # whole yuan accumulated from completed 亿 / 万 groups
    section = 0  # current group of up to four digits
    digit: int | None = None  # digit waiting for its unit
    fraction = Decimal(0)
    for char in body:
        if char == "零":
            assert digit is None, text
        elif char in _DIGIT_VALUE:
            assert digit is None, text  # two digits in a row
            digit = _DIGIT_VALUE[char]
        elif char in _SMALL_UNIT:
            assert digit is not None, text  # 拾 must be written 壹拾
            section += digit * _SMALL_UNIT[char]
            digit = None
        elif char in _BIG_UNIT:
            section += digit or 0
            assert section, text  # a big unit always follows a non-zero group
            total += section * _BIG_UNIT[char]
            section, digit = 0, None
        elif char == "元":
            total += section + (digit or 0)
            section, digit = 0, None
        elif char in "角分":
            assert digit is not None, text
            fraction += Decimal(digit) * (Decimal("0.1") if char == "角" else FEN)
            digit = None
        else:
            raise AssertionError(f"unexpected {char!r} in {text}")
    assert digit is None and section == 0, text  # nothing left without a unit
    return to_fen(Decimal(total) + fraction)


# --- spec strings ---------------------------------------------------------------------------

SPEC = [
    # the project's spec
    ("1900", "壹仟玖佰元整"),
    ("300000", "叁拾万元整"),
    ("120000.50", "壹拾贰万元伍角整"),
    ("100005", "壹拾万零伍元整"),
    ("1409.50", "壹仟肆佰零玖元伍角整"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    # derived from the stated rules
    ("6007.14", "陆仟零柒元壹角肆分"),
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
    ("107000.53", "壹拾万柒仟元伍角叁分"),
    ("325.04", "叁佰贰拾伍元零肆分"),
    ("1010", "壹仟零壹拾元整"),
    ("10", "壹拾元整"),
    ("110", "壹佰壹拾元整"),
    ("200000", "贰拾万元整"),
    ("80000", "捌万元整"),
    ("1000000", "壹佰万元整"),
    ("1001000", "壹佰万壹仟元整"),
    ("1000100", "壹佰万零壹佰元整"),
    ("2.5", "贰元伍角整"),
    ("0.01", "壹分"),
    ("0", "零元整"),
    ("0.05", "伍分"),
    ("0.5", "伍角整"),
    ("0.55", "伍角伍分"),
    ("100000000", "壹亿元整"),
    ("100010000", "壹亿零壹万元整"),
    ("1000000000", "壹拾亿元整"),
    # edge cases of the same rules
    ("1000.05", "壹仟元零伍分"),
    ("1000000001", "壹拾亿零壹元整"),
    ("1010000000", "壹拾亿壹仟万元整"),
    ("100001000", "壹亿壹仟元整"),
    ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
]


@pytest.mark.parametrize(("amount", "words"), SPEC)
def test_amount_in_words_spec(amount: str, words: str) -> None:
    """Each spec amount produces exactly its 大写 string."""
    assert amount_in_words(Decimal(amount)) == words


@pytest.mark.parametrize(("amount", "words"), SPEC)
def test_oracle_reads_spec_strings(amount: str, words: str) -> None:
    """The test's own parser reads every spec string back to its amount."""
    assert parse_words(words) == to_fen(amount)


def test_amount_in_words_rounds_to_fen_first() -> None:
    """Amounts are rounded half-up to the fen before being written."""
    assert amount_in_words(Decimal("0.005")) == "壹分"
    assert amount_in_words(Decimal("2.499")) == "贰元伍角整"
    assert amount_in_words(Decimal("0.004")) == "零元整"


def test_amount_in_words_rejects_negative() -> None:
    """Negative amounts, even ones that round to zero, raise ValueError."""
    for amount in ("-1", "-0.01", "-0.001"):
        with pytest.raises(ValueError, match="negative"):
            amount_in_words(Decimal(amount))


def test_amount_in_words_rejects_one_wan_yi() -> None:
    """1 万亿 and above raise ValueError (亿 is the largest unit)."""
    with pytest.raises(ValueError, match="万亿"):
        amount_in_words(Decimal("1000000000000"))
    with pytest.raises(ValueError, match="万亿"):
        amount_in_words(Decimal("999999999999.995"))


def test_amount_in_words_rejects_float() -> None:
    """A float passed to amount_in_words raises TypeError."""
    with pytest.raises(TypeError):
        amount_in_words(1.5)  # type: ignore[arg-type]


# --- to_fen ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("0.005"), "0.01"),
        (Decimal("2.675"), "2.68"),
        (Decimal("1.004"), "1.00"),
        ("2.675", "2.68"),
        (" 1.5 ", "1.50"),
        (7, "7.00"),
        (Decimal("-2.675"), "-2.68"),
    ],
)
def test_to_fen_half_up(amount: Decimal | int | str, expected: str) -> None:
    """to_fen quantizes to 0.01 rounding halves away from zero."""
    result = to_fen(amount)
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -2


def test_to_fen_negative_zero_normalised() -> None:
    """A negative amount that rounds to zero becomes 0.00, not -0.00."""
    assert str(to_fen(Decimal("-0.004"))) == "0.00"


@pytest.mark.parametrize("bad", [2.675, 0.0, True])
def test_to_fen_rejects_float(bad: object) -> None:
    """Floats (and bools) raise TypeError: they must never reach money code."""
    with pytest.raises(TypeError):
        to_fen(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity", "sNaN", "abc", "", "1,000"])
def test_to_fen_rejects_non_finite_and_garbage(bad: str) -> None:
    """NaN, infinities and unparsable strings raise ValueError."""
    with pytest.raises(ValueError):
        to_fen(bad)
    if bad in ("NaN", "Infinity"):
        with pytest.raises(ValueError):
            to_fen(Decimal(bad))


# --- formatting -----------------------------------------------------------------------------


def test_format_amount() -> None:
    """format_amount gives two decimals and no separators."""
    assert format_amount(Decimal("1900")) == "1900.00"
    assert format_amount(Decimal("1234567.895")) == "1234567.90"
    assert format_amount(Decimal("0")) == "0.00"
    assert format_amount(Decimal("1E+3")) == "1000.00"


def test_format_amount_grouped() -> None:
    """format_amount_grouped gives two decimals with thousands separators."""
    assert format_amount_grouped(Decimal("1900")) == "1,900.00"
    assert format_amount_grouped(Decimal("1234567.895")) == "1,234,567.90"
    assert format_amount_grouped(Decimal("999.999")) == "1,000.00"
    assert format_amount_grouped(Decimal("12")) == "12.00"


# --- properties -----------------------------------------------------------------------------


@st.composite
def sparse_amounts(draw: st.DrawFn) -> Decimal:
    """Amounts with many zero digits, to exercise the 零 rules."""
    digits = draw(st.lists(st.sampled_from("0000012345679"), min_size=1, max_size=13))
    return Decimal(int("".join(digits))).scaleb(-2)


AMOUNTS = st.one_of(
    st.decimals(min_value=0, max_value=10**11, places=2, allow_nan=False, allow_infinity=False),
    sparse_amounts(),
)


@given(AMOUNTS)
def test_ends_with_zheng_iff_no_fen(amount: Decimal) -> None:
    """The string ends in 整 exactly when the fen digit is 0."""
    fen_digit = int(amount.scaleb(2)) % 10
    assert amount_in_words(amount).endswith("整") == (fen_digit == 0)


@given(AMOUNTS)
def test_round_trip_through_parser(amount: Decimal) -> None:
    """Parsing the 大写 string back yields the original amount."""
    assert parse_words(amount_in_words(amount)) == to_fen(amount)


@given(AMOUNTS)
def test_zero_placement(amount: Decimal) -> None:
    """No 零零, no 零 before 万/亿/元, and no leading 零 unless the amount is 0."""
    words = amount_in_words(amount)
    assert "零零" not in words
    for unit in "万亿元":
        assert "零" + unit not in words or words == "零元整"
    assert not words.startswith("零") or to_fen(amount) == 0
