"""Names PostgreSQL chose around another object's (`jobs_id_seq1` beside the old table's
`jobs_id_seq`): what held the name stays while the statement that chose around it stays."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from pglast.enums import ConstrType as CT

from tui.core.model import DROP, RENAME, Model, Obj


class Planner(Protocol):
    """What of the planner this needs (the planner calls in here: it is not imported back)."""

    m: Model
    dead: set[int]
    chose_around: dict[int, set[tuple[str, str]]]  # seq -> (schema, name) it chose around
    holders: dict[tuple[str, str], list[Obj]] | None  # (schema, name) -> what held it, made when first asked
    held_names: set[tuple[str, str]]  # (schema, name) chosen around, or taken again after something freed it

    def children(self, key: str) -> list[Obj]: ...

    def revive(self, pairs: list, reads: set[str] = ...) -> set[int]: ...  # type: ignore[type-arg]


def names_held(p: Planner, o: Obj) -> set[str]:
    """The names an object held: its own, and a table's keys, indexes and identity sequences
    (named after the table, they keep the name when the table is renamed aside)."""
    names = o.local_names()
    if o.type == "table":
        for c in p.children(o.key):
            if c.type in ("constraint", "index"):
                names |= c.local_names()
            elif c.type == "column" and (seq := c.attrs.get("identity_sequence")):
                names.add(seq)
    return names


def revive_holders(p: Planner, seqs: set[int]) -> set[int]:
    """Statements brought back that chose a name around another object's: that object comes
    back too, with the parts that held the name, or the name differs. The seqs revived."""
    around = {(sn, seq) for seq in seqs for sn in p.chose_around.get(seq, ())}
    if not around:
        return set()
    keys: set[str] = set()
    holders = _holders(p)
    for sn, seq in around:
        for o in holders.get(sn, ()):
            if o.events[0].stmt.seq <= seq <= o.events[-1].stmt.seq and any(id(e) in p.dead for e in o.events):
                keys.add(o.key)
                keys.update(c.key for c in p.children(o.key) if c.type in ("constraint", "index", "column")
                            and (c.type != "column" or c.attrs.get("identity_sequence")))
    return p.revive([], keys) if keys else set()


def held_for_a_chooser(p: Planner, o: Obj, before: int) -> bool:
    """Did `o`, before statement `before`, hold a name PostgreSQL chose around for a statement
    that is written? (Left out, its name would go to that statement's object instead.)"""
    first = o.events[0].stmt.seq if o.events else before
    return any(first <= seq < before and not all(id(e) in p.dead for _, e in p.by_seq.get(seq, ()))
               for name in names_held(p, o) for seq in p.choosers.get((o.schema, name), ()))


def freed_between(p: Planner, schema: str, name: str, start: int, end: int, taker: str = "") -> bool:
    """Did a statement between `start` and `end` that is written drop or rename away what held the
    relation name `name` (a table whose key had it), other than `taker` (a key's own earlier life)?
    What takes the name after it may not move before it."""
    if (schema, name) not in p.held_names:
        return False  # (never freed and taken again: the holders of every name are not looked up)
    return any(start < (e.stmt.parent or e.stmt).seq < end and e.action in (DROP, RENAME) and id(e) not in p.dead
               for o in _holders(p).get((schema, name), ()) if o.key != taker for e in o.events)


def takes_a_freed_name(p: Planner, table: Obj, constraints: Iterable[Any], start: int, end: int) -> bool:
    """Does a key or unique constraint of `table` among `constraints` take, by its own name, one
    that was freed between `start` and `end` (see freed_between)?"""
    return any(c.conname and c.contype in _INDEXED and freed_between(p, table.schema, c.conname, start, end, f"constraint:{table.name}.{c.conname}")
               for c in constraints)


_INDEXED = frozenset((CT.CONSTR_PRIMARY, CT.CONSTR_UNIQUE, CT.CONSTR_EXCLUSION))  # (their index has their name)


def _holders(p: Planner) -> dict[tuple[str, str], list[Obj]]:
    """(schema, name) -> the objects that held the name, made when first asked."""
    if p.holders is None:
        p.holders = {}
        for o in p.m.objects.values():
            if o.type in ("table", "view", "sequence", "index", "constraint") and o.events:
                for name in names_held(p, o):
                    p.holders.setdefault((o.schema, name), []).append(o)
    return p.holders
