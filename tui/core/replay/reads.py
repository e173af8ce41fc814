"""What a statement needs to exist before it runs: the tables, types, functions and sequences it names."""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ConstrType as CT
from pglast.enums import ObjectType as OT

from tui.core.model import Obj, key_of
from tui.core.names import BUILTIN_TYPES, func_calls, into_clause, nodes_of, qualified, regclass_parts, strings, type_parts, walk
from tui.core.parse import NAMERS
from tui.core.replay.emptiness import certainly_empty
from tui.core.replay.engine import SEQUENCE_CALLS, Engine
from tui.core.replay.extension_needs import extension_needs
from tui.core.replay.inherited import ancestors, children_of


def _constant(node: Any) -> bool:
    return isinstance(node, ast.A_Const) or (isinstance(node, ast.TypeCast) and isinstance(node.arg, ast.A_Const))


def function_deps(rp: Engine, node: Any) -> list[str]:
    keys: list[str] = []
    if _constant(node):
        return keys
    for call in func_calls(node):
        parts = call.split(".")
        for f in rp.functions_named(parts[-1], parts[0] if len(parts) > 1 else None):
            if f.key not in keys:
                keys.append(f.key)
    return keys


def default_deps(rp: Engine, node: Any) -> list[str]:
    """What a column default needs: the functions it calls and the sequences its nextval() names
    (PostgreSQL records both: DROP ... CASCADE of either drops the default)."""
    if _constant(node):  # (most defaults: nothing below them to walk)
        return []
    keys = function_deps(rp, node)
    for name in sequence_args(node):
        if (seq := rp.find(name, ("sequence",))) is not None and seq.key not in keys:
            keys.append(seq.key)
    return keys


def relation_deps(rp: Engine, node: Any) -> list[str]:
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
        _, _, o = rp.rel(rv)
        if o is not None and o.key not in keys:
            keys.append(o.key)
    for tn in tns:
        k = rp.type_key(tn)
        if k and k not in keys:
            keys.append(k)
    return keys


# Statements whose `*` is expanded once, where they run: a view's and a CREATE TABLE AS's columns
# stay those the table had then, an INSERT ... SELECT * fills as many columns as there were.
_EXPANDING = (ast.ViewStmt, ast.CreateTableAsStmt, ast.InsertStmt)
_KEPT_COLUMN_SETTINGS = frozenset((AT.AT_SetStatistics, AT.AT_SetStorage, AT.AT_SetOptions, AT.AT_ResetOptions,
                                   AT.AT_SetCompression))


