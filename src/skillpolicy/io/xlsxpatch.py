"""Patch an .xlsx in place of rewriting it: the annotated copy's workbook surgery.

A clerk's workbook is copied part by part without inflating or deflating anything (the raw
compressed bytes of each zip entry are copied), except the few parts the copy changes:

* the data sheet's XML, streamed in chunks: a marked cell gets the index of a coloured variant
  of its own style (every other attribute and child kept), a marked cell that is not in the
  XML is inserted in its row (or its row inserted), hidden rows and columns may be shown again;
* ``styles.xml``: one coloured variant of each style a marked cell used is appended to
  ``cellXfs`` (with the fills it needs) and two styles for the summary sheet;
* the cell comments: a comments part and its legacy VML drawing, new ones or the sheet's own
  with ours appended (an existing comment on a marked cell keeps its text, ours follows it);
* the summary sheet, written as it streams out, with its print setup and print titles;
* ``workbook.xml``, its relationships, the sheet's relationships and ``[Content_Types].xml``.

Shared strings, inline strings, formulas, merged cells, data validations, conditional formats,
defined names, drawings and every other part are left as they are, so whatever wrote the
workbook (Excel, WPS, LibreOffice, openpyxl) the clerk's formatting survives at every size.
Memory grows with the findings, not with the sheet.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import posixpath
import queue
import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

from lxml import etree

from ..domain.errors import InputError
from .xlsxout import line_height, lines_needed

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE_DOCUMENT = DOC_REL_NS + "/officeDocument"
WORKSHEET_REL = DOC_REL_NS + "/worksheet"
STYLES_REL = DOC_REL_NS + "/styles"
COMMENTS_REL = DOC_REL_NS + "/comments"
VML_REL = DOC_REL_NS + "/vmlDrawing"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"

AUTHOR = "skillpolicy"
FILLS = {"error": "FFFF9999", "warning": "FFFFE699"}  # the colours xlsxout's fills use
HEADER_FILL = "FFDDEBF7"
_CHUNK = 1 << 20  # inflated bytes handled at a time
_LEVEL = 1  # deflate level of the rewritten sheet: fast, and still about 10x smaller

_NAME = rb"(?:[A-Za-z_][\w.-]*:)?"
_ROW_NUMBER = re.compile(rb"\sr\s*=\s*[\"'](\d+)")
_CELL = re.compile(rb"<(" + _NAME + rb")c\b([^>]*?)(/?)>")
_DIMENSION = re.compile(
    rb"<" + _NAME + rb"dimension\b[^>]*?\bref\s*=\s*[\"']"
    rb"(\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?)"
)
_COL = re.compile(rb"<" + _NAME + rb"col\b([^>]*?)(/?)>")
_VALUE = re.compile(rb"<" + _NAME + rb"(?:v|is|f)\b")
_SHEET_DATA = re.compile(rb"<(" + _NAME + rb")sheetData\b([^>]*?)(/?)>")
_SHEET_DATA_END = re.compile(rb"</" + _NAME + rb"sheetData\s*>")
_ROOT = re.compile(rb"<(" + _NAME + rb")worksheet\b")
_MERGE = re.compile(rb"<" + _NAME + rb"mergeCell\b[^>]*?\bref\s*=\s*[\"']([A-Za-z0-9:$]+)[\"']")
_LEGACY = re.compile(rb"<" + _NAME + rb"legacyDrawing\b")
# what follows legacyDrawing in CT_Worksheet (and the AlternateContent Excel wraps controls in)
_AFTER_LEGACY = re.compile(
    rb"<(?:" + _NAME + rb")(?:legacyDrawingHF|drawingHF|picture|oleObjects|controls|"
    rb"webPublishItems|tableParts|extLst|AlternateContent)\b|</" + _NAME + rb"worksheet\s*>"
)
_ATTR = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REF = re.compile(rb"\$?([A-Za-z]{1,3})\$?(\d+)")
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Cell = tuple[int, int]  # (row, column), 1-based
Area = tuple[int, int, int, int]  # min_row, min_col, max_row, max_col


@dataclass(frozen=True)
class CellMark:
    """How one cell is marked: its fill (``error`` or ``warning``) and its comment's text."""

    fill: str
    comment: str
    lines: int = 1


@dataclass
class SummarySheet:
    """A sheet appended to the workbook: a bold header row and wrapped text rows."""

    name: str
    headers: list[str]
    widths: list[float]
    rows: Iterable[list[Any]]


def column_number(letters: str | bytes) -> int:
    """``"A"`` -> 1, ``"AB"`` -> 28."""
    text = letters.decode() if isinstance(letters, bytes) else letters
    number = 0
    for ch in text.upper():
        number = number * 26 + ord(ch) - 64
    return number


