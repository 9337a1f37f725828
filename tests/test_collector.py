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


def test_a_commit_leaves_the_collector_no_line_to_walk(tmp_path: Any) -> None:
    """commit_payout frees its ledger lines before the collector is on again: no collection
    during or right after it walks a young generation holding them (1,200 paid lines)."""
    from pathlib import Path

    from conftest import GUANGXI_PAYOUT_HEADER, make_resident_id, write_rows
    from skillpolicy.compute.paycommit import commit_payout
    from skillpolicy.compute.subsidy import compute_subsidy
    from skillpolicy.ledger.sqlite import SqliteLedger
    from skillpolicy.loading.programfiles import load_program

    rows = [
        ["韦志强", make_resident_id(f"45010219{800101 + n // 900:06d}{n % 900 + 100:03d}"),
         "数控车工", "高级工", "2008-05-20", "技师", "广西机电技师学院", "合格"]
        for n in range(1200)
    ]  # fmt: skip
    roster = write_rows(tmp_path / "roster.xlsx", [GUANGXI_PAYOUT_HEADER, *rows])
    params = Path(__file__).resolve().parents[1] / "examples" / "skillpolicy.toml"
    payout = compute_subsidy(roster, load_program("guangxi-2012-technician"), params_file=params)
    assert payout.count("paid") == 1200
    walked: list[int] = []

    def young(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and info["generation"] == 0:
            walked.append(len(gc.get_objects(0)))

    with SqliteLedger(tmp_path / "ledger.sqlite3") as ledger:
        gc.collect()
        gc.callbacks.append(young)
        try:
            commit_payout(payout, ledger)
            [[n] for n in range(1000)]  # enough new objects for the next young collection
        finally:
            gc.callbacks.remove(young)
    assert payout.run_id is not None
    assert walked and max(walked) < 1200
