"""The generate plan: which statements of the history survive, what is folded into what, in which order.

The history is folded rather than rewritten from scratch, so every statement the model cannot
follow keeps its exact text: statements whose whole effect is dead (objects created then
dropped, earlier definitions of redefined objects, rows removed later, statements with no
effect) are left out; columns and constraints added later, and later column changes, are
folded into their CREATE TABLE; what remains is put in a dependency order that stays as close
to the history as it can.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ConstrType as CT
from pglast.enums import ObjectType as OT
from pglast.stream import RawStream

from tui.core.analysis import Analysis
from tui.core.decisions import Decisions
from tui.core.findings import Finding
from tui.core.formats.base import OWNED
from tui.core.model import ADD, ALTER, CREATE, DELETE, DROP, INSERT, OPAQUE, RENAME, REPLACE, TRUNCATE, UPDATE, Event, Obj
from tui.core.names import expr_columns, is_serial, strings
from tui.core.parse import Statement

_FOLDABLE_COLUMN = {AT.AT_ColumnDefault, AT.AT_SetNotNull, AT.AT_DropNotNull, AT.AT_AlterColumnType}
# Statements everything after them may rely on without naming them (an operator class, a schema).
_BARRIERS = (ast.VariableSetStmt, ast.CreateSchemaStmt)
# What an extension makes (types, functions, operators) is unknown to the model: everything after
# it stays after it. It may move ahead of earlier statements, for a folded column of its type.
_ANCHORS = (ast.CreateExtensionStmt, ast.AlterExtensionStmt)
_DML = (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.TruncateStmt, ast.CopyStmt)
# Statements that need a function only to exist, never run it.
_EXISTENCE_ONLY = (ast.CreateTrigStmt, ast.CommentStmt, ast.GrantStmt, ast.CreateFunctionStmt, ast.AlterOwnerStmt)
# Statements that may run code: a trigger fires, a function is called, a DO block runs.
# (A statement that names the function, an index expression or a column default, is a reader.)
_RUNS_CODE = _DML + (ast.DoStmt, ast.SelectStmt, ast.CallStmt, ast.CreateTableAsStmt, ast.RefreshMatViewStmt)


@dataclass(eq=False)
class Item:
    """One statement of the new set: an original statement, possibly with parts removed or folded in."""

    stmt: Statement
    node: Any
    changed: bool = False
    writes: set[str] = field(default_factory=set)
    reads: set[str] = field(default_factory=set)
    folded: list[Statement] = field(default_factory=list)  # statements whose content moved in here
    ahead: set[str] = field(default_factory=set)  # needs of folded-in content, which may be created later
    barrier: bool = False
    anchor: bool = False  # later statements wait for it; earlier ones need not
    group: str = ""
    notes: list[str] = field(default_factory=list)
    at: int = -1  # the history position it takes, when not its own (a definition moved earlier)
    fold_ahead: dict[int, set[str]] = field(default_factory=dict)  # folded statement's seq -> what it needs
    merged: list[Statement] = field(default_factory=list)  # INSERTs whose rows were appended to this one

    @property
    def seq(self) -> int:
        return self.at if self.at >= 0 else self.stmt.seq


@dataclass
class Plan:
    """The ordered items, what was left out and why, and the folds that could not be made."""

    items: list[Item]
    dropped: dict[int, str]  # seq -> reason the statement was left out
    unfolded: list[str]
    setup: list[Statement] = field(default_factory=list)  # tool-owned migrations kept as they are


_ON_TRUNCATE = 1 << 5  # TRIGGER_TYPE_TRUNCATE in CreateTrigStmt.events


def birth_name(o: Obj) -> str:
    return o.former_names[0] if o.former_names else o.name


class _Planner:
    def __init__(self, analysis: Analysis, decisions: Decisions, hoisting: bool = True) -> None:
        self.a = analysis
        self.hoisting = hoisting
        self.no_fold: set[int] = set()  # seqs of CREATE TABLE statements nothing may fold into
        self.no_fold_stmts: set[int] = set()  # seqs of statements that stay where they are
        self.hoist: dict[int, Statement] = {}  # seq of a first definition -> the last definition, written there
        self.hoisted: dict[int, Statement] = {}  # seq of that last definition -> the first one
        self.m = analysis.model
        self.decisions = decisions
        self.accepted = [f for f in analysis.findings if not decisions.keeps(f.id)]
        self.kept = {(f.object_type, f.object_name) for f in analysis.findings if decisions.keeps(f.id)}
        self.dead: set[int] = set()  # id() of dead events
        self.by_seq: dict[int, list[tuple[Obj, Event]]] = {}
        for o in self.m.objects.values():
            for e in o.events:
                top = e.stmt.parent or e.stmt
                self.by_seq.setdefault(top.seq, []).append((o, e))
        self.dropped: dict[int, str] = {}
        self.unfolded: list[str] = []
        self.revived = False
        self._fk_refs: dict[str, list[Obj]] | None = None
        self.unfoldable_adds: set[str] = set()  # tables where an ADD COLUMN could not be folded
        self.unfoldable_cols: set[str] = set()  # columns whose type change stays an ALTER
        self.opaque_seqs = {(u.stmt.parent or u.stmt).seq for u in self.m.unfollowable}

    # ---- what is dead -------------------------------------------------------------------

    def mark_dead(self) -> None:
        by_kind: dict[str, list[Finding]] = {}
        for f in self.accepted:
            by_kind.setdefault(f.kind, []).append(f)
        dead_objects: list[Obj] = []
        for f in by_kind.get("created_then_dropped", []):
            o = self.m.get(f.object_type, f.object_name)
            if o is not None and not o.exists:
                dead_objects.append(o)
        drop_seqs = {id(o.events[-1].stmt) for o in dead_objects}
        for o in self.m.objects.values():
            if not o.exists and o.events and o.events[-1].detail.startswith("dropped with") and id(o.events[-1].stmt) in drop_seqs:
                dead_objects.append(o)
        for o in dead_objects:
            if (o.type, o.name) not in self.kept:
                self.dead.update(id(e) for e in o.events)
        read_at: dict[int, list[int]] = {}  # id(object) -> seqs of the statements that need it
        for seq, objs in self.m.reads.items():
            for ob in objs:
                read_at.setdefault(id(ob), []).append(seq)
        children: dict[str, list[Obj]] = {}
        for c in self.m.objects.values():
            if c.parent:
                children.setdefault(c.parent, []).append(c)
        for f in by_kind.get("redefined", []) + [f for f in by_kind.get("altered_later", []) if f.object_type == "comment"]:
            o = self.m.get(f.object_type, f.object_name)
            if o is None or not o.exists:
                continue
            defs = [e for e in o.events if e.action in (CREATE, REPLACE, ADD) or (o.type == "comment" and e.action == ALTER)]
            cutoff = defs[-1].stmt.seq if defs else -1
            last_def = defs[-1] if defs else None
            own = {e.stmt.seq for e in o.events}
            if any(seq < cutoff and seq not in own for seq in read_at.get(id(o), ())) and not self._hoist(o, defs, read_at):
                continue  # used before its last definition: its earlier definitions stay where they were
            family = [o] + children.get(o.key, [])
            for x in family:
                self.dead.update(id(e) for e in x.events if e.stmt.seq < cutoff)
            # Within the statement of the last definition too (DROP COLUMN x, ADD COLUMN x).
            for e in o.events[: o.events.index(last_def)] if last_def is not None else []:
                self.dead.add(id(e))
        # Referencing tables first: a table's rows can go once the rows pointing at them have gone.
        size = -1
        while size != len(self.dead):
            size = len(self.dead)
            for f in by_kind.get("data_then_removed", []):
                self.mark_rows_dead(f)
        by_seq = {s.seq: s for s in self.a.parsed.statements}
        for f in by_kind.get("no_effect", []):
            for seq in f.seqs:
                st = by_seq.get(seq)
                if st is not None and not isinstance(st.node, _BARRIERS):
                    self.dropped[seq] = "no effect"

    def _hoist(self, o: Obj, defs: list[Event], read_at: dict[int, list[int]]) -> bool:
        """Write a function's last definition where its first stood, when what used it in between
        only needed it to exist (a trigger, a comment, a grant) and nothing ran it meanwhile.

        PL/pgSQL bodies are not checked when created, so the final body may name objects created
        later; SQL-language bodies are, and stay as they were.
        """
        if not self.hoisting or o.type != "function" or len(defs) < 2:
            return False
        first, last = defs[0].stmt, defs[-1].stmt
        if first.parent is not None or last.parent is not None or _language(last.node) != "plpgsql":
            return False
        if any(e.action == DROP and first.seq < e.stmt.seq < last.seq for e in o.events):
            return False
        own = {e.stmt.seq for e in o.events}
        stmts = self.a.parsed.statements  # in history order: a statement's seq is its index
        for seq in read_at.get(id(o), ()):
            if seq < last.seq and seq not in own and not isinstance(stmts[seq].node, _EXISTENCE_ONLY):
                return False
        triggers = [t for t in self.m.objects.values() if t.type == "trigger" and o.key in t.attrs.get("depends", ())]
        fired_on = {t.parent for t in triggers}
        truncate_fired_on = {t.parent for t in triggers if getattr(t.attrs.get("node"), "events", 0) & _ON_TRUNCATE}
        cascades_from = {str(c.attrs.get("ref_table")) for c in self.m.objects.values()
                         if c.type == "constraint" and c.attrs.get("contype") == "f" and c.parent in fired_on}
        for st in stmts[first.seq + 1:last.seq]:
            if st.seq in self.opaque_seqs or (isinstance(st.node, _RUNS_CODE) and not isinstance(st.node, _DML)):
                return False  # it may have called the function
            if isinstance(st.node, _DML):
                targets = {d.parent for d, _ in self.by_seq.get(st.seq, []) if d.type == "data"}
                if isinstance(st.node, ast.TruncateStmt):
                    if targets & truncate_fired_on:
                        return False  # an ON TRUNCATE trigger ran it
                    continue
                if not targets or targets & fired_on or {k.split(":", 1)[1] for k in targets} & cascades_from:
                    return False  # a trigger on the function may have fired
        self.hoist[first.seq] = last
        self.hoisted[last.seq] = first
        return True

    def mark_rows_dead(self, f: Finding) -> None:
        d = self.m.get("data", f.object_name)
        if d is None or d.attrs.get("uncertain"):
            return
        # Rows of other tables may point at these: they can go only when every statement that
        # wrote rows of the referencing tables goes too (a table pointing at itself keeps them).
        if self._fk_refs is None:
            self._fk_refs = {}
            for c in self.m.objects.values():
                if c.type == "constraint" and c.attrs.get("contype") == "f":
                    for dep in c.attrs.get("depends", ()):
                        if dep.startswith("table:"):
                            self._fk_refs.setdefault(dep, []).append(c)
        table_key = d.parent
        for c in self._fk_refs.get(table_key, []):
            other = self.m.objects.get(c.parent)
            od = self.m.get("data", other.name) if other is not None else None
            if od is not None and (other is not None and other.key == table_key and od.events
                                   or any(e.action in (INSERT, UPDATE, OPAQUE) and id(e) not in self.dead for e in od.events)):
                return
        rows = d.attrs.get("rows", [])
        # Leaving out an INSERT shifts the serial ids of rows inserted after it: only rows that
        # no surviving row follows can go.
        last_alive = max((r.event.stmt.seq for r in rows if r.alive), default=-1)
        for e in d.events:
            if e.action == INSERT and e.stmt.seq > last_alive:
                mine = [r for r in rows if r.event is e]
                if mine and all(not r.alive for r in mine):
                    self.dead.add(id(e))
        for e in d.events:
            if e.action in (DELETE, TRUNCATE):
                removed = [r for r in rows if r.removed_by is e]
                before = [x for x in d.events if x.stmt.seq < e.stmt.seq and x.action in (INSERT, "update", DELETE)]
                if removed and all(id(r.event) in self.dead for r in removed) and all(id(x) in self.dead or x.action == DELETE for x in before):
                    if e.action == TRUNCATE and not self._truncate_cascade_safe(e):
                        continue
                    self.dead.add(id(e))

    def _truncate_cascade_safe(self, e: Event) -> bool:
        node = e.stmt.node
        if getattr(getattr(node, "behavior", None), "name", "") != "DROP_CASCADE":
            return True
        for o in self.m.objects.values():
            if o.type == "data" and e not in o.events and any(r.alive for r in o.attrs.get("rows", [])):
                return False
        return True

    # ---- items ----------------------------------------------------------------------------

    def build_items(self) -> tuple[list[Item], list[Statement]]:
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
            pairs = [(o, e) for o, e in self.by_seq.get(st.seq, []) if not _bookkeeping(o, e)]
            alive = [(o, e) for o, e in pairs if id(e) not in self.dead]
            if isinstance(st.node, ast.RenameStmt) and any(id(e) in self.dead for o, e in pairs if o.parent):
                # Renaming a column, constraint or trigger that is folded away: the note it leaves
                # on its table is no reason to keep the statement.
                alive = [(o, e) for o, e in alive if o.parent]
            if pairs and not alive:
                self.dropped[st.seq] = "its whole effect is folded away"
                continue
            item = Item(st, st.node, writes={o.key for o, _ in alive}, reads=self.m.reads_of(st.seq))
            needed = [o for k in item.reads if (o := self.m.objects.get(k)) is not None and o.events
                      and all(id(e) in self.dead for e in o.events)]
            if needed and len(alive) < len(pairs) and self.trim(Item(st, st.node), pairs):
                # Trimmed: only what the remaining text names is still needed.
                words = set(re.findall(r"[a-z_][a-z0-9_$]*", _printed(st.node, self, pairs).lower()))
                needed = [o for o in needed if o.name.split("(", 1)[0].rsplit(".", 1)[-1].lower() in words]
            if needed:
                self.revive([], {o.key for o in needed})  # a kept statement uses it: it stays
            if len(alive) < len(pairs):
                if not self.trim(item, pairs):
                    self.revive(pairs, item.reads)
                    item = Item(st, st.node, writes={o.key for o, _ in pairs}, reads=self.m.reads_of(st.seq))
                    item.notes.append("kept whole: part of it concerns objects that are folded away")
            # A COMMENT or GRANT on a table needs the table under the name it uses.
            item.reads.update(o.key for o, e in self.by_seq.get(st.seq, []) if _bookkeeping(o, e) and o.key in self.m.objects)
            item.reads.update(o.parent for o, _ in alive if o.parent and o.parent in self.m.objects)
            # Columns are numbered in the order they are added: changes to one table keep their order.
            item.writes.update(o.parent for o, _ in alive if o.type in ("column", "constraint") and o.parent)
            for o, _ in alive:
                # Touching an object (dropping a view, say) depends on what it depends on, so that
                # a later DROP of those waits for it.
                item.reads.update(d for d in o.attrs.get("depends", ()) if d in self.m.objects)
            if isinstance(st.node, _DML) or any(o.type == "data" for o, _ in alive):
                # Rows reference rows through foreign keys the model does not follow: data
                # statements keep their order among themselves.
                item.writes.add("@data")
            item.barrier = isinstance(st.node, _BARRIERS) or st.seq in self.opaque_seqs
            item.anchor = isinstance(st.node, _ANCHORS)
            if st.seq in self.opaque_seqs:
                self._revive_mentioned(st)
            items.append(item)
        return items, setup

    def _hoisted_item(self, first: Statement) -> Item:
        last = self.hoist[first.seq]
        alive = [o for o, e in self.by_seq.get(last.seq, []) if id(e) not in self.dead and not _bookkeeping(o, e)]
        reads = set(self.m.reads_of(last.seq))
        item = Item(last, last.node, writes={o.key for o in alive}, reads=reads, at=first.seq)
        item.ahead = set(reads)  # what the final definition needs may come later in the history
        item.folded.append(first)
        return item

    def _revive_mentioned(self, st: Statement) -> None:
        """A statement the model cannot read (dynamic SQL, PL/pgSQL logic) keeps what it names alive."""
        words = set(re.findall(r"[a-z_][a-z0-9_$]*", st.text.lower()))
        hit = set()
        for o in self.dead_objects():
            parts = o.name.lower().split("(", 1)[0].rsplit(".", 2)
            if parts[-1] in words and (o.type != "column" or parts[-2] in words):
                hit.add(o.key)
        if hit:
            self.revive([], hit)

    def dead_objects(self) -> list[Obj]:
        return [o for o in self.m.objects.values() if o.events and all(id(e) in self.dead for e in o.events)]

    def revive(self, pairs: list[tuple[Obj, Event]], reads: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        """Keep objects whole after all, with what they need (their table, what they reference)."""
        todo = [o for o, _ in pairs] + [o for k in reads if (o := self.m.objects.get(k)) is not None]
        seen: set[str] = set()
        while todo:
            o = todo.pop()
            if o.key in seen:
                continue
            seen.add(o.key)
            for e in o.events:
                if id(e) in self.dead:
                    self.dead.discard(id(e))
                    self.revived = True
            for k in list(o.attrs.get("depends", ())) + ([o.parent] if o.parent else []):
                dep = self.m.objects.get(k)
                if dep is not None and any(id(e) in self.dead for e in dep.events):
                    todo.append(dep)

    def trim(self, item: Item, pairs: list[tuple[Obj, Event]]) -> bool:
        """Remove the dead parts of a statement; False when it cannot be split."""
        node = item.node
        dead_names = {birth_name(o).rsplit(".", 1)[-1] for o, e in pairs if id(e) in self.dead and o.type in ("column", "constraint")}
        if isinstance(node, ast.CreateStmt):
            elts = []
            for elt in node.tableElts or ():
                if isinstance(elt, ast.ColumnDef) and elt.colname in dead_names:
                    continue
                if isinstance(elt, ast.Constraint) and elt.conname and elt.conname in dead_names:
                    continue
                if isinstance(elt, ast.ColumnDef) and elt.constraints:
                    cons = tuple(c for c in elt.constraints if not (c.conname and c.conname in dead_names))
                    if len(cons) != len(elt.constraints):
                        elt = copy.copy(elt)
                        elt.constraints = cons
                elts.append(elt)
            unnamed_dead = [o for o, e in pairs if id(e) in self.dead and o.type == "constraint"
                            and not any(isinstance(x, ast.Constraint) and x.conname == birth_name(o).rsplit(".", 1)[-1] for x in node.tableElts or ())]
            if unnamed_dead:
                return False  # an unnamed inline constraint that is dropped later: keep the table as written
            item.node = copy.copy(node)
            item.node.tableElts = tuple(elts)
            item.changed = True
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
                if flags and all(flags):
                    continue  # this part of the statement concerns something folded away
                cmds.append(c)
            if not cmds:
                return False
            item.node = copy.copy(node)
            item.node.cmds = tuple(cmds)
            item.changed = True
            return True
        return False

    # ---- folding -------------------------------------------------------------------------

    def fold(self, items: list[Item]) -> None:
        """Move accepted ADD COLUMN / ADD CONSTRAINT and later column changes into CREATE TABLE."""
        creates: dict[str, Item] = {}
        for it in items:
            if isinstance(it.node, ast.CreateStmt) and not it.stmt.parent:
                for o, e in self.by_seq.get(it.seq, []):
                    if o.type == "table" and e.action == CREATE and o.last(CREATE) is e and o.exists and it.seq not in self.no_fold:
                        creates[o.key] = it
        folding = {(f.object_type, f.object_name) for f in self.accepted if f.kind in ("added_later", "altered_later")}
        # A statement the model cannot follow may add columns of its own: nothing after it folds past it.
        opaque: dict[str, int] = {}
        for u in self.m.unfollowable:
            if u.contained:  # the tables it names, it only reads
                words = {self.m.objects[k].name.rsplit(".", 1)[-1].lower() for k in u.objects if k in self.m.objects}
            else:
                words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", u.stmt.text.lower()))
            for key in creates:
                local = key.split(":", 1)[1].rsplit(".", 1)[-1].lower()
                if local in words:
                    opaque[key] = min(opaque.get(key, u.stmt.seq), u.stmt.seq)
        data_tables = {o.parent for o in self.m.objects.values() if o.type == "data" and o.events}
        for it in list(items):
            if isinstance(it.node, ast.RenameStmt) and it.node.renameType == OT.OBJECT_COLUMN and it.stmt.parent is None:
                self._fold_rename(it, items, creates, folding, opaque, data_tables)
                continue
            if not isinstance(it.node, ast.AlterTableStmt) or it.stmt.parent is not None or it.seq in self.no_fold_stmts:
                for o, e in self.by_seq.get(it.seq, []):
                    if o.type == "column" and e.action == ADD and id(e) not in self.dead and _survives(o, e):
                        self.unfoldable_adds.add(o.parent)  # added where it cannot move from: later ADDs stay too
                continue
            table = next((o for o, e in self.by_seq.get(it.seq, []) if o.type == "table"), None)
            if table is None:
                # A column change leaves its event on the column only: the table is its parent.
                child = next((o for o, e in self.by_seq.get(it.seq, []) if o.type in ("column", "constraint")), None)
                table = self.m.objects.get(child.parent) if child is not None else None
            target = creates.get(table.key) if table is not None else None
            if target is None or target is it or it.seq > opaque.get(table.key, it.seq + 1):  # type: ignore[union-attr]
                continue
            has_data = self._rows_before(table, it.seq, data_tables)  # type: ignore[arg-type]
            keep_cmds = []
            for cmd in it.node.cmds or ():
                if self._fold_cmd(target, it, table, cmd, folding, has_data):  # type: ignore[union-attr]
                    continue
                keep_cmds.append(cmd)
            if len(keep_cmds) != len(it.node.cmds or ()):
                target.folded.append(it.stmt)
                # What folded-in columns need: types, functions, referenced tables (not other columns).
                needs = {k for k in it.reads | it.writes if not k.startswith(("column:", "@"))}
                target.ahead |= needs
                target.fold_ahead[it.seq] = {k for k in it.reads if not k.startswith(("column:", "@"))} - target.writes
                target.writes |= it.writes
                if keep_cmds:
                    it.node = copy.copy(it.node)
                    it.node.cmds = tuple(keep_cmds)
                    it.changed = True
                else:
                    items.remove(it)
                    self.dropped[it.seq] = f"folded into {target.stmt.file}:{target.stmt.line}"

    def _rows_before(self, table: Obj, seq: int, data_tables: set[str]) -> bool:
        """Might the table hold a row at statement `seq` in the consolidated set? Not when it surely
        held none in the history then and every statement that wrote its rows before is left out."""
        if table.key not in data_tables:
            return False
        if seq not in self.m.quiet:
            return True
        d = self.m.get("data", table.name)
        made = table.last(CREATE)
        born = made.stmt.seq if made is not None else -1
        return any(born < (e.stmt.parent or e.stmt).seq < seq and id(e) not in self.dead
                   and (e.stmt.parent or e.stmt).seq not in self.dropped for e in (d.events if d is not None else ()))

    def _fold_rename(self, it: Item, items: list[Item], creates: dict[str, Item], folding: set[tuple[str, str]],
                     opaque: dict[str, int], data_tables: set[str]) -> None:
        """Give a column its final name in CREATE TABLE, when nothing between them used the old name."""
        col = next((o for o, e in self.by_seq.get(it.seq, []) if o.type == "column" and e.action == RENAME), None)
        if col is None or ("column", col.name) not in folding:
            return
        table = self.m.objects.get(col.parent)
        if table is None or self._rows_before(table, it.seq, data_tables):
            return
        target = creates.get(col.parent)
        if target is None or target is it or it.seq > opaque.get(col.parent, it.seq + 1) or target.seq > it.seq:
            return
        # Whatever named the column before the rename (an index, a view, a constraint) was written with the old name.
        if any(col in objs and seq < it.seq and seq != target.seq for seq, objs in self.m.reads.items()):
            return
        if any(col.key in o.attrs.get("depends", ()) and o.born < it.seq for o in self.m.objects.values()):
            return
        old, new = it.node.subname, it.node.newname
        elts = list(target.node.tableElts or ())
        defs = [e for e in elts if isinstance(e, ast.ColumnDef) and e.colname == old]
        if len(defs) != 1 or any(isinstance(e, ast.ColumnDef) and e.colname == new for e in elts):
            return
        others = [e for e in elts if e is not defs[0]] + [c for c in defs[0].constraints or () if c.contype != CT.CONSTR_DEFAULT]
        if any(re.search(rf"\b{re.escape(old)}\b", RawStream()(e)) for e in others):
            return  # a table constraint or a CHECK names it: it would need rewriting too
        self._edit(target)
        cd = copy.deepcopy(defs[0])
        cd.colname = new
        target.node.tableElts = tuple(cd if e is defs[0] else e for e in elts)
        target.folded.append(it.stmt)
        items.remove(it)
        self.dropped[it.seq] = f"folded into {target.stmt.file}:{target.stmt.line}"

    def _fold_cmd(self, target: Item, it: Item, table: Obj, cmd: Any, folding: set[tuple[str, str]], has_data: bool) -> bool:
        create: ast.CreateStmt = target.node
        if cmd.subtype == AT.AT_AddColumn:
            col = self.m.get("column", f"{table.name}.{cmd.def_.colname}")
            if table.key in self.unfoldable_adds:
                return False  # an earlier ADD COLUMN stayed: folding this one would change the column order
            added_here = col is not None and any(e.action == ADD and (e.stmt.parent or e.stmt).seq == it.seq for e in col.events)
            if col is None or ("column", col.name) not in folding or not added_here:
                last = col.last(ADD, CREATE) if col is not None else None
                if col is None or (last is not None and _survives(col, last) and (last.stmt.parent or last.stmt).seq == it.seq):
                    # A column that stays where it was added: folding a later one would change the order.
                    self.unfoldable_adds.add(table.key)
                return False
            if any(isinstance(e, ast.ColumnDef) and e.colname == cmd.def_.colname for e in create.tableElts or ()):
                self.unfoldable_adds.add(table.key)  # it stays where it was: so do the ADDs after it
                return False
            self._edit(target)
            elts = list(target.node.tableElts or ())
            # After the last column, before the table constraints, as a person would write it.
            at = max((i + 1 for i, e in enumerate(elts) if isinstance(e, ast.ColumnDef)), default=len(elts))
            elts.insert(at, copy.deepcopy(cmd.def_))
            target.node.tableElts = tuple(elts)
            return True
        if cmd.subtype == AT.AT_AddConstraint:
            con = cmd.def_
            name = con.conname
            obj = self.m.get("constraint", f"{table.name}.{name}") if name else None
            if obj is None or ("constraint", obj.name) not in folding or con.skip_validation or con.contype == CT.CONSTR_NOTNULL:
                return False
            have = {e.colname for e in create.tableElts or () if isinstance(e, ast.ColumnDef)}
            named = set(strings(con.keys)) | set(strings(con.fk_attrs)) | set(strings(con.including))
            if con.raw_expr is not None:
                named |= set(expr_columns(con.raw_expr))
            if named - have:
                return False  # a column it names stayed outside the CREATE
            self._edit(target)
            target.node.tableElts = tuple(target.node.tableElts or ()) + (copy.deepcopy(con),)
            return True
        if cmd.subtype in _FOLDABLE_COLUMN and not has_data:
            col = self.m.get("column", f"{table.name}.{cmd.name}")
            if col is None or ("column", col.name) not in folding:
                return False
            defs = [e for e in create.tableElts or () if isinstance(e, ast.ColumnDef) and e.colname == cmd.name]
            if len(defs) != 1 or col.key in self.unfoldable_cols:
                return False
            if cmd.subtype == AT.AT_AlterColumnType and not _retype_foldable(create, defs[0]):
                # PostgreSQL keeps a default or CHECK written for the old type as it was written
                # (`'a'::text`): declared with the new type it would read differently.
                self.unfoldable_cols.add(col.key)  # and later changes to it stay after this one
                return False
            if cmd.subtype == AT.AT_AlterColumnType:
                # The new type (an enum, a domain) may be created later than the table.
                it.reads |= {d for d in col.attrs.get("depends", ()) if d.startswith(("type:", "domain:")) and d in self.m.objects}
            self._edit(target)
            cd = copy.deepcopy(defs[0])
            _apply_column_cmd(cd, cmd)
            target.node.tableElts = tuple(cd if e is defs[0] else e for e in target.node.tableElts)
            return True
        return False

    @staticmethod
    def _edit(target: Item) -> None:
        if not target.changed:
            target.node = copy.copy(target.node)
            target.changed = True

    # ---- order ------------------------------------------------------------------------------

    def order(self, items: list[Item]) -> list[Item]:
        """A stable topological order: the history's order unless a fold needs something later first."""
        by_seq = sorted(items, key=lambda i: i.seq)
        creator: dict[str, Item] = {}
        for it in by_seq:
            for k in it.writes:
                creator.setdefault(k, it)
        edges: dict[int, set[int]] = {id(i): set() for i in by_seq}
        last_writer: dict[str, Item] = {}
        readers: dict[str, list[Item]] = {}  # read since the last write: a later write waits for them
        last_barrier: Item | None = None
        since_barrier: list[Item] = []
        anchors: list[Item] = []
        for it in by_seq:
            preds: set[int] = set()
            for k in it.reads | it.writes:
                src = last_writer.get(k)
                if src is not None and src is not it:
                    preds.add(id(src))
            for k in it.ahead - it.writes:
                # Folded-in content may need what the history created after this statement.
                src = last_writer.get(k) or creator.get(k)
                if src is not None and src is not it:
                    preds.add(id(src))
            if it.barrier:
                preds.update(id(x) for x in since_barrier)
                since_barrier = []
            if last_barrier is not None and last_barrier is not it:
                preds.add(id(last_barrier))
            preds.update(id(a) for a in anchors if a is not it)
            for k in it.writes:
                # A reader that needs k created (folded-in content) waits for it, not the other way round.
                preds.update(id(r) for r in readers.pop(k, ()) if r is not it and k not in r.ahead)
            preds.discard(id(it))
            edges[id(it)] = preds
            for k in it.writes:
                last_writer[k] = it
            for k in it.reads - it.writes:
                readers.setdefault(k, []).append(it)
            if it.barrier:
                last_barrier = it
                anchors = []  # the barrier waits for them: waiting for it is enough
            if it.anchor:
                anchors.append(it)
            since_barrier.append(it)
        index = {id(i): i for i in by_seq}
        rank = _group_rank(by_seq, self.a)
        done: set[int] = set()
        out: list[Item] = []

        def emit(it: Item, group: str, visiting: set[int]) -> None:
            # Pull in what this statement needs first (only that), as part of the current group.
            if id(it) in done:
                return
            if id(it) in visiting:
                raise _Cycle([index[v] for v in visiting])
            visiting.add(id(it))
            for p in sorted(edges[id(it)], key=lambda n: index[n].seq):
                emit(index[p], group, visiting)
            visiting.discard(id(it))
            if rank[it.group] > rank[group]:
                it.group = group
            done.add(id(it))
            out.append(it)

        for group in sorted(rank, key=lambda g: rank[g]):
            for it in by_seq:
                if it.group == group:
                    emit(it, group, set())
        return out


