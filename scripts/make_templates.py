#!/usr/bin/env python3
"""Build the shipped Word templates in templates/ with python-docx.

Each form is laid out here in code so the templates are reproducible and a change to one is
reviewable as a diff of this file. The output is a normal .docx a clerk can open and edit in
Word or WPS; placeholders are docxtpl-style Jinja (``{{ 单位名称 }}``, and ``{%tr for … %}`` /
``{%tr endfor %}`` rows that repeat a table row per item). ``skillpolicy render FORM --check``
says whether an edited template still fits its form.

Every page is A4; every run names its East Asian font (w:eastAsia); the public notice follows
GB/T 9704-2012 (margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; title 2号 小标宋;
body 3号 仿宋_GB2312; 22 lines of 28 characters on a line grid). Zip entries carry a fixed timestamp, so the
same script gives the same bytes::

    python3 scripts/make_templates.py [--out templates]
"""

from __future__ import annotations

import argparse
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell

ROOT = Path(__file__).resolve().parents[1]

FANGSONG = "仿宋_GB2312"
SONGTI = "宋体"
HEITI = "黑体"
XIAOBIAOSONG = "方正小标宋简体"
LATIN = "Times New Roman"

# Chinese type sizes in points
SIZE_2 = 22.0  # 二号
SIZE_3 = 16.0  # 三号
SIZE_4 = 14.0  # 四号
SIZE_XIAO4 = 12.0  # 小四
SIZE_5 = 10.5  # 五号
SIZE_XIAO5 = 9.0  # 小五

CENTER = WD_ALIGN_PARAGRAPH.CENTER
LEFT = WD_ALIGN_PARAGRAPH.LEFT
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT
BLANK_DATE = "　　年　　月　　日"
RED = RGBColor(0xFF, 0x00, 0x00)
FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def set_fonts(element: object, east_asia: str, latin: str = LATIN) -> None:
    """Name the fonts of a run or style: ascii/hAnsi Latin, eastAsia Chinese."""
    rpr = element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def new_document(
    margins_mm: tuple[float, float, float, float] = (25, 25, 25, 25),
    font: str = FANGSONG,
    size: float = SIZE_XIAO4,
) -> DocumentObject:
    """An A4 document (top, bottom, left, right margins in mm) with a Chinese Normal style."""
    document = Document()
    section = document.sections[0]
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    top, bottom, left, right = margins_mm
    section.top_margin = Mm(top)
    section.bottom_margin = Mm(bottom)
    section.left_margin = Mm(left)
    section.right_margin = Mm(right)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(15)
    normal = document.styles["Normal"]
    normal.font.size = Pt(size)
    set_fonts(normal.element, font)
    for style_name in ("Table Grid",):
        set_fonts(document.styles[style_name].element, font)
    document.core_properties.author = "skillpolicy"
    document.core_properties.title = ""
    return document


def add_run(paragraph: object, text: str, font: str, size: float, *, bold: bool = False) -> None:
    run = paragraph.add_run(text)  # type: ignore[attr-defined]
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = LATIN
    set_fonts(run._element, font)


def paragraph(
    container: object,
    text: str = "",
    *,
    font: str = FANGSONG,
    size: float = SIZE_XIAO4,
    align: WD_ALIGN_PARAGRAPH = LEFT,
    bold: bool = False,
    indent_chars: int = 0,
    space_after: float = 0,
) -> object:
    para = container.add_paragraph()  # type: ignore[attr-defined]
    para.alignment = align
    para.paragraph_format.space_after = Pt(space_after)
    para.paragraph_format.space_before = Pt(0)
    if indent_chars:
        para.paragraph_format.first_line_indent = Pt(size * indent_chars)
    if text:
        add_run(para, text, font, size, bold=bold)
    return para


def fill(
    cell: _Cell,
    lines: str | Sequence[str],
    *,
    font: str = FANGSONG,
    size: float = SIZE_XIAO4,
    align: WD_ALIGN_PARAGRAPH = CENTER,
    bold: bool = False,
) -> None:
    """Replace a cell's text with ``lines`` (one paragraph each)."""
    texts = [lines] if isinstance(lines, str) else list(lines)
    paragraphs = cell.paragraphs
    for extra in paragraphs[1:]:
        extra._element.getparent().remove(extra._element)
    first = paragraphs[0]
    for run in list(first.runs):
        run._element.getparent().remove(run._element)
    for index, text in enumerate(texts):
        para = first if index == 0 else cell.add_paragraph()
        para.alignment = align
        para.paragraph_format.space_after = Pt(0)
        if text:
            add_run(para, text, font, size, bold=bold)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def table(document: DocumentObject, rows: int, widths_mm: Sequence[float]) -> Table:
    grid = document.add_table(rows=rows, cols=len(widths_mm))
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    for row in grid.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
    for column, width in zip(grid.columns, widths_mm, strict=True):
        column.width = Mm(width)
    return grid


