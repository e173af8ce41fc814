"""The plan of a history written from strings, one file each (for the tests of what a plan does),
and the set generate writes for one."""

from __future__ import annotations

from pathlib import Path

from tui.core.analysis import analyze
from tui.core.generate import generate
from tui.core.plan import Plan, build_plan


def plan_of(root: Path, *files: str) -> Plan:
    folder = root / "migrations"
    folder.mkdir(parents=True)
    for i, text in enumerate(files, 1):
        (folder / f"{i:04d}_m.sql").write_text(text)
    return build_plan(analyze(root, track_reads=True))


def write_history(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / "migrations").mkdir(parents=True, exist_ok=True)
        (root / "migrations" / name).write_text(text)
    return root


def generated_sql(root: Path) -> str:
    """The set generate writes (unproven), its files in order."""
    out = root / "out"
    generate(root, out=out)
    return "\n".join(p.read_text() for p in sorted(out.glob("*.sql")))
