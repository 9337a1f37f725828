"""Paper a 科长 would sign: the notice's GB/T 9704 layout, its self-check, and printed pages."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.text.run import Run as DocxRun

from conftest import ROOT, Run
from skillpolicy.domain.errors import InputError, ParameterError
from skillpolicy.render import DocxTemplate, RenderOptions, form_spec, load_documents
from skillpolicy.render import render_documents as render_batch
from skillpolicy.render.forms import PayoutNotice, notice_contact, notice_title
from skillpolicy.render.layout import check_notice_layout

EXAMPLES = ROOT / "examples"
TEMPLATES = ROOT / "templates"
PARAMS = EXAMPLES / "skillpolicy.toml"
FONTS = TEMPLATES / "fonts" / "skillpolicy-fonts.conf"  # as `render --pdf` maps the fonts
CODES = ["91140500MA0K12348W", "91140500110012344R"]

needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)


def designation_sheet(path: Path, units: int) -> Path:
    """A clean designation sheet of ``units`` designated units."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["单位名称", "统一社会信用代码", "评审得分", "是否授牌", "验收结果"])
    for index in range(units):
        code = CODES[index % 2]
        sheet.append([f"晋城市第{index + 1}机械制造有限公司", code, 90 - index % 9, "是", None])
    workbook.save(path)
    return path


def render_notice(
    tmp_path: Path,
    *,
    units: int = 2,
    program: str = "jincheng-2022-training-base",
    doc_number: str | None = "晋市人社〔2026〕12号",
    contact: str | None = None,
    pdf: bool = False,
) -> list[Path]:
    """The notice from a designation sheet: [docx] or [docx, pdf]."""
    sheet = designation_sheet(tmp_path / "评审授牌表.xlsx", units)
    spec = form_spec("jincheng-notice")
    options = RenderOptions(
        program=program,
        params=PARAMS,
        published=dt.date(2026, 9, 28),
        doc_number=doc_number,
        contact=contact,
    )
    documents = load_documents(spec, sheet, options)
    template = DocxTemplate(TEMPLATES / spec.template_name)
    result = render_batch(spec, documents, template, tmp_path / "out", pdf=pdf, font_aliases=FONTS)
    return [*result.documents, *result.pdfs]


def pdf_pages(path: Path) -> list[str]:
    """The text of each page of a PDF, spaces removed (CJK text extracts with stray spaces)."""
    from pypdf import PdfReader

    return [re.sub(r"[ \u3000]", "", page.extract_text() or "") for page in PdfReader(path).pages]


def red(run: DocxRun) -> bool:
    color = run.font.color
    return color is not None and color.rgb is not None and str(color.rgb) == "FF0000"


# ---------------------------------------------------------------------------
# The notice (.docx)
# ---------------------------------------------------------------------------


def test_notice_banner_names_each_issuer_in_red_over_the_doc_number(tmp_path: Path) -> None:
    """版头: each joint issuer is a red 小标宋 line, then the 发文字号 centred over a red rule."""
    document = docx.Document(str(render_notice(tmp_path)[0]))
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    assert [p.text for p in paragraphs[:2]] == ["中共晋城市委组织部", "晋城市人力资源和社会保障局"]
    for banner in paragraphs[:2]:
        assert all(red(run) for run in banner.runs)
        fonts = banner.runs[0]._element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        assert fonts is not None and fonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    number = paragraphs[2]
    assert number.text == "晋市人社〔2026〕12号"
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    rule = number._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}")
    assert rule is not None and rule.get(qn("w:color")) == "FF0000"
    assert rule.get(qn("w:space")) == "11"  # 4 mm in points


def test_notice_title_turns_between_phrases_not_inside_one() -> None:
    """A title too long for one 2号 line turns before 拟认定单位的公示, never mid-phrase."""
    assert notice_title("关于晋城市市级技能人才培养基地", "拟认定单位的公示") == (
        "关于晋城市市级技能人才培养基地\n拟认定单位的公示"
    )
    assert notice_title("关于某市技师站", "拟认定单位的公示") == "关于某市技师站拟认定单位的公示"


def test_notice_names_the_contact_from_the_program_file(tmp_path: Path) -> None:
    """The body names 联系人 and 联系电话 from the program file (the seed's 郭大勇, 2199488)."""
    document = docx.Document(str(render_notice(tmp_path)[0]))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "联系人：郭大勇　　联系电话：2199488" in text


def test_contact_option_overrides_the_program_file(tmp_path: Path) -> None:
    """--contact "姓名 电话" replaces the program file's contact; a malformed one is refused."""
    document = docx.Document(str(render_notice(tmp_path, contact="王丽 0356-2199000")[0]))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "联系人：王丽　　联系电话：0356-2199000" in text and "郭大勇" not in text
    with pytest.raises(InputError, match="联系人 联系电话"):
        notice_contact("王丽", None)
    with pytest.raises(InputError, match="--contact"):
        notice_contact(None, None)


def test_notice_signs_each_issuer_on_its_own_line_above_the_date(tmp_path: Path) -> None:
    """署名: one line per issuer (not joined with 、), kept with the date; date 右空四字."""
    document = docx.Document(str(render_notice(tmp_path)[0]))
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    assert [p.text for p in paragraphs[-3:]] == [
        "中共晋城市委组织部",
        "晋城市人力资源和社会保障局",
        "2026年9月28日",
    ]
    date = paragraphs[-1]
    assert date.paragraph_format.right_indent is not None
    assert date.paragraph_format.right_indent.pt == 64  # four 3号 characters
    for signer in paragraphs[-3:-1]:
        assert signer.paragraph_format.keep_with_next


def test_notice_has_page_numbers_odd_right_even_left(tmp_path: Path) -> None:
    """页码: — PAGE — in 4号 宋体, odd pages right, even pages left (different even footer)."""
    document = docx.Document(str(render_notice(tmp_path)[0]))
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, alignment in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        para = footer.paragraphs[0]
        assert para.alignment == alignment
        assert para.text.startswith("— ") and para.text.endswith(" —")
        instructions = [t.text for t in para._p.iter(qn("w:instrText"))]
        assert [i.strip() for i in instructions] == ["PAGE"]
        sizes = {run.font.size.pt for run in para.runs if run.font.size is not None}
        assert sizes == {14.0}


def test_notice_table_rows_never_split_across_pages(tmp_path: Path) -> None:
    """Every row of the units table is marked cantSplit, and the header repeats."""
    document = docx.Document(str(render_notice(tmp_path)[0]))
    rows = document.tables[0].rows
    assert len(rows) == 3
    for row in rows:
        assert row._tr.trPr.find(qn("w:cantSplit")) is not None


