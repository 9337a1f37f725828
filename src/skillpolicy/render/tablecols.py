"""Dropping a table column from a rendered .docx (a column no document of the batch fills).

A template cannot leave out a grid column by itself (``w:tblGrid`` holds no placeholders), so
the finished document is edited: the column's cell goes from every row, a cell merged across it
spans one column less, and its width is given to a neighbouring column so the table keeps the
width of the text block.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from .engine import W_NS

_W = f"{{{W_NS}}}"
_DOCUMENT = "word/document.xml"


def _span(cell: etree._Element) -> int:
    span = cell.find(f"{_W}tcPr/{_W}gridSpan")
    return int(span.get(f"{_W}val", "1")) if span is not None else 1


def _width(element: etree._Element | None) -> int:
    return int(element.get(f"{_W}w", "0")) if element is not None else 0


def _drop(table: etree._Element, column: int, widen: int) -> None:
    assert column != widen, "a column cannot take its own width"
    grid = table.find(f"{_W}tblGrid")
    assert grid is not None, "a table without w:tblGrid"
    cols = grid.findall(f"{_W}gridCol")
    gone = _width(cols[column])
    cols[widen].set(f"{_W}w", str(_width(cols[widen]) + gone))
    grid.remove(cols[column])
    for row in table.findall(f"{_W}tr"):
        start = 0
        for cell in row.findall(f"{_W}tc"):
            span = _span(cell)
            width = cell.find(f"{_W}tcPr/{_W}tcW")
            covers = range(start, start + span)
            if column in covers and span == 1:
                row.remove(cell)
                start += span
                continue
            change = gone if widen in covers else 0
            if column in covers:  # merged across the column: one grid column less
                node = cell.find(f"{_W}tcPr/{_W}gridSpan")
                assert node is not None
                node.set(f"{_W}val", str(span - 1))
                change -= gone
            if change and width is not None:
                width.set(f"{_W}w", str(_width(width) + change))
            start += span


def drop_column(data: bytes, header: str, widen: int) -> bytes:
    """``data`` (a .docx) without the column whose first-row cell reads ``header``, its width
    given to column ``widen``; unchanged when no table has such a column."""
    source = zipfile.ZipFile(io.BytesIO(data))
    root = etree.fromstring(source.read(_DOCUMENT))
    changed = False
    for table in root.iter(f"{_W}tbl"):
        first = table.find(f"{_W}tr")
        if first is None:
            continue
        start = 0
        for cell in first.findall(f"{_W}tc"):
            text = "".join(t.text or "" for t in cell.iter(f"{_W}t")).strip()
            if text == header:
                _drop(table, start, widen)
                changed = True
                break
            start += _span(cell)
    if not changed:
        return data
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == _DOCUMENT:
                body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            target.writestr(info, body, compress_type=info.compress_type)
    return out.getvalue()
