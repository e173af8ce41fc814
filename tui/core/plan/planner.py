"""The planner's state: which events are dead, which statements are left out and why, and the
items built from what stays (trimmed where part of a statement is dead, revived where a kept
statement needs what a fold would remove)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pglast import ast

from tui.core.analysis import Analysis
from tui.core.decisions import Decisions
from tui.core.findings import INTO_CREATE, Finding
from tui.core.formats.base import OWNED
from tui.core.model import ALTER, CREATE, Event, Obj
from tui.core.names import column_defs, shallow, strings, texts
from tui.core.parse import Statement
from tui.core.plan.dead_keys import DeadKeys, all_dead
from tui.core.plan.holding import revive_holders
from tui.core.plan.items import BOOKKEEPING_ACTIONS, Fold, Item, bookkeeping_event
from tui.core.plan.key_needs import key_needs_dead, needed_by_keys, referenced_then
from tui.core.plan.mentioned import WORD, Named, revive_mentioned, word_count
from tui.core.plan.order_keys import changes_kind, kind_changes, order_keys
from tui.core.plan.trimming import trim
from tui.core.replay.inherited import depends_or_left
from tui.core.replay.state import RELATION_TYPES

_CHILDREN = frozenset(("column", "constraint", "trigger", "policy"))
FOLDED_AWAY = "its whole effect is folded away"  # why build_items leaves out a statement all of whose own events are dead


def namespace(type_: str) -> str:
    """Kinds of objects that share names in PostgreSQL's catalog (pg_class, pg_type, pg_proc)."""
    return "relation" if type_ in RELATION_TYPES else "type" if type_ in ("type", "domain") else "function" if type_ == "function" else ""


# A planner's indexes of the history: made from the analysis, the decisions and the pinned
# statements only, never changed after (the lazily made ones, once made, are the history's too),
# so every attempt of one plan shares them.
_SHARED = ("_children", "_fk_refs", "_inheritors", "_own", "accepted", "alive_always", "by_seq", "choosers",
           "chose_around", "contained_seqs", "cycle_of", "folding", "functions", "held", "held_names", "holders", "kept",
           "kind_changed", "made_schemas", "named", "opaque_seqs", "overloaded", "renamed_names", "replayed_seqs", "with_bookkeeping")


