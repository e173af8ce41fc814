"""ALTER ... SET SCHEMA: the object keeps its timeline under the name it has in its new schema, as a
RENAME gives it one. A table takes along what PostgreSQL moves with it: its indexes (its keys'
too) and the sequences its columns own."""

from __future__ import annotations

from pglast import ast
from pglast.enums import ObjectType as OT

from tui.core.model import Obj
from tui.core.names import qualified
from tui.core.replay.drops import object_label
from tui.core.replay.engine import Engine
from tui.core.replay.signatures import resign
from tui.core.replay.state import RELATION_TYPES, local_name, objtype_word

# ALTER TABLE reaches a view or a sequence too; the others name their own kind.
_RELATIONS = {OT.OBJECT_TABLE: ("table", "view", "sequence"), OT.OBJECT_VIEW: ("view",), OT.OBJECT_MATVIEW: ("view",),
              OT.OBJECT_SEQUENCE: ("sequence",)}
_TYPES = (OT.OBJECT_TYPE, OT.OBJECT_DOMAIN)
_FUNCTIONS = (OT.OBJECT_FUNCTION, OT.OBJECT_PROCEDURE, OT.OBJECT_ROUTINE)


def move_object(rp: Engine, node: ast.AlterObjectSchemaStmt) -> None:
    kind, new = node.objectType, str(node.newschema)
    word = objtype_word(kind).lower()
    if kind in _RELATIONS and node.relation is not None:
        o = rp.find_rel(node.relation, _RELATIONS[kind])
        label = node.relation.relname
    elif kind in _TYPES or kind in _FUNCTIONS:
        o = rp.target(kind, node.object)
        label = object_label(node.object)
    else:  # (an extension moves objects the model does not know one by one)
        rp.unfollow(f"SET SCHEMA of {word} is not modelled")
        return
    if o is None or not o.exists:
        if node.missing_ok or rp.guarded:
            rp.no_effect(f"{word} {label} IF EXISTS: not there")
        else:
            rp.unfollow(f"moves {word} {label}, unknown to the model")
        return
    if (why := _refused(rp, o, new)) is not None:
        rp.unfollow(f"moves {word} {label}: {why}", [o.key])
        return
    home = rp.model.get("schema", new)
    if new != "public" and (home is None or not home.exists):
        # Made where the model does not follow (a DO block, the preamble): the move is kept as
        # written, and the object's name is free again where it was all the same.
        rp.unfollow(f"moves {word} {label} into schema {new}, unknown to the model", [o.key])
    _move(rp, o, new)


def _moving_names(rp: Engine, o: Obj) -> list[Obj]:
    """The relations a table takes along, by their names in its schema: its indexes, the keys
    whose index is theirs, the sequences its columns own (an identity's by name: the model makes
    no object of it)."""
    along: list[Obj] = []
    for c in rp.dependents(o):
        if c.parent != o.key:
            continue
        if c.type == "index" or c.type == "constraint" and c.contype in ("p", "u", "x"):
            along.append(c)
        elif c.type == "column" and (s := rp.model.get("sequence", str(c.attrs.get("sequence") or ""))) is not None and s.exists:
            along.append(s)
    return along


def _identities(rp: Engine, o: Obj) -> list[str]:
    return [seq for c in rp.dependents(o) if c.parent == o.key and c.type == "column" and (seq := c.attrs.get("identity_sequence"))]


def _refused(rp: Engine, o: Obj, new: str) -> str | None:
    """Why PostgreSQL would refuse the move, or where the model cannot follow it (it then keeps
    it as written)."""
    if o.schema == new:
        return "it is in that schema already"
    if o.type == "sequence" and o.attrs.get("owned_by"):
        return "a sequence a column owns moves only with its table"
    if o.type == "function":
        name = qualified(new, local_name(o.name.split("(", 1)[0])) + o.name[o.name.index("("):]
        return "that schema has a function of that signature" if (f := rp.model.get("function", name)) is not None and f.exists else None
    taken = rp.relnames.get(new, set())
    if o.type in RELATION_TYPES:
        moving = [local_name(o.name)] + [c.name.rsplit(".", 1)[-1] for c in _moving_names(rp, o)] + _identities(rp, o)
        return "that schema has a relation of a name it takes along" if any(n in taken for n in moving) else None
    name = qualified(new, local_name(o.name))
    return "that schema has a type of that name" if any((t := rp.model.get(k, name)) is not None and t.exists for k in ("type", "domain")) else None


def _move(rp: Engine, o: Obj, new: str) -> None:
    old, was = o.schema, o.name
    along = _moving_names(rp, o) if o.type == "table" else []
    base, args = (o.name.split("(", 1)[0], o.name[o.name.index("("):]) if o.type == "function" else (o.name, "")
    rp.rename(o, qualified(new, local_name(base)) + args, new)
    children = [c for c in rp.dependents(o) if c.parent == o.key]
    for c in children:
        local = c.name.rsplit(".", 1)[-1]
        if c.type == "constraint":  # (its name steps over the schema's others: PostgreSQL 18's NOT NULL names)
            rp.connames.get(old, set()).discard(local)
            rp.connames.setdefault(new, set()).add(local)
        elif c.type == "column" and (nn := c.attrs.get("nn_name")) and rp.not_nulls.get((old, nn)) is c:
            rp.not_nulls[(new, nn)] = rp.not_nulls.pop((old, nn))
    for local in _identities(rp, o):
        _rehome(rp, old, new, local)
    for c in along:
        local = c.name.rsplit(".", 1)[-1]
        if c.type == "constraint":  # a key's index: its name is the schema's
            _rehome(rp, old, new, local)
            if rp.index_constraints.get((old, local)) is c:
                rp.index_constraints[(new, local)] = rp.index_constraints.pop((old, local))
            continue
        was = c.name
        rp.rename(c, qualified(new, local), new)
        if c.type == "sequence":
            for col in children:
                if col.type == "column" and col.attrs.get("sequence") == was:
                    col.attrs["sequence"] = c.name
    seq = (rp.stmt.parent or rp.stmt).seq if rp.stmt is not None else -1
    for c in dict.fromkeys([o, *along, *children]):
        c.schema = new
        # What ran on it before needs the schema it was in then (plan/order_keys.schemas_then).
        c.attrs.setdefault("moves", []).append((seq, old))
    if o.type in ("type", "domain"):
        resign(rp, o, was)


def _rehome(rp: Engine, old: str, new: str, local: str) -> None:
    """A relation's name the model keeps no object for (a key's index, an identity's sequence)
    leaves schema `old` for `new`."""
    rp.relnames.get(old, set()).discard(local)
    rp.relnames.setdefault(new, set()).add(local)
    rp.released.add((old, local))
    rp.note_freed(new, local)
