"""What accepting a finding does to the plan, by the finding's effect: which events die with it
(objects created then dropped, earlier definitions, rows removed later) and which statements are
left out. Each accepted finding becomes a fold the proof can back off on its own.

The planner names no finding kind: a kind chooses its effect where it is detected.
"""

from __future__ import annotations

from collections.abc import Callable

from pglast import ast
from pglast.enums import ConstrType as CT

from tui.core.findings import AS_WRITTEN, INTO_CREATE, LAST_DEFINITION, LEAVE_OUT, NO_STATEMENT, SURVIVING_ROWS, TOGETHER, Finding
from tui.core.model import ADD, ALTER, CREATE, DROP, OPAQUE, REPLACE, Event, Obj
from tui.core.names import strings, walk
from tui.core.plan.fold_limits import copied_between, expanded_between, persistence_changed_between
from tui.core.plan.hoisting import hoist_last_definition
from tui.core.plan.holding import held_for_a_chooser, names_held
from tui.core.plan.planner import FOLDED_AWAY, Planner
from tui.core.plan.replaced_lives import KEPT_BY_REPLACE, defaults_changed_in_life, touched_between
from tui.core.plan.surviving import rows_read_before, rows_read_while_alive, surviving_rows, wrote_lasting_rows

NO_EFFECT = "no effect"  # why a statement of an accepted no-effect finding is left out


def leave_out(p: Planner, findings: list[Finding]) -> list[tuple[Obj, Finding, list[Event]]]:
    """Objects created then dropped, each with its finding and the events left out (all of them, but
    for a foreign key that changed rows): none of them are written, nor those of what their DROP
    took along (mark_dead kills them). Chosen from the analysis, the decisions and the pinned
    statements only, so the same in every attempt of a plan."""
    chosen: list[tuple[Obj, Finding, list[Event]]] = []
    dead_objects: list[tuple[Obj, Finding]] = []
    for f in findings:
        o = _dropped_object(p, f)
        if o is not None and not o.exists:
            dead_objects.append((o, f))
    # (By every DROP of theirs: a serial's sequence went with an earlier life of its table.)
    by_drop = {id(e.stmt): f for o, f in dead_objects for e in o.events if e.action == DROP}
    for o in p.m.objects.values():
        if not o.exists and o.events and o.events[-1].by and id(o.events[-1].stmt) in by_drop:
            dead_objects.append((o, by_drop[id(o.events[-1].stmt)]))
    leaving = {o.key for o, _ in dead_objects}
    # A child of an object left out goes with it, whichever statement dropped it: a foreign key
    # that an earlier DROP ... CASCADE of the table it referenced took is still written inside
    # its table's CREATE, which would then be kept for it, and its table never dropped. It goes
    # with either: that DROP's table may stay (held) while its own table goes.
    paired = {(o.key, f.id) for o, f in dead_objects}
    for o, f in list(dead_objects):
        for child in p.children(o.key):
            if (child.key, f.id) not in paired and not child.exists:
                leaving.add(child.key)
                paired.add((child.key, f.id))
                dead_objects.append((child, f))
    # An object that held a name PostgreSQL then chose around (`jobs_id_seq1` beside the renamed
    # old table's `jobs_id_seq`) stays, with all that goes with it: without it the name differs.
    held = by_names = _held_names(p, dead_objects)
    # A table an UPDATE ... FROM or DELETE ... USING read the rows of: they stay, and the table.
    held = held | {f.id for o, f in dead_objects if o.type == "table" and rows_read_while_alive(p, o)
                   or o.type == "trigger" and wrote_lasting_rows(p, o)}
    # A foreign key whose table stays may have deleted rows there while it lived: it stays, and
    # so do the columns it is made of.
    acted = {o.key for o, _ in dead_objects if o.parent not in leaving and _acted(p, o, o.events[0].stmt.seq, o.events[-1].stmt.seq)}
    # (Any key that acted: one made again under its name keeps that life through last_definitions.)
    needed = {d for o in [*(o for o, _ in dead_objects if o.key in acted), *(key for key, _ in p.m.acted_on)] for d in o.depends
              if d.startswith("column:") and (c := p.m.objects.get(d)) is not None and c.parent == o.parent}
    # The table such a key referenced then stays too (its last life may reference another), with
    # the columns it referenced (an earlier life of the table made again has them left out).
    acted_on: dict[int, set[str]] = {}
    for key, t in p.m.acted_on:
        if key.parent not in leaving:
            acted_on[id(t)] = acted_on.get(id(t), set()) | _referenced(p, key, t)
    held |= {f.id for o, f in dead_objects if o.type == "table" and id(o) in acted_on
             or o.type == "column" and _referenced_then(acted_on, p.m.objects.get(o.parent), o)}
    for o, f in dead_objects:
        if p.alive_always and any(id(e) in p.alive_always for e in o.events):
            continue  # a statement of its life is written as it is (pinned): so is the rest of it, its DROP too
        if o.key in acted:
            # The life that changed rows stays, and those after it (with the table it referenced
            # then, held above); those before it go, whatever else stays.
            if f.id not in by_names and (o.type, o.name) not in p.kept and (earlier := _before_acting(o, o.events[0].stmt.seq, o.events[-1].stmt.seq)):
                chosen.append((o, f, earlier))
            continue
        if f.id in held or o.key in needed:
            continue
        if o.type == "data" and rows_read_before(p, o, o.events[-1].stmt.seq):
            continue  # rows of an earlier life of a table made again, read by another statement: they stay
        if (o.type == "column" and o.parent not in leaving and (table := p.m.objects.get(o.parent)) is not None
                and (expanded_between(p, table, o.events[0].stmt.seq, o.events[-1].stmt.seq, views=False)
                     or copied_between(p, table, o.events[0].stmt.seq, o.events[-1].stmt.seq)
                     or _kept_by_heir(p, table, o, o.events[0].stmt.seq, o.events[-1].stmt.seq))):
            continue  # a `*`, a LIKE or a table inheriting it took it while it lived, into a table that lasts
        if (o.type == "constraint" and o.contype == "c" and o.parent not in leaving and (table := p.m.objects.get(o.parent)) is not None
                and _kept_by_heir(p, table, o, o.events[0].stmt.seq, o.events[-1].stmt.seq)):
            continue  # a CHECK a table inheriting it kept
        if (o.type, o.name) not in p.kept:
            chosen.append((o, f, o.events))
    return chosen