class Planner:
    """One attempt at a plan, under the user's decisions and the folds given up so far.

    `pinned` statements are written as in the history: nothing of theirs dies, nothing folds into
    or out of them, nothing merges with them (a fold the proof backed off pins its statements).
    """
    # Slots: read millions of times, 30 or more attributes in a dict are looked up the slow way.
    __slots__ = ("_children", "_dead_keys", "_fk_refs", "_inheritors", "_own", "_words", "a", "accepted", "alive_always",
                 "assumed", "by_seq", "choosers", "chose_around", "contained_seqs", "cycle_of", "dead", "dead_in", "dead_index", "decisions",
                 "dropped", "exempted", "folding", "folds", "functions", "held", "held_names", "hoist", "hoisted", "hoisting", "holders", "kept",
                 "killed_in", "kind_changed", "m", "made_schemas", "named", "no_assume", "no_exempt", "no_fold", "no_fold_stmts",
                 "opaque_seqs", "overloaded", "pinned", "renamed_names", "replayed_seqs", "retyped", "revived", "unfoldable_adds",
                 "unfoldable_cols", "unfolded", "with_bookkeeping")

    def __init__(self, analysis: Analysis, decisions: Decisions, hoisting: bool = True,
                 pinned: frozenset[int] = frozenset(), indexes: dict[str, Any] | None = None) -> None:
        """`indexes`: those of a planner of an earlier attempt under the same analysis, decisions
        and pinned statements (its `indexes()`), shared (read only) instead of made again (two
        seconds of each attempt at 500,000 statements)."""
        self.a = analysis
        self.hoisting = hoisting
        self.pinned = pinned
        self.no_fold: set[int] = set()  # seqs of CREATE TABLE statements nothing may fold into
        self.no_fold_stmts: set[int] = set()  # seqs of statements that stay where they are
        self.hoist: dict[int, Statement] = {}  # seq of a first definition -> the last definition, written there
        self.hoisted: dict[int, Statement] = {}  # seq of that last definition -> the first one
        self.m = analysis.model
        self.decisions = decisions
        self.dead: set[int] = set()  # id() of dead events
        # id() of an object -> how many of its events are dead (asked of a table with thousands of
        # events, its partitions', for each of them revived: a look at each event was quadratic).
        self.dead_in: dict[int, int] = {}
        # Only kill() makes events dead; from then on events only come back to life. So what is
        # noted at a kill holds after it as an upper bound: the statements with a dead event, the
        # keys of objects all of whose events are dead (brought up to date when asked after a kill).
        self.killed_in: set[int] = set()
        self._dead_keys = DeadKeys()
        self.folds: dict[str, Fold] = {}  # by id
        self.dropped: dict[int, str] = {}
        self.unfolded: list[str] = []
        self.revived = False
        self.dead_index: dict[str, list[tuple[Obj, list[str]]]] | None = None  # see mentioned
        self._words: dict[tuple[int, tuple[bool, ...]], set[str]] = {}  # see cut_words
        self.unfoldable_adds: set[str] = set()  # tables where an ADD COLUMN could not be folded
        self.unfoldable_cols: set[str] = set()  # columns whose type change stays an ALTER
        # A type left out although a statement names it as a column's type, because the column's
        # later type change folds into its CREATE TABLE: type key -> those columns. Folding checks
        # each was retyped there (`retyped`); where one was not, the type is not assumed again.
        self.assumed: dict[str, set[str]] = {}
        self.retyped: set[str] = set()
        self.no_assume: set[str] = set()
        # Redefined object -> readers of an earlier definition left out (see last_definitions, build_plan).
        self.exempted: dict[str, set[int]] = {}
        self.no_exempt: set[str] | None = set()  # None: no reader is taken for left out (the last attempt)
        self.holders: dict[tuple[str, str], list[Obj]] | None = None
        if indexes is None:
            self._index(analysis, decisions, pinned)
        else:
            for name, value in indexes.items():
                setattr(self, name, value)

    def indexes(self) -> dict[str, Any]:
        """What a later attempt's planner shares (and nothing of this one's state, which it lets go)."""
        return {name: getattr(self, name) for name in _SHARED}

    def _index(self, analysis: Analysis, decisions: Decisions, pinned: frozenset[int]) -> None:
        """What the planner looks up of the history, made once for all attempts (see _SHARED)."""
        self.accepted = [f for f in analysis.findings if not decisions.keeps(f.id)]
        self.folding = {(f.object_type, f.object_name): f.id for f in self.accepted if f.effect == INTO_CREATE}  # -> finding id
        self.kept = {(f.object_type, f.object_name) for f in analysis.findings if decisions.keeps(f.id)}
        self._inheritors: dict[str, list[int]] | None = None
        self._fk_refs: dict[str, list[Obj]] | None = None
        self._children: dict[str, list[Obj]] | None = None
        self.by_seq: dict[int, list[tuple[Obj, Event]]] = {}
        self.with_bookkeeping: set[int] = set()  # seqs of the statements with bookkeeping events
        # Names an object left or took by a RENAME: statements that free, take or use such a name
        # keep their order (a type renamed away before another is renamed into its name).
        self.renamed_names: set[tuple[str, str]] = set()
        self.functions: dict[str, list[Obj]] = {}  # a function's name (any it had) -> the functions that had it
        self.made_schemas: set[str] = set()  # schemas the history makes (order_keys)
        kinds_changed: set[str] = set()  # tables made LOGGED or UNLOGGED
        for o in self.m.objects.values():
            kind = o.type
            if kind == "function":
                for n in {n.split("(", 1)[0] for n in (o.name, *o.former_names)}:
                    self.functions.setdefault(n, []).append(o)
            elif kind == "schema" and any(e.action == CREATE for e in o.events):
                self.made_schemas.add(o.name)
            for e in o.events:
                seq = (e.stmt.parent or e.stmt).seq
                self.by_seq.setdefault(seq, []).append((o, e))
                if e.action in BOOKKEEPING_ACTIONS:
                    if bookkeeping_event(o, e):
                        self.with_bookkeeping.add(seq)
                    elif kind == "table" and e.action == ALTER and changes_kind(e.stmt.node):
                        kinds_changed.add(o.key)
                if e.new_name and (ns := namespace(kind)):
                    self.renamed_names.update(((ns, e.name), (ns, e.new_name)))
        self.kind_changed = kind_changes(self.m, kinds_changed)  # (order_keys)
        self.overloaded = {n for n, fns in self.functions.items() if len(fns) > 1}  # (see build_items)
        # Without the bookkeeping: asked two or three times of every statement. The same list
        # where nothing is left out, the same pairs where something is (memory, at 500k statements).
        self._own = dict(self.by_seq)
        for seq in self.with_bookkeeping:
            self._own[seq] = [pe for pe in self.by_seq[seq] if not bookkeeping_event(*pe)]
        self.alive_always = {id(e) for seq in pinned for _, e in self.by_seq.get(seq, [])}
        self.cycle_of = {k: n for n, cycle in enumerate(analysis.graph.cycles) for k in cycle}  # tables that need each other
        self.opaque_seqs = {(u.stmt.parent or u.stmt).seq for u in self.m.unfollowable}
        # What writes only the tables it names (INSERT ... SELECT, CREATE TABLE AS) waits for what
        # it reads and writes like any statement; the others, for everything before them.
        self.contained_seqs = self.opaque_seqs - {(u.stmt.parent or u.stmt).seq for u in self.m.unfollowable if not u.contained}
        self.replayed_seqs = {u.stmt.seq for u in self.m.unfollowable if u.replayed}  # (of those, the ones that wrote no row)
        self.named = Named(self.m, analysis.parsed.statements, self.opaque_seqs)
        # A name PostgreSQL chose around (`jobs_id_seq1`): the statement that chose stays before the
        # DROP of what held the name then (after it, the plain name would be free).
        # And one chosen (or written) where an object held the name before stays after what freed it.
        self.held: dict[int, set[str]] = {}
        self.held_names: set[tuple[str, str]] = set()
        self.chose_around: dict[int, set[tuple[str, str]]] = {}  # see holding
        self.choosers: dict[tuple[str, str], list[int]] = {}  # the other way round
        for around, names in ((True, self.m.avoided), (False, self.m.freed), (False, self.m.reused)):
            for schema, name, seq in names:
                self.held.setdefault(seq, set()).add(f"@held:{schema}.{name}")
                self.held_names.add((schema, name))
                if around:
                    self.chose_around.setdefault(seq, set()).add((schema, name))
                    self.choosers.setdefault((schema, name), []).append(seq)

    def children(self, key: str) -> list[Obj]:
        """The objects whose parent is `key` (columns, constraints, indexes of a table), from an
        index built once: scanning every object for each foreign key is quadratic."""
        if self._children is None:
            self._children = {}
            for o in self.m.objects.values():
                if o.parent:
                    self._children.setdefault(o.parent, []).append(o)
        return self._children.get(key, [])

    def kill(self, o: Obj, events: Iterable[Event]) -> set[int]:
        """Mark events of `o` dead (not those of pinned statements); the seqs of the statements newly touched."""
        touched: set[int] = set()
        dead, always = self.dead, self.alive_always
        n = 0
        for e in events:
            if (i := id(e)) not in dead and i not in always:
                dead.add(i)
                n += 1
                touched.add((e.stmt.parent or e.stmt).seq)
        if touched:
            self.dead_index = None
            self._dead_keys.killed(o)
            self.killed_in |= touched
            self.dead_in[id(o)] = self.dead_in.get(id(o), 0) + n
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
        renamed = {n for _, n in self.renamed_names}
        held = self.held_names
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
                self.dropped[st.seq] = FOLDED_AWAY
                continue
            item = Item(st, st.node, writes={o.key for o, _ in alive}, reads=self.m.reads_of(st.seq))
            if st.seq in self.m.referenced:  # (what the foreign keys it makes reference then, unless left out whole: a fold waits for it)
                keys = [o for o, _ in alive if o.contype == "f"]
                item.reads.update(r.key for r in referenced_then(self, st.seq, keys) if not all_dead(r, self.dead_in))
            dead_keys = self.dead_keys()
            if not dead_keys.isdisjoint(item.reads) or any(o.contype == "f" and key_needs_dead(self, o, dead_keys, st.seq) for o, _ in alive):
                self.keep_needed(st, pairs, alive)  # (a foreign key kept needs its columns, left out on their own: see there)
            if len(alive) < len(pairs):
                if not self.trim(item, pairs):
                    self.revive(pairs, item.reads)
                    item = Item(st, st.node, writes={o.key for o, _ in pairs}, reads=self.m.reads_of(st.seq))
                    item.note("kept whole: part of it concerns objects that are folded away")
            if self.renamed_names:
                if any(e.name in renamed or e.new_name in renamed for _, e in alive):
                    item.writes.update(f"@name:{ns}:{n}" for o, e in alive if (ns := namespace(o.type))
                                       for n in (e.name, e.new_name) if (ns, n) in self.renamed_names)
                if st.seq in self.with_bookkeeping:
                    # A COMMENT or GRANT on a column names its table by the name it has then
                    # (`t5.c8`): it stays before a RENAME that frees that name.
                    item.reads.update(f"@name:relation:{table}" for o, e in self.by_seq[st.seq] if o.type in _CHILDREN and "." in e.name
                                      and ("relation", table := e.name.rsplit(".", 1)[0]) in self.renamed_names)
            order_keys(self, st, item, alive, held)
            if st.seq in self.opaque_seqs:
                revive_mentioned(self, st)
            items.append(item)
        return items, setup

    def alive_pairs(self, st: Statement) -> tuple[list[tuple[Obj, Event]], list[tuple[Obj, Event]]]:
        """The (object, event) pairs a statement makes (bookkeeping left aside), and those alive."""
        pairs = self._own.get(st.seq, [])
        if st.seq not in self.killed_in:
            return pairs, pairs  # (most statements: none of their events was ever marked dead)
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
        objects, dead_keys = self.m.objects, self.dead_keys()
        # Asked of every statement on each pass: most of what it reads lives.
        needed = [o for r in self.m.reads.get(st.seq, ()) if r.key in dead_keys and (o := objects.get(r.key)) is not None
                  and all_dead(o, self.dead_in) and not self.retyped_later(st, o)]
        if needed and len(alive) < len(pairs) and self.trim(Item(st, st.node), pairs):
            words = self.cut_words(st, pairs)
            needed = [o for o in needed if any(n.split("(", 1)[0].rsplit(".", 1)[-1].lower() in words for n in (o.name, *o.former_names))]
        # A foreign key it makes needs the columns and key it references, which a table left out
        # whole took along (the statement names only the table and columns: revived, it came
        # back empty, or without its key). Dead in part too: the key's DROP, with its table's.
        needed += needed_by_keys(self, st, alive)
        return self.revive([], {o.key for o in needed}) if needed else set()

    def inheritors(self) -> dict[str, list[int]]:
        """Table key -> seqs of the CREATE TABLEs that made a table INHERIT from it (partitions are
        not: they take the parent's columns in its order), whether it still does or not. Made when first asked."""
        if self._inheritors is None:
            self._inheritors = {}
            for o in self.m.objects.values():
                node = o.node
                if o.type == "table" and isinstance(node, ast.CreateStmt) and node.inhRelations and node.partbound is None:
                    if (made := o.last(CREATE)) is not None:
                        for parent in depends_or_left(o):
                            self._inheritors.setdefault(parent, []).append(made.stmt.seq)
        return self._inheritors

    def dead_keys(self) -> set[str]:
        """The keys of the objects all of whose events are dead, as of the last kill (some may
        have come back to life since: each is checked again where it matters)."""
        return self._dead_keys.keys(self.dead_in)

    def cut_words(self, st: Statement, pairs: list[tuple[Obj, Event]]) -> set[str]:
        """The words of the names and strings a statement holds once its dead parts are cut (the
        keywords around them name nothing). Asked again for each pass over the items while little
        has changed: read once for each set of dead parts."""
        key = (st.seq, tuple(id(e) in self.dead for _, e in pairs))
        words = self._words.get(key)
        if words is None:
            probe = Item(st, st.node)
            self.trim(probe, pairs)
            words = self._words[key] = {w for t in texts(probe.node) for w in WORD.findall(t.lower())}
        return words

    def retyped_later(self, st: Statement, o: Obj) -> bool:
        """A type this statement names only as the type of columns it defines, each of which takes
        another type later under an accepted finding: once that change folds into the CREATE
        TABLE, nothing names the type (an enum replaced by a new one, as Prisma does)."""
        if o.type not in ("type", "domain") or o.key in self.no_assume:
            return False
        names = {n.rsplit(".", 1)[-1].lower() for n in (*o.former_names, o.name)}
        defs = [cd for cd in column_defs(st.node) if cd.typeName is not None and strings(cd.typeName.names)[-1].lower() in names]
        mentions = sum(word_count(st.text, n) for n in names)
        # (A column called as its type, `"status" "status"`, says the name once more, as a column.)
        mentions -= sum(1 for cd in column_defs(st.node) if (cd.colname or "").lower() in names)
        if not defs or mentions != len(defs):
            return False
        cols = set()
        for cd in defs:
            col = next((c for c, _ in self.by_seq.get(st.seq, []) if c.type == "column"
                        and cd.colname in c.local_names()), None)
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
        item.fold_in(first)
        return item

    def revive(self, pairs: list[tuple[Obj, Event]], reads: set[str] = frozenset(), whole: bool = False) -> set[int]:  # type: ignore[assignment]
        """Keep objects whole after all, with what they need (their table, what they reference);
        the statements that got an event back. `whole`: a table comes back with its columns and
        keys too, for a statement that needs it but does not say what of it (one the model
        cannot read: it came back as `CREATE TABLE t ()` under a view over it)."""
        todo = [o for o, _ in pairs] + [o for k in reads if (o := self.m.objects.get(k)) is not None]
        seen: set[str] = set()
        touched: set[int] = set()
        while todo:
            o = todo.pop()
            if o.key in seen:
                continue
            seen.add(o.key)
            if self.dead_in.get(id(o)):
                for e in o.events:
                    if id(e) in self.dead:
                        self.dead.discard(id(e))
                        self.revived = True
                        touched.add((e.stmt.parent or e.stmt).seq)
                del self.dead_in[id(o)]
                self._dead_keys.revived(o)
                if whole and o.type == "table":
                    todo.extend(c for c in self.children(o.key) if self.dead_in.get(id(c)))
            for k in list(o.depends) + ([o.parent] if o.parent else []):
                dep = self.m.objects.get(k)
                if dep is None or o.type == "constraint" and dep.type in ("constraint", "index"):
                    # The key a foreign key references: the one there when it was made may be another
                    # life of it (a primary key dropped and added again); the proof checks which.
                    continue
                if self.dead_in.get(id(dep)):
                    todo.append(dep)
        if touched and self.chose_around:
            touched |= revive_holders(self, touched)
        return touched

    def trim(self, item: Item, pairs: list[tuple[Obj, Event]]) -> bool:
        """Remove the dead parts of a statement; False when it cannot be split (see trimming)."""
        return trim(item, pairs, self.dead)

    @staticmethod
    def _edit(target: Item) -> None:
        if not target.changed:
            target.node = shallow(target.node)
            target.changed = True
