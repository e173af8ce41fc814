"""Where a statement the model cannot follow stops folds into a table's CREATE TABLE.

Such a statement may name the table's columns in SQL the model does not read (a DO block's UPDATE,
dynamic SQL run by a trigger an INSERT fires): nothing that renames or changes a column folds past
it. Whether it may change the columns themselves is told by its words: where neither its text
(comments left out) nor the bodies of the history's functions it names hold a word that could
(ALTER, DROP, EXECUTE...) nor take a table's columns with a `*`, an added column or constraint
still folds past it (harbor's loop of UPDATEs that dedupes names before a UNIQUE).
"""

from __future__ import annotations

import re

from pglast import ast

from tui.core.catalog_only import columns_named_of
from tui.core.model import CREATE, Obj
from tui.core.names import func_calls, range_vars
from tui.core.plan.planner import Planner

_WORD = re.compile(r"[a-z_][a-z0-9_]*")
_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_SHAPERS = frozenset(("alter", "drop", "create", "execute", "call", "rename", "truncate", "comment", "grant", "revoke", "import"))
_WRITES_ROWS = (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.MergeStmt)
_STAR = re.compile(r"(?:\bselect|,|\.)\s*\*")  # `SELECT *`, `t.*`: rows as wide as the table is then (not count(*))


def _read(text: str) -> tuple[set[str], bool]:
    """The words of a statement or a body, and whether it takes a table's columns with a `*` (its comments left out)."""
    code = _COMMENT.sub(" ", text.lower())
    return set(_WORD.findall(code)), bool(_STAR.search(code))


def stops(p: Planner, tables: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    """For each of these tables (keys), the first statement the model cannot follow that names it
    (past it only an added column or constraint folds), and the first that may change its columns
    (nothing folds past it)."""
    by_any: dict[str, list[str]] = {}  # a table's name without its schema, and the names it had -> its keys
    made: dict[str, int] = {}  # its last CREATE, which folds go into: a statement before it stops none
    for key in tables:
        o = p.m.objects.get(key)
        for name in {key.split(":", 1)[1], *(o.former_names if o is not None else ())}:
            by_any.setdefault(name.rsplit(".", 1)[-1].lower(), []).append(key)
        if o is not None and (e := o.last(CREATE)) is not None:
            made[key] = (e.stmt.parent or e.stmt).seq
    by_function: dict[str, list[Obj]] = {}  # by the name without its schema
    bodies: dict[int, tuple[set[str], bool]] = {}
    for name, fns in p.functions.items():
        by_function.setdefault(name.rsplit(".", 1)[-1].lower(), []).extend(fns)
    named: dict[str, int] = {}
    shaped: dict[str, int] = {}
    for u in p.m.unfollowable:
        if isinstance(u.stmt.node, ast.CopyStmt) and u.stmt.node.attlist and u.stmt.copy_rows is not None:
            continue  # rows for the columns it names, written after it: it adds no column, and its rows are data (rows_before)
        seq = u.stmt.seq
        # The tables it names, or PostgreSQL saw it change, by the names they had then (keys kept as recorded).
        seen = {_table_word(k) for k in u.objects}
        if u.contained:  # the tables it names, it only reads: it adds no column (and its `*` is followed: expanded_between)
            words, shaping = seen, False
            # The tables whose columns a publication's list or filter or extended statistics name,
            # by the names they had then: a column renamed in the CREATE would not be there under
            # its name. (A table renamed in its CREATE is held back by the statement's text: name_holders.)
            for rv in columns_named_of(u.stmt.node):
                for key in by_any.get((rv.relname or "").lower(), ()):
                    if seq >= made.get(key, -1):
                        named[key] = min(named.get(key, seq), seq)
        elif isinstance(u.stmt.node, _WRITES_ROWS) and u.stmt.parent is None and not by_function.keys() & _called(u.stmt.node):
            # Rows written from a query the model cannot follow (a WITH ... INSERT): it names its
            # tables, its literals are data ('create and update the projects'), it runs no code
            # of the history's. It changes no column.
            words = {rv.relname.lower() for rv in range_vars(u.stmt.node) if rv.relname}
            shaping = _read(u.stmt.text)[1]
        else:  # (and those PostgreSQL saw it change, and those the functions it calls name: CALL p())
            words, shaping = _read(u.stmt.text)
            words |= seen
            for name in words & by_function.keys():
                for f in by_function[name]:
                    if id(f) not in bodies:  # (each body read once, however many statements name it)
                        bodies[id(f)] = _read(str(f.attrs.get("body", "")))
                    words |= bodies[id(f)][0]
                    shaping = shaping or bodies[id(f)][1]
            shaping = shaping or not words.isdisjoint(_SHAPERS)
        # Its words name a table by the name it had then (before a RENAME, the old one).
        for key in [k for local in words & by_any.keys() for k in by_any[local]
                    if seq >= made.get(k, -1) and _named_then(p.m.objects.get(k), local, seq)]:
            named[key] = min(named.get(key, seq), seq)
            if shaping:
                shaped[key] = min(shaped.get(key, seq), seq)
    return named, shaped


def _named_then(o: Obj | None, local: str, seq: int) -> bool:
    """Was `local` the table's name (without its schema) when the statement at `seq`, after its
    last CREATE, ran? (A name it had before or after is another table's then, or none.)"""
    if o is None or not o.former_names:
        return True
    name = ""
    for e in o.events:
        if (e.stmt.parent or e.stmt).seq >= seq:
            break
        name = e.new_name or e.name
    return name.rsplit(".", 1)[-1].lower() == local


def _table_word(key: str) -> str:
    """The name without its schema of the table a key is of (a column's, its table's)."""
    kind, _, name = key.partition(":")
    return (name.rsplit(".", 1)[0] if kind == "column" else name).rsplit(".", 1)[-1].lower()


def _called(node: object) -> set[str]:
    return {c.rsplit(".", 1)[-1].lower() for c in func_calls(node)}
