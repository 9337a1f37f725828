"""Python's cyclic garbage collector held off for a bulk step (:func:`collector_paused`)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector held off for a bulk step, and restored as it was.

    A bulk step keeps most of what it makes until it ends and makes no cycles worth
    collecting: a commit's 200,000 tuples, a sheet check's duplicate table, class tallies and
    findings. The collector, triggered by the allocations, would walk that whole heap again
    and again for nothing, more often the longer the sheet (a sixth of a commit step, a tenth
    of a 100k-row validate, more at a million rows).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
