"""`skillpolicy programs` and `skillpolicy program show ID`."""

from __future__ import annotations

import typer

from . import program_file
from .common import STATE, ParamsOption, ProgramArg, Table, examples, program, stdout, styled

SEVERITY = {"error": "错误", "warning": "警告", "review": "复核"}


def list_command() -> None:
    """列出全部项目：编号、名称、文号、日期。"""
    from ..loading.programfiles import list_programs
    from ..policy.programs import SHEET_KIND_NAMES

    programs = list_programs(STATE.catalogs())
    table = Table(title="项目", show_lines=True)
    # the id is what a clerk types: never cut or wrapped; the title and the rest wrap instead
    widest = max((len(item.id) for item in programs), default=4)
    table.add_column("编号", no_wrap=True, min_width=widest)
    table.add_column("名称 / 文号", overflow="fold")
    table.add_column("发文 / 截止日期", no_wrap=True, min_width=10)
    table.add_column("表", overflow="fold")
    for item in programs:
        dates = item.issued.isoformat()
        if item.deadline:
            dates += f"\n{item.deadline.isoformat()}"
        table.add_row(
            item.id,
            f"{item.title}\n{item.document}",
            dates,
            "、".join(SHEET_KIND_NAMES[k] for k in item.sheets),
        )
    stdout.print(table)


def show_command(program_id: ProgramArg, params: ParamsOption = None) -> None:
    """显示一个项目的规则（含条款）、固定金额和本地参数是否已设置。"""
    from ..loading.programfiles import ProgramFiles
    from ..policy.params import load_params
    from ..policy.programs import SHEET_KIND_NAMES, describe_rule_params

    item = program(program_id)
    stdout.print(styled(item.title, "bold"), item.id)
    stdout.print(f"文号：{item.document}    发文：{item.issuer}  {item.issued.isoformat()}")
    if item.deadline:
        stdout.print(f"截止日期：{item.deadline.isoformat()}")
    stdout.print(f"参照日：{item.reference_date.isoformat()}（{item.reference_date_note}）")
    if item.in_force:
        until = item.in_force.to.isoformat() if item.in_force.to else "今"
        stdout.print(
            f"施行期间：{item.in_force.start.isoformat()} 至 {until}（{item.in_force.clause}）"
        )
    if item.catalog:
        stdout.print(f"职业目录：{item.catalog}")
    if item.funding_source:
        stdout.print(f"资金来源：{item.funding_source}")
    if item.reading:
        stdout.print(f"解读：{item.reading}")

    rules = Table(title="规则", show_lines=True)
    for header in ("表", "规则", "条款", "级别", "内容", "参数", "解读"):
        rules.add_column(header, overflow="fold")
    for spec in item.rules:
        shown = describe_rule_params(spec.params, item)
        rules.add_row(
            SHEET_KIND_NAMES[spec.sheet],
            spec.id,
            spec.clause,
            SEVERITY[spec.severity],
            spec.summary,
            shown,
            spec.reading or "",
        )
    stdout.print(rules)

    if item.targets:
        targets = Table(title="目标任务")
        for header in ("项目", "目标", "责任单位", "条款"):
            targets.add_column(header)
        for target in item.targets:
            targets.add_row(
                target.name,
                f"{target.count:,}{target.unit}",
                target.department or "",
                target.clause,
            )
        stdout.print(targets)

    if item.amounts or item.rates:
        amounts = Table(title="文件规定的金额和比例")
        for header in ("名称", "数值", "条款", "说明"):
            amounts.add_column(header, overflow="fold")
        for amount in item.amounts:
            shown = f"{amount.amount:,.2f} 元" if not amount.values else amount.shown()
            amounts.add_row(amount.name, shown, amount.clause, amount.description)
        for rate in item.rates:
            shown = f"{rate.value * 100:.1f}%" if rate.value is not None else rate.shown()
            amounts.add_row(rate.name, shown, rate.clause, rate.description)
        stdout.print(amounts)

    if item.forms:
        printed = Table(title="文书（skillpolicy render）")
        for header in ("编号", "名称", "表", "必需的列", "模板"):
            printed.add_column(header, overflow="fold")
        for form in item.forms:
            printed.add_row(
                form.id,
                form.title,
                SHEET_KIND_NAMES[form.sheet],
                "、".join(form.required) or "无",
                form.template or f"{form.id}.docx",
            )
        stdout.print(printed)

    values = load_params(params, item, ProgramFiles(STATE.catalogs(), item))
    local = Table(title=f"本地参数（{values.where_to_set()}）")
    for header in ("参数", "条款", "说明", "当前值"):
        local.add_column(header, overflow="fold")
    for declared, shown_value in values.described():
        local.add_row(
            declared.name,
            declared.clause,
            declared.description,
            shown_value or styled("未设置", "red"),
        )
    if item.local_parameters:
        stdout.print(local)
    else:
        stdout.print("本地参数：无（文件规定了全部金额）")


def register(app: typer.Typer) -> None:
    app.command("programs", epilog=examples("skillpolicy programs"))(list_command)
    group = typer.Typer(
        help="查看一个项目",
        no_args_is_help=True,
        epilog=examples("skillpolicy program show 项目编号"),
    )
    group.command(
        "show",
        epilog=examples(
            "skillpolicy program show 项目编号",
            "skillpolicy program show 项目编号 --params skillpolicy.toml",
        ),
    )(show_command)
    program_file.register(group)
    app.add_typer(group, name="program")