def column_letters(number: int) -> str:
    """1 -> ``"A"``, 28 -> ``"AB"``."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _attrs(body: bytes) -> dict[bytes, bytes]:
    return {m[1]: m[2] if m[2] is not None else m[3] for m in _ATTR.finditer(body)}


def _set_attr(body: bytes, name: bytes, value: bytes | None) -> bytes:
    """A tag's attribute text with ``name`` set where it stands (appended when the tag has
    none), or removed when ``value`` is None."""
    pattern = rb"(\s)" + re.escape(name) + rb"\s*=\s*(?:\"[^\"]*\"|'[^']*')"
    if value is None:
        return re.sub(pattern, b"", body)
    replaced, count = re.subn(pattern, lambda m: m[1] + name + b'="' + value + b'"', body, count=1)
    return replaced if count else body.rstrip() + b" " + name + b'="' + value + b'"'


def _truthy(value: bytes | None) -> bool:
    return value is not None and value.strip() in (b"1", b"true")


def _zero(value: bytes | None) -> bool:
    try:
        return value is not None and float(value) == 0
    except ValueError:
        return False


def _text(value: str) -> str:
    return escape(_ILLEGAL.sub("", value))


def _parse(data: bytes) -> Any:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
    return etree.fromstring(data, parser)


def _serialize(root: Any) -> bytes:
    tree = root.getroottree()
    standalone = tree.docinfo.standalone
    result: bytes = etree.tostring(
        tree, xml_declaration=True, encoding="UTF-8", standalone=standalone
    )
    return result


def _part_path(base_part: str, target: str) -> str:
    """The zip name a relationship's target points at, from the part that holds it."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _relative(from_part: str, to_part: str) -> str:
    return posixpath.relpath(to_part, posixpath.dirname(from_part) or ".")


def _free(taken: Iterable[str], pattern: str) -> str:
    names = {name.lower() for name in taken}
    number = 1
    while pattern.format(number).lower() in names:
        number += 1
    return pattern.format(number)


def _q(tag: str, namespace: str = MAIN_NS) -> str:
    return f"{{{namespace}}}{tag}"


# --------------------------------------------------------------------------- styles


class _Styles:
    """styles.xml with coloured variants of cell styles appended as they are asked for."""

    MINIMAL = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN_NS}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
        'borderId="0" xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" '
        'xfId="0" builtinId="0"/></cellStyles></styleSheet>'
    ).encode()

    def __init__(self, xml: bytes | None) -> None:
        self.root = _parse(xml if xml is not None else self.MINIMAL)
        self.xfs = self._section("cellXfs", ("cellStyles", "dxfs", "tableStyles", "colors"))
        self.fills = self._section("fills", ("borders", "cellStyleXfs", "cellXfs"))
        self.fonts = self._section("fonts", ("fills", "borders", "cellStyleXfs", "cellXfs"))
        if not len(self.xfs):
            self.xfs.append(self._element("xf", numFmtId="0", fontId="0", fillId="0", xfId="0"))
        self.variants: dict[tuple[int, str], int] = {}
        self.fill_ids: dict[str, int] = {}

    def _element(self, tag: str, **attributes: str) -> Any:
        element = etree.Element(_q(tag), nsmap=None)
        for name, value in attributes.items():
            element.set(name, value)
        return element

    def _section(self, tag: str, before: tuple[str, ...]) -> Any:
        found = self.root.find(_q(tag))
        if found is not None:
            return found
        section = self._element(tag, count="0")
        for name in before:
            following = self.root.find(_q(name))
            if following is not None:
                following.addprevious(section)
                return section
        self.root.append(section)
        return section

    @staticmethod
    def _count(section: Any) -> int:
        section.set("count", str(len(section)))
        return len(section) - 1

    def fill(self, rgb: str) -> int:
        if rgb not in self.fill_ids:
            fill = etree.SubElement(self.fills, _q("fill"))
            pattern = etree.SubElement(fill, _q("patternFill"), patternType="solid")
            etree.SubElement(pattern, _q("fgColor"), rgb=rgb)
            etree.SubElement(pattern, _q("bgColor"), indexed="64")
            self.fill_ids[rgb] = self._count(self.fills)
        return self.fill_ids[rgb]

    def variant(self, base: int, kind: str) -> int:
        """The index of style ``base`` filled with the colour of ``kind``."""
        key = (base, kind)
        if key not in self.variants:
            source = self.xfs[base] if 0 <= base < len(self.xfs) else self.xfs[0]
            xf = copy.deepcopy(source)
            xf.set("fillId", str(self.fill(FILLS[kind])))
            xf.set("applyFill", "1")
            self.xfs.append(xf)
            self.variants[key] = self._count(self.xfs)
        return self.variants[key]

    def summary_styles(self) -> tuple[int, int]:
        """(header, body) styles of the summary sheet: bold on blue, and wrapped at the top."""
        font = copy.deepcopy(self.fonts[0]) if len(self.fonts) else etree.Element(_q("font"))
        for bold in font.findall(_q("b")):
            font.remove(bold)
        font.insert(0, etree.Element(_q("b")))
        self.fonts.append(font)
        font_id = self._count(self.fonts)
        ids = []
        for font_of, fill_of in ((font_id, self.fill(HEADER_FILL)), (0, 0)):
            xf = etree.SubElement(
                self.xfs, _q("xf"), numFmtId="0", fontId=str(font_of), fillId=str(fill_of),
                borderId="0", xfId="0", applyFont="1", applyFill="1", applyAlignment="1",
            )  # fmt: skip
            etree.SubElement(xf, _q("alignment"), vertical="top", wrapText="1")
            ids.append(self._count(self.xfs))
        return ids[0], ids[1]

    def to_bytes(self) -> bytes:
        return _serialize(self.root)


# --------------------------------------------------------------------------- the sheet


@dataclass
class _SheetPlan:
    """What the data sheet's stream changes."""

    kinds: dict[int, dict[int, str]]  # row -> column -> fill kind of a marked cell
    unhide: bool
    styles: _Styles
    legacy_id: str | None  # the r:id of a legacyDrawing to add, or None
    hidden_columns: set[int] = field(default_factory=set)
    column_styles: dict[int, int] = field(default_factory=dict)
    prefix: bytes = b""


