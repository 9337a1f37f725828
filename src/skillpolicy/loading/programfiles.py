"""Finding and loading program files: every file is checked whole when it is loaded.

Above both the program model (:mod:`.programs`) and its checks (:mod:`.programcheck`), so
that neither needs the other's loader."""

from __future__ import annotations

from pathlib import Path

from ..domain.errors import CatalogError, did_you_mean
from ..io.resources import SearchPath, check_data_id
from ..policy.programs import Program


def program_ids(search: SearchPath | None = None) -> list[str]:
    """The id of every program file found (``programs/*.toml`` on the search path), sorted:
    the programs are whatever files are there, never a list in the code."""
    search = search or SearchPath("catalogs")
    return sorted({path.stem for path in search.glob("programs", "*.toml")})


def load_program_file(path: Path, search: SearchPath | None = None) -> Program:
    """The program in ``path``, checked whole (:mod:`.programcheck`): a file with problems
    raises one ProgramFileError (exit 2) that lists every one with its line and key path."""
    from .programcheck import load_checked

    program: Program = load_checked(path, search)
    return program


def program_path(program_id: str, search: SearchPath) -> Path:
    check_data_id(program_id, "项目")
    path = search.find(f"programs/{program_id}.toml")
    if path is None:
        ids = [p.stem for p in search.glob("programs", "*.toml")]
        raise CatalogError(
            f"未知的项目「{program_id}」；现有项目：{', '.join(ids)}{did_you_mean(program_id, ids)}"
        )
    return path


def load_program(program_id: str, search: SearchPath | None = None) -> Program:
    search = search or SearchPath("catalogs")
    return load_program_file(program_path(program_id, search), search)


def list_programs(search: SearchPath | None = None) -> list[Program]:
    search = search or SearchPath("catalogs")
    return [load_program_file(path, search) for path in search.glob("programs", "*.toml")]
