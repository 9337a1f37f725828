"""Writing output files safely: temp file beside the target, then rename; never over an input."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import InputError


def ensure_not_input(output: Path, *inputs: Path) -> None:
    """Refuse to write over a file the command reads (a clerk's original must survive)."""
    if not output.exists():
        return
    for source in inputs:
        with contextlib.suppress(OSError):
            if source.exists() and output.samefile(source):
                raise InputError(
                    "输出文件与输入文件相同；为保护原件，请另指定输出文件名", file=output
                )


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; rename it over ``target`` on success.

    The temporary file is created owner-only (mkstemp uses mode 0600), so personal data is
    never world-readable, and a reader never sees a half-written file.
    """
    folder = target.parent if str(target.parent) else Path()
    if not folder.is_dir():
        raise InputError("输出目录不存在", file=folder)
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError(f"无法在输出目录中写文件：{exc.strerror}", file=folder) from exc
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        temporary.replace(target)
    except OSError as exc:
        raise InputError(f"写文件失败：{exc.strerror}", file=target) from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def write_atomically(target: Path, write: Callable[[Path], None]) -> None:
    with atomic_path(target) as temporary:
        write(temporary)


def write_text_atomically(target: Path, text: str) -> None:
    with atomic_path(target) as temporary:
        temporary.write_text(text, encoding="utf-8")