class _Cycle(Exception):
    def __init__(self, items: list[Item]) -> None:
        super().__init__(f"{len(items)} statements wait on each other")
        self.items = items


def _group_rank(items: list[Item], analysis: Analysis) -> dict[str, int]:
    """Setup first, then each domain at the place of its first CREATE TABLE, concerns (notify) last."""
    from tui.core.grouping import DATA, SETUP

    spread_keys = {f"{f.object_type}:{f.object_name}" for f in analysis.findings if f.kind == "spread"}
    spread_groups = {it.group for it in items if it.writes & spread_keys}
    anchor: dict[str, int] = {}
    for it in items:
        is_table = isinstance(it.node, ast.CreateStmt)
        key = it.seq if is_table else it.seq + 10**9
        anchor[it.group] = min(anchor.get(it.group, key), key)
    order = sorted(anchor, key=lambda g: (g != SETUP, g == DATA, g in spread_groups, anchor[g], g))
    return {g: i for i, g in enumerate(order)}


def _printed(node: Any, planner: _Planner, pairs: list[tuple[Obj, Event]]) -> str:
    probe = Item(pairs[0][1].stmt if pairs else None, node)  # type: ignore[arg-type]
    planner.trim(probe, pairs)
    from pglast.stream import RawStream

    return str(RawStream()(probe.node))


