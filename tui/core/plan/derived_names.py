"""Names PostgreSQL derived from a table's or a column's name when they were made, written out
in a CREATE TABLE that a RENAME of that table or column is folded into: there PostgreSQL would
derive them from the new name. An unnamed key, UNIQUE, CHECK or foreign key becomes `CONSTRAINT
<its name in the history> ...`, an identity `... AS IDENTITY (SEQUENCE NAME <its sequence>)`.
The tree says it too (printed where the text cannot be spliced).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pglast import ast
from pglast.enums import ConstrType as CT
from pglast.enums import DefElemAction

from tui.core.names import clone
from tui.core.plan.splice import Op

if TYPE_CHECKING:
    from collections.abc import Container

    from tui.core.model import Obj
    from tui.core.plan.elements import Elements
    from tui.core.plan.items import Item
    from tui.core.plan.planner import Planner

# Constraints PostgreSQL names after the table (and their columns) when they are not named.
NAMED_AFTER_TABLE = (CT.CONSTR_PRIMARY, CT.CONSTR_UNIQUE, CT.CONSTR_CHECK, CT.CONSTR_FOREIGN, CT.CONSTR_EXCLUSION)
# Where a column's constraint starts in its text (column_text.clauses' kinds).
_KEYWORD = {CT.CONSTR_PRIMARY: "PRIMARY", CT.CONSTR_UNIQUE: "UNIQUE", CT.CONSTR_CHECK: "CHECK", CT.CONSTR_FOREIGN: "REFERENCES"}


class Naming:
    """What a CREATE TABLE needs named for a RENAME to fold into it, found before anything is
    changed: None from `of_column` or `of_table` where one of them cannot be told."""

    def __init__(self) -> None:
        self.constraints: list[tuple[ast.ColumnDef | None, ast.Constraint, str]] = []  # (its column, it, its name)
        self.sequences: list[tuple[ast.ColumnDef, ast.Constraint, str]] = []  # identities

    def __bool__(self) -> bool:
        return bool(self.constraints or self.sequences)


def of_column(p: Planner, table: Obj, inside: Container[int], cd: ast.ColumnDef) -> Naming | None:
    """What of column definition `cd` is named after the column: its unnamed UNIQUE, CHECK and
    foreign key (a primary key is named after the table alone), its identity's sequence."""
    naming = Naming()
    return naming if _of_column(p, table, inside, cd, naming, with_primary=False) else None


def of_table(p: Planner, table: Obj, inside: Container[int], node: ast.CreateStmt) -> Naming | None:
    """Everything of the CREATE TABLE named after the table: its unnamed constraints, its
    identities' sequences."""
    naming = Naming()
    for elt in node.tableElts or ():
        if isinstance(elt, ast.Constraint):
            if elt.contype in NAMED_AFTER_TABLE and not elt.conname and not _constraint(p, table, inside, None, elt, naming):
                return None
        elif isinstance(elt, ast.ColumnDef) and not _of_column(p, table, inside, elt, naming, with_primary=True):
            return None
    return naming


def _of_column(p: Planner, table: Obj, inside: Container[int], cd: ast.ColumnDef, naming: Naming, with_primary: bool) -> bool:
    """Add what of `cd` PostgreSQL named after the table (its primary key too, `with_primary`) or
    the column; False where one cannot be told."""
    for c in cd.constraints or ():
        if c.contype in NAMED_AFTER_TABLE and (with_primary or c.contype != CT.CONSTR_PRIMARY) and not c.conname:
            if not _constraint(p, table, inside, cd, c, naming):
                return False
        elif c.contype == CT.CONSTR_IDENTITY and not _identity(p, table, cd, c, naming):
            return False
    return True


def name_of(p: Planner, table: Obj, inside: Container[int], c: ast.Constraint) -> str | None:
    """The name PostgreSQL gave the table constraint `c` of the CREATE TABLE (None: not told)."""
    naming = Naming()
    return naming.constraints[0][2] if _constraint(p, table, inside, None, c, naming) else None


def _constraint(p: Planner, table: Obj, inside: Container[int], cd: ast.ColumnDef | None, c: ast.Constraint, naming: Naming) -> bool:
    if cd is not None and not keyword(c):
        return False
    # The model's constraint made from this node; a table's one primary key, also from a copy of it.
    found = [o for o in p.children(table.key) if o.type == "constraint" and o.node is c]
    if not found and c.contype == CT.CONSTR_PRIMARY:
        found = [o for o in p.children(table.key) if o.type == "constraint" and o.contype == "p" and o.events
                 and (o.events[0].stmt.parent or o.events[0].stmt).seq in inside and id(o.events[0]) not in p.dead]
    name = found[0].attrs.get("conname") if len(found) == 1 else None
    if not name:
        return False
    naming.constraints.append((cd, c, name))
    return True


def _identity(p: Planner, table: Obj, cd: ast.ColumnDef, c: ast.Constraint, naming: Naming) -> bool:
    if any(getattr(o, "defname", "") == "sequence_name" for o in c.options or ()):
        return True  # named by its author
    found = [o for o in p.children(table.key) if o.type == "column" and o.attrs.get("identity_sequence") and o.events
             and o.events[0].name.rsplit(".", 1)[-1] == cd.colname]
    if len(found) != 1:
        return False
    naming.sequences.append((cd, c, found[0].attrs["identity_sequence"]))
    return True


def write(target: Item, elts: Elements, naming: Naming, copy: ast.ColumnDef | None = None) -> None:
    """Name them in `target`'s tree (through `elts`; the item's own, see Planner._edit) and text.
    `copy`: the copy of the one column named (see of_column) about to take its place, named instead."""
    assert target.changed, "the statement's own tree is never edited"
    schema = target.node.relation.schemaname
    changed: dict[int, ast.ColumnDef] = {}  # id(column definition) -> its named copy
    for cd, c, name in naming.constraints:
        if cd is None:
            named = clone(c)
            named.conname = name
            elts.swap(target.node, c, named)
            target.add_op(Op("name_constraint", part=c, new=name))
            continue
        _in_copy(cd, c, copy, changed).conname = name
        target.add_op(Op("name_constraint", column=cd.colname or "", new=name, part=keyword(c)))
    for cd, c, name in naming.sequences:
        parts = [schema, name] if schema else [name]
        named = _in_copy(cd, c, copy, changed)
        named.options = (*(named.options or ()), ast.DefElem(defname="sequence_name", arg=tuple(ast.String(sval=n) for n in parts),
                                                                    defaction=DefElemAction.DEFELEM_UNSPEC))
        target.add_op(Op("name_sequence", column=cd.colname or "", new=".".join(parts)))
    if copy is None:
        for cd in {id(cd): cd for cd, _, _ in [*naming.constraints, *naming.sequences] if cd is not None}.values():
            elts.replace(target.node, cd, changed[id(cd)])


def keyword(c: ast.Constraint) -> str:
    """The word a column's constraint of this kind starts with (column_text.clauses' kinds), or ''."""
    return next((k for t, k in _KEYWORD.items() if t == c.contype), "")


def _in_copy(cd: ast.ColumnDef, c: ast.Constraint, copy: ast.ColumnDef | None, changed: dict[int, ast.ColumnDef]) -> ast.Constraint:
    """The constraint of the copy of `cd` that stands where `c` stands in it."""
    if copy is None:
        copy = changed.get(id(cd)) or changed.setdefault(id(cd), clone(cd))
    found: ast.Constraint = list(copy.constraints or ())[list(cd.constraints or ()).index(c)]
    return found
