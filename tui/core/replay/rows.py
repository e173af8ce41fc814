"""The rows migrations leave in tables: INSERT, UPDATE, DELETE, TRUNCATE, COPY, and what foreign keys do to them."""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import TRIGGER_TYPE_DELETE, TRIGGER_TYPE_INSERT, TRIGGER_TYPE_UPDATE, DropBehavior, OnConflictAction

from tui.core.model import DELETE, INSERT, TRUNCATE, UPDATE, Obj, Row
from tui.core.names import func_calls, sql
from tui.core.replay import written_through
from tui.core.replay.emptiness import certainly_empty, nothing_to_change, query_is_empty, rows_known, with_sources
from tui.core.replay.engine import Engine
from tui.core.replay.reads import relation_deps
from tui.core.replay.row_index import edited, matching, rows_by
from tui.core.replay.triggers import fire, fire_cascade
from tui.core.replay.where import is_constant, literal_value


def _table(rp: Engine, rv: ast.RangeVar, verb: str) -> Obj | None:
    _, name, t = rp.rel(rv, ("table", "view"))
    if t is None:
        rp.warn(f"{verb} on {name}, {rp.never_made(name)}")
        rp.unfollow(f"{verb} on a table unknown to the model")
    return t


def insert(rp: Engine, node: ast.InsertStmt) -> None:
    t = _table(rp, node.relation, "INSERT")
    if t is None:
        return
    family_rows(rp, t, node.relation, TRIGGER_TYPE_INSERT)
    d = rp.data(t)
    cols = [r.name for r in node.cols or ()] or list(t.attrs.get("columns", []))
    sel = node.selectStmt
    # RETURNING only reads the rows inserted (an ORM's INSERT ... RETURNING id): what it calls may do more.
    returning = getattr(node, "returningClause", None) or getattr(node, "returningList", None)
    returning = bool(returning) and bool(func_calls(returning))
    if (sel is not None and not sel.valuesLists and not returning and rp.stmt is not None
            and (ctes := with_sources(rp, node.withClause)) is not None and query_is_empty(rp, sel, ctes)):
        rp.no_effect(f"INSERT into {t.name} from a query over tables that hold no rows at this point")
        return
    guarded = _guarded_row(rp, sel) if node.withClause is None and sel is not None and not returning and rp.stmt is not None else None
    if guarded is False:
        rp.no_effect(f"INSERT into {t.name} of a row its WHERE [NOT] EXISTS keeps out: the rows it looks at are known")
        return
    if guarded is None and (node.withClause is not None or sel is None or not sel.valuesLists or returning):
        d.uncertain = "rows inserted from a query"
        fire(rp, t, event=TRIGGER_TYPE_INSERT)
        e = rp.event(d, INSERT, "rows from a query")
        rp.unfollow("INSERT from a query: the rows depend on the data", [t.key] + relation_deps(rp, sel))
        del e
        return
    # (A row of constants an EXISTS test lets in: the one row of its select list.)
    lists = sel.valuesLists or [[r.val for r in sel.targetList]]  # type: ignore[union-attr]
    e = rp.event(d, INSERT, f"{len(lists)} row(s)")
    fire(rp, t, event=TRIGGER_TYPE_INSERT)
    if isinstance(d.rows, tuple):
        d.rows = []
    rows = d.rows
    conflict = node.onConflictClause
    for values in lists:
        row = Row({c: sql(v) for c, v in zip(cols, values)}, e)
        if conflict is not None and _conflicts(rp, t, rows, row, conflict):
            continue
        rows.append(row)