def _referenced_then(acted_on: dict[int, set[str]], table: Obj | None, column: Obj) -> bool:
    """Did a key that acted reference the column (of `table`)?"""
    return table is not None and column.name.rsplit(".", 1)[-1] in acted_on.get(id(table), ())


def _referenced(p: Planner, key: Obj, table: Obj) -> set[str]:
    """The columns of `table` a foreign key referenced in its lives that named it (of any key the
    statements making them wrote to it); where one named none, those of the table's primary key."""
    names = table.local_names()
    out: set[str] = set()
    for e in key.events:
        if e.action in (CREATE, ADD):
            for n in walk(e.stmt.node):
                if isinstance(n, ast.Constraint) and n.contype == CT.CONSTR_FOREIGN and n.pktable is not None and n.pktable.relname in names:
                    out.update(strings(n.pk_attrs) or (d.rsplit(".", 1)[-1] for c in p.children(table.key) if c.contype == "p"
                                                       for d in c.depends if d.startswith("column:")))
    return out


def _kept_by_heir(p: Planner, table: Obj, column: Obj, first: int, last: int) -> bool:
    """Did a table made to inherit from `table` before the column (or CHECK) was dropped keep it when
    the parent dropped it? It does where it declared a column of that name itself (merged, the child's
    own too), or stopped inheriting before (`NO INHERIT`, which the model does not follow: any
    statement on the child it cannot follow may have). Left out of the parent's CREATE, the
    child's column would be missing, or in another place."""
    name, is_column = column.name.rsplit(".", 1)[-1], column.type == "column"
    for seq in p.inheritors().get(table.key, ()):
        if seq >= last:  # (made after the DROP, it never had it; made before the ADD, it took it then)
            continue
        node = p.a.parsed.statements[seq].node
        if is_column and any(isinstance(el, ast.ColumnDef) and el.colname == name for el in node.tableElts or ()):
            return True
        child = next((o for o, e in p.by_seq.get(seq, ()) if o.type == "table" and e.action == CREATE), None)
        if child is not None and any(e.action == OPAQUE and max(seq, first) < e.stmt.seq < last for e in child.events):
            return True
    return False


def _dropped_object(p: Planner, f: Finding) -> Obj | None:
    """The object a finding names, or the one its name was taken from (set aside under `key~1`
    when another was renamed into its name: Prisma's new column renamed over the one dropped)."""
    o = p.m.get(f.object_type, f.object_name)
    if o is None or not o.exists:
        return o
    seqs = set(f.seqs)
    n = 1
    while (aside := p.m.objects.get(f"{o.key}~{n}")) is not None:
        if not aside.exists and any((e.stmt.parent or e.stmt).seq in seqs for e in aside.events):
            return aside
        n += 1
    return o


