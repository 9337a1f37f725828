"""Monthly progress reports built from the ledger alone (``skillpolicy report monthly``).

:func:`write_monthly_report` is what cron runs: it takes an exclusive lock in the output
folder, reads three grouped aggregates from the ledger, writes the workbook and the Word
narrative to temporary files beside their targets and only then renames them into
``DIR/YYYY-MM/``, so a reader never sees half a report and an interrupted run leaves the
previous one in place.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain.errors import InputError
from ..io.fileio import (
    follow_umask,
    os_error_text,
    remove_stale_temporaries,
    temporary_beside,
)
from ..io.resources import SearchPath
from ..ledger import Ledger
from ..loading.programfiles import list_programs
from ..policy.programs import Program
from .model import CityTargets, MonthlyReport, build_report, default_month, parse_month

if TYPE_CHECKING:  # python-docx loads only when a report is written
    from ..ledger.ahead import FiguresAhead
    from .docx import Signers

__all__ = [
    "LOCK_NAME",
    "CityTargets",
    "MonthlyReport",
    "ReportFiles",
    "build_report",
    "default_month",
    "parse_month",
    "report_lock",
    "write_monthly_report",
]

LOCK_NAME = ".skillpolicy-report.lock"
LOCK_WAIT_SECONDS = 60.0
log = logging.getLogger("skillpolicy.report")


def _file_part(office: str) -> str:
    """An office's name as part of a file name (path separators and controls replaced)."""
    text = "".join("_" if ch in '/\\:*?"<>|' or ord(ch) < 32 else ch for ch in office.strip())
    return text or "未注明经办机构"


@dataclass(frozen=True)
class ReportFiles:
    month: str
    workbook: Path
    document: Path
    empty: bool


@contextlib.contextmanager
def report_lock(folder: Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[bool]:
    """An exclusive lock on ``folder/.skillpolicy-report.lock`` (released by the OS if the
    process dies, so a crashed run never leaves a stale lock); waits up to ``wait`` seconds.
    Yields whether it had to wait (another run held it)."""
    path = folder / LOCK_NAME
    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise InputError(f"无法创建锁文件：{os_error_text(exc)}", file=path) from exc
    deadline = time.monotonic() + wait
    waited = False
    try:
        while not _try_lock(handle):
            waited = True
            if time.monotonic() > deadline:
                raise InputError(
                    f"另一个月报任务正在写此目录，等待 {wait:.0f} 秒仍未结束", file=folder
                )
            time.sleep(0.1)
        try:
            yield waited
        finally:
            _unlock(handle)
    finally:
        os.close(handle)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(handle: int) -> bool:
        try:
            msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: int) -> None:
        os.lseek(handle, 0, os.SEEK_SET)
        msvcrt.locking(handle, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: int) -> bool:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(handle: int) -> None:
        fcntl.flock(handle, fcntl.LOCK_UN)


def write_monthly_report(
    ledger: Ledger,
    out: Path,
    month: str | None = None,
    *,
    today: date | None = None,
    search: SearchPath | None = None,
    programs: list[Program] | None = None,
    lock_wait: float = LOCK_WAIT_SECONDS,
    now: Callable[[], datetime] | None = None,
    office: str | None = None,
    signers: Signers | None = None,
    targets: CityTargets | None = None,
    ahead: FiguresAhead | None = None,
) -> ReportFiles:
    """Write ``out/YYYY-MM/月报-YYYY-MM.xlsx`` and ``.docx`` for ``month`` (default: the
    calendar month before ``today``), replacing an earlier report of that month.

    Without ``office`` the report covers the whole ledger (a shared ledger: the city, with a
    table per office); with it, that office's runs only, in ``月报-YYYY-MM-<office>.*``.
    ``targets`` (a program's indicative targets per city) adds the city table; ``ahead``:
    the ledger's figures being read on a thread (used when of this month and office)."""
    from .docx import write_document
    from .xlsx import write_workbook

    month = parse_month(month) if month else default_month(today or date.today())
    stamp = (now or datetime.now)().astimezone().isoformat(timespec="seconds")
    folder = out / month
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"无法创建输出目录：{os_error_text(exc)}", file=out) from exc
    known = programs if programs is not None else list_programs(search)
    with report_lock(out, lock_wait) as waited:
        log.info("月报 %s：读取台账 %s", month, ledger.location)
        # figures read before another run let go of the folder may predate what that wait
        # let be committed: read again then
        figures = ahead.figures(month, office) if ahead is not None and not waited else None
        report = build_report(
            ledger, month, {p.id: p for p in known}, stamp, office, targets, figures
        )
        if report.empty:
            log.info("月报 %s：本月台账中没有记录，仍写出注明无数据的月报", month)
        created = not folder.exists()
        try:
            folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise InputError(f"无法创建输出目录：{os_error_text(exc)}", file=folder) from exc
        name = f"月报-{month}" + (f"-{_file_part(office)}" if office is not None else "")
        workbook = folder / f"{name}.xlsx"
        document = folder / f"{name}.docx"
        temporaries: list[Path] = []
        try:
            temporaries.append(temporary_beside(workbook))
            write_workbook(report, temporaries[-1])
            temporaries.append(temporary_beside(document))
            write_document(report, temporaries[-1], signers)
            # no identity numbers in a report: readable as the umask allows (a clerks' group)
            for temporary in temporaries:
                follow_umask(temporary)
            # both complete: only now replace the previous report, one rename each
            temporaries[0].replace(workbook)
            temporaries[1].replace(document)
        except OSError as exc:
            raise InputError(f"写月报失败：{os_error_text(exc)}", file=folder) from exc
        finally:
            for temporary in temporaries:
                with contextlib.suppress(OSError):
                    temporary.unlink()
            if created:  # a month folder this run made and could not fill goes again
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only succeeds when empty
        remove_stale_temporaries(folder)  # left by a run killed mid-write
        log.info("月报 %s 已写入 %s 和 %s", month, workbook, document)
    return ReportFiles(month, workbook, document, report.empty)
