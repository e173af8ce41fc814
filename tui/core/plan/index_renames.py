"""An index's RENAME folded into its CREATE INDEX: the index is made under its final name
(Django's RenameIndex and index_together moves, lemmy's `idx_user_*` renamed `idx_person_*`).

Only where nothing written between them changes the index or says its old name (a COMMENT, an
ALTER INDEX, a key made USING INDEX), nothing written had the new name before, and PostgreSQL
chose no name around either; the CREATE INDEX is written as it is but for its name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pglast import ast
from pglast.parser import ParseError
from pglast.stream import maybe_double_quote_name

from tui.core.findings import INTO_CREATE
from tui.core.model import CREATE
from tui.core.names import clone, expr_columns, shallow
from tui.core.plan.column_text import identifier, quoted_like, tokens
from tui.core.plan.name_holders import renamed_where_made

if TYPE_CHECKING:
    from tui.core.model import Obj
    from tui.core.parse import Statement
    from tui.core.plan.items import Item
    from tui.core.plan.name_holders import Holders
    from tui.core.plan.planner import Planner


def fold_index_rename(p: Planner, it: Item, by_seq: dict[int, Item], holders: Holders) -> bool:
    """Write the index `it` (ALTER INDEX ... RENAME TO) renames under its new name in its CREATE INDEX."""
    found = renamed_where_made(p, it, "index", by_seq, ast.IndexStmt)
    if found is None:
        return False
    o, finding, target, old, new, between = found
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


def index_naming_renamed(p: Planner, o: Obj, old: str, new: str, between: range, by_seq: dict[int, Item]) -> tuple[Item, ast.IndexStmt] | None:
    """The CREATE INDEX of `o`, made `between` a column's CREATE and its rename from `old` to
    `new`, as it would be written naming the column `new`: only where it names it as a key or
    INCLUDE column alone (not in an expression, an opclass's argument or its WHERE), under the
    name PostgreSQL gave it then written out where it gave one (it chose it after the column)."""
    made = o.events[0] if o.type == "index" and o.events else None
    ix = by_seq.get(made.stmt.seq) if made is not None and made.action == CREATE and made.stmt.parent is None else None
    if ix is None or ix.seq not in between or ix.seq in p.pinned or id(made) in p.dead or not isinstance(ix.node, ast.IndexStmt):
        return None
    node = shallow(ix.node)
    if node.whereClause is not None and old in expr_columns(node.whereClause):
        return None
    hit = False
    for attr in ("indexParams", "indexIncludingParams"):
        elems = []
        for e in getattr(node, attr) or ():
            if e.name == old:
                e = shallow(e)
                e.name, hit = new, True
            elif e.expr is not None and old in expr_columns(e.expr):
                return None
            elems.append(e)
        if getattr(node, attr) is not None:
            setattr(node, attr, tuple(elems))
    if not hit or made is None:
        return None
    node.idxname = node.idxname or made.name.rsplit(".", 1)[-1]
    return (ix, node) if index_text(ix.stmt, node) is not None else None


def index_on_renamed(p: Planner, ix: Item | None, old: str, new: str) -> ast.IndexStmt | None:
    """The CREATE INDEX `ix` on the table called `old`, made before the table's rename to `new`,
    as it would be written on `new` (under the name PostgreSQL gave it then, written out where it
    gave one: it chose it after the table)."""
    if ix is None or ix.seq in p.pinned or not isinstance(ix.node, ast.IndexStmt) or ix.node.relation is None or ix.node.relation.relname != old:
        return None
    made = next((e for o, e in p.by_seq.get(ix.seq, ()) if o.type == "index" and e.action == CREATE), None)
    if made is None:
        return None
    node = shallow(ix.node)
    node.relation = shallow(node.relation)
    node.relation.relname = new
    node.idxname = node.idxname or made.name.rsplit(".", 1)[-1]
    return node if index_text(ix.stmt, node) is not None else None


def index_text(stmt: Statement, node: ast.IndexStmt) -> str | None:
    """The CREATE INDEX as written, under the name `node` gives it, on the table and with the
    columns it names as `node` names them (one renamed after it: table_renames, column_renames);
    None where the tree differs from the statement's in more, or a name cannot be found in the text."""
    if not isinstance(stmt.node, ast.IndexStmt) or stmt.base < 0 or stmt.node.relation is None or node.relation is None:
        return None
    original = clone(stmt.node)
    original.idxname = node.idxname
    relname = stmt.node.relation.relname
    table = node.relation.relname if node.relation.relname != relname else None
    original.relation.relname = node.relation.relname
    renamed = _renamed_columns(original, node)
    if renamed is None or original != node or not node.idxname:
        return None
    try:
        toks = tokens(stmt.text)
    except ParseError:
        return None
    # CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON ...
    at = next((i for i, t in enumerate(toks) if t.name == "ON"), None)
    if at is None or at < 2:
        return None
    edits: list[tuple[int, int, str]] = []  # (start, end exclusive, text)
    if table is not None:
        # ON [ONLY] [schema.]table [USING method] (: its name is the word before USING or the list
        name = next((toks[i - 1] for i in range(at + 1, len(toks)) if toks[i].name in ("USING", "ASCII_40")), None)
        if name is None or identifier(stmt.text[name.start:name.end + 1]) != relname:
            return None
        edits.append((name.start, name.end + 1, quoted_like(stmt.text[name.start:name.end + 1], table)))
    if renamed:
        starts = _element_starts(toks, at)
        for i, old, new in renamed:
            tok = starts[i] if i < len(starts) else None
            if tok is None or identifier(stmt.text[tok.start:tok.end + 1]) != old:
                return None
            edits.append((tok.start, tok.end + 1, quoted_like(stmt.text[tok.start:tok.end + 1], new)))
    written = maybe_double_quote_name(node.idxname)
    if stmt.node.idxname:
        name = toks[at - 1]
        if identifier(stmt.text[name.start:name.end + 1]) != stmt.node.idxname:
            return None
        if node.idxname != stmt.node.idxname:
            edits.append((name.start, name.end + 1, written))
    else:
        edits.append((toks[at].start, toks[at].start, written + " "))
    text = stmt.text
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _renamed_columns(original: ast.IndexStmt, node: ast.IndexStmt) -> list[tuple[int, str, str]] | None:
    """The columns `node` names otherwise than `original` does (their names set in `original`):
    (position among the key columns, then the INCLUDE columns; old name; new name). None where
    the lists differ in length."""
    out = []
    at = 0
    for attr in ("indexParams", "indexIncludingParams"):
        before, after = getattr(original, attr) or (), getattr(node, attr) or ()
        if len(before) != len(after):
            return None
        elems = []
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            if isinstance(b, ast.IndexElem) and isinstance(a, ast.IndexElem) and b.name and a.name and b.name != a.name:
                out.append((at + i, b.name, a.name))
                b = shallow(b)
                b.name = a.name
            elems.append(b)
        if out:
            setattr(original, attr, tuple(elems) if getattr(original, attr) is not None else None)
        at += len(before)
    return out


def _element_starts(toks: list[Any], on: int) -> list[Any]:
    """The first token of each element of the CREATE INDEX's column list, then of its INCLUDE list."""
    out: list[Any] = []
    lists = 0
    depth = 0
    fresh = False
    for t in toks[on + 1:]:
        if t.name == "ASCII_40":
            depth += 1
            if depth == 1:
                fresh = True
                continue
        elif t.name == "ASCII_41":
            depth -= 1
            if depth == 0:
                lists += 1
                if lists == 2:
                    break
            continue
        if depth == 0 and lists == 1 and t.name != "INCLUDE":
            break  # (WITH, TABLESPACE, WHERE: no more columns)
        if depth == 1 and t.name == "ASCII_44":
            fresh = True
            continue
        if depth >= 1 and fresh:
            out.append(t)
            fresh = False
    return out
