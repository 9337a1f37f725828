"""`skillpolicy render`: Word forms from the examples, template checks, safe and atomic output."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from docx.text.run import Run as DocxRun

from conftest import ROOT, Run, mm
from skillpolicy.domain.errors import InputError
from skillpolicy.io.resources import SearchPath
from skillpolicy.render import (
    FORMS,
    DocxTemplate,
    RenderError,
    RenderOptions,
    check_template,
    form_spec,
    load_documents,
    render_documents,
    safe_stem,
    unique_file_name,
)

EXAMPLES = ROOT / "examples"
TEMPLATES = ROOT / "templates"
PARAMS = EXAMPLES / "skillpolicy.toml"


def render_example(form: str, data: str, out: Path, **options: Any) -> list[Path]:
    """Render an example; its planted errors are printed, marked (render --allow-errors)."""
    spec = form_spec(form)
    template = DocxTemplate(TEMPLATES / spec.template_name)
    documents = load_documents(spec, EXAMPLES / data, RenderOptions(allow_errors=True, **options))
    return render_documents(spec, documents, template, out).documents


def cells(path: Path, table: int = 0) -> list[list[str]]:
    document = docx.Document(str(path))
    return [[cell.text for cell in row.cells] for row in document.tables[table].rows]


def row_starting(rows: list[list[str]], label: str) -> list[str]:
    return next(row for row in rows if row[0] == label)


def east_asia_font(run: DocxRun) -> str | None:
    """The w:eastAsia font of ``run``'s own w:rPr/w:rFonts, which the run must have."""
    properties = run._element.rPr
    assert properties is not None and properties.rFonts is not None
    font: str | None = properties.rFonts.get(qn("w:eastAsia"))  # lxml is untyped here: Any
    return font


NOTICE_TOML = """
[[documents]]
"发文机关" = ["中共晋城市委组织部", "晋城市人力资源和社会保障局"]
"发文字号" = "晋市人社〔2026〕12号"
"联系人" = "郭大勇"
"联系电话" = "2199488"
"标题" = "关于晋城市市级技师工作站拟认定单位的公示"
"项目名称" = "晋城市市级技师工作站"
"公示天数" = 5
"公示开始日期" = 2026-09-28
"公示结束日期" = 2026-10-09
"发文单位" = "中共晋城市委组织部、晋城市人力资源和社会保障局"
"发布日期" = 2026-09-28

[[documents."单位列表"]]
"序号" = 1
"单位名称" = "晋城市泽州县兴华煤机制造有限公司"
"统一社会信用代码" = "91140525377716615F"
"评审得分" = "89.3"
"""


@pytest.fixture
def notice(tmp_path: Path) -> Path:
    """The public notice rendered from a TOML file that gives its dates."""
    data = tmp_path / "notice.toml"
    data.write_text(NOTICE_TOML, encoding="utf-8")
    spec = form_spec("jincheng-notice")
    documents = load_documents(spec, data, RenderOptions())
    template = DocxTemplate(TEMPLATES / spec.template_name)
    return render_documents(spec, documents, template, tmp_path / "out").documents[0]


def test_every_shipped_template_fits_its_form() -> None:
    """Each shipped template uses exactly its form's fields (render --check passes)."""
    for spec in FORMS.values():
        report = check_template(spec, DocxTemplate(TEMPLATES / spec.template_name))
        assert report.ok, [problem.message for problem in report.problems]