_CMD_ACTION = {AT.AT_AddColumn: ADD, AT.AT_DropColumn: "drop", AT.AT_AddConstraint: ADD, AT.AT_DropConstraint: "drop"}


def _bookkeeping(o: Obj, e: Event) -> bool:
    """A table's own note that a child changed ("column x added"), or that a comment or grant was set
    on it: the child's, comment's or grant's own event tells the story."""
    if e.action in ("comment", "grant", "revoke") and o.type not in ("comment", "grant"):
        return True
    return o.type == "table" and e.action == ALTER and e.detail.startswith(("column ", "constraint "))


def _cmd_target(cmd: Any) -> str:
    if cmd.subtype == AT.AT_AddColumn and cmd.def_ is not None:
        return str(cmd.def_.colname)
    if cmd.subtype == AT.AT_AddConstraint and cmd.def_ is not None:
        return str(cmd.def_.conname or "")
    return str(cmd.name or "")


def _retype_foldable(create: ast.CreateStmt, cd: ast.ColumnDef) -> bool:
    """A type change can be written into the CREATE when nothing stored with the column depends on
    the old type: no default, no CHECK naming it, not serial or identity (their sequences keep it)."""
    if cd.typeName is not None and is_serial(cd.typeName):
        return False
    if any(c.contype in (CT.CONSTR_DEFAULT, CT.CONSTR_IDENTITY, CT.CONSTR_GENERATED, CT.CONSTR_CHECK) for c in cd.constraints or ()):
        return False
    for e in create.tableElts or ():
        if isinstance(e, ast.Constraint) and e.contype == CT.CONSTR_CHECK and cd.colname in expr_columns(e.raw_expr):
            return False
    return True


