"""Tables: CREATE and ALTER TABLE, their columns and constraints, and the names PostgreSQL gives them."""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ConstrType as CT
from pglast.enums import ObjectType as OT

from tui.core.model import ADD, ALTER, Obj
from tui.core.names import SERIAL_TYPES, is_serial, qualified, sql, strings
from tui.core.replay.access import owner
from tui.core.replay.constraints import CONTYPE, add_constraint
from tui.core.replay.ddl import alter_composite
from tui.core.replay.emptiness import certainly_empty
from tui.core.replay.engine import Engine
from tui.core.replay.inherited import inherited_from
from tui.core.replay.like import copy_columns
from tui.core.replay.not_null_names import sync_not_null
from tui.core.replay.reads import default_deps
from tui.core.replay.state import local_name

_COLUMN_ALTERS = {
    AT.AT_ColumnDefault: "default", AT.AT_DropNotNull: "drop not null", AT.AT_SetNotNull: "set not null", AT.AT_AlterColumnType: "type",
    AT.AT_AddIdentity: "identity added", AT.AT_SetIdentity: "identity changed", AT.AT_DropIdentity: "identity dropped",
    AT.AT_DropExpression: "generation dropped", AT.AT_SetExpression: "generation changed",
}
# Table-level changes the model records but does not interpret: the generator keeps them verbatim.
_KEPT_ALTERS = {
    AT.AT_SetStatistics, AT.AT_SetStorage, AT.AT_SetOptions, AT.AT_ResetOptions, AT.AT_SetRelOptions,
    AT.AT_ResetRelOptions, AT.AT_ReplaceRelOptions, AT.AT_ReplicaIdentity, AT.AT_ClusterOn, AT.AT_DropCluster,
    AT.AT_SetLogged, AT.AT_SetUnLogged, AT.AT_SetCompression, AT.AT_EnableTrig, AT.AT_DisableTrig,
    AT.AT_EnableAlwaysTrig, AT.AT_EnableReplicaTrig, AT.AT_EnableTrigAll, AT.AT_DisableTrigAll,
    AT.AT_EnableTrigUser, AT.AT_DisableTrigUser, AT.AT_SetAccessMethod, AT.AT_SetTableSpace,
}
_TRIGGER_SWITCHES = {AT.AT_EnableTrig, AT.AT_DisableTrig, AT.AT_EnableAlwaysTrig, AT.AT_EnableReplicaTrig}


def rename_child(rp: Engine, node: ast.RenameStmt) -> None:
    type_ = {OT.OBJECT_COLUMN: "column", OT.OBJECT_TABCONSTRAINT: "constraint", OT.OBJECT_TRIGGER: "trigger",
             OT.OBJECT_POLICY: "policy"}[node.renameType]
    _, table, t = rp.rel(node.relation)
    if t is not None:
        note_quiet(rp, t)
    o = rp.model.get(type_, f"{table}.{node.subname}")
    if t is None or o is None or not o.exists:
        if t is not None and type_ == "column" and t.type in ("view", "materialized view"):  # (a view's columns are its query's)
            rp.unfollow(f"renames a column of {t.type} {table}: a view's columns are not modelled", [t.key])
        elif node.missing_ok or rp.guarded:
            rp.no_effect(f"RENAME of {type_} {table}.{node.subname}: not there")
        else:
            rp.warn(f"renames {type_} {table}.{node.subname}, which the model does not know")
            rp.unfollow(f"renames a {type_} unknown to the model", [t.key] if t else [])
        return
    if type_ == "constraint":
        rp.connames.setdefault(o.schema, set()).discard(node.subname)
        rp.connames[o.schema].add(node.newname)
        rp.index_constraints[(o.schema, node.newname)] = o
        if o.contype in ("p", "u", "x") and node.newname:  # (its index takes the name too)
            rp.note_freed(o.schema, node.newname)
    rp.event(t, ALTER, f"{type_} {node.subname} renamed to {node.newname}", child=type_)
    rp.rename(o, f"{table}.{node.newname}")


