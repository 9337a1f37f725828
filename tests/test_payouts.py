"""The payout schedule (发放花名册) written from a computed Payout, read back with openpyxl."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from skillpolicy.compute.paylines import Payout
from skillpolicy.compute.subsidy import compute_subsidy
from skillpolicy.domain.errors import InputError
from skillpolicy.loading.programfiles import load_program
from skillpolicy.outputs.payouts import safe_sheet_title, write_payout_workbook

ROSTER_HEADER = [
    "姓名",
    "性别",
    "身份证号",
    "职业(工种)",
    "现等级",
    "取证日期",
    "申报等级",
    "培训形式",
    "开班日期",
    "鉴定结果",
    "培训机构",
]
NANNING = "南宁市技师学院"
LIUZHOU = "柳州市高级技工学校"
FORMULA_NAME = '=HYPERLINK("http://example.com/x","点我")'
PAID_IDS = ["450102198003151014", "450103198506201024", "450203197801011013"]
FAILED_ID = "45010219800315213X"
PER_TRAINEE = Decimal("1900.00")
UNIT_A, CODE_A = "晋城市甲机械有限公司", "91140500MA0K12348W"
UNIT_B, CODE_B = "晋城市乙煤机厂", "91140500110012344R"


def _trainee(name: str, sex: str, number: str, result: str | None, school: str) -> list[Any]:
    return [
        name,
        sex,
        number,
        "数控车工",
        "高级工",
        dt.date(2008, 5, 20),
        "技师",
        "脱产",
        dt.date(2012, 9, 10),
        result,
        school,
    ]


@pytest.fixture
def pending_id(resident_id: Callable[[str], str]) -> str:
    """A fifth valid number (男) for the trainee whose 鉴定结果 is still blank."""
    return resident_id("45010219900101003")


@pytest.fixture
def roster(tmp_path: Path, pending_id: str) -> Path:
    """Guangxi roster: Nanning 2 passed; Liuzhou 1 passed, 1 failed, 1 not yet appraised.

    The first name is formula-like text (a text cell, as pasted from a web page or CSV).
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(ROSTER_HEADER)
    sheet.append(_trainee(FORMULA_NAME, "男", PAID_IDS[0], "合格", NANNING))
    sheet["A2"].data_type = "s"  # stored as text, not as a formula
    sheet.append(_trainee("李娟", "女", PAID_IDS[1], "合格", NANNING))
    sheet.append(_trainee("王强", "男", PAID_IDS[2], "合格", LIUZHOU))
    sheet.append(_trainee("赵刚", "男", FAILED_ID, "不合格", LIUZHOU))
    sheet.append(_trainee("陈明", "男", pending_id, None, LIUZHOU))
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    return path


@pytest.fixture
def payout(roster: Path) -> Payout:
    """The roster computed under guangxi-2012-technician (no ledger)."""
    return compute_subsidy(roster, load_program("guangxi-2012-technician"))


def _write(payout: Payout, path: Path, *, full_ids: bool = False) -> Workbook:
    write_payout_workbook(payout, path, full_ids=full_ids)
    return openpyxl.load_workbook(path)


def _cells(workbook: Workbook) -> Iterator[tuple[str, Any]]:
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield sheet.title, cell


def _table(sheet: Worksheet) -> tuple[int, list[str]]:
    """The row number and titles of the table header (the row starting with 序号)."""
    for row in sheet.iter_rows():
        if row[0].value == "序号":
            return row[0].row, [str(c.value) for c in row if c.value is not None]
    raise AssertionError(f"no table header on {sheet.title}")


def _rows(sheet: Worksheet) -> list[dict[str, Any]]:
    """Table rows below the header as {title: value}, up to and including 小计/合计."""
    header_row, titles = _table(sheet)
    rows = []
    for values in sheet.iter_rows(min_row=header_row + 1, values_only=True):
        if all(v is None for v in values):
            break
        rows.append(dict(zip(titles, values, strict=False)))
    return rows


def _money(value: Any) -> Decimal:
    assert isinstance(value, int | float), value
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _subtotal(sheet: Worksheet) -> dict[str, Any]:
    (row,) = [r for r in _rows(sheet) if r["序号"] == "小计"]
    return row


