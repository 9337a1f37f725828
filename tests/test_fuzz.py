"""Fuzzing: random sheets through `validate` and `subsidy`, which must never crash and must agree.

Hypothesis writes workbooks with each program's real headers (canonical names, aliases,
full-width and starred variants, in any order, title rows above, optional columns left out)
for every sheet kind of every program, and fills them with cells of every type a clerk or a
forger can produce: CJK and long text, whitespace and zero-width characters, control
characters openpyxl accepts, formula-looking text and real formulas without a cached value,
dates, datetimes, times, durations, serials, ints, floats, negative and huge numbers, NaN,
booleans, blanks, valid and near-valid identity numbers and credit codes, levels, catalog
occupations, the program's closed lists and near misses; 0..30 rows, sometimes blank rows and
vertical merges. Each sheet is checked in-process (fast) and a few through the real CLI:

* nothing crashes: the library raises only ``SkillpolicyError`` (exit 2, one line), the CLI
  exits 0, 1 or 2 with no traceback, and on exit 2 prints one ``错误：`` line and no stdout;
* ``validate`` and ``subsidy`` agree (``check_agreement``): the same findings, a row with an
  error is refused with exactly those errors as reasons (plus the documented refusals a
  method adds: unit not designated, acceptance failed, not school–enterprise training), a row
  without errors is refused only for those documented reasons, a pending line carries the
  row's review findings or its blank outcome, a paid line has no error or review finding and
  an amount the program and its parameters allow, and counts, totals and exit codes match.

Two more families reuse those sheets:

* with a ledger (``--ledger``): a first sheet is committed, voided and committed again (it
  pays the same lines), then a later sheet of the same layout, whose rows repeat the first's
  as they were, with a cell or two changed, or new, is checked against it: validate's
  ``already-paid`` findings refuse exactly their lines in subsidy, the commit records exactly
  the paid lines and never makes a key active twice (asked of the ledger file in SQL), and
  after the first run is voided only the lines it stood in the way of are paid;
* with the wrong ``--kind`` (a kind the sheet is not, or one the program does not have): the
  sheet is refused in one line (exit 2), or, having that kind's key headers, read as that
  kind and checked like any other sheet; in-process and through the CLI.

CI runs a short, derandomised budget (profile ``skillpolicy-fuzz-ci``, well under a minute).
The long profile (``skillpolicy-fuzz-long``) is for a run by hand, with a thousand random
examples per sheet kind, about 30 minutes on two cores:

    SKILLPOLICY_FUZZ=long python -m pytest tests/test_fuzz.py -p no:cacheprovider

``SKILLPOLICY_FUZZ_EXAMPLES=N`` sets the in-process examples per sheet kind (the CLI tests run
a tenth of them, the ledger test a tenth per paying kind, the ``--kind`` test N in all). A
failure prints the shrunk sheet; failing examples are kept in ``.hypothesis/`` and tried
first on the next long run. ``-x`` stops at the first failure.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import tempfile
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import ROOT, cli_env, make_resident_id, skillpolicy_script
from skillpolicy.check.validate import Report, validate_sheet
from skillpolicy.compute.paycommit import commit_payout
from skillpolicy.compute.paylines import Payout
from skillpolicy.compute.subsidy import compute_subsidy
from skillpolicy.domain.errors import SkillpolicyError
from skillpolicy.domain.money import amount_in_words
from skillpolicy.domain.privacy import redact
from skillpolicy.domain.terminal import shown
from skillpolicy.io.columns import shared_columns
from skillpolicy.io.resources import SearchPath
from skillpolicy.ledger import Ledger
from skillpolicy.ledger.reading import EmptyLedger
from skillpolicy.ledger.sqlite import SqliteLedger
from skillpolicy.loading.programfiles import load_program, program_ids
from skillpolicy.policy.catalog import load_catalog, load_catalog_file
from skillpolicy.policy.namelists import read_name_list
from skillpolicy.policy.paymodel import AmountPart
from skillpolicy.policy.programs import Amount, Program, SheetKind, SubsidySpec

# --------------------------------------------------------------------------- budgets

_LONG = os.environ.get("SKILLPOLICY_FUZZ", "") == "long"
_LONG_EXAMPLES = int(os.environ.get("SKILLPOLICY_FUZZ_EXAMPLES", "1000"))
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]

settings.register_profile(
    "skillpolicy-fuzz-ci",
    max_examples=25,
    deadline=None,
    derandomize=True,  # CI explores the same sheets every run: no flaky build
    database=None,
    suppress_health_check=_SLOW_OK,
    print_blob=True,
)
settings.register_profile(
    "skillpolicy-fuzz-long",
    max_examples=_LONG_EXAMPLES,
    deadline=None,
    suppress_health_check=_SLOW_OK,
    print_blob=True,
)
# The profiles are applied to this module's tests only, never loaded for the whole session.
IN_PROCESS = settings.get_profile("skillpolicy-fuzz-long" if _LONG else "skillpolicy-fuzz-ci")
THROUGH_CLI = settings(IN_PROCESS, max_examples=max(_LONG_EXAMPLES // 10, 1) if _LONG else 4)
# a first sheet committed, voided, committed again, then a later sheet: seven reads an example
LEDGER_RUNS = settings(IN_PROCESS, max_examples=max(_LONG_EXAMPLES // 10, 1) if _LONG else 6)
# a sheet given another --kind: most stop at the header, so the whole budget in one test
MISREAD = settings(IN_PROCESS, max_examples=_LONG_EXAMPLES if _LONG else 40)
MISREAD_CLI = settings(IN_PROCESS, max_examples=max(_LONG_EXAMPLES // 10, 1) if _LONG else 3)

MAX_ROWS = 30

# --------------------------------------------------------------------------- the data files

EXAMPLES = ROOT / "examples"
PARAMS_FILE = EXAMPLES / "skillpolicy.toml"  # every program's local parameters, name lists
PARAMS: dict[str, Any] = tomllib.loads(PARAMS_FILE.read_text(encoding="utf-8"))
PROGRAM_IDS = program_ids()  # whatever catalogs/programs/ ships
PROGRAMS: dict[str, Program] = {pid: load_program(pid) for pid in PROGRAM_IDS}


def _names(parameter_file: str) -> list[str]:
    return sorted(read_name_list(EXAMPLES / parameter_file))


KEY_ENTERPRISES = _names(PARAMS["fujian-2013-free-training"]["key_enterprises"])
BARRED = _names(PARAMS["fujian-2013-free-training"]["barred_institutions"])
DIRECTORY = _names(PARAMS["guangxi-2019-lifelong"]["institution_directory"])
BLACKLIST = _names(PARAMS["guangxi-2019-lifelong"]["credit_blacklist"])
GUANGXI_OCCUPATIONS = list(
    load_catalog("guangxi-2012-shortage", SearchPath("catalogs")).occupations
)
XUCHANG_OCCUPATIONS = list(
    load_catalog_file(
        EXAMPLES / PARAMS["xuchang-2013-revitalization"]["shortage_catalog"]
    ).occupations
)

# valid GB 32100 codes (from the scenario files) and near misses
CREDIT_CODES = [
    "91140500MA0K12348W",
    "91140500110012344R",
    "52140500MJ0Y567845",
    "12140500407001232E",
    "91140521MA0H987674",
    "91140581200312340Q",
    "53140500MA0L34564C",
    "91140500MA0KX7Y861",
    "121405004070056713",
    "91140500731901232K",
    "91140502MA0GABCD98",
    "91411000MA3X5B7Y2J",
]
NEAR_CREDIT_CODES = [
    "12140500407001232F",
    "91140500ma0k12348w",
    "９１１４０５００ＭＡ０Ｋ１２３４８Ｗ",
    "91140500MA0K1234",
    "91140500MA0K12348WX",
    "91140500IA0K12348W",
    " 91140500MA0K12348W ",
    "9114 0500 MA0K 1234 8W",
]


# --------------------------------------------------------------------------- sheets


@dataclass(frozen=True)
class Combo:
    """One sheet kind of one program."""

    program_id: str
    kind: SheetKind

    @property
    def program(self) -> Program:
        return PROGRAMS[self.program_id]

    @property
    def spec(self) -> SubsidySpec | None:
        return self.program.subsidy_for(self.kind)

    def __str__(self) -> str:
        return f"{self.program_id}:{self.kind}"


COMBOS = [Combo(pid, kind) for pid in PROGRAM_IDS for kind in PROGRAMS[pid].sheets]
PAYING_COMBOS = [c for c in COMBOS if c.spec is not None]


@dataclass(frozen=True)
class Formula:
    """A cell written as a formula without a cached value (what a generator or a forger leaves)."""

    text: str


@dataclass
class FuzzSheet:
    """A workbook to write: title rows, the header row and data rows, in sheet order."""

    combo: Combo
    kind_option: str | None  # passed as --kind (technician sheets always need it)
    as_of: dt.date | None
    titles: list[list[Any]]
    headers: list[str]
    rows: list[list[Any]]
    merges: list[tuple[int, int, int]] = field(default_factory=list)  # (column, first, last)
    title: str = "Sheet"  # the worksheet's name, quoted in errors
    columns: list[str | None] = field(default_factory=list)  # canonical name of each header
    origin: Combo | None = None  # the program and kind it was written for, when given another

    @property
    def header_row(self) -> int:
        return len(self.titles) + 1

    def write(self, path: Path) -> Path:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = self.title
        for number, values in enumerate([*self.titles, self.headers, *self.rows], start=1):
            for column, value in enumerate(values, start=1):
                if value is None:
                    continue
                cell = sheet.cell(row=number, column=column)
                if isinstance(value, Formula):
                    cell.value = value.text
                    continue
                cell.value = value
                if isinstance(value, str) and cell.data_type == "f":
                    cell.data_type = "s"  # "=1+1" typed as text stays text
        for column, first, last in self.merges:
            offset = self.header_row
            sheet.merge_cells(
                start_row=offset + first,
                end_row=offset + last,
                start_column=column + 1,
                end_column=column + 1,
            )
        workbook.save(path)
        return path

    def describe(self) -> str:
        """The sheet as text, for a failing example's report."""
        lines = [f"{self.combo} --kind {self.kind_option} --as-of {self.as_of}"]
        if self.origin is not None:
            lines[0] += f" (written as {self.origin})"
        lines += [repr(row) for row in [*self.titles, self.headers, *self.rows]]
        lines += [f"merge column {c} rows {a}..{b}" for c, a, b in self.merges]
        return "\n".join(lines)


