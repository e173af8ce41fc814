"""What an index or an exclusion constraint needs of the extensions: an access method other than
btree, or an operator class named, may come from one (`USING gin (name gin_trgm_ops)` from pg_trgm,
`EXCLUDE USING gist (room_id WITH =, ...)` from btree_gist). The model does not know which: it
needs the extensions there are, as a type it does not know does (reads), so it is not folded into
a CREATE TABLE, nor moved, ahead of them."""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import ConstrType as CT

from tui.core.replay.engine import Engine


def extension_needs(rp: Engine, node: Any) -> list[str]:
    if isinstance(node, ast.IndexStmt):
        needs = _needs(node.accessMethod, node.indexParams)
    elif isinstance(node, ast.CreateStmt):
        needs = any(isinstance(c, ast.Constraint) and _constraint_needs(c) for c in node.tableElts or ())
    else:
        needs = any(isinstance(c.def_, ast.Constraint) and _constraint_needs(c.def_) for c in node.cmds or ())
    if not needs:
        return []
    return [o.key for name in rp.model.extensions if (o := rp.model.get("extension", name)) is not None and o.exists]


def _constraint_needs(c: ast.Constraint) -> bool:
    return c.contype == CT.CONSTR_EXCLUSION and _needs(c.access_method, [pair[0] for pair in c.exclusions or ()])


def _needs(method: str | None, elems: Any) -> bool:
    return (method or "btree") != "btree" or any(isinstance(e, ast.IndexElem) and e.opclass for e in elems or ())
