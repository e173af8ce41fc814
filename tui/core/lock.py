"""One command at a time on a project: generate, validate, apply and rollback hold its lock.

The lock is an `flock` on `.consolidate/lock`: the kernel releases it when the holder dies, so a
killed apply never leaves a stale lock behind, and what an interrupted run left is finished by
the next rollback once nobody holds it. The file says who holds it, for the message of the next.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from tui.core.errors import ConsolidateError
from tui.core.state import state_of


def _lock_path(root: Path | str) -> Path:
    return state_of(root).dir / "lock"


_held: dict[Path, int] = {}  # the locks this process holds: validate generates under its own lock
_guard = threading.Lock()


@contextlib.contextmanager
def project_lock(root: Path | str, what: str) -> Iterator[None]:
    """Hold the project's lock while `what` runs; refuse at once if another command holds it."""
    path = _lock_path(Path(root).resolve())
    with _guard:
        if path in _held:
            _held[path] += 1
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield
        finally:
            with _guard:
                _held[path] -= 1
        return
    if not Path(root).is_dir():
        raise ConsolidateError(f"cannot {what}: no project folder {root}", "give the folder that holds the migrations folder")
    if path.parent.exists() and not path.parent.is_dir():
        raise ConsolidateError(f"cannot {what}: {path.parent.name} is a file",
                               f"consolidate keeps its state in the folder {path.parent.name}/ of the project: move the file away")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        # A project we may not write to (generate --out from a read-only checkout): no command can
        # change its state either, so there is nothing to keep apart.
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = holder_of(root)
            who = f"{holder.get('command', 'another command')} (pid {holder.get('pid', '?')})" if holder else "another command"
            raise ConsolidateError(f"cannot {what} now", f"consolidate {who} is working on this project; "
                                   "wait until it ends, then run this again") from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"command": what, "pid": os.getpid(), "since": time.time()}).encode())
        with _guard:
            _held[path] = 1
        try:
            yield
        finally:
            with _guard:
                del _held[path]
    finally:
        os.close(fd)  # closing releases the flock


def holder_of(root: Path | str) -> dict[str, object] | None:
    """Who holds the lock now (command, pid), or None when nobody does."""
    path = _lock_path(root)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                data = json.loads(path.read_text("utf-8") or "{}")
            except (OSError, ValueError):
                data = {}
            return data if isinstance(data, dict) else {}
        return None
    finally:
        os.close(fd)
