"""What keeps a statement out of the CREATE TABLE it would fold into, or keeps that CREATE in its
place once it is folded: names a RENAME gives or frees in between, what PostgreSQL names after the
table as it is called then, columns the CREATE does not have yet, tables that inherit from it,
statements in between that took the table's columns (`*`) or a column's type as they were then."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ConstrType as CT

from tui.core.model import ADD, ALTER, CREATE, DROP, INSERT, OPAQUE, RENAME, REPLACE, TRUNCATE, Event, Obj
from tui.core.names import expr_columns, func_calls, into_clause, is_serial, strings
from tui.core.plan.column_changes import expression_columns, same_integer
from tui.core.plan.items import Item
from tui.core.plan.planner import Planner
from tui.core.replay.inherited import depends_or_left


def inherited_between(p: Planner, table: Obj, after: int, before: int) -> bool:
    """Was a table made to inherit from this one (INHERITS, not a partition) in between? A column
    added to the parent goes after the child's own columns; in the parent's CREATE, before them."""
    return any(after < seq < before for seq in p.inheritors().get(table.key, ()))


def parent_grew_between(p: Planner, table: Obj, after: int, before: int) -> bool:
    """Did a table this one inherits from (INHERITS, not a partition) gain a column in between? The
    child took it after its own columns of then: a column of its own added later goes after it."""
    node = table.node
    if not isinstance(node, ast.CreateStmt) or not node.inhRelations or node.partbound is not None:
        return False
    for parent in depends_or_left(table):
        for col in p.children(parent):
            if col.type == "column" and any(e.action == ADD and after < (e.stmt.parent or e.stmt).seq < before for e in col.events):
                return True
        up = p.m.objects.get(parent)
        if up is not None and up.type == "table" and parent_grew_between(p, up, after, before):
            return True
    return False


def copied_between(p: Planner, table: Obj, after: int, before: int) -> bool:
    """Was the table copied by a CREATE TABLE ... (LIKE table) that stays, in between? The copy
    took its columns, defaults, constraints and indexes as they were then."""
    return any(after < seq < before and seq not in p.dropped for seq in table.attrs.get("liked", ()))


def expanded_between(p: Planner, table: Obj, after: int, before: int, views: bool = True) -> bool:
    """Did a statement that stays in between take the table's columns with a `*` (a view, a CREATE
    TABLE AS, an INSERT ... SELECT) into something that lasts? A column folded into the CREATE,
    or renamed there, would be taken too, or by its new name. `views=False`: only into a table or
    rows (a view that took a column dropped later was dropped before it)."""
    return any(after < seq < before and seq not in p.dropped and _lasting(p, seq, views) for seq in table.attrs.get("expanded", ()))


def _lasting(p: Planner, seq: int, views: bool = True, depth: int = 0) -> bool:
    """Does what the statement made stay until something else is made in its place? A view
    dropped next does not (a CREATE OR REPLACE must keep its columns: it does), unless what took
    its columns with a `*` while it lived lasts (a CREATE TABLE AS over it, a view over it that
    lasts). Rows it inserted always stay, and a function's body was checked as it ran."""
    made = [(o, e) for o, e in p.by_seq.get(seq, ()) if o.type in ("view", "table") and e.action in (CREATE, REPLACE)]
    for o, e in made:
        nxt = next((x for x in o.events[o.events.index(e) + 1:] if x.action in (CREATE, REPLACE, DROP)), None)
        if o.type == "view":
            if views and (nxt is None or nxt.action != DROP):
                return True
            end = nxt.stmt.seq if nxt is not None else len(p.a.parsed.statements)
            if depth < 30 and any(seq < s < end and s not in p.dropped and _lasting(p, s, views, depth + 1)
                                  for s in o.attrs.get("expanded", ())):
                return True
            continue
        if nxt is None or nxt.action != DROP:
            return True
    return not made


# Statements that keep the type a column has when they run: a CREATE TABLE AS's column (and a
# SELECT INTO's), a view's, a function's declared result.
_TYPED = (ast.CreateTableAsStmt, ast.ViewStmt, ast.CreateFunctionStmt)