# --------------------------------------------------------------------------- cell values


def chance(draw: st.DrawFn, percent: int) -> bool:
    """True ``percent`` times in a hundred, uniformly; shrinks towards False."""
    return bool(draw(st.sampled_from(range(100))) >= 100 - percent)


_XML_OK = set("\t\n\r")


def xml_safe(text: str) -> str:
    """Only the characters XML 1.0 (and so openpyxl) can store; C1 controls stay in."""
    return "".join(
        ch
        for ch in text
        if ch in _XML_OK
        or 0x20 <= ord(ch) <= 0xD7FF
        or 0xE000 <= ord(ch) <= 0xFFFD
        or ord(ch) >= 0x10000
    )


CJK = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏覃韦莫农蒙黎"
CJK += "龘靐齉𠀀𪚥㐀鿿〇々ー・"  # rare, extension-B and punctuation-like characters
SPECIAL_TEXT = [
    "=1+1",
    "=SUM(A1:A3)",
    "+8613812345678",
    "-5",
    "@SUM(A1)",
    '=HYPERLINK("http://x","点我")',
    "\t",
    " ",
    "\u3000",
    "\u200b",
    "\ufeff合格",
    "合格\u200b",
    "  合格  ",
    "合\n格",
    "\x85",
    "\x7f",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e999999",
    "1E+400",
    "-0",
    "0",
    "1,200",
    "1,2,3",
    "85%",
    "%",
    "１２３",
    "（空）",
    "无",
    "N/A",
    "#N/A",
    "#VALUE!",
    "TRUE",
    "是",
    "否",
    "null",
    "None",
    "2012-02-30",
    "1900-02-29",
    "2099-12-31",
    "9999-12-31",
    "0000-00-00",
    "2012年13月1日",
    "60",
    "41152",
    "41152.5",
    "2958466",
    "2012",
    "201208",
    "20120831",
    "4.50102E+17",
    "450102198003151014 ",
    "x" * 40,
    "𠀀𠀁𪚥",  # characters outside the BMP
    "ｅｘｃｅｌ",
    "😀",
    # issue 14: rich markup, and control characters as OOXML escapes (calamine decodes them)
    "[/b]张三",
    "[bold red]广西桂南技师学院[/]",
    "[link=http://x]点我[/link]",
    "_x001B_[2J清屏",
    "_x001B_]8;;http://evil/_x001B_\\假链接",
    "_x000B_机构_x0000_",
    "张\u202e三",
]
# What the hostile-text test puts in every text column of a sheet.
HOSTILE_TEXT = [
    "[/b]张三",
    "[bold]x[/bold][/]",
    "_x001B_[2J_x001B_[31m红",
    "_x001B_]8;;http://evil/_x001B_\\链接",
    "机构_x000B__x0001_",
    "\u202e机构名称",
    "\u2066隔离\u2069",
    "[red]_x001B_[0m[/red]",
]

blank = st.sampled_from([None, "", " ", "\u3000", "\u200b", "\t\n"])
any_text = st.one_of(
    st.text(max_size=24).map(xml_safe),
    st.text(alphabet=CJK + " 　·()（）-、,", min_size=1, max_size=12),
    st.sampled_from(SPECIAL_TEXT),
    st.integers(200, 33_000).map(
        lambda n: ("很长的文字" * (n // 5 + 1))[:n]
    ),  # Excel's limit is 32,767
)
huge_numbers = st.sampled_from(
    [10**15, 10**18, 10**20, 10**300, -(10**300), 2**53 + 1, 2**63, -(2**63) - 1, 1e308, 5e-324]
)
numbers = st.one_of(
    st.integers(-(10**6), 10**6),
    st.integers(-(10**19), 10**19),
    huge_numbers,
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-1e6, 1e6),
    st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=3),
)
moments = st.one_of(
    st.dates(dt.date(1900, 1, 1), dt.date(9999, 12, 31)),
    st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)),
    st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(9999, 12, 31)),
    st.times(),
    st.timedeltas(dt.timedelta(days=-10), dt.timedelta(days=100_000)),
)
junk = st.one_of(
    blank,
    any_text,
    numbers,
    st.booleans(),
    moments,
    st.sampled_from(SPECIAL_TEXT).map(Formula),
)


@st.composite
def a_date(draw: st.DrawFn) -> Any:
    """A plausible date in any of the forms a clerk writes it."""
    if chance(draw, 3):  # anywhere a cell can hold: 1900 to 9999
        day = draw(st.dates(dt.date(1900, 1, 1), dt.date(9999, 12, 31)))
    else:
        day = draw(st.dates(dt.date(1995, 1, 1), dt.date(2025, 12, 31)))
    form = draw(st.integers(0, 9))
    serial = (day - dt.date(1899, 12, 30)).days
    return [
        day,
        day,
        dt.datetime.combine(day, draw(st.times())),
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month}.{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        day.strftime("%Y%m%d"),
        serial,
        f" {day.isoformat()}\u3000",
    ][form]


