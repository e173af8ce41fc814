"""Rows written under a deferred foreign key (or constraint trigger) leave its checks pending until
COMMIT, and PostgreSQL will not alter, index, truncate or drop a table with checks pending on it
("cannot ALTER TABLE ... because it has pending trigger events"). Where the new set brings such a
write and such a change into one file (the history had them in two), the file ends between them.
What this does not see, the proof finds, and the file is cut there too."""

from __future__ import annotations

import re

from pglast import ast
from pglast.enums import AlterTableType

from tui.core.model import ADD, ALTER, CREATE, Model, key_of
from tui.core.plan.items import Item

# The statements PostgreSQL refuses on a table with checks pending (CheckTableNotInUse; a RENAME
# it runs).
_REFUSED = (ast.AlterTableStmt, ast.IndexStmt, ast.TruncateStmt, ast.DropStmt, ast.ClusterStmt, ast.ReindexStmt)
# Writes to the referenced table queue the key's checks too (NO ACTION, the default, is deferrable).
_CHANGES_ROWS = (ast.UpdateStmt, ast.DeleteStmt, ast.MergeStmt)
_INITIALLY_DEFERRED = re.compile(r"\bINITIALLY\s+DEFERRED\b", re.IGNORECASE)
_DEFERRABLE = re.compile(r"\bDEFERRABLE\b", re.IGNORECASE)


def commit_deferred_checks(items: list[Item], m: Model, set_deferred: bool) -> None:
    """`set_deferred`: the history runs SET CONSTRAINTS ... DEFERRED, so any DEFERRABLE key may be.
    A key counts from the statement that made it deferred on, in the new set's order (rows written
    before an ALTER CONSTRAINT made it so were checked at once)."""
    making = _deferred_tables(m, _DEFERRABLE if set_deferred else _INITIALLY_DEFERRED)
    if not making:
        return
    referencing: set[str] = set()
    referenced: set[str] = set()
    pending: set[str] = set()
    for i, it in enumerate(items):
        for seq in (it.seq, *(st.seq for st in it.folded)):
            for table, ref in making.get(seq, ()):
                referencing.add(table)
                if ref:
                    referenced.add(ref)
        if it.alone:  # (a file of its own)
            pending = set()
            continue
        node = it.node
        if pending and isinstance(node, _REFUSED) and pending & (it.writes | it.reads):
            before = items[i - 1]
            if before.unit < 0 or before.unit != it.unit:  # (a unit stays in one file: the proof decides)
                before.break_after = True
                pending = set()
        for k in it.writes:
            if k.startswith("data:") and (data := m.objects.get(k)) is not None and data.parent:
                t = data.parent
                if t in referencing or (t in referenced and isinstance(node, _CHANGES_ROWS)):
                    pending.add(t)
        if it.break_after:
            pending = set()


def _deferred_tables(m: Model, deferred: re.Pattern[str]) -> dict[int, list[tuple[str, str]]]:
    """The statements that made a key (or constraint trigger) deferred: for each, the table whose
    writes then leave checks pending, and the table the key references ("" for a trigger)."""
    making: dict[int, list[tuple[str, str]]] = {}
    for o in m.objects.values():
        if o.type not in ("constraint", "trigger") or not o.parent or (o.type == "constraint" and o.contype != "f"):
            continue
        ref = o.attrs.get("ref_table")
        for e in o.events:
            if e.action in (CREATE, ADD) and deferred.search(e.stmt.text) or e.action == ALTER and _altered_deferred(e.stmt.node, deferred):
                making.setdefault((e.stmt.parent or e.stmt).seq, []).append((o.parent, key_of("table", ref) if ref else ""))
    return making


def _altered_deferred(node: object, deferred: re.Pattern[str]) -> bool:
    """ALTER TABLE ... ALTER CONSTRAINT made a key deferred (or deferrable, when `deferred` is
    _DEFERRABLE): the checks of writes after it wait for COMMIT as well."""
    if not isinstance(node, ast.AlterTableStmt):
        return False
    for cmd in node.cmds or ():
        # (the parser's node is an ATAlterConstraint, with the Constraint's deferrable and initdeferred)
        if cmd.subtype == AlterTableType.AT_AlterConstraint and (
                getattr(cmd.def_, "initdeferred", False) or (deferred is _DEFERRABLE and getattr(cmd.def_, "deferrable", False))):
            return True
    return False
