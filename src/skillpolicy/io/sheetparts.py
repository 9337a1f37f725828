"""A large worksheet parsed a part at a time on a second thread, while the rows already
parsed are checked on the first.

calamine parses a sheet whole before a single row can be read, and releases the interpreter
lock while it does; the rules hold it. Run one after the other they cost their sum. So a
sheet whose XML is large (a few tens of thousands of rows) is cut, at row boundaries, into
the worksheets of one workbook of our own, written uncompressed to a temporary file with
the original's shared strings and styles; a thread has calamine parse those parts in order
while the reader converts and checks the ones before. The shared strings are parsed once,
and only a part or two is held at a time, so memory falls too.

The cut is made only where it cannot change what is read: the sheet written the plain way
(a ``<sheetData>`` of ``<row r="...">`` elements, no comment, CDATA or processing
instruction inside it), cut only before a row that carries its number. Rows come out with
absolute column positions and every part's rows must follow the rows before them (checked
as each part arrives): a crafted sheet that numbers its cells out of order is refused.
Anything else unusual (another layout of the package, a namespace prefix, too little room
for the temporary file) leaves the sheet to the whole-sheet parse.

This runs after the workbook guard has accepted the file (every bound it proves holds for
each part, which is a piece of the same sheet).
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import tempfile
import threading
import weakref
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

import python_calamine

from ..domain.errors import InputError

MIB = 1 << 20
# a first visible worksheet whose XML is at least this large is parted (about 12,000 rows
# of a 19-column roster); below it the parse is too short to be worth running beside
PARTED_FROM_BYTES = 8 * MIB
PART_BYTES = 4 * MIB  # the XML of one part, about 6,000 rows of such a roster
# the first part is smaller: the reader waits for its parse, which starts only once the
# guard has accepted the file (about 800 rows of such a roster)
FIRST_PART_BYTES = MIB // 2
_READ_BYTES = MIB
# the first eighth of the sheet's XML is a workbook of its own, opened early: the reader
# works through its parts while the second, with the rest, reads its shared strings
_EARLY_SHARE = 8
# written before the guard has read the file: no sheet beyond this, none compressed beyond
# this ratio (the guard refuses a bomb; the parts must not fill the disk first)
WRITE_LIMIT_BYTES = 4096 * MIB
_RATIO = 200
_SMALL_PART_BYTES = 4 * MIB  # the package's relationships and workbook.xml
_PREFIX_LIMIT = 16 * MIB  # what may come before <sheetData> (column widths, views)
_ROOT_TAG_LIMIT = 64 * 1024  # the <worksheet> start tag: namespaces, nothing more
_QUEUED = 2  # parsed parts waiting for the reader: the memory held ahead
# chunks the guard inflated that the parts' writer has not read yet (up to 4 MiB each): the
# slack that lets the guard read on while the writer copies the shared strings
_TAPPED = 16

_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CUT = re.compile(rb'<row r="(\d+)"')
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{parts}</Types>"
)
_PART_TYPE = (
    '<Override PartName="/xl/worksheets/part{index}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<workbookPr date1904="{date1904}"/><sheets>{sheets}</sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    "{parts}</Relationships>"
)
_PART_REL = (
    '<Relationship Id="rId{index}" Target="worksheets/part{index}.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
)
# what the original's parts are called where calamine looks for them (its workbook in xl/)
SHARED_PARTS = ("xl/sharedStrings.xml", "xl/styles.xml")


# Exceptions a reader boundary lets through; anything else out of calamine, a Rust
# ``PanicException`` included (a BaseException), is an unreadable workbook.
PASSING = (KeyboardInterrupt, SystemExit, GeneratorExit)


def unreadable_workbook(path: Path, exc: BaseException) -> InputError:
    """The line for a workbook calamine could not read (``exc``: what it raised)."""
    if isinstance(exc, python_calamine.PasswordError):
        return InputError("工作簿设置了密码，请取消密码后另存为 .xlsx", file=path)
    return InputError(f"工作簿已损坏，无法读取（{type(exc).__name__}）", file=path)


class _NotParted(Exception):
    """The sheet is left to the whole-sheet parse (why, for a developer reading a trace)."""


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _first_visible_worksheet(archive: zipfile.ZipFile) -> tuple[str, str, bool]:
    """The name and part of the workbook's first visible worksheet, as calamine finds them,
    and whether its dates count from 1904; :class:`_NotParted` for any other layout."""
    package = ElementTree.fromstring(archive.read("_rels/.rels"))
    documents = [
        rel.get("Target", "").lstrip("/")
        for rel in package.iter(f"{_RELS}Relationship")
        if rel.get("Type", "").endswith("/officeDocument")
    ]
    if documents != ["xl/workbook.xml"]:
        raise _NotParted("the workbook is not xl/workbook.xml")
    relations = {
        rel.get("Id", ""): (rel.get("Target", ""), rel.get("Type", ""))
        for rel in ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels")).iter(
            f"{_RELS}Relationship"
        )
    }
    raw = archive.read("xl/workbook.xml")
    if any(re.search(rb"[\t\n\r]", tag) for tag in re.findall(rb"<sheet\b[^>]*>", raw)):
        raise _NotParted("white space in a sheet's tag, which the XML parser would normalise")
    book = ElementTree.fromstring(raw)
    date1904 = False
    for properties in book.iter(f"{_MAIN}workbookPr"):
        date1904 = properties.get("date1904") in ("1", "true")
    for sheet in book.iter(f"{_MAIN}sheet"):
        ids = [value for key, value in sheet.attrib.items() if _local(key) == "id"]
        target, kind = relations.get(ids[-1] if ids else "", ("", ""))
        state = sheet.get("state", "visible")
        if not target or state not in ("visible", "hidden", "veryHidden"):
            raise _NotParted("a sheet calamine would not list")
        if kind.rsplit("/", 1)[-1] == "worksheet" and state == "visible":
            part = target[1:] if target.startswith("/") else f"xl/{target}"
            return sheet.get("name", ""), part, date1904
    raise _NotParted("no visible worksheet")


def _check_names(archive: zipfile.ZipFile, part: str) -> None:
    """calamine may find a part whatever its case: take none that is named another way."""
    wanted = {name.lower(): name for name in (part, *SHARED_PARTS)}
    for name in archive.namelist():
        if "\\" in name or (name.lower() in wanted and name != wanted[name.lower()]):
            raise _NotParted(f"a part named unusually: {name!r}")
    if part not in archive.NameToInfo:
        raise _NotParted("the sheet's part is missing")


class _Stoppable:
    """A member's reader that gives up once ``stop`` is set (the guard refused the file)."""

    def __init__(self, source: IO[bytes], stop: threading.Event) -> None:
        self._source = source
        self._stop = stop

    def read(self, size: int = -1) -> bytes:
        if self._stop.is_set():
            raise _NotParted("cancelled")
        return self._source.read(size)