REGIONS = ["450102", "450103", "411002", "350102", "140502", "110101", "810000", "990000", "000000"]
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@st.composite
def identity(draw: st.DrawFn) -> Any:
    """A resident identity number: mostly valid, else one of the ways they go wrong."""
    region = draw(st.sampled_from(REGIONS[:6]) | st.sampled_from(REGIONS))
    birth = draw(
        st.dates(dt.date(1950, 1, 1), dt.date(2005, 12, 31))
        | st.dates(dt.date(1880, 1, 1), dt.date(2030, 12, 31))
    )
    first17 = f"{region}{birth:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    valid = make_resident_id(first17)
    if not chance(draw, 30):
        return valid
    form = draw(st.integers(6, 14))
    wrong = valid[:17] + ("0" if valid[17] != "0" else "1")
    return [
        valid.lower(),
        f" {valid[:6]} {valid[6:14]} {valid[14:]} ",
        valid.translate(FULL_WIDTH),
        int(valid) if valid[-1].isdigit() else valid,  # a number cell: precision lost
        f"{int(valid[:17]) / 1e16:.5f}E+17",
        wrong,
        f"{region}{birth:%y%m%d}{first17[-3:]}",  # a 15-digit legacy number
        valid[:-1],
        valid + "0",
    ][form - 6]


LEVELS = ["初级工", "中级工", "高级工", "技师", "高级技师", "五级", "四级", "三级", "二级", "一级"]
NEAR_LEVELS = [
    "预备技师",
    "3级",
    "国家职业资格三级",
    "高级工(三级)",
    "三级/技师",
    "技 师",
    "特级",
    "高级",
    "技师高级技师",
    "高级工、",
]
PHONES = [
    "13812345678",
    13812345678,
    "0771-5870650",
    "0356-2199488",
    "(0771)5870650",
    "12345",
    "1381234567８",
    "0771-587065",
    "23812345678",
]
POSTCODES = ["530022", 530022, "048000", 48000, "5300", "5300221", "ABCDEF"]
YES_NO = [
    "是",
    "否",
    "有",
    "无",
    "√",
    "×",
    "Y",
    "N",
    "y",
    "n",
    "yes",
    "no",
    "1",
    "0",
    1,
    0,
    True,
    False,
    "是的",
    "X",
    "✓",
]
INSTITUTIONS = [
    *DIRECTORY,
    *BLACKLIST,
    *BARRED,
    "广西机电技师学院",
    "许昌技师学院",
    "福建技师学院",
    "（未填）",
]
ENTERPRISES = [
    *KEY_ENTERPRISES,
    "福建省电子信息集团",
    "许继集团有限公司",
    "厦门海沧船舶修造有限公司 ",
]
OCCUPATIONS = [
    *GUANGXI_OCCUPATIONS,
    *XUCHANG_OCCUPATIONS,
    "电工",
    "美容师",
    "焊 工",
    "焊工（电焊）",
    "数控车工 ",
]
UNIT_NAMES = [
    "晋城市兰花煤化工有限责任公司",
    "晋城技师学院",
    "广西机电技师学院",
    "许昌市东城机械制造有限公司",
    "某某单位",
]


def near(values: Iterable[str]) -> st.SearchStrategy[Any]:
    """Allowed values and near misses (spaces, full-width forms, a character more or less)."""
    values = list(values)
    exact = st.sampled_from(values)
    return st.one_of(
        exact,
        exact,
        exact,
        exact.map(lambda v: f" {v}\u3000"),
        exact.map(lambda v: v.translate(str.maketrans("()", "（）"))),
        exact.map(lambda v: v[:-1] or v + "x"),
        exact.map(lambda v: v + "班"),
    )


def plausible(combo: Combo, column: str) -> st.SearchStrategy[Any]:
    """Values a clerk could have typed in ``column``: mostly right, some slightly off."""
    sheet = combo.program.sheets[combo.kind]
    kind = combo.program.column_set().type_of(column)
    if column in sheet.choices:
        return near(sheet.choices[column])
    if column in ("所在企业",):
        return near(ENTERPRISES)
    if column in ("培训机构",):
        return near(INSTITUTIONS)
    if column == "单位名称":
        return near(UNIT_NAMES)
    if column == "评选年度":
        return st.sampled_from(
            [2013, 2014, 2014, "2014", "2014年", 2014.0, "二〇一四", -1, 0, 2015.5]
        )
    if column == "名次":
        return st.integers(-2, 70) | st.sampled_from(["第一", 1.5, "1"])
    if column == "性别":
        return st.sampled_from(["男", "女", "M", "女 ", "未知"])
    if column == "证书编号":
        return st.sampled_from(["1341000000123456", "S2012-0001", "无", 1341000000123456, "—"])
    if column == "主体资格":
        allowed = list(sheet.choices.get(column, ["企业", "技师学院"]))
        return st.lists(st.sampled_from([*allowed, "事业单位"]), min_size=1, max_size=3).flatmap(
            lambda parts: st.sampled_from(["、", ",", ";", "，", " ", "/"]).map(
                lambda sep: sep.join(parts)
            )
        )
    if column == "所在地":
        return near(["福州市", "厦门市", "许昌市", "南宁市", "厦门", "泉州市"])
    if column == "评审得分":
        return st.floats(0, 100) | st.sampled_from(["95.5", "九十", "", -3, 100.0])
    if column == "职工工资总额":
        return st.sampled_from(
            ["1000000.00", "¥1,200.50", "1200元", "-5", 0, 1e9, "1.005", "+-3"]
        ) | st.decimals(min_value=-1000, max_value=10**10, allow_nan=False, places=3)
    if column == "提取比例":
        return st.sampled_from(["2%", "1.5%", "2.5%", "1.49%", 0.015, 0.025, 0.03, 2, "百分之二"])
    if kind == "person-id":
        return identity()
    if kind == "date":
        return a_date()
    if kind == "level":
        return near(LEVELS) | st.sampled_from(NEAR_LEVELS)
    if kind == "catalog":
        return near(OCCUPATIONS)
    if kind == "phone":
        return st.sampled_from(PHONES)
    if kind == "postcode":
        return st.sampled_from(POSTCODES)
    if kind == "credit-code":
        return st.sampled_from(CREDIT_CODES) | st.sampled_from(NEAR_CREDIT_CODES)
    if kind == "yes-no":
        return st.sampled_from(YES_NO)
    if kind == "ratio":
        return st.floats(0, 1) | st.sampled_from(
            ["85%", "60%", "59.99%", 0.6, 0.5999, 85, -0.1, 1.5, "60 %", "６０％"]
        )
    if kind == "integer":
        return st.integers(-3, 1500) | st.sampled_from(
            ["12个", "3次", "300人", 3.0, 3.5, "三", "1,200", -1]
        )
    if kind in ("number", "money"):
        return st.decimals(min_value=-100, max_value=10**6, allow_nan=False, places=2)
    if kind == "choice":
        return near(["合格", "不合格", "未鉴定", "是", "否"])
    return st.text(alphabet=CJK, min_size=1, max_size=6)


def _dates(start: str, end: str | None = None) -> dict[str, Any]:
    return {
        "开班日期": dt.date.fromisoformat(start),
        **({"结业日期": dt.date.fromisoformat(end)} if end else {}),
    }


