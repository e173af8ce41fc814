"""Folds written into the author's CREATE TABLE text, not re-printed: the columns and constraints
folded in are cut from the ALTER statements as written, dead ones are cut out with their comments,
and column changes edit just their clause. Defaults, casts, spacing and comments stay as the
author wrote them (`DEFAULT (CURRENT_TIMESTAMP AT TIME ZONE 'UTC')` stays that, where pglast would
print `timezone('UTC', CURRENT_TIMESTAMP)`, which PostgreSQL stores differently).

The plan records what it did to a CREATE TABLE as operations; `splice` replays them on the text.
When the text cannot be read that way it gives None and the edited tree is printed instead; the
proof on PostgreSQL checks either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.parser import ParseError
from pglast.stream import maybe_double_quote_name

from tui.core.names import SERIAL_TYPES
from tui.core.parse import Statement
from tui.core.plan.column_changes import serial_of
from tui.core.plan.column_text import (
    clauses,
    cut,
    name_constraint,
    name_not_null,
    name_sequence,
    rename_constraint,
    rename_key_column,
    retype_name,
    set_not_null,
    tokens,
    type_end,
)

if TYPE_CHECKING:
    from collections.abc import Callable


@dataclass
class Op:
    """One thing the plan did to a CREATE TABLE.

    `kind`: `drop` (cut `part`, an element or an inline constraint), `not_null` (`column` keeps the
    NOT NULL of a primary key cut away), `add` (the element `part` of statement `source`),
    `change` (the ALTER COLUMN command `part` of statement `source` on `column`), `rename`
    (`column` is called `new` now), `name_not_null` (`column`'s NOT NULL is named `new`),
    `rename_table` (the table is called `new`), `name_constraint` (the unnamed constraint `part` is
    named `new`; of `column`, `part` is the keyword it starts with), `name_sequence` (`column`'s
    identity sequence is named `new`), `rename_constraint` (the constraint `part`, of `column` or
    not, is called `new`), `rename_key_column` (the table constraint `part` names its column
    `column` as `new`), `retype_name` (`column`'s type, called `part`, is called `new`).
    """

    kind: str
    part: Any = None
    source: Statement | None = None
    column: str = ""
    new: str = ""  # for rename: the new name as written (quoted or not)
    column_new: str = ""  # and as PostgreSQL reads it
    apart: bool = False  # for add: the column's foreign keys cut (keys_apart: the ALTER keeps them)


@dataclass
class _Segment:
    node_ids: set[int]  # the element, and its inline constraints
    text: str
    trail: str = ""  # a comment after its comma, on its line
    lead: str = ""  # what comes before it: a newline, indentation, comments above it
    column: str = ""  # the column's name as this text has it
    origin: int = -1  # where `text` starts in the statement, while it is as written (-1 once edited)


@dataclass
class _Table:
    head: str
    segments: list[_Segment] = field(default_factory=list)
    tail: str = ""


def splice(stmt: Statement, ops: list[Op]) -> str | None:
    """The statement's text with `ops` applied; None when the text cannot be edited safely."""
    if stmt.base < 0 or not isinstance(stmt.node, ast.CreateStmt):
        return None
    try:
        table = _read(stmt)
        if table is None:
            return None
        for op in ops:
            if not _apply(table, stmt, op):
                return None
    except (ParseError, ValueError):
        return None
    out = [table.head]
    last = len(table.segments) - 1
    for i, seg in enumerate(table.segments):
        out.append(seg.lead + seg.text + ("," if i < last else "") + seg.trail)
    out.append(table.tail)
    return "".join(out)


def _read(stmt: Statement) -> _Table | None:
    """Split the CREATE TABLE's element list into segments, one per element, mapped to the nodes."""
    text = stmt.text
    toks = tokens(text)
    open_at = next((i for i, t in enumerate(toks) if t.name == "ASCII_40"), None)
    if open_at is None:
        return None
    depth = 0
    bounds: list[tuple[int, int]] = []  # token index ranges of the elements
    start = open_at + 1
    close_at = None
    for i in range(open_at, len(toks)):
        name = toks[i].name
        if name == "ASCII_40":
            depth += 1
        elif name == "ASCII_41":
            depth -= 1
            if depth == 0:
                close_at = i
                if i > start:
                    bounds.append((start, i - 1))
                break
        elif name == "ASCII_44" and depth == 1:
            bounds.append((start, i - 1))
            start = i + 1
    if close_at is None or not bounds:
        return None
    base = stmt.base
    # (A LIKE clause has no location: its element is not found below, and the statement is printed.)
    elements = {loc - base: e for e in stmt.node.tableElts or () if (loc := getattr(e, "location", None)) is not None and loc >= 0}
    table = _Table(text[: toks[open_at].end + 1])
    prev_end = toks[open_at].end + 1
    for n, (a, b) in enumerate(bounds):
        s, e = toks[a].start, toks[b].end + 1
        node = elements.get(s)
        if node is None:
            return None
        between = text[prev_end:s]
        if n:
            # After the previous element's comma: a comment on that line is the previous one's.
            comma = between.index(",")
            if between[:comma].strip():
                table.segments[-1].text += between[:comma].rstrip()
            rest = between[comma + 1:]
            nl = rest.find("\n")
            same_line = rest if nl < 0 else rest[:nl]
            if same_line.strip().startswith("--") or (same_line.strip() == "" and nl >= 0):
                table.segments[-1].trail = same_line.rstrip() if same_line.strip() else ""
                between = rest[len(same_line):]
            else:
                between = rest
        ids = {id(node)} | {id(c) for c in getattr(node, "constraints", None) or ()}
        column = node.colname if isinstance(node, ast.ColumnDef) else ""
        table.segments.append(_Segment(ids, text[s:e], lead=between, column=column, origin=s))
        prev_end = e
    table.tail = text[prev_end:]
    return table


def _rename_table(table: _Table, stmt: Statement, new: str) -> bool:
    """The table's name (the last part of it, before the opening parenthesis) as `new`."""
    toks = tokens(table.head)
    if len(toks) < 2 or toks[-1].name != "ASCII_40" or stmt.node.relation.location - stmt.base > toks[-2].start:
        return False
    name = toks[-2]
    table.head = table.head[:name.start] + new + table.head[name.end + 1:]
    return True


def _apply(table: _Table, stmt: Statement, op: Op) -> bool:
    segs = table.segments
    if op.kind == "drop":
        for i, seg in enumerate(segs):
            if id(op.part) not in seg.node_ids:
                continue
            if isinstance(op.part, ast.Constraint) and seg.column:
                return _cut_constraint(seg, op.part, stmt)
            if i == len(segs) - 1 and i > 0:
                segs[i - 1].trail = segs[i - 1].trail or seg.trail
            segs.pop(i)
            return bool(segs)
        return False
    if op.kind == "add":
        text = _element_text(op.source, op.part)
        if text is None:
            return False
        for kind, s, e in reversed(clauses(text) if op.apart else []):
            if kind == "REFERENCES":  # (from its CONSTRAINT name on, to its last action)
                text = cut(text, s, e)
        is_column = isinstance(op.part, ast.ColumnDef)
        # (The last column's segment looked for from the end: a table folded a thousand columns into.)
        at = next((i for i in range(len(segs) - 1, -1, -1) if segs[i].column), len(segs) - 1) + 1 if is_column else len(segs)
        lead = segs[0].lead if "\n" in segs[0].lead else " "
        lead = lead[lead.rfind("\n"):] if "\n" in lead else lead
        if at == len(segs) and segs:
            segs[-1].trail, trail = "", segs[-1].trail
        else:
            trail = ""
        segs.insert(at, _Segment({id(op.part)} | {id(c) for c in getattr(op.part, "constraints", None) or ()}, text, trail=trail,
                                 lead=lead, column=op.part.colname if is_column else ""))
        return True
    if op.kind == "rename_table":
        return _rename_table(table, stmt, op.new)
    if op.kind in _ELEMENT_EDITS and (not op.column or op.kind == "rename_key_column"):
        element = next((s for s in segs if id(op.part) in s.node_ids), None)
        return element is not None and _edit_text(element, _ELEMENT_EDITS[op.kind](element.text, op))
    seg = next((s for s in segs if s.column == op.column), None)
    if seg is None:
        return False
    seg.origin = -1
    if op.kind == "rename":
        first = tokens(seg.text)[0]
        seg.text = op.new + seg.text[first.end + 1:]
        seg.column = op.column_new
        return True
    if op.kind == "not_null":
        seg.text = set_not_null(seg.text)
        return True
    if op.kind in _COLUMN_EDITS:
        return _edit_text(seg, _COLUMN_EDITS[op.kind](seg.text, op))
    if op.kind == "change":
        return _change(seg, op.source, op.part)
    return False


# Edits of a table constraint's text, and of a column's: the text edited, None where it cannot be.
_ELEMENT_EDITS: dict[str, Callable[[str, Op], str | None]] = {
    "name_constraint": lambda text, op: f"CONSTRAINT {maybe_double_quote_name(op.new)} {text}",
    "rename_constraint": lambda text, op: rename_constraint(text, op.part.conname, op.new),
    "rename_key_column": lambda text, op: rename_key_column(text, op.column, op.new),
}
_COLUMN_EDITS: dict[str, Callable[[str, Op], str | None]] = {
    "name_constraint": lambda text, op: name_constraint(text, op.part, op.new),
    "name_sequence": lambda text, op: name_sequence(text, op.new),
    "rename_constraint": lambda text, op: rename_constraint(text, op.part.conname, op.new),
    "name_not_null": lambda text, op: name_not_null(text, op.new),
    "retype_name": lambda text, op: retype_name(text, op.part, op.new),
}


def _edit_text(seg: _Segment, edited: str | None) -> bool:
    if edited is None:
        return False
    seg.text, seg.origin = edited, -1
    return True


def _cut_constraint(seg: _Segment, con: ast.Constraint, stmt: Statement) -> bool:
    if seg.origin < 0 or con.location is None or con.location < 0:
        return False  # the text moved under an earlier edit: print the tree instead
    start = con.location - stmt.base - seg.origin
    for _, s, e in clauses(seg.text):
        if s == start:
            seg.text = cut(seg.text, s, e)
            seg.node_ids.discard(id(con))
            seg.origin = -1
            return True
    return False


def _command(source: Statement | None, part: Any) -> list[Any] | None:
    """The tokens, with their text, of the ALTER TABLE command that is `part` (or adds it): the
    commands follow the table's name, separated by commas outside parentheses."""
    node = source.node if source is not None else None
    if source is None or not isinstance(node, ast.AlterTableStmt):
        return None
    index = next((i for i, c in enumerate(node.cmds or ()) if c is part or c.def_ is part), None)
    toks = tokens(source.text)
    names = {"ALTER", "TABLE", "IF_P", "EXISTS", "ONLY"}
    i = 0
    while i < len(toks) and toks[i].name in names:
        i += 1
    i += 1  # the table's name, maybe qualified
    while i + 1 < len(toks) and toks[i].name == "ASCII_46":
        i += 2
    if i < len(toks) and toks[i].name == "ASCII_42":  # ALTER TABLE t * (with descendants)
        i += 1
    commands: list[list[Any]] = [[]]
    depth = 0
    for t in toks[i:]:
        if t.name == "ASCII_40":
            depth += 1
        elif t.name == "ASCII_41":
            depth -= 1
        if t.name == "ASCII_44" and depth == 0:
            commands.append([])
            continue
        commands[-1].append(t)
    if index is None or len(commands) != len(node.cmds or ()):
        return None
    return commands[index]


def _text_after(source: Statement, toks: list[Any], *skip: str, stop: tuple[str, ...] = ()) -> str | None:
    """The text of a command from the first token not in `skip` to the first of `stop` (or its end)."""
    i = 0
    while i < len(toks) and toks[i].name in skip:
        i += 1
    if i >= len(toks):
        return None
    end = next((t.start for t in toks[i:] if t.name in stop), toks[-1].end + 1)
    return source.text[toks[i].start:end].strip() or None


def _element_text(source: Statement | None, part: Any) -> str | None:
    toks = _command(source, part)
    if toks is None or source is None:
        return None
    return _text_after(source, toks, "ADD_P", "COLUMN", "IF_P", "NOT", "EXISTS")


def _change(seg: _Segment, source: Statement | None, cmd: Any) -> bool:
    if source is None:
        return False
    written = clauses(seg.text)
    if cmd.subtype == AT.AT_ColumnDefault:
        old = next(((s, e) for kind, s, e in written if kind == "DEFAULT"), None)
        if old is not None:
            seg.text = cut(seg.text, *old)
        if cmd.def_ is not None:
            toks = _command(source, cmd)
            at = next((i for i, t in enumerate(toks or ()) if t.name == "DEFAULT"), None)
            expr = _text_after(source, toks[at + 1:]) if toks is not None and at is not None else None
            if expr is None:
                return False
            seg.text = seg.text.rstrip() + " DEFAULT " + expr
        return True
    if cmd.subtype == AT.AT_SetNotNull:
        seg.text = set_not_null(seg.text)
        return True
    if cmd.subtype == AT.AT_DropNotNull:
        for kind, s, e in reversed(written):
            if kind == "NOT":
                seg.text = cut(seg.text, s, e)
        return not any(kind == "PRIMARY" for kind, _, _ in written)
    if cmd.subtype == AT.AT_AlterColumnType:
        toks = _command(source, cmd)
        # The TYPE after the column's name: a column may be named `type` itself.
        name_at = 2 if toks and len(toks) > 1 and toks[1].name == "COLUMN" else 1
        at = next((i for i, t in enumerate(toks or ()) if t.name == "TYPE_P" and i > name_at), None)
        # USING only says how to convert rows: a type change is folded over rows only where it is the plain cast.
        new_type = _text_after(source, toks[at + 1:], stop=("USING", "COLLATE")) if toks is not None and at is not None else None
        if new_type is None or cmd.def_.collClause is not None or any(kind == "COLLATE" for kind, _, _ in written):
            return False  # a collation on either side: print the tree instead
        name_end = tokens(seg.text)[0].end + 1
        old_type = seg.text[name_end:type_end(seg.text)].strip()
        if old_type.lower() in SERIAL_TYPES:  # (widened with its sequence: the wider serial)
            wider = serial_of(new_type)
            if wider is None:
                return False
            new_type = wider.upper() if old_type.isupper() else wider
        seg.text = seg.text[:name_end] + " " + new_type + (" " + seg.text[type_end(seg.text):].lstrip() if type_end(seg.text) < len(seg.text) else "")
        return True
    return False


def splice_alter(stmt: Statement, kept: list[Any]) -> str | None:
    """An ALTER TABLE with some commands left out (they concern what was folded away), as written:
    the kept commands keep their text and the separator the author used."""
    node = stmt.node
    if not isinstance(node, ast.AlterTableStmt) or any(all(c is not k for k in node.cmds or ()) for c in kept):
        return None  # a command was changed, not just kept: print it
    texts = []
    for c in kept:
        toks = _command(stmt, c)
        if not toks:
            return None
        texts.append(stmt.text[toks[0].start:toks[-1].end + 1])
    first = _command(stmt, node.cmds[0])
    if not first:
        return None
    head = stmt.text[:first[0].start]
    second = _command(stmt, node.cmds[1]) if len(node.cmds) > 1 else None
    sep = ", "
    if second:
        between = stmt.text[first[-1].end + 1:second[0].start]
        sep = between if between.strip() == "," else ", "
    return head + sep.join(texts)
