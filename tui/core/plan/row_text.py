"""An INSERT's rows and an UPDATE's SET list as written: where each cell stands in the text, so a
value can be put in its place and the rest stays as its author wrote it; runs of INSERTs written
as one."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pglast.parser
from pglast import ast
from pglast.keywords import COL_NAME_KEYWORDS, RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS

from tui.core.plan.column_text import identifier, is_name

if TYPE_CHECKING:
    from tui.core.parse import Statement

_LP, _RP, _COMMA, _EQ = "ASCII_40", "ASCII_41", "ASCII_44", "ASCII_61"  # the scanner's names of ( ) , =
_KEYWORDS = RESERVED_KEYWORDS | COL_NAME_KEYWORDS | TYPE_FUNC_NAME_KEYWORDS


def insert_layout(text: str) -> tuple[int, list[tuple[list[tuple[int, int]], int]]] | None:
    """Where an INSERT's column list closes and, for each row, its cells (first and last character)
    and where its parenthesis closes; None unless it is `INSERT ... (columns) VALUES (...), ...`
    (a RETURNING after the rows left as written)."""
    toks = [t for t in pglast.parser.scan(text) if t.name not in ("SQL_COMMENT", "C_COMMENT")]
    at = next((i for i, t in enumerate(toks) if t.name == "VALUES"), None)
    if at is None or at == 0 or toks[at - 1].name != _RP:
        return None
    rows: list[tuple[list[tuple[int, int]], int]] = []
    depth, start, end = 0, -1, -1
    cells: list[tuple[int, int]] = []
    for t in toks[at + 1:]:
        if t.name == _LP and depth == 0:
            depth, cells, start = 1, [], -1
            continue
        if t.name == _RP and depth == 1:
            cells.append((start, end))
            rows.append((cells, t.start))
            depth = 0
            continue
        if depth == 0:
            if t.name == "RETURNING":
                break  # (what it returns, the runner drops: the rows are all before it)
            if t.name != _COMMA:
                return None  # something after the rows
            continue
        if t.name == _COMMA and depth == 1:
            cells.append((start, end))
            start = -1
            continue
        depth += t.name == _LP
        depth -= t.name == _RP
        if start < 0:
            start = t.start
        end = t.end
    if depth or not rows or any(s < 0 for cells, _ in rows for s, _ in cells):
        return None
    return toks[at - 1].start, rows


def rename_insert_column(text: str, old: str, new: str) -> str | None:
    """An INSERT's text with column `old` of its column list called `new`, as its author quoted
    it; None where the list does not name it once."""
    toks = [t for t in pglast.parser.scan(text) if t.name not in ("SQL_COMMENT", "C_COMMENT")]
    at = next((i for i, t in enumerate(toks) if t.name == "INTO"), None)
    opens = next((i for i in range(at + 1, len(toks)) if toks[i].name == _LP), None) if at is not None else None
    if opens is None:
        return None
    found, depth = [], 0
    for t in toks[opens:]:
        depth += (t.name == _LP) - (t.name == _RP)
        if depth == 0:
            break
        if depth == 1 and is_name(t) and identifier(text[t.start:t.end + 1]) == old:
            found.append(t)
    if len(found) != 1:
        return None
    t = found[0]
    written = '"' + new.replace('"', '""') + '"' if text[t.start] == '"' else _ident(new)
    return text[:t.start] + written + text[t.end + 1:]


def set_values(text: str, node: ast.UpdateStmt) -> list[tuple[str, str]] | None:
    """(column, value as written) of each `column = literal` the UPDATE sets."""
    targets = node.targetList or ()
    if not targets or any(t.indirection or not constant(t.val) for t in targets):
        return None
    toks = [t for t in pglast.parser.scan(text) if t.name not in ("SQL_COMMENT", "C_COMMENT")]
    at = next((i for i, t in enumerate(toks) if t.name == "SET"), None)
    if at is None:
        return None
    parts: list[list[Any]] = [[]]
    depth = 0
    for t in toks[at + 1:]:
        if depth == 0 and t.name in ("WHERE", "RETURNING", "FROM"):
            break
        if depth == 0 and t.name == _COMMA:
            parts.append([])
            continue
        depth += (t.name == _LP) - (t.name == _RP)
        parts[-1].append(t)
    if len(parts) != len(targets):
        return None
    out = []
    for part, target in zip(parts, targets, strict=True):
        eq = next((i for i, t in enumerate(part) if t.name == _EQ), None)
        if eq is None or eq + 1 >= len(part):
            return None
        out.append((target.name, text[part[eq + 1].start:part[-1].end + 1]))
    return out


def edited_insert(text: str, cols: list[str], matched: list[int], count: int, sets: list[tuple[str, str]]) -> str | None:
    """The INSERT's text with the set values in the matched rows (a column it did not list is
    added, DEFAULT in the rows not matched)."""
    layout = insert_layout(text)
    if layout is None or len(layout[1]) != count:
        return None
    close_cols, rows = layout
    edits: list[tuple[int, int, str]] = []  # (start, end exclusive, new text)
    added = [(col, value) for col, value in sets if col not in cols]
    if added:
        edits.append((close_cols, close_cols, "".join(f", {_ident(col)}" for col, _ in added)))
    for i, (cells, close) in enumerate(rows):
        if len(cells) != len(cols):
            return None
        if i in matched:
            for col, value in sets:
                if col in cols:
                    s, e = cells[cols.index(col)]
                    edits.append((s, e + 1, value))
        if added:
            edits.append((close, close, "".join(f", {value if i in matched else 'DEFAULT'}" for _, value in added)))
    for s, e, new in sorted(edits, reverse=True):
        text = text[:s] + new + text[e:]
    return text


def _ident(name: str) -> str:
    return name if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) and name not in _KEYWORDS else '"' + name.replace('"', '""') + '"'


def constant(node: Any) -> bool:
    return isinstance(node, ast.A_Const) or isinstance(node, ast.TypeCast) and isinstance(node.arg, ast.A_Const)


def splice_inserts(first: Statement, merged: list[Statement]) -> str | None:
    """Runs of INSERT ... VALUES as one statement, each row as its author wrote it (a RETURNING
    left out, as merging left it out of the tree)."""
    rows = []
    for st in merged:
        span = _rows_span(st.text)
        if span is None:
            return None
        rows.append(st.text[span[0]:span[1]].strip())
    span = _rows_span(first.text)
    if span is None:
        return None
    head = first.text[:span[1]]
    # One row per line once they no longer fit one: a seed file's thousand rows stay reviewable.
    wide = "\n" in head or len(head) + sum(len(r) + 2 for r in rows) > 120
    indent = "\n" + " " * 7 if wide else " "
    return head.rstrip() + "," + ("," + indent).join([indent + rows[0]] + rows[1:]) if rows else first.text


def _rows_span(text: str) -> tuple[int, int] | None:
    """Where an INSERT's rows start (after VALUES) and end (at a RETURNING, or the end)."""
    toks = [t for t in pglast.parser.scan(text) if t.name not in ("SQL_COMMENT", "C_COMMENT")]
    at = next((i for i, t in enumerate(toks) if t.name == "VALUES"), None)
    if at is None:
        return None
    depth = 0
    for t in toks[at + 1:]:
        depth += (t.name == _LP) - (t.name == _RP)
        if depth == 0 and t.name == "RETURNING":
            return toks[at].end + 1, t.start
    return toks[at].end + 1, len(text)