def _survives(col: Obj, added: Event) -> bool:
    """The column this event added is in the final schema (not dropped later, not a former life)."""
    return col.exists and col.last(ADD, CREATE) is added


def _language(node: Any) -> str:
    for opt in getattr(node, "options", None) or ():
        if getattr(opt, "defname", "") == "language":
            return str(getattr(opt.arg, "sval", "")).lower()
    return ""


def _apply_column_cmd(cd: ast.ColumnDef, cmd: Any) -> None:
    """Write one ALTER COLUMN change into a column definition."""
    cons = [c for c in cd.constraints or ()]
    if cmd.subtype == AT.AT_ColumnDefault:
        cons = [c for c in cons if c.contype != CT.CONSTR_DEFAULT]
        if cmd.def_ is not None:
            cons.append(ast.Constraint(contype=CT.CONSTR_DEFAULT, raw_expr=cmd.def_))
    elif cmd.subtype == AT.AT_SetNotNull:
        cons = [c for c in cons if c.contype not in (CT.CONSTR_NOTNULL, CT.CONSTR_NULL)]
        cons.append(ast.Constraint(contype=CT.CONSTR_NOTNULL))
    elif cmd.subtype == AT.AT_DropNotNull:
        cons = [c for c in cons if c.contype not in (CT.CONSTR_NOTNULL, CT.CONSTR_NULL)]
    elif cmd.subtype == AT.AT_AlterColumnType:
        cd.typeName = cmd.def_.typeName
        if cmd.def_.collClause is not None:
            cd.collClause = cmd.def_.collClause
    cd.constraints = tuple(cons)