class _Tap:
    """The first visible worksheet's XML as the workbook guard inflates it (a
    :data:`~.xlsxguard.Tap`), read by the parts' writer: the sheet is inflated once, not once
    for the guard and again for the parts.

    The writer names the part it wants (or none) before reading; the guard's calls for other
    parts return at once, and for that part wait while :data:`_TAPPED` chunks are unread.
    Once the writer is done or gone, every call returns at once. The parts the guard let
    pass are noted (:meth:`wait_passed`): once the shared strings and styles have passed,
    the first parts' workbook may be opened (its sheets are parsed only once the guard has
    accepted the whole file)."""

    def __init__(self, stop: threading.Event) -> None:
        self._stop = stop
        self._named = threading.Event()
        self._part: str | None = None
        self._chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=_TAPPED)
        self._closed = threading.Event()
        self._ended = False  # the part's end was read: every read after it gives b""
        self._passed: set[str] = set()  # the parts the guard has checked and let pass
        self._passing = threading.Condition()
        self._returned = False  # the guard returned (it let every part pass)

    def want(self, part: str | None) -> None:
        """The writer wants ``part`` (None: no part); said once."""
        if not self._named.is_set():
            self._part = part
            self._named.set()

    def close(self) -> None:
        """The writer is done or gone: the guard is no longer waited for."""
        self.want(None)
        self._closed.set()
        with contextlib.suppress(queue.Empty):
            while True:
                self._chunks.get_nowait()

    def guard_done(self) -> None:
        """The guard returned: no more bytes will come (a part never told ends the read)."""
        with self._passing:
            self._returned = True
            self._passing.notify_all()
        self._hand(None)

    def __call__(self, name: str, data: bytes) -> None:
        self._named.wait()
        if name == self._part:
            self._hand(data)
        if not data:
            with self._passing:
                self._passed.add(name)
                self._passing.notify_all()

    def wait_passed(self, names: set[str]) -> bool:
        """Wait until the guard has let ``names`` pass (True), or stopped (False)."""
        with self._passing:
            while not (self._returned or names <= self._passed):
                if self._stop.is_set():
                    return False
                self._passing.wait(0.05)
            return not self._stop.is_set()

    def _hand(self, item: bytes | None) -> None:
        while not self._closed.is_set() and not self._stop.is_set():
            with contextlib.suppress(queue.Full):
                self._chunks.put(item, timeout=0.05)
                return

    def read(self, size: int = -1) -> bytes:
        """The next bytes of the part (b"" at its end); all that is left when ``size`` < 0."""
        if size >= 0:
            return self._next()
        rest = []
        while chunk := self._next():
            rest.append(chunk)
        return b"".join(rest)

    def _next(self) -> bytes:
        while not self._ended:
            if self._stop.is_set():
                raise _NotParted("cancelled")
            with contextlib.suppress(queue.Empty):
                item = self._chunks.get(timeout=0.05)
                if item is None:
                    raise _NotParted("the guard never read the sheet")
                self._ended = not item
                return item
        return b""


