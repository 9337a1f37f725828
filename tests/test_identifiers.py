"""Tests for skillpolicy.domain.identifiers.

Check characters in the property tests are computed here from the formulas in
the standards, independently of the module's private helpers.
"""

from __future__ import annotations

import re
import string
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skillpolicy.domain.identifiers import (
    Check,
    ResidentId,
    check_credit_code,
    check_phone,
    check_postcode,
    check_resident_id,
    check_resident_ids,
    latest_birth,
    luhn_ok,
    mask_account,
    mask_id,
    mask_phone,
    normalise_text,
    plain_resident_ids,
    plain_resident_ids_born,
)

# ------------------------------------------------------------------ reference formulas

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
PROVINCES = [
    *range(11, 16),
    *range(21, 24),
    *range(31, 38),
    *range(41, 47),
    *range(50, 55),
    *range(61, 66),
    71,
    81,
    82,
    83,
]
USCC_SET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def id_check_char(first17: str) -> str:
    """GB 11643 MOD 11-2 as written in the standard."""
    s = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    c = (12 - s % 11) % 11
    return "X" if c == 10 else str(c)


def org_check_char(body: str) -> str:
    """GB 11714 check character over 8 characters, letters A=10..Z=35."""
    values = [string.digits.index(ch) if ch.isdigit() else ord(ch) - 55 for ch in body]
    c = 11 - sum(v * w for v, w in zip(values, ORG_WEIGHTS, strict=True)) % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def uscc_check_char(first17: str) -> str:
    """GB 32100 check character over the 31-character set."""
    c = 31 - sum(USCC_SET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True)) % 31
    return USCC_SET[0 if c == 31 else c]


