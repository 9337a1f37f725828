"""Paper a 科长 would sign: the notice's GB/T 9704 layout, its self-check, and printed pages."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.text.run import Run as DocxRun

from conftest import ROOT, Run
from skillpolicy.errors import InputError
from skillpolicy.render import DocxTemplate, RenderOptions, form_spec, load_documents
from skillpolicy.render import render_documents as render_batch
from skillpolicy.render.forms import notice_contact, notice_title
from skillpolicy.render.layout import check_notice_layout

EXAMPLES = ROOT / "examples"
TEMPLATES = ROOT / "templates"
PARAMS = EXAMPLES / "skillpolicy.toml"
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
    result = render_batch(spec, documents, template, tmp_path / "out", pdf=pdf)
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
    pdf = render_batch(spec, documents, template, tmp_path / "out", pdf=True).pdfs[0]
    pages = pdf_pages(pdf)
    assert len(pages) >= 3
    flat = [page.replace("\n", "") for page in pages]
    for index in range(40):
        row = f"{index + 1}晋城市第{index + 1}号精密机械装备制造有限责任公司{CODES[index % 2]}88.5"
        assert sum(row in page for page in flat) == 1, row
    for number, page in enumerate(pages, start=1):
        assert f"—{number}—" in page