class _Package:
    """One temporary workbook being written: parts (worksheets) of the sheet, and with
    ``shared`` the original's shared strings and styles, which calamine reads on opening."""

    def __init__(self, path: Path, archive: zipfile.ZipFile, date1904: bool) -> None:
        self.path = path
        self.parts = 0
        self._archive = archive
        self._date1904 = date1904
        self.out = zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True)

    def copy_shared(self, stop: threading.Event) -> None:
        for shared in SHARED_PARTS:
            if shared in self._archive.NameToInfo:
                with (
                    self._archive.open(shared) as source,
                    self.out.open(shared, "w", force_zip64=True) as copy,
                ):
                    reader = _Stoppable(source, stop)
                    while chunk := reader.read(_READ_BYTES):
                        copy.write(chunk)

    def finish(self) -> None:
        """The package's own workbook, relationships and content types; closed."""
        every = range(self.parts)
        self.out.writestr(
            "[Content_Types].xml",
            _CONTENT_TYPES.format(parts="".join(_PART_TYPE.format(index=k) for k in every)),
        )
        self.out.writestr("_rels/.rels", _PACKAGE_RELS)
        self.out.writestr(
            "xl/workbook.xml",
            _WORKBOOK.format(
                date1904=int(self._date1904),
                sheets="".join(
                    f'<sheet name="part{k}" sheetId="{k + 1}" r:id="rId{k}"/>' for k in every
                ),
            ),
        )
        self.out.writestr(
            "xl/_rels/workbook.xml.rels",
            _WORKBOOK_RELS.format(parts="".join(_PART_REL.format(index=k) for k in every)),
        )
        self.out.close()


