"""``render NOTICE --check-layout FILE.docx``: does a notice keep GB/T 9704-2012?

Reads a rendered (or hand-edited) notice and lists what deviates from the standard's layout:
A4 paper and the 37/35/28/26 mm margins (5.2.1), the 22-line grid (5.2.2), the 2号 小标宋
title (7.3.3) and 3号 仿宋 body (5.2.3), the red 发文机关标志 and the red separator line
(7.2.2, 7.2.5), the 成文日期 右空四字 (7.3.5.1) and the page-number field on odd and even
pages (7.5: 4号半角宋体 ``— 1 —``, odd right, even left), and no body paragraph whose last
line holds a lone character (a 孤字: the line is set again, never left so). Each deviation is
data: where it is and what is wrong, in Chinese for the clerk.

:func:`tighten_lone_lines` is the cure the notice is rendered with: a paragraph that would end
in a lone character is set a little tighter (character spacing) so it joins the line above.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from ..domain.errors import InputError
from ..io.xlsxguard import declares_dtd

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_W = f"{{{W_NS}}}"
NS = {"w": W_NS}

PAGE_MM = (210.0, 297.0)
MARGINS_MM = {"上": 37.0, "下": 35.0, "左": 28.0, "右": 26.0}
TOLERANCE_MM = 1.0
LINES = 22
TITLE_PT = 22.0  # 2号
BODY_PT = 16.0  # 3号 (15.75 pt, set as 16)
PAGE_NUMBER_PT = 14.0  # 4号
DATE = re.compile(r"^\s*\d{4}年\d{1,2}月\d{1,2}日\s*$")
# what may not begin a line (避头点号): it stays on the line before, squeezed in
NO_LINE_START = set("，。、；：？！）》」』”’…—%,.;:?!)")
_TOKEN = re.compile(r"[0-9A-Za-z.]+|.", re.DOTALL)
MAX_TIGHTEN = 20  # twentieths of a point: at most 1 pt less per character to cure a lone line


@dataclass(frozen=True)
class LayoutProblem:
    """One deviation: where in the document, and what GB/T 9704-2012 asks instead."""

    where: str
    message: str
    clause: str

    def __str__(self) -> str:
        return f"{self.where}：{self.message}（GB/T 9704-2012 {self.clause}）"


def _mm(twips: str | None) -> float | None:
    return None if twips is None else int(twips) / 1440 * 25.4


def _is_red(color: str | None) -> bool:
    if not color or len(color) != 6 or color.lower() == "auto":
        return False
    try:
        red, green, blue = (int(color[i : i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return False
    return red >= 0xC0 and green <= 0x40 and blue <= 0x40


class _Styles:
    """Run properties the document's styles give (Normal and paragraph styles)."""

    def __init__(self, root: Any | None) -> None:
        self.by_id: dict[str, Any] = {}
        self.default: Any | None = None
        if root is None:
            return
        for style in root.iter(f"{_W}style"):
            style_id = style.get(f"{_W}styleId")
            if style_id:
                self.by_id[style_id] = style
            if style.get(f"{_W}default") == "1" and style.get(f"{_W}type") == "paragraph":
                self.default = style

    def value(self, paragraph: Any, run: Any, path: str, attribute: str) -> str | None:
        """``attribute`` of the first rPr on the run, its paragraph style or Normal."""
        candidates = [run.find(f"{_W}rPr")]
        style_ref = paragraph.find("w:pPr/w:pStyle", NS)
        style = self.by_id.get(style_ref.get(f"{_W}val")) if style_ref is not None else None
        for holder in (style, self.default):
            if holder is not None:
                candidates.append(holder.find(f"{_W}rPr"))
        for rpr in candidates:
            if rpr is None:
                continue
            found = rpr.find(path, NS)
            if found is not None and found.get(f"{_W}{attribute}") is not None:
                value: str = found.get(f"{_W}{attribute}")
                return value
        return None


def _text(element: Any) -> str:
    return "".join(t.text or "" for t in element.iter(f"{_W}t"))


