"""Names a statement says that the model knows no object by: a function it calls, a type it uses.
Where a statement the model cannot follow between a CREATE TABLE and a later ALTER says one of
them, it may be what made it (`ALTER FUNCTION f(text) SET SCHEMA s`, a function made by dynamic
SQL, which PostgreSQL reports without a definition): the ALTER does not fold past it."""

from __future__ import annotations

import bisect

from pglast import ast

from tui.core.names import BUILTIN_TYPES, func_calls, type_parts, walk
from tui.core.plan.items import Item
from tui.core.plan.mentioned import words_of
from tui.core.plan.planner import Planner


def unseen_names(p: Planner, node: object) -> set[str]:
    """The last part, lower case, of each name of a function or type the statement names and the
    model knows nothing by (a built-in one too: what the history does not make, it does not know)."""
    out: set[str] = set()
    for call in func_calls(node):
        schema, _, local = call.lower().rpartition(".")
        if schema != "pg_catalog" and (call if schema not in ("", "public") else local) not in p.functions:
            out.add(local)
    for n in walk(node):
        if isinstance(n, ast.TypeName) and n.names:
            schema, base = type_parts(n)
            if schema != "pg_catalog" and base not in BUILTIN_TYPES and p.m.get("type", base if schema in ("", "public") else f"{schema}.{base}") is None \
                    and p.m.get("domain", base if schema in ("", "public") else f"{schema}.{base}") is None:
                out.add(base.lower())
    return out


_last: tuple[set[int] | None, list[int]] = (None, [])


def made_unseen_between(p: Planner, it: Item, target: Item) -> bool:
    """Does a statement the model cannot follow, between `target` and `it`, say a name `it` says
    that the model knows nothing by?"""
    if not p.opaque_seqs:
        return False
    global _last
    last = _last  # (one read: the TUI plans in worker threads)
    if last[0] is not p.opaque_seqs:  # (the attempts of a plan share it: sorted once, not for each ALTER)
        last = _last = (p.opaque_seqs, sorted(p.opaque_seqs))
    ordered = last[1]
    at = bisect.bisect_right(ordered, target.seq)
    if at == len(ordered) or ordered[at] >= it.seq:
        return False
    names = unseen_names(p, it.node)
    if not names:
        return False
    statements = p.a.parsed.statements
    return any(not names.isdisjoint(words_of(statements[seq])) for seq in ordered[at:bisect.bisect_left(ordered, it.seq)])
