"""Scratch folders named by the run that made them, so that a later run can tell the ones a killed
run left behind (SIGKILL, a lost terminal) from those of a run still going, and remove only those."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def proc_stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command's name; none for no such process."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _started(pid: int) -> str:
    """A process's start time (clock ticks since boot), which a reused pid does not share."""
    fields = proc_stat(pid)
    return fields[19] if len(fields) > 19 else ""


def this_run() -> str:
    """This process as the owner of a scratch folder or server: its pid and start time."""
    return f"{os.getpid()} {_started(os.getpid())}"


def run_alive(owner: str) -> bool:
    """Is the process `this_run()` named (on this machine) still running?"""
    pid_text, _, started = owner.partition(" ")
    now = _started(int(pid_text)) if pid_text.isdigit() else ""
    return bool(now) and now == started.strip()


def owned_folder(prefix: str, where: Path | None = None) -> Path:
    """A new folder `<prefix><pid>_<start>-<random>` in `where` (the temporary folder by default)."""
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{this_run().replace(' ', '_')}-", dir=where))


def owner_of(folder: Path, prefix: str) -> str:
    """The run named in an `owned_folder`'s name, as `this_run()` gives it; "" when it names none."""
    pid_text, _, started = folder.name.removeprefix(prefix).rpartition("-")[0].partition("_")
    return f"{pid_text} {started}" if pid_text.isdigit() and started.isdigit() else ""


def remove_orphans(prefix: str, where: Path | None = None) -> list[Path]:
    """Remove the `owned_folder`s of `prefix` whose run has ended; those of runs alive, and folders
    named otherwise (an older version's), are left alone."""
    removed = []
    for folder in Path(where or tempfile.gettempdir()).glob(f"{prefix}*"):
        owner = owner_of(folder, prefix)
        if owner and not run_alive(owner) and folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
