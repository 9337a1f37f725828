"""A throwaway PostgreSQL cluster for the tests, CI and the benchmarks.

``python tests/pgcluster.py start DIR`` creates a cluster in ``DIR`` (``initdb``), starts it
listening only on a unix socket in ``DIR/socket`` and prints its URL; ``stop DIR`` stops it.
Run as root, the server runs as the unprivileged ``postgres`` user (PostgreSQL refuses root).
The server binaries are found on PATH, by ``pg_config --bindir``, or in
``/usr/lib/postgresql/<version>/bin``.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

SUPERUSER = "postgres"
PORT = 5432
UNPRIVILEGED = "postgres"


def bin_dir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, or None when no server is installed."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    config = shutil.which("pg_config")
    if config:
        result = subprocess.run([config, "--bindir"], capture_output=True, text=True, check=False)
        folder = Path(result.stdout.strip())
        if (folder / "initdb").is_file():
            return folder
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3])
    )
    return candidates[-1].parent if candidates else None


def _server_ids() -> tuple[int, int] | None:
    """The user and group a server command runs as when we are root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return None
    entry = pwd.getpwnam(UNPRIVILEGED)
    return entry.pw_uid, entry.pw_gid


def _run(command: list[str], folder: Path) -> None:
    """Run a server command in ``folder``, unprivileged when we are root."""
    ids = _server_ids()
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    # output to a file, not a pipe: a server started by pg_ctl keeps what it inherited open
    with (folder / "commands.log").open("ab") as log:
        if ids is None:
            subprocess.run(command, check=True, stdout=log, stderr=log, env=env, cwd=folder)
        else:
            subprocess.run(
                command, check=True, stdout=log, stderr=log, env=env, cwd=folder,
                user=ids[0], group=ids[1], extra_groups=[],
            )  # fmt: skip


def url(folder: Path, database: str = "postgres", options: str = "") -> str:
    """The URL of the cluster in ``folder`` (its unix socket), optionally with libpq options."""
    socket = quote(str(folder.resolve() / "socket"), safe="")
    extra = f"&options={quote(options, safe='')}" if options else ""
    return f"postgresql://{SUPERUSER}@/{database}?host={socket}&port={PORT}{extra}"


def start(folder: Path, *, durable: bool = False) -> str:
    """Create and start a cluster in ``folder`` (which must not hold one); return its URL.

    ``durable`` False turns fsync off: a test cluster is thrown away, a benchmark's is not.
    """
    binaries = bin_dir()
    if binaries is None:
        raise RuntimeError("no PostgreSQL server binaries (initdb) found")
    folder.mkdir(parents=True, exist_ok=True)
    data, socket = folder / "data", folder / "socket"
    socket.mkdir(exist_ok=True)
    ids = _server_ids()
    if ids is not None:
        for path in (folder, socket):
            os.chown(path, *ids)
    _run(
        [str(binaries / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
         "--encoding=UTF8", "--no-instructions", "--no-sync"],
        folder,
    )  # fmt: skip
    settings = [
        "-c", "listen_addresses=", "-c", f"unix_socket_directories={socket}",
        "-c", f"port={PORT}", "-c", "max_connections=60", "-c", "shared_buffers=128MB",
    ]  # fmt: skip
    if not durable:
        settings += ["-c", "fsync=off", "-c", "full_page_writes=off"]
    _run(
        [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w",
         "-o", " ".join(settings), "start"],
        folder,
    )  # fmt: skip
    return url(folder)


def _pg_ctl(folder: Path, *arguments: str) -> None:
    binaries = bin_dir()
    assert binaries is not None
    _run([str(binaries / "pg_ctl"), "-D", str(folder / "data"), "-w", *arguments], folder)


def restart(folder: Path) -> None:
    """Restart the cluster (``-m fast``: open connections are dropped)."""
    _pg_ctl(folder, "-m", "fast", "-l", str(folder / "server.log"), "restart")


def stop(folder: Path) -> None:
    """Stop the cluster in ``folder`` if it runs (its files are left for the caller)."""
    if (folder / "data" / "postmaster.pid").exists():
        _pg_ctl(folder, "-m", "immediate", "stop")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("start", "stop", "url"))
    parser.add_argument("folder", type=Path)
    parser.add_argument("--durable", action="store_true", help="keep fsync on (benchmarks)")
    arguments = parser.parse_args(argv)
    if arguments.action == "start":
        print(start(arguments.folder, durable=arguments.durable))
    elif arguments.action == "stop":
        stop(arguments.folder)
    else:
        print(url(arguments.folder))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
