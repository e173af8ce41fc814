"""Objects defined by a body or a query: functions and procedures, triggers, views."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pglast import ast
from pglast.enums import ObjectType as OT

from tui.core.model import ALTER, CREATE, NOOP, REPLACE, Obj
from tui.core.names import sql, strings
from tui.core.replay.engine import Engine
from tui.core.replay.reads import function_deps, relation_deps, took_columns
from tui.core.replay.state import param_mode

# A call in a function body: what the function may run.
_CALL = re.compile(r"([A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)?)\s*\(")


def create_function(rp: Engine, node: ast.CreateFunctionStmt) -> None:
    params = [p for p in node.parameters or () if param_mode(p) not in ("o", "t")]
    schema, name = rp.signature(strings(node.funcname), [p.argType for p in params])
    existed = rp.model.get("function", name)
    was = existed is not None and existed.exists
    o = rp.create("function", name, schema, replace=bool(node.replace), detail="procedure" if node.is_procedure else "")
    if o is None:
        return
    body = next((strings([d.arg])[0] if isinstance(d.arg, ast.String) else " ".join(strings(d.arg))
                 for d in node.options or () if d.defname == "as"), "")
    language = next((d.arg.sval for d in node.options or () if d.defname == "language" and isinstance(d.arg, ast.String)), "sql")
    calls = sorted({m.group(1).lower() for m in _CALL.finditer(body)})
    deps = [k for p in node.parameters or () if (k := rp.type_key(p.argType))]
    if node.returnType is not None and (k := rp.type_key(node.returnType)):
        deps.append(k)
        if k.startswith("table:"):
            o.attrs["row_of"] = k  # (a `*` over its call takes the table's columns)
    rp.link(o, deps)
    o.node = node
    o.attrs.update(body=body, language=language.lower(), calls=calls, returns=sql(node.returnType) if node.returnType is not None else "", procedure=bool(node.is_procedure))
    if was and o.events[-1].action == CREATE:
        o.events[-1].action = REPLACE


def alter_function(rp: Engine, node: ast.AlterFunctionStmt) -> None:
    o = rp.function_target(node.func)
    if o is not None:
        rp.event(o, ALTER, "attributes changed")
        o.attrs.setdefault("alters", []).append(rp.stmt)


def create_trigger(rp: Engine, node: ast.CreateTrigStmt) -> None:
    schema, table, t = rp.rel(node.relation)
    name = f"{table}.{node.trigname}"
    o = rp.create("trigger", name, schema, parent=t.key if t else "", replace=bool(node.replace))
    if o is None:
        return
    rp.has_triggers = True
    fnames = strings(node.funcname)
    funcs = rp.functions_named(fnames[-1], fnames[0] if len(fnames) > 1 else None)
    deps = [f.key for f in funcs[:1]] + (function_deps(rp, node.whenClause) if node.whenClause is not None else [])
    o.node = node
    o.attrs.update(function=funcs[0].name if funcs else ".".join(fnames), table=table)
    rp.link(o, deps)


def create_view(rp: Engine, node: ast.ViewStmt) -> None:
    schema, name, existing = rp.rel(node.view, ("view",))
    o = rp.create("view", name, schema, replace=bool(node.replace))
    if o is None:
        return
    o.node = node
    o.attrs.update(materialized=False)
    rp.link(o, relation_deps(rp, node.query) + function_deps(rp, node.query))
    took_columns(rp, o, node.query)
    o.attrs.pop("stale", None)


def create_table_as(rp: Engine, node: ast.CreateTableAsStmt) -> None:
    if node.objtype == OT.OBJECT_MATVIEW:
        schema, name, _ = rp.rel(node.into.rel, ("view",))
        o = rp.create("view", name, schema, if_not_exists=bool(node.if_not_exists), detail="materialized")
        if o is not None:
            o.node = node
            o.attrs.update(materialized=True)
            rp.link(o, relation_deps(rp, node.query) + function_deps(rp, node.query))
            took_columns(rp, o, node.query)
        return
    table_from_query(rp, node.into, bool(node.if_not_exists))


def table_from_query(rp: Engine, into: ast.IntoClause, if_not_exists: bool = False, what: str = "CREATE TABLE AS") -> None:
    """CREATE TABLE AS, or SELECT INTO."""
    schema, name, _ = rp.rel(into.rel)
    o = rp.create("table", name, schema, if_not_exists=if_not_exists, detail="from a query")
    if o is not None:
        o.attrs.update(columns=[], opaque=True)
        rp.unfollow(f"{what}: columns and rows come from a query", [o.key])


def refresh_matview(rp: Engine, node: ast.RefreshMatViewStmt) -> None:
    _, _, o = rp.rel(node.relation, ("view",))
    if o is not None:
        rp.event(o, NOOP, "refreshed")  # (its rows: those of the tables it reads now, see Model.checks)


def callees(rp: Engine, called: Iterable[Obj]) -> list[Obj]:
    """The functions the called ones call in turn, as defined now: a statement that runs a function
    runs its body, which needs them there then (defining it did not: PL/pgSQL is not checked)."""
    called = list(called)
    # What else it uses runs the functions it names: a view's query (a materialized one, when made or
    # refreshed), a domain's CHECK, a trigger's WHEN, a column's default.
    through = [f for v in called if v.type != "function" for k in v.depends
               if k.startswith("function:") and (f := rp.model.objects.get(k)) is not None and f.exists]
    todo = [f for f in (*called, *through) if f.type == "function" and f.attrs.get("calls")]
    seen = {f.key for f in todo}
    out = list(dict.fromkeys(through))
    while todo:
        for name in todo.pop().attrs.get("calls", ()):
            for g in rp.functions_called(name):
                if g.key not in seen:
                    seen.add(g.key)
                    out.append(g)
                    todo.append(g)
    return out


def called_in(rp: Engine, text: str) -> list[Obj]:
    """The history's functions a body the model does not follow calls by name, and those they call:
    it runs them as they are defined then."""
    called = [f for name in sorted({m.group(1).lower() for m in _CALL.finditer(text)}) for f in rp.functions_called(name)]
    return list(dict.fromkeys([*called, *callees(rp, called)]))