def luhn_reference(digits: str) -> bool:
    """Textbook Luhn: double every second digit from the right."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d // 10 + d % 10
    return total % 10 == 0


def assert_one_sentence(problem: str | None) -> None:
    """A problem is one Chinese sentence ending with a full stop."""
    assert problem is not None
    assert problem.endswith("。")
    assert problem.count("。") == 1


def make_id(province: int, county: str, birth: date, seq: str) -> str:
    first17 = f"{province:02d}{county}{birth:%Y%m%d}{seq}"
    return first17 + id_check_char(first17)


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from(PROVINCES))
    county = draw(st.text(string.digits, min_size=4, max_size=4))
    birth = draw(st.dates(min_value=date(1900, 1, 1), max_value=date.today()))
    seq = draw(st.text(string.digits, min_size=3, max_size=3))
    return make_id(province, county, birth, seq)


@st.composite
def valid_credit_codes(draw: st.DrawFn) -> str:
    first = draw(st.sampled_from("123456789ABCDEFGY"))
    kind = draw(st.sampled_from(USCC_SET))
    division = draw(st.text(string.digits, min_size=6, max_size=6))
    org_body = draw(st.text(USCC_SET, min_size=8, max_size=8))
    first17 = first + kind + division + org_body + org_check_char(org_body)
    return first17 + uscc_check_char(first17)


# ------------------------------------------------------------------- normalise_text


def test_normalise_text_folds_width_and_removes_all_whitespace() -> None:
    """Full-width digits/letters become ASCII; spaces, U+3000, NBSP, tabs and newlines vanish."""
    assert normalise_text("４５０１\u3000０２ 1990\u00a00101\t12\n3ｘ") == "45010219900101123x"
    assert normalise_text("  ") == ""
    assert normalise_text(None) == ""
    assert normalise_text(123) == "123"


# ----------------------------------------------------------------- resident identity


@pytest.mark.parametrize(
    ("number", "birth", "sex"),
    [
        ("11010519491231002X", date(1949, 12, 31), "女"),
        ("440524188001010014", date(1880, 1, 1), "男"),
    ],
)
def test_resident_id_standard_worked_examples(number: str, birth: date, sex: str) -> None:
    """The two worked examples printed in GB 11643-1999 are valid with the right date and sex."""
    result = check_resident_id(number)
    assert isinstance(result, ResidentId)
    assert result == ResidentId(ok=True, value=number, problem=None, birth_date=birth, sex=sex)


def test_resident_id_lowercase_x_is_normalised() -> None:
    """A lowercase x check character is accepted and reported back as X."""
    result = check_resident_id("11010519491231002x")
    assert result.ok
    assert result.value == "11010519491231002X"


def test_resident_id_full_width_and_spaces_are_normalised() -> None:
    """Full-width digits and spaces (incl. U+3000 and NBSP) inside the number are fine."""
    raw = "１１０１０５\u300019491231\u00a0002Ｘ "
    result = check_resident_id(raw)
    assert result.ok, result.problem
    assert result.value == "11010519491231002X"


def test_resident_id_legacy_15_digits() -> None:
    """A 15-digit number is flagged legacy and the problem asks for the 18-digit number."""
    result = check_resident_id("110105491231002")
    assert not result.ok
    assert result.legacy
    assert result.value == "110105491231002"
    assert result.problem is not None
    assert "15位" in result.problem
    assert "18位" in result.problem
    assert_one_sentence(result.problem)


@pytest.mark.parametrize(
    "raw",
    [
        110105194912310020,  # an int, even with all 18 digits, came from a numeric cell
        4.40524188001e17,
        440524188001010014.0,
        "4.40524E+17",
        "4.40524e17",
        "４.４０５２４Ｅ＋１７",
        "440524188001010000.0",
    ],
)
def test_resident_id_stored_as_number(raw: object) -> None:
    """Numbers, floats and scientific-notation text are reported as a cell stored as a number."""
    result = check_resident_id(raw)
    assert not result.ok
    assert not result.legacy
    assert result.problem is not None
    assert "数字" in result.problem
    assert "文本格式" in result.problem
    assert_one_sentence(result.problem)


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000", float("nan")])
def test_resident_id_empty(raw: object) -> None:
    """None, blank text and NaN (a blank cell from pandas) are reported as empty."""
    result = check_resident_id(raw)
    assert result == ResidentId(ok=False, value="", problem=result.problem)
    assert result.problem is not None
    assert "为空" in result.problem


def test_resident_id_leap_day() -> None:
    """29 February is a valid birth date in leap years (incl. 2000) and invalid otherwise."""
    for year in (1960, 1996, 2000, 2004):
        number = make_id(45, "0102", date(year, 2, 29), "123")
        result = check_resident_id(number)
        assert result.ok, (number, result.problem)
        assert result.birth_date == date(year, 2, 29)
    for year in (1900, 1999, 2001, 2023):
        first17 = f"450102{year}0229123"
        result = check_resident_id(first17 + id_check_char(first17))
        assert not result.ok
        assert result.problem is not None
        assert "出生日期" in result.problem


@pytest.mark.parametrize("birth", ["19901301", "19900230", "19900000", "00000101", "17991231"])
def test_resident_id_impossible_birth_date(birth: str) -> None:
    """Month 13, 30 Feb, zeros and years before 1800 are impossible birth dates."""
    first17 = f"450102{birth}123"
    result = check_resident_id(first17 + id_check_char(first17))
    assert not result.ok
    assert result.problem is not None
    assert birth in result.problem
    assert_one_sentence(result.problem)


def test_resident_id_birth_after_reference_date() -> None:
    """A birth date after not_after fails; on or before it passes."""
    number = make_id(45, "0102", date(2010, 6, 15), "123")
    assert check_resident_id(number, not_after=date(2010, 6, 15)).ok
    assert check_resident_id(number).ok
    result = check_resident_id(number, not_after=date(2010, 6, 14))
    assert not result.ok
    assert result.birth_date is None
    assert result.problem is not None
    assert "2010-06-15" in result.problem
    assert "2010-06-14" in result.problem


@pytest.mark.parametrize(
    "province", [0, 10, 16, 20, 24, 30, 38, 40, 47, 49, 55, 60, 66, 72, 80, 84, 99]
)
def test_resident_id_bad_province(province: int) -> None:
    """First two digits outside the province list fail, even with a correct check digit."""
    number = make_id(province, "0102", date(1990, 1, 1), "123")
    result = check_resident_id(number)
    assert not result.ok
    assert result.problem is not None
    assert f"“{province:02d}”" in result.problem
    assert "省" in result.problem


@pytest.mark.parametrize("province", [81, 82, 83, 71, 15, 65])
def test_resident_id_residence_permits_and_edges(province: int) -> None:
    """HK/Macau/Taiwan residence permits (81-83), Taiwan 71 and range edges are accepted."""
    assert check_resident_id(make_id(province, "0000", date(1990, 1, 1), "123")).ok


def test_resident_id_unknown_county_is_not_rejected() -> None:
    """County codes are not checked: a county code that does not exist still passes."""
    assert check_resident_id(make_id(45, "9999", date(1990, 1, 1), "123")).ok


def test_resident_id_wrong_check_digit_does_not_reveal_the_right_one() -> None:
    """A wrong check character fails, and the message never contains the correct character."""
    good = "11010519491231002X"
    for wrong in "0123456789":
        result = check_resident_id(good[:17] + wrong)
        assert not result.ok
        assert result.problem is not None
        assert "校验" in result.problem
        assert "X" not in result.problem
        assert good not in result.problem
        assert_one_sentence(result.problem)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("1101051949123100", "16位"),
        ("11010519491231002X0", "19位"),
        ("110105-19491231-002X", "只能"),
        ("11010519491231002Y", "只能"),
        ("1101051949123100X2", "最后一位"),
    ],
)
def test_resident_id_length_and_characters(raw: str, fragment: str) -> None:
    """Wrong length, illegal characters and a misplaced X each get their own problem."""
    result = check_resident_id(raw)
    assert not result.ok
    assert not result.legacy
    assert result.problem is not None
    assert fragment in result.problem
    assert_one_sentence(result.problem)


def test_resident_id_problems_are_distinct() -> None:
    """Each failure kind produces a different problem sentence."""
    good = "11010519491231002X"
    failures = [
        "",
        4.40524e17,
        "110105491231002",
        "1101051949123100",
        "11010519491231002Y",
        "1101051949123100X2",
        make_id(99, "0105", date(1949, 12, 31), "002"),
        "110105" + "19491331" + "002" + id_check_char("11010519491331002"),
        good[:17] + "0",
    ]
    problems = [check_resident_id(raw).problem for raw in failures]
    problems.append(check_resident_id(good, not_after=date(1949, 1, 1)).problem)
    for problem in problems:
        assert_one_sentence(problem)
    assert len(set(problems)) == len(problems)


def test_resident_id_sex_from_17th_digit() -> None:
    """Odd 17th digit is 男, even is 女."""
    for digit in "0123456789":
        result = check_resident_id(make_id(45, "0102", date(1990, 1, 1), "12" + digit))
        assert result.sex == ("男" if int(digit) % 2 else "女")


@settings(max_examples=200)
@given(valid_ids())
def test_resident_id_generated_valid_and_single_substitution_fails(number: str) -> None:
    """Generated valid ids pass; replacing any one character with another legal one fails."""
    result = check_resident_id(number)
    assert result.ok, (number, result.problem)
    assert result.value == number
    assert result.birth_date == date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert result.sex == ("男" if int(number[16]) % 2 else "女")
    for i in range(18):
        for ch in string.digits + ("X" if i == 17 else ""):
            if ch == number[i]:
                continue
            mutated = number[:i] + ch + number[i + 1 :]
            assert not check_resident_id(mutated).ok, mutated


# ---------------------------------------------------------------- unified credit code


def test_credit_code_worked_example() -> None:
    """The GB 32100-2015 worked example 91350100M000100Y43 is valid."""
    assert check_credit_code("91350100M000100Y43") == Check(
        ok=True, value="91350100M000100Y43", problem=None
    )


def test_credit_code_lowercase_and_width_folded() -> None:
    """Lowercase letters, full-width characters and spaces are folded before checking."""
    result = check_credit_code(" ９１３５ 0100m000100y43\u3000")
    assert result.ok
    assert result.value == "91350100M000100Y43"


@pytest.mark.parametrize("bad", "IOZSV")
def test_credit_code_rejects_letters_outside_the_set(bad: str) -> None:
    """I, O, Z, S and V are not in the 31-character set."""
    result = check_credit_code("91350100M000100" + bad + "43")
    assert not result.ok
    assert result.problem is not None
    assert "I、O、Z、S、V" in result.problem


def test_credit_code_problems() -> None:
    """Empty, number-stored, length, first char, division, position-17 and 18 each differ."""
    good = "91350100M000100Y43"
    cases = {
        "empty": "",
        "number": 9.13501e17,
        "length": good[:17],
        "chars": good[:15] + "I43",
        "first": "H" + good[1:],
        "division": "9135A100M000100Y43",
        "org": good[:16] + "5" + good[17],
        "check": good[:17] + "4",
    }
    problems = {name: check_credit_code(raw).problem for name, raw in cases.items()}
    for problem in problems.values():
        assert_one_sentence(problem)
    assert len(set(problems.values())) == len(problems)
    assert "17位" in (problems["length"] or "")
    assert "第17位" in (problems["org"] or "")
    assert "第18位" in (problems["check"] or "")
    assert "数字" in (problems["number"] or "")


def test_credit_code_first_char_set() -> None:
    """The registration-authority char may be 1-9, A-G or Y; 0 and other letters fail."""
    for first in "0HJKLMNPQRTUWX":
        first17 = first + "1350100M000100Y4"
        assert not check_credit_code(first17 + uscc_check_char(first17)).ok
    for first in "123456789ABCDEFGY":
        first17 = first + "1350100M000100Y4"
        assert check_credit_code(first17 + uscc_check_char(first17)).ok


@settings(max_examples=60)
@given(valid_credit_codes())
def test_credit_code_generated_valid_and_single_substitution_fails(code: str) -> None:
    """Generated valid codes pass; replacing any one character with another fails."""
    assert check_credit_code(code) == Check(ok=True, value=code, problem=None)
    for i in range(18):
        for ch in USCC_SET + "IOZSV":
            if ch == code[i]:
                continue
            mutated = code[:i] + ch + code[i + 1 :]
            assert not check_credit_code(mutated).ok, mutated


# ---------------------------------------------------------------------------- phone


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("13812345678", "13812345678"),
        ("199 1234 5678", "19912345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        (13812345678, "13812345678"),
        (13812345678.0, "13812345678"),
        ("0771-5870650", "0771-5870650"),
        ("0771—5870650", "0771-5870650"),
        ("0771——5870650", "0771-5870650"),
        ("0771 5870650", "0771-5870650"),
        ("07715870650", "0771-5870650"),
        ("02112345678", "021-12345678"),
        ("(0771)5870650", "0771-5870650"),
        ("（0771）5870650", "0771-5870650"),
        ("010-12345678", "010-12345678"),
        ("010-12345678-123", "010-12345678转123"),
        ("0771-5870650转8001", "0771-5870650转8001"),
    ],
)
def test_phone_good(raw: object, value: str) -> None:
    """Mobiles and landlines with area code (and optional extension) pass, canonicalised."""
    assert check_phone(raw) == Check(ok=True, value=value, problem=None)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("5870650", "区号"),
        ("58706501", "区号"),
        ("5870650转123", "区号"),
        ("12812345678", "13至19"),
        ("1381234567", "格式"),
        ("138123456789", "格式"),
        ("0771-58706", "格式"),
        ("0771-587065012", "格式"),
        ("00771-5870650", "格式"),
        ("phone", "格式"),
        (7715870650, "文本格式"),
        ("1.38123E+10", "科学计数法"),
        ("", "为空"),
        (None, "为空"),
    ],
)
def test_phone_bad(raw: object, fragment: str) -> None:
    """Bare local numbers, bad mobiles, malformed landlines and lost leading zeros fail."""
    result = check_phone(raw)
    assert not result.ok
    assert result.problem is not None
    assert fragment in result.problem
    assert_one_sentence(result.problem)


# ------------------------------------------------------------------------- postcode


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        ("530000", True),
        ("０３００００", True),
        (" 100 080 ", True),
        (530022, True),
        (530022.0, True),
        ("53000", False),
        ("5300001", False),
        ("53000A", False),
        (30000, False),
        ("", False),
        (None, False),
    ],
)
def test_postcode(raw: object, ok: bool) -> None:
    """A postcode is exactly 6 digits after normalisation."""
    result = check_postcode(raw)
    assert result.ok is ok
    if ok:
        assert result.value == normalise_text(raw).removesuffix(".0")
    else:
        assert_one_sentence(result.problem)


def test_postcode_lost_leading_zero() -> None:
    """A numeric cell that dropped a leading 0 says so."""
    result = check_postcode(30000)
    assert result.problem is not None
    assert "文本格式" in result.problem


# ----------------------------------------------------------------------------- Luhn


@pytest.mark.parametrize("number", ["4111111111111111", "6222021001116245702", "79927398713"])
def test_luhn_known_good(number: str) -> None:
    """Known Luhn-valid numbers pass (also confirmed by the reference implementation here)."""
    assert luhn_reference(number)
    assert luhn_ok(number)
    assert luhn_ok(" ".join(number[i : i + 4] for i in range(0, len(number), 4)))


@pytest.mark.parametrize(
    "raw", ["4111111111111112", "6222021001116245703", "4111-1111-1111-1111", "", "0", None, "abc"]
)
def test_luhn_rejects(raw: object) -> None:
    """Wrong check digit, non-digits, empty input and a lone digit fail."""
    assert not luhn_ok(raw)


@given(st.text(string.digits, min_size=1, max_size=25))
def test_luhn_matches_reference_and_catches_single_digit_errors(payload: str) -> None:
    """Appending the computed check digit passes; changing any one digit then fails."""
    number = next(payload + d for d in string.digits if luhn_reference(payload + d))
    assert luhn_ok(number)
    for i, original in enumerate(number):
        for d in string.digits:
            if d != original:
                assert not luhn_ok(number[:i] + d + number[i + 1 :])


# ---------------------------------------------------------------------------- masks


def test_mask_id() -> None:
    """Keep first 4 and last 4; 8 characters or fewer become all '*'."""
    assert mask_id("45010219900101123X") == "4501**********123X"
    assert mask_id("450102199") == "4501*2199"
    assert mask_id("45010219") == "********"
    assert mask_id("") == ""


def test_mask_phone() -> None:
    """Mobiles keep 3+4; other values keep 3+2; very short values are fully hidden."""
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0771-5870650") == "077*******50"
    assert mask_phone("07715870650") == "077******50"
    assert mask_phone("12345") == "*****"


def test_mask_account() -> None:
    """Bank accounts keep the last 4 characters only."""
    assert mask_account("6222021001116245702") == "*" * 15 + "5702"
    assert mask_account("1234") == "****"
    assert mask_account("12345") == "*2345"


# -------------------------------------------------------------- a column of identity numbers

_ID_CELLS = st.one_of(
    valid_ids(),
    valid_ids().map(lambda n: n[:17] + ("x" if n[17] == "X" else n[17])),
    st.tuples(valid_ids(), st.integers(0, 17), st.sampled_from("0123456789Xx")).map(
        lambda t: t[0][: t[1]] + t[2] + t[0][t[1] + 1 :]
    ),
    st.sampled_from(
        [
            None,
            "",
            "   ",
            "11010519491231002x",
            "１１０１０５１９４９１２３１００２Ｘ",
            "110105 19491231 002X",
            "110105491231002",
            "110105180001010010",
            "110105179912310015",
            "990105194912310021",
            "11010519491331002X",
            "4501021990010112345",
            "45010219900101123X5",
            "4.50102199001011E+17",
            450102199001011234,
            4.50102199001011e17,
            float("nan"),
            True,
            date(1990, 1, 1),
        ]
    ),
    st.text(alphabet="0123456789Xx -\u3000", max_size=20),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ID_CELLS, max_size=25))
def test_a_column_of_resident_ids_is_checked_as_each_number_alone(cells: list[object]) -> None:
    """check_resident_ids of a column (valid, lowercase-x, mutated, full-width, numeric, blank
    and broken cells) equals check_resident_id of each cell, field for field."""
    assert check_resident_ids(cells) == [check_resident_id(cell) for cell in cells]


def test_the_base_13_checksum_is_the_standards_weighted_sum() -> None:
    """The check character the column check accepts is the one GB 11643's weights give, for
    every last digit of generated numbers (2 * int(first17, 13) % 11 reads the weights)."""
    for first17 in ("11010519491231002", "44052418800101001", "45010219900101123"):
        right = id_check_char(first17)
        for last in "0123456789X":
            number = first17 + last
            assert check_resident_ids([number])[0].ok == (last == right), number


_PLAIN = re.compile("[0-9]{17}[0-9Xx]")


def _plain_by_the_check(cells: list[object]) -> list[str]:
    """Each cell's number as check_resident_id finds it when the cell is text of 18 ASCII
    digits (or a last x) and valid, else "": what plain_resident_ids must give."""
    expected = []
    for cell in cells:
        result = check_resident_id(cell)
        plain = isinstance(cell, str) and _PLAIN.fullmatch(cell) is not None
        expected.append(result.value if result.ok and plain else "")
    return expected


@settings(max_examples=300, deadline=None)
@given(st.lists(_ID_CELLS, max_size=25))
def test_the_plain_valid_numbers_of_a_column_are_those_the_check_finds_valid(
    cells: list[object],
) -> None:
    """plain_resident_ids gives a cell's number exactly when it is text of 18 ASCII digits
    (or a last x) that check_resident_id finds valid, and then the check's value ("" for
    blank, whitespace, full-width, numeric, mutated and other broken cells)."""
    assert plain_resident_ids(cells) == _plain_by_the_check(cells)


@settings(max_examples=100, deadline=None)
@given(st.lists(_ID_CELLS, max_size=25))
def test_the_latest_birth_of_a_column_is_that_of_its_valid_numbers(cells: list[object]) -> None:
    """latest_birth of the valid numbers' column ("" for the others) is the latest birth
    date check_resident_id reads from them, None when none is valid."""
    results = [check_resident_id(cell) for cell in cells]
    numbers = [result.value if result.ok else "" for result in results]
    births = [r.birth_date for r in results if r.ok and r.birth_date is not None]
    assert latest_birth(numbers) == max(births, default=None)


def test_a_stand_in_check_judges_every_number_of_the_column() -> None:
    """check_resident_ids with another check (a caller's stand-in) asks it of every value,
    valid ones included, in order."""
    asked: list[object] = []

    def stand_in(raw: object) -> ResidentId:
        asked.append(raw)
        return check_resident_id(raw)

    cells: list[object] = [make_id(45, "0102", date(1990, 1, 1), "123"), None, "123"]
    assert check_resident_ids(cells, check=stand_in) == [check_resident_id(c) for c in cells]
    assert asked == cells


def _plain_looking(first17: str, last: str) -> str:
    """18 ASCII characters: ``first17`` and either its right check character or ``last``."""
    return first17 + (last or id_check_char(first17))


_PLAIN_LOOKING = st.builds(
    _plain_looking,
    st.sampled_from(
        [
            "41102319900101123",
            "11010519491231002",
            "44052418800101001",
            "45010219900230123",  # no 30 February
            "99010219900101123",  # no such province
            "41102317990101123",  # born before 1800
            "41102320991231123",
        ]
    ),
    st.sampled_from(["", "", "", "0", "X", "x"]),
)


@settings(max_examples=300, deadline=None)
@given(
    cells=st.lists(_PLAIN_LOOKING, max_size=25),
    odd=st.sampled_from(
        [None, "", "\n", "4110231990010112", "４１１０２３１９９００１０１１２３Ｘ", 411023]
    ),
    typed=st.booleans(),
    at=st.lists(st.integers(min_value=0, max_value=30), max_size=3),
)
def test_a_column_of_plain_looking_numbers_is_judged_as_each_number_alone(
    cells: list[object], odd: object, typed: bool, at: list[int]
) -> None:
    """plain_resident_ids of a column whose cells all look plain (runs of plain numbers
    matched at once over the cells joined; known real birth dates looked up at once), and
    of the same column with odd cells anywhere, first and last included (blank, a newline
    joining two numbers, short, full-width, a number), gives each cell what
    check_resident_id finds of it alone, with its types given or not: valid, lower-case x,
    wrong check characters, 30 February, unknown provinces, births before 1800."""
    mixed = list(cells)
    for place in at:
        mixed.insert(min(place, len(mixed)), odd)
    columns = [cells, mixed, [*cells, odd], [odd, *cells]]
    if len(cells) >= 2:
        columns.append([*cells[:1], f"{cells[0]}\n{cells[1]}", *cells[2:]])
    for column in columns:
        expected = []
        for cell in column:
            result = check_resident_id(cell)
            plain = isinstance(cell, str) and _PLAIN.fullmatch(cell) is not None
            expected.append(result.value if result.ok and plain else "")
        types = set(map(type, column)) if typed else None
        assert plain_resident_ids(column, types) == expected
        assert plain_resident_ids_born(column, types) == (expected, latest_birth(expected))


def test_long_runs_of_plain_numbers_around_odd_cells_are_judged_as_each_alone() -> None:
    """plain_resident_ids of a long column (runs of dozens of plain numbers between odd
    cells, the first and the last cell odd) gives each cell what check_resident_id finds."""
    numbers = [
        _plain_looking(f"4110231990{month:02d}{day:02d}123", "")
        for month, day in [(1 + k % 12, 1 + k % 28) for k in range(70)]
    ]
    column: list[object] = [None, *numbers[:40], "", *numbers[40:], " 41102319900101123X"]
    column[25] = numbers[3].lower() if "X" in numbers[3] else numbers[3][:17] + "0"
    expected = _plain_by_the_check(column)
    assert plain_resident_ids(column) == expected
    assert sum(map(bool, expected)) >= 60
