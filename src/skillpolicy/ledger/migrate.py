"""Moving an office's desk ledger (SQLite) into the city's shared one (PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from ..domain.errors import InputError
from .open import is_postgres
from .postgres import MigrationResult, PostgresLedger


def migrate_sqlite_ledger(
    source: Path, target: str, office: str, *, operator: str = ""
) -> MigrationResult:
    """Copy ``source``'s runs into the shared ledger ``target`` as ``office``'s, in one
    transaction. Lines another office already paid are left out and returned; runs copied
    before are skipped, so running it twice copies nothing the second time."""
    office = office.strip()
    if not office:
        raise InputError("迁移必须写明台账所属的经办机构（--office）")
    if not is_postgres(target):
        raise InputError("--to 应为共享台账的 postgresql:// 地址或 service=名称")
    if not source.is_file():
        raise InputError("要迁移的台账文件不存在", file=source)
    with PostgresLedger(target) as shared:
        return shared.import_sqlite(source, office, operator)