# A row that passes every rule, per sheet kind; fuzzed rows start from it and stray by a drawn
# share of their cells, so that paid, pending and refused lines all occur.
VALID: dict[str, dict[str, Any]] = {
    "guangxi-2012-technician:roster": {
        "姓名": "韦志强",
        "职业(工种)": "数控车工",
        "现等级": "高级工",
        "取证日期": dt.date(2008, 5, 20),
        "申报等级": "技师",
        "培训形式": "脱产",
        **_dates("2012-09-10", "2012-12-10"),
        "鉴定结果": "合格",
        "培训机构": "广西机电技师学院",
        "联系电话": "13807710001",
    },
    "guangxi-2012-technician:application": {
        "单位名称": "广西机电技师学院",
        "联系电话": "0771-5870650",
        "手机": "13807710001",
        "邮编": "530022",
        "主体资格": "技师学院、国家级高技能人才培养基地",
        "培训职业": "维修电工",
        "培训人数": 40,
        "申报日期": dt.date(2012, 8, 20),
    },
    "jincheng-2022-workstation:application": {
        "单位名称": "晋城市兰花煤化工有限责任公司",
        "单位类型": "企业",
        "联系电话": "0356-2199488",
        "邮编": "048000",
        "申报日期": dt.date(2022, 12, 6),
        "技师及高级技师人数": 5,
        "培养评价激励制度": "是",
        "师带徒计划": "有",
        "校企或院所合作": "√",
        "资金场地保障": "Y",
        "先进设施设备": "是",
    },
    "jincheng-2022-training-base:application": {
        "单位名称": "晋城技师学院",
        "单位类型": "技工院校",
        "申报日期": dt.date(2022, 12, 5),
        "管理制度": "是",
        "无违规记录": "是",
        "紧缺专业实训装备数": 4,
        "年培训人数": 1200,
        "合作企业数": 6,
        "共建专业数": 5,
        "师资队伍": "是",
    },
    "jincheng-2022-workstation:designation": {
        "单位名称": "晋城市兰花煤化工有限责任公司",
        "评审得分": 91.5,
        "是否授牌": "是",
        "验收结果": "合格",
    },
    "guangxi-2019-lifelong:roster": {
        "姓名": "覃丽萍",
        "人员类别": "企业职工",
        "培训类型": "岗位技能提升培训",
        "职业(工种)": "焊工",
        "现等级": "中级工",
        "申报等级": "高级工",
        "培训机构": DIRECTORY[0],
        **_dates("2019-09-02", "2019-12-20"),
        "劳动合同期限(月)": 12,
        "社保缴纳月数": 6,
        "鉴定结果": "合格",
    },
    "fujian-2013-free-training:roster": {
        "姓名": "林建华",
        "所在企业": KEY_ENTERPRISES[0],
        "所在地": "福州市",
        "职业(工种)": "电工",
        "培训机构": "福建技师学院",
        "本地院校": "否",
        "培训形式": "全脱产",
        **_dates("2013-03-01", "2013-05-31"),
        "鉴定结果": "合格",
    },
    "xuchang-2013-revitalization:roster": {
        "姓名": "王建伟",
        "人员类别": "农村转移就业劳动者",
        "培训类别": "农村劳动力培训",
        "培训类型": "就业技能培训",
        "职业(工种)": "电焊工",
        "培训机构": "许昌技师学院",
        "开班审批日期": dt.date(2013, 9, 2),
        **_dates("2013-09-09", "2013-11-20"),
        "到课率": 0.92,
        "抽查次数": 3,
        "鉴定结果": "合格",
        "证书编号": "1341000000123456",
        "补贴领取方式": "本人领取",
    },
    "xuchang-2013-revitalization:award": {
        "姓名": "王建华",
        "奖项": "技术能手",
        "评选年度": 2014,
        "所在企业": "许继集团有限公司",
        "职业(工种)": "维修电工",
    },
    "xuchang-2013-revitalization:technician": {
        "姓名": "许国栋",
        "职业(工种)": XUCHANG_OCCUPATIONS[0],
        "申报等级": "技师",
        "培训机构": "许昌技师学院",
        "鉴定结果": "合格",
        "证书编号": "1341000200123456",
    },
    "xuchang-2013-revitalization:levy": {
        "单位名称": "许昌市东城机械制造有限公司",
        "职工工资总额": "1000000.00",
        "提取比例": "2%",
        "规模以上": "是",
        "开展职工培训": "否",
    },
}
VALID["jincheng-2022-training-base:designation"] = VALID["jincheng-2022-workstation:designation"]
VALID["jincheng-2022-workstation:score"] = {
    "单位名称": "晋城市兰花煤化工有限责任公司",
    "专家": "李建国",
    "评分": 88,
    "资料审查得分": 52,
    "答辩得分": 36,
}
VALID["jincheng-2022-training-base:score"] = VALID["jincheng-2022-workstation:score"]
VALID["fujian-2013-free-training:plan"] = {
    "设区市": "福州市",
    "企业名称": KEY_ENTERPRISES[0],
    "行业": "装备制造",
    "职业(工种)": "电工",
    "计划人数": 30,
    "承训机构": "福建技师学院",
    "本地院校": "否",
    "报送日期": dt.date(2013, 2, 20),
}


def header_variants(combo: Combo, column: str) -> list[str]:
    """The ways a header may be written: canonical, aliases, full-width, starred, spaced."""
    names = [column]
    declared = shared_columns().get(column)
    if declared is not None:
        names += declared.aliases_on(combo.kind)
    shown = list(names)
    for name in names:
        shown += [
            name.translate(str.maketrans("()", "（）")),
            f"*{name}",
            f" {name}：",
            name.replace("", " ").strip(),
        ]
    return shown


TITLES: list[list[list[Any]]] = [
    [],
    [["学员花名册"]],
    [["附件2"], ["填报单位：某某", None, "填报日期：2013年"]],
]


def fuzz_row(
    draw: st.DrawFn,
    combo: Combo,
    columns: list[str | None],
    stray: int,
    wild: int,
    previous_id: Any,
) -> tuple[list[Any], Any]:
    """One data row: the kind's valid row with ``stray`` % of its cells drawn afresh, and
    ``wild`` % of those junk; returns the row and its identity number (repeated now and then)."""
    valid = VALID[str(combo)]
    cells: dict[str, Any] = {}
    for column in (c for c in columns if c is not None):
        if column == "身份证号":
            if previous_id is not None and chance(draw, 8):
                cells[column] = previous_id  # the same person twice
            else:
                cells[column] = draw(identity())
            previous_id = cells[column]
            continue
        if column == "统一社会信用代码":
            cells[column] = draw(st.sampled_from(CREDIT_CODES))
        else:
            cells[column] = valid.get(column)
        if chance(draw, stray):
            if chance(draw, wild):
                cells[column] = draw(junk)
            elif chance(draw, 15):
                cells[column] = draw(blank)
            else:
                cells[column] = draw(plausible(combo, column))
    if "性别" in cells:  # agree with the identity number most of the time
        number = str(cells.get("身份证号"))
        if not chance(draw, stray) and len(number) == 18 and number[16].isdigit():
            cells["性别"] = "男" if int(number[16]) % 2 else "女"
        elif chance(draw, 50):
            cells["性别"] = draw(plausible(combo, "性别") | junk)
    row = [cells[c] if c is not None else draw(any_text | blank) for c in columns]
    return row, previous_id


