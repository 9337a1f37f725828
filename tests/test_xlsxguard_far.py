"""Far cells counted by their shapes in the guard's fast pass (skillpolicy.io.xlsxguard).

Rows past 99,999 and columns of two or three letters are counted by their shapes like near
cells and bounded by the lengths of those shapes; a chunk's last cells measure it. Whatever a
crafted sheet does against that (a far cell hidden among ordinary ones, rows that descend, a
row past Excel's last, a column past XFD), the guard must send the sheet to the exact pass
exactly when the scan that read every far cell did, so that every verdict stays the same.
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from corpus.build import package, sheet_xml
from skillpolicy.domain.errors import InputError
from skillpolicy.io import xlsxguard
from skillpolicy.io.sheet import sniff_workbook

_TAILS = ('t="s"><v>7</v></c>', 's="3"><v>1</v></c>', "/>")


def _cells(number: int, columns: Sequence[str] = "ABCDE") -> str:
    return "".join(
        f'<c r="{column}{number}" {_TAILS[k % 3]}'
        if _TAILS[k % 3] != "/>"
        else f'<c r="{column}{number}"/>'
        for k, column in enumerate(columns)
    )


def _row(number: int, extra: str = "", columns: Sequence[str] = "ABCDE") -> str:
    return f'<row r="{number}">{_cells(number, columns)}{extra}</row>'


def _far_rows(first: int, last: int, step: int = 1) -> list[str]:
    return [_row(number) for number in range(first, last + step, step)]


class _RegexSpy:
    """Stands for xlsxguard._CELL and counts the bytes it is asked to read."""

    def __init__(self) -> None:
        self.cell = xlsxguard._CELL
        self.read = 0

    def findall(self, buffer: bytes, start: int = 0, end: int = -1) -> list[Any]:
        end = len(buffer) if end < 0 else min(end, len(buffer))
        self.read += end - start
        return self.cell.findall(buffer, start, end)


@pytest.fixture
def regex(monkeypatch: pytest.MonkeyPatch) -> _RegexSpy:
    """The bytes the fast pass reads cell by cell."""
    spy = _RegexSpy()
    monkeypatch.setattr(xlsxguard, "_CELL", spy)
    return spy


_FastScan = xlsxguard._FastScan


def _by_regex(chunk: bytes) -> xlsxguard._FastScan:
    """What the scan that reads every far cell (and every cell, here) finds."""
    fast = _FastScan(by_shapes=False)
    fast.scan(chunk, 0, len(chunk))
    return fast


def test_far_rows_are_counted_by_their_shapes_not_read_one_by_one(regex: _RegexSpy) -> None:
    """Rows of six digits, and columns of two letters, are proved by counting shapes: the
    regex reads only the last cells, which give the row and column the regex would."""
    wide = ("A", "B", "AA", "AC")
    for rows, far in (
        (_far_rows(200_000, 203_000), (202_999, 4, 999_998, 25)),
        ([_row(n, columns=wide) for n in range(20_000, 22_000)], (21_998, 28, 99_998, 701)),
    ):
        chunk = "".join(rows).encode()
        regex.read = 0
        fast = xlsxguard._FastScan()
        fast.scan(chunk, 0, len(chunk))
        assert regex.read <= xlsxguard._WITNESS < len(chunk) // 20
        expected = _by_regex(chunk)
        assert (fast.irregular, fast.bottom, fast.right) == (False, expected.bottom, expected.right)
        assert (fast.bottom, fast.right, fast.bottom_at_most, fast.right_at_most) == far
        assert fast.needs_exact_pass() is False


def test_the_first_rows_of_a_sheet_are_counted_in_halves(regex: _RegexSpy) -> None:
    """A chunk whose row numbers have one to four digits (twelve shapes) is halved until
    each part has few: the regex reads only its first rows."""
    chunk = "".join(_far_rows(1, 6_000)).encode()
    fast = xlsxguard._FastScan()
    fast.scan(chunk, 0, len(chunk))
    assert regex.read < len(chunk) // 8
    assert (fast.irregular, fast.bottom, fast.right, fast.by_shapes) == (False, -1, -1, True)


def _crafted(case: str) -> list[str]:
    """Far rows in the shapes Excel writes, and one thing the last rows do not measure."""
    rows = _far_rows(100_000, 103_000)
    middle = len(rows) // 2
    if case == "honest":
        return rows
    if case == "descending":
        return rows[::-1]
    if case == "hidden far row":
        rows[middle] = _row(100_000 + middle, '<c r="B999999" t="s"><v>1</v></c>')
    elif case == "row past Excel's last":
        rows[middle] = _row(100_000 + middle, '<c r="A1048577"><v>1</v></c>')
    elif case == "row past Excel's last, at the end":
        rows.append('<row r="1048577"><c r="A1048577"><v>1</v></c></row>')
    elif case == "column past XFD":
        rows[middle] = _row(100_000 + middle, '<c r="XFE100500" t="s"><v>1</v></c>')
    elif case == "two-letter column":
        rows[middle] = _row(100_000 + middle, '<c r="BZ101500" t="s"><v>1</v></c>')
    elif case == "far column, then a far row":
        rows[10] = _row(100_010, '<c r="BZ100010" t="s"><v>1</v></c>')
        rows[-10] = _row(102_990, '<c r="C999999"/><c r="D999999"><v>2</v></c>')
    return rows


_CASES = [
    "honest",
    "descending",
    "hidden far row",
    "row past Excel's last",
    "row past Excel's last, at the end",
    "column past XFD",
    "two-letter column",
    "far column, then a far row",
]
_LIMITS = [1_000_000, 3_000_000, 9_000_000, 30_000_000, 300_000_000]


def _sheet(path: Path, rows: list[str]) -> tuple[Path, bytes]:
    package(path, [("花名册", "visible", sheet_xml(rows))])
    with zipfile.ZipFile(path) as archive:
        return path, archive.read("xl/worksheets/sheet1.xml")


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each fast scan made ("coarse" or "precise") and each exact pass ("exact"), in order."""
    seen: list[str] = []
    exact = xlsxguard._ExactScan.__init__

    def spy_exact(self: Any, *args: Any) -> None:
        seen.append("exact")
        exact(self, *args)

    def spy_fast(**kwargs: Any) -> xlsxguard._FastScan:
        scan = _FastScan(**kwargs)
        seen.append("coarse" if scan.coarse else "precise")
        return scan

    monkeypatch.setattr(xlsxguard._ExactScan, "__init__", spy_exact)
    monkeypatch.setattr(xlsxguard, "_FastScan", spy_fast)
    return seen


