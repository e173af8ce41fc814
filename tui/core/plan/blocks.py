"""DO blocks that run one statement, guarded against its object being there already or not
(drizzle-kit's `EXCEPTION WHEN duplicate_object THEN null`, `IF NOT EXISTS (SELECT ... FROM
pg_type ...)`): the plan folds into that statement, or the statement into what it makes, as if it
were written alone, and rewrites it inside the block as written."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pglast import ast

from tui.core.names import shallow
from tui.core.parse import do_body

if TYPE_CHECKING:
    from tui.core.parse import Statement


def lone_statement(st: Statement) -> Statement | None:
    """The one statement of a DO block that runs nothing else (notices aside). Where the model
    replays it as made, its guard let it run."""
    if st.do_kind not in ("guarded", "static") or len(st.inner) != 1:
        return None
    return st.inner[0]


def body(node: ast.DoStmt) -> str | None:
    return do_body(node)[0] or None


def rewritten(block: Statement, inner: Statement, text: str) -> ast.DoStmt | None:
    """The block's tree with its one statement written as `text` (None where the statement's text
    cannot be told apart in its body)."""
    old = body(block.node)
    if old is None or old.count(inner.text) != 1 or block.text.count(old) != 1:
        return None
    node: ast.DoStmt = shallow(block.node)
    node.args = tuple(ast.DefElem(defname="as", arg=ast.String(sval=old.replace(inner.text, text))) if a.defname == "as" else a
                      for a in block.node.args or ())
    return node


def block_text(st: Statement, node: Any) -> str | None:
    """The DO block as written, its body replaced by the one of `node` (see rewritten)."""
    old, new = body(st.node), body(node)
    if old is None or new is None or st.text.count(old) != 1:
        return None
    return st.text.replace(old, new)
