"""The replay engine: what every handler does to the model (create, link, drop, rename, unfollow,
the rows of a table), keeping the name indexes of the state in step."""

from __future__ import annotations

from collections.abc import Iterable

from pglast import ast

from tui.core.catalog_only import catalog_only
from tui.core.errors import WARNING, Diagnostic
from tui.core.model import ADD, ALTER, CREATE, DROP, NOOP, RENAME, REPLACE, Event, NoEffect, Obj, Unfollowable, appended, key_of
from tui.core.names import choose_name, func_calls, into_clause, make_object_name, walk
from tui.core.observed import Observations, Observed
from tui.core.parse import Statement
from tui.core.replay.state import RELATION_TYPES, ReplayState, local_name

# Calls whose effect reaches beyond the statement's own table (a setting, a notification, a lock).
SIDE_EFFECT_CALLS = {"set_config", "pg_notify", "dblink_exec", "lo_import", "pg_advisory_lock", "pg_advisory_xact_lock"}
SEQUENCE_CALLS = {"setval", "nextval"}  # (they change a sequence)
_TYPES = ("type", "domain")  # whose names the state keeps (type_names)
_KEYS = ("constraint", "index")  # whose keys the state keeps by table (Keys.of_table)


class Engine(ReplayState):
    """Changes the model. The handlers of each statement kind call it; it calls none of them, only
    the hooks the Replayer fills in: `apply` (a DO block runs its statements), `fire_mentioned`
    (what a statement the model cannot follow may make triggers do) and `follow_observed` (what
    PostgreSQL saw such a statement do, when the history was run with `observations`)."""

    __slots__ = ("observations", "touched_now")

    def __init__(self, search_path: Iterable[str] = ("public",), track_reads: bool = False,
                 observations: Observations | None = None) -> None:
        super().__init__(search_path, track_reads)
        self.touched_now: list[Obj] = []  # the objects the statement being replayed touched (see Replayer.run)
        self.obj("schema", "public", "public").lives = 1
        self.observations = observations or {}

    def apply(self, st: Statement) -> None:
        raise NotImplementedError

    def fire_mentioned(self, text: str) -> None:
        raise NotImplementedError

    def follow_observed(self, obs: Observed, reason: str, objects: list[str]) -> bool:
        raise NotImplementedError

    def obj(self, type_: str, name: str, schema: str = "public", parent: str = "") -> Obj:
        key = f"{type_}:{name}"  # (key_of, inlined: a call for each of a million objects)
        objects = self.model.objects
        o = objects.get(key)
        if o is None or parent and not o.exists and o.parent and o.parent != parent:
            # (One of a table renamed or moved away since it was dropped, under the name it had
            # then: not a life of the new table's, set aside.)
            new = Obj(type_, name, schema, parent, exists=False, born=self.stmt.seq if self.stmt else -1, key=key)
            if o is not None:
                self._displace(key, new)
            objects[key] = o = new
            if type_ in _TYPES:
                self.type_names.update((name, local_name(name)))
        return o

    def event(self, o: Obj, action: str, detail: str = "", child: str = "") -> Event:
        st = self.stmt
        assert st is not None
        e = Event(st, action, detail, child=child, name=o.name)
        o.events.append(e)
        self.touched_now.append(o)
        return e

    def create(self, type_: str, name: str, schema: str = "public", parent: str = "", *, if_not_exists: bool = False,
               replace: bool = False, detail: str = "") -> Obj | None:
        """Bring an object to life; None (and a no-effect note) when IF NOT EXISTS finds it there."""
        o = self.obj(type_, name, schema, parent)
        if o.exists:
            if if_not_exists or self.guarded:
                self.event(o, NOOP, "already exists")
                self.no_effect(f"{type_} {name} already exists")
                return None
            self.event(o, REPLACE, detail)
            return o
        o.exists = True
        o.lives += 1
        if parent:
            o.parent = parent
            bucket = self.rdeps.get(parent)
            if bucket is None:
                self.rdeps[parent] = {o.key}
            else:
                bucket.add(o.key)
            if type_ in _KEYS:
                self.keys.of_table.setdefault(parent, set()).add(o.key)
        if o.lives == 1:
            o.born = self.stmt.seq if self.stmt else -1
        self.event(o, CREATE, detail)
        if type_ in RELATION_TYPES:
            self.relnames.setdefault(schema, set()).add(local_name(name))
            self.note_freed(schema, local_name(name))
        elif type_ == "function":
            self.index_function(o)
        return o

    def link(self, o: Obj, depends: Iterable[str]) -> None:
        """Record what `o` depends on (and its parent), so drops cascade and renames follow."""
        rdeps, key = self.rdeps, o.key
        for old in o.depends:
            if (bucket := rdeps.get(old)) is not None:
                bucket.discard(key)
        deps = list(dict.fromkeys(depends)) if depends else []  # (most columns need nothing but their table)
        o.depends = deps or ()
        for d in (deps + [o.parent] if o.parent else deps):
            bucket = rdeps.get(d)
            if bucket is None:  # (not setdefault: a set made for each call, most thrown away)
                rdeps[d] = {key}
            else:
                bucket.add(key)

    def drop(self, o: Obj, detail: str = "", by: str = "") -> None:
        """Drop an object and what PostgreSQL drops with it: its children and, as CASCADE would, its
        dependents, depth first (by a stack, not by recursion: a chain of a thousand views is deeper
        than Python's stack)."""
        if not self._drop_one(o, detail, by):
            return
        if self.track_reads and (acted := o.attrs.get("acted")) and (made := o.last(CREATE, ADD)) and acted[-1] > made.stmt.seq:
            # A foreign key whose action reached rows stays in the set with this life: its DROP
            # needs what this life references (not what a next one may), which stays until then.
            objects, parent = self.model.objects, o.parent
            self.note_reads([d for k in o.depends if (d := objects.get(k)) is not None and d.parent != parent and k != parent])
        stack = [(o, iter(self._dropped_along(o)))]
        while stack:
            o, rest = stack[-1]
            other = next(rest, None)
            if other is None:
                stack.pop()
                continue
            if other.parent == o.key or o.key in other.depends or other is o.attrs.get("taken_index"):
                if other.type == "column" and o.type in ("function", "sequence") and other.exists and not other.attrs.get("generated"):
                    # What needs the function or sequence is the column's default (nextval, a call):
                    # PostgreSQL drops the default and keeps the column.
                    other.attrs["default"] = None
                    self.link(other, [d for d in other.depends if d != o.key])
                    self.event(other, ALTER, f"default dropped with {o.type} {o.name}").by = o.name
                    continue
                if self._drop_one(other, f"dropped with {o.type} {o.name}", o.name):
                    stack.append((other, iter(self._dropped_along(other))))

    def _dropped_along(self, o: Obj) -> list[Obj]:
        """What PostgreSQL drops with `o`: its dependents and, for a key made USING INDEX, that
        index (the key owns it from then on)."""
        taken = o.attrs.get("taken_index")
        return [*self.dependents(o), taken] if taken is not None and taken.exists else self.dependents(o)

    def _drop_one(self, o: Obj, detail: str, by: str) -> bool:
        """Drop `o` itself, not what depends on it; False when it was gone already."""
        if not o.exists:
            return False
        o.exists = False
        self.event(o, DROP, detail).by = by
        if o.type in RELATION_TYPES:
            self.relnames.get(o.schema, set()).discard(local_name(o.name))
            self.released.add((o.schema, local_name(o.name)))
        if o.type == "constraint":
            self.connames.get(o.schema, set()).discard(o.name.rsplit(".", 1)[-1])
            self.released.add((o.schema, o.name.rsplit(".", 1)[-1]))
            if o.contype in ("p", "u", "x"):
                self.relnames.get(o.schema, set()).discard(o.name.rsplit(".", 1)[-1])
        if o.type == "column":
            if seq_name := o.attrs.get("identity_sequence"):  # its sequence goes with it: the name is free again
                self.relnames.get(o.schema, set()).discard(seq_name)
                self.released.add((o.schema, seq_name))
            table = self.model.objects.get(o.parent)
            if table is not None and o.name.rsplit(".", 1)[-1] in table.attrs.get("columns", []):
                table.attrs["columns"].remove(o.name.rsplit(".", 1)[-1])
            for view, made in o.attrs.get("taken_by", ()):
                if view.exists and view.last(CREATE, REPLACE) is made:  # (a view's `*` took it)
                    self.drop(view, f"dropped with column {o.name}", by=o.name)
        return True

    def rename(self, o: Obj, new_name: str, schema: str = "") -> None:
        """`schema`: moved there (ALTER ... SET SCHEMA), the name as it is in it."""
        old_name, old_schema = o.name, o.schema
        detail = f"moved from schema {old_schema} to {schema}" if schema else f"renamed from {old_name} to {new_name}"
        self.event(o, RENAME, detail).new_name = new_name
        o.schema = schema or old_schema
        if o.type in RELATION_TYPES:
            self.relnames.get(old_schema, set()).discard(local_name(old_name))
            self.relnames.setdefault(o.schema, set()).add(local_name(new_name))
            self.released.add((old_schema, local_name(old_name)))
            self.note_freed(o.schema, local_name(new_name))
        self.rekey(o, new_name)
        for other in self.dependents(o):
            if other.parent == o.key and other.name.startswith(old_name + ".") and other.type != "index":
                self.rekey(other, new_name + other.name[len(old_name):])
            elif other.parent == o.key and other.type == "data":
                self.rekey(other, new_name)
            elif other.parent != o.key:
                other.attrs["stale"] = True

    def rekey(self, o: Obj, new_name: str) -> None:
        """Give an object a new name, keeping its timeline, and point its dependents at it."""
        old_key = o.key
        self.model.objects.pop(old_key, None)
        o.former_names = appended(o.former_names, o.name)
        o.name = new_name
        o.key = new_key = key_of(o.type, new_name)
        if o.type in _TYPES:
            self.type_names.update((new_name, local_name(new_name)))
        self._displace(new_key, o)
        self.model.objects[new_key] = o
        if o.type == "function":
            self.index_function(o, old_key)
        for d in list(o.depends) + ([o.parent] if o.parent else []):
            bucket = self.rdeps.setdefault(d, set())
            bucket.discard(old_key)
            bucket.add(new_key)
        users = self.rdeps.pop(old_key, set())
        self.rdeps[new_key] = users
        if o.type in _KEYS and o.parent:
            keys = self.keys.of_table.setdefault(o.parent, set())
            keys.discard(old_key)
            keys.add(new_key)
        if old_key in self.keys.of_table:
            self.keys.of_table[new_key] = self.keys.of_table.pop(old_key)
        old_name = o.former_names[-1]
        for k in sorted(users):  # (a sorted copy: rekeying a comment below changes the set)
            other = self.model.objects.get(k)
            if other is None:
                continue
            if other.parent == old_key:
                other.parent = new_key
                if other.type in ("comment", "grant"):
                    # Named after what it is on (a column's too, when its table is renamed): a
                    # comment made later on a new object of the old name is another object.
                    # `view v`, `column v.id`, `table t to role`: the name after the kind (a plain
                    # replace would find `v` in `view` first).
                    kind, _, rest = other.name.partition(" ")
                    if rest == old_name or rest.startswith((old_name + ".", old_name + " ")):
                        self.rekey(other, f"{kind} {new_name}{rest[len(old_name):]}")
            if old_key in other.depends:
                other.depends = [new_key if d == old_key else d for d in other.depends]
        if o.type == "column":
            old_col, new_col = old_key.split(":", 1)[1].rsplit(".", 1)[-1], new_name.rsplit(".", 1)[-1]
            if old_col != new_col:  # (its table renamed: the column keeps its name, and its table's list)
                self.renamed_column(o, old_col, new_col)

    def unfollow(self, reason: str, objects: Iterable[str] = ()) -> None:
        assert self.stmt is not None
        obs = self.observations.get(self.stmt.seq) if self.stmt.parent is None else None
        if obs is not None:
            objects = list(objects)
            if self.follow_observed(obs, reason, objects):
                return
        contained = self._contained(self.stmt)
        self.add_unfollowable(Unfollowable(self.stmt, reason, list(objects), contained))
        if not contained:
            self.fire_mentioned(self.stmt.text)
        for key in objects:
            o = self.model.objects.get(key)
            if o is not None:
                self.event(o, "opaque", reason)

    def _contained(self, st: Statement) -> bool:
        """A CREATE TABLE AS (or SELECT INTO) or INSERT ... SELECT that calls no function of the
        history's and whose WITH queries are all SELECTs (a DELETE or UPDATE could hide there)
        writes only its own table; so does a COPY ... FROM. A statement that changes only its own
        catalog entry (catalog_only) writes nothing the model follows."""
        node = st.node
        if catalog_only(node):
            return st.parent is None
        if isinstance(node, ast.CopyStmt):
            return st.parent is None and bool(node.is_from) and node.relation is not None
        if st.parent is not None or not (isinstance(node, ast.InsertStmt) or into_clause(node) is not None):
            return False
        if any(isinstance(n, ast.CommonTableExpr) and not isinstance(n.ctequery, ast.SelectStmt) for n in walk(node)):
            return False
        return not any(self.functions_called(c) or c.split(".")[-1] in SIDE_EFFECT_CALLS for c in func_calls(node))

    def no_effect(self, reason: str, reported: bool = True) -> None:
        assert self.stmt is not None
        self.model.no_effect.append(NoEffect(self.stmt, reason, reported))

    def note_reads(self, objs: list[Obj]) -> None:
        """What the statement being replayed needs beyond the names it holds (what a LIKE copies,
        the tables the triggers a write fires write)."""
        if not objs or self.stmt is None or not self.track_reads:
            return
        had = self.model.reads.get(self.stmt.seq, ())
        self.model.reads[self.stmt.seq] = tuple(dict.fromkeys((*had, *objs)))

    def choose_name(self, schema: str, name1: str, name2: str, label: str, taken: set[str]) -> str:
        """The name PostgreSQL chooses (names.choose_name), noting the one it stepped over."""
        name = choose_name(name1, name2, label, taken)
        first = make_object_name(name1, name2, label)
        if self.stmt is not None:
            seq = (self.stmt.parent or self.stmt).seq
            # Each name stepped over is held (`_key2` taken where `_key` and `_key1` were).
            n, candidate = 0, first
            while candidate != name:
                self.model.avoided.append((schema, candidate, seq))
                n += 1
                candidate = make_object_name(name1, name2, f"{label}{n}")
            if (schema, name) in self.released:
                self.model.freed.append((schema, name, seq))
        return name

    def note_freed(self, schema: str, name: str) -> None:
        """A relation's name (a table's, an index's, a key's) that one dropped or renamed away held
        before: the statement stays after what freed it (a table dropped, another made with a key
        of its key's name)."""
        if self.stmt is not None and (schema, name) in self.released:
            self.model.reused.append((schema, name, (self.stmt.parent or self.stmt).seq))

    def never_made(self, name: str) -> str:
        """Why the model does not know an object a statement changes: the history never made it, or
        made it where the model does not follow (a DO block's EXECUTE that names it)."""
        if local_name(name.split("(", 1)[0]).strip('"').lower() in self.unfollowed_words:
            return "which no statement the model follows created (one kept as written names it)"
        return "which the history never created"

    def warn(self, message: str) -> None:
        assert self.stmt is not None
        self.diagnostics.append(Diagnostic(self.stmt.file, self.stmt.line, WARNING, message))

    def _displace(self, key: str, newcomer: Obj) -> None:
        """A dropped object whose name another is renamed into (a table rebuilt as `t_new`, then
        renamed to `t`) keeps its timeline under a key of its own, with what belonged to it."""
        old = self.model.objects.get(key)
        if old is None or old is newcomer:
            return
        # Numbered on from the last one set aside under this key (from 1 each time, a table rebuilt
        # and renamed into place thousands of times was quadratic); those stay: they are dropped.
        n = self.keys.set_aside.get(key, 0) + 1
        while f"{key}~{n}" in self.model.objects:
            n += 1
        self.keys.set_aside[key] = n
        old.key = f"{key}~{n}"
        self.model.objects[old.key] = old
        users = self.rdeps.pop(key, set())
        self.rdeps[old.key] = users
        if old.type in _KEYS and old.parent:
            self.keys.of_table.setdefault(old.parent, set()).add(old.key)
        if key in self.keys.of_table:
            self.keys.of_table[old.key] = self.keys.of_table.pop(key)
        for k in users:
            other = self.model.objects.get(k)
            if other is not None and other.parent == key:
                other.parent = old.key
            if other is not None and key in other.depends:
                other.depends = [old.key if d == key else d for d in other.depends]

    def renamed_column(self, col: Obj, old: str, new: str) -> None:
        t = self.model.objects.get(col.parent)
        if t is not None:
            t.attrs["columns"] = _renamed(t.attrs.get("columns", []), old, new)
            d = self.model.get("data", t.name)
            self.row_keys.edits += 1
            for r in d.rows if d is not None else []:
                if old in r.values:
                    r.values[new] = r.values.pop(old)
        for other in self.dependents(col):
            if "columns" in other.attrs:
                other.attrs["columns"] = _renamed(other.attrs["columns"], old, new)

    def data(self, t: Obj) -> Obj:
        d = self.obj("data", t.name, t.schema, parent=t.key)
        if not d.exists:
            d.exists, d.lives = True, d.lives + 1
            d.rows = ()
            d.uncertain = ""
            self.truncations += 1  # a new (empty, known) life: triggers that fired must mark it anew
            self.link(d, [])
        return d

    def mark_data_uncertain(self, t: Obj, reason: str) -> None:
        d = self.model.get("data", t.name)
        if d is not None and d.exists and any(r.alive for r in d.rows):
            d.uncertain = reason

    def forget_column_data(self, t: Obj, column: str) -> None:
        d = self.model.get("data", t.name)
        if d is not None:
            self.row_keys.edits += 1
            for r in d.rows:
                r.values.pop(column, None)


def _renamed(names: list[str], old: str, new: str) -> list[str]:
    """A copy of `names` with `old` called `new` (copied: the list may be held elsewhere), found
    by the list's own search: a table grown to thousands of columns renames them one by one."""
    out, at = list(names), -1
    for _ in range(out.count(old)):  # (an index may list a column twice)
        at = out.index(old, at + 1)
        out[at] = new
    return out
