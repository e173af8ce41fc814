"""The plan of a history written from strings, one file each (for the tests of what a plan does)."""

from __future__ import annotations

from pathlib import Path

from tui.core.analysis import analyze
from tui.core.plan import Plan, build_plan


def plan_of(root: Path, *files: str) -> Plan:
    folder = root / "migrations"
    folder.mkdir(parents=True)
    for i, text in enumerate(files, 1):
        (folder / f"{i:04d}_m.sql").write_text(text)
    return build_plan(analyze(root, track_reads=True))
