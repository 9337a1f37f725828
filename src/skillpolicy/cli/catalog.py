"""`skillpolicy catalog list | show | diff | import`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from ..domain.errors import InputError
from ..io.fileio import check_output
from .common import (
    STATE,
    ForceOption,
    Table,
    complete_catalog,
    examples,
    parse_date_option,
    stdout,
    styled,
)

group = typer.Typer(
    help="职业（工种）目录：列出、查看、比较、从表格导入",
    no_args_is_help=True,
    epilog=examples("skillpolicy catalog list", "skillpolicy catalog show 目录编号"),
)

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _load(reference: str):  # type: ignore[no-untyped-def]
    """A catalog by id, or from a .toml path."""
    from ..policy.catalog import load_catalog, load_catalog_file

    path = Path(reference)
    if reference.endswith(".toml") and path.is_file():
        return load_catalog_file(path)
    return load_catalog(reference, STATE.catalogs())


@group.command("list", epilog=examples("skillpolicy catalog list"))
def list_command() -> None:
    """列出全部职业目录。"""
    from ..policy.catalog import list_catalogs

    table = Table(title="职业（工种）目录")
    for header in ("编号", "名称", "出处", "行业数", "职业数"):
        table.add_column(header)
    for catalog in list_catalogs(STATE.catalogs()):
        table.add_row(
            catalog.id,
            catalog.title,
            catalog.source,
            str(len(catalog.industries)),
            str(len(catalog.occupations)),
        )
    stdout.print(table)


@group.command("show", epilog=examples("skillpolicy catalog show 目录编号"))
def show_command(
    catalog_id: Annotated[
        str, typer.Argument(help="目录编号或 .toml 文件", autocompletion=complete_catalog)
    ],
) -> None:
    """按行业列出一个目录中的职业（工种）。"""
    catalog = _load(catalog_id)
    stdout.print(styled(catalog.title, "bold"), f"（{catalog.source}）", sep="")
    table = Table()
    table.add_column("行业")
    table.add_column("职业（工种）", overflow="fold")
    table.add_column("数量", justify="right")
    for industry in catalog.industries:
        table.add_row(
            industry.name, "、".join(industry.occupations), str(len(industry.occupations))
        )
    stdout.print(table)
    stdout.print(f"共 {len(catalog.industries)} 个行业，{len(catalog.occupations)} 个职业（工种）")


@group.command(
    "diff",
    epilog=examples("skillpolicy catalog diff 目录编号 南宁紧缺目录.toml"),
)
def diff_command(
    a: Annotated[
        str, typer.Argument(help="目录 A（编号或 .toml 文件）", autocompletion=complete_catalog)
    ],
    b: Annotated[
        str, typer.Argument(help="目录 B（编号或 .toml 文件）", autocompletion=complete_catalog)
    ],
) -> None:
    """比较两个目录：B 比 A 新增、删去、改了行业的职业。"""
    from ..policy.catalog import diff_catalogs

    left, right = _load(a), _load(b)
    result = diff_catalogs(left, right)
    if result.same:
        stdout.print(f"{left.id} 与 {right.id} 的职业（工种）相同")
        return
    for industry, occupation in result.added:
        stdout.print(f"+ {occupation}（{industry}）")
    for industry, occupation in result.removed:
        stdout.print(f"- {occupation}（{industry}）")
    for occupation, was, now in result.moved:
        stdout.print(f"~ {occupation}：{was} → {now}")
    stdout.print(
        f"新增 {len(result.added)}，删去 {len(result.removed)}，改行业 {len(result.moved)}"
    )


@group.command(
    "import",
    epilog=examples(
        "skillpolicy catalog import 紧缺职业.xlsx --id nanning-2024-shortage "
        "--title 南宁市紧缺职业目录 --source 发文字号"
    ),
)
def import_command(
    sheet: Annotated[Path, typer.Argument(help="含“行业”“职业（工种）”两列的 .xlsx")],
    catalog_id: Annotated[str, typer.Option("--id", help="新目录的编号，如 nanning-2024-shortage")],
    title: Annotated[str, typer.Option("--title", help="目录名称")],
    source: Annotated[str, typer.Option("--source", help="出处（文号、附件）")],
    issued: Annotated[str | None, typer.Option("--issued", help="发布日期 YYYY-MM-DD")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="输出 .toml（默认 <编号>.toml）")
    ] = None,
    force: ForceOption = False,
) -> None:
    """把表格中的职业目录导入为 TOML 目录文件。"""
    if not _ID.match(catalog_id):
        raise InputError(f"--id「{catalog_id}」只能用小写字母、数字和连字符")
    from ..policy.catalog_import import import_catalog

    target = out or Path(f"{catalog_id}.toml")
    check_output(target, force=force, inputs=[sheet], suffixes=(".toml",))
    catalog = import_catalog(
        sheet,
        target,
        catalog_id=catalog_id,
        title=title,
        source=source,
        issued=parse_date_option(issued, "--issued"),
    )
    stdout.print(
        f"已写入 {target}：{len(catalog.industries)} 个行业，{len(catalog.occupations)} 个职业（工种）"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="catalog")
