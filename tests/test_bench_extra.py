"""The `bench` extra: what benchmarks/bench_validate.py needs for its second floor."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower()


def test_bench_extra_brings_polars_and_fastexcel_but_the_runtime_does_not() -> None:
    """`pip install -e .[bench]` installs polars and fastexcel; a plain install neither."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    bench = {_name(item) for item in project["optional-dependencies"]["bench"]}
    assert {"polars", "fastexcel"} <= bench
    runtime = {_name(item) for item in project["dependencies"]}
    assert not runtime & {"polars", "fastexcel", "pyarrow"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'pip install -e ".[bench]"' in readme
