"""What happened to an object in the life its last definition replaces, that a CREATE OR REPLACE
would keep and a definition written in its place would not: last_definitions leaves such earlier
definitions where they were."""

from __future__ import annotations

from pglast import ast
from pglast.enums import ObjectType as OT

from tui.core.model import ALTER, COMMENT, CREATE, DROP, GRANT, OWNER, REPLACE, REVOKE, Event, Obj
from tui.core.names import strings
from tui.core.plan.planner import Planner


def touched_between(p: Planner, o: Obj, defs: set[int], cutoff: int) -> bool:
    """Was the object commented on, granted, given an owner or altered (a view) in the life its
    last definition replaces? (A CREATE OR REPLACE keeps what they did; a DROP in between took it
    along.)"""
    start = max((e.stmt.seq for e in o.events if e.action == DROP and e.stmt.seq < cutoff), default=-1)
    kept = KEPT_BY_REPLACE[o.type]
    return any(start < e.stmt.seq < cutoff and e.stmt.seq not in defs
               and (e.action in kept if x is o else x.type in ("comment", "grant"))
               for x in [o, *p.children(o.key)] for e in x.events)


# What a CREATE OR REPLACE keeps of what was done to its object in between: a function's other
# properties (ALTER FUNCTION ... SET, SECURITY DEFINER) are those the new definition gives.
KEPT_BY_REPLACE = {"view": frozenset((COMMENT, GRANT, REVOKE, OWNER, ALTER)), "function": frozenset((COMMENT, GRANT, REVOKE, OWNER))}
# What the objects of each kind ALTER DEFAULT PRIVILEGES names are to the model.
_DEFAULTS_REACH = {OT.OBJECT_TABLE: ("table", "view"), OT.OBJECT_SEQUENCE: ("sequence",), OT.OBJECT_FUNCTION: ("function",),
                   OT.OBJECT_ROUTINE: ("function",), OT.OBJECT_PROCEDURE: ("function",), OT.OBJECT_TYPE: ("type", "domain")}


def defaults_changed_in_life(o: Obj, defs: list[Event], cutoff: int, defaults_at: list[tuple[int, ast.AlterDefaultPrivilegesStmt]]) -> bool:
    """Did an ALTER DEFAULT PRIVILEGES that reaches `o` run in the life its last definition
    replaces (a CREATE OR REPLACE keeps the privileges its object took when it was made)?"""
    if defs[-1].action != REPLACE:
        return False  # (made anew there: it takes the privileges of then in both sets)
    start = max((e.stmt.seq for e in o.events if e.action == CREATE and e.stmt.seq < cutoff), default=-1)
    for seq, node in defaults_at:
        if start < 0 or not start < seq < cutoff or o.type not in _DEFAULTS_REACH.get(node.action.objtype, ()):
            continue
        schemas = [strings(d.arg) for d in node.options or () if d.defname == "schemas"]
        if not schemas or o.schema in schemas[0]:
            return True
    return False
