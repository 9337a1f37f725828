"""Python's cyclic garbage collector held off for a bulk step (:func:`collector_paused`)."""

from __future__ import annotations

import atexit
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


_FROZEN_AT_EXIT: list[bool] = []


@contextlib.contextmanager
def collector_paused_to_the_end() -> Iterator[None]:
    """:func:`collector_paused` for a step the process ends with (a command line's run), which
    keeps most of what it makes to its end.

    When the step is over, what it made joins the collector's oldest generation rather than
    its youngest, so the collector, on again, does not walk all of it at its next young
    collection; and at exit the objects still alive are frozen, so the interpreter's
    shutdown does not walk them for cycles either (about 0.1 s after a 10,000-row validate).
    Objects without cycles still go when their last reference does; garbage cycles the step
    left wait for a full collection, or the end of the process, which is near."""
    if not _FROZEN_AT_EXIT:
        _FROZEN_AT_EXIT.append(True)
        atexit.register(gc.freeze)
    with collector_paused():
        try:
            yield
        finally:
            gc.freeze()  # everything tracked now: into the permanent generation ...
            gc.unfreeze()  # ... and back into the oldest, without a walk over it
