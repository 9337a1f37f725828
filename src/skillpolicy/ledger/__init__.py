"""The ledger: what has been paid, by which run, so nothing is ever paid twice.

The rest of the program talks to a :class:`Ledger`; SQLite is the backend today
(:mod:`skillpolicy.ledger.sqlite`). Its SQL is kept to what PostgreSQL also accepts, so a
shared city ledger is a new backend class, not a rewrite.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol


@dataclass(frozen=True)
class LedgerLine:
    """One paid line as the ledger keeps it."""

    key: str  # what is paid, e.g. "guangxi-2012-technician|450102198003151014|技师"
    program: str
    subject: str  # full identity number, or the unit's credit code (name when it has none)
    name: str  # person or unit name
    occupation: str = ""
    level: str = ""
    tranche: int | None = None
    target: str = ""  # e.g. the Xuchang 培训类别
    year: int | None = None  # year of 开班日期, for Fujian's no-repeat rule
    amount: Decimal = Decimal("0.00")
    payee: str = ""
    row: int | None = None


@dataclass(frozen=True)
class RunInfo:
    """What a committing run says about itself."""

    run_id: str
    program: str
    file_name: str
    file_hash: str  # sha256 of the input workbook
    created_at: str  # ISO timestamp, local time with offset
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PaidEntry:
    """An earlier payment found in the ledger."""

    key: str
    run_id: str
    created_at: str
    amount: Decimal
    file_name: str


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    program: str
    file_name: str
    file_hash: str
    created_at: str
    line_count: int
    total: Decimal
    voided_by: str | None  # the void record's id, when voided


@dataclass(frozen=True)
class StoredLine:
    run_id: str
    created_at: str
    line: LedgerLine
    active: bool


class Ledger(Protocol):
    location: str

    def paid(self, keys: Sequence[str]) -> dict[str, PaidEntry]:
        """Active (not voided) payments among ``keys``."""
        ...

    def earlier_trainings(
        self, program: str, subject: str, occupation: str, before_year: int
    ) -> list[PaidEntry]:
        """Active payments to ``subject`` in ``occupation`` in a year before ``before_year``."""
        ...

    def commit(self, run: RunInfo, lines: Sequence[LedgerLine]) -> dict[str, PaidEntry]:
        """Record ``lines`` in one transaction; lines already paid are not recorded.

        Returns the keys that were already paid (checked inside the transaction, so two
        processes committing the same roster at once cannot both pay a line).
        """
        ...

    def runs(self) -> list[RunRecord]: ...

    def lines(self, run_id: str | None = None) -> Iterator[StoredLine]: ...

    def void(self, run_id: str, reason: str) -> str:
        """Record that ``run_id``'s lines no longer count; returns the void's id."""
        ...

    def close(self) -> None: ...