def _label(sheet: Worksheet, label: str) -> Any:
    """The value in the cell right of ``label``."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == label:
                return sheet.cell(row=cell.row, column=cell.column + 1).value
    raise AssertionError(f"{label} not on {sheet.title}")


def test_one_sheet_per_institution_plus_summary_and_pending(payout: Payout, tmp_path: Path) -> None:
    """Sheets are 汇总 first, one per institution with paid trainees, then 未发放 and 说明."""
    book = _write(payout, tmp_path / "out.xlsx")
    assert book.sheetnames == ["汇总", NANNING, LIUZHOU, "未发放", "说明"]  # payees in name order


def test_institution_subtotals_are_exact_decimals(payout: Payout, tmp_path: Path) -> None:
    """Each institution's 小计 is 1900 × its paid trainees, formatted #,##0.00, with 大写 beside it."""
    book = _write(payout, tmp_path / "out.xlsx")
    for school, paid, words in ((NANNING, 2, "叁仟捌佰元整"), (LIUZHOU, 1, "壹仟玖佰元整")):
        sheet = book[school]
        lines = [r for r in _rows(sheet) if isinstance(r["序号"], int)]
        assert len(lines) == paid
        assert all(_money(r["金额（元）"]) == PER_TRAINEE for r in lines)
        subtotal = _subtotal(sheet)
        assert _money(subtotal["金额（元）"]) == PER_TRAINEE * paid
        assert subtotal["计算依据"] == f"大写：{words}"
        header_row, titles = _table(sheet)
        money_column = titles.index("金额（元）") + 1
        for row in range(header_row + 1, header_row + paid + 2):
            cell = sheet.cell(row=row, column=money_column)
            assert cell.data_type == "n"
            assert cell.number_format == "#,##0.00"


def test_summary_grand_total_in_figures_and_words(payout: Payout, tmp_path: Path) -> None:
    """汇总 has one row per payee, the total 3 × 1900 = 5700 and 伍仟柒佰元整, and the counts."""
    book = _write(payout, tmp_path / "out.xlsx")
    sheet = book["汇总"]
    rows = _rows(sheet)
    payees = {r["收款方"]: (r["人数/笔数"], _money(r["金额（元）"])) for r in rows[:-1]}
    assert payees == {NANNING: (2, Decimal("3800.00")), LIUZHOU: (1, Decimal("1900.00"))}
    assert rows[-1]["序号"] == "合计"
    assert _money(rows[-1]["金额（元）"]) == Decimal("5700.00")
    assert rows[-1]["金额（大写）"] == "伍仟柒佰元整"
    assert _money(_label(sheet, "合计（小写）")) == Decimal("5700.00")
    assert _label(sheet, "合计（大写）") == "伍仟柒佰元整"
    assert (
        _label(sheet, "发放笔数"),
        _label(sheet, "待定笔数"),
        _label(sheet, "不予发放笔数"),
    ) == (
        3,
        1,
        1,
    )
    texts = [c.value for title, c in _cells(book) if title == "汇总" and isinstance(c.value, str)]
    assert any(t.startswith("经办人：") and "复核人：" in t and "审批人：" in t for t in texts)
    assert any("（单位盖章）" in t and "年" in t and "月" in t and "日" in t for t in texts)


def test_ids_are_masked_on_every_sheet_by_default(
    payout: Payout, tmp_path: Path, pending_id: str
) -> None:
    """Without full_ids no sheet holds a full identity number; the masked form is shown."""
    book = _write(payout, tmp_path / "out.xlsx")
    full = [*PAID_IDS, FAILED_ID, pending_id]
    for title, cell in _cells(book):
        text = str(cell.value)
        assert not any(number in text for number in full), (title, cell.coordinate, text)
    shown = {str(c.value) for _, c in _cells(book)}
    assert "4501**********1014" in shown
    assert "4501**********213X" in shown  # on 未发放
    assert all(
        "身份证号（完整）" not in _table(s)[1]
        for s in book.worksheets
        if s.title not in ("汇总", "说明")
    )


