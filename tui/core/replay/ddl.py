"""Schemas, extensions, roles, and types: enums, composites, ranges, domains."""

from __future__ import annotations

from pglast import ast
from pglast.enums import ObjectType as OT

from tui.core.model import ALTER, NOOP
from tui.core.names import strings
from tui.core.replay.engine import Engine
from tui.core.replay.reads import function_deps
from tui.core.replay.state import objtype_word


def create_schema(rp: Engine, node: ast.CreateSchemaStmt) -> None:
    name = node.schemaname or (node.authrole.rolename if node.authrole else "")
    rp.create("schema", name, name, if_not_exists=bool(node.if_not_exists))
    if node.authrole and node.authrole.rolename:
        rp.model.roles_used.add(node.authrole.rolename)
    if node.schemaElts:
        rp.unfollow("statements inside CREATE SCHEMA")


def create_extension(rp: Engine, node: ast.CreateExtensionStmt) -> None:
    schema = next((strings([o.arg])[0] for o in node.options or () if o.defname == "schema" and isinstance(o.arg, ast.String)), "")
    o = rp.create("extension", node.extname, schema or rp.creation_schema(), if_not_exists=bool(node.if_not_exists))
    # (Not one made only where the server has it at all, as a platform's preamble makes its own:
    # a server without it is no less fit for the history.)
    optional = rp.stmt is not None and rp.stmt.parent is not None and "pg_available_extensions" in rp.stmt.parent.text.lower()
    if o is not None and node.extname not in rp.model.extensions and not optional:
        rp.model.extensions.append(node.extname)
    if o is not None and schema and (home := rp.model.get("schema", schema)) is not None and home.exists:
        # Its objects are made in that schema: it needs it, and a DROP SCHEMA waits for its DROP.
        rp.link(o, [home.key])
        rp.note_reads([home])


def alter_extension(rp: Engine, node: ast.AlterExtensionStmt) -> None:
    o = rp.model.get("extension", node.extname)
    if o is not None:
        rp.event(o, ALTER, "extension updated")


# CREATE ROLE's attributes that change what the role's statements may do (a role switched to
# that owns the schema it creates in needs none of them; one that creates a database does).
_POWERS = {"superuser": "SUPERUSER", "createdb": "CREATEDB", "createrole": "CREATEROLE", "bypassrls": "BYPASSRLS",
           "isreplication": "REPLICATION"}


def create_role(rp: Engine, node: ast.CreateRoleStmt) -> None:
    rp.model.roles_created.add(node.role)
    powers = {_POWERS[o.defname] for o in node.options or () if o.defname in _POWERS and getattr(o.arg, "boolval", False)}
    if powers and node.role:
        rp.model.role_powers.setdefault(node.role, set()).update(powers)
    rp.unfollow("roles are cluster-wide; kept as written")


def alter_role(rp: Engine, node: ast.AlterRoleStmt | ast.AlterRoleSetStmt) -> None:
    # The role altered must be there before the history runs, as a role granted to must: a
    # migration that sets its own role's timezone names the role it connects as.
    name = getattr(node.role, "rolename", None)
    if name:
        rp.model.roles_used.add(name)
    rp.unfollow("roles are cluster-wide; kept as written")


def owned_by(rp: Engine, node: ast.ReassignOwnedStmt | ast.DropOwnedStmt) -> None:
    specs = [*(node.roles or ()), getattr(node, "newrole", None)]
    rp.model.roles_used.update(r.rolename for r in specs if getattr(r, "rolename", None))
    rp.unfollow("what a role owns is not modelled; kept as written")


def grant_role(rp: Engine, node: ast.GrantRoleStmt) -> None:
    for r in node.grantee_roles or ():
        if getattr(r, "rolename", None):
            rp.model.roles_used.add(r.rolename)
    rp.unfollow("role membership is cluster-wide; kept as written")


def create_enum(rp: Engine, node: ast.CreateEnumStmt) -> None:
    schema, name = rp.type_target(strings(node.typeName))
    o = rp.create("type", name, schema, detail="enum")
    if o is not None:
        o.node = node
        labels = [v.sval for v in node.vals or ()]
        o.attrs.update(kind="enum", labels=labels, label_set=set(labels))


