"""Folding into CREATE TABLE: columns and constraints added later, later changes to a column's
default, nullability or type, and column renames, where that changes neither the column order
nor the data."""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ConstrType as CT
from pglast.enums import ObjectType as OT

from tui.core.findings import INTO_CREATE
from tui.core.model import ADD, CREATE, RENAME, Obj
from tui.core.names import clone, expr_columns, is_serial, shallow, strings
from tui.core.parse import Statement
from tui.core.plan import blocks
from tui.core.plan.column_changes import columns_named, in_pass_order, keeps_rows, retype_foldable, widened_serial, widens
from tui.core.plan.column_renames import Shapes, Users, WholeInside, fold_rename, rows_before
from tui.core.plan.constraint_renames import fold_constraint_rename
from tui.core.plan.fold_limits import (
    added_between,
    before_later_renames,
    copied_between,
    default_set_next,
    domain_default_changed,
    drawn_per_row,
    expanded_between,
    generated_from_changed,
    inherited_between,
    inserted_between,
    made_in,
    named_anew_between,
    named_anew_in_between,
    named_by_table,
    needs_a_value,
    only_inserted,
    parent_grew_between,
    past_truncate,
    persistence_changed_between,
    retyped_between,
    sequence_retyped,
    stays,
    survives,
    table_renamed_between,
    taken_whole,
    typed_between,
    written_with,
)
from tui.core.plan.holding import takes_a_freed_name
from tui.core.plan.index_renames import fold_index_rename
from tui.core.plan.items import Item
from tui.core.plan.keys_apart import closes_cycle, key_command, keys_apart, needs_of_keys, without_keys
from tui.core.plan.name_holders import Holders, Written
from tui.core.plan.planner import Planner
from tui.core.plan.splice import Op
from tui.core.plan.table_renames import fold_table_rename
from tui.core.plan.type_renames import fold_type_rename
from tui.core.plan.unfollowed import stops
from tui.core.plan.unseen_names import made_unseen_between

_FOLDABLE_COLUMN = {AT.AT_ColumnDefault, AT.AT_SetNotNull, AT.AT_DropNotNull, AT.AT_AlterColumnType}