def reads(rp: Engine, node: Any, namers: tuple[Any, ...] | None = None) -> set[str]:
    """Objects a statement needs to exist before it runs (tables, types, functions, sequences).
    A view, CREATE TABLE AS or INSERT that takes a table's columns with `*` is noted on the table
    (`expanded`). `namers`: the statement's nodes of the NAMERS types, as its parse listed them
    (else found here)."""
    out: set[str] = set()
    ctes: set[str] = set()
    rvs: list[ast.RangeVar] = []
    colnames: set[str] = set()
    star = False
    typed: list[str] = []  # tables whose row type it names
    body = sql_body(node)
    found = nodes_of([node, *body], NAMERS) if namers is None else [*namers, *nodes_of(body, NAMERS)] if body else namers
    for n in found:
        kind = type(n)
        if kind is ast.RangeVar:
            rvs.append(n)
        elif kind is ast.ColumnRef:
            f = n.fields[-1] if n.fields else None
            if isinstance(f, ast.String):
                colnames.add(f.sval)
            else:
                star = star or isinstance(f, ast.A_Star)
        elif kind is ast.CommonTableExpr:
            ctes.add(n.ctename)
        elif kind is ast.TypeName:
            k = rp.type_key(n)
            if k:
                out.add(k)
                if k.startswith("table:"):
                    typed.append(k)
            elif rp.model.extensions and (parts := type_parts(n))[0] != "pg_catalog" and parts[1] not in BUILTIN_TYPES:
                # A type of an extension (ltree, citext): it needs the extensions there are.
                out.update(o.key for n in rp.model.extensions if (o := rp.model.get("extension", n)) is not None and o.exists)
        elif kind is ast.CollateClause:
            o = rp.find(strings(n.collname), ("collation",))
            if o is not None:
                out.add(o.key)
        else:  # a function call, or a trigger's function
            parts = strings(n.funcname)
            if parts:
                out.update(f.key for f in rp.functions_named(parts[-1], parts[-2] if len(parts) > 1 else None))
            if parts and parts[-1] in SEQUENCE_CALLS | {"currval"}:
                for name in sequence_args(n):
                    o = rp.find(name, ("sequence",))
                    if o is not None:
                        out.add(o.key)
    for rv in rvs:
        if rv.schemaname or rv.relname not in ctes:
            o = rp.find_rel(rv)
            if o is not None:
                out.add(o.key)
                if o.type == "table":
                    # Any column of a named table that the statement names (aliases are not resolved),
                    # there now: one dropped before cannot be what it reads (`v.type` of another
                    # table), unless a function's body names it, run later.
                    objects = rp.model.objects
                    out.update(k for c in colnames if (k := f"column:{o.name}.{c}") in objects and (body or objects[k].exists))
    # Noted on each table a `*` takes, and each whose row type it names (a cast to it, a column of
    # it): a column added later and folded into its CREATE TABLE would be taken too, or be one
    # more (plan/fold_limits.expanded_between). (table, whether it needs each column there is now)
    taken = [(rp.model.objects[k], True) for k in typed]
    if star and rp.stmt is not None and (isinstance(node, _EXPANDING) or into_clause(node) is not None):
        # A copy into a table needs each column it takes (a view's are noted on them).
        copies = not isinstance(node, ast.ViewStmt) and getattr(node, "objtype", None) != OT.OBJECT_MATVIEW
        # (On a view too: what takes its columns while it lives takes the table's, see _lasting.)
        taken += [(t, copies) for t in star_tables(rp, node, ("table", "view"))]
    for t, every in taken if rp.stmt is not None else ():
        t.attrs.setdefault("expanded", []).append((rp.stmt.parent or rp.stmt).seq)
        out.add(t.key)  # (named, or through a function returning its rows)
        if every:
            out.update(f"column:{t.name}.{c}" for c in t.attrs.get("columns", ()))
    # Columns named by INSERT and UPDATE: a column folded away would break them. And by the
    # column settings the model keeps as written (SET STORAGE): a rename folded into the CREATE
    # TABLE before them would take the name they use.
    cols: list[str] = []
    target = None  # the table an INSERT or UPDATE writes, found once
    if isinstance(node, ast.InsertStmt):
        cols = [r.name for r in node.cols or () if r.name]
        if (target := rp.find_rel(node.relation)) is not None:
            if node.onConflictClause is not None and node.onConflictClause.infer is not None:
                out.update(_arbiters(target, node.onConflictClause.infer, rp.dependents(target)))
            if not cols and node.selectStmt is not None:
                # No column list: the values go to the columns there are, in order; none may go missing.
                out.update(f"column:{target.name}.{c}" for c in target.attrs.get("columns", ()))
            if getattr(target.node, "partspec", None) is not None:
                out.update(children_of(rp, target))
            out.update(value_needs(rp, target, cols or None))
            for up in ancestors(rp, target):  # (its columns from a parent: as they are then, their defaults too)
                out.update(f"column:{up.name}.{c}" for c in up.attrs.get("columns", ()))
                out.update(value_needs(rp, up, None))
    elif isinstance(node, ast.UpdateStmt):
        cols = [r.name for r in node.targetList or () if r.name]
        if (target := rp.find_rel(node.relation)) is not None:
            out.update(value_needs(rp, target, cols))
    elif isinstance(node, ast.AlterTableStmt):
        cols = [c.name for c in node.cmds or () if c.subtype in _KEPT_COLUMN_SETTINGS and c.name]
        for c in node.cmds or ():
            if c.subtype == AT.AT_ReplicaIdentity and getattr(c.def_, "name", None) and (t := rp.find_rel(node.relation)):
                out.add(key_of("index", qualified(t.schema, c.def_.name)))  # REPLICA IDENTITY USING INDEX: it must be there
            elif c.subtype == AT.AT_DropOf and node.relation is not None and (typed_table := rp.find_rel(node.relation)) is not None \
                    and (of := getattr(typed_table.node, "ofTypename", None)) and (k := rp.type_key(of)):
                out.add(k)  # NOT OF: before its type goes (a DROP TYPE ... CASCADE takes a table still of it along)
    elif isinstance(node, ast.CreateTrigStmt):
        cols = strings(node.columns)  # UPDATE OF
    elif isinstance(node, ast.RefreshMatViewStmt) and (mv := rp.find_rel(node.relation)) is not None:
        out.update(t.key for t in tables_under(rp, [mv.key]))  # its query reads them again
    elif isinstance(node, ast.IndexStmt) and not node.relation.inh and (t := rp.find_rel(node.relation)) is not None:
        # An index made ON ONLY a partitioned table is on none of the partitions there are then
        # (each is attached by hand), and copied onto each made later: it stays after the first
        # (a plain one is on every partition, whichever comes first).
        out.update(children_of(rp, t))
    elif isinstance(node, ast.CreateStmt) and node.partbound is not None:
        # ... and a partition stays after the ON ONLY indexes of its parent.
        for rv in node.inhRelations or ():
            if (parent := rp.find_rel(rv)) is not None:
                out.update(k for k in rp.keys.of_table.get(parent.key, ()) if (o := rp.model.objects.get(k)) is not None
                           and o.type == "index" and o.exists and o.parent == parent.key
                           and getattr(getattr(o.node, "relation", None), "inh", True) is False)
    elif isinstance(node, ast.GrantStmt) and node.objtype == OT.OBJECT_TABLE:
        # GRANT SELECT (c) ON t: the column must be there (a column left out would fail it).
        named = [c for priv in node.privileges or () for c in strings(priv.cols)]
        for rv in node.objects or () if named else ():
            if isinstance(rv, ast.RangeVar) and (t := rp.find_rel(rv)) is not None:
                out.update(f"column:{t.name}.{c}" for c in named)
    elif isinstance(node, (ast.CreatePublicationStmt, ast.AlterPublicationStmt)):
        # FOR TABLE t (not ONLY t) takes the tables inheriting from t there are then, not those made later.
        for spec in node.pubobjects or ():
            if (pub_rel := getattr(spec.pubtable, "relation", None)) is not None and pub_rel.inh and (pub := rp.find_rel(pub_rel)) is not None:
                out.update(children_of(rp, pub, inheriting=True))
    elif isinstance(node, ast.CreateEventTrigStmt) and (parts := strings(node.funcname)):
        out.update(f.key for f in rp.functions_named(parts[-1], parts[-2] if len(parts) > 1 else None))
    elif isinstance(node, (ast.CreateSeqStmt, ast.AlterSeqStmt)):
        # OWNED BY t.c names the table as it is called then: a later RENAME of it stays after.
        owner = next((strings(d.arg) for d in node.options or () if d.defname == "owned_by"), [])
        if len(owner) > 1 and (t := rp.find(owner[:-1], ("table",))) is not None:
            out.update((t.key, *([k] if (k := f"column:{t.name}.{owner[-1]}") in rp.model.objects else [])))
    if cols:
        t = target if target is not None else rp.find_rel(node.relation)
        if t is not None:
            out.update(f"column:{t.name}.{c}" for c in cols)
    if rp.model.extensions and isinstance(node, (ast.IndexStmt, ast.CreateStmt, ast.AlterTableStmt)):
        out.update(extension_needs(rp, node))
    return out


