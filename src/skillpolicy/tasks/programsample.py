"""A sample sheet run through a checked program (``program check --sample``): validated and,
where the sheet pays, computed — above validation and money, which the checks are below."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..check.validate import validate_sheet
from ..compute.subsidy import compute_subsidy
from ..io.resources import SearchPath
from ..loading.programfiles import list_programs
from ..policy.params import load_params
from ..policy.programs import Program


@dataclass
class SampleRun:
    """A sample sheet checked (``report``) and, where the sheet pays, computed (``payout``)."""

    report: Any
    payout: Any = None
    money_note: str | None = None


def run_sample(
    program: Any,
    sample: Path,
    *,
    search: SearchPath,
    params_file: Path | None = None,
    kind: str | None = None,
) -> SampleRun:
    """Validate ``sample`` against ``program`` and compute its money when the sheet pays."""
    assert isinstance(program, Program)
    others = [p for p in list_programs(search) if p.id != program.id]
    params = load_params(params_file, program, [*others, program])
    report = validate_sheet(
        sample, program, kind=kind, params=params, search=search, shown_name=str(sample)
    )
    if program.subsidy_for(report.layout.kind) is None:
        return SampleRun(report, None, "这种表不涉及补贴发放")
    payout = compute_subsidy(
        sample, program, kind=kind, params_file=params_file, search=search, shown_name=str(sample)
    )
    return SampleRun(payout.report, payout)
