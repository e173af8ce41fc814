"""Constant UPDATEs of rows an INSERT ... VALUES wrote: the new values written in the INSERT.

A seed row set, then changed by later migrations (a version bumped each release, a display name
given to each permission), is written once, with the values it ends with. Only where the plan
knows every row of the table when the UPDATE runs: from the table's CREATE on, in the order of the
new set, only INSERTs of literal rows (and such UPDATEs) touched it, nothing that may run code
stood between, and neither trigger, rule, child table nor foreign key reaches it. Which rows an
UPDATE changes is decided on literal values of text, integer and boolean columns; any doubt keeps
the UPDATE as written. Each UPDATE folded is a fold the proof can back off on its own.
"""

from __future__ import annotations

import heapq
from dataclasses import replace
from typing import Any

from pglast import ast
from pglast.enums import A_Expr_Kind, BoolExprType, NullTestType
from pglast.enums import AlterTableType as AT
from pglast.enums import ConstrType as CT

from tui.core.model import CREATE
from tui.core.names import strings
from tui.core.parse import parse_sql
from tui.core.plan.items import EXISTENCE_ONLY, Item
from tui.core.plan.planner import Planner
from tui.core.plan.row_text import constant, edited_insert, insert_layout, set_values
from tui.core.replay.state import WORD

UPDATED = "update_into_insert"  # a fold of the plan's own: an UPDATE's values written in the rows it changed
# Column types whose equality is that of the literal's value (text compares byte for byte under a
# deterministic collation; a uuid, a timestamp or a numeric has more than one spelling).
_TEXT = frozenset(("text", "varchar"))
_MOST_ROWS = 300  # rows of one table followed: each UPDATE is matched against all of them
_INT = frozenset(("int2", "int4", "int8"))
_BOOL = frozenset(("bool",))


class _Unknown(Exception):
    """Whether a row matches cannot be told from its literal values."""


def fold_updates(items: list[Item], p: Planner) -> list[Item]:
    """Fold constant UPDATEs into the literal rows they change; returns the items left."""
    # Only tables seeded by INSERT ... VALUES and changed by an UPDATE of constants are followed, up to
    # the last such UPDATE (a history of 100,000 statements has few).
    seeded = {t for it in items if isinstance(it.node, ast.InsertStmt) and it.node.cols and it.node.selectStmt is not None
              and getattr(it.node.selectStmt, "valuesLists", None) and (t := _target(p, it)) is not None}
    last = {t: i for i, it in enumerate(items) if isinstance(it.node, ast.UpdateStmt) and it.node.targetList
            and all(constant(r.val) for r in it.node.targetList) and (t := _target(p, it)) in seeded}
    if not last or any(isinstance(st.node, ast.RuleStmt) for st in p.a.parsed.statements):
        return items
    unfollowed = {u.stmt.seq for u in p.m.unfollowable} | {u.stmt.parent.seq for u in p.m.unfollowable if u.stmt.parent}
    # Any collation made by the history may be nondeterministic: text equality is not byte equality.
    if any(o.type == "collation" for o in p.m.objects.values()):
        return items
    tracked: dict[str, list[Item]] = {}  # table key -> the INSERTs that hold all its rows, in order
    owned = _owners(p, set(last))
    reached, keys = _reached(p)
    bodies: dict[str, set[str]] = {}  # function key -> the words of its body
    types: dict[str, set[str]] = {}  # table key -> the types and domains of its columns
    out: list[Item] = []
    ends: list[tuple[int, str]] = []  # (the last UPDATE's position, table) of each table tracked: a heap
    for i, it in enumerate(items):
        node = it.node
        while ends and ends[0][0] < i:
            tracked.pop(heapq.heappop(ends)[1], None)  # (no UPDATE of it is left to fold)
        key = _created(p, it) if isinstance(node, ast.CreateStmt) else None
        if not tracked and key not in last:
            out.append(it)
            continue
        touched = {t for k in it.reads | it.writes for t in owned.get(k.split(":", 1)[-1] if k[0] == "@" else k, ())}
        if it.stmt.seq in unfollowed or (it.folded and any(s.seq in unfollowed for s in it.folded)):
            # What the model does not follow reads or writes the tables it names (dynamic SQL: any).
            words = _words(it.stmt.text)
            if "execute" in words:
                tracked.clear()
            touched |= {t for t in tracked if _local(t) in words}
        if not isinstance(node, EXISTENCE_ONLY) and (ran := _ran(p, it, bodies)) is not None:
            if "execute" in ran:  # (or what no body tells: a C function's)
                tracked.clear()
            # What it runs reads or writes the tables its bodies name.
            touched |= {t for t in tracked if _local(t) in ran}
        if changed := {k for k in it.writes if k.startswith(("type:", "domain:"))}:
            # A label added to an enum, a domain's check changed: a value set after it may not be before it.
            touched |= {t for t in tracked if types[t] & changed}
        if key in last and key not in reached and _plain(p, key):
            touched.discard(key)
            tracked[key] = []
            heapq.heappush(ends, (last[key], key))
            types[key] = {d for c in p.children(key) if c.type == "column" for d in c.depends if d.startswith(("type:", "domain:"))}
        if _keeps_rows(node) and not any(k.startswith("function:") for k in it.reads):
            touched.clear()  # (an index, a key or a comment on the table, a table referencing it: its rows stay)
        target = _target(p, it)
        if target in tracked and isinstance(node, ast.InsertStmt) and _literal_insert(it, p) \
                and sum(_rows(ins) for ins in tracked[target]) + _rows(it) <= _MOST_ROWS:
            tracked[target].append(it)
            touched.discard(target)
        elif target in tracked and isinstance(node, ast.UpdateStmt) and it.seq not in p.pinned and not it.changed \
                and not it.folded and _fold(p, it, target, tracked[target], keys.get(target, set())):
            where = ", ".join(f"{ins.stmt.file}:{ins.stmt.line}" for ins in tracked[target])
            p.dropped[it.stmt.seq] = f"its values written in the rows it changed ({where})" if where else "it changed no row"
            continue
        for t in touched:
            tracked.pop(t, None)
        out.append(it)
    return out


