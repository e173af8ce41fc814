"""Helpers the detectors share: which events are the history's own, what goes with a dropped object."""

from __future__ import annotations

from tui.core.model import CREATE, DROP, Event, Model, Obj


def history_events(o: Obj) -> list[Event]:
    """Events from migrations, not from the preamble (migration index -1)."""
    return [e for e in o.events if e.stmt.migration >= 0]


def current_life(o: Obj) -> list[Event]:
    """Events since the object was last created."""
    start = 0
    for i, e in enumerate(o.events):
        if e.action == CREATE or (e.action == "add" and i and o.events[i - 1].action == DROP):
            start = i
    return o.events[start:]


def version_of(model: Model, sources: object, migration: int) -> str:
    migs = getattr(sources, "migrations", ())
    return migs[migration].version or migs[migration].name if 0 <= migration < len(migs) else ""
