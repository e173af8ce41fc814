"""A column added with a foreign key (`ADD COLUMN b_id int REFERENCES b`) folded into its CREATE
TABLE without the key, the key written apart where the ALTER stood (`ADD CONSTRAINT t_b_id_fkey
FOREIGN KEY (b_id) REFERENCES b`), as pg_dump writes a schema: where the tables reference each
other, the CREATE can then come before the table the key needs. Whole, such a fold made the plan
give up the column's fold (and every later ADD COLUMN of the table behind it) to break the cycle.
"""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ConstrType as CT

from tui.core.model import CREATE
from tui.core.names import clone
from tui.core.parse import Statement
from tui.core.plan.planner import Planner


def keys_apart(p: Planner, table_key: str, it_seq: int, cd: ast.ColumnDef, apart: set[int]) -> list[tuple[ast.Constraint, Any]]:
    """The column's foreign keys to write apart, each with the model's constraint: all of them,
    where the statement is one the plan found in a cycle (`apart`) or a key closes a cycle of
    tables the analysis found; none otherwise (the column folds whole)."""
    fks = [c for c in cd.constraints or () if c.contype == CT.CONSTR_FOREIGN]
    if not fks:
        return []
    found = [(c, next((o for o, e in p.by_seq.get(it_seq, []) if e.part is c and o.type == "constraint"), None)) for c in fks]
    if any(o is None for _, o in found):
        return []
    if it_seq in apart or any(closes_cycle(p, table_key, o) for _, o in found):
        return found
    return []


def closes_cycle(p: Planner, table_key: str, fk: Any) -> bool:
    """Does a foreign key close a cycle of tables (the analysis found it in the final schema)?
    Folded into its CREATE TABLE it could never be ordered; leaving it to the plan to find costs
    one plan per cycle, and a history has hundreds. Only the keys to a table of the cycle made
    after theirs close it: made in the order of the history, the others have their table there
    (a cycle the other folds make anyway is still broken by the plan, see _unfold)."""
    ref = p.m.get("table", str(fk.attrs.get("ref_table", "")))
    cycle = p.cycle_of.get(table_key)
    if ref is None or cycle is None or p.cycle_of.get(ref.key) != cycle or ref.key == table_key:
        return False
    mine, theirs = _made_at(p.m.objects.get(table_key)), _made_at(ref)
    return mine is None or theirs is None or theirs > mine


def _made_at(t: Any) -> int | None:
    """Where the table's last life began."""
    made = t.last(CREATE) if t is not None else None
    return (made.stmt.parent or made.stmt).seq if made is not None else None


# What PostgreSQL reads as attributes of the constraint before them (DEFERRABLE INITIALLY DEFERRED).
_ATTRS: dict[CT | None, tuple[str, bool]] = {
    CT.CONSTR_ATTR_DEFERRABLE: ("deferrable", True), CT.CONSTR_ATTR_NOT_DEFERRABLE: ("deferrable", False),
    CT.CONSTR_ATTR_DEFERRED: ("initdeferred", True), CT.CONSTR_ATTR_IMMEDIATE: ("initdeferred", False),
    CT.CONSTR_ATTR_ENFORCED: ("is_enforced", True), CT.CONSTR_ATTR_NOT_ENFORCED: ("is_enforced", False)}


def _with_attributes(cd: ast.ColumnDef) -> list[tuple[ast.Constraint, list[ast.Constraint]]]:
    """Each of the column's constraints with the attribute clauses that follow it."""
    out: list[tuple[ast.Constraint, list[ast.Constraint]]] = []
    for c in cd.constraints or ():
        if c.contype in _ATTRS and out:
            out[-1][1].append(c)
        else:
            out.append((c, []))
    return out


def without_keys(cd: ast.ColumnDef) -> ast.ColumnDef:
    """The column as the CREATE TABLE declares it: its foreign keys (and their attributes) left to the ALTER."""
    out: ast.ColumnDef = clone(cd)
    out.constraints = tuple(x for c, attrs in _with_attributes(cd) if c.contype != CT.CONSTR_FOREIGN for x in (c, *attrs)) or None
    return out


def key_command(cd: ast.ColumnDef, fk: ast.Constraint, obj: Any) -> ast.AlterTableCmd:
    """ADD CONSTRAINT of the key as a table constraint, by the name PostgreSQL gave it when the
    column was added (that name, not the one it would choose where the ALTER now stands)."""
    con = clone(fk)
    for attr in next((attrs for c, attrs in _with_attributes(cd) if c is fk), []):
        field, value = _ATTRS.get(attr.contype) or ("", False)  # (only attributes are gathered)
        setattr(con, field, value)
        if field == "initdeferred" and value:
            con.deferrable = True
    born = next((e.name for e in obj.events if e.part is fk), obj.name)
    con.conname = born.rsplit(".", 1)[-1]
    con.fk_attrs = (ast.String(sval=cd.colname),)
    con.location = -1
    return ast.AlterTableCmd(subtype=AT.AT_AddConstraint, def_=con, behavior=0)


def needs_of_keys(objs: list[Any]) -> set[str]:
    """What only the keys written apart need (the table and key they reference), and the keys:
    not what the CREATE TABLE needs or makes (its own columns, which it does make)."""
    return {k for o in objs for k in (o.key, *o.depends) if not k.startswith(f"column:{o.parent.split(':', 1)[-1]}.")}


def has_inline_key(st: Statement) -> bool:
    """An ALTER TABLE that adds a column with a foreign key: the plan may write the key apart."""
    node = st.node
    return isinstance(node, ast.AlterTableStmt) and any(
        c.subtype == AT.AT_AddColumn and any(k.contype == CT.CONSTR_FOREIGN for k in getattr(c.def_, "constraints", None) or ())
        for c in node.cmds or ())
