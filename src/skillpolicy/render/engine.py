"""A .docx template compiled once, rendered many times.

Word splits text into runs wherever formatting, spell-checking or an edit history changes, so a
placeholder a clerk typed as ``{{ 单位名称 }}`` may sit in three ``w:t`` elements. The template
is pre-processed once: within each paragraph every ``{{ … }}``, ``{% … %}`` and ``{# … #}`` is
moved whole into the ``w:t`` where it starts, Word's smart quotes inside tags become plain
quotes, and docxtpl-style ``{%tr … %}`` / ``{%p … %}`` tags replace the table row or paragraph
that holds them, so a ``for`` loop repeats a row. The result is compiled into one Jinja
template per XML part (sandboxed, undefined names are errors, values XML-escaped).

Rendering a document is then one ``template.render`` per templated part plus a zip: every other
part is copied byte for byte, compressed once when the template was opened.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from markupsafe import Markup, escape

from ..domain.errors import InputError
from ..io.xlsxguard import declares_dtd
from ..io.xlsxout import xml_safe

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_W = f"{{{W_NS}}}"

# The parts of a .docx that may hold placeholders: the body, headers and footers.
_TEMPLATED_PART = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml")
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_TAG_START = re.compile(r"\{[{%#]")
_SMART_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
# a docxtpl row or paragraph tag, after the runs are joined: the whole element becomes the tag
_ROW_TAG = re.compile(r"<w:tr[ >](?:(?!<w:tr[ >]).)*?\{%tr\s(.*?)%\}.*?</w:tr>", re.DOTALL)
_CELL_TAG = re.compile(r"<w:tc[ >](?:(?!<w:tc[ >]).)*?\{%tc\s(.*?)%\}.*?</w:tc>", re.DOTALL)
_PARA_TAG = re.compile(r"<w:p[ >](?:(?!<w:p[ >]).)*?\{%p\s(.*?)%\}.*?</w:p>", re.DOTALL)
_LINE_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'


class RenderError(InputError):
    """A template cannot be compiled or a document cannot be rendered from it."""


# Bounds on what one template may make: loops, repeated text, and each rendered part.
MAX_RANGE = 100_000  # items of one range()
MAX_TEXT = 1_000_000  # characters or items one * or ** may produce
MAX_PART_CHARS = 64 << 20  # one rendered XML part


class TemplateLimit(Exception):
    """A template asked for more than the sandbox allows."""


def _finalize(value: Any) -> Any:
    """Text values keep their line breaks (a newline becomes a Word line break) and lose the
    control characters XML cannot hold, so no data makes a document Word cannot open."""
    if isinstance(value, str) and not isinstance(value, Markup):
        value = xml_safe(value)
        if "\n" in value:
            return Markup(_LINE_BREAK).join(escape(line) for line in value.split("\n"))
    return value


def _bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise TemplateLimit(f"range() 最多 {MAX_RANGE:,} 项")
    return numbers


class BoundedEnvironment(SandboxedEnvironment):
    """The sandbox with limits on loops and on text a template multiplies or raises to a
    power: an edited template cannot take the machine's memory or time."""

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            if (
                isinstance(left, int | float)
                and isinstance(right, int | float)
                and abs(right) > 64
                and abs(left) > 1
            ):
                raise TemplateLimit("乘方的指数过大")
        elif operator == "*":
            for sized, times in ((left, right), (right, left)):
                if (
                    isinstance(sized, str | list | tuple)
                    and isinstance(times, int)
                    and len(sized) * times > MAX_TEXT
                ):
                    raise TemplateLimit(f"重复生成的内容超过 {MAX_TEXT:,} 个字符")
        return super().call_binop(context, operator, left, right)


