"""What orders an item among the others: the keys it reads and writes beyond the objects its
events touch (what those depend on, the rows it writes, the checks it runs, the names it
frees), and whether everything after it waits for it."""

from __future__ import annotations

from typing import Protocol

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import DropBehavior

from tui.core.catalog_only import catalog_only
from tui.core.model import CREATE, DELETE, DROP, OPAQUE, RENAME, TRUNCATE, UPDATE, Event, Model, Obj
from tui.core.parse import Statement
from tui.core.plan.items import ANCHORS, DML, Item, bookkeeping_event, changes_rows, is_barrier, outside_transaction

# What changes the rows there are (an INSERT only adds): a check of them stays after (Model.checks).
_FIXES = frozenset((UPDATE, DELETE, TRUNCATE, OPAQUE))


class Planned(Protocol):
    """What of the planner's state orders its items (the planner is one)."""

    m: Model
    by_seq: dict[int, list[tuple[Obj, Event]]]
    with_bookkeeping: set[int]
    overloaded: set[str]
    held: dict[int, set[str]]
    opaque_seqs: set[int]
    contained_seqs: set[int]
    replayed_seqs: set[int]
    made_schemas: set[str]
    kind_changed: dict[str, set[str]]


def order_keys(p: Planned, st: Statement, item: Item, alive: list[tuple[Obj, Event]], held: set[tuple[str, str]]) -> None:
    objects, reads = p.m.objects, item.reads
    if st.seq in p.with_bookkeeping:
        # A COMMENT or GRANT on a table needs the table under the name it uses.
        reads.update(o.key for o, e in p.by_seq[st.seq] if bookkeeping_event(o, e) and o.key in objects)
    for o, e in alive:
        # Touching an object (dropping a view, say) depends on what it depends on, so that a
        # later DROP of those waits for it; columns are numbered in the order they are added:
        # changes to one table keep their order.
        kind = o.type
        # (A sequence's owner is a dependency of the statement that names it only: pg_dump makes
        # the sequence after the table, a column default folded into the table needs it first.)
        owner = o.attrs.get("owned_by") if kind == "sequence" and not _names_owner(st.node) else None
        for d in o.depends:
            if d in objects and d != owner:
                reads.add(d)
        if kind == "column" and (left := o.attrs.get("types_left")):
            # Its type then, where it was changed since (an enum swapped, the old one renamed
            # aside): a default naming a label waits for the ADD VALUE of that type.
            at = (e.stmt.parent or e.stmt).seq
            reads.update(t.key for t in next((types for seq, types in left if at < seq), ()))
        if kind == "constraint" and o.contype == "f":
            # PostgreSQL refuses to TRUNCATE a table a foreign key references (without
            # CASCADE): the key stays after the history's TRUNCATEs of it (rows and their
            # TRUNCATE may go to a later file). Nor may a table be made LOGGED or UNLOGGED while
            # a key ties it to one of the other kind: keys and those changes keep their order.
            reads.add(f"@truncate:data:{o.referenced()[6:]}")
            if p.kind_changed:
                item.writes.update(f"@kind:{t}" for t in (o.parent, o.referenced()) if t in p.kind_changed)
        elif kind == "table" and o.key in p.kind_changed and changes_kind(st.node):
            # (and before or after the same change of a table tied to it by a key: `@kind` of both)
            item.writes.update(f"@kind:{t}" for t in p.kind_changed[o.key])
        elif kind == "data":
            reads.add(f"@triggers:{o.parent}")
            item.writes.update((f"@rows:{o.parent}", *([f"@fixed:{o.parent}"] if e.action in _FIXES else ())))
            if e.action == TRUNCATE and getattr(st.node, "behavior", None) != DropBehavior.DROP_CASCADE:
                item.writes.add(f"@truncate:{o.key}")
        elif kind == "function" and e.action in (CREATE, DROP) and (n := o.name.split("(", 1)[0]) in p.overloaded:
            item.writes.add("@overloads:" + n)  # a call resolves among the overloads there are then
        elif kind == "index" and (t := objects.get(o.parent)) is not None and "liked" in t.attrs:
            item.writes.add(f"@liked:{t.key}")  # a LIKE ... INCLUDING INDEXES took the indexes there were
        if e.action == DROP and kind in ("type", "domain"):
            item.writes.add(f"@left:{o.key}")  # after the type changes that left it (an enum swap)
        if held and e.action in (DROP, RENAME) and (o.schema, local := e.name.rsplit(".", 1)[-1]) in held:
            item.writes.add(f"@held:{o.schema}.{local}")
        if kind == "trigger" and e.action in (CREATE, DROP) and changes_rows(p.m, o):
            item.writes.add(f"@triggers:{o.parent}")  # rows written keep their side of it: it fires or not
        if o.parent:
            if o.parent in objects:
                reads.add(o.parent)
            if o.type in ("column", "constraint"):
                item.writes.add(o.parent)
    if st.seq in p.held:
        reads.update(p.held[st.seq])
    reads.update(("@rows:" if every else "@fixed:") + t.key for t, every in p.m.checks.get(st.seq, ()))
    if p.overloaded:
        reads.update(["@overloads:" + n for k in reads if k.startswith("function:") and (n := k[9:].split("(", 1)[0]) in p.overloaded])
    if isinstance(st.node, _PUBLISHING) and any(k.startswith("table:") and (t := objects.get(k)) is not None and _identity_changed(t) for k in reads):
        # An UPDATE or DELETE of a published table needs a replica identity: where the history
        # changes a table's, its publication keeps its side of every write of rows (a key's
        # cascade from another table's DELETE reaches the table too).
        reads.add("@data")
    if st.seq in p.m.left_types:
        reads.update(f"@left:{o.key}" for o in p.m.left_types[st.seq])
    if st.seq in p.m.liked_at:  # (by the statement: the copy's own attributes go with its life)
        reads.update(f"@liked:{src.key}" for src in p.m.liked_at[st.seq])
    if p.made_schemas:
        # What is made in a schema the history makes, or reads something there, needs the schema.
        near = [o for o, _ in alive] + [r for k in reads if (r := objects.get(k)) is not None]
        reads.update({f"schema:{s}" for o in near if o.type != "schema"
                      for s in schemas_then(o, st.seq) if s in p.made_schemas})
    if (isinstance(st.node, DML) or st.seq in p.contained_seqs and st.seq not in p.replayed_seqs and not catalog_only(st.node)
            or any(o.type == "data" for o, _ in alive)):
        # Rows reference rows through foreign keys the model does not follow: data
        # statements keep their order among themselves (and with one that writes rows by
        # calling a function, which reads rows the model does not see it read). (A
        # publication's statement writes none, reads none.)
        item.writes.add("@data")
    item.barrier = is_barrier(st.node) or st.seq in p.opaque_seqs and st.seq not in p.contained_seqs
    item.anchor = isinstance(st.node, ANCHORS)
    item.alone = outside_transaction(st.node)


