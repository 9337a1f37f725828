"""Opening a workbook ahead, on another thread, while the program loads: the reader takes
what was opened, errors keep their order, a changed file is opened again, nothing is left
behind."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

from conftest import GUANGXI_ROSTER_HEADER, guangxi_clean_rows, write_rows
from inprocess import run_main
from skillpolicy.check.validate import validate_sheet
from skillpolicy.domain.errors import InputError
from skillpolicy.io import sheet
from skillpolicy.io.sheet import SheetReader, opening_ahead
from skillpolicy.io.sheetparts import PartsWriting
from skillpolicy.io.xlsxguard import HiddenCells
from skillpolicy.loading.programfiles import load_program

PROGRAM = "guangxi-2012-technician"


def _roster(tmp_path: Path) -> Path:
    return write_rows(tmp_path / "roster.xlsx", [GUANGXI_ROSTER_HEADER, *guangxi_clean_rows()])


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the threads that parsed a workbook, in order."""
    threads: list[str] = []
    parse = sheet._parse_first_sheet

    def counted(
        path: Path, hidden: dict[str, HiddenCells], writing: PartsWriting | None = None
    ) -> sheet._OpenedWorkbook:
        threads.append(threading.current_thread().name)
        return parse(path, hidden, writing)

    monkeypatch.setattr(sheet, "_parse_first_sheet", counted)
    return threads


def test_the_reader_takes_the_workbook_opened_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader made in the block opens nothing itself: the one opening ran on another
    thread, and the report is the one a plain run gives."""
    path = _roster(tmp_path)
    plain = validate_sheet(path, load_program(PROGRAM)).to_json()
    threads = _counting(monkeypatch)
    with opening_ahead(path):
        report = validate_sheet(path, load_program(PROGRAM))
    assert threads == ["skillpolicy-open-ahead"]
    assert report.to_json() == plain
    assert not sheet._AHEAD


def test_a_workbook_changed_after_the_opening_started_is_opened_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader never takes an opening of an older version of the file: a file written
    again (new size and time) is opened anew, and its rows are the new ones."""
    path = _roster(tmp_path)
    threads = _counting(monkeypatch)
    with opening_ahead(path):
        rows = [GUANGXI_ROSTER_HEADER, *guangxi_clean_rows(), *guangxi_clean_rows()]
        write_rows(path, rows)
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
        reader = SheetReader(path)
        assert sum(1 for _ in reader.rows()) == 4
    assert threads == ["skillpolicy-open-ahead", threading.current_thread().name]
    assert not sheet._AHEAD


def test_an_error_found_ahead_is_raised_by_the_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workbook the guard refuses makes no error when the opening starts and never reaches
    calamine: the reader raises the guard's error, with the file named, as it does without
    the opening ahead."""
    path = tmp_path / "roster.xlsx"
    path.write_text("姓名,身份证号\n", encoding="utf-8")
    threads = _counting(monkeypatch)
    with opening_ahead(path):
        assert not threads
        with pytest.raises(InputError) as ahead:
            SheetReader(path)
    with pytest.raises(InputError) as plain:
        SheetReader(path)
    assert str(ahead.value) == str(plain.value)
    assert "CSV" in str(ahead.value)
    assert not threads


def test_an_opening_no_reader_took_is_dropped(tmp_path: Path) -> None:
    """What no reader took is forgotten at the end of the block (a library caller's
    process keeps no parsed workbook), and a path that is no file starts nothing."""
    path = _roster(tmp_path)
    with opening_ahead(path):
        assert len(sheet._AHEAD) == 1
    assert not sheet._AHEAD
    with opening_ahead(tmp_path / "missing.xlsx"), opening_ahead(tmp_path):
        assert not sheet._AHEAD


def test_validate_still_names_an_unknown_program_before_a_broken_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`validate` opens the sheet ahead but tells the program's error first, as before: an
    unknown program and a file that is no workbook give the program's message."""
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"not a workbook at all")
    result = run_main(
        "validate", path, "--program", "no-such-program",
        cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch,
    )  # fmt: skip
    assert result.code == 2
    assert "未知的项目「no-such-program」" in result.err
    assert not sheet._AHEAD


def test_the_guard_runs_with_the_collector_held_off_when_it_runs_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workbook guard runs with Python's cyclic collector held off even ahead of the
    sheet's check (outside run_sheet, which holds it off itself), and the collector is on
    again afterwards."""
    import gc

    path = _roster(tmp_path)
    seen: list[bool] = []
    check = sheet.check_workbook  # type: ignore[attr-defined]

    def recorded(*args: Any, **options: Any) -> Any:
        seen.append(gc.isenabled())
        return check(*args, **options)

    monkeypatch.setattr(sheet, "check_workbook", recorded)
    assert gc.isenabled()
    with opening_ahead(path):
        assert gc.isenabled()
        SheetReader(path)
    assert seen == [False]
    assert gc.isenabled()
