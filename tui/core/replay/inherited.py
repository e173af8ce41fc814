"""Columns a partition or an INHERITS child has from its parent: the model keeps the columns of a
table's own definition only, so a statement naming an inherited one is valid SQL it does not
follow (kept where it stands, without a warning)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.core.model import Obj

if TYPE_CHECKING:
    from tui.core.replay.engine import Engine


def inherited_from(rp: Engine, t: Obj, column: str, depth: int = 0) -> Obj | None:
    """The parent a partition or an INHERITS child has the column from (the model keeps the
    columns of a table's own definition only), or None."""
    for key in t.depends:
        parent = rp.model.objects.get(key) if key.startswith("table:") else None
        if parent is None or not parent.exists:
            continue
        col = rp.model.get("column", f"{parent.name}.{column}")
        if col is not None and col.exists:
            return parent
        if depth < 8 and (found := inherited_from(rp, parent, column, depth + 1)) is not None:
            return found
    return None


def depends_or_left(t: Obj) -> tuple[str, ...]:
    """What the table depends on, and the tables it stopped inheriting from (`NO INHERIT`, noted
    in replay/tables): it took their columns in their order when it was made."""
    return (*t.depends, *(x.key for x in t.attrs.get("uninherited", ())))


def ancestors(rp: Engine, t: Obj, depth: int = 0) -> list[Obj]:
    """The tables a partition or an INHERITS child has columns from, and theirs."""
    out: list[Obj] = []
    for key in t.depends if t.attrs.get("opaque") else ():
        parent = rp.model.objects.get(key) if key.startswith("table:") else None
        if parent is not None and parent.exists and parent is not t:
            out.append(parent)
            if depth < 8:
                out.extend(ancestors(rp, parent, depth + 1))
    return out


def children_of(rp: Engine, t: Obj, inheriting: bool = False) -> list[str]:
    """The partitions of a partitioned table there are now (and theirs): a row goes to one of them,
    so an INSERT needs them made first (a DEFAULT partition takes what no other does). `inheriting`:
    the tables made to INHERIT from it instead."""
    out: list[str] = []
    for o in rp.dependents(t):
        if (o.type == "table" and o.exists and t.key in o.depends
                and (getattr(o.node, "inhRelations", None) and o.node.partbound is None if inheriting else getattr(o.node, "partbound", None) is not None)):
            out.append(o.key)
            out.extend(children_of(rp, o, inheriting))
    return out
