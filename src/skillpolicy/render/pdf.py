"""PDF copies of rendered documents with LibreOffice, when it is installed.

``soffice --headless --convert-to pdf`` runs once per batch (a chunk of files per call), in a
private profile so it does not collide with a LibreOffice the clerk has open, and with the
shipped fontconfig aliases (``templates/fonts/skillpolicy-fonts.conf``) added to the system's
configuration, so 仿宋_GB2312, 小标宋 and the like print with free CJK fonts instead of boxes.
Each PDF is written to a hidden folder inside the output folder and renamed into place.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path

from ..domain.errors import InputError
from ..io.fileio import temporary_folder_beside

FONT_CONF = "fonts/skillpolicy-fonts.conf"
CHUNK = 200
TIMEOUT_SECONDS = 600


class PdfUnavailable(InputError):
    """LibreOffice is not installed, so no PDF can be made."""


def soffice() -> str:
    """The LibreOffice executable, or PdfUnavailable saying how to get it."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise PdfUnavailable(
            "未安装 LibreOffice（找不到 soffice），无法生成 PDF；请安装后重试"
            "（Debian/Ubuntu：sudo apt-get install libreoffice-writer fonts-noto-cjk fonts-arphic-ukai），"
            "或去掉 --pdf 只生成 Word 文档"
        )
    return found


def _fontconfig_file(folder: Path, aliases: Path | None) -> Path | None:
    if aliases is None:
        return None
    system = os.environ.get("FONTCONFIG_FILE") or "/etc/fonts/fonts.conf"
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f'  <include ignore_missing="yes">{system}</include>\n'
        f'  <include ignore_missing="yes">{aliases}</include>\n</fontconfig>\n',
        encoding="utf-8",
    )
    return conf


def convert_to_pdf(documents: list[Path], out_dir: Path, aliases: Path | None = None) -> list[Path]:
    """Convert ``documents`` to PDFs beside them in ``out_dir``; returns the PDFs' paths."""
    program = soffice()
    # LibreOffice wants absolute paths (its profile is a file URI); a clerk may give --out 通知/
    out_dir = out_dir.resolve()
    documents = [document.resolve() for document in documents]
    # named like every temporary file, so the next run removes it if this one is killed
    work = temporary_folder_beside(out_dir / "pdf")
    try:
        env = dict(os.environ)
        conf = _fontconfig_file(work, aliases)
        if conf is not None:
            env["FONTCONFIG_FILE"] = str(conf)
        profile = (work / "profile").as_uri()
        for start in range(0, len(documents), CHUNK):
            chunk = documents[start : start + CHUNK]
            command = [
                program,
                "--headless",
                "--norestore",
                f"-env:UserInstallation={profile}",
                "--convert-to",
                "pdf",
                "--outdir",
                str(work),
                *map(str, chunk),
            ]
            try:
                result = subprocess.run(
                    command, capture_output=True, text=True, env=env, timeout=TIMEOUT_SECONDS
                )
            except subprocess.TimeoutExpired as exc:
                raise InputError(f"LibreOffice 转换 PDF 超时（{TIMEOUT_SECONDS} 秒）") from exc
            if result.returncode != 0:
                raise InputError(f"LibreOffice 转换 PDF 失败：{result.stderr.strip()[:300]}")
        made: list[Path] = []
        for document in documents:
            produced = work / f"{document.stem}.pdf"
            if not produced.is_file():
                raise InputError("LibreOffice 没有生成 PDF", file=document)
            target = out_dir / produced.name
            # LibreOffice creates files with the umask; a notice names people: owner-only
            with contextlib.suppress(OSError):
                produced.chmod(0o600)
            produced.replace(target)
            made.append(target)
        return made
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(work)
