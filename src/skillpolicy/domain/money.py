"""Exact money in yuan: rounding to the fen, plain and grouped formatting, Chinese 大写金额.

Money is always :class:`~decimal.Decimal`; floats are refused at the door so that binary
rounding error can never reach a subsidy amount.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

__all__ = ["FEN", "amount_in_words", "format_amount", "format_amount_grouped", "to_fen"]

FEN = Decimal("0.01")

# Own context so results never depend on the caller's thread-local decimal settings;
# precision is ample for anything below 1 万亿 with two decimals.
_CTX = Context(prec=40, rounding=ROUND_HALF_UP, traps=[InvalidOperation])

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
# 大写 with 亿 as the largest unit covers integer parts up to 9999,9999,9999.
_WORDS_LIMIT = Decimal(10) ** 12


def _to_decimal(amount: Decimal | int | str) -> Decimal:
    # bool is an int subclass; True as an amount is always a bug.
    if isinstance(amount, float | bool) or not isinstance(amount, Decimal | int | str):
        raise TypeError(f"money must be Decimal, int or str, not {type(amount).__name__}")
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise ValueError(f"not a decimal amount: {amount!r}") from None
    if not value.is_finite():
        raise ValueError(f"amount must be finite, got {amount!r}")
    return value


def _quantize(value: Decimal) -> Decimal:
    try:
        result = value.quantize(FEN, context=_CTX)
    except InvalidOperation:
        raise ValueError(f"amount too large: {value}") from None
    # -0.004 rounds to -0.00; a signed zero would print as "-0.00".
    return result.copy_abs() if result.is_zero() else result


def to_fen(amount: Decimal | int | str) -> Decimal:
    """Round ``amount`` to the fen (0.01) with ROUND_HALF_UP.

    Raises TypeError for float (and bool), ValueError for NaN, infinity or an unparsable str.
    """
    return _quantize(_to_decimal(amount))


def format_amount(amount: Decimal) -> str:
    """Two decimals, no grouping (for JSON): ``Decimal("1900") -> "1900.00"``."""
    return f"{to_fen(amount):f}"


def format_amount_grouped(amount: Decimal) -> str:
    """Two decimals with thousands separators (for tables and forms): ``"1,900.00"``."""
    return f"{to_fen(amount):,f}"


def amount_in_words(amount: Decimal) -> str:
    """Chinese uppercase amount (大写金额) per the PBOC writing rules.

    Rounds to the fen first. Where the rules make 零 optional (a zero run ending at the 万, 亿
    or 元 position while the next lower digit is not zero) no 零 is written.
    Raises ValueError for negative amounts and for 1 万亿 or more.
    """
    value = _to_decimal(amount)
    if value < 0:
        raise ValueError(f"amount must not be negative: {amount}")
    fen_total = int(_quantize(value).scaleb(2, context=_CTX))
    if fen_total >= _WORDS_LIMIT * 100:
        raise ValueError(f"amount must be below 1 万亿: {amount}")
    if fen_total == 0:
        return "零元整"

    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    parts: list[str] = []

    if yuan:
        digits = str(yuan)
        top = len(digits) - 1
        pending_zero = False
        for index, char in enumerate(digits):
            pos = top - index  # power of ten of this digit
            digit = int(char)
            if digit:
                if pending_zero:
                    parts.append("零")
                    pending_zero = False
                # Every unit gets its digit, so a leading 拾 is written 壹拾.
                parts.append(_DIGITS[digit] + _SMALL_UNITS[pos % 4])
            else:
                pending_zero = True
            if pos in (4, 8):
                group = digits[max(0, index - 3) : index + 1]
                if int(group):
                    parts.append("万" if pos == 4 else "亿")
                if not digit:
                    # Zero run ending here: the unit already marks the place, so no 零 if
                    # the next digit is non-zero; if it is zero the run goes on and
                    # re-arms pending_zero.
                    pending_zero = False
        # Trailing zeros of the integer part are never written.
        parts.append("元")

    if jiao:
        parts.append(_DIGITS[jiao] + "角")
    elif fen and yuan:
        parts.append("零")
    parts.append(_DIGITS[fen] + "分" if fen else "整")
    return "".join(parts)