# ---------------------------------------------------------------------------
# The layout self-check
# ---------------------------------------------------------------------------


def test_rendered_notice_passes_the_layout_check(tmp_path: Path) -> None:
    """A notice rendered from the shipped template keeps every checked GB/T 9704 rule."""
    assert check_notice_layout(render_notice(tmp_path)[0]) == []


def _edited(source: Path, target: Path, edit: str) -> Path:
    document = docx.Document(str(source))
    section = document.sections[0]
    if edit == "margins":
        section.left_margin = docx.shared.Mm(20)
    elif edit == "black":
        for para in document.paragraphs:
            for run in para.runs:
                run.font.color.rgb = docx.shared.RGBColor(0, 0, 0)
            border = para._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}")
            if border is not None:
                border.getparent().remove(border)
    elif edit == "footer":
        document.settings.odd_and_even_pages_header_footer = False
        for para in section.footer.paragraphs:
            para._p.getparent().remove(para._p)
    elif edit == "body":
        body = next(p for p in document.paragraphs if p.text.startswith("根据"))
        for run in body.runs:
            run.font.size = docx.shared.Pt(14)
    document.save(str(target))
    return target


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        ("margins", ["左白边 20.0 mm，应为 28 mm"]),
        ("black", ["红色分隔线", "红色的发文机关标志"]),
        ("footer", ["单页页脚没有页码域", "奇偶页不同"]),
        ("body", ["应为 3号（16 磅）仿宋体"]),
    ],
)
def test_layout_check_names_each_deviation(tmp_path: Path, edit: str, words: list[str]) -> None:
    """An edited notice (margins, colours, footer, body size) is reported with the clause."""
    edited = _edited(render_notice(tmp_path)[0], tmp_path / f"{edit}.docx", edit)
    problems = [str(problem) for problem in check_notice_layout(edited)]
    for word in words:
        assert any(word in problem for problem in problems), problems
    assert all("GB/T 9704-2012" in problem for problem in problems)


# 25 characters: the 公示期 paragraph's third line then ends 「…反」 and 「映。」 would stand alone
LONG_ISSUER = "中共晋城市委组织部、晋城市人力资源社会保障局办公室"


def _lone_line_notice(source: Path, target: Path) -> Path:
    """The notice with issuers whose names leave 「映。」 alone on the 公示期 paragraph's last line."""
    document = docx.Document(str(source))
    body = next(p for p in document.paragraphs if p.text.startswith("公示期"))
    (run,) = body.runs
    run.text = re.sub(r"向.*反映", f"向{LONG_ISSUER}反映", run.text)
    document.save(str(target))
    return target


def test_layout_check_reports_a_lone_character_and_the_notice_is_set_tighter(
    tmp_path: Path,
) -> None:
    """A paragraph ending in a lone character is reported; tighten_lone_lines cures it."""
    from skillpolicy.render.layout import tighten_lone_lines

    assert len(LONG_ISSUER) == 25
    lone = _lone_line_notice(render_notice(tmp_path)[0], tmp_path / "lone.docx")
    problems = [str(problem) for problem in check_notice_layout(lone)]
    assert any("末行只有一个字" in p and "映。" in p for p in problems), problems
    cured = tmp_path / "cured.docx"
    cured.write_bytes(tighten_lone_lines(lone.read_bytes()))
    assert check_notice_layout(cured) == []
    body = next(p for p in docx.Document(str(cured)).paragraphs if p.text.startswith("公示期"))
    spacing = body.runs[0]._element.find(f"{qn('w:rPr')}/{qn('w:spacing')}")
    assert spacing is not None and -25 <= int(spacing.get(qn("w:val"))) < -5  # at most 1 pt


@pytest.mark.slow
@needs_soffice
def test_printed_notice_ends_no_paragraph_in_a_lone_character(tmp_path: Path) -> None:
    """Through LibreOffice: the uncured notice shows 「映。」 alone, the tightened one does not."""
    from skillpolicy.render.layout import tighten_lone_lines
    from skillpolicy.render.pdf import convert_to_pdf

    lone = _lone_line_notice(render_notice(tmp_path)[0], tmp_path / "lone.docx")
    cured = tmp_path / "cured.docx"
    cured.write_bytes(tighten_lone_lines(lone.read_bytes()))
    (tmp_path / "pdf").mkdir()
    before, after = convert_to_pdf([lone, cured], tmp_path / "pdf", FONTS)
    assert "映。" in pdf_pages(before)[0].splitlines()
    lines = pdf_pages(after)[0].splitlines()
    assert "映。" not in lines and any(line.endswith("反映。") for line in lines)


def test_check_layout_cli_exit_codes(tmp_path: Path, run_cli: Run) -> None:
    """--check-layout: 0 when the notice conforms, 1 listing deviations, 2 for a non-docx."""
    good = render_notice(tmp_path)[0]
    result = run_cli("render", "jincheng-notice", "--check-layout", good)
    assert result.returncode == 0, result.stderr
    assert "符合 GB/T 9704-2012" in result.stdout
    bad = _edited(good, tmp_path / "bad.docx", "margins")
    result = run_cli("render", "jincheng-notice", "--check-layout", bad)
    assert result.returncode == 1
    assert "左白边" in result.stdout and "1 处不符合" in result.stderr
    result = run_cli("render", "jincheng-notice", "--check-layout", tmp_path / "评审授牌表.xlsx")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_doc_number_option_reaches_the_notice(tmp_path: Path, run_cli: Run) -> None:
    """render jincheng-notice --doc-number prints the number under the 发文机关标志."""
    sheet = designation_sheet(tmp_path / "d.xlsx", 2)
    result = run_cli(
        "render",
        "jincheng-notice",
        "--data",
        sheet,
        "--program",
        "jincheng-2022-workstation",
        "--params",
        PARAMS,
        "--published",
        "2026-09-28",
        "--doc-number",
        "晋市人社〔2026〕7号",
        "--contact",
        "王丽，0356-2199000",
        "--out",
        tmp_path / "out",
    )
    assert result.returncode == 0, result.stderr
    (notice,) = (tmp_path / "out").glob("*.docx")
    text = "\n".join(p.text for p in docx.Document(str(notice)).paragraphs)
    assert "晋市人社〔2026〕7号" in text and "联系人：王丽" in text


# ---------------------------------------------------------------------------
# Printed pages (LibreOffice)
# ---------------------------------------------------------------------------


