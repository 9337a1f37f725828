"""Writing output files safely: temp file beside the target, then rename; never over an input.

A temporary file is named ``.<target name>.<pid>-<host>.<random>.tmp``: hidden, beside its
target (so the rename is atomic), owner-only (mkstemp's mode 0600, kept by the rename), and
marked with the process and machine that writes it. A process killed mid-write cannot remove
its temporary file; the next successful write into the same folder removes every such file
whose writer, on this machine, is no longer running (:func:`remove_stale_temporaries`).
"""

from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import os
import re
import shutil
import socket
import stat
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..domain.errors import InputError

__all__ = [
    "StagedFile",
    "atomic_path",
    "check_output",
    "ensure_not_input",
    "follow_umask",
    "not_regular_file",
    "os_error_text",
    "remove_stale_temporaries",
    "temporary_beside",
    "temporary_folder_beside",
    "write_atomically",
    "write_text_atomically",
]

TEMP_SUFFIX = ".tmp"

# What the clerk reads instead of the C library's English strerror.
_OS_ERROR_TEXT = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出了磁盘配额",
    errno.EROFS: "所在的文件系统是只读的",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有权限",
    errno.ENOENT: "文件或文件夹不存在",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EISDIR: "同名的文件夹已存在",
    errno.ENAMETOOLONG: "文件名太长",
    errno.EFBIG: "文件太大",
    errno.EIO: "读写设备出错",
    errno.EMFILE: "打开的文件太多",
}


def os_error_text(error: OSError) -> str:
    """One Chinese phrase for an operating-system error (the English text if none is known)."""
    known = _OS_ERROR_TEXT.get(error.errno or 0)
    if known is not None:
        return known
    return error.strerror or type(error).__name__


# What each extension says a file holds, for the message refusing one that does not match.
_CONTENT = {
    ".xlsx": "Excel 工作簿",
    ".csv": "CSV 表格",
    ".toml": "TOML 参数/目录文件",
    ".docx": "Word 文档",
    ".pdf": "PDF 文件",
}


def check_output(
    target: Path,
    *,
    force: bool = False,
    inputs: Iterable[Path | None] = (),
    suffixes: Iterable[str] = (),
) -> None:
    """Refuse, before any work, a file a command may not write (INTERFACE.md, "Files").

    In this order: an existing target that is not a regular file (a directory, a FIFO, a
    device such as ``/dev/null``), even with ``force``; the command's own input (same path
    or same inode, a hard link included), even with ``force``; an extension that does not
    say what is written (``suffixes``, e.g. ``(".xlsx",)``); any other existing file unless
    ``force``. Each is one :class:`InputError` naming the file.
    """
    try:
        found = target.stat()
    except FileNotFoundError:
        found = None
    except OSError as exc:
        raise InputError(f"无法检查输出文件：{os_error_text(exc)}", file=target) from exc
    if found is not None and not stat.S_ISREG(found.st_mode):
        what = "文件夹" if stat.S_ISDIR(found.st_mode) else "设备、管道或其他特殊文件"
        raise InputError(f"已存在且是{what}，不是普通文件，不能写入；请另指定文件名", file=target)
    if found is not None:
        ensure_not_input(target, *(source for source in inputs if source is not None))
    allowed = [suffix.lower() for suffix in suffixes]
    if allowed and target.suffix.lower() not in allowed:
        wanted = "或".join(allowed)
        content = "、".join(dict.fromkeys(_CONTENT.get(suffix, suffix) for suffix in allowed))
        raise InputError(
            f"扩展名与写出的内容不符：写出的是 {content}，文件名须以 {wanted} 结尾", file=target
        )
    if found is not None and not force:
        raise InputError("文件已存在；为免覆盖，请另指定文件名，或加 --force 替换它", file=target)


def not_regular_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as an input file, or None for an existing regular file.

    Checked before opening: reading a FIFO blocks until someone writes to it, and a device
    never ends, so anything but a regular file (after symbolic links) is refused.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "文件不存在"
    except OSError as exc:
        return f"无法读取文件：{os_error_text(exc)}"
    if stat.S_ISDIR(mode):
        return "这是一个目录，不是文件"
    if not stat.S_ISREG(mode):
        return "不是普通文件（是管道、设备或套接字），无法读取"
    return None


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


def follow_umask(path: Path) -> None:
    """Give a written file the permissions the process's umask asks for (0666 & ~umask).

    Files are created owner-only (0600); one that holds no identity number (the monthly
    report) is opened up this way so a group can read it; files with identity numbers stay
    0600.
    """
    mask = os.umask(0o077)
    os.umask(mask)
    path.chmod(0o666 & ~mask)


def _host_tag() -> str:
    """Six hex digits naming this machine: a pid means nothing on another one."""
    return hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]


_HOST = _host_tag()
# mkstemp's random part: 8 characters of [a-z0-9_]
_TEMP_NAME = re.compile(r"\.(?P<target>.+)\.(?P<pid>\d+)-(?P<host>[0-9a-f]{6})\.[a-z0-9_]{8}\.tmp")
_swept: set[Path] = set()