def _held_names(p: Planner, dead: list[tuple[Obj, Finding]]) -> set[str]:
    """Ids of the findings whose objects held a name, while they lived, that PostgreSQL chose
    around for another object then: unless that other object is left out too (a table rebuilt
    aside twice: the middle one goes, and with it what the first held for it)."""
    if not p.m.avoided:
        return set()
    at: dict[tuple[str, str], list[int]] = {}
    for schema, name, seq in p.m.avoided:
        at.setdefault((schema, name), []).append(seq)
    held: set[str] = set()
    while True:
        # (Only what can hold a name: a column left out of a table that stays does not take its CREATE along.)
        dying = {(o.events[0].stmt.parent or o.events[0].stmt).seq for o, f in dead if o.events and f.id not in held and o.type in _NAMED}
        out: set[str] = set()
        for o, f in dead:
            if o.type not in _NAMED or f.id in out or not o.events:
                continue
            first, last = o.events[0].stmt.seq, o.events[-1].stmt.seq
            if any(first <= seq <= last and seq not in dying for name in names_held(p, o) for seq in at.get((o.schema, name), ())):
                out.add(f.id)
        if out == held:
            return held
        held = out


_NAMED = frozenset(("table", "view", "sequence", "index", "constraint"))  # what holds a name PostgreSQL chooses around



def last_definitions(p: Planner, findings: list[Finding]) -> None:
    """Redefined objects: every definition before the last, unless something used an earlier one
    (then they stay where they were, or a function's last definition moves to its first place)."""
    read_at = p.m.read_at()
    defaults_at = [(u.stmt.seq, u.stmt.node) for u in p.m.unfollowable if isinstance(u.stmt.node, ast.AlterDefaultPrivilegesStmt)]
    # The latest made first: a view made again over one made again (each dropped by one CASCADE)
    # has its earlier definitions left out before the one it read is asked whether anything did.
    objects = [(f, o) for f in findings if (o := p.m.get(f.object_type, f.object_name)) is not None and o.exists]
    for f, o in sorted(objects, key=lambda fo: -fo[1].events[0].stmt.seq if fo[1].events else 0):
        defs = [e for e in o.events if e.action in (CREATE, REPLACE, ADD) or (o.type == "comment" and e.action == ALTER)]
        cutoff = defs[-1].stmt.seq if defs else -1
        last_def = defs[-1] if defs else None
        if p.alive_always and any(id(e) in p.alive_always for e in o.events if e.stmt.seq < cutoff):
            continue  # an earlier definition is written as it is (pinned): what dropped it stays too
        own = {e.stmt.seq for e in o.events}
        readers = [seq for seq in read_at.get(id(o), ()) if seq < cutoff and seq not in own]
        # And what read an earlier life of one of its children but not the object (an INSERT ...
        # ON CONFLICT using a key whose name was then another table's): it dies with the object too.
        for x in p.children(o.key):
            if x_readers := read_at.get(id(x)):
                skip = own | {e.stmt.seq for e in x.events} | set(readers)
                readers += sorted({seq for seq in x_readers if seq < cutoff and seq not in skip})
        # A reader left out needs nothing (one revived later is caught by build_plan, see exempted).
        gone = {seq for seq in readers if is_left_out(p, seq)} if p.no_exempt is not None and o.key not in p.no_exempt else set()
        if len(gone) < len(readers) and not hoist_last_definition(p, o, defs, read_at):
            if o.contype == "f" and defs and not held_for_a_chooser(p, o, cutoff):
                # A statement that read a foreign key (whose action it carried, say) needs the life
                # it had then: the lives before the first one read go, with what only they referenced.
                first = min([*readers, *(seq for seq in o.attrs.get("acted", ()) if defs[0].stmt.seq < seq < cutoff)])
                p.fold_of(f).update(p.kill(o, _lives_before(o, first)))
            continue  # used before its last definition: its earlier definitions stay where they were
        if gone:
            p.exempted[o.key] = gone
        hoisted = bool(defs) and defs[0].stmt.seq in p.hoist  # (written where it was first made: nothing moves)
        if not hoisted and o.type in KEPT_BY_REPLACE and touched_between(p, o, {d.stmt.seq for d in defs}, cutoff):
            continue  # commented on, granted or altered in between: that needs it there then
        if not hoisted and defaults_at and defaults_changed_in_life(o, defs, cutoff, defaults_at):
            continue  # made before an ALTER DEFAULT PRIVILEGES: written after it, it would take its privileges
        acting = _before_acting(o, defs[0].stmt.seq, cutoff) if defs and _acted(p, o, defs[0].stmt.seq, cutoff) else None
        if o.type in _NAMED and held_for_a_chooser(p, o, cutoff):
            continue  # an earlier life held its name while another object's was chosen around it
        if defs and o.type == "constraint" and o.contype == "f" and persistence_changed_between(p, o, defs[0].stmt.seq, cutoff):
            continue  # dropped so that a table could be made LOGGED or UNLOGGED: made again after it
        if acting is not None:
            p.fold_of(f).update(p.kill(o, acting))  # the life that changed rows stays, and those after it
            continue
        fold = p.fold_of(f)
        if hoisted:
            fold.update({defs[0].stmt.seq, cutoff})
        for x in [o] + p.children(o.key):
            fold.update(p.kill(x, (e for e in x.events if e.stmt.seq < cutoff)))
        # Within the statement of the last definition too (DROP COLUMN x, ADD COLUMN x).
        fold.update(p.kill(o, o.events[: o.events.index(last_def)] if last_def is not None else []))


