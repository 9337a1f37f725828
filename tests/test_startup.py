"""Start-up stays light: importing the command line, ``--version`` and ``--help`` load typer
and a few small modules of the library, never the parsers, the writers, the database
drivers, the program models or rich (issue 16: ``skillpolicy --version`` within 0.25 s).

Each case runs in a fresh interpreter and lists the modules it loaded; nothing is timed
here (``benchmarks/bench_validate.py`` times start-up)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Top-level packages start-up never loads: the workbook readers and writers, Word, the
# database drivers, the data models, the terminal library, the data-frame engines.
HEAVY = (
    "openpyxl",
    "numpy",
    "docx",
    "docxtpl",
    "jinja2",
    "lxml",
    "defusedxml",
    "python_calamine",
    "psycopg",
    "pydantic",
    "pydantic_core",
    "rich",
    "polars",
    "fastexcel",
    "chinese_calendar",
    "tomli_w",
    "platformdirs",
    "sqlite3",
)

# The only library modules (outside skillpolicy.cli) start-up may load: errors and masking,
# file checks, the ledger's protocol (its outcomes' reasons are findings) and the names of its
# workflow steps, money formatting.
LIBRARY_AT_START = {
    "skillpolicy",
    "skillpolicy.domain",
    "skillpolicy.io",
    "skillpolicy.domain.errors",
    "skillpolicy.domain.findings",
    "skillpolicy.io.fileio",
    "skillpolicy.domain.identifiers",
    "skillpolicy.ledger",
    "skillpolicy.ledger.workflow",
    "skillpolicy.domain.money",
    "skillpolicy.domain.privacy",
    "skillpolicy.io.resources",
}

# typer (0.2x) converts a subcommand's options with pydantic, so parsing one loads pydantic
# itself; never the program models (LIBRARY_AT_START) nor anything else in HEAVY.
TYPER_LOADS = {"pydantic", "pydantic_core"}

DRIVER = """
import atexit, json, sys
listing, args = sys.argv[1], json.loads(sys.argv[2])
def dump():
    with open(listing, "w", encoding="utf-8") as out:
        json.dump(sorted(sys.modules), out)
atexit.register(dump)
if args is None:
    import skillpolicy.cli
else:
    sys.argv = ["skillpolicy", *args]
    from skillpolicy.cli import main
    main()
"""


def driven(
    tmp_path: Path, driver: str, args: list[str] | None
) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """The modules a fresh interpreter running ``driver`` (given ``args``) listed, and how
    the process ended."""
    listing = tmp_path / "modules.json"
    result = subprocess.run(
        [sys.executable, "-c", driver, str(listing), json.dumps(args)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert listing.exists(), result.stderr  # the driver lists the modules, or failed
    return set(json.loads(listing.read_text(encoding="utf-8"))), result


def loaded_modules(tmp_path: Path, args: list[str] | None) -> tuple[set[str], str]:
    """The modules a fresh interpreter holds after importing the CLI (``args`` None) or
    after running ``skillpolicy ARGS``, and what it printed."""
    modules, result = driven(tmp_path, DRIVER, args)
    assert result.returncode == 0, result.stderr
    return modules, result.stdout


@pytest.mark.parametrize(
    "args",
    [None, ["--version"], ["--help"], ["validate", "--help"], ["subsidy", "--help"]],
    ids=["import", "version", "help", "validate-help", "subsidy-help"],
)
def test_start_up_loads_no_heavy_library(tmp_path: Path, args: list[str] | None) -> None:
    """Importing the CLI, --version and --help load none of the heavy packages."""
    modules, out = loaded_modules(tmp_path, args)
    allowed = TYPER_LOADS if args and not args[0].startswith("-") else set()
    heavy = sorted(m for m in modules if m.split(".")[0] in set(HEAVY) - allowed)
    assert heavy == []
    if args == ["--version"]:
        assert out.startswith("skillpolicy ")
    elif args is not None:
        assert "Usage" in out


@pytest.mark.parametrize(
    "args",
    [None, ["--version"], ["--help"], ["validate", "--help"], ["ledger", "list", "--help"]],
    ids=["import", "version", "help", "validate-help", "ledger-help"],
)
def test_start_up_loads_only_the_small_library_modules(
    tmp_path: Path, args: list[str] | None
) -> None:
    """Start-up loads no rule, reader, program model, ledger backend or writer module."""
    modules, _ = loaded_modules(tmp_path, args)
    library = {
        m
        for m in modules
        if m.split(".")[0] == "skillpolicy" and not m.startswith("skillpolicy.cli")
    }
    assert sorted(library - LIBRARY_AT_START) == []


def test_the_init_default_is_the_parameters_file_name() -> None:
    """`init`'s default output (kept literal for start-up) is the parameters file name."""
    from skillpolicy.cli.init import DEFAULT_OUT
    from skillpolicy.policy.params import DEFAULT_PARAMS_FILE

    assert DEFAULT_OUT == DEFAULT_PARAMS_FILE