def _guarded_row(rp: Engine, sel: Any) -> bool | None:
    """`SELECT <constants> WHERE [NOT] EXISTS (SELECT ... FROM t WHERE ...)`, the seed row written
    once however often the migration runs: whether it is inserted, where the model knows every
    row of t and can tell which the condition selects; None otherwise."""
    if (sel.fromClause or sel.valuesLists or sel.withClause is not None or sel.groupClause or sel.havingClause
            or sel.distinctClause or sel.limitCount is not None or getattr(sel.op, "name", "") != "SETOP_NONE"
            or not sel.targetList or not all(r.val is not None and is_constant(r.val) for r in sel.targetList)):
        return None
    test, negated = sel.whereClause, False
    if isinstance(test, ast.BoolExpr) and getattr(test.boolop, "name", "") == "NOT_EXPR" and len(args := test.args or ()) == 1:
        test, negated = args[0], True
    if not isinstance(test, ast.SubLink) or getattr(test.subLinkType, "name", "") != "EXISTS_SUBLINK":
        return None
    q = test.subselect
    source = q.fromClause or () if isinstance(q, ast.SelectStmt) else ()
    if (not isinstance(q, ast.SelectStmt) or q.withClause is not None or q.groupClause or q.havingClause
            or q.limitCount is not None or getattr(q.op, "name", "") != "SETOP_NONE" or len(source) != 1
            or not isinstance(source[0], ast.RangeVar)):
        return None
    _, _, u = rp.rel(source[0])
    if u is None or not rows_known(rp, u):
        return None
    d = rp.model.get("data", u.name)
    matched = matching(rp, d.rows if d is not None and d.exists and isinstance(d.rows, list) else [], q.whereClause)
    return None if matched is None else bool(matched) != negated


def _conflicts(rp: Engine, t: Obj, rows: list[Row], row: Row, conflict: ast.OnConflictClause) -> bool:
    """ON CONFLICT: does a live row share the conflict target's values (or any unique key's)?"""
    keys: list[list[str]] = []
    if conflict.infer is not None and conflict.infer.indexElems:
        keys.append([e.name for e in conflict.infer.indexElems if e.name])
    else:
        for k in sorted(rp.keys.of_table.get(t.key, ())):  # its keys, not every object of the history (or every foreign key to it) for each row
            c = rp.model.objects.get(k)
            if c is not None and c.type == "constraint" and c.parent == t.key and c.exists and c.contype in ("p", "u"):
                keys.append(c.attrs["columns"])
    for key in keys:
        if key and all(k in row.values for k in key):
            same = rows_by(rp, rows, tuple(key))[0].get(tuple(literal_value(row.values[k]) for k in key), ())
            if any(r.alive for r in same):
                if conflict.action == OnConflictAction.ONCONFLICT_UPDATE:
                    rp.warn("INSERT ... ON CONFLICT DO UPDATE: the row is kept as first inserted")
                return True
    return False


def update(rp: Engine, node: ast.UpdateStmt) -> None:
    t = _table(rp, node.relation, "UPDATE")
    if t is None:
        return
    family_rows(rp, t, node.relation, TRIGGER_TYPE_UPDATE)
    d = rp.data(t)
    live = any(r.alive for r in d.rows)
    if not live and nothing_to_change(rp, t, d, node):
        rp.no_effect(f"UPDATE of {t.name}, which holds no rows at this point")
        return
    fire(rp, t, live or not certainly_empty(rp, t), TRIGGER_TYPE_UPDATE)
    changed = {r.name for r in node.targetList or () if r.name} if rp.keys.update_actions else set()
    for c, child in referencing(rp, t, own=True) if rp.keys.update_actions else ():
        # ON UPDATE actions are not followed row by row: a key with one, over rows, may have acted.
        if getattr(c.node, "fk_upd_action", "a") not in ("c", "n", "d"):
            continue  # (most keys: their table's rows are not looked up)
        if (keys := c.attrs.get("ref_columns") or _primary_key(rp, t)) and not changed.intersection(keys):
            continue  # the columns it references keep their values: it does not fire
        cd = rp.model.get("data", child.name)
        if cd is not None and (cd.uncertain or any(r.alive for r in cd.rows)):
            acted(rp, c, t)
    sets = {r.name: r.val for r in node.targetList or () if r.name and not r.indirection}
    constant = all(is_constant(v) for v in sets.values()) and len(sets) == len(node.targetList or ())
    # (the rows are not looked through for values the model cannot follow anyway)
    matched = matching(rp, d.rows, node.whereClause) if constant and not node.fromClause else None
    if matched is None:
        rp.event(d, UPDATE, "rows changed by a condition the model cannot evaluate")
        if live:
            d.uncertain = "UPDATE with a condition or value the model cannot evaluate"
        return
    edited(rp, d.rows, sets)
    for r in matched:
        r.values.update({k: sql(v) for k, v in sets.items()})
    rp.event(d, UPDATE, f"{len(matched)} row(s)")