@st.composite
def fuzz_sheets(draw: st.DrawFn, combo: Combo) -> FuzzSheet:
    program, kind = combo.program, combo.kind
    sheet_spec = program.sheets[kind]
    required = set(sheet_spec.required) | set(combo.spec.requires if combo.spec else ())
    optional = [c for c in sheet_spec.columns if c not in required]
    # subsidy needs its columns; leaving one out now and then pins the exit-2 refusal
    dropped = (
        set(draw(st.lists(st.sampled_from(optional), unique=True, max_size=len(optional))))
        if optional
        else set()
    )
    if combo.spec and combo.spec.requires and chance(draw, 5):
        dropped.add(draw(st.sampled_from(combo.spec.requires)))
    dropped -= set(sheet_spec.required)
    columns: list[str | None] = [c for c in sheet_spec.columns if c not in dropped]
    if draw(st.booleans()):
        columns.append(None)  # an unknown column (备注) is kept and ignored
    if chance(draw, 3):  # a column twice: the reader refuses it unless one header is exact
        columns.append(draw(st.sampled_from([c for c in columns if c is not None])))
    columns = draw(st.permutations(columns))
    headers = [draw(st.sampled_from(header_variants(combo, c))) if c else "备注" for c in columns]
    titles = draw(st.sampled_from(TITLES))

    stray = draw(st.sampled_from([0, 0, 0, 2, 5, 10, 20, 50, 100]))  # % of cells drawn afresh
    wild = draw(st.sampled_from([0, 10, 30, 100]))  # % of those that are junk of any type
    rows: list[list[Any]] = []
    previous_id: Any = None
    for _ in range(draw(st.integers(0, MAX_ROWS))):
        if chance(draw, 8):
            rows.append([None] * len(columns))  # a blank row
            continue
        row, previous_id = fuzz_row(draw, combo, columns, stray, wild, previous_id)
        rows.append(row)
    merges: list[tuple[int, int, int]] = []
    if len(rows) >= 2 and chance(draw, 10):  # a class's cell merged down its rows
        first = draw(st.integers(1, len(rows) - 1))
        last = draw(st.integers(first + 1, len(rows)))
        merges.append((draw(st.integers(0, len(columns) - 1)), first, last))
    kind_option = kind if kind == "technician" or draw(st.booleans()) else None
    as_of = draw(st.none() | st.none() | st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)))
    title = draw(st.sampled_from(["Sheet", "花名册", "2013年 第1期", "Sheet1 (2)", "表一'附件"]))
    return FuzzSheet(combo, kind_option, as_of, titles, headers, rows, merges, title, columns)


# --------------------------------------------------------------------------- running


@dataclass
class Outcome:
    """What one command made of a sheet: JSON and exit code, or the exit-2 error line."""

    exit_code: int
    payload: dict[str, Any] | None = None
    error: str | None = None


def run_in_process(
    sheet: FuzzSheet, path: Path, ledger: Ledger | None = None
) -> tuple[Outcome, Outcome, Report | None, Payout | None]:
    """validate and subsidy as the CLI calls them; only SkillpolicyError may escape them."""
    program = sheet.combo.program
    common: dict[str, Any] = {
        "kind": sheet.kind_option,
        "as_of": sheet.as_of,
        "params_file": PARAMS_FILE,
        "shown_name": str(path),
        "ledger": ledger,
    }
    report: Report | None = None
    payout: Payout | None = None
    try:
        report = validate_sheet(path, program, **common)
        validated = Outcome(1 if report.has_errors else 0, report.to_json())
    except SkillpolicyError as error:
        validated = Outcome(2, error=f"错误：{error}")
    try:
        payout = compute_subsidy(path, program, **common)
        paid = Outcome(1 if payout.has_violations else 0, payout.to_json())
    except SkillpolicyError as error:
        paid = Outcome(2, error=f"错误：{error}")
    return validated, paid, report, payout


