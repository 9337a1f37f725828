"""Choosing a ledger from ``--ledger``: a path or ``sqlite:///path`` (SQLite), a
``postgresql://`` URL or a libpq connection string such as ``service=city`` (PostgreSQL),
else ``SKILLPOLICY_LEDGER``, else the default file.

A URL is never echoed: it may hold a password (messages show
:func:`~skillpolicy.ledger.postgres.shown_location`). A password is better kept out of the
URL altogether, in ``~/.pgpass`` or a ``service=`` entry of ``~/.pg_service.conf``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..domain.errors import InputError
from . import Ledger

DEFAULT_FILE_NAME = "ledger.sqlite3"
# The ledger to use when no --ledger is given (a path or a URL), e.g. in a crontab.
LEDGER_ENV = "SKILLPOLICY_LEDGER"

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
        spec = os.environ.get(LEDGER_ENV) or None
        if spec is None:
            return default_ledger_path()
    text = spec.strip()
    if not text:
        raise InputError("--ledger 不能为空：请给出台账文件路径")
    if is_postgres(text):
        return None
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
    raise InputError(
        f"不支持的台账地址类型「{scheme}」：请给出 SQLite 台账文件路径或 postgresql:// 地址"
    )


def is_postgres(spec: str) -> bool:
    """A ``postgresql://`` (or ``postgres://``) URL or a libpq string like ``service=city``."""
    from .postgres import is_conninfo

    match = _URL.match(spec.strip())
    if match is not None:
        return match["scheme"].lower() in ("postgresql", "postgres")
    return is_conninfo(spec)


def ledger_spec(spec: str | None) -> str | None:
    """``--ledger`` as given, else ``SKILLPOLICY_LEDGER``, else None (the default file)."""
    if spec is not None:
        return spec
    return os.environ.get(LEDGER_ENV) or None


def open_ledger(spec: str | None, *, create: bool = True) -> Ledger:
    """Open the ledger ``spec`` names; None means the platform data directory.

    The default location's folder is created when missing; a path given by the clerk must
    have an existing folder (a typo should not start a new, empty ledger somewhere else).
    With ``create`` False a missing file is an error (for commands that only read or void).
    """
    spec = ledger_spec(spec)
    if spec is not None and is_postgres(spec.strip()):
        from .postgres import PostgresLedger

        return PostgresLedger(spec.strip(), create=create)
    path = ledger_path(spec)
    assert path is not None
    if spec is None and create:
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise InputError(f"无法创建台账文件夹：{exc.strerror}", file=path.parent) from exc
    from .sqlite import SqliteLedger  # a run that reads no ledger file never loads it

    return SqliteLedger(path, create=create)