def _exact_cells(xml: bytes) -> int:
    """The cells the exact pass measures the sheet to span."""
    exact = xlsxguard._ExactScan(Path("r.xlsx"), "xl/worksheets/sheet1.xml", "花名册")
    exact.feed(xml, final=False)
    exact.feed(b"", final=True)
    return exact.extent.cells


@pytest.mark.parametrize("case", _CASES)
def test_what_the_last_rows_do_not_measure_is_read_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, passes: list[str], case: str
) -> None:
    """Whatever a far chunk hides from its last rows (rows that descend, a far row or column
    among ordinary ones, a row past 1,048,576), the exact pass runs exactly when the scan
    that read every far cell says so, at every limit (chunks of 96 KB: several per sheet),
    and the sheet is refused exactly when that pass measures it past the limit."""
    path, xml = _sheet(tmp_path / "r.xlsx", _crafted(case))
    monkeypatch.setattr(xlsxguard, "_OUT", 96 * 1024)
    cells = _exact_cells(xml)
    for limit in _LIMITS:
        monkeypatch.setattr(xlsxguard, "MAX_CELLS", limit)
        reference = _by_regex(xml)
        exact_before = reference.irregular or reference.bound() > limit
        passes.clear()
        try:
            sniff_workbook(path)
            refused = False
        except InputError:
            refused = True
        assert ("exact" in passes) == exact_before, (case, limit, passes)
        assert refused == (exact_before and cells > limit), (case, limit)


def test_bounds_that_do_not_decide_are_read_again_cell_by_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, passes: list[str]
) -> None:
    """A far column read after far rows were only bounded by their shapes leaves the verdict
    open: the sheet is scanned again reading every far cell, and the exact pass runs only if
    that scan says so (a far row hidden among the bounded ones), as before."""
    monkeypatch.setattr(xlsxguard, "_OUT", 96 * 1024)
    monkeypatch.setattr(xlsxguard, "MAX_CELLS", 30_000_000)
    rows = _far_rows(100_000, 103_000)
    rows[-5] = _row(102_995, '<c r="BZ102995" t="s"><v>1</v></c>')
    path, _ = _sheet(tmp_path / "open.xlsx", rows)
    sniff_workbook(path)  # the styles part is scanned too (a reader may take it for a sheet)
    assert passes == ["coarse", "coarse", "precise"]
    rows[100] = _row(100_100, '<c r="A999999" t="s"><v>7</v></c>')  # in a shape Excel writes
    path, _ = _sheet(tmp_path / "far.xlsx", rows)
    passes.clear()
    with pytest.raises(InputError, match="A100000:BZ999999"):
        sniff_workbook(path)
    assert passes == ["coarse", "coarse", "precise", "exact"]


