"""Column renames folded into CREATE TABLE: the column is written under its final name where
nothing written between them names it by the old one, and the names PostgreSQL derived from the
old one are written out (derived_names). Also what the folds share: the CREATE's elements as they
change, and whether a table may hold rows at a statement."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pglast import ast
from pglast.enums import ConstrType as CT

from tui.core.findings import INTO_CREATE
from tui.core.model import CREATE, RENAME, Obj
from tui.core.names import clone, is_serial, texts
from tui.core.parse import parse_sql
from tui.core.plan import derived_names
from tui.core.plan.accept import is_left_out
from tui.core.plan.column_text import name_after_to
from tui.core.plan.elements import Elements
from tui.core.plan.fold_limits import copied_between, expanded_between
from tui.core.plan.index_renames import index_naming_renamed
from tui.core.plan.mentioned import WORD
from tui.core.plan.name_holders import Written
from tui.core.plan.row_text import rename_insert_column
from tui.core.plan.splice import Op

if TYPE_CHECKING:
    from tui.core.plan.items import Item
    from tui.core.plan.planner import Planner


def rows_before(p: Planner, table: Obj, seq: int, data_tables: set[str]) -> bool:
    """Might the table hold a row at statement `seq` in the consolidated set? Not when it surely
    held none in the history then and every statement that wrote its rows before is left out.
    A table made to inherit from it before holds its rows too: a change of a column reaches them."""
    for at in p.inheritors().get(table.key, ()):
        heir = next((o for o, e in p.by_seq.get(at, ()) if o.type == "table" and e.action == CREATE), None) if at < seq else None
        if heir is not None and heir is not table and rows_before(p, heir, seq, data_tables):
            return True
    if table.key not in data_tables:
        return False
    if seq not in p.m.quiet:
        return True
    d = p.m.get("data", table.name)
    made = table.last(CREATE)
    born = made.stmt.seq if made is not None else -1
    return any(born < (e.stmt.parent or e.stmt).seq < seq and id(e) not in p.dead
               and (e.stmt.parent or e.stmt).seq not in p.dropped for e in (d.events if d is not None else ()))


class WholeInside:
    """The statements all of whose text is in CREATE TABLE `target`: its own and those folded into
    it whole (one folded in part is still written, naming what it names). Asked `seq in it`; a
    set of a table's folded statements made for each rename was most of a plan's folding, so the
    set is made only for a statement dropped as folded into a statement of that file and line."""

    __slots__ = ("_folded", "dropped", "mark", "target")

    def __init__(self, p: Planner, target: Item) -> None:
        self.target, self.dropped = target, p.dropped
        self.mark = f"folded into {target.stmt.file}:{target.stmt.line}"
        self._folded: set[int] | None = None

    def __contains__(self, seq: object) -> bool:
        if seq == self.target.seq:
            return True
        if self.dropped.get(seq) != self.mark:  # type: ignore[call-overload]
            return False
        if self._folded is None:
            self._folded = {s.seq for s in self.target.folded}
        return seq in self._folded


class Shapes:
    """The elements of each CREATE TABLE folded into, made at its first fold."""

    def __init__(self) -> None:
        self._by_item: dict[int, Elements] = {}

    def of(self, target: Item) -> Elements:
        found = self._by_item.get(id(target))
        if found is None:
            found = self._by_item[id(target)] = Elements(target.node)
        return found


class Users:
    """What uses each object: the statements that need it, the objects that depend on it. Made
    once for the column renames (a scan of every statement and object for each rename was
    quadratic on a table renamed column by column)."""

    def __init__(self, p: Planner, items: list[Item], written: Written) -> None:
        self.read_at = p.m.read_at()  # id(object) -> seqs of the statements that need it
        self.depended: dict[str, list[Obj]] = {}  # key -> objects that depend on it
        for o in p.m.objects.values():
            for d in o.depends:
                self.depended.setdefault(d, []).append(o)
        # (an index over the column, or an INSERT naming it, may be rewritten)
        self.indexes, self.code = written.indexes, written.code
        self.inserts = {it.seq: it for it in items if isinstance(it.node, ast.InsertStmt)}


def fold_rename(p: Planner, it: Item, gone: set[int], creates: dict[str, Item], folding: dict[tuple[str, str], str],
                 named: dict[str, int], data_tables: set[str], users: Users, shapes: Shapes) -> None:
    """Give a column its final name in CREATE TABLE, when nothing between them used the old name."""
    col = next((o for o, e in p.by_seq.get(it.seq, []) if o.type == "column" and e.action == RENAME), None)
    if col is None or ("column", col.name) not in folding:
        return
    table = p.m.objects.get(col.parent)
    target = creates.get(col.parent)
    if table is None or target is None or target is it or it.seq > named.get(col.parent, it.seq + 1) or target.seq > it.seq:
        return
    old, new = it.node.subname, it.node.newname
    # A function's code naming the table and the column, alive while the column had the old name,
    # may run then (a trigger, a call): in the new set the column would already have the new one.
    said = {old.lower(), table.name.rsplit(".", 1)[-1].lower()}
    if users.code.alive_saying(said, target.seq, it.seq):
        return
    # Rows written before the rename: the INSERTs naming the column are written naming the new name.
    writes = _row_writes(p, table, target, it, old, new, users) if rows_before(p, table, it.seq, data_tables) else ({}, set())
    if writes is None:
        return
    inserts, unnamed = writes
    inside = WholeInside(p, target)
    # An index made over the column before the rename is written naming the new name.
    indexes = []
    for o in users.depended.get(col.key, ()):
        if o.born < it.seq and not _gone_or_named_inside(p, o, inside, it.seq):
            rewritten = index_naming_renamed(p, o, old, new, range(target.seq + 1, it.seq), users.indexes)
            if rewritten is None:
                return
            indexes.append(rewritten)
    # Whatever else named the column before the rename (a view, a constraint) was written with
    # the old name; a view over `*` of the table took it by that name.
    # A statement left out names nothing.
    rewrites = {ix.seq for ix, _ in indexes} | set(inserts) | unnamed
    if (any(seq < it.seq and seq != target.seq and seq not in rewrites and not is_left_out(p, seq) for seq in users.read_at.get(id(col), ()))
            or expanded_between(p, table, target.seq, it.seq) or copied_between(p, table, target.seq, it.seq)):
        return
    # A statement between them that stays (not folded into the CREATE) names the column by its old name.
    if any(target.seq < (e.stmt.parent or e.stmt).seq < it.seq and (e.stmt.parent or e.stmt).seq not in p.dropped
           for e in col.events):
        return
    elts = shapes.of(target)
    defs = elts.columns.get(old, [])
    if len(defs) != 1 or new in elts.columns:
        return
    if defs[0].typeName is not None and is_serial(defs[0].typeName):
        return  # its sequence is named after the column as it was called
    # A key, UNIQUE or foreign key of the table naming it in its columns is written naming the new
    # name (one PostgreSQL named after the columns, under that name); a CHECK or an expression
    # naming it would need rewriting too.
    others = elts.naming(defs[0], old)
    keys = [(e, r) for e in others or () if (r := _renamed_key(e, old, new)) is not None]
    if others is None or len(keys) != len(others):
        return
    for e, r in keys:
        if not e.conname and e.contype != CT.CONSTR_PRIMARY:
            r.conname = derived_names.name_of(p, table, inside, e)
            if not r.conname:
                return
    naming = derived_names.of_column(p, table, inside, defs[0])
    if naming is None:
        return
    p._edit(target)
    for ix, node in indexes:
        ix.node, ix.changed = node, True
    for seq, text in inserts.items():
        ins = users.inserts[seq]
        ins.stmt = replace(ins.stmt, text=text, node=(node := parse_sql(text)[0].stmt), base=0, namers=None)
        ins.node = node
    for e, r in keys:
        written = elts.as_written(e)  # (its text is found by the node the statement wrote)
        target.add_op(Op("rename_key_column", part=written, column=old, new=new))
        elts.swap(target.node, e, r)
        if r.conname != e.conname:
            target.add_op(Op("name_constraint", part=written, new=str(r.conname)))
    cd = clone(defs[0])
    cd.colname = new
    if naming:
        derived_names.write(target, elts, naming, copy=cd)
    elts.replace(target.node, defs[0], cd)
    target.add_op(Op("rename", column=old, new=name_after_to(it.stmt), column_new=new))
    target.fold_in(it.stmt)
    p.record(INTO_CREATE, it.stmt, target.stmt, [folding[("column", col.name)]])
    gone.add(id(it))
    p.dropped[it.seq] = f"folded into {target.stmt.file}:{target.stmt.line}"


_WRITES = (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.CopyStmt)


def _row_writes(p: Planner, table: Obj, target: Item, it: Item, old: str, new: str, users: Users) -> tuple[dict[int, str], set[int]] | None:
    """The statements that wrote the table's rows between its CREATE and the column's rename: those
    that name the column, each an INSERT whose column list alone names it, as written naming the
    new name, and those that do not (rows by position, changes of other columns); None where one
    cannot be told so (an UPDATE, a COPY or a block naming it), or a trigger on the table may run
    code naming it."""
    if any(o.type == "trigger" for o in p.children(table.key)):
        return None
    d = p.m.get("data", table.name)
    out: dict[int, str] = {}
    unnamed: set[int] = set()
    for e in d.events if d is not None else ():
        seq = (e.stmt.parent or e.stmt).seq
        if not target.seq < seq < it.seq or id(e) in p.dead or seq in p.dropped or seq in out:
            continue
        st = p.a.parsed.statements[seq]
        ins = users.inserts.get(seq)
        # (An INSERT's text as an earlier rename of another of its columns left it.)
        if old.lower() not in WORD.findall((ins.stmt if ins is not None else st).text.lower()):
            # (Only a statement writing the table itself: rows a trigger or a function of another
            # table wrote came from code that may name the column.)
            relation = getattr(st.node, "relation", None)
            if st.parent is not None or not isinstance(st.node, _WRITES) or relation is None or relation.relname != table.name.rsplit(".", 1)[-1]:
                return None
            unnamed.add(seq)
            continue
        if ins is None or ins.seq in p.pinned or ins.changed or ins.stmt.parent is not None or not ins.node.cols:
            return None
        if [c.name for c in ins.node.cols].count(old) != 1 or old in set(texts(ins.node.selectStmt)) | set(texts(ins.node.onConflictClause)) \
                | set(texts(ins.node.returningList if hasattr(ins.node, "returningList") else ins.node.returningClause)):
            return None
        text = rename_insert_column(ins.stmt.text, old, new)
        if text is None:
            return None
        out[seq] = text
    return out, unnamed


def _renamed_key(e: Any, old: str, new: str) -> ast.Constraint | None:
    """The table constraint `e` naming column `old` as `new` in its own column lists; None where it
    names `old` otherwise (an expression, a column it references: a key to the table itself)."""
    if not isinstance(e, ast.Constraint) or e.contype not in (CT.CONSTR_PRIMARY, CT.CONSTR_UNIQUE, CT.CONSTR_FOREIGN):
        return None
    r = clone(e)
    for attr in ("keys", "fk_attrs", "including"):
        names = getattr(r, attr)
        if names:
            setattr(r, attr, tuple(ast.String(sval=new) if isinstance(n, ast.String) and n.sval == old else n for n in names))
    return None if old in set(texts(r)) else r


def _gone_or_named_inside(p: Planner, o: Obj, inside: WholeInside, rename: int) -> bool:
    """Is an object over the column, up to its rename at `rename`, left out, or a constraint of the
    CREATE TABLE (or of a statement folded into it)? An index would say the old name. (A life
    after the rename names the new one: a primary key made again over the renamed column.)"""
    before = [e for e in o.events if (e.stmt.parent or e.stmt).seq < rename]
    if all(id(e) in p.dead for e in before):
        return True
    # (One PostgreSQL named after the column is named in the CREATE: derived_names.)
    return o.type == "constraint" and all((e.stmt.parent or e.stmt).seq in inside or id(e) in p.dead for e in before)