def note_quiet(rp: Engine, t: Obj) -> None:
    """Remember a change to a table that surely holds no row: folding it into the CREATE changes
    no row, as long as no statement that wrote rows before it stays in the consolidated set."""
    if rp.stmt is not None and rp.stmt.parent is None and certainly_empty(rp, t):
        rp.model.quiet.add(rp.stmt.seq)


def create_table(rp: Engine, node: ast.CreateStmt) -> None:
    if node.relation.relpersistence == "t":
        rp.no_effect("temporary table: gone at the end of the session")
        return
    schema, name, _ = rp.rel(node.relation)
    t = rp.create("table", name, schema, if_not_exists=bool(node.if_not_exists))
    if t is None:
        return
    t.reset()
    t.node = node
    t.attrs.update(columns=[], rls=False, kept=[])
    if node.inhRelations or node.partbound or node.partspec or node.ofTypename:
        t.attrs["opaque"] = True
    parents = [rp.rel(rv)[2] for rv in node.inhRelations or ()]
    typed = [k] if node.ofTypename is not None and (k := rp.type_key(node.ofTypename)) else []  # (OF type)
    rp.link(t, [p.key for p in parents if p is not None] + typed)
    for p in parents:  # (their rows show through each other: see rows.family_rows)
        if p is not None:
            p.attrs["family"] = t.attrs["family"] = True
    redundant = _redundant_unique(node)
    rp.skip_parts = {id(c) for c in redundant}
    try:
        for elt in node.tableElts or ():
            if isinstance(elt, ast.ColumnDef):
                add_column(rp, t, elt)
            elif isinstance(elt, ast.Constraint):
                add_constraint(rp, t, elt)
            elif isinstance(elt, ast.TableLikeClause):
                copy_columns(rp, t, elt)
    finally:
        rp.skip_parts = set()
    if redundant:
        pk = next((e for k in sorted(rp.rdeps.get(t.key, ())) if (o := rp.model.objects.get(k)) is not None
                   and o.type == "constraint" and o.contype == "p" for e in o.events[-1:] if e.stmt is rp.stmt), None)
        if pk is not None:
            pk.shadows = tuple(redundant)  # they come back if the primary key goes from the text


def _redundant_unique(node: ast.CreateStmt) -> list[ast.Constraint]:
    """UNIQUE constraints on exactly the primary key's columns: PostgreSQL makes no index or
    constraint for them (`key text PRIMARY KEY UNIQUE` has only the primary key)."""
    pk: set[str] = set()
    uniques: list[tuple[set[str], ast.Constraint]] = []
    for elt in node.tableElts or ():
        if isinstance(elt, ast.ColumnDef):
            for c in elt.constraints or ():
                if c.contype == CT.CONSTR_PRIMARY:
                    pk = {elt.colname}
                elif c.contype == CT.CONSTR_UNIQUE and not c.keys:
                    uniques.append(({elt.colname}, c))
        elif isinstance(elt, ast.Constraint):
            if elt.contype == CT.CONSTR_PRIMARY:
                pk = set(strings(elt.keys))
            elif elt.contype == CT.CONSTR_UNIQUE:
                uniques.append((set(strings(elt.keys)), elt))
    return [c for cols, c in uniques if pk and cols == pk and not c.including and not c.nulls_not_distinct]