def merged(grid: Table, row: int, first: int, last: int) -> _Cell:
    cell = grid.cell(row, first)
    return cell.merge(grid.cell(row, last)) if last > first else cell


def row_height(grid: Table, row: int, mm: float) -> None:
    grid.rows[row].height = Mm(mm)


def repeat_header(grid: Table, row: int = 0) -> None:
    """Repeat row ``row`` at the top of every page the table runs onto."""
    tr_pr = grid.rows[row]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def cell_line_spacing(grid: Table, points: float) -> None:
    """Exact line spacing, off the document grid, for every paragraph in the table."""
    for row in grid.rows:
        for cell in row.cells:
            for para in cell.paragraphs:
                para.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
                para.paragraph_format.line_spacing = Pt(points)
                snap = OxmlElement("w:snapToGrid")  # LibreOffice snaps to the line grid
                snap.set(qn("w:val"), "0")
                para._p.get_or_add_pPr().insert_element_before(
                    snap, "w:spacing", "w:ind", "w:jc", "w:rPr"
                )


def loop_rows(grid: Table, start: int, loop: str, columns: int) -> None:
    """Row ``start`` opens a docxtpl row loop, row ``start + 2`` closes it."""
    fill(merged(grid, start, 0, columns - 1), f"{{%tr {loop} %}}", align=LEFT)
    fill(merged(grid, start + 2, 0, columns - 1), "{%tr endfor %}", align=LEFT)


def opinion(
    grid: Table,
    row: int,
    label: Sequence[str],
    last: int,
    signer: str,
    date: str,
    height: float = 38,
    room: int = 2,
) -> None:
    """An opinion box: label on the left, room to write, a signature line and a date line.

    The row never breaks across pages, so a box's label and its 年 月 日 line print together.
    """
    fill(grid.cell(row, 0), label)
    lines = [*[""] * room, f"{signer}　　　　", f"{date}　　"]
    fill(merged(grid, row, 1, last), lines, align=RIGHT)
    row_height(grid, row, height)
    unsplit_row(grid, row)


def unsplit_row(grid: Table, row: int) -> None:
    """Row ``row`` never breaks across a page (w:cantSplit)."""
    tr_pr = grid.rows[row]._tr.get_or_add_trPr()
    if tr_pr.find(qn("w:cantSplit")) is None:
        cant = OxmlElement("w:cantSplit")
        cant.set(qn("w:val"), "true")
        tr_pr.insert(0, cant)


def keep_rows_together(grid: Table, first: int, last: int) -> None:
    """Rows ``first``..``last`` on one page: no row splits, each kept with the next."""
    for index in range(first, last + 1):
        unsplit_row(grid, index)
        if index == last:
            continue
        for cell in grid.rows[index].cells:
            for para in cell.paragraphs:
                para.paragraph_format.keep_with_next = True


def title(document: DocumentObject, lines: Sequence[str], size: float = 18) -> None:
    for line in lines:
        paragraph(document, line, font=XIAOBIAOSONG, size=size, align=CENTER)
    paragraph(document)


def save(document: DocumentObject, target: Path) -> None:
    """Save with fixed zip timestamps so the same script gives the same bytes."""
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w") as copy:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            copy.writestr(fixed, source.read(info))
    target.write_bytes(out.getvalue())


# ---------------------------------------------------------------------------
# Forms
# ---------------------------------------------------------------------------


def unchecked_mark(document: DocumentObject) -> None:
    """A red line in the page header, only when the rules found errors (--allow-errors).

    In the header it prints on every page and takes no room from the form.
    """
    header = document.sections[0].header
    header.is_linked_to_previous = False
    paragraph(header, "{%p if 核对标记 %}")
    mark = paragraph(header, "{{ 核对标记 }}", font=HEITI, size=SIZE_XIAO5, bold=True)
    for run in mark.runs:  # type: ignore[attr-defined]
        run.font.color.rgb = RED
    paragraph(header, "{%p endif %}")
    first = header.paragraphs[0]  # the empty paragraph every header starts with
    first._p.getparent().remove(first._p)


