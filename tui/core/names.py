"""Names as PostgreSQL resolves and prints them: canonical type names, default constraint names."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pglast import ast
from pglast.stream import RawStream

NAMEDATALEN = 63

# pg_catalog spellings a person writes, mapped to what format_type() prints.
_TYPE_ALIASES = {
    "int2": "smallint",
    "int4": "integer",
    "int": "integer",
    "int8": "bigint",
    "float4": "real",
    "float8": "double precision",
    "bool": "boolean",
    "varchar": "character varying",
    "bpchar": "character",
    "char": "character",
    "timestamptz": "timestamp with time zone",
    "timestamp": "timestamp without time zone",
    "timetz": "time with time zone",
    "time": "time without time zone",
    "varbit": "bit varying",
    "decimal": "numeric",
    "serial": "integer",
    "serial4": "integer",
    "bigserial": "bigint",
    "serial8": "bigint",
    "smallserial": "smallint",
    "serial2": "smallint",
}
SERIAL_TYPES = {"serial": "integer", "serial4": "integer", "bigserial": "bigint", "serial8": "bigint", "smallserial": "smallint", "serial2": "smallint"}


# Built-in types written as plain names (pglast qualifies only the SQL-standard spellings).
BUILTIN_TYPES = frozenset({
    "text", "uuid", "json", "jsonb", "bytea", "date", "time", "timetz", "timestamptz", "inet", "cidr", "macaddr",
    "macaddr8", "money", "xml", "tsvector", "tsquery", "point", "line", "lseg", "box", "path", "polygon", "circle",
    "int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange", "int2", "int4", "int8", "float4",
    "float8", "bool", "varchar", "bpchar", "char", "name", "oid", "regclass", "regtype", "regproc", "interval",
    "bit", "varbit", "record", "void", "trigger", "event_trigger", "anyelement", "anyarray", "anynonarray",
    "anyenum", "anyrange", "cstring", "internal", "serial", "bigserial", "smallserial",
})


def qualified(schema: str, name: str) -> str:
    """The contract's spelling: schema-qualified unless the schema is public."""
    return name if schema in ("public", "") else f"{schema}.{name}"


def strings(nodes: Any) -> list[str]:
    """The text of a list of pglast String nodes (a qualified name)."""
    out: list[str] = []
    for n in nodes or ():
        if isinstance(n, ast.String):
            out.append(n.sval)
        elif isinstance(n, ast.A_Star):
            out.append("*")
    return out


def type_parts(tn: ast.TypeName) -> tuple[str, str]:
    """(schema, base name) of a TypeName, with pg_catalog aliases resolved."""
    parts = strings(tn.names)
    if len(parts) >= 2:
        schema, base = parts[-2], parts[-1]
    else:
        schema, base = "", parts[-1] if parts else ""
    if schema == "pg_catalog" or (not schema and base in _TYPE_ALIASES):
        return "pg_catalog", _TYPE_ALIASES.get(base, base)
    return schema, base


def is_serial(tn: ast.TypeName) -> bool:
    names = tn.names  # (asked of every column: one String node, looked at without a list of its text)
    return names is not None and len(names) == 1 and getattr(names[0], "sval", None) in SERIAL_TYPES and not tn.arrayBounds


def type_signature(tn: ast.TypeName, resolve: Any = None) -> str:
    """A type as it appears in a function signature: canonical name, no typmod, `[]` for arrays."""
    if tn.pct_type:
        return ".".join(strings(tn.names)) + "%type"
    schema, base = type_parts(tn)
    if schema == "pg_catalog":
        name = base
    elif resolve is not None:
        name = resolve(schema, base)
    else:
        name = qualified(schema, base) if schema else base
    if tn.setof:
        name = "setof " + name
    return name + "[]" * len(tn.arrayBounds or ())


def clone(node: Any) -> Any:
    """A deep copy of a pglast tree without the *ancestors* pglast's printer leaves on every node it
    prints: `copy.deepcopy` follows them up to the statement and across its siblings, and on a
    statement printed once (the plan prints many) that is deep enough to exhaust the stack."""
    if isinstance(node, ast.Node):
        new = object.__new__(type(node))
        for slot in type(node).__slots__:
            value = getattr(node, slot)
            # Set as it is, past pglast's __setattr__: the value was checked when the tree was built.
            _set(new, slot, clone(value) if isinstance(value, _DEEP) else value)
        return new
    if isinstance(node, (tuple, list)):
        return type(node)(clone(x) for x in node)
    return node


_set = object.__setattr__
_DEEP = (ast.Node, tuple, list)


def shallow(node: Any) -> Any:
    """`copy.copy` of a pglast node, its values set as they are: copy.copy sets each through
    pglast's checking __setattr__ (60 µs a node; the plan copies every statement it cuts)."""
    new = object.__new__(type(node))
    for slot in type(node).__slots__:
        _set(new, slot, getattr(node, slot))
    return new


def set_elements(node: ast.CreateStmt, elements: Iterable[Any]) -> None:
    """A CREATE TABLE's elements set past pglast's __setattr__, which checks each one: a table
    given its columns one by one (thousands of folded ADD COLUMNs) was checked over and over."""
    _set(node, "tableElts", tuple(elements))