def test_guangxi_application_fills_the_grid_per_unit(tmp_path: Path) -> None:
    """附件2: one file per 单位名称, fields in their cells, boxes ticked, occupation rows grown."""
    files = render_example(
        "guangxi-2012-application", "guangxi-2012-technician-application.xlsx", tmp_path
    )
    assert len(files) == 5
    path = tmp_path / "附件2-广西桂南技师学院.docx"
    assert path in files
    rows = cells(path)
    assert rows[0][1] == "广西桂南技师学院"
    assert rows[0][5] == "广西壮族自治区人力资源和社会保障厅"
    assert rows[1][:6] == ["单位负责人", "周忠", "联系电话", "0771-7485263", "手机", "18617253039"]
    assert rows[3][1] == "南宁市西乡塘区大学东路118号" and rows[3][5] == "530007"
    boxes = rows[4][1]
    assert "☑技师学院" in boxes and "☐企业" in boxes and "☑国家重点技工学校" in boxes
    occupations = [row for row in rows if row[0][:2] in ("1.", "2.", "3.", "4.")]
    assert [row[0] for row in occupations] == [
        "1. 数控车工",
        "2. 维修电工",
        "3. 数控机床装调维修工",
    ]
    assert [row[2] for row in occupations] == ["40", "35", "20"]
    assert occupations[0][3] == "国家级数控技能大师工作室，数控设备120台套"  # as written
    assert row_starting(rows, "合计")[2] == "95"
    assert "2012年8月31日" in row_starting(rows, "申报单位意见")[1]
    assert "经办人" in rows[-2][1] and "负责人" in rows[-1][1]


def test_summary_workbook_lists_every_document(tmp_path: Path) -> None:
    """The summary xlsx beside the documents has one row per document with its file name."""
    files = render_example(
        "guangxi-2012-application", "guangxi-2012-technician-application.xlsx", tmp_path
    )
    sheet = openpyxl.load_workbook(tmp_path / "guangxi-2012-application-汇总.xlsx").active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "文件名", "单位名称")
    assert sorted((row[1] for row in rows[1:]), key=str) == sorted(path.name for path in files)


def test_jincheng_workstation_prints_every_condition(tmp_path: Path) -> None:
    """技师工作站申报书: unit data and the five conditions of 一(一) as answers."""
    render_example("jincheng-workstation-application", "jincheng-2022-workstation.xlsx", tmp_path)
    path = tmp_path / "技师工作站申报书-高平市丹河铸造有限公司.docx"
    unit = cells(path, 0)
    assert unit[1][:4] == ["统一社会信用代码", "91140581MA0YP3TB73", "单位类型", "企业"]
    assert unit[2][1].startswith("☑企业")
    assert unit[6][1] == "2022年12月6日"
    conditions = cells(path, 1)
    assert conditions[1][2] == "17 名"
    assert all(row[2] == "☑是\u3000☐否" for row in conditions[2:])


def test_jincheng_training_base_prints_every_condition(tmp_path: Path) -> None:
    """培养基地申报书: counts and yes/no answers of 一(二); 技工院校 ticks 职业院校."""
    render_example(
        "jincheng-training-base-application", "jincheng-2022-training-base.xlsx", tmp_path
    )
    path = tmp_path / "培养基地申报书-晋城市兴晋职业技能培训学校.docx"
    conditions = {row[1]: row[2] for row in cells(path, 1)[1:]}
    assert conditions["年培训规模不少于300人"] == "2900 人"  # "2900人" in the sheet
    assert any(answer == "5 个" for answer in conditions.values())
    assert any(answer == "2 家" for answer in conditions.values())
    school = cells(tmp_path / "培养基地申报书-晋城市高级技工学校.docx", 0)
    assert school[2][1].startswith("☑职业院校")


def test_xuchang_class_approval_one_per_class(tmp_path: Path) -> None:
    """开班审批表: one per (培训机构, 职业(工种), 开班日期), trainees listed with masked IDs."""
    files = render_example("xuchang-class-approval", "xuchang-2013-revitalization.xlsx", tmp_path)
    assert len(files) == 7
    path = tmp_path / "开班审批表-许昌市魏都区华夏职业培训学校-电焊工-2013年9月2日.docx"
    rows = cells(path, 0)
    assert rows[0][1] == "许昌市魏都区华夏职业培训学校"
    assert rows[1][1] == "电焊工" and rows[1][3] == "初级工"
    assert rows[3][1] == "2013年9月2日" and rows[3][3] == "2013年10月11日"
    trainees = cells(path, 1)[1:]
    assert rows[4][3] == f"{len(trainees)} 人"
    assert trainees[0][1] == "魏凤英" and trainees[0][3] == "4110**********942X"
    # the approving department fills its own box: no date printed in it
    assert "2013年" not in row_starting(rows, "培训主管部门\n审批意见")[1]


