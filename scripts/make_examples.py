#!/usr/bin/env python3
"""Write the example workbooks in examples/ and the findings planted in each.

Every example is a realistic bureau sheet (a title row above the header, a 序号 column, dates
in a mix of date cells and text forms) in which a few deliberate errors are planted. The
same data structures that plant an error also record it, so the expected findings written to
``tests/examples/<example-stem>.toml`` cannot drift from the rows and columns of the sheet.
Nothing here runs the validator: the expectations say what was planted, and
``tests/test_examples.py`` checks the validator against them.

Deterministic (one fixed seed per example, no network, no clock)::

    python3 scripts/make_examples.py [--examples DIR] [--expected DIR]
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import tomli_w
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from skillpolicy.domain.identifiers import check_credit_code, check_resident_id

ROOT = Path(__file__).resolve().parents[1]
SEED = "skillpolicy-examples-2024"
FIXED_TIME = dt.datetime(2024, 1, 1, 9, 0, 0)

# ----------------------------------------------------------------------------- data model


@dataclass(frozen=True)
class Plant:
    """One deliberate error: the finding it must produce, and what was done, in English."""

    rule: str
    column: str | None  # canonical header, as in the program file
    planted: str
    severity: str = "error"


@dataclass
class Line:
    """One data row: cells keyed by canonical header, and the errors planted in it."""

    cells: dict[str, Any]
    plants: list[Plant] = field(default_factory=list)
    boundaries: list[tuple[str, str]] = field(default_factory=list)  # (column, why it is valid)


@dataclass(frozen=True)
class Pct:
    """到课率 as a number in a percent-formatted cell (0.85 shown as 85%)."""

    ratio: Decimal
    places: int = 0


@dataclass
class Example:
    """A workbook to write: a title, a header row, data rows and the sheet-level plants."""

    file: str
    program: str | None  # None for a name list (no expectations of its own)
    sheet_name: str
    title: str
    subtitle: str | None
    headers: list[tuple[str, str]]  # (canonical header, header as written)
    lines: list[Line]
    sheet_plants: list[Plant] = field(default_factory=list)
    sheet_boundaries: list[tuple[str, str]] = field(default_factory=list)
    footer: str | None = None
    kind: str | None = None  # a kind read only with --kind (its headers look like another's)

    @property
    def header_row(self) -> int:
        return 2 + (1 if self.subtitle else 0)

    def row_of(self, index: int) -> int:
        return self.header_row + 1 + index

    def expected(self) -> dict[str, Any]:
        order = {canonical: i for i, (canonical, _) in enumerate(self.headers)}
        findings: list[dict[str, Any]] = []
        for index, line in enumerate(self.lines):
            for plant in sorted(line.plants, key=lambda p: (order.get(p.column or "", 99), p.rule)):
                findings.append(
                    {
                        "row": self.row_of(index),
                        "column": plant.column,
                        "rule": plant.rule,
                        "severity": plant.severity,
                        "planted": plant.planted,
                    }
                )
        for plant in self.sheet_plants:
            findings.append(
                {
                    "column": plant.column,
                    "rule": plant.rule,
                    "severity": plant.severity,
                    "planted": plant.planted,
                }
            )
        for finding in findings:
            if finding["column"] is None:
                del finding["column"]
        boundaries: list[dict[str, Any]] = [
            {"row": self.row_of(index), "column": column, "valid": why}
            for index, line in enumerate(self.lines)
            for column, why in line.boundaries
        ]
        boundaries += [{"column": column, "valid": why} for column, why in self.sheet_boundaries]
        expected: dict[str, Any] = {"example": self.file, "program": self.program}
        if self.kind:
            expected["kind"] = self.kind
        return expected | {"finding": findings, "boundary": boundaries}


def headers(*names: str, written: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(canonical, written) pairs; ``written`` gives the aliases a real sheet used."""
    written = written or {}
    return [(name, written.get(name, name)) for name in names]


# ------------------------------------------------------------------ dates and periods


def add_months(start: dt.date, months: int) -> dt.date:
    index = start.year * 12 + start.month - 1 + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(start.day, last))


def add_years(start: dt.date, years: int) -> dt.date:
    return add_months(start, 12 * years)


DATE_FORMS = ("cell", "iso", "slash", "chinese")


def date_as(day: dt.date, form: str) -> dt.date | str:
    """A date as a real date cell or as one of the text forms clerks type."""
    if form == "cell":
        return day
    if form == "iso":
        return day.isoformat()
    if form == "slash":
        return f"{day.year}/{day.month}/{day.day}"
    if form == "chinese":
        return f"{day.year}年{day.month}月{day.day}日"
    raise ValueError(form)


# ------------------------------------------------------------------ identifiers


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def id_check_char(first17: str) -> str:
    """GB 11643-1999 check character, computed here from the standard's formula."""
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def resident_id(area: str, birth: dt.date, sequence: int) -> str:
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    number = first17 + id_check_char(first17)
    assert check_resident_id(number).ok, number
    return number


def with_wrong_check(number: str) -> tuple[str, str]:
    """The number with its check character replaced by another one."""
    right = number[17]
    wrong = ID_CHECK[(ID_CHECK.index(right) + 3) % 11]
    return number[:17] + wrong, f"check digit changed from {right} to {wrong}"