def _random_sheet(rng: random.Random) -> Iterator[bytes]:
    """Runs of rows, near or far, ascending or not, now and then a far cell out of place, and
    seldom an irregular one."""
    far = [
        '<c r="XFE{n}"/>',
        '<c r="A{big}" t="s"><v>1</v></c>',
        '<c r="BZ{n}" s="3"><v>1</v></c>',
        '<c r="C0{n}" s="1"/>',
        '<c r="ZZ{big}"/>',
    ]
    irregular = ['<c r="{n}"><v>1</v></c>', '<c r="B{n}"  t="s"><v>1</v></c>', "<c><v>1</v></c>"]
    odd = far if rng.random() < 0.8 else far + irregular
    for _ in range(rng.randint(1, 6)):
        first = rng.choice([1, 9_990, 99_000, 100_000, 400_000, 999_900, 1_000_000])
        numbers = list(range(first, first + rng.randint(50, 900)))
        if rng.random() < 0.3:
            rng.shuffle(numbers)
        elif rng.random() < 0.2:
            numbers.reverse()
        columns = rng.choice(["ABCDE", "ABC", "AB", ("A", "B", "AA", "AC")])
        for number in numbers:
            extra = ""
            if rng.random() < 0.002:
                big = rng.choice([999_999, 1_048_577, 9_999_999, number + 1])
                extra = rng.choice(odd).format(n=number, big=big)
            yield _row(number, extra, columns).encode()


@pytest.mark.parametrize("seed", range(60))
def test_any_stream_gives_the_verdict_of_reading_every_far_cell(
    monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """Random sheets cut at random bytes, with shapes counted from small chunks on: the scan
    that reads every far cell finds what the regex finds; the one that bounds them never
    misses an irregular cell, keeps the regex's rows and columns between what it saw and what
    it proved, and decides the exact pass as the regex would or leaves it open."""
    rng = random.Random(seed)
    monkeypatch.setattr(xlsxguard, "_SHAPES_FROM", 2048)
    monkeypatch.setattr(xlsxguard, "_SAMPLE", rng.choice([256, 1024]))
    monkeypatch.setattr(xlsxguard, "_WITNESS", rng.choice([256, 1024]))
    limit = rng.choice([3_000_000, 30_000_000, 300_000_000])
    monkeypatch.setattr(xlsxguard, "MAX_CELLS", limit)
    sheet = b"".join(_random_sheet(rng))
    reference = _by_regex(sheet)
    before = reference.irregular or reference.bound() > limit
    cuts = sorted(rng.sample(range(1, len(sheet)), rng.randint(0, 12)))
    chunks = [sheet[a:b] for a, b in zip([0, *cuts], [*cuts, len(sheet)], strict=True)]
    for coarse in (False, True):
        fast = xlsxguard._FastScan(coarse=coarse)
        sweep = xlsxguard._Sweep(fast)
        for chunk in chunks:
            sweep.feed(chunk, final=False)
        sweep.feed(b"", final=True)
        assert fast.irregular == reference.irregular, (seed, coarse)
        if reference.irregular:
            continue
        if not coarse:
            assert (fast.bottom, fast.right) == (reference.bottom, reference.right), seed
            assert fast.needs_exact_pass() == before, seed
        else:
            assert fast.bottom <= reference.bottom <= max(fast.bottom, fast.bottom_at_most)
            assert fast.right <= reference.right <= max(fast.right, fast.right_at_most)
            assert fast.needs_exact_pass() in (before, None), seed


def test_where_rows_gain_a_digit_only_the_longer_rows_are_read(
    regex: _RegexSpy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk whose last rows have seven digits (row 1,000,000 on), which no bound by
    length may pass, is bounded up to its first seven-digit cell and read by the regex from
    there; so is the chunk where near rows become far where six digits are too many."""
    for first, last, limit in ((997_000, 1_000_002, 100_000_000), (97_000, 100_002, 9_000_000)):
        monkeypatch.setattr(xlsxguard, "MAX_CELLS", limit)
        chunk = "".join(_far_rows(first, last)).encode()
        longer = chunk.index(f'<c r="A{10 ** len(str(first))}"'.encode())
        regex.read = 0
        fast = xlsxguard._FastScan()
        fast.scan(chunk, 0, len(chunk))
        assert regex.read <= 2 * xlsxguard._WITNESS + len(chunk) - longer < len(chunk) // 10
        expected = _by_regex(chunk)
        assert (fast.irregular, fast.bottom, fast.right) == (False, expected.bottom, expected.right)
        assert fast.needs_exact_pass() is False