def test_full_ids_add_a_full_column(payout: Payout, tmp_path: Path) -> None:
    """With full_ids each trainee line also carries 身份证号（完整） beside the masked number."""
    book = _write(payout, tmp_path / "out.xlsx", full_ids=True)
    rows = [r for r in _rows(book[NANNING]) if isinstance(r["序号"], int)]
    assert [(r["身份证号"], r["身份证号（完整）"]) for r in rows] == [
        ("4501**********1014", PAID_IDS[0]),
        ("4501**********1024", PAID_IDS[1]),
    ]


def test_pending_sheet_lists_failed_and_blank_rows_with_reasons(
    payout: Payout, tmp_path: Path
) -> None:
    """未发放 lists the 不合格 row as 不予发放 and the blank 鉴定结果 row as 待定, each with its reason."""
    rows = _rows(_write(payout, tmp_path / "out.xlsx")["未发放"])
    assert [(r["行号"], r["姓名/单位"], r["状态"]) for r in rows] == [
        (5, "赵刚", "不予发放"),
        (6, "陈明", "待定"),
    ]
    failed, pending = rows
    assert failed["证件号"] == "4501**********213X"
    assert "不合格" in failed["原因及依据"] and "桂人才通字〔2012〕11号" in failed["原因及依据"]
    assert "鉴定结果未出" in pending["原因及依据"] and "四(七)" in pending["原因及依据"]


def test_trainee_sheet_has_a_signature_column(payout: Payout, tmp_path: Path) -> None:
    """Lines paid to trainees themselves go on one 学员本人 sheet with a blank 签领 column."""
    direct = dataclasses.replace(
        payout,
        lines=[
            dataclasses.replace(line, payee_kind="trainee", payee="学员本人")
            if line.status == "paid"
            else line
            for line in payout.lines
        ],
    )
    book = _write(direct, tmp_path / "out.xlsx")
    assert book.sheetnames == ["汇总", "学员本人", "未发放", "说明"]
    _, titles = _table(book["学员本人"])
    assert titles.index("签领") == titles.index("计算依据") + 1
    rows = [r for r in _rows(book["学员本人"]) if isinstance(r["序号"], int)]
    assert len(rows) == 3 and all(r["签领"] is None for r in rows)
    assert _money(_subtotal(book["学员本人"])["金额（元）"]) == Decimal("5700.00")


def test_nothing_paid_still_gives_a_summary(payout: Payout, tmp_path: Path) -> None:
    """When no line is paid the schedule has only 汇总 (total 零元整) and 未发放."""
    held = dataclasses.replace(
        payout,
        lines=[
            dataclasses.replace(line, status="pending", amount=Decimal("0.00"))
            if line.status == "paid"
            else line
            for line in payout.lines
        ],
    )
    book = _write(held, tmp_path / "out.xlsx")
    assert book.sheetnames == ["汇总", "未发放", "说明"]
    assert _label(book["汇总"], "合计（大写）") == "零元整"
    assert len(_rows(book["未发放"])) == 5


def test_formula_like_roster_text_stays_text(payout: Payout, tmp_path: Path) -> None:
    """A name "=HYPERLINK(...)" from the roster is written as a text cell, never a formula."""
    book = _write(payout, tmp_path / "out.xlsx")
    hits = [cell for _, cell in _cells(book) if cell.value == FORMULA_NAME]
    assert hits, "the formula-like name should appear on the institution sheet"
    assert all(cell.data_type == "s" for cell in hits)
    assert not [cell.coordinate for _, cell in _cells(book) if cell.data_type == "f"]


