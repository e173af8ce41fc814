"""An enum's later labels written into its CREATE TYPE: `ALTER TYPE ... ADD VALUE` (after, before
another label, or IF NOT EXISTS) and `RENAME VALUE`, in their order, up to the first that cannot be.

A label added earlier changes nothing that was there: the other labels keep their order, and no
statement before the ADD VALUE could name the new one. What could see it is a read of the whole set
(enum_range(), enum_first(), enum_last(), pg_enum): any statement before that names one keeps the
labels where they were. A renamed label had its old name until then: a rename folds only where no
statement before it (rows, a default, a function body) writes the old one as a string."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from pglast import ast
from pglast.parser import scan

from tui.core.findings import INTO_CREATE
from tui.core.model import CREATE, Obj
from tui.core.names import clone, shallow, strings
from tui.core.parse import Statement
from tui.core.plan import blocks
from tui.core.plan.column_text import identifier, quoted_like
from tui.core.plan.items import Item
from tui.core.plan.planner import Planner
from tui.core.plan.unfollowed import stops

_SET_READERS = re.compile(r"enum_range|enum_first|enum_last|pg_enum", re.IGNORECASE)
_COMMENT_TOKENS = ("SQL_COMMENT", "C_COMMENT")
# Changes of the type that leave its labels as they were.
_LABELS_STAY = (ast.RenameStmt, ast.AlterOwnerStmt, ast.AlterObjectSchemaStmt, ast.CommentStmt, ast.GrantStmt)


def fold_labels(p: Planner, items: list[Item]) -> None:
    """Write the later labels of each enum whose altered_later finding is accepted into its CREATE
    TYPE, and take their ALTERs out of `items`."""
    enums = [o for o in p.m.objects.values() if o.type == "type" and o.exists and o.attrs.get("kind") == "enum"
             and ("type", o.name) in p.folding]
    if not enums:
        return
    by_seq = {it.stmt.seq: it for it in items if isinstance(it.node, (ast.CreateEnumStmt, ast.AlterEnumStmt, ast.DoStmt))}
    texts = _Texts(p)
    gone: set[int] = set()
    # A statement the model cannot follow that may change an enum (a block adding a label under a
    # condition): no later label of it folds past it.
    _, shaped = stops(p, [o.key for o in enums])
    for o in enums:
        _fold_one(p, o, by_seq, texts, gone, shaped.get(o.key))
    if gone:
        items[:] = [it for it in items if id(it) not in gone]


def _fold_one(p: Planner, o: Obj, by_seq: dict[int, Item], texts: _Texts, gone: set[int], limit: int | None) -> None:
    made = o.last(CREATE)
    if made is None:
        return
    target = by_seq.get((made.stmt.parent or made.stmt).seq)
    # Made by a DO block that makes only it (drizzle-kit's `EXCEPTION WHEN duplicate_object`): its
    # CREATE TYPE is rewritten inside the block.
    inner = made.stmt if made.stmt.parent is not None else None
    if target is None or target.stmt.seq in p.pinned or target.stmt.seq in p.no_fold:
        return
    if inner is None:
        create = target.node
        if target.changed and not _renamed_only(target):
            return
    elif target.changed or blocks.lone_statement(target.stmt) is not inner:
        return
    else:
        create = inner.node
    if not isinstance(create, ast.CreateEnumStmt):
        return
    labels = _Labels(v.sval for v in create.vals or ())
    own = {target.stmt.seq} | {e.stmt.seq for e in o.events if isinstance(e.stmt.node, ast.AlterEnumStmt)}
    folded: list[Item] = []
    for e in o.events:
        st = e.stmt
        top = st.parent or st
        if top.seq <= target.stmt.seq or id(top) == id(target.stmt):
            continue
        if limit is not None and top.seq >= limit:
            break
        if not isinstance(st.node, ast.AlterEnumStmt):
            if isinstance(st.node, _LABELS_STAY):
                continue
            break  # (a statement the model follows no further, say dynamic SQL, may have added labels)
        it = by_seq.get(top.seq)
        if it is None and top.seq in p.dropped:
            continue  # left out (a label already there, IF NOT EXISTS)
        if (it is None or st.parent is not None and blocks.lone_statement(it.stmt) is not st or top.seq in p.pinned
                or top.seq in p.no_fold_stmts or not _apply(labels, st, texts, own)):
            break
        folded.append(it)
    if not folded:
        return
    node = shallow(create)
    node.vals = tuple(ast.String(sval=label) for label in labels.order)
    if inner is not None:
        text = splice_labels(inner, node)
        block = blocks.rewritten(target.stmt, inner, text) if text is not None else None
        if block is None:
            return  # (the block is printed as written or not at all)
        target.node, target.changed = block, True
    else:
        target.node, target.changed = node, True
    fid = p.folding[("type", o.name)]
    for it in folded:
        target.fold_in(it.stmt)
        p.record(INTO_CREATE, it.stmt, target.stmt, [fid])
        p.dropped[it.stmt.seq] = f"folded into {target.stmt.file}:{target.stmt.line}"
        gone.add(id(it))


class _Labels:
    """An enum's labels in order, and as a set: an enum given thousands, each looked for in the list, was quadratic."""

    def __init__(self, labels: Iterable[str]) -> None:
        self.order = list(labels)
        self.known = set(self.order)

    def add(self, label: str, at: int | None = None) -> None:
        if at is None:
            self.order.append(label)
        else:
            self.order.insert(at, label)
        self.known.add(label)

    def rename(self, old: str, new: str) -> None:
        self.order[self.order.index(old)] = new
        self.known.discard(old)
        self.known.add(new)


