"""Start-up: a run builds only the command it names (typer reads every registered command's
signature before parsing otherwise); the root's help, a misspelt command and shell completion
still see every command; the command line imports nothing a run does not use."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.core
import typer.main

from skillpolicy.cli import app
from skillpolicy.cli.dispatch import ROOT_OPTIONS_WITH_VALUE, command_name, only_the_named_command


def _built(target: typer.Typer) -> set[str]:
    group = typer.main.get_command(target)
    assert isinstance(group, typer.core.TyperGroup)
    return set(group.commands)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["validate", "a.xlsx", "--program", "p"], "validate"),
        (["--catalog-dir", "my", "--template-dir", "t", "subsidy", "a.xlsx"], "subsidy"),
        (["--catalog-dir=my", "ledger", "show", "1"], "ledger"),
        (["--help"], None),
        (["--catalog-dir", "my", "--help"], None),
        (["--", "validate"], None),
        ([], None),
    ],
)
def test_the_command_name_follows_the_root_options(args: list[str], name: str | None) -> None:
    """The command named after the root options (their values skipped); none after a flag."""
    assert command_name(args) == name


def test_only_the_named_command_or_group_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """validate builds the validate command alone and ledger its group alone; the app itself
    keeps every command."""
    monkeypatch.delenv("_SKILLPOLICY_COMPLETE", raising=False)
    every = _built(app)
    assert {"validate", "subsidy", "ledger", "programs"} <= every
    assert _built(only_the_named_command(app, ["validate", "a.xlsx"])) == {"validate"}
    assert _built(only_the_named_command(app, ["ledger", "show", "1"])) == {"ledger"}
    assert _built(app) == every


@pytest.mark.parametrize("args", [["valdate", "a.xlsx"], ["--help"], []])
def test_an_unknown_name_or_no_name_keeps_every_command(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name that is no command (click suggests the near one) or none at all: the whole app."""
    monkeypatch.delenv("_SKILLPOLICY_COMPLETE", raising=False)
    assert only_the_named_command(app, args) is app


def test_shell_completion_keeps_every_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """While the shell asks for completions every command is built."""
    monkeypatch.setenv("_SKILLPOLICY_COMPLETE", "complete_bash")
    assert only_the_named_command(app, ["validate"]) is app


def test_the_root_options_taking_a_value_are_all_known() -> None:
    """Every option of the root that takes a value is skipped when looking for the command."""
    group = typer.main.get_command(app)
    valued = {
        opt
        for param in group.params
        if isinstance(param, typer.core.TyperOption) and not param.is_flag
        for opt in param.opts
    }
    assert valued == set(ROOT_OPTIONS_WITH_VALUE)


def test_commands_after_root_options_still_run(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    """--catalog-dir before the command, a command's help, a misspelt command and a misspelt
    subcommand behave as with every command built."""
    shown = run_cli("--catalog-dir", tmp_path, "validate", "--help")
    assert shown.returncode == 0
    assert "skillpolicy validate" in shown.stdout
    misspelt = run_cli("valdate", "a.xlsx")
    assert misspelt.returncode == 2
    assert "是否要用 validate" in misspelt.stderr
    sub = run_cli("ledger", "shw")
    assert sub.returncode == 2
    assert "是否要用 show" in sub.stderr


def test_the_command_line_imports_without_logging() -> None:
    """Importing the command line leaves logging unloaded: only report monthly logs."""
    import subprocess
    import sys

    code = "import sys, skillpolicy.cli; print('logging' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("args", "sheet"),
    [
        (["a.xlsx", "--program", "p", "--format", "json"], "a.xlsx"),
        (["--program", "p", "a.xlsx"], "a.xlsx"),
        (["-p", "p", "-f", "json", "--params", "x.toml", "a.xlsx", "--force"], "a.xlsx"),
        (["--program=p", "-pq", "--max-rows=0", "a.xlsx"], "a.xlsx"),
        (["--program", "p", "--", "-a.xlsx"], "-a.xlsx"),
        (["a.xlsx", "b.xlsx", "--program", "p"], None),
        (["--program", "p"], None),
        (["a.xlsx", "--program", "p", "--help"], None),
        (["a.xlsx", "--format", "json"], None),
        (["a.xlsx", "--params", "x.toml"], None),
        (["a.xlsx", "-p", "p", "-h"], None),
        (["a.xlsx", "-p", "p", "--progam", "p"], None),
        (["a.xlsx", "--annotate", "out.xlsx", "--program", "p"], None),
        (["a.xlsx", "--annotate=out.xlsx", "--program", "p"], None),
        (["dir", "--annotate-dir", "out", "--program", "p"], None),
    ],
)
def test_the_one_sheet_validate_names_is_told_from_the_words(
    args: list[str], sheet: str | None
) -> None:
    """validate's one workbook is found among its options (their values skipped, ``--``
    honoured); several files, a help or unknown option, a marked copy or words without a
    program (a usage error to tell at once) give none."""
    from skillpolicy.cli.validate import sheet_to_open

    found = sheet_to_open(args)
    assert (None if found is None else str(found)) == sheet


