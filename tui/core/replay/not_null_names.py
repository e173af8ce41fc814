"""The names PostgreSQL 18 gives NOT NULL constraints. From 18 a NOT NULL is a constraint named
when it is set: `<table>_<column>_not_null` as the table and column are called then, numbered on
(`..._not_null1`) past a name another constraint of the schema holds, as when a table renamed
aside to be rebuilt still holds its names. A later RENAME keeps it. The history's names are noted
on the column (`nn_name`, and `nn_seq`: the statement that set it) for the plan, which writes a
name where the new set would give another (plan/not_null_names). Before 18 the name is ignored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.core.model import Obj
from tui.core.names import choose_name
from tui.core.replay.state import local_name

if TYPE_CHECKING:
    from tui.core.replay.engine import Engine


class _Taken:
    """Names a new NOT NULL must step over: the schema's constraints, and its NOT NULLs alive."""

    def __init__(self, rp: Engine, schema: str) -> None:
        self.rp, self.schema = rp, schema

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        if name in self.rp.connames.get(self.schema, ()):
            return True
        col = self.rp.not_nulls.get((self.schema, name))
        return col is not None and col.exists and col.attrs.get("nn_name") == name


def sync_not_null(rp: Engine, t: Obj, col: Obj, name: str = "") -> None:
    """Bring the column's NOT NULL name in step with its `not_null`: named as PostgreSQL 18 would
    (or `name`, written in the statement) when it has just become NOT NULL, forgotten when it no
    longer is. A column NOT NULL already keeps its name, as PostgreSQL keeps the constraint."""
    if not col.attrs.get("not_null"):
        col.attrs.pop("nn_name", None)
        col.attrs.pop("nn_seq", None)
        return
    if col.attrs.get("nn_name"):
        return
    name = name or choose_name(local_name(t.name), local_name(col.name), "not_null", _Taken(rp, t.schema))
    col.attrs["nn_name"] = name
    col.attrs["nn_seq"] = (rp.stmt.parent or rp.stmt).seq if rp.stmt is not None else -1
    rp.not_nulls[(t.schema, name)] = col