def run_cli(sheet: FuzzSheet, path: Path) -> tuple[Outcome, Outcome]:
    """Both commands at once through the installed console script."""
    options = [
        "--program",
        sheet.combo.program_id,
        "--format",
        "json",
        "--params",
        str(PARAMS_FILE),
    ]
    if sheet.kind_option:
        options += ["--kind", sheet.kind_option]
    if sheet.as_of:
        options += ["--as-of", sheet.as_of.isoformat()]
    processes = [
        subprocess.Popen(
            [skillpolicy_script(), command, str(path), *options],
            cwd=path.parent,
            env=cli_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        for command in ("validate", "subsidy")
    ]
    outcomes = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert "Traceback" not in err and "内部错误" not in err, err
        assert process.returncode in (0, 1, 2), (process.returncode, err)
        if process.returncode == 2:
            assert out == "", out
            lines = err.splitlines()
            assert len(lines) == 1 and lines[0].startswith("错误："), err
            outcomes.append(Outcome(2, error=lines[0]))
        else:
            outcomes.append(Outcome(process.returncode, json.loads(out)))
    return outcomes[0], outcomes[1]


def assert_cli_says_what_the_library_says(
    expected: tuple[Outcome, Outcome], actual: tuple[Outcome, Outcome]
) -> None:
    """Same exit codes, the library's JSON and error line as the terminal shows them (masked)."""
    for want, got in zip(expected, actual, strict=True):
        assert got.exit_code == want.exit_code, (want, got)
        assert got.payload == on_terminal(want.payload)
        # an error line on the terminal: masked, control characters escaped, one line
        assert got.error == (shown(want.error, one_line=True) if want.error is not None else None)


def on_terminal(payload: dict[str, Any] | None) -> dict[str, Any] | None:
    """The library's JSON as the CLI prints it: every output line passes the privacy mask."""
    if payload is None:
        return None
    shown: dict[str, Any] = json.loads(redact(json.dumps(payload, ensure_ascii=False, indent=2)))
    return shown


# --------------------------------------------------------------------------- agreement

FULL_ID = re.compile(r"[0-9]{17}[0-9X]")


def outcome_notes(spec: SubsidySpec) -> set[str]:
    """Pending notes the subsidy entry adds for an outcome still blank (never a validate
    finding): its outcome column's, and each tranche's own."""
    notes = {f"{spec.outcome}未出，待有结果后再核发"} if spec.outcome else set()
    return notes | {note.message for t in spec.tranches for note in t.pending}


# An already-paid finding names the tranche it refuses (a designation sheet's two lines a row).
ALREADY_PAID_TRANCHE = re.compile(r"^(?:第([12])笔经费|该项补贴)已由 ")


def method_refusal(spec: SubsidySpec, rule: str, message: str, tranche: int | None) -> bool:
    """A refusal the subsidy entry states itself (its refuse list, or its tranche's), without
    a validate finding: a unit not designated, a failed acceptance, no school–enterprise."""
    if any(r.rule == rule and r.message == message for r in spec.refuse):
        return tranche in spec.tranche_numbers
    return any(
        tranche == number and any(r.rule == rule and r.message == message for r in t.refuse)
        for number, t in enumerate(spec.tranches, start=1)
    )


def sums(amount: Amount) -> set[Decimal]:
    """Every sum a fixed amount may pay: the undated one and each dated value."""
    return {v for v in (amount.amount, *(d.value for d in amount.values)) if v is not None}


def allowed_amounts(combo: Combo) -> dict[int | None, set[Decimal]]:
    """Every amount a paid line may carry, by tranche, from the program file and parameters:
    each sum of its parts' values, with and without its factor, or each tranche's share."""
    program, spec = combo.program, combo.spec
    assert spec is not None
    params = PARAMS.get(combo.program_id, {})

    def values(part: AmountPart) -> set[Decimal]:
        if part.amount is not None:
            return sums(program.amount(part.amount))
        if part.by:
            return set().union(*(sums(program.amount(n)) for n in part.by.values()))
        value = params[str(part.parameter)]
        if isinstance(value, dict):
            return {Decimal(v) for v in value.values()}
        if isinstance(value, list):
            return {Decimal(v["value"]) for v in value}
        return {Decimal(value)}

    totals = {Decimal(0)}
    for part in spec.amount_parts:
        totals = {total + value for total in totals for value in values(part)}
    if spec.factor is not None:
        name = spec.factor.parameter
        day = program.reference_date
        factor = Decimal(params[name]) if name else program.rate(str(spec.factor.rate)).on(day)[0]
        totals |= {spec.rounding.apply(total * factor) for total in totals}
    if not spec.tranches:
        return {None: totals}
    return {
        number: sums(program.amount(t.amount))
        if t.amount
        else {
            spec.rounding.apply(total * t.share_on(program.reference_date)[0]) for total in totals
        }
        for number, t in enumerate(spec.tranches, start=1)
    }


def check_agreement(
    combo: Combo, validated: dict[str, Any], paid: dict[str, Any], header_row: int, last_row: int
) -> None:
    """The relations between validate's and subsidy's JSON for one sheet (module docstring)."""
    spec = combo.spec
    assert spec is not None
    findings = validated["findings"]
    errors: dict[int, set[tuple[str, str]]] = defaultdict(set)
    reviews: dict[int, set[tuple[str, str]]] = defaultdict(set)
    # with a ledger: the lines an earlier run paid, by (row, tranche); each refuses its own line
    paid_before: dict[tuple[int, int | None], set[tuple[str, str]]] = defaultdict(set)
    for finding in findings:
        assert finding["severity"] in ("error", "warning", "review"), finding
        assert finding["row"] is None or header_row < finding["row"] <= last_row, finding
        if finding["row"] is None:
            assert finding["rule"] != "already-paid", finding
            continue
        found = (finding["rule"], finding["message"])
        if finding["rule"] == "already-paid":
            assert finding["severity"] == "error", finding
            tranche = ALREADY_PAID_TRANCHE.match(finding["message"])
            assert tranche is not None, finding
            which = int(tranche.group(1)) if tranche.group(1) else None
            paid_before[(finding["row"], which)].add(found)
        elif finding["severity"] == "error":
            errors[finding["row"]].add(found)
        elif finding["severity"] == "review":
            reviews[finding["row"]].add(found)
    rows_with_errors = set(errors) | {row for row, _ in paid_before}

    lines = paid["lines"]
    per_row = tuple(spec.tranche_numbers)
    rows = Counter(line["row"] for line in lines)
    assert len(rows) == validated["rows"], (sorted(rows), validated["rows"])
    assert all(count == len(per_row) for count in rows.values()), rows
    assert all(header_row < row <= last_row for row in rows), sorted(rows)
    assert rows_with_errors | set(reviews) <= set(rows), (sorted(rows_with_errors), sorted(rows))
    assert validated["valid_rows"] == validated["rows"] - len(rows_with_errors)
    by_row: dict[int, list[int | None]] = defaultdict(list)
    for line in lines:
        by_row[line["row"]].append(line.get("tranche"))
    assert all(tuple(t) == per_row for t in by_row.values()), by_row
    assert {t for _, t in paid_before} <= set(per_row), sorted(paid_before)

    statuses = Counter(line["status"] for line in lines)
    assert set(statuses) <= {"paid", "pending", "refused"}, statuses
    assert (paid["paid"], paid["pending"], paid["refused"]) == (
        statuses["paid"],
        statuses["pending"],
        statuses["refused"],
    )
    amounts = allowed_amounts(combo)
    total = Decimal("0.00")
    for line in lines:
        row, tranche, status = line["row"], line.get("tranche"), line["status"]
        amount = Decimal(line["amount"])
        assert line["amount"] == f"{amount:.2f}", line
        reasons = {(r["rule"], r["message"]) for r in line["reasons"]}
        assert len(reasons) == len(line["reasons"]), line  # no reason twice
        refusing = errors[row] | paid_before[(row, tranche)]
        where = f"row {row} tranche {tranche}: {line}\nvalidate: {sorted(refusing | reviews[row])}"
        if spec.payee != "unit":  # a person's identity number is masked in JSON
            assert not FULL_ID.fullmatch(line["id"]), where
        if status != "paid":
            assert amount == 0, where
        if refusing:
            assert status == "refused", where
            assert refusing <= reasons, where
            extra = reasons - refusing
            assert all(method_refusal(spec, rule, text, tranche) for rule, text in extra), where
        elif status == "refused":
            assert reasons, where
            assert all(method_refusal(spec, rule, text, tranche) for rule, text in reasons), where
        elif status == "pending":
            assert reasons, where
            assert reviews[row] <= reasons, where
            assert all(text in outcome_notes(spec) for _, text in reasons - reviews[row]), where
        else:
            assert not reasons and not reviews[row], where
            assert amount in amounts[tranche], (where, amounts)
            total += amount
    assert paid["total"] == f"{total:.2f}", (paid["total"], total)
    assert paid["total_in_words"] == amount_in_words(total)


def as_cli(path: Path) -> Ledger:
    """The ledger a CLI run without --ledger reads: the default one, empty in a test (each test
    has its own data folder), so the library run compares with the same ledger."""
    return EmptyLedger(str(path.parent / "default-ledger.sqlite3"))


def check_sheet(
    sheet: FuzzSheet, path: Path, ledger: Ledger | None = None
) -> tuple[Outcome, Outcome]:
    """Run one sheet in-process and check every relation; return both outcomes for the CLI."""
    validated, paid, report, payout = run_in_process(sheet, path, ledger)
    return check_outcomes(sheet, validated, paid, report, payout)


def check_outcomes(
    sheet: FuzzSheet,
    validated: Outcome,
    paid: Outcome,
    report: Report | None,
    payout: Payout | None,
) -> tuple[Outcome, Outcome]:
    """Every relation between what validate and subsidy made of one sheet (module docstring)."""
    for outcome in (validated, paid):
        if outcome.error is not None:
            assert "\n" not in outcome.error and "\r" not in outcome.error, outcome.error
    spec = sheet.combo.spec
    if validated.exit_code == 2:
        # the same workbook, program and parameters: subsidy stops on the same line
        assert paid.error == validated.error, (validated.error, paid.error)
        return validated, paid
    assert report is not None and validated.payload is not None
    assert report.layout.header_row == sheet.header_row
    assert validated.payload["rows"] <= len(sheet.rows)
    if spec is None:
        assert paid.error is not None and "不涉及补贴发放" in paid.error, paid.error
        return validated, paid
    if paid.exit_code == 2:
        missing = [c for c in spec.requires if not report.layout.has(c)]
        assert missing and paid.error is not None and "计算补贴需要的列缺失" in paid.error, (
            paid.error
        )
        assert all(c in paid.error for c in missing), paid.error
        return validated, paid
    assert payout is not None and paid.payload is not None
    # one Checker, one set of findings: subsidy's report is validate's, column for column
    assert payout.report.to_json() == validated.payload
    assert paid.exit_code == validated.exit_code, (validated.exit_code, paid.exit_code)
    check_agreement(
        sheet.combo,
        validated.payload,
        paid.payload,
        report.layout.header_row,
        sheet.header_row + len(sheet.rows),
    )
    return validated, paid


# --------------------------------------------------------------------------- the tests


def _sheets(combos: list[Combo]) -> st.SearchStrategy[FuzzSheet]:
    return st.sampled_from(combos).flatmap(fuzz_sheets)


def _check_with_report(sheet: FuzzSheet, check: Callable[[Path], object]) -> None:
    with tempfile.TemporaryDirectory(prefix="skillpolicy-fuzz-") as folder:
        path = sheet.write(Path(folder) / "花名册 fuzz.xlsx")
        try:
            check(path)
        except BaseException:
            print(sheet.describe())  # hypothesis shows it with the shrunk example
            raise


@pytest.mark.parametrize("combo", COMBOS, ids=str)
@IN_PROCESS
@given(data=st.data())
def test_validate_and_subsidy_never_crash_and_agree(combo: Combo, data: st.DataObject) -> None:
    """Random sheets of every program and kind: no crash, and subsidy agrees with validate."""
    sheet = data.draw(fuzz_sheets(combo), label="sheet")
    _check_with_report(sheet, lambda path: check_sheet(sheet, path))


@pytest.mark.slow
@THROUGH_CLI
@given(sheet=_sheets(COMBOS))
def test_cli_never_crashes_and_prints_what_the_library_computes(sheet: FuzzSheet) -> None:
    """Random sheets through the real CLI: exit 0/1/2, no traceback, the library's JSON."""

    def check(path: Path) -> None:
        assert_cli_says_what_the_library_says(
            check_sheet(sheet, path, as_cli(path)), run_cli(sheet, path)
        )

    _check_with_report(sheet, check)


# --------------------------------------------------------------------------- with a ledger


@st.composite
def later_sheets(draw: st.DrawFn, first: FuzzSheet) -> FuzzSheet:
    """A later sheet of the same kind and layout: rows of ``first`` again, as they were or with
    a cell or two changed (a level, a year, an outcome now known), among new rows."""
    combo, columns = first.combo, first.columns
    earlier = [row for row in first.rows if any(value is not None for value in row)]
    named = [position for position, column in enumerate(columns) if column is not None]
    stray = draw(st.sampled_from([0, 0, 2, 10, 50]))
    wild = draw(st.sampled_from([0, 10, 30]))
    rows: list[list[Any]] = []
    previous_id: Any = None
    for _ in range(draw(st.integers(0, MAX_ROWS))):
        how = draw(st.integers(0, 9)) if earlier else 9
        if how < 4:  # the same line again
            rows.append(list(draw(st.sampled_from(earlier))))
        elif how < 7:  # the same person or unit, something changed
            row = list(draw(st.sampled_from(earlier)))
            changed = st.lists(st.sampled_from(named), min_size=1, max_size=2, unique=True)
            for position in draw(changed):
                column = columns[position]
                assert column is not None
                row[position] = draw(blank if chance(draw, 15) else plausible(combo, column))
            rows.append(row)
        elif how < 8:
            rows.append([None] * len(columns))  # a blank row
        else:
            row, previous_id = fuzz_row(draw, combo, columns, stray, wild, previous_id)
            rows.append(row)
    as_of = (
        first.as_of
        if draw(st.booleans())
        else draw(st.none() | st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)))
    )
    titles = draw(st.sampled_from(TITLES))
    return FuzzSheet(
        combo, first.kind_option, as_of, titles, first.headers, rows, [], first.title, columns
    )


