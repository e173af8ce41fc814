"""Names a statement says that the model knows no object by: a function it calls, a type it uses,
a string that names an object. Where a statement the model cannot follow between a CREATE TABLE
and a later ALTER says one of them, it may be what made it (`ALTER FUNCTION f(text) SET SCHEMA s`,
a function made by dynamic SQL, which PostgreSQL reports without a definition, a text search
configuration a generated column names in a string): the ALTER does not fold past it."""

from __future__ import annotations

import bisect
import re

from pglast import ast

from tui.core.names import BUILTIN_TYPES, strings, type_parts, walk
from tui.core.plan.items import Item
from tui.core.plan.planner import Planner

_NAME = re.compile(r"[a-z_][a-z0-9_$]*(?:\.[a-z_][a-z0-9_$]*)?")


def unseen_names(p: Planner, node: object) -> set[str]:
    """The last part, lower case, of each name of a function or type the statement names and the
    model knows nothing by (a built-in one too: what the history does not make, it does not know),
    and each string that could be a name (`'search_cfg'::regconfig`, `to_tsvector('search_cfg', ...)`:
    objects the model does not follow are named so)."""
    out: set[str] = set()
    for n in walk(node):
        if isinstance(n, ast.FuncCall):
            call = ".".join(strings(n.funcname)).lower()
            schema, _, local = call.rpartition(".")
            if schema != "pg_catalog" and (call if schema not in ("", "public") else local) not in p.functions:
                out.add(local)
        elif isinstance(n, ast.TypeName) and n.names:
            schema, base = type_parts(n)
            name = base if schema in ("", "public") else f"{schema}.{base}"
            if schema != "pg_catalog" and base not in BUILTIN_TYPES and p.m.get("type", name) is None and p.m.get("domain", name) is None:
                out.add(base.lower())
        elif isinstance(n, ast.A_Const) and isinstance(n.val, ast.String) and _NAME.fullmatch(value := (n.val.sval or "").lower()):
            out.add(value.rsplit(".", 1)[-1])
    return out


def made_unseen_between(p: Planner, it: Item, target: Item) -> bool:
    """Does a statement the model cannot follow, between `target` and `it`, say a name `it` says
    that the model knows nothing by?"""
    ordered = p.named.opaque
    at = bisect.bisect_right(ordered, target.seq)
    if at == len(ordered) or ordered[at] >= it.seq:
        return False  # (most ALTERs: no such statement between, nothing to read of them)
    for name in unseen_names(p, it.node):
        seqs = p.named.said.get(name, ())
        at = bisect.bisect_right(seqs, target.seq)
        if at < len(seqs) and seqs[at] < it.seq:
            return True
    return False
