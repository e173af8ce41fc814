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


def _analyzed_lines(root: Path) -> int:
    count = 0

    def trace(frame: Any, event: str, arg: Any) -> Any:
        nonlocal count
        count += 1
        return trace

    sys.settrace(trace)
    try:
        analyze(root)
    finally:
        sys.settrace(None)
    return count


def _seeded_on_conflict(root: Path, inserts: int) -> Path:
    folder = root / "migrations"
    folder.mkdir(parents=True)
    rows = "".join(f"INSERT INTO seed (id, v) VALUES ({i}, 'v{i}') ON CONFLICT DO NOTHING;\n" for i in range(inserts))
    (folder / "20200101000000_seed.sql").write_text("CREATE TABLE seed (id int PRIMARY KEY, v text);\n" + rows)
    return root


def test_rows_inserted_on_conflict_cost_in_proportion(tmp_path: Path) -> None:
    # Each row inserted ON CONFLICT is looked up among the rows there are, not compared with each.
    few = _analyzed_lines(_seeded_on_conflict(tmp_path / "few", 1000))
    many = _analyzed_lines(_seeded_on_conflict(tmp_path / "many", 2000))
    assert many / few < 2.4, (few, many)


def test_on_conflict_sees_the_rows_as_they_are_then(tmp_path: Path) -> None:
    # The rows by key are made again once values change: an UPDATE of a key, a column renamed.
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "20200101000000_seed.sql").write_text(
        "CREATE TABLE seed (id int PRIMARY KEY, v text);\n"
        "INSERT INTO seed (id, v) VALUES (1, 'a'), (2, 'b') ON CONFLICT DO NOTHING;\n"
        "INSERT INTO seed (id, v) VALUES (2, 'b2') ON CONFLICT DO NOTHING;\n"  # there: not added
        "UPDATE seed SET id = 3 WHERE id = 2;\n"
        "INSERT INTO seed (id, v) VALUES (2, 'c'), (3, 'c3') ON CONFLICT DO NOTHING;\n"  # 2 is free now, 3 taken
        "DELETE FROM seed WHERE id = 1;\n"
        "INSERT INTO seed (id, v) VALUES (1, 'd') ON CONFLICT DO NOTHING;\n"  # deleted: added again
        "ALTER TABLE seed RENAME COLUMN id TO key;\n"
        "INSERT INTO seed (key, v) VALUES (1, 'e'), (4, 'f') ON CONFLICT DO NOTHING;\n")
    data = analyze(tmp_path).model.get("data", "seed")
    assert data is not None
    assert sorted((r.values["key"], r.values["v"]) for r in data.rows if r.alive) == [
        ("1", "'d'"), ("2", "'c'"), ("3", "'b'"), ("4", "'f'")]