@dataclass(frozen=True)
class _Tag:
    """A start tag found in the stream: where it is, its prefix, attribute text, ``/>``."""

    start: int
    end: int
    prefix: bytes
    body: bytes
    closed: bool


_TAG_FOLLOWERS = (b" ", b">", b"/", b"\t", b"\n", b"\r")


def _cell_style(attributes: dict[bytes, bytes]) -> int:
    try:
        return int(attributes.get(b"s", b"0"))
    except ValueError:
        return 0


class _SheetPatcher:
    """Rewrites a worksheet's XML as it streams through, a chunk of rows at a time."""

    def __init__(self, plan: _SheetPlan) -> None:
        self.plan = plan
        self.pending = sorted(plan.kinds)  # marked rows not yet met in the XML
        self.last_row = 0
        self.row_needle = b"<row"

    # -- head: everything before <sheetData>

    def head(self, data: bytes) -> bytes:
        root = _ROOT.search(data)
        self.plan.prefix = root[1] if root else b""
        self.row_needle = b"<" + self.plan.prefix + b"row"  # rows carry the root's prefix
        data = self._dimension(data)
        out = []
        position = 0
        for match in _COL.finditer(data):
            attributes = _attrs(match[1])
            try:
                first = int(attributes.get(b"min", b"0"))
                last = int(attributes.get(b"max", first))
            except ValueError:
                continue
            style = attributes.get(b"style")
            if style is not None and style.isdigit():
                for number in range(first, min(last, 16384) + 1):
                    self.plan.column_styles[number] = int(style)
            if self.plan.unhide and _truthy(attributes.get(b"hidden")):
                self.plan.hidden_columns.update(range(first, min(last, 16384) + 1))
                tag, offset = match[0], match.start()
                body = _set_attr(match[1], b"hidden", None)
                out.append(data[position:offset])
                out.append(tag[: match.start(1) - offset] + body + tag[match.end(1) - offset :])
                position = match.end()
        out.append(data[position:])
        return b"".join(out)

    def _dimension(self, data: bytes) -> bytes:
        """The declared ``<dimension>`` grown to hold a mark below or right of it."""
        found = _DIMENSION.search(data)
        if found is None or not self.plan.kinds:
            return data
        bottom = max(self.plan.kinds)
        right = max(max(columns) for columns in self.plan.kinds.values())
        last_row = int(found[5] or found[3])
        last_column = column_number(found[4] or found[2])
        if bottom <= last_row and right <= last_column:
            return data
        reference = f"{found[2].decode()}{found[3].decode()}:"
        reference += f"{column_letters(max(right, last_column))}{max(bottom, last_row)}"
        return data[: found.start(1)] + reference.encode() + data[found.end(1) :]

    # -- rows

    def rows(self, data: bytes) -> bytes:
        """Complete rows (and the whitespace between them) with the marks applied."""
        out: list[bytes] = []
        emitted = position = 0  # bytes before ``emitted`` are in ``out``
        everything = bool(self.plan.hidden_columns)
        unhide = self.plan.unhide
        find_number = _ROW_NUMBER.search
        while True:
            match = self._next_row(data, position)
            if match is None:
                break
            numbered = find_number(match.body)
            self.last_row = number = int(numbered[1]) if numbered else self.last_row + 1
            pending = self.pending
            if pending and pending[0] < number:
                out.append(data[emitted : match.start])
                out.append(self._new_rows(number))
                emitted = match.start
            if match.closed:
                end = match.end
            else:
                closing = b"</" + match.prefix + b"row>"
                end = data.find(closing, match.end)
                if end < 0:
                    raise ValueError("unterminated row")
                end += len(closing)
            position = end
            marked = pending and pending[0] == number
            if not (marked or unhide):
                continue
            attributes = _attrs(match.body)
            hidden = unhide and (_truthy(attributes.get(b"hidden")) or _zero(attributes.get(b"ht")))
            if marked or hidden or everything:
                if marked:
                    pending.pop(0)
                out.append(data[emitted : match.start])
                out.append(self._row(data[match.start : end], match, attributes, number, hidden))
                emitted = end
        out.append(data[emitted:])
        return b"".join(out)

    def _next_row(self, data: bytes, position: int) -> _Tag | None:
        """The next ``<row …>`` tag at or after ``position`` (a plain find: rows are most of
        a sheet, a regular expression would look at every ``<`` of every cell)."""
        needle = self.row_needle
        while True:
            start = data.find(needle, position)
            if start < 0:
                return None
            after = start + len(needle)
            if data[after : after + 1] not in _TAG_FOLLOWERS:
                position = after  # <rowBreaks> or the like
                continue
            end = data.find(b">", after)
            if end < 0:
                return None
            body = data[after:end]
            closed = body.endswith(b"/")
            return _Tag(start, end + 1, self.plan.prefix, body[:-1] if closed else body, closed)

    def finish_rows(self) -> bytes:
        """Rows for the marks below the sheet's last row (a blank required cell)."""
        return self._new_rows(None)

    def _new_rows(self, before: int | None) -> bytes:
        out = []
        p = self.plan.prefix
        while self.pending and (before is None or self.pending[0] < before):
            number = self.pending.pop(0)
            cells = b"".join(
                self._new_cell(number, column, self.plan.column_styles.get(column, 0))
                for column in sorted(self.plan.kinds[number])
            )
            out.append(b"<" + p + b'row r="' + str(number).encode() + b'">' + cells)
            out.append(b"</" + p + b"row>")
        return b"".join(out)

    def _new_cell(self, row: int, column: int, base: int) -> bytes:
        kind = self.plan.kinds[row][column]
        style = self.plan.styles.variant(base, kind)
        reference = f"{column_letters(column)}{row}".encode()
        return b"<" + self.plan.prefix + b'c r="' + reference + b'" s="%d"/>' % style

    def _row(
        self,
        text: bytes,
        match: _Tag,
        attributes: dict[bytes, bytes],
        number: int,
        hidden: bool,
    ) -> bytes:
        p = match.prefix
        kinds = dict(self.plan.kinds.get(number, {}))
        row_style = _cell_style(attributes) if _truthy(attributes.get(b"customFormat")) else None
        tag_end = match.end - match.start
        out: list[bytes] = []
        position = tag_end
        column = 0
        has_data = False
        inserted = False
        body_end = len(text) if match.closed else len(text) - len(b"</" + p + b"row>")
        for cell in _CELL.finditer(text, tag_end, body_end):
            cell_attributes = _attrs(cell[2])
            reference = cell_attributes.get(b"r")
            found = _REF.fullmatch(reference) if reference else None
            column = column_number(found[1]) if found else column + 1
            if cell[3]:
                cell_end = cell.end()
                value = False
            else:
                closing = b"</" + cell[1] + b"c>"
                cell_end = text.find(closing, cell.end(), body_end)
                if cell_end < 0:
                    raise ValueError("unterminated cell")
                value = bool(_VALUE.search(text, cell.end(), cell_end))
                cell_end += len(closing)
            has_data = has_data or value
            for missing in sorted(c for c in kinds if c < column):
                out.append(text[position : cell.start()])
                position = cell.start()
                out.append(self._new_cell(number, missing, self._base(row_style, missing)))
                del kinds[missing]
                inserted = True
            kind = kinds.pop(column, None)
            if kind is None and value and (hidden or column in self.plan.hidden_columns):
                kind = "warning"
            body = cell[2]
            if kind is not None:
                style = self.plan.styles.variant(_cell_style(cell_attributes), kind)
                body = _set_attr(body, b"s", str(style).encode())
            if found is None:
                body = _set_attr(body, b"r", f"{column_letters(column)}{number}".encode())
            if body is not cell[2]:
                out.append(text[position : cell.start()])
                out.append(b"<" + cell[1] + b"c" + body + cell[3] + b">")
                position = cell.end()
            else:
                out.append(text[position : cell.end()])
                position = cell.end()
            out.append(text[position:cell_end])
            position = cell_end
        tail = b"".join(self._new_cell(number, c, self._base(row_style, c)) for c in sorted(kinds))
        inserted = inserted or bool(tail)
        row_body = match.body
        if hidden and has_data:
            for name in (b"hidden", b"ht", b"customHeight"):
                row_body = _set_attr(row_body, name, None)
        if inserted:
            row_body = _set_attr(row_body, b"spans", None)
        if b"r" not in attributes:
            row_body = _set_attr(row_body, b"r", str(number).encode())
        if match.closed:
            if not tail:
                return b"<" + p + b"row" + row_body + b"/>"
            return b"<" + p + b"row" + row_body + b">" + tail + b"</" + p + b"row>"
        start = b"<" + p + b"row" + row_body + b">"
        return start + b"".join(out) + text[position:body_end] + tail + text[body_end:]

    def _base(self, row_style: int | None, column: int) -> int:
        if row_style is not None:
            return row_style
        return self.plan.column_styles.get(column, 0)

    # -- tail: everything after </sheetData>

    def tail(self, data: bytes) -> bytes:
        if self.plan.legacy_id is None or _LEGACY.search(data):
            return data
        where = _AFTER_LEGACY.search(data)
        at = where.start() if where else len(data)
        element = (
            b"<" + self.plan.prefix + b'legacyDrawing xmlns:r="' + DOC_REL_NS.encode() + b'" '
            b'r:id="' + self.plan.legacy_id.encode() + b'"/>'
        )
        return data[:at] + element + data[at:]


