"""Scratch folders carry the run that made them; a later run removes only those of runs that ended."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tui.core.scratch import owned_folder, owner_of, remove_orphans, this_run

PREFIX = "consolidate-test-scratch-"


def _ended_run() -> str:
    code = "from tui.core.scratch import this_run; print(this_run())"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_only_the_folders_of_ended_runs_are_removed(tmp_path: Path) -> None:
    mine = owned_folder(PREFIX, tmp_path)
    assert owner_of(mine, PREFIX) == this_run()
    pid, _, started = _ended_run().partition(" ")
    orphan = tmp_path / f"{PREFIX}{pid}_{started}-abc123"
    (orphan / "trial1").mkdir(parents=True)
    (orphan / "trial1" / "0001.sql").write_text("CREATE TABLE t (id int);\n")
    unnamed = tmp_path / f"{PREFIX}x7f3k"  # as an older version named them: not ours to judge
    unnamed.mkdir()
    elsewhere = tmp_path / "other-folder"
    elsewhere.mkdir()
    assert remove_orphans(PREFIX, tmp_path) == [orphan]
    assert not orphan.exists() and mine.is_dir() and unnamed.is_dir() and elsewhere.is_dir()
    assert remove_orphans(PREFIX, tmp_path) == []
