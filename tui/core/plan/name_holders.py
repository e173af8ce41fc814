"""The objects that held each name, and the statements that say a renamed name, made once for all
the renames of a plan: may a table, a constraint, an index or a type be made under its final name
at once (table_renames, constraint_renames, index_renames, type_renames)?"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pglast import ast

from tui.core.model import CREATE, DROP, RENAME, REPLACE
from tui.core.plan.accept import is_left_out
from tui.core.plan.mentioned import WORD
from tui.core.plan.order_keys import schemas_held, schemas_then

if TYPE_CHECKING:
    from collections.abc import Container

    from tui.core.model import Obj
    from tui.core.plan.items import Item
    from tui.core.plan.planner import Planner

# What takes a name in the namespace of tables (a type too: a table's row type is called after it).
_RELATIONS = frozenset(("table", "view", "materialized view", "sequence", "index", "type", "domain", "foreign table",
                        "constraint"))  # (a key's index takes its name: constraint_renames asks)


class Written:
    """What every kind of rename asks of the plan: its CREATE INDEX items by statement (one may be
    written on the new name) and the lives of its functions' definitions (CodeLives). Made once a
    plan, where its first rename is met."""

    def __init__(self, p: Planner, items: list[Item]) -> None:
        self.indexes = {it.seq: it for it in items if isinstance(it.node, ast.IndexStmt)}
        self.code = CodeLives(p)


class Holders:
    """Objects by every local name they had, and the statements whose text says the former name of
    a renamed table, constraint, index, type or sequence, made once for all the renames of a plan."""

    def __init__(self, p: Planner, items: list[Item], written: Written) -> None:
        self.indexes, self.code = written.indexes, written.code
        # CREATE TABLEs by where they stand (`file:line`, as a statement folded into one says)
        self.creates = {f"{it.stmt.file}:{it.stmt.line}": it for it in items if isinstance(it.node, ast.CreateStmt)}
        self.by_name: dict[tuple[str, str], list[Obj]] = {}
        renamed: set[str] = set()
        for o in p.m.objects.values():
            if o.type in _RELATIONS:
                for schema in schemas_held(o):
                    for name in o.local_names():
                        self.by_name.setdefault((schema, name), []).append(o)
                if o.type in ("table", "constraint", "index", "type", "sequence"):
                    renamed.update(n.rsplit(".", 1)[-1].lower() for n in o.former_names)
        # The names PostgreSQL chose around or into (not those only written again after a DROP).
        self.chosen = {(schema, name) for schema, name, _ in (*p.m.avoided, *p.m.freed)}
        self.saying: dict[str, list[int]] = {}  # former name -> seqs of the statements whose text says it
        for st in p.a.parsed.statements:
            for word in renamed.intersection(WORD.findall(st.text.lower())):
                self.saying.setdefault(word, []).append(st.seq)

    def may_take(self, p: Planner, o: Obj, old: str, new: str, between: range, inside: Container[int]) -> bool:
        """May `o` be made under `new` at once, its rename being the end of `between`? Not where
        PostgreSQL chose a name around either name, something written had `new` before the rename,
        or a statement written between says `old` where the model follows no name (a function's
        body, a block)."""
        schemas = schemas_then(o, between.stop)  # (the one it was in then)
        if {(s, n) for s in schemas for n in (old, new)} & self.chosen:
            return False
        if any(x is not o and x.born <= between.stop and not all(id(e) in p.dead for e in x.events)
               for s in schemas for x in self.by_name.get((s, new), ())):
            return False  # (a table rebuilt and renamed into place, the one it replaces written)
        return not any(seq in between and seq not in inside and not is_left_out(p, seq) and not said_only_in_dead_parts(p, seq, old)
                       for seq in self.saying.get(old.lower(), ()))


def said_only_in_dead_parts(p: Planner, seq: int, name: str) -> bool:
    """Is `name` said only in parts of the statement that are folded away (a foreign key to a table,
    dropped later, inside another table's CREATE TABLE: EF Core drops and adds keys around a RENAME)?"""
    if seq not in p.killed_in:
        return False
    st = p.a.parsed.statements[seq]
    pairs, alive = p.alive_pairs(st)
    return len(alive) < len(pairs) and name.lower() not in p.cut_words(st, pairs)


def renamed_where_made(p: Planner, it: Item, kind: str, by_seq: dict[int, Item], made_by: type) -> tuple[Obj, str, Item, str, str, range] | None:
    """What folding the RENAME `it` of an object of `kind` into the statement that made it needs:
    the object, its accepted finding, the item of that statement (a `made_by` written before `it`,
    not pinned), the old and new names and the statements between; None where one is missing, or
    a change of the object between them is written."""
    found = next(((o, e) for o, e in p.by_seq.get(it.seq, ()) if o.type == kind and e.action == RENAME), None)
    if found is None or not found[1].new_name:
        return None
    o, event = found
    finding = p.folding.get((kind, o.name))
    made = o.events[0]
    target = by_seq.get(made.stmt.seq) if made.action == CREATE and made.stmt.parent is None else None
    if (finding is None or target is None or target.seq >= it.seq or target.seq in p.pinned
            or not isinstance(target.node, made_by) or id(made) in p.dead):
        return None
    between = range(target.seq + 1, it.seq)
    if any((seq := (e.stmt.parent or e.stmt).seq) in between and not is_left_out(p, seq) for e in o.events):
        return None
    return o, finding, target, event.name.rsplit(".", 1)[-1], event.new_name.rsplit(".", 1)[-1], between


class CodeLives:
    """Each definition of a function the new set writes: from its statement to the next that
    replaces or drops it, and the words of its text; found by a word it says (scanning them all for
    each rename was most of the plan of a history with thousands of definitions and renames)."""

    def __init__(self, p: Planner) -> None:
        self.by_word: dict[str, list[tuple[int, int, set[str]]]] = {}
        for o in p.m.objects.values():
            if o.type != "function":
                continue
            defs = [e for e in o.events if e.action in (CREATE, REPLACE, DROP)]
            for e, after in zip(defs, [*defs[1:], None], strict=True):
                if e.action != DROP and id(e) not in p.dead:
                    start = (e.stmt.parent or e.stmt).seq
                    end = (after.stmt.parent or after.stmt).seq if after is not None else len(p.a.parsed.statements)
                    life = (start, end, set(WORD.findall(e.stmt.text.lower())))
                    for word in life[2]:
                        self.by_word.setdefault(word, []).append(life)

    def alive_saying(self, words: set[str], after: int, before: int) -> bool:
        """Is a definition whose text says all of `words` (lowercase) alive between statements
        `after` and `before`?"""
        fewest = min(words, key=lambda w: len(self.by_word.get(w, ())))
        return any(start < before and end > after and words <= said for start, end, said in self.by_word.get(fewest, ()))
