"""A function's key holds its argument types by name: a type renamed or moved renames it too."""

from __future__ import annotations

from tui.core.model import Obj
from tui.core.replay.engine import Engine


def resign(rp: Engine, t: Obj, old: str) -> None:
    """The functions that take type `t`, just renamed or moved from `old`, by the signature
    PostgreSQL now gives them (`f(app.mood)`): a later DROP or ALTER names them so."""
    new = t.name
    for f in rp.dependents(t):
        if f.type != "function" or "(" not in f.name:
            continue
        base, _, args = f.name.partition("(")
        parts = [new + a[len(old):] if a == old or a.startswith(old + "[") else a for a in args[:-1].split(", ")]
        name = f"{base}({', '.join(parts)})"
        if name != f.name and rp.model.get("function", name) is None:
            rp.rekey(f, name)
