"""Big parts after the first checked on another thread (skillpolicy.io.xlsxguard._Ahead).

A roster's shared-strings table inflates while its sheet is scanned; its result, or its
refusal, is handed over at its turn, so every verdict and message is the one the parts
checked one after another give.
"""

from __future__ import annotations

import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest

from corpus.build import BUILDERS, package, sheet_xml
from skillpolicy.domain.errors import InputError
from skillpolicy.io import xlsxguard


def _outcome(path: Path) -> object:
    """What the guard says of ``path``: the hidden rows and columns, or the refusal."""
    try:
        with zipfile.ZipFile(path) as archive:
            found = xlsxguard.check_workbook(path, archive)
    except zipfile.BadZipFile:
        return "not a zip"
    except InputError as refused:
        return ("refused", str(refused))
    return {sheet: (sorted(cells.rows), cells.columns) for sheet, cells in found.items()}


@pytest.mark.parametrize("case", sorted(BUILDERS))
def test_every_corpus_case_is_judged_alike_with_every_part_checked_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """With every part after the first checked on the other thread, each case of the corpus
    of bad and odd workbooks gets the verdict and message it gets part after part."""
    path = BUILDERS[case](tmp_path)
    monkeypatch.setattr(xlsxguard, "_AHEAD_FLOOR", 1 << 60)
    one_by_one = _outcome(path)
    monkeypatch.setattr(xlsxguard, "_AHEAD_FLOOR", 1)
    assert _outcome(path) == one_by_one
    assert not [t for t in threading.enumerate() if t.name == "xlsxguard-ahead"]


def _roster(path: Path, rows: list[str], strings: list[str]) -> Path:
    return package(path, [("花名册", "visible", sheet_xml(rows))], shared_strings=strings)


_STRINGS = [
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
    *(f"<si><t>学员{n:06d}</t></si>" for n in range(3_000)),
    "</sst>",
]
_ROWS = [f'<row r="{n}"><c r="A{n}" t="s"><v>{n}</v></c></row>' for n in range(1, 3_001)]


def test_the_shared_strings_are_checked_while_the_sheet_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the floor, the shared-strings table after the sheet is checked on the other
    thread, the sheet on the calling one."""
    path = _roster(tmp_path / "r.xlsx", _ROWS, _STRINGS)
    where: dict[str, str] = {}
    check = xlsxguard._check_part

    def spy(path: Path, handle: Any, info: zipfile.ZipInfo, *args: Any) -> Any:
        where[info.filename] = threading.current_thread().name
        return check(path, handle, info, *args)

    monkeypatch.setattr(xlsxguard, "_check_part", spy)
    with zipfile.ZipFile(path) as archive:
        sizes = {info.filename: info.compress_size for info in archive.infolist()}
    big = ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml")
    floor = min(sizes[name] for name in big)
    assert all(size < floor for name, size in sizes.items() if name not in big)
    monkeypatch.setattr(xlsxguard, "_AHEAD_FLOOR", floor)
    assert _outcome(path) == {}
    assert where["xl/sharedStrings.xml"] == "xlsxguard-ahead"
    assert where["xl/worksheets/sheet1.xml"] == threading.current_thread().name


def test_a_refusal_is_the_first_part_s_whichever_thread_finds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sheet refused before a table refused on the other thread gives the sheet's message,
    the table's alone its own; the other thread is stopped either way."""
    monkeypatch.setattr(xlsxguard, "_AHEAD_FLOOR", 1)
    monkeypatch.setattr(xlsxguard, "MAX_CELLS", 5_000_000)
    dtd = ['<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "x">]>', *_STRINGS]
    far = [*_ROWS, '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>']
    both = _outcome(_roster(tmp_path / "both.xlsx", far, dtd))
    assert isinstance(both, tuple) and "数据范围" in both[1] and "DOCTYPE" not in both[1]
    strings = _outcome(_roster(tmp_path / "strings.xlsx", _ROWS, dtd))
    assert isinstance(strings, tuple) and "sharedStrings.xml" in strings[1]
    assert "DOCTYPE" in strings[1]
    assert not [t for t in threading.enumerate() if t.name == "xlsxguard-ahead"]


def test_without_a_thread_to_be_had_every_part_is_checked_in_its_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When no thread can be started, the parts that would have been checked ahead are
    checked one after another, with the same verdict."""
    path = _roster(tmp_path / "r.xlsx", _ROWS, _STRINGS)
    monkeypatch.setattr(xlsxguard, "_AHEAD_FLOOR", 1)
    expected = _outcome(path)

    def no_thread(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", no_thread)
    assert _outcome(path) == expected == {}