SELECT_RUN_LINES = "SELECT line_key, amount FROM lines WHERE run_id = ?"
SELECT_RUN_KEYS = "SELECT line_key FROM lines WHERE run_id = ?"


def sql(location: Path, statement: str, *parameters: Any) -> list[tuple[Any, ...]]:
    """Rows of one statement, read straight from the ledger file."""
    with contextlib.closing(sqlite3.connect(location)) as db:
        return db.execute(statement, parameters).fetchall()


def active_keys(location: Path) -> set[str]:
    """Keys of the active lines, after checking with SQL that none is there twice."""
    doubled = sql(
        location,
        "SELECT line_key, COUNT(*) FROM lines WHERE active = 1 GROUP BY line_key HAVING COUNT(*) > 1",
    )
    assert doubled == [], doubled
    return {key for (key,) in sql(location, "SELECT line_key FROM lines WHERE active = 1")}


def commit_and_check(payout: Payout, book: SqliteLedger) -> set[str]:
    """Commit ``payout``: the run holds its paid lines, each a key no active line had before;
    a key paid twice in the payout is recorded once and its repeat refused as already-paid."""
    location = Path(book.location)
    before = active_keys(location)
    shown = payout.to_json()["lines"]
    offered = [line.key for line in payout.lines if line.status == "paid"]
    assert not before & set(offered), sorted(before & set(offered))
    seen: set[str] = set()
    repeats: list[bool] = []
    for line in payout.lines:
        repeats.append(line.status == "paid" and line.key in seen)
        if line.status == "paid":
            seen.add(line.key)
    commit_payout(payout, book)
    if not offered:  # a commit that pays nothing records no run (issue 12)
        assert payout.run_id is None
        assert active_keys(location) == before
        return set()
    assert payout.run_id is not None
    # nothing else commits to this ledger: what was computed is what was recorded
    for line, repeat, computed in zip(payout.lines, repeats, shown, strict=True):
        if not repeat:
            assert line.to_json() == computed
            continue
        assert line.status == "refused" and line.amount == 0, line
        [reason] = line.reasons
        assert reason.rule == "already-paid" and payout.run_id in reason.message, line
    recorded = sql(location, SELECT_RUN_LINES, payout.run_id)
    paid = [(line.key, line.amount) for line in payout.lines if line.status == "paid"]
    assert Counter((key, Decimal(amount)) for key, amount in recorded) == Counter(paid)
    [(count, total)] = sql(
        location, "SELECT line_count, total FROM runs WHERE run_id = ?", payout.run_id
    )
    assert (count, Decimal(total)) == (len(paid), payout.total)
    after = active_keys(location)
    assert after == before | set(offered)
    return set(offered)


def check_ledger_runs(first: FuzzSheet, second: FuzzSheet, folder: Path) -> None:
    """Commit, void and commit again a first sheet, then a later sheet against that ledger."""
    first_path = first.write(folder / "第一期 fuzz.xlsx")
    second_path = second.write(folder / "第二期 fuzz.xlsx")
    location = folder / "台账.sqlite3"
    with SqliteLedger(location) as book:
        # the first sheet, against an empty ledger; voided and committed again it pays the same
        run = run_in_process(first, first_path, book)
        check_outcomes(first, *run)
        payout, first_run = run[3], None
        if payout is not None and payout.count("paid"):
            shown = payout.to_json()
            keys = commit_and_check(payout, book)
            assert payout.run_id is not None
            book.void(payout.run_id, "花名册有误，重新上报")
            assert active_keys(location) == set()
            again = run_in_process(first, first_path, book)
            check_outcomes(first, *again)
            assert again[3] is not None and again[3].to_json() == shown
            assert commit_and_check(again[3], book) == keys
            first_run = again[3].run_id

        # a later sheet: validate and subsidy agree with the ledger's lines as findings, and
        # nothing the first run paid is paid again
        run = run_in_process(second, second_path, book)
        check_outcomes(second, *run)
        later = run[3]
        if later is None:
            return
        paid_before = book.paid([line.key for line in later.lines])
        for line in later.lines:
            if line.key in paid_before:
                assert line.status == "refused", line
                assert "already-paid" in {reason.rule for reason in line.reasons}, line
        refused = sum(line.key in paid_before for line in later.lines)
        event(f"later sheet: {'some' if refused else 'no'} lines refused as paid before")
        commit_and_check(later, book)
        if first_run is None:
            return

        # the first run voided: only what it stood in the way of is paid now
        book.void(first_run, "重复上报")
        assert active_keys(location) == {k for (k,) in sql(location, SELECT_RUN_KEYS, later.run_id)}
        run = run_in_process(second, second_path, book)
        check_outcomes(second, *run)
        freed = run[3]
        assert freed is not None
        for old, new in zip(later.lines, freed.lines, strict=True):
            assert (old.row, old.tranche, old.key) == (new.row, new.tranche, new.key)
            if new.status == "paid" and old.status != "paid":
                assert old.status == "refused", (old, new)
                assert all(
                    reason.rule in ("already-paid", "no-repeat") and first_run in reason.message
                    for reason in old.reasons
                ), (old, new)
        freed_keys = commit_and_check(freed, book)
        event(f"void: {'some' if freed_keys else 'no'} lines paid again")


