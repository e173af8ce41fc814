"""A seed table written by thousands of INSERTs (ON CONFLICT, updated and deleted by key) and
emptied later: analyzing and planning it grows with the number of statements, not with its square.

Counted in lines run (a trace's count is the same on every run, whatever the machine's load),
comprehensions included: a step that looks through every row of the table for each of its
statements makes the count at twice the INSERTs four times as large.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from tui.core.analysis import analyze
from tui.core.model import Row
from tui.core.parse import parse_sql
from tui.core.plan import build_plan
from tui.core.replay import Replayer
from tui.core.replay.row_index import edited, matching
from tui.core.replay.where import matching_rows

T = TypeVar("T")


def _seeded(root: Path, inserts: int) -> Path:
    folder = root / "migrations"
    folder.mkdir(parents=True)
    (folder / "20200101000000_init.sql").write_text("CREATE TABLE seed (id serial PRIMARY KEY, v text);\n")
    for i in range(inserts):
        (folder / f"{20200101000001 + i}_seed.sql").write_text(f"INSERT INTO seed (v) VALUES ('v{i}');\n")
    (folder / f"{20200101000001 + inserts}_empty.sql").write_text("DELETE FROM seed;\n")
    return root


def _traced(run: Callable[[], T]) -> tuple[int, T]:
    """Lines run by `run()`, and what it returned."""
    count = 0

    def trace(frame: Any, event: str, arg: Any) -> Any:
        nonlocal count
        count += 1
        return trace

    sys.settrace(trace)
    try:
        out = run()
    finally:
        sys.settrace(None)
    return count, out


def _lines(root: Path) -> tuple[int, int]:
    analysis = analyze(root, track_reads=True)
    count, plan = _traced(lambda: build_plan(analysis))
    return count, len(plan.items)


def test_rows_inserted_one_statement_at_a_time_cost_in_proportion(tmp_path: Path) -> None:
    few, kept_few = _lines(_seeded(tmp_path / "few", 300))
    many, kept_many = _lines(_seeded(tmp_path / "many", 600))
    assert kept_few == kept_many == 1  # the rows are all gone: only the CREATE TABLE stays
    assert many / few < 2.4, (few, many)


def _analyzed_lines(root: Path) -> int:
    return _traced(lambda: analyze(root))[0]


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


def _seeded_then_updated(root: Path, rows: int) -> Path:
    folder = root / "migrations"
    folder.mkdir(parents=True)
    sql = ["CREATE TABLE seed (id int PRIMARY KEY, a int);"]
    sql += [f"INSERT INTO seed (id, a) VALUES ({i}, {i});" for i in range(rows)]
    sql += [f"UPDATE seed SET a = {i + 1} WHERE id = {i};" for i in range(rows)]
    sql += [f"DELETE FROM seed WHERE id = {i};" for i in range(0, rows, 2)]
    (folder / "20200101000000_seed.sql").write_text("\n".join(sql) + "\n")
    return root


def test_rows_updated_and_deleted_by_key_cost_in_proportion(tmp_path: Path) -> None:
    few = _analyzed_lines(_seeded_then_updated(tmp_path / "few", 500))
    many = _analyzed_lines(_seeded_then_updated(tmp_path / "many", 1000))
    assert many / few < 2.4, (few, many)


def test_rows_found_by_the_index_are_those_every_row_asked_gives() -> None:
    # `column = constant` looks rows up by value; the rows must be exactly those found by asking
    # each row, as values change, rows go and a row without the column arrives.
    rnd = random.Random(7)
    rp = Replayer()
    rows = [Row({"id": str(i), "a": f"'{i % 5}'::text"}, None) for i in range(60)]  # type: ignore[arg-type]
    conditions = ["id = 3", "7 = id", "a = '2'", "a = '2'::text", "id = '4'::int", "a <> '1'", "id = 3 AND a = '3'", "id IN (1, 2)",
                  "a IS NULL"]
    wheres = [parse_sql(f"SELECT 1 WHERE {c}")[0].stmt.whereClause for c in conditions] + [None]
    for step in range(300):
        where = rnd.choice(wheres)
        assert matching(rp, rows, where) == matching_rows([r for r in rows if r.alive], where), (step, conditions)
        move = rnd.random()
        if move < 0.3:
            r = rnd.choice(rows)
            column = rnd.choice(["id", "a"])
            edited(rp, rows, [column])
            r.values[column] = str(rnd.randrange(10))
        elif move < 0.5:
            rnd.choice(rows).alive = False
        elif move < 0.55:
            rows.append(Row({"a": "'9'"}, None))  # type: ignore[arg-type]  # no id: `id = ...` cannot be told
        else:
            rows.append(Row({"id": str(rnd.randrange(80)), "a": f"'{rnd.randrange(5)}'"}, None))  # type: ignore[arg-type]
