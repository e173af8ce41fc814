"""Runs of INSERT ... VALUES into one table become one multi-row INSERT."""

from __future__ import annotations

import re
from typing import Any

from pglast import ast

from tui.core.names import set_rows, shallow
from tui.core.plan.items import MERGE, Item
from tui.core.plan.planner import Planner

_SUBQUERY = re.compile(r"\bselect\b", re.IGNORECASE)
_WORD = re.compile(r"\w+")


def _insert_shape(it: Item, triggered: set[str]) -> tuple[str, str, tuple[str, ...], tuple[int, ...]] | None:
    """What two INSERTs must share to become one: table, group, columns and row width (plain VALUES
    only). `triggered`: the names of the tables that have or had triggers."""
    n = it.node
    # (A RETURNING is no bar: what a migration's statement returns, its runner drops.)
    if (not isinstance(n, ast.InsertStmt) or it.stmt.parent is not None or n.onConflictClause is not None
            or n.withClause is not None or n.selectStmt is None or not n.selectStmt.valuesLists or n.override):
        return None
    rel = n.relation
    if rel is None or rel.relname is None:
        return None
    name = rel.relname
    if _SUBQUERY.search(it.stmt.text) and (name in triggered or _WORD.findall(it.stmt.text.lower()).count(name.lower()) > 1):
        # A subquery reading the table (or what its triggers write) sees it as the statement found
        # it: without the rows of the INSERTs merged before it.
        return None
    # (Without a column list, rows of another length fill other columns: a column added between.)
    widths = {len(row) for row in n.selectStmt.valuesLists}
    return (f"{rel.schemaname or ''}.{name}", it.group, tuple(c.name for c in n.cols or ()), tuple(sorted(widths)))


def merge_inserts(items: list[Item], p: Planner) -> list[Item]:
    """Runs of INSERT ... VALUES into one table, one after the other, become one multi-row INSERT:
    the same rows in the same order (serial ids too), one statement to read instead of hundreds.
    Not where a statement-level trigger would fire a different number of times, nor across comments
    or the edge of a run of statements that must stay together in their file."""
    statement_triggers = {o.parent for o in p.m.objects.values() if o.type == "trigger" and o.exists
                          and not getattr(o.node, "row", True)}
    # (By every name the table had: an INSERT names it as it was then.)
    triggered = {n.rsplit(".", 1)[-1] for o in p.m.objects.values() if o.type == "trigger" and o.parent
                 for t in (p.m.objects.get(o.parent),) for n in ((t.name, *t.former_names) if t is not None else (o.parent.split(":", 1)[-1],))}
    out: list[Item] = []
    rows: dict[int, tuple[Item, list[Any]]] = {}  # id() of an INSERT rows were merged into -> it, all its rows
    run_shape = None
    for it in items:
        shape = _insert_shape(it, triggered) if it.seq not in p.pinned else None
        prev = out[-1] if out else None
        # (Nor into or out of a run that must stay in its file: a SET LOCAL's, a temporary table's.)
        if (shape is not None and prev is not None and shape == run_shape and not it.stmt.comments
                and not it.folded and not it.notes and prev.unit == it.unit):
            table = p.m.get("table", it.node.relation.relname) if not it.node.relation.schemaname else None
            if table is None or table.key not in statement_triggers:
                if not prev.merged:  # the first rows appended: the history's own tree stays as parsed
                    prev.node = shallow(prev.node)
                    prev.node.selectStmt = shallow(prev.node.selectStmt)
                    for returning in ("returningList", "returningClause"):
                        if getattr(prev.node, returning, None):
                            setattr(prev.node, returning, None)
                    prev.changed = True
                rows.setdefault(id(prev), (prev, list(prev.node.selectStmt.valuesLists)))[1].extend(it.node.selectStmt.valuesLists)
                prev.merge(it.stmt)
                p.record(MERGE, it.stmt, prev.stmt, [])
                prev.writes |= it.writes
                p.dropped[it.seq] = f"rows merged into the INSERT at {prev.stmt.file}:{prev.stmt.line}"
                continue
        run_shape = shape
        out.append(it)
    for it, merged in rows.values():  # (set once: a tuple made again at each row is quadratic)
        set_rows(it.node.selectStmt, merged)
    return out
