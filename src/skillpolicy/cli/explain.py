"""`skillpolicy explain SHEET --program ID --row N [--format json]`."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import (
    STATE,
    AsOfOption,
    FormatOption,
    KindOption,
    LedgerOption,
    ParamsOption,
    ProgramOption,
    SheetArg,
    check_format,
    check_kind,
    parse_as_of,
    print_json,
    program,
    stdout,
)


def explain_command(
    sheet: SheetArg,
    program_id: ProgramOption,
    row: Annotated[int, typer.Option("--row", "-r", help="要说明的行号（表格左侧显示的行号）")],
    as_of: AsOfOption = None,
    output_format: FormatOption = "table",
    params: ParamsOption = None,
    ledger: LedgerOption = None,
    kind: KindOption = None,
) -> None:
    """说明一行的判定：逐条规则的输入、标准、条款和结果，补贴的逐步计算，台账记载。"""
    check_format(output_format)
    check_kind(kind)
    from ..io.sheet import opening_ahead
    from ..ledger.open import open_ledger
    from ..tasks.explain import explain_row

    with opening_ahead(sheet):  # calamine parses while the program and the ledger load
        item = program(program_id)
        book = open_ledger(ledger, create=False) if ledger is not None else None
        try:
            explanation = explain_row(
                sheet,
                item,
                row,
                kind=kind,
                as_of=parse_as_of(as_of),
                params_file=params,
                search=STATE.catalogs(),
                ledger=book,
                shown_name=str(sheet),
            )
        finally:
            if book is not None:
                book.close()
    if output_format == "json":
        print_json(explanation.to_json())
    else:
        for line in explanation.text_lines():
            stdout.print(line, markup=False, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("explain")(explain_command)
