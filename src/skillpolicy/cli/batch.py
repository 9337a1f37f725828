"""`validate` and `subsidy` over several files or a folder: parse, call :mod:`..batch`, print."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain.errors import InputError
from ..domain.money import format_amount_grouped
from ..io.fileio import check_output, not_regular_file
from .common import STATE, Table, note, stdout

if TYPE_CHECKING:
    from ..policy.programs import Program
    from ..tasks.batch import Batch, FileResult, Mode


def is_batch(sheets: list[Path], annotate_dir: Path | None) -> bool:
    """Several files, a folder, or --annotate-dir: the batch form (one file alone is not)."""
    return len(sheets) > 1 or annotate_dir is not None or any(p.is_dir() for p in sheets)


def inputs_of(sheets: list[Path]) -> list[Path]:
    """The workbooks named or inside the folders named (a missing path is exit 2 up front)."""
    for path in sheets:
        if not path.exists():
            raise InputError("文件不存在", file=path)
        problem = None if path.is_dir() else not_regular_file(path)
        if problem:
            raise InputError(problem, file=path)
    from ..tasks.batch import expand_inputs

    return expand_inputs(sheets)


def check_annotate_dir(out: Path, sheets: list[Path], files: list[Path], force: bool) -> None:
    """The output folder: an existing folder (or one to create), never a folder read as input;
    every file to be written refused up front when it exists (without --force)."""
    from ..tasks.batch import SUMMARY_NAME, FileResult, annotated_name

    if out.exists() and not out.is_dir():
        raise InputError("--annotate-dir 应是一个文件夹", file=out)
    if not out.parent.is_dir():
        raise InputError("--annotate-dir 的上级文件夹不存在", file=out)
    if any(p.is_dir() and p.resolve() == out.resolve() for p in sheets):
        raise InputError("标注副本不能写进被核对的文件夹，请另指一个文件夹", file=out)
    taken: set[str] = set()
    for path in files:
        name = annotated_name(FileResult(path, str(path)), taken)
        check_output(out / name, force=force, inputs=files, suffixes=(".xlsx",))
    check_output(out / SUMMARY_NAME, force=force, inputs=files, suffixes=(".xlsx",))


@contextlib.contextmanager
def file_progress(total: int, label: str = "正在核对") -> Iterator[Callable[[FileResult], None]]:
    """A bar of files done on stderr when it is a terminal; else one plain line per file
    (cron logs). An unreadable file is its one error line either way."""
    errors: list[str] = []
    if not sys.stderr.isatty():
        done = [0]

        def log(result: FileResult) -> None:
            done[0] += 1
            if result.error is not None:
                note(f"错误：{result.error}")
            else:
                note(f"已核对 {done[0]}/{total}：{result.shown}")

        yield log
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from .common import made, stderr

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("个文件"),
        TimeElapsedColumn(),
        console=made(stderr),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)

        def tick(result: FileResult) -> None:
            if result.error is not None:
                errors.append(result.error)
            bar.update(task, advance=1)

        yield tick
    for line in errors:
        note(f"错误：{line}")


def run_batch(
    sheets: list[Path],
    program: Program,
    mode: Mode,
    *,
    kind: str | None,
    as_of: date | None,
    params: Path | None,
    ledger: str | None,
    institution: str | None,
) -> Batch:
    """Every file checked, with the progress display; the ledger is opened once here first,
    so a ledger that cannot be read is one error, not one per file."""
    from ..ledger.reading import open_for_reading
    from ..tasks.batch import check_batch

    files = inputs_of(sheets)
    open_for_reading(ledger, missing_ok=mode == "subsidy").close()
    with file_progress(len(files), "正在核对") as on_file:
        return check_batch(
            files,
            program,
            mode=mode,
            kind=kind,
            as_of=as_of,
            params_file=params,
            search=STATE.catalogs(),
            ledger=ledger,
            institution=institution,
            on_file=on_file,
        )


def write_outputs(batch: Batch, out: Path) -> None:
    """Each readable file's annotated copy and 汇总.xlsx into ``out``."""
    from ..outputs.annotate import write_annotated
    from ..tasks.batch import SUMMARY_NAME, annotated_name, write_summary

    out.mkdir(exist_ok=True)
    taken: set[str] = set()
    for result in batch.files:
        name = annotated_name(result, taken)
        if result.report is not None:
            copy = write_annotated(result.report, result.path, out / name)
            message = copy.note()
            if message:
                note(message)
    write_summary(batch, out / SUMMARY_NAME)
    note(f"标注副本和{SUMMARY_NAME}已写入 {out}")


def print_summary(batch: Batch) -> None:
    """The 汇总 table: one row per file, then the totals."""
    from ..tasks.batch import SUMMARY_HEADERS, summary_rows

    table = Table(title=f"汇总（{len(batch.files)} 个文件）")
    for header in SUMMARY_HEADERS:
        table.add_column(header, overflow="fold")
    for values in summary_rows(batch):
        table.add_row(
            *(
                format_amount_grouped(v)
                if index == 6 and v is not None
                else ("" if v is None else str(v))
                for index, v in enumerate(values)
            )
        )
    stdout.print(table)
    stdout.print(
        f"共 {len(batch.files)} 个文件，{sum(1 for f in batch.files if f.error)} 个无法读取；"
        f"应发合计 {format_amount_grouped(batch.total_payable())} 元"
    )