def test_validate_options_taking_a_value_are_all_known() -> None:
    """Every option of validate that takes a value, and every flag, is known to the scan
    that finds its sheet before typer converts the options."""
    from skillpolicy.cli.validate import FLAGS, OPTIONS_WITH_VALUE

    group = typer.main.get_command(only_the_named_command(app, ["validate"]))
    assert isinstance(group, typer.core.TyperGroup)
    command = group.commands["validate"]
    options = [p for p in command.params if isinstance(p, typer.core.TyperOption)]
    valued = {opt for p in options if not p.is_flag for opt in p.opts}
    flags = {opt for p in options if p.is_flag for opt in p.opts}
    assert valued == set(OPTIONS_WITH_VALUE)
    assert flags - {"--help", "-h"} == set(FLAGS)


def test_the_sheet_opened_early_is_the_one_the_command_reads(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`validate SHEET` opens its workbook once, before typer converts the options, and
    the command's reader takes that opening: one parse, on the opening's own thread, and
    nothing is left open afterwards."""
    import threading

    from inprocess import run_main
    from skillpolicy.io import sheet

    example = Path(__file__).resolve().parents[1] / "examples" / "guangxi-2012-technician.xlsx"
    threads: list[str] = []
    parse = sheet._parse_first_sheet

    def counted(*args: Any, **options: Any) -> Any:
        threads.append(threading.current_thread().name)
        return parse(*args, **options)

    monkeypatch.setattr(sheet, "_parse_first_sheet", counted)
    started: list[Path] = []
    opening = sheet.opening_ahead

    def recorded(path: Path) -> Any:
        started.append(path)
        return opening(path)

    monkeypatch.setattr(sheet, "opening_ahead", recorded)
    result = run_main(
        "validate", example, "--program", "guangxi-2012-technician", "-f", "json",
        cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch,
    )  # fmt: skip
    assert result.code in (0, 1), result.err
    # early, then the command's own (which finds the opening under way)
    assert [p.resolve() for p in started] == [example, example]
    assert threads == ["skillpolicy-open-ahead"]
    assert not sheet._AHEAD


def test_validate_of_one_sheet_holds_the_collector_off_from_the_start(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`validate SHEET` loads its program with Python's cyclic collector held off (as the
    sheet's check always ran), and the collector is on again when the run is over."""
    import gc

    from inprocess import run_main
    from skillpolicy.cli import common, validate

    example = Path(__file__).resolve().parents[1] / "examples" / "guangxi-2012-technician.xlsx"
    seen: list[bool] = []
    load = common.program

    def recorded(program_id: str) -> Any:
        seen.append(gc.isenabled())
        return load(program_id)

    monkeypatch.setattr(validate, "program", recorded)
    assert gc.isenabled()
    result = run_main(
        "validate", example, "--program", "guangxi-2012-technician", "-f", "json",
        cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch,
    )  # fmt: skip
    assert result.code in (0, 1), result.err
    assert seen == [False]
    assert gc.isenabled()
