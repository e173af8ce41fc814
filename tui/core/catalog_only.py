"""Statements the model does not follow that change only the catalog entry they name: no table's
columns, no rows, no code run (a publication and its tables, extended statistics, a comment on an
object the model does not know). Kept as written where they stand, they read the tables they name
and hold nothing else back: a column added later still folds into its CREATE TABLE past them (a
Supabase history adds each table to its realtime publication as it makes it)."""

from __future__ import annotations

from typing import Any

from pglast import ast

# (Not what names such an object alone, ALTER STATISTICS, DROP STATISTICS or PUBLICATION: it names
# none of the tables it needs, and a DROP COLUMN or DROP TABLE takes extended statistics along.
# Kept in the history's order, it stays before them.)
_ONLY = (ast.CreatePublicationStmt, ast.AlterPublicationStmt, ast.CreateStatsStmt, ast.CommentStmt)


def catalog_only(node: Any) -> bool:
    return isinstance(node, _ONLY)


def columns_named_of(node: Any) -> list[ast.RangeVar]:
    """The tables whose columns such a statement names: a publication's tables with a column list
    or a row filter, the table of extended statistics."""
    if isinstance(node, ast.CreateStatsStmt):
        return [rv for rv in node.relations or () if isinstance(rv, ast.RangeVar)]
    if isinstance(node, ast.CreatePublicationStmt | ast.AlterPublicationStmt):
        return [spec.pubtable.relation for spec in node.pubobjects or ()
                if spec.pubtable is not None and (spec.pubtable.columns or spec.pubtable.whereClause)]
    return []