_EMPTY_SHEET_DATA = re.compile(rb"<" + _NAME + rb"sheetData\b[^>]*/>")


def _rows_end(buffer: bytes) -> tuple[int, int] | None:
    """Where ``</sheetData>`` (or an empty ``<sheetData/>``) is in ``buffer``: its start and
    end, or None. A plain find for the name, then a look at the tag around it: a regular
    expression would stop at every ``</`` of every cell."""
    position = 0
    while (found := buffer.find(b"sheetData", position)) >= 0:
        start = buffer.rfind(b"<", 0, found)
        if start >= 0:
            tag = _SHEET_DATA_END.match(buffer, start) or _EMPTY_SHEET_DATA.match(buffer, start)
            if tag is not None:
                return tag.start(), tag.end()
        position = found + 9
    return None


def _row_end(buffer: bytes) -> int:
    """Where the last complete ``</row>`` of ``buffer`` ends, or 0."""
    position = len(buffer)
    while True:
        position = buffer.rfind(b"row>", 0, position)
        if position < 0:
            return 0
        start = buffer.rfind(b"<", 0, position)
        if start >= 0 and re.fullmatch(rb"</" + _NAME + rb"row>", buffer[start : position + 4]):
            return position + 4


# --------------------------------------------------------------------------- comments


def _comment_xml(ref: str, author: int, text: str) -> Any:
    comment = etree.Element(_q("comment"), ref=ref, authorId=str(author))
    body = etree.SubElement(comment, _q("text"))
    run = etree.SubElement(body, _q("r"))
    t = etree.SubElement(run, _q("t"))
    t.text = _ILLEGAL.sub("", text)
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return comment


