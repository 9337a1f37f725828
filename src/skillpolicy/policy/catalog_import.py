"""Turn a clerk's occupation spreadsheet (行业 + 职业（工种）columns) into a catalog TOML file."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import python_calamine
import tomli_w
from pydantic import ValidationError

from ..domain.errors import InputError
from ..domain.values import cell_text, fold, fold_header
from ..io.fileio import atomic_path, ensure_not_input
from ..io.sheet import HEADER_SCAN_ROWS, PASSING, quiet_stderr, sniff_workbook
from .catalog import Catalog, Industry

INDUSTRY_HEADERS = ("行业", "产业", "行业(产业)", "类别", "所属行业")
OCCUPATION_HEADERS = ("职业(工种)", "职业", "工种", "培训职业")


def read_catalog_sheet(
    path: Path, *, catalog_id: str, title: str, source: str, issued: date | None = None
) -> Catalog:
    sniff_workbook(path)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        sheet_name = workbook.sheet_names[0]
        rows = iter(workbook.get_sheet_by_index(0).iter_rows())
    except PASSING:
        raise
    except BaseException as exc:  # a Rust panic in calamine too
        raise InputError(f"工作簿无法读取（{type(exc).__name__}）", file=path) from exc
    try:
        with quiet_stderr():  # a panic's backtrace is not for the clerk
            return _catalog_from_rows(
                path,
                sheet_name,
                rows,
                catalog_id=catalog_id,
                title=title,
                source=source,
                issued=issued,
            )
    except (InputError, *PASSING):
        raise
    except BaseException as exc:  # a cell calamine cannot convert (a Rust panic)
        raise InputError(f"工作簿无法读取（{type(exc).__name__}）", file=path) from exc


def _catalog_from_rows(
    path: Path,
    sheet_name: str,
    rows: Iterator[list[Any]],
    *,
    catalog_id: str,
    title: str,
    source: str,
    issued: date | None,
) -> Catalog:
    industry_col = occupation_col = None
    number = 0
    for row in rows:
        number += 1
        headers = [fold_header(cell_text(v)) for v in row]
        occupation_col = next(
            (
                headers.index(fold_header(h))
                for h in OCCUPATION_HEADERS
                if fold_header(h) in headers
            ),
            None,
        )
        industry_col = next(
            (headers.index(fold_header(h)) for h in INDUSTRY_HEADERS if fold_header(h) in headers),
            None,
        )
        if occupation_col is not None and industry_col is not None:
            break
        if number >= HEADER_SCAN_ROWS:
            break
    if occupation_col is None or industry_col is None:
        raise InputError("找不到“行业”和“职业（工种）”两列表头", file=path, sheet=sheet_name)
    grouped: dict[str, list[str]] = {}
    current_industry = ""
    for row in rows:
        number += 1
        industry = fold(cell_text(row[industry_col])) if industry_col < len(row) else ""
        occupation = fold(cell_text(row[occupation_col])) if occupation_col < len(row) else ""
        current_industry = industry or current_industry  # merged industry cells leave blanks below
        if not occupation:
            continue
        if not current_industry:
            raise InputError(
                "职业没有所属行业", file=path, sheet=sheet_name, row=number, column="行业"
            )
        grouped.setdefault(current_industry, []).append(occupation)
    if not grouped:
        raise InputError("表中没有任何职业（工种）", file=path, sheet=sheet_name)
    try:
        return Catalog(
            id=catalog_id,
            title=title,
            source=source,
            issued=issued,
            industries=[Industry(name=k, occupations=v) for k, v in grouped.items()],
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        reason = error.get("ctx", {}).get("error", error["msg"])
        raise InputError(str(reason), file=path, sheet=sheet_name) from exc


def catalog_toml(catalog: Catalog) -> str:
    data: dict[str, Any] = {"id": catalog.id, "title": catalog.title, "source": catalog.source}
    if catalog.issued:
        data["issued"] = catalog.issued
    data["industries"] = [
        {"name": industry.name, "occupations": list(industry.occupations)}
        for industry in catalog.industries
    ]
    title = " ".join("".join(ch if ch.isprintable() else " " for ch in catalog.title).split())
    header = f"# {title} — imported by skillpolicy catalog import.\n"
    return header + tomli_w.dumps(data)


def _reloaded(path: Path, written: Path, catalog: Catalog) -> None:
    """Read back what was written and check it is the same catalog (before it is renamed
    into place, so a file that would not load is never left as the catalog)."""
    try:
        data = tomllib.loads(written.read_text(encoding="utf-8"))
        again = Catalog.model_validate(data)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise InputError(
            f"写出的目录文件无法读回（{type(exc).__name__}），未保存", file=path
        ) from exc
    if again != catalog:
        raise InputError("写出的目录文件读回后与导入的内容不一致，未保存", file=path)


def import_catalog(sheet: Path, target: Path, **fields: Any) -> Catalog:
    ensure_not_input(target, sheet)
    catalog = read_catalog_sheet(sheet, **fields)
    text = catalog_toml(catalog)
    with atomic_path(target, private=False) as temporary:
        temporary.write_text(text, encoding="utf-8")
        _reloaded(target, temporary, catalog)
    return catalog
