"""created_then_dropped: objects the history creates and later drops."""

from __future__ import annotations

from pglast import ast

from tui.core.findings.common import history_events
from tui.core.findings.finding import LEAVE_OUT, Finding, make_finding, stmts
from tui.core.formats.base import SourceSet
from tui.core.model import ADD, CREATE, DROP, Event, Model, Obj
from tui.core.names import strings

_SKIP = {"grant", "comment"}
_UNRELATED = ("data", "comment", "grant")  # never listed as going with a dropped object
_JSON = ("json", "jsonb")


def _is_json(tn: ast.TypeName | None) -> bool:
    """json or jsonb, not an array of it (read from the tree: printing every column's type costs)."""
    if tn is None or tn.arrayBounds:
        return False
    parts = strings(tn.names)
    return (len(parts) == 1 or (len(parts) == 2 and parts[0] == "pg_catalog")) and parts[-1].lower() in _JSON


def detect(model: Model, sources: SourceSet) -> list[Finding]:
    """An object created by one migration and dropped by a later one, and not created again.

    Accept: the consolidated set never creates it, nor anything that lived and died with it
    (a dropped enum's column and indexes, a dropped table's rows). Keep: its statements are
    written as they were, created and then dropped again, after what they depend on.
    """
    # One pass over every object (880,000 at 500,000 statements); what follows looks only at
    # the dropped ones. `rev`: the dropped objects that depended on each key, children included:
    # _related follows nothing else.
    dropped: list[Obj] = []
    dropped_names: set[str] = set()
    rev: dict[str, list[Obj]] = {}
    json_added: dict[int, list[Obj]] = {}
    for x in model.objects.values():
        if x.exists:
            if x.type == "column" and _is_json(x.attrs.get("type")):
                first = x.first(ADD, CREATE)
                if first is not None:
                    json_added.setdefault(first.stmt.migration, []).append(x)
            continue
        dropped.append(x)
        if x.type != "data":  # (a table's rows are named as the table: a table made again is not dropped)
            dropped_names.add(x.name)
        if x.type not in _UNRELATED:
            for d in x.depends:
                rev.setdefault(d, []).append(x)
            if x.parent:
                rev.setdefault(x.parent, []).append(x)
    out: list[Finding] = []
    for o in dropped:
        if o.type in _SKIP:
            continue
        drop = o.last(DROP)
        if drop is None:
            continue
        # Dropped along with its owner (its table, its type): the owner's story tells this one's.
        if drop.by and drop.by in dropped_names:
            continue
        events = history_events(o)
        if not events or not any(e.action in (CREATE, ADD) for e in events):
            continue
        related = _related(o, drop, rev, json_added)
        what = "column" if o.type == "column" else o.type
        action = f"Leave {what} {o.name} out of the consolidated set: it is dropped again in {drop.stmt.file}."
        out.append(make_finding("created_then_dropped", o.type, o.name, action, stmts(events), related, effect=LEAVE_OUT))
    return out


def _related(o: Obj, drop: Event, rev: dict[str, list[Obj]], json_added: dict[int, list[Obj]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    frontier = [o]
    seen = {o.key}
    for _ in range(2):
        nxt = []
        for x in frontier:
            for d in rev.get(x.key, []):
                if d.key not in seen:  # (dropped, and not data, a comment or a grant: see detect)
                    seen.add(d.key)
                    out.append((d.type, d.name))
                    nxt.append(d)
        frontier = nxt
    # What the same migration added in its place, such as a JSONB column replacing several.
    for x in json_added.get(drop.stmt.migration, []):
        if o.type != "column" or x.parent == o.parent:
            out.append((x.type, x.name))
    return out
