"""What is said about objects: comments, grants, owners, row-level policies."""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import GrantTargetType
from pglast.enums import ObjectType as OT

from tui.core.model import ALTER, COMMENT, CREATE, GRANT, OWNER, REVOKE, Obj
from tui.core.names import sql, strings
from tui.core.replay.engine import Engine
from tui.core.replay.inherited import inherited_from
from tui.core.replay.state import objtype_word


def comment(rp: Engine, node: ast.CommentStmt) -> None:
    o = rp.target(node.objtype, node.object)
    label = f"{o.type} {o.name}" if o is not None else ""
    if o is None and node.objtype == OT.OBJECT_COLUMN and len(names := strings(node.object)) > 1:
        # A view's column (the model keeps no column objects for views): the comment is the view's.
        o = rp.find(names[:-1], ("view",))
        label = f"column {o.name}.{names[-1]}" if o is not None else ""
    if o is None and node.objtype == OT.OBJECT_COLUMN and len(names := strings(node.object)) > 1 \
            and (t := rp.find(names[:-1], ("table",))) is not None and (parent := inherited_from(rp, t, names[-1])) is not None:
        rp.unfollow(f"comment on a column {t.name} inherits from {parent.name}")
        return
    if o is None:
        if node.objtype in (OT.OBJECT_DATABASE, OT.OBJECT_EXTENSION, OT.OBJECT_ROLE):
            rp.unfollow(f"COMMENT ON {objtype_word(node.objtype)} is kept as written")
        else:
            rp.warn(f"COMMENT ON an object the model does not know ({sql(node.object) if not isinstance(node.object, (list, tuple)) else '.'.join(strings(node.object))})")
            rp.unfollow("comment on an object the model does not know")
        return
    c = rp.obj("comment", label, o.schema, parent=o.key)
    c.parent = o.key
    rp.link(c, [])
    if node.comment is None:
        rp.drop(c, "comment removed")
        return
    if not c.exists:
        c.exists = True
        c.lives += 1
        rp.event(c, CREATE, "comment set")
    else:
        rp.event(c, ALTER, "comment changed")
    c.attrs["text"] = node.comment
    rp.event(o, COMMENT, "comment set")


# What GRANT ... ON ALL <kind> IN SCHEMA reaches (ALL TABLES: views and materialized views too;
# ALL FUNCTIONS: not procedures), as (type, procedure or not: None for either).
_ALL_IN_SCHEMA = {OT.OBJECT_TABLE: (("table", None), ("view", None)), OT.OBJECT_SEQUENCE: (("sequence", None),),
                  OT.OBJECT_FUNCTION: (("function", False),), OT.OBJECT_PROCEDURE: (("function", True),),
                  OT.OBJECT_ROUTINE: (("function", None),)}


def grant(rp: Engine, node: ast.GrantStmt) -> None:
    roles = [r.rolename if r.rolename else "PUBLIC" for r in node.grantees or ()]
    rp.model.roles_used.update(r for r in roles if r != "PUBLIC")
    privs = sorted(p.priv_name or "all" for p in node.privileges or ()) or ["all"]
    if node.targtype != GrantTargetType.ACL_TARGET_OBJECT:  # ALL TABLES IN SCHEMA and friends
        kinds, schemas = _ALL_IN_SCHEMA.get(node.objtype, ()), strings(node.objects)
        targets = [o for o in rp.model.objects.values() if o.exists and o.schema in schemas
                   and any(o.type == t and proc in (None, bool(o.attrs.get("procedure"))) for t, proc in kinds)]
    else:
        targets = [t for obj in node.objects or () if (t := rp.target(node.objtype, obj)) is not None]
    if not targets:
        rp.unfollow(("GRANT" if node.is_grant else "REVOKE") + " on an object the model does not know")
        return
    for t in targets:
        for role in roles:
            g = rp.obj("grant", f"{t.type} {t.name} to {role}", t.schema, parent=t.key)
            g.parent = t.key
            rp.link(g, [])
            held = set(g.attrs.get("privileges", set()))
            if node.is_grant:
                held |= set(privs)
                if not g.exists:
                    g.exists, g.lives = True, g.lives + 1
                rp.event(g, GRANT, ", ".join(privs))
            else:
                held = set() if "all" in privs else held - set(privs)
                rp.event(g, REVOKE, ", ".join(privs))
                if not held:
                    g.exists = False
            g.attrs["privileges"] = held
        rp.event(t, GRANT if node.is_grant else REVOKE, ", ".join(roles))


def default_privileges(rp: Engine, node: ast.AlterDefaultPrivilegesStmt) -> None:
    # The roles it names must exist where the history is built; what it does to later objects
    # is not modelled, so it stays where it stood.
    action = node.action
    rp.model.roles_used.update(r.rolename for r in (action.grantees if action else None) or () if getattr(r, "rolename", None))
    for opt in node.options or ():
        if opt.defname == "roles":
            rp.model.roles_used.update(r.rolename for r in opt.arg or () if getattr(r, "rolename", None))
    rp.unfollow("ALTER DEFAULT PRIVILEGES is not modelled")


def alter_owner(rp: Engine, node: ast.AlterOwnerStmt) -> None:
    o = rp.target(node.objectType, node.object)
    owner(rp, o, node.newowner)


def owner(rp: Engine, o: Obj | None, role: Any) -> None:
    name = getattr(role, "rolename", None) or "CURRENT_USER"
    if getattr(role, "rolename", None):
        rp.model.roles_used.add(role.rolename)
    if o is None:
        rp.unfollow("ALTER ... OWNER on an object the model does not know")
        return
    o.attrs["owner"] = name
    rp.event(o, OWNER, f"owner set to {name}")


def create_policy(rp: Engine, node: ast.CreatePolicyStmt) -> None:
    schema, table, t = rp.rel(node.table)
    o = rp.create("policy", f"{table}.{node.policy_name}", schema, parent=t.key if t else "")
    if o is not None:
        o.node = node
        rp.model.roles_used.update(r.rolename for r in node.roles or () if getattr(r, "rolename", None))


def alter_policy(rp: Engine, node: ast.AlterPolicyStmt) -> None:
    schema, table, _ = rp.rel(node.table)
    o = rp.model.get("policy", f"{table}.{node.policy_name}")
    if o is not None:
        rp.event(o, ALTER, "policy changed")
        o.attrs.setdefault("alters", []).append(rp.stmt)