class _PartWriter:
    """The sheet's XML cut into parts as it is inflated, each written as a worksheet of a
    temporary workbook: the original's opening (see :func:`_opening`), rows, a closing.

    The parts up to :attr:`early_bytes` of rows go into the first package, which is then
    finished and handed to :attr:`on_early` (it may be opened while the guard still reads
    the sheet); the rest into the package :attr:`next_package` makes."""

    def __init__(
        self,
        package: _Package,
        early_bytes: int,
        on_early: Callable[[_Package], None],
        next_package: Callable[[], _Package],
    ) -> None:
        self.package = package
        self.packages = [package]
        self.early_bytes = early_bytes
        self.on_early = on_early
        self.next_package = next_package
        self.head = b""
        self.count = 0  # parts finished, in every package
        self.size = 0  # bytes of rows in the part being written
        self.written = 0  # bytes of rows in every part
        self.merged = b""  # the sheet's <mergeCells>, once the end of its XML is read
        self._member: IO[bytes] | None = None

    def write(self, rows: bytes | memoryview) -> None:
        if not rows:
            return
        if self._member is None:
            if len(self.packages) == 1 and self.written >= self.early_bytes:
                self.package.finish()  # the early package is complete: more rows follow
                self.on_early(self.package)
                self.package = self.next_package()
                self.packages.append(self.package)
            self._member = self.package.out.open(
                f"xl/worksheets/part{self.package.parts}.xml", "w", force_zip64=True
            )
            self._member.write(self.head)
        self._member.write(rows)
        self.size += len(rows)
        self.written += len(rows)

    def end_part(self) -> None:
        if self._member is None:
            return
        self._member.write(b"</sheetData></worksheet>")
        self._member.close()
        self._member = None
        self.package.parts += 1
        self.count += 1
        self.size = 0

    def merges_part(self, tail: bytes) -> None:
        """Keep the sheet's merged ranges (its ``<mergeCells>``) from the end of its XML."""
        self.merged = b"".join(re.findall(rb"<mergeCells\b.*?</mergeCells>", tail, re.DOTALL))

    def write_merges(self, package: _Package) -> None:
        """A part with no rows and the sheet's merged ranges, alone in ``package``."""
        with package.out.open("xl/worksheets/part0.xml", "w") as member:
            member.write(self.head + b"</sheetData>" + self.merged + b"</worksheet>")
        package.parts = 1


def _opening(head: bytes) -> bytes:
    """What a part repeats of what comes before the sheet's ``<sheetData>``: the XML
    declaration and the ``<worksheet>`` start tag with its namespaces (column widths, views
    and the declared dimension are not read as values; written once per part, a large
    ``<cols>`` would multiply)."""
    start = head.find(b"<worksheet")
    if start < 0 or head[start + len(b"<worksheet") : start + len(b"<worksheet") + 1] not in (
        b" ",
        b">",
        b"\t",
        b"\r",
        b"\n",
    ):
        raise _NotParted("no plain <worksheet> element")
    quote = 0
    for at in range(start, min(len(head), start + _ROOT_TAG_LIMIT)):
        byte = head[at]
        if quote:
            quote = 0 if byte == quote else quote
        elif byte in b"\"'":
            quote = byte
        elif byte == ord(">"):
            if head[at - 1 : at] == b"/":
                raise _NotParted("an empty <worksheet/>")
            return head[: at + 1]
    raise _NotParted("a <worksheet> start tag too long to be one")


_MARKUP = (b"<!", b"<?")  # a comment, CDATA or processing instruction begins so


def _markup_in(data: bytes, end: int) -> bool:
    """Whether ``data[:end]`` holds a comment, CDATA or processing instruction; searched in
    place, a single byte first (a byte is found by memchr, a pair by a far slower scan)."""
    return any(
        data.find(mark[1:], 0, end) >= 0 and data.find(mark, 0, end) >= 0 for mark in _MARKUP
    )


def _split(source: _Stoppable | _Tap, writer: _PartWriter) -> int:
    """Write the parts of the sheet XML read from ``source``; returns how many hold rows."""
    pending = b""
    while b"<sheetData>" not in pending:
        more = source.read(_READ_BYTES)
        if not more or len(pending) > _PREFIX_LIMIT:
            raise _NotParted("no plain <sheetData>")
        pending += more
    head, _, pending = pending.partition(b"<sheetData>")
    if b"sheetData" in head or b"<!" in head:
        raise _NotParted("an unusual sheet opening")
    writer.head = _opening(head) + b"<sheetData>"
    last = b""  # the byte written last: a "<!" may straddle two reads
    while True:
        more = source.read(_READ_BYTES)
        pending += more
        end = pending.find(b"</sheetData>")
        body_end = end if end >= 0 else len(pending)
        if last + pending[:1] in _MARKUP or _markup_in(pending, body_end):
            raise _NotParted("a comment, CDATA or instruction among the rows")
        view = memoryview(pending)  # the parts written from it without copies
        position = 0
        while True:  # cut before the first numbered row past each part's size
            size = PART_BYTES if writer.count else min(FIRST_PART_BYTES, PART_BYTES)
            want = position + max(size - writer.size, 0)
            cut = _CUT.search(pending, want, body_end) if want < body_end else None
            if cut is None:
                break
            writer.write(view[position : cut.start()])
            writer.end_part()
            position = cut.start()
        if end >= 0:
            writer.write(view[position:end])
            writer.end_part()
            tail = pending[end + len(b"</sheetData>") :] + source.read()
            parts = writer.count
            writer.merges_part(tail)
            return parts
        if not more:
            raise _NotParted("the sheet's XML ends before </sheetData>")
        # a cut may come in what is kept: from the last row start on (or the last few bytes,
        # which may begin "</sheetData>")
        keep = pending.rfind(b"<row ", position)
        keep = keep if keep > position else max(position, len(pending) - 16)
        writer.write(view[position:keep])
        last = pending[keep - 1 : keep] if keep > 0 else last
        pending = pending[keep:]