def build_plan(analysis: Analysis, decisions: Decisions | None = None) -> Plan:
    """The plan for `analysis` (made with track_reads=True) under the user's decisions."""
    decisions = decisions or Decisions()
    no_fold: set[int] = set()
    no_fold_stmts: set[int] = set()
    unfolded: list[str] = []
    attempts = 40
    for attempt in range(attempts):
        # The last attempt folds nothing and moves nothing: the history's own order always works.
        last = attempt == attempts - 1
        p = _Planner(analysis, decisions, hoisting=not last)
        p.no_fold, p.no_fold_stmts = no_fold, no_fold_stmts
        p.mark_dead()
        items, setup = _settled_items(p)
        if not last:
            p.fold(items)
        assign_groups(analysis, items)
        try:
            ordered = p.order(items)
        except _Cycle as cycle:
            # A fold made statements wait on each other: give up the folds into those statements only.
            # Only the folded statements that need something inside the cycle stay where they were.
            stuck = [i for i in cycle.items if i.folded]
            inside = set().union(*(i.writes for i in cycle.items))
            culprits = {seq for i in stuck for seq, needs in i.fold_ahead.items() if needs & inside} - no_fold_stmts
            if culprits:
                no_fold_stmts.update(culprits)
                by_seq = {s.seq: s for s in analysis.parsed.statements}
                unfolded.extend(f"{by_seq[c].file}:{by_seq[c].line}" for c in culprits)
            else:
                unfolded.extend(f"{i.stmt.file}:{i.stmt.line}" for i in stuck)
                no_fold.update(i.stmt.seq for i in stuck)
                if not stuck:
                    no_fold.update(i.stmt.seq for i in cycle.items)
            continue
        ordered = _merge_inserts(ordered, p)
        return Plan(ordered, dict(sorted(p.dropped.items())), sorted(set(unfolded)), setup)
    raise AssertionError("the history's own order has a cycle")  # the last attempt cannot cycle


