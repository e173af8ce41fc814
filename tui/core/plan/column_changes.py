"""Which later changes of a column may be written into its CREATE TABLE, beyond what the column
names: those whose result PostgreSQL stores the same either way.

Past rows written in between, a change must leave each row as it was written. A NOT NULL dropped
(the rows met it), a default dropped where the column had none (nothing changes), a type widened
without a conversion of its own: an integer to a wider one, a varchar to a longer one or to text
(a value written into the narrower type is stored the same in the wider). Any other change over
rows stays where it was (a default set would fill rows written in between, a NOT NULL set would
refuse the NULLs they held, a numeric or a timestamp stores another value); a default changed
folds where every write in between names the column (fold_limits.written_with).

A type change keeps what the column holds as PostgreSQL converts it: its default is the old
expression cast to the new type, which reads as the same expression unless the old type gave it
its type (a bare string: `''::character varying` is not `''::text`, nor `'5'::integer`
`'5'::bigint`; from one varchar to another it is); an identity's sequence takes the new type; a
CHECK, an index's expression or a constraint's is read again from its text, which names the old
type's casts, the same for a wider integer or a longer varchar only. A serial's sequence keeps its
type: widened only where the history changes the sequence to the same type too (`ALTER SEQUENCE
... AS bigint`, harbor's ids), when it is declared the wider serial at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ConstrType as CT

from tui.core.names import SERIAL_TYPES, expr_columns, is_serial, strings, walk

_INTEGERS = {"int2": 1, "smallint": 1, "int4": 2, "int": 2, "integer": 2, "int8": 3, "bigint": 3}
_TEXT = {"varchar", "text"}
_SERIALS = {1: "smallserial", 2: "serial", 3: "bigserial"}


def keeps_rows(cmd: Any, cd: ast.ColumnDef) -> bool:
    """Does the ALTER COLUMN change `cmd`, made on the column defined as `cd`, leave every row as it was?"""
    if cmd.subtype == AT.AT_DropNotNull:
        return True
    if cmd.subtype == AT.AT_ColumnDefault:
        return cmd.def_ is None and not _has_default(cd)
    if cmd.subtype == AT.AT_AlterColumnType:
        new = cmd.def_
        return (new.collClause is None and cd.typeName is not None and new.typeName is not None
                and _widens(cd.typeName, new.typeName) and _plain_using(new.raw_default, cd.colname or "", new.typeName))
    return False


def columns_named(cd: ast.ColumnDef) -> set[str]:
    """The other columns a column definition's expressions name (a generated column's, a CHECK's)."""
    out: set[str] = set()
    for c in cd.constraints or ():
        if c.raw_expr is not None and c.contype in (CT.CONSTR_CHECK, CT.CONSTR_GENERATED):
            out |= set(expr_columns(c.raw_expr))
    out.discard(cd.colname)
    return out


def in_pass_order(cmds: Sequence[Any]) -> list[Any]:
    """An ALTER TABLE's commands in the order PostgreSQL runs them where a fold depends on it: a
    column's type is changed in an earlier pass than a default is set, so in `SET DEFAULT 'a',
    ALTER COLUMN c TYPE varchar(50)` the default is read for the new type (`'a'::character
    varying`), however the two are written."""
    retyped = {c.name for c in cmds if c.subtype == AT.AT_AlterColumnType}
    if not retyped:
        return list(cmds)
    return sorted(cmds, key=lambda c: c.subtype == AT.AT_ColumnDefault and c.def_ is not None and c.name in retyped)


def retype_foldable(cd: ast.ColumnDef, new: ast.TypeName, checked: bool, sequence_follows: bool = False,
                    default_replaced: bool = False) -> bool:
    """May the column defined as `cd` be declared with the `new` type it is changed to (`checked`:
    a CHECK of the table names it; `sequence_follows`: a serial's sequence is changed to it too;
    `default_replaced`: its default is set anew before anything uses the one converted)?"""
    if cd.typeName is None:
        return False
    if is_serial(cd.typeName):
        return sequence_follows and widened_serial(cd.typeName, new) is not None and not checked and not any(
            c.contype == CT.CONSTR_CHECK for c in cd.constraints or ())
    same_kind = _same_kind_wider(cd.typeName, new)
    for c in cd.constraints or ():
        if (c.contype == CT.CONSTR_GENERATED or c.contype == CT.CONSTR_IDENTITY and not same_kind
                or c.contype == CT.CONSTR_CHECK and not same_kind
                or c.contype == CT.CONSTR_DEFAULT and _typed_by_the_column(c.raw_expr) and not _varchars(cd.typeName, new)
                and not default_replaced):
            return False
    return same_kind or not checked


def widened_serial(serial: ast.TypeName, new: ast.TypeName) -> str | None:
    """The serial of the integer type `new`, if it is no narrower than `serial` (serial to bigint: bigserial)."""
    b = _kind(new)
    if b is None or b[1] or b[0] not in _INTEGERS or _INTEGERS[b[0]] < _INTEGERS[SERIAL_TYPES[strings(serial.names)[0]]]:
        return None
    return serial_of(b[0])