@pytest.mark.parametrize("combo", PAYING_COMBOS, ids=str)
@LEDGER_RUNS
@given(data=st.data())
def test_ledger_runs_never_crash_agree_and_never_pay_twice(
    combo: Combo, data: st.DataObject
) -> None:
    """Sheets against a ledger of earlier runs: agreement, and a key active once through voids."""
    first = data.draw(fuzz_sheets(combo), label="first")
    second = data.draw(later_sheets(first), label="second")
    with tempfile.TemporaryDirectory(prefix="skillpolicy-fuzz-") as folder:
        try:
            check_ledger_runs(first, second, Path(folder))
        except BaseException:
            print(f"first:\n{first.describe()}\nsecond:\n{second.describe()}")
            raise


# --------------------------------------------------------------------------- --kind mismatched

ALL_KINDS: tuple[SheetKind, ...] = get_args(SheetKind)


@st.composite
def misread_sheets(draw: st.DrawFn) -> FuzzSheet:
    """A sheet of one kind given as another (``--kind``), to its own program or any other."""
    combo = draw(st.sampled_from(COMBOS))
    sheet = draw(fuzz_sheets(combo))
    kind = draw(st.sampled_from([k for k in ALL_KINDS if k != combo.kind]))
    program_id = combo.program_id if draw(st.booleans()) else draw(st.sampled_from(PROGRAM_IDS))
    return replace(sheet, combo=Combo(program_id, kind), kind_option=kind, origin=combo)


def check_misread(sheet: FuzzSheet, path: Path) -> tuple[Outcome, Outcome]:
    """Refused in one line, or read as the kind given and then checked like any sheet."""
    validated, paid, report, payout = run_in_process(sheet, path)
    combo = sheet.combo
    if combo.kind not in combo.program.sheets:  # a kind the program does not have
        assert validated.exit_code == paid.exit_code == 2, (validated, paid)
    event(f"--kind given: {'read as ' + combo.kind if report else 'refused'}")
    if report is not None:
        # only a sheet that has the given kind's key headers is read as it (a roster has a
        # technician sheet's; a levy or designation sheet has an application's)
        assert report.layout.kind == combo.kind, report.layout.kind
    return check_outcomes(sheet, validated, paid, report, payout)


@MISREAD
@given(sheet=misread_sheets())
def test_a_sheet_given_another_kind_is_refused_or_read_as_that_kind(sheet: FuzzSheet) -> None:
    """--kind naming another kind, or one the program lacks: only SkillpolicyError escapes."""
    _check_with_report(sheet, lambda path: check_misread(sheet, path))


@pytest.mark.slow
@MISREAD_CLI
@given(sheet=misread_sheets())
def test_cli_refuses_a_sheet_given_another_kind_in_one_line(sheet: FuzzSheet) -> None:
    """--kind naming another kind through the real CLI: exit 2 in one line or the library's JSON."""

    def check(path: Path) -> None:
        assert_cli_says_what_the_library_says(check_misread(sheet, path), run_cli(sheet, path))

    _check_with_report(sheet, check)


# --------------------------------------------------------------------------- hostile text (issue 14)

HOSTILE_CLI = settings(IN_PROCESS, max_examples=max(_LONG_EXAMPLES // 20, 1) if _LONG else 1)


@st.composite
def hostile_sheets(draw: st.DrawFn, combo: Combo) -> FuzzSheet:
    """A fuzz sheet whose every named column holds markup or control characters in some
    row (each column a different hostile text, cycling)."""
    sheet = draw(fuzz_sheets(combo))
    named = [position for position, column in enumerate(sheet.columns) if column is not None]
    if not sheet.rows:
        sheet.rows.append([None] * len(sheet.columns))
    start = draw(st.integers(0, len(HOSTILE_TEXT) - 1))
    for offset, position in enumerate(named):
        row = sheet.rows[draw(st.integers(0, len(sheet.rows) - 1))]
        while len(row) <= position:
            row.append(None)
        row[position] = HOSTILE_TEXT[(start + offset) % len(HOSTILE_TEXT)]
    return sheet


@pytest.mark.slow
@pytest.mark.parametrize("combo", COMBOS, ids=str)
@HOSTILE_CLI
@given(data=st.data())
def test_markup_and_control_characters_in_every_text_column(
    combo: Combo, data: st.DataObject
) -> None:
    """Markup and control characters in every column of every sheet kind: the CLI prints the
    library's result (no MarkupError, no exit 3) and the table shows no raw escape or bidi
    control."""
    sheet = data.draw(hostile_sheets(combo), label="sheet")

    def check(path: Path) -> None:
        assert_cli_says_what_the_library_says(
            check_sheet(sheet, path, as_cli(path)), run_cli(sheet, path)
        )
        options = ["--program", combo.program_id, "--params", str(PARAMS_FILE)]
        if sheet.kind_option:
            options += ["--kind", sheet.kind_option]
        table = subprocess.run(
            [skillpolicy_script(), "validate", str(path), *options],
            cwd=path.parent,
            env=cli_env(),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            check=False,
        )
        assert table.returncode in (0, 1, 2), table.stderr
        assert "内部错误" not in table.stderr and "Traceback" not in table.stderr
        printed = table.stdout + table.stderr
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", printed)

    _check_with_report(sheet, check)


def _widened(text: str, mask: list[bool]) -> str:
    """``text`` with the digits ``mask`` picks written full-width (as an input method types)."""
    chars = list(text)
    digits = [i for i, ch in enumerate(chars) if ch.isdigit()]
    for index, wide in zip(digits, mask, strict=False):
        if wide:
            chars[index] = chr(ord(chars[index]) + 0xFEE0)
    return "".join(chars)


DATE_OPTIONS = ["--as-of", "--published", "--issued"]


@IN_PROCESS
@given(
    day=st.dates(dt.date(1949, 1, 1), dt.date(2099, 12, 31)),
    mask=st.lists(st.booleans(), min_size=8, max_size=8),
    form=st.sampled_from(
        ["{:%Y-%m-%d}", "{0.year}/{0.month}/{0.day}", "{0.year}年{0.month}月{0.day}日"]
    ),
    option=st.sampled_from(DATE_OPTIONS),
)
def test_full_width_digits_in_every_date_option(
    day: dt.date, mask: list[bool], form: str, option: str
) -> None:
    """A date option typed with any mix of full-width digits means the same date."""
    from skillpolicy.cli.common import parse_date_option

    assert parse_date_option(_widened(form.format(day), mask), option) == day


@IN_PROCESS
@given(
    year=st.integers(1000, 9999),
    month=st.integers(0, 13),
    mask=st.lists(st.booleans(), min_size=6, max_size=6),
    dash=st.sampled_from(["-", "－"]),
)
def test_full_width_digits_in_the_month_option(
    year: int, month: int, mask: list[bool], dash: str
) -> None:
    """--month in full-width digits is the same month; outside 2000–2099 or 1–12 it is
    refused (it once ran without end)."""
    from skillpolicy.domain.errors import InputError
    from skillpolicy.report.model import parse_month

    text = _widened(f"{year}{dash}{month:02d}", mask)
    if 2000 <= year <= 2099 and 1 <= month <= 12:
        assert parse_month(text) == f"{year}-{month:02d}"
    else:
        with pytest.raises(InputError, match="--month"):
            parse_month(text)