def typed_between(p: Planner, col: Obj, after: int, before: int, widened: bool = False, domain: bool = False) -> bool:
    """Did a statement that stays in between take the column's type (CREATE TABLE AS SELECT c; an
    index on a function of it, unless `widened`: a built-in integer or text type made a wider one,
    which reads it the same; an index on anything over it where the old type is a `domain`), or
    call a function the history defines in more than one signature (an index on
    `hot_rank(score, published)`: PostgreSQL picks the overload by the column's type, one the
    history may define only later)? A type change folded into the CREATE TABLE would give it the
    new one."""
    stmts = p.a.parsed.statements  # in history order: a statement's seq is its index
    table = p.m.objects.get(col.parent)
    took = [*p.m.read_at().get(id(col), ()), *(table.attrs.get("expanded", ()) if table is not None else ())]  # by name, by *
    took = [seq for seq in took if after < seq < before and seq not in p.dropped and _lasting(p, seq)]
    if any(isinstance(stmts[seq].node, _TYPED) or into_clause(stmts[seq].node) is not None for seq in took):
        return True
    names = col.local_names()
    if not widened and any(names & expression_columns(stmts[seq].node, domain) for seq in took):
        return True
    # (A view's subquery over the table is read as the table's: its columns, through an alias, may
    # not be seen. And a view dropped later may still be written, revived by what the plan keeps.)
    calls = {seq for seq in (*took, *(p.m.read_at().get(id(table), ()) if table is not None else ()))
             if after < seq < before and seq not in p.dropped}
    overloaded = {name.rsplit(".", 1)[-1].lower() for name in p.overloaded} if calls else set()
    return any(name.rsplit(".", 1)[-1].lower() in overloaded for seq in calls for name in func_calls(stmts[seq].node))


def default_set_next(p: Planner, col: Obj, table: Obj, stmt: ast.AlterTableStmt, cmd: Any, seq: int) -> bool:
    """Is the column's default set anew or dropped right after its type change `cmd` (later in its
    statement, or by the next statement that changes the column), no row written to the table and
    no copy of it made in between? The default PostgreSQL converted to the new type is then never
    used, so the column may be declared with the new type and the default as written."""
    cmds = list(stmt.cmds or ())
    for c in cmds[next((i for i, x in enumerate(cmds) if x is cmd), len(cmds)) + 1:]:
        if isinstance(c, ast.AlterTableCmd) and c.name in col.local_names():
            return c.subtype == AT.AT_ColumnDefault
    later = next((e for e in col.events if (e.stmt.parent or e.stmt).seq > seq and id(e) not in p.dead), None)
    if later is None or not isinstance(later.stmt.node, ast.AlterTableStmt):
        return False
    at = (later.stmt.parent or later.stmt).seq
    first = next((c for c in later.stmt.node.cmds or () if isinstance(c, ast.AlterTableCmd) and c.name in col.local_names()), None)
    return (first is not None and first.subtype == AT.AT_ColumnDefault and at not in p.dropped
            and not _rows_written_between(p, table, seq, at) and not copied_between(p, table, seq, at))


def needs_a_value(cd: ast.ColumnDef) -> bool:
    """Is the column NOT NULL with nothing to fill it (no default, identity or generation)? An
    INSERT written before it was added does not give it one."""
    kinds = {c.contype for c in cd.constraints or ()}
    return (bool(kinds & {CT.CONSTR_NOTNULL, CT.CONSTR_PRIMARY}) and not kinds & {CT.CONSTR_DEFAULT, CT.CONSTR_IDENTITY, CT.CONSTR_GENERATED}
            and not (cd.typeName is not None and is_serial(cd.typeName)))


def domain_default_changed(p: Planner, col: Obj | None, cd: ast.ColumnDef, after: int) -> bool:
    """A column of a domain with no default of its own takes the domain's default as it is when a
    row is written: folded ahead of an INSERT, the row would get the default of the INSERT's time
    instead of the ADD's (an ALTER DOMAIN ... SET DEFAULT between them)."""
    if col is None or any(c.contype == CT.CONSTR_DEFAULT for c in cd.constraints or ()):
        return False
    return any(e.action == ALTER and e.detail == "default" and (e.stmt.parent or e.stmt).seq > after
               for d in col.depends if d.startswith("domain:") and (dom := p.m.objects.get(d)) is not None for e in dom.events)


def inserted_between(p: Planner, table: Obj, after: int, before: int) -> bool:
    """Does a statement that stays insert rows into the table in between (rows removed before the
    column was added, kept because a copy read them; rows a trigger or a view wrote there)?"""
    return any(e.action in (INSERT, OPAQUE) for e in _rows_written_between(p, table, after, before))


