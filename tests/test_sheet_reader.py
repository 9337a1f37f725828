"""Reading the clerk's workbook: header row, aliases, sheet kinds, positions, broken files."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from skillpolicy.check.validate import validate_sheet
from skillpolicy.domain.errors import InputError
from skillpolicy.io.sheet import SheetReader
from skillpolicy.loading.programfiles import load_program
from skillpolicy.outputs.annotate import write_annotated

# INTERFACE.md "Sheets": canonical header -> the other headers accepted on a roster.
INTERFACE_ALIASES = {
    "身份证号": ["身份证号码", "公民身份号码"],
    "联系电话": ["手机", "手机号码"],
    "职业(工种)": ["职业", "工种", "培训职业"],
    "现等级": ["现职业资格等级"],
    "取证日期": ["现等级取证日期"],
    "鉴定结果": ["考核结果"],
    "所在企业": ["工作单位"],
    "培训机构": ["承训机构"],
    "所在地": ["所在市", "地区"],
}
ALIAS_PAIRS = [
    (canonical, alias) for canonical, aliases in INTERFACE_ALIASES.items() for alias in aliases
]


def read(
    path: Path, kind: str | None = None
) -> tuple[SheetReader, list[tuple[int, dict[str, Any]]]]:
    reader = SheetReader(path, kind=kind)
    return reader, [(row.number, row.cells) for row in reader.rows()]


# --- the header row -----------------------------------------------------------------------


@pytest.mark.parametrize("header_row", [1, 4, 30])
def test_header_row_is_found_below_title_rows(
    tmp_path: Path, xlsx: Callable[..., Path], header_row: int
) -> None:
    """Title and note rows above the header are skipped; data rows keep their sheet numbers."""
    titles: list[list[Any]] = [[f"说明第{n}行", None, "备注"] for n in range(1, header_row)]
    path = xlsx(tmp_path / "r.xlsx", [*titles, ["姓名", "身份证号"], ["张三", "1"], ["李四", "2"]])
    reader, rows = read(path)
    assert reader.layout.header_row == header_row
    assert reader.layout.kind == "roster"
    assert [number for number, _ in rows] == [header_row + 1, header_row + 2]
    assert rows[0][1] == {"姓名": "张三", "身份证号": "1"}


def test_header_row_below_merged_title_and_empty_rows(tmp_path: Path) -> None:
    """A merged title in row 1 and empty rows 2-3 still put the header on row 4."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"] = "2012年技师培养学员花名册"
    sheet.merge_cells("A1:D1")
    for column, header in enumerate(["序号", "姓名", "身份证号", "备注"], start=1):
        sheet.cell(row=4, column=column, value=header)
    sheet.cell(row=5, column=2, value="张三")
    workbook.save(tmp_path / "r.xlsx")
    reader, rows = read(tmp_path / "r.xlsx")
    assert reader.layout.header_row == 4
    assert [(number, cells["姓名"]) for number, cells in rows] == [(5, "张三")]


# --- header text: aliases, full-width forms, spaces ---------------------------------------


@pytest.mark.parametrize(("canonical", "alias"), ALIAS_PAIRS)
def test_interface_aliases_map_to_canonical_headers(
    tmp_path: Path, xlsx: Callable[..., Path], canonical: str, alias: str
) -> None:
    """Every alias INTERFACE.md lists for a roster is read as its canonical column."""
    headers = ["姓名", alias] if canonical == "身份证号" else ["姓名", "身份证号", alias]
    path = xlsx(tmp_path / "r.xlsx", [headers, ["张三", "x", "y"][: len(headers)]])
    reader, rows = read(path)
    assert reader.layout.kind == "roster"
    assert reader.layout.columns[canonical] == headers.index(alias)
    assert rows[0][1][canonical] in ("x", "y")


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("职业（工种）", "职业(工种)"),
        ("劳动合同期限（月）", "劳动合同期限(月)"),
        ("姓 名", "姓名"),
        (" 身份证号 ", "身份证号"),
        ("身份证\n号码", "身份证号"),
        ("*姓名", "姓名"),
        ("现等级：", "现等级"),
        ("ＳＯ职业", None),
    ],
)
def test_headers_match_after_folding(
    tmp_path: Path, xlsx: Callable[..., Path], written: str, canonical: str | None
) -> None:
    """Full-width brackets, spaces, line breaks, a leading * and a trailing colon do not matter."""
    headers = ["姓名", "身份证号"]
    if canonical in headers:
        headers[headers.index(canonical)] = written
    else:
        headers.append(written)
    reader, _ = read(xlsx(tmp_path / "r.xlsx", [headers]))
    if canonical is None:
        assert len(reader.layout.columns) == 2
    else:
        assert reader.layout.columns[canonical] == headers.index(written)


