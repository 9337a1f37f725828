"""The cyclic collector held off for a step the process ends with: what the step made is not
walked again when the collector is on, nor at exit."""

from __future__ import annotations

import atexit
import gc
from collections.abc import Callable
from typing import Any

import pytest

from skillpolicy.domain import collector


def _in_generation(item: object, generation: int) -> bool:
    return any(found is item for found in gc.get_objects(generation))


def test_what_the_step_made_joins_the_oldest_generation() -> None:
    """After the step the collector is on again, and the objects the step made and kept are
    in its oldest generation, not its youngest (the next young collection does not walk
    them); a collector already off stays off."""
    assert gc.isenabled()
    kept: list[list[int]] = []
    with collector.collector_paused_to_the_end():
        assert not gc.isenabled()
        kept.extend([number] for number in range(1000))
    assert gc.isenabled()
    assert _in_generation(kept[-1], 2)
    assert not _in_generation(kept[-1], 0)
    gc.disable()
    try:
        with collector.collector_paused_to_the_end():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_objects_alive_at_exit_are_frozen_once_registered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The step registers one exit hook (however many steps run) that freezes what is alive,
    so the interpreter's shutdown does not walk it for cycles."""
    registered: list[Callable[..., Any]] = []
    monkeypatch.setattr(collector, "_FROZEN_AT_EXIT", [])
    monkeypatch.setattr(atexit, "register", registered.append)
    for _ in range(2):
        with collector.collector_paused_to_the_end():
            pass
    assert registered == [gc.freeze]