def _read_xml(archive: zipfile.ZipFile, name: str) -> Any | None:
    try:
        data = archive.read(name)
    except KeyError:
        return None
    if declares_dtd(data):
        raise InputError(f"{name} 含有 DTD 声明，拒绝读取")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(data, parser)


class _Notice:
    """The parts of a .docx the check reads."""

    def __init__(self, path: Path) -> None:
        try:
            with zipfile.ZipFile(path) as archive:
                body = _read_xml(archive, "word/document.xml")
                if body is None:
                    raise InputError("不是 Word 文档（缺少 word/document.xml）", file=path)
                self.document = body
                self.styles = _Styles(_read_xml(archive, "word/styles.xml"))
                self.settings = _read_xml(archive, "word/settings.xml")
                rels = _read_xml(archive, "word/_rels/document.xml.rels")
                self.parts: dict[str, Any] = {}
                for rel in rels.iter() if rels is not None else ():
                    target = rel.get("Target")
                    if target and rel.get("Id") and target.startswith("footer"):
                        part = _read_xml(archive, f"word/{target}")
                        if part is not None:
                            self.parts[str(rel.get("Id"))] = part
        except FileNotFoundError:
            raise InputError("文件不存在", file=path) from None
        except (zipfile.BadZipFile, etree.XMLSyntaxError, OSError) as exc:
            raise InputError(f"不是可读的 Word 文档（.docx）：{exc}", file=path) from None


def _size(notice: _Notice, paragraph: Any, run: Any) -> float | None:
    half_points = notice.styles.value(paragraph, run, "w:sz", "val")
    return None if half_points is None else int(half_points) / 2


def _east_asia(notice: _Notice, paragraph: Any, run: Any) -> str:
    return notice.styles.value(paragraph, run, "w:rFonts", "eastAsia") or ""


def _page(notice: _Notice, problems: list[LayoutProblem]) -> None:
    sect = notice.document.find(".//w:body/w:sectPr", NS)
    if sect is None:
        problems.append(LayoutProblem("页面", "没有页面设置（w:sectPr）", "5.2"))
        return
    size = sect.find("w:pgSz", NS)
    width = _mm(size.get(f"{_W}w")) if size is not None else None
    height = _mm(size.get(f"{_W}h")) if size is not None else None
    if width is None or height is None or (round(width), round(height)) != PAGE_MM:
        shown = f"{width:.0f}×{height:.0f} mm" if width and height else "未设置"
        problems.append(LayoutProblem("页面", f"纸张为 {shown}，应为 A4（210×297 mm）", "5.1"))
    margins = sect.find("w:pgMar", NS)
    for side, attribute in (("上", "top"), ("下", "bottom"), ("左", "left"), ("右", "right")):
        value = _mm(margins.get(f"{_W}{attribute}")) if margins is not None else None
        wanted = MARGINS_MM[side]
        if value is None or abs(value - wanted) > TOLERANCE_MM:
            shown = "未设置" if value is None else f"{value:.1f} mm"
            problems.append(
                LayoutProblem("页边距", f"{side}白边 {shown}，应为 {wanted:.0f} mm", "5.2.1")
            )
    grid = sect.find("w:docGrid", NS)
    pitch = grid.get(f"{_W}linePitch") if grid is not None else None
    if grid is None or grid.get(f"{_W}type") not in ("lines", "linesAndChars") or pitch is None:
        problems.append(LayoutProblem("版心", "没有行网格（每面 22 行）", "5.2.2"))
    elif margins is not None and height is not None:
        top = _mm(margins.get(f"{_W}top")) or 0.0
        bottom = _mm(margins.get(f"{_W}bottom")) or 0.0
        lines = (height - top - bottom) / 25.4 * 72 * 20 / int(pitch)
        if abs(lines - LINES) > 0.5:
            problems.append(
                LayoutProblem("版心", f"每面约 {lines:.1f} 行，应为 {LINES} 行", "5.2.2")
            )


def _paragraphs(notice: _Notice) -> list[Any]:
    body = notice.document.find("w:body", NS)
    return [] if body is None else list(body.findall("w:p", NS))