_CHECKING = frozenset((AT.AT_SetNotNull, AT.AT_AlterColumnType, AT.AT_ValidateConstraint))
_VALIDATED = frozenset((CT.CONSTR_PRIMARY, CT.CONSTR_UNIQUE, CT.CONSTR_EXCLUSION, CT.CONSTR_CHECK))


def row_checks(rp: Engine, node: Any) -> list[tuple[Obj, bool]]:
    """The tables whose rows a statement checks, where they may hold some (see Model.checks)."""
    out: list[tuple[Obj, bool]] = []

    def checked(rv: Any, all_writes: bool = False, held: bool = False) -> bool:
        t = rp.find_rel(rv) if rv is not None else None
        if t is not None and t.type == "table" and (held or not certainly_empty(rp, t)):
            out.append((t, all_writes))
            return True
        return False

    if isinstance(node, ast.IndexStmt) and node.unique:
        checked(node.relation)
    elif isinstance(node, ast.CreateTableAsStmt) and node.objtype == OT.OBJECT_MATVIEW and not node.into.skipData:
        # A materialized view holds the rows its query gives as it is made or refreshed.
        out.extend((t, True) for t in tables_under(rp, relation_deps(rp, node.query)))
    elif isinstance(node, ast.RefreshMatViewStmt) and not node.skipData and (o := rp.find_rel(node.relation)) is not None:
        out.extend((t, True) for t in tables_under(rp, [o.key]))
    elif isinstance(node, ast.AlterTableStmt) and node.objtype == OT.OBJECT_TABLE:
        for c in node.cmds or ():
            con = c.def_ if c.subtype == AT.AT_AddConstraint and isinstance(c.def_, ast.Constraint) else None
            if con is not None and con.contype == CT.CONSTR_FOREIGN and not con.skip_validation:
                if checked(node.relation, True):  # rows to check: the rows they reference must be written before too
                    checked(con.pktable, True, held=True)
            elif c.subtype in _CHECKING or con is not None and con.contype in _VALIDATED and not con.skip_validation:
                checked(node.relation)
    return out


