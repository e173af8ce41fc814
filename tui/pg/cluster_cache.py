"""A freshly made cluster, kept to be copied: `initdb` is most of a scratch server's start (0.7 s
of 0.9 s on the 2-core machine here), and what it writes depends only on the binaries, its
arguments and the time zone. The first start on a machine keeps a copy under the user's cache
folder (`$XDG_CACHE_HOME/consolidate/clusters`, about 40 MB for each PostgreSQL version); later
starts copy it (a tenth of a second) instead of running initdb. A copy that does not start is
thrown away and initdb runs as before. CONSOLIDATE_NO_CLUSTER_CACHE=1 turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

_DISABLED = "CONSOLIDATE_NO_CLUSTER_CACHE"


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "consolidate" / "clusters"


def _entry(bindir: Path, args: list[str]) -> Path | None:
    """Where the cluster these binaries and arguments make is kept: named by what it depends on."""
    if os.environ.get(_DISABLED):
        return None
    try:
        stats = [(bindir / tool).resolve().stat() for tool in ("initdb", "postgres")]
    except OSError:
        return None
    zone = os.environ.get("TZ", "") + "|" + os.path.realpath("/etc/localtime")
    what = repr((str(bindir.resolve()), [(s.st_size, s.st_mtime_ns, s.st_ino) for s in stats], args, zone))
    return cache_root() / hashlib.sha256(what.encode()).hexdigest()[:24]


def copy_kept(bindir: Path, args: list[str], data: Path, owner: tuple[int, int] | None) -> bool:
    """Fill `data` (absent, or an empty folder) with the kept cluster; False when there is none."""
    entry = _entry(bindir, args)
    if entry is None or not (entry / "PG_VERSION").is_file():
        return False
    try:
        # By `cp` and `chown`, not in Python: the server starts in a thread beside the analysis,
        # and a thousand files copied in Python would each wait for the interpreter.
        data.mkdir(exist_ok=True)
        subprocess.run(["cp", "-R", "-p", f"{entry}/.", f"{data}/"], check=True, capture_output=True, timeout=120)
        if owner is not None:
            subprocess.run(["chown", "-R", f"{owner[0]}:{owner[1]}", f"{data}/"], check=True, capture_output=True, timeout=120)
        os.chmod(data, 0o700)  # as initdb leaves it: the server refuses a folder others can read
    except (OSError, subprocess.SubprocessError):
        empty(data)
        return False
    return True


def keep(bindir: Path, args: list[str], data: Path) -> None:
    """Keep the cluster initdb just made in `data` (before any server ran on it), if none is kept."""
    entry = _entry(bindir, args)
    if entry is None or entry.exists():
        return
    partial = entry.with_name(f"{entry.name}.{os.getpid()}.partial")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(data, partial, symlinks=True)
        os.rename(partial, entry)  # whole or not at all: another run may be keeping the same one
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)


def forget(bindir: Path, args: list[str]) -> None:
    """Throw away a kept cluster that did not start."""
    entry = _entry(bindir, args)
    if entry is not None:
        shutil.rmtree(entry, ignore_errors=True)


def empty(data: Path) -> None:
    """What a failed copy left in `data` (the folder itself stays: it may be the one in memory)."""
    if not data.is_dir():
        return
    for child in data.iterdir():
        with contextlib.suppress(OSError):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