def set_rows(select: ast.SelectStmt, rows: Iterable[Any]) -> None:
    """A VALUES list's rows set past pglast's __setattr__, which checks each one (16,000 INSERTs
    merged into one were checked row by row at each merge: 12 s)."""
    _set(select, "valuesLists", tuple(rows))


def sql(node: Any) -> str:
    """A node printed back to SQL on one line (constants and plain types without pglast's printer: it is slow)."""
    if node is None:
        return ""
    if isinstance(node, ast.A_Const):
        fast = _const(node)
        if fast is not None:
            return fast
    elif isinstance(node, ast.TypeName):
        fast = _type_text(node)
        if fast is not None:
            return fast
    elif isinstance(node, ast.TypeCast) and isinstance(node.arg, ast.A_Const):
        value, type_ = _const(node.arg), _type_text(node.typeName)
        if value is not None and type_ is not None and not value.startswith("-"):  # (`-5::text` is `-(5::text)`)
            return f"{value}::{type_}"
    return RawStream()(node)


def _const(node: ast.A_Const) -> str | None:
    if node.isnull:
        return "NULL"
    v = node.val
    # (a negative number as the printer writes it: the sign folded into the constant, no parentheses)
    if isinstance(v, ast.Integer):
        return str(v.ival)
    if isinstance(v, ast.String):
        return "'" + v.sval.replace("'", "''") + "'"
    if isinstance(v, ast.Boolean):
        return "true" if v.boolval else "false"
    if isinstance(v, ast.Float):
        return v.fval
    return None


def _type_text(tn: ast.TypeName) -> str | None:
    if tn.setof or tn.pct_type or tn.typemod not in (None, -1):
        return None
    parts = strings(tn.names)
    if len(parts) == 2 and parts[0] == "pg_catalog":
        if parts[1] in ("interval", "bit", "varbit", "timestamp", "timestamptz", "time", "timetz"):
            return None  # the printer knows their SQL spellings and typmods
        parts = parts[1:]
    mods = []
    for m in tn.typmods or ():
        if not isinstance(m, ast.A_Const) or not isinstance(m.val, ast.Integer):
            return None
        mods.append(str(m.val.ival))
    out = ".".join(parts) + (f"({', '.join(mods)})" if mods else "")
    bounds = tn.arrayBounds or ()
    return out + "[]" * len(bounds) if all(isinstance(b, ast.Integer) and b.ival == -1 for b in bounds) else None


def make_object_name(name1: str, name2: str, label: str) -> str:
    """PostgreSQL's makeObjectName: `name1_name2_label`, shortening the longer part to fit 63 bytes."""
    overhead = len(label) + 1 if label else 0
    n1, n2 = name1, name2 or ""
    if n2:
        overhead += 1
    avail = NAMEDATALEN - overhead
    while len(n1.encode()) + len(n2.encode()) > avail:
        if len(n1.encode()) > len(n2.encode()):
            n1 = n1[:-1]
        else:
            n2 = n2[:-1]
    out = n1
    if n2:
        out += "_" + n2
    if label:
        out += "_" + label
    return out


def choose_name(name1: str, name2: str, label: str, taken: set[str] | Any) -> str:
    """PostgreSQL's ChooseRelationName/ChooseConstraintName: add 1, 2, ... until the name is free."""
    candidate = make_object_name(name1, name2, label)
    n = 0
    while candidate in taken:
        n += 1
        candidate = make_object_name(name1, name2, f"{label}{n}")
    return candidate


_CHILD_SLOTS: dict[type, tuple[str, ...]] = {}


def _child_slots(cls: type) -> tuple[str, ...]:
    """The slots of a node class that can hold nodes (pointers, lists, A_Const's value), cached."""
    slots = _CHILD_SLOTS.get(cls)
    if slots is None:
        info = getattr(cls, "__slots__", {})
        # Reversed, so that popping the walk's stack visits children in source order.
        slots = tuple(reversed([k for k, v in info.items() if getattr(v, "c_type", "").endswith("*") and v.c_type != "char*" or k == "val"]))
        _CHILD_SLOTS[cls] = slots
    return slots


def walk(node: Any, skip: type | tuple[type, ...] = ()) -> Iterator[Any]:
    """Every pglast node below `node`, depth first, `node` included; nodes of the `skip` types are
    left out with everything below them."""
    stack = [node]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        n = pop()
        if isinstance(n, ast.Node):
            if skip and isinstance(n, skip):
                continue
            yield n
            for attr in _child_slots(type(n)):
                v = getattr(n, attr)
                if v is not None:
                    push(v)
        elif isinstance(n, (tuple, list)):
            extend(reversed(n))