def tables_under(rp: Engine, keys: list[str]) -> list[Obj]:
    """The tables these relations are or read (through views), each once."""
    out: dict[str, Obj] = {}
    todo, seen = list(keys), set()
    while todo:
        k = todo.pop()
        o = rp.model.objects.get(k)
        if o is None or k in seen:
            continue
        seen.add(k)
        if o.type == "table":
            out[k] = o
        elif o.type == "view":
            todo.extend(d for d in o.depends if d.startswith(("table:", "view:")))
    return list(out.values())


def defaults_taken(rp: Engine, tables: list[Obj]) -> list[Obj]:
    """What rows written to these tables where the model cannot see their columns go through
    (value_needs of every column): what a trigger's or a procedure's INSERT reads."""
    return [x for t in tables for k in value_needs(rp, t, None) if (x := rp.model.objects.get(k)) is not None]


def value_needs(rp: Engine, t: Any, cols: list[str] | None) -> list[str]:
    """What the values a statement writes to `cols` (None: every column) go through: the enums and
    domains of those columns (a label written is read as the type has it then: an ALTER TYPE ...
    RENAME VALUE later stays after it), and the functions the table's defaults and generated
    columns run (a row is computed by the function as it is defined then: a CREATE OR REPLACE
    later stays after it), and the sequences the defaults of the columns it does not write take
    values from (an ALTER SEQUENCE ... RESTART or setval() later stays after it), and the domains
    of all its columns (a value is checked by the domain as it is then, and a column left out takes
    the domain's default: an ALTER DOMAIN later stays after it), and the functions its CHECK
    constraints call."""
    objects, written = rp.model.objects, None if cols is None else set(cols)
    out = []
    for c in t.attrs.get("columns", ()):
        col = objects.get(f"column:{t.name}.{c}")
        if col is not None and col.depends:
            types = written is None or c in written
            defaulted = written is None or c not in written
            out.extend(d for d in col.depends if d.startswith(("function:", "domain:")) or types and d.startswith("type:")
                       or defaulted and d.startswith("sequence:"))
    for k in rp.keys.of_table.get(t.key, ()):  # the functions its CHECK constraints call, as defined then
        if (c := objects.get(k)) is not None and c.exists and c.type == "constraint" and c.contype == "c":
            out.extend(d for d in c.depends if d.startswith("function:"))
    return out