def serial_of(integer: str) -> str | None:
    """The serial of an integer type as spelled (`bigint`, `int8`: bigserial); None for another type."""
    rank = _INTEGERS.get(integer.lower())
    return _SERIALS[rank] if rank is not None else None


def same_integer(a: ast.TypeName, b: ast.TypeName) -> bool:
    """Two spellings of one integer type (bigint, int8)."""
    x, y = _kind(a), _kind(b)
    return x is not None and y is not None and x[0] in _INTEGERS and _INTEGERS[x[0]] == _INTEGERS.get(y[0])


def _varchars(old: ast.TypeName, new: ast.TypeName) -> bool:
    a, b = _kind(old), _kind(new)
    return a is not None and b is not None and a[0] == b[0] == "varchar"


def _typed_by_the_column(expr: Any) -> bool:
    """A bare string, whose type PostgreSQL takes from the column's."""
    return isinstance(expr, ast.A_Const) and isinstance(expr.val, ast.String)


def _has_default(cd: ast.ColumnDef) -> bool:
    return (cd.typeName is not None and is_serial(cd.typeName)) or any(
        c.contype in (CT.CONSTR_DEFAULT, CT.CONSTR_IDENTITY, CT.CONSTR_GENERATED) for c in cd.constraints or ())


def _kind(t: ast.TypeName) -> tuple[str, tuple[int, ...]] | None:
    """The type's base name and its integer modifiers; None for an array, a %TYPE, SETOF, or a modifier that is no integer."""
    if t.arrayBounds or t.pct_type or t.setof:
        return None
    names = strings(t.names)
    if not names or (len(names) == 2 and names[0] != "pg_catalog") or len(names) > 2:
        return None
    mods: list[int] = []
    for m in t.typmods or ():
        if not (isinstance(m, ast.A_Const) and isinstance(m.val, ast.Integer) and m.val.ival is not None):
            return None
        mods.append(m.val.ival)
    name = names[-1].lower()
    return SERIAL_TYPES.get(name, name), tuple(mods)  # (a serial is its integer type with a default)


def _same_kind_wider(old: ast.TypeName, new: ast.TypeName) -> bool:
    """An integer made a wider one, a varchar a longer varchar."""
    a, b = _kind(old), _kind(new)
    return a is not None and b is not None and (a[0] == b[0] == "varchar" or a[0] in _INTEGERS and b[0] in _INTEGERS) and _widens(old, new)


def widens(old: ast.TypeName | None, new: ast.TypeName | None) -> bool:
    """A built-in integer type made a wider one, a text type a longer (or unbounded) one: what
    PostgreSQL reads in an expression over the column does not change."""
    return old is not None and new is not None and _widens(old, new)


def _widens(old: ast.TypeName, new: ast.TypeName) -> bool:
    a, b = _kind(old), _kind(new)
    if a is None or b is None:
        return False
    (name_a, mods_a), (name_b, mods_b) = a, b
    if name_a in _INTEGERS and name_b in _INTEGERS:
        return _INTEGERS[name_b] >= _INTEGERS[name_a]
    if name_a in _TEXT and name_b in _TEXT:
        if name_b == "text" or not mods_b:
            return True  # (unbounded)
        return name_a == "varchar" and bool(mods_a) and mods_b[0] >= mods_a[0]
    return False


def _plain_using(using: Any, column: str, to: ast.TypeName) -> bool:
    """No USING, or one that only casts the column to the new type (`USING "c"::text`)."""
    if using is None:
        return True
    if not isinstance(using, ast.TypeCast) or not isinstance(using.arg, ast.ColumnRef):
        return False
    return strings(using.arg.fields)[-1:] == [column] and using.typeName is not None and _kind(using.typeName) == _kind(to)


def expression_columns(node: Any, everywhere: bool) -> set[str]:
    """The columns an index's (a constraint's, statistics') expressions pass to a function, or read
    at all where `everywhere` (a domain's column). PostgreSQL rebuilds them after a type change from
    their text as stored, with the casts the old type needed (`f((c)::integer)`, a domain's always):
    the same text under the new type may call another function, or none. An operator over a column
    of a built-in type needed no cast (`hot_rank <> 0`): read again, it is what the new type reads."""
    if isinstance(node, ast.IndexStmt):
        exprs = [*(el.expr for el in node.indexParams or ()), node.whereClause]
    elif isinstance(node, ast.CreateStatsStmt):
        exprs = [e.expr for e in node.exprs or ()]
    elif isinstance(node, ast.AlterTableStmt):  # a CHECK or an exclusion constraint added apart: the same
        cons = [cmd.def_ for cmd in node.cmds or () if cmd.subtype == AT.AT_AddConstraint and isinstance(cmd.def_, ast.Constraint)]
        exprs = [e for con in cons for e in (con.raw_expr, con.where_clause, *(x[0] for x in con.exclusions or ()))]
    else:
        return set()
    if not everywhere:
        exprs = [arg for e in exprs if e is not None for f in walk(e) if isinstance(f, ast.FuncCall) for arg in f.args or ()]
    return {c for e in exprs if e is not None for c in expr_columns(e)}