def test_header_block_says_where_the_numbers_come_from(payout: Payout, tmp_path: Path) -> None:
    """Every table sheet starts with the title and 文号/资金来源/依据/文件规定金额/日期 in the
    clerk's words; the document's fixed amount is not called a local parameter."""
    book = _write(payout, tmp_path / "out.xlsx")
    for sheet in book.worksheets[:-1]:
        title = sheet["A1"]
        assert title.value == "广西急需紧缺职业（工种）技师、高级技师培养 补贴发放花名册"
        assert title.font.bold and title.alignment.horizontal == "center"
        width = len(_table(sheet)[1])
        assert f"A1:{openpyxl.utils.get_column_letter(width)}1" in {
            str(r) for r in sheet.merged_cells.ranges
        }
        header_row = _table(sheet)[0]
        lines = [str(sheet.cell(row=r, column=1).value) for r in range(2, header_row)]
        assert "文号：桂人才通字〔2012〕11号 四(七)　发文机关：自治区党委人才工作协调小组" in lines
        assert "资金来源：自治区就业专项资金" in lines
        assert any(line.startswith("依据/计算方法：经考核鉴定") for line in lines)
        # the 1,900.00 is fixed by the document itself, not a local parameter of the bureau
        assert "文件规定金额：1,900.00 元（桂人才通字〔2012〕11号 四(七)）" in lines
        assert not any("本地参数" in line for line in lines)
        assert any(line.startswith("制表日期：") and "年" in line for line in lines)
        face = "\n".join(lines)
        for engineer in ("sha256", "subsidy_per_trainee", "--commit", ".xlsx"):
            assert engineer not in face, engineer


def test_provenance_is_on_the_notes_sheet_and_in_properties(payout: Payout, tmp_path: Path) -> None:
    """说明 (last sheet) and the document properties name the standard, input file, hash, run."""
    book = _write(payout, tmp_path / "out.xlsx")
    notes = book.worksheets[-1]
    assert notes.title == "说明"
    facts = {
        str(notes.cell(row=r, column=1).value): str(notes.cell(row=r, column=2).value)
        for r in range(2, notes.max_row + 1)
    }
    assert (
        facts["计算所用标准"].startswith("每培养一名补贴1900元")
        and "1900.00" in facts["计算所用标准"]
    )
    assert facts["输入文件"] == payout.file
    assert facts["输入文件校验值（SHA-256）"] == payout.file_hash
    assert facts["台账登记"].startswith("未记入台账")
    assert payout.file_hash in (book.properties.description or "")


def test_print_setup_is_a4_landscape_with_repeated_header(payout: Payout, tmp_path: Path) -> None:
    """Each sheet prints A4 landscape, one page wide, table header repeated, table bordered."""
    book = _write(payout, tmp_path / "out.xlsx")
    for sheet in book.worksheets[:-1]:  # 说明 has no table
        header_row, titles = _table(sheet)
        assert sheet.page_setup.orientation == "landscape"
        assert str(sheet.page_setup.paperSize) == "9"  # A4
        assert sheet.page_setup.fitToWidth == 1
        assert sheet.sheet_properties.pageSetUpPr is not None
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == f"${header_row}:${header_row}"
        for column in range(1, len(titles) + 1):
            assert sheet.cell(row=header_row + 1, column=column).border.left.style == "thin"


def test_existing_output_is_replaced_atomically(
    payout: Payout, roster: Path, tmp_path: Path
) -> None:
    """The roster is untouched; an old output is replaced by rename and no temp file is left."""
    before = hashlib.sha256(roster.read_bytes()).hexdigest()
    out = tmp_path / "发放花名册.xlsx"
    out.write_bytes(b"old schedule")
    old_inode = out.stat().st_ino
    write_payout_workbook(payout, out)
    assert out.stat().st_ino != old_inode  # a new file renamed over, not rewritten in place
    assert openpyxl.load_workbook(out).sheetnames[0] == "汇总"
    assert hashlib.sha256(roster.read_bytes()).hexdigest() == before == payout.file_hash
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roster.xlsx", "发放花名册.xlsx"]


