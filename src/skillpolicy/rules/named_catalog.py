"""The occupation catalog a local parameter names: a catalog id, or a .toml file beside the
parameters file (``in-catalog`` with ``catalog_parameter``; Xuchang's ``shortage_catalog``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..domain.errors import ParameterError
from ..policy.catalog import Catalog, load_catalog_file

if TYPE_CHECKING:
    from .base import Context


def catalog_named_by(context: Context, parameter: str) -> Catalog:
    """The catalog the local parameter ``parameter`` names: an id, or a .toml file (relative
    to the parameters file). Unset, it stops the run (exit 2) naming the parameter."""
    params = context.params
    reference = params.text(parameter)
    if reference.lower().endswith(".toml"):
        if Path(reference).name != reference or reference.startswith("."):
            raise ParameterError(
                f"「{reference}」应为目录编号，或参数文件旁的一个 .toml 文件名（不含路径）",
                file=params.source,
                key=f"{params.program.id}.{parameter}",
            )
        return load_catalog_file(params.file(parameter))
    return context.catalog(reference)
