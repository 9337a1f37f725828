"""Reading the clerk's workbook: sniff the file, find the header row, stream the rows.

python-calamine parses (about 8x faster than openpyxl's read-only mode on a 100k-row roster);
openpyxl is kept for writing. Rows are yielded one at a time, each as the raw cell values of
the known columns keyed by canonical header, so a rule never sees a column position.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import operator
import os
import re
import stat
import struct
import sys
import threading
import warnings
import zipfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import compress, islice, repeat
from pathlib import Path
from typing import Any

import python_calamine

from ..domain.collector import collector_paused
from ..domain.errors import InputError
from ..domain.values import blank_cells, cell_text, fold_header, header_without_note, is_blank
from .columns import KIND_KEYS, SHEET_KIND_NAMES, ColumnSet, shared_columns
from .fileio import not_regular_file
from .sheetparts import PASSING as PASSING
from .sheetparts import SHARED_PARTS, PartedSheet, PartsWriting
from .sheetparts import unreadable_workbook as _unreadable_workbook
from .xlsxguard import HiddenCells, Tap, check_directory, check_workbook

HEADER_SCAN_ROWS = 50
# Control characters a cell may hold (raw, or written as _x001B_ in the file): C0 but tab and
# line breaks, DEL and C1. Removed when read; the row gets a warning naming the column.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _clean_controls(cells: dict[str, Any]) -> tuple[str, ...]:
    cleaned: list[str] = []
    for name, value in cells.items():
        if isinstance(value, str) and CONTROL_CHARACTERS.search(value) is not None:
            cells[name] = CONTROL_CHARACTERS.sub("", value)
            cleaned.append(name)
    return tuple(cleaned)


BATCH_ROWS = 4096  # rows read, and evaluated by the rule kinds, at a time (a column of each)
_CHUNK = 512  # rows converted per switch of file descriptor 2 (see SheetReader._refill)
_DATE_WARNING = re.compile(r"Cell ([A-Z]{1,3})\d+ is marked as a date")


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """File descriptor 2 on the null device for the block (a Rust panic hook writes there)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        yield
        return
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 2)
        finally:
            os.close(null)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _bad_date_column(path: Path, sheet: str, number: int) -> str | None:
    """The column of row ``number`` holding a date-formatted number no date can be made of
    (openpyxl reads such a cell as an error value and says which cell in a warning)."""
    try:
        import openpyxl

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                for row in book[sheet].iter_rows(min_row=number, max_row=number):
                    for _cell in row:
                        pass
            finally:
                book.close()
    except Exception:  # only a better message is lost
        return None
    for warning in caught:
        found = _DATE_WARNING.search(str(warning.message))
        if found is not None:
            return found.group(1)
    return None


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


def column_letter(number: int) -> str:
    """Spreadsheet column letters for a 1-based column number (1 -> A, 28 -> AB).

    Written here so that reading a sheet does not import openpyxl (and numpy with it).
    """
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# the guard's scan of a million-row sheet makes tens of millions of short-lived tuples: the
# collector would walk the heap again and again (6 s of a 1M-row check when it ran ahead)
@collector_paused()
def sniff_workbook(path: Path, tap: Tap | None = None) -> dict[str, HiddenCells]:
    """Raise InputError unless ``path`` looks like a readable, sane .xlsx workbook; returns
    the rows and columns each sheet hides, by sheet name (``tap``: see
    :data:`.xlsxguard.Tap`; the parts a workbook of parts copies are then checked ahead, so
    it hears of them early)."""
    if not path.exists():
        raise InputError("文件不存在", file=path)
    if path.is_dir():
        raise InputError("这是一个目录，不是 Excel 工作簿", file=path)
    problem = not_regular_file(path)
    if problem is not None:
        raise InputError(problem, file=path)
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
            if head.startswith(_OLE_MAGIC):
                handle.seek(0)
                body = handle.read(1 << 20)
                if "EncryptionInfo".encode("utf-16-le") in body:
                    raise InputError(
                        "工作簿设置了打开密码（已加密），请在 Excel 或 WPS 中取消密码后另存为 .xlsx",
                        file=path,
                    )
                raise InputError(
                    "这是旧版 .xls 格式，请在 Excel 或 WPS 中另存为 .xlsx 后再试", file=path
                )
    except OSError as exc:
        raise InputError(f"无法读取文件：{exc.strerror}", file=path) from exc
    if not head.startswith(_ZIP_MAGIC):
        if not head:
            raise InputError("文件是空的（0 字节），不是 Excel 工作簿", file=path)
        looks_text = all(b >= 0x09 for b in head)
        hint = "（看起来是 CSV 或文本文件）" if looks_text else ""
        raise InputError(
            f"不是 Excel 工作簿（.xlsx）{hint}，请在 Excel 或 WPS 中另存为 .xlsx", file=path
        )
    broken = InputError("工作簿已损坏（不是完整的 .xlsx 压缩包，可能下载或传输不完整）", file=path)
    try:
        with path.open("rb") as handle:
            check_directory(path, handle)
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" not in names:
                if "mimetype" in names and b"opendocument" in _head(archive, "mimetype"):
                    raise InputError(
                        "这是 ODS（WPS/LibreOffice）表格，请另存为 .xlsx 后再试", file=path
                    )
                if "word/document.xml" in names:
                    raise InputError("这是 Word 文档，不是 Excel 工作簿", file=path)
                raise InputError("压缩包中没有 Excel 工作簿内容，不是 .xlsx 文件", file=path)
            return check_workbook(path, archive, tap, SHARED_PARTS if tap is not None else ())
    except InputError:
        raise
    except OSError as exc:
        raise InputError(f"无法读取文件：{exc.strerror or exc}", file=path) from exc
    except (zipfile.BadZipFile, EOFError, ValueError, struct.error, NotImplementedError) as exc:
        raise broken from exc


