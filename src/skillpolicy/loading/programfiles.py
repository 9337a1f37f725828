"""Finding and loading program files: every file is checked whole when it is loaded.

Above both the program model (:mod:`.programs`) and its checks (:mod:`.programcheck`), so
that neither needs the other's loader."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
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


class ProgramFiles(Mapping[str, Program]):
    """The programs on a search path by id, each file loaded (and checked whole) only when
    its id is looked up, then kept: checking a parameters file's tables reads the programs
    the file names, not every program file (most of the fixed cost of a run).

    The ids are the file names, in :func:`list_programs`' order. ``running``, the program of
    the run (loaded from the same search path), answers for its own id without a second
    load."""

    def __init__(self, search: SearchPath | None = None, running: Program | None = None) -> None:
        self._search = search or SearchPath("catalogs")
        self._running = running
        self._found: dict[str, Path] | None = None  # the folders are listed when first asked
        self._loaded: dict[str, Program] = {}

    @property
    def _paths(self) -> dict[str, Path]:
        if self._found is None:
            self._found = {path.stem: path for path in self._search.glob("programs", "*.toml")}
            if self._running is not None and self._running.id in self._found:
                self._loaded[self._running.id] = self._running
        return self._found

    def __getitem__(self, program_id: str) -> Program:
        path = self._paths[program_id]  # KeyError: no such program
        if program_id not in self._loaded:
            self._loaded[program_id] = load_program_file(path, self._search)
        return self._loaded[program_id]

    def __contains__(self, program_id: object) -> bool:
        return program_id in self._paths

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)