def guangxi_application() -> DocumentObject:
    """附件2, laid out as in 桂人才通字〔2012〕11号."""
    document = new_document()
    unchecked_mark(document)
    paragraph(document, "附件2", font=HEITI, size=SIZE_4)
    title(document, ["广西急需紧缺职业（工种）技师、高级技师", "培训计划申报表"])
    # a landline with area code (0771-7485263) and an 11-digit mobile fit on one line
    widths = (30, 20, 21, 35, 18, 36)
    grid = table(document, 14, widths)
    fill(grid.cell(0, 0), "单位名称")
    fill(merged(grid, 0, 1, 3), "{{ 单位名称 }}")
    fill(grid.cell(0, 4), "行业主管部门")
    fill(grid.cell(0, 5), "{{ 行业主管部门 }}")
    for row, (who, phone, mobile) in enumerate(
        (("单位负责人", "联系电话", "手机"), ("单位联系人", "联系人电话", "联系人手机")), start=1
    ):
        fill(grid.cell(row, 0), who)
        fill(grid.cell(row, 1), f"{{{{ {who} }}}}")
        fill(grid.cell(row, 2), "联系电话")
        fill(grid.cell(row, 3), f"{{{{ {phone} }}}}", size=SIZE_5)
        fill(grid.cell(row, 4), "手机")
        fill(grid.cell(row, 5), f"{{{{ {mobile} }}}}", size=SIZE_5)
    fill(grid.cell(3, 0), "通信地址")
    fill(merged(grid, 3, 1, 3), "{{ 通信地址 }}")
    fill(grid.cell(3, 4), "邮编")
    fill(grid.cell(3, 5), "{{ 邮编 }}")
    fill(grid.cell(4, 0), ["申报单位的", "主体资格", "（打“√”，", "可多选）"])
    fill(
        merged(grid, 4, 1, 5),
        [
            "{{ 主体资格.企业 }}企业　　　　{{ 主体资格.技师学院 }}技师学院　　　　"
            "{{ 主体资格.高级技工学校 }}高级技工学校",
            "{{ 主体资格.国家级高技能人才培养基地 }}国家级高技能人才培养基地　　"
            "{{ 主体资格.国家重点技工学校 }}国家重点技工学校",
            "{{ 主体资格.自治区高技能人才培养示范基地 }}自治区高技能人才培养示范基地",
            "{% if 主体资格.其他 %}其他：{{ 主体资格.其他 }}{% endif %}",
        ],
        align=LEFT,
    )
    fill(merged(grid, 5, 0, 5), "申报的培养职业（工种）及人数", bold=True)
    fill(merged(grid, 6, 0, 1), "培训职业")
    fill(grid.cell(6, 2), "培训人数")
    fill(merged(grid, 6, 3, 5), ["申报优势说明", "（师资、设备及原来开展培训情况等）"])
    loop_rows(grid, 7, "for 行 in 职业列表", 6)
    fill(merged(grid, 8, 0, 1), "{{ 行.序号 }}. {{ 行.培训职业 }}", align=LEFT)
    fill(grid.cell(8, 2), "{{ 行.培训人数 }}")
    fill(merged(grid, 8, 3, 5), "{{ 行.申报优势说明 }}", align=LEFT)
    fill(merged(grid, 10, 0, 1), "合计")
    fill(grid.cell(10, 2), "{{ 培训人数合计 }}")
    merged(grid, 10, 3, 5)
    # three boxes of 30 mm keep a unit with three occupations on one page
    opinion(
        grid,
        11,
        ["申报单位意见"],
        5,
        "（单位盖章）",
        '{{ 申报日期 or "　　年　　月　　日" }}',
        height=30,
    )
    opinion(grid, 12, ["设区市", "有关部门", "经办意见"], 5, "经办人：", BLANK_DATE, height=30)
    opinion(grid, 13, ["自治区", "有关部门", "审批意见"], 5, "负责人：", BLANK_DATE, height=30)
    keep_rows_together(grid, 11, 13)
    return document


def _unit_block(document: DocumentObject, types: Sequence[tuple[str, str]]) -> None:
    paragraph(document, "一、申报单位基本情况", font=HEITI, size=SIZE_4, space_after=6)
    # 统一社会信用代码 on one line needs 40 mm at 小四; the code (18 characters) 60
    grid = table(document, 7, (40, 60, 21, 39))
    fill(grid.cell(0, 0), "单位名称")
    fill(merged(grid, 0, 1, 3), "{{ 单位名称 }}")
    fill(grid.cell(1, 0), "统一社会信用代码")
    fill(grid.cell(1, 1), "{{ 统一社会信用代码 }}")
    fill(grid.cell(1, 2), "单位类型")
    fill(grid.cell(1, 3), "{{ 单位类型 }}")
    fill(grid.cell(2, 0), ["申报单位类别", "（打“√”）"])
    # as many boxes on a line as fit (about 28 characters of 小四 in the merged cell)
    lines: list[list[str]] = [[]]
    used = 0
    for field, label in types:
        width = len(label) + 2  # the box and the gap before the next one
        if lines[-1] and used + width > 28:
            lines.append([])
            used = 0
        lines[-1].append(f"{{{{ 单位类型选项.{field} }}}}{label}")
        used += width
    fill(merged(grid, 2, 1, 3), ["　".join(line) for line in lines], align=LEFT)
    fill(grid.cell(3, 0), "单位负责人")
    fill(grid.cell(3, 1), "{{ 单位负责人 }}")
    fill(grid.cell(3, 2), "联系电话")
    fill(grid.cell(3, 3), "{{ 联系电话 }}")
    fill(grid.cell(4, 0), "单位联系人")
    fill(grid.cell(4, 1), "{{ 单位联系人 }}")
    fill(grid.cell(4, 2), "手机")
    fill(grid.cell(4, 3), "{{ 手机 }}")
    fill(grid.cell(5, 0), "通信地址")
    fill(grid.cell(5, 1), "{{ 通信地址 }}")
    fill(grid.cell(5, 2), "邮编")
    fill(grid.cell(5, 3), "{{ 邮编 }}")
    fill(grid.cell(6, 0), "申报日期")
    fill(merged(grid, 6, 1, 3), "{{ 申报日期 }}")
    cell_line_spacing(grid, JINCHENG_LINE)
    spacer(document)