def _rows_written_between(p: Planner, table: Obj, after: int, before: int) -> list[Event]:
    """The table's row events in between, of statements that stay."""
    d = p.m.get("data", table.name)
    return [e for e in (d.events if d is not None else ())
            if after < (seq := (e.stmt.parent or e.stmt).seq) < before and id(e) not in p.dead and seq not in p.dropped]


def drawn_per_row(p: Planner, table: Obj, cd: ast.ColumnDef, after: int, before: int) -> bool:
    """Is the column filled row by row from a sequence (serial, identity, nextval()) over rows
    written in between? Added later, the rows there are take values in the order they lie in then
    (an UPDATE moves a row to the end, a DELETE leaves a value out); folded into the CREATE, rows
    take them as they are inserted, interleaved with other tables' draws from a shared sequence.
    (A random value differs from one build to the next either way.)"""
    if any(c.contype == CT.CONSTR_IDENTITY for c in cd.constraints or ()) or (cd.typeName is not None and is_serial(cd.typeName)):
        # (Its own sequence: drawn in insertion order as long as no row changed since.)
        return any(e.action != INSERT for e in _rows_written_between(p, table, after, before))
    return any(c.contype == CT.CONSTR_DEFAULT and c.raw_expr is not None and any(n.split(".")[-1] == "nextval" for n in func_calls(c.raw_expr))
               for c in cd.constraints or ()) and bool(_rows_written_between(p, table, after, before))


def only_inserted(p: Planner, table: Obj, after: int, before: int, con: ast.Constraint) -> bool:
    """Can a constraint added to a table with rows be declared in its CREATE instead? When it is a
    check on each row or on the set of rows (CHECK, UNIQUE, PRIMARY KEY, EXCLUDE), and the set only
    inserts them in between (no UPDATE, DELETE or TRUNCATE): every row then already passes it as
    it is written, since all of them together passed when it was added. (A foreign key also
    depends on the order of other tables' rows.)"""
    if con.contype not in (CT.CONSTR_CHECK, CT.CONSTR_UNIQUE, CT.CONSTR_PRIMARY, CT.CONSTR_EXCLUSION):
        return False
    return all(e.action == INSERT for e in _rows_written_between(p, table, after, before))


def written_with(p: Planner, table: Obj, column: str, after: int, before: int) -> bool:
    """Does every statement that stays and writes the table's rows in between name the column with
    a value of its own (an INSERT or COPY listing it, never `DEFAULT` for it)? Then no row took
    the column's default there, and a later change of the default may be declared in the CREATE.
    (Rows of a table inheriting the column are not read here.)"""
    if any(after < seq < before for seq in p.inheritors().get(table.key, ())):
        return False
    for e in _rows_written_between(p, table, after, before):
        node = e.stmt.node
        if isinstance(node, (ast.DeleteStmt, ast.TruncateStmt)):
            continue
        rel = node.relation if isinstance(node, (ast.InsertStmt, ast.UpdateStmt, ast.CopyStmt)) else None
        if rel is None or rel.relname != table.name.rsplit(".", 1)[-1] or e.stmt.parent is not None:
            return False  # (rows written through a trigger, a function, a DO block: not read here)
        if isinstance(node, ast.UpdateStmt):
            if any(t.name == column and isinstance(t.val, ast.SetToDefault) for t in node.targetList or ()):
                return False
            continue
        named = [c.name for c in node.cols or ()] if isinstance(node, ast.InsertStmt) else strings(node.attlist)
        if column not in named or isinstance(node, ast.CopyStmt) and not node.is_from:
            return False
        values = getattr(node.selectStmt, "valuesLists", None) if isinstance(node, ast.InsertStmt) else None
        at = named.index(column)
        if any(at < len(row) and isinstance(row[at], ast.SetToDefault) for row in values or ()):
            return False
        conflict = node.onConflictClause if isinstance(node, ast.InsertStmt) else None
        if conflict is not None and any(isinstance(t.val, ast.SetToDefault) for t in conflict.targetList or ()):
            return False
    return True


def sequence_retyped(p: Planner, col: Obj, to: ast.TypeName, after: int) -> bool:
    """Is the sequence of a serial column changed to type `to` later (ALTER SEQUENCE ... AS bigint)?"""
    seq = p.m.get("sequence", str(col.attrs.get("sequence") or ""))
    return seq is not None and seq.exists and any(
        isinstance(e.stmt.node, ast.AlterSeqStmt) and (e.stmt.parent or e.stmt).seq > after and id(e) not in p.dead
        and any(d.defname == "as" and isinstance(d.arg, ast.TypeName) and same_integer(d.arg, to) for d in e.stmt.node.options or ())
        for e in seq.events)


