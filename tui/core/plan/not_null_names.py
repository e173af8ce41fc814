"""NOT NULL names written where the new set would give another than the history's. PostgreSQL 18
names each NOT NULL after its table and column as they are called when it is set
(replay/not_null_names): a column folded into the CREATE TABLE of a table renamed since, a column
RENAME folded into its CREATE, or a table rebuilt beside the one it replaces (whose names made the
history number its own `..._not_null1`) would be named otherwise in the new set. There the CREATE
TABLE says the history's name, `CONSTRAINT <name> NOT NULL`, which PostgreSQL before 18 accepts
and ignores. A column whose NOT NULL was set by a statement that stays is left as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pglast import ast
from pglast.enums import ConstrType as CT

from tui.core.model import ADD, CREATE, RENAME, Obj
from tui.core.names import is_serial, make_object_name, shallow, strings
from tui.core.plan.splice import Op

if TYPE_CHECKING:
    from tui.core.plan.items import Item
    from tui.core.plan.planner import Planner

_IMPLIED = (CT.CONSTR_NOTNULL, CT.CONSTR_PRIMARY, CT.CONSTR_IDENTITY)


def name_not_nulls(p: Planner, items: list[Item]) -> None:
    """Name, in each CREATE TABLE, the NOT NULLs it sets whose history's name is not the one
    PostgreSQL would choose there."""
    for it in items:
        node = it.node
        if not isinstance(node, ast.CreateStmt) or it.stmt.parent is not None or node.relation is None:
            continue
        table = next((o for o, e in p.by_seq.get(it.seq, ()) if o.type == "table" and e.action == CREATE), None)
        if table is None:
            continue
        names = _history_names(p, table, {it.seq, *(s.seq for s in it.folded)})
        if not names:
            continue
        keys = {k for elt in node.tableElts or () if isinstance(elt, ast.Constraint) and elt.contype == CT.CONSTR_PRIMARY
                for k in strings(elt.keys)}
        relname = node.relation.relname or ""
        for i, elt in enumerate(node.tableElts or ()):
            if not isinstance(elt, ast.ColumnDef) or not elt.colname or not _not_null(elt, keys):
                continue
            column = elt.colname
            name = names.get(column)
            if name is None or name == make_object_name(relname, column, "not_null"):
                continue
            if _named(elt) == name:
                continue
            if not it.changed:
                it.node, it.changed = shallow(node), True
            if not any(op.kind == "name_not_null" for op in it.ops):
                it.note("NOT NULL names as the history gives them on PostgreSQL 18 (earlier versions ignore them)")
            node = it.node
            _write_name(node, i, elt, name)
            it.add_op(Op("name_not_null", column=column, new=name))


def _history_names(p: Planner, table: Obj, seqs: set[int]) -> dict[str, str]:
    """The table's columns whose NOT NULL one of `seqs` set, by the name the CREATE TABLE gives
    them (renamed by the RENAMEs folded into it, not by one that stays), to their NOT NULL's name
    in the history."""
    out: dict[str, str] = {}
    for col in p.children(table.key):
        if col.type != "column" or not col.exists or col.attrs.get("nn_seq") not in seqs:
            continue
        name, renaming = "", False
        for e in col.events:
            if e.action in (CREATE, ADD):  # (a life of its own starts)
                name, renaming = e.name, True
            elif renaming and e.action == RENAME and e.new_name:
                if (e.stmt.parent or e.stmt).seq not in seqs:
                    renaming = False
                else:
                    name = e.new_name
        if name:
            out[name.rsplit(".", 1)[-1]] = col.attrs["nn_name"]
    return out


def _not_null(cd: ast.ColumnDef, keys: set[str]) -> bool:
    return (cd.colname in keys or any(c.contype in _IMPLIED for c in cd.constraints or ())
            or cd.typeName is not None and is_serial(cd.typeName))


def _named(cd: ast.ColumnDef) -> str:
    return next((c.conname for c in cd.constraints or () if c.contype == CT.CONSTR_NOTNULL and c.conname), "")


def _write_name(node: ast.CreateStmt, i: int, cd: ast.ColumnDef, name: str) -> None:
    """The tree says it too: printed where the text cannot be spliced."""
    cd = shallow(cd)
    cons = [c for c in cd.constraints or () if c.contype != CT.CONSTR_NOTNULL]
    cd.constraints = (*cons, ast.Constraint(contype=CT.CONSTR_NOTNULL, conname=name))
    elts = list(node.tableElts or ())
    elts[i] = cd
    node.tableElts = tuple(elts)