def _conditions(
    document: DocumentObject, heading: str, conditions: Sequence[tuple[str, str]]
) -> None:
    paragraph(document, heading, font=HEITI, size=SIZE_4, space_after=6)
    grid = table(document, len(conditions) + 1, (14, 116, 30))
    for column, text in enumerate(("序号", "申报条件", "本单位情况")):
        fill(grid.cell(0, column), text, bold=True)
    for row, (text, answer) in enumerate(conditions, start=1):
        fill(grid.cell(row, 0), str(row))
        fill(grid.cell(row, 1), text, align=LEFT)
        fill(grid.cell(row, 2), answer)
    cell_line_spacing(grid, JINCHENG_LINE)
    spacer(document)


def _count(field: str, unit: str) -> str:
    """A number with its unit; a blank number prints nothing, not a bare unit (0 prints 0)."""
    return f'{{{{ {field} }}}}{{% if {field} != "" %}} {unit}{{% endif %}}'


def _yes_no(field: str) -> str:
    return f"{{{{ {field}.是 }}}}是　{{{{ {field}.否 }}}}否"


def _review_boxes(document: DocumentObject) -> None:
    heading = paragraph(document, "三、审核意见", font=HEITI, size=SIZE_4, space_after=6)
    heading.paragraph_format.keep_with_next = True  # type: ignore[attr-defined]
    grid = table(document, 3, (32, 128))
    opinion(
        grid,
        0,
        ["申报单位意见"],
        1,
        "（单位盖章）",
        '{{ 申报日期 or "　　年　　月　　日" }}',
        JINCHENG_BOX,
        room=1,
    )
    opinion(
        grid,
        1,
        ["县（市、区）", "人社局或", "主管单位", "初审意见"],
        1,
        "（盖章）",
        BLANK_DATE,
        JINCHENG_BOX,
        room=1,
    )
    opinion(grid, 2, ["市人社局", "复核意见"], 1, "（盖章）", BLANK_DATE, JINCHENG_BOX, room=1)
    cell_line_spacing(grid, JINCHENG_LINE)
    keep_rows_together(grid, 0, 2)


# The Jincheng 申报书 as the notice's attachment lays it out: a cover, then one page holding
# the unit, the conditions and 三、审核意见 whole. Exact 16-point lines in the tables (小四 with
# a little air), label columns wide enough not to wrap, and 24 mm opinion boxes (a line's room
# above the seal and the date, then the box's own height to write in) let the three sections
# share that page.
JINCHENG_LINE = 16.0
JINCHENG_BOX = 24.0


def spacer(document: DocumentObject, points: float = 8) -> None:
    """A small gap between a table and the next heading (an empty 小四 line is too tall)."""
    para = paragraph(document)
    para.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY  # type: ignore[attr-defined]
    para.paragraph_format.line_spacing = Pt(points)  # type: ignore[attr-defined]


def _cover(document: DocumentObject, name: str) -> None:
    for _ in range(3):
        paragraph(document)
    title(document, [name], size=SIZE_2)
    for _ in range(3):
        paragraph(document)
    for label, value in (("申报单位（盖章）", "{{ 单位名称 }}"), ("申 报 日 期", "{{ 申报日期 }}")):
        para = paragraph(document, f"{label}：", size=SIZE_3, indent_chars=2, space_after=12)
        add_run(para, value, FANGSONG, SIZE_3)
    for _ in range(6):
        paragraph(document)
    paragraph(
        document, "中共晋城市委组织部　晋城市人力资源和社会保障局　制", size=SIZE_4, align=CENTER
    )
    document.add_page_break()


