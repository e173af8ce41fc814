"""Run two independent pieces of work at once on a second core, by fork.

The analysis holds millions of AST nodes; sending them to a worker would cost more than the work
itself. A forked child shares them for free (copy on write) and sends back only its small result.
Used only where it is safe: a platform with fork and a process with no other thread (the CLI; the
TUI runs the analysis in a worker thread, and gets the plain sequential path).
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable
from typing import TypeVar

A = TypeVar("A")
B = TypeVar("B")

# Set CONSOLIDATE_NO_FORK=1 to compare, or where forking is unwelcome.
_DISABLED = "CONSOLIDATE_NO_FORK"


def run_beside(child: Callable[[], A], parent: Callable[[], B]) -> tuple[A, B]:
    """`child()` in a forked process while this one runs `parent()`; (child's result, parent's).

    If the child cannot be forked or fails, its work is done here after all: the result is the
    same, only slower.
    """
    if not hasattr(os, "fork") or os.environ.get(_DISABLED) or threading.active_count() > 1:
        return child(), parent()
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return child(), parent()
    if pid == 0:  # the child: compute, send, leave without running any exit handler
        code = 1
        try:
            os.close(read_fd)
            data = pickle.dumps(child(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_fd, "wb") as out:
                out.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    try:
        mine = parent()
    except BaseException:
        os.close(read_fd)
        _reap(pid)
        raise
    with os.fdopen(read_fd, "rb") as inp:
        data = inp.read()
    ok = _reap(pid)
    if not ok or not data:
        return child(), mine
    return pickle.loads(data), mine


def _reap(pid: int) -> bool:
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return False
    return os.waitstatus_to_exitcode(status) == 0
