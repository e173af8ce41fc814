"""The statements a candidate writes in another order than the history: where the proof finds
no fold to blame, it keeps some of them in the history's order (tui/pg/proof.py bisects them)."""

from __future__ import annotations

from pathlib import Path

from tests.core.plans import plan_of
from tui.core.blame import keep_order, moved_statements
from tui.core.proof import Candidate


def test_a_statement_written_ahead_and_those_it_passed_are_moved(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n",
                   "CREATE TYPE mood AS ENUM ('x');\nALTER TABLE a ADD COLUMN m mood;\nCREATE TABLE c (id int);\n")
    order = [it.stmt.seq for it in plan.items]
    assert order == [2, 0, 1, 4]  # the type ahead of the tables its column folds into; c where it stood
    assert moved_statements(Candidate(plan, [], tmp_path)) == [0, 1, 2]


def test_a_plan_in_the_history_order_moves_nothing(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, "CREATE TABLE a (id int);\nALTER TABLE a ADD COLUMN b int;\nCREATE TABLE c (id int);\n")
    assert moved_statements(Candidate(plan, [], tmp_path)) == []


def test_keeping_them_in_order_pins_them_and_says_where(tmp_path: Path) -> None:
    from tui.core.analysis import analyze

    plan_of(tmp_path, "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\nCREATE TABLE c (id int);\nCREATE TABLE d (id int);\n")
    remedy = keep_order(analyze(tmp_path), [0, 1, 2, 3], "a reason")
    assert remedy.adjust.pinned == frozenset({0, 1, 2, 3})
    assert remedy.changes == [("kept in the history's order: migrations/0001_m.sql:1, migrations/0001_m.sql:2, "
                               "migrations/0001_m.sql:3 and 1 more (a reason)")]