def _folder(target: Path) -> Path:
    return target.parent if str(target.parent) else Path()


def temporary_beside(target: Path) -> Path:
    """Create an empty owner-only temporary file for ``target`` in its folder.

    Raises :class:`InputError` naming the folder when it is missing or cannot be written.
    """
    folder = _folder(target)
    if not folder.is_dir():
        raise InputError("输出目录不存在", file=folder)
    try:
        handle, name = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}-{_HOST}.", suffix=TEMP_SUFFIX, dir=folder
        )
    except OSError as exc:
        raise InputError(f"无法在输出目录中写文件：{os_error_text(exc)}", file=folder) from exc
    os.close(handle)
    return Path(name)


def temporary_folder_beside(target: Path) -> Path:
    """Create an owner-only working folder named like :func:`temporary_beside`'s files, so a
    killed run's folder is removed by the next write in the same place."""
    folder = _folder(target)
    try:
        name = tempfile.mkdtemp(
            prefix=f".{target.name}.{os.getpid()}-{_HOST}.", suffix=TEMP_SUFFIX, dir=folder
        )
    except OSError as exc:
        raise InputError(f"无法在输出目录中写文件：{os_error_text(exc)}", file=folder) from exc
    return Path(name)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # pragma: no cover - os.kill(pid, 0) would end the process
        return True  # never guess on Windows: leave the file
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, but belongs to someone else
    return True


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove temporary files in ``folder`` that a process of this machine, now gone, left
    behind (killed mid-write); returns what was removed. Others' files are never touched."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP_NAME.fullmatch(entry.name)
        if match is None or match["host"] != _HOST or _alive(int(match["pid"])):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False):
                Path(entry.path).unlink()
                removed.append(Path(entry.path))
            elif entry.is_dir(follow_symlinks=False):  # a working folder (PDF conversion)
                shutil.rmtree(entry.path)
                removed.append(Path(entry.path))
    return removed


def _sweep_once(folder: Path) -> None:
    """Look for stale temporary files once per folder and process (a batch writes many)."""
    try:
        key = folder.resolve()
    except OSError:
        return
    if key not in _swept:
        _swept.add(key)
        remove_stale_temporaries(folder)


def _release_abandoned_files(error: BaseException) -> None:
    """Close now the files a failed writer left open (openpyxl's zip archive, say), so the
    temporary file can be removed even where open files cannot, and so their close does not
    fail again at exit with a traceback: on a full disk that second failure is expected."""
    previous = sys.unraisablehook
    sys.unraisablehook = lambda _: None
    try:
        traceback.clear_frames(error.__traceback__)
        error.__traceback__ = None
        gc.collect()
    finally:
        sys.unraisablehook = previous


@contextlib.contextmanager
def atomic_path(target: Path, *, private: bool = True) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; rename it over ``target`` on success.

    The temporary file is created owner-only (mkstemp uses mode 0600), so personal data is
    never world-readable, and a reader never sees a half-written file. A failed write (a full
    disk, a read-only folder) raises :class:`InputError` naming the file, with nothing left
    behind. A file that holds no personal data (``private=False``: the monthly report, a
    blank roster, a starter parameters file) gets the umask's permissions before the rename.
    """
    temporary = temporary_beside(target)
    try:
        yield temporary
        if not private:
            follow_umask(temporary)
        temporary.replace(target)
    except OSError as exc:
        _release_abandoned_files(exc)
        raise InputError(f"写文件失败：{os_error_text(exc)}", file=target) from exc
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()
    _sweep_once(_folder(target))


class StagedFile:
    """An output written to its temporary file now and renamed into place later.

    A payment run writes every output first, records the run, then renames: a crash or a
    full disk before the rename leaves no file and nothing half-done (the temporary file is
    removed by :meth:`discard` or, after a kill, by the next write in that folder).
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        self.temporary = temporary_beside(target)

    def write(self, write: Callable[[Path], None]) -> None:
        """(Re)write the temporary file; a failure is an :class:`InputError` naming the target."""
        try:
            write(self.temporary)
        except OSError as exc:
            _release_abandoned_files(exc)
            self.discard()
            raise InputError(f"写文件失败：{os_error_text(exc)}", file=self.target) from exc

    def commit(self) -> None:
        """Rename the written file into place."""
        try:
            self.temporary.replace(self.target)
        except OSError as exc:
            self.discard()
            raise InputError(f"写文件失败：{os_error_text(exc)}", file=self.target) from exc
        _sweep_once(_folder(self.target))

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.temporary.unlink()


def write_atomically(target: Path, write: Callable[[Path], None], *, private: bool = True) -> None:
    with atomic_path(target, private=private) as temporary:
        write(temporary)


def write_text_atomically(target: Path, text: str, *, private: bool = True) -> None:
    with atomic_path(target, private=private) as temporary:
        temporary.write_text(text, encoding="utf-8")


def file_sha256(path: Path) -> str:
    """The sha256 of an input file, read in blocks (what a run records it was computed from)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