def _ran(p: Planner, it: Item, bodies: dict[str, set[str]]) -> set[str] | None:
    """The words of the bodies of the functions the item runs (its reads hold those they call),
    None where it runs none; "execute" where one runs dynamic SQL or has no body to read."""
    fns = [o for k in it.reads if k.startswith("function:") and (o := p.m.objects.get(k)) is not None]
    if not fns:
        return None
    out: set[str] = set()
    for f in fns:
        if f.key not in bodies:
            bodies[f.key] = _words(str(f.attrs.get("body", ""))) if f.attrs.get("language") in ("sql", "plpgsql") else {"execute"}
        out |= bodies[f.key]
    return out


def _owners(p: Planner, tables: set[str]) -> dict[str, set[str]]:
    """For each key of what is part of these tables (a column, the rows, a trigger) or reads them
    (a view), the tables: a statement naming it touches them."""
    owned: dict[str, set[str]] = {t: {t} for t in tables}
    for t in tables:
        for c in p.children(t):
            owned.setdefault(c.key, set()).add(t)
    for v in p.m.objects.values():
        if v.type == "view" and (hit := _tables(p, set(v.depends)) & tables):
            owned.setdefault(v.key, set()).update(hit)
    return owned


def _words(text: str) -> set[str]:
    """The names in a text, lower case, each also without its schema (a table named `s.t`)."""
    words = set(WORD.findall(text.lower()))
    return words | {w.rsplit(".", 1)[-1] for w in words}


def _tables(p: Planner, keys: set[str]) -> set[str]:
    """The tables these keys are of (a column's, the rows', the triggers' of a table; those a view
    reads)."""
    out: set[str] = set()
    todo = [k.split(":", 1)[1] if k.startswith("@") and ":" in k else k for k in keys]
    seen = set(todo)
    while todo:
        o = p.m.objects.get(todo.pop())
        while o is not None and o.type not in ("table", "view"):
            o = p.m.objects.get(o.parent) if o.parent else None
        if o is not None and o.type == "table":
            out.add(o.key)
        elif o is not None:
            todo.extend(d for d in o.depends if d not in seen)
            seen.update(o.depends)
    return out


# What leaves a table's rows as they are: an index, a key or a check (those there when the UPDATE
# runs held its values; one dropped before it is a change of the table), a default, a comment, a
# table made referencing it (empty: its key checks no row; a LIKE copies no row).
# (A ViewStmt is a plain view: a materialized one is a CREATE TABLE AS.)
_KEEPS_ROWS = (ast.IndexStmt, ast.CommentStmt, ast.GrantStmt, ast.AlterOwnerStmt, ast.CreatePolicyStmt, ast.ViewStmt, ast.CreateStmt)
_KEEPING_COMMANDS = frozenset((AT.AT_AddConstraint, AT.AT_AddIndex, AT.AT_ColumnDefault, AT.AT_SetNotNull, AT.AT_SetStatistics,
                               AT.AT_SetStorage, AT.AT_ChangeOwner, AT.AT_SetRelOptions, AT.AT_EnableRowSecurity,
                               AT.AT_ForceRowSecurity, AT.AT_ClusterOn, AT.AT_ReplicaIdentity))