def org_check_char(body: str) -> str:
    """GB 11714 organisation-code check character."""
    c = 11 - sum(int(ch, 36) * w for ch, w in zip(body, ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def credit_code(prefix: str, area: str, body: str) -> str:
    """GB 32100-2015 unified social credit code: both check characters computed."""
    first17 = prefix + area + body + org_check_char(body)
    total = sum(USCC_CHARS.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    code = first17 + USCC_CHARS[(31 - total % 31) % 31]
    assert check_credit_code(code).ok, code
    return code


def org_body(rng: random.Random) -> str:
    """Eight characters of an organisation code: old all-digit ones or newer MA… ones."""
    if rng.random() < 0.5:
        return "MA" + "".join(
            rng.choice(USCC_CHARS[:10] + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(6)
        )
    return "".join(rng.choice("0123456789") for _ in range(8))


# ------------------------------------------------------------------ people


def words(text: str) -> list[str]:
    return text.split()


SURNAMES = {
    "guangxi": "韦黄覃梁陆蒙莫农李陈刘廖罗卢潘谢林周吴张王邓赵唐蓝甘苏钟何朱",
    "fujian": "陈林黄郑吴王张李刘蔡许杨游詹翁庄洪苏曾叶施邱",
    "henan": "王李张刘陈杨赵郭孙马朱许胡高周吕宋韩郑冯徐魏梁史娄",
    "shanxi": "王李张赵郭刘杨陈牛申常秦段原靳焦",
}
MALE = words(
    "建华 志强 海涛 国庆 永明 晓东 俊杰 伟 强 军 磊 勇 斌 鹏 杰 浩 宇 振华 文斌 家乐 德明 立新 "
    "春生 光辉 宏伟 明亮 学军 少华 健 涛 锋 超 凯 金龙 世杰 庆华 红兵 建国 忠 毅 荣 福生 "
    "志明 国栋 永强 新民 跃进"
)
FEMALE = words(
    "秀英 丽 芳 敏 静 燕 玲 桂兰 丽华 春梅 小红 慧 婷 雪梅 海燕 凤英 晓丽 美玲 艳 霞 娟 "
    "桂芳 丽娟 秋菊 玉兰 彩霞 佳 琳 倩 雅婷 月娥 春燕 淑珍 红梅 素芬 冬梅 金凤 爱华"
)
MOBILE_PREFIXES = words(
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 158 159 180 182 186 187 188 189"
)


@dataclass(frozen=True)
class Person:
    name: str
    sex: str
    id: str
    birth: dt.date
    phone: str


class People:
    """Plausible people with valid identity numbers, unique within one sheet."""

    def __init__(self, rng: random.Random, region: str, areas: list[str]) -> None:
        self.rng = rng
        self.surnames = SURNAMES[region]
        self.areas = areas
        self.names: set[str] = set()
        self.ids: set[str] = set()

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def __call__(
        self,
        reference: dt.date,
        *,
        sex: str | None = None,
        ages: tuple[int, int] = (20, 55),
        area: str | None = None,
    ) -> Person:
        rng = self.rng
        sex = sex or rng.choice("男男女")
        while True:
            given = rng.choice(MALE if sex == "男" else FEMALE)
            name = rng.choice(self.surnames) + given
            if name not in self.names:
                break
        self.names.add(name)
        low, high = ages
        # born after reference - (high + 1) years and on or before reference - low years
        earliest = add_years(reference, -(high + 1)) + dt.timedelta(days=1)
        latest = add_years(reference, -low)
        birth = earliest + dt.timedelta(days=rng.randrange((latest - earliest).days + 1))
        while True:
            sequence = rng.randrange(1, 1000)
            if (sequence % 2 == 1) != (sex == "男"):
                sequence = sequence + 1 if sequence < 999 else sequence - 1
            number = resident_id(area or rng.choice(self.areas), birth, sequence)
            if number not in self.ids:
                break
        self.ids.add(number)
        return Person(name, sex, number, birth, self.mobile())


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


# ------------------------------------------------------------------ writing workbooks

THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
DATE_FORMATS = ("yyyy-mm-dd", "yyyy/m/d", 'yyyy"年"m"月"d"日"')
WIDE = {"身份证号": 21, "统一社会信用代码": 21, "单位名称": 30, "所在企业": 28, "培训机构": 28}
WIDE_TEXT = ("通信地址", "申报优势说明", "备注", "主体资格", "人员类别", "培训类别")


def write_example(example: Example, path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.properties.creator = "skillpolicy scripts/make_examples.py"
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    sheet = workbook.active
    assert sheet is not None
    sheet.title = example.sheet_name
    width = len(example.headers)
    last = get_column_letter(width)

    sheet["A1"] = example.title
    sheet["A1"].font = Font(name="宋体", size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(f"A1:{last}1")
    sheet.row_dimensions[1].height = 32
    if example.subtitle:
        sheet["A2"] = example.subtitle
        sheet["A2"].font = Font(name="宋体", size=11)
        sheet.merge_cells(f"A2:{last}2")

    top = example.header_row
    for col, (canonical, written) in enumerate(example.headers, start=1):
        cell = sheet.cell(top, col, written)
        cell.font = Font(name="宋体", bold=True)
        cell.fill = HEADER_FILL
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        letter = get_column_letter(col)
        if canonical in WIDE:
            sheet.column_dimensions[letter].width = WIDE[canonical]
        elif canonical in WIDE_TEXT:
            sheet.column_dimensions[letter].width = 24
        elif canonical == "序号":
            sheet.column_dimensions[letter].width = 6
        else:
            sheet.column_dimensions[letter].width = max(10, 2.2 * len(written) + 2)
    sheet.row_dimensions[top].height = 30

    for index, line in enumerate(example.lines):
        row = example.row_of(index)
        for col, (canonical, _) in enumerate(example.headers, start=1):
            value = index + 1 if canonical == "序号" else line.cells.get(canonical)
            cell = sheet.cell(row, col)
            cell.border = BOX
            cell.font = Font(name="宋体", size=11)
            if value is None or value == "":
                continue
            if isinstance(value, Pct):
                cell.value = float(value.ratio)
                cell.number_format = "0%" if value.places == 0 else "0." + "0" * value.places + "%"
            elif isinstance(value, dt.date):
                cell.value = value
                cell.number_format = DATE_FORMATS[(row + col) % len(DATE_FORMATS)]
            else:
                cell.value = value
                if isinstance(value, str) and value.isdigit():
                    cell.number_format = "@"  # long digit strings stay text, as clerks set them
    if example.footer:
        row = example.row_of(len(example.lines)) + 1
        sheet.cell(row, 1, example.footer).font = Font(name="宋体", size=11)
        sheet.merge_cells(f"A{row}:{last}{row}")

    sheet.freeze_panes = sheet.cell(top + 1, 1)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = f"{top}:{top}"
    workbook.save(path)


def name_list(file: str, title: str, columns: list[str], rows: list[list[str]]) -> Example:
    """A published list of units: a title row and a 单位名称 column."""
    return Example(
        file=file,
        program=None,
        sheet_name="名单",
        title=title,
        subtitle=None,
        headers=headers("序号", *columns),
        lines=[Line(dict(zip(columns, row, strict=True))) for row in rows],
    )


# ------------------------------------------------------------------ shared helpers


def rotate(rng: random.Random) -> Callable[[dt.date], dt.date | str]:
    """A date writer that picks one of the four forms at random for each cell."""
    return lambda day: date_as(day, rng.choice(DATE_FORMS))


def landline(rng: random.Random, area: str, length: int = 7) -> str:
    return f"{area}-{rng.randint(2, 8)}{digits(rng, length - 1)}"


def yes(rng: random.Random) -> str:
    return rng.choice(["是", "是", "是", "有", "√"])


def apply(line: Line, rule: str, column: str | None, planted: str, severity: str = "error") -> None:
    """Record a plant on a row whose cells were already changed."""
    line.plants.append(Plant(rule, column, planted, severity))


def valid(line: Line, column: str, why: str) -> None:
    """Record a value that sits on a rule's boundary (or looks odd) and must not be flagged."""
    line.boundaries.append((column, why))


def with_digit_dropped(code: str) -> tuple[str, str]:
    return code[:9] + code[
        10:
    ], f"one character of the credit code dropped (17 characters, {code[9]} at position 10)"


def with_letter_o(code: str) -> tuple[str, str]:
    position = code.index("0", 2)
    return code[:position] + "O" + code[
        position + 1 :
    ], f"digit 0 at position {position + 1} typed as the letter O"


def with_wrong_final(code: str) -> tuple[str, str]:
    right = code[17]
    wrong = USCC_CHARS[(USCC_CHARS.index(right) + 7) % 31]
    return code[:17] + wrong, f"final check character changed from {right} to {wrong}"


def with_transposition(code: str) -> tuple[str, str]:
    for i in range(8, 15):
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            if not check_credit_code(swapped).ok:
                return (
                    swapped,
                    f"characters {i + 1} and {i + 2} ({code[i]}{code[i + 1]}) transposed",
                )
    raise AssertionError(code)


# ============================================================ guangxi-2012-technician

GX_AREAS = [
    "450102",
    "450103",
    "450105",
    "450107",
    "450203",
    "450204",
    "450305",
    "450802",
    "450881",
]
GX_NANNING_FIRMS = [
    "南宁市邕江机电设备有限公司",
    "广西桂中汽车零部件有限公司",
    "南宁市五象精密机械有限公司",
]
GX_LONGCHENG = "柳州市龙城重工机械有限公司"
GX_PHARMA = "广西北部湾制药股份有限公司"
GX_CITY_OF = {GX_LONGCHENG: "柳州市", GX_PHARMA: "北海市"}


def guangxi_2012_roster() -> Example:
    rng = random.Random(f"{SEED}:guangxi-2012-technician")
    people = People(rng, "guangxi", GX_AREAS)
    when = rotate(rng)
    d = dt.date
    # institution, occupation, form, 开班日期, 结业日期, employers, what each trainee applies for
    classes = [
        ("广西桂南技师学院", "数控车工", "脱产", d(2012, 9, 17), d(2012, 12, 14), GX_NANNING_FIRMS, ["技师"] * 9),
        ("广西桂南技师学院", "维修电工", "半脱产", d(2012, 9, 24), d(2012, 12, 21),
         [*GX_NANNING_FIRMS, GX_LONGCHENG], ["技师"] * 7),
        (GX_LONGCHENG, "焊工", "半脱产", d(2012, 10, 8), d(2013, 1, 18), [GX_LONGCHENG], ["技师"] * 8),
        (GX_PHARMA, "药物制剂工", "脱产", d(2012, 10, 15), d(2012, 12, 28), [GX_PHARMA],
         ["高级技师", "技师", "高级技师", "技师", "高级技师", "技师"]),
    ]  # fmt: skip
    lines: list[Line] = []
    by_class: list[list[Line]] = []
    for class_no, (institution, occupation, form, start, end, employers, targets) in enumerate(
        classes
    ):
        start_cell = when(start)  # a class's dates are typed once and copied down
        end_cell = when(end)
        members = []
        for target in targets:
            person = people(dt.date(2012, 8, 31), ages=(27, 52))
            if target == "技师":
                current = rng.choice(["高级工", "高级工", "高级工", "三级", "高级工（三级）"])
                applied, years = rng.choice(["技师", "技师", "二级"]), 3
            else:
                current = rng.choice(["技师", "技师", "二级"])
                applied, years = rng.choice(["高级技师", "高级技师", "一级"]), 2
            obtained = add_years(start, -rng.randint(years, years + 6)) - dt.timedelta(
                days=rng.randrange(1, 330)
            )
            assert add_years(obtained, years) <= start
            employer = rng.choice(employers)
            if class_no < 2:
                outcome: str | None = "合格"
            elif class_no == 2:
                outcome = None  # the 焊工 class has not been appraised yet: pending
            else:
                outcome = rng.choice(["合格", "合格", None])
            line = Line(
                {
                    "姓名": person.name,
                    "性别": person.sex,
                    "身份证号": person.id,
                    "联系电话": person.phone,
                    "所在企业": employer,
                    "所在地": GX_CITY_OF.get(employer, "南宁市"),
                    "职业(工种)": occupation,
                    "现等级": current,
                    "取证日期": when(obtained),
                    "申报等级": applied,
                    "培训机构": institution,
                    "培训形式": form,
                    "开班日期": start_cell,
                    "结业日期": end_cell,
                    "鉴定结果": outcome,
                    "证书编号": f"12450{digits(rng, 11)}" if outcome == "合格" else None,
                }
            )
            members.append(line)
            lines.append(line)
        by_class.append(members)

    example = Example(
        file="guangxi-2012-technician.xlsx",
        program="guangxi-2012-technician",
        sheet_name="培养对象花名册",
        title="2012年广西急需紧缺职业（工种）技师、高级技师培养对象花名册",
        subtitle="填报单位（盖章）：广西壮族自治区职业技能鉴定指导中心　　　　填报日期：2013年3月18日",
        headers=headers(
            *words(
                "序号 姓名 性别 身份证号 联系电话 所在企业 所在地 职业(工种) 现等级 "
                "取证日期 申报等级 培训机构 培训形式 开班日期 结业日期 鉴定结果 证书编号"
            ),
            written={
                "身份证号": "身份证号码",
                "所在企业": "工作单位",
                "职业(工种)": "职业（工种）",
                "现等级": "现职业资格等级",
            },
        ),
        lines=lines,
        footer="填表人：韦秀兰　　联系电话：0771-5870650　　审核人：黄志强",
    )

    # identity: a wrong check digit
    line = by_class[0][2]
    line.cells["身份证号"], how = with_wrong_check(line.cells["身份证号"])
    apply(line, "identity", "身份证号", how)
    # identity: 性别 disagrees with the number's 17th digit
    line = by_class[1][1]
    right = line.cells["性别"]
    line.cells["性别"] = "女" if right == "男" else "男"
    apply(
        line, "identity", "性别", f"性别 written {line.cells['性别']}, the 17th digit says {right}"
    )
    # occupation-in-catalog: a near miss of 数控车工
    line = by_class[0][5]
    line.cells["职业(工种)"] = "数控车床工"
    apply(
        line, "occupation-in-catalog", "职业(工种)", "数控车床工 typed for 数控车工 (not in 附件1)"
    )
    # training-form: 全脱产 is not one of this program's forms (脱产, 半脱产)
    line = by_class[0][4]
    line.cells["培训形式"] = "全脱产"
    apply(line, "training-form", "培训形式", "培训形式 全脱产 in a 脱产 class")
    # certified: failed the appraisal; the class's last row is 未鉴定 (pending: no finding)
    line = by_class[0][7]
    line.cells.update({"鉴定结果": "不合格", "证书编号": None})
    apply(line, "certified", "鉴定结果", "鉴定结果 不合格")
    by_class[0][8].cells.update({"鉴定结果": "未鉴定", "证书编号": None})
    valid(by_class[0][8], "鉴定结果", "未鉴定 is pending, not a failure")
    valid(by_class[2][0], "鉴定结果", "blank: the 焊工 class is not appraised yet (pending)")
    # level-tenure: 高级工 held 2 years 11 months by 开班日期 (the next row: exactly 3 years, valid)
    start = classes[1][3]
    line = by_class[1][3]
    line.cells.update(
        {"现等级": "高级工", "申报等级": "技师", "取证日期": when(add_months(start, -35))}
    )
    apply(
        line,
        "level-tenure",
        "取证日期",
        f"高级工 obtained {add_months(start, -35)}: 2 years 11 months before 开班日期 {start}",
    )
    by_class[1][4].cells.update(
        {
            "现等级": "高级工",
            "申报等级": "技师",
            "取证日期": date_as(add_years(start, -3), "chinese"),
        }
    )
    valid(
        by_class[1][4],
        "取证日期",
        f"高级工 obtained {add_years(start, -3)}: exactly 3 years by {start}",
    )
    # level-tenure: 技师 held 1 year 10 months, applying for 高级技师
    start = classes[3][3]
    line = by_class[3][0]
    line.cells.update(
        {"现等级": "技师", "申报等级": "高级技师", "取证日期": when(add_months(start, -22))}
    )
    apply(
        line,
        "level-tenure",
        "取证日期",
        f"技师 obtained {add_months(start, -22)}: 1 year 10 months before 开班日期 {start}, applies for 高级技师",
    )
    # duplicate-person: a 龙城重工 worker of the 维修电工 class enrolled again in the 焊工 class
    first = next(x for x in by_class[1] if x.cells["所在企业"] == GX_LONGCHENG and not x.plants)
    line = by_class[2][6]
    for key in ("姓名", "性别", "身份证号", "联系电话", "现等级", "取证日期", "申报等级"):
        line.cells[key] = first.cells[key]
    apply(
        line,
        "duplicate-person",
        "身份证号",
        f"the trainee of row {example.row_of(lines.index(first))} enrolled again in the 焊工 class",
    )
    return example


def guangxi_2012_application() -> Example:
    rng = random.Random(f"{SEED}:guangxi-2012-technician-application")
    people = People(rng, "guangxi", GX_AREAS)
    units = [
        # name, 行业主管部门, area code, address, 邮编, 主体资格, 申报日期, [(培训职业, 培训人数, 优势)]
        ("广西桂南技师学院", "广西壮族自治区人力资源和社会保障厅", "0771", "南宁市西乡塘区大学东路118号",
         "530007", "技师学院、国家重点技工学校、自治区高技能人才培养示范基地", date_as(dt.date(2012, 8, 31), "cell"),
         [("数控车工", 40, "国家级数控技能大师工作室，数控设备120台套"),
          ("维修电工", 35, "自治区维修电工实训基地，近三年培养技师86名"),
          ("数控机床装调维修工", 20, "与区内机床企业共建装调维修实训车间")]),
        (GX_LONGCHENG, "柳州市工业和信息化委员会", "0772", "柳州市柳南区航鹰大道66号", "545007",
         "企业;国家级高技能人才培养基地", "2012-08-24",
         [("焊工", 30, "企业焊接培训中心，持证焊工400余人"),
          ("装配钳工", "待定", "工程机械总装线，师带徒传统")]),
        (GX_PHARMA, "北海市工业和信息化委员会", "0779", "北海市银海区北部湾东路88号", "536000", "企业",
         "2012/8/29", [("药物制剂工", 15, "GMP认证制剂车间，自治区级企业技术中心")]),
        ("桂林市漓江职业培训学校", "桂林市人力资源和社会保障局", "0773", "桂林市七星区漓江路27号", "541004",
         "民办职业培训学校", "2012年8月30日", [("汽车修理工", 20, "汽车维修实训场地2000平方米")]),
        ("广西贵港甘化糖业有限公司", "贵港市工业和信息化委员会", "0775", "贵港市港北区江北大道199号",
         "537100", "企业", "2012-09-05", [("食糖制造工", 25, "日榨甘蔗8000吨，制糖工艺技能培训体系完善")]),
    ]  # fmt: skip
    lines: list[Line] = []
    by_unit: list[list[Line]] = []
    for name, department, area, address, postcode, qualification, submitted, rows in units:
        head, contact = people(dt.date(2012, 8, 31), ages=(40, 55)), people(dt.date(2012, 8, 31))
        unit = {
            "单位名称": name,
            "行业主管部门": department,
            "单位负责人": head.name,
            "联系电话": landline(rng, area),
            "手机": head.phone,
            "单位联系人": contact.name,
            "联系人电话": landline(rng, area),
            "联系人手机": contact.phone,
            "通信地址": address,
            "邮编": postcode,
            "主体资格": qualification,
            "申报日期": submitted,
        }
        members = []
        for occupation, count, advantage in rows:
            line = Line(
                {**unit, "培训职业": occupation, "培训人数": count, "申报优势说明": advantage}
            )
            members.append(line)
            lines.append(line)
        by_unit.append(members)
    example = Example(
        file="guangxi-2012-technician-application.xlsx",
        program="guangxi-2012-technician",
        sheet_name="附件2",
        title="附件2　2012年急需紧缺职业（工种）技师、高级技师培训计划申报表",
        subtitle="报送单位：各设区市人力资源和社会保障局（汇总）　　　　截止日期：2012年8月31日",
        headers=headers(
            *words(
                "序号 单位名称 行业主管部门 单位负责人 联系电话 手机 单位联系人 联系人电话 "
                "联系人手机 通信地址 邮编 主体资格 培训职业 培训人数 申报优势说明 申报日期"
            ),
        ),
        lines=lines,
        footer="注：每个单位每个培训职业填一行；申报表一式五份，并报送电子版。",
    )
    apply(
        by_unit[0][2],
        "occupation-in-catalog",
        "培训职业",
        "培训职业 数控机床装调维修工, not in 附件1 (the catalog has 数控机床安装调试工)",
    )
    apply(by_unit[1][1], "trainee-count", "培训人数", "培训人数 written 待定 instead of a number")
    valid(by_unit[0][0], "申报日期", "submitted on the deadline day 2012-08-31")
    valid(by_unit[1][0], "主体资格", "two qualifications separated by a semicolon")
    line = by_unit[2][0]
    line.cells["邮编"] = "53600"
    apply(line, "contact", "邮编", "邮编 536000 typed with five digits")
    apply(
        by_unit[3][0],
        "applicant-qualification",
        "主体资格",
        "主体资格 民办职业培训学校, not one listed in 附件2",
    )
    line = by_unit[4][0]
    apply(line, "deadline", "申报日期", "submitted 2012-09-05, after the 2012-08-31 deadline")
    line.cells["联系电话"] = line.cells["联系电话"].split("-")[1]
    apply(line, "contact", "联系电话", "landline written without its area code 0775")
    return example


# ============================================================ jincheng-2022-*

JC_WORKSTATION_UNITS = [
    # name, credit-code prefix, division, 单位类型, 邮编, 通信地址
    ("晋城市泽州县兴华煤机制造有限公司", "91", "140525", "企业", "048012", "山西省晋城市泽州县巴公镇装备制造工业园"),
    ("高平市丹河铸造有限公司", "91", "140581", "企业", "048400", "山西省高平市米山镇丹河工业园区8号"),
    ("晋城市金鼎光机电科技有限公司", "91", "140502", "企业", "048000", "山西省晋城市城区凤台东街1688号"),
    ("沁水县沁河煤层气开发有限公司", "91", "140521", "企业", "048200", "山西省晋城市沁水县龙港镇新建街12号"),
    ("晋城市机械工业行业协会", "51", "140500", "行业协会", "048000", "山西省晋城市城区泽州路556号"),
    ("晋城市农业机械化科学研究所", "12", "140500", "科研生产型事业单位", "048000", "山西省晋城市城区中原街199号"),
    ("晋城市公共职业技能实训基地", "12", "140500", "市级以上公共技能实训基地", "048026", "山西省晋城市开发区白马寺路9号"),
    ("晋城市第一技工学校", "12", "140502", "职业院校", "048000", "山西省晋城市城区书院街36号"),
    ("阳城县蟒河生态能源有限公司", "91", "140522", "企业", "048100", "山西省晋城市阳城县凤城镇西环路18号"),
    ("陵川县太行钢结构有限公司", "91", "140524", "企业", "048300", "山西省晋城市陵川县崇文镇工业园区"),
]  # fmt: skip
JC_TRAINING_BASE_UNITS = [
    ("晋城市高级技工学校", "12", "140502", "技工院校", "048000", "山西省晋城市城区红星东街2088号"),
    ("晋城市泽州职业技术学校", "12", "140525", "职业院校", "048012", "山西省晋城市泽州县南村镇职教路1号"),
    ("晋城市兴晋职业技能培训学校", "52", "140502", "职业技能培训机构", "048000", "山西省晋城市城区泽州南路655号"),
    ("沁水县丰源煤业有限公司", "91", "140521", "企业", "048200", "山西省晋城市沁水县郑庄镇"),
    ("高平市公共职业技能实训基地", "12", "140581", "公共职业技能实训基地", "048400", "山西省高平市康乐街106号"),
    ("阳城县晋阳陶瓷有限公司", "91", "140522", "企业", "048100", "山西省晋城市阳城县北留镇陶瓷工业园"),
    ("晋城市太行工程技术研究院", "12", "140500", "科研院所", "048000", "山西省晋城市城区景西路8号"),
    ("陵川县众诚职业技能培训中心", "52", "140524", "职业技能培训机构", "048300", "山西省晋城市陵川县崇文镇府前街"),
    ("晋城市城区巧手家政职业培训学校", "52", "140502", "职业技能培训机构", "048000", "山西省晋城市城区文昌东街22号"),
    ("山西晋城锦华汽车维修有限公司", "91", "140502", "企业(行业)", "048000", "山西省晋城市城区兰花路519号"),
    ("晋城市交通技工学校", "12", "140500", "技工院校", "048000", "山西省晋城市城区西上庄街道"),
    ("泽州县金土地农民职业技能培训学校", "52", "140525", "职业技能培训机构", "048012", "山西省晋城市泽州县高都镇"),
]  # fmt: skip


@dataclass
class Unit:
    name: str
    code: str
    kind: str
    postcode: str
    address: str
    head: Person
    contact: Person
    phone: str


def jincheng_units(rng: random.Random, table: list[tuple[str, ...]]) -> list[Unit]:
    people = People(rng, "shanxi", ["140502", "140521", "140522", "140525", "140581"])
    units = []
    for name, prefix, division, kind, postcode, address in table:
        units.append(
            Unit(
                name=name,
                code=credit_code(prefix, division, org_body(rng)),
                kind=kind,
                postcode=postcode,
                address=address,
                head=people(dt.date(2022, 12, 2), ages=(38, 55)),
                contact=people(dt.date(2022, 12, 2), ages=(24, 50)),
                phone=landline(rng, "0356"),
            )
        )
    return units


def jincheng_application_line(unit: Unit, submitted: dt.date | str) -> Line:
    return Line(
        {
            "单位名称": unit.name,
            "统一社会信用代码": unit.code,
            "单位类型": unit.kind,
            "单位负责人": unit.head.name,
            "联系电话": unit.phone,
            "手机": unit.contact.phone,
            "单位联系人": unit.contact.name,
            "通信地址": unit.address,
            "邮编": unit.postcode,
            "申报日期": submitted,
        }
    )


def submission_dates(rng: random.Random, count: int) -> list[dt.date | str]:
    when = rotate(rng)
    return [when(dt.date(2022, 12, rng.randint(5, 8))) for _ in range(count)]


def jincheng_workstation() -> Example:
    rng = random.Random(f"{SEED}:jincheng-2022-workstation")
    units = jincheng_units(
        random.Random(f"{SEED}:jincheng-workstation-units"), JC_WORKSTATION_UNITS
    )
    lines = []
    for unit, submitted in zip(units[:8], submission_dates(rng, 8), strict=True):
        line = jincheng_application_line(unit, submitted)
        line.cells.update(
            {
                "技师及高级技师人数": rng.randint(5, 18),
                "培养评价激励制度": yes(rng),
                "师带徒计划": yes(rng),
                "校企或院所合作": yes(rng),
                "资金场地保障": yes(rng),
                "先进设施设备": yes(rng),
            }
        )
        lines.append(line)
    example = Example(
        file="jincheng-2022-workstation.xlsx",
        program="jincheng-2022-workstation",
        sheet_name="技师工作站申报汇总",
        title="2022年晋城市市级技师工作站申报汇总表",
        subtitle="填报单位：晋城市人力资源和社会保障局职业能力建设科　　　　截止日期：2022年12月8日",
        headers=headers(
            *words(
                "序号 单位名称 统一社会信用代码 单位类型 单位负责人 联系电话 手机 "
                "单位联系人 通信地址 邮编 申报日期 技师及高级技师人数 培养评价激励制度 "
                "师带徒计划 校企或院所合作 资金场地保障 先进设施设备"
            ),
        ),
        lines=lines,
        footer="注：申报材料一式三份，同时报送电子版。",
    )
    line = lines[0]
    line.cells.update(
        {"申报日期": date_as(dt.date(2022, 12, 8), "chinese"), "校企或院所合作": "无"}
    )
    apply(line, "research-cooperation", "校企或院所合作", "校企或院所合作 无")
    valid(line, "申报日期", "submitted on the deadline day 2022-12-08")
    line = lines[1]
    line.cells["统一社会信用代码"], how = with_wrong_final(line.cells["统一社会信用代码"])
    apply(line, "credit-code", "统一社会信用代码", how)
    line = lines[2]
    line.cells["技师及高级技师人数"] = 2
    apply(
        line,
        "masters-count",
        "技师及高级技师人数",
        "2 technicians and senior technicians (at least 3)",
    )
    lines[3].cells["技师及高级技师人数"] = 3
    valid(lines[3], "技师及高级技师人数", "exactly 3 technicians and senior technicians")
    line = lines[4]
    line.cells["手机"] = line.cells["手机"][:10]
    apply(line, "contact", "手机", "手机 with ten digits (last digit dropped)")
    line = lines[5]
    line.cells["师带徒计划"] = "否"
    apply(line, "training-system", "师带徒计划", "师带徒计划 否")
    line = lines[6]
    line.cells["申报日期"] = "2022/12/9"
    apply(line, "deadline", "申报日期", "submitted 2022-12-09, a day after the 2022-12-08 deadline")
    apply(
        lines[7],
        "applicant-type",
        "单位类型",
        "单位类型 职业院校, not a workstation applicant type",
    )
    return example


def designation(
    file: str,
    program: str,
    title: str,
    units: list[Unit],
    designated: list[bool],
    acceptance: list[str | None],
    rng: random.Random,
) -> Example:
    lines = []
    scores = sorted((round(rng.uniform(70, 95), 1) for _ in units), reverse=True)
    ranked = [i for i, d in enumerate(designated) if d] + [
        i for i, d in enumerate(designated) if not d
    ]
    score_of = {i: scores[rank] for rank, i in enumerate(ranked)}
    for i, unit in enumerate(units):
        lines.append(
            Line(
                {
                    "单位名称": unit.name,
                    "统一社会信用代码": unit.code,
                    "评审得分": score_of[i],
                    "是否授牌": "是" if designated[i] else "否",
                    "验收结果": acceptance[i],
                }
            )
        )
    return Example(
        file=file,
        program=program,
        sheet_name="评审授牌情况",
        title=title,
        subtitle="公示期：2023年1月9日至2023年1月13日（5个工作日）　　授牌日期：2023年1月20日",
        headers=headers("序号", "单位名称", "统一社会信用代码", "评审得分", "是否授牌", "验收结果"),
        lines=lines,
    )


def jincheng_workstation_designation() -> Example:
    rng = random.Random(f"{SEED}:jincheng-2022-workstation-designation")
    units = jincheng_units(
        random.Random(f"{SEED}:jincheng-workstation-units"), JC_WORKSTATION_UNITS
    )
    chosen = [units[i] for i in (0, 1, 2, 3, 4, 5, 6, 8, 9)]
    designated = [True, True, False, True, True, True, False, True, False]
    acceptance: list[str | None] = ["合格", "不合格", None, "合格", None, "合格", None, None, None]
    example = designation(
        "jincheng-2022-workstation-designation.xlsx",
        "jincheng-2022-workstation",
        "2022年晋城市市级技师工作站评审授牌及验收情况表",
        chosen,
        designated,
        acceptance,
        rng,
    )
    line = example.lines[2]
    line.cells["验收结果"] = "合格"
    apply(line, "acceptance", "验收结果", "验收结果 合格 for a unit that was not designated")
    line = example.lines[7]
    line.cells["验收结果"] = "待验收"
    apply(line, "acceptance", "验收结果", "验收结果 待验收 instead of a blank cell")
    valid(
        example.lines[1],
        "验收结果",
        "不合格 for a designated unit: no second tranche, not a finding",
    )
    valid(example.lines[3], "验收结果", "合格 for a designated unit")
    valid(example.lines[6], "验收结果", "blank for a unit not designated")
    line = example.lines[4]
    line.cells["统一社会信用代码"], how = with_letter_o(line.cells["统一社会信用代码"])
    apply(line, "credit-code", "统一社会信用代码", how)
    return example


JC_SCORE_EXTRA_UNITS = [
    ("晋城市宏圣建筑工程有限公司", "91", "140502", "企业", "048000", "山西省晋城市城区泽州南路1188号"),
    ("高平市泫氏铸业有限公司", "91", "140581", "企业", "048400", "山西省高平市河西镇工业园区"),
]  # fmt: skip
JC_EXPERTS = ("李建国", "王淑芬", "赵志强", "陈立新", "刘红梅")


def jincheng_workstation_scores() -> Example:
    """Five experts score twelve units (三、3); four kinds of scoring error are planted."""
    rng = random.Random(f"{SEED}:jincheng-2022-workstation-scores")
    units = jincheng_units(
        random.Random(f"{SEED}:jincheng-workstation-units"), JC_WORKSTATION_UNITS
    ) + jincheng_units(random.Random(f"{SEED}:jincheng-score-units"), JC_SCORE_EXTRA_UNITS)
    lines: list[Line] = []
    first_line: dict[int, Line] = {}
    for number, unit in enumerate(units):
        level = rng.randint(66, 90)
        for expert in JC_EXPERTS:
            if number == 7 and expert == "刘红梅":
                continue  # a unit one expert never scored
            material = min(60, max(30, round(level * 0.6) + rng.randint(-4, 4)))
            defence = min(40, max(20, round(level * 0.4) + rng.randint(-3, 3)))
            line = Line(
                {
                    "单位名称": unit.name,
                    "统一社会信用代码": unit.code,
                    "专家": expert,
                    "资料审查得分": material,
                    "答辩得分": defence,
                    "评分": material + defence,
                    "回避专家": "陈立新" if number == 9 else None,
                }
            )
            first_line.setdefault(number, line)
            lines.append(line)
            if number == 2 and expert == "王淑芬":
                again = Line(dict(line.cells))
                again.cells["评分"] = line.cells["评分"] + 2
                apply(again, "duplicate-score", "专家", "王淑芬 scores the same unit a second time")
                lines.append(again)
    top = lines[0]
    top.cells.update({"资料审查得分": 60, "答辩得分": 40, "评分": 100})
    valid(top, "评分", "100, the top of the score range")
    out_of_range = lines[4 * 5 + 1 + 2]  # the fifth unit (after the duplicate row), 赵志强
    out_of_range.cells.update({"资料审查得分": 62, "答辩得分": 43, "评分": 105})
    apply(out_of_range, "score-range", "评分", "评分 105 above the 100-point range")
    apply(
        first_line[7], "minimum-experts", "专家", "刘红梅 never scored the eighth unit: 4 experts"
    )
    conflicted = next(
        line for line in lines if line.cells["回避专家"] and line.cells["专家"] == "陈立新"
    )
    apply(
        conflicted, "expert-conflict", "专家", "陈立新 scores the unit that lists him as 回避专家"
    )
    apply(first_line[9], "minimum-experts", "专家", "陈立新 is conflicted: only 4 experts count")
    return Example(
        file="jincheng-2022-workstation-scores.xlsx",
        program="jincheng-2022-workstation",
        sheet_name="专家评分",
        title="2022年晋城市市级技师工作站专家评审评分汇总表",
        subtitle="评审日期：2022年12月20日　　评审方式：资料审查、组织答辩（资料审查60分，答辩40分）",
        headers=headers(
            "序号",
            "单位名称",
            "统一社会信用代码",
            "专家",
            "资料审查得分",
            "答辩得分",
            "评分",
            "回避专家",
        ),
        lines=lines,
    )


def jincheng_training_base() -> Example:
    rng = random.Random(f"{SEED}:jincheng-2022-training-base")
    units = jincheng_units(
        random.Random(f"{SEED}:jincheng-training-base-units"), JC_TRAINING_BASE_UNITS
    )
    lines = []
    for unit, submitted in zip(units[:8], submission_dates(rng, 8), strict=True):
        line = jincheng_application_line(unit, submitted)
        college = unit.kind in ("职业院校", "技工院校", "职业技能培训机构")
        scale = rng.choice([rng.randint(320, 900), f"{rng.randint(4, 30) * 100}人"])
        line.cells.update(
            {
                "管理制度": yes(rng),
                "无违规记录": yes(rng),
                "紧缺专业实训装备数": rng.randint(2, 9),
                "年培训人数": scale,
                "合作企业数": rng.randint(3, 15) if college else None,
                "共建专业数": rng.randint(3, 8) if college else None,
                "师资队伍": yes(rng),
            }
        )
        lines.append(line)
    example = Example(
        file="jincheng-2022-training-base.xlsx",
        program="jincheng-2022-training-base",
        sheet_name="培养基地申报汇总",
        title="2022年晋城市市级技能人才培养基地申报汇总表",
        subtitle="填报单位：晋城市人力资源和社会保障局职业能力建设科　　　　截止日期：2022年12月8日",
        headers=headers(
            *words(
                "序号 单位名称 统一社会信用代码 单位类型 单位负责人 联系电话 手机 "
                "单位联系人 通信地址 邮编 申报日期 管理制度 无违规记录 紧缺专业实训装备数 "
                "年培训人数 合作企业数 共建专业数 师资队伍"
            ),
        ),
        lines=lines,
        footer="注：职业院校（含技工院校）、职业技能培训机构须填写合作企业数和共建专业数。",
    )
    line = lines[0]
    line.cells["统一社会信用代码"], how = with_transposition(line.cells["统一社会信用代码"])
    apply(line, "credit-code", "统一社会信用代码", how)
    line = lines[1]
    line.cells["合作企业数"] = 1
    apply(line, "partners", "合作企业数", "a 职业院校 with 1 partner enterprise (at least 2)")
    line = lines[2]
    line.cells.update({"合作企业数": 2, "共建专业数": 3})
    valid(line, "合作企业数", "a 职业技能培训机构 with exactly 2 partner enterprises")
    valid(line, "共建专业数", "exactly 3 co-developed specialities")
    line.cells["申报日期"] = date_as(dt.date(2022, 12, 10), "chinese")
    apply(line, "deadline", "申报日期", "submitted 2022-12-10, after the 2022-12-08 deadline")
    line = lines[3]
    line.cells["紧缺专业实训装备数"] = 1
    apply(
        line,
        "shortage-equipment",
        "紧缺专业实训装备数",
        "1 set of shortage-speciality equipment (at least 2)",
    )
    line = lines[4]
    line.cells["年培训人数"] = 299
    apply(line, "annual-scale", "年培训人数", "annual training 299 (at least 300)")
    lines[5].cells["年培训人数"] = "300人"
    valid(lines[5], "年培训人数", "exactly 300 a year, written 300人")
    lines[5].cells["合作企业数"] = 0
    valid(lines[5], "合作企业数", "0 partners for an enterprise: the partners rule does not apply")
    apply(
        lines[6],
        "applicant-type",
        "单位类型",
        "单位类型 科研院所, not a training-base applicant type",
    )
    line = lines[7]
    line.cells["无违规记录"] = "否"
    apply(line, "management", "无违规记录", "无违规记录 否 (a violation on record)")
    return example


def jincheng_training_base_designation() -> Example:
    rng = random.Random(f"{SEED}:jincheng-2022-training-base-designation")
    units = jincheng_units(
        random.Random(f"{SEED}:jincheng-training-base-units"), JC_TRAINING_BASE_UNITS
    )
    designated = [True] * 11 + [False]
    acceptance: list[str | None] = [
        "合格", "合格", None, "不合格", "合格", None, "合格", "合格", None, "不合格", "合格", None,
    ]  # fmt: skip
    order = [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 6]  # the 科研院所 was not designated
    example = designation(
        "jincheng-2022-training-base-designation.xlsx",
        "jincheng-2022-training-base",
        "2022年晋城市市级技能人才培养基地评审授牌及验收情况表",
        [units[i] for i in order],
        designated,
        acceptance,
        rng,
    )
    example.sheet_plants.append(
        Plant("quota", "是否授牌", "11 units designated, over the quota of 10")
    )
    # designated units hold the top scores in sheet order, so the 11th has the lowest of them
    apply(
        example.lines[10], "quota", "是否授牌", "the 11th-ranked designated unit, beyond the quota"
    )
    line = example.lines[11]
    line.cells["验收结果"] = "不合格"
    apply(line, "acceptance", "验收结果", "验收结果 不合格 for a unit that was not designated")
    valid(example.lines[2], "验收结果", "blank for a designated unit: acceptance pending")
    line = example.lines[5]
    line.cells["统一社会信用代码"], how = with_digit_dropped(line.cells["统一社会信用代码"])
    apply(line, "credit-code", "统一社会信用代码", how)
    return example


# ============================================================ guangxi-2019-lifelong

GX19_DIRECTORY = [
    ("南宁市邕州职业培训学校", "民办职业培训学校", "南宁市"),
    ("广西桂南技师学院", "技工院校", "南宁市"),
    ("柳州市鱼峰区巧手家政职业培训学校", "民办职业培训学校", "柳州市"),
    ("桂林市漓江职业培训学校", "民办职业培训学校", "桂林市"),
    ("柳州市龙城重工机械有限公司职工培训中心", "企业培训中心", "柳州市"),
    ("贵港市速成职业技能培训中心", "民办职业培训学校", "贵港市"),
    ("南宁市青秀区金钥匙职业培训学校", "民办职业培训学校", "南宁市"),
    ("玉林市玉州区华宇职业培训学校", "民办职业培训学校", "玉林市"),
    ("梧州市岭南职业技能培训学校", "民办职业培训学校", "梧州市"),
    ("广西城建技工学校", "技工院校", "南宁市"),
]
GX19_BLACKLIST = [
    ("贵港市速成职业技能培训中心", "2018年12月", "虚报培训人数套取补贴资金"),
    ("南宁市宏图职业技能培训学校", "2018年6月", "伪造学员签到记录"),
]


def guangxi_2019_roster() -> Example:
    rng = random.Random(f"{SEED}:guangxi-2019-lifelong")
    people = People(rng, "guangxi", GX_AREAS)
    when = rotate(rng)
    d = dt.date
    firm = "广西桂中汽车零部件有限公司"
    classes = [
        # institution, 培训类型, 职业(工种), 现等级, 申报等级, start, end, size, 人员类别 choices, city, employer
        ("南宁市邕州职业培训学校", "就业技能培训", "电工", None, "初级工", d(2019, 5, 13), d(2019, 6, 21), 8,
         ["离校未就业高校毕业生", "失业人员", "农村转移就业劳动者", "贫困家庭劳动力"], "南宁市", None),
        ("广西桂南技师学院", "岗位技能提升培训", "汽车修理工", "初级工", "中级工", d(2019, 9, 2), d(2020, 1, 10), 8,
         ["企业职工"], "南宁市", firm),
        ("柳州市鱼峰区巧手家政职业培训学校", "就业技能培训", "家政服务员", None, "初级工", d(2019, 6, 10),
         d(2019, 7, 5), 7, ["贫困家庭劳动力", "易地扶贫搬迁家庭劳动力", "农村转移就业劳动者"], "柳州市", None),
        ("桂林市漓江职业培训学校", "创业创新培训", None, None, None, d(2019, 7, 15), d(2019, 7, 26), 4,
         ["离校未就业高校毕业生", "退役军人", "失业人员"], "桂林市", None),
        ("柳州市龙城重工机械有限公司职工培训中心", "岗位技能提升培训", "焊工", "中级工", "高级工", d(2019, 8, 5),
         d(2019, 10, 25), 3, ["企业职工", None], "柳州市", GX_LONGCHENG),
        ("贵港市速成职业技能培训中心", "就业技能培训", "育婴员", None, "初级工", d(2019, 4, 22), d(2019, 5, 17), 1,
         ["农村转移就业劳动者"], "贵港市", None),
    ]  # fmt: skip
    lines: list[Line] = []
    by_class: list[list[Line]] = []
    for (
        institution,
        kind,
        occupation,
        current,
        applied,
        start,
        end,
        size,
        groups,
        city,
        employer,
    ) in classes:
        start_cell, end_cell = when(start), when(end)
        members = []
        for _ in range(size):
            sex = "女" if occupation in ("家政服务员", "育婴员") else None
            group = rng.choice(groups)
            if group == "离校未就业高校毕业生":
                ages = (21, 25)
            elif kind == "岗位技能提升培训" and current == "初级工":  # apprentices
                ages = (20, 26)
            else:
                ages = (20, 50)
            person = people(start, sex=sex, ages=ages)
            outcome = rng.choice(["合格", "合格", "合格", None]) if end < d(2019, 11, 1) else None
            cells: dict[str, Any] = {
                "姓名": person.name,
                "性别": person.sex,
                "身份证号": person.id,
                "联系电话": person.phone,
                "人员类别": group,
                "培训类型": kind,
                "职业(工种)": occupation,
                "现等级": current,
                "申报等级": applied,
                "培训机构": institution,
                "所在企业": employer,
                "所在地": city,
                "开班日期": start_cell,
                "结业日期": end_cell,
                "鉴定结果": outcome if applied else None,
                "证书编号": f"S0000450{digits(rng, 8)}" if outcome == "合格" and applied else None,
            }
            if (
                institution == "广西桂南技师学院"
            ):  # school–enterprise co-training: the new apprenticeship
                cells["劳动合同期限(月)"] = rng.choice([12, 24, 36, 36])
                cells["社保缴纳月数"] = rng.randint(4, 14)
            line = Line(cells)
            members.append(line)
            lines.append(line)
        by_class.append(members)
    example = Example(
        file="guangxi-2019-lifelong.xlsx",
        program="guangxi-2019-lifelong",
        sheet_name="补贴培训花名册",
        title="2019年职业技能培训补贴人员花名册",
        subtitle="填报单位：南宁市、柳州市、桂林市、贵港市人力资源和社会保障局（汇总）　　　　填报日期：2020年1月15日",
        headers=headers(
            *words(
                "序号 姓名 性别 身份证号 联系电话 人员类别 培训类型 职业(工种) 现等级 "
                "申报等级 培训机构 所在企业 所在地 开班日期 结业日期 劳动合同期限(月) "
                "社保缴纳月数 鉴定结果 证书编号"
            ),
            written={
                "身份证号": "公民身份号码",
                "联系电话": "手机号码",
                "培训机构": "承训机构",
                "职业(工种)": "职业（工种）",
                "劳动合同期限(月)": "劳动合同期限（月）",
            },
        ),
        lines=lines,
        footer="填表人：覃丽娟　　审核人：陆建国　　（校企合作培养须附劳动合同和社保缴费证明）",
    )
    # identity: a 15-digit legacy number
    line = by_class[0][1]
    old = line.cells["身份证号"]
    line.cells["身份证号"] = old[:6] + old[8:17]
    apply(
        line,
        "identity",
        "身份证号",
        "15-digit legacy number (the 18-digit one with 19 and the check digit removed)",
    )
    # key-group: not one of the named groups
    line = by_class[0][4]
    line.cells["人员类别"] = "在校学生"
    apply(line, "key-group", "人员类别", "人员类别 在校学生, not one of the named key groups")
    # institution-listed: a near-miss name not in the published directory
    line = by_class[0][6]
    line.cells["培训机构"] = "南宁市邕洲职业培训学校"
    apply(
        line,
        "institution-listed",
        "培训机构",
        "承训机构 南宁市邕洲职业培训学校 (洲 for 州): not in the directory",
    )
    # school-enterprise: contract of 5 months; the next row exactly 6 and 3 months (valid)
    line = by_class[1][2]
    line.cells["劳动合同期限(月)"] = 5
    apply(line, "school-enterprise", "劳动合同期限(月)", "labour contract 5 months (at least 6)")
    by_class[1][3].cells.update({"劳动合同期限(月)": 6, "社保缴纳月数": 3})
    valid(by_class[1][3], "劳动合同期限(月)", "labour contract exactly 6 months")
    valid(by_class[1][3], "社保缴纳月数", "social insurance paid exactly 3 months")
    # training-type: not one of the three types
    line = by_class[2][3]
    line.cells["培训类型"] = "职业技能培训"
    apply(
        line, "training-type", "培训类型", "培训类型 职业技能培训, not one of the three named types"
    )
    # no-seniority-bar: 初级工 applying for 高级工 is a 越级 application, reviewed, not rejected
    line = by_class[4][1]
    line.cells["现等级"] = "初级工"
    apply(
        line, "no-seniority-bar", "申报等级", "现等级 初级工 applying for 高级工 (越级)", "review"
    )
    # institution-listed: an institution on the credit blacklist
    apply(
        by_class[5][0],
        "institution-listed",
        "培训机构",
        "承训机构 贵港市速成职业技能培训中心 is on the credit blacklist",
    )
    # not a duplicate: a trainee of the 电工 class also took the 创业 course (other occupation)
    source, line = by_class[0][0], by_class[3][1]
    for key in ("姓名", "性别", "身份证号", "联系电话"):
        line.cells[key] = source.cells[key]
    line.cells["人员类别"] = "离校未就业高校毕业生"
    valid(
        line, "身份证号", f"row {example.row_of(lines.index(source))}'s trainee, in another course"
    )
    blank_group = next(x for x in by_class[4] if x.cells["人员类别"] is None and not x.plants)
    valid(blank_group, "人员类别", "blank 人员类别 is allowed")
    return example


def guangxi_directory() -> Example:
    return name_list(
        "guangxi-institution-directory.xlsx",
        "广西壮族自治区职业技能培训机构目录（2019年公布）",
        ["单位名称", "机构类型", "所在地"],
        [list(row) for row in GX19_DIRECTORY],
    )


def guangxi_blacklist() -> Example:
    return name_list(
        "guangxi-credit-blacklist.xlsx",
        "广西职业技能培训机构信用黑名单",
        ["单位名称", "列入时间", "列入原因"],
        [list(row) for row in GX19_BLACKLIST],
    )


# ============================================================ fujian-2013-free-training

FJ_KEY_ENTERPRISES = [
    ("福州闽江重工机械有限公司", "福州市", "省百家重点工业企业"),
    ("福建榕城电子科技有限公司", "福州市", "信息产业重点企业"),
    ("泉州市鲤城纺织机械有限公司", "泉州市", "本市重点工业企业"),
    ("南安市石井阀门制造有限公司", "泉州市", "省百家重点工业企业"),
    ("晋江市安海鞋业有限公司", "泉州市", "本市重点工业企业"),
    ("漳州市九龙江电器有限公司", "漳州市", "省百家重点工业企业"),
    ("龙海市港尾船舶修造有限公司", "漳州市", "本市重点工业企业"),
    ("诏安县东山湾食品有限公司", "漳州市", "本市重点工业企业"),
    ("厦门海沧船舶修造有限公司", "厦门市", "省百家重点工业企业"),
    ("三明市沙溪钢铁有限公司", "三明市", "省百家重点工业企业"),
    ("南平市武夷纸业有限公司", "南平市", "本市重点工业企业"),
]
FJ_BARRED = [
    ("泉州市速达职业培训学校", "泉州市", "2012年7月", "闽人社〔2012〕补贴核查通报"),
    ("福州市捷成职业技能培训学校", "福州市", "2011年11月", "闽人社〔2011〕补贴核查通报"),
    ("莆田市兴化职业培训中心", "莆田市", "2012年3月", "闽人社〔2012〕补贴核查通报"),
]


def fujian_roster() -> Example:
    rng = random.Random(f"{SEED}:fujian-2013-free-training")
    people = People(rng, "fujian", ["350102"])
    when = rotate(rng)
    d = dt.date
    areas = {
        "福州市": ["350102", "350104", "350111", "350121"],
        "泉州市": ["350503", "350582", "350583"],
        "漳州市": ["350602", "350624", "350681"],
        "厦门市": ["350203", "350206"],
    }
    classes = [
        # city, institution, 本地院校, occupation, form, start, end, size, employers
        ("福州市", "福州市榕城技工学校", "是", "维修电工", "全脱产", d(2013, 3, 11), d(2013, 6, 7), 7,
         ["福州闽江重工机械有限公司", "福建榕城电子科技有限公司"]),
        ("福州市", "福建闽都职业培训学校", "否", "电子设备装接工", "半脱产", d(2013, 3, 18), d(2013, 9, 17), 5,
         ["福建榕城电子科技有限公司"]),
        ("泉州市", "泉州市刺桐技工学校", "是", "数控车工", "全脱产", d(2013, 3, 4), d(2013, 6, 3), 7,
         ["泉州市鲤城纺织机械有限公司", "南安市石井阀门制造有限公司"]),
        ("泉州市", "泉州市海丝职业培训学校", "否", "制鞋工", "半脱产", d(2013, 4, 1), d(2013, 10, 1), 2,
         ["晋江市安海鞋业有限公司"]),
        ("泉州市", "泉州市速达职业培训学校", "否", "缝纫工", "全脱产", d(2013, 4, 8), d(2013, 6, 28), 1,
         ["晋江市安海鞋业有限公司"]),
        ("漳州市", "漳州市九龙江技工学校", "是", "焊工", "全脱产", d(2013, 3, 25), d(2013, 6, 21), 6,
         ["漳州市九龙江电器有限公司", "龙海市港尾船舶修造有限公司"]),
        ("漳州市", "漳州市芗城区新起点职业培训学校", "否", "食品检验工", "全脱产", d(2013, 4, 8), d(2013, 6, 28), 1,
         ["诏安县东山湾食品有限公司"]),
        ("厦门市", "厦门市集美区海西职业培训学校", "否", "焊工", "全脱产", d(2013, 3, 25), d(2013, 6, 21), 1,
         ["厦门海沧船舶修造有限公司"]),
    ]  # fmt: skip
    lines: list[Line] = []
    by_class: list[list[Line]] = []
    for city, institution, local, occupation, form, start, end, size, employers in classes:
        start_cell, end_cell = when(start), when(end)
        members = []
        for _ in range(size):
            sex = (
                "女" if occupation in ("制鞋工", "缝纫工", "电子设备装接工", "食品检验工") else None
            )
            person = people(start, sex=sex, ages=(20, 45), area=rng.choice(areas[city]))
            line = Line(
                {
                    "姓名": person.name,
                    "性别": person.sex,
                    "身份证号": person.id,
                    "联系电话": person.phone,
                    "所在企业": rng.choice(employers),
                    "所在地": city,
                    "职业(工种)": occupation,
                    "培训机构": institution,
                    "本地院校": local,
                    "培训形式": form,
                    "开班日期": start_cell,
                    "结业日期": end_cell,
                    "鉴定结果": rng.choice(["合格", "合格", "合格", None])
                    if end < d(2013, 7, 1)
                    else None,
                }
            )
            members.append(line)
            lines.append(line)
        by_class.append(members)
    example = Example(
        file="fujian-2013-free-training.xlsx",
        program="fujian-2013-free-training",
        sheet_name="免费培训花名册",
        title="2013年企业紧缺技术工种免费技能培训学员花名册",
        subtitle="填报单位：福建省人力资源和社会保障厅职业能力建设处（汇总）　　　　填报日期：2013年4月20日",
        headers=headers(
            *words(
                "序号 姓名 性别 身份证号 联系电话 所在企业 所在地 职业(工种) 培训机构 "
                "本地院校 培训形式 开班日期 结业日期 鉴定结果"
            ),
        ),
        lines=lines,
        footer="注：本地院校指所在设区市所属院校；培训时间全脱产不超过3个月，半脱产不超过6个月。",
    )
    # identity: a birth date that does not exist (30 February), with a correct check digit
    line = by_class[0][1]
    first17 = line.cells["身份证号"][:6] + "19870230" + line.cells["身份证号"][14:17]
    line.cells["身份证号"] = first17 + id_check_char(first17)
    apply(
        line, "identity", "身份证号", "birth date 1987-02-30 in the number (check digit recomputed)"
    )
    # duplicate-person: the same worker entered twice for the same occupation
    line, first = by_class[0][5], by_class[0][2]
    for key in ("姓名", "性别", "身份证号", "联系电话", "所在企业"):
        line.cells[key] = first.cells[key]
    apply(
        line,
        "duplicate-person",
        "身份证号",
        f"row {example.row_of(lines.index(first))} entered again for the same occupation",
    )
    # not a duplicate: a 榕城电子 worker in the 维修电工 class also in the 电子设备装接工 class
    source = next(
        x
        for x in by_class[0]
        if x.cells["所在企业"] == "福建榕城电子科技有限公司" and not x.plants and x is not first
    )
    for key in ("姓名", "性别", "身份证号", "联系电话"):
        by_class[1][3].cells[key] = source.cells[key]
    valid(
        by_class[1][3],
        "身份证号",
        f"row {example.row_of(lines.index(source))}'s worker, in another occupation",
    )
    valid(by_class[1][0], "结业日期", "半脱产 2013-03-18 to 2013-09-17: exactly six months")
    valid(by_class[2][0], "结业日期", "全脱产 2013-03-04 to 2013-06-03: exactly three months")
    # key-enterprise: an employer not on the list
    line = by_class[2][4]
    line.cells["所在企业"] = "泉州市丰泽区永兴五金加工厂"
    apply(
        line,
        "key-enterprise",
        "所在企业",
        "所在企业 泉州市丰泽区永兴五金加工厂, not on the key-enterprise list",
    )
    # duration: 半脱产 from 2013-04-01 to 2013-10-01 is 6 months and a day (福州's class ends exactly in time)
    for line in by_class[3]:
        apply(
            line,
            "duration",
            "结业日期",
            "半脱产 course 2013-04-01 to 2013-10-01: six months and one day",
        )
    # institution-not-barred
    apply(
        by_class[4][0],
        "institution-not-barred",
        "培训机构",
        "培训机构 泉州市速达职业培训学校 is on the barred list",
    )
    # not-xiamen
    apply(by_class[7][0], "not-xiamen", "所在地", "a trainee from 厦门市")
    # outside-share: 漳州 has 1 of 7 outside its own schools; 泉州 has exactly 3 of 10 (valid)
    shares = Counter((x.cells["所在地"], x.cells["本地院校"]) for x in lines)
    assert (shares["漳州市", "否"], shares["漳州市", "是"]) == (1, 6)
    assert (shares["泉州市", "否"], shares["泉州市", "是"]) == (3, 7)
    assert shares["福州市", "否"] * 10 >= 3 * (shares["福州市", "否"] + shares["福州市", "是"])
    example.sheet_boundaries.append(("本地院校", "泉州市: exactly 3 of 10 outside (30%)"))
    example.sheet_plants.append(
        Plant(
            "outside-share",
            "本地院校",
            "漳州市: 1 of 7 trainees outside the city's own schools (14%)",
            "warning",
        )
    )
    return example


def fujian_plans() -> Example:
    """Three cities' training plans (二), as the province receives them on one sheet."""
    # (设区市, 企业名称, 行业, 职业(工种), 计划人数, 承训机构, 本地院校, 报送日期)
    rows: list[tuple[Any, ...]] = [
        ("福州市", "福州闽江重工机械有限公司", "装备制造", "数控车工", 40, "福建省机电技师学院", "是", dt.date(2013, 2, 20)),
        ("福州市", "福州闽江重工机械有限公司", "装备制造", "焊工", 10, "福州市高级技工学校", "是", dt.date(2013, 2, 20)),
        ("福州市", "福建榕城电子科技有限公司", "电子信息", "电子装接工", 30, "省电子信息培训中心", "否", dt.date(2013, 2, 20)),
        ("福州市", "福州鑫达物流仓储有限公司", "现代物流", "仓储管理员", 20, "福州市高级技工学校", "是", dt.date(2013, 2, 20)),
        ("泉州市", "泉州市鲤城纺织机械有限公司", "纺织机械", "机修钳工", 50, "泉州市高级技工学校", "是", dt.date(2013, 2, 28)),
        ("泉州市", "南安市石井阀门制造有限公司", "阀门制造", "铸造工", 40, "南安市职业技术学校", "是", dt.date(2013, 2, 28)),
        ("泉州市", "晋江市安海鞋业有限公司", "制鞋", "制鞋工", 30, "福建省轻工业职业培训中心", "否", dt.date(2013, 2, 28)),
        ("漳州市", "漳州市九龙江电器有限公司", "电器制造", "维修电工", 35, "漳州市职业技术学校", "是", dt.date(2013, 3, 5)),
        ("漳州市", "龙海市港尾船舶修造有限公司", "船舶修造", "电焊工", "0", "漳州船舶培训中心", "否", dt.date(2013, 3, 5)),
        ("漳州市", "诏安县东山湾食品有限公司", "食品加工", "西式面点师", 25, "漳州市烹饪职业培训学校", "否", dt.date(2013, 3, 5)),
    ]  # fmt: skip
    columns = (
        "设区市",
        "企业名称",
        "行业",
        "职业(工种)",
        "计划人数",
        "承训机构",
        "本地院校",
        "报送日期",
    )
    lines = [Line(dict(zip(columns, row, strict=True))) for row in rows]
    apply(lines[3], "plan-enterprise", "企业名称", "an enterprise not on the key-enterprise list")
    valid(lines[2], "本地院校", "福州市 plans 30 of 100 outside its own schools: exactly 30%")
    valid(lines[4], "报送日期", "2013-02-28, the last day of February")
    for line in lines[7:]:
        apply(line, "plan-deadline", "报送日期", "漳州市 reports on 2013-03-05, after February")
    apply(lines[8], "plan-count", "计划人数", "计划人数 0")
    example = Example(
        file="fujian-2013-free-training-plans.xlsx",
        program="fujian-2013-free-training",
        sheet_name="培训计划汇总",
        title="2013年企业紧缺技术工种免费技能培训计划（福州市、泉州市、漳州市）",
        subtitle="各设区市人社部门汇总，于2月底前报省人社厅",
        headers=headers("序号", *columns),
        lines=lines,
    )
    example.sheet_plants.append(
        Plant(
            "plan-outside-share",
            "本地院校",
            "泉州市 plans 30 of 120 outside its own schools (25%)",
            "warning",
        )
    )
    return example


def fujian_key_enterprises() -> Example:
    return name_list(
        "fujian-key-enterprises.xlsx",
        "2013年企业紧缺技术工种免费技能培训重点企业名单",
        ["单位名称", "所在地", "名单类别"],
        [list(row) for row in FJ_KEY_ENTERPRISES],
    )


def fujian_barred_institutions() -> Example:
    return name_list(
        "fujian-barred-institutions.xlsx",
        "因弄虚作假被永久取消政府补助培训资格的承训机构名单",
        ["单位名称", "所在地", "取消时间", "通报文件"],
        [list(row) for row in FJ_BARRED],
    )


# ============================================================ xuchang-2013-revitalization


def xuchang_roster() -> Example:
    rng = random.Random(f"{SEED}:xuchang-2013-revitalization")
    people = People(rng, "henan", ["411002"])
    d = dt.date
    county = {
        "411002": "魏都区",
        "411023": "许昌县",
        "411024": "鄢陵县",
        "411025": "襄城县",
        "411081": "禹州市",
        "411082": "长葛市",
    }
    rural = "农村转移就业劳动者"
    classes = [
        # institution, occupation, 培训类别, 培训类型, groups, level, approved, start, end, inspections, size,
        # areas, sex, ages
        ("许昌市魏都区华夏职业培训学校", "电焊工", "农村劳动力培训", "就业技能培训", [rural], "初级工",
         d(2013, 8, 26), d(2013, 9, 2), d(2013, 10, 11), 3, 8, ["411002", "411023"], None, (20, 50)),
        ("禹州市钧都职业技能培训学校", "中式面点师", "下岗失业人员培训", "就业技能培训", ["城镇登记失业人员"],
         "初级工", d(2013, 9, 3), d(2013, 9, 9), d(2013, 10, 18), 2, 5, ["411081"], None, (25, 50)),
        ("长葛市巾帼家政服务培训学校", "家政服务员", "妇女技能培训", "就业技能培训", [rural], "初级工",
         d(2013, 9, 18), d(2013, 9, 16), d(2013, 10, 25), 4, 4, ["411082"], "女", (25, 50)),
        ("许昌市就业训练中心", "创业培训（SYB）", "创业培训", "创业培训", ["毕业年度高校毕业生", "城镇登记失业人员"],
         None, d(2013, 9, 10), d(2013, 9, 23), d(2013, 10, 4), 3, 6, ["411002", "411023"], None, (21, 45)),
        ("襄城县紫云职业培训学校", "维修电工", "“阳光工程”培训", "就业技能培训", [rural], "初级工",
         d(2013, 9, 22), d(2013, 9, 25), d(2013, 11, 8), 3, 6, ["411025"], "男", (20, 45)),
        ("鄢陵县花木职业培训学校", "花卉园艺工", "农村劳动力培训", "就业技能培训", [rural], "初级工",
         d(2013, 10, 8), d(2013, 10, 14), d(2013, 11, 22), 3, 7, ["411024"], None, (25, 55)),
        ("许昌市高新区创业职业培训学校", "电子商务师", "高校毕业生培训", "就业技能培训", ["毕业年度高校毕业生"],
         "四级", d(2013, 10, 9), d(2013, 10, 21), d(2013, 11, 29), 5, 4, ["411002", "411082"], None, (21, 24)),
    ]  # fmt: skip
    lines: list[Line] = []
    by_class: list[list[Line]] = []
    for (institution, occupation, category, kind, groups, level, approved, start, end, inspections,
         size, areas, sex, ages) in classes:  # fmt: skip
        start_cell = date_as(start, rng.choice(DATE_FORMS))  # one form per class: it is copied down
        approved_cell = date_as(approved, rng.choice(DATE_FORMS))
        end_cell = date_as(end, rng.choice(DATE_FORMS))
        members = []
        for _ in range(size):
            group = rng.choice(groups)
            area = rng.choice(areas)
            person = people(
                start, sex=sex, ages=(21, 24) if group == "毕业年度高校毕业生" else ages, area=area
            )
            attendance: Pct | str
            rate = Decimal(rng.randint(72, 100)) / 100
            attendance = Pct(rate) if rng.random() < 0.7 else f"{int(rate * 100)}%"
            outcome = (
                rng.choice(["合格", "合格", "合格", "合格", None])
                if end < d(2013, 11, 15)
                else None
            )
            # 创业培训合格证书 or 职业资格证书 numbers
            number = (
                f"4110002013{digits(rng, 4)}" if kind == "创业培训" else f"13410{digits(rng, 11)}"
            )
            lines.append(
                line := Line(
                    {
                        "姓名": person.name,
                        "性别": person.sex,
                        "身份证号": person.id,
                        "联系电话": person.phone,
                        "人员类别": group,
                        "培训类别": category,
                        "培训类型": kind,
                        "职业(工种)": occupation,
                        "申报等级": level,
                        "培训机构": institution,
                        "所在地": county[person.id[:6]],
                        "开班审批日期": approved_cell,
                        "开班日期": start_cell,
                        "结业日期": end_cell,
                        "到课率": attendance,
                        "抽查次数": inspections,
                        "鉴定结果": outcome,
                        "证书编号": number if outcome == "合格" else None,
                        "补贴领取方式": rng.choice(["本人领取", "本人领取", "委托培训机构"]),
                    }
                )
            )
            members.append(line)
        by_class.append(members)
    example = Example(
        file="xuchang-2013-revitalization.xlsx",
        program="xuchang-2013-revitalization",
        sheet_name="培训补贴花名册",
        title="许昌市技能振兴专项活动职业培训补贴人员花名册（2013年第三批）",
        subtitle="填报单位：许昌市人力资源和社会保障局职业能力建设科　　　　填报日期：2013年12月3日",
        headers=headers(
            *words(
                "序号 姓名 性别 身份证号 联系电话 人员类别 培训类别 培训类型 职业(工种) "
                "申报等级 培训机构 所在地 开班审批日期 开班日期 结业日期 到课率 抽查次数 "
                "鉴定结果 证书编号 补贴领取方式"
            ),
            written={"职业(工种)": "职业（工种）"},
        ),
        lines=lines,
        footer="填表人：郭丽华　　审核人：王建国　　（补贴领取方式为委托培训机构的，补贴拨入培训机构基本账户）",
    )
    welders = by_class[0]
    # attendance: 59.99% (a percent cell with two decimals); another row exactly "60%" text (valid)
    welders[2].cells["到课率"] = Pct(Decimal("0.5999"), 2)
    welders[2].cells.update({"鉴定结果": "合格", "证书编号": f"13410{digits(rng, 11)}"})
    apply(welders[2], "attendance", "到课率", "到课率 59.99% (below 60%)")
    welders[4].cells["到课率"] = "60%"
    valid(welders[4], "到课率", "到课率 exactly 60% (text)")
    valid(welders[4], "鉴定结果", "blank: appraisal pending")
    # certificate: 合格 without a 证书编号
    welders[5].cells.update({"鉴定结果": "合格", "证书编号": None})
    apply(welders[5], "certificate", "证书编号", "鉴定结果 合格 with no 证书编号")
    # inspections: the 中式面点师 class was inspected twice (a warning on each of its rows)
    for line in by_class[1]:
        apply(line, "inspections", "抽查次数", "class inspected 2 times (at least 3)", "warning")
    # class-approved: the 家政服务员 class was approved two days after it started (each row)
    for line in by_class[2]:
        apply(
            line,
            "class-approved",
            "开班审批日期",
            "class approved 2013-09-18, two days after its start 2013-09-16",
        )
    # subsidy-group: an enterprise employee in the 创业培训 class
    line = by_class[3][2]
    line.cells["人员类别"] = "企业职工"
    apply(
        line,
        "subsidy-group",
        "人员类别",
        "人员类别 企业职工, not one of the four subsidised groups",
    )
    # institution-standing: 襄城县紫云 passes 3 of 5 appraised (60%, below 80%); its failures are errors
    electricians = by_class[4]
    outcomes = ["合格", "不合格", "合格", None, "不合格", "合格"]
    for line, outcome in zip(electricians, outcomes, strict=True):
        line.cells.update(
            {
                "鉴定结果": outcome,
                "证书编号": f"13410{digits(rng, 11)}" if outcome == "合格" else None,
            }
        )
        if outcome == "不合格":
            apply(line, "certificate", "鉴定结果", "鉴定结果 不合格")
    example.sheet_plants.append(
        Plant(
            "institution-standing",
            "培训机构",
            "襄城县紫云职业培训学校: 3 of 5 appraised passed (60%)",
            "warning",
        )
    )
    # training-category: the category's old name, not one of the thirteen (a warning: the
    # category decides which department's target the row counts toward, not payment)
    line = by_class[5][3]
    line.cells["培训类别"] = "农村劳动力转移培训"
    apply(
        line,
        "training-category",
        "培训类别",
        "培训类别 农村劳动力转移培训, not one of the 13 categories",
        "warning",
    )
    # every other institution passes at least 80% of those appraised
    for members in by_class:
        results = [x.cells["鉴定结果"] for x in members if x.cells["鉴定结果"]]
        if members is not electricians and results:
            assert results.count("合格") * 5 >= 4 * len(results), members[0].cells["培训机构"]
    return example


XC_AWARD_FIRMS = [
    ("许昌市东城电力装备有限公司", ["维修电工", "变压器装配工", "高低压电器装配工"]),
    ("许昌瑞丰发制品有限公司", ["假发制作工", "化学检验工"]),
    ("长葛市金刚石磨具有限公司", ["磨料磨具制造工", "数控车工"]),
    ("禹州市钧瓷工艺有限公司", ["陶瓷成型工", "陶瓷烧成工"]),
    ("许昌县恒通汽车零部件有限公司", ["焊工", "汽车修理工", "装配钳工"]),
    ("鄢陵县花木园林工程有限公司", ["花卉园艺工", "绿化工"]),
    ("襄城县紫云煤业有限公司", ["矿井维修电工", "采煤机司机"]),
    ("许昌技师学院", ["数控车工", "维修电工"]),
]


def xuchang_awards() -> Example:
    rng = random.Random(f"{SEED}:xuchang-2013-revitalization-awards")
    people = People(rng, "henan", ["411002", "411023", "411024", "411025", "411081", "411082"])
    reference = dt.date(2013, 8, 7)  # the program's reference date: every winner born before it
    entries: list[tuple[str, int]] = [("技术能手", rank) for rank in range(1, 52)]
    entries += [("技能大奖", rank) for rank in range(1, 11)]
    lines: list[Line] = []
    for award, rank in entries:
        person = people(reference, ages=(26, 55) if award == "技术能手" else (38, 58))
        firm, trades = rng.choice(XC_AWARD_FIRMS)
        lines.append(
            Line(
                {
                    "名次": rank,
                    "姓名": person.name,
                    "性别": person.sex,
                    "身份证号": person.id,
                    "奖项": award,
                    "评选年度": rng.choice([2014, "2014"]),
                    "所在企业": firm,
                    "职业(工种)": rng.choice(trades),
                }
            )
        )
    # the city's list is grouped by award and then by enterprise, not by rank
    lines.sort(key=lambda line: (line.cells["奖项"] != "技能大奖", line.cells["所在企业"]))
    by_rank = {(line.cells["奖项"], line.cells["名次"]): line for line in lines}
    example = Example(
        file="xuchang-2013-revitalization-awards.xlsx",
        program="xuchang-2013-revitalization",
        sheet_name="拟表彰人员名单",
        title="2014年度“许昌市技能大奖”“许昌市技术能手”拟表彰人员名单",
        subtitle="许昌市技能振兴专项活动领导小组办公室　　　　公示日期：2014年11月20日至11月26日",
        headers=headers(
            *words("序号 名次 姓名 性别 身份证号 奖项 评选年度 所在企业 职业(工种)"),
            written={"名次": "排序", "职业(工种)": "职业（工种）"},
        ),
        lines=lines,
        footer="注：每两年评选一次；“许昌市技术能手”每次50名，每人奖励3000元；"
        "“许昌市技能大奖”每次10名，每人奖励1万元。",
    )
    # award-quota: the 51st 技术能手 of the 2014 round is one too many
    apply(
        by_rank[("技术能手", 51)],
        "award-quota",
        "名次",
        "技术能手 ranked 51st in 2014 (quota 50)",
    )
    valid(
        by_rank[("技术能手", 50)], "名次", "技术能手 ranked 50th: the last within the quota of 50"
    )
    valid(by_rank[("技能大奖", 10)], "名次", "技能大奖 ranked 10th: exactly the quota of 10")
    # identity: a winner's number typed with a wrong check digit (still counted in the quota)
    line = by_rank[("技术能手", 17)]
    line.cells["身份证号"], how = with_wrong_check(line.cells["身份证号"])
    apply(line, "identity", "身份证号", how)
    # duplicate-person: a 技能大奖 winner listed again further down (counted once in the quota)
    original = by_rank[("技能大奖", 4)]
    again = Line(dict(original.cells) | {"名次": 11})
    last_grand_prize = max(i for i, x in enumerate(lines) if x.cells["奖项"] == "技能大奖")
    assert lines.index(original) < last_grand_prize
    lines.insert(last_grand_prize + 1, again)
    apply(again, "duplicate-person", "身份证号", "技能大奖 rank 4 listed a second time as rank 11")
    # award-kind: an enterprise-level title pasted into the city's list
    stray = people(dt.date(2013, 8, 7), ages=(30, 45))
    extra = Line(
        {
            "名次": None,
            "姓名": stray.name,
            "性别": stray.sex,
            "身份证号": stray.id,
            "奖项": "技术标兵",
            "评选年度": 2014,
            "所在企业": XC_AWARD_FIRMS[0][0],
            "职业(工种)": "维修电工",
        }
    )
    lines.append(extra)
    apply(extra, "award-kind", "奖项", "奖项 技术标兵, an enterprise title, not a city award")
    return example


XC_SHORTAGE_CATALOG = {
    "id": "xuchang-shortage-occupations",
    "title": "许昌市急需紧缺职业（工种）目录（示例）",
    "source": "示例数据，仅供 skillpolicy 演示；以许昌市人力资源和社会保障局发布的目录为准",
    "industries": [
        {"name": "电力装备", "occupations": ["维修电工", "变压器装配工", "高低压电器装配工"]},
        {"name": "机械制造", "occupations": ["焊工", "数控车工", "数控铣工", "加工中心操作工", "装配钳工"]},
        {"name": "汽车及零部件", "occupations": ["汽车修理工", "涂装工"]},
        {"name": "发制品", "occupations": ["假发制作工"]},
    ],
}  # fmt: skip
XC_SHORTAGE_CATALOG_FILE = "xuchang-shortage-occupations.toml"


def shortage_catalog_text() -> str:
    note = (
        "# An illustrative shortage-occupation list for the bundled Xuchang technician example.\n"
        "# Xuchang publishes its own list; a bureau sets shortage_catalog to that list's id\n"
        "# (in --catalog-dir) or to its .toml file. Written by scripts/make_examples.py.\n\n"
    )
    return note + tomli_w.dumps(XC_SHORTAGE_CATALOG)


def xuchang_technicians() -> Example:
    rng = random.Random(f"{SEED}:xuchang-technicians")
    people = People(rng, "henan", ["411002", "411023", "411081", "411082"])
    reference = dt.date(2013, 8, 7)
    cohorts = [
        # institution, occupation, level as written, count
        ("许昌技师学院", "维修电工", "技师", 4),
        ("许昌技师学院", "数控车工", "二级", 3),
        ("许继技工学校", "变压器装配工", "技师", 3),
        ("许继技工学校", "高低压电器装配工", "高级技师", 2),
        ("许昌电气职业学院", "焊工", "技师", 3),
    ]
    lines: list[Line] = []
    for institution, occupation, level, count in cohorts:
        for _ in range(count):
            person = people(reference, ages=(28, 50))
            lines.append(
                Line(
                    {
                        "姓名": person.name,
                        "性别": person.sex,
                        "身份证号": person.id,
                        "联系电话": person.phone,
                        "职业(工种)": occupation,
                        "申报等级": level,
                        "培训机构": institution,
                        "鉴定结果": "合格",
                        "证书编号": f"1441000{digits(rng, 9)}",
                    }
                )
            )
    example = Example(
        file="xuchang-technicians.xlsx",
        program="xuchang-2013-revitalization",
        kind="technician",
        sheet_name="技师培养补贴花名册",
        title="许昌市急需紧缺职业（工种）技师、高级技师培养补贴申请花名册（2014年第一批）",
        subtitle="申报单位：许昌市职业技能鉴定指导中心　　　　填报日期：2014年6月30日",
        headers=headers(
            *words(
                "序号 姓名 性别 身份证号 联系电话 职业(工种) 申报等级 培训机构 鉴定结果 证书编号"
            ),
            written={"职业(工种)": "职业（工种）", "联系电话": "手机"},
        ),
        lines=lines,
        footer="注：政府采取购买培训成果的办法，每培养一名急需紧缺职业（工种）技师、高级技师给予培训机构2000元培训补贴。",
    )
    valid(lines[4], "申报等级", "申报等级 二级, the official name of 技师")
    # shortage-technician: an occupation that is not on the city's shortage list
    lines[1].cells["职业(工种)"] = "中式烹调师"
    apply(lines[1], "shortage-technician", "职业(工种)", "中式烹调师 is not on the shortage list")
    # shortage-technician: a 高级工 is not a technician
    lines[6].cells["申报等级"] = "高级工"
    apply(lines[6], "shortage-technician", "申报等级", "申报等级 高级工 (only 技师 and 高级技师)")
    # certificate: 合格 without a certificate number; 不合格; a blank result is pending
    lines[8].cells["证书编号"] = None
    apply(lines[8], "certificate", "证书编号", "鉴定结果 合格 with no 证书编号")
    lines[10].cells.update({"鉴定结果": "不合格", "证书编号": None})
    apply(lines[10], "certificate", "鉴定结果", "鉴定结果 不合格")
    lines[12].cells.update({"鉴定结果": None, "证书编号": None})
    valid(lines[12], "鉴定结果", "blank: appraisal pending")
    # duplicate-person: a technician claimed twice, by two institutions
    again = Line(dict(lines[0].cells) | {"培训机构": "许昌电气职业学院"})
    lines.append(again)
    apply(
        again,
        "duplicate-person",
        "身份证号",
        "the first 维修电工 技师 claimed again by another institution",
    )
    return example


XC_LEVY_FIRMS = [
    "许昌市东城电力装备有限公司",
    "许昌瑞丰发制品有限公司",
    "长葛市金刚石磨具有限公司",
    "禹州市钧瓷工艺有限公司",
    "许昌县恒通汽车零部件有限公司",
    "鄢陵县花木园林工程有限公司",
    "襄城县紫云煤业有限公司",
    "许昌市魏都区华兴电子元件有限公司",
    "长葛市宏达不锈钢制品有限公司",
    "许昌县豫中食品有限公司",
    "禹州市中原药业有限公司",
    "许昌市建安区鑫源机械有限公司",
]


def xuchang_levy() -> Example:
    rng = random.Random(f"{SEED}:xuchang-2013-revitalization-levy")
    lines: list[Line] = []
    for name in XC_LEVY_FIRMS:
        payroll = Decimal(rng.randint(3_000_000, 60_000_000)) / 100 * 10  # yuan, to the fen
        rate = rng.choice([Pct(Decimal("0.015"), 1), Pct(Decimal("0.02")), "2%", "1.8%", None])
        lines.append(
            Line(
                {
                    "单位名称": name,
                    "统一社会信用代码": credit_code("91", "411000", org_body(rng)),
                    "职工工资总额": f"{payroll:,.2f}" if rng.random() < 0.5 else float(payroll),
                    "提取比例": rate,
                    "规模以上": rng.choice(["是", "是", "是", "否"]),
                    "开展职工培训": rng.choice(["是", "否", "否"]),
                }
            )
        )
    example = Example(
        file="xuchang-2013-revitalization-levy.xlsx",
        program="xuchang-2013-revitalization",
        sheet_name="职工教育经费统计",
        title="2013年度许昌市企业职工教育经费提取情况统计表",
        subtitle="填报单位：许昌市地方税务局　　　　统计年度：2013年",
        headers=headers(
            *words("序号 单位名称 统一社会信用代码 职工工资总额 提取比例 规模以上 开展职工培训"),
            written={"职工工资总额": "职工工资总额（元）", "提取比例": "职工教育经费提取比例"},
        ),
        lines=lines,
        footer="注：自身没有能力开展职工培训和未开展高技能人才培训的规模以上企业，"
        "按应提取职工教育经费的60%统一征收。",
    )
    lines[0].cells.update({"提取比例": "1.5%", "规模以上": "是", "开展职工培训": "否"})
    valid(lines[0], "提取比例", "提取比例 exactly 1.5% (text)")
    lines[1].cells.update({"提取比例": Pct(Decimal("0.025"), 1), "规模以上": "是"})
    valid(lines[1], "提取比例", "提取比例 exactly 2.5% (a percent cell)")
    lines[2].cells.update({"提取比例": None, "规模以上": "是", "开展职工培训": "否"})
    valid(lines[2], "提取比例", "blank: the 1.5% floor applies")
    # not levied, and not findings: an enterprise below scale, one that trains its staff
    lines[3].cells.update({"规模以上": "否", "开展职工培训": "否"})
    lines[5].cells.update({"规模以上": "是", "开展职工培训": "是"})
    # education-fund: rates outside the band
    lines[4].cells["提取比例"] = "2.6%"
    apply(lines[4], "education-fund", "提取比例", "提取比例 2.6% (above 2.5%)")
    lines[6].cells["提取比例"] = Pct(Decimal("0.012"), 1)
    apply(lines[6], "education-fund", "提取比例", "提取比例 1.2% (below 1.5%)")
    # education-fund: no payroll, and an unanswered 规模以上
    lines[8].cells["职工工资总额"] = None
    apply(lines[8], "education-fund", "职工工资总额", "职工工资总额 left blank")
    lines[9].cells["规模以上"] = None
    apply(lines[9], "education-fund", "规模以上", "规模以上 left blank")
    # credit-code: a digit typed as the letter O
    line = lines[10]
    line.cells["统一社会信用代码"], how = with_letter_o(line.cells["统一社会信用代码"])
    apply(line, "credit-code", "统一社会信用代码", how)
    return example


# ============================================================ parameters and main

PARAMS = """\
# Local parameters for the bundled examples (INTERFACE.md "Local parameters").
# Written by scripts/make_examples.py; `skillpolicy demo` and tests/test_examples.py use it.
# The amounts are illustrative: each bureau sets its own.

[guangxi-2012-technician]
# no local parameters: the document itself fixes 1900.00 per certified trainee

[jincheng-2022-workstation]
notice_first_day_counts = true

[jincheng-2022-training-base]
notice_first_day_counts = true

[guangxi-2019-lifelong]
school_enterprise_rate = { "初级工" = "1000.00", "中级工" = "1500.00", "高级工" = "2000.00", "技师" = "3000.00" }
shortage_uplift = "1.20"
institution_directory = "guangxi-institution-directory.xlsx"
credit_blacklist = "guangxi-credit-blacklist.xlsx"

[fujian-2013-free-training]
cost_per_trainee = "600.00"
key_enterprises = "fujian-key-enterprises.xlsx"
barred_institutions = "fujian-barred-institutions.xlsx"

[xuchang-2013-revitalization]
training_subsidy = { "就业技能培训" = "800.00", "创业培训" = "1000.00" }
appraisal_subsidy = "150.00"
shortage_catalog = "xuchang-shortage-occupations.toml"   # an illustrative list; see that file
"""

BUILDERS: tuple[Callable[[], Example], ...] = (
    guangxi_2012_roster,
    guangxi_2012_application,
    jincheng_workstation,
    jincheng_workstation_designation,
    jincheng_workstation_scores,
    jincheng_training_base,
    jincheng_training_base_designation,
    guangxi_2019_roster,
    guangxi_directory,
    guangxi_blacklist,
    fujian_roster,
    fujian_plans,
    fujian_key_enterprises,
    fujian_barred_institutions,
    xuchang_roster,
    xuchang_awards,
    xuchang_technicians,
    xuchang_levy,
)


def build_all() -> list[Example]:
    return [build() for build in BUILDERS]


def expected_text(example: Example) -> str:
    note = (
        f"# Findings planted in examples/{example.file}: exactly these, no others.\n"
        "# Written by scripts/make_examples.py from the rows it plants; do not edit by hand.\n"
        "# row is the worksheet row as Excel shows it; a finding about the whole sheet has none.\n"
        "# boundary: cells that sit on a rule's boundary on purpose and must not be flagged.\n\n"
    )
    return note + tomli_w.dumps(example.expected())


MANIFEST_FILE = "examples.toml"


def manifest_text(examples: list[Example]) -> str:
    """examples/examples.toml: each example sheet's program, and its kind where its headers
    alone would read it as another kind; `skillpolicy demo` runs what it lists."""
    note = (
        "# The bundled example sheets: the program each is checked against, and its sheet kind\n"
        "# where its headers alone would read it as another kind. skillpolicy demo runs these.\n"
        "# Written by scripts/make_examples.py; do not edit by hand.\n\n"
    )
    entries = []
    for example in examples:
        if example.program is None:
            continue  # a name list a parameter points at, not a sheet to check
        entry = {"file": example.file, "program": example.program}
        if example.kind:
            entry["kind"] = example.kind
        entries.append(entry)
    return note + tomli_w.dumps({"example": entries})


def write_all(examples_dir: Path, expected_dir: Path) -> list[Path]:
    examples_dir.mkdir(parents=True, exist_ok=True)
    expected_dir.mkdir(parents=True, exist_ok=True)
    written = []
    examples = build_all()
    manifest = examples_dir / MANIFEST_FILE
    manifest.write_text(manifest_text(examples), encoding="utf-8")
    written.append(manifest)
    for example in examples:
        path = examples_dir / example.file
        write_example(example, path)
        written.append(path)
        if example.program is not None:
            expected = expected_dir / f"{Path(example.file).stem}.toml"
            expected.write_text(expected_text(example), encoding="utf-8")
            written.append(expected)
    params = examples_dir / "skillpolicy.toml"
    params.write_text(PARAMS, encoding="utf-8")
    written.append(params)
    catalog = examples_dir / XC_SHORTAGE_CATALOG_FILE
    catalog.write_text(shortage_catalog_text(), encoding="utf-8")
    written.append(catalog)
    return written


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--examples", type=Path, default=ROOT / "examples", help="where the workbooks go"
    )
    parser.add_argument(
        "--expected",
        type=Path,
        default=ROOT / "tests" / "examples",
        help="where the expected findings go",
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    for path in write_all(args.examples, args.expected):
        print(path)


if __name__ == "__main__":
    main()
