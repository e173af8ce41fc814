"""Statements that name the database the history migrates.

`GRANT CONNECT ON DATABASE appdb`, `ALTER DATABASE appdb SET timezone ...`, `COMMENT ON DATABASE
appdb` name the database the application runs on. A build runs in a scratch database of another
name, where `appdb` does not exist (or, on the user's own server, is a database of theirs that must
not be touched): the build names its own database there instead. The new set keeps the statements
as written. Creating, dropping or renaming a database reaches past the scratch database: on the
user's own server that is refused.
"""

from __future__ import annotations

import re

import pglast.parser
from pglast import ast
from pglast.enums import ObjectType as OT
from psycopg import sql

_MAY_HOLD = re.compile(r"\bDATABASE\b", re.IGNORECASE)


def may_hold(text: str) -> bool:
    return bool(_MAY_HOLD.search(text))


def names_a_database(node: object) -> bool:
    """A statement that acts on a database named in it, which a build points at its own."""
    if isinstance(node, (ast.AlterDatabaseSetStmt, ast.AlterDatabaseStmt)):
        return True
    if isinstance(node, ast.AlterRoleSetStmt):
        return bool(node.database)
    if isinstance(node, (ast.GrantStmt, ast.CommentStmt, ast.SecLabelStmt)):
        return node.objtype == OT.OBJECT_DATABASE
    if isinstance(node, ast.AlterOwnerStmt):
        return node.objectType == OT.OBJECT_DATABASE
    return False


def reaches_past(node: object) -> bool:
    """Creates, drops or renames a database: past any scratch database."""
    if isinstance(node, (ast.CreatedbStmt, ast.DropdbStmt)):
        return True
    return isinstance(node, ast.RenameStmt) and node.renameType == OT.OBJECT_DATABASE


def pointed_at(text: str, dbname: str) -> str:
    """The statement's text with the database names after its DATABASE replaced by `dbname`, quoted."""
    tokens = [t for t in pglast.parser.scan(text) if t.name not in ("C_COMMENT", "SQL_COMMENT")]
    at = next((i for i, t in enumerate(tokens) if t.name == "DATABASE"), None)
    if at is None:
        return text
    spans: list[tuple[int, int]] = []
    j = at + 1
    while j < len(tokens) and _is_name(tokens[j]):
        spans.append((tokens[j].start, tokens[j].end + 1))
        if j + 2 < len(tokens) and tokens[j + 1].name == "ASCII_44" and _is_name(tokens[j + 2]):
            j += 2  # `GRANT ... ON DATABASE a, b`
        else:
            break
    own = sql.Identifier(dbname).as_string(None)
    for start, end in reversed(spans):
        text = text[:start] + own + text[end:]
    return text


def _is_name(tok: object) -> bool:
    # A database name is a ColId: an identifier, or a keyword that may be one.
    return tok.name == "IDENT" or tok.kind in ("UNRESERVED_KEYWORD", "COL_NAME_KEYWORD")  # type: ignore[attr-defined]
