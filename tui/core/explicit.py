"""The columns a history wrote values into by name (INSERT's column list, UPDATE's SET): a
column whose default is a clock or a random call still holds what such a statement wrote, so
validate compares it there instead of leaving it out."""

from __future__ import annotations

from pglast import ast

from tui.core.parse import Statement


def _table(rel: ast.RangeVar | None) -> str:
    if rel is None or not rel.relname:
        return ""
    return rel.relname if rel.schemaname in (None, "public") else f"{rel.schemaname}.{rel.relname}"


def explicit_columns(statements: list[Statement]) -> frozenset[tuple[str, str]]:
    """(table, column) as the catalog names them, for every column a statement wrote by name."""
    out: set[tuple[str, str]] = set()
    for st in statements:
        node = st.node
        if isinstance(node, ast.InsertStmt):
            table = _table(node.relation)
            out |= {(table, c.name) for c in node.cols or () if isinstance(c, ast.ResTarget) and c.name}
        elif isinstance(node, ast.UpdateStmt):
            table = _table(node.relation)
            out |= {(table, c.name) for c in node.targetList or () if isinstance(c, ast.ResTarget) and c.name}
    return frozenset((t, c) for t, c in out if t)