def add_column(rp: Engine, t: Obj, cd: ast.ColumnDef, action: str = "", if_not_exists: bool = False) -> Obj | None:
    col = rp.create("column", f"{t.name}.{cd.colname}", t.schema, parent=t.key, if_not_exists=if_not_exists)
    if col is None:
        return None
    made = col.events[-1]
    made.part = cd
    if action:
        made.action = action
    if len(col.events) > 1:  # a column of an earlier life (a brand new one has nothing to forget)
        col.reset()
    if (columns := t.attrs.get("columns")) is None:  # (not setdefault: a list made for each column, thrown away)
        t.attrs["columns"] = columns = []
    columns.append(cd.colname)
    tn = cd.typeName
    k = rp.type_key(tn) if tn is not None else None
    deps = [k] if k else []
    attrs: dict[str, Any] = {"type": tn, "not_null": False, "default": None, "identity": None,
                             "generated": None, "collation": cd.collClause, "serial": False}
    col.attrs = attrs
    if tn is not None and is_serial(tn):
        seq_name = rp.choose_name(t.schema, local_name(t.name), cd.colname, "seq", rp.relnames.get(t.schema, set()))
        seq = rp.create("sequence", qualified(t.schema, seq_name), t.schema, detail=f"serial of {col.name}")
        if seq is not None:
            seq.attrs.update(owned_by=col.key, serial=True, data_type=SERIAL_TYPES[strings(tn.names)[0]])
            rp.link(seq, [col.key])
            deps.append(seq.key)
        col.attrs.update(serial=True, not_null=True, sequence=seq.name if seq else None)
    named = ""
    for c in cd.constraints or ():
        column_constraint(rp, t, col, c, deps)
        if not named and c.contype == CT.CONSTR_NOTNULL and c.conname:
            named = c.conname
    if attrs["not_null"] or "nn_name" in attrs:  # (most columns: nothing to name, nothing to forget)
        sync_not_null(rp, t, col, named)
    rp.link(col, deps)
    return col


def column_constraint(rp: Engine, t: Obj, col: Obj, c: ast.Constraint, deps: list[str]) -> None:
    if c.contype == CT.CONSTR_NOTNULL:
        col.attrs["not_null"] = True
    elif c.contype == CT.CONSTR_NULL:
        col.attrs["not_null"] = False
    elif c.contype == CT.CONSTR_DEFAULT:
        col.attrs["default"] = c.raw_expr
        deps.extend(default_deps(rp, c.raw_expr))
    elif c.contype == CT.CONSTR_IDENTITY:
        col.attrs.update(identity=c.generated_when, identity_options=c.options, not_null=True)
        seq_name = rp.choose_name(t.schema, local_name(t.name), local_name(col.name), "seq", rp.relnames.get(t.schema, set()))
        rp.relnames.setdefault(t.schema, set()).add(seq_name)
        col.attrs["identity_sequence"] = seq_name
    elif c.contype == CT.CONSTR_GENERATED:
        col.attrs["generated"] = c.raw_expr
        deps.extend(default_deps(rp, c.raw_expr))  # (a function it calls: DROP ... CASCADE takes the column)
    elif c.contype in CONTYPE:
        if c.contype == CT.CONSTR_PRIMARY:
            col.attrs["not_null"] = True
        add_constraint(rp, t, c, column=local_name(col.name))


def alter_table(rp: Engine, node: ast.AlterTableStmt) -> None:
    if node.objtype == OT.OBJECT_TYPE:
        alter_composite(rp, node)
        return
    schema, name, t = rp.rel(node.relation)
    if t is None:
        if node.objtype == OT.OBJECT_FOREIGN_TABLE:  # (made by a CREATE FOREIGN TABLE, kept as written: maybe there)
            rp.unfollow(f"alters foreign table {name}: foreign tables are not modelled")
        elif node.missing_ok or rp.guarded:
            rp.no_effect(f"ALTER ... IF EXISTS {name}: not there")
        else:
            rp.warn(f"ALTER of {name}, {rp.never_made(name)}")
            rp.unfollow(f"alters {name}, unknown to the model")
        return
    note_quiet(rp, t)
    for cmd in node.cmds or ():
        alter_cmd(rp, t, cmd)