def test_unknown_columns_are_kept_out_of_the_row(tmp_path: Path, xlsx: Callable[..., Path]) -> None:
    """Columns with unknown headers are ignored; known ones are found in any order."""
    path = xlsx(tmp_path / "r.xlsx", [["备注", "身份证号", "序号", "姓名"], ["x", "1", 7, "张三"]])
    _, rows = read(path)
    assert rows == [(2, {"身份证号": "1", "姓名": "张三"})]


def test_duplicate_header_is_an_input_error(tmp_path: Path, xlsx: Callable[..., Path]) -> None:
    """The same header twice cannot be resolved: InputError naming the header and both columns."""
    path = xlsx(tmp_path / "r.xlsx", [["姓名", "身份证号", "备注", "身份证号"]])
    with pytest.raises(InputError, match=r"身份证号.*B、D"):
        SheetReader(path)


# --- sheet kinds ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        (["单位名称", "是否授牌", "姓名", "身份证号"], "designation"),
        (["单位名称", "姓名", "身份证号"], "roster"),
        (["单位名称", "统一社会信用代码"], "application"),
        (["单位名称", "是否授牌"], "designation"),
        (["姓名", "身份证号", "所在企业"], "roster"),
    ],
)
def test_kind_detection_order(
    tmp_path: Path, xlsx: Callable[..., Path], headers: list[str], kind: str
) -> None:
    """Designation is tried before roster, roster before application (which has no 姓名)."""
    reader, _ = read(xlsx(tmp_path / "r.xlsx", [headers]))
    assert reader.layout.kind == kind


def test_application_needs_no_name_column(tmp_path: Path, xlsx: Callable[..., Path]) -> None:
    """A sheet with 单位名称 and 姓名 but no 身份证号 is neither roster nor application."""
    with pytest.raises(InputError, match="找不到"):
        SheetReader(xlsx(tmp_path / "r.xlsx", [["单位名称", "姓名"]]))


@pytest.mark.parametrize("kind", ["roster", "application", "designation"])
def test_kind_option_overrides_detection(
    tmp_path: Path, xlsx: Callable[..., Path], kind: str
) -> None:
    """--kind reads the sheet as the named kind even when another kind would be detected."""
    headers = ["单位名称", "是否授牌", "姓名", "身份证号"]
    if kind == "application":
        headers = ["单位名称", "是否授牌", "统一社会信用代码"]
    reader, _ = read(xlsx(tmp_path / "r.xlsx", [headers]), kind=kind)
    assert reader.layout.kind == kind


def test_kind_option_finds_its_own_header_row(tmp_path: Path, xlsx: Callable[..., Path]) -> None:
    """With --kind the header row is the first that holds that kind's key headers."""
    path = xlsx(
        tmp_path / "r.xlsx",
        [["单位名称", "是否授牌"], ["某公司", "是"], ["姓名", "身份证号"], ["张三", "1"]],
    )
    assert read(path)[0].layout.header_row == 1
    reader, rows = read(path, kind="roster")
    assert reader.layout.header_row == 3
    assert rows == [(4, {"姓名": "张三", "身份证号": "1"})]


def test_kind_option_on_a_sheet_without_that_kind(
    tmp_path: Path, xlsx: Callable[..., Path]
) -> None:
    """--kind designation on a roster is an InputError naming the keys it looked for."""
    path = xlsx(tmp_path / "r.xlsx", [["姓名", "身份证号"]])
    with pytest.raises(InputError, match="是否授牌"):
        SheetReader(path, kind="designation")