def _arbiters(t: Any, infer: Any, children: list[Any]) -> list[str]:
    """The keys ON CONFLICT (cols) or ON CONSTRAINT name needs: PostgreSQL refuses the INSERT
    when no unique key or index on those columns is there."""
    if infer.conname:
        return [key_of("constraint", f"{t.name}.{infer.conname}")]
    wanted = {e.name for e in infer.indexElems or () if isinstance(e, ast.IndexElem) and e.name}
    return [o.key for o in children if o.parent == t.key and o.exists and wanted
            and (o.type == "constraint" and o.contype in ("p", "u") or o.type == "index" and o.attrs.get("unique"))
            and set(o.attrs.get("columns", ())) == wanted]


def star_tables(rp: Engine, query: Any, kinds: tuple[str, ...] = ("table",)) -> list[Any]:
    """The tables (or other `kinds` of relation) whose columns a `*` (or `p.*`) of the query takes:
    those of the FROM of the SELECT it is written in (through joins; a subquery there has its own `*`)."""
    out: list[Any] = []
    for sel in walk(query):
        if not isinstance(sel, ast.SelectStmt) or not sel.targetList:
            continue
        stars = {_qualifier(t.val) for t in sel.targetList
                 if isinstance(t.val, ast.ColumnRef) and t.val.fields and isinstance(t.val.fields[-1], ast.A_Star)}
        if not stars:
            continue
        todo = list(sel.fromClause or ())
        while todo:
            f = todo.pop()
            if isinstance(f, ast.JoinExpr):
                todo += [f.larg, f.rarg]
            elif isinstance(f, ast.RangeVar) and (None in stars or (f.alias.aliasname if f.alias else f.relname) in stars):
                o = rp.find_rel(f)
                if o is not None and o.type in kinds and o not in out:
                    out.append(o)
            elif isinstance(f, ast.RangeFunction):
                # A function returning a table's rows (SETOF t): a `*` takes t's columns.
                for call in f.functions or ():
                    fn = call[0] if isinstance(call, (tuple, list)) and call else call
                    parts = strings(fn.funcname) if isinstance(fn, ast.FuncCall) else []
                    if not parts or not (None in stars or (f.alias.aliasname if f.alias else parts[-1]) in stars):
                        continue
                    for found in rp.functions_named(parts[-1], parts[-2] if len(parts) > 1 else None):
                        o = rp.model.objects.get(found.attrs.get("row_of", ""))
                        if o is not None and o.type == "table" and o not in out:
                            out.append(o)
    return out


def _qualifier(star: ast.ColumnRef) -> str | None:
    q = star.fields[-2] if len(star.fields) > 1 else None
    return q.sval if isinstance(q, ast.String) else None


def took_columns(rp: Engine, view: Any, query: Any) -> None:
    """Note on each column a view's `*` takes, as the tables have them now, the view and the
    definition that took it: dropping the column (with CASCADE) drops that view. (Not a
    dependency: the plan keeps what a view depends on, and a view that took a column dropped
    later was dropped before it.)"""
    for t in star_tables(rp, query):
        for c in t.attrs.get("columns", ()):
            col = rp.model.get("column", f"{t.name}.{c}")
            if col is not None:
                col.attrs.setdefault("taken_by", []).append((view, view.events[-1]))


def sequence_args(node: Any) -> list[list[str]]:
    out = []
    for n in walk(node):
        if isinstance(n, ast.FuncCall) and strings(n.funcname)[-1:] in (["setval"], ["nextval"]) and n.args:
            first = n.args[0]
            while isinstance(first, ast.TypeCast):
                first = first.arg
            if isinstance(first, ast.A_Const) and hasattr(first.val, "sval"):
                out.append(regclass_parts(first.val.sval))
    return out


def sql_body(node: Any) -> list[Any]:
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