def alter_enum(rp: Engine, node: ast.AlterEnumStmt) -> None:
    schema, name = rp.type_target(strings(node.typeName))
    o = rp.model.get("type", name)
    if o is None or not o.exists:
        rp.warn(f"ALTER TYPE on {name}, {rp.never_made(name)}")
        return
    labels: list[str] = o.attrs.setdefault("labels", [])
    # Asked at each label added: a search of the list was quadratic in an enum given thousands.
    known: set[str] | None = o.attrs.get("label_set")
    if known is None:
        known = o.attrs["label_set"] = set(labels)
    if node.oldVal:
        if node.oldVal not in known:
            if rp.guarded:  # (`EXCEPTION WHEN invalid_parameter_value`: renamed before)
                rp.event(o, NOOP, "label not there")
                rp.no_effect(f"label {node.oldVal} not in {name}")
            else:
                rp.warn(f"renames label {node.oldVal} of {name}, which it does not have")
            return
        labels[labels.index(node.oldVal)] = node.newVal
        known.discard(node.oldVal)
        known.add(node.newVal)
        rp.event(o, ALTER, f"label {node.oldVal} renamed to {node.newVal}")
        return
    if node.newVal in known:
        if node.skipIfNewValExists:
            rp.event(o, NOOP, "label already present")
            rp.no_effect(f"label {node.newVal} already in {name}")
        return
    if node.newValNeighbor and node.newValNeighbor in labels:
        at = labels.index(node.newValNeighbor) + (1 if node.newValIsAfter else 0)
        labels.insert(at, node.newVal)
    else:
        labels.append(node.newVal)
    known.add(node.newVal)
    rp.event(o, ALTER, f"label {node.newVal} added")


def create_composite_type(rp: Engine, node: ast.CompositeTypeStmt) -> None:
    schema, name, _ = rp.rel(node.typevar, ("type",))
    o = rp.create("type", name, schema, detail="composite")
    if o is not None:
        o.node = node
        o.attrs.update(kind="composite")
        rp.link(o, [k for c in node.coldeflist or () if (k := rp.type_key(c.typeName))])


def create_range(rp: Engine, node: ast.CreateRangeStmt) -> None:
    schema, name = rp.type_target(strings(node.typeName))
    o = rp.create("type", name, schema, detail="range")
    if o is not None:
        o.node = node
        o.attrs.update(kind="range")


def create_domain(rp: Engine, node: ast.CreateDomainStmt) -> None:
    schema, name = rp.type_target(strings(node.domainname), "domain")
    o = rp.create("domain", name, schema)
    if o is not None:
        dep = rp.type_key(node.typeName)
        o.node = node
        o.attrs.update(kind="domain")
        # (a CHECK calling a function runs it on every value written to a column of the domain)
        rp.link(o, ([dep] if dep else []) + [k for c in node.constraints or () if c.raw_expr is not None
                                             for k in function_deps(rp, c.raw_expr)])


def alter_domain(rp: Engine, node: ast.AlterDomainStmt) -> None:
    _, name = rp.type_target(strings(node.typeName), "domain")
    o = rp.model.get("domain", name)
    if o is None or not o.exists:
        rp.warn(f"ALTER DOMAIN on {name}, {rp.never_made(name)}")
        return
    rp.event(o, ALTER, {"T": "default", "N": "drop not null", "O": "set not null", "C": "constraint added",
                          "X": "constraint dropped", "V": "constraint validated"}.get(node.subtype, "altered"))
    o.attrs.setdefault("alters", []).append(rp.stmt)
    if node.subtype == "C" and isinstance(node.def_, ast.Constraint) and node.def_.raw_expr is not None:
        rp.link(o, function_deps(rp, node.def_.raw_expr))


def define(rp: Engine, node: ast.DefineStmt) -> None:
    if node.kind == OT.OBJECT_TYPE and node.definition is None:
        schema, name = rp.type_target(strings(node.defnames))
        rp.create("type", name, schema, detail="shell type")
        return
    if node.kind == OT.OBJECT_COLLATION:
        # Kept as written; what names it (a column's COLLATE) is ordered after it.
        schema, name, _ = rp.lookup(strings(node.defnames), ("collation",))
        o = rp.create("collation", name, schema, if_not_exists=bool(node.if_not_exists))
        if o is not None:
            o.node = node
        return
    if node.kind == OT.OBJECT_AGGREGATE:
        rp.user_aggregates = True
    rp.unfollow(f"CREATE {objtype_word(node.kind)} is not modelled")


def alter_composite(rp: Engine, node: ast.AlterTableStmt) -> None:
    """ALTER TYPE ... ADD, DROP or ALTER ATTRIBUTE: with CASCADE, the tables made OF the type change too."""
    _, _, o = rp.rel(node.relation, ("type",))
    if o is None:
        rp.unfollow("ALTER TYPE of a composite type the model does not know")
        return
    rp.event(o, ALTER, "attributes changed")
    o.attrs.setdefault("alters", []).append(rp.stmt)
    for t in rp.dependents(o):
        if t.type == "table" and getattr(t.node, "ofTypename", None) is not None:
            rp.event(t, ALTER, f"columns changed with its type {o.name}")
