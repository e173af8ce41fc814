"""Tables a write reaches beyond the relation it names, which the model does not follow row by row:
those under a view written through (PostgreSQL writes through a simple view itself) and those the
actions of a rule on the relation write (`DO INSTEAD` or `DO ALSO`). Their rows are no longer known
and their triggers fire: a trigger that logs each row runs for a row written through a view."""

from __future__ import annotations

from pglast import ast
from pglast.enums import TRIGGER_TYPE_DELETE, TRIGGER_TYPE_INSERT, TRIGGER_TYPE_UPDATE

from tui.core.model import OPAQUE, Obj
from tui.core.names import walk
from tui.core.replay.engine import Engine
from tui.core.replay.reads import tables_under
from tui.core.replay.state import local_name
from tui.core.replay.triggers import fire

_EVENTS = {ast.InsertStmt: TRIGGER_TYPE_INSERT, ast.UpdateStmt: TRIGGER_TYPE_UPDATE, ast.DeleteStmt: TRIGGER_TYPE_DELETE}


def note_rule(rp: Engine, node: ast.RuleStmt) -> None:
    """What a rule's actions write, by the name of the relation it is on (a rule dropped later is
    still counted: writing more than was written costs folds, not correctness)."""
    if node.relation is None:
        return
    for n in walk(node.actions or ()):
        if type(n) in _EVENTS and n.relation is not None:
            rp.rule_writes.setdefault((node.relation.relname or "").lower(), []).append((_EVENTS[type(n)], n.relation))


def reached(rp: Engine, t: Obj, relname: str, event: int) -> list[Obj]:
    """The tables a write of `t` (named `relname`, the statement's trigger `event`) reaches beyond
    it: each given an event of rows the model does not know, its triggers fired."""
    out: list[Obj] = []
    seen = {t.key}
    todo = [(t, relname, event)]
    while todo:
        o, name, ev = todo.pop()
        beyond = [(x, ev, f"rows written through view {o.name}") for x in tables_under(rp, [o.key])
                  if x.exists and x.key != o.key] if o.type == "view" else []
        for ev2, target in rp.rule_writes.get(name.lower(), ()):
            _, _, x = rp.rel(target, ("table", "view"))
            if x is not None and x.exists:
                beyond.append((x, ev2, f"rows a rule on {name} wrote"))
        for x, ev2, why in beyond:
            if x.key in seen:
                continue
            seen.add(x.key)
            rp.event(rp.data(x), OPAQUE, why)
            fire(rp, x, event=ev2)
            out.append(x)
            todo.append((x, local_name(x.name), ev2))  # (written through in turn: a view, or a table with rules)
    return out