def _runs(paragraph: Any) -> list[Any]:
    return [run for run in paragraph.iter(f"{_W}r") if _text(run).strip()]


def _banner(notice: _Notice, paragraphs: list[Any], problems: list[LayoutProblem]) -> int | None:
    """Check the red 标志 and separator; return the index of the separator's paragraph."""
    rule = None
    for index, paragraph in enumerate(paragraphs):
        bottom = paragraph.find("w:pPr/w:pBdr/w:bottom", NS)
        if bottom is not None and bottom.get(f"{_W}val") not in (None, "nil", "none"):
            rule = index
            if not _is_red(bottom.get(f"{_W}color")):
                problems.append(LayoutProblem("版头", "发文字号下的分隔线不是红色", "7.2.5"))
            break
    if rule is None:
        problems.append(LayoutProblem("版头", "没有发文字号下与版心等宽的红色分隔线", "7.2.5"))
    head = paragraphs[: rule if rule is not None else min(len(paragraphs), 4)]
    red = [
        p
        for p in head
        if (runs := _runs(p))
        and all(_is_red(notice.styles.value(p, run, "w:color", "val")) for run in runs)
    ]
    if not red:
        problems.append(LayoutProblem("版头", "没有红色的发文机关标志", "7.2.2"))
    return rule


def _title_and_body(
    notice: _Notice, paragraphs: list[Any], rule: int | None, problems: list[LayoutProblem]
) -> None:
    rest = paragraphs[(rule + 1) if rule is not None else 0 :]
    texts = [(p, _runs(p)) for p in rest]
    texts = [(p, runs) for p, runs in texts if runs]
    if not texts:
        problems.append(LayoutProblem("标题", "分隔线下没有标题和正文", "7.3.3"))
        return
    title, title_runs = texts[0]
    for run in title_runs:
        size, font = _size(notice, title, run), _east_asia(notice, title, run)
        if size != TITLE_PT or "小标宋" not in font:
            problems.append(
                LayoutProblem(
                    "标题",
                    f"「{_text(run).strip()[:12]}」为 {font or '未指定字体'} {size or '?'} 磅，"
                    f"应为 2号（{TITLE_PT:g} 磅）小标宋体",
                    "7.3.3",
                )
            )
            break
    for paragraph, runs in texts[1:]:
        for run in runs:
            size, font = _size(notice, paragraph, run), _east_asia(notice, paragraph, run)
            if size != BODY_PT or "仿宋" not in font:
                problems.append(
                    LayoutProblem(
                        "正文",
                        f"「{_text(paragraph).strip()[:12]}」为 {font or '未指定字体'} "
                        f"{size or '?'} 磅，应为 3号（{BODY_PT:g} 磅）仿宋体",
                        "5.2.3",
                    )
                )
                return
    last, _ = texts[-1]
    if DATE.match(_text(last)):
        ind = last.find("w:pPr/w:ind", NS)
        jc = last.find("w:pPr/w:jc", NS)
        right = int(ind.get(f"{_W}right") or 0) / 20 if ind is not None else 0.0
        aligned = jc is not None and jc.get(f"{_W}val") in ("right", "end")
        if not aligned or abs(right - 4 * BODY_PT) > BODY_PT / 2:
            problems.append(LayoutProblem("成文日期", "成文日期应右对齐并右空四字", "7.3.5.1"))
    else:
        problems.append(LayoutProblem("成文日期", "末行不是成文日期（××××年×月×日）", "7.3.5.3"))


def _twips(value: str | None) -> int:
    return int(value) if value and value.lstrip("-").isdigit() else 0


def _block_width_pt(document: Any) -> float | None:
    """The width of the text block (paper less left and right margins) in points."""
    sect = document.find(".//w:body/w:sectPr", NS)
    size = sect.find("w:pgSz", NS) if sect is not None else None
    margins = sect.find("w:pgMar", NS) if sect is not None else None
    if size is None or margins is None:
        return None
    width = _twips(size.get(f"{_W}w")) - _twips(margins.get(f"{_W}left"))
    return (width - _twips(margins.get(f"{_W}right"))) / 20


