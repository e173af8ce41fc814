"""The rows of a table by the values of some of their columns, kept as rows are added: ON CONFLICT
and `WHERE column = constant` look a row up instead of asking every row (10,000 seed rows each
inserted ON CONFLICT, or each updated by its id, were quadratic: 44 s and minutes)."""

from __future__ import annotations

from typing import Any

from pglast import ast

from tui.core.model import Row
from tui.core.names import sql, strings
from tui.core.replay.engine import Engine
from tui.core.replay.where import literal_value, matching_rows

Index = dict[tuple[str | None, ...], list[Row]]


def rows_by(rp: Engine, rows: list[Row], key: tuple[str, ...]) -> tuple[Index, int]:
    """`rows` (live or not) by their values in `key`'s columns, and how many lack one of those
    columns (they are not in it). Made once, given the rows added since at each ask, and made
    again once a value in those columns changed (`edited`), or any row's columns did (`RowKeys.edits`)."""
    keys = rp.row_keys
    stamp = (keys.edits, *(keys.col_edits.get((id(rows), k), 0) for k in key))
    entry = keys.index.get((id(rows), key))
    if entry is None or entry[0] != stamp or entry[3] is not rows:  # (it holds the list: its id is not reused)
        entry = keys.index[(id(rows), key)] = [stamp, 0, {}, rows, 0]
    index: Index = entry[2]
    for i in range(entry[1], len(rows)):
        values = rows[i].values
        if all(k in values for k in key):
            index.setdefault(tuple(literal_value(values[k]) for k in key), []).append(rows[i])
        else:
            entry[4] += 1
    entry[1] = len(rows)
    return index, entry[4]


def edited(rp: Engine, rows: list[Row], columns: Any) -> None:
    """An UPDATE is about to change `columns` in some of `rows`: what is indexed by them is made again."""
    col_edits = rp.row_keys.col_edits
    for k in columns:
        col_edits[(id(rows), k)] = col_edits.get((id(rows), k), 0) + 1


def matching(rp: Engine, rows: list[Row], where: Any) -> list[Row] | None:
    """The live rows `where` selects, as `matching_rows` finds them: by the index where the
    condition is only `column = constant` and every row has that column (one that lacks it
    cannot be evaluated: asked of every row, the answer is None)."""
    equal = _column_equals(where)
    if equal is not None and rows:
        index, lacking = rows_by(rp, rows, (equal[0],))
        if not lacking:
            return [r for r in index.get((equal[1],), ()) if r.alive]
    return matching_rows([r for r in rows if r.alive], where)


def _column_equals(where: Any) -> tuple[str, str | None] | None:
    """(column, the constant's value) of a condition that is only `column = constant` (either way round)."""
    if not isinstance(where, ast.A_Expr) or getattr(where.kind, "name", "") != "AEXPR_OP" or strings(where.name) != ["="]:
        return None
    for column, constant in ((where.lexpr, where.rexpr), (where.rexpr, where.lexpr)):
        while isinstance(constant, ast.TypeCast):
            constant = constant.arg
        if isinstance(column, ast.ColumnRef) and column.fields and isinstance(column.fields[-1], ast.String) \
                and isinstance(constant, ast.A_Const):
            return column.fields[-1].sval, literal_value(sql(constant))
    return None
