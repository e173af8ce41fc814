"""The state of a replay: the model being built, the indexes that make names quick to resolve, and
name resolution itself (search path, relations, types, functions, the object a statement names)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pglast import ast
from pglast.enums import ObjectType as OT

from tui.core.errors import Diagnostic
from tui.core.model import Model, Obj, Unfollowable
from tui.core.names import BUILTIN_TYPES, qualified, strings, type_parts, type_signature
from tui.core.parse import Statement

RELATION_TYPES = ("table", "view", "sequence", "index")
WORD = re.compile(r"[a-z_][a-z0-9_$]*(?:\.[a-z_][a-z0-9_$]*)?")


class Keys:
    """Keys kept beside `rdeps`. `of_table`: a table's key -> the keys of the constraints and
    indexes made on it (some dropped or moved since: each is checked), kept as `rdeps` is (a
    foreign key asks for the unique key it references, and a table's dependents may be thousands
    of foreign keys). `set_aside`: a key -> the number of the last object moved aside from it
    (`t~3`). `update_actions`: how many foreign keys with an ON UPDATE action were made; while
    none was, an UPDATE need not look for the keys pointing at its table. One attribute of the
    state, not three: see RowKeys."""

    __slots__ = ("of_table", "set_aside", "update_actions")

    def __init__(self) -> None:
        self.of_table: dict[str, set[str]] = {}
        self.set_aside: dict[str, int] = {}
        self.update_actions = 0


class RowKeys:
    """Rows by the values of some columns (see row_index), made again after a change to those
    columns' values (`col_edits`, by a table's rows and column) or to any row's columns (`edits`).
    One attribute of the state, not three: from 30 attributes on, an object's are looked up in a
    dict of its own, and every handler reads the state's (1% more instructions for the whole
    generate)."""

    __slots__ = ("col_edits", "edits", "index")

    def __init__(self) -> None:
        self.index: dict[tuple[int, tuple[str, ...]], list[Any]] = {}
        self.col_edits: dict[tuple[int, str], int] = {}
        self.edits = 0


class ReplayState:
    """What replay knows so far, and how it finds an object by the name a statement gives."""
    # Slots: every handler reads the state, and 30 or more attributes in a dict are looked up the slow way.
    __slots__ = ("_lookup_path", "_search_path", "blind", "connames", "diagnostics", "fired", "fk_by_ref", "funcs",
                 "guarded", "has_triggers", "index_constraints", "keys", "local_settings", "model", "names_cache", "not_nulls", "rdeps", "released",
                 "relnames", "replica", "row_keys", "rule_writes", "run_opaquely", "skip_parts", "stmt", "track_reads", "truncations", "type_names",
                 "unfollowed_keys", "unfollowed_words", "user_aggregates", "words_cache")

    def __init__(self, search_path: Iterable[str] = ("public",), track_reads: bool = False) -> None:
        self.model = Model()
        self.track_reads = track_reads
        self.search_path = list(search_path)
        # After a SET LOCAL: its migration, and the settings (see session.settings) its transaction ends with
        self.local_settings: tuple[int, dict[str, Any]] | None = None
        self.replica = False  # session_replication_role = replica: no trigger, no foreign key fires
        self.diagnostics: list[Diagnostic] = []
        self.stmt: Statement | None = None
        self.guarded = False
        self.relnames: dict[str, set[str]] = {}
        self.rdeps: dict[str, set[str]] = {}
        self.keys = Keys()
        self.row_keys = RowKeys()
        self.funcs: dict[str, set[str]] = {}  # qualified function name -> keys of its overloads
        self.connames: dict[str, set[str]] = {}
        self.not_nulls: dict[tuple[str, str], Obj] = {}  # (schema, NOT NULL name) -> the column that had it last (not_null_names)
        # (schema, name) -> the PRIMARY KEY, UNIQUE or EXCLUDE constraint whose index has that name,
        # as last recorded: checked when used (a rebuilt table renames its key's index into place)
        self.index_constraints: dict[tuple[str, str], Obj] = {}
        self.has_triggers = False  # until the first CREATE TRIGGER, no DML can write beyond its own table
        self.blind = False  # a trigger ran dynamic SQL: from then on no table is known to be empty
        self.fk_by_ref: dict[str, list[Obj]] = {}  # referenced table name -> foreign keys pointing at it
        self.words_cache: dict[int, set[str]] = {}  # id of a function's definition event -> tables it writes
        self.names_cache: dict[int, set[str]] = {}  # id of an unfollowable statement -> identifiers in it
        # What the unfollowable statements so far may have written: the keys they name, and the
        # identifiers in those that may write beyond them (asked for each change to a table).
        self.unfollowed_keys: set[str] = set()
        self.unfollowed_words: set[str] = set()
        self.fired: set[tuple[str, int, int]] = set()  # (trigger, its function's definition, truncations)
        self.truncations = 0
        # What objects the model does not follow run later: ((when, name), function names) (see run_later).
        self.run_opaquely: list[tuple[tuple[str, str], tuple[str, ...]]] = []
        self.rule_writes: dict[str, list[tuple[int, Any]]] = {}  # relation name -> (event, relation) its rules' actions write
        self.user_aggregates = False  # once one exists, any call in a select list may be an aggregate
        self.skip_parts: set[int] = set()  # constraints of the statement PostgreSQL makes nothing for
        self.released: set[tuple[str, str]] = set()  # (schema, name) of relations and constraints dropped or renamed away
        # Every name a type or domain ever had, whole and local: a column's type (asked for each
        # column) not among them is no user type, without a lookup in each schema of the path.
        self.type_names: set[str] = set()

    def dependents(self, o: Obj) -> list[Obj]:
        keys = self.rdeps.get(o.key)
        if not keys:  # most objects (columns, indexes) have none
            return []
        found = [self.model.objects.get(k) for k in keys]
        return sorted((x for x in found if x is not None and x.exists), key=lambda x: (x.born, x.key))

    def creation_schema(self) -> str:
        for s in self.search_path:
            if s != "$user" and self.model.get("schema", s) and self.model.get("schema", s).exists:  # type: ignore[union-attr]
                return s
        return "public"

    @property
    def search_path(self) -> list[str]:
        return self._search_path

    @search_path.setter
    def search_path(self, path: list[str]) -> None:
        self._search_path = path
        self._lookup_path = [s for s in path if s != "$user"] + ["pg_catalog"]  # lookups are many; paths are few

    def lookup(self, names: list[str], types: Iterable[str]) -> tuple[str, str, Obj | None]:
        """Resolve a possibly qualified name against the search path: (schema, contract name, object)."""
        if len(names) >= 2:
            return names[-2], qualified(names[-2], names[-1]), self.find(names, types)
        found = self._search(names[-1] if names else "", types, self._lookup_path)
        if found is not None:
            return found
        schema = self.creation_schema()
        return schema, qualified(schema, names[-1] if names else ""), None

    def find(self, names: list[str], types: Iterable[str]) -> Obj | None:
        """The live object a possibly qualified name resolves to, or None: `lookup` without the
        schema a missing one would be created in (most lookups that miss want only the object)."""
        if len(names) >= 2:
            found = self._search(names[-1], types, (names[-2],))
        else:
            found = self._search(names[-1] if names else "", types, self._lookup_path)
        return found[2] if found is not None else None

    def _search(self, local: str, types: Iterable[str], schemas: Iterable[str]) -> tuple[str, str, Obj] | None:
        """The first live object called `local` in `schemas`, of one of `types`, in that order."""
        objects = self.model.objects
        for schema in schemas:
            name = qualified(schema, local)
            for t in types:
                o = objects.get(f"{t}:{name}")
                if o is not None and o.exists:
                    return schema, name, o
        return None

    def rel(self, rv: ast.RangeVar, types: Iterable[str] = RELATION_TYPES) -> tuple[str, str, Obj | None]:
        names = [rv.schemaname, rv.relname] if rv.schemaname else [rv.relname]
        return self.lookup(names, types)

    def find_rel(self, rv: ast.RangeVar, types: Iterable[str] = RELATION_TYPES) -> Obj | None:
        return self.find([rv.schemaname, rv.relname] if rv.schemaname else [rv.relname], types)

    def type_name(self, schema: str, base: str) -> str:
        """Contract name of a user type if the model knows it, else the name as written."""
        _, name, o = self.lookup([schema, base] if schema else [base], ("type", "domain"))
        return name if o is not None or schema else base

    def type_key(self, tn: ast.TypeName) -> str | None:
        names = tn.names
        last = getattr(names[-1], "sval", None) if names else None
        types: tuple[str, ...] = ("type", "domain")
        if last not in self.type_names:
            # A table's or view's row type (a column of it, a cast to it, SETOF it); else a
            # built-in type: most columns.
            if last is None or tn.pct_type or last in BUILTIN_TYPES or not any(last in n for n in self.relnames.values()):
                return None
            types = ("table", "view")
        schema, base = type_parts(tn)
        if schema == "pg_catalog":
            return None
        o = self.find([schema, base] if schema else [base], types)
        return o.key if o else None

    def signature(self, funcname: list[str], argtypes: Iterable[ast.TypeName]) -> tuple[str, str]:
        """(schema, contract name) of a function: `name(argument types)`."""
        schema, name, _ = self.lookup(funcname, ())
        if len(funcname) < 2:
            found = self.functions_named(funcname[-1])
            schema = found[0].schema if found else self.creation_schema()
            name = qualified(schema, funcname[-1])
        args = ", ".join(type_signature(t, self.type_name) for t in argtypes)
        return schema, f"{name}({args})"

    def functions_named(self, local: str, schema: str | None = None) -> list[Obj]:
        """Live functions with this name, in the first schema of the path that has any."""
        for s in ([schema] if schema else self._lookup_path[:-1]):
            keys = self.funcs.get(qualified(s, local), ())
            out = [o for k in sorted(keys) if (o := self.model.objects.get(k)) is not None and o.exists]
            if out:
                return out
        return []

    def functions_called(self, written: str) -> list[Obj]:
        """Live functions a call as written (`name`, or `schema.name` in a schema off the path) reaches."""
        schema, _, local = written.rpartition(".")
        return self.functions_named(local, schema or None)

    def index_function(self, o: Obj, old_key: str = "") -> None:
        if old_key:
            self.funcs.get(old_key.split(":", 1)[1].split("(", 1)[0], set()).discard(old_key)
        self.funcs.setdefault(o.name.split("(", 1)[0], set()).add(o.key)

    def type_target(self, names: list[str], type_: str = "type") -> tuple[str, str]:
        schema, name, _ = self.lookup(names, (type_,))
        return schema, name

    def function_target(self, owa: ast.ObjectWithArgs) -> Obj | None:
        names = strings(owa.objname)
        if owa.args_unspecified:
            found = self.functions_named(names[-1], names[0] if len(names) > 1 else None)
            return found[0] if len(found) == 1 else None
        if owa.objfuncargs:
            types = [p.argType for p in owa.objfuncargs if param_mode(p) not in ("o", "t")]
        else:
            types = list(owa.objargs or ())
        _, name = self.signature(names, types)
        o = self.model.get("function", name)
        return o if o is not None and o.exists else None

    def target(self, objtype: Any, obj: Any) -> Obj | None:
        """The model object a COMMENT, GRANT, ALTER ... OWNER or DROP names."""
        if objtype in (OT.OBJECT_FUNCTION, OT.OBJECT_PROCEDURE, OT.OBJECT_ROUTINE, OT.OBJECT_AGGREGATE):
            return self.function_target(obj)
        if objtype in (OT.OBJECT_TYPE, OT.OBJECT_DOMAIN):
            names = strings(obj.names) if isinstance(obj, ast.TypeName) else strings(obj)
            return self.find(names, ("type", "domain"))
        if isinstance(obj, ast.String):
            names = [obj.sval]
        elif isinstance(obj, ast.RangeVar):
            return self.find_rel(obj)
        else:
            names = strings(obj)
        if objtype == OT.OBJECT_SCHEMA:
            return self.model.get("schema", names[-1])
        if objtype == OT.OBJECT_EXTENSION:
            return self.model.get("extension", names[-1])
        if objtype in (OT.OBJECT_COLUMN, OT.OBJECT_TRIGGER, OT.OBJECT_TABCONSTRAINT, OT.OBJECT_POLICY, OT.OBJECT_RULE):
            _, table, _ = self.lookup(names[:-1], RELATION_TYPES)
            type_ = {OT.OBJECT_COLUMN: "column", OT.OBJECT_TRIGGER: "trigger", OT.OBJECT_TABCONSTRAINT: "constraint",
                     OT.OBJECT_POLICY: "policy"}.get(objtype, "rule")
            return self.model.get(type_, f"{table}.{names[-1]}")
        types = {OT.OBJECT_INDEX: ("index",), OT.OBJECT_SEQUENCE: ("sequence",), OT.OBJECT_VIEW: ("view",),
                 OT.OBJECT_MATVIEW: ("view",), OT.OBJECT_COLLATION: ("collation",)}.get(objtype, RELATION_TYPES)
        return self.find(names, types)

    def add_unfollowable(self, u: Unfollowable) -> None:
        self.model.unfollowable.append(u)
        self.unfollowed_keys.update(u.objects)
        if not u.contained:
            self.unfollowed_words |= self.names_in(u.stmt)

    def names_in(self, st: Any) -> set[str]:
        """The identifiers of a statement's text (cached): `post` is not in `post_aggregates`."""
        words = self.names_cache.get(id(st))
        if words is None:
            words = {w.rsplit(".", 1)[-1] for w in WORD.findall(st.text.lower())}
            self.names_cache[id(st)] = words
        return words


def local_name(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def param_mode(p: ast.FunctionParameter) -> str:
    """`i`, `o`, `b` (inout), `v` (variadic), `t` (table column) or `d` (default: in)."""
    return str(getattr(p.mode, "value", p.mode))


def objtype_word(t: Any) -> str:
    return str(getattr(t, "name", t)).replace("OBJECT_", "").replace("_", " ")