def test_payout_notice_per_payee_with_uppercase_total(tmp_path: Path) -> None:
    """补贴拨付通知: one per payee, lines and total in figures and 大写."""
    files = render_example(
        "payout-notice",
        "guangxi-2012-technician.xlsx",
        tmp_path,
        program="guangxi-2012-technician",
        params=PARAMS,
    )
    path = tmp_path / "补贴拨付通知-广西桂南技师学院.docx"
    assert path in files
    document = docx.Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "合计人民币17,100.00元（大写：壹万柒仟壹佰元整）" in text
    rows = cells(path)
    lines = [row for row in rows if row[0].isdigit()]
    assert len(lines) == 9 and all(row[5] == "1,900.00" for row in lines)
    assert row_starting(rows, "大写")[1] == "人民币壹万柒仟壹佰元整"


def test_notice_is_a4_with_gbt9704_margins_and_fonts(notice: Path) -> None:
    """公示: A4, margins 37/35/28/26 mm (top/bottom/left/right), 22 lines, 小标宋 title, 仿宋 body."""
    document = docx.Document(str(notice))
    section = document.sections[0]
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [mm(m) for m in margins] == [37, 35, 28, 26]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid is not None and grid.get(qn("w:type")) == "lines"
    assert int(grid.get(qn("w:linePitch"))) * 22 == pytest.approx(225 / 25.4 * 72 * 20, rel=0.01)
    title = next(p for p in document.paragraphs if p.text.startswith("关于")).runs[0]
    assert title.font.size is not None
    assert title.font.size.pt == 22
    assert east_asia_font(title) == "方正小标宋简体"
    body = next(p for p in document.paragraphs if p.text.startswith("根据")).runs[0]
    assert body.font.size is not None
    assert body.font.size.pt == 16
    assert east_asia_font(body) == "仿宋_GB2312"


def test_notice_prints_the_dates_it_is_given(notice: Path) -> None:
    """公示 prints its start and end dates without leading zeros, and the units."""
    document = docx.Document(str(notice))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "公示期：2026年9月28日至2026年10月9日（5个工作日）" in text
    assert document.paragraphs[-1].text == "2026年9月28日"
    assert cells(notice)[1][1] == "晋城市泽州县兴华煤机制造有限公司"


def test_every_template_is_a4_with_east_asian_fonts() -> None:
    """Every shipped template is A4 and every run and the Normal style name an East Asian font."""
    for spec in FORMS.values():
        document = docx.Document(str(TEMPLATES / spec.template_name))
        for section in document.sections:
            assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
        normal = document.styles["Normal"].element.rPr.rFonts
        assert normal.get(qn("w:eastAsia")), spec.id
        body = document.element.body
        runs = body.iter(qn("w:r"))
        for run in runs:
            if run.find(qn("w:t")) is not None:
                fonts = run.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
                assert fonts is not None and fonts.get(qn("w:eastAsia")), spec.id


def _template_with(tmp_path: Path, *paragraphs: str | list[str]) -> Path:
    """A .docx whose paragraphs hold the given text (a list: one run per piece)."""
    document = docx.Document()
    for text in paragraphs:
        para = document.add_paragraph()
        for piece in [text] if isinstance(text, str) else text:
            para.add_run(piece)
    path = tmp_path / "t.docx"
    document.save(str(path))
    return path


def test_undefined_placeholder_is_an_error_naming_it(tmp_path: Path) -> None:
    """A placeholder the data lacks fails with its name, never renders blank."""
    template = DocxTemplate(_template_with(tmp_path, "单位：{{ 单位名称 }}{{ 不存在的字段 }}"))
    with pytest.raises(RenderError, match="不存在的字段"):
        template.render_bytes({"单位名称": "甲"})