def made_in(made: Event, target: Item) -> bool:
    """Was the column made by the CREATE TABLE, or by an ADD COLUMN folded into it?"""
    seq = (made.stmt.parent or made.stmt).seq
    return seq == target.stmt.seq or any(s.seq == seq for s in target.folded)


def generated_from_changed(p: Planner, table: Obj, cd: ast.ColumnDef) -> bool:
    """Is the column generated from one whose change stays after the CREATE TABLE (a type change
    PostgreSQL refuses once a generated column uses it)?"""
    named = {n for c in cd.constraints or () if c.contype == CT.CONSTR_GENERATED and c.raw_expr is not None
             for n in expr_columns(c.raw_expr)}
    return any(o.type == "column" and o.key in p.unfoldable_cols and {o.name, *o.former_names} & {f"{table.name}.{n}" for n in named}
               for o in p.children(table.key)) if named and p.unfoldable_cols else False


def retyped_between(p: Planner, table: Obj, names: set[str], after: int, before: int) -> bool:
    """Is a column of these names given another type in between by a statement that stays? A
    constraint written for the new type (`CHECK (c >= 0)` of a text column made int) cannot be
    declared with the old one."""
    return any(e.action == ALTER and isinstance(e.stmt.node, ast.AlterTableStmt)
               and any(c.subtype == AT.AT_AlterColumnType and f"{table.name}.{c.name}" in (o.name, *o.former_names)
                       for c in e.stmt.node.cmds or ())
               for o, e in _kept_events_between(p, table, names, after, before))


def named_anew_in_between(p: Planner, table: Obj, names: set[str], after: int, before: int) -> bool:
    """Is a column of these names dropped or renamed in between by a statement that stays? Then
    the name in the CREATE is another column's (one dropped later, taking a key on it along)."""
    return any(e.action in (DROP, RENAME) for _, e in _kept_events_between(p, table, names, after, before))


def _kept_events_between(p: Planner, table: Obj, names: set[str], after: int, before: int) -> Iterator[tuple[Obj, Event]]:
    """The events of the table's columns of these names (now or once) between the two statements,
    by statements that stay in the new set."""
    if not names:
        return
    wanted = {f"{table.name}.{n}" for n in names}
    for o in p.children(table.key):
        if o.type == "column" and (o.name in wanted or o.former_names and not wanted.isdisjoint(o.former_names)):
            for e in o.events:
                seq = (e.stmt.parent or e.stmt).seq
                if after < seq < before and id(e) not in p.dead and seq not in p.dropped:
                    yield o, e


def named_by_table(cd: ast.ColumnDef) -> bool:
    """Does the column bring something PostgreSQL names after its table (an unnamed constraint, a
    serial's or an identity's sequence)?"""
    if cd.typeName is not None and is_serial(cd.typeName):
        return True
    return any(c.contype in _NAMED_BY_TABLE and not c.conname for c in cd.constraints or ())


_NAMED_BY_TABLE = {CT.CONSTR_PRIMARY, CT.CONSTR_UNIQUE, CT.CONSTR_CHECK, CT.CONSTR_FOREIGN, CT.CONSTR_EXCLUSION, CT.CONSTR_IDENTITY}


def persistence_changed_between(p: Planner, key: Obj, after: int, before: int) -> bool:
    """Was its table, or the table it references, made LOGGED or UNLOGGED in between? PostgreSQL
    refuses to change a table that a key ties to one of the other kind: the history drops such a
    key first and adds it again after (synapse's locks)."""
    tables = [t for k in (key.parent, key.referenced()) if (t := p.m.objects.get(k)) is not None]
    return any(after < (e.stmt.parent or e.stmt).seq < before and isinstance(e.stmt.node, ast.AlterTableStmt)
               and any(getattr(c, "subtype", None) in (AT.AT_SetLogged, AT.AT_SetUnLogged) for c in e.stmt.node.cmds or ())
               for t in tables for e in t.events)


def table_renamed_between(table: Obj, after: int, before: int) -> bool:
    """Was the table itself renamed between those two statements?"""
    return bool(table.former_names) and any(e.action == RENAME and after < (e.stmt.parent or e.stmt).seq < before for e in table.events)


