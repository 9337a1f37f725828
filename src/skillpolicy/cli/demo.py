"""`skillpolicy demo`: run the main job on every bundled example, as a first look."""

from __future__ import annotations

from typing import Annotated

import typer

from ..domain.money import format_amount_grouped
from ..io.resources import shipped_dir
from .common import STATE, Table, examples, program, stdout
from .validate import print_report


def demo_command(
    brief: Annotated[bool, typer.Option("--brief", help="只显示汇总表")] = False,
) -> None:
    """核对随程序附带的每张示例表（examples/，按 examples.toml 所列的项目和表的种类），演示检查结果。"""
    from ..check.validate import validate_sheet
    from ..compute.subsidy import compute_subsidy
    from ..io.examples import bundled_examples

    folder = shipped_dir("examples")
    search = STATE.catalogs()
    summary = Table(title="示例核对汇总")
    for header in (
        "项目",
        "示例文件",
        "行数",
        "无错误行",
        "错误",
        "警告",
        "复核",
        "补贴（发放/待定/不予发放）",
        "发放金额（元）",
    ):
        summary.add_column(header)
    for example in bundled_examples(folder):
        item = program(example.program)
        path, shown = example.path, f"examples/{example.path.name}"
        report = validate_sheet(
            path,
            item,
            kind=example.kind,
            search=search,
            params_file=folder / "skillpolicy.toml",
            shown_name=shown,
        )
        if not brief:
            print_report(report)
            stdout.print()
        counts = [
            sum(1 for f in report.findings if f.severity == s)
            for s in ("error", "warning", "review")
        ]
        money = ["—", "—"]
        if item.subsidy_for(report.layout.kind) is not None:
            payout = compute_subsidy(
                path,
                item,
                kind=example.kind,
                search=search,
                params_file=folder / "skillpolicy.toml",
                shown_name=shown,
            )
            money = [
                f"{payout.count('paid')}/{payout.count('pending')}/{payout.count('refused')}",
                format_amount_grouped(payout.total),
            ]
        summary.add_row(
            item.id, path.name, str(report.rows), str(report.valid_rows), *map(str, counts), *money
        )
    stdout.print(summary)
    stdout.print(
        "示例中的问题是有意埋设的；用 skillpolicy validate 文件 --program 项目 核对自己的表，"
        "用 skillpolicy subsidy 计算补贴（金额未记入台账）。"
    )


def register(app: typer.Typer) -> None:
    app.command("demo", epilog=examples("skillpolicy demo", "skillpolicy demo --brief"))(
        demo_command
    )