def test_placeholder_split_across_runs_is_joined(tmp_path: Path) -> None:
    """A tag Word split over several runs (with smart quotes) still renders, values escaped."""
    template = DocxTemplate(
        _template_with(tmp_path, ["名称：{{ 单", "位名", "称 }}；", "{{ x or “无” }}"])
    )
    out = tmp_path / "out.docx"
    out.write_bytes(template.render_bytes({"单位名称": "A&B<公司>", "x": ""}))
    assert docx.Document(str(out)).paragraphs[0].text == "名称：A&B<公司>；无"


def test_template_cannot_reach_python_internals(tmp_path: Path) -> None:
    """The sandbox refuses attribute access to Python internals."""
    template = DocxTemplate(_template_with(tmp_path, "{{ x.__class__.__mro__ }}"))
    with pytest.raises(RenderError):
        template.render_bytes({"x": "a"})


def _edited_templates(tmp_path: Path, form: str, old: str, new: str) -> Path:
    """A copy of the shipped template of ``form`` with ``old`` replaced in document.xml."""
    folder = tmp_path / "mine"
    folder.mkdir()
    source = TEMPLATES / f"{form}.docx"
    target = folder / source.name
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                text = data.decode("utf-8")
                assert old in text
                data = text.replace(old, new).encode("utf-8")
            dst.writestr(info, data, compress_type=info.compress_type)
    return folder


def test_check_names_a_misspelt_placeholder(tmp_path: Path, run_cli: Run) -> None:
    """--check on a template with a misspelt placeholder names it and exits 2."""
    folder = _edited_templates(
        tmp_path, "guangxi-2012-application", "{{ 通信地址 }}", "{{ 通讯地址 }}"
    )
    result = run_cli("--template-dir", folder, "render", "guangxi-2012-application", "--check")
    assert result.returncode == 2
    assert "「通讯地址」不是 guangxi-2012-application 的字段" in result.stderr
    assert "通信地址" in result.stderr  # suggested, and reported unused
    assert result.stdout == ""


def test_check_names_a_misspelt_loop_attribute(tmp_path: Path) -> None:
    """--check follows a for-loop variable: a misspelt row field is named with its list."""
    folder = _edited_templates(
        tmp_path, "guangxi-2012-application", "{{ 行.培训人数 }}", "{{ 行.培训人 }}"
    )
    spec = form_spec("guangxi-2012-application")
    report = check_template(spec, DocxTemplate(folder / spec.template_name))
    names = {(problem.kind, problem.name) for problem in report.problems}
    assert names == {("unknown", "职业列表.培训人"), ("unused", "职业列表.培训人数")}


def test_check_names_a_missing_required_field(tmp_path: Path, run_cli: Run) -> None:
    """--check on a template that dropped a required field names that field and exits 2."""
    folder = _edited_templates(tmp_path, "guangxi-2012-application", "{{ 邮编 }}", "")
    result = run_cli("--template-dir", folder, "render", "guangxi-2012-application", "--check")
    assert result.returncode == 2
    assert "模板没有用到 guangxi-2012-application 的必填字段「邮编」" in result.stderr


def test_broken_template_writes_nothing(tmp_path: Path, run_cli: Run) -> None:
    """Rendering with a template that fails --check stops before writing any file."""
    folder = _edited_templates(tmp_path, "guangxi-2012-application", "{{ 邮编 }}", "{{ 邮 }}")
    out = tmp_path / "out"
    result = run_cli(
        "--template-dir",
        folder,
        "render",
        "guangxi-2012-application",
        "--allow-errors",
        "--data",
        EXAMPLES / "guangxi-2012-technician-application.xlsx",
        "--out",
        out,
    )
    assert result.returncode == 2 and "「邮」" in result.stderr
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("../../etc/passwd", "etc_passwd"),
        ('a/b\\c:d*e?f"g<h>i|j', "a_b_c_d_e_f_g_h_i_j"),
        ("单位\x00名称\t", "单位_名称"),
        ("结尾. . ", "结尾"),
        ("CON", "_CON"),
        ("com1.公司", "_com1.公司"),
        ("..", "未命名"),
        ("", "未命名"),
    ],
)
def test_file_names_are_safe_on_every_os(text: str, expected: str) -> None:
    """Names from data lose path separators, '..', forbidden and control characters, reserved names."""
    assert safe_stem(text) == expected