def make_environment() -> SandboxedEnvironment:
    """The Jinja environment every template uses: sandboxed with limits, strict, escaping
    for XML."""
    environment = BoundedEnvironment(
        undefined=StrictUndefined,
        autoescape=True,
        finalize=_finalize,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    environment.globals["range"] = _bounded_range
    return environment


def _join_runs(paragraph: Any) -> bool:
    """Move every tag of ``paragraph`` whole into the ``w:t`` where it starts."""
    texts = [t for t in paragraph.iter(f"{_W}t") if t.text]
    if not texts:
        return False
    joined = "".join(t.text or "" for t in texts)
    if not _TAG_START.search(joined):
        return False
    # owner[i]: which w:t holds character i of the joined text
    owner: list[int] = []
    for index, node in enumerate(texts):
        owner.extend([index] * len(node.text or ""))
    pieces = [list(node.text or "") for node in texts]
    changed = False
    for match in _TAG.finditer(joined):
        first, last = owner[match.start()], owner[match.end() - 1]
        tag = match.group(0).translate(_SMART_QUOTES)
        if first == last and tag == match.group(0):
            continue
        changed = True
        # blank out the tag's characters everywhere, then put it whole at its start
        offsets = [0]
        for node_pieces in pieces:
            offsets.append(offsets[-1] + len(node_pieces))
        for position in range(match.start(), match.end()):
            node = owner[position]
            pieces[node][position - offsets[node]] = ""
        start_node = owner[match.start()]
        pieces[start_node][match.start() - offsets[start_node]] = tag
    if changed:
        for node, node_pieces in zip(texts, pieces, strict=True):
            node.text = "".join(node_pieces)
    for node in texts:
        if node.text and _TAG_START.search(node.text):
            node.set(f"{{{XML_NS}}}space", "preserve")
    return True


def _unescape_tags(xml: str) -> str:
    """Inside a tag, ``&gt;`` and friends are Jinja operators, not text."""
    return _TAG.sub(lambda m: html.unescape(m.group(0)), xml)


def preprocess(xml: bytes) -> str:
    """The Jinja source for one XML part (see the module docstring)."""
    if declares_dtd(xml):  # no entity is expanded and no DTD or file is fetched
        raise RenderError(
            "模板中的 XML 含有 DTD/实体声明（<!DOCTYPE>），正常的 Word 文档不会有，已拒绝使用；"
            "请在 Word 中另存为 .docx 后重试"
        )
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(xml, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise RenderError(f"模板中的 XML 已损坏：{exc}") from exc
    for paragraph in root.iter(f"{_W}p"):
        _join_runs(paragraph)
    text: str = etree.tostring(root, encoding="unicode")
    text = _ROW_TAG.sub(lambda m: "{% " + m.group(1).strip() + " %}", text)
    text = _CELL_TAG.sub(lambda m: "{% " + m.group(1).strip() + " %}", text)
    text = _PARA_TAG.sub(lambda m: "{% " + m.group(1).strip() + " %}", text)
    return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + _unescape_tags(text)


def _tag_near(source: str, line: int | None) -> str:
    """The tags on ``line`` of the pre-processed XML, for an error message a clerk can use."""
    if line is None:
        return ""
    lines = source.splitlines()
    if not 0 < line <= len(lines):
        return ""
    tags = _TAG.findall(lines[line - 1])
    return f"（附近的标记：{' '.join(tags[:3])}）" if tags else ""


@dataclass(frozen=True)
class _Part:
    info: zipfile.ZipInfo
    source: str
    template: Any  # jinja2.Template


def _render_bounded(template: Any, context: Mapping[str, Any]) -> str:
    """``template.render(context)``, stopped once the part passes :data:`MAX_PART_CHARS`."""
    pieces: list[str] = []
    size = 0
    for piece in template.generate(context):
        size += len(piece)
        if size > MAX_PART_CHARS:
            raise TemplateLimit(f"生成的文档部分超过 {MAX_PART_CHARS >> 20} MB")
        pieces.append(piece)
    return "".join(pieces)


class DocxTemplate:
    """A .docx template opened, pre-processed and compiled once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.environment = make_environment()
        try:
            archive = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise RenderError("不是有效的 Word 文档（.docx）", file=path) from exc
        parts: list[_Part] = []
        prefix = io.BytesIO()
        with archive, zipfile.ZipFile(prefix, "w") as copy:
            if "word/document.xml" not in archive.namelist():
                raise RenderError("压缩包中没有 word/document.xml，不是 Word 文档", file=path)
            for info in archive.infolist():
                data = archive.read(info)
                if _TEMPLATED_PART.fullmatch(info.filename) and b"{" in data:
                    try:
                        source = preprocess(data)
                    except RenderError as error:
                        raise error.located(file=path) from None
                    if _TAG_START.search(source):
                        parts.append(_Part(info, source, self._compile(source)))
                        continue
                copy.writestr(info, data, compress_type=info.compress_type)
        self.parts = parts
        self._prefix = prefix.getvalue()

    def _compile(self, source: str) -> Any:
        try:
            return self.environment.from_string(source)
        except TemplateSyntaxError as exc:
            raise RenderError(
                f"模板语法错误：{exc.message}{_tag_near(source, exc.lineno)}", file=self.path
            ) from exc

    def parse(self) -> list[nodes.Template]:
        """The Jinja syntax tree of every templated part (for ``--check``)."""
        return [self.environment.parse(part.source) for part in self.parts]

    def render_parts(self, context: Mapping[str, Any]) -> list[tuple[zipfile.ZipInfo, bytes]]:
        rendered: list[tuple[zipfile.ZipInfo, bytes]] = []
        for part in self.parts:
            try:
                text = _render_bounded(part.template, context)
            except TemplateLimit as exc:
                raise RenderError(f"模板超出了允许的范围：{exc}", file=self.path) from exc
            except (OverflowError, MemoryError, RecursionError) as exc:
                raise RenderError(
                    f"模板超出了允许的范围（{type(exc).__name__}）", file=self.path
                ) from exc
            except UndefinedError as exc:
                raise RenderError(
                    f"模板用到了数据中没有的占位符：{exc.message}", file=self.path
                ) from exc
            except SecurityError as exc:
                raise RenderError(f"模板中有不允许的操作：{exc}", file=self.path) from exc
            rendered.append((part.info, text.encode("utf-8")))
        return rendered

    def render_bytes(self, context: Mapping[str, Any]) -> bytes:
        """The finished .docx for ``context`` as bytes."""
        rendered = self.render_parts(context)
        buffer = io.BytesIO(self._prefix)
        with zipfile.ZipFile(buffer, "a") as archive:
            for info, data in rendered:
                archive.writestr(info, data, compress_type=info.compress_type)
        return buffer.getvalue()

    def render_to(self, context: Mapping[str, Any], target: Path) -> None:
        """Write the document for ``context`` to ``target`` (the caller makes it atomic)."""
        target.write_bytes(self.render_bytes(context))