def jincheng_workstation() -> DocumentObject:
    """晋城市技师工作站建设项目申报书: cover, unit, the five conditions of 一(一), reviews."""
    document = new_document()
    unchecked_mark(document)
    _cover(document, "晋城市技师工作站建设项目申报书")
    _unit_block(
        document,
        [
            ("企业", "企业"),
            ("行业协会", "行业协会"),
            ("科研生产型事业单位", "科研生产型事业单位"),
            ("市级以上公共技能实训基地", "市级以上公共技能实训基地"),
            ("技能人才培训基地", "技能人才培训基地"),
        ],
    )
    _conditions(
        document,
        "二、申报条件（晋城市2022年12月2日通知一（一））",
        [
            (
                "单位相应技能岗位有3名以上技师、高级技师或技术技能带头人",
                _count("技师及高级技师人数", "名"),
            ),
            ("建立了较完善的人才培养、评价、使用制度和激励机制", _yes_no("培养评价激励制度")),
            ("具有组织开展师带徒的计划", _yes_no("师带徒计划")),
            (
                "与高校（含技师学院）、科研院所开展合作，具有组织技术攻关、技术研讨等活动的能力",
                _yes_no("校企或院所合作"),
            ),
            (
                "单位经营管理状况良好，能为技师工作站提供相应的资金支持及包括场所、设备在内的必要工作条件",
                _yes_no("资金场地保障"),
            ),
            ("具有本行业（领域）较为先进的生产、科研设施设备", _yes_no("先进设施设备")),
        ],
    )
    _review_boxes(document)
    return document


def jincheng_training_base() -> DocumentObject:
    """晋城市技能人才培养基地建设项目申报书: cover, unit, the conditions of 一(二), reviews."""
    document = new_document()
    unchecked_mark(document)
    _cover(document, "晋城市技能人才培养基地建设项目申报书")
    _unit_block(
        document,
        [
            ("职业院校", "职业院校（含技工院校）"),
            ("企业行业", "企业（行业）"),
            ("职业技能培训机构", "职业技能培训机构"),
            ("公共职业技能实训基地", "公共职业技能实训基地"),
        ],
    )
    _conditions(
        document,
        "二、申报条件（晋城市2022年12月2日通知一（二））",
        [
            (
                "管理规范：已建立规范的培训管理、财务管理、资产管理、风险管理等制度",
                _yes_no("管理制度"),
            ),
            ("遵守国家有关法律法规，未发生过违规违纪事件", _yes_no("无违规记录")),
            (
                "培训能力：具有2个以上与急需紧缺高技能人才培训特色专业（职业、工种）相匹配的实训装备",
                _count("紧缺专业实训装备数", "个"),
            ),
            ("年培训规模不少于300人", _count("年培训人数", "人")),
            ("师资队伍：有满足培训需要的稳定的专、兼职教师队伍", _yes_no("师资队伍")),
            (
                "培训合作（院校、培训机构填写）：与2家以上企业建立了稳定的合作关系",
                _count("合作企业数", "家"),
            ),
            (
                "培训合作（院校、培训机构填写）：有3个以上专业与合作企业（院校）共同研究确定专业建设、课程设置等",
                _count("共建专业数", "个"),
            ),
        ],
    )
    _review_boxes(document)
    return document


def xuchang_class_approval() -> DocumentObject:
    """开班审批表 (许政办〔2013〕52号 四(二)四): class, teaching plan, approval, trainees."""
    document = new_document()
    title(document, ["许昌市职业培训开班审批表"])
    grid = table(document, 8, (30, 50, 30, 50))
    fill(grid.cell(0, 0), "培训机构")
    fill(merged(grid, 0, 1, 3), "{{ 培训机构 }}")
    pairs: list[tuple[tuple[str | list[str], str], tuple[str, str]]] = [
        ((["培训职业", "（工种）"], "{{ 职业工种 }}"), ("培训等级", "{{ 申报等级 }}")),
        (("培训类别", "{{ 培训类别 }}"), ("培训类型", "{{ 培训类型 }}")),
        (("开班日期", "{{ 开班日期 }}"), ("结业日期", "{{ 结业日期 }}")),
        (("培训天数", _count("培训天数", "天")), ("学员人数", _count("学员人数", "人"))),
    ]
    for row, ((label_a, value_a), (label_b, value_b)) in enumerate(pairs, start=1):
        fill(grid.cell(row, 0), label_a)
        fill(grid.cell(row, 1), value_a)
        fill(grid.cell(row, 2), label_b)
        fill(grid.cell(row, 3), value_b)
    fill(grid.cell(5, 0), "教学计划")
    fill(
        merged(grid, 5, 1, 3),
        [
            "{{ 开班日期 }}至{{ 结业日期 }}，共{{ 培训天数 }}天（课程安排、课时见附后教学计划）。",
            "",
            "",
        ],
        align=LEFT,
    )
    row_height(grid, 5, 30)
    opinion(grid, 6, ["培训机构意见"], 3, "（盖章）", BLANK_DATE)
    # left for the approving department to write in: nothing printed but the lines to sign
    opinion(
        grid,
        7,
        ["培训主管部门", "审批意见"],
        3,
        "经办人：　　　　负责人：　　　　（盖章）",
        BLANK_DATE,
    )
    keep_rows_together(grid, 6, 7)
    document.add_page_break()
    paragraph(document, "学员花名册", font=XIAOBIAOSONG, size=SIZE_3, align=CENTER)
    # the roster page names its class, so a loose page still says whose trainees these are
    paragraph(document, "培训机构：{{ 培训机构 }}", size=SIZE_5, align=CENTER)
    paragraph(
        document,
        "职业（工种）：{{ 职业工种 }}　开班日期：{{ 开班日期 }}",
        size=SIZE_5,
        align=CENTER,
        space_after=6,
    )
    roster = table(document, 4, (14, 20, 14, 44, 36, 32))
    for column, text in enumerate(("序号", "姓名", "性别", "身份证号", "人员类别", "联系电话")):
        fill(roster.cell(0, column), text, bold=True)
    loop_rows(roster, 1, "for 学员行 in 学员", 6)
    for column, field in enumerate(("序号", "姓名", "性别", "身份证号", "人员类别", "联系电话")):
        fill(roster.cell(2, column), f"{{{{ 学员行.{field} }}}}", size=SIZE_5)
    return document