def is_left_out(p: Planner, seq: int) -> bool:
    """Is every effect of the statement dead, or has it none (it will not be written, so needs nothing)?
    (What build_items left out as folded away counts: the note an ADD CONSTRAINT leaves on its
    table is no effect of its own.)"""
    if seq in p.pinned:
        return False
    if p.dropped.get(seq) in (NO_EFFECT, FOLDED_AWAY):
        return True
    events = p.by_seq.get(seq)
    return bool(events) and all(id(e) in p.dead for _, e in events)


def _acted(p: Planner, o: Obj, start: int, end: int) -> bool:
    """Did a foreign key act while it lived (rows deleted or updated in the table it references, which
    its ON DELETE or ON UPDATE action reached, as replay recorded)? Then leaving that life out
    changes the rows."""
    if o.type != "constraint" or o.contype != "f":
        return False
    return any(start < seq < end for seq in o.attrs.get("acted", ()))


def _before_acting(o: Obj, start: int, end: int) -> list[Event]:
    """A foreign key's events before the life in which it first acted (between `start` and `end`):
    nothing of theirs changed rows, so they go, and what only they referenced with them."""
    return _lives_before(o, min((seq for seq in o.attrs.get("acted", ()) if start < seq < end), default=None))


def _lives_before(o: Obj, first: int | None) -> list[Event]:
    """An object's events before the life it had at statement `first` (none where that is unknown)."""
    made = [i for i, e in enumerate(o.events) if e.action in (CREATE, ADD) and first is not None and e.stmt.seq <= first]
    return o.events[:made[-1]] if made else []


def no_statements(p: Planner, findings: list[Finding]) -> None:
    """Statements with no effect: left out, except those later statements are read under (SET).
    (A CREATE SCHEMA IF NOT EXISTS of a schema there already goes: what follows relies on the one
    that made it.)"""
    statements = p.a.parsed.statements
    for f in findings:
        for seq in f.seqs:
            if not isinstance(statements[seq].node, ast.VariableSetStmt) and seq not in p.pinned:
                p.dropped[seq] = NO_EFFECT
                p.fold_of(f).add(seq)


# What each effect does here, in this order (leave_out first; statements with no effect next: an
# earlier definition read only by one of them goes; rows last: they read what the others killed).
# INTO_CREATE is folding's (it needs the items), TOGETHER grouping's; AS_WRITTEN changes nothing.
APPLIERS: dict[str, Callable[[Planner, list[Finding]], None]] = {
    NO_STATEMENT: no_statements,
    LAST_DEFINITION: last_definitions,
    SURVIVING_ROWS: surviving_rows,
}
ELSEWHERE = (INTO_CREATE, TOGETHER, AS_WRITTEN)


def mark_dead(p: Planner, left_out: list[tuple[Obj, Finding, list[Event]]] | None = None) -> list[tuple[Obj, Finding, list[Event]]]:
    """Apply the effects of the accepted findings that remove statements or parts of them. What
    leave_out chose is returned, and taken back as `left_out` by a later attempt of the same plan,
    which then does not choose again (a fifth of an attempt at 500,000 statements)."""
    by_effect: dict[str, list[Finding]] = {}
    for f in p.accepted:
        by_effect.setdefault(f.effect, []).append(f)
    unknown = set(by_effect) - {LEAVE_OUT} - set(APPLIERS) - set(ELSEWHERE)
    if unknown:
        raise AssertionError(f"no plan step applies the effect(s) {sorted(unknown)}")
    if left_out is None:
        left_out = leave_out(p, by_effect.get(LEAVE_OUT, []))
    for o, f, events in left_out:
        p.fold_of(f).update(p.kill(o, events))
    for effect, apply in APPLIERS.items():
        apply(p, by_effect.get(effect, []))
    return left_out
