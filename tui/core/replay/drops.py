"""DROP and RENAME of any object."""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import DropBehavior
from pglast.enums import ObjectType as OT

from tui.core.model import Obj
from tui.core.names import qualified, sql, strings
from tui.core.replay.engine import Engine
from tui.core.replay.signatures import resign
from tui.core.replay.state import objtype_word
from tui.core.replay.tables import rename_child

# The kinds of object the model makes: a DROP of another kind (a publication, extended statistics,
# a text search configuration, an event trigger, an aggregate...) drops what a statement the model
# does not follow made.
_MODELLED = frozenset((OT.OBJECT_TABLE, OT.OBJECT_VIEW, OT.OBJECT_MATVIEW, OT.OBJECT_SEQUENCE, OT.OBJECT_INDEX, OT.OBJECT_TYPE,
                       OT.OBJECT_DOMAIN, OT.OBJECT_FUNCTION, OT.OBJECT_PROCEDURE, OT.OBJECT_ROUTINE, OT.OBJECT_SCHEMA,
                       OT.OBJECT_EXTENSION, OT.OBJECT_COLUMN, OT.OBJECT_TRIGGER, OT.OBJECT_TABCONSTRAINT, OT.OBJECT_POLICY,
                       OT.OBJECT_COLLATION))


def drop_objects(rp: Engine, node: ast.DropStmt) -> None:
    word = objtype_word(node.removeType)
    for obj in node.objects or ():
        o = rp.target(node.removeType, obj)
        label = object_label(obj)
        if o is not None and o.key == "schema:public" and not o.events:
            o.exists = True  # every database has it; the model leaves it out until a history touches it
        if o is None or not o.exists:
            if node.removeType not in _MODELLED:  # (made by a statement kept as written: maybe there, not "never created")
                rp.unfollow(f"DROP {word} is not modelled")
            elif node.missing_ok or rp.guarded:
                rp.no_effect(f"DROP {word} IF EXISTS {label}: not there")
            else:
                rp.warn(f"DROP {word} {label}, {rp.never_made(label)}")
                rp.unfollow(f"drops {word.lower()} {label}, unknown to the model")
            continue
        if o.type == "schema" and node.behavior == DropBehavior.DROP_CASCADE:
            _drop_contents(rp, o)
        rp.drop(o, f"DROP {word}")
        if o.type == "extension" and node.behavior == DropBehavior.DROP_CASCADE:
            # It takes along what uses its types, functions and operator classes (an index `USING gin
            # (c gin_trgm_ops)`), which the model does not tell apart: kept in place, as written.
            rp.unfollow(f"DROP EXTENSION {o.name} CASCADE drops what uses the extension, which the model does not follow")


def _drop_contents(rp: Engine, schema: Obj) -> None:
    """DROP SCHEMA ... CASCADE drops what is in it (and, through drop(), what depends on that
    elsewhere): the objects in it do not depend on it in the model."""
    inside = [o for o in rp.model.objects.values() if o.exists and o.schema == schema.name and o.type != "schema"
              and not (o.parent and o.parent in rp.model.objects and rp.model.objects[o.parent].exists)]
    for o in inside:
        rp.drop(o, f"dropped with schema {schema.name}", by=schema.name)


def rename_object(rp: Engine, node: ast.RenameStmt) -> None:
    rt = node.renameType
    if rt in (OT.OBJECT_TABLE, OT.OBJECT_VIEW, OT.OBJECT_MATVIEW, OT.OBJECT_SEQUENCE, OT.OBJECT_INDEX, OT.OBJECT_FOREIGN_TABLE):
        schema, name, o = rp.rel(node.relation)
        if o is None and rt == OT.OBJECT_INDEX:
            # The index of a PRIMARY KEY, UNIQUE or EXCLUDE constraint: PostgreSQL renames the constraint too.
            local = name.rsplit(".", 1)[-1]

            def named(c: Obj | None) -> bool:
                return (c is not None and c.type == "constraint" and c.exists and c.schema == schema
                        and c.name.rsplit(".", 1)[-1] == local and c.contype in ("p", "u", "x"))

            con = rp.index_constraints.get((schema, local))
            if not named(con):  # not recorded, or no longer so named: look at every object
                con = next((c for c in rp.model.objects.values() if named(c)), None)
            if con is not None:
                rp.index_constraints[(schema, node.newname)] = con
                table = con.name.rsplit(".", 1)[0]
                rp.connames.setdefault(schema, set()).discard(local)
                rp.connames[schema].add(node.newname)
                rp.relnames.setdefault(schema, set()).discard(local)
                rp.relnames[schema].add(node.newname)
                rp.rename(con, f"{table}.{node.newname}")
                return
        if o is None:
            rp.unfollow("rename of an object the model does not know")
            return
        rp.rename(o, qualified(schema, node.newname))
    elif rt in (OT.OBJECT_COLUMN, OT.OBJECT_TABCONSTRAINT, OT.OBJECT_TRIGGER, OT.OBJECT_POLICY):
        rename_child(rp, node)
    elif rt in (OT.OBJECT_TYPE, OT.OBJECT_DOMAIN):
        o = rp.target(rt, node.object)
        if o is None:
            rp.unfollow("rename of a type the model does not know")
            return
        was = o.name
        rp.rename(o, qualified(o.schema, node.newname))
        resign(rp, o, was)
    elif rt in (OT.OBJECT_FUNCTION, OT.OBJECT_PROCEDURE, OT.OBJECT_ROUTINE):
        o = rp.function_target(node.object)
        if o is None:
            rp.unfollow("rename of a function the model does not know")
            return
        rp.rename(o, qualified(o.schema, node.newname) + o.name[o.name.index("("):])
    elif rt == OT.OBJECT_SCHEMA:
        o = rp.model.get("schema", node.subname)
        rp.unfollow("schema renamed: kept as written", [o.key] if o else [])
    elif rt == OT.OBJECT_ATTRIBUTE:
        rp.unfollow("composite type attribute renamed: kept as written")
    else:
        rp.unfollow(f"RENAME of {objtype_word(rt).lower()} is not modelled")


def object_label(obj: Any) -> str:
    if isinstance(obj, ast.String):
        return obj.sval
    if isinstance(obj, ast.TypeName):
        return ".".join(strings(obj.names))
    if isinstance(obj, ast.ObjectWithArgs):
        return ".".join(strings(obj.objname)) + "(...)"
    if isinstance(obj, (list, tuple)):
        return ".".join(strings(obj))
    return sql(obj)