def _head(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as member:
        return member.read(200)


@dataclass(frozen=True)
class Layout:
    """Where things are in the sheet: found once, used for every row and every output."""

    file: Path
    sheet: str
    kind: str
    header_row: int
    columns: dict[str, int]  # canonical header -> position in a calamine row
    letters: dict[str, str]  # canonical header -> spreadsheet column letter
    headers: dict[str, str] = field(default_factory=dict)  # canonical -> header as written
    unknown: tuple[str, ...] = ()  # headers of the header row that name no known column
    facts: dict[str, str] = field(default_factory=dict)  # label -> value from the title rows
    # sheet-wide values of columns the sheet does not have (the 培训机构 named above the
    # header or given with --institution): every row reads them as its own cell
    constants: dict[str, str] = field(default_factory=dict)
    # headers clerks write for a column that are not its aliases (``near_misses`` of its
    # declaration): a rule skipped for the column names them, so the clerk can rename it
    near_misses: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def near_miss(self, column: str) -> str | None:
        """An unknown header of this sheet that looks like ``column`` (``到课率%`` for
        到课率), as written, or None."""
        import difflib

        wanted = fold_header(column)
        by_folded = {header_without_note(fold_header(h)): h for h in self.unknown}
        for other in self.near_misses.get(column, ()):  # another word for it, not an alias
            if fold_header(other) in by_folded:
                return by_folded[fold_header(other)]
        close = difflib.get_close_matches(wanted, list(by_folded), n=1, cutoff=0.6)
        return by_folded[close[0]] if close else None

    def has(self, column: str) -> bool:
        return column in self.columns or column in self.constants


@dataclass(frozen=True)
class Row:
    number: int  # the row number the spreadsheet shows
    cells: dict[str, Any]
    cleaned: tuple[str, ...] = ()  # columns whose text lost control characters when read

    def raw(self, column: str) -> Any:
        return self.cells.get(column)

    def blank(self, column: str) -> bool:
        return is_blank(self.cells.get(column))

    def text(self, column: str) -> str:
        return cell_text(self.cells.get(column))


# kind, columns, headers as written, unknown headers as written
_Found = tuple[str, dict[str, int], dict[str, str], tuple[str, ...]]


def _detect(
    row: list[Any],
    wanted: str | None,
    file: Path,
    sheet: str,
    number: int,
    start_col: int,
    declared: ColumnSet | None = None,
) -> _Found | None:
    known = declared or shared_columns()
    canonical_header = known.canonical_header
    folded = {fold_header(cell_text(value)) for value in row if not is_blank(value)}
    # the cells that may name a column on some kind of sheet (a data row has none)
    anywhere = known.folded_headers()
    possible = [text for text in folded if text in anywhere or text.endswith(")")]
    kinds = [wanted] if wanted else list(KIND_KEYS)
    for kind in kinds:
        keys = KIND_KEYS[kind]
        if kind == "application" and "姓名" in folded:
            continue
        # the headers the row names, from its cells folded once: a row without every key
        # header of the kind is passed over before the cell-by-cell mapping below, which
        # would find the same headers
        named = {known.canonical_folded(text, kind) for text in possible}
        if not all(key in named for key in keys):
            continue
        mapped: dict[str, list[int]] = {}
        written: dict[int, str] = {}
        for position, value in enumerate(row):
            if is_blank(value):
                continue
            canonical = canonical_header(cell_text(value), kind)
            if canonical is not None:
                mapped.setdefault(canonical, []).append(position)
                written[position] = str(value).strip()  # as the clerk wrote it
        if not all(key in mapped for key in keys):
            continue
        columns: dict[str, int] = {}
        headers: dict[str, str] = {}
        for canonical, positions in mapped.items():
            exact = [p for p in positions if fold_header(written[p]) == fold_header(canonical)]
            if len(positions) > 1 and len(exact) != 1:
                letters = "、".join(column_letter(start_col + p + 1) for p in positions)
                raise InputError(
                    f"表头「{canonical}」出现了不止一次（{letters}列），无法判断用哪一列，请删去多余的列",
                    file=file,
                    sheet=sheet,
                    row=number,
                )
            chosen = exact[0] if len(positions) > 1 else positions[0]
            columns[canonical] = chosen
            headers[canonical] = written[chosen]
        unknown = tuple(
            str(value).strip()
            for value in row
            if not is_blank(value) and canonical_header(cell_text(value), kind) is None
        )
        return kind, columns, headers, unknown
    return None


# labels a title block uses beside the column headers (填表日期 | 2012年9月1日)
TITLE_LABELS = frozenset({"填表日期", "填报日期", "填报单位", "填表单位", "填表人", "审核人"})
_LABELLED = re.compile(r"^([^:]+):(.*)$")


def _label(text: str) -> str | None:
    """The label a title cell names (canonical header or a known title label), or None."""
    folded = fold_header(text)
    if not folded:
        return None
    for kind in ("roster", "application"):
        canonical = shared_columns().canonical_header(folded, kind)
        if canonical is not None:
            return canonical
    return folded if folded in TITLE_LABELS else None


def title_facts(rows: list[list[Any]]) -> dict[str, str]:
    """Sheet-wide facts written above the header (INTERFACE.md "Sheets"): ``培训机构：X`` in one
    cell, or a label cell followed by its value (单位名称 | 南宁市高级技工学校); the first
    value of a label wins. Keys are canonical headers (承训机构 is 培训机构) or title labels."""
    facts: dict[str, str] = {}
    for row in rows:
        parts: list[str] = []
        for value in row:
            if not is_blank(value):
                parts.extend(part for part in cell_text(value).split() if part)
        index = 0
        while index < len(parts):
            part = parts[index]
            labelled = _LABELLED.match(part)
            label = _label(labelled[1]) if labelled else None
            if labelled and label is not None and labelled[2].strip():
                facts.setdefault(label, labelled[2].strip())
                index += 1
                continue
            label = _label(part)
            if label is not None and index + 1 < len(parts) and _label(parts[index + 1]) is None:
                facts.setdefault(label, parts[index + 1])
                index += 2
                continue
            index += 1
    return facts


@dataclass
class _OpenedWorkbook:
    """A workbook past the guard with its first visible worksheet parsed by calamine: what
    opening a sheet does before any program is needed to find its header."""

    hidden: dict[str, HiddenCells]
    workbook: python_calamine.CalamineWorkbook | None  # None: parted (the thread holds them)
    sheet_name: str
    sheet: python_calamine.CalamineSheet | PartedSheet


def _guarded(path: Path) -> tuple[dict[str, HiddenCells], PartsWriting | None]:
    """The workbook guard's verdict on ``path`` (what its sheets hide), with the parts of a
    large first sheet written meanwhile on another thread (None for a path the guard would
    not open at all)."""
    # the parts are written from the bytes the guard inflates (the sheet inflated once)
    writing = PartsWriting(path, tapped=True) if path.is_file() else None
    try:
        hidden = sniff_workbook(path, writing.tap if writing is not None else None)
    except BaseException:
        if writing is not None:
            writing.cancel()
        raise
    if writing is not None:
        writing.guard_done()
    return hidden, writing


def _open_workbook(path: Path) -> _OpenedWorkbook:
    """The workbook guard, then calamine's parse of the first visible worksheet."""
    # in front of any parser: a bomb never reaches calamine
    return _parse_first_sheet(path, *_guarded(path))


def _parse_first_sheet(
    path: Path, hidden: dict[str, HiddenCells], writing: PartsWriting | None = None
) -> _OpenedWorkbook:
    """calamine's parse of the first visible worksheet of a workbook the guard let through
    (``hidden``: what the guard found hidden): a large one a part at a time on a thread of
    its own (:mod:`.sheetparts`, ``writing`` its parts), any other whole."""
    parted = writing.open() if writing is not None else None
    if parted is not None:
        return _OpenedWorkbook(hidden, None, parted.name, parted)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        visible = [
            meta.name
            for meta in workbook.sheets_metadata
            if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
            and meta.visible == python_calamine.SheetVisibleEnum.Visible
        ]
        if not visible:
            raise InputError("工作簿中没有可见的工作表", file=path)
        sheet = workbook.get_sheet_by_name(visible[0])
    except InputError:
        raise
    except PASSING:
        raise
    except BaseException as exc:  # calamine: unrelated types, panics
        raise _unreadable_workbook(path, exc) from exc
    return _OpenedWorkbook(hidden, workbook, visible[0], sheet)


def _file_key(path: Path) -> tuple[str, int, int] | None:
    """The file ``path`` names, as it is now (None unless a regular file)."""
    try:
        where = path.resolve()
        found = where.stat()
    except (OSError, RuntimeError, ValueError):
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    return (str(where), found.st_size, found.st_mtime_ns)


class _OpeningAhead:
    """The workbook guard, run at once, then calamine's parse on a thread of its own;
    :meth:`result` waits for it and returns what was opened, or raises what either raised.

    The guard is Python and would hold the interpreter lock against the program's loading
    on a thread; run first, it lets the parse (which releases the lock) start sooner."""

    def __init__(self, path: Path) -> None:
        self._opened: _OpenedWorkbook | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        try:
            hidden, writing = _guarded(path)
        except Exception as exc:  # told when the reader is made, after the program's errors
            self._error = exc
            return
        self._thread = threading.Thread(
            target=self._parse,
            args=(path, hidden, writing),
            name="skillpolicy-open-ahead",
            daemon=True,
        )
        self._thread.start()

    def _parse(
        self, path: Path, hidden: dict[str, HiddenCells], writing: PartsWriting | None
    ) -> None:
        try:
            self._opened = _parse_first_sheet(path, hidden, writing)
        except BaseException as exc:  # handed to the reader, which raises it as its own
            self._error = exc

    def result(self) -> _OpenedWorkbook:
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        assert self._opened is not None
        return self._opened


_AHEAD: dict[tuple[str, int, int], _OpeningAhead] = {}


@contextlib.contextmanager
def opening_ahead(path: Path) -> Iterator[None]:
    """Open the workbook at ``path`` (the guard at once, then calamine's parse on another
    thread) during the block, for the block's first :class:`SheetReader` of the same unchanged file
    to take; what no reader took is dropped at the end.

    calamine parses without holding the interpreter lock, so the program, its parameters
    and the ledger load on the other core meanwhile: a 10,000-row roster's parse takes
    about what loading a program does. A path that is not a regular file is left to the
    reader, which says what is wrong with it; so is an error found ahead, raised only when
    the reader is made (a program's own errors are still told first)."""
    key = _file_key(path)
    if key is None or key in _AHEAD:
        yield
        return
    _AHEAD[key] = _OpeningAhead(path)
    try:
        yield
    finally:
        _AHEAD.pop(key, None)


class SheetReader:
    """Open a workbook, locate the header row of its first visible worksheet, stream rows."""

    def __init__(
        self, path: Path, *, kind: str | None = None, columns: ColumnSet | None = None
    ) -> None:
        """``columns``: the declared columns whose headers are recognised (a program's
        :meth:`~skillpolicy.policy.programs.Program.column_set`; the shared ones by default)."""
        self.path = path
        self.declared = columns or shared_columns()
        key = _file_key(path)
        ahead = _AHEAD.pop(key, None) if key is not None else None
        opened = ahead.result() if ahead is not None else _open_workbook(path)
        self._workbook = opened.workbook
        self.sheet_name = opened.sheet_name
        self.hidden = opened.hidden.get(self.sheet_name) or opened.hidden.get(
            " ".join(self.sheet_name.split("\n"))
        )
        self.hidden_data_rows: list[int] = []
        try:
            sheet = opened.sheet
            start_col = sheet.start[1] if sheet.start else 0
            self._rows = iter(sheet.iter_rows())
            merged = sheet.merged_cell_ranges or []
            # vertical merges (a class's 培训机构 merged down its rows) fill down their value
            self._merges = sorted(
                (r1, r2, c1 - start_col) for (r1, c1), (r2, _c2) in merged if r2 > r1
            )
            # merges across a row (a group title over a two-row header), by row index
            self._spans: dict[int, list[tuple[int, int]]] = {}
            for (r1, c1), (_r2, c2) in merged:
                if c2 > c1:
                    self._spans.setdefault(r1, []).append((c1 - start_col, c2 - start_col))
        except PASSING:
            raise
        except BaseException as exc:  # calamine: unrelated types, panics
            raise _unreadable_workbook(path, exc) from exc
        self._next_number = 1
        self._replay: deque[list[Any]] = deque()  # rows read ahead while finding the header
        self._scanned: list[list[Any]] = []  # the rows read while looking for the header
        self._buffer: deque[list[Any]] = deque()
        self._done = False
        self._failure: InputError | None = None
        self.layout = self._find_header(kind, start_col)

    def _next(self) -> list[Any] | None:
        if self._replay:
            self._next_number += 1
            return self._replay.popleft()
        if not self._buffer:
            if self._failure is not None:
                raise self._failure
            if self._done:
                return None
            self._refill()
            if not self._buffer:
                return self._next() if self._failure is not None else None
        row = self._buffer.popleft()
        self._next_number += 1
        return row

    def _refill(self, count: int = _CHUNK) -> None:
        """Convert the next ``count`` rows, with calamine's panic report kept off the terminal.

        A cell calamine cannot convert (a date-formatted ``-1.1e11``) makes its Rust code
        panic: the ``PanicException`` is not an ``Exception``, and the panic hook writes a
        backtrace to file descriptor 2 itself. Rows are converted a batch at a time with
        that descriptor pointed at the null device (the rows before the bad one kept), and a
        failure becomes one line naming the cell when the reader reaches it.
        """
        number = self._next_number + len(self._buffer)
        before = len(self._buffer)
        with quiet_stderr():
            try:
                self._buffer.extend(islice(self._rows, count))
                if len(self._buffer) - before < count:
                    self._done = True
            except PASSING:
                raise
            except InputError as exc:  # a sheet read in parts that cannot be read in order
                self._done = True
                self._failure = exc
            except BaseException as exc:  # a Rust panic is a BaseException
                self._done = True
                self._failure = self._unreadable(number + len(self._buffer) - before, exc)

    def _take(self, size: int) -> list[list[Any]]:
        """The next ``size`` rows of the sheet (fewer at its end, or before a row that cannot
        be read: the next call raises that row's error)."""
        rows: list[list[Any]] = []
        replay = self._replay
        while replay and len(rows) < size:
            rows.append(replay.popleft())
        self._next_number += len(rows)
        buffer = self._buffer
        while len(rows) < size:
            if not buffer:
                if self._done or self._failure is not None:
                    break
                self._refill(size - len(rows))
                continue
            wanted = size - len(rows)
            if len(buffer) <= wanted:
                taken = list(buffer)
                buffer.clear()
            else:
                taken = [buffer.popleft() for _ in range(wanted)]
            rows.extend(taken)
            self._next_number += len(taken)
        if not rows and self._failure is not None:
            raise self._failure
        return rows

    def _unreadable(self, number: int, error: BaseException) -> InputError:
        column = _bad_date_column(self.path, self.sheet_name, number)
        if column is not None:
            return InputError(
                f"单元格 {column}{number} 的日期超出了 Excel 能表示的范围"
                "（1900-01-01 至 9999-12-31），无法读取；请改为正确的日期",
                file=self.path,
                sheet=self.sheet_name,
                row=number,
            )
        return InputError(
            f"工作簿已损坏，读到第{number}行时出错（{type(error).__name__}）",
            file=self.path,
            sheet=self.sheet_name,
            row=number,
        )

    def _find_header(self, kind: str | None, start_col: int) -> Layout:
        """The header row (INTERFACE.md "Sheets"): of the first rows that hold some kind's key
        headers, the one with the most recognised column headers; the earliest on a tie. A
        label/value title row (单位名称 | 南宁市高级技工学校 | 填表日期 | …) holds a key
        header too, but names fewer columns than the real header below it."""
        rows: list[list[Any]] = []
        while len(rows) < HEADER_SCAN_ROWS:
            row = self._next()
            if row is None:
                break
            rows.append(row)
        best: tuple[_Found, int] | None = None  # what was found, on which row (1-based)
        problem: InputError | None = None
        for index, row in enumerate(rows):
            number = index + 1
            try:
                found = _detect(
                    row, kind, self.path, self.sheet_name, number, start_col, self.declared
                )
                spans = self._spans.get(index)
                if spans and index + 1 < len(rows):  # a title merged across this row may head
                    both = self._detect_two_rows(  # a second header row below it
                        row, rows[index + 1], spans, kind, number, start_col, found
                    )
                    if both is not None:
                        found, number = both, number + 1
            except InputError as error:  # a header written twice: an error unless a better
                problem = problem or error  # header row is found
                continue
            if found is not None and (best is None or len(found[1]) > len(best[0][1])):
                best = (found, number)
        if best is not None:
            found, number = best
            self._scanned = rows[: number - 1]
            self._replay.extend(rows[number:])
            self._next_number = number + 1
            layout = self._layout(found, number, start_col)
            return replace(layout, facts=title_facts(self._scanned[: layout.header_row - 1]))
        if problem is not None:
            raise problem
        if kind:
            keys = "、".join(KIND_KEYS[kind])
            what = f"{SHEET_KIND_NAMES[kind]}的表头（须含：{keys}）"
        else:
            needs = "，".join(
                f"{SHEET_KIND_NAMES[k]}须含“{'”“'.join(keys)}”"
                for k, keys in KIND_KEYS.items()
                if k != "technician"  # chosen with --kind only
            )
            what = f"可识别的表头（{needs}）"
        raise InputError(
            f"前{HEADER_SCAN_ROWS}行中找不到{what}；请确认读的是正确的文件，表头写在一行内",
            file=self.path,
            sheet=self.sheet_name,
        )

    def _detect_two_rows(
        self,
        upper: list[Any],
        lower: list[Any],
        spans: list[tuple[int, int]],
        kind: str | None,
        number: int,
        start_col: int,
        single: _Found | None,
    ) -> _Found | None:
        """A two-row header: group titles merged across the upper row, each column named in
        the lower row or, where the lower cell is empty, by the upper cell merged down to it.
        Used when it names more columns than either row alone (a title merged across the
        whole sheet above a one-row header names nothing more)."""
        width = max(len(upper), len(lower))
        # a merge may span to column XFD: only the row's own columns are looked at
        grouped = {
            position
            for first, last in spans
            for position in range(max(first, 0), min(last, width - 1) + 1)
        }
        combined = [
            lower[p]
            if p < len(lower) and not is_blank(lower[p])
            else (upper[p] if p < len(upper) and p not in grouped else None)
            for p in range(width)
        ]
        try:
            both = _detect(
                combined, kind, self.path, self.sheet_name, number + 1, start_col, self.declared
            )
        except InputError:
            if single is not None:
                return None  # the upper row alone is a usable header
            raise
        if both is None:
            return None
        try:
            alone = _detect(
                lower, kind, self.path, self.sheet_name, number + 1, start_col, self.declared
            )
        except InputError:
            alone = None
        best = max((len(found[1]) for found in (single, alone) if found is not None), default=0)
        return both if len(both[1]) > best else None

    def _layout(self, found: _Found, number: int, start_col: int) -> Layout:
        found_kind, columns, headers, unknown = found
        return Layout(
            file=self.path,
            sheet=self.sheet_name,
            kind=found_kind,
            header_row=number,
            columns=columns,
            letters={name: column_letter(start_col + pos + 1) for name, pos in columns.items()},
            headers=headers,
            unknown=unknown,
            near_misses={
                name: column.near_misses
                for name, column in self.declared.columns.items()
                if column.near_misses
            },
        )

    def rows(self) -> Iterator[Row]:
        """Data rows below the header, skipping rows with nothing in any known column (the
        rows of :meth:`batches`, one at a time)."""
        for batch in self.batches():
            yield from batch.rows()

    def batches(self, size: int = BATCH_ROWS) -> Iterator[RowBatch]:
        """The data rows below the header, up to ``size`` at a time, as columns.

        Each batch is ``size`` rows of the sheet taken from calamine and turned into the known
        columns at C speed; then, as each row was read before: vertical merges fill down, rows
        with nothing in any known column and repeated header rows are left out, control
        characters are removed (the columns cleaned kept per row), hidden rows with data are
        recorded in :attr:`hidden_data_rows`, and every sheet-wide constant is a column. A batch
        may hold fewer than ``size`` rows (none is yielded empty)."""
        shape = _Shape(self.layout)
        merges = _MergeFill(self._merges)
        while True:
            start = self._next_number
            chunk = self._take(size)
            if not chunk:
                return
            merges.apply(chunk, start - 1)
            batch = shape.batch(chunk, start)
            del chunk  # its rows' cells now live in the batch alone: freed with it
            if batch is None:
                continue
            if self.hidden is not None and self.hidden.rows:
                hidden = self.hidden.rows
                self.hidden_data_rows.extend(n for n in batch.numbers if n in hidden)
            yield batch


@dataclass(frozen=True)
class RowBatch:
    """Data rows of one sheet as columns: ``columns[name][i]`` is row ``numbers[i]``'s cell,
    in the order a :class:`Row`'s cells have (the sheet's known columns, then the constants)."""

    numbers: list[int]
    columns: dict[str, list[Any]]
    # by index in the batch: the columns whose text lost control characters when read
    cleaned: dict[int, tuple[str, ...]] = field(default_factory=dict)
    # the cell types of the sheet's columns (the constants' not), as the reader found them
    types: dict[str, frozenset[type]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.numbers)

    def row(self, index: int) -> Row:
        """Row ``index`` of the batch as a :class:`Row` (made when asked)."""
        cells = {name: values[index] for name, values in self.columns.items()}
        return Row(number=self.numbers[index], cells=cells, cleaned=self.cleaned.get(index, ()))

    def rows(self) -> list[Row]:
        """Every row of the batch as a :class:`Row`."""
        names = list(self.columns)
        cleaned = self.cleaned
        return [
            Row(
                number=number,
                cells=dict(zip(names, values, strict=True)),
                cleaned=cleaned.get(k, ()),
            )
            for k, (number, values) in enumerate(
                zip(self.numbers, zip(*self.columns.values(), strict=True), strict=True)
            )
        ]


class _MergeFill:
    """Vertical merges of the sheet filling their value down, applied to the rows as read."""

    def __init__(self, merges: list[tuple[int, int, int]]) -> None:
        self._merges = iter(merges)
        self._upcoming = next(self._merges, None)
        self._filling: list[tuple[int, int, Any]] = []  # (last row index, position, value)

    def apply(self, chunk: list[list[Any]], first: int) -> None:
        """Fill down in ``chunk``, rows of the sheet from index ``first`` (0-based) on."""
        upcoming = self._upcoming
        if not self._filling and (upcoming is None or upcoming[0] > first + len(chunk) - 1):
            return  # no merge reaches these rows (almost every batch)
        filling = self._filling
        for offset, row in enumerate(chunk):
            index = first + offset
            if filling:
                filling = [f for f in filling if f[0] >= index]
                row = chunk[offset] = list(row)
                for _, position, value in filling:
                    if 0 <= position < len(row):
                        row[position] = value
            while upcoming is not None and upcoming[0] <= index:
                start, last, position = upcoming
                if start == index and 0 <= position < len(row):
                    filling.append((last, position, row[position]))
                upcoming = next(self._merges, None)
        self._filling, self._upcoming = filling, upcoming


_IS = operator.is_


def _text_of(values: list[Any]) -> str:
    """The text cells of a column joined (numbers, dates and blanks left out), at C speed."""
    try:
        return "".join(values)
    except TypeError:
        return _texts_joined(values)


def _texts_joined(values: list[Any]) -> str:
    """The cells of ``values`` that are texts, joined (the others left out)."""
    return "".join(compress(values, map(_IS, map(type, values), repeat(str))))


_TEXT_ALONE = frozenset([str])


def _text_and_types(values: list[Any]) -> tuple[str, frozenset[type]]:
    """:func:`_text_of` a column, and its cells' types, found on the way: calamine's cells
    are of builtin types, so a column the join takes whole is of text alone, and a column
    of no text (dates, numbers) is not joined at all."""
    if not values:
        return "", frozenset()
    try:
        return "".join(values), _TEXT_ALONE
    except TypeError:
        types = frozenset(map(type, values))
        return (_texts_joined(values) if str in types else ""), types


# a column whose first cells hold this few distinct texts or dates (a roster's institution,
# category, occupation, class dates) is interned: its equal cells made one object
_SAMPLE_CELLS = 256
_FEW_VALUES = 64
_INTERNED_TYPES = frozenset([str, dt.date])


def _read_column(values: list[Any]) -> tuple[list[Any], str, frozenset[type]]:
    """A column as the rules will read it, its text (:func:`_text_of`, searched for control
    characters) and its cells' types.

    A column of text and dates that repeats few values has its equal cells made one object
    (one pass, while its cells are fresh in the cache): each later pass of the rules over it
    (distinct values, look-ups, runs of equal cells) then reads a few objects instead of a
    new one a cell, and the batch's copies are freed. Its text is that of its distinct
    values, its types theirs (no value of another type equals a text or a date)."""
    sample = values[:_SAMPLE_CELLS]
    if len(set(sample)) <= _FEW_VALUES and _INTERNED_TYPES.issuperset(map(type, sample)):
        canon: dict[Any, Any] = {}
        interned = list(map(canon.setdefault, values, values))
        types = frozenset(map(type, canon))
        if _INTERNED_TYPES.issuperset(types):
            return interned, "".join(value for value in canon if value.__class__ is str), types
    return (values, *_text_and_types(values))


class _Shape:
    """How a sheet's calamine rows become a :class:`RowBatch` (from its layout)."""

    def __init__(self, layout: Layout) -> None:
        self.names = list(layout.columns)
        self.positions = [layout.columns[name] for name in self.names]
        self.getters = [operator.itemgetter(position) for position in self.positions]
        # rows this wide hold the known columns alone, in order: transposed whole
        in_order = self.positions == list(range(len(self.positions)))
        self.width = len(self.positions) if in_order else -1
        self.constants = layout.constants
        first_key = KIND_KEYS[layout.kind][0]
        self.first_key = first_key
        # a header repeated on a printed page is written as the header row was (an alias:
        # 身份证号码) or as the column's own name; the sheet-wide constants are not in it
        self.header_words = {
            name: {fold_header(name), fold_header(layout.headers.get(name, name))}
            for name in self.names
        }
        # the column most likely filled on a data row, looked at first for blank rows
        self.probe = self.names.index(first_key) if first_key in self.names else 0

    def transpose(self, chunk: list[list[Any]]) -> list[list[Any]]:
        """The known columns of ``chunk``, each a list (one C-level pass per column)."""
        if chunk and len(chunk[0]) == self.width:  # every cell of the rows in a known column
            with contextlib.suppress(ValueError):  # (the usual roster): one pass over the rows
                return list(map(list, zip(*chunk, strict=True)))
        try:
            return [list(map(get, chunk)) for get in self.getters]
        except IndexError:  # a short row (calamine pads, but be safe): missing cells are blank
            return [[row[p] if p < len(row) else None for row in chunk] for p in self.positions]

    def batch(self, chunk: list[list[Any]], start: int) -> RowBatch | None:
        """Rows ``chunk`` (the first is sheet row ``start``) as a batch; None when none is data."""
        columns = self.transpose(chunk)
        skip = self._blank_rows(columns)
        cells: dict[str, list[Any]] = dict(zip(self.names, columns, strict=True))
        size = len(chunk)
        for name, value in self.constants.items():
            cells[name] = [value] * size
        skip.update(self._header_rows(cells, skip))
        numbers = list(range(start, start + size))
        if skip:
            kept = [k for k in range(size) if k not in skip]
            if not kept:
                return None
            numbers = [numbers[k] for k in kept]
            cells = {name: [values[k] for k in kept] for name, values in cells.items()}
        batch = RowBatch(numbers=numbers, columns=cells)
        self._clean(batch)
        return batch

    def _blank_rows(self, columns: list[list[Any]]) -> set[int]:
        """Rows with nothing in any known column (a blank probe cell first, then the rest)."""
        probe = columns[self.probe]
        blank = blank_cells(probe)
        if True not in blank:
            return set()
        return {
            k
            for k in compress(range(len(probe)), blank)
            if all(is_blank(values[k]) for values in columns)
        }

    def _header_rows(self, cells: dict[str, list[Any]], skip: set[int]) -> set[int]:
        """The header repeated in the data rows (printed sheets repeat it on every page)."""
        probes = cells.get(self.first_key)
        if probes is None or self.first_key not in self.header_words:
            return set()
        firsts = self.header_words[self.first_key]
        text = _text_of(probes)
        if not any(word[:1] in text for word in firsts):  # a name rarely holds 姓 or 单
            return set()
        own = [(self.header_words[name], cells[name]) for name in self.names]
        repeated: set[int] = set()
        for k, probe in enumerate(probes):
            if (
                k not in skip
                and isinstance(probe, str)
                and fold_header(probe) in firsts
                and all(
                    is_blank(values[k]) or fold_header(cell_text(values[k])) in words
                    for words, values in own
                )
            ):
                repeated.add(k)
        return repeated

    def _clean(self, batch: RowBatch) -> None:
        """Control characters out of the text cells of the sheet's columns; a row where any
        were found has every cell of it cleaned (constants too) and the columns named. Each
        column is read on the way (:func:`_read_column`): its types kept in the batch, its
        few repeated values interned."""
        columns = batch.columns
        texts: list[str] = []  # each column's text searched once
        for name in self.names:
            columns[name], text, batch.types[name] = _read_column(columns[name])
            texts.append(text)
        sheet_columns = [columns[name] for name in self.names]
        # a text all printable holds no control character (each is of category Cc): most
        # columns are passed by that quicker test, the others searched
        if all(map(str.isprintable, texts)) or not any(map(CONTROL_CHARACTERS.search, texts)):
            return
        flagged: set[int] = set()
        for values, text in zip(sheet_columns, texts, strict=True):
            if CONTROL_CHARACTERS.search(text) is not None:
                flagged.update(
                    k
                    for k, value in enumerate(values)
                    if value.__class__ is str and CONTROL_CHARACTERS.search(value) is not None
                )
        for k in sorted(flagged):
            cells = {name: values[k] for name, values in columns.items()}
            batch.cleaned[k] = _clean_controls(cells)
            for name in batch.cleaned[k]:
                columns[name][k] = cells[name]
