"""`skillpolicy render FORM --data FILE --out DIR [--pdf]`, `render --list`, `render FORM --check`,
`render NOTICE --check-layout FILE.docx` (a form of the designation-notice layout)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from ..domain.errors import InputError
from .common import (
    STATE,
    AsOfOption,
    ForceOption,
    InstitutionOption,
    LedgerOption,
    ParamsOption,
    Table,
    complete_form,
    complete_program,
    examples,
    note,
    parse_as_of,
    parse_date_option,
    stdout,
)


def _list() -> None:
    from ..render import find_template
    from ..render.forms import forms, required_columns_text

    table = Table()
    table.add_column("文书", no_wrap=True)  # an id the clerk types is never cut
    for header in ("名称", "数据（必需的列；其余缺列的项在文书上留空）", "模板"):
        table.add_column(header, overflow="fold")
    search = STATE.templates()
    for spec in forms(STATE.catalogs()).values():
        try:
            where = str(find_template(spec, search))
        except InputError:
            where = "（缺失）"
        data = f"{spec.source}；必需的列：{required_columns_text(spec)}"
        table.add_row(spec.id, spec.title, data, where)
    stdout.print(table)


def _check(form: str) -> None:
    from ..render import check, form_spec

    spec = form_spec(form, STATE.catalogs())
    report = check(spec, STATE.templates())
    if not report.ok:
        for problem in report.problems:
            note(f"错误：{report.template}：{problem.message}")
        raise typer.Exit(2)
    stdout.print(
        f"模板 {report.template} 与文书 {spec.id} 的字段一致（{len(report.used)} 个字段均已用到）"
    )


def _check_layout(form: str, path: Path) -> None:
    from ..render.forms import NOTICE_LAYOUT, forms
    from ..render.layout import check_notice_layout

    notices = [spec.id for spec in forms(STATE.catalogs()).values() if spec.layout == NOTICE_LAYOUT]
    if form not in notices:
        raise InputError(f"--check-layout 只用于公示（{'、'.join(notices)}），不用于 {form}")
    problems = check_notice_layout(path)
    for problem in problems:
        stdout.print(str(problem), markup=False, highlight=False)
    if problems:
        note(f"{path}：{len(problems)} 处不符合 GB/T 9704-2012")
        raise typer.Exit(1)
    stdout.print(f"{path}：版式符合 GB/T 9704-2012 的各项检查", markup=False, highlight=False)


def render_command(
    form: Annotated[
        str | None,
        typer.Argument(
            help="文书编号（skillpolicy render --list 列出全部）",
            show_default=False,
            autocompletion=complete_form,
        ),
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
        str | None,
        typer.Option(
            "--program",
            "-p",
            help="项目编号（补贴拨付通知、公示需要）",
            autocompletion=complete_program,
        ),
    ] = None,
    params: ParamsOption = None,
    as_of: AsOfOption = None,
    force: ForceOption = False,
    published: Annotated[
        str | None, typer.Option("--published", help="公示发布日期 YYYY-MM-DD（公示需要）")
    ] = None,
    ledger: LedgerOption = None,
    institution: InstitutionOption = None,
    run: Annotated[
        str | None,
        typer.Option("--run", help="打印台账中某次已记账运行实际发放的拨付通知（payout-notice）"),
    ] = None,
    doc_number: Annotated[
        str | None,
        typer.Option("--doc-number", help="公示的发文字号（印在版头）"),
    ] = None,
    contact: Annotated[
        str | None,
        typer.Option("--contact", help="公示受理异议的“联系人 联系电话”（默认取项目文件）"),
    ] = None,
    issuer: Annotated[
        str | None,
        typer.Option("--issuer", help="拨付通知的发文机关（默认取项目文件）"),
    ] = None,
    allow_errors: Annotated[
        bool,
        typer.Option(
            "--allow-errors", help="申报表未通过核对也打印，文书顶端以红字标明问题（仅供更正）"
        ),
    ] = False,
    check_layout: Annotated[
        Path | None,
        typer.Option(
            "--check-layout", help="检查一份公示 .docx 是否符合 GB/T 9704-2012 版式", metavar="FILE"
        ),
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
    if check_layout is not None:
        _check_layout(form, check_layout)
        return
    from ..io.resources import shipped_dir
    from ..render import RenderOptions, form_spec, load_documents, open_template, render_documents

    spec = form_spec(form, STATE.catalogs())
    if run is not None and spec.id != "payout-notice":
        raise InputError("--run 只用于打印补贴拨付通知（payout-notice）")
    if (data is None and run is None) or out is None:
        raise InputError("请用 --data 指明数据文件、--out 指明输出目录")
    template = open_template(spec, STATE.templates())
    options = RenderOptions(
        program=program_id,
        params=params,
        as_of=parse_as_of(as_of),
        published=parse_date_option(published, "--published"),
        catalogs=STATE.catalogs(),
        institution=institution,
        doc_number=doc_number,
        contact=contact,
        issuer=issuer,
        allow_errors=allow_errors,
    )
    if pdf:
        from ..render.pdf import soffice

        soffice()  # stop before reading a large sheet when no PDF can be made
    if spec.id == "payout-notice":
        # the ledger --commit writes (the default one without --ledger): a notice offers only
        # what subsidy would pay now, or with --run exactly what that run paid
        from ..ledger.reading import open_for_reading
        from ..render.forms import load_run_notices

        book = open_for_reading(ledger)
        try:
            options.ledger = book
            if run is not None:
                documents = load_run_notices(book, run, options)
            else:
                assert data is not None
                documents = load_documents(spec, data, options)
        finally:
            book.close()
    else:
        assert data is not None
        documents = load_documents(spec, data, options)
    aliases = shipped_dir("templates") / "fonts" / "skillpolicy-fonts.conf"
    result = render_documents(
        spec,
        documents,
        template,
        out,
        pdf=pdf,
        font_aliases=aliases if aliases.is_file() else None,
        force=force,
        inputs=[data, params],
    )
    stdout.print(
        f"已生成 {len(result.documents)} 份{spec.title}到 {result.out_dir}"
        + (f"（另有 PDF {len(result.pdfs)} 份）" if result.pdfs else "")
    )
    if result.summary is not None:
        note(f"汇总表：{result.summary}")


def render_help() -> str:
    """The command's help: its summary and, per form, the columns it cannot be made without."""
    from ..render.forms import forms, required_columns_text

    lines = [
        f"{form_id}：{required_columns_text(spec)}"
        for form_id, spec in forms(STATE.catalogs()).items()
    ]
    return (
        f"{render_command.__doc__}\n\n各文书必需的列（表中没有的其他项在文书上留空，手工填写）：\n\n"
        + "\n\n".join(lines)
    )


class RenderHelp(TyperCommand):
    """``render``'s command: the forms' columns are added to its help when the help is shown,
    so that start-up and the other commands' help do not load the forms."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.help = render_help()
        super().format_help(ctx, formatter)


def register(app: typer.Typer) -> None:
    app.command(
        "render",
        cls=RenderHelp,
        help=render_command.__doc__,
        epilog=examples(
            "skillpolicy render --list",
            "skillpolicy render 文书编号 --data 申报表.xlsx --out 申报表/",
        ),
    )(render_command)