def fold(p: Planner, items: list[Item], apart: set[int] | None = None) -> None:
    """Move accepted ADD COLUMN / ADD CONSTRAINT and later column changes into CREATE TABLE.
    `apart`: statements whose columns fold without their foreign keys (see keys_apart)."""
    creates: dict[str, Item] = {}
    for it in items:
        if isinstance(it.node, ast.CreateStmt) and not it.stmt.parent:
            for o, e in p.by_seq.get(it.seq, []):
                if (o.type == "table" and e.action == CREATE and o.last(CREATE) is e and o.exists and it.seq not in p.no_fold
                        and it.seq not in p.pinned and "like_of" not in o.attrs and it.node.ofTypename is None):
                    # (Not into a CREATE TABLE (LIKE t): its columns are t's as they are where it
                    # lands, which the model does not follow through folds; nor OF a type: it has none.)
                    creates[o.key] = it
    folding = p.folding
    # Where statements the model cannot follow stop folds (see unfollowed).
    named, shaped = stops(p, list(creates))
    data_tables = {o.parent for o in p.m.objects.values() if o.type == "data" and o.events}
    gone: set[int] = set()  # items folded away whole, taken out at the end: a list.remove each is quadratic
    users: Users | None = None
    shapes = Shapes()
    seq_items: dict[int, Item] = {}  # made when first needed
    renames: list[Holders] = []  # made when first needed
    written: list[Written] = []  # (what every kind of rename asks, made once)
    for it in items:
        block = None
        if isinstance(it.node, ast.DoStmt) and not it.changed and (inner := _lone_change(it.stmt)) is not None:
            # Folded, the block goes; below, `it` is its one statement (with the block's reads and writes).
            block, it = it, Item(inner, inner.node, reads=it.reads, writes=it.writes)
        alone = it.stmt.parent is None or block is not None
        if block is None and isinstance(it.node, ast.RenameStmt) and it.seq in p.dropped:
            gone.add(id(it))  # folded with a RENAME met before it (a serial's sequence renamed with its table)
            continue
        if (isinstance(it.node, ast.RenameStmt) and it.node.renameType == OT.OBJECT_COLUMN and alone
                and it.seq not in p.pinned):
            users = users or Users(p, items, _written(p, items, written))
            fold_rename(p, it, gone, creates, folding, named, data_tables, users, shapes)
            if block is not None and id(it) in gone:
                gone.discard(id(it))
                gone.add(id(block))
            continue
        if (isinstance(it.node, ast.RenameStmt) and it.node.renameType == OT.OBJECT_TABLE and alone
                and it.seq not in p.pinned and _fold_table_rename(p, it, items, creates, folding, named, renames, written, shapes)):
            gone.add(id(block or it))
            continue
        if (isinstance(it.node, ast.RenameStmt) and it.node.renameType in (OT.OBJECT_TABCONSTRAINT, OT.OBJECT_INDEX, OT.OBJECT_TYPE)
                and alone and it.seq not in p.pinned):
            holders = _holders(p, items, renames, written)
            if not seq_items:
                seq_items.update((x.stmt.seq, x) for x in items)
            if it.node.renameType == OT.OBJECT_TYPE:
                if fold_type_rename(p, it, seq_items, holders, shapes.of):
                    gone.add(id(it))
            elif it.node.renameType == OT.OBJECT_INDEX:
                # (A key's index, renamed by ALTER INDEX, renames its key: Rails' `users_pkey`.)
                if fold_index_rename(p, it, seq_items, holders) or fold_constraint_rename(p, it, creates, folding, holders, shapes):
                    gone.add(id(it))
            elif fold_constraint_rename(p, it, creates, folding, holders, shapes):
                gone.add(id(block or it))
            continue
        if not isinstance(it.node, ast.AlterTableStmt) or not alone or it.seq in p.no_fold_stmts or it.seq in p.pinned:
            stays(p, block or it)
            continue
        table = next((o for o, e in p.by_seq.get(it.seq, []) if o.type == "table"), None)
        if table is None:
            # A column change leaves its event on the column only: the table is its parent.
            child = next((o for o, e in p.by_seq.get(it.seq, []) if o.type in ("column", "constraint")), None)
            table = p.m.objects.get(child.parent) if child is not None else None
        target = creates.get(table.key) if table is not None else None
        if target is None or target.seq >= it.seq or it.seq > shaped.get(table.key, it.seq + 1):  # type: ignore[union-attr]
            # (A later CREATE is another life of the table: an earlier statement never folds into it.)
            continue
        adds_only = it.seq > named.get(table.key, it.seq + 1)  # type: ignore[union-attr]
        if (named_anew_between(p, it, target, table.key) or past_truncate(p, it, target)  # type: ignore[union-attr]
                or copied_between(p, table, target.seq, it.seq) or made_unseen_between(p, it, target)):  # type: ignore[arg-type]
            stays(p, it)
            continue
        has_data = rows_before(p, table, it.seq, data_tables)  # type: ignore[arg-type]
        kept: dict[int, list[Any]] = {}  # what each folded command leaves in the ALTER (written in its order)
        keys: list[tuple[Any, Obj]] = []  # foreign keys of columns folded, written apart in this ALTER
        for cmd in in_pass_order(it.node.cmds or ()):
            before = len(keys)
            if _fold_cmd(p, target, it, table, cmd, folding, has_data, shapes, apart or set(), keys, adds_only):  # type: ignore[union-attr]
                kept[id(cmd)] = [c for c, _ in keys[before:]]
        keep_cmds = [c for cmd in it.node.cmds or () for c in kept.get(id(cmd), [cmd])]
        folded = bool(kept)
        if folded:
            whole = block or it
            target.fold_in(whole.stmt)
            p.record(INTO_CREATE, whole.stmt, target.stmt, [fid for o, _ in p.by_seq.get(it.seq, []) if (fid := folding.get((o.type, o.name)))])
            # What folded-in columns need: types, functions, referenced tables (not other columns,
            # nor what only the keys written apart need).
            only_keys = needs_of_keys([o for _, o in keys])
            target.needs_ahead(it.seq, {k for k in it.reads | it.writes if not k.startswith(("column:", "@"))} - only_keys,
                               {k for k in it.reads if not k.startswith(("column:", "@"))} - target.writes - only_keys)
            target.writes |= it.writes - only_keys
            # A folded foreign key keeps the CREATE after the TRUNCATEs of the table it references.
            target.reads.update(k for k in it.reads if k.startswith("@truncate:"))
            before_later_renames(p, it, target, items, seq_items)
            if keep_cmds:  # (never a block's: its one change folded, no key is written apart)
                it.node = shallow(it.node)
                it.node.cmds = tuple(keep_cmds)
                it.changed = True
            else:
                gone.add(id(whole))
                p.dropped[it.seq] = f"folded into {target.stmt.file}:{target.stmt.line}"
    if gone:
        items[:] = [it for it in items if id(it) not in gone]


