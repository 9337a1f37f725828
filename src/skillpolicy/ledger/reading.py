"""The ledger a run without ``--commit`` reads: the one ``--commit`` would write.

A preview and the payment must agree (INTERFACE.md), so ``validate``, ``subsidy`` and
``render`` read ``--ledger`` or, without it, the default ledger. A default ledger that does
not exist yet is an empty one, and reading it creates nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..domain.errors import InputError
from . import (
    ClassInspection,
    HistoryQuery,
    HistoryRun,
    Ledger,
    LedgerLine,
    LocalityFigure,
    MonthFigure,
    OutcomeLine,
    PaidEntry,
    ReportFigures,
    RunInfo,
    RunRecord,
    StoredLine,
    StoredOutcome,
)
from .open import ledger_path, ledger_spec, open_ledger
from .workflow import GENESIS, AuditEntry, RunStep, Verification

if TYPE_CHECKING:
    from .reconcile import BankFile, Reconciliation


class EmptyLedger:
    """A ledger with nothing in it, for a ledger file that does not exist yet."""

    empty = True  # nothing was paid: a reader need not make the keys to ask (alreadypaid.py)

    def __init__(self, location: str) -> None:
        self.location = location

    def paid(self, keys: Sequence[str]) -> dict[str, PaidEntry]:
        return {}

    def history(self, query: HistoryQuery) -> dict[tuple[str, ...], list[HistoryRun]]:
        return {}

    def locality_figures(
        self, program: str, first_month: str, up_to_month: str, office: str | None = None
    ) -> list[LocalityFigure]:
        return []

    def commit(
        self, run: RunInfo, lines: Sequence[LedgerLine], outcomes: Sequence[OutcomeLine] = ()
    ) -> dict[str, PaidEntry]:
        raise InputError("台账文件尚不存在，无法记入", file=self.location)

    def month_figures(self, up_to_month: str, office: str | None = None) -> list[MonthFigure]:
        return []

    def report_figures(self, month: str, office: str | None = None) -> ReportFigures:
        return ReportFigures([], [])

    def thin_inspections(
        self, month: str, minimum: int, office: str | None = None
    ) -> list[ClassInspection]:
        return []

    def offices(self) -> list[str]:
        return []

    def runs(self) -> list[RunRecord]:
        return []

    def lines(self, run_id: str | None = None) -> Iterator[StoredLine]:
        return iter(())

    def outcomes(self, run_id: str) -> list[StoredOutcome]:
        return []

    def void(self, run_id: str, reason: str, actor: str = "") -> str:
        raise InputError("台账文件尚不存在，没有可作废的运行", file=self.location)

    def take_step(
        self,
        run_id: str,
        step: str,
        actor: str,
        *,
        office: str = "",
        note: str = "",
        detail: dict[str, Any] | None = None,
    ) -> str:
        raise InputError(f"台账中没有运行 {run_id}", file=self.location)

    def steps(self, run_id: str | None = None) -> list[RunStep]:
        return []

    def audit_log(self) -> list[AuditEntry]:
        return []

    def reconcile(self, run_id: str, bank: BankFile, actor: str) -> Reconciliation:
        raise InputError(f"台账中没有运行 {run_id}", file=self.location)

    def verify(self) -> Verification:
        return Verification(0, GENESIS)

    def close(self) -> None:
        """Nothing is open."""

    def __enter__(self) -> EmptyLedger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_for_reading(spec: str | None, *, missing_ok: bool = False) -> Ledger:
    """The ledger ``spec`` names (None: the default), opened to read.

    A missing default ledger is empty and is not created; so is any missing ledger file when
    ``missing_ok`` (a ``--commit`` run creates it only when it records something). A missing
    file the clerk named is otherwise an error: a typo should not read as an empty ledger.
    """
    named = ledger_spec(spec)  # --ledger, else SKILLPOLICY_LEDGER, else None (the default file)
    path = ledger_path(named)
    if path is None:  # a shared database: a commit may create (migrate) its schema
        return open_ledger(named, create=missing_ok)
    if not path.exists() and (named is None or missing_ok):
        return EmptyLedger(str(path))
    return open_ledger(named, create=False)
