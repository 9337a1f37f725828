"""Every program file is read to check a parameters file's tables only when there is a
parameters file: a run without one reads no program but its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillpolicy.check.validate import validate_sheet
from skillpolicy.domain.errors import ParameterError
from skillpolicy.loading import programfiles
from skillpolicy.loading.programfiles import list_programs, load_program
from skillpolicy.policy.params import load_params

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "guangxi-2012-technician.xlsx"


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    read: list[Path] = []
    real = programfiles.load_program_file

    def load(path: Path, *args: object, **kwargs: object) -> object:
        read.append(path)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(programfiles, "load_program_file", load)
    return read


def test_validate_without_a_parameters_file_reads_no_other_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No --params and no ./skillpolicy.toml: validate reads none of the other program files."""
    program = load_program("guangxi-2012-technician")
    monkeypatch.chdir(tmp_path)
    read = _counting(monkeypatch)
    report = validate_sheet(EXAMPLE, program)
    assert report.rows > 0
    assert read == []


def test_a_parameters_file_is_still_checked_against_every_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a parameters file the other programs are read (once) to check its tables: a table
    naming no program is still refused with the programs there are."""
    program = load_program("guangxi-2012-technician")
    params = tmp_path / "params.toml"
    params.write_text("[no-such-program]\nx = 1\n", encoding="utf-8")
    read = _counting(monkeypatch)
    with pytest.raises(ParameterError) as raised:
        load_params(params, program, lambda: list_programs())
    assert "未知的项目「no-such-program」" in str(raised.value)
    assert program.id in str(raised.value)
    assert len(read) == len(set(read)) > 1
