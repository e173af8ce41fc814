"""Rows inserted and removed later (their INSERTs and the DELETEs or TRUNCATEs that removed them
go), and what keeps rows: a statement that read them while they were there, a trigger they fired."""

from __future__ import annotations

from bisect import bisect_right

from pglast import ast
from pglast.enums import DropBehavior

from tui.core.findings import Finding
from tui.core.model import DELETE, DROP, INSERT, OPAQUE, TRUNCATE, UPDATE, Event, Obj, Row
from tui.core.plan.planner import Planner


def surviving_rows(p: Planner, findings: list[Finding]) -> None:
    """Rows inserted and removed later: the INSERTs that only wrote them, and the DELETEs or
    TRUNCATEs that only removed them. Referencing tables first: a table's rows can go once the
    rows pointing at them have gone, so this repeats until nothing changes."""
    size = -1
    while size != len(p.dead):
        size = len(p.dead)
        for f in findings:
            p.fold_of(f).update(_rows_of(p, f))


def _rows_of(p: Planner, f: Finding) -> set[int]:
    d = p.m.get("data", f.object_name)
    if d is None or d.uncertain:
        return set()
    # Rows of other tables may point at these: they can go only when every statement that
    # wrote rows of the referencing tables goes too (a table pointing at itself keeps them).
    if p._fk_refs is None:
        p._fk_refs = {}
        for c in p.m.objects.values():
            if c.type == "constraint" and c.contype == "f":
                for dep in c.depends:
                    if dep.startswith("table:"):
                        p._fk_refs.setdefault(dep, []).append(c)
    table_key = d.parent
    for c in p._fk_refs.get(table_key, []):
        other = p.m.objects.get(c.parent)
        od = p.m.get("data", other.name) if other is not None else None
        if od is not None and (other is not None and other.key == table_key and od.events
                               or any(e.action in (INSERT, UPDATE, OPAQUE) and id(e) not in p.dead for e in od.events)):
            return set()
    rows = d.rows
    killed: set[int] = set()
    # Each event's rows, found once: a seed table written by thousands of INSERTs is quadratic
    # when every event looks through every row.
    written: dict[int, list[Row]] = {}
    removed_by: dict[int, list[Row]] = {}
    for r in rows:
        written.setdefault(id(r.event), []).append(r)
        if r.removed_by is not None:
            removed_by.setdefault(id(r.removed_by), []).append(r)
    # Leaving out an INSERT shifts the serial ids of rows inserted after it: only rows that
    # no surviving row follows can go.
    last_alive = max((r.event.stmt.seq for r in rows if r.alive), default=-1)
    readers: list[int] | None = None  # found when first needed: most tables have no row to leave out
    table = p.m.objects.get(d.parent)
    for e in d.events:
        if e.action == INSERT and e.stmt.seq > last_alive:
            mine = written.get(id(e))
            if not mine or any(r.alive for r in mine) or _fires_writes(p, e):
                continue
            if readers is None:
                readers = sorted(_rows_read_at(p, d))
                # A row copied while it was there (a materialized view refreshed over the table)
                # keeps the ids before it as one that lasts does.
                last_alive = max([last_alive, *(r.event.stmt.seq for r in rows if not r.alive and _read_while_there(r, readers, table))])
                if e.stmt.seq <= last_alive:
                    continue
            if not any(_read_while_there(r, readers, table) for r in mine):
                killed |= p.kill(d, [e])
    # A DELETE or TRUNCATE goes only when every INSERT and UPDATE before it goes too.
    first_kept_write = min((x.stmt.seq for x in d.events if x.action in (INSERT, UPDATE) and id(x) not in p.dead), default=None)
    for e in d.events:
        if e.action in (DELETE, TRUNCATE):
            removed = removed_by.get(id(e))
            if (removed and all(id(r.event) in p.dead for r in removed) and not _fires_writes(p, e)
                    and (first_kept_write is None or first_kept_write >= e.stmt.seq)):
                if e.action == TRUNCATE and not _truncate_cascade_safe(p, e):
                    continue
                killed |= p.kill(d, [e])
    return killed


def _fires_writes(p: Planner, e: Event) -> bool:
    """Did the statement fire a trigger that wrote rows of another table (an audit log)? Those
    rows last whatever becomes of its own."""
    return any(o.type == "trigger" and o.attrs.get("wrote", set()) - {o.parent} for o in p.m.reads.get((e.stmt.parent or e.stmt).seq, ()))


def _read_while_there(r: Row, readers: list[int], table: Obj | None) -> bool:
    """Did one of `readers` (in order) run while the row was in the table? (A row no statement
    removed went with its table: until the DROP of that life of it.)"""
    start = r.event.stmt.seq
    if r.removed_by is not None:
        gone = r.removed_by.stmt.seq
    else:
        gone = next((e.stmt.seq for e in table.events if e.action == DROP and e.stmt.seq > start), start) if table is not None else start
    at = bisect_right(readers, start)
    return at < len(readers) and readers[at] < gone


# Statements that read rows as they run: what they write depends on the rows there are then.
_READ_ROWS = (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.CreateTableAsStmt, ast.SelectStmt, ast.DoStmt,
              ast.CallStmt, ast.CopyStmt, ast.RefreshMatViewStmt)


def _rows_read_at(p: Planner, d: Obj) -> list[int]:
    """Where a statement read the table's rows (an INSERT ... SELECT or CREATE TABLE AS over it,
    an UPDATE of another table from it): rows inserted before one and removed after it were copied
    or counted there, so they stay. The table's own INSERT ... VALUES, UPDATE and DELETE write its
    rows as replay follows them."""
    table = p.m.objects.get(d.parent)
    if table is None:
        return []
    stmts = p.a.parsed.statements  # in history order: a statement's seq is its index
    own = {e.stmt.seq for e in d.events}
    return [seq for seq in p.m.read_at().get(id(table), ())
            if isinstance(node := stmts[seq].node, _READ_ROWS) and (seq not in own or seq in p.opaque_seqs)
            and not (isinstance(node, ast.CreateTableAsStmt) and node.into.skipData)]  # (WITH NO DATA reads none)


def wrote_lasting_rows(p: Planner, trigger: Obj) -> bool:
    """Did the trigger, while it lived, add or change rows of a table whose rows the model no longer
    knows at the end (an audit log, a count kept elsewhere, its own rows set by a BEFORE trigger)?
    Those rows are in the database: the trigger stays."""
    for key in trigger.attrs.get("wrote", ()):
        table = p.m.objects.get(key)
        d = p.m.get("data", table.name) if table is not None and table.exists else None
        if d is not None and d.uncertain:
            return True
    return False


def rows_read_while_alive(p: Planner, table: Obj) -> bool:
    """Did a statement of another table read this one's rows while it had some (UPDATE ... FROM,
    DELETE ... USING, INSERT ... SELECT)? What it wrote depends on them."""
    d = p.m.get("data", table.name)
    return d is not None and rows_read_before(p, d, table.events[-1].stmt.seq)


def rows_read_before(p: Planner, d: Obj, last: int) -> bool:
    if not any(e.action == INSERT for e in d.events):
        return False
    first = min((e.stmt.parent or e.stmt).seq for e in d.events if e.action == INSERT)
    return any(first < seq < last for seq in _rows_read_at(p, d))


def _truncate_cascade_safe(p: Planner, e: Event) -> bool:
    node = e.stmt.node
    if getattr(node, "behavior", None) != DropBehavior.DROP_CASCADE:
        return True
    for o in p.m.objects.values():
        if o.type == "data" and e not in o.events and any(r.alive for r in o.rows):
            return False
    return True