def alter_cmd(rp: Engine, t: Obj, cmd: ast.AlterTableCmd) -> None:
    st = cmd.subtype
    if st == AT.AT_AddColumn:
        col = add_column(rp, t, cmd.def_, ADD, if_not_exists=bool(cmd.missing_ok))
        if col is not None:
            rp.event(t, ALTER, f"column {cmd.def_.colname} added", child="column")
    elif st == AT.AT_DropColumn:
        col = rp.model.get("column", f"{t.name}.{cmd.name}")
        if col is None or not col.exists:
            if cmd.missing_ok or rp.guarded:
                rp.no_effect(f"DROP COLUMN IF EXISTS {cmd.name}: not there")
            else:
                rp.warn(f"drops column {t.name}.{cmd.name}, which the model does not know")
            return
        rp.drop(col, "DROP COLUMN")
        rp.event(t, ALTER, f"column {cmd.name} dropped", child="column")
        rp.forget_column_data(t, cmd.name)
    elif st in _COLUMN_ALTERS:
        alter_column(rp, t, cmd)
    elif st == AT.AT_AddConstraint:
        if add_constraint(rp, t, cmd.def_, action=ADD) is not None:
            rp.event(t, ALTER, "constraint added", child="constraint")
    elif st == AT.AT_DropConstraint:
        c = rp.model.get("constraint", f"{t.name}.{cmd.name}")
        if c is None or not c.exists:
            if (cmd.missing_ok or rp.guarded) and not t.first("opaque"):
                rp.no_effect(f"DROP CONSTRAINT IF EXISTS {cmd.name}: not there")
            elif cmd.missing_ok or rp.guarded:
                rp.unfollow(f"DROP CONSTRAINT IF EXISTS {cmd.name}: the model cannot tell whether it is there", [t.key])
            else:
                rp.warn(f"drops constraint {cmd.name} on {t.name}, which the model does not know")
                rp.unfollow("drops a constraint unknown to the model", [t.key])
            return
        rp.drop(c, "DROP CONSTRAINT")
        rp.event(t, ALTER, f"constraint {cmd.name} dropped", child="constraint")
    elif st in (AT.AT_ValidateConstraint, AT.AT_AlterConstraint):
        c = rp.model.get("constraint", f"{t.name}.{cmd.name or getattr(cmd.def_, 'conname', '')}")
        if c is not None:
            rp.event(c, ALTER, "validated" if st == AT.AT_ValidateConstraint else "altered")
    elif st == AT.AT_ChangeOwner:
        owner(rp, t, cmd.newowner)
    elif st in (AT.AT_EnableRowSecurity, AT.AT_DisableRowSecurity, AT.AT_ForceRowSecurity, AT.AT_NoForceRowSecurity):
        key = "force_rls" if st in (AT.AT_ForceRowSecurity, AT.AT_NoForceRowSecurity) else "rls"
        t.attrs[key] = st in (AT.AT_EnableRowSecurity, AT.AT_ForceRowSecurity)
        rp.event(t, ALTER, "row security " + ("on" if t.attrs[key] else "off"))
    elif st in _KEPT_ALTERS:
        t.attrs.setdefault("kept", []).append(rp.stmt)
        # CLUSTER ON marks the index, ENABLE/DISABLE TRIGGER sets the trigger: their own state,
        # gone with them (a DROP INDEX later leaves nothing of it to keep).
        named = rp.model.get("index", qualified(t.schema, cmd.name)) if st == AT.AT_ClusterOn and cmd.name else \
            rp.model.get("trigger", f"{t.name}.{cmd.name}") if st in _TRIGGER_SWITCHES and cmd.name else None
        rp.event(named if named is not None and named.exists else t, ALTER, str(st.name).replace("AT_", "").lower())
        if st in (AT.AT_ClusterOn, AT.AT_DropCluster):
            # Only one index of a table is clustered: the one that was is no longer.
            was = t.attrs.get("clustered")
            if was is not None and was is not named and was.exists:
                rp.event(was, ALTER, "no longer clustered")
            t.attrs["clustered"] = named if st == AT.AT_ClusterOn else None
    elif st == AT.AT_DropOf and (typed := getattr(t.node, "ofTypename", None)) is not None:
        # NOT OF: the type's columns are the table's own from now on; a DROP TYPE ... CASCADE leaves it.
        of = rp.type_key(typed)
        rp.link(t, [d for d in t.depends if d != of])
        rp.event(t, ALTER, "no longer of its type")
    else:
        if st in (AT.AT_AddInherit, AT.AT_DropInherit) and isinstance(cmd.def_, ast.RangeVar) \
                and (parent := rp.rel(cmd.def_)[2]) is not None:
            # Whom it inherits from, for what a DROP ... CASCADE takes along (a table no longer
            # inheriting stays); the columns that come with it or stay the model does not follow.
            rp.link(t, [d for d in t.depends if d != parent.key] + ([parent.key] if st == AT.AT_AddInherit else []))
            if st == AT.AT_AddInherit:
                parent.attrs["family"] = t.attrs["family"] = t.attrs["opaque"] = True
            else:  # (it took the parent's columns in their order when made: see inherited.depends_or_left)
                t.attrs.setdefault("uninherited", []).append(parent)
        rp.unfollow(f"ALTER TABLE {str(getattr(st, 'name', st)).replace('AT_', '')} is not modelled", [t.key])


