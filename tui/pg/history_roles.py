"""Roles the history creates, in a cluster where its builds meet.

A role belongs to the whole server, not to the scratch database a build runs in. The proof and
validate build the history (and each candidate) more than once in one cluster, some of them at
the same time: the second `CREATE ROLE app` would fail with "already exists" and the history
could never be proven. So the tool makes those roles before any build (on the user's own server
only with --create-roles, and drops them at the end: `Server.create_roles`), and each build
leaves out a top-level `CREATE ROLE` of a role that is there already, and a `DROP ROLE` of roles
the tool made (one build must not take them from the others). Role attributes are not compared
(both builds would share them anyway), so leaving those statements out changes nothing that is.
"""

from __future__ import annotations

import re

import psycopg
from pglast import ast
from pglast.enums import ObjectType as OT

from tui.core.parse import Statement

# A cheap look at the text first: only a file that may hold one is looked at statement by statement.
# (A GRANT or REVOKE without ON before its TO or FROM grants a role to a role.)
_MAY_HOLD = re.compile(r"\b(?:(?:CREATE|DROP|ALTER)\s+(?:ROLE|USER|GROUP)|(?:DROP|REASSIGN)\s+OWNED"
                       r"|(?:GRANT|REVOKE)\b(?:(?!\bON\b)[^;])*\b(?:TO|FROM))\b", re.IGNORECASE)
# (DROP OWNED and REASSIGN OWNED reach past the database too: they revoke privileges on, or hand
# over, the databases of the server the role has.)
_ROLE_STATEMENTS = (ast.CreateRoleStmt, ast.DropRoleStmt, ast.AlterRoleStmt, ast.AlterRoleSetStmt, ast.DropOwnedStmt,
                    ast.ReassignOwnedStmt, ast.GrantRoleStmt)


def may_hold(sql: str) -> bool:
    return bool(_MAY_HOLD.search(sql))


def role_statements(parts: list[Statement]) -> list[Statement]:
    return [st for st in parts if st.parent is None and (isinstance(st.node, _ROLE_STATEMENTS) or isinstance(st.node, ast.RenameStmt)
                                                          and st.node.renameType == OT.OBJECT_ROLE)]


def left_out(conn: psycopg.Connection, stmts: list[Statement], made: list[str]) -> list[Statement]:  # type: ignore[type-arg]
    """The role statements a build leaves out: a CREATE ROLE of a role that exists, a DROP ROLE
    of roles the tool made (all of them)."""
    names = sorted({st.node.role for st in stmts if isinstance(st.node, ast.CreateRoleStmt) and st.node.role})
    there = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", (names,))} if names else set()
    return [st for st in stmts if isinstance(st.node, ast.CreateRoleStmt) and st.node.role in there
            or isinstance(st.node, ast.DropRoleStmt) and all(_name(r) in made for r in st.node.roles or ())]


def foreign(stmts: list[Statement], made: list[str]) -> tuple[Statement, str] | None:
    """The first statement that would drop or change a role the tool did not make (or what it
    owns), with the role, as said to a person: on the user's own server, that role is theirs."""
    for st in stmts:
        node = st.node
        if isinstance(node, ast.RenameStmt):
            return st, f"role {node.subname} (a rename: the tool could not drop it again)"
        if isinstance(node, (ast.DropRoleStmt, ast.DropOwnedStmt, ast.ReassignOwnedStmt)):
            roles = list(node.roles or ())
        elif isinstance(node, (ast.AlterRoleStmt, ast.AlterRoleSetStmt)):
            roles = [node.role]
        elif isinstance(node, ast.GrantRoleStmt):
            # Both sides change: the member's roles, and who the granted one has as members.
            roles = list(node.grantee_roles or ()) + [ast.RoleSpec(rolename=p.priv_name) for p in node.granted_roles or ()]
        else:
            continue
        for r in roles:
            name = _name(r)
            if not name:
                return st, "every role" if r is None else "the role it connects as"
            if name not in made:
                return st, f"role {name}"
    return None


def _name(spec: ast.RoleSpec | None) -> str:
    return getattr(spec, "rolename", None) or ""
