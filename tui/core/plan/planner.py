"""The planner's state: which events are dead, which statements are left out and why, and the
items built from what stays (trimmed where part of a statement is dead, revived where a kept
statement needs what a fold would remove)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ConstrType as CT
from pglast.stream import RawStream

from tui.core.analysis import Analysis
from tui.core.decisions import Decisions
from tui.core.findings import INTO_CREATE, Finding
from tui.core.formats.base import OWNED
from tui.core.model import ADD, ALTER, Event, Obj
from tui.core.names import column_defs, set_elements, shallow, strings
from tui.core.parse import Statement
from tui.core.plan.items import ANCHORS, BARRIERS, DML, Fold, Item, birth_name, bookkeeping_event, outside_transaction
from tui.core.plan.splice import Op
from tui.core.replay.state import RELATION_TYPES


def namespace(type_: str) -> str:
    """Kinds of objects that share names in PostgreSQL's catalog (pg_class, pg_type)."""
    return "relation" if type_ in RELATION_TYPES else "type" if type_ in ("type", "domain") else ""


class Planner:
    """One attempt at a plan, under the user's decisions and the folds given up so far.

    `pinned` statements are written as in the history: nothing of theirs dies, nothing folds into
    or out of them, nothing merges with them (a fold the proof backed off pins its statements).
    """

    def __init__(self, analysis: Analysis, decisions: Decisions, hoisting: bool = True,
                 pinned: frozenset[int] = frozenset()) -> None:
        self.a = analysis
        self.hoisting = hoisting
        self.pinned = pinned
        self.no_fold: set[int] = set()  # seqs of CREATE TABLE statements nothing may fold into
        self.no_fold_stmts: set[int] = set()  # seqs of statements that stay where they are
        self.hoist: dict[int, Statement] = {}  # seq of a first definition -> the last definition, written there
        self.hoisted: dict[int, Statement] = {}  # seq of that last definition -> the first one
        self.m = analysis.model
        self.decisions = decisions
        self.accepted = [f for f in analysis.findings if not decisions.keeps(f.id)]
        self.folding = {(f.object_type, f.object_name): f.id for f in self.accepted if f.effect == INTO_CREATE}  # -> finding id
        self.kept = {(f.object_type, f.object_name) for f in analysis.findings if decisions.keeps(f.id)}
        self.dead: set[int] = set()  # id() of dead events
        self.by_seq: dict[int, list[tuple[Obj, Event]]] = {}
        for o in self.m.objects.values():
            for e in o.events:
                top = e.stmt.parent or e.stmt
                self.by_seq.setdefault(top.seq, []).append((o, e))
        # Without the bookkeeping: asked two or three times of every statement. The same list
        # where nothing is left out, the same pairs where something is (memory, at 500k statements).
        self._own: dict[int, list[tuple[Obj, Event]]] = {}
        for seq, pairs in self.by_seq.items():
            own = [pe for pe in pairs if not bookkeeping_event(*pe)]
            self._own[seq] = pairs if len(own) == len(pairs) else own
        self.alive_always = {id(e) for seq in pinned for _, e in self.by_seq.get(seq, [])}
        self.folds: dict[str, Fold] = {}  # by id
        self.dropped: dict[int, str] = {}
        self.unfolded: list[str] = []
        self.revived = False
        self._fk_refs: dict[str, list[Obj]] | None = None
        self._children: dict[str, list[Obj]] | None = None
        self.cycle_of = {k: n for n, cycle in enumerate(analysis.graph.cycles) for k in cycle}  # tables that need each other
        self._dead_index: dict[str, list[tuple[Obj, list[str]]]] | None = None
        self._words: dict[tuple[int, tuple[bool, ...]], set[str]] = {}  # see cut_words
        self.unfoldable_adds: set[str] = set()  # tables where an ADD COLUMN could not be folded
        self.unfoldable_cols: set[str] = set()  # columns whose type change stays an ALTER
        # A type left out although a statement names it as a column's type, because the column's
        # later type change folds into its CREATE TABLE: type key -> those columns. Folding checks
        # each was retyped there (`retyped`); where one was not, the type is not assumed again.
        self.assumed: dict[str, set[str]] = {}
        self.retyped: set[str] = set()
        self.no_assume: set[str] = set()
        self.opaque_seqs = {(u.stmt.parent or u.stmt).seq for u in self.m.unfollowable}
        # Names an object left or took by a RENAME: statements that free, take or use such a name
        # keep their order (a type renamed away before another is renamed into its name).
        self.renamed_names = {(ns, n) for o in self.m.objects.values() if (ns := namespace(o.type))
                              for e in o.events if e.new_name for n in (e.name, e.new_name)}


    def children(self, key: str) -> list[Obj]:
        """The objects whose parent is `key` (columns, constraints, indexes of a table), from an
        index built once: scanning every object for each foreign key is quadratic."""
        if self._children is None:
            self._children = {}
            for o in self.m.objects.values():
                if o.parent:
                    self._children.setdefault(o.parent, []).append(o)
        return self._children.get(key, [])

    def kill(self, events: Iterable[Event]) -> set[int]:
        """Mark events dead (not those of pinned statements); the seqs of the statements newly touched."""
        touched: set[int] = set()
        for e in events:
            if id(e) not in self.dead and id(e) not in self.alive_always:
                self.dead.add(id(e))
                self._dead_index = None
                touched.add((e.stmt.parent or e.stmt).seq)
        return touched

    def fold_of(self, f: Finding) -> set[int]:
        """The statements the fold of an accepted finding touches, filled in as it is applied."""
        fold = self.folds.get(f.id)
        if fold is None:
            fold = self.folds[f.id] = Fold(f.id, f.effect, findings=[f.id])
        return fold.seqs

    def record(self, effect: str, st: Statement, into: Statement, findings: list[str]) -> None:
        """A fold of one statement into another (a column into its CREATE TABLE, rows into an INSERT)."""
        fold_id = f"{effect}:{st.file}:{st.line}"
        self.folds[fold_id] = Fold(fold_id, effect, {st.seq}, sorted(set(findings)), into.seq)

    def build_items(self) -> tuple[list[Item], list[Statement]]:
        self.assumed = {}
        items: list[Item] = []
        setup: list[Statement] = []
        migs = self.a.sources.migrations
        for st in self.a.parsed.statements:
            if migs[st.migration].kind in OWNED:
                setup.append(st)
                continue
            if st.seq in self.dropped:
                continue
            if st.seq in self.hoisted:
                first = self.hoisted[st.seq]
                self.dropped[st.seq] = f"written where its first definition stood ({first.file}:{first.line})"
                continue
            if st.seq in self.hoist:
                items.append(self._hoisted_item(st))
                continue
            pairs, alive = self.alive_pairs(st)
            if pairs and not alive:
                self.dropped[st.seq] = "its whole effect is folded away"
                continue
            item = Item(st, st.node, writes={o.key for o, _ in alive}, reads=self.m.reads_of(st.seq))
            self.keep_needed(st, pairs, alive)
            if len(alive) < len(pairs):
                if not self.trim(item, pairs):
                    self.revive(pairs, item.reads)
                    item = Item(st, st.node, writes={o.key for o, _ in pairs}, reads=self.m.reads_of(st.seq))
                    item.notes.append("kept whole: part of it concerns objects that are folded away")
            if self.renamed_names:
                item.writes.update(f"@name:{ns}:{n}" for o, e in alive if (ns := namespace(o.type))
                                   for n in (e.name, e.new_name) if (ns, n) in self.renamed_names)
            # A COMMENT or GRANT on a table needs the table under the name it uses.
            item.reads.update(o.key for o, e in self.by_seq.get(st.seq, []) if bookkeeping_event(o, e) and o.key in self.m.objects)
            objects = self.m.objects
            for o, _ in alive:
                # Touching an object (dropping a view, say) depends on what it depends on, so that a
                # later DROP of those waits for it; columns are numbered in the order they are added:
                # changes to one table keep their order.
                item.reads.update(d for d in (*o.depends, o.parent) if d in objects)
                if o.parent and o.type in ("column", "constraint"):
                    item.writes.add(o.parent)
            if isinstance(st.node, DML) or any(o.type == "data" for o, _ in alive):
                # Rows reference rows through foreign keys the model does not follow: data
                # statements keep their order among themselves.
                item.writes.add("@data")
            item.barrier = isinstance(st.node, BARRIERS) or st.seq in self.opaque_seqs
            item.anchor = isinstance(st.node, ANCHORS)
            item.alone = outside_transaction(st.node)
            if st.seq in self.opaque_seqs:
                self.revive_mentioned(st)
            items.append(item)
        return items, setup


    def alive_pairs(self, st: Statement) -> tuple[list[tuple[Obj, Event]], list[tuple[Obj, Event]]]:
        """The (object, event) pairs a statement makes (bookkeeping left aside), and those alive."""
        pairs = self._own.get(st.seq, [])
        dead = self.dead
        alive = [pe for pe in pairs if id(pe[1]) not in dead]
        if isinstance(st.node, ast.RenameStmt) and any(id(e) in self.dead for o, e in pairs if o.parent):
            # Renaming a column, constraint or trigger that is folded away: the note it leaves
            # on its table is no reason to keep the statement.
            alive = [(o, e) for o, e in alive if o.parent]
        return pairs, alive

    def keep_needed(self, st: Statement, pairs: list[tuple[Obj, Event]], alive: list[tuple[Obj, Event]]) -> set[int]:
        """Revive what a kept statement needs (where it is cut, only what the cut text names): the
        statements that got an event back."""
        dead, objects = self.dead, self.m.objects
        # Asked of every statement on each pass: most of what it reads lives, as its newest event says.
        needed = [o for r in self.m.reads.get(st.seq, ()) if (o := objects.get(r.key)) is not None and o.events
                  and id(o.events[-1]) in dead and all(id(e) in dead for e in o.events) and not self.retyped_later(st, o)]
        if needed and len(alive) < len(pairs) and self.trim(Item(st, st.node), pairs):
            words = self.cut_words(st, pairs)
            needed = [o for o in needed if any(n.split("(", 1)[0].rsplit(".", 1)[-1].lower() in words for n in (o.name, *o.former_names))]
        return self.revive([], {o.key for o in needed}) if needed else set()

    def cut_words(self, st: Statement, pairs: list[tuple[Obj, Event]]) -> set[str]:
        """The words of a statement as written once its dead parts are cut. Asked again for each
        pass over the items while little has changed: printed once for each set of dead parts."""
        key = (st.seq, tuple(id(e) in self.dead for _, e in pairs))
        words = self._words.get(key)
        if words is None:
            words = self._words[key] = set(re.findall(r"[a-z_][a-z0-9_$]*", _printed(st.node, self, pairs).lower()))
        return words

    def retyped_later(self, st: Statement, o: Obj) -> bool:
        """A type this statement names only as the type of columns it defines, each of which takes
        another type later under an accepted finding: once that change folds into the CREATE
        TABLE, nothing names the type (an enum replaced by a new one, as Prisma does)."""
        if o.type not in ("type", "domain") or o.key in self.no_assume:
            return False
        names = {n.rsplit(".", 1)[-1].lower() for n in (*o.former_names, o.name)}
        defs = [cd for cd in column_defs(st.node) if cd.typeName is not None and strings(cd.typeName.names)[-1].lower() in names]
        mentions = sum(len(re.findall(rf"(?<![\w$]){re.escape(n)}(?![\w$])", st.text.lower())) for n in names)
        if not defs or mentions != len(defs):
            return False
        cols = set()
        for cd in defs:
            col = next((c for c, _ in self.by_seq.get(st.seq, []) if c.type == "column"
                        and cd.colname in {n.rsplit(".", 1)[-1] for n in (*c.former_names, c.name)}), None)
            if col is None or not col.exists or o.key in col.depends or ("column", col.name) not in self.folding:
                return False
            cols.add(col.key)
        self.assumed.setdefault(o.key, set()).update(cols)
        return True


    def _hoisted_item(self, first: Statement) -> Item:
        last = self.hoist[first.seq]
        alive = [o for o, e in self.by_seq.get(last.seq, []) if id(e) not in self.dead and not bookkeeping_event(o, e)]
        reads = set(self.m.reads_of(last.seq))
        item = Item(last, last.node, writes={o.key for o in alive}, reads=reads, at=first.seq)
        item.ahead = set(reads)  # what the final definition needs may come later in the history
        item.folded.append(first)
        return item


    def revive_mentioned(self, st: Statement) -> None:
        """A statement the model cannot read (dynamic SQL, PL/pgSQL logic) keeps what it names alive."""
        words = set(re.findall(r"[a-z_][a-z0-9_$]*", st.text.lower()))
        index = self._dead_by_word()
        hit = set()
        for word in words & index.keys():
            for o, parts in index[word]:
                if (o.type != "column" or parts[-1] in words) and all(id(e) in self.dead for e in reversed(o.events)):
                    hit.add(o.key)  # (revived since the index was built: no longer dead, skipped)
        if hit:
            self.revive([], hit)


    def _dead_by_word(self) -> dict[str, list[tuple[Obj, list[str]]]]:
        """The objects all of whose events are dead, by the last part of their name (a column by its
        table's: thousands of dead columns are called `id`): looked up for each statement the model
        cannot read, so not a scan of every object each time."""
        if self._dead_index is None:
            self._dead_index = {}
            for o in self.m.objects.values():  # (the last event first: most objects live, that ends their check)
                if (evs := o.events) and id(evs[-1]) in self.dead and all(id(e) in self.dead for e in evs):
                    parts = o.name.lower().split("(", 1)[0].rsplit(".", 2)
                    key = parts[-2] if o.type == "column" and len(parts) > 1 else parts[-1]
                    self._dead_index.setdefault(key, []).append((o, parts))
        return self._dead_index


    def revive(self, pairs: list[tuple[Obj, Event]], reads: set[str] = frozenset()) -> set[int]:  # type: ignore[assignment]
        """Keep objects whole after all, with what they need (their table, what they reference);
        the statements that got an event back."""
        todo = [o for o, _ in pairs] + [o for k in reads if (o := self.m.objects.get(k)) is not None]
        seen: set[str] = set()
        touched: set[int] = set()
        while todo:
            o = todo.pop()
            if o.key in seen:
                continue
            seen.add(o.key)
            for e in o.events:
                if id(e) in self.dead:
                    self.dead.discard(id(e))
                    self.revived = True
                    touched.add((e.stmt.parent or e.stmt).seq)
            for k in list(o.depends) + ([o.parent] if o.parent else []):
                dep = self.m.objects.get(k)
                if dep is None or o.type == "constraint" and dep.type in ("constraint", "index"):
                    # The key a foreign key references: the one there when it was made may be another
                    # life of it (a primary key dropped and added again); the proof checks which.
                    continue
                if any(id(e) in self.dead for e in dep.events):
                    todo.append(dep)
        return touched


    def trim(self, item: Item, pairs: list[tuple[Obj, Event]]) -> bool:
        """Remove the dead parts of a statement; False when it cannot be split.

        Columns and constraints are cut by the piece of the tree their event was made from, so an
        unnamed inline constraint (`key text PRIMARY KEY`, its name chosen by PostgreSQL) goes as
        surely as a named one, and a constraint never takes a column of the same name along."""
        node = item.node
        dead = [(o, e) for o, e in pairs if id(e) in self.dead and o.type in ("column", "constraint")]
        parts = {id(e.part) for _, e in dead if e.part is not None} | {id(s) for _, e in dead for s in e.shadows}
        if isinstance(node, ast.CreateStmt):
            found: set[int] = set()
            ops: list[Op] = []
            elts = _without_parts(node.tableElts or (), parts, found, ops)
            if any(e.part is None or id(e.part) not in found for _, e in dead):
                return False  # a dead part we cannot find in the text: keep the table as written
            item.node = shallow(node)
            set_elements(item.node, elts)
            item.changed = True
            item.ops = ops
            return True
        if isinstance(node, ast.AlterTableStmt):
            state: dict[tuple[str, str], list[bool]] = {}
            for o, e in pairs:
                if o.type in ("column", "constraint"):
                    for nm in {birth_name(o).rsplit(".", 1)[-1], o.name.rsplit(".", 1)[-1]}:
                        state.setdefault((nm, e.action), []).append(id(e) in self.dead)
            cmds = []
            for c in node.cmds or ():
                flags = state.get((_cmd_target(c), _CMD_ACTION.get(c.subtype, ALTER)), [])
                if flags and all(flags) or id(c.def_) in parts:
                    continue  # this part of the statement concerns something folded away
                if c.subtype == AT.AT_AddColumn and any(id(x) in parts for x in c.def_.constraints or ()):
                    c = shallow(c)  # an inline constraint of the new column is dropped later
                    c.def_ = _without_parts([c.def_], parts, set())[0]
                cmds.append(c)
            if not cmds:
                return False
            item.node = shallow(node)
            item.node.cmds = tuple(cmds)
            item.changed = True
            return True
        return False


    @staticmethod
    def _edit(target: Item) -> None:
        if not target.changed:
            target.node = shallow(target.node)
            target.changed = True


