"""A table's RENAME folded into its CREATE TABLE: the table is made under its final name.

Only where that changes nothing else: no statement written between them names the table (an
index, a key referencing it, a view, rows, a comment, a block the model cannot read that says its
name), and no other object holds either name around then. The names PostgreSQL gave its unnamed
keys and identities' sequences after the table are written in (derived_names), those of its NOT
NULLs on PostgreSQL 18 by not_null_names. A serial's sequence, which cannot be given a name, is
named after the new name at once: only where it is renamed to that later (its RENAME folds too).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pglast import ast
from pglast.enums import ConstrType as CT

from tui.core.findings import INTO_CREATE
from tui.core.model import CREATE, RENAME, Obj
from tui.core.names import is_serial, shallow
from tui.core.plan import derived_names
from tui.core.plan.accept import is_left_out
from tui.core.plan.column_renames import WholeInside
from tui.core.plan.column_text import name_after_to
from tui.core.plan.index_renames import index_on_renamed
from tui.core.plan.name_holders import Holders, said_only_in_dead_parts
from tui.core.plan.splice import Op

if TYPE_CHECKING:
    from collections.abc import Callable, Container

    from tui.core.parse import Statement
    from tui.core.plan.elements import Elements
    from tui.core.plan.items import Item
    from tui.core.plan.planner import Planner


def fold_table_rename(p: Planner, it: Item, target: Item | None, table: Obj, finding: str, holders: Holders,
                      read_at: dict[int, list[int]], elts: Callable[[Item], Elements]) -> bool:
    """Write the CREATE TABLE `target` under the name `it` (ALTER TABLE ... RENAME TO) gives it."""
    event = next((e for o, e in p.by_seq.get(it.seq, ()) if o is table and e.action == RENAME), None)
    if target is None or event is None or not event.new_name or target.seq >= it.seq:
        return False
    old, new = event.name.rsplit(".", 1)[-1], event.new_name.rsplit(".", 1)[-1]
    node = target.node
    if (not isinstance(node, ast.CreateStmt) or node.relation is None or node.relation.relname != old or not _plain(node)
            or _references_itself(node, old)):
        return False
    sequences = _serials_renamed_after(p, target, it, node, old, new, holders)
    if sequences is None:
        return False
    inside = WholeInside(p, target)
    naming = derived_names.of_table(p, table, inside, node)
    if naming is None:
        return False
    between = range(target.seq + 1, it.seq)
    # A function's code naming the table, alive while it had the old name, may run then (a trigger).
    if holders.code.alive_saying({old.lower()}, target.seq, it.seq):
        return False
    named_at = {seq for x in [table, *p.children(table.key)]
                for seq in [*((e.stmt.parent or e.stmt).seq for e in x.events), *read_at.get(id(x), ())]
                if seq in between and seq not in inside and not is_left_out(p, seq) and not said_only_in_dead_parts(p, seq, old)}
    # An index made on it between them is written on the new name; anything else keeps the RENAME.
    indexes = {seq: index_on_renamed(p, holders.indexes.get(seq), old, new) for seq in named_at}
    if not all(indexes.values()) or not holders.may_take(p, table, old, new, between, _Either(inside, indexes)):
        return False
    for seq, node in indexes.items():
        holders.indexes[seq].node, holders.indexes[seq].changed = node, True
    _edit(p, target, new)
    if naming:
        derived_names.write(target, elts(target), naming)
    target.add_op(Op("rename_table", new=name_after_to(it.stmt)))
    for st, fid in [(it.stmt, finding), *sequences]:
        target.fold_in(st)
        p.record(INTO_CREATE, st, target.stmt, [fid])
        p.dropped[st.seq] = f"folded into {target.stmt.file}:{target.stmt.line}"  # (a sequence's RENAME: taken out when met)
    target.writes |= it.writes
    return True


def _serials_renamed_after(p: Planner, target: Item, it: Item, node: ast.CreateStmt, old: str, new: str,
                           holders: Holders) -> list[tuple[Statement, str]] | None:
    """The RENAMEs of the table's serials' sequences to the names PostgreSQL gives them under the
    new name (`people_id_seq`, as Rails renames them with the table), each with its finding: made
    under the new name, the table's serials take those names at once. None where a serial's
    sequence keeps a name of the old one, or a statement before its RENAME says that name."""
    serials = [elt.colname or "" for elt in node.tableElts or () if isinstance(elt, ast.ColumnDef) and elt.typeName is not None
               and is_serial(elt.typeName)]
    if not serials:
        return []
    made = {str(o.attrs.get("owned_by", "")).rsplit(".", 1)[-1]: o for o, e in p.by_seq.get(target.seq, ())
            if o.type == "sequence" and e.action == CREATE}
    out: list[tuple[Statement, str]] = []
    for col in serials:
        seq = made.get(col)
        renames = [e for e in seq.events if e.action == RENAME] if seq is not None else []
        if seq is None or len(renames) != 1 or (fid := p.folding.get(("sequence", seq.name))) is None:
            return None
        rename = renames[0]
        at = rename.stmt.seq
        if (rename.stmt.parent is not None or at <= it.seq or at in p.pinned or len(f"{new}_{col}_seq".encode()) > 63
                or rename.new_name.rsplit(".", 1)[-1] != f"{new}_{col}_seq"
                or any(e is not rename and target.seq < (e.stmt.parent or e.stmt).seq < at for e in seq.events)
                or any(x is not seq and x.born < at for x in holders.by_name.get((seq.schema, f"{new}_{col}_seq"), ()))):
            return None
        if any(target.seq < s < at and not is_left_out(p, s) for s in holders.saying.get(rename.name.rsplit(".", 1)[-1].lower(), ())):
            return None
        out.append((rename.stmt, fid))
    return out


class _Either:
    """In either container (`seq in it`)."""

    def __init__(self, *among: Container[int]) -> None:
        self.among = among

    def __contains__(self, seq: object) -> bool:
        return any(seq in c for c in self.among)


def _plain(node: ast.CreateStmt) -> bool:
    """A CREATE TABLE of columns and constraints (no LIKE, child or partition)."""
    if node.inhRelations or node.partbound is not None or node.ofTypename is not None:
        return False
    return all(isinstance(elt, (ast.Constraint, ast.ColumnDef)) for elt in node.tableElts or ())


def _references_itself(node: ast.CreateStmt, name: str) -> bool:
    """Does a foreign key of the CREATE TABLE reference the table itself, by the name it has there?
    Under the new name the key would name a table not there."""
    cons = [c for elt in node.tableElts or () for c in ([elt] if isinstance(elt, ast.Constraint) else elt.constraints or ())]
    return any(c.contype == CT.CONSTR_FOREIGN and c.pktable is not None and (c.pktable.relname or "").lower() == name.lower() for c in cons)


def _edit(p: Planner, target: Item, new: str) -> None:
    """The tree says it too: printed where the text cannot be spliced."""
    p._edit(target)
    node = target.node
    relation = shallow(node.relation)
    relation.relname = new
    node.relation = relation

