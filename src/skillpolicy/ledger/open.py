"""Choosing a ledger from ``--ledger``: a path or ``sqlite:///path`` (SQLite), or the default.

``postgresql://`` is recognised and refused until that backend exists, so a city that writes
its shared ledger's URL into a script gets a clear message rather than a file named
``postgresql:``.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from . import Ledger
from .sqlite import SqliteLedger

DEFAULT_FILE_NAME = "ledger.sqlite3"

_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<rest>.*)$", re.DOTALL)


def default_ledger_path() -> Path:
    """``ledger.sqlite3`` in the platform's per-user data directory for skillpolicy."""
    import platformdirs

    return Path(platformdirs.user_data_dir("skillpolicy", appauthor=False)) / DEFAULT_FILE_NAME


def ledger_path(spec: str | None) -> Path | None:
    """The SQLite file ``spec`` names (None: the default), or None for a non-file ledger.

    Raises :class:`InputError` for a URL whose backend this version does not have.
    """
    if spec is None:
        return default_ledger_path()
    text = spec.strip()
    if not text:
        raise InputError("--ledger 不能为空：请给出台账文件路径")
    match = _URL.match(text)
    if match is None:
        return Path(text).expanduser()
    # The URL itself is never echoed: it may hold a password.
    scheme = match["scheme"].lower()
    if scheme == "sqlite":
        # sqlite:///relative/path and sqlite:////absolute/path, as SQLAlchemy writes them
        rest = match["rest"]
        if not rest.startswith("/") or rest == "/":
            raise InputError("SQLite 台账地址应写成 sqlite:///相对路径 或 sqlite:////绝对路径")
        return Path(rest[1:]).expanduser()
    if scheme.split("+", 1)[0] in ("postgresql", "postgres"):
        raise InputError(
            "PostgreSQL 共享台账尚未支持：本版本只能使用 SQLite 台账文件，请用 --ledger 给出文件路径"
        )
    raise InputError(f"不支持的台账地址类型「{scheme}」：请用 --ledger 给出 SQLite 台账文件路径")


def open_ledger(spec: str | None, *, create: bool = True) -> Ledger:
    """Open the ledger ``spec`` names; None means the platform data directory.

    The default location's folder is created when missing; a path given by the clerk must
    have an existing folder (a typo should not start a new, empty ledger somewhere else).
    With ``create`` False a missing file is an error (for commands that only read or void).
    """
    path = ledger_path(spec)
    assert path is not None
    if spec is None and create:
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise InputError(f"无法创建台账文件夹：{exc.strerror}", file=path.parent) from exc
    return SqliteLedger(path, create=create)
