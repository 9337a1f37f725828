"""The monthly report's figures read on a thread of their own while the command loads.

Both backends wait for their database without holding the interpreter's lock (SQLite while
it steps a statement, psycopg while the server answers), so the report's one long query
(:meth:`~skillpolicy.ledger.Ledger.report_figures`) runs on the second core while the
command imports the writers and loads the program files. The thread opens the ledger on a
connection of its own and closes it; :meth:`FiguresAhead.figures` hands its figures over
only when they are of the month and office the report turns out to be about, and gives
None on any failure, so the report then reads them itself and meets the same error there.
"""

from __future__ import annotations

import re
import threading
from datetime import date

from . import ReportFigures

# a month as a report names it: anything else (full-width digits, 2014-6) is parsed by the
# report, which then reads its figures itself
_PLAIN_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}", re.ASCII)


def plain_month(month: str | None, today: date) -> str | None:
    """The month ``--month`` names when written plainly (YYYY-MM), or the calendar month
    before ``today`` when none is given; None when only the report's parsing can tell."""
    if month is None:
        year, number = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        return f"{year:04d}-{number:02d}"
    return month if _PLAIN_MONTH.fullmatch(month) else None


class FiguresAhead:
    """``report_figures(month, office)`` of the ledger ``spec`` names, read on a thread."""

    def __init__(self, spec: str | None, month: str, office: str | None) -> None:
        self.month, self.office = month, office
        self._spec = spec
        self._found: ReportFigures | None = None
        # not a daemon: the interpreter waits for it at exit rather than stop it mid-query
        self._thread = threading.Thread(target=self._read, name="report-figures")
        self._thread.start()

    def _read(self) -> None:
        from .open import open_ledger

        try:
            with open_ledger(self._spec, create=False) as ledger:
                self._found = ledger.report_figures(self.month, self.office)
        except Exception:  # the report reads them again and meets the error itself
            self._found = None

    def figures(self, month: str, office: str | None) -> ReportFigures | None:
        """The figures read ahead, when of ``month`` and ``office``; else (or when the read
        failed) None."""
        self._thread.join()
        if (month, office) != (self.month, self.office):
            return None
        return self._found