def test_file_names_are_length_limited_and_unique() -> None:
    """Long names are cut below the file-system limit; duplicates (any case) get a number."""
    taken: set[str] = set()
    long_name = unique_file_name("公司" * 200, ".docx", taken)
    assert len(long_name.encode("utf-8")) <= 200
    assert unique_file_name("Ab", ".docx", taken) == "Ab.docx"
    assert unique_file_name("aB", ".docx", taken) == "aB-2.docx"
    assert unique_file_name("ab", ".docx", taken) == "ab-3.docx"


def test_unit_name_with_path_stays_in_the_output_folder(tmp_path: Path) -> None:
    """A 单位名称 with '/' and '..' gives a file inside DIR, not elsewhere."""
    data = tmp_path / "notice.toml"
    data.write_text(
        NOTICE_TOML.replace('"项目名称" = "', '"项目名称" = "../../x/'), encoding="utf-8"
    )
    spec = form_spec("jincheng-notice")
    documents = load_documents(spec, data, RenderOptions())
    out = tmp_path / "out"
    result = render_documents(spec, documents, DocxTemplate(TEMPLATES / spec.template_name), out)
    assert [p.parent for p in result.documents] == [out]
    assert result.documents[0].name == "公示-_x_晋城市市级技师工作站.docx"


def test_failure_half_way_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A render that fails on the third document leaves two whole files and no temp file."""
    spec = form_spec("jincheng-workstation-application")
    template = DocxTemplate(TEMPLATES / spec.template_name)
    documents = load_documents(
        spec, EXAMPLES / "jincheng-2022-workstation.xlsx", RenderOptions(allow_errors=True)
    )
    real: Callable[..., bytes] = template.render_bytes
    calls = {"n": 0}

    def failing(context: Any) -> bytes:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(context)

    monkeypatch.setattr(template, "render_bytes", failing)
    out = tmp_path / "out"
    with pytest.raises(OSError):
        render_documents(spec, documents, template, out)
    left = sorted(out.iterdir())
    assert len(left) == 2 and all(p.suffix == ".docx" for p in left)
    for path in left:
        docx.Document(str(path))  # whole, readable documents


def test_failed_write_removes_the_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write interrupted inside the temp file leaves neither the temp file nor the target."""
    spec = form_spec("jincheng-workstation-application")
    template = DocxTemplate(TEMPLATES / spec.template_name)
    documents = load_documents(
        spec, EXAMPLES / "jincheng-2022-workstation.xlsx", RenderOptions(allow_errors=True)
    )

    def interrupted(self: Path, data: bytes) -> int:
        with self.open("wb") as handle:
            handle.write(data[:100])
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "write_bytes", interrupted)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        render_documents(spec, documents[:1], template, out)
    assert list(out.iterdir()) == []


def test_render_cli_writes_documents_and_summary(tmp_path: Path, run_cli: Run) -> None:
    """The CLI renders into a new DIR and says how many documents it wrote."""
    out = tmp_path / "new" / "dir"
    result = run_cli(
        "render",
        "jincheng-workstation-application",
        "--allow-errors",
        "--data",
        EXAMPLES / "jincheng-2022-workstation.xlsx",
        "--out",
        out,
    )
    assert result.returncode == 0, result.stderr
    assert "已生成 8 份" in result.stdout
    assert len(list(out.glob("*.docx"))) == 8
    assert (out / "jincheng-workstation-application-汇总.xlsx").is_file()


def test_render_list_names_every_form(run_cli: Run) -> None:
    """render --list lists every form."""
    result = run_cli("render", "--list")
    assert result.returncode == 0
    for form in FORMS:
        assert form in result.stdout


def test_unknown_form_is_exit_2(run_cli: Run) -> None:
    """An unknown form id is one line on stderr naming the available forms, exit 2."""
    result = run_cli("render", "no-such-form", "--check")
    assert result.returncode == 2
    assert "没有文书「no-such-form」" in result.stderr


