"""What a foreign key a kept statement makes needs that is left out: its own columns, and what it
references in the life it referenced then. Its `depends` are its last life's: a key made again
and again (to another table, to its own) references in each life what that life named, and an
object of the same name a later life made (a table dropped and made again) does not stand for it."""

from __future__ import annotations

from typing import Protocol

from tui.core.model import ADD, CREATE, Event, Model, Obj
from tui.core.parse import Statement


class LeftOut(Protocol):
    """What of the planner's state tells what is left out (the planner is one)."""

    m: Model
    dead: set[int]
    dead_in: dict[int, int]


def key_needs_dead(p: LeftOut, key: Obj, dead_keys: set[str], seq: int) -> bool:
    """Does the foreign key `key` (made by statement `seq`) need something left out?"""
    own = f"column:{key.parent.split(':', 1)[-1]}."
    return (any(d.startswith(own) and d in dead_keys for d in key.depends)
            or any(_referenced_dead(p, r, seq) for r in referenced_then(p, seq, [key])))


def needed_by_keys(p: LeftOut, st: Statement, alive: list[tuple[Obj, Event]]) -> list[Obj]:
    """What the foreign keys the statement makes reference, left out: by their last life, in part
    too (the key's DROP, with its table's), and by what the statement referenced then."""
    keys = [o for o, _ in alive if o.contype == "f"]
    if not keys:
        return []
    objects = p.m.objects
    out = [d for o in keys for k in o.depends if (d := objects.get(k)) is not None and d.type != "table" and p.dead_in.get(id(d))]
    return out + [r for r in referenced_then(p, st.seq, keys) if _referenced_dead(p, r, st.seq)]


def referenced_then(p: LeftOut, seq: int, keys: list[Obj]) -> list[Obj]:
    """The columns and keys these foreign keys, made by the statement at `seq`, reference there:
    a fold of the statement waits for them as they were then (a key added to the table after its
    CREATE TABLE, in that life)."""
    ids = {id(k) for k in keys}
    return [r for fk, refs in p.m.referenced.get(seq, ()) if id(fk) in ids for r in refs]


def _referenced_dead(p: LeftOut, o: Obj, seq: int) -> bool:
    """Is the life of `o` (a column, a key) that the statement at `seq` saw left out while another
    life of it stays? (One left out whole is the last life's concern: a table rebuilt and renamed
    into place stands in for it under its name.)"""
    if not 0 < p.dead_in.get(id(o), 0) < len(o.events):
        return False
    made = None
    for e in o.events:
        if (e.stmt.parent or e.stmt).seq > seq:
            break
        if e.action in (CREATE, ADD):
            made = e
    return made is not None and id(made) in p.dead
