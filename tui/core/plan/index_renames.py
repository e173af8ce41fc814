"""An index's RENAME folded into its CREATE INDEX: the index is made under its final name
(Django's RenameIndex and index_together moves, lemmy's `idx_user_*` renamed `idx_person_*`).

Only where nothing written between them changes the index or says its old name (a COMMENT, an
ALTER INDEX, a key made USING INDEX), nothing written had the new name before, and PostgreSQL
chose no name around either; the CREATE INDEX is written as it is but for its name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pglast import ast
from pglast.parser import ParseError
from pglast.stream import maybe_double_quote_name

from tui.core.findings import INTO_CREATE
from tui.core.model import CREATE, RENAME
from tui.core.names import clone, shallow
from tui.core.plan.accept import is_left_out
from tui.core.plan.column_text import identifier, tokens

if TYPE_CHECKING:
    from tui.core.parse import Statement
    from tui.core.plan.items import Item
    from tui.core.plan.planner import Planner
    from tui.core.plan.table_renames import Holders


def fold_index_rename(p: Planner, it: Item, by_seq: dict[int, Item], folding: dict[tuple[str, str], str], holders: Holders) -> bool:
    """Write the index `it` (ALTER INDEX ... RENAME TO) renames under its new name in its CREATE INDEX."""
    found = next(((o, e) for o, e in p.by_seq.get(it.seq, ()) if o.type == "index" and e.action == RENAME), None)
    if found is None or not found[1].new_name:
        return False
    o, event = found
    finding = folding.get(("index", o.name))
    made = o.events[0]
    target = by_seq.get(made.stmt.seq) if made.action == CREATE and made.stmt.parent is None else None
    if (finding is None or target is None or target.changed or target.seq >= it.seq or target.seq in p.pinned
            or not isinstance(target.node, ast.IndexStmt) or id(made) in p.dead):
        return False
    old, new = event.name.rsplit(".", 1)[-1], event.new_name.rsplit(".", 1)[-1]
    between = range(target.seq + 1, it.seq)
    if any((seq := (e.stmt.parent or e.stmt).seq) in between and not is_left_out(p, seq) for e in o.events):
        return False
    if not holders.may_take(p, o, old, new, between, ()):
        return False
    node = shallow(target.node)
    node.idxname = new
    if index_text(target.stmt, node) is None:
        return False  # (its text cannot be told apart: it stays as the history has it)
    target.node, target.changed = node, True
    target.fold_in(it.stmt)
    target.writes |= it.writes
    p.record(INTO_CREATE, it.stmt, target.stmt, [finding])
    p.dropped[it.seq] = f"folded into {target.stmt.file}:{target.stmt.line}"
    return True


def index_text(stmt: Statement, node: ast.IndexStmt) -> str | None:
    """The CREATE INDEX as written, under the name `node` gives it; None where the tree differs
    from the statement's in more than its name, or the name cannot be found in the text."""
    if not isinstance(stmt.node, ast.IndexStmt) or stmt.base < 0:
        return None
    original = clone(stmt.node)
    original.idxname = node.idxname
    if original != node or not node.idxname:
        return None
    try:
        toks = tokens(stmt.text)
    except ParseError:
        return None
    # CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON ...
    at = next((i for i, t in enumerate(toks) if t.name == "ON"), None)
    if at is None or at < 2:
        return None
    written = maybe_double_quote_name(node.idxname)
    if stmt.node.idxname:
        name = toks[at - 1]
        if identifier(stmt.text[name.start:name.end + 1]) != stmt.node.idxname:
            return None
        return stmt.text[:name.start] + written + stmt.text[name.end + 1:]
    return stmt.text[:toks[at].start] + written + " " + stmt.text[toks[at].start:]
