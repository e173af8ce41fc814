"""What triggers may write when they fire: the model does not run their bodies, it marks the tables they name."""

from __future__ import annotations

import re

from pglast.enums import TRIGGER_TYPE_BEFORE, TRIGGER_TYPE_DELETE

from tui.core.model import CREATE, OPAQUE, REPLACE, Event, Obj
from tui.core.replay.emptiness import certainly_empty
from tui.core.replay.engine import Engine
from tui.core.replay.functions import callees
from tui.core.replay.reads import defaults_taken
from tui.core.replay.state import WORD

# The tables a function body writes: INSERT INTO and MERGE INTO add rows; UPDATE, DELETE FROM and
# TRUNCATE only change the rows there are.
_INSERTS = re.compile(r"\b(?:insert\s+into|merge\s+into)\s+(?:only\s+)?([a-z_][a-z0-9_$]*(?:\.[a-z_][a-z0-9_$]*)?)")
_CHANGES = re.compile(r"\b(?:update|delete\s+from|truncate(?:\s+table)?)\s+(?:only\s+)?"
                      r"([a-z_][a-z0-9_$]*(?:\.[a-z_][a-z0-9_$]*)?)")
# A BEFORE trigger's function may change the row it fires for (it assigns to NEW) or skip it
# (one of its RETURNs gives other than the row: NEW for an INSERT or UPDATE, OLD for a DELETE).
_SETS_NEW = re.compile(r"\bnew\s*\.\s*\w+\s*:?=[^=]|\bnew\s*:=")
# The columns of its row a trigger's function names (NEW.c, OLD.c): they must be there when it fires.
_ROW_COLUMNS = re.compile(r"\b(?:new|old)\s*\.\s*([a-z_][a-z0-9_$]*)")
_RETURNS = re.compile(r"\breturn\b\s*([^;]*);")


def fire(rp: Engine, t: Obj, rows_affected: bool = True, event: int = 0, mentioned: bool = False) -> None:
    """Rows of `t` changed (or a statement ran on it): whatever its triggers' functions, and the
    functions those call, may write is no longer known to hold only the rows the model has.
    `event`: the trigger event the statement is (TRIGGER_TYPE_INSERT, _UPDATE or _DELETE), where a
    row-level BEFORE trigger on it may change the rows written or keep those deleted. `mentioned`:
    a statement the model cannot follow names the table (whether it writes rows there is not known)."""
    if not rp.has_triggers:
        return
    for key in list(rp.rdeps.get(t.key, ())):  # marking data links new objects to the tables
        trig = rp.model.objects.get(key)
        if trig is None or trig.type != "trigger" or not trig.exists:
            continue
        if not rows_affected and getattr(trig.node, "row", False):
            continue  # a row-level trigger fires only on rows
        # Through the dependency, which follows renames (the name in attrs is the one written).
        fn = next((f for k in trig.depends if (f := rp.model.objects.get(k)) is not None
                   and f.type == "function"), None)
        made = fn.last(CREATE, REPLACE) if fn is not None else None
        words = function_words(rp, fn)
        changes_rows = bool(event and rows_affected and _before_on(trig, event) and _may_change_row(made, event))
        if changes_rows:
            rp.data(t).uncertain = "rows a BEFORE trigger may have changed or kept"
            trig.attrs.setdefault("wrote", set()).add(t.key)  # (see the plan's leave_out: the trigger stays)
        # (what its WHEN and its function call run too: they must be there, as they are now)
        called = [f for f in callees(rp, [trig]) if f is not fn]
        if changes_rows or words or fn is None or called:
            # The rows are as this definition of the trigger and of its function make them: a later
            # CREATE OR REPLACE of either stays after the write, and folds no earlier one away.
            rp.note_reads([trig, *([fn] if fn is not None else []), *called])
        if made is not None and getattr(trig.node, "row", False) and (rows_affected or not certainly_empty(rp, t)):
            named = set(_ROW_COLUMNS.findall(made.stmt.text.lower()))
            rp.note_reads([c for n in sorted(named) if (c := rp.model.get("column", f"{t.name}.{n}")) is not None and c.exists])
        # The write stays after the tables its function writes (and, see the plan, on its side of the
        # trigger), and their columns as they are when it fires: those it names (UPDATE log SET
        # what), and every one of a table it inserts into (those it does not name take their defaults).
        written = [o for w in words if (o := rp.model.objects.get("table:" + w[1:])) is not None and o.exists]
        rp.note_reads(written)
        for o in written if not mentioned else ():
            if o is not t and (rows_affected or not getattr(trig.node, "row", False)):
                # Rows it wrote there, at this statement: what changes that table's columns later
                # (a default set) is not declared ahead of them.
                rp.event(rp.data(o), OPAQUE, f"rows written by trigger {trig.name.rsplit('.', 1)[-1]}")
        if written and made is not None and not mentioned:
            said = rp.names_in(made.stmt)
            inserts = {"table:" + w[1:] for w in words if w[0] == "+"}
            rp.note_reads([c for o in written for n in o.attrs.get("columns", ()) if (o.key in inserts or n in said)
                           and (c := rp.model.get("column", f"{o.name}.{n}")) is not None])
            # And what the rows it adds go through, as a plain INSERT's (the default a column of a
            # domain takes: an ALTER DOMAIN ... SET DEFAULT later stays after it).
            rp.note_reads(defaults_taken(rp, [o for o in written if o.key in inserts]))
        if ("execute" in words and (rows_affected or not getattr(trig.node, "row", False))
                and not (rp.model.unfollowable and rp.model.unfollowable[-1].stmt is rp.stmt)):  # (not already)
            # It may write any table: which, the server tells (replay/observed), and the write
            # stays after the tables it was seen writing. Each write that fires it.
            rp.unfollow(f"fires trigger {trig.name.rsplit('.', 1)[-1]}, whose function runs dynamic SQL")
        stamp = (key, id(made), rp.truncations)
        if stamp in rp.fired:
            continue  # the same function fired since the last TRUNCATE: its tables are marked already
        if fn is None or "execute" in words:
            rp.blind = True  # it may write any table
        skipped = False
        for word in words:
            other = rp.model.objects.get("table:" + word[1:])
            if other is None or not other.exists:
                continue
            if word[0] == "~" and certainly_empty(rp, other):
                skipped = True  # an UPDATE or DELETE of a table with no row changes nothing
                continue
            rp.data(other).uncertain = "rows a trigger may have written"
            # Rows it added (an audit log) or changed (a count kept in another table): see the plan's leave_out.
            trig.attrs.setdefault("wrote", set()).add(other.key)
        if not skipped:
            rp.fired.add(stamp)


