"""A function's last definition written where its first stood, when nothing ran it in between."""

from __future__ import annotations

from pglast import ast
from pglast.enums import TRIGGER_TYPE_TRUNCATE

from tui.core.model import DROP, Event, Obj
from tui.core.plan.items import DML, EXISTENCE_ONLY, RUNS_CODE, language
from tui.core.plan.planner import Planner

_ON_TRUNCATE = TRIGGER_TYPE_TRUNCATE  # a bit of CreateTrigStmt.events



def hoist_last_definition(p: Planner, o: Obj, defs: list[Event], read_at: dict[int, list[int]]) -> bool:
    """Write a function's last definition where its first stood, when what used it in between
    only needed it to exist (a trigger, a comment, a grant) and nothing ran it meanwhile.

    PL/pgSQL bodies are not checked when created, so the final body may name objects created
    later; SQL-language bodies are, and stay as they were.
    """
    if not p.hoisting or o.type != "function" or len(defs) < 2 or any(d.stmt.seq in p.pinned for d in defs):
        return False
    first, last = defs[0].stmt, defs[-1].stmt
    if first.parent is not None or last.parent is not None or language(last.node) != "plpgsql":
        return False
    if any(e.action == DROP and first.seq < e.stmt.seq < last.seq for e in o.events):
        return False
    own = {e.stmt.seq for e in o.events}
    stmts = p.a.parsed.statements  # in history order: a statement's seq is its index
    for seq in read_at.get(id(o), ()):
        if seq < last.seq and seq not in own and not isinstance(stmts[seq].node, EXISTENCE_ONLY):
            return False
    triggers = [t for t in p.m.objects.values() if t.type == "trigger" and o.key in t.depends]
    fired_on = {t.parent for t in triggers}
    truncate_fired_on = {t.parent for t in triggers if getattr(t.node, "events", 0) & _ON_TRUNCATE}
    cascades_from = {str(c.attrs.get("ref_table")) for c in p.m.objects.values()
                     if c.type == "constraint" and c.contype == "f" and c.parent in fired_on}
    for st in stmts[first.seq + 1:last.seq]:
        if st.seq in p.opaque_seqs or (isinstance(st.node, RUNS_CODE) and not isinstance(st.node, DML)):
            return False  # it may have called the function
        if isinstance(st.node, DML):
            targets = {d.parent for d, _ in p.by_seq.get(st.seq, []) if d.type == "data"}
            if isinstance(st.node, ast.TruncateStmt):
                if targets & truncate_fired_on:
                    return False  # an ON TRUNCATE trigger ran it
                continue
            if not targets or targets & fired_on or {k.split(":", 1)[1] for k in targets} & cascades_from:
                return False  # a trigger on the function may have fired
    p.hoist[first.seq] = last
    p.hoisted[last.seq] = first
    return True
