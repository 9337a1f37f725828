"""The ``ledger`` command group: its commands live in :mod:`.ledger` (the record) and
:mod:`.ledger_workflow` (who reviews and approves), both joining this one group."""

from __future__ import annotations

import typer

from .common import examples

group = typer.Typer(
    help="补贴台账：列出各次运行、导出各笔、作废一次运行、重印发放花名册、把本机台账迁入共享台账",
    no_args_is_help=True,
    epilog=examples("skillpolicy ledger list", "skillpolicy ledger export --out 台账.xlsx"),
)
