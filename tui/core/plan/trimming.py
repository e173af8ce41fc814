"""Cutting the dead parts out of a statement that stays: the columns and constraints of a CREATE
TABLE, the commands of an ALTER TABLE that concern something folded away."""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ConstrType as CT

from tui.core.model import ADD, ALTER, Event, Obj
from tui.core.names import expr_columns, set_elements, shallow, strings, walk
from tui.core.plan.column_changes import columns_named
from tui.core.plan.items import Item, birth_name
from tui.core.plan.splice import Op


def trim(item: Item, pairs: list[tuple[Obj, Event]], dead: set[int]) -> bool:
    """Remove the dead parts of a statement; False when it cannot be split.

    Columns and constraints are cut by the piece of the tree their event was made from, so an
    unnamed inline constraint (`key text PRIMARY KEY`, its name chosen by PostgreSQL) goes as
    surely as a named one, and a constraint never takes a column of the same name along."""
    node = item.node
    gone = [(o, e) for o, e in pairs if id(e) in dead and o.type in ("column", "constraint")]
    parts = {id(e.part) for _, e in gone if e.part is not None} | {id(s) for _, e in gone for s in e.shadows}
    if isinstance(node, ast.CreateStmt):
        found: set[int] = set()
        ops: list[Op] = []
        elts = without_parts(node.tableElts or (), parts, found, ops)
        if any(e.part is None or id(e.part) not in found for _, e in gone):
            return False  # a dead part we cannot find in the text: keep the table as written
        cut = {elt.colname for elt in node.tableElts or () if isinstance(elt, ast.ColumnDef) and id(elt) in parts}
        if cut and any(_columns_named(elt) & cut for elt in elts):
            # A key or CHECK that stays names a column cut (one of an earlier life of a constraint,
            # dropped and added again under its name, which the model keeps no columns of).
            return False
        item.node = shallow(node)
        set_elements(item.node, elts)
        item.changed = True
        item.ops = ops
        return True
    if isinstance(node, ast.AlterTableStmt):
        state: dict[tuple[str, str], list[bool]] = {}
        for o, e in pairs:
            if o.type in ("column", "constraint", "index", "trigger"):  # (CLUSTER ON, ENABLE TRIGGER: see replay)
                # (and the name it had then: a key renamed, then dropped and added again under that name)
                for nm in {birth_name(o).rsplit(".", 1)[-1], o.name.rsplit(".", 1)[-1], e.name.rsplit(".", 1)[-1]}:
                    state.setdefault((nm, e.action), []).append(id(e) in dead)
        cmds = []
        for c in node.cmds or ():
            flags = state.get((_cmd_target(c), _CMD_ACTION.get(c.subtype, ALTER)), [])
            if flags and all(flags) or id(c.def_) in parts:
                continue  # this part of the statement concerns something folded away
            if c.subtype == AT.AT_AddColumn and any(id(x) in parts for x in c.def_.constraints or ()):
                c = shallow(c)  # an inline constraint of the new column is dropped later
                c.def_ = without_parts([c.def_], parts, set())[0]
            cmds.append(c)
        if not cmds:
            return False
        item.node = shallow(node)
        item.node.cmds = tuple(cmds)
        item.changed = True
        return True
    if isinstance(node, ast.DropStmt):
        # What only its CASCADE took along (the tables of a schema dropped): it does not name them,
        # and stays as written without them.
        return all(e.by for _, e in pairs if id(e) in dead)
    return False


def without_parts(elts: Any, parts: set[int], found: set[int], ops: list[Op] | None = None) -> list[Any]:
    """Column definitions and constraints less the dead pieces (`found` collects those seen, `ops`
    what was cut, for the text). A column keeps the NOT NULL its dropped PRIMARY KEY gave it, as
    PostgreSQL keeps it."""
    ops = [] if ops is None else ops
    out = []
    not_null: set[str] = set()
    for elt in elts:
        if id(elt) in parts:
            found.add(id(elt))
            found.update(id(c) for c in getattr(elt, "constraints", None) or ())  # they go with their column
            ops.append(Op("drop", elt))
            if isinstance(elt, ast.Constraint) and elt.contype == CT.CONSTR_PRIMARY:
                not_null |= set(strings(elt.keys))
            continue
        if isinstance(elt, ast.ColumnDef) and elt.constraints:
            cons = _without(elt.constraints, parts)
            if len(cons) != len(elt.constraints):
                for c in elt.constraints:
                    if id(c) in parts:
                        found.add(id(c))
                        ops.append(Op("drop", c))
                        if c.contype == CT.CONSTR_PRIMARY:
                            not_null.add(elt.colname)
                elt = shallow(elt)
                elt.constraints = cons
        out.append(elt)
    for i, elt in enumerate(out):
        if isinstance(elt, ast.ColumnDef) and elt.colname in not_null and not any(
                c.contype in (CT.CONSTR_NOTNULL, CT.CONSTR_PRIMARY) for c in elt.constraints or ()):
            out[i] = shallow(elt)
            out[i].constraints = tuple(elt.constraints or ()) + (ast.Constraint(contype=CT.CONSTR_NOTNULL),)
            ops.append(Op("not_null", column=elt.colname))
    return out


def _columns_named(elt: Any) -> set[str]:
    """The columns a table's constraint, or a column's constraints, name (its own name aside)."""
    if isinstance(elt, ast.ColumnDef):
        return columns_named(elt)
    if not isinstance(elt, ast.Constraint):
        return set()  # (LIKE: it names a table)
    out = set(strings(elt.keys)) | set(strings(elt.fk_attrs)) | set(strings(elt.including))
    out |= set(expr_columns(elt.raw_expr)) if elt.raw_expr is not None else set()
    out |= {n.name for ex in elt.exclusions or () for n in walk(ex) if isinstance(n, ast.IndexElem) and n.name}
    return out | {n for ex in elt.exclusions or () for n in expr_columns(ex)}


_ATTRIBUTES = frozenset((CT.CONSTR_ATTR_DEFERRABLE, CT.CONSTR_ATTR_NOT_DEFERRABLE, CT.CONSTR_ATTR_DEFERRED, CT.CONSTR_ATTR_IMMEDIATE))


def _without(constraints: tuple[ast.Constraint, ...], parts: set[int]) -> tuple[ast.Constraint, ...]:
    """A column's constraints but those in `parts`, and the DEFERRABLE and INITIALLY clauses after
    one: they are its (left alone, PostgreSQL gives them to the constraint before, or refuses)."""
    out, dropping = [], False
    for c in constraints:
        if c.contype not in _ATTRIBUTES:
            dropping = id(c) in parts
        if not dropping:
            out.append(c)
    return tuple(out)


_CMD_ACTION = {AT.AT_AddColumn: ADD, AT.AT_DropColumn: "drop", AT.AT_AddConstraint: ADD, AT.AT_DropConstraint: "drop"}


def _cmd_target(cmd: Any) -> str:
    if cmd.subtype == AT.AT_AddColumn and cmd.def_ is not None:
        return str(cmd.def_.colname)
    if cmd.subtype == AT.AT_AddConstraint and cmd.def_ is not None:
        return str(cmd.def_.conname or "")
    return str(cmd.name or "")