# --- positions: rows and column letters as the spreadsheet shows them --------------------------


def test_sheet_starting_at_column_c_keeps_letters_and_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, resident_id: Callable[[str], str]
) -> None:
    """A table at C3 reports findings on sheet rows and marks the cell in the right letter."""
    monkeypatch.chdir(tmp_path)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["C1"] = "学员花名册"
    header = ["姓名", "性别", "身份证号", "职业(工种)", "现等级", "取证日期", "申报等级"]
    good = ["张三", "男", resident_id("45010219800101001"), "焊工", "高级工", "2008-01-01", "技师"]
    bad = ["李四", "男", "450102198001010016", "焊工", "高级工", "2008-01-01", "技师"]
    for row_number, values in ((3, header), (4, good), (6, bad)):  # row 5 left blank
        for offset, value in enumerate(values):
            sheet.cell(row=row_number, column=3 + offset, value=value)
    source = tmp_path / "c.xlsx"
    workbook.save(source)

    reader, rows = read(source)
    assert reader.layout.letters["姓名"] == "C"
    assert reader.layout.letters["身份证号"] == "E"
    assert [number for number, _ in rows] == [4, 6]

    report = validate_sheet(source, load_program("guangxi-2012-technician"))
    assert [(f.row, f.column, f.rule) for f in report.findings] == [(6, "身份证号", "identity")]
    write_annotated(report, source, tmp_path / "marked.xlsx")
    marked = openpyxl.load_workbook(tmp_path / "marked.xlsx").worksheets[0]
    assert marked["E6"].comment is not None
    assert marked["E6"].value == "450102198001010016"
    assert marked["C6"].comment is None and marked["F6"].comment is None


def test_blank_rows_are_skipped(tmp_path: Path, xlsx: Callable[..., Path]) -> None:
    """Empty rows and rows with only unknown columns filled are skipped; numbering is kept."""
    path = xlsx(
        tmp_path / "r.xlsx",
        [
            ["姓名", "身份证号", "备注"],
            ["张三", "1", None],
            [None, None, None],
            ["", "  ", None],
            [None, None, "合计"],
            ["李四", "2", None],
        ],
    )
    _, rows = read(path)
    assert [number for number, _ in rows] == [2, 6]


def test_hidden_first_sheet_is_skipped(tmp_path: Path) -> None:
    """The first visible worksheet is read; a hidden sheet in front of it is ignored."""
    workbook = openpyxl.Workbook()
    hidden = workbook.active
    assert hidden is not None
    hidden.title = "旧表"
    hidden.append(["单位名称", "是否授牌"])
    hidden.sheet_state = "hidden"
    very_hidden = workbook.create_sheet("参数")
    very_hidden.append(["姓名", "身份证号"])
    very_hidden.append(["隐藏", "0"])
    very_hidden.sheet_state = "veryHidden"
    visible = workbook.create_sheet("花名册")
    visible.append(["姓名", "身份证号"])
    visible.append(["张三", "1"])
    workbook.save(tmp_path / "r.xlsx")
    reader, rows = read(tmp_path / "r.xlsx")
    assert reader.sheet_name == "花名册"
    assert reader.layout.kind == "roster"
    assert rows == [(2, {"姓名": "张三", "身份证号": "1"})]


# --- files that are not readable workbooks --------------------------------------------------


def _zip(path: Path, members: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)


