"""What accepting a finding does to the plan: which events die with it (objects created then
dropped, earlier definitions, rows removed later) and which statements are left out."""

from __future__ import annotations

from tui.core.findings import Finding
from tui.core.model import (
    ADD,
    ALTER,
    CREATE,
    DELETE,
    INSERT,
    OPAQUE,
    REPLACE,
    TRUNCATE,
    UPDATE,
    Event,
    Obj,
)
from tui.core.plan.hoisting import hoist_last_definition
from tui.core.plan.items import BARRIERS
from tui.core.plan.planner import Planner


def mark_dead(p: Planner) -> None:
    by_kind: dict[str, list[Finding]] = {}
    for f in p.accepted:
        by_kind.setdefault(f.kind, []).append(f)
    dead_objects: list[Obj] = []
    for f in by_kind.get("created_then_dropped", []):
        o = p.m.get(f.object_type, f.object_name)
        if o is not None and not o.exists:
            dead_objects.append(o)
    drop_seqs = {id(o.events[-1].stmt) for o in dead_objects}
    for o in p.m.objects.values():
        if not o.exists and o.events and o.events[-1].detail.startswith("dropped with") and id(o.events[-1].stmt) in drop_seqs:
            dead_objects.append(o)
    for o in dead_objects:
        if (o.type, o.name) not in p.kept:
            p.dead.update(id(e) for e in o.events)
    read_at: dict[int, list[int]] = {}  # id(object) -> seqs of the statements that need it
    for seq, objs in p.m.reads.items():
        for ob in objs:
            read_at.setdefault(id(ob), []).append(seq)
    children: dict[str, list[Obj]] = {}
    for c in p.m.objects.values():
        if c.parent:
            children.setdefault(c.parent, []).append(c)
    for f in by_kind.get("redefined", []) + [f for f in by_kind.get("altered_later", []) if f.object_type == "comment"]:
        o = p.m.get(f.object_type, f.object_name)
        if o is None or not o.exists:
            continue
        defs = [e for e in o.events if e.action in (CREATE, REPLACE, ADD) or (o.type == "comment" and e.action == ALTER)]
        cutoff = defs[-1].stmt.seq if defs else -1
        last_def = defs[-1] if defs else None
        own = {e.stmt.seq for e in o.events}
        if any(seq < cutoff and seq not in own for seq in read_at.get(id(o), ())) and not hoist_last_definition(p, o, defs, read_at):
            continue  # used before its last definition: its earlier definitions stay where they were
        family = [o] + children.get(o.key, [])
        for x in family:
            p.dead.update(id(e) for e in x.events if e.stmt.seq < cutoff)
        # Within the statement of the last definition too (DROP COLUMN x, ADD COLUMN x).
        for e in o.events[: o.events.index(last_def)] if last_def is not None else []:
            p.dead.add(id(e))
    # Referencing tables first: a table's rows can go once the rows pointing at them have gone.
    size = -1
    while size != len(p.dead):
        size = len(p.dead)
        for f in by_kind.get("data_then_removed", []):
            mark_rows_dead(p, f)
    by_seq = {s.seq: s for s in p.a.parsed.statements}
    for f in by_kind.get("no_effect", []):
        for seq in f.seqs:
            st = by_seq.get(seq)
            if st is not None and not isinstance(st.node, BARRIERS):
                p.dropped[seq] = "no effect"


def mark_rows_dead(p: Planner, f: Finding) -> None:
    d = p.m.get("data", f.object_name)
    if d is None or d.attrs.get("uncertain"):
        return
    # Rows of other tables may point at these: they can go only when every statement that
    # wrote rows of the referencing tables goes too (a table pointing at itself keeps them).
    if p._fk_refs is None:
        p._fk_refs = {}
        for c in p.m.objects.values():
            if c.type == "constraint" and c.attrs.get("contype") == "f":
                for dep in c.attrs.get("depends", ()):
                    if dep.startswith("table:"):
                        p._fk_refs.setdefault(dep, []).append(c)
    table_key = d.parent
    for c in p._fk_refs.get(table_key, []):
        other = p.m.objects.get(c.parent)
        od = p.m.get("data", other.name) if other is not None else None
        if od is not None and (other is not None and other.key == table_key and od.events
                               or any(e.action in (INSERT, UPDATE, OPAQUE) and id(e) not in p.dead for e in od.events)):
            return
    rows = d.attrs.get("rows", [])
    # Leaving out an INSERT shifts the serial ids of rows inserted after it: only rows that
    # no surviving row follows can go.
    last_alive = max((r.event.stmt.seq for r in rows if r.alive), default=-1)
    for e in d.events:
        if e.action == INSERT and e.stmt.seq > last_alive:
            mine = [r for r in rows if r.event is e]
            if mine and all(not r.alive for r in mine):
                p.dead.add(id(e))
    for e in d.events:
        if e.action in (DELETE, TRUNCATE):
            removed = [r for r in rows if r.removed_by is e]
            before = [x for x in d.events if x.stmt.seq < e.stmt.seq and x.action in (INSERT, "update", DELETE)]
            if removed and all(id(r.event) in p.dead for r in removed) and all(id(x) in p.dead or x.action == DELETE for x in before):
                if e.action == TRUNCATE and not _truncate_cascade_safe(p, e):
                    continue
                p.dead.add(id(e))


def _truncate_cascade_safe(p: Planner, e: Event) -> bool:
    node = e.stmt.node
    if getattr(getattr(node, "behavior", None), "name", "") != "DROP_CASCADE":
        return True
    for o in p.m.objects.values():
        if o.type == "data" and e not in o.events and any(r.alive for r in o.attrs.get("rows", [])):
            return False
    return True
