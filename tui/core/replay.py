"""Replay the history's statements into a schema model, recording every object's timeline.

Each `on_<NodeType>` method follows one kind of statement. What the model cannot follow
(dynamic SQL, COPY, DO blocks with logic, statements it does not know) is recorded as
unfollowable: the generator keeps it verbatim where it stood.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pglast import ast
from pglast.enums import ObjectType as OT

from tui.core.errors import ERROR, WARNING, Diagnostic
from tui.core.model import (
    ALTER, COMMENT, CREATE, DROP, GRANT, NOOP, OWNER, RENAME, REPLACE, REVOKE, Event, Model, Obj, Unfollowable, key_of,
)
from tui.core.names import func_calls, qualified, sql, strings, type_parts, type_signature, walk
from tui.core.parse import Statement
from tui.core.replay_data import DataReplay
from tui.core.replay_tables import RELATION_TYPES, TableReplay

_CALL = re.compile(r"([A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)?)\s*\(")
_SIDE_EFFECT_CALLS = {"set_config", "pg_notify", "dblink_exec", "lo_import", "pg_advisory_lock", "pg_advisory_xact_lock"}
_SEQUENCE_CALLS = {"setval", "nextval"}
# Built-in types written as plain names (pglast qualifies only the SQL-standard spellings).
_BUILTIN_TYPES = frozenset(
    "text uuid json jsonb bytea date time timetz timestamptz inet cidr macaddr macaddr8 money xml tsvector tsquery "
    "point line lseg box path polygon circle int4range int8range numrange tsrange tstzrange daterange int2 int4 int8 "
    "float4 float8 bool varchar bpchar char name oid regclass regtype regproc interval bit varbit record void trigger "
    "event_trigger anyelement anyarray anynonarray anyenum anyrange cstring internal serial bigserial smallserial".split())


class Replayer(TableReplay, DataReplay):
    """Builds a Model from statements, in order."""

    def __init__(self, search_path: Iterable[str] = ("public",), track_reads: bool = False) -> None:
        self.model = Model()
        self.track_reads = track_reads
        self.search_path = list(search_path)
        self.diagnostics: list[Diagnostic] = []
        self.stmt: Statement | None = None
        self.guarded = False
        self.relnames: dict[str, set[str]] = {}
        self.rdeps: dict[str, set[str]] = {}
        self.funcs: dict[str, set[str]] = {}  # qualified function name -> keys of its overloads
        self.connames: dict[str, set[str]] = {}
        self.has_triggers = False  # until the first CREATE TRIGGER, no DML can write beyond its own table
        self.blind = False  # a trigger ran dynamic SQL: from then on no table is known to be empty
        self.fk_by_ref: dict[str, list[Obj]] = {}  # referenced table name -> foreign keys pointing at it
        self.words_cache: dict[int, set[str]] = {}  # id of a function's definition event -> tables it writes
        self.names_cache: dict[int, set[str]] = {}  # id of an unfollowable statement -> identifiers in it
        self.fired: set[tuple[str, int, int]] = set()  # (trigger, its function's definition, truncations)
        self.truncations = 0
        self.user_aggregates = False  # once one exists, any call in a select list may be an aggregate
        self.obj("schema", "public", "public").lives = 1

    # ---- entry points -------------------------------------------------------------

    def run(self, statements: Iterable[Statement]) -> Model:
        for st in statements:
            try:
                self.apply(st)
            except Exception as exc:  # noqa: BLE001 - a bug in one handler must not lose the analysis
                self.stmt = st
                self.diagnostics.append(Diagnostic(st.file, st.line, ERROR, f"internal error following this statement ({type(exc).__name__}: {exc}); kept as written"))
                self.unfollow("the model failed on this statement")
        return self.model

    def apply(self, st: Statement) -> None:
        self.stmt = st
        self.guarded = st.guarded
        if self.track_reads:
            # Objects, not keys: a rename later changes the key, not what the statement needs.
            found = self.reads(st.node)
            self.model.reads.setdefault(st.seq, set()).update(o for k in found if (o := self.model.objects.get(k)) is not None)
        handler = getattr(self, "on_" + type(st.node).__name__, None)
        if handler is None:
            self.unfollow(f"{_describe(st.node)} is not modelled")
            return
        handler(st.node)

    # ---- registry -----------------------------------------------------------------

    def obj(self, type_: str, name: str, schema: str = "public", parent: str = "") -> Obj:
        key = key_of(type_, name)
        o = self.model.objects.get(key)
        if o is None:
            o = Obj(type_, name, schema, parent, exists=False, born=self.stmt.seq if self.stmt else -1)
            self.model.objects[key] = o
        return o

    def event(self, o: Obj, action: str, detail: str = "") -> Event:
        assert self.stmt is not None
        e = Event(self.stmt, action, detail)
        o.events.append(e)
        self.model.touched.setdefault(self.stmt.seq, []).append(o.key)
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
            self.rdeps.setdefault(parent, set()).add(o.key)
        if o.lives == 1:
            o.born = self.stmt.seq if self.stmt else -1
        self.event(o, CREATE, detail)
        if type_ in RELATION_TYPES:
            self.relnames.setdefault(schema, set()).add(_local(name))
        elif type_ == "function":
            self.index_function(o)
        return o

    def link(self, o: Obj, depends: Iterable[str]) -> None:
        """Record what `o` depends on (and its parent), so drops cascade and renames follow."""
        for old in o.attrs.get("depends", ()):
            self.rdeps.get(old, set()).discard(o.key)
        deps = list(dict.fromkeys(depends))
        o.attrs["depends"] = deps
        for d in deps + ([o.parent] if o.parent else []):
            self.rdeps.setdefault(d, set()).add(o.key)

    def dependents(self, o: Obj) -> list[Obj]:
        found = [self.model.objects.get(k) for k in self.rdeps.get(o.key, ())]
        return sorted((x for x in found if x is not None and x.exists), key=lambda x: (x.born, x.key))

    def drop(self, o: Obj, detail: str = "") -> None:
        """Drop an object and what PostgreSQL drops with it: its children and, as CASCADE would, its dependents."""
        if not o.exists:
            return
        o.exists = False
        self.event(o, DROP, detail)
        if o.type in RELATION_TYPES:
            self.relnames.get(o.schema, set()).discard(_local(o.name))
        if o.type == "constraint":
            self.connames.get(o.schema, set()).discard(o.name.rsplit(".", 1)[-1])
            if o.attrs.get("contype") in ("p", "u", "x"):
                self.relnames.get(o.schema, set()).discard(o.name.rsplit(".", 1)[-1])
        if o.type == "column":
            table = self.model.objects.get(o.parent)
            if table is not None and o.name.rsplit(".", 1)[-1] in table.attrs.get("columns", []):
                table.attrs["columns"].remove(o.name.rsplit(".", 1)[-1])
        for other in self.dependents(o):
            if other.parent == o.key or o.key in other.attrs.get("depends", ()):
                self.drop(other, f"dropped with {o.type} {o.name}")

    def rename(self, o: Obj, new_name: str) -> None:
        old_name = o.name
        self.event(o, RENAME, f"renamed from {old_name} to {new_name}")
        if o.type in RELATION_TYPES:
            self.relnames.get(o.schema, set()).discard(_local(old_name))
            self.relnames.setdefault(o.schema, set()).add(_local(new_name))
        self.rekey(o, new_name)
        for other in self.dependents(o):
            if other.parent == o.key and other.name.startswith(old_name + ".") and other.type != "index":
                self.rekey(other, new_name + other.name[len(old_name):])
            elif other.parent == o.key and other.type in ("data", "comment", "grant"):
                self.rekey(other, other.name.replace(old_name, new_name, 1))
            elif other.parent != o.key:
                other.attrs["stale"] = True

    def rekey(self, o: Obj, new_name: str) -> None:
        """Give an object a new name, keeping its timeline, and point its dependents at it."""
        old_key = o.key
        self.model.objects.pop(old_key, None)
        o.former_names.append(o.name)
        o.name = new_name
        o.key = new_key = key_of(o.type, new_name)
        self.model.objects[new_key] = o
        if o.type == "function":
            self.index_function(o, old_key)
        for d in list(o.attrs.get("depends", ())) + ([o.parent] if o.parent else []):
            bucket = self.rdeps.setdefault(d, set())
            bucket.discard(old_key)
            bucket.add(new_key)
        users = self.rdeps.pop(old_key, set())
        self.rdeps[new_key] = users
        for k in users:
            other = self.model.objects.get(k)
            if other is None:
                continue
            if other.parent == old_key:
                other.parent = new_key
            if old_key in other.attrs.get("depends", ()):
                other.attrs["depends"] = [new_key if d == old_key else d for d in other.attrs["depends"]]
        if o.type == "column":
            self.renamed_column(o, old_key.split(":", 1)[1].rsplit(".", 1)[-1], new_name.rsplit(".", 1)[-1])

    def unfollow(self, reason: str, objects: Iterable[str] = ()) -> None:
        assert self.stmt is not None
        contained = self._contained(self.stmt)
        self.model.unfollowable.append(Unfollowable(self.stmt, reason, list(objects), contained))
        if not contained:
            self.fire_mentioned(self.stmt.text)
        for key in objects:
            o = self.model.objects.get(key)
            if o is not None:
                self.event(o, "opaque", reason)

    def _contained(self, st: Statement) -> bool:
        """A CREATE TABLE AS or INSERT ... SELECT that calls no function of the history's and whose
        WITH queries are all SELECTs (a DELETE or UPDATE could hide there) writes only its own table."""
        node = st.node
        if st.parent is not None or not isinstance(node, (ast.CreateTableAsStmt, ast.InsertStmt)):
            return False
        if any(isinstance(n, ast.CommonTableExpr) and not isinstance(n.ctequery, ast.SelectStmt) for n in walk(node)):
            return False
        return not any(self.functions_named(c.split(".")[-1]) or c.split(".")[-1] in _SIDE_EFFECT_CALLS for c in func_calls(node))

    def no_effect(self, reason: str) -> None:
        assert self.stmt is not None
        self.model.no_effect.append((self.stmt, reason))

    def warn(self, message: str) -> None:
        assert self.stmt is not None
        self.diagnostics.append(Diagnostic(self.stmt.file, self.stmt.line, WARNING, message))

    # ---- names ----------------------------------------------------------------------

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
            schema, local = names[-2], names[-1]
            name = qualified(schema, local)
            return schema, name, next((o for t in types if (o := self.model.get(t, name)) and o.exists), None)
        local = names[-1] if names else ""
        objects = self.model.objects
        for schema in self._lookup_path:
            name = qualified(schema, local)
            for t in types:
                o = objects.get(f"{t}:{name}")
                if o is not None and o.exists:
                    return schema, name, o
        schema = self.creation_schema()
        return schema, qualified(schema, local), None

    def rel(self, rv: ast.RangeVar, types: Iterable[str] = RELATION_TYPES) -> tuple[str, str, Obj | None]:
        names = [rv.schemaname, rv.relname] if rv.schemaname else [rv.relname]
        return self.lookup(names, types)

    def type_name(self, schema: str, base: str) -> str:
        """Contract name of a user type if the model knows it, else the name as written."""
        _, name, o = self.lookup([schema, base] if schema else [base], ("type", "domain"))
        return name if o is not None or schema else base

    def type_key(self, tn: ast.TypeName) -> str | None:
        schema, base = type_parts(tn)
        if schema == "pg_catalog":
            return None
        _, _, o = self.lookup([schema, base] if schema else [base], ("type", "domain"))
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

    def index_function(self, o: Obj, old_key: str = "") -> None:
        if old_key:
            self.funcs.get(old_key.split(":", 1)[1].split("(", 1)[0], set()).discard(old_key)
        self.funcs.setdefault(o.name.split("(", 1)[0], set()).add(o.key)

    def function_deps(self, node: Any) -> list[str]:
        keys: list[str] = []
        if isinstance(node, ast.A_Const) or (isinstance(node, ast.TypeCast) and isinstance(node.arg, ast.A_Const)):
            return keys
        for call in func_calls(node):
            parts = call.split(".")
            for f in self.functions_named(parts[-1], parts[0] if len(parts) > 1 else None):
                if f.key not in keys:
                    keys.append(f.key)
        return keys

    def relation_deps(self, node: Any) -> list[str]:
        """Tables, views and user types a query names (CTE names are not tables)."""
        rvs, tns, ctes = [], [], set()
        for n in walk(node):
            if isinstance(n, ast.RangeVar):
                rvs.append(n)
            elif isinstance(n, ast.TypeName):
                tns.append(n)
            elif isinstance(n, ast.CommonTableExpr):
                ctes.add(n.ctename)
        keys: list[str] = []
        for rv in rvs:
            if not rv.schemaname and rv.relname in ctes:
                continue
            _, _, o = self.rel(rv)
            if o is not None and o.key not in keys:
                keys.append(o.key)
        for tn in tns:
            k = self.type_key(tn)
            if k and k not in keys:
                keys.append(k)
        return keys

    def reads(self, node: Any) -> set[str]:
        """Objects a statement needs to exist before it runs (tables, types, functions, sequences)."""
        out: set[str] = set()
        ctes: set[str] = set()
        rvs: list[ast.RangeVar] = []
        colnames: set[str] = set()
        nodes = [node] + _sql_body(node)
        for n in (x for root in nodes for x in walk(root)):
            if isinstance(n, ast.RangeVar):
                rvs.append(n)
            elif isinstance(n, ast.ColumnRef):
                f = n.fields[-1] if n.fields else None
                if isinstance(f, ast.String):
                    colnames.add(f.sval)
            elif isinstance(n, ast.CommonTableExpr):
                ctes.add(n.ctename)
            elif isinstance(n, ast.TypeName):
                k = self.type_key(n)
                if k:
                    out.add(k)
                elif type_parts(n)[0] != "pg_catalog" and type_parts(n)[1] not in _BUILTIN_TYPES:
                    # A type of an extension (ltree, citext): it needs the extensions there are.
                    out.update(o.key for o in self.model.objects.values() if o.type == "extension" and o.exists)
            elif isinstance(n, (ast.FuncCall, ast.CreateTrigStmt)):
                parts = strings(n.funcname)
                if parts:
                    out.update(f.key for f in self.functions_named(parts[-1], parts[-2] if len(parts) > 1 else None))
                if parts and parts[-1] in _SEQUENCE_CALLS | {"currval"}:
                    for name in _sequence_args(n):
                        o = self.lookup(name.split("."), ("sequence",))[2]
                        if o is not None:
                            out.add(o.key)
        for rv in rvs:
            if rv.schemaname or rv.relname not in ctes:
                o = self.rel(rv)[2]
                if o is not None:
                    out.add(o.key)
                    if o.type == "table":
                        # Any column of a named table that the statement names (aliases are not resolved).
                        out.update(k for c in colnames if (k := f"column:{o.name}.{c}") in self.model.objects)
        # Columns named by INSERT and UPDATE: a column folded away would break them.
        cols: list[str] = []
        if isinstance(node, ast.InsertStmt):
            cols = [r.name for r in node.cols or () if r.name]
        elif isinstance(node, ast.UpdateStmt):
            cols = [r.name for r in node.targetList or () if r.name]
        if cols:
            t = self.rel(node.relation)[2]
            if t is not None:
                out.update(f"column:{t.name}.{c}" for c in cols)
        return out

    # ---- session and transaction ------------------------------------------------------

    def on_VariableSetStmt(self, node: ast.VariableSetStmt) -> None:
        if node.name == "search_path" and node.args:
            self.search_path = [_const_text(a) for a in node.args]
            self.no_effect("sets the search path (honoured while reading)")
        else:
            self.no_effect(f"session setting {node.name or ''}".strip())

    def on_TransactionStmt(self, node: ast.TransactionStmt) -> None:
        self.no_effect("transaction control: each migration already runs in one transaction")

    def on_DoStmt(self, node: ast.DoStmt) -> None:
        st = self.stmt
        assert st is not None
        if st.do_kind in ("notice", "empty"):
            self.no_effect("DO block that only raises notices" if st.do_kind == "notice" else "empty DO block")
            return
        if st.do_kind == "logic":
            if st.loop_queries and all(self._loop_over_nothing(q) for q in st.loop_queries):
                self.no_effect("DO block that only loops over rows of tables that hold none at this point")
                return
            self.unfollow("DO block with logic (conditions, loops, dynamic SQL)")
            return
        for inner in st.inner:
            self.apply(inner)
        self.stmt = st
        self.guarded = False

    def _loop_over_nothing(self, query: str) -> bool:
        from tui.core.parse import parse_sql

        try:
            nodes = parse_sql(query)
        except Exception:  # noqa: BLE001 - a query pglast cannot read is one we cannot judge
            return False
        return len(nodes) == 1 and self.query_is_empty(nodes[0].stmt)

    def on_SelectStmt(self, node: ast.SelectStmt) -> None:
        calls = [c.split(".")[-1] for c in func_calls(node)]
        user = [c for c in calls if self.functions_named(c)]
        if user or any(c in _SIDE_EFFECT_CALLS for c in calls):
            self.unfollow(f"SELECT calling {', '.join(sorted(set(user) or set(calls) & _SIDE_EFFECT_CALLS))}()", self.relation_deps(node))
        elif any(c in _SEQUENCE_CALLS for c in calls):
            for rv_name in _sequence_args(node):
                _, _, seq = self.lookup(rv_name.split("."), ("sequence",))
                if seq is not None:
                    self.event(seq, ALTER, "current value set")
            self.no_effect("sets a sequence's current value (shown, not compared)")
        else:
            self.no_effect("SELECT without side effects")

    # ---- schemas, extensions, roles -------------------------------------------------

    def on_CreateSchemaStmt(self, node: ast.CreateSchemaStmt) -> None:
        name = node.schemaname or (node.authrole.rolename if node.authrole else "")
        self.create("schema", name, name, if_not_exists=bool(node.if_not_exists))
        if node.authrole and node.authrole.rolename:
            self.model.roles_used.add(node.authrole.rolename)
        if node.schemaElts:
            self.unfollow("statements inside CREATE SCHEMA")

    def on_CreateExtensionStmt(self, node: ast.CreateExtensionStmt) -> None:
        schema = next((strings([o.arg])[0] for o in node.options or () if o.defname == "schema" and isinstance(o.arg, ast.String)), "")
        o = self.create("extension", node.extname, schema or self.creation_schema(), if_not_exists=bool(node.if_not_exists))
        if o is not None and node.extname not in self.model.extensions:
            self.model.extensions.append(node.extname)

    def on_AlterExtensionStmt(self, node: ast.AlterExtensionStmt) -> None:
        o = self.model.get("extension", node.extname)
        if o is not None:
            self.event(o, ALTER, "extension updated")

    def on_CreateRoleStmt(self, node: ast.CreateRoleStmt) -> None:
        self.model.roles_created.add(node.role)
        self.unfollow("roles are cluster-wide; kept as written")

    def on_GrantRoleStmt(self, node: ast.GrantRoleStmt) -> None:
        for r in node.grantee_roles or ():
            if getattr(r, "rolename", None):
                self.model.roles_used.add(r.rolename)
        self.unfollow("role membership is cluster-wide; kept as written")

    # ---- types and domains ------------------------------------------------------------

    def _type_target(self, names: list[str], type_: str = "type") -> tuple[str, str]:
        schema, name, _ = self.lookup(names, (type_,))
        return schema, name

    def on_CreateEnumStmt(self, node: ast.CreateEnumStmt) -> None:
        schema, name = self._type_target(strings(node.typeName))
        o = self.create("type", name, schema, detail="enum")
        if o is not None:
            o.attrs.update(kind="enum", labels=[v.sval for v in node.vals or ()], node=node)

    def on_AlterEnumStmt(self, node: ast.AlterEnumStmt) -> None:
        schema, name = self._type_target(strings(node.typeName))
        o = self.model.get("type", name)
        if o is None or not o.exists:
            self.warn(f"ALTER TYPE on {name}, which the history never created")
            return
        labels: list[str] = o.attrs.setdefault("labels", [])
        if node.oldVal:
            labels[labels.index(node.oldVal)] = node.newVal
            self.event(o, ALTER, f"label {node.oldVal} renamed to {node.newVal}")
            return
        if node.newVal in labels:
            if node.skipIfNewValExists:
                self.event(o, NOOP, "label already present")
                self.no_effect(f"label {node.newVal} already in {name}")
            return
        if node.newValNeighbor and node.newValNeighbor in labels:
            at = labels.index(node.newValNeighbor) + (1 if node.newValIsAfter else 0)
            labels.insert(at, node.newVal)
        else:
            labels.append(node.newVal)
        self.event(o, ALTER, f"label {node.newVal} added")

    def on_CompositeTypeStmt(self, node: ast.CompositeTypeStmt) -> None:
        schema, name, _ = self.rel(node.typevar, ("type",))
        o = self.create("type", name, schema, detail="composite")
        if o is not None:
            o.attrs.update(kind="composite", node=node)
            self.link(o, [k for c in node.coldeflist or () if (k := self.type_key(c.typeName))])

    def on_CreateRangeStmt(self, node: ast.CreateRangeStmt) -> None:
        schema, name = self._type_target(strings(node.typeName))
        o = self.create("type", name, schema, detail="range")
        if o is not None:
            o.attrs.update(kind="range", node=node)

    def on_CreateDomainStmt(self, node: ast.CreateDomainStmt) -> None:
        schema, name = self._type_target(strings(node.domainname), "domain")
        o = self.create("domain", name, schema)
        if o is not None:
            dep = self.type_key(node.typeName)
            o.attrs.update(kind="domain", node=node)
            self.link(o, [dep] if dep else [])

    def on_AlterDomainStmt(self, node: ast.AlterDomainStmt) -> None:
        _, name = self._type_target(strings(node.typeName), "domain")
        o = self.model.get("domain", name)
        if o is None or not o.exists:
            self.warn(f"ALTER DOMAIN on {name}, which the history never created")
            return
        self.event(o, ALTER, {"T": "default", "N": "drop not null", "O": "set not null", "C": "constraint added",
                              "X": "constraint dropped", "V": "constraint validated"}.get(node.subtype, "altered"))
        o.attrs.setdefault("alters", []).append(self.stmt)

    def on_DefineStmt(self, node: ast.DefineStmt) -> None:
        if node.kind == OT.OBJECT_TYPE and node.definition is None:
            schema, name = self._type_target(strings(node.defnames))
            self.create("type", name, schema, detail="shell type")
            return
        if node.kind == OT.OBJECT_AGGREGATE:
            self.user_aggregates = True
        self.unfollow(f"CREATE {_objtype_word(node.kind)} is not modelled")

    # ---- functions, triggers, views -------------------------------------------------

    def on_CreateFunctionStmt(self, node: ast.CreateFunctionStmt) -> None:
        params = [p for p in node.parameters or () if _mode(p) not in ("o", "t")]
        schema, name = self.signature(strings(node.funcname), [p.argType for p in params])
        existed = self.model.get("function", name)
        was = existed is not None and existed.exists
        o = self.create("function", name, schema, replace=bool(node.replace), detail="procedure" if node.is_procedure else "")
        if o is None:
            return
        body = next((strings([d.arg])[0] if isinstance(d.arg, ast.String) else " ".join(strings(d.arg))
                     for d in node.options or () if d.defname == "as"), "")
        language = next((d.arg.sval for d in node.options or () if d.defname == "language" and isinstance(d.arg, ast.String)), "sql")
        calls = sorted({m.group(1).lower() for m in _CALL.finditer(body)})
        deps = [k for p in node.parameters or () if (k := self.type_key(p.argType))]
        if node.returnType is not None and (k := self.type_key(node.returnType)):
            deps.append(k)
        self.link(o, deps)
        o.attrs.update(node=node, body=body, language=language.lower(), calls=calls,
                       returns=sql(node.returnType) if node.returnType is not None else "", procedure=bool(node.is_procedure))
        if was and o.events[-1].action == CREATE:
            o.events[-1].action = REPLACE

    def on_AlterFunctionStmt(self, node: ast.AlterFunctionStmt) -> None:
        o = self.function_target(node.func)
        if o is not None:
            self.event(o, ALTER, "attributes changed")
            o.attrs.setdefault("alters", []).append(self.stmt)

    def function_target(self, owa: ast.ObjectWithArgs) -> Obj | None:
        names = strings(owa.objname)
        if owa.args_unspecified:
            found = self.functions_named(names[-1], names[0] if len(names) > 1 else None)
            return found[0] if len(found) == 1 else None
        if owa.objfuncargs:
            types = [p.argType for p in owa.objfuncargs if _mode(p) not in ("o", "t")]
        else:
            types = list(owa.objargs or ())
        _, name = self.signature(names, types)
        o = self.model.get("function", name)
        return o if o is not None and o.exists else None

    def on_CreateTrigStmt(self, node: ast.CreateTrigStmt) -> None:
        schema, table, t = self.rel(node.relation)
        name = f"{table}.{node.trigname}"
        o = self.create("trigger", name, schema, parent=t.key if t else "", replace=bool(node.replace))
        if o is None:
            return
        self.has_triggers = True
        fnames = strings(node.funcname)
        funcs = self.functions_named(fnames[-1], fnames[0] if len(fnames) > 1 else None)
        deps = [f.key for f in funcs[:1]]
        o.attrs.update(node=node, function=funcs[0].name if funcs else ".".join(fnames), table=table)
        self.link(o, deps)

    def on_ViewStmt(self, node: ast.ViewStmt) -> None:
        schema, name, existing = self.rel(node.view, ("view",))
        o = self.create("view", name, schema, replace=bool(node.replace))
        if o is None:
            return
        o.attrs.update(node=node, materialized=False)
        self.link(o, self.relation_deps(node.query) + self.function_deps(node.query))
        o.attrs.pop("stale", None)

    def on_CreateTableAsStmt(self, node: ast.CreateTableAsStmt) -> None:
        if node.objtype == OT.OBJECT_MATVIEW:
            schema, name, _ = self.rel(node.into.rel, ("view",))
            o = self.create("view", name, schema, if_not_exists=bool(node.if_not_exists), detail="materialized")
            if o is not None:
                o.attrs.update(node=node, materialized=True)
                self.link(o, self.relation_deps(node.query) + self.function_deps(node.query))
            return
        schema, name, _ = self.rel(node.into.rel)
        o = self.create("table", name, schema, if_not_exists=bool(node.if_not_exists), detail="from a query")
        if o is not None:
            o.attrs.update(columns=[], opaque=True)
            self.unfollow("CREATE TABLE AS: columns and rows come from a query", [o.key])

    def on_RefreshMatViewStmt(self, node: ast.RefreshMatViewStmt) -> None:
        _, _, o = self.rel(node.relation, ("view",))
        if o is not None:
            self.event(o, NOOP, "refreshed")
        self.no_effect("refreshes a materialized view (its rows are not part of the schema)")

    # ---- comments, grants, owners, policies ----------------------------------------------

    def target(self, objtype: Any, obj: Any) -> Obj | None:
        """The model object a COMMENT, GRANT, ALTER ... OWNER or DROP names."""
        if objtype in (OT.OBJECT_FUNCTION, OT.OBJECT_PROCEDURE, OT.OBJECT_ROUTINE, OT.OBJECT_AGGREGATE):
            return self.function_target(obj)
        if objtype in (OT.OBJECT_TYPE, OT.OBJECT_DOMAIN):
            names = strings(obj.names) if isinstance(obj, ast.TypeName) else strings(obj)
            return self.lookup(names, ("type", "domain"))[2]
        if isinstance(obj, ast.String):
            names = [obj.sval]
        elif isinstance(obj, ast.RangeVar):
            return self.rel(obj)[2]
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
                 OT.OBJECT_MATVIEW: ("view",)}.get(objtype, RELATION_TYPES)
        return self.lookup(names, types)[2]

    def on_CommentStmt(self, node: ast.CommentStmt) -> None:
        o = self.target(node.objtype, node.object)
        if o is None:
            if node.objtype in (OT.OBJECT_DATABASE, OT.OBJECT_EXTENSION, OT.OBJECT_ROLE):
                self.unfollow(f"COMMENT ON {_objtype_word(node.objtype)} is kept as written")
            else:
                self.warn(f"COMMENT ON an object the model does not know ({sql(node.object) if not isinstance(node.object, (list, tuple)) else '.'.join(strings(node.object))})")
                self.unfollow("comment on an object the model does not know")
            return
        c = self.obj("comment", f"{o.type} {o.name}", o.schema, parent=o.key)
        c.parent = o.key
        self.link(c, [])
        if node.comment is None:
            self.drop(c, "comment removed")
            return
        if not c.exists:
            c.exists = True
            c.lives += 1
            self.event(c, CREATE, "comment set")
        else:
            self.event(c, ALTER, "comment changed")
        c.attrs["text"] = node.comment
        self.event(o, COMMENT, "comment set")

    def on_GrantStmt(self, node: ast.GrantStmt) -> None:
        roles = [r.rolename if r.rolename else "PUBLIC" for r in node.grantees or ()]
        self.model.roles_used.update(r for r in roles if r != "PUBLIC")
        privs = sorted(p.priv_name or "all" for p in node.privileges or ()) or ["all"]
        if node.targtype != 0:  # ALL TABLES IN SCHEMA and friends
            targets = [o for o in self.model.objects.values() if o.exists and o.type in ("table", "view", "sequence", "function")
                       and o.schema in strings(node.objects)]
        else:
            targets = [t for obj in node.objects or () if (t := self.target(node.objtype, obj)) is not None]
        if not targets:
            self.unfollow(("GRANT" if node.is_grant else "REVOKE") + " on an object the model does not know")
            return
        for t in targets:
            for role in roles:
                g = self.obj("grant", f"{t.type} {t.name} to {role}", t.schema, parent=t.key)
                g.parent = t.key
                self.link(g, [])
                held = set(g.attrs.get("privileges", set()))
                if node.is_grant:
                    held |= set(privs)
                    if not g.exists:
                        g.exists, g.lives = True, g.lives + 1
                    self.event(g, GRANT, ", ".join(privs))
                else:
                    held = set() if "all" in privs else held - set(privs)
                    self.event(g, REVOKE, ", ".join(privs))
                    if not held:
                        g.exists = False
                g.attrs["privileges"] = held
            self.event(t, GRANT if node.is_grant else REVOKE, ", ".join(roles))

    def on_AlterOwnerStmt(self, node: ast.AlterOwnerStmt) -> None:
        o = self.target(node.objectType, node.object)
        self.owner(o, node.newowner)

    def owner(self, o: Obj | None, role: Any) -> None:
        name = getattr(role, "rolename", None) or "CURRENT_USER"
        if getattr(role, "rolename", None):
            self.model.roles_used.add(role.rolename)
        if o is None:
            self.unfollow("ALTER ... OWNER on an object the model does not know")
            return
        o.attrs["owner"] = name
        self.event(o, OWNER, f"owner set to {name}")

    def on_CreatePolicyStmt(self, node: ast.CreatePolicyStmt) -> None:
        schema, table, t = self.rel(node.table)
        o = self.create("policy", f"{table}.{node.policy_name}", schema, parent=t.key if t else "")
        if o is not None:
            o.attrs.update(node=node)
            self.model.roles_used.update(r.rolename for r in node.roles or () if getattr(r, "rolename", None))

    def on_AlterPolicyStmt(self, node: ast.AlterPolicyStmt) -> None:
        schema, table, _ = self.rel(node.table)
        o = self.model.get("policy", f"{table}.{node.policy_name}")
        if o is not None:
            self.event(o, ALTER, "policy changed")
            o.attrs.setdefault("alters", []).append(self.stmt)

    # ---- drops and renames --------------------------------------------------------------

    def on_DropStmt(self, node: ast.DropStmt) -> None:
        word = _objtype_word(node.removeType)
        for obj in node.objects or ():
            o = self.target(node.removeType, obj)
            label = _object_label(obj)
            if o is None or not o.exists:
                if node.missing_ok or self.guarded:
                    self.no_effect(f"DROP {word} IF EXISTS {label}: not there")
                elif node.removeType in (OT.OBJECT_RULE, OT.OBJECT_CAST, OT.OBJECT_OPERATOR, OT.OBJECT_AGGREGATE):
                    self.unfollow(f"DROP {word} is not modelled")
                else:
                    self.warn(f"DROP {word} {label}: the history never created it")
                    self.unfollow(f"drops {word.lower()} {label}, unknown to the model")
                continue
            self.drop(o, f"DROP {word}")

    def on_RenameStmt(self, node: ast.RenameStmt) -> None:
        rt = node.renameType
        if rt in (OT.OBJECT_TABLE, OT.OBJECT_VIEW, OT.OBJECT_MATVIEW, OT.OBJECT_SEQUENCE, OT.OBJECT_INDEX, OT.OBJECT_FOREIGN_TABLE):
            schema, name, o = self.rel(node.relation)
            if o is None and rt == OT.OBJECT_INDEX:
                # The index of a PRIMARY KEY, UNIQUE or EXCLUDE constraint: PostgreSQL renames the constraint too.
                local = name.rsplit(".", 1)[-1]
                con = next((c for c in self.model.objects.values() if c.type == "constraint" and c.exists and c.schema == schema
                            and c.name.rsplit(".", 1)[-1] == local and c.attrs.get("contype") in ("p", "u", "x")), None)
                if con is not None:
                    table = con.name.rsplit(".", 1)[0]
                    self.connames.setdefault(schema, set()).discard(local)
                    self.connames[schema].add(node.newname)
                    self.relnames.setdefault(schema, set()).discard(local)
                    self.relnames[schema].add(node.newname)
                    self.rename(con, f"{table}.{node.newname}")
                    return
            if o is None:
                self.unfollow("rename of an object the model does not know")
                return
            self.rename(o, qualified(schema, node.newname))
        elif rt in (OT.OBJECT_COLUMN, OT.OBJECT_TABCONSTRAINT, OT.OBJECT_TRIGGER, OT.OBJECT_POLICY):
            self.rename_child(node)
        elif rt in (OT.OBJECT_TYPE, OT.OBJECT_DOMAIN):
            o = self.target(rt, node.object)
            if o is None:
                self.unfollow("rename of a type the model does not know")
                return
            self.rename(o, qualified(o.schema, node.newname))
        elif rt in (OT.OBJECT_FUNCTION, OT.OBJECT_PROCEDURE, OT.OBJECT_ROUTINE):
            o = self.function_target(node.object)
            if o is None:
                self.unfollow("rename of a function the model does not know")
                return
            self.rename(o, qualified(o.schema, node.newname) + o.name[o.name.index("("):])
        elif rt == OT.OBJECT_SCHEMA:
            o = self.model.get("schema", node.subname)
            self.unfollow("schema renamed: kept as written", [o.key] if o else [])
        elif rt == OT.OBJECT_ATTRIBUTE:
            self.unfollow("composite type attribute renamed: kept as written")
        else:
            self.unfollow(f"RENAME of {_objtype_word(rt).lower()} is not modelled")




def _local(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _const_text(node: Any) -> str:
    if isinstance(node, ast.A_Const):
        v = node.val
        return str(getattr(v, "sval", None) or getattr(v, "ival", ""))
    return sql(node)


def _mode(p: ast.FunctionParameter) -> str:
    """`i`, `o`, `b` (inout), `v` (variadic), `t` (table column) or `d` (default: in)."""
    return str(getattr(p.mode, "value", p.mode))


def _sequence_args(node: Any) -> list[str]:
    out = []
    for n in walk(node):
        if isinstance(n, ast.FuncCall) and strings(n.funcname)[-1:] in (["setval"], ["nextval"]) and n.args:
            first = n.args[0]
            while isinstance(first, ast.TypeCast):
                first = first.arg
            if isinstance(first, ast.A_Const) and hasattr(first.val, "sval"):
                out.append(first.val.sval)
    return out


def _objtype_word(t: Any) -> str:
    return str(getattr(t, "name", t)).replace("OBJECT_", "").replace("_", " ")


def _object_label(obj: Any) -> str:
    if isinstance(obj, ast.String):
        return obj.sval
    if isinstance(obj, ast.TypeName):
        return ".".join(strings(obj.names))
    if isinstance(obj, ast.ObjectWithArgs):
        return ".".join(strings(obj.objname)) + "(...)"
    if isinstance(obj, (list, tuple)):
        return ".".join(strings(obj))
    return sql(obj)


def _sql_body(node: Any) -> list[Any]:
    """The statements of a LANGUAGE sql function's body: PostgreSQL checks them when the function
    is created, so what they name must exist by then."""
    if not isinstance(node, ast.CreateFunctionStmt):
        return []
    opts = {d.defname: d.arg for d in node.options or ()}
    lang, body = opts.get("language"), opts.get("as")
    if not isinstance(lang, ast.String) or lang.sval.lower() != "sql":
        return []
    text = body[0].sval if isinstance(body, (tuple, list)) and body and isinstance(body[0], ast.String) else None
    if not text:
        return []
    from tui.core.parse import parse_sql

    try:
        return [raw.stmt for raw in parse_sql(text)]
    except Exception:  # noqa: BLE001 - a body with parameters pglast cannot read names nothing we know
        return []


def _describe(node: Any) -> str:
    return type(node).__name__.replace("Stmt", "")
