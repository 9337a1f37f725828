"""Lists of unit names a local parameter points to (key enterprises, barred institutions …)."""

from __future__ import annotations

from pathlib import Path

import python_calamine

from ..domain.errors import InputError
from ..domain.values import cell_text, fold, fold_header
from ..io.sheet import PASSING, quiet_stderr, sniff_workbook

NAME_HEADER = "单位名称"


def read_name_list(path: Path) -> frozenset[str]:
    """Folded unit names from a .txt file (one a line) or the 单位名称 column of a workbook."""
    if path.suffix.lower() == ".txt":
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"无法读取名单文件：{exc}", file=path) from exc
        return frozenset(fold(line) for line in lines if fold(line))
    sniff_workbook(path)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        rows = workbook.get_sheet_by_index(0).iter_rows()
        column: int | None = None
        names: set[str] = set()
        with quiet_stderr():  # a panic's backtrace is not for the clerk
            rows = iter(list(rows))
        for row in rows:
            if column is None:
                headers = [fold_header(cell_text(value)) for value in row]
                if NAME_HEADER in headers:
                    column = headers.index(NAME_HEADER)
                continue
            if column < len(row) and fold(cell_text(row[column])):
                names.add(fold(cell_text(row[column])))
    except (InputError, *PASSING):
        raise
    except BaseException as exc:  # a Rust panic in calamine too
        raise InputError(f"名单工作簿无法读取（{type(exc).__name__}）", file=path) from exc
    if column is None:
        raise InputError(f"名单中找不到“{NAME_HEADER}”列", file=path)
    return frozenset(names)
