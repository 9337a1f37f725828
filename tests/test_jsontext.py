"""The command line's JSON writer (issue 16, subsidy output): one walk that masks every string
and lays the text out itself must give exactly ``json.dumps(masked(value), ensure_ascii=False,
indent=2)``, the two-walk encoding it replaces, on every kind of value."""

from __future__ import annotations

import enum
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from skillpolicy.domain.jsontext import masked, masked_json


def _reference(value: Any) -> str:
    return json.dumps(masked(value), ensure_ascii=False, indent=2)


class _Count(enum.IntEnum):
    ONE = 1


_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "110101199003071234",
            "电话\n13812345678",
            "4101**********123X",
            '引号"与\\反斜杠\t制表',
            "\u2028\x00\x1f\u200b",
            "1000000.00",
            "",
        ]
    ),
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    _TEXT,
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(_TEXT, inner, max_size=4),
        st.dictionaries(st.integers(), inner, max_size=2),
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(_VALUES)
def test_masked_json_is_json_dumps_of_the_masked_value(value: Any) -> None:
    """Any JSON-shaped value (nested objects and lists, empty ones, floats, NaN, integer keys,
    tuples, control characters) is written character for character as json.dumps writes it."""
    assert masked_json(value) == _reference(value)


def test_a_payout_shaped_payload_is_written_as_json_dumps_writes_it() -> None:
    """A subsidy payload (lines with reasons, a tranche, a null row, an IntEnum, an object
    whose later keys are not text) is the same text as before, and the numbers in its strings
    are masked before they are encoded."""
    payload = {
        "program": "xuchang-2013-revitalization",
        "total": "1900.00",
        "paid": _Count.ONE,
        "lines": [
            {"row": 5, "name": "张三", "id": "4101**********123X", "status": "paid",
             "amount": "1900.00", "reasons": [], "payee": "许昌技校"},
            {"row": None, "name": "李四\n13812345678", "id": "110101199003071234",
             "status": "refused", "amount": "0.00", "tranche": 2,
             "reasons": [{"rule": "identity", "message": "身份证号「110101199003071234」有误",
                          "citation": "许政〔2013〕1号"}], "payee": ""},
            {},
            {"先": "文字键", 2: "数字键在后", None: [1.5, {"3": ()}]},
        ],
        "skipped": [],
    }  # fmt: skip
    text = masked_json(payload)
    assert text == _reference(payload)
    assert "13812345678" not in text
    assert "110101199003071234" not in text
    assert json.loads(text)["lines"][1]["name"] == "李四\n138****5678"