def delete(rp: Engine, node: ast.DeleteStmt) -> None:
    t = _table(rp, node.relation, "DELETE")
    if t is None:
        return
    family_rows(rp, t, node.relation, TRIGGER_TYPE_DELETE)
    d = rp.data(t)
    live = any(r.alive for r in d.rows)
    if not live and nothing_to_change(rp, t, d, node):
        rp.no_effect(f"DELETE from {t.name}, which holds no rows at this point")
        return
    fire_cascade(rp, t, live or not certainly_empty(rp, t))
    matched = matching(rp, d.rows, node.whereClause) if not node.usingClause else None
    e = rp.event(d, DELETE, "")
    everything = node.whereClause is None and not node.usingClause
    if matched is None:
        e.detail = "rows matching a condition the model cannot evaluate"
        if live:
            d.uncertain = "DELETE with a condition the model cannot evaluate"
    else:
        for r in matched:
            r.alive, r.removed_by = False, e
        e.detail = f"{len(matched)} row(s)"
    if matched or matched is None or everything or d.uncertain:  # (rows it does not know may match)
        cascade(rp, t, everything or certainly_empty(rp, t), set())


def family_rows(rp: Engine, t: Obj, rv: ast.RangeVar | None = None, event: int = 0) -> None:
    """A write to a table that inherits or is inherited from, or to a partition or partitioned
    table: its rows show through the others (an INSERT into the parent lands in a partition, a
    DELETE of the parent deletes the children's rows), which the model does not follow. None of
    them is known to hold only the rows the model has. So for a view written through (`rv`, the
    name written, and the statement's trigger `event`): the rows go to the tables under it, and
    to those a rule on it writes (written_through)."""
    todo, seen = [t] if t.attrs.get("family") else [], set()
    if rv is not None and (t.type == "view" or rp.rule_writes):
        # (the write lasts in them: a view left out later takes nothing of it along)
        todo = [*todo, *written_through.reached(rp, t, rv.relname or "", event)]
    while todo:
        o = todo.pop()
        if o.key in seen:
            continue
        seen.add(o.key)
        rp.data(o).uncertain = "rows that show through a parent, a partition, a child or a view: not followed across them"
        todo.extend(x for k in (*o.depends, *rp.rdeps.get(o.key, ())) if (x := rp.model.objects.get(k)) is not None
                    and x.type == "table" and x.exists and x.attrs.get("family"))


def referencing(rp: Engine, t: Obj, own: bool = False) -> list[tuple[Obj, Obj]]:
    """(foreign key, its table) for every live foreign key of another table that points at `t`
    (`own`: and of `t` itself, whose rows an action reaches too); found through dependencies,
    which follow renames."""
    out = []
    for key in list(rp.rdeps.get(t.key, ())):
        c = rp.model.objects.get(key)
        if (c is not None and c.type == "constraint" and c.contype == "f" and c.exists
                and t.key in c.depends and (own or c.parent != t.key)):
            child = rp.model.objects.get(c.parent)
            if child is not None:
                out.append((c, child))
    return out


def acted(rp: Engine, key: Obj, referenced: Obj, read: bool = True) -> None:
    """A foreign key's action reached rows (or may have): the plan keeps that life of it, and the
    table it references then, and the statement needs the key there (its DROP stays after; not
    `read` for a TRUNCATE: whatever its last life, the key carries it, and reading the key would
    bring back its earlier lives where a fold took them all)."""
    key.attrs.setdefault("acted", []).append(rp.stmt.seq if rp.stmt else -1)
    rp.model.acted_on.append((key, referenced))
    if read:
        rp.note_reads([key])


def _primary_key(rp: Engine, t: Obj) -> list[str]:
    """The columns of the table's primary key (what a foreign key naming no column references)."""
    return next((list(o.attrs.get("columns", ())) for k in sorted(rp.rdeps.get(t.key, ())) if (o := rp.model.objects.get(k)) is not None
                 and o.type == "constraint" and o.exists and o.contype == "p" and o.parent == t.key), [])


