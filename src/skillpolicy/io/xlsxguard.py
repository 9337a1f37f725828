"""Bounds an .xlsx must keep before any parser opens it.

python-calamine and openpyxl trust the archive: both inflate whatever a part holds, and
calamine lays a sheet out densely from its first to its last value (a single value in cell
XFD1048576 asks it for 17 billion cells, and the process aborts). A clerk's roster arrives by
e-mail, so :func:`check_workbook` reads the archive as a stream, part by part, and refuses
with one :class:`~skillpolicy.domain.errors.InputError` line before anything else opens it:

* the zip directory: how many parts and how big it is (read from its end record first);
* each part's size as the directory declares it, the total, and the compression ratio, so an
  honest bomb is refused without inflating a byte;
* each part inflated with a byte cap and compared with what the directory declared, so a
  directory that lies is caught too;
* every XML prolog: a DTD (``<!DOCTYPE``, hence any ``<!ENTITY``) is refused in every part,
  so no parser is offered entity expansion or an external entity (calamine's quick-xml would
  not expand one, a cell using it fails with "unrecognized entity"; openpyxl reads sheets
  with defusedxml and other parts with lxml, entities unresolved: the refusal makes the three
  behave alike and says why in one line);
* the shared-strings table's size;
* every sheet's declared ``<dimension>``, and the rows x columns its cells really span.

The checks are streaming reads with regular expressions, not parses. The extent check has a
fast pass that looks at every ``<c`` once: a cell written the way Excel, WPS and openpyxl
write it (``<c r="B7" s="3" t="s">``) with a column of one letter and a row under 100,000
needs no further look; a farther reference is read; anything else (no reference, a namespace
prefix, another attribute order, quoting or spacing) sends the sheet through a second,
exact pass that follows the XML the way the reader does. Legitimate rosters take the fast
pass; crafted ones pay for the exact one. Within the fast pass, a chunk of cells is
accounted for by counting the byte "shapes" of the cells sampled from it (letters made A,
digits 0) against its ``<c`` count, a few memory scans instead of a match per cell. Far
cells (rows of six or seven digits, columns of two or three letters) are counted too: their
chunk is bounded by the lengths of their shapes and measured by its last cells; where that
bound could change the verdict the chunk is read cell by cell, and a sheet whose bounds leave
the verdict open is scanned again that way. The regex reads any chunk the shapes do not
account for.

One sweep feeds each inflated chunk, in place, to the fast pass and to the counts of what
openpyxl would build (merged ranges, hyperlinks, validations, conditional formats, comments,
hidden rows and columns); each group of those is first ruled out by one search for a letter
it holds. The part is inflated in a second thread meanwhile (zlib lets go of the GIL).
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import queue
import re
import struct
import threading
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Collection, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ..domain.errors import InputError

MIB = 1 << 20
MEMORY_VARIABLE = "SKILLPOLICY_WORKBOOK_MEMORY_MB"


def memory_budget() -> int:
    """Bytes the reader of one workbook may come to hold: ``SKILLPOLICY_WORKBOOK_MEMORY_MB``
    when set, else half the machine's physical memory (4 GiB assumed where the platform does
    not say). calamine holds about 1.3 bytes per inflated byte of a sheet's XML."""
    configured = os.environ.get(MEMORY_VARIABLE, "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured) * MIB
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        physical = 8 << 30
    return max(physical, 0) // 2


_BUDGET = memory_budget()
MAX_PARTS = 10_000
MAX_DIRECTORY_BYTES = 4 * MIB
# one worksheet, inflated: a 100,000-row roster is ~140 MB, a million rows ~1.4 GB; never less
# than the fixed 256 MB of old, else two thirds of the memory budget
MAX_SHEET_BYTES = max(256 * MIB, _BUDGET * 2 // 3)
MAX_PART_BYTES = 64 * MIB  # any other part, inflated
MAX_SHARED_STRINGS_BYTES = max(64 * MIB, MAX_SHEET_BYTES // 4)
MAX_UNCOMPRESSED_BYTES = MAX_SHEET_BYTES + 256 * MIB  # all parts together
MAX_COMPRESSION_RATIO = 200  # for a part over RATIO_FLOOR_BYTES: a bomb, at any size
RATIO_FLOOR_BYTES = 10 * MIB
# rows x columns of one sheet: calamine allocates 32 bytes for each, and the values besides
MAX_CELLS = max(5_000_000, _BUDGET // 96)
MAX_STRUCTURE_BYTES = 4 * MIB  # workbook.xml and the relationship parts, read whole
MAX_TAG_BYTES = MIB  # one tag, comment or CDATA section
# What openpyxl builds objects for when it loads a sheet for the annotated copy: a merged
# range or a hyperlink makes one per cell it covers, so their area is bounded like the cells.
MAX_MERGES = 100_000  # merged ranges in one sheet
MAX_HYPERLINKS = 100_000  # hyperlinks in one sheet
MAX_RANGE_CELLS = 1_000_000  # cells all merged ranges (or all hyperlinks) of a sheet cover
MAX_VALIDATIONS = 10_000  # <dataValidation> in one sheet
MAX_CONDITIONAL = 10_000  # <conditionalFormatting> in one sheet
MAX_COMMENTS = 20_000  # <comment> in one comments part

_READ = MIB
_OUT = 4 * MIB
_SHEET_ROOTS = frozenset({b"worksheet", b"dialogsheet", b"macrosheet", b"chartsheet"})
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_R_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_RETRY = "请在 Excel 或 WPS 中打开后另存为 .xlsx 再试"


def _mb(size: int) -> str:
    return f"{size / MIB:.0f} MB"


def _count(cells: int) -> str:
    if cells >= 100_000_000:
        return f"{cells / 100_000_000:.1f} 亿"
    if cells >= 10_000:
        return f"{cells / 10_000:.0f} 万"
    return str(cells)


def _column_letters(index: int) -> str:
    """Letters of a 0-based column index."""
    number, letters = index + 1, ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _column_index(letters: bytes) -> int:
    """0-based column index of ``letters`` (either case, as the reader accepts)."""
    number = 0
    for char in letters.upper():
        number = number * 26 + char - 64
    return number - 1


# --- the zip directory ------------------------------------------------------------------------


def check_directory(path: Path, handle: BinaryIO) -> None:
    """Refuse a zip whose directory alone is too big to list (before zipfile reads it)."""
    handle.seek(0, 2)
    size = handle.tell()
    tail_size = min(size, 22 + 0xFFFF)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return  # zipfile says the file is not a zip
    entries, directory_size = struct.unpack("<xxxxxxxxxxHI", tail[at : at + 16])
    if (entries == 0xFFFF or directory_size == 0xFFFFFFFF) and at >= 20:
        locator = tail[at - 20 : at]
        if locator[:4] == b"PK\x06\x07":
            (offset,) = struct.unpack("<Q", locator[8:16])
            handle.seek(offset)
            record = handle.read(56)
            if record[:4] == b"PK\x06\x06" and len(record) == 56:
                entries, directory_size = struct.unpack("<QQ", record[32:48])
    if entries > MAX_PARTS or directory_size > MAX_DIRECTORY_BYTES:
        raise InputError(
            f"工作簿内部文件多得异常（{entries} 个），不像正常的 Excel 文件，已拒绝读取；{_RETRY}",
            file=path,
        )


# --- inflating a part -------------------------------------------------------------------------


def _inflate(path: Path, handle: BinaryIO, info: zipfile.ZipInfo, cap: int) -> Iterator[bytes]:
    """A part's bytes as they inflate: never more than ``cap``, never more than it declared."""
    name = info.filename
    if info.flag_bits & 0x1:
        raise InputError(
            f"工作簿内部文件 {name} 被加密，无法读取；请在 Excel 或 WPS 中取消密码后另存为 .xlsx",
            file=path,
        )
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise InputError(
            f"工作簿内部文件 {name} 用了 Excel 不用的压缩方式，已拒绝读取；{_RETRY}", file=path
        )
    broken = InputError(
        f"工作簿已损坏：内部文件 {name} 无法解压（可能下载或传输不完整），请重新获取文件",
        file=path,
    )
    handle.seek(info.header_offset)
    header = handle.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise broken
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    handle.seek(info.header_offset + 30 + name_length + extra_length)
    left = info.compress_size
    produced = 0
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    while left > 0:
        raw = handle.read(min(_READ, left))
        if not raw:
            raise broken
        left -= len(raw)
        pending = raw
        while pending:
            if inflater is None:
                data, pending = pending, b""
            else:
                try:
                    data = inflater.decompress(pending, _OUT)
                except zlib.error as exc:
                    raise broken from exc
                pending = inflater.unconsumed_tail
            produced += len(data)
            if produced > info.file_size:
                raise InputError(
                    f"工作簿内部文件 {name} 解压后比压缩包目录记录的大小（{info.file_size} 字节）"
                    f"更大，文件被篡改或已损坏，已拒绝读取；请让对方重新导出 .xlsx 后发送",
                    file=path,
                )
            if produced > cap:
                raise _TooBig(produced)
            if data:
                yield data
        if inflater is not None and inflater.eof:
            break
    if (inflater is not None and not inflater.eof) or produced != info.file_size:
        raise broken


# Compressed bytes from which a part is inflated in a second thread: from 256 KiB on (a
# 10,000-row sheet is about 900 KiB) the first core's instructions of a 10k validate fell 3%
# (callgrind, against 4 MiB); the thread's start and hand-overs cost less than the overlap.
_THREAD_FLOOR = 256 * 1024


def _stream(
    path: Path, handle: BinaryIO, info: zipfile.ZipInfo, cap: int
) -> Generator[bytes, None, None]:
    """:func:`_inflate`, run in a second thread for a big part: zlib lets go of the GIL while
    it inflates, so inflating the next chunk overlaps scanning this one."""
    if info.compress_size < _THREAD_FLOOR:
        yield from _inflate(path, handle, info, cap)
        return
    chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def hand_over(item: bytes | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for data in _inflate(path, handle, info, cap):
                if not hand_over(data):
                    return
            hand_over(None)
        except BaseException as exc:  # handed to the reading thread, raised there
            hand_over(exc)

    worker = threading.Thread(target=produce, name="xlsxguard-inflate", daemon=True)
    worker.start()
    try:
        while True:
            item = chunks.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


class _TooBig(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


# --- XML prologs ------------------------------------------------------------------------------


@dataclass
class _Prolog:
    """The start of a part: what is known once its root element begins."""

    head: bytes = b""
    done: bool = False
    root: bytes | None = None  # local name of the root element, None for a non-XML part

    def feed(self, path: Path, name: str, data: bytes) -> None:
        self.head += data
        verdict = _read_prolog(self.head)
        if verdict is None and len(self.head) > MAX_TAG_BYTES:
            raise InputError(
                f"工作簿内部文件 {name} 的 XML 开头异常（超过 1 MB 的注释或声明），不像 Excel 写的文件，"
                f"已拒绝读取；{_RETRY}",
                file=path,
            )
        if verdict is None:
            return
        if verdict == "dtd":
            raise InputError(
                f"工作簿内部文件 {name} 含有 DTD/实体声明（<!DOCTYPE>），正常的 Excel 文件不会有，"
                f"疑似恶意构造（可借此读取本机文件或耗尽内存），已拒绝读取；{_RETRY}",
                file=path,
            )
        if verdict == "encoding":
            raise InputError(
                f"工作簿内部文件 {name} 不是 UTF-8 编码的 XML，不像 Excel 写的文件，已拒绝读取；{_RETRY}",
                file=path,
            )
        self.done = True
        self.root = verdict if isinstance(verdict, bytes) else None


_UTF16_OR_32 = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00", b"\x00<", b"<\x00")


def _read_prolog(head: bytes) -> bytes | str | bool | None:
    """The root element's local name; "dtd" or "encoding" to refuse; False for a part that is
    not XML; None while more bytes are needed."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if head.startswith(_UTF16_OR_32):
        return "encoding"
    position = len(head) - len(head.lstrip())
    while True:
        if position >= len(head):
            return None
        if head[position : position + 1] != b"<":
            return False  # text before any markup: not an XML part
        if head.startswith(b"<?", position):
            end = head.find(b"?>", position + 2)
            if end < 0:
                return None
            position = end + 2
        elif head.startswith(b"<!--", position):
            end = head.find(b"-->", position + 4)
            if end < 0:
                return None
            position = end + 3
        elif head.startswith(b"<!", position):
            return "dtd"  # <!DOCTYPE (and the <!ENTITY declarations it holds)
        else:
            match = _ROOT.match(head, position)
            if match is None:
                return None if len(head) - position < 256 else False
            name = match.group(1)
            return name.split(b":", 1)[1] if b":" in name else name
        while position < len(head) and head[position : position + 1].isspace():
            position += 1


def declares_dtd(xml: bytes) -> bool:
    """Whether an XML document's prolog holds a DTD (``<!DOCTYPE``, and any ``<!ENTITY``)."""
    return _read_prolog(xml) == "dtd"


_ROOT = re.compile(rb"<([^\s/>]+)[\s/>]")
_DIMENSION = re.compile(
    rb'<(?:[^\s/>:]+:)?dimension\s[^>]*?\bref\s*=\s*["\']\s*([A-Za-z]{1,7})(\d{1,12})'
    rb"(?::\s*([A-Za-z]{1,7})(\d{1,12}))?"
)


# --- cell extents -------------------------------------------------------------------------------

# A cell as Excel writes it: the reference first, then a style and a type; one column letter
# and a row under 100,000 need no further look. Anything else matches: a farther reference
# (groups 1 and 2) or an irregular cell (no groups), which sends the sheet to the exact pass.
_NEAR_TAIL = rb'(?: s="\d{1,5}+")?+(?: t="[a-zA-Z]{1,9}+")?+/?+>'  # possessive: no backtracking
_CELL = re.compile(
    rb'<c(?! r="[A-Z]?+\d{1,5}+"' + _NEAR_TAIL + rb")(?=[\s/>])"
    rb'(?: r="([A-Z]{1,3})(\d{1,7})"' + _NEAR_TAIL + rb")?"
)
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
_AFTER_PREFIXED_CELL = (b" ", b"\t", b"\r", b"\n", b"/", b">")
_NEAR_ROWS = 99_999
_NEAR_COLUMNS = 26

# The exact pass follows the XML the way the reader (quick-xml, under calamine) does. It accepts
# only XML whose reading is unambiguous: element names and end tags without quotes, no "<!"
# other than comments and CDATA. Text and markup that hold no cell are consumed in one C-level
# match; a tag's end is found tracking quotes, so a '>' inside a value ends nothing.
_TAG_BODY = rb"(?:[^>\"']++|\"[^\"]*+\"|'[^']*+')*+"
_CELLISH = rb"(?:[^\s/>:\"']*:)?(?:row|c|sheetData)[\s/>]"
_SKIP = re.compile(
    rb"(?:[^<]++"
    rb"|<!--.*?-->"
    rb"|<!\[CDATA\[.*?\]\]>"
    rb"|<\?.*?\?>"
    rb"|</(?!" + _CELLISH + rb")[^>\"']*+>"
    rb"|<(?![!?/]|" + _CELLISH + rb")[^\s/>\"']*+(?=[\s/>])" + _TAG_BODY + rb">"
    rb")*+",
    re.S,
)
_TAG = re.compile(
    rb"<(/?)(?:[^\s/>:\"']*:)?(row|c|sheetData)(?=[\s/>])(" + _TAG_BODY + rb")>", re.S
)
_ANY_TAG = re.compile(rb"<" + _TAG_BODY + rb">", re.S)
# an attribute, whitespace before it or not (a lenient reader may accept ``s="1"r="B2"``)
_ATTRIBUTE = re.compile(rb"([^\s=/\"']+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REFERENCE = re.compile(rb"([A-Za-z]*)(\d*)")


@dataclass
class _Extent:
    """The rows and columns the values of one sheet span (0-based, inclusive)."""

    top: int = -1
    left: int = -1
    bottom: int = -1
    right: int = -1

    def add(self, row: int, column: int) -> None:
        if self.top < 0:
            self.top, self.left, self.bottom, self.right = row, column, row, column
            return
        self.top = min(self.top, row)
        self.left = min(self.left, column)
        self.bottom = max(self.bottom, row)
        self.right = max(self.right, column)

    @property
    def cells(self) -> int:
        if self.top < 0:
            return 0
        return (self.bottom - self.top + 1) * (self.right - self.left + 1)

    def reference(self) -> str:
        return (
            f"{_column_letters(self.left)}{self.top + 1}:"
            f"{_column_letters(self.right)}{self.bottom + 1}"
        )


@dataclass
class _FastScan:
    """One pass over a sheet's stream: bounds on its extent, or "irregular".

    ``bottom`` and ``right`` are the farthest row and column (0-based) of the far cells seen,
    ``bottom_at_most`` and ``right_at_most`` what is proved of the cells not read one by one:
    a chunk of far cells counted by their shapes is bounded by the digits and letters its
    shapes have (a 6-digit row is at most 999,999) and measured by its last cells, which are
    its farthest in any sheet whose rows ascend. Where such a bound could decide the verdict
    (:data:`MAX_CELLS`) the chunk is read cell by cell instead, and with ``coarse`` off every
    far cell is, as the scan before the shapes of far cells did.
    """

    irregular: bool = False
    bottom: int = -1
    right: int = -1
    carry: bytes = b""
    by_shapes: bool = True  # False once shapes have not accounted for a chunk's cells twice
    shape_misses: int = 0
    coarse: bool = True
    bottom_at_most: int = -1
    right_at_most: int = -1

    def feed(self, data: bytes, final: bool) -> None:
        if self.irregular:
            return
        buffer = self.carry + data if self.carry else data
        self.carry = b""
        end = len(buffer)
        if not final:
            last = buffer.rfind(b"<")
            if last < 0:
                return  # no tag starts here
            if buffer.find(b">", last) < 0:
                end = last  # the last tag is cut off: look at it with the next chunk
                self.carry = buffer[last:]
                if len(self.carry) > MAX_TAG_BYTES:
                    self.irregular = True
                    return
        self.scan(buffer, 0, end)

    def scan(self, buffer: bytes, start: int, end: int) -> None:
        """Look at ``buffer[start:end]``, which holds whole tags only."""
        if _has_prefixed_cell(buffer, start, end):
            self.irregular = True
            return
        if self.by_shapes and end - start >= _SHAPES_FROM:  # a small piece: the regex is as quick
            if buffer.find(b"<c", start, end) < 0:
                return  # no cell at all (a shared-strings table): nothing to translate
            self._by_shapes(buffer, buffer.translate(_SHAPE_OF), start, end)
        else:
            self._by_regex(buffer, start, end)

    def _by_shapes(
        self, buffer: bytes, shaped: bytes, start: int, end: int, depth: int = 0
    ) -> None:
        """Account for the cells of ``buffer[start:end]`` by their shapes (``shaped`` is the
        buffer translated by :data:`_SHAPE_OF`), or leave them to the regex. Where the shapes
        sampled are too many or do not account for every cell (row numbers of many lengths,
        the first rows of a sheet), each half is sampled and counted on its own."""
        shapes = _sample(shaped, start, end)
        if not shapes or any(shape.irregular for shape in shapes):
            self._by_regex(buffer, start, end)  # nothing to count, or the regex's verdict is sure
            return
        counted = None
        if len(shapes) <= _MAX_SHAPES:
            counted = _account(buffer, shaped, start, end, shapes)
            if depth == 0:  # counted in vain twice running: far from what shapes stand for
                self.shape_misses = 0 if counted is not None else self.shape_misses + 1
                self.by_shapes = self.shape_misses < 2
        if counted is None:
            cut = buffer.rfind(b"<", start, (start + end) // 2)
            halves = end - start >= 2 * _SHAPES_FROM and cut > start
            if self.by_shapes and depth < _MAX_DEPTH and halves:
                self._by_shapes(buffer, shaped, start, cut, depth + 1)
                if not self.irregular:
                    self._by_shapes(buffer, shaped, cut, end, depth + 1)
                return
            self._by_regex(buffer, start, end)
            return
        far = [shape for shape in counted if shape.far]
        if far and not self._bound_far(buffer, shaped, start, end, far):
            self._by_regex(buffer, start, end)

    def _bound_far(
        self, buffer: bytes, shaped: bytes, start: int, end: int, far: list[_Shape]
    ) -> bool:
        """Bound the far cells of a chunk their shapes accounted for without reading each:
        measured by its last cells (which must be as long as its longest), bounded by their
        lengths. Where that bound could change the verdict, the chunk up to the first cell
        of its longest rows is bounded so (where row numbers gain a digit, as at row
        1,000,000) and the regex reads the rest. False: the regex reads it all."""
        if not self.coarse:
            return False
        if self._bound_by_last(buffer, start, end, far):
            return True
        digits = max(shape.digits for shape in far)
        shorter = [shape for shape in far if shape.digits < digits]
        cut = min(
            shaped.find(shape.text, start, end) for shape in far if shape.digits == digits
        )  # every shape in far was counted there: each is found
        if shorter and not self._bound_by_last(buffer, start, cut, shorter):
            return False
        self._by_regex(buffer, cut, end)  # (no far cell before it without shorter shapes)
        return True

    def _bound_by_last(self, buffer: bytes, start: int, end: int, far: list[_Shape]) -> bool:
        """:meth:`_bound_far` with ``far`` the shapes of all far cells in the range."""
        digits = max(shape.digits for shape in far)
        letters = max(shape.letters for shape in far)
        last = _CELL.findall(buffer, max(start, end - _WITNESS), end)
        if not last:
            return False
        columns, rows = zip(*last, strict=True)
        if max(map(len, rows)) != digits or max(map(len, columns)) != letters:
            return False  # its farthest cells are not at its end: read them all
        bottom_at_most = max(self.bottom_at_most, 10**digits - 2)
        right_at_most = max(self.right_at_most, _LAST_COLUMN[letters])
        if _cells(bottom_at_most, right_at_most) > MAX_CELLS:
            return False
        self.bottom = max(self.bottom, max(map(int, rows)) - 1)
        self.right = max(self.right, max(map(_column_index, set(columns))))
        self.bottom_at_most, self.right_at_most = bottom_at_most, right_at_most
        return True

    def _by_regex(self, buffer: bytes, start: int, end: int) -> None:
        found = _CELL.findall(buffer, start, end)
        if not found:
            return
        letters, digits = zip(*found, strict=True)
        columns = set(letters)
        if b"" in columns:
            self.irregular = True
            return
        self.bottom = max(self.bottom, max(map(int, digits)) - 1)
        self.right = max(self.right, max(map(_column_index, columns)))
        self.bottom_at_most = max(self.bottom_at_most, self.bottom)
        self.right_at_most = max(self.right_at_most, self.right)

    def bound(self) -> int:
        """Rows x columns the sheet's cells span at least as far as this scan is concerned:
        from A1 to the farthest cell seen (the scan before far shapes gave exactly this)."""
        return _cells(self.bottom, self.right)

    def bound_at_most(self) -> int:
        """Rows x columns the sheet's cells can span at most (from A1, an over-estimate)."""
        return _cells(max(self.bottom, self.bottom_at_most), max(self.right, self.right_at_most))

    def needs_exact_pass(self) -> bool | None:
        """Whether the exact pass must measure the sheet; None when the bounds proved do not
        say (the sheet is scanned again with ``coarse`` off, cell by cell where far)."""
        if self.irregular or self.bound() > MAX_CELLS:
            return True
        if self.bound_at_most() <= MAX_CELLS:
            return False
        return None


def _cells(bottom: int, right: int) -> int:
    """Rows x columns from A1 to a farthest cell, never less than the near ones span."""
    return max(bottom + 1, _NEAR_ROWS) * max(right + 1, _NEAR_COLUMNS)


# The last 0-based column of one, two and three letters (Z, ZZ, ZZZ).
_LAST_COLUMN = {1: 25, 2: 26 + 26**2 - 1, 3: 26 + 26**2 + 26**3 - 1}
_WITNESS = 8 * 1024  # bytes at the end of a chunk whose cells measure it (as sampled)

# A cell in "shape": its bytes with every capital letter made A and every digit 0, so that the
# 100,000 cells of a column written alike are a handful of literal byte strings. A shape stands
# for every cell it can be the shape of, and _CELL treats them all alike: near (no more than
# one letter and five digits), far (one to three letters and one to seven digits) or irregular.
_SHAPE_OF = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", b"A" * 26 + b"0" * 10)
# _CELL's near and far cells, shaped (and the irregular ones without a letter): the letters
# and digits of the reference in groups, and the same without groups (for findall)
_SHAPE_TAIL = rb'"(?: s="0{1,5}+")?+(?: t="[a-zA]{1,9}+")?+/?+>'
_SHAPE = re.compile(rb'<c r="(A{0,3}+)(0{1,7}+)' + _SHAPE_TAIL)
_SHAPE_TEXT = re.compile(rb'<c r="A{0,3}+0{1,7}+' + _SHAPE_TAIL)
_SHAPES_FROM = 64 * 1024  # bytes from which shapes are counted rather than cells matched
_SAMPLE = 8 * 1024  # bytes sampled for shapes at the start, middle and end of a chunk
_MAX_DEPTH = 4  # a chunk the shapes do not account for is halved so many times at most
# shapes counted at most: a count is a memory scan, a tenth of the regex's time or less, and
# the translation and the count of "<c" cost two more; more shapes, and the chunk is halved
_MAX_SHAPES = 8


@dataclass(frozen=True)
class _Shape:
    text: bytes
    letters: int
    digits: int

    @property
    def near(self) -> bool:
        return self.letters <= 1 and self.digits <= 5

    @property
    def irregular(self) -> bool:
        return self.letters == 0 and self.digits > 5

    @property
    def far(self) -> bool:
        return not self.near and not self.irregular


def _sample(shaped: bytes, start: int, end: int) -> list[_Shape]:
    """The shapes of the cells at the start, middle and end of ``shaped[start:end]`` (where
    row numbers are longest), the most frequent first."""
    sampled: Counter[bytes] = Counter()
    for at in (start, (start + end) // 2, max(start, end - _SAMPLE)):
        sampled.update(_SHAPE_TEXT.findall(shaped, at, min(end, at + _SAMPLE)))
    shapes = []
    for text, _ in sampled.most_common():
        match = _SHAPE.match(text)
        assert match is not None  # sampled by the same pattern
        shapes.append(_Shape(text, len(match.group(1)), len(match.group(2))))
    return shapes


def _account(
    buffer: bytes, shaped: bytes, start: int, end: int, shapes: list[_Shape]
) -> list[_Shape] | None:
    """The shapes present if together they account for every ``<c`` in ``buffer[start:end]``
    (so that :data:`_CELL` finds there exactly the far cells they stand for), else None.

    Proved with byte counts instead of a regex match per cell: two shapes never overlap nor
    nest (each holds one "<" and ends at its only ">"), so their counts add up, and a shape
    stands for cells of one kind whatever letters and digits it was made from; what was
    sampled decides only the speed, never the verdict."""
    cells = buffer.count(b"<c", start, end)
    present = []
    for shape in shapes:
        found = shaped.count(shape.text, start, end)
        if found:
            present.append(shape)
            cells -= found
            if cells == 0:
                return present
    return None


def _all_near(buffer: bytes, start: int, end: int) -> bool | None:
    """Whether every ``<c`` in ``buffer[start:end]`` starts a near cell (what makes
    :data:`_CELL` find nothing there), proved by the counts of :func:`_account` for the near
    shapes sampled; None, without counting, when none or too many are sampled."""
    shaped = buffer.translate(_SHAPE_OF)
    shapes = [shape for shape in _sample(shaped, start, end) if shape.near]
    if not shapes or len(shapes) > _MAX_SHAPES:
        return None
    return _account(buffer, shaped, start, end, shapes) is not None


_RANGE_REF = rb'\bref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"'
_MERGE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?" + _RANGE_REF)
_HYPERLINK = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?hyperlink\b[^>]*?" + _RANGE_REF)
_VALIDATION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dataValidation[\s>/]")
_CONDITIONAL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?conditionalFormatting[\s>/]")
_COMMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?comment[\s>/]")


# The "m" of mergeCell, conditionalFormatting (14 bytes in) and comment (2 bytes in), and
# the "h" of hyperlink, hidden and ht="0": the first place a search behind the gate of that
# letter can find anything.
_M_FEATURES = re.compile(rb"m(?:ergeCell|atting|ment)")
_M_OFFSET = len(b"conditionalFor")
_H_FEATURES = re.compile(rb"h(?:yperlink|idden|t=\"0|t='0)")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b([^>]*)>")
_COL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?col\b([^>]*)>")
_HIDDEN_ATTR = re.compile(rb"""\bhidden\s*=\s*["'](?:1|true)["']""")
_ZERO_HEIGHT = re.compile(rb"""\bht\s*=\s*["']0(?:\.0*)?["']""")
_NUMBER_ATTR = {
    name: re.compile(rb"\b" + name + rb"""\s*=\s*["']([0-9]{1,7})["']""")
    for name in (b"r", b"min", b"max")
}
MAX_HIDDEN_LISTED = 100_000  # hidden rows remembered per sheet (for the review finding)


@dataclass
class HiddenCells:
    """Rows and columns a sheet hides (hidden, or a row of zero height), 1-based."""

    rows: set[int] = field(default_factory=set)
    columns: list[tuple[int, int]] = field(default_factory=list)  # (min, max) inclusive

    def hides_column(self, number: int) -> bool:
        return any(first <= number <= last for first, last in self.columns)


def _attribute(name: bytes, body: bytes) -> int | None:
    found = _NUMBER_ATTR[name].search(body)
    return int(found.group(1)) if found else None


def _area(found: tuple[bytes, bytes, bytes, bytes]) -> int:
    left, top, right, bottom = found
    if not right:
        return 1
    rows = abs(int(bottom) - int(top)) + 1
    columns = abs(_column_index(right) - _column_index(left)) + 1
    return rows * columns


@dataclass
class _Features:
    """Counts of what openpyxl would build objects for besides cells (merged ranges and
    hyperlinks by the cells they cover, validations, conditional formats, comments)."""

    path: Path
    part: str
    sheet: str | None
    merges: int = 0
    merged_cells: int = 0
    links: int = 0
    linked_cells: int = 0
    validations: int = 0
    conditional: int = 0
    comments: int = 0
    carry: bytes = b""
    hidden: HiddenCells = field(default_factory=HiddenCells)

    def feed(self, data: bytes, final: bool) -> None:
        buffer = self.carry + data if self.carry else data
        self.carry = b""
        end = len(buffer)
        if not final:
            last = buffer.rfind(b"<")
            if last >= 0 and buffer.find(b">", last) < 0:
                end = last
                self.carry = buffer[last : last + MAX_TAG_BYTES]
        self.scan(buffer, 0, end)

    def scan(self, buffer: bytes, start: int, end: int) -> None:
        """Count what ``buffer[start:end]`` (whole tags only) holds, and check the bounds."""
        # Each tag looked for holds a letter that a sheet's rows and cells seldom do: one
        # memchr for the letter rules out a whole group before any longer search is made.
        # Searches take bounds instead of a slice of the buffer, so nothing is copied.
        # Where a letter is common (Excel's customHeight and ht="15" on every row), one
        # regex search for what follows it rules the group out, or finds where to begin.
        first = end  # no occurrence of mergeCell, conditionalFormatting or comment before
        if buffer.find(b"m", start, end) >= 0:
            gate = _M_FEATURES.search(buffer, start, end)
            first = end if gate is None else max(start, gate.start() - _M_OFFSET)
        if first < end:
            if buffer.find(b"mergeCell", first, end) >= 0:
                found = _MERGE.findall(buffer, start, end)
                self.merges += len(found)
                self.merged_cells += sum(map(_area, found))
            if buffer.find(b"conditionalFormatting", first, end) >= 0:
                self.conditional += len(_CONDITIONAL.findall(buffer, start, end))
            if buffer.find(b"comment", first, end) >= 0:
                self.comments += len(_COMMENT.findall(buffer, start, end))
        if buffer.find(b"V", start, end) >= 0 and buffer.find(b"dataValidation", start, end) >= 0:
            self.validations += len(_VALIDATION.findall(buffer, start, end))
        first = end  # no occurrence of hyperlink, hidden or ht="0 before
        if buffer.find(b"h", start, end) >= 0:
            gate = _H_FEATURES.search(buffer, start, end)
            first = end if gate is None else gate.start()
        if first < end:
            if buffer.find(b"hyperlink", first, end) >= 0:
                found = _HYPERLINK.findall(buffer, start, end)
                self.links += len(found)
                self.linked_cells += sum(map(_area, found))
            if (
                buffer.find(b"hidden", first, end) >= 0
                or buffer.find(b'ht="0', first, end) >= 0
                or buffer.find(b"ht='0", first, end) >= 0
            ):
                self._hidden(buffer if (start, end) == (0, len(buffer)) else buffer[start:end])
        self.check()

    def _hidden(self, chunk: bytes) -> None:
        rows = self.hidden.rows
        for body in _ROW_TAG.findall(chunk):
            if _HIDDEN_ATTR.search(body) or _ZERO_HEIGHT.search(body):
                number = _attribute(b"r", body)
                if number is not None and len(rows) < MAX_HIDDEN_LISTED:
                    rows.add(number)
        for body in _COL_TAG.findall(chunk):
            if _HIDDEN_ATTR.search(body):
                first, last = _attribute(b"min", body), _attribute(b"max", body)
                if first is not None and len(self.hidden.columns) < MAX_HIDDEN_LISTED:
                    self.hidden.columns.append((first, last or first))

    def check(self) -> None:
        where = f"工作表「{self.sheet}」" if self.sheet else f"工作簿内部文件 {self.part}"
        limits = (
            (self.merges, MAX_MERGES, "合并单元格区域"),
            (self.merged_cells, MAX_RANGE_CELLS, "合并单元格覆盖的单元格"),
            (self.links, MAX_HYPERLINKS, "超链接"),
            (self.linked_cells, MAX_RANGE_CELLS, "超链接覆盖的单元格"),
            (self.validations, MAX_VALIDATIONS, "数据验证规则"),
            (self.conditional, MAX_CONDITIONAL, "条件格式"),
            (self.comments, MAX_COMMENTS, "批注"),
        )
        for count, limit, what in limits:
            if count > limit:
                raise InputError(
                    f"{where}中的{what}多得异常（超过 {_count(limit)} 个），"
                    f"不像正常的花名册，疑似恶意构造，已拒绝读取；{_RETRY}",
                    file=self.path,
                )


def _has_prefixed_cell(buffer: bytes, start: int, end: int) -> bool:
    """Whether a namespace-prefixed cell (``<x:c``) starts in ``buffer[start:end]``."""
    if buffer.find(b":", start, end) < 0:  # one memchr: the sheets openpyxl writes have none
        return False
    found = _PREFIXED_CELL.search(buffer, start, end)  # Excel writes a few ":" per row
    if found is None:
        return False
    if buffer[found.end() - 1 : found.end()] in _AFTER_PREFIXED_CELL:
        return True
    # a form feed or vertical tab after it: as ever, looked at one ":" at a time when they
    # are few (and then not counted), by the regex when many
    if buffer.count(b":", start, end) < 1000:
        at = buffer.find(b":", start, end)
        while at >= 0:
            if buffer[at + 1 : at + 2] == b"c" and buffer[at + 2 : at + 3] in _AFTER_PREFIXED_CELL:
                return True
            at = buffer.find(b":", at + 1, end)
        return False
    return _PREFIXED_CELL.search(buffer, start, end) is not None


@dataclass
class _Sweep:
    """One pass over a part's stream for the fast cell scan and the feature counts together.

    A tag cut off at the end of a chunk is carried to the next one, as each scanner's own
    ``feed`` does; but instead of joining the carry to the whole next chunk (a copy of
    megabytes per chunk, once per scanner), only the carried tag is joined to the bytes that
    end it, and the rest of the chunk is looked at in place, by bounds.
    """

    fast: _FastScan | None = None
    features: _Features | None = None
    carry: bytes = b""

    def feed(self, data: bytes, final: bool) -> None:
        # as _FastScan.feed: a stretch with no "<" at all holds no cell to look at
        fast_looks = bool(self.carry) or data.find(b"<") >= 0
        start = 0
        if self.carry:
            cut = data.find(b">") + 1
            if cut == 0:  # the carried tag does not end in this chunk either
                data, self.carry = self.carry + data, b""
            else:
                head, self.carry = self.carry + data[:cut], b""
                self._scan(head, 0, len(head), fast_looks)
                start = cut
        end = len(data)
        if not final:
            last = data.rfind(b"<", start)
            if last >= 0 and data.find(b">", last) < 0:
                end = last
                self.carry = data[last:]
                if len(self.carry) > MAX_TAG_BYTES:
                    if self.fast is not None:
                        self.fast.irregular = True
                    self.carry = self.carry[:MAX_TAG_BYTES]
        self._scan(data, start, end, fast_looks)

    def _scan(self, buffer: bytes, start: int, end: int, fast_looks: bool) -> None:
        if self.fast is not None and not self.fast.irregular and fast_looks:
            self.fast.scan(buffer, start, end)
        if self.features is not None:
            self.features.scan(buffer, start, end)


@dataclass
class _ExactScan:
    """Follow the XML the way calamine does and place every cell that may hold a value.

    Where readers' versions differ, the larger answer is kept: an empty element counts as a
    start and an end (calamine expands them), a row number never moves the row backwards, a
    row's end inside a cell is ignored, and any cell that is not self-closing may hold a value.
    """

    path: Path
    part: str
    sheet: str | None
    extent: _Extent = field(default_factory=_Extent)
    cells: int = 0
    row: int = 0
    column: int = 0
    in_cell: bool = False
    carry: bytes = b""

    def feed(self, data: bytes, final: bool) -> None:
        buffer = self.carry + data if self.carry else data
        self.carry = b""
        position = 0
        size = len(buffer)
        while True:
            skipped = _SKIP.match(buffer, position)
            assert skipped is not None  # it matches the empty string at least
            position = skipped.end()
            if position >= size:
                return
            tag = _TAG.match(buffer, position)
            if tag is not None:
                self._tag(tag.group(1) == b"/", tag.group(2), tag.group(3))
                position = tag.end()
                continue
            if final:
                return  # cut off at the end: the reader fails on it too
            if self._complete(buffer, position):
                raise self._broken("结构异常（有 DTD、不认识的声明，或标签名、结束标签中有引号）")
            self.carry = buffer[position:]
            if len(self.carry) > MAX_TAG_BYTES:
                raise self._broken("有过长或未闭合的标签、注释")
            return

    @staticmethod
    def _complete(buffer: bytes, position: int) -> bool:
        """Whether the markup at ``position`` is all there (so it is refused, not cut off)."""
        for start, end in ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>")):
            if buffer.startswith(start, position):
                return buffer.find(end, position + len(start)) >= 0
        if buffer.startswith(b"<!", position):
            return len(buffer) - position >= 9
        return _ANY_TAG.match(buffer, position) is not None

    def _tag(self, closing: bool, name: bytes, body: bytes) -> None:
        empty = body.endswith(b"/")
        if name == b"sheetData":
            if not closing:
                self.row = self.column = 0
                self.in_cell = False
            return
        if name == b"row":
            if closing:
                if not self.in_cell:
                    self.row += 1
                    self.column = 0
                return
            reference = _last_reference(body)
            if reference is not None:
                digits = _REFERENCE.fullmatch(reference)
                if digits is not None and digits.group(2):
                    self.row = max(self.row, int(digits.group(2)) - 1)
            if empty:
                self.row += 1
            return
        if closing:
            self.in_cell = False
            return
        reference = _last_reference(body)
        if reference is None:
            row, column = self.row, self.column
        else:
            parts = _REFERENCE.fullmatch(reference)
            if parts is None or not parts.group(1) or not parts.group(2):
                self.column += 1  # the reader refuses such a reference
                return
            row = int(parts.group(2)) - 1
            column = _column_index(parts.group(1))
        self.column = max(self.column, column) + 1
        if empty:
            return
        self.in_cell = True
        self.cells += 1
        if self.cells > MAX_CELLS:
            raise InputError(
                f"工作表的单元格超过 {_count(MAX_CELLS)} 个，已拒绝读取；请拆分成较小的文件后重试",
                file=self.path,
                sheet=self.sheet,
            )
        self.extent.add(row, column)

    def _broken(self, what: str) -> InputError:
        return InputError(
            f"工作簿内部文件 {self.part} 的 XML {what}，不像 Excel 写的文件，已拒绝读取；{_RETRY}",
            file=self.path,
            sheet=self.sheet,
        )


def _last_reference(body: bytes) -> bytes | None:
    """The value of the tag's last ``r`` attribute (the reader keeps the last one)."""
    found = None
    for match in _ATTRIBUTE.finditer(body):
        if match.group(1) == b"r":
            found = match.group(2) if match.group(2) is not None else match.group(3)
    return found


def _refuse_extent(path: Path, sheet: str | None, reference: str, cells: int) -> InputError:
    return InputError(
        f"工作表的数据范围 {reference} 约有 {_count(cells)} 个单元格，超过上限 {_count(MAX_CELLS)} 个，"
        "已拒绝读取；请删除远处多余的内容（在 Excel 中按 Ctrl+End 可找到最后一个单元格）后另存为 .xlsx，"
        "或拆分成较小的文件",
        file=path,
        sheet=sheet,
    )


# --- the workbook's structure -------------------------------------------------------------------


@dataclass
class _Structure:
    """Which parts a reader may open as sheets, and their names (for messages)."""

    sheets: dict[str, str | None] = field(default_factory=dict)  # part -> sheet name
    known: bool = False  # False: the relationships could not be read; every XML part is scanned


def _resolve(base: str, target: str) -> set[str]:
    """The part names a relationship target may mean, as calamine and openpyxl resolve it
    (and as written, with its backslashes kept or made slashes)."""
    names: set[str] = set()
    for spelt in {target, target.replace("\\", "/")}:
        if spelt.startswith("/"):
            names |= {spelt[1:], posixpath.normpath(spelt.lstrip("/"))}
            continue
        names.add(posixpath.normpath(posixpath.join(posixpath.dirname(base), spelt)))
        names.add(spelt if spelt.startswith("xl/") else f"xl/{spelt}")
    return names


def _read_structure(path: Path, handle: BinaryIO, infos: dict[str, zipfile.ZipInfo]) -> _Structure:
    import defusedxml.ElementTree as SafeTree

    def read(part: str) -> bytes | None:
        info = infos.get(part)
        if info is None:
            return None
        try:
            data = b"".join(_inflate(path, handle, info, MAX_STRUCTURE_BYTES))
        except _TooBig:
            raise InputError(
                f"工作簿内部文件 {part} 大得异常，不像 Excel 写的文件，已拒绝读取；{_RETRY}",
                file=path,
            ) from None
        prolog = _Prolog()
        prolog.feed(path, part, data)
        return data

    def relationships(part: str) -> dict[str, str]:
        data = read(part)
        if data is None:
            return {}
        root = SafeTree.fromstring(data, forbid_dtd=True)
        return {
            str(item.get("Id")): str(item.get("Target"))
            for item in root.iter(f"{_REL_NS}Relationship")
            if item.get("TargetMode") != "External" and item.get("Target")
        }

    structure = _Structure()
    try:
        books = {"xl/workbook.xml"}
        for target in relationships("_rels/.rels").values():
            books |= _resolve("", target)
        for book in sorted(books):
            rels = posixpath.join(
                posixpath.dirname(book), "_rels", posixpath.basename(book) + ".rels"
            )
            targets = relationships(rels)
            names: dict[str, str] = {}
            data = read(book)
            if data is not None:
                for sheet in SafeTree.fromstring(data, forbid_dtd=True).iter():
                    if sheet.tag.endswith("}sheet") and sheet.get(f"{_R_NS}id"):
                        names[str(sheet.get(f"{_R_NS}id"))] = str(sheet.get("name"))
            for key, target in targets.items():
                for part in _resolve(book, target):
                    if part in infos:
                        structure.sheets[part] = names.get(key)
        structure.known = True
    except InputError:
        raise
    except Exception:  # malformed: a reader fails on it too; scan every part instead
        structure.known = False
    return structure


# --- the whole check ----------------------------------------------------------------------------


Tap = Callable[[str, bytes], None]
"""Told each part's bytes as the guard's first pass inflates them (``tap(name, chunk)``), then
``tap(name, b"")`` once that part has passed; never told of a part that was refused. It may
block: the guard waits (the sheet's parts are written from what the guard inflated)."""


def check_workbook(
    path: Path,
    archive: zipfile.ZipFile,
    tap: Tap | None = None,
    ahead_also: Collection[str] = (),
) -> dict[str, HiddenCells]:
    """Refuse ``archive`` (opened from ``path``) unless every bound holds; see the module.

    Returns, by sheet name, the rows and columns each sheet hides (seen on the way).
    ``tap``, if given, is told every part's bytes as they are checked (see :data:`Tap`);
    the parts named in ``ahead_also`` that follow the first big part are checked ahead with
    the big ones (:class:`_Ahead`), so the tap hears of them while the big part is read.
    """
    infos = [info for info in archive.infolist() if not info.is_dir()]
    if len(infos) > MAX_PARTS:
        raise InputError(
            f"工作簿内部文件多得异常（{len(infos)} 个），不像正常的 Excel 文件，已拒绝读取；{_RETRY}",
            file=path,
        )
    total = 0
    for info in infos:
        total += info.file_size
        name = info.filename
        is_strings = name.lower().endswith("sharedstrings.xml")
        cap = MAX_SHEET_BYTES if name.startswith("xl/worksheets/") else MAX_PART_BYTES
        if is_strings:  # held to its own cap (a million rows' table is ~90 MB), not 64 MB
            if info.file_size > MAX_SHARED_STRINGS_BYTES:
                raise _strings_too_big(path, name, info.file_size)
            cap = MAX_SHARED_STRINGS_BYTES
        if info.file_size > cap:
            raise _part_too_big(path, name, info.file_size, cap)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise InputError(
                f"工作簿内部文件 {name} 解压后异常膨胀（压缩比 {ratio:.0f}:1），疑似恶意构造，"
                f"已拒绝读取；{_RETRY}",
                file=path,
            )
    if total > MAX_UNCOMPRESSED_BYTES:
        raise _total_too_big(path)
    by_name = {info.filename: info for info in infos}
    hidden: dict[str, HiddenCells] = {}
    with path.open("rb") as handle:
        structure = _read_structure(path, handle, by_name)
        ahead = _Ahead(path, structure, infos, tap, ahead_also)
        try:
            inflated = 0
            for info in infos:
                done = ahead.result(info)
                size, found = done or _check_part(
                    path, handle, info, structure, MAX_UNCOMPRESSED_BYTES - inflated, None, tap
                )
                inflated += size
                sheet = structure.sheets.get(info.filename)
                if found is not None and sheet is not None and (found.rows or found.columns):
                    hidden[sheet] = found
        finally:
            ahead.stop()
    return hidden


_AHEAD_FLOOR = MIB  # compressed bytes from which a part after the first such is checked ahead


class _Stopped(Exception):
    """A part checked ahead whose result is no longer wanted."""


class _Ahead:
    """The big parts after the first (a roster's shared-strings table, 90 MB inflated for a
    million rows, after its sheet) checked on another thread while the first is: zlib lets
    go of the GIL, so their inflating overlaps the first one's scan. Each one's result, or
    the refusal it raised, is handed over at its turn, so the parts are judged in their
    order and every message is the one the part would give then (the room left for it is
    what the parts before it declared, which they inflate to or are refused first)."""

    def __init__(
        self,
        path: Path,
        structure: _Structure,
        infos: list[zipfile.ZipInfo],
        tap: Tap | None = None,
        also: Collection[str] = (),
    ) -> None:
        self.results: dict[str, tuple[int, HiddenCells | None] | BaseException] = {}
        self.ready = threading.Condition()
        self.halt = threading.Event()
        self.worker: threading.Thread | None = None
        declared, chosen, first = 0, [], True
        for info in infos:
            big = info.compress_size >= _AHEAD_FLOOR
            if not first and (big or info.filename in also):
                chosen.append((info, MAX_UNCOMPRESSED_BYTES - declared))
            first = first and not big
            declared += info.file_size
        self.chosen = {info.filename for info, _ in chosen}
        if chosen:
            worker = threading.Thread(
                target=self._run, args=(path, structure, chosen, tap), name="xlsxguard-ahead"
            )
            worker.daemon = True
            try:
                worker.start()
            except RuntimeError:  # no thread to be had: every part is checked in its turn
                self.chosen = set()
            else:
                self.worker = worker

    def _run(
        self,
        path: Path,
        structure: _Structure,
        chosen: list[tuple[zipfile.ZipInfo, int]],
        tap: Tap | None,
    ) -> None:
        outcome: tuple[int, HiddenCells | None] | BaseException
        try:
            with path.open("rb") as handle:
                for info, room in chosen:
                    try:
                        outcome = _check_part(path, handle, info, structure, room, self.halt, tap)
                    except _Stopped:
                        return
                    except BaseException as exc:  # handed to the checking thread, raised there
                        outcome = exc
                    self._hand(info.filename, outcome)
                    if isinstance(outcome, BaseException):
                        return  # the checking thread stops at this part
        except OSError as exc:  # the file could not be read again: the next part says so
            for info, _ in chosen:
                self._hand(info.filename, exc)

    def _hand(self, name: str, outcome: tuple[int, HiddenCells | None] | BaseException) -> None:
        with self.ready:
            self.results.setdefault(name, outcome)
            self.ready.notify_all()

    def result(self, info: zipfile.ZipInfo) -> tuple[int, HiddenCells | None] | None:
        """The part's result if it was checked ahead (waiting for it), else None."""
        if info.filename not in self.chosen:
            return None
        with self.ready:
            self.ready.wait_for(lambda: info.filename in self.results)
            outcome = self.results[info.filename]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def stop(self) -> None:
        self.halt.set()
        if self.worker is not None:
            self.worker.join()


def _check_part(
    path: Path,
    handle: BinaryIO,
    info: zipfile.ZipInfo,
    structure: _Structure,
    room: int,
    halt: threading.Event | None = None,
    tap: Tap | None = None,
) -> tuple[int, HiddenCells | None]:
    """Stream one part through the checks; the bytes it inflated to, and what it hides
    (:class:`_Stopped` as soon as ``halt`` is set); ``tap`` is told the bytes of the first
    pass."""
    name = info.filename
    sheet = structure.sheets.get(name)
    # a part a reader may open as a sheet, and every XML part besides (in case a reader
    # resolves a relationship otherwise): its cells are scanned
    fast = _FastScan() if name in structure.sheets or not structure.known else None
    features: _Features | None = None
    prolog = _Prolog()
    cap = MAX_SHEET_BYTES
    size = 0
    sweep = _Sweep()
    stream = _stream(path, handle, info, min(MAX_SHEET_BYTES, room))
    try:
        for data in stream:
            if halt is not None and halt.is_set():
                raise _Stopped
            if tap is not None:
                tap(name, data)
            size += len(data)
            if prolog.done:
                pending = data
            else:
                prolog.feed(path, name, data)
                if not prolog.done:
                    continue
                cap = _cap_for(prolog.root)
                if prolog.root in _SHEET_ROOTS:
                    _check_dimension(path, sheet, prolog.head)
                if prolog.root in _SHEET_ROOTS or prolog.root == b"comments":
                    features = _Features(path, name, sheet)
                if fast is None and prolog.root is not None and not structure.known:
                    fast = _FastScan()  # a part no relationship names is never read as a sheet
                pending = prolog.head  # everything so far, the first time
            if size > cap:
                raise _TooBig(size)
            if fast is not None or features is not None:
                sweep.fast, sweep.features = fast, features
                sweep.feed(pending, final=False)
        if not prolog.done and prolog.head and (name in structure.sheets or not structure.known):
            fast = sweep.fast = fast or _FastScan()  # a short part whose prolog never ended
            sweep.feed(prolog.head, final=False)
        sweep.feed(b"", final=True)
    except _TooBig as too_big:
        if too_big.size > room:
            raise _total_too_big(path) from None
        if prolog.root == b"sst":
            raise _strings_too_big(path, name, too_big.size) from None
        raise _part_too_big(path, name, too_big.size, cap) from None
    finally:
        stream.close()  # stops the inflating thread at once if a check refused the part
    if fast is not None and fast.needs_exact_pass() is None:
        fast = _FastScan(coarse=False)  # the bounds proved do not decide: every far cell read
        with contextlib.closing(_stream(path, handle, info, MAX_SHEET_BYTES)) as again:
            sweep = _Sweep(fast)
            for data in again:
                sweep.feed(data, final=False)
        sweep.feed(b"", final=True)
    if fast is not None and fast.needs_exact_pass():
        exact = _ExactScan(path, name, sheet)
        with contextlib.closing(_stream(path, handle, info, MAX_SHEET_BYTES)) as again:
            for data in again:
                exact.feed(data, final=False)
        exact.feed(b"", final=True)
        if exact.extent.cells > MAX_CELLS:
            raise _refuse_extent(path, sheet, exact.extent.reference(), exact.extent.cells)
    if tap is not None:
        tap(name, b"")
    return size, (features.hidden if features is not None else None)


def _cap_for(root: bytes | None) -> int:
    if root in _SHEET_ROOTS:
        return MAX_SHEET_BYTES
    if root == b"sst":
        return MAX_SHARED_STRINGS_BYTES
    return MAX_PART_BYTES


def _check_dimension(path: Path, sheet: str | None, head: bytes) -> None:
    """Refuse a sheet whose declared <dimension> is absurd (read from its first bytes)."""
    match = _DIMENSION.search(head, 0, 64 * 1024)
    if match is None:
        return
    first_letters, first_row, last_letters, last_row = match.groups()
    extent = _Extent()
    extent.add(int(first_row) - 1, _column_index(first_letters))
    if last_letters is not None:
        extent.add(int(last_row) - 1, _column_index(last_letters))
    if extent.cells > MAX_CELLS:
        raise InputError(
            f"工作表声明的数据范围 {extent.reference()} 约有 {_count(extent.cells)} 个单元格，"
            f"超过上限 {_count(MAX_CELLS)} 个，已拒绝读取；请在 Excel 中删除数据以外的空行空列后"
            "另存为 .xlsx，或拆分成较小的文件",
            file=path,
            sheet=sheet,
        )


def _part_too_big(path: Path, name: str, size: int, cap: int) -> InputError:
    return InputError(
        f"工作簿内部文件 {name} 解压后超过 {_mb(cap)}（至少 {_mb(size)}），已拒绝读取；"
        "请删除多余的行列或拆分成较小的文件后重试",
        file=path,
    )


def _strings_too_big(path: Path, name: str, size: int) -> InputError:
    return InputError(
        f"工作簿的共享字符串表（{name}）解压后超过 {_mb(MAX_SHARED_STRINGS_BYTES)}（至少 {_mb(size)}），"
        "已拒绝读取；请删除无用的工作表和内容，或拆分成较小的文件后重试",
        file=path,
    )


def _total_too_big(path: Path) -> InputError:
    return InputError(
        f"工作簿解压后超过 {_mb(MAX_UNCOMPRESSED_BYTES)}，已拒绝读取；请拆分成较小的文件",
        file=path,
    )


# --- what openpyxl would hold -------------------------------------------------------------------

_PREFIXED_CELL_OR_STRING = re.compile(rb":(?:c|si)[\s/>]")
_CELLS_AND_STRINGS = (b"<c ", b"<c>", b"<c/", b"<si>", b"<si ")
ROW_WEIGHT = 2


def count_cells(path: Path, *, rows_weigh: bool = False) -> int:
    """Cells in every sheet plus strings in the shared-strings table: what openpyxl builds an
    object for when it loads the workbook whole (a tag cut between two chunks may be missed:
    an estimate). With ``rows_weigh`` each row element counts as a few cells too (400,000
    styled empty rows cost openpyxl seconds). Call after :func:`check_workbook`."""
    cells, rows = count_cells_and_rows(path)
    return cells + ROW_WEIGHT * rows if rows_weigh else cells


def count_cells_and_rows(path: Path) -> tuple[int, int]:
    """:func:`count_cells` and the number of row elements, in one pass."""
    total = rows = 0
    with zipfile.ZipFile(path) as archive, path.open("rb") as handle:
        infos = {info.filename: info for info in archive.infolist() if not info.is_dir()}
        structure = _read_structure(path, handle, infos)
        for name, info in infos.items():
            if name in structure.sheets or name.startswith("xl/worksheets/"):
                for data in _inflate(path, handle, info, MAX_SHEET_BYTES):
                    total += sum(data.count(tag) for tag in _CELLS_AND_STRINGS)
                    rows += data.count(b"<row ")
                    if b":" in data:
                        total += len(_PREFIXED_CELL_OR_STRING.findall(data))
    return total, rows