def _keeps_rows(node: Any) -> bool:
    if isinstance(node, ast.IndexStmt):
        return not node.concurrent
    if isinstance(node, ast.AlterTableStmt):
        return all(c.subtype in _KEEPING_COMMANDS and not (isinstance(c.def_, ast.Constraint) and c.def_.contype == CT.CONSTR_FOREIGN)
                   for c in node.cmds or ())
    return isinstance(node, _KEEPS_ROWS)


def _created(p: Planner, it: Item) -> str | None:
    """The table this item makes (a plain CREATE TABLE), a new life of it with no rows."""
    node = it.node
    if not isinstance(node, ast.CreateStmt):
        return None
    for k in it.writes:
        o = p.m.objects.get(k)
        if o is not None and o.type == "table" and any(e.action == CREATE and (e.stmt.parent or e.stmt).seq == it.stmt.seq for e in o.events):
            return o.key
    return None


def _reached(p: Planner) -> tuple[set[str], dict[str, set[str]]]:
    """Tables whose rows a trigger or a child table reaches (any, at any time), and the columns of
    each table a foreign key holds (its own, or those another's references: a key named by its
    table's name alone is any table's of that name; without columns, the primary key's)."""
    out: set[str] = set()
    parents: set[str] = set()
    keys: dict[str, set[str]] = {}
    referenced: dict[str, set[str]] = {}  # table name -> the columns referenced ("" for the primary key)
    for o in p.m.objects.values():
        if o.type == "trigger":
            out.add(o.parent)
        elif o.type == "constraint" and o.contype == "f":
            keys.setdefault(o.parent, set()).update(o.attrs.get("columns", ()))
            cols = o.attrs.get("ref_columns") or [""]
            referenced.setdefault(str(o.attrs.get("ref_table", "")).rsplit(".", 1)[-1], set()).update(cols)
        elif o.type == "table" and isinstance(o.node, ast.CreateStmt):
            parents.update(rv.relname for rv in o.node.inhRelations or ())
    for o in p.m.objects.values():
        local = o.name.rsplit(".", 1)[-1]
        if o.type == "table" and local in parents:
            out.add(o.key)
        if o.type == "table" and local in referenced:
            keys.setdefault(o.key, set()).update(c for c in referenced[local] if c)
        if o.type == "constraint" and o.contype == "p" and "" in referenced.get(o.parent.split(":", 1)[1].rsplit(".", 1)[-1], ()):
            keys.setdefault(o.parent, set()).update(o.attrs.get("columns", ()))
    return out, keys


def _plain(p: Planner, key: str) -> bool:
    """A table of its own: not a partition, a child, partitioned, typed, or copied from another."""
    t = p.m.objects[key]
    node = t.node
    return (isinstance(node, ast.CreateStmt) and not node.inhRelations and node.partspec is None and node.partbound is None
            and node.ofTypename is None and not t.attrs.get("opaque") and not t.attrs.get("family"))


def _target(p: Planner, it: Item) -> str | None:
    """The table whose rows an INSERT or UPDATE writes, as replay resolved its name (search path and all)."""
    if not isinstance(it.node, (ast.InsertStmt, ast.UpdateStmt)):
        return None
    tables = _tables(p, {k for k in it.writes if k.startswith("data:")})
    return next(iter(tables)) if len(tables) == 1 else None


def _literal_insert(it: Item, p: Planner) -> bool:
    n = it.node
    return (it.stmt.parent is None and it.seq not in p.pinned and not it.changed and not it.folded and not it.merged
            and n.cols and n.onConflictClause is None and n.withClause is None and not n.override
            and n.selectStmt is not None and bool(n.selectStmt.valuesLists) and insert_layout(it.stmt.text) is not None)


def _fold(p: Planner, up: Item, table: str, inserts: list[Item], keys: set[str]) -> bool:
    """Write the UPDATE's values into the rows it changes, if that can be told; True when folded.
    `keys`: the table's columns a foreign key holds, which it must not change (the rows of another
    table written in between name their values)."""
    node: ast.UpdateStmt = up.node
    if up.stmt.parent is not None or node.fromClause or node.withClause is not None or _returning(node):
        return False
    sets = set_values(up.stmt.text, node)
    if sets is None or not all(_settable(p, table, col) and col not in keys for col, _ in sets):
        return False
    edits: list[tuple[Item, str]] = []
    try:
        for it in inserts:
            cols = [c.name for c in it.node.cols]
            rows = it.node.selectStmt.valuesLists
            matched = [i for i, row in enumerate(rows) if _matches(p, table, node.whereClause, dict(zip(cols, row, strict=False)))]
            if matched:
                text = edited_insert(it.stmt.text, cols, matched, len(rows), sets)
                if text is None:
                    return False
                edits.append((it, text))
    except _Unknown:
        return False
    for it, text in edits:
        stmt = parse_sql(text)[0].stmt
        it.stmt = replace(it.stmt, text=text, node=stmt, base=0, namers=None)
        it.node = stmt
    p.record(UPDATED, up.stmt, inserts[0].stmt if inserts else up.stmt, [])
    return True