def test_failed_write_keeps_the_old_output(
    payout: Payout, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If saving fails midway the previous output survives intact and no temp file remains."""
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"old schedule")

    def broken_save(self: Workbook, filename: str | Path) -> None:
        Path(filename).write_bytes(b"half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(Workbook, "save", broken_save)
    with pytest.raises(RuntimeError):
        write_payout_workbook(payout, out)
    assert out.read_bytes() == b"old schedule"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx", "roster.xlsx"]


def test_refuses_to_write_over_the_roster(payout: Payout, roster: Path) -> None:
    """Naming the input roster as the output is refused and the roster is left as it was."""
    before = roster.read_bytes()
    with pytest.raises(InputError):
        write_payout_workbook(payout, roster)
    assert roster.read_bytes() == before


def test_safe_sheet_titles() -> None:
    """Sheet names lose []:*?/\\, fit 31 characters and get a numbered suffix when they clash."""
    taken = {"汇总"}
    assert safe_sheet_title("南宁[技师]学院:培训/部*?\\", taken) == "南宁_技师_学院_培训_部___"
    long_name = "广西壮族自治区南宁市第一高级技工学校附属职业技能培训中心第二分校甲部"
    first = safe_sheet_title(long_name, taken)
    second = safe_sheet_title(long_name[:-2] + "乙部", taken)
    assert len(first) == 31 and first == long_name[:31]
    assert len(second) <= 31 and second.endswith("(2)")
    assert safe_sheet_title("汇总", taken) == "汇总(2)"
    assert safe_sheet_title("Summary", taken) == "Summary"
    assert safe_sheet_title("SUMMARY", taken) == "SUMMARY(2)"  # Excel ignores case


def test_awkward_institution_names_make_valid_unique_sheets(
    tmp_path: Path, resident_id: Callable[[str], str]
) -> None:
    """Institutions whose names clash after cleaning or cutting still get their own sheets."""
    long_name = "广西壮族自治区南宁市第一高级技工学校附属职业技能培训中心第二分校"
    schools = [long_name + "甲部", long_name + "乙部", "南宁/技师学院", "南宁:技师学院"]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(ROSTER_HEADER)
    for index, school in enumerate(schools):
        number = resident_id(f"4501021985010100{index * 2 + 1}")
        sheet.append(_trainee(f"学员{index}", "男", number, "合格", school))
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    payout = compute_subsidy(path, load_program("guangxi-2012-technician"))
    book = _write(payout, tmp_path / "out.xlsx")
    names = book.sheetnames
    assert len(names) == 7 and len({n.casefold() for n in names}) == 7
    assert {"南宁_技师学院", "南宁_技师学院(2)"} <= set(names)
    assert sum(n.endswith("(2)") for n in names) == 2  # the cut long names clash too
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    for school in schools:  # the full name is kept in the sheet's header block
        assert any(c.value == f"收款方：培训机构　{school}" for _, c in _cells(book))


def test_jincheng_unit_sheets_show_both_tranches(tmp_path: Path) -> None:
    """A jincheng designation sheet: unit sheets show 笔次 1 and 2 at 120,000.00 and 180,000.00."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["单位名称", "统一社会信用代码", "评审得分", "是否授牌", "验收结果"])
    sheet.append([UNIT_A, CODE_A, 92, "是", "合格"])
    sheet.append([UNIT_B, CODE_B, 85, "是", None])
    path = tmp_path / "designation.xlsx"
    workbook.save(path)
    payout = compute_subsidy(path, load_program("jincheng-2022-workstation"))
    book = _write(payout, tmp_path / "out.xlsx")
    assert book.sheetnames == ["汇总", UNIT_B, UNIT_A, "未发放", "说明"]

    _, titles = _table(book[UNIT_A])
    assert titles[:3] == ["序号", "单位名称", "统一社会信用代码"]
    assert "身份证号（完整）" not in titles and "签领" not in titles
    rows = [r for r in _rows(book[UNIT_A]) if isinstance(r["序号"], int)]
    assert [(r["统一社会信用代码"], r["笔次"], _money(r["金额（元）"])) for r in rows] == [
        (CODE_A, 1, Decimal("120000.00")),
        (CODE_A, 2, Decimal("180000.00")),
    ]
    assert _money(_subtotal(book[UNIT_A])["金额（元）"]) == Decimal("300000.00")
    first = [r for r in _rows(book[UNIT_B]) if isinstance(r["序号"], int)]
    assert [(r["笔次"], _money(r["金额（元）"])) for r in first] == [(1, Decimal("120000.00"))]

    summary = book["汇总"]
    assert _money(_label(summary, "合计（小写）")) == Decimal("420000.00")
    assert _label(summary, "合计（大写）") == "肆拾贰万元整"
    (held,) = _rows(book["未发放"])
    assert (held["姓名/单位"], held["证件号"], held["笔次"], held["状态"]) == (
        UNIT_B,
        CODE_B,
        2,
        "待定",
    )
    assert "验收" in held["原因及依据"]