def payout_notice() -> DocumentObject:
    """补贴拨付通知及发放表: one payee, amounts in figures and uppercase."""
    document = new_document(size=SIZE_4)
    title(document, ["{{ 项目名称 }}", "补贴拨付通知"])
    paragraph(document, "{{ 收款方 }}：", size=SIZE_4)
    paragraph(
        document,
        "根据{{ 文号 }}，经审核，向{{ 收款方类别 }}{{ 收款方 }}拨付补贴共{{ 笔数 }}笔，"
        "合计人民币{{ 合计金额 }}元（大写：{{ 合计大写 }}），所需资金从{{ 资金来源 }}中列支。"
        "发放明细见下表。",
        size=SIZE_4,
        indent_chars=2,
        space_after=6,
    )
    # 证件号 (a credit code too) on one line at 小五; a unit's name in two lines at most; the
    # amount never broken (1,320,000.00); 计算依据 prints only the amount per person
    # (a notice none of whose lines has an occupation drops 职业（工种）: finish_payout_notice)
    grid = table(document, 6, (12, 30, 48, 22, 22, 26))
    for column, text in enumerate(
        ("序号", "姓名/单位", "证件号", "职业（工种）", "计算依据", "金额（元）")
    ):
        fill(grid.cell(0, column), text, size=SIZE_5, bold=True)
    loop_rows(grid, 1, "for 明细行 in 明细", 6)
    for column, field in enumerate(("序号", "姓名", "证件号", "职业工种", "说明", "金额")):
        # the citation after "（" already appears in the body text; a clause's condition
        # after "，" (评定后直接拨付) is the program's, not this payment's
        value = (
            '明细行.说明.split("（")[0].split("，")[0].split("；")[0]'
            if field == "说明"
            else f"明细行.{field}"
        )
        fill(
            grid.cell(2, column),
            f"{{{{ {value} }}}}",
            size=SIZE_XIAO5 if field == "证件号" else SIZE_5,
            align=RIGHT if field == "金额" else LEFT if field == "姓名" else CENTER,
        )
    _rows_unsplit(grid)
    fill(merged(grid, 4, 0, 4), "合计（小写）", size=SIZE_5, bold=True)
    fill(grid.cell(4, 5), "{{ 合计金额 }}", size=SIZE_5, align=RIGHT)
    fill(grid.cell(5, 0), "大写", size=SIZE_5, bold=True)
    fill(merged(grid, 5, 1, 5), "人民币{{ 合计大写 }}", size=SIZE_5, align=LEFT)
    paragraph(document)
    paragraph(document, "{{ 签字 }}", size=SIZE_4, space_after=6)
    # the issuing authority above the seal and the date (a line per joint issuer)
    paragraph(document)
    issuer = paragraph(document, "{{ 发文机关 }}", size=SIZE_4, align=RIGHT)
    issuer.paragraph_format.right_indent = Pt(SIZE_4 * 2)  # type: ignore[attr-defined]
    paragraph(document, "（盖章）", size=SIZE_4, align=RIGHT)
    paragraph(document, "{{ 制表日期 }}", size=SIZE_4, align=RIGHT)
    return document


