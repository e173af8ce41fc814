"""A constraint's RENAME folded into the CREATE TABLE that makes it: `CONSTRAINT <new name>` written
there (lemmy's `user_mention_comment_id_fkey` renamed `person_mention_comment_id_fkey`, Prisma's
`"User_pkey"` renamed `"users_pkey"`; a key's index takes the name with it).

Only where nothing written between them names it (a statement whose text says the old name: a
DROP, a COMMENT, an ALTER INDEX of its index), nothing written had the new name before (another
constraint, a relation), and PostgreSQL chose no name around either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pglast import ast

from tui.core.findings import INTO_CREATE
from tui.core.model import RENAME
from tui.core.names import clone
from tui.core.plan.accept import is_left_out
from tui.core.plan.column_renames import Shapes, WholeInside
from tui.core.plan.derived_names import keyword
from tui.core.plan.splice import Op

if TYPE_CHECKING:
    from tui.core.plan.elements import Elements
    from tui.core.plan.items import Item
    from tui.core.plan.name_holders import Holders
    from tui.core.plan.planner import Planner


def fold_constraint_rename(p: Planner, it: Item, creates: dict[str, Item], folding: dict[tuple[str, str], str],
                           holders: Holders, shapes: Shapes) -> bool:
    """Write the constraint `it` (ALTER TABLE ... RENAME CONSTRAINT) renames under its new name in
    the CREATE TABLE that makes it."""
    found = next(((o, e) for o, e in p.by_seq.get(it.seq, ()) if o.type == "constraint" and e.action == RENAME), None)
    if found is None:
        return False
    o, event = found
    finding = folding.get(("constraint", o.name))
    target = creates.get(o.parent or "")
    if finding is None or target is None or target.seq >= it.seq or not o.events or not event.new_name:
        return False
    inside = WholeInside(p, target)
    if (o.events[0].stmt.parent or o.events[0].stmt).seq not in inside or id(o.events[0]) in p.dead:
        return False
    old, new = event.name.rsplit(".", 1)[-1], event.new_name.rsplit(".", 1)[-1]
    between = range(target.seq + 1, it.seq)
    if any((seq := (e.stmt.parent or e.stmt).seq) in between and seq not in inside and not is_left_out(p, seq) for e in o.events):
        return False
    if not holders.may_take(p, o, old, new, between, inside):
        return False
    elts = shapes.of(target)
    place = _place(target.node, o.node, elts)
    if place is None:
        return False
    p._edit(target)
    cd, c = place
    # (A table constraint's text is found by the node the statement wrote, another fold's rewrite or not.)
    part = c if cd is not None else elts.as_written(c)
    named = clone(c)
    named.conname = new
    if cd is None:
        elts.swap(target.node, c, named)
    else:
        copy = clone(cd)
        cons = list(copy.constraints or ())
        cons[[id(x) for x in cd.constraints or ()].index(id(c))] = named
        copy.constraints = tuple(cons)
        elts.replace(target.node, cd, copy)
    column = (cd.colname or "") if cd is not None else ""
    if c.conname:
        target.add_op(Op("rename_constraint", part=part, column=column, new=new))
    else:  # (named by PostgreSQL: named now, as derived_names does)
        target.add_op(Op("name_constraint", part=part if cd is None else keyword(c), column=column, new=new))
    target.fold_in(it.stmt)
    target.writes |= it.writes
    p.record(INTO_CREATE, it.stmt, target.stmt, [finding])
    p.dropped[it.seq] = f"folded into {target.stmt.file}:{target.stmt.line}"
    return True


def _place(node: ast.CreateStmt, c: Any, elts: Elements) -> tuple[ast.ColumnDef | None, ast.Constraint] | None:
    """Where the CREATE TABLE holds constraint node `c` now: as an element, or in a column's
    definition (where another fold rewrote either, the rewritten one)."""
    for elt in node.tableElts or ():
        was = elts.as_written(elt)
        if isinstance(elt, ast.Constraint) and (elt is c or was is c):
            return None, elt
        if isinstance(elt, ast.ColumnDef):
            now, then = elt.constraints or (), was.constraints or ()
            for i, x in enumerate(now):
                if x is c or len(now) == len(then) and then[i] is c and x.contype == c.contype:
                    return elt, x
    return None
