"""Statements whose trees nest deeper than the plan can print again (pglast's printer recurses a few
frames a level: a 1,000-term `a || b || ...` ran out of Python's stack in generate): written as they are."""

from __future__ import annotations

from pathlib import Path

from tui.core.generate import generate
from tui.core.names import deeper_than
from tui.core.parse import parse_sql

_TERMS = 1000
_DEFAULT = "ALTER TABLE t ADD COLUMN b text DEFAULT (" + " || ".join(f"'y{i}'" for i in range(_TERMS)) + ")"


def _history(root: Path) -> None:
    (root / "migrations").mkdir()
    (root / "migrations" / "001_make.sql").write_text("CREATE TABLE t (id int PRIMARY KEY, a text);\n")
    (root / "migrations" / "002_more.sql").write_text(
        f"{_DEFAULT};\nALTER TABLE t ADD COLUMN c int;\nCREATE INDEX t_a ON t (a);\nALTER INDEX t_a RENAME TO t_a_idx;\n")


def test_a_statement_nested_too_deep_is_written_as_it_is(tmp_path: Path) -> None:
    _history(tmp_path)
    result = generate(tmp_path)
    written = "".join(f.text for f in result.files)
    assert f"{_DEFAULT};" in written  # (not folded into the CREATE TABLE, which would print it again)
    assert result.plan.too_deep == result.to_json()["too_deep"] == ["migrations/002_more.sql:1"]  # (and said so)
    # The rest still folds: the index is made under its last name.
    assert "RENAME" not in written and "CREATE INDEX t_a_idx ON t" in written


def test_how_deep_a_tree_nests() -> None:
    def node(sql: str) -> object:
        return parse_sql(sql)[0].stmt

    assert deeper_than(node("SELECT " + " || ".join(["'y'"] * 150)), 100)
    assert not deeper_than(node("SELECT " + ", ".join(["'y'"] * 500)), 100)  # (wide is not deep)
    assert not deeper_than(node("SELECT 1"), 100) and deeper_than(node("SELECT 1"), 2)