@pytest.mark.slow
@needs_soffice
def test_printed_notice_pages_numbers_and_signature_block(tmp_path: Path) -> None:
    """PDF: two pages numbered — 1 — and — 2 —, title whole, 署名 and date on one page."""
    pdf = render_notice(tmp_path, pdf=True)[1]
    pages = pdf_pages(pdf)
    assert len(pages) == 2
    assert "—1—" in pages[0] and "—2—" in pages[1]
    assert "关于晋城市市级技能人才培养基地\n拟认定单位的公示" in pages[0]
    assert "中共晋城市委组织部\n晋城市人力资源和社会保障局\n2026年9月28日" in pages[-1]


def notice_toml(path: Path, units: int) -> Path:
    """The notice's fields as a TOML data file with ``units`` units (no quota applies)."""
    lines = [
        "[[documents]]",
        '"发文机关" = ["中共晋城市委组织部", "晋城市人力资源和社会保障局"]',
        '"发文字号" = "晋市人社〔2026〕12号"',
        '"标题" = "关于晋城市市级技师工作站拟认定单位的公示"',
        '"项目名称" = "晋城市市级技师工作站"',
        '"公示天数" = 5',
        '"公示开始日期" = 2026-09-28',
        '"公示结束日期" = 2026-10-09',
        '"发文单位" = "中共晋城市委组织部、晋城市人力资源和社会保障局"',
        '"联系人" = "郭大勇"',
        '"联系电话" = "2199488"',
        '"发布日期" = 2026-09-28',
    ]
    for index in range(units):
        lines += [
            '[[documents."单位列表"]]',
            f'"序号" = {index + 1}',
            f'"单位名称" = "晋城市第{index + 1}号精密机械装备制造有限责任公司"',
            f'"统一社会信用代码" = "{CODES[index % 2]}"',
            '"评审得分" = "88.5"',
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
@needs_soffice
def test_printed_notice_keeps_each_table_row_on_one_page(tmp_path: Path) -> None:
    """PDF of a 40-unit notice: every unit's row (wrapped name and code) is whole on one page."""
    spec = form_spec("jincheng-notice")
    documents = load_documents(spec, notice_toml(tmp_path / "n.toml", 40), RenderOptions())
    template = DocxTemplate(TEMPLATES / spec.template_name)
    pdf = render_batch(
        spec, documents, template, tmp_path / "out", pdf=True, font_aliases=FONTS
    ).pdfs[0]
    pages = pdf_pages(pdf)
    assert len(pages) >= 3
    flat = [page.replace("\n", "") for page in pages]
    for index in range(40):
        row = f"{index + 1}晋城市第{index + 1}号精密机械装备制造有限责任公司{CODES[index % 2]}88.5"
        assert sum(row in page for page in flat) == 1, row
    for number, page in enumerate(pages, start=1):
        assert f"—{number}—" in page


# ---------------------------------------------------------------------------
# Forms
# ---------------------------------------------------------------------------


def render_form(
    form: str, data: str, out: Path, *, pdf: bool = False, **update: object
) -> tuple[list[Path], list[Path]]:
    """Render an example's forms (fields in ``update`` replaced in every one): (docx, pdf)."""
    spec = form_spec(form)
    documents = load_documents(spec, EXAMPLES / data, RenderOptions(allow_errors=True))
    if update:
        documents = [document.model_copy(update=update) for document in documents]
    template = DocxTemplate(TEMPLATES / spec.template_name)
    result = render_batch(spec, documents, template, out, pdf=pdf, font_aliases=FONTS)
    return result.documents, result.pdfs


def all_text(path: Path) -> str:
    """Every paragraph of a .docx, in the body and in its tables."""
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    for grid in document.tables:
        for row in grid.rows:
            texts.extend(cell.text for cell in row.cells)
    return "\n".join(texts)


def opinion_rows(path: Path) -> list[tuple[str, bool]]:
    """(label, cantSplit) of every opinion box: a row labelled …意见 ending in a 年 月 日 line."""
    rows = []
    for grid in docx.Document(str(path)).tables:
        for row in grid.rows:
            if row.cells[0].text.endswith("意见") and row.cells[-1].text.rstrip().endswith("日"):
                tr_pr = row._tr.trPr
                unsplit = tr_pr is not None and tr_pr.find(qn("w:cantSplit")) is not None
                rows.append((row.cells[0].text, unsplit))
    return rows


@pytest.mark.parametrize(
    ("form", "data"),
    [
        ("guangxi-2012-application", "guangxi-2012-technician-application.xlsx"),
        ("jincheng-workstation-application", "jincheng-2022-workstation.xlsx"),
        ("jincheng-training-base-application", "jincheng-2022-training-base.xlsx"),
        ("xuchang-class-approval", "xuchang-2013-revitalization.xlsx"),
    ],
)
def test_opinion_boxes_never_split_across_pages(form: str, data: str, tmp_path: Path) -> None:
    """Every opinion box (label to its 年 月 日 line) is a row that cannot break across pages."""
    files, _ = render_form(form, data, tmp_path)
    boxes = opinion_rows(files[0])
    assert len(boxes) >= 2
    assert all(unsplit for _, unsplit in boxes), boxes


def test_review_heading_is_kept_with_its_boxes(tmp_path: Path) -> None:
    """三、审核意见 is kept with the table of opinion boxes under it."""
    files, _ = render_form(
        "jincheng-workstation-application", "jincheng-2022-workstation.xlsx", tmp_path
    )
    document = docx.Document(str(files[0]))
    heading = next(p for p in document.paragraphs if p.text == "三、审核意见")
    assert heading.paragraph_format.keep_with_next


def test_empty_numbers_print_nothing_not_a_bare_unit(tmp_path: Path) -> None:
    """A blank count prints an empty cell (not 名/个/家/人); 0 prints as 0 with its unit."""
    files, _ = render_form(
        "jincheng-training-base-application",
        "jincheng-2022-training-base.xlsx",
        tmp_path / "blank",
        紧缺专业实训装备数="",
        合作企业数="",
        年培训人数="0",
    )
    rows = [
        [cell.text for cell in row.cells] for row in docx.Document(str(files[0])).tables[1].rows
    ]
    answers = {row[1][:8]: row[2] for row in rows[1:]}
    assert answers["培训能力：具有2"] == ""
    assert answers["年培训规模不少于"] == "0 人"
    assert not any(row[2].strip() in ("名", "个", "家", "人") for row in rows[1:])


def test_unlisted_qualification_is_labelled_other(tmp_path: Path) -> None:
    """A 主体资格 that is none of the six prints as 其他：…, not unlabelled under the boxes."""
    files, _ = render_form(
        "guangxi-2012-application", "guangxi-2012-technician-application.xlsx", tmp_path
    )
    path = tmp_path / "附件2-桂林市漓江职业培训学校.docx"
    assert path in files
    boxes = docx.Document(str(path)).tables[0].rows[4].cells[1].text
    assert boxes.splitlines()[-1] == "其他：民办职业培训学校"
    others = docx.Document(str(tmp_path / "附件2-广西桂南技师学院.docx")).tables[0]
    assert "其他" not in others.rows[4].cells[1].text


def test_class_approval_masks_phones_names_the_class_and_leaves_approval_blank(
    tmp_path: Path,
) -> None:
    """开班审批表: phones masked like IDs, the roster page names its class, 审批意见 unfilled."""
    files, _ = render_form("xuchang-class-approval", "xuchang-2013-revitalization.xlsx", tmp_path)
    for path in files:
        document = docx.Document(str(path))
        trainees = document.tables[1].rows[1:]
        for row in trainees:
            phone = row.cells[5].text
            assert re.fullmatch(r"1\d\d\*{4}\d{4}", phone), phone
            assert "*" in row.cells[3].text
        heading = "\n".join(p.text for p in document.paragraphs)
        form = document.tables[0]
        assert f"培训机构：{form.rows[0].cells[1].text}" in heading
        assert f"职业（工种）：{form.rows[1].cells[1].text}" in heading
        approval = next(row for row in form.rows if row.cells[0].text == "培训主管部门\n审批意见")
        assert re.search(r"\d{4}年", approval.cells[1].text) is None


def test_form_headings_use_full_width_brackets(tmp_path: Path) -> None:
    """Chinese text in the forms uses full-width brackets and colons: 一（一）, not 一(一)."""
    for form, data in (
        ("jincheng-workstation-application", "jincheng-2022-workstation.xlsx"),
        ("jincheng-training-base-application", "jincheng-2022-training-base.xlsx"),
    ):
        files, _ = render_form(form, data, tmp_path / form)
        text = all_text(files[0])
        assert re.search(r"[一二三四五六七八九十]\([一二三四五六七八九十]\)", text) is None
        assert re.search(r"[\u4e00-\u9fff] ?:", text) is None


@pytest.mark.slow
@needs_soffice
def test_printed_applications_keep_boxes_whole(tmp_path: Path) -> None:
    """PDF: 附件2 with three occupations is one page; every Jincheng form is a cover and one
    page holding 一、二 and 三、审核意见 whole, as the notice's attachment lays it out."""
    _, pdfs = render_form(
        "guangxi-2012-application",
        "guangxi-2012-technician-application.xlsx",
        tmp_path / "gx",
        pdf=True,
    )
    three = next(pdf for pdf in pdfs if pdf.stem == "附件2-广西桂南技师学院")
    assert len(pdf_pages(three)) == 1
    assert all(len(pdf_pages(pdf)) == 1 for pdf in pdfs)
    for form, data in (
        ("jincheng-workstation-application", "jincheng-2022-workstation.xlsx"),
        ("jincheng-training-base-application", "jincheng-2022-training-base.xlsx"),
    ):
        _, pdfs = render_form(form, data, tmp_path / form, pdf=True)
        assert len(pdfs) == 8
        for pdf in pdfs:
            pages = pdf_pages(pdf)
            assert len(pages) == 2, (pdf.name, len(pages))
            assert "申报单位（盖章）" in pages[0], pdf.name  # the cover
            review = [page for page in pages if "三、审核意见" in page]
            assert review == [pages[1]], pdf.name
            assert "一、申报单位基本情况" in pages[1] and "二、申报条件" in pages[1], pdf.name
            flat = review[0].replace("\n", "")
            for label in ("申报单位意见", "初审意见", "市人社局复核意见"):
                assert label in flat, (pdf.name, label)
            assert flat.count("年月日") == 2, pdf.name


def payout_notices(
    tmp_path: Path, data: str, program: str, issuer: str | None = None
) -> list[Path]:
    """Payout notices rendered from an example sheet."""
    spec = form_spec("payout-notice")
    options = RenderOptions(program=program, params=PARAMS, issuer=issuer)
    documents = load_documents(spec, EXAMPLES / data, options)
    template = DocxTemplate(TEMPLATES / spec.template_name)
    return render_batch(spec, documents, template, tmp_path).documents


def test_payout_notice_names_its_issuer_above_the_seal(tmp_path: Path) -> None:
    """拨付通知: the issuing authority (program file, or --issuer) stands above （盖章） and the date."""
    files = payout_notices(
        tmp_path / "a", "guangxi-2012-technician.xlsx", "guangxi-2012-technician"
    )
    lines = [p.text for p in docx.Document(str(files[0])).paragraphs if p.text.strip()]
    assert lines[-3:-1] == ["自治区党委人才工作协调小组", "（盖章）"]
    files = payout_notices(
        tmp_path / "b", "guangxi-2012-technician.xlsx", "guangxi-2012-technician", "南宁市人社局"
    )
    lines = [p.text for p in docx.Document(str(files[0])).paragraphs if p.text.strip()]
    assert lines[-3] == "南宁市人社局"


def test_payout_notice_has_no_engineer_text(tmp_path: Path) -> None:
    """No file name, no clause number in the fund's name, amounts grouped alike (1,900.00)."""
    for data, program in (
        ("guangxi-2012-technician.xlsx", "guangxi-2012-technician"),
        ("xuchang-2013-revitalization.xlsx", "xuchang-2013-revitalization"),
        ("jincheng-2022-workstation-designation.xlsx", "jincheng-2022-workstation"),
    ):
        for path in payout_notices(tmp_path / program, data, program):
            text = all_text(path)
            assert "数据来源" not in text and ".xlsx" not in text, path.name
            assert re.search(r"资金（|经费（", text) is None, path.name
            assert re.search(r"(?<![\d,])\d{4,}\.\d\d", text) is None, path.name
            assert re.search(r"[a-z]+-[a-z]+", text) is None, path.name


def test_payout_notice_drops_an_occupation_column_nobody_fills(tmp_path: Path) -> None:
    """Jincheng notices (units) print no 职业（工种） column; the grid stays whole and as wide."""
    for path in payout_notices(
        tmp_path / "j", "jincheng-2022-workstation-designation.xlsx", "jincheng-2022-workstation"
    ):
        table = docx.Document(str(path)).tables[0]
        header = [cell.text for cell in table.rows[0].cells]
        assert header == ["序号", "姓名/单位", "证件号", "计算依据", "金额（元）"], path.name
        grid = table._tbl.tblGrid.findall(qn("w:gridCol"))
        assert len(grid) == 5
        for row in table.rows:
            spans = [int(tc.tcPr.gridSpan.val) if tc.tcPr is not None and tc.tcPr.gridSpan
                     is not None else 1 for tc in row._tr.tc_lst]  # fmt: skip
            assert sum(spans) == 5, path.name
        assert table.rows[-1].cells[1].text.startswith("人民币"), path.name
    (kept,) = [
        p
        for p in payout_notices(
            tmp_path / "g", "guangxi-2012-technician.xlsx", "guangxi-2012-technician"
        )
        if p.name == "补贴拨付通知-广西桂南技师学院.docx"
    ]
    header = [cell.text for cell in docx.Document(str(kept)).tables[0].rows[0].cells]
    assert "职业（工种）" in header


@pytest.mark.slow
@needs_soffice
def test_printed_payout_notice_keeps_names_and_numbers_whole(tmp_path: Path) -> None:
    """PDF: a unit's name, its credit code and each amount are unbroken on the printed line."""
    spec = form_spec("payout-notice")
    options = RenderOptions(program="jincheng-2022-workstation", params=PARAMS)
    documents = load_documents(
        spec, EXAMPLES / "jincheng-2022-workstation-designation.xlsx", options
    )
    template = DocxTemplate(TEMPLATES / spec.template_name)
    result = render_batch(spec, documents, template, tmp_path, pdf=True, font_aliases=FONTS)
    for pdf, document in zip(result.pdfs, documents, strict=True):
        assert isinstance(document, PayoutNotice)
        pages = pdf_pages(pdf)
        assert len(pages) == 1
        lines = pages[0].splitlines()
        for item in document.明细:
            assert any(item.证件号 in line for line in lines), item.证件号
            assert any(item.金额 in line for line in lines), item.金额


# ---------------------------------------------------------------------------
# Workbooks
# ---------------------------------------------------------------------------


def assert_print_ready(book: openpyxl.Workbook) -> None:
    """Every sheet: A4, one page wide, footer 第 &P 页 共 &N 页, margins that leave it room."""
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        setup = sheet.page_setup
        assert str(setup.paperSize) == "9", sheet.title
        assert setup.fitToWidth == 1 and setup.fitToHeight == 0, sheet.title
        assert sheet.sheet_properties.pageSetUpPr is not None
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        odd = sheet.oddFooter
        assert odd is not None and odd.center is not None, sheet.title
        footer = odd.center.text or ""
        assert "&P" in footer and "&N" in footer, sheet.title
        margins = sheet.page_margins
        assert margins.bottom is not None and margins.footer is not None
        assert margins.bottom > margins.footer + 0.3, sheet.title
        assert_rows_show_wrapped_text(sheet)


def _display_width(text: str) -> int:
    """Width in Excel character units: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _column_chars(sheet: Any, column: int) -> float:
    """A column's width in characters as saved (ranges of columns included), else Excel's."""
    for dimension in sheet.column_dimensions.values():
        inside = dimension.min is not None and dimension.min <= column <= (dimension.max or 0)
        if inside and dimension.customWidth:
            return float(dimension.width)
    return 8.43


def assert_rows_show_wrapped_text(sheet: Any) -> None:
    """Each row holding wrapped text has an explicit height tall enough for all its lines
    (Excel does not grow the rows of a file openpyxl wrote)."""
    spans = {
        (m.min_row, m.min_col): sum(
            _column_chars(sheet, c) for c in range(m.min_col, m.max_col + 1)
        )
        for m in sheet.merged_cells.ranges
    }
    for row in sheet.iter_rows():
        for cell in row:
            if not isinstance(cell.value, str) or not cell.value:
                continue
            width = spans.get((cell.row, cell.column)) or _column_chars(sheet, cell.column)
            if cell.alignment is None or not cell.alignment.wrap_text:
                beside = sheet.cell(row=cell.row, column=cell.column + 1).value
                cut = beside is not None and _display_width(cell.value) > width
                assert not cut, (sheet.title, cell.coordinate, cell.value)  # would be cut off
                continue
            size = float(cell.font.sz or 11) if cell.font is not None else 11.0
            per_line = max((width - 1) * 11 / size, 1)
            lines = sum(
                max(1, -(-_display_width(part) // per_line)) for part in cell.value.split("\n")
            )
            height = sheet.row_dimensions[cell.row].height
            need = lines * 14.0 * size / 11
            assert height is not None and height >= need, (
                sheet.title, cell.coordinate, cell.value, lines, height,
            )  # fmt: skip


def test_render_summary_and_levy_workbooks_are_print_ready(tmp_path: Path) -> None:
    """The render summary and the levy workbook carry the shared print setup on every sheet."""
    render_form("jincheng-workstation-application", "jincheng-2022-workstation.xlsx", tmp_path)
    summary = openpyxl.load_workbook(tmp_path / "jincheng-workstation-application-汇总.xlsx")
    assert_print_ready(summary)
    assert summary.worksheets[0].print_title_rows == "$1:$1"
    from skillpolicy.compute.levy import compute_levy, write_levy_workbook
    from skillpolicy.loading.programfiles import load_program

    levy = compute_levy(
        EXAMPLES / "xuchang-2013-revitalization-levy.xlsx",
        load_program("xuchang-2013-revitalization"),
    )
    write_levy_workbook(levy, tmp_path / "levy.xlsx")
    assert_print_ready(openpyxl.load_workbook(tmp_path / "levy.xlsx"))


def test_annotated_summary_sheet_is_print_ready_in_chinese(tmp_path: Path) -> None:
    """问题汇总 prints like every sheet (title row repeated) and names rules in Chinese."""
    from skillpolicy.check.validate import validate_sheet
    from skillpolicy.loading.programfiles import load_program
    from skillpolicy.outputs.annotate import write_annotated

    program = load_program("guangxi-2012-technician")
    report = validate_sheet(EXAMPLES / "guangxi-2012-technician.xlsx", program)
    write_annotated(
        report,
        EXAMPLES / "guangxi-2012-technician.xlsx",
        tmp_path / "m.xlsx",
    )
    book = openpyxl.load_workbook(tmp_path / "m.xlsx")
    summary = book["问题汇总"]
    assert summary.print_title_rows == "$1:$1" and summary.freeze_panes == "A2"
    assert_print_ready(_only(book, "问题汇总"))
    rules = [row[3] for row in summary.iter_rows(min_row=2, values_only=True)]
    assert rules and all(re.search(r"[a-z]-[a-z]|^[a-z]+$", str(rule)) is None for rule in rules)


def _only(book: openpyxl.Workbook, title: str) -> openpyxl.Workbook:
    """``book`` with every sheet but ``title`` hidden (the clerk's own sheets keep their setup)."""
    for sheet in book.worksheets:
        if sheet.title != title:
            sheet.sheet_state = "hidden"
    return book


def test_schedule_report_and_ledger_export_are_print_ready(tmp_path: Path, run_cli: Run) -> None:
    """Payout schedule, monthly report workbook and ledger export: every sheet print-ready."""
    ledger = tmp_path / "ledger.sqlite3"
    roster = EXAMPLES / "guangxi-2012-technician.xlsx"
    result = run_cli(
        "subsidy", roster, "-p", "guangxi-2012-technician", "--params", PARAMS,
        "--ledger", ledger, "--commit", "--out", tmp_path / "schedule.xlsx",
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    assert_print_ready(openpyxl.load_workbook(tmp_path / "schedule.xlsx"))
    result = run_cli("ledger", "export", "--ledger", ledger, "--out", tmp_path / "export.xlsx")
    assert result.returncode == 0, result.stderr
    assert_print_ready(openpyxl.load_workbook(tmp_path / "export.xlsx"))
    result = run_cli("report", "monthly", "--ledger", ledger, "--out", tmp_path / "report")
    assert result.returncode == 0, result.stderr
    (workbook,) = (tmp_path / "report").glob("*/*.xlsx")
    assert_print_ready(openpyxl.load_workbook(workbook))


def test_blank_template_is_local_numbered_and_print_ready(tmp_path: Path, run_cli: Run) -> None:
    """Xuchang blank: 序号 first, a 所在地 dropdown of its counties, a 0374 example, no false promise."""
    out = tmp_path / "空白.xlsx"
    result = run_cli("template", "xuchang-2013-revitalization", "--out", out)
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(out)
    assert_print_ready(book)
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[2]]
    assert header[0] == "序号"
    assert sheet.print_title_rows == "$2:$2"
    letter = openpyxl.utils.get_column_letter(header.index("所在地") + 1)
    lists = {
        str(v.sqref).split(":")[0].rstrip("0123456789"): v
        for v in sheet.data_validations.dataValidation
        if v.type == "list"
    }
    place = lists[letter]
    options = book["选项"]
    column = next(c for c in options[1] if c.value == "所在地").column
    offered = [options.cell(row=r, column=column).value for r in range(2, options.max_row + 1)]
    assert [v for v in offered if v] == ["魏都区", "许昌县", "禹州市", "长葛市", "鄢陵县", "襄城县"]
    assert place.errorStyle == "warning"
    guide = {row[0]: str(row[2]) for row in book["填表说明"].iter_rows(min_row=2, values_only=True)}
    assert "0374-" in guide["联系电话"] and "0771" not in guide["联系电话"]
    assert "从下拉列表选择" not in guide["职业(工种)"]  # no catalog: no dropdown promised


# ---------------------------------------------------------------------------
# The monthly report
# ---------------------------------------------------------------------------

REPORT_ROSTERS = (
    ("guangxi-2012-technician", "guangxi-2012-technician.xlsx"),
    ("xuchang-2013-revitalization", "xuchang-2013-revitalization.xlsx"),
)
ENGLISH_IDS = re.compile(
    r"\b[a-z]+(?:-[a-z0-9]+)+\b|sha256|[0-9a-f]{64}|/[\w.-]+/|\.sqlite3|\.xlsx|\.toml"
)


@pytest.fixture
def monthly(tmp_path: Path) -> tuple[Path, Path]:
    """The 2013-10 report (.docx, .xlsx) over a ledger holding the Guangxi and Xuchang rosters."""
    from skillpolicy.compute.paycommit import commit_payout
    from skillpolicy.compute.subsidy import compute_subsidy
    from skillpolicy.ledger.sqlite import SqliteLedger
    from skillpolicy.loading.programfiles import load_program
    from skillpolicy.report import write_monthly_report

    with SqliteLedger(tmp_path / "ledger.sqlite3") as ledger:
        for program, roster in REPORT_ROSTERS:
            payout = compute_subsidy(
                EXAMPLES / roster, load_program(program), params_file=PARAMS, ledger=ledger
            )
            commit_payout(payout, ledger)
        files = write_monthly_report(
            ledger, tmp_path / "月报", "2013-10", now=lambda: dt.datetime(2026, 12, 7, 9)
        )
    return files.document, files.workbook


def test_report_document_is_in_official_style(monthly: tuple[Path, Path]) -> None:
    """月报 .docx: 小标宋 title, 黑体 一、 headings, no heading styles, Chinese dates, sign block."""
    document = docx.Document(str(monthly[0]))
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    styles = {p.style.name for p in document.paragraphs if p.style is not None}
    assert not [s for s in styles if s.startswith(("Heading", "Title"))], styles
    title = paragraphs[0]
    assert title.text == "职业技能培训补贴月报"
    fonts = title.runs[0]._element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    assert fonts is not None and fonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert paragraphs[1].text == "（2013年10月）"
    assert "生成于2026年12月7日" in paragraphs[2].text
    heading = next(p for p in paragraphs if p.text.startswith("一、"))
    fonts = heading.runs[0]._element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    assert fonts is not None and fonts.get(qn("w:eastAsia")) == "黑体"
    text = "\n".join(p.text for p in paragraphs)
    assert "报送单位" in text and "填报人" in text and "审核人" in text and "报送日期" in text
    assert "向下取到0.1%" in text


def test_report_numbers_are_right_aligned(monthly: tuple[Path, Path]) -> None:
    """Figures in the report's tables are right-aligned; text cells are not."""
    document = docx.Document(str(monthly[0]))
    table = document.tables[0]
    amounts = [row.cells[6].paragraphs[0] for row in table.rows[1:]]
    assert amounts and all(p.alignment == WD_ALIGN_PARAGRAPH.RIGHT for p in amounts)
    assert all(row.cells[0].paragraphs[0].alignment is None for row in table.rows[1:])


def test_report_workbook_charts_show_axes_and_plan_markers(monthly: tuple[Path, Path]) -> None:
    """Charts: axes not deleted (Excel draws them), no smoothing, the plan as markers only."""
    book = openpyxl.load_workbook(monthly[1])
    progress = book["许昌目标进度"]._charts[0]  # type: ignore[attr-defined]
    trend = book["月度趋势"]._charts[0]  # type: ignore[attr-defined]
    for chart in (progress, trend):
        assert chart.x_axis.delete is False and chart.y_axis.delete is False
    assert progress.type == "col"
    assert all(not series.smooth for series in trend.series)


def _row_points(sheet: Any, row: int) -> float:
    height = sheet.row_dimensions[row].height if row in sheet.row_dimensions else None
    return float(height or sheet.sheet_format.defaultRowHeight or 15)


def _area(sheet: Any) -> tuple[int, int]:
    """(last column, last row) of a sheet's print area."""
    assert sheet.print_area, sheet.title
    corner = str(sheet.print_area).split(":")[-1].replace("$", "")
    column, row = openpyxl.utils.cell.coordinate_from_string(corner)
    return openpyxl.utils.column_index_from_string(column), row


def test_report_charts_never_split_across_pages(monthly: tuple[Path, Path]) -> None:
    """Each chart lies in the print area between two manual page breaks, on rows no taller
    together than a printed page (fit-to-width only shrinks them): no printer splits it."""
    book = openpyxl.load_workbook(monthly[1])
    charts = 0
    for sheet in book.worksheets:
        for chart in sheet._charts:  # type: ignore[attr-defined]
            charts += 1
            anchor = chart.anchor
            first = anchor._from.row + 1
            height = anchor.ext.height / 12700  # EMU to points
            row, covered = first, 0.0
            while covered < height:
                covered += _row_points(sheet, row)
                row += 1
            last = row - 1
            breaks = {b.id for b in sheet.row_breaks.brk}
            assert first - 1 in breaks, (sheet.title, first, breaks)
            assert not any(first <= b < last for b in breaks), (sheet.title, breaks)
            margins = sheet.page_margins
            paper_mm = 210 if sheet.page_setup.orientation == "landscape" else 297
            printable = paper_mm / 25.4 * 72 - (margins.top + margins.bottom) * 72
            assert covered <= printable, (sheet.title, covered, printable)
            width = anchor.ext.width / 12700 / 72 * 96  # EMU to pixels
            column, pixels = anchor._from.col, 0.0
            while pixels < width:
                column += 1
                letter = openpyxl.utils.get_column_letter(column)
                chars = (
                    sheet.column_dimensions[letter].width
                    if letter in sheet.column_dimensions
                    else 0
                )
                pixels += (chars or 8.43) * 7 + 5
            area_column, area_row = _area(sheet)
            assert last <= area_row and column <= area_column, (sheet.title, sheet.print_area)
    assert charts == 2


def stored_numbers(path: Path) -> dict[tuple[str, str], str]:
    """(sheet title, cell) -> the number exactly as the .xlsx stores it (its <v> text)."""
    import zipfile
    from xml.etree import ElementTree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    book = openpyxl.load_workbook(path)
    found: dict[tuple[str, str], str] = {}
    with zipfile.ZipFile(path) as archive:
        for index, sheet in enumerate(book.worksheets, start=1):
            root = ElementTree.fromstring(archive.read(f"xl/worksheets/sheet{index}.xml"))
            for cell in root.iter(f"{main}c"):
                value = cell.find(f"{main}v")
                if cell.get("t") in (None, "n") and value is not None and value.text:
                    found[(sheet.title, cell.get("r", ""))] = value.text
    return found


def assert_amounts_exact(path: Path) -> int:
    """Every cell shown as money (0.00) stores its amount to the fen exactly (1900.00, never
    a float's 1900 or 1319999.9999999998); every share shown as 0.0% stores at most three
    decimals. Returns how many amounts there were."""
    stored = stored_numbers(path)
    amounts = 0
    for sheet in openpyxl.load_workbook(path).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                text = stored.get((sheet.title, cell.coordinate))
                if text is None:
                    continue
                if cell.number_format.endswith("0.00"):
                    amounts += 1
                    assert re.fullmatch(r"-?\d+\.\d\d", text), (sheet.title, cell.coordinate, text)
                elif cell.number_format.endswith("%"):
                    assert re.fullmatch(r"-?\d+(\.\d{1,3})?", text), (
                        sheet.title,
                        cell.coordinate,
                        text,
                    )
    return amounts


def test_report_workbook_stores_amounts_exactly(monthly: tuple[Path, Path]) -> None:
    """The report workbook writes amounts as exact numbers to the fen, not floats, and they
    are the amounts of the report (the 概况 table's 发放金额 adds up to the ledger's)."""
    assert assert_amounts_exact(monthly[1]) > 0
    book = openpyxl.load_workbook(monthly[1])
    stored = stored_numbers(monthly[1])
    rows = list(book["概况"].iter_rows())
    header = next(i for i, row in enumerate(rows) if row[0].value == "项目")
    cumulative = [
        Decimal(stored[("概况", row[8].coordinate)]) for row in rows[header + 1 :]
        if row[1].value == "累计"
    ]  # fmt: skip
    text = all_text(monthly[0])
    assert cumulative and all(f"{amount:,.2f}" in text for amount in cumulative)


def test_payout_workbooks_store_amounts_exactly(tmp_path: Path, run_cli: Run) -> None:
    """The payout schedule, the levy list and the ledger export store amounts to the fen."""
    ledger = tmp_path / "ledger.sqlite3"
    result = run_cli(
        "subsidy", EXAMPLES / "guangxi-2012-technician.xlsx", "-p", "guangxi-2012-technician",
        "--params", PARAMS, "--ledger", ledger, "--commit", "--out", tmp_path / "schedule.xlsx",
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    assert assert_amounts_exact(tmp_path / "schedule.xlsx") > 0
    result = run_cli("ledger", "export", "--ledger", ledger, "--out", tmp_path / "export.xlsx")
    assert result.returncode == 0, result.stderr
    assert assert_amounts_exact(tmp_path / "export.xlsx") > 0
    result = run_cli(
        "levy", EXAMPLES / "xuchang-2013-revitalization-levy.xlsx",
        "-p", "xuchang-2013-revitalization", "--out", tmp_path / "levy.xlsx",
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    assert assert_amounts_exact(tmp_path / "levy.xlsx") > 0


def test_report_percentages_agree_between_docx_and_xlsx(monthly: tuple[Path, Path]) -> None:
    """合格率 in the .docx and the .xlsx is the same figure, rounded down to 0.1% in both."""
    from skillpolicy.report.text import percent

    book = openpyxl.load_workbook(monthly[1])
    rows = list(book["概况"].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[:2] == ("项目", "期间"))
    end = next(i for i in range(header + 1, len(rows)) if rows[i][1] not in ("本月", "累计"))
    sheet_rates = {(row[0], row[1]): row[6] for row in rows[header + 1 : end]}
    table = docx.Document(str(monthly[0])).tables[0]
    doc_rates = {(r.cells[0].text, r.cells[1].text): r.cells[4].text for r in table.rows[1:]}
    assert doc_rates and set(doc_rates) == set(sheet_rates)
    for key, shown in doc_rates.items():
        value = sheet_rates[key]
        if value is None:
            assert shown == percent(None)
            continue
        # what Excel shows for 0.0%: the stored fraction rounded half up to 0.1%
        excel = (Decimal(str(value)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        assert shown == f"{excel}%", key


def test_report_sheets_carry_no_engineer_text(monthly: tuple[Path, Path]) -> None:
    """No rule id, program id, file path or hash anywhere a clerk reads the report."""
    text = all_text(monthly[0])
    assert ENGLISH_IDS.search(text) is None, ENGLISH_IDS.search(text)
    book = openpyxl.load_workbook(monthly[1])
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert ENGLISH_IDS.search(value) is None, (sheet.title, value)


@pytest.mark.slow
@needs_soffice
def test_printed_report_has_no_engineer_text(monthly: tuple[Path, Path], tmp_path: Path) -> None:
    """The report printed through LibreOffice: no id, path or hash; figures unbroken."""
    from skillpolicy.render.pdf import convert_to_pdf

    (tmp_path / "pdf").mkdir()
    (pdf,) = convert_to_pdf([monthly[0]], tmp_path / "pdf", FONTS)
    pages = pdf_pages(pdf)
    assert pages
    for page in pages:
        assert ENGLISH_IDS.search(page) is None, ENGLISH_IDS.search(page)
    # every figure of the first table prints whole on one line (never 1,320,000.0 / 0)
    lines = [line for page in pages for line in page.splitlines()]
    table = docx.Document(str(monthly[0])).tables[0]
    for row in table.rows[1:]:
        for cell in row.cells[2:7]:
            assert any(cell.text in line for line in lines), cell.text


def test_workbook_shares_are_rounded_down_like_the_document() -> None:
    """41.666…% is stored so Excel's 0.0% shows 41.6%, the .docx's figure, never 41.7%."""
    from skillpolicy.report.text import percent
    from skillpolicy.report.xlsx import _percent_format

    share = Decimal(5) / Decimal(12)
    sheet = openpyxl.Workbook().create_sheet("t")
    sheet.append([float(share)])
    _percent_format(sheet, [1], 1, 1)
    cell = sheet["A1"]
    assert cell.number_format == "0.0%"
    shown = (Decimal(str(cell.value)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert f"{shown}%" == percent(share) == "41.6%"


def test_report_names_its_sender_preparer_and_reviewer(tmp_path: Path, run_cli: Run) -> None:
    """report monthly --unit --preparer --reviewer prints them in the 报送单位 block."""
    from skillpolicy.ledger.sqlite import SqliteLedger

    ledger = tmp_path / "ledger.sqlite3"
    with SqliteLedger(ledger):
        pass
    result = run_cli(
        "report", "monthly", "--month", "2013-10", "--ledger", ledger, "--out", tmp_path / "r",
        "--unit", "许昌市人力资源和社会保障局", "--preparer", "张丽", "--reviewer", "王强",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = all_text(tmp_path / "r" / "2013-10" / "月报-2013-10.docx")
    assert "报送单位（盖章）：许昌市人力资源和社会保障局" in text
    assert "填报人：张丽" in text and "审核人：王强" in text


def test_report_takes_its_signers_from_the_params_file(tmp_path: Path, run_cli: Run) -> None:
    """[report] unit/preparer/reviewer of the params file fill the sign block; options override."""
    from skillpolicy.ledger.sqlite import SqliteLedger

    ledger = tmp_path / "ledger.sqlite3"
    with SqliteLedger(ledger):
        pass
    params = tmp_path / "skillpolicy.toml"
    params.write_text(
        'office = "魏都区人社局"\n[report]\nunit = "许昌市人力资源和社会保障局"\n'
        'preparer = "张丽"\nreviewer = "王强"\n',
        encoding="utf-8",
    )
    result = run_cli(
        "report", "monthly", "--month", "2013-10", "--ledger", ledger, "--out", tmp_path / "r",
        "--params", params, "--reviewer", "李明",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = all_text(tmp_path / "r" / "2013-10" / "月报-2013-10.docx")
    assert "报送单位（盖章）：许昌市人力资源和社会保障局" in text
    assert "填报人：张丽" in text and "审核人：李明" in text and "王强" not in text


def test_a_report_table_does_not_upset_a_subsidy_run(tmp_path: Path) -> None:
    """A [report] table beside the program tables is a setting, not an unknown program."""
    from skillpolicy.loading.programfiles import list_programs
    from skillpolicy.policy.params import configured_signers, load_params

    params = tmp_path / "skillpolicy.toml"
    params.write_text('[report]\nunit = "晋城市人社局"\n', encoding="utf-8")
    programs = list_programs(None)
    load_params(params, programs[0], programs)
    assert configured_signers(params) == {"unit": "晋城市人社局"}
    params.write_text('[report]\nsender = "晋城市人社局"\n', encoding="utf-8")
    with pytest.raises(ParameterError, match="sender"):
        configured_signers(params)


def test_applications_the_rules_reject_are_refused_not_printed(
    tmp_path: Path, run_cli: Run
) -> None:
    """render runs the program's rules: a sheet with errors is refused (exit 2), nothing written."""
    out = tmp_path / "out"
    result = run_cli(
        "render", "jincheng-workstation-application",
        "--data", EXAMPLES / "jincheng-2022-workstation.xlsx", "--out", out,
    )  # fmt: skip
    assert result.returncode == 2
    assert "处错误，不能据此打印" in result.stderr and "--allow-errors" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_allow_errors_prints_a_visible_mark_on_rejected_forms_only(tmp_path: Path) -> None:
    """--allow-errors prints every form; those with errors carry a red 未通过核对 header line."""
    files, _ = render_form(
        "jincheng-workstation-application", "jincheng-2022-workstation.xlsx", tmp_path
    )
    marked = {}
    for path in files:
        header = docx.Document(str(path)).sections[0].header.paragraphs
        marked[path.stem] = bool(header) and header[0].text.startswith("【未通过核对")
        if marked[path.stem]:
            assert all(red(run) for run in header[0].runs if run.text.strip())
            assert re.search(r"第\d+行「.+」", header[0].text), header[0].text
    assert any(marked.values()) and not all(marked.values())
    clean = next(stem for stem, flag in marked.items() if not flag)
    assert "未通过核对" not in all_text(tmp_path / f"{clean}.docx")