def deeper_than(node: Any, levels: int) -> bool:
    """Do nodes nest more than `levels` deep below `node` (lists not counted)?"""
    stack = [(node, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        n, depth = pop()
        if isinstance(n, ast.A_Const):  # (a leaf below it: the most common node of seed rows, not walked)
            if depth + (n.val is not None) > levels:
                return True
        elif isinstance(n, ast.Node):
            if depth > levels:
                return True
            cls = type(n)
            if cls in _SHALLOW and depth + _SHALLOW[cls] <= levels and (cls is not ast.TypeName or _plain_modifiers(n)):
                continue  # (nothing below it nests deeper than that: not walked)
            for attr in _child_slots(cls):
                if (v := getattr(n, attr)) is not None:
                    push((v, depth + 1))
        elif isinstance(n, (tuple, list)):
            for x in n:
                push((x, depth))
    return False


# Nodes that nest at most this many levels below themselves, whatever the statement: a column
# reference (its names), a relation (its alias's column names), a type name whose modifiers are
# constants (`varchar(255)`: the constant's value). Most nodes of a wide CREATE TABLE are these.
_SHALLOW = {ast.ColumnRef: 1, ast.RangeVar: 2, ast.TypeName: 2}


def _plain_modifiers(tn: Any) -> bool:  # (a TypeName)
    return tn.typmods is None or all(type(m) is ast.A_Const for m in tn.typmods)


_TEXT_SLOTS: dict[tuple[type, bool], tuple[str, ...]] = {}


def texts(node: Any, codes: bool = False) -> Iterator[str]:
    """The strings of a tree: its names and string constants, what its text names less the keywords
    around them (printing the tree to read them is a hundred times slower). One-letter codes
    (a foreign key's ON DELETE action, a table's persistence, a parameter's mode) are not text,
    unless `codes`."""
    for n in walk(node):
        slots = _TEXT_SLOTS.get((type(n), codes))
        if slots is None:
            slots = _TEXT_SLOTS[(type(n), codes)] = tuple(k for k, v in getattr(type(n), "__slots__", {}).items()
                                                         if codes or getattr(v, "c_type", "") == "char*")
        for slot in slots:
            if isinstance(value := getattr(n, slot), str):
                yield value


def nodes_of(roots: list[Any], types: frozenset[type]) -> list[Any]:
    """The nodes below `roots` whose type is one of `types` exactly, in no particular order: `walk`
    without its generator and source order, for a caller that asks it of every statement."""
    found: list[Any] = []
    stack = list(roots)
    pop, push, extend, keep, known = stack.pop, stack.append, stack.extend, found.append, _CHILD_SLOTS.get
    while stack:
        n = pop()
        kind = type(n)
        slots = known(kind)  # (a node class seen before: most of them)
        if slots is None:
            if kind is list or kind is tuple:
                extend(n)
                continue
            if not isinstance(n, ast.Node):
                continue
            slots = _child_slots(kind)
        if kind in types:
            keep(n)
        for attr in slots:
            v = getattr(n, attr)
            if v is not None:
                push(v)
    return found


def expr_columns(node: Any) -> list[str]:
    """Column names referenced in an expression, in order of appearance."""
    out: list[str] = []
    for n in walk(node):
        if isinstance(n, ast.ColumnRef):
            names = strings(n.fields)
            if names and names[-1] != "*" and names[-1] not in out:
                out.append(names[-1])
    return out


def func_calls(node: Any) -> list[str]:
    """Names of functions called anywhere in a node, qualified as written."""
    return [".".join(strings(n.funcname)) for n in walk(node) if isinstance(n, ast.FuncCall)]


def into_clause(node: Any) -> ast.IntoClause | None:
    """The table a CREATE TABLE AS (or materialized view) or a SELECT INTO makes, if it is one."""
    if isinstance(node, ast.CreateTableAsStmt):
        return node.into
    return node.intoClause if isinstance(node, ast.SelectStmt) else None


def range_vars(node: Any) -> list[ast.RangeVar]:
    """Every table reference in a node (FROM clauses, subqueries, joins)."""
    return [n for n in walk(node) if isinstance(n, ast.RangeVar)]


def type_names(node: Any) -> list[ast.TypeName]:
    """Every TypeName in a node (casts, column types)."""
    return [n for n in walk(node) if isinstance(n, ast.TypeName)]


def column_defs(node: Any) -> list[ast.ColumnDef]:
    """The columns a CREATE TABLE or an ALTER TABLE ... ADD COLUMN defines."""
    if isinstance(node, ast.CreateStmt):
        return [e for e in node.tableElts or () if isinstance(e, ast.ColumnDef)]
    if isinstance(node, ast.AlterTableStmt):
        return [c.def_ for c in node.cmds or () if isinstance(c.def_, ast.ColumnDef)]
    return []


def regclass_parts(text: str) -> list[str]:
    """A relation's name as a regclass reads it from text: `"Jobs_id_seq"` keeps its case and
    loses its quotes, `public.jobs_id_seq` is folded to lower case."""
    parts, i = [], 0
    while i <= len(text):
        if text.startswith('"', i):
            end = i + 1
            while (end := text.find('"', end)) >= 0 and text.startswith('""', end):
                end += 2
            end = end if end >= 0 else len(text)
            parts.append(text[i + 1:end].replace('""', '"'))
            i = end + 1
        else:
            end = text.find(".", i)
            end = end if end >= 0 else len(text)
            parts.append(text[i:end].strip().lower())
            i = end
        if not text.startswith(".", i):
            break
        i += 1
    return parts
