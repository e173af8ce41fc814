"""Whether a table surely holds no row, and whether a query surely returns none."""

from __future__ import annotations

import re
from typing import Any

from pglast import ast

from tui.core.model import Obj
from tui.core.names import func_calls, strings, walk
from tui.core.replay.engine import SEQUENCE_CALLS, SIDE_EFFECT_CALLS, Engine

# Aggregates return a row even over no rows.
_AGGREGATE = re.compile(r"(count|sum|min|max|avg|array_agg|string_agg|json_agg|jsonb_agg|json_object_agg|"
                        r"jsonb_object_agg|bool_and|bool_or|every|xmlagg|bit_and|bit_or|stddev|variance|percentile_cont|percentile_disc|mode)\(", re.I)
_WRITING_CALLS = SIDE_EFFECT_CALLS | SEQUENCE_CALLS


def nothing_to_change(rp: Engine, t: Obj, d: Obj, node: Any) -> bool:
    """True when an UPDATE or DELETE surely meets no row."""
    if rp.stmt is None or rp.stmt.parent is not None or not certainly_empty(rp, t):
        return False
    if with_sources(rp, node.withClause) is None or getattr(node, "returningList", None) or getattr(node, "returningClause", None):
        return False
    for key in rp.rdeps.get(t.key, ()):
        trig = rp.model.objects.get(key)
        if trig is not None and trig.type == "trigger" and trig.exists and not getattr(trig.node, "row", True):
            return False  # a statement-level trigger fires on no rows too
    return True


def certainly_empty(rp: Engine, t: Obj) -> bool:
    """The model knows every row the table got, none is left, and nothing it cannot follow (a
    trigger's body, dynamic SQL, COPY) may have added one."""
    d = rp.model.get("data", t.name)
    return rows_known(rp, t) and not (d is not None and d.exists and any(r.alive for r in d.rows))


def rows_known(rp: Engine, t: Obj) -> bool:
    """The model knows every row the table holds: it followed each, and nothing it cannot follow
    (a trigger's body, dynamic SQL, COPY) may have added or changed one."""
    if t.type != "table" or rp.blind:
        return False
    d = rp.model.get("data", t.name)
    if d is not None and d.exists and d.uncertain:
        return False
    return t.key not in rp.unfollowed_keys and t.name.rsplit(".", 1)[-1].lower() not in rp.unfollowed_words


def query_is_empty(rp: Engine, query: Any, ctes: dict[str, bool] | None = None) -> bool:
    """True when a SELECT surely returns no row: it reads FROM a table that holds none (through
    joins that keep no row of their own), and nothing (an aggregate without GROUP BY, VALUES, a
    row-making function) makes a row out of nothing. `ctes`: the WITH queries around it (with_sources)."""
    return _no_rows(rp, query, ctes or {})


def with_sources(rp: Engine, clause: Any) -> dict[str, bool] | None:
    """The WITH queries of an INSERT, UPDATE or DELETE, each whether it surely returns no row; None
    where one may do more than return rows: a data-modifying or recursive one, or one that may
    return rows and calls what could write (a function of the history's, nextval), as the
    planner may read it whole however few rows the statement needs."""
    if clause is None:
        return {}
    if clause.recursive:
        return None
    ctes: dict[str, bool] = {}
    for cte in clause.ctes or ():
        q = cte.ctequery
        if not isinstance(q, ast.SelectStmt):
            return None
        empty = _no_rows(rp, q, ctes)
        if not empty and any(rp.functions_called(c) or c.rsplit(".", 1)[-1].lower() in _WRITING_CALLS
                             for c in func_calls(q)):
            return None
        ctes[cte.ctename] = empty
    return ctes


def _no_rows(rp: Engine, q: Any, ctes: dict[str, bool]) -> bool:
    if not isinstance(q, ast.SelectStmt):
        return False
    if q.withClause is not None:
        if q.withClause.recursive:
            return False
        ctes = dict(ctes)
        for cte in q.withClause.ctes or ():
            if not isinstance(cte.ctequery, ast.SelectStmt):
                return False  # a data-modifying CTE runs whatever the result
            ctes[cte.ctename] = _no_rows(rp, cte.ctequery, ctes)
    op = getattr(q.op, "name", str(q.op))
    if op == "SETOP_UNION":
        return _no_rows(rp, q.larg, ctes) and _no_rows(rp, q.rarg, ctes)
    if op == "SETOP_INTERSECT":
        return _no_rows(rp, q.larg, ctes) or _no_rows(rp, q.rarg, ctes)
    if op == "SETOP_EXCEPT":
        return _no_rows(rp, q.larg, ctes)
    if q.valuesLists or not q.fromClause:
        return False
    if any(isinstance(g, ast.GroupingSet) for g in q.groupClause or ()):
        return False  # GROUP BY () and its kin make a row over no rows
    if not q.groupClause and (q.havingClause is not None or _aggregates(rp, q.targetList)):
        return False  # one row over no rows
    return any(_from_empty(rp, f, ctes) for f in q.fromClause)


def _from_empty(rp: Engine, f: Any, ctes: dict[str, bool]) -> bool:
    if isinstance(f, ast.RangeVar):
        if not f.schemaname and f.relname in ctes:
            return ctes[f.relname]
        _, _, t = rp.rel(f)
        return t is not None and certainly_empty(rp, t)
    if isinstance(f, ast.RangeSubselect):
        return not f.lateral and _no_rows(rp, f.subquery, ctes)
    if isinstance(f, ast.JoinExpr):
        kind = getattr(f.jointype, "name", str(f.jointype))
        left, right = _from_empty(rp, f.larg, ctes), _from_empty(rp, f.rarg, ctes)
        return {"JOIN_INNER": left or right, "JOIN_LEFT": left, "JOIN_RIGHT": right}.get(kind, left and right)
    return False  # a function in FROM makes rows of its own


def _aggregates(rp: Engine, targets: Any) -> bool:
    """Does the select list call an aggregate of its own (not inside a subquery)?"""
    return any(isinstance(n, ast.FuncCall) and n.over is None and (
                   n.agg_star or n.agg_distinct or n.agg_order or n.agg_filter is not None
                   or _AGGREGATE.fullmatch(strings(n.funcname)[-1] + "(") or rp.user_aggregates)
               for n in walk(targets or (), skip=ast.SubLink))