# records the modules loaded when the workbook guard first runs, then runs the command line
GUARD_DRIVER = """
import json, sys
import skillpolicy.io.xlsxguard as guard
listing, args = sys.argv[1], json.loads(sys.argv[2])
check = guard.check_workbook
def recorded(*given, **options):
    with open(listing, "w", encoding="utf-8") as out:
        json.dump(sorted(sys.modules), out)
    guard.check_workbook = check
    return check(*given, **options)
guard.check_workbook = recorded
sys.argv = ["skillpolicy", *args]
from skillpolicy.cli import main
main()
"""

EXAMPLE_ROSTER = Path(__file__).resolve().parents[1] / "examples" / "guangxi-2012-technician.xlsx"


def modules_at_the_guard(tmp_path: Path, args: list[str]) -> set[str]:
    """The modules a fresh ``skillpolicy ARGS`` holds when the workbook guard starts."""
    modules, result = driven(tmp_path, GUARD_DRIVER, args)
    assert result.returncode in (0, 1), result.stderr
    return modules


def test_validate_starts_the_guard_before_the_program_and_typer_load(tmp_path: Path) -> None:
    """`validate SHEET` runs the workbook guard (and then calamine's parse, which lets the
    rest load on the other core) before typer converts the options and before pydantic, any
    program model or rule is loaded (the header reader's columns load no pydantic)."""
    modules = modules_at_the_guard(
        tmp_path,
        ["validate", str(EXAMPLE_ROSTER), "--program", "guangxi-2012-technician", "-f", "json"],
    )
    assert "typer._adapters" not in modules
    assert sorted(m for m in modules if m.split(".")[0] in ("pydantic", "pydantic_core")) == []
    early = ("skillpolicy.policy", "skillpolicy.rules", "skillpolicy.loading", "skillpolicy.check")
    assert sorted(m for m in modules if m.startswith(early)) == []


def test_each_command_module_registers_the_names_the_table_gives() -> None:
    """COMMAND_MODULES names, for every command module, exactly the commands and groups its
    register() adds, and lists them in the order the full command line registers them."""
    import importlib

    import typer
    from typer.main import get_command_name

    import skillpolicy.cli as cli

    def names(app: typer.Typer) -> list[str]:
        commands = [
            info.name or get_command_name(getattr(info.callback, "__name__", ""))
            for info in app.registered_commands
        ]
        return [*commands, *(str(info.name) for info in app.registered_groups)]

    for module, expected in cli.COMMAND_MODULES.items():
        alone = typer.Typer()
        importlib.import_module(f"skillpolicy.cli.{module}").register(alone)
        assert sorted(names(alone)) == sorted(expected), module
    every = [name for expected in cli.COMMAND_MODULES.values() for name in expected]
    assert sorted(names(cli.app)) == sorted(every)
    listed = [c.name for c in cli.app.registered_commands] + [
        g.name for g in cli.app.registered_groups
    ]
    assert len(listed) == len(every)


def test_validate_loads_no_other_command_and_no_ledger_backend(
    tmp_path: Path, private_data_home: Path
) -> None:
    """`validate SHEET` imports only its own command module, and, with no default ledger
    file yet, neither the SQLite nor the PostgreSQL ledger module."""
    import skillpolicy.cli as cli

    args = ["validate", str(EXAMPLE_ROSTER), "--program", "guangxi-2012-technician", "-f", "json"]
    modules, result = driven(tmp_path, DRIVER, args)
    assert result.returncode in (0, 1), result.stderr
    assert '"findings"' in result.stdout
    others = {f"skillpolicy.cli.{module}" for module in cli.COMMAND_MODULES} - {
        "skillpolicy.cli.validate"
    }
    assert sorted(modules & others) == []
    backends = {"skillpolicy.ledger.sqlite", "skillpolicy.ledger.postgres", "sqlite3", "psycopg"}
    assert sorted(modules & backends) == []
    assert list(private_data_home.iterdir()) == []  # the default ledger still not made