def _lone_change(st: Statement) -> Statement | None:
    """The one statement of a DO block (blocks.lone_statement) the plan folds as if written alone: a
    RENAME of a column, a table or a constraint (guarded by a test of information_schema.columns,
    litellm's), or an ALTER TABLE of one change that folds whole (not a column with a foreign key,
    written apart: see keys_apart)."""
    inner = blocks.lone_statement(st)
    if inner is None:
        return None
    if isinstance(inner.node, ast.RenameStmt):
        return inner if inner.node.renameType in (OT.OBJECT_COLUMN, OT.OBJECT_TABLE, OT.OBJECT_TABCONSTRAINT) else None
    if not isinstance(inner.node, ast.AlterTableStmt):
        return None
    cmds = inner.node.cmds or ()
    if len(cmds) != 1 or cmds[0].subtype == AT.AT_AddColumn and any(
            c.contype == CT.CONSTR_FOREIGN for c in cmds[0].def_.constraints or ()):
        return None
    return inner


def _fold_table_rename(p: Planner, it: Item, items: list[Item], creates: dict[str, Item], folding: dict[tuple[str, str], str],
                       named: dict[str, int], renames: list[Holders], written: list[Written], shapes: Shapes) -> bool:
    table = next((o for o, e in p.by_seq.get(it.seq, []) if o.type == "table" and e.action == RENAME), None)
    if table is None or ("table", table.name) not in folding or it.seq > named.get(table.key, it.seq + 1):
        return False
    holders = _holders(p, items, renames, written)
    return fold_table_rename(p, it, creates.get(table.key), table, folding[("table", table.name)], holders, p.m.read_at(), shapes.of)


def _written(p: Planner, items: list[Item], made: list[Written]) -> Written:
    if not made:
        made.append(Written(p, items))
    return made[0]


def _holders(p: Planner, items: list[Item], made: list[Holders], written: list[Written]) -> Holders:
    if not made:
        made.append(Holders(p, items, _written(p, items, written)))
    return made[0]


def _self_reference_renamed(p: Planner, table: Obj, fk: Obj, target: Item, it: Item) -> bool:
    """Does a foreign key of the table to itself name it by a name a RENAME gave it after its
    CREATE (and not folded into it)? In the CREATE it would name a table not there yet."""
    # (By what the statement names: the key's last life may reference another table.)
    names = table.local_names()
    if fk.referenced() != table.key and not any(
            getattr(getattr(cmd, "def_", None), "pktable", None) is not None and cmd.def_.pktable.relname in names
            for cmd in getattr(it.node, "cmds", None) or ()):
        return False
    inside = WholeInside(p, target)
    return any(e.action == RENAME and target.seq < (seq := (e.stmt.parent or e.stmt).seq) < it.seq and seq not in inside
               for e in table.events)