_PUBLISHING = (ast.CreatePublicationStmt, ast.AlterPublicationStmt)


def _identity_changed(t: Obj) -> bool:
    return any(isinstance(k.node, ast.AlterTableStmt) and any(getattr(c, "subtype", None) == AT.AT_ReplicaIdentity for c in k.node.cmds or ())
               for k in t.attrs.get("kept", ()))


def _names_owner(node: object) -> bool:
    if isinstance(node, ast.CreateSeqStmt | ast.AlterSeqStmt):
        return any(d.defname == "owned_by" for d in node.options or ())
    return True  # (a serial column's CREATE TABLE or ALTER TABLE makes its sequence and its owner at once)


def changes_kind(node: object) -> bool:
    """ALTER TABLE ... SET LOGGED or SET UNLOGGED."""
    return isinstance(node, ast.AlterTableStmt) and any(getattr(c, "subtype", None) in (AT.AT_SetLogged, AT.AT_SetUnLogged)
                                                        for c in node.cmds or ())


def kind_changes(m: Model, changed: set[str]) -> dict[str, set[str]]:
    """The tables made LOGGED or UNLOGGED, each with the tables a foreign key ties to it (and itself)."""
    if not changed:
        return {}
    ties = {k: {k} for k in changed}
    for o in m.objects.values():
        if o.type == "constraint" and o.contype == "f" and (ref := o.referenced()):
            for a, b in ((o.parent, ref), (ref, o.parent)):
                if a in ties and b in changed:
                    ties[a].add(b)
    return ties


def schemas_then(o: Obj, seq: int) -> tuple[str, ...]:
    """The schema `o` was in when statement `seq` ran; at an ALTER ... SET SCHEMA of it, the one it
    left too (replay/moves notes each move)."""
    moves = o.attrs.get("moves") if o.attrs else None
    if not moves:  # (most objects never move)
        return (o.schema,)
    held = [old for _, old in moves] + [o.schema]
    for i, (at, _) in enumerate(moves):
        if seq < at:
            return (held[i],)
        if seq == at:
            return (held[i], held[i + 1])
    return (o.schema,)


def schemas_held(o: Obj) -> set[str]:
    """Every schema `o` was in (moved by ALTER ... SET SCHEMA, it held its names there too)."""
    return {o.schema, *(old for _, old in o.attrs.get("moves", ()))}