def _make(kind: str, path: Path) -> None:
    if kind == "text":
        path.write_text("姓名,身份证号\n张三,450102198001010015\n", encoding="utf-8")
    elif kind == "binary":
        path.write_bytes(bytes(range(256)) * 4)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "xls":
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096)
    elif kind == "encrypted":
        body = "EncryptionInfo".encode("utf-16-le")
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512 + body + b"\x00" * 512)
    elif kind == "ods":
        _zip(
            path,
            {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"},
        )
    elif kind == "docx":
        _zip(path, {"[Content_Types].xml": "<x/>", "word/document.xml": "<x/>"})
    elif kind == "zip":
        _zip(path, {"readme.txt": "hello"})
    elif kind == "truncated":
        workbook = openpyxl.Workbook()
        workbook.save(path)
        path.write_bytes(path.read_bytes()[:200])
    elif kind == "directory":
        path.mkdir()


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("text", ["不是 Excel 工作簿", "CSV"]),
        ("binary", ["不是 Excel 工作簿"]),
        ("empty", ["空", "0 字节"]),
        ("xls", [".xls", "另存为 .xlsx"]),
        ("encrypted", ["密码"]),
        ("ods", ["ODS"]),
        ("docx", ["Word"]),
        ("zip", ["没有 Excel 工作簿内容"]),
        ("truncated", ["损坏"]),
        ("directory", ["目录"]),
        ("missing", ["不存在"]),
    ],
)
def test_unreadable_files_give_a_specific_input_error(
    tmp_path: Path, kind: str, words: list[str]
) -> None:
    """Each kind of non-workbook gets an InputError that names the file and says what it is."""
    path = tmp_path / f"{kind}.xlsx"
    _make(kind, path)
    with pytest.raises(InputError) as raised:
        SheetReader(path)
    message = str(raised.value)
    assert message.startswith(str(path))
    for word in words:
        assert word in message


def test_header_not_in_first_50_rows_is_an_input_error(
    tmp_path: Path, xlsx: Callable[..., Path]
) -> None:
    """A header below the scanned rows is not found: InputError naming the sheet and keys."""
    rows: list[list[Any]] = [["说明"] for _ in range(60)]
    path = xlsx(tmp_path / "r.xlsx", [*rows, ["姓名", "身份证号"]], title="表一")
    with pytest.raises(InputError, match=r"工作表「表一」.*姓名.*身份证号"):
        SheetReader(path)


def test_two_row_header_with_merged_group_titles(tmp_path: Path) -> None:
    """Group titles merged across row 2 over headers in row 3, other headers merged down 2:3:
    the columns are found and data starts on row 4."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["学员花名册"])
    sheet.merge_cells("A1:E1")
    sheet.append(["姓名", "身份证号", "培训信息", None, "备注"])
    sheet.append([None, None, "培训机构", "开班日期", None])
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B2:B3")
    sheet.merge_cells("C2:D2")
    sheet.append(["张三", "1", "某学校", "2012-09-17", None])
    workbook.save(tmp_path / "r.xlsx")
    reader, rows = read(tmp_path / "r.xlsx")
    assert reader.layout.header_row == 3
    assert set(reader.layout.columns) == {"姓名", "身份证号", "培训机构", "开班日期"}
    assert rows == [
        (4, {"姓名": "张三", "身份证号": "1", "培训机构": "某学校", "开班日期": "2012-09-17"})
    ]


def test_title_merged_across_the_sheet_leaves_a_one_row_header(tmp_path: Path) -> None:
    """A title merged across all columns above a one-row header is not a two-row header."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["学员花名册"])
    sheet.merge_cells("A1:C1")
    sheet.append(["姓名", "身份证号", "备注"])
    sheet.append(["张三", "1", "无"])
    workbook.save(tmp_path / "r.xlsx")
    reader, rows = read(tmp_path / "r.xlsx")
    assert reader.layout.header_row == 2
    assert rows == [(3, {"姓名": "张三", "身份证号": "1"})]


def test_the_library_refuses_an_unknown_kind_as_input_error(tmp_path: Path) -> None:
    """validate_sheet with a kind no program knows raises InputError naming it, not KeyError."""
    from skillpolicy.check.validate import validate_sheet
    from skillpolicy.domain.errors import InputError
    from skillpolicy.loading.programfiles import load_program

    roster = Path(__file__).resolve().parents[1] / "examples" / "guangxi-2012-technician.xlsx"
    with pytest.raises(InputError, match="「名单」不存在"):
        validate_sheet(roster, load_program("guangxi-2012-technician"), kind="名单")