class _Opening:
    """A workbook of parts opened on a thread of its own (calamine reads its shared strings
    without the interpreter lock), once ``before`` allows (if given); its file is removed
    once it is open, or could not be."""

    def __init__(self, path: Path, before: Callable[[], bool] | None = None) -> None:
        self.path = path
        self._before = before
        self._workbook: python_calamine.CalamineWorkbook | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._open, name="skillpolicy-sheet-open")
        self._thread.daemon = True
        self._thread.start()

    def _open(self) -> None:
        try:
            if self._before is not None and not self._before():
                raise _NotParted("stopped before it was opened")
            self._workbook = python_calamine.CalamineWorkbook.from_path(str(self.path))
        except BaseException as exc:  # raised by result(), where the workbook is wanted
            self._error = exc
        finally:
            _remove(self.path)

    def result(self) -> python_calamine.CalamineWorkbook:
        """The opened workbook (waiting for it), or what opening it raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._workbook is not None
        return self._workbook


_Segment = tuple["python_calamine.CalamineWorkbook | _Opening", int]  # a workbook, its parts


def _parse_parts(
    segments: list[_Segment], handed: queue.Queue[tuple[str, Any]], stop: threading.Event
) -> None:
    """The parsing thread: each workbook's parts parsed in order and handed over (a workbook
    still opening waited for), then "end" (or the error that stopped it); it gives up once
    ``stop`` is set."""

    def hand(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            with contextlib.suppress(queue.Full):
                handed.put(item, timeout=0.05)
                return True
        return False

    try:
        while segments:
            source, parts = segments.pop(0)
            workbook = source.result() if isinstance(source, _Opening) else source
            del source
            if len(workbook.sheet_names) != parts:
                raise RuntimeError("a workbook of parts lists other sheets than were written")
            for index in range(parts):
                if stop.is_set() or not hand(("part", workbook.get_sheet_by_index(index))):
                    return
            del workbook
        hand(("end", None))
    except BaseException as exc:  # a Rust panic too: the reader raises it as its own
        hand(("error", exc))


class PartedSheet:
    """The first visible worksheet of a workbook, parsed a part at a time on a thread.

    Offers what the reader takes from a calamine sheet: :attr:`start` (columns are absolute:
    (0, 0)), :attr:`merged_cell_ranges` and :meth:`iter_rows`, whose rows are the sheet's from
    row 1 (blank ones as empty cells) with cells at their absolute column positions. The
    parts are in one workbook or two (the later one opened while the first's are read); the
    thread stops when the rows are read to the end or the sheet is dropped, and the files of
    workbooks not yet opened go with it."""

    start = (0, 0)

    def __init__(
        self,
        path: Path,
        name: str,
        segments: list[_Segment],
        merged: list[Any],
        files: list[Path],
    ) -> None:
        self.path = path
        self.name = name
        # the workbooks are the parsing thread's alone (calamine holds each while it parses),
        # each dropped once its parts are parsed
        self.parts = sum(parts for _, parts in segments)
        self.merged_cell_ranges = merged
        self._handed: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=_QUEUED)
        self._stop = threading.Event()
        weakref.finalize(self, self._stop.set)
        weakref.finalize(self, _remove_all, files)
        threading.Thread(
            target=_parse_parts,
            args=(segments, self._handed, self._stop),
            name="skillpolicy-sheet-parts",
            daemon=True,
        ).start()

    def close(self) -> None:
        """Stop the parsing thread and drop what it parsed ahead."""
        self._stop.set()
        with contextlib.suppress(queue.Empty):
            while True:
                self._handed.get_nowait()

    def iter_rows(self) -> Iterator[list[Any]]:
        """The sheet's rows from row 1 as calamine reads them, a part after another."""
        width = 0
        next_row = 0
        try:
            while True:
                what, item = self._handed.get()
                if what == "end":
                    return
                if what == "error":
                    raise unreadable_workbook(self.path, item)
                part: python_calamine.CalamineSheet = item
                del item
                start = part.start
                if start is None:
                    continue
                first_row, first_col = start
                if first_row < next_row:
                    raise InputError(
                        f"工作表中第{first_row + 1}行的单元格写在了后面的行之后（行号顺序错乱），"
                        "无法可靠读取；请在 Excel 或 WPS 中打开后另存为再试",
                        file=self.path,
                        sheet=self.name,
                        row=first_row + 1,
                    )
                part_width = first_col + part.width
                width = max(width, part_width)
                while next_row < first_row:
                    yield [""] * width
                    next_row += 1
                rows: Any
                try:
                    rows = part.to_python(skip_empty_area=True)
                except PASSING:
                    raise
                except BaseException:  # a cell calamine cannot convert: row by row, so the
                    rows = _rows_from(part.iter_rows(), first_row)  # reader learns which
                lead = [""] * first_col
                right = [""] * (width - part_width)
                if lead or right:
                    for row in rows:
                        yield [*lead, *row, *right]
                else:
                    yield from rows
                next_row = first_row + part.height
                del part, rows
        finally:
            self.close()


def _rows_from(rows: Iterator[list[Any]], first: int) -> Iterator[list[Any]]:
    """calamine's rows of a part from its first row on (it yields the empty rows above)."""
    for _ in range(first):
        next(rows, None)
    yield from rows


@dataclass(frozen=True)
class _Written:
    name: str  # the worksheet's name in the original
    packages: list[tuple[Path, int]]  # the workbooks of parts, in order, and their parts
    merges: Path  # the workbook of one part: the sheet's merged ranges


class PartsWriting:
    """The temporary workbooks of a large first worksheet's parts, written on a thread while
    the workbook guard reads the original (neither parses it; zlib and the writes let go of
    the interpreter lock). :meth:`open` waits and opens the parts once the guard accepted
    the file; :meth:`cancel` (the guard refused it) stops and deletes them. Nothing is left
    if neither is called: the files go when this is dropped.

    The first eighth of the sheet goes into a workbook of its own, finished while the guard
    still reads the rest and opened (its shared strings read, on a thread) as soon as the
    guard has let the shared strings and styles pass; its parts are parsed only once the
    whole file is accepted. The reader starts on them while the second workbook opens.

    Before the guard has spoken, the original is read only within bounds of its own: small
    XML parts without a DTD, the sheet inflated to no more than its directory declares, and
    not at all when that is beyond :data:`WRITE_LIMIT_BYTES` or the compression implausible."""

    def __init__(self, path: Path, tapped: bool = False) -> None:
        self.path = path
        self._stop = threading.Event()
        self._done = threading.Event()
        self._written: _Written | None = None
        self._files: list[Path] = []  # deleted when this is dropped, unless handed on
        weakref.finalize(self, _remove_all, self._files)
        self._early: _Opening | None = None  # the first workbook, opening early
        # tapped: the sheet's XML is taken from the guard (give it :attr:`tap`; say
        # :meth:`guard_done` when it returns) rather than inflated again
        self.tap = _Tap(self._stop) if tapped else None
        threading.Thread(target=self._write, name="skillpolicy-sheet-split", daemon=True).start()

    def _temporary(self) -> Path:
        """A new temporary file for parts (made only for a sheet that is parted)."""
        handle, name = tempfile.mkstemp(prefix="skillpolicy-parts-", suffix=".xlsx")
        os.close(handle)
        self._files.append(Path(name))
        return Path(name)

    def _open_early(self, package: _Package, shared: set[str]) -> None:
        """The first workbook is written: open it once the guard let ``shared`` pass."""
        tap = self.tap
        self._early = _Opening(
            package.path, (lambda: tap.wait_passed(shared)) if tap is not None else None
        )

    def _write(self) -> None:
        try:
            self._written = _write_temporary(
                self.path, self._temporary, self._stop, self.tap, self._open_early
            )
        except Exception:  # anything unusual: the whole-sheet parse reads it, or says why not
            self._written = None
        finally:
            if self.tap is not None:
                self.tap.close()
            if self._written is None:
                self._delete()
            self._done.set()

    def guard_done(self) -> None:
        """The guard accepted the file: a sheet it never told the tap of is not parted."""
        if self.tap is not None:
            self.tap.guard_done()

    def _delete(self) -> None:
        _remove_all(self._files)

    def cancel(self) -> None:
        """Stop writing and delete what was written."""
        self._stop.set()
        self._done.wait()
        self._delete()

    def open(self) -> PartedSheet | None:
        """The parts opened (the guard has accepted the file), or None: the sheet is small,
        not written the plain way, or could not be written."""
        self._done.wait()
        written = self._written
        if written is None:
            return None
        try:
            merges = python_calamine.CalamineWorkbook.from_path(str(written.merges))
            merged = merges.get_sheet_by_index(0).merged_cell_ranges or []
            (first, parts), *later = written.packages
            workbook = (self._early or _Opening(first)).result()
        except (python_calamine.CalamineError, _NotParted):
            self._delete()
            return None
        finally:
            _remove(written.merges)
        if len(workbook.sheet_names) != parts:
            self._delete()
            return None
        segments: list[_Segment] = [(workbook, parts)]
        segments += [(_Opening(path), count) for path, count in later]
        handed = [path for path, _ in later]  # removed once open, or with the sheet
        self._files[:] = [path for path in self._files if path not in handed]
        self._delete()
        return PartedSheet(self.path, written.name, segments, merged, handed)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _remove_all(paths: list[Path]) -> None:
    for path in paths:
        _remove(path)


def open_parted(path: Path) -> PartedSheet | None:
    """The first visible worksheet of ``path`` (a workbook the guard accepted) opened in
    parts, or None when it is small or not written the plain way (the whole-sheet parse
    reads it then)."""
    return PartsWriting(path).open()


def _write_temporary(
    path: Path,
    temporary: Callable[[], Path],
    stop: threading.Event,
    tap: _Tap | None = None,
    on_early: Callable[[_Package, set[str]], None] | None = None,
) -> _Written | None:
    with zipfile.ZipFile(path) as archive:
        for name in ("_rels/.rels", "xl/_rels/workbook.xml.rels", "xl/workbook.xml"):
            if archive.getinfo(name).file_size > _SMALL_PART_BYTES:
                raise _NotParted(f"{name} is large")
            if b"<!DOCTYPE" in archive.read(name):
                raise _NotParted("a DTD (the guard refuses it)")
        name, part, date1904 = _first_visible_worksheet(archive)
        _check_names(archive, part)
        info = archive.getinfo(part)
        if info.file_size < PARTED_FROM_BYTES:
            return None
        for item in (info, *(archive.getinfo(s) for s in SHARED_PARTS if s in archive.NameToInfo)):
            if item.file_size > WRITE_LIMIT_BYTES or item.file_size > _RATIO * max(
                item.compress_size, 1
            ):
                raise _NotParted("beyond what is written before the guard has spoken")
        if tap is not None:
            tap.want(part)
        shared = {name for name in SHARED_PARTS if name in archive.NameToInfo}
        packages: list[_Package] = []

        def package(shared: bool = True) -> _Package:
            made = _Package(temporary(), archive, date1904)
            packages.append(made)
            if shared:  # before its parts: in the tap's slack, not after the sheet's end
                made.copy_shared(stop)
            return made

        def early(first: _Package) -> None:
            if on_early is not None:
                on_early(first, shared)

        try:
            first = package()
            writer = _PartWriter(first, max(info.file_size // _EARLY_SHARE, 1), early, package)
            if tap is not None:
                parts = _split(tap, writer)
            else:
                with archive.open(part) as source:
                    parts = _split(_Stoppable(source, stop), writer)
            if parts < 1:
                return None
            last = writer.package
            last.finish()
            if last is first:
                early(first)
            merges = package(shared=False)
            writer.write_merges(merges)
            merges.finish()
        finally:
            for made in packages:
                with contextlib.suppress(Exception):
                    made.out.close()
    return _Written(name, [(made.path, made.parts) for made in writer.packages], merges.path)
