"""A CREATE TABLE's elements as the folds change them, with what each fold asks of them kept up to
date: the column definitions by name, where the last one ends, the columns the table's CHECK
constraints name, and the words each element's text holds. Asked of the whole list at each
fold, they made a table that gained a thousand columns one migration at a time quadratic."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from pglast import ast
from pglast.enums import ConstrType as CT
from pglast.stream import RawStream

from tui.core.names import expr_columns, set_elements, strings, texts

_WORD = re.compile(r"\w+")


def _words(node: Any) -> set[str]:
    """The words of the names and strings in an element (what its text names, less the keywords
    around them): printing each element was a hundred times slower. A one-letter code counts: a
    column as short is then taken as named, and its rename stays where it was (the safe side)."""
    return {w for t in texts(node, codes=True) for w in _WORD.findall(t)}


def _index_keys(e: Any) -> list[tuple[str, ...]]:
    """The columns of the primary keys and UNIQUE constraints an element declares."""
    if isinstance(e, ast.ColumnDef):
        return [(e.colname,) for c in e.constraints or () if c.contype in (CT.CONSTR_PRIMARY, CT.CONSTR_UNIQUE)]
    if isinstance(e, ast.Constraint) and e.contype in (CT.CONSTR_PRIMARY, CT.CONSTR_UNIQUE):
        return [tuple(strings(e.keys))]
    return []


class Elements:
    """The elements of one CREATE TABLE the plan folds into; every change is written to the node."""

    def __init__(self, node: ast.CreateStmt) -> None:
        self.elts: list[Any] = list(node.tableElts or ())
        self.columns: dict[str, list[ast.ColumnDef]] = {}
        self.end = 0  # after the last column definition: where an added column goes
        self.checked: Counter[str] = Counter()  # column -> the table's CHECK constraints that name it
        self._words: dict[int, set[str]] | None = None  # id(element) -> words of its text (made when first asked)
        self._counts: Counter[str] = Counter()  # word -> elements whose text holds it
        self._at: dict[int, int] = {}  # id(column definition) -> its place
        self.keys: Counter[tuple[str, ...]] = Counter()  # columns of each primary key and UNIQUE constraint
        self._was: dict[int, Any] = {}  # id(element now) -> the element as the statement wrote it, where changed
        for i, e in enumerate(self.elts):
            self._note(e)
            if isinstance(e, ast.ColumnDef):
                self.end = i + 1
                self._at[id(e)] = i
        if not self._at:
            self.end = len(self.elts)  # no column yet: one added goes last

    def _note(self, e: Any) -> None:
        if isinstance(e, ast.ColumnDef):
            self.columns.setdefault(e.colname, []).append(e)
        elif isinstance(e, ast.Constraint) and e.contype == CT.CONSTR_CHECK:
            self.checked.update(set(expr_columns(e.raw_expr)))
        keys = _index_keys(e)
        if keys:
            self.keys.update(keys)
        if self._words is not None:
            self._words[id(e)] = w = _words(e)
            self._counts.update(w)

    def add_column(self, node: ast.CreateStmt, cd: ast.ColumnDef) -> None:
        """After the last column, before the table constraints, as a person would write it."""
        self.elts.insert(self.end, cd)  # (no column definition moves: they all stand before `end`)
        self._at[id(cd)] = self.end
        self.end += 1
        self._note(cd)
        set_elements(node, self.elts)

    def add_constraint(self, node: ast.CreateStmt, con: ast.Constraint, written: ast.Constraint | None = None) -> None:
        """Add `con`, a copy of the constraint an ALTER TABLE wrote as `written` (its text is found by that one)."""
        self.elts.append(con)
        if written is not None:
            self._was[id(con)] = written
        if not self._at:
            self.end = len(self.elts)
        self._note(con)
        set_elements(node, self.elts)

    def replace(self, node: ast.CreateStmt, old: ast.ColumnDef, new: ast.ColumnDef) -> None:
        """A column definition for another (changed, or renamed) in its place."""
        i = self._at.pop(id(old))
        self.elts[i] = new
        self._was[id(new)] = self._was.pop(id(old), old)
        self._at[id(new)] = i
        kept = [c for c in self.columns[old.colname] if c is not old]
        if kept:
            self.columns[old.colname] = kept
        else:
            del self.columns[old.colname]
        if self._words is not None:
            self._counts.subtract(self._words.pop(id(old)))
        keys = _index_keys(old)
        if keys:
            self.keys.subtract(keys)
        self._note(new)
        set_elements(node, self.elts)

    def swap(self, node: ast.CreateStmt, old: Any, new: Any) -> None:
        """An element for another that declares the same columns and keys (one named, say, or
        naming a renamed column)."""
        if isinstance(old, ast.ColumnDef):
            self.replace(node, old, new)
            return
        self.elts[next(i for i, e in enumerate(self.elts) if e is old)] = new
        self._was[id(new)] = self._was.pop(id(old), old)
        keys = _index_keys(old)
        if keys:  # (one whose column was renamed declares the same key under the new name)
            self.keys.subtract(keys)
            self.keys.update(_index_keys(new))
        if self._words is not None:
            self._counts.subtract(self._words.pop(id(old)))
            self._words[id(new)] = w = _words(new)
            self._counts.update(w)
        set_elements(node, self.elts)

    def as_written(self, e: Any) -> Any:
        """The element `e` stands for as the statement wrote it (a key another fold rewrote is
        still the constraint the model knows)."""
        return self._was.get(id(e), e)

    def named_elsewhere(self, cd: ast.ColumnDef, name: str) -> bool:
        """Does the text of another element, or of one of `cd`'s constraints other than its DEFAULT,
        name `name` (as a word)?"""
        parts = [c for c in cd.constraints or () if c.contype != CT.CONSTR_DEFAULT]
        if not _WORD.fullmatch(name):
            pattern = re.compile(rf"\b{re.escape(name)}\b")
            return any(pattern.search(RawStream()(e)) for e in [*(e for e in self.elts if e is not cd), *parts])
        if self._words is None:
            self._words = {}
            for e in self.elts:
                self._words[id(e)] = w = _words(e)
                self._counts.update(w)
        own = 1 if name in self._words[id(cd)] else 0
        return self._counts[name] - own > 0 or any(name in _words(c) for c in parts)

    def naming(self, cd: ast.ColumnDef, name: str) -> list[Any] | None:
        """The other elements whose text names `name`; None where one of `cd`'s own constraints
        other than its DEFAULT does (or the name is no plain word: not told apart)."""
        if not self.named_elsewhere(cd, name):
            return []
        if not _WORD.fullmatch(name) or any(name in _words(c) for c in cd.constraints or () if c.contype != CT.CONSTR_DEFAULT):
            return None
        assert self._words is not None  # (named_elsewhere made them)
        return [e for e in self.elts if e is not cd and name in self._words[id(e)]]