def alter_column(rp: Engine, t: Obj, cmd: ast.AlterTableCmd) -> None:
    col = rp.model.get("column", f"{t.name}.{cmd.name}")
    what = _COLUMN_ALTERS[cmd.subtype]
    if col is None or not col.exists:
        parent = inherited_from(rp, t, cmd.name or "")
        if parent is not None:  # (valid SQL: no warning, but the model does not follow it)
            rp.unfollow(f"alters a column it inherits from {parent.name}", [t.key])
            return
        rp.warn(f"alters column {t.name}.{cmd.name}, which the model does not know")
        rp.unfollow("alters a column unknown to the model", [t.key])
        return
    st = cmd.subtype
    if st == AT.AT_ColumnDefault:
        col.attrs["default"] = cmd.def_
        what = "default set" if cmd.def_ is not None else "default dropped"
        if cmd.def_ is not None:
            rp.link(col, [*col.depends, *default_deps(rp, cmd.def_)])
    elif st in (AT.AT_DropNotNull, AT.AT_SetNotNull):
        col.attrs["not_null"] = st == AT.AT_SetNotNull
        sync_not_null(rp, t, col)
    elif st == AT.AT_AlterColumnType:
        cd: ast.ColumnDef = cmd.def_
        # The type it leaves is used until then: a DROP TYPE of it stays after this statement.
        was = [o for d in col.depends if d.startswith(("type:", "domain:")) and (o := rp.model.objects.get(d)) is not None]
        if was and rp.stmt is not None:
            rp.model.left_types.setdefault(rp.stmt.seq, []).extend(was)
            col.attrs.setdefault("types_left", []).append((rp.stmt.seq, was))  # (see order_keys)
        col.attrs["type"] = cd.typeName
        if cd.collClause is not None:
            col.attrs["collation"] = cd.collClause
        k = rp.type_key(cd.typeName)
        rp.link(col, [d for d in col.depends if not d.startswith(("type:", "domain:"))] + ([k] if k else []))
        what = f"type changed to {sql(cd.typeName)}"
        if cd.raw_default is not None:
            rp.mark_data_uncertain(t, "column retyped with USING")
    elif st == AT.AT_AddIdentity:
        c = cmd.def_
        col.attrs.update(identity=c.generated_when, identity_options=c.options, not_null=True)
        sync_not_null(rp, t, col)
        seq_name = rp.choose_name(t.schema, local_name(t.name), cmd.name, "seq", rp.relnames.get(t.schema, set()))
        rp.relnames.setdefault(t.schema, set()).add(seq_name)
        col.attrs["identity_sequence"] = seq_name
    elif st == AT.AT_DropIdentity:
        col.attrs["identity"] = None
    elif st == AT.AT_DropExpression:
        col.attrs["generated"] = None
    else:
        col.attrs.setdefault("kept", []).append(rp.stmt)
    rp.event(col, ALTER, what)