def _fold_cmd(p: Planner, target: Item, it: Item, table: Obj, cmd: Any, folding: dict[tuple[str, str], str], has_data: bool,
              shapes: Shapes, apart: set[int], keys: list[tuple[Any, Obj]], adds_only: bool = False) -> bool:
    if adds_only and cmd.subtype not in (AT.AT_AddColumn, AT.AT_AddConstraint):
        return False  # a statement the model cannot follow named the table before: it may use the column as it was
    elts = shapes.of(target)
    if cmd.subtype == AT.AT_AddColumn:
        # The column this statement added, by its event here: renamed later, its name now is another.
        col = next((o for o, e in p.by_seq.get(it.seq, []) if o.type == "column" and e.action == ADD and o.parent == table.key
                    and e.name.rsplit(".", 1)[-1] == cmd.def_.colname), None) or p.m.get("column", f"{table.name}.{cmd.def_.colname}")
        if table.key in p.unfoldable_adds:
            return False  # an earlier ADD COLUMN stayed: folding this one would change the column order
        added_here = col is not None and any(e.action == ADD and (e.stmt.parent or e.stmt).seq == it.seq for e in col.events)
        if col is None or ("column", col.name) not in folding or not added_here:
            last = col.last(ADD, CREATE) if col is not None else None
            if col is None or (last is not None and (survives(col, last) or taken_whole(p, col, last))
                               and (last.stmt.parent or last.stmt).seq == it.seq):
                # A column that stays where it was added: folding a later one would change the order.
                p.unfoldable_adds.add(table.key)
            return False
        others = columns_named(cmd.def_)
        if (cmd.def_.colname in elts.columns or named_by_table(cmd.def_) and table_renamed_between(table, target.seq, it.seq)
                or others - elts.columns.keys() or named_anew_in_between(p, table, others, target.seq, it.seq)
                or inherited_between(p, table, target.seq, it.seq) or takes_a_freed_name(p, table, cmd.def_.constraints or (), target.seq, it.seq)
                or parent_grew_between(p, table, target.seq, it.seq)
                or generated_from_changed(p, table, cmd.def_) or expanded_between(p, table, target.seq, it.seq)
                or drawn_per_row(p, table, cmd.def_, target.seq, it.seq) or added_between(p, col, target.seq, it.seq)
                or (needs_a_value(cmd.def_) or domain_default_changed(p, col, cmd.def_, target.seq))
                and inserted_between(p, table, target.seq, it.seq)):
            # It stays where it was (see fold_limits: what it names, or what PostgreSQL names after
            # the table, would differ in the CREATE), and so do the ADDs after it.
            p.unfoldable_adds.add(table.key)
            return False
        if any(o.type == "constraint" and o.contype == "f" and _self_reference_renamed(p, table, o, target, it)
               for o, _ in p.by_seq.get(it.seq, [])):
            p.unfoldable_adds.add(table.key)
            return False
        split = keys_apart(p, table.key, it.seq, cmd.def_, apart)
        p._edit(target)
        elts.add_column(target.node, without_keys(cmd.def_) if split else clone(cmd.def_))
        target.add_op(Op("add", cmd.def_, it.stmt, apart=bool(split)))
        keys.extend((key_command(cmd.def_, c, o), o) for c, o in split)
        return True
    if cmd.subtype == AT.AT_AddConstraint:
        con = cmd.def_
        obj = next((o for o, e in p.by_seq.get(it.seq, []) if e.part is con), None)
        # Unnamed, it is named as PostgreSQL named it then: in the CREATE it could be named otherwise
        # (after a name the table or a column had then, or around a constraint dropped in between).
        name = con.conname or (obj.attrs.get("conname") if obj is not None else None)
        if (obj is None or not name or ("constraint", obj.name) not in folding or con.skip_validation or con.contype == CT.CONSTR_NOTNULL
                or con.indexname or takes_a_freed_name(p, table, [con], target.seq, it.seq)):
            return False  # (CREATE TABLE cannot take an index made before it: UNIQUE USING INDEX)
        if has_data and not only_inserted(p, table, target.seq, it.seq, con):
            return False  # the rows written before it would be checked as they are written (a row deleted since, a duplicate)
        if any(id(e) not in p.dead and (e.stmt.parent or e.stmt).seq < it.seq for e in obj.events):
            return False  # an earlier life of it stays: it is dropped in between, so this one stays after
        if obj.contype == "f" and (closes_cycle(p, table.key, obj) or persistence_changed_between(p, obj, target.seq, it.seq)
                                   or _self_reference_renamed(p, table, obj, target, it)):
            return False  # the tables reference each other (the key can only be added once all exist), or change kind
        named = set(strings(con.keys)) | set(strings(con.fk_attrs)) | set(strings(con.including))
        if con.raw_expr is not None:
            named |= set(expr_columns(con.raw_expr))
        if (named - elts.columns.keys() or retyped_between(p, table, named, target.seq, it.seq)
                or named_anew_in_between(p, table, named, target.seq, it.seq)):
            return False  # a column it names stayed outside the CREATE, or its type change, drop or rename did
        if con.contype in (CT.CONSTR_PRIMARY, CT.CONSTR_UNIQUE) and elts.keys[tuple(strings(con.keys))] > 0:
            # CREATE TABLE keeps one of two index constraints on the same columns (ALTER TABLE makes both).
            return False
        # A foreign key needs the unique key it references, which may be made after the table.
        it.reads |= _unique_keys(p, obj)
        p._edit(target)
        written = clone(con)
        written.conname = name
        elts.add_constraint(target.node, written, con)
        target.add_op(Op("add", con, it.stmt))
        if not con.conname:
            target.add_op(Op("name_constraint", part=con, new=str(name)))
        return True
    if cmd.subtype in _FOLDABLE_COLUMN:
        # The column by the name this statement gives it: it may be renamed later.
        col = next((o for o, e in p.by_seq.get(it.seq, []) if o.type == "column" and o.parent == table.key
                    and cmd.name in o.local_names()), None)
        if col is None:
            return False
        made = col.last(ADD, CREATE)
        if made is None or not made_in(made, target):
            return False  # (the CREATE's column of that name is another: this one was added by an ALTER that stayed)
        defs = elts.columns.get(cmd.name, [])
        if ((has_data and not (len(defs) == 1 and keeps_rows(cmd, defs[0]))
             and not (cmd.subtype == AT.AT_ColumnDefault and written_with(p, table, cmd.name, target.seq, it.seq)))
                or ("column", col.name) not in folding
                or len(defs) != 1 or col.key in p.unfoldable_cols):
            # It stays after the CREATE: a later change folded in would come before it.
            p.unfoldable_cols.add(col.key)
            return False
        serial = cmd.subtype == AT.AT_AlterColumnType and defs[0].typeName is not None and is_serial(defs[0].typeName)
        follows = serial and sequence_retyped(p, col, cmd.def_.typeName, target.seq)
        if cmd.subtype == AT.AT_AlterColumnType and (not _retype_foldable(p, col, table, it, cmd, defs[0], elts.checked[cmd.name] > 0, follows)
                                                      or typed_between(p, col, target.seq, it.seq, widens(defs[0].typeName, cmd.def_.typeName),
                                                                       _domain(p, defs[0].typeName))):
            # PostgreSQL keeps a default or CHECK written for the old type as it was written
            # (`'a'::text`): declared with the new type it would read differently. And a CREATE
            # TABLE AS in between took the old type.
            p.unfoldable_cols.add(col.key)  # and later changes to it stay after this one
            return False
        if cmd.subtype == AT.AT_ColumnDefault and defs[0].typeName is not None and is_serial(defs[0].typeName):
            # serial is its own default: CREATE TABLE refuses a second, and a serial dropped
            # of its default still makes (and owns) its sequence.
            p.unfoldable_cols.add(col.key)
            return False
        if cmd.subtype == AT.AT_AlterColumnType:
            # The new type (an enum, a domain) may be created later than the table.
            it.reads |= {d for d in col.depends if d.startswith(("type:", "domain:")) and d in p.m.objects}
        p._edit(target)
        cd = clone(defs[0])
        _apply_column_cmd(cd, cmd)
        if serial and defs[0].typeName is not None:
            cd.typeName = ast.TypeName(names=(ast.String(sval=str(widened_serial(defs[0].typeName, cmd.def_.typeName))),))
        elts.replace(target.node, defs[0], cd)
        target.add_op(Op("change", cmd, it.stmt, column=cmd.name))
        if cmd.subtype == AT.AT_AlterColumnType:
            p.retyped.add(col.key)
        return True
    if cmd.name:
        # A setting kept as written (SET STORAGE): a later change to the column (its type) stays
        # after it. (The column by the name it had then: it may be renamed later.)
        p.unfoldable_cols.update(o.key for o in p.children(table.key) if o.type == "column" and cmd.name in o.local_names())
    return False