@pytest.mark.skipif(shutil.which("soffice") is not None, reason="LibreOffice is installed here")
def test_pdf_without_libreoffice_is_exit_2(tmp_path: Path, run_cli: Run) -> None:
    """--pdf without LibreOffice stops with a clear message and exit 2, writing nothing."""
    out = tmp_path / "out"
    result = run_cli(
        "render",
        "jincheng-workstation-application",
        "--allow-errors",
        "--data",
        EXAMPLES / "jincheng-2022-workstation.xlsx",
        "--out",
        out,
        "--pdf",
    )
    assert result.returncode == 2
    assert "未安装 LibreOffice" in result.stderr
    assert not out.exists()


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)
def test_pdf_smoke(tmp_path: Path, run_cli: Run) -> None:
    """--pdf writes one PDF per document beside it and leaves no working folder."""
    result = run_cli(
        "render",
        "jincheng-workstation-application",
        "--allow-errors",
        "--data",
        EXAMPLES / "jincheng-2022-workstation.xlsx",
        "--out",
        tmp_path / "out",
        "--pdf",
    )
    assert result.returncode == 0, result.stderr
    pdfs = list((tmp_path / "out").glob("*.pdf"))
    assert len(pdfs) == 8 and all(p.read_bytes().startswith(b"%PDF") for p in pdfs)
    assert [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".")] == []


def _designation_sheet(path: Path, codes: list[str]) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["单位名称", "统一社会信用代码", "评审得分", "是否授牌", "验收结果"])
    for index, code in enumerate(codes):
        sheet.append([f"晋城市第{index + 1}机械有限公司", code, 90 - index, "是", None])
    workbook.save(path)
    return path


def _notice(path: Path, tmp_path: Path) -> list[Path]:
    spec = form_spec("jincheng-notice")
    options = RenderOptions(
        program="jincheng-2022-workstation",
        params=PARAMS,
        published=__import__("datetime").date(2026, 9, 28),
    )
    documents = load_documents(spec, path, options)
    template = DocxTemplate(TEMPLATES / spec.template_name)
    return render_documents(spec, documents, template, tmp_path / "out").documents


def test_notice_from_designation_sheet_uses_the_calendar(tmp_path: Path) -> None:
    """公示 from a clean designation sheet lists its units with the calendar's period (2026-09-28)."""
    sheet = _designation_sheet(tmp_path / "d.xlsx", ["91140500MA0K12348W", "91140500110012344R"])
    files = _notice(sheet, tmp_path)
    text = "\n".join(p.text for p in docx.Document(str(files[0])).paragraphs)
    assert (
        "公示期：2026年9月28日至2026年10月9日" in text
    )  # examples/skillpolicy.toml: first day counts
    rows = cells(files[0])
    assert [row[2] for row in rows[1:]] == ["91140500MA0K12348W", "91140500110012344R"]


def test_notice_refuses_a_sheet_the_rules_reject(tmp_path: Path) -> None:
    """A designation sheet with a wrong credit code is refused, naming the row, not published."""
    sheet = _designation_sheet(tmp_path / "d.xlsx", ["91140500MA0K12348W", "91140500110012344X"])
    with pytest.raises(InputError, match="第3行"):
        _notice(sheet, tmp_path)
    assert not (tmp_path / "out").exists()


def test_templates_are_reproducible(tmp_path: Path) -> None:
    """scripts/make_templates.py rebuilds the shipped templates byte for byte."""
    import subprocess
    import sys

    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_templates.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for spec in FORMS.values():
        assert (tmp_path / spec.template_name).read_bytes() == (
            TEMPLATES / spec.template_name
        ).read_bytes(), spec.id


def test_search_path_prefers_the_clerks_templates(tmp_path: Path) -> None:
    """A template in --template-dir is used before the shipped one."""
    folder = _edited_templates(tmp_path, "payout-notice", "补贴拨付通知", "补贴发放通知")
    from skillpolicy.render import find_template

    found = find_template(form_spec("payout-notice"), SearchPath("templates", [folder]))
    assert found == folder / "payout-notice.docx"