def cascade(rp: Engine, t: Obj, emptied: bool, seen: set[str]) -> None:
    """Rows of `t` were deleted: ON DELETE CASCADE, SET NULL and SET DEFAULT reach the rows of
    the tables whose foreign keys point at it. When `t` is left with no row the model knows
    which rows those are (every row whose key is set); otherwise it no longer knows their rows."""
    seen.add(t.key)
    for c, child in referencing(rp, t, own=True):
        action = getattr(c.node, "fk_del_action", "a")
        cd = rp.model.get("data", child.name)
        live = [r for r in cd.rows if r.alive] if cd is not None and cd.exists else []
        if action in ("c", "n", "d") and cd is not None and cd.exists and cd.uncertain:
            acted(rp, c, t)  # on rows it cannot see
        if action not in ("c", "n", "d") or not live:
            continue
        keyed = [key_set(child, r, c.attrs.get("columns", []), rp) for r in live]
        if not any(k is None or k for k in keyed):
            continue  # every row's key is NULL: no row of t is theirs
        # The key acted (or may have): the plan must not leave this life of it out.
        acted(rp, c, t)
        if not emptied or action == "d" or None in keyed:
            cd.uncertain = f"rows an ON DELETE action from {t.name} may have changed"  # type: ignore[union-attr]
            if child.key not in seen:
                cascade(rp, child, False, seen)
            continue
        hit = [r for r, k in zip(live, keyed) if k]
        if action == "c":
            e = rp.event(cd, DELETE, f"{len(hit)} row(s) by ON DELETE CASCADE from {t.name}")  # type: ignore[arg-type]
            for r in hit:
                r.alive, r.removed_by = False, e
            if child.key not in seen:
                cascade(rp, child, certainly_empty(rp, child), seen)
        else:
            rp.event(cd, UPDATE, f"{len(hit)} row(s) by ON DELETE SET NULL from {t.name}")  # type: ignore[arg-type]
            rp.row_keys.edits += 1
            for r in hit:
                r.values.update({k: "NULL" for k in c.attrs.get("columns", [])})


def truncate(rp: Engine, node: ast.TruncateStmt) -> None:
    for rv in node.relations or ():
        t = _table(rp, rv, "TRUNCATE")
        if t is None:
            continue
        family_rows(rp, t)
        d = rp.data(t)
        fire(rp, t, rows_affected=False)
        rp.truncations += 1  # a table may be known empty again: triggers must mark anew
        _truncate(rp, d, "all rows")
        if node.behavior == DropBehavior.DROP_CASCADE:
            _truncate_referencing(rp, t, {t.key})


def _truncate(rp: Engine, d: Obj, detail: str) -> None:
    e = rp.event(d, TRUNCATE, detail)
    for r in d.rows:
        if r.alive:
            r.alive, r.removed_by = False, e
    d.uncertain = ""


def _truncate_referencing(rp: Engine, t: Obj, seen: set[str]) -> None:
    """TRUNCATE ... CASCADE empties every table whose foreign keys point at a truncated one."""
    for c, child in referencing(rp, t):
        d = rp.data(child)
        if d.uncertain or any(r.alive for r in d.rows):
            acted(rp, c, t, read=False)  # (the key carried the TRUNCATE to rows: this life of it stays)
        if child.key in seen:
            continue
        seen.add(child.key)
        fire(rp, child, rows_affected=False)
        _truncate(rp, d, f"all rows, by TRUNCATE ... CASCADE of {t.name}")
        _truncate_referencing(rp, child, seen)


def copy(rp: Engine, node: ast.CopyStmt) -> None:
    keys = []
    if node.relation is not None:
        _, _, t = rp.rel(node.relation)
        if t is not None and not node.is_from:
            rp.no_effect("COPY TO only reads")
            return
        if t is not None:
            d = rp.data(t)
            d.uncertain = "rows loaded by COPY"
            rp.event(d, INSERT, "rows loaded by COPY")  # (the table holds rows from here: what folds before them sees it)
            fire(rp, t)
            keys.append(t.key)
    # Rows written after it (Flyway streams them) are loaded as they are: the model does not read them.
    inline = rp.stmt is not None and rp.stmt.copy_rows is not None
    rp.unfollow("COPY: its rows are loaded as written after it" if inline else "COPY: rows come from outside the SQL", keys)


def key_set(child: Obj, r: Row, columns: list[str], rp: Any) -> bool | None:
    """Is every column of a foreign key set in this row? None when the model cannot tell."""
    for col in columns:
        v = r.values.get(col)
        if v is None:
            o = rp.model.get("column", f"{child.name}.{col}")
            if o is None or o.attrs.get("default") is not None:
                return None  # a default the model does not evaluate
            return False
        if literal_value(v).upper() == "NULL":
            return False
    return bool(columns)