def _before_on(trig: Obj, event: int) -> bool:
    node = trig.node
    return bool(getattr(node, "row", False) and getattr(node, "timing", 0) & TRIGGER_TYPE_BEFORE and getattr(node, "events", 0) & event)


def _may_change_row(made: Event | None, event: int) -> bool:
    """Can the trigger function, as defined then, change the row it fires for (or skip it)?"""
    if made is None:
        return False  # (a function the model does not know: a built-in one's, an extension's)
    text = made.stmt.text.lower()
    row = "old" if event == TRIGGER_TYPE_DELETE else "new"
    returns = [r.strip() for r in _RETURNS.findall(text)]
    return row == "new" and bool(_SETS_NEW.search(text)) or not returns or any(r != row for r in returns)


def fire_mentioned(rp: Engine, text: str) -> None:
    """A statement the model cannot follow may write any table it names: their triggers may fire."""
    if not rp.has_triggers:
        return
    for word in set(WORD.findall(text.lower())):
        t = rp.model.objects.get("table:" + word)
        if t is not None and t.exists:
            fire(rp, t, mentioned=True)


def fire_cascade(rp: Engine, t: Obj, rows_affected: bool) -> None:
    """A DELETE fires the triggers of `t` and, through ON DELETE CASCADE or SET NULL, of the
    tables whose foreign keys point at it (when those may hold rows)."""
    fire(rp, t, rows_affected, TRIGGER_TYPE_DELETE)
    if not rows_affected or not rp.has_triggers:
        return
    for c in list(rp.fk_by_ref.get(t.name, ())):
        if c.exists and c.attrs.get("ref_table") == t.name:
            child = rp.model.objects.get(c.parent)
            if child is not None and child is not t and not certainly_empty(rp, child):
                fire(rp, child, True, TRIGGER_TYPE_DELETE)


def function_words(rp: Engine, fn: Obj | None) -> set[str]:
    """The tables a function's last definition and the functions it calls write, lower case:
    `+name` where it inserts, `~name` where it updates or deletes ("execute" for dynamic SQL)."""
    made_last = fn.last(CREATE, REPLACE) if fn is not None else None
    cache_key = id(made_last)
    if made_last is not None and cache_key in rp.words_cache:
        return rp.words_cache[cache_key]
    out: set[str] = set()
    todo = [fn] if fn is not None else []
    seen: set[str] = set()
    while todo:
        f = todo.pop()
        if f.key in seen:
            continue
        seen.add(f.key)
        made = f.last(CREATE, REPLACE)
        if made is None:
            continue
        text = made.stmt.text.lower()
        for sign, pattern in (("+", _INSERTS), ("~", _CHANGES)):
            written = set(pattern.findall(text))
            out |= {sign + w for w in written} | {sign + w.rsplit(".", 1)[-1] for w in written if "." in w}
        if "execute" in text:
            out.add("execute")
        for w in set(WORD.findall(text)):
            todo.extend(rp.functions_called(w))
    if made_last is not None:
        rp.words_cache[cache_key] = out  # a later CREATE OR REPLACE is a new event: a new entry
    return out
