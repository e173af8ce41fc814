"""Functions that objects the model does not follow run later: a rule's actions when its table is
written, an aggregate's functions where it is called, an operator's where it is used, a cast's (or
a base type's) anywhere. A statement that runs them needs them as they are defined then."""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import ObjectType as OT

from tui.core.model import Obj
from tui.core.names import func_calls, strings, walk
from tui.core.replay.engine import Engine
from tui.core.replay.state import WORD

# What makes such an object.
MAKERS = (ast.RuleStmt, ast.CreateCastStmt, ast.DefineStmt)
_WRITES = (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.MergeStmt)


def note(rp: Engine, st: Any) -> None:
    """Record what the object the statement makes runs, and when (by name: made again, found again)."""
    names = tuple(w for w in WORD.findall(st.text.lower()) if rp.functions_called(w))
    if not names:
        return
    node = st.node
    if isinstance(node, ast.RuleStmt) and node.relation is not None:
        when = ("write", str(node.relation.relname).lower())
    elif isinstance(node, ast.DefineStmt) and node.kind == OT.OBJECT_AGGREGATE:
        when = ("call", strings(node.defnames)[-1].lower())
    elif isinstance(node, ast.DefineStmt) and node.kind == OT.OBJECT_OPERATOR:
        when = ("operator", strings(node.defnames)[-1])
    else:
        when = ("any", "")  # (a cast may be implicit; a base type's functions read and write its values)
    rp.run_opaquely.append((when, names))


def ran(rp: Engine, node: Any) -> list[Obj]:
    """The functions such objects run for this statement."""
    out: list[Obj] = []
    calls = operators = None
    for (kind, name), names in rp.run_opaquely:
        if kind == "write":
            rel = getattr(node, "relation", None) if isinstance(node, _WRITES) else None
            if rel is None or rel.relname.lower() != name:
                continue
        elif kind == "call":
            calls = calls if calls is not None else {c.rsplit(".", 1)[-1].lower() for c in func_calls(node)}
            if name not in calls:
                continue
        elif kind == "operator":
            operators = operators if operators is not None else {strings(n.name)[-1] for n in walk(node) if isinstance(n, ast.A_Expr)}
            if name not in operators:
                continue
        out.extend(f for n in names for f in rp.functions_called(n))
    return out