def _run_spacing(run: Any) -> int:
    spacing = run.find("w:rPr/w:spacing", NS)
    return _twips(spacing.get(f"{_W}val")) if spacing is not None else 0


def _wide(char: str) -> bool:
    return ord(char) > 0x2E7F


def set_lines(
    text: str, width: float, first_indent: float, size: float, spacing: float
) -> list[str]:
    """``text`` broken into lines as LibreOffice sets a justified 公文 paragraph: a full-width
    character takes ``size`` + ``spacing`` points, a half-width one (digits, Latin) half the
    size, a number or Latin word is never broken and has 3/8 of the size of space on each
    side next to Chinese; what may not begin a line takes the character before it along
    to the next line."""
    lines: list[str] = []
    line, used, room = "", 0.0, width - first_indent

    def advance(token: str, before: str) -> float:
        # the space LibreOffice puts between Chinese and a number (measured: 3/8 of the size)
        gap = size * 3 / 8 if before and _wide(before[-1]) != _wide(token[0]) else 0.0
        return gap + sum((size if _wide(c) else size / 2) + spacing for c in token)

    for token in _TOKEN.findall(text):  # a number or a Latin word is never broken
        step = advance(token, line)
        if line and used + step > room + 0.01:
            carried = ""
            if token in NO_LINE_START and len(line) > 1:
                line, carried = line[:-1], line[-1]  # 示。 go down together
            lines.append(line)
            line, room = carried, width
            used = advance(carried, "") if carried else 0.0
            step = advance(token, line)
        line += token
        used += step
    if line:
        lines.append(line)
    return lines


def lone_last_line(lines: list[str]) -> bool:
    """Whether the paragraph's last line holds one character (besides its punctuation)."""
    if len(lines) < 2:
        return False
    return len([c for c in lines[-1].strip() if c not in NO_LINE_START]) <= 1


def _body_lines(paragraph: Any, width: float, tighter: int = 0) -> list[str] | None:
    """How a justified body paragraph breaks (None: not one the check sets: no 3号 run)."""
    runs = _runs(paragraph)
    jc = paragraph.find("w:pPr/w:jc", NS)
    if not runs or jc is None or jc.get(f"{_W}val") not in ("both", "left", "start", "distribute"):
        return None
    sz = runs[0].find("w:rPr/w:sz", NS)
    size = _twips(sz.get(f"{_W}val")) / 2 if sz is not None else 0.0
    if size != BODY_PT:
        return None
    ind = paragraph.find("w:pPr/w:ind", NS)
    indent = 0.0
    if ind is not None:
        chars = ind.get(f"{_W}firstLineChars")
        indent = _twips(chars) / 100 * size if chars else _twips(ind.get(f"{_W}firstLine")) / 20
    spacing = (_run_spacing(runs[0]) - tighter) / 20
    return set_lines(_text(paragraph), width, indent, size, spacing)


def _lone_characters(notice: _Notice, problems: list[LayoutProblem]) -> None:
    width = _block_width_pt(notice.document)
    if width is None:
        return
    for paragraph in _paragraphs(notice):
        lines = _body_lines(paragraph, width)
        if lines is not None and lone_last_line(lines):
            problems.append(
                LayoutProblem(
                    "正文",
                    f"「{_text(paragraph).strip()[:12]}」一段的末行只有一个字"
                    f"（「{lines[-1].strip()}」），应调整字距使其并入上一行",
                    "5.2.2",
                )
            )