def before_later_renames(p: Planner, it: Item, target: Item, items: list[Item], seq_items: dict[int, Item]) -> None:
    """A folded statement names what it needs by the names they had then (`REFERENCES t7`): the
    CREATE it folds into stays before the first later RENAME of each (to t23), wherever it goes."""
    for k in it.reads:
        o = p.m.objects.get(k)
        if o is None or not o.former_names:
            continue
        later = [seq for e in o.events if e.action == RENAME and (seq := (e.stmt.parent or e.stmt).seq) > it.seq]
        if not later:
            continue
        if not seq_items:
            seq_items.update((x.stmt.seq, x) for x in items)
        renaming = seq_items.get(min(later))
        if renaming is not None:
            key = f"@before:{k}:{renaming.seq}"
            target.reads.add(key)
            renaming.writes.add(key)


def stays(p: Planner, it: Item) -> None:
    """A statement that stays where it was: what it adds or changes in a table keeps the later
    additions and changes to the same after it."""
    altered = isinstance(it.node, ast.AlterTableStmt) or any(isinstance(s.node, ast.AlterTableStmt) for s in it.stmt.inner)
    for o, e in p.by_seq.get(it.seq, ()):
        if o.type != "column" or id(e) in p.dead:
            continue
        if e.action == ADD:
            if survives(o, e) or taken_whole(p, o, e):
                p.unfoldable_adds.add(o.parent)  # added where it cannot move from: later ADDs stay too
        elif altered:
            p.unfoldable_cols.add(o.key)  # changed after the CREATE (a default set): so are later changes


def named_anew_between(p: Planner, it: Item, target: Item, table: str) -> bool:
    """Does the statement name something by a name given it after the CREATE TABLE it would fold
    into (`REFERENCES t2` of a table renamed to t2 in between), or something made again since (t2
    dropped and created anew: the one it means is not there yet)? (The table itself and its
    columns the folded text names as the CREATE does.)"""
    words: set[str] | None = None
    for k in it.reads:
        o = p.m.objects.get(k)
        if o is None or k == table or o.parent == table or o.lives < 2 and not o.former_names:
            continue
        for e in o.events:
            seq = (e.stmt.parent or e.stmt).seq
            if not target.seq < seq < it.seq:
                continue
            if e.action == CREATE and o.type != "column" and e is not o.events[0]:
                return True  # made again: the first one's life is what the CREATE TABLE would see
            if e.action == RENAME and seq not in p.dropped:  # (a RENAME folded into its CREATE: the new name is there first)
                if words is None:
                    words = set(re.findall(r"\w+", it.stmt.text.lower()))
                if e.new_name.rsplit(".", 1)[-1].lower() in words:
                    return True
    return False


def past_truncate(p: Planner, it: Item, target: Item) -> bool:
    """Does the statement add a foreign key to a table TRUNCATEd between the CREATE TABLE and it?
    In the CREATE, the key would be there first, and PostgreSQL refuses to truncate a table a
    foreign key references."""
    for o, e in p.by_seq.get(it.seq, ()):
        if o.type != "constraint" or o.contype != "f":
            continue
        d = p.m.get("data", o.referenced()[6:])
        if d is not None and any(x.action == TRUNCATE and target.seq < (seq := (x.stmt.parent or x.stmt).seq) < it.seq
                                 and seq not in p.dropped for x in d.events):
            return True
    return False


def taken_whole(p: Planner, col: Obj, added: Event) -> bool:
    """Did a `*` that lasts take the table's columns while this one lived (dropped since), or a table
    made to inherit them? It saw them in their order then: a later column folded into the CREATE
    would come before this one."""
    table = p.m.objects.get(col.parent)
    if table is None or not (table.attrs.get("expanded") or table.attrs.get("liked") or table.key in p.inheritors()):
        return False
    start = (added.stmt.parent or added.stmt).seq
    end = next(((e.stmt.parent or e.stmt).seq for e in col.events if e.action == DROP and (e.stmt.parent or e.stmt).seq > start),
               len(p.a.parsed.statements))
    return expanded_between(p, table, start, end, views=False) or copied_between(p, table, start, end) or inherited_between(p, table, start, end)


def added_between(p: Planner, col: Obj, start: int, end: int) -> bool:
    """Is an earlier life of the column (of its name) added between `start` and `end` and written?
    (Dropped later, it stays after the CREATE: one of its name folded in would be there already.)"""
    return any(e.action == ADD and start < (e.stmt.parent or e.stmt).seq < end and id(e) not in p.dead for e in col.events)


def survives(col: Obj, added: Event) -> bool:
    """The column this event added is in the final schema (not dropped later, not a former life)."""
    return col.exists and col.last(ADD, CREATE) is added