def _line_grid(document: DocumentObject, lines: int) -> float:
    """A line grid of ``lines`` lines on the text block (GB/T 9704 5.2.2); returns the pitch.

    Only lines are gridded (w:docGrid type="lines"): a character grid (linesAndChars) makes
    LibreOffice give each 3号 character two grid cells when a cell is narrower than the font,
    which spreads a line to 14 characters. Characters flow naturally instead; see
    :func:`_condense` for fitting 28 of them on a line.
    """
    section = document.sections[0]
    height_pt = (section.page_height - section.top_margin - section.bottom_margin) / 12700
    line_pitch = round(height_pt / lines * 20)  # twentieths of a point
    sect_pr = section._sectPr
    for old in sect_pr.findall(qn("w:docGrid")):
        sect_pr.remove(old)
    grid = OxmlElement("w:docGrid")
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(line_pitch))
    sect_pr.append(grid)
    normal = document.styles["Normal"].paragraph_format
    normal.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.line_spacing = Pt(line_pitch / 20)
    return line_pitch / 20


def _condense(document: DocumentObject, chars: int, size: float) -> None:
    """Tighten the character spacing of every ``size`` run so ``chars`` fit on a line.

    The text block of GB/T 9704 is 156 mm wide and 28 characters of 3号 (15.75 pt, usually
    set as 16 pt) make 441-448 pt; a quarter-point less per character keeps 28 on a line.
    """
    section = document.sections[0]
    width_pt = (section.page_width - section.left_margin - section.right_margin) / 12700
    per_char = width_pt / chars
    if per_char >= size:
        return
    twentieths = -int((size - per_char) * 20 + 1)  # round away from zero: never too wide
    for para in document.paragraphs:
        for run in para.runs:
            if run.font.size is None or run.font.size.pt != size:
                continue
            rpr = run._element.get_or_add_rPr()
            spacing = OxmlElement("w:spacing")
            spacing.set(qn("w:val"), str(twentieths))
            sz = rpr.find(qn("w:sz"))
            if sz is not None:
                sz.addprevious(spacing)
            else:
                rpr.append(spacing)


SIZE_BANNER = 26.0  # 发文机关标志: 小标宋, red, larger than the 2号 title (GB/T 9704 7.2.2)


def _exact(para: object, points: float) -> None:
    """Exact line spacing off the line grid, for lines that are not 3号 body text."""
    fmt = para.paragraph_format  # type: ignore[attr-defined]
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(points)
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    para._p.get_or_add_pPr().insert_element_before(  # type: ignore[attr-defined]
        snap, "w:spacing", "w:ind", "w:jc", "w:rPr"
    )


def _red_rule_below(para: object, gap_mm: float) -> None:
    """The red separator line ``gap_mm`` under ``para``, as wide as the text block (7.2.5)."""
    ppr = para._p.get_or_add_pPr()  # type: ignore[attr-defined]
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "12")  # eighths of a point: 1.5 pt
    bottom.set(qn("w:space"), str(round(gap_mm / 25.4 * 72)))  # points
    bottom.set(qn("w:color"), "FF0000")
    borders.append(bottom)
    ppr.insert_element_before(borders, "w:spacing", "w:ind", "w:jc", "w:rPr")


def _keep_with_next(para: object) -> None:
    para.paragraph_format.keep_with_next = True  # type: ignore[attr-defined]


def _rows_unsplit(grid: Table) -> None:
    """No table row breaks across a page (w:cantSplit)."""
    for index in range(len(grid.rows)):
        unsplit_row(grid, index)


def _field(para: object, instruction: str, font: str, size: float) -> None:
    """A Word field (PAGE) in ``para``, showing 1 until the reader updates it."""
    for kind, text in (
        ("begin", None),
        (None, f" {instruction} "),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        run = para.add_run()  # type: ignore[attr-defined]
        run.font.size = Pt(size)
        set_fonts(run._element, font, latin=font)
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)
        elif text and text.strip() == instruction:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._element.append(instr)
        else:
            run.text = text or ""


