"""Indexes and sequences."""

from __future__ import annotations

from typing import Any

from pglast import ast

from tui.core.model import ALTER, Obj
from tui.core.names import expr_columns, qualified, strings
from tui.core.replay.engine import Engine
from tui.core.replay.state import local_name


def create_index(rp: Engine, node: ast.IndexStmt) -> None:
    schema, table, t = rp.rel(node.relation)
    columns = [p.name for p in node.indexParams or () if p.name] + [c for p in node.indexParams or () if not p.name for c in expr_columns(p.expr)]
    if node.idxname:
        name = qualified(schema, node.idxname)
    else:
        parts = [p.name or "expr" for p in (*(node.indexParams or ()), *(node.indexIncludingParams or ()))]  # as ChooseIndexColumnNames
        name = qualified(schema, rp.choose_name(schema, local_name(table), "_".join(parts), "key" if node.primary else "idx",
                                                  rp.relnames.get(schema, set())))
    o = rp.create("index", name, schema, parent=t.key if t else "", if_not_exists=bool(node.if_not_exists))
    if o is None:
        return
    o.node = node
    o.attrs.update(table=table, columns=columns, unique=bool(node.unique))
    included = [p.name for p in node.indexIncludingParams or () if p.name]  # (not keys: DROP COLUMN ... CASCADE takes the index too)
    rp.link(o, [f"column:{table}.{c}" for c in (*columns, *included)])
    if t is None:
        rp.warn(f"index on {table}, {rp.never_made(table)}")


def create_sequence(rp: Engine, node: ast.CreateSeqStmt) -> None:
    schema, name, _ = rp.rel(node.sequence, ("sequence",))
    o = rp.create("sequence", name, schema, if_not_exists=bool(node.if_not_exists))
    if o is None:
        return
    o.node = node
    o.attrs.update(options=list(node.options or ()), alters=[])
    sequence_owner(rp, o, node.options)


def alter_sequence(rp: Engine, node: ast.AlterSeqStmt) -> None:
    _, name, o = rp.rel(node.sequence, ("sequence",))
    if o is None:
        if node.missing_ok or rp.guarded:
            rp.no_effect(f"ALTER SEQUENCE IF EXISTS {name}: not there")
        else:
            rp.unfollow(f"alters sequence {name}, unknown to the model")
        return
    o.attrs.setdefault("alters", []).append(rp.stmt)
    rp.event(o, ALTER, ", ".join(d.defname for d in node.options or ()))
    sequence_owner(rp, o, node.options)


def sequence_owner(rp: Engine, o: Obj, options: Any) -> None:
    for d in options or ():
        if d.defname == "owned_by":
            parts = strings(d.arg)
            if parts == ["none"]:
                o.attrs["owned_by"] = None
                continue
            _, table, _ = rp.lookup(parts[:-1], ("table",))
            o.attrs["owned_by"] = f"column:{table}.{parts[-1]}"
            rp.link(o, [f"column:{table}.{parts[-1]}"])
