"""The bundled example sheets and what each is, read from ``examples/examples.toml``.

The manifest (written by ``scripts/make_examples.py``) names each sheet's program and, where
its headers alone would read it as another kind (Xuchang's technician list looks like a
roster), its sheet kind; so `skillpolicy demo` needs no list of file names in Python and runs
examples whatever they are called.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..domain.errors import CatalogError
from .resources import shipped_dir

__all__ = ["MANIFEST", "BundledExample", "bundled_examples"]

MANIFEST = "examples.toml"


@dataclass(frozen=True)
class BundledExample:
    path: Path
    program: str
    kind: str | None = None


def bundled_examples(folder: Path | None = None) -> list[BundledExample]:
    """Every example sheet the manifest in ``folder`` (the shipped examples) lists, in order."""
    folder = folder or shipped_dir("examples")
    manifest = folder / MANIFEST
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"示例清单无法读取：{exc}", file=manifest) from exc
    found: list[BundledExample] = []
    for index, entry in enumerate(data.get("example", [])):
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(key), str) for key in ("file", "program")
        ):
            raise CatalogError(
                "每个 [[example]] 须有 file 和 program", file=manifest, key=f"example[{index}]"
            )
        kind = entry.get("kind")
        found.append(
            BundledExample(
                folder / entry["file"], entry["program"], kind if isinstance(kind, str) else None
            )
        )
    return found