def _without_parts(elts: Any, parts: set[int], found: set[int], ops: list[Op] | None = None) -> list[Any]:
    """Column definitions and constraints less the dead pieces (`found` collects those seen, `ops`
    what was cut, for the text). A column keeps the NOT NULL its dropped PRIMARY KEY gave it, as
    PostgreSQL keeps it."""
    ops = [] if ops is None else ops
    out = []
    not_null: set[str] = set()
    for elt in elts:
        if id(elt) in parts:
            found.add(id(elt))
            found.update(id(c) for c in getattr(elt, "constraints", None) or ())  # they go with their column
            ops.append(Op("drop", elt))
            if isinstance(elt, ast.Constraint) and elt.contype == CT.CONSTR_PRIMARY:
                not_null |= set(strings(elt.keys))
            continue
        if isinstance(elt, ast.ColumnDef) and elt.constraints:
            cons = tuple(c for c in elt.constraints if id(c) not in parts)
            if len(cons) != len(elt.constraints):
                for c in elt.constraints:
                    if id(c) in parts:
                        found.add(id(c))
                        ops.append(Op("drop", c))
                        if c.contype == CT.CONSTR_PRIMARY:
                            not_null.add(elt.colname)
                elt = shallow(elt)
                elt.constraints = cons
        out.append(elt)
    for i, elt in enumerate(out):
        if isinstance(elt, ast.ColumnDef) and elt.colname in not_null and not any(
                c.contype in (CT.CONSTR_NOTNULL, CT.CONSTR_PRIMARY) for c in elt.constraints or ()):
            out[i] = shallow(elt)
            out[i].constraints = tuple(elt.constraints or ()) + (ast.Constraint(contype=CT.CONSTR_NOTNULL),)
            ops.append(Op("not_null", column=elt.colname))
    return out


def _printed(node: Any, planner: Planner, pairs: list[tuple[Obj, Event]]) -> str:
    probe = Item(pairs[0][1].stmt if pairs else None, node)  # type: ignore[arg-type]
    planner.trim(probe, pairs)
    return str(RawStream()(probe.node))


_CMD_ACTION = {AT.AT_AddColumn: ADD, AT.AT_DropColumn: "drop", AT.AT_AddConstraint: ADD, AT.AT_DropConstraint: "drop"}


def _cmd_target(cmd: Any) -> str:
    if cmd.subtype == AT.AT_AddColumn and cmd.def_ is not None:
        return str(cmd.def_.colname)
    if cmd.subtype == AT.AT_AddConstraint and cmd.def_ is not None:
        return str(cmd.def_.conname or "")
    return str(cmd.name or "")
