"""`skillpolicy init`: a starter parameters file made from the program files."""

from __future__ import annotations

import re
import stat
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path

from skillpolicy.loading.programfiles import list_programs
from skillpolicy.policy.params import load_params
from skillpolicy.policy.starter import example_value

Run = Callable[..., subprocess.CompletedProcess[str]]


def uncomment(text: str) -> str:
    """Every commented `name = value` line of the starter file made live."""
    return re.sub(r"(?m)^# ([a-z_]+ = )", r"\1", text)


def test_init_writes_every_programs_parameters_commented(run_cli: Run, tmp_path: Path) -> None:
    """`init` writes skillpolicy.toml: a table per program, each local parameter commented with
    its clause; as written it sets nothing."""
    result = run_cli("init")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "skillpolicy.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    programs = list_programs()
    assert set(data) == {program.id for program in programs}
    assert all(table == {} for table in data.values())
    for program in programs:
        for declared in program.local_parameters:
            comment = re.search(
                rf"(?m)^# (.*)\n# {declared.name} = ", text.split(f"[{program.id}]")[1]
            )
            assert comment is not None, declared.name
            assert f"{program.document} {declared.clause}" in comment.group(1)


def test_uncommented_starter_file_loads_with_params(run_cli: Run, tmp_path: Path) -> None:
    """Once its values are uncommented the file holds every parameter's example value and
    `program show --params` accepts it with every parameter set."""
    assert run_cli("init").returncode == 0
    path = tmp_path / "skillpolicy.toml"
    path.write_text(uncomment(path.read_text(encoding="utf-8")), encoding="utf-8")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    programs = list_programs()
    for program in programs:
        assert set(data[program.id]) == {p.name for p in program.local_parameters}
        for declared in program.local_parameters:
            assert data[program.id][declared.name] == example_value(declared)
        values = load_params(path, program, programs)
        assert all(shown is not None for _, shown in values.described()), program.id
        result = run_cli("program", "show", program.id, "--params", path)
        assert result.returncode == 0, result.stderr


def test_init_refuses_an_existing_file_without_force(run_cli: Run, tmp_path: Path) -> None:
    """An existing skillpolicy.toml is kept (exit 2) unless --force is given."""
    path = tmp_path / "skillpolicy.toml"
    path.write_text("[guangxi-2019-lifelong]\n", encoding="utf-8")
    result = run_cli("init")
    assert result.returncode == 2
    assert path.read_text(encoding="utf-8") == "[guangxi-2019-lifelong]\n"
    assert run_cli("init", "--force").returncode == 0
    assert "school_enterprise_rate" in path.read_text(encoding="utf-8")


def test_init_out_names_the_file(run_cli: Run, tmp_path: Path) -> None:
    """`init --out FILE` writes there and says so."""
    result = run_cli("init", "--out", "本局参数.toml")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "本局参数.toml").is_file()
    assert "本局参数.toml" in result.stdout


def test_init_file_follows_the_umask(tmp_path: Path) -> None:
    """The starter file holds no personal data: it is created 0644 under umask 022."""
    script = Path(run_script())
    result = subprocess.run(
        ["sh", "-c", f"umask 022 && exec '{script}' init"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE((tmp_path / "skillpolicy.toml").stat().st_mode) == 0o644


def run_script() -> str:
    from conftest import skillpolicy_script

    return skillpolicy_script()
