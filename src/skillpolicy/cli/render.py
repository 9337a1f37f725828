"""`skillpolicy render FORM --data FILE --out DIR [--pdf]`, `render --list`, `render FORM --check`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import InputError
from .common import (
    STATE,
    AsOfOption,
    ParamsOption,
    Table,
    note,
    parse_as_of,
    parse_date_option,
    stdout,
)


def _list() -> None:
    from ..render import FORMS, find_template

    table = Table()
    for header in ("文书", "名称", "数据", "模板"):
        table.add_column(header, overflow="fold")
    search = STATE.templates()
    for spec in FORMS.values():
        try:
            where = str(find_template(spec, search))
        except InputError:
            where = "（缺失）"
        table.add_row(spec.id, spec.title, spec.source, where)
    stdout.print(table)


def _check(form: str) -> None:
    from ..render import check, form_spec

    spec = form_spec(form)
    report = check(spec, STATE.templates())
    if not report.ok:
        for problem in report.problems:
            note(f"错误：{report.template}：{problem.message}")
        raise typer.Exit(2)
    stdout.print(
        f"模板 {report.template} 与文书 {spec.id} 的字段一致（{len(report.used)} 个字段均已用到）"
    )


def render_command(
    form: Annotated[
        str | None, typer.Argument(help="文书编号，如 guangxi-2012-application", show_default=False)
    ] = None,
    data: Annotated[
        Path | None, typer.Option("--data", "-d", help="数据：Excel 表（.xlsx）或 TOML 文件")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="输出目录（不存在则创建）")
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="同时用 LibreOffice 转成 PDF")] = False,
    list_forms: Annotated[bool, typer.Option("--list", help="列出可打印的文书")] = False,
    check_only: Annotated[
        bool, typer.Option("--check", help="只检查模板的占位符与文书字段是否一致")
    ] = False,
    program_id: Annotated[
        str | None, typer.Option("--program", "-p", help="项目编号（补贴拨付通知、公示需要）")
    ] = None,
    params: ParamsOption = None,
    as_of: AsOfOption = None,
    published: Annotated[
        str | None, typer.Option("--published", help="公示发布日期 YYYY-MM-DD（公示需要）")
    ] = None,
) -> None:
    """按 Word 模板打印申报表、审批表、拨付通知和公示，每单位/每班/每收款方一份，另附汇总表。"""
    if list_forms:
        _list()
        return
    if form is None:
        raise InputError("请指明文书编号（skillpolicy render --list 列出可用的文书）")
    if check_only:
        _check(form)
        return
    if data is None or out is None:
        raise InputError("请用 --data 指明数据文件、--out 指明输出目录")
    from ..render import RenderOptions, form_spec, load_documents, open_template, render_documents
    from ..resources import shipped_dir

    spec = form_spec(form)
    template = open_template(spec, STATE.templates())
    options = RenderOptions(
        program=program_id,
        params=params,
        as_of=parse_as_of(as_of),
        published=parse_date_option(published, "--published"),
        catalogs=STATE.catalogs(),
    )
    if pdf:
        from ..render.pdf import soffice

        soffice()  # stop before reading a large sheet when no PDF can be made
    documents = load_documents(spec, data, options)
    aliases = shipped_dir("templates") / "fonts" / "skillpolicy-fonts.conf"
    result = render_documents(
        spec,
        documents,
        template,
        out,
        pdf=pdf,
        font_aliases=aliases if aliases.is_file() else None,
    )
    stdout.print(
        f"已生成 {len(result.documents)} 份{spec.title}到 {result.out_dir}"
        + (f"（另有 PDF {len(result.pdfs)} 份）" if result.pdfs else "")
    )
    if result.summary is not None:
        note(f"汇总表：{result.summary}")


def register(app: typer.Typer) -> None:
    app.command("render")(render_command)