def _settable(p: Planner, table: str, col: str) -> bool:
    o = p.m.objects.get(f"column:{table.split(':', 1)[1]}.{col}")
    return o is not None and o.exists and not o.attrs.get("generated") and not o.attrs.get("identity")


def _rows(it: Item) -> int:
    return len(getattr(it.node.selectStmt, "valuesLists", None) or ())


def _matches(p: Planner, table: str, where: Any, row: dict[str, Any]) -> bool:
    """Does the WHERE hold for this row of literals? _Unknown where that cannot be told."""
    if where is None:
        return True
    if isinstance(where, ast.BoolExpr) and where.boolop == BoolExprType.AND_EXPR:
        return all(_matches(p, table, arg, row) for arg in where.args or ())
    if isinstance(where, ast.NullTest) and isinstance(where.arg, ast.ColumnRef):
        value = _cell(p, table, where.arg, row)
        return (value is None) == (where.nulltesttype == NullTestType.IS_NULL)
    if isinstance(where, ast.A_Expr) and strings(where.name) == ["="] and where.kind == A_Expr_Kind.AEXPR_OP:
        col, lit = (where.lexpr, where.rexpr) if isinstance(where.lexpr, ast.ColumnRef) else (where.rexpr, where.lexpr)
        if isinstance(col, ast.ColumnRef) and isinstance(lit, ast.A_Const):
            value, wanted = _cell(p, table, col, row), _value(lit)
            return value is not None and wanted is not None and _same(value, wanted)
    if isinstance(where, ast.A_Expr) and where.kind == A_Expr_Kind.AEXPR_IN and strings(where.name) == ["="] \
            and isinstance(where.lexpr, ast.ColumnRef) and isinstance(where.rexpr, tuple) \
            and all(isinstance(v, ast.A_Const) for v in where.rexpr):
        value = _cell(p, table, where.lexpr, row)
        return value is not None and any((w := _value(v)) is not None and _same(value, w) for v in where.rexpr or ())
    raise _Unknown


def _cell(p: Planner, table: str, ref: ast.ColumnRef, row: dict[str, Any]) -> Any:
    """The literal value of a row's cell in a column whose equality is that of its literals."""
    names = strings(ref.fields)
    # Named by the table too (`t.id`, as Django writes it): an UPDATE without FROM has no other.
    own = len(names) == 1 or names[:-1] == table.split(":", 1)[1].split(".")[-len(names) + 1:]
    o = p.m.objects.get(f"column:{table.split(':', 1)[1]}.{names[-1]}") if own else None
    tn = o.attrs.get("type") if o is not None else None
    if o is None or tn is None or tn.arrayBounds or any(e.detail.startswith("type changed") for e in o.events if isinstance(e.detail, str)) \
            or o.attrs.get("collation") is not None:
        raise _Unknown
    kind = strings(tn.names)[-1]
    cell = row.get(names[-1])
    if cell is None or isinstance(cell, ast.SetToDefault):
        # Left to its default: NULL, for a column that never had one (nor is serial or identity).
        if o.attrs.get("default") is None and not o.attrs.get("serial") and not o.attrs.get("identity") \
                and not any("default" in e.detail for e in o.events if isinstance(e.detail, str)) and (kind in _TEXT | _INT | _BOOL):
            return None
        raise _Unknown
    if not isinstance(cell, ast.A_Const):
        raise _Unknown
    value = _value(cell)
    if value is None:
        return None
    if kind in _TEXT and isinstance(value, str) or kind in _INT and isinstance(value, int) and not isinstance(value, bool) \
            or kind in _BOOL and isinstance(value, bool):
        return value
    raise _Unknown


def _value(c: ast.A_Const) -> Any:
    if c.isnull:
        return None
    v = c.val
    if isinstance(v, ast.String):
        return v.sval
    if isinstance(v, ast.Integer):
        return v.ival
    if isinstance(v, ast.Boolean):
        return bool(v.boolval)
    raise _Unknown  # a float's spelling is not its value


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        raise _Unknown  # ('1' against 1: the column's type decides, not the literal)
    return bool(a == b)


def _returning(node: Any) -> bool:
    return bool(getattr(node, "returningList", None) or getattr(node, "returningClause", None))


def _local(key: str) -> str:
    """A table key's name without its schema: `table:s.t` -> `t`."""
    return key.split(":", 1)[1].rsplit(".", 1)[-1]