def tighten_lone_lines(data: bytes) -> bytes:
    """``data`` (a rendered notice) with each body paragraph that would end in a lone
    character set just tight enough (up to 1 pt a character) to end on a fuller line."""
    source = zipfile.ZipFile(io.BytesIO(data))
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(source.read("word/document.xml"), parser)
    width = _block_width_pt(root)
    changed = False
    for paragraph in root.iter(f"{_W}p") if width is not None else ():
        lines = _body_lines(paragraph, width or 0.0)
        if lines is None or not lone_last_line(lines):
            continue
        step = next(
            (
                tighter
                for tighter in range(1, MAX_TIGHTEN + 1)
                if not lone_last_line(_body_lines(paragraph, width or 0.0, tighter) or [])
            ),
            None,
        )
        if step is None:
            continue
        step = min(step + 1, MAX_TIGHTEN)  # a twentieth more than the model needs
        for run in _runs(paragraph):
            rpr = run.find("w:rPr", NS)
            if rpr is None:
                rpr = etree.SubElement(run, f"{_W}rPr")
                run.insert(0, rpr)
            spacing = rpr.find("w:spacing", NS)
            if spacing is None:  # in schema order: before w:sz where the run has one
                spacing = etree.Element(f"{_W}spacing")
                sz = rpr.find("w:sz", NS)
                if sz is not None:
                    sz.addprevious(spacing)
                else:
                    rpr.append(spacing)
            spacing.set(f"{_W}val", str(_run_spacing(run) - step))
        changed = True
    if not changed:
        return data
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "word/document.xml":
                body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            target.writestr(info, body, compress_type=info.compress_type)
    return out.getvalue()


def _page_field(part: Any) -> bool:
    instructions = [t.text or "" for t in part.iter(f"{_W}instrText")]
    instructions += [f.get(f"{_W}instr") or "" for f in part.iter(f"{_W}fldSimple")]
    return any(re.match(r"\s*PAGE\b", text) for text in instructions)


def _page_numbers(notice: _Notice, problems: list[LayoutProblem]) -> None:
    sect = notice.document.find(".//w:body/w:sectPr", NS)
    references = (
        {}
        if sect is None
        else {
            ref.get(f"{_W}type"): ref.get(f"{{{R_NS}}}id")
            for ref in sect.findall("w:footerReference", NS)
        }
    )
    even_odd = (
        notice.settings is not None and notice.settings.find("w:evenAndOddHeaders", NS) is not None
    )
    wanted = {"default": ("单页", ("right", "end")), "even": ("双页", ("left", "start"))}
    for kind, (name, alignments) in wanted.items():
        part = notice.parts.get(references.get(kind) or "")
        if part is None or not _page_field(part):
            problems.append(LayoutProblem("页码", f"{name}页脚没有页码域（PAGE）", "7.5"))
            continue
        paragraph = next((p for p in part.iter(f"{_W}p") if _page_field(p)), None)
        if paragraph is None:
            continue
        text = _text(paragraph)
        if "—" not in text:
            problems.append(LayoutProblem("页码", f"{name}页码两侧应有一字线（— 1 —）", "7.5"))
        jc = paragraph.find("w:pPr/w:jc", NS)
        if jc is None or jc.get(f"{_W}val") not in alignments:
            side = "居右" if kind == "default" else "居左"
            problems.append(LayoutProblem("页码", f"{name}页码应{side}空一字", "7.5"))
        for run in _runs(paragraph):
            size = notice.styles.value(paragraph, run, "w:sz", "val")
            font = notice.styles.value(paragraph, run, "w:rFonts", "ascii") or ""
            if size is None or int(size) / 2 != PAGE_NUMBER_PT or "宋" not in font:
                problems.append(LayoutProblem("页码", f"{name}页码应为 4号半角宋体", "7.5"))
                break
    if not even_odd:
        problems.append(LayoutProblem("页码", "未设置奇偶页不同的页脚（双页页码居左）", "7.5"))


def check_notice_layout(path: Path) -> list[LayoutProblem]:
    """Every deviation of the notice at ``path`` from GB/T 9704-2012's layout; empty if none."""
    notice = _Notice(path)
    problems: list[LayoutProblem] = []
    _page(notice, problems)
    paragraphs = _paragraphs(notice)
    rule = _banner(notice, paragraphs, problems)
    _title_and_body(notice, paragraphs, rule, problems)
    _lone_characters(notice, problems)
    _page_numbers(notice, problems)
    return problems