def _domain(p: Planner, tn: ast.TypeName | None) -> bool:
    """A domain the history makes: its values reach a function or an operator through a cast."""
    names = strings(tn.names) if tn is not None else []
    return bool(names) and (p.m.get("domain", ".".join(names)) is not None or p.m.get("domain", names[-1]) is not None)


def _retype_foldable(p: Planner, col: Obj, table: Obj, it: Item, cmd: Any, cd: ast.ColumnDef, checked: bool, follows: bool) -> bool:
    new = cmd.def_.typeName
    return retype_foldable(cd, new, checked, follows) or (
        retype_foldable(cd, new, checked, follows, default_replaced=True) and default_set_next(p, col, table, it.node, cmd, it.seq))


def _unique_keys(p: Planner, fk: Obj) -> set[str]:
    """The unique indexes and constraints on the columns a foreign key references: created before it."""
    ref = p.m.get("table", str(fk.attrs.get("ref_table", "")))
    if fk.contype != "f" or ref is None:
        return set()
    want = set(fk.attrs.get("ref_columns", ()))
    out = set()
    for o in p.children(ref.key):
        if o.type == "constraint" and (o.contype == "p" and not want or o.contype in ("p", "u") and set(o.attrs.get("columns", ())) == want):
            out.add(o.key)
        elif o.type == "index" and o.attrs.get("unique") and want and set(o.attrs.get("columns", ())) == want:
            out.add(o.key)
    return out


def _apply_column_cmd(cd: ast.ColumnDef, cmd: Any) -> None:
    """Write one ALTER COLUMN change into a column definition."""
    cons = [c for c in cd.constraints or ()]
    if cmd.subtype == AT.AT_ColumnDefault:
        cons = [c for c in cons if c.contype != CT.CONSTR_DEFAULT]
        if cmd.def_ is not None:
            cons.append(ast.Constraint(contype=CT.CONSTR_DEFAULT, raw_expr=cmd.def_))
    elif cmd.subtype == AT.AT_SetNotNull:
        cons = [c for c in cons if c.contype not in (CT.CONSTR_NOTNULL, CT.CONSTR_NULL)]
        cons.append(ast.Constraint(contype=CT.CONSTR_NOTNULL))
    elif cmd.subtype == AT.AT_DropNotNull:
        cons = [c for c in cons if c.contype not in (CT.CONSTR_NOTNULL, CT.CONSTR_NULL)]
    elif cmd.subtype == AT.AT_AlterColumnType:
        cd.typeName = cmd.def_.typeName
        cd.collClause = cmd.def_.collClause  # (none said: the new type's default, as ALTER ... TYPE sets it)
    cd.constraints = tuple(cons)
