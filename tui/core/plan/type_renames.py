"""An enum's RENAME folded into its CREATE TYPE: the type is made under its final name, and the
columns of the CREATE TABLEs written between them are declared of it so (Prisma's enum changes:
`x_new` made, the columns moved to it, `x` renamed away and dropped, `x_new` renamed `x`; its
naming conventions, `PollType` renamed `poll_type`).

Only where nothing else written between them names the type (a default or a check casting to it,
a function's argument, a view, an ALTER that stays), no change of the type between is written (a
label added), and no object written holds the new name then (the type renamed away is left out).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pglast import ast

from tui.core.findings import INTO_CREATE
from tui.core.names import clone, shallow, strings, texts
from tui.core.plan.accept import is_left_out
from tui.core.plan.name_holders import renamed_where_made
from tui.core.plan.splice import Op

if TYPE_CHECKING:
    from collections.abc import Callable

    from tui.core.plan.elements import Elements
    from tui.core.plan.items import Item
    from tui.core.plan.name_holders import Holders
    from tui.core.plan.planner import Planner

_FOLDED = "folded into "


def fold_type_rename(p: Planner, it: Item, by_seq: dict[int, Item], holders: Holders, elts: Callable[[Item], Elements]) -> bool:
    """Write the CREATE TYPE ... AS ENUM that `it` (ALTER TYPE ... RENAME TO) renames under its new name."""
    found = renamed_where_made(p, it, "type", by_seq, ast.CreateEnumStmt)
    if found is None or found[2].changed:
        return False
    o, finding, target, old, new, between = found
    # Every statement written between them that says the old name: a CREATE TABLE declaring
    # columns of the type (or an ALTER folded into one), each rewritten.
    hosts: dict[int, Item] = {}
    accounted: set[int] = set()
    for seq in holders.saying.get(old.lower(), ()):
        if seq not in between or is_left_out(p, seq):
            continue
        folded = p.dropped.get(seq, "")
        host = holders.creates.get(folded[len(_FOLDED):]) if folded.startswith(_FOLDED) else by_seq.get(seq)
        if host is None or not isinstance(host.node, ast.CreateStmt) or host.seq in p.pinned:
            return False
        hosts[host.seq] = host
        accounted.add(seq)
    retyped = {seq: _retyped(host.node, old, new, o.schema) for seq, host in hosts.items()}
    if not all(retyped.values()) or not holders.may_take(p, o, old, new, between, accounted | set(hosts)):
        return False
    for seq, host in hosts.items():
        p._edit(host)
        shape = elts(host)
        for cd, copy in retyped[seq] or ():
            column = cd.colname or ""
            if not any(c is cd for c in shape.columns.get(column, ())):
                continue
            shape.replace(host.node, cd, copy)
            host.add_op(Op("retype_name", column=column, part=old, new=new))
    node = shallow(target.node)
    node.typeName = (*target.node.typeName[:-1], ast.String(sval=new))
    target.node, target.changed = node, True
    target.fold_in(it.stmt)
    # (Its names only: what else the RENAME wrote, its place among the old type's statements, would
    # hold the CREATE TYPE after the tables it moved ahead of.)
    target.writes |= {w for w in it.writes if w.startswith("@name:")}
    p.record(INTO_CREATE, it.stmt, target.stmt, [finding])
    p.dropped[it.seq] = f"folded into {target.stmt.file}:{target.stmt.line}"
    return True


def _retyped(node: ast.CreateStmt, old: str, new: str, schema: str) -> list[tuple[ast.ColumnDef, ast.ColumnDef]] | None:
    """Each column declared of type `old` (of `schema`, where it says one) with a copy declared of
    `new`; None where the statement names `old` otherwise (a cast in a default or a check, a type
    of that name in another schema) or names no column of it."""
    out = []
    for cd in node.tableElts or ():
        names = strings(cd.typeName.names) if isinstance(cd, ast.ColumnDef) and cd.typeName is not None else []
        if names[-1:] == [old] and (len(names) == 1 or names[-2] == schema):
            copy = clone(cd)
            copy.typeName.names = (*copy.typeName.names[:-1], ast.String(sval=new))
            out.append((cd, copy))
    if not out:
        return None
    rest = [e for e in node.tableElts or () if not any(e is cd for cd, _ in out)] + [copy for _, copy in out]
    return None if any(old in set(texts(e)) for e in rest) else out
