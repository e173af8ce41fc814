"""Constraints: what a key, a CHECK or a foreign key holds and needs, and the names PostgreSQL
gives them."""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import ConstrType as CT

from tui.core.model import ALTER, NOOP, Obj
from tui.core.names import expr_columns, qualified, strings
from tui.core.replay.engine import Engine
from tui.core.replay.not_null_names import sync_not_null
from tui.core.replay.reads import default_deps
from tui.core.replay.state import local_name

CONTYPE = {CT.CONSTR_PRIMARY: "p", CT.CONSTR_UNIQUE: "u", CT.CONSTR_CHECK: "c", CT.CONSTR_FOREIGN: "f", CT.CONSTR_EXCLUSION: "x"}
_LABEL = {"p": "pkey", "u": "key", "c": "check", "f": "fkey", "x": "excl"}


def add_constraint(rp: Engine, t: Obj, c: ast.Constraint, column: str = "", action: str = "") -> Obj | None:
    contype = CONTYPE.get(c.contype) if c.contype is not None else None
    if contype is None:
        if c.contype == CT.CONSTR_NOTNULL and c.keys:
            for k in strings(c.keys):
                col = rp.model.get("column", f"{t.name}.{k}")
                if col is not None:
                    col.attrs["not_null"] = True
                    sync_not_null(rp, t, col, c.conname or "")
                    rp.event(col, ALTER, "set not null")
        return None
    if id(c) in rp.skip_parts:
        return None
    columns = [column] if column else constraint_columns(rp, c)
    index = rp.find([t.schema, c.indexname], ("index",)) if c.indexname else None
    if index is not None:
        columns = list(index.attrs.get("columns", ()))  # UNIQUE USING INDEX: the index's columns, and it
    if contype == "p" and rp.guarded:
        # A table has one primary key: a guarded ADD PRIMARY KEY (`IF NOT EXISTS (... 'PRIMARY KEY')`)
        # finds the one there, whatever its name.
        current = next((o for k in sorted(rp.rdeps.get(t.key, ())) if (o := rp.model.objects.get(k)) is not None
                        and o.type == "constraint" and o.exists and o.contype == "p" and o.parent == t.key), None)
        if current is not None:
            rp.event(current, NOOP, "already exists")
            rp.no_effect(f"{t.name} already has a primary key ({current.name})")
            return None
    # USING INDEX without a name: the key is named as the index.
    name = c.conname or (local_name(index.name) if index is not None else default_constraint_name(rp, t, contype, columns, c))
    o = rp.create("constraint", f"{t.name}.{name}", t.schema, parent=t.key, detail=_LABEL[contype])
    if o is None:
        return None
    o.events[-1].part = c
    if action:
        o.events[-1].action = action
    rp.connames.setdefault(t.schema, set()).add(name)
    if index is not None:
        _take_index(rp, o, index, name)
    if contype in "pux":
        rp.relnames.setdefault(t.schema, set()).add(name)
        rp.note_freed(t.schema, name)
        rp.index_constraints[(t.schema, name)] = o
    deps = [f"column:{t.name}.{k}" for k in columns] + ([index.key] if index is not None else []) + \
        (default_deps(rp, c.raw_expr) if contype == "c" else [])  # (a CHECK's functions: each write is checked by them)
    o.node = c
    o.contype = contype
    o.attrs.update(columns=columns, column_level=bool(column), conname=name)
    if contype == "p":
        for k in columns:
            col = rp.model.get("column", f"{t.name}.{k}")
            if col is not None:
                col.attrs["not_null"] = True
                sync_not_null(rp, t, col)
    if contype == "f" and c.pktable is not None:
        _, ref_name, ref = rp.rel(c.pktable, ("table",))
        o.attrs.update(ref_table=ref_name, ref_columns=strings(c.pk_attrs))
        rp.fk_by_ref.setdefault(ref_name, []).append(o)
        rp.keys.update_actions += getattr(c, "fk_upd_action", "a") in ("c", "n", "d")
        if ref is not None:
            deps.append(ref.key)
            deps.extend(f"column:{ref.name}.{k}" for k in strings(c.pk_attrs))
            deps.extend(_unique_key(rp, ref, strings(c.pk_attrs)))
            if rp.track_reads and rp.stmt is not None:  # (what it references now, in this life of each)
                rp.model.referenced.setdefault((rp.stmt.parent or rp.stmt).seq, []).append(
                    (o, [x for k in deps if (x := rp.model.objects.get(k)) is not None and x.parent == ref.key]))
    rp.link(o, deps)
    return o


def _take_index(rp: Engine, key: Obj, index: Obj, name: str) -> None:
    """ADD CONSTRAINT ... USING INDEX: the key owns the index from then on (dropping the key drops
    it), and PostgreSQL renames the index to the key's name, freeing the old one."""
    key.attrs["taken_index"] = index
    old = local_name(index.name)
    if old != name:
        rp.relnames.get(index.schema, set()).discard(old)
        rp.released.add((index.schema, old))
        rp.rekey(index, qualified(index.schema, name))


def _unique_key(rp: Engine, ref: Obj, columns: list[str]) -> list[str]:
    """The unique constraint or index a foreign key needs on the table it references (its primary
    key when no column is named): dropping it drops the foreign key (with CASCADE)."""
    want = set(columns)
    for key in sorted(rp.keys.of_table.get(ref.key, ())):
        o = rp.model.objects.get(key)
        if o is None or not o.exists or o.parent != ref.key:
            continue
        if o.type == "constraint" and (o.contype == "p" and not want or o.contype in ("p", "u") and set(o.attrs.get("columns", ())) == want):
            return [o.key]
        if o.type == "index" and o.attrs.get("unique") and want and set(o.attrs.get("columns", ())) == want:
            return [o.key]
    return []


def constraint_columns(rp: Engine, c: ast.Constraint) -> list[str]:
    if c.contype == CT.CONSTR_CHECK:
        return expr_columns(c.raw_expr)
    if c.contype == CT.CONSTR_FOREIGN:
        return strings(c.fk_attrs)
    if c.contype == CT.CONSTR_EXCLUSION:
        return [n for pair in c.exclusions or () for n in expr_columns(pair[0])]
    return strings(c.keys)


def default_constraint_name(rp: Engine, t: Obj, contype: str, columns: list[str], c: Any) -> str:
    """The name PostgreSQL chooses for an unnamed constraint (heap.c, indexcmds.c)."""
    local = local_name(t.name)
    if contype == "p":
        return rp.choose_name(t.schema, local, "", "pkey", rp.relnames.get(t.schema, set()))
    if contype == "c":
        distinct = list(dict.fromkeys(columns))
        return rp.choose_name(t.schema, local, distinct[0] if len(distinct) == 1 else "", "check", rp.connames.get(t.schema, set()))
    taken = rp.relnames.get(t.schema, set()) if contype in "ux" else rp.connames.get(t.schema, set())
    return rp.choose_name(t.schema, local, "_".join(columns) if columns else "expr", _LABEL[contype], taken)