VML_HEAD = (
    '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
    ' xmlns:x="urn:schemas-microsoft-com:office:excel">\n'
    ' <o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>\n'
)
VML_SHAPETYPE = (
    ' <v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202"'
    ' path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
    '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>\n'
)


def _vml_shape(number: int, cell: Cell, lines: int) -> str:
    row, column = cell[0] - 1, cell[1] - 1
    height = (40 + 40 * lines) * 0.75
    return (
        f' <v:shape id="_x0000_s{number}" type="#_x0000_t202" style="position:absolute;'
        f"margin-left:80pt;margin-top:2pt;width:240pt;height:{height:g}pt;z-index:{number};"
        'visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
        '<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
        '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div>'
        '</v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
        f"<x:Anchor>{column + 1}, 15, {max(row - 1, 0)}, 10, {column + 4}, 15, {row + 4}, 4"
        f"</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row>"
        f"<x:Column>{column}</x:Column></x:ClientData></v:shape>\n"
    )


# --------------------------------------------------------------------------- the workbook


class WorkbookPatch:
    """An .xlsx opened for patching one of its sheets (see the module's docstring)."""

    def __init__(self, source: Path, sheet_names: Iterable[str]) -> None:
        self.source = source
        self.handle: IO[bytes] = source.open("rb")
        try:
            self.archive = zipfile.ZipFile(self.handle)
            self.infos = {info.filename: info for info in self.archive.infolist()}
            root_rels = self._rels("")
            self.workbook_part = next(
                (_part_path("", t) for t, kind in root_rels.values() if kind == OFFICE_DOCUMENT),
                "xl/workbook.xml",
            )
            self.workbook = _parse(self.read(self.workbook_part))
            self.workbook_rels = self._rels(self.workbook_part)
            self.sheets = self.workbook.find(_q("sheets"))
            if self.sheets is None:
                raise ValueError("no sheets")
            wanted = set(sheet_names)
            self.sheet_part = ""
            self.names: list[str] = []
            for sheet in self.sheets.findall(_q("sheet")):
                name = sheet.get("name", "")
                self.names.append(name)
                target = self.workbook_rels.get(sheet.get(_q("id", DOC_REL_NS), ""))
                if target is not None and name in wanted and not self.sheet_part:
                    self.sheet_part = _part_path(self.workbook_part, target[0])
            if self.sheet_part not in self.infos:
                raise KeyError(self.sheet_part)
        except BaseException:
            self.handle.close()
            raise

    def close(self) -> None:
        self.archive.close()
        self.handle.close()

    def __enter__(self) -> WorkbookPatch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self, part: str) -> bytes:
        return self.archive.read(self.infos[part])

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (target, type) of ``part`` ('' for the package)."""
        name = _rels_name(part) if part else "_rels/.rels"
        if name not in self.infos:
            return {}
        root = _parse(self.read(name))
        return {
            rel.get("Id", ""): (rel.get("Target", ""), rel.get("Type", ""))
            for rel in root.findall(_q("Relationship", PKG_REL_NS))
            if rel.get("TargetMode") != "External"
        }

    def _chunks(self, part: str) -> Iterator[bytes]:
        with self.archive.open(self.infos[part]) as stream:
            while chunk := stream.read(_CHUNK):
                yield chunk

    def merged_areas(self) -> list[Area]:
        """The data sheet's merged ranges (read from the XML after its rows)."""
        with self._broken():
            return self._merged_areas()

    def _merged_areas(self) -> list[Area]:
        tail: list[bytes] = []
        seen = b""
        for chunk in self._chunks(self.sheet_part):
            if tail:
                tail.append(chunk)
                continue
            window = seen[-64:] + chunk
            found = _rows_end(window)
            if found is not None:
                tail.append(window[found[1] :])
            seen = window
        areas = []
        for ref in _MERGE.findall(b"".join(tail)):
            corners = [_REF.fullmatch(corner) for corner in ref.split(b":")]
            points = [(int(m[2]), column_number(m[1])) for m in corners if m is not None]
            if len(points) != len(corners) or len(points) not in (1, 2):
                continue
            (r1, c1), (r2, c2) = points[0], points[-1]
            areas.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
        return areas

    # -- writing

    def write(
        self,
        target: Path,
        marks: dict[Cell, CellMark],
        *,
        unhide: bool,
        summary: SummarySheet,
    ) -> None:
        """Write the patched copy to ``target`` (a new file)."""
        with self._broken():
            self._write(target, marks, unhide=unhide, summary=summary)

    @contextlib.contextmanager
    def _broken(self) -> Iterator[None]:
        """A part that cannot be read or patched: one line about the file, exit 2."""
        try:
            yield
        except OSError as exc:
            if exc.errno in _WRITE_FAILURES:
                raise  # the copy could not be written (a full disk): the writer says which file
            raise InputError(
                f"无法读取工作簿以生成标注副本（{type(exc).__name__}）", file=self.source
            ) from exc
        except _UNREADABLE as exc:
            raise InputError(
                f"无法读取工作簿以生成标注副本（{type(exc).__name__}）", file=self.source
            ) from exc

    def _write(
        self,
        target: Path,
        marks: dict[Cell, CellMark],
        *,
        unhide: bool,
        summary: SummarySheet,
    ) -> None:
        styles_part = next(
            (
                _part_path(self.workbook_part, t)
                for t, kind in self.workbook_rels.values()
                if kind == STYLES_REL
            ),
            None,
        )
        if styles_part is not None and styles_part not in self.infos:
            styles_part = None
        styles = _Styles(self.read(styles_part) if styles_part else None)
        replaced: dict[str, bytes] = {}
        added: dict[str, bytes] = {}
        types = _parse(self.read("[Content_Types].xml"))
        taken = set(self.infos)

        def add_part(pattern: str, content_type: str | None) -> str:
            name = _free(taken, pattern)
            taken.add(name)
            if content_type is not None:
                etree.SubElement(
                    types, _q("Override", CT_NS), PartName="/" + name, ContentType=content_type
                )
            return name

        if styles_part is None:
            styles_part = add_part("xl/styles{}.xml", STYLES_TYPE)
            self._add_rel(replaced, self.workbook_part, self.workbook_rels, STYLES_REL, styles_part)

        # comments and their drawing
        legacy_id = None
        if marks:
            legacy_id = self._comments(marks, replaced, added, add_part, types)

        # the summary sheet
        summary_part = add_part("xl/worksheets/sheet{}.xml", WORKSHEET_TYPE)
        summary_id = self._add_rel(
            replaced, self.workbook_part, self.workbook_rels, WORKSHEET_REL, summary_part
        )
        self._add_sheet(summary.name, summary_id)
        header_style, body_style = styles.summary_styles()
        replaced[self.workbook_part] = _serialize(self.workbook)
        replaced["[Content_Types].xml"] = _serialize(types)

        kinds: dict[int, dict[int, str]] = {}
        for (row, column), mark in marks.items():
            kinds.setdefault(row, {})[column] = mark.fill
        plan = _SheetPlan(kinds=kinds, unhide=unhide, styles=styles, legacy_id=legacy_id)

        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=_LEVEL) as out:
            deferred = []
            for info in self.archive.infolist():
                name = info.filename
                if name == self.sheet_part and (kinds or unhide):
                    self._write_sheet(out, info, plan)
                elif name == self.sheet_part:
                    self._copy_raw(out, info)  # nothing to mark: the sheet as it came
                elif name == styles_part:
                    deferred.append(name)  # the sheet adds styles as it streams
                elif name in replaced:
                    out.writestr(self._info(name, info), replaced.pop(name))
                else:
                    self._copy_raw(out, info)
            with out.open(self._info(summary_part), "w") as stream:
                _write_summary(stream, summary, header_style, body_style)
            for name, data in [*replaced.items(), *added.items()]:
                out.writestr(self._info(name), data)
            for name in deferred:
                out.writestr(self._info(name, self.infos[name]), styles.to_bytes())
            if styles_part not in self.infos:
                out.writestr(self._info(styles_part), styles.to_bytes())

    @staticmethod
    def _info(name: str, like: zipfile.ZipInfo | None = None) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, like.date_time if like else (1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = like.external_attr if like else 0o600 << 16
        return info

    def _copy_raw(self, out: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        """Copy an entry's compressed bytes as they are: nothing inflated, nothing deflated."""
        handle, fp = self.handle, out.fp
        assert fp is not None
        handle.seek(info.header_offset)
        header = handle.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(info.filename)
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        handle.seek(info.header_offset + 30 + name_length + extra_length)
        entry = zipfile.ZipInfo(info.filename, info.date_time)
        entry.compress_type = info.compress_type
        entry.CRC = info.CRC
        entry.compress_size = info.compress_size
        entry.file_size = info.file_size
        entry.external_attr = info.external_attr
        entry.create_system = info.create_system
        entry.internal_attr = info.internal_attr
        entry.flag_bits = info.flag_bits & ~0x08  # sizes in the local header, no descriptor
        entry.header_offset = fp.tell()
        limit = zipfile.ZIP64_LIMIT
        fp.write(entry.FileHeader(entry.file_size > limit or entry.compress_size > limit))
        left = info.compress_size
        while left > 0:
            block = handle.read(min(_CHUNK, left))
            if not block:
                raise zipfile.BadZipFile(info.filename)
            fp.write(block)
            left -= len(block)
        out.filelist.append(entry)
        out.NameToInfo[entry.filename] = entry
        out.start_dir = fp.tell()

    def _write_sheet(self, out: zipfile.ZipFile, info: zipfile.ZipInfo, plan: _SheetPlan) -> None:
        entry = self._info(info.filename, info)
        patcher = _SheetPatcher(plan)
        big = info.file_size > (zipfile.ZIP64_LIMIT >> 1)
        with out.open(entry, "w", force_zip64=big) as member, _written_behind(member) as stream:
            buffer = b""
            state = "head"
            for chunk in self._chunks(info.filename):
                buffer += chunk
                if state == "head":
                    found = _SHEET_DATA.search(buffer)
                    if found is None:
                        continue
                    stream.write(patcher.head(buffer[: found.start()]))
                    if found[3]:  # <sheetData/>: no rows at all
                        p = found[1]
                        stream.write(b"<" + p + b"sheetData" + found[2] + b">")
                        stream.write(patcher.finish_rows() + b"</" + p + b"sheetData>")
                        buffer, state = buffer[found.end() :], "tail"
                        continue
                    stream.write(buffer[found.start() : found.end()])
                    buffer, state = buffer[found.end() :], "rows"
                if state == "rows":
                    end = _rows_end(buffer)
                    if end is not None:
                        stream.write(patcher.rows(buffer[: end[0]]))
                        stream.write(patcher.finish_rows())
                        buffer, state = buffer[end[0] :], "tail"
                    else:
                        cut = _row_end(buffer)
                        if cut:
                            stream.write(patcher.rows(buffer[:cut]))
                            buffer = buffer[cut:]
            if state != "tail":
                raise ValueError("the sheet's XML ends inside its rows")
            stream.write(patcher.tail(buffer))

    def _add_rel(
        self,
        replaced: dict[str, bytes],
        part: str,
        rels: dict[str, tuple[str, str]],
        kind: str,
        target_part: str,
    ) -> str:
        """Add a relationship of ``part`` (its .rels rewritten into ``replaced``); its id."""
        name = _rels_name(part)
        if name in replaced:
            root = _parse(replaced[name])
        elif name in self.infos:
            root = _parse(self.read(name))
        else:
            root = etree.Element(_q("Relationships", PKG_REL_NS), nsmap={None: PKG_REL_NS})
        taken = {rel.get("Id", "") for rel in root}
        rel_id = _free(taken, "rId{}")
        etree.SubElement(
            root,
            _q("Relationship", PKG_REL_NS),
            Id=rel_id,
            Type=kind,
            Target=_relative(part, target_part),
        )
        rels[rel_id] = (_relative(part, target_part), kind)
        replaced[name] = _serialize(root)
        return rel_id

    def _add_sheet(self, name: str, rel_id: str) -> None:
        numbers = [
            int(s.get("sheetId", "0")) for s in self.sheets if s.get("sheetId", "").isdigit()
        ]
        sheet = etree.SubElement(self.sheets, _q("sheet"), name=name)
        sheet.set("sheetId", str(max(numbers, default=0) + 1))
        sheet.set(_q("id", DOC_REL_NS), rel_id)
        index = len(self.sheets) - 1
        names = self.workbook.find(_q("definedNames"))
        if names is None:
            names = etree.Element(_q("definedNames"))
            anchor = self.sheets
            for tag in ("functionGroups", "externalReferences"):
                following = self.workbook.find(_q(tag))
                if following is not None:
                    anchor = following
            anchor.addnext(names)
        quoted = name.replace("'", "''")
        title = etree.SubElement(names, _q("definedName"), name="_xlnm.Print_Titles")
        title.set("localSheetId", str(index))
        title.text = f"'{quoted}'!$1:$1"

    def _comments(
        self,
        marks: dict[Cell, CellMark],
        replaced: dict[str, bytes],
        added: dict[str, bytes],
        add_part: Any,
        types: Any,
    ) -> str | None:
        """Write the comments and their VML shapes; the r:id of a legacyDrawing to add."""
        sheet_rels = self._rels(self.sheet_part)
        comments_part = vml_part = None
        legacy_id: str | None = None
        for rel_id, (target, kind) in sheet_rels.items():
            path = _part_path(self.sheet_part, target)
            if kind == COMMENTS_REL and path in self.infos:
                comments_part = path
            elif kind == VML_REL and path in self.infos:
                vml_part, legacy_id = path, rel_id
        if comments_part is None:
            comments_part = add_part("xl/comments{}.xml", COMMENTS_TYPE)
            self._add_rel(replaced, self.sheet_part, sheet_rels, COMMENTS_REL, comments_part)
            root = etree.Element(_q("comments"), nsmap={None: MAIN_NS})
            etree.SubElement(root, _q("authors"))
            etree.SubElement(root, _q("commentList"))
        else:
            root = _parse(self.read(comments_part))
        authors = root.find(_q("authors"))
        listing = root.find(_q("commentList"))
        if authors is None or listing is None:
            raise ValueError("a comments part without authors or commentList")
        names = [a.text or "" for a in authors]
        if AUTHOR not in names:
            etree.SubElement(authors, _q("author")).text = AUTHOR
            names.append(AUTHOR)
        author = names.index(AUTHOR)
        existing = {c.get("ref", ""): c for c in listing.findall(_q("comment"))}
        shapes = []
        new_vml = vml_part is None
        first = self._next_shape_id(vml_part)
        for number, (cell, mark) in enumerate(sorted(marks.items())):
            ref = f"{column_letters(cell[1])}{cell[0]}"
            if ref in existing:  # the clerk's own comment stays, ours follows it
                text = existing[ref].find(_q("text"))
                if text is not None:
                    run = etree.SubElement(text, _q("r"))
                    t = etree.SubElement(run, _q("t"))
                    t.text = "\n" + _ILLEGAL.sub("", mark.comment)
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                continue
            listing.append(_comment_xml(ref, author, mark.comment))
            shapes.append(_vml_shape(first + number, cell, mark.lines))
        if comments_part in self.infos:
            replaced[comments_part] = _serialize(root)
        else:
            added[comments_part] = _serialize(root)
        if new_vml:
            vml_part = add_part("xl/drawings/vmlDrawing{}.vml", None)
            self._vml_default(types)
            block = first // 1024
            added[vml_part] = (
                VML_HEAD.format(block=block) + VML_SHAPETYPE + "".join(shapes) + "</xml>"
            ).encode()
            return self._add_rel(replaced, self.sheet_part, sheet_rels, VML_REL, vml_part)
        assert vml_part is not None
        drawing = self.read(vml_part)
        extra = "".join(shapes)
        if b'o:spt="202"' not in drawing and b"_x0000_t202" not in drawing:
            extra = VML_SHAPETYPE + extra
        end = drawing.rfind(b"</xml>")
        if end < 0:
            raise ValueError("a VML drawing without </xml>")
        replaced[vml_part] = drawing[:end] + extra.encode() + drawing[end:]
        return legacy_id

    def _next_shape_id(self, vml_part: str | None) -> int:
        """A first shape id no VML drawing of the workbook uses (1024 to a block)."""
        highest = 0
        for name in self.infos:
            if name.lower().endswith(".vml"):
                data = self.read(name)
                for found in re.findall(rb"_x0000_s(\d+)", data):
                    highest = max(highest, int(found))
                for found in re.findall(rb"data=\"([\d,]+)\"", data):
                    for block in found.split(b","):
                        highest = max(highest, int(block) * 1024 + 1023)
        if vml_part is not None:
            return highest + 1
        return (highest // 1024 + 1) * 1024 + 1

    def _vml_default(self, types: Any) -> None:
        for default in types.findall(_q("Default", CT_NS)):
            if default.get("Extension", "").lower() == "vml":
                return
        default = etree.Element(_q("Default", CT_NS), Extension="vml", ContentType=VML_TYPE)
        types.insert(0, default)


def _summary_cell(reference: str, style: int, value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<c r="{reference}" s="{style}"><v>{value}</v></c>'
    text = "" if value is None else str(value)
    if not text:
        return f'<c r="{reference}" s="{style}"/>'
    return (
        f'<c r="{reference}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
        f"{_text(text)}</t></is></c>"
    )


def _height(values: Sequence[Any], widths: Sequence[float]) -> str:
    """A row's explicit height showing all its wrapped lines (Excel computes no height for a
    row it did not lay out itself)."""
    lines = max(
        (lines_needed(value, width) for value, width in zip(values, widths, strict=False)),
        default=1,
    )
    return f' ht="{line_height(lines):g}" customHeight="1"'


def _write_summary(stream: IO[bytes], summary: SummarySheet, header: int, body: int) -> None:
    """The summary sheet's XML: frozen header row, widths, A4 landscape one page wide."""
    columns = len(summary.headers)
    cols = "".join(
        f'<col min="{n}" max="{n}" width="{w:g}" customWidth="1"/>'
        for n, w in enumerate(summary.widths, start=1)
    )
    stream.write(
        (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}"'
            f' xmlns:r="{DOC_REL_NS}"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
            'activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
        ).encode()
    )
    letters = [column_letters(n) for n in range(1, columns + 1)]
    cells = "".join(
        _summary_cell(f"{letters[i]}1", header, title) for i, title in enumerate(summary.headers)
    )
    stream.write(f'<row r="1"{_height(summary.headers, summary.widths)}>{cells}</row>'.encode())
    batch: list[str] = []
    for number, values in enumerate(summary.rows, start=2):
        cells = "".join(
            _summary_cell(f"{letters[i]}{number}", body, value) for i, value in enumerate(values)
        )
        batch.append(f'<row r="{number}"{_height(values, summary.widths)}>{cells}</row>')
        if len(batch) >= 1000:
            stream.write("".join(batch).encode())
            batch.clear()
    stream.write("".join(batch).encode())
    stream.write(
        (
            '</sheetData><printOptions horizontalCentered="1"/><pageMargins left="0.5" '
            'right="0.5" top="0.6" bottom="0.75" header="0.3" footer="0.3"/>'
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
            f"<headerFooter><oddFooter>{_text('&C&9第 &P 页 共 &N 页')}</oddFooter>"
            "</headerFooter></worksheet>"
        ).encode()
    )


class _WrittenBehind:
    """A zip member written on a thread of its own, :data:`_BEHIND` chunks at most behind:
    deflating the rewritten sheet (1.5 s of a 100k-row copy) lets go of the interpreter lock,
    so it runs beside the patching of the rows after it. What writing raised is raised to
    the caller at its next write, or when it closes."""

    def __init__(self, member: IO[bytes]) -> None:
        self._member = member
        self._chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=_BEHIND)
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, name="skillpolicy-annotate-deflate", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        while (data := self._chunks.get()) is not None:
            if self._error is None:  # after a failure the rest is only drained
                try:
                    self._member.write(data)
                except BaseException as exc:  # raised in the caller's thread
                    self._error = exc

    def write(self, data: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._chunks.put(data)

    def end(self) -> BaseException | None:
        """Wait until everything handed over is written; what writing raised, if anything."""
        self._chunks.put(None)
        self._thread.join()
        return self._error


_BEHIND = 4  # chunks of the rewritten sheet (a few MB each) waiting to be deflated


@contextlib.contextmanager
def _written_behind(member: IO[bytes]) -> Iterator[_WrittenBehind]:
    """``member`` written on a thread of its own (:class:`_WrittenBehind`) during the block;
    all of it written when the block ends (the writing's error raised then, unless the block
    raised its own)."""
    behind = _WrittenBehind(member)
    try:
        yield behind
    except BaseException:
        behind.end()
        raise
    error = behind.end()
    if error is not None:
        raise error


# errors of writing the copy, not of reading the clerk's workbook
_WRITE_FAILURES = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS})

_UNREADABLE = (
    OSError,
    EOFError,
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    ValueError,
    etree.XMLSyntaxError,
)


def open_patch(source: Path, sheet_names: Iterable[str]) -> WorkbookPatch:
    """Open ``source`` for patching the first sheet named one of ``sheet_names``."""
    try:
        return WorkbookPatch(source, sheet_names)
    except _UNREADABLE as exc:
        raise InputError(
            f"无法打开工作簿以生成标注副本（{type(exc).__name__}）", file=source
        ) from exc