def _page_numbers(document: DocumentObject) -> None:
    """页码 (GB/T 9704 7.5): 4号半角宋体 — 1 —, odd pages right, even left, 一字 from the edge."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    # the number's line sits 7 mm under the text block: 35 mm margin - 7 mm - the 4号 line
    section.footer_distance = Mm(23)
    for footer, align in ((section.footer, RIGHT), (section.even_page_footer, LEFT)):
        footer.is_linked_to_previous = False
        para = footer.paragraphs[0]
        para.alignment = align
        fmt = para.paragraph_format
        fmt.space_after = Pt(0)
        if align is RIGHT:
            fmt.right_indent = Pt(SIZE_4)
        else:
            fmt.left_indent = Pt(SIZE_4)
        add_run(para, "— ", SONGTI, SIZE_4)
        _field(para, "PAGE", SONGTI, SIZE_4)
        add_run(para, " —", SONGTI, SIZE_4)
        for run in para.runs:
            set_fonts(run._element, SONGTI, latin=SONGTI)


def jincheng_notice() -> DocumentObject:
    """公示 in GB/T 9704-2012 layout: 版头, title, body with the contact, units, 署名, date."""
    document = new_document(margins_mm=(37, 35, 28, 26), font=FANGSONG, size=SIZE_3)
    pitch = _line_grid(document, lines=22)
    # 版头: the red 发文机关标志, each joint issuer on a line of its own (联合行文)
    paragraph(document, "{%p for 机关 in 发文机关 %}", size=SIZE_3)
    banner = paragraph(document, "{{ 机关 }}", font=XIAOBIAOSONG, size=SIZE_BANNER, align=CENTER)
    _exact(banner, 40)
    for run in banner.runs:  # type: ignore[attr-defined]
        run.font.color.rgb = RED
    paragraph(document, "{%p endfor %}", size=SIZE_3)
    # 发文字号 two lines under the 标志, centred; the red separator line 4 mm under it
    paragraph(document, size=SIZE_3)
    paragraph(document, size=SIZE_3)
    number = paragraph(document, "{{ 发文字号 }}", size=SIZE_3, align=CENTER)
    _red_rule_below(number, 4)
    # the title two lines under the separator; a long one turns at a phrase (\n in 标题)
    paragraph(document, size=SIZE_3)
    paragraph(document, size=SIZE_3)
    heading = paragraph(document, "{{ 标题 }}", font=XIAOBIAOSONG, size=SIZE_2, align=CENTER)
    _exact(heading, pitch * 1.2)
    _keep_with_next(heading)
    paragraph(document, size=SIZE_3)
    body = [
        "根据{{ 项目名称 }}评审工作安排，经资格初审、资格复核、专家评审和征求意见，"
        "拟认定以下{{ 单位列表|length }}家单位。现予以公示。",
        "公示期：{{ 公示开始日期 }}至{{ 公示结束日期 }}（{{ 公示天数 }}个工作日）。"
        "公示期间，对公示单位有异议的，请以书面形式实名向{{ 发文单位 }}反映。",
        "联系人：{{ 联系人 }}　　联系电话：{{ 联系电话 }}",
    ]
    for text in body:
        para = paragraph(
            document, text, size=SIZE_3, indent_chars=2, align=WD_ALIGN_PARAGRAPH.JUSTIFY
        )
        para.paragraph_format.widow_control = True  # type: ignore[attr-defined]
    paragraph(document, size=SIZE_3)
    # 小四 in the table: the 18-character credit code fits on one line in 62 mm (156 in all)
    grid = table(document, 4, (13, 60, 62, 21))
    for column, text in enumerate(("序号", "单位名称", "统一社会信用代码", "评审得分")):
        fill(grid.cell(0, column), text, size=SIZE_XIAO4, font=HEITI)
    loop_rows(grid, 1, "for 单位 in 单位列表", 4)
    for column, field in enumerate(("序号", "单位名称", "统一社会信用代码", "评审得分")):
        fill(grid.cell(2, column), f"{{{{ 单位.{field} }}}}", size=SIZE_XIAO4)
    repeat_header(grid)
    _rows_unsplit(grid)
    cell_line_spacing(grid, 20)
    # room for the seal: its top within a line of the text above, pressing on 署名 and date
    for _ in range(2):
        _keep_with_next(paragraph(document, size=SIZE_3))
    # 署名: each issuer on its own line, centred over the date (7.3.5.1)
    _keep_with_next(paragraph(document, "{%p for 机关 in 发文机关 %}", size=SIZE_3))
    signer = paragraph(document, "{{ 机关 }}", size=SIZE_3, align=RIGHT)
    signer.paragraph_format.right_indent = Pt(SIZE_3 * 2)  # type: ignore[attr-defined]
    _keep_with_next(signer)
    _keep_with_next(paragraph(document, "{%p endfor %}", size=SIZE_3))
    # 成文日期 右空四字
    dated = paragraph(document, "{{ 发布日期 }}", size=SIZE_3, align=RIGHT)
    dated.paragraph_format.right_indent = Pt(SIZE_3 * 4)  # type: ignore[attr-defined]
    _page_numbers(document)
    _condense(document, chars=28, size=SIZE_3)
    return document


FORMS = {
    "guangxi-2012-application": guangxi_application,
    "jincheng-workstation-application": jincheng_workstation,
    "jincheng-training-base-application": jincheng_training_base,
    "xuchang-class-approval": xuchang_class_approval,
    "payout-notice": payout_notice,
    "jincheng-notice": jincheng_notice,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "templates")
    parser.add_argument("forms", nargs="*", help="only these forms (default: all)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.forms or FORMS:
        save(FORMS[name](), args.out / f"{name}.docx")
        print(f"wrote {args.out / f'{name}.docx'}")


if __name__ == "__main__":
    main()
