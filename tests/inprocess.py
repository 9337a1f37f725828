"""Run the command line's ``main()`` inside the test process (for speed, and for fault
injection with monkeypatch); the result carries the exit code, stdout and stderr."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from skillpolicy.cli import main


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def run_main(
    *args: str | Path,
    cwd: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Outcome:
    """``skillpolicy ARGS`` through ``main()`` in ``cwd``, with no SKILLPOLICY_* settings."""
    for name in [k for k in os.environ if k.startswith("SKILLPOLICY_")]:
        monkeypatch.delenv(name)
    monkeypatch.setattr(sys, "argv", ["skillpolicy", *map(str, args)])
    monkeypatch.chdir(cwd)
    capsys.readouterr()
    code = 0
    try:
        main()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    out, err = capsys.readouterr()
    return Outcome(code, out, err)