def _apply(labels: _Labels, st: Statement, texts: _Texts, own: set[int]) -> bool:
    """Change `labels` as the statement does, if it may move into the CREATE TYPE (`own`: the
    seqs of the type's CREATE and of its label changes, which name labels as labels)."""
    node = st.node
    if texts.set_read_before(st.seq):
        return False
    if node.oldVal:
        if (node.oldVal not in labels.known or node.newVal in labels.known
                or texts.written_before(_quoted(node.oldVal), st.seq, own)):
            return False
        labels.rename(node.oldVal, node.newVal)
        return True
    if node.newVal in labels.known:
        return bool(node.skipIfNewValExists)  # (else the history failed here)
    if node.newValNeighbor:
        if node.newValNeighbor not in labels.known:
            return False
        labels.add(node.newVal, labels.order.index(node.newValNeighbor) + (1 if node.newValIsAfter else 0))
    else:
        labels.add(node.newVal)
    return True


def _maybe_set_read(text: str) -> bool:
    return "enum" in text or "ENUM" in text or "Enum" in text  # (a look far cheaper than the pattern's)


def _quoted(label: str) -> str:
    return "'" + label.replace("'", "''") + "'"


class _Texts:
    """What statements before one write: a read of an enum's whole set of labels, a label as a string."""

    def __init__(self, p: Planner) -> None:
        self._statements = p.a.parsed.statements
        self._first_set_read: int | None = None
        self._set_read_found = False
        self._joined: str | None = None  # the history's text and COPY rows, made at the first rename
        self._ends: list[int] = []
        self._seqs: list[int] = []

    def set_read_before(self, seq: int) -> bool:
        if not self._set_read_found:
            self._set_read_found = True
            self._first_set_read = next((st.seq for st in self._statements
                                         if _maybe_set_read(st.text) and _SET_READERS.search(st.text)), None)
        return self._first_set_read is not None and self._first_set_read < seq

    def written_before(self, literal: str, seq: int, own: set[int]) -> bool:
        """Does a statement before `seq`, not one of `own`, hold `literal`?"""
        if self._joined is None:
            parts = []
            at = 0
            for st in self._statements:
                text = st.text if st.copy_rows is None else st.text + "\n" + st.copy_rows
                parts.append(text)
                at += len(text) + 1
                self._ends.append(at)
                self._seqs.append(st.seq)
            self._joined = "\x00".join(parts) + "\x00"
        stop = bisect.bisect_left(self._seqs, seq)
        end = self._ends[stop - 1] if stop else 0
        at = self._joined.find(literal, 0, end)
        while at >= 0:
            i = bisect.bisect_right(self._ends, at)
            if self._seqs[i] not in own:
                return True
            at = self._joined.find(literal, self._ends[i], end)
        return False


def _renamed_only(target: Item) -> bool:
    """Has the plan changed the CREATE TYPE in nothing but its name (type_renames)?"""
    original = clone(target.stmt.node)
    original.typeName = target.node.typeName
    return bool(original == target.node)


def splice_labels(st: Statement, node: ast.CreateEnumStmt) -> str | None:
    """The CREATE TYPE as written, its list of labels replaced by the node's, in the layout of the
    list it had (one a line stays one a line); None where its text has no list to replace."""
    try:
        tokens = scan(st.text)
    except Exception:  # noqa: BLE001 - pglast's scanner raises its own error types
        return None
    while tokens and tokens[-1].name in _COMMENT_TOKENS:
        tokens = tokens[:-1]
    opens = [i for i, t in enumerate(tokens) if t.name == "ASCII_40"]
    if not opens or tokens[-1].name != "ASCII_41":
        return None
    first = tokens[opens[-1]]
    inside = tokens[opens[-1] + 1:-1]
    if any(t.name in _COMMENT_TOKENS for t in inside):
        return None  # (a comment beside a label: printed anew)
    text = st.text
    labels = [_quoted(v.sval) for v in node.vals or ()]
    sep = text[inside[0].end + 1:inside[2].start] if len(inside) >= 3 else ", "  # (around the list's first comma)
    if inside:
        start, end = inside[0].start, inside[-1].end + 1
    else:
        start = end = first.end + 1
    text = text[:start] + sep.join(labels) + text[end:]
    if strings(node.typeName) != strings(st.node.typeName):
        # CREATE TYPE [schema.]name AS ENUM: its name the word before AS, before the list (type_renames)
        at = next((i for i, t in enumerate(tokens) if t.name == "AS"), None)
        name = tokens[at - 1] if at else None
        if name is None or identifier(text[name.start:name.end + 1]) != strings(st.node.typeName)[-1] or name.start >= first.start:
            return None
        text = text[:name.start] + quoted_like(text[name.start:name.end + 1], strings(node.typeName)[-1]) + text[name.end + 1:]
    return text
