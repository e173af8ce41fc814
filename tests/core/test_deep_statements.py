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


def _depth(n: object, depth: int = 1) -> int:
    """How deep nodes nest below `n`, by a plain walk of every node (lists not counted)."""
    from pglast import ast

    from tui.core.names import _child_slots

    if isinstance(n, (tuple, list)):
        return max((_depth(x, depth) for x in n), default=0)
    if not isinstance(n, ast.Node):
        return 0
    below = [_depth(v, depth + 1) for attr in _child_slots(type(n)) if (v := getattr(n, attr)) is not None]
    return max([depth, *below])


def test_the_nodes_not_walked_nest_no_deeper_than_said() -> None:
    """Column references, relations and type names are not walked where they cannot reach the
    limit: at every limit the answer is a full walk's."""
    for sql in ("SELECT x.a, b.* FROM s.t AS x (a, b, c) JOIN u ON u.id = x.a",
                "CREATE TABLE t (a varchar(255), b numeric(10, 2)[], c s.ty, d int DEFAULT (1 + 2) * 3 CHECK (d > 0))",
                "CREATE TABLE t (a foo(ARRAY[ARRAY[1, 2]], 3))",  # (a modifier the grammar takes and PostgreSQL refuses later)
                "INSERT INTO s.t AS x (a) SELECT a::varchar(10) FROM u WHERE a = ANY (ARRAY[1, 2])"):
        node = parse_sql(sql)[0].stmt
        deepest = _depth(node)
        for levels in range(1, deepest + 2):
            assert deeper_than(node, levels) == (deepest > levels), (sql, levels, deepest)
