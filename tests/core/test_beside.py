"""Work on a second core by fork: the same result as in one process, and a failed child costs nothing but time."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tui.core.analysis import analyze
from tui.core.beside import run_beside

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


def _alone() -> None:
    if threading.active_count() > 1:
        pytest.skip("another thread is running: run_beside stays in one process")


def test_the_child_runs_in_another_process() -> None:
    _alone()
    child_pid, mine = run_beside(os.getpid, lambda: "parent")
    assert child_pid != os.getpid() and mine == "parent"


def test_a_failing_child_is_done_again_here() -> None:
    _alone()
    calls: list[int] = []

    def child() -> int:
        calls.append(os.getpid())
        if os.getpid() != me:
            raise RuntimeError("the child fails")
        return 7

    me = os.getpid()
    assert run_beside(child, lambda: 1) == (7, 1)
    assert calls == [me]  # the child's own call lived and died in the child


def test_analysis_is_the_same_forked_or_not(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    forked = analyze(example).to_json()
    monkeypatch.setenv("CONSOLIDATE_NO_FORK", "1")
    assert analyze(example).to_json() == forked


def test_only_a_history_below_the_limit_is_forked(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above the limit the pages both processes touch cost more than the second core gives."""
    _alone()
    import tui.core.analysis as analysis

    forks: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", fork)
    monkeypatch.setattr(analysis, "_FORK_BELOW", 1)
    large = analyze(example).to_json()
    assert forks == []
    monkeypatch.setattr(analysis, "_FORK_BELOW", 10**9)
    assert analyze(example).to_json() == large
    assert forks == [1]
