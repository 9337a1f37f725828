"""A parameters file's tables are checked against the programs they name, read only when
there is a parameters file: a run without one reads no program but its own, a run with one
only the other programs its tables name."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillpolicy.check.validate import validate_sheet
from skillpolicy.domain.errors import ParameterError
from skillpolicy.loading import programfiles
from skillpolicy.loading.programfiles import ProgramFiles, list_programs, load_program
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


def test_validate_reads_only_the_programs_its_parameters_file_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parameters file with the run's own table and one other program's: validate reads that
    other program file once and no other (the run's own program is not read again)."""
    program = load_program("guangxi-2012-technician")
    params = tmp_path / "params.toml"
    params.write_text(
        '[guangxi-2012-technician]\n[xuchang-2013-revitalization]\nappraisal_subsidy = "150.00"\n',
        encoding="utf-8",
    )
    read = _counting(monkeypatch)
    report = validate_sheet(EXAMPLE, program, params_file=params)
    assert report.rows > 0
    assert [path.stem for path in read] == ["xuchang-2013-revitalization"]


def test_another_programs_table_is_checked_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key another program does not declare, in that program's table, is refused by validate
    with the same message as when every program was read to check it."""
    program = load_program("guangxi-2012-technician")
    params = tmp_path / "params.toml"
    params.write_text("[xuchang-2013-revitalization]\nno_such_key = 1\n", encoding="utf-8")
    with pytest.raises(ParameterError) as every:
        load_params(params, program, list_programs())
    with pytest.raises(ParameterError) as raised:
        validate_sheet(EXAMPLE, program, params_file=params)
    assert str(raised.value) == str(every.value)
    assert "项目 xuchang-2013-revitalization 没有名为 no_such_key 的本地参数" in str(raised.value)


def test_an_unknown_table_names_every_program_in_the_same_order(tmp_path: Path) -> None:
    """A table naming no program is refused by validate with every program id, in the order
    (and words) of the check that read every program file."""
    program = load_program("guangxi-2012-technician")
    params = tmp_path / "params.toml"
    params.write_text("[no-such-program]\nx = 1\n", encoding="utf-8")
    with pytest.raises(ParameterError) as every:
        load_params(params, program, list_programs())
    with pytest.raises(ParameterError) as raised:
        validate_sheet(EXAMPLE, program, params_file=params)
    assert str(raised.value) == str(every.value)
    assert all(p.id in str(raised.value) for p in list_programs())


def test_program_files_map_every_program_by_id() -> None:
    """ProgramFiles holds the same programs, in the same order, as list_programs."""
    every = list_programs()
    assert list(ProgramFiles()) == [p.id for p in every]
    assert dict(ProgramFiles()) == {p.id: p for p in every}
    assert "no-such-program" not in ProgramFiles()