def _insert_shape(it: Item) -> tuple[str, str, tuple[str, ...]] | None:
    """What two INSERTs must share to become one: table, group and columns (plain VALUES only)."""
    n = it.node
    if (not isinstance(n, ast.InsertStmt) or it.stmt.parent is not None or n.onConflictClause is not None
            or n.withClause is not None or getattr(n, "returningList", None) or getattr(n, "returningClause", None)
            or n.selectStmt is None or not n.selectStmt.valuesLists or n.override):
        return None
    rel = n.relation
    return (f"{rel.schemaname or ''}.{rel.relname}", it.group, tuple(c.name for c in n.cols or ()))


def _merge_inserts(items: list[Item], p: _Planner) -> list[Item]:
    """Runs of INSERT ... VALUES into one table, one after the other, become one multi-row INSERT:
    the same rows in the same order (serial ids too), one statement to read instead of hundreds.
    Not where a statement-level trigger would fire a different number of times, nor across comments."""
    statement_triggers = {o.parent for o in p.m.objects.values() if o.type == "trigger" and o.exists
                          and not getattr(o.attrs.get("node"), "row", True)}
    out: list[Item] = []
    run_shape = None
    for it in items:
        shape = _insert_shape(it)
        prev = out[-1] if out else None
        if (shape is not None and prev is not None and shape == run_shape and not it.stmt.comments
                and not it.folded and not it.notes):
            table = p.m.get("table", it.node.relation.relname) if not it.node.relation.schemaname else None
            if table is None or table.key not in statement_triggers:
                if not prev.changed:
                    prev.node = copy.copy(prev.node)
                    prev.node.selectStmt = copy.copy(prev.node.selectStmt)
                    prev.changed = True
                prev.node.selectStmt.valuesLists = tuple(prev.node.selectStmt.valuesLists) + tuple(it.node.selectStmt.valuesLists)
                prev.merged.append(it.stmt)
                prev.writes |= it.writes
                p.dropped[it.seq] = f"rows merged into the INSERT at {prev.stmt.file}:{prev.stmt.line}"
                continue
        run_shape = shape
        out.append(it)
    return out


def _settled_items(p: _Planner) -> tuple[list[Item], list[Statement]]:
    """Build the items again until no statement revives an object another statement left out."""
    for _ in range(10):
        p.revived = False
        p.dropped = {k: v for k, v in p.dropped.items() if v == "no effect"}
        items, setup = p.build_items()
        if not p.revived:
            return items, setup
    return items, setup


def assign_groups(analysis: Analysis, items: list[Item]) -> None:
    from tui.core.grouping import group_items

    group_items(analysis, items)
