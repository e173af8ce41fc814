"""A seed table written by thousands of INSERTs and emptied later: planning it grows with the
number of INSERTs, not with its square.

Counted in lines run (a trace's count is the same on every run, whatever the machine's load),
comprehensions included: a step that looks through every row of the table for each of its
statements makes the count at twice the INSERTs four times as large.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from tui.core.analysis import analyze
from tui.core.plan import build_plan


def _seeded(root: Path, inserts: int) -> Path:
    folder = root / "migrations"
    folder.mkdir(parents=True)
    (folder / "20200101000000_init.sql").write_text("CREATE TABLE seed (id serial PRIMARY KEY, v text);\n")
    for i in range(inserts):
        (folder / f"{20200101000001 + i}_seed.sql").write_text(f"INSERT INTO seed (v) VALUES ('v{i}');\n")
    (folder / f"{20200101000001 + inserts}_empty.sql").write_text("DELETE FROM seed;\n")
    return root


def _lines(root: Path) -> tuple[int, int]:
    analysis = analyze(root, track_reads=True)
    count = 0

    def trace(frame: Any, event: str, arg: Any) -> Any:
        nonlocal count
        count += 1
        return trace

    sys.settrace(trace)
    try:
        plan = build_plan(analysis)
    finally:
        sys.settrace(None)
    return count, len(plan.items)


def test_rows_inserted_one_statement_at_a_time_cost_in_proportion(tmp_path: Path) -> None:
    few, kept_few = _lines(_seeded(tmp_path / "few", 300))
    many, kept_many = _lines(_seeded(tmp_path / "many", 600))
    assert kept_few == kept_many == 1  # the rows are all gone: only the CREATE TABLE stays
    assert many / few < 2.4, (few, many)
