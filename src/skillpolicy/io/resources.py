"""Where the shipped catalogs, templates and examples are.

An installed wheel carries them inside the package (``skillpolicy/catalogs`` …); a source
checkout installed in editable mode keeps them at the repository's top level. A clerk's own
directory, named with ``--catalog-dir``/``--template-dir``, is searched before the shipped one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

from ..domain.errors import CatalogError

_PACKAGE_DIR = Path(str(files("skillpolicy")))
_CHECKOUT_DIR = Path(__file__).resolve().parents[3]


def shipped_dir(name: str) -> Path:
    """The shipped data folder ``name`` (catalogs, templates, examples)."""
    for candidate in (_PACKAGE_DIR / name, _CHECKOUT_DIR / name):
        if candidate.is_dir():
            return candidate
    raise CatalogError(f"安装不完整：找不到随程序发布的 {name} 目录，请重新安装 skillpolicy")


_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")


def is_data_id(text: str) -> bool:
    """An id of a program, catalog or form: lowercase letters, digits and dashes only."""
    return _ID.fullmatch(text) is not None


def check_data_id(text: str, what: str) -> str:
    """``text`` if it is an id; otherwise a :class:`CatalogError` (a path is never an id, so
    nothing outside the search path is ever read by id)."""
    if not is_data_id(text):
        raise CatalogError(f"{what}编号「{text}」无效：编号只能由小写字母、数字和连字符组成")
    return text


class SearchPath:
    """An ordered list of data folders: the user's first, then the shipped one."""

    def __init__(self, name: str, user_dirs: list[Path] | None = None) -> None:
        self.name = name
        self.dirs: list[Path] = []
        for directory in user_dirs or []:
            if not directory.is_dir():
                raise CatalogError(f"目录不存在：{directory}")
            self.dirs.append(directory)
        self.dirs.append(shipped_dir(name))

    def find(self, relative: str) -> Path | None:
        for directory in self.dirs:
            candidate = directory / relative
            if candidate.is_file():
                return candidate
        return None

    def glob(self, subdir: str, pattern: str) -> Iterator[Path]:
        """Files matching ``pattern`` in ``subdir`` of each folder; earlier folders win by name."""
        seen: set[str] = set()
        for directory in self.dirs:
            folder = directory / subdir
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob(pattern)):
                if path.name not in seen:
                    seen.add(path.name)
                    yield path
