"""Render a plan as migration files in the input's own format, byte for byte the same on every run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pglast import ast
from pglast.stream import IndentedStream, maybe_double_quote_name

from tui.core.errors import ConsolidateError
from tui.core.filing import Filed, file_items
from tui.core.formats import FORMATS
from tui.core.formats.base import Block, Layout, NewFile
from tui.core.guard import HEADER as GUARD_HEADER
from tui.core.guard import Guard
from tui.core.line_endings import with_crlf
from tui.core.model import CREATE, REPLACE, Model, key_of
from tui.core.names import clone
from tui.core.plan import Item, Plan
from tui.core.plan.blocks import block_text
from tui.core.plan.enum_labels import splice_labels
from tui.core.plan.index_renames import index_text
from tui.core.plan.row_text import splice_inserts
from tui.core.plan.splice import splice, splice_alter

# Statements with a body, which a tool that splits files on semicolons must not cut.
_WHOLE = (ast.CreateFunctionStmt, ast.DoStmt, ast.CreateTrigStmt)


@dataclass
class RenderedFile:
    """One file of the new set. `path` is relative to the migrations folder, with `/`."""

    path: str
    text: str
    objects: list[str] = field(default_factory=list)
    statements: int = 0
    down_path: str = ""
    down_text: str = ""

    up_text: str = ""  # the up part alone, where the file also holds the down part (dbmate, goose)
    extra: dict[str, str] = field(default_factory=dict)  # files the tool reads beside it, by path
    spans: list[tuple[int, int, Item]] = field(default_factory=list)  # first and last line of each statement in `text`

    @property
    def lines(self) -> int:
        """Newlines plus one of the up part, as the size targets count."""
        return (self.up_text or self.text).count("\n") + 1


def statement_sql(it: Item) -> str:
    """An item's SQL: the original text when untouched, pglast's printing of the edited tree otherwise."""
    if not it.changed:
        return it.stmt.text
    text = None
    if it.ops:
        text = splice(it.stmt, it.ops)
    elif isinstance(it.node, ast.AlterTableStmt):
        text = splice_alter(it.stmt, list(it.node.cmds or ()))
    elif it.merged:
        text = splice_inserts(it.stmt, it.merged)
    elif isinstance(it.node, ast.CreateEnumStmt):
        text = splice_labels(it.stmt, it.node)
    elif isinstance(it.node, ast.DoStmt):
        text = block_text(it.stmt, it.node)
    elif isinstance(it.node, ast.IndexStmt):
        text = index_text(it.stmt, it.node)
    if text is not None:
        return text
    # The printer marks every node it prints with its ancestors: print a copy, so the trees the
    # next candidate plans from stay as parsed.
    return IndentedStream(comma_at_eoln=True)(clone(it.node))


def _inside(file: str, folder: str) -> str:
    """A history file's path inside the migrations folder, as a new file's comments name it."""
    prefix = folder.rstrip("/") + "/"
    return file[len(prefix):] if folder not in ("", ".") and file.startswith(prefix) else file.split("/", 1)[-1]


def _block(it: Item, folder: str) -> str:
    parts = []
    if it.stmt.comments:
        parts.append(it.stmt.comments)
    if it.folded:
        # The path inside the migrations folder: diesel's files are all called up.sql.
        where = ", ".join(f"{_inside(s.file, folder)}:{s.line}" for s in sorted(it.folded, key=lambda s: s.seq))
        parts.append(f"-- folded in: {where}")
    if it.merged:
        files = ", ".join(dict.fromkeys(_inside(s.file, folder) for s in [it.stmt, *it.merged]))
        parts.append(f"-- rows of {len(it.merged) + 1} INSERT statements, in their order: {files}")
    for note in it.notes:
        parts.append(f"-- {note}")
    sql = statement_sql(it)
    # A statement whose last line ends in a `--` comment takes its semicolon on the next line.
    parts.append(sql + ("\n;" if "--" in sql.rsplit("\n", 1)[-1] else ";"))
    if it.stmt.copy_rows is not None:
        parts.append(it.stmt.copy_rows + "\\.")  # its rows, as the history wrote them after it
    return "\n".join(parts)


def _created(model: Model, items: list[Item], kept: set[int]) -> list[tuple[str, str]]:
    """(type, name) of the objects these statements create, in order. `kept`: the statements of
    the whole set (a CREATE OR REPLACE whose earlier CREATE was left out makes the object)."""
    out: dict[tuple[str, str], None] = {}  # ordered, and a lookup that does not scan the list
    # Per object, the statements that created it (None: none did), found once: a table changed by
    # thousands of statements has thousands of events, and each of those statements writes it.
    made_at: dict[str, set[int] | None] = {}
    for it in items:
        # (A key is `type:name`: the columns a wide table's CREATE writes are passed over unsorted.)
        for key in sorted(k for k in it.writes if k[:k.find(":")] in _MADE_KINDS):
            o = model.objects.get(key)
            if o is None or not o.exists:
                continue
            if key not in made_at:
                made = {(e.stmt.parent or e.stmt).seq for e in o.events if e.action == CREATE}
                replaced = [at for e in o.events if e.action == REPLACE and (at := (e.stmt.parent or e.stmt).seq) in kept]
                if made and not made & kept and replaced:
                    made = {min(replaced)}  # (the first definition the set keeps makes it)
                made_at[key] = made or None
            seqs = made_at[key]
            if seqs is None or it.seq in seqs:
                out.setdefault((o.type, o.name))
    return list(out)


def _changes_only(model: Model, items: list[Item], made: set[str]) -> bool:
    """Whether these statements change only objects (or parts of objects) that earlier files of the
    set create: dropping those undoes them."""
    touched = [k for it in items for k in it.writes if not k.startswith("@")]
    for key in touched:
        while (o := model.objects.get(key)) is not None and key not in made and o.parent:
            key = o.parent
        if key not in made:
            return False
    return bool(touched)


_DROP = {"table": "TABLE", "view": "VIEW", "function": "FUNCTION", "type": "TYPE", "domain": "DOMAIN",
         "sequence": "SEQUENCE", "extension": "EXTENSION", "schema": "SCHEMA", "collation": "COLLATION"}
_MADE_KINDS = frozenset((*_DROP, "trigger", "index"))


# Every new database has them: a `CREATE ... IF NOT EXISTS` of one creates nothing to drop.
_PREEXISTING = {("schema", "public"), ("extension", "plpgsql")}


def _sql_name(name: str) -> str:
    """A model name (`schema.name`, a function's with its argument types) as SQL: each part
    quoted where PostgreSQL needs it (`"user"`, `"Mixed"`)."""
    base, paren, args = name.partition("(")
    return ".".join(maybe_double_quote_name(p) for p in base.split(".")) + paren + args


def _down(model: Model, created: list[tuple[str, str]]) -> str:
    lines = []
    made = set(created)
    for type_, name in reversed(created):
        if (type_, name) in _PREEXISTING:
            continue
        if type_ == "index":
            if (o := model.get(type_, name)) is not None and tuple(o.parent.split(":", 1)) not in made:
                lines.append(f"DROP INDEX IF EXISTS {_sql_name(name)};")  # (its table's drop takes it along)
            continue
        if type_ == "trigger":
            table, trig = name.rsplit(".", 1)
            lines.append(f"DROP TRIGGER IF EXISTS {maybe_double_quote_name(trig)} ON {_sql_name(table)};")
            continue
        o = model.get(type_, name)
        word = "MATERIALIZED VIEW" if o is not None and o.attrs.get("materialized") else _DROP[type_]
        lines.append(f"DROP {word} IF EXISTS {_sql_name(name)} CASCADE;")
    return "\n".join(lines) + ("\n" if lines else "")


def render(plan: Plan, model: Model, fmt: str, reversible: bool, guard: Guard | None = None,
           versions: list[str] | None = None, crlf: bool = False, folder: str = "migrations") -> list[RenderedFile]:
    """The files of the new set, as `filing` cuts the domains, numbered so that name order is apply
    order, with the guard first or last where there is one. `versions`: the versions the files
    take, in order, instead of 0001, 0002... (with --from, those of the range they replace, which
    sort between the files kept before and after it). `crlf`: lines end in CR LF, as the history's do.
    `folder`: the migrations folder, inside which the comments name the history's files."""
    files: list[RenderedFile] = []
    texts = {id(it): _block(it, folder) for it in plan.items}
    groups = file_items(plan, model, plan.concerns, lambda it: texts[id(it)].count("\n") + 2)
    first = guard is not None and not guard.version
    width = max(4, len(str(len(groups) + 1)))
    needed = len(groups) + first + bool(plan.adjust.setvals)
    if versions is not None and needed > len(versions):
        raise ConsolidateError("the range is too short for the set", f"its {len(versions)} migration(s) give their versions to "
                               f"the new files, and the set needs {needed}: start --from an earlier version")

    def number(n: int) -> str:
        return versions[n - 1] if versions is not None else f"{n:0{width}d}"

    lay_out = FORMATS[fmt].layout
    if guard is not None and first:
        files.append(_guard(guard, number(1), lay_out, reversible))
    kept = {it.seq for it in plan.items}
    made: set[str] = set()  # the keys of what the files so far create
    for n, filed in enumerate(groups, 1 + first):
        group, items = filed.name, filed.items
        created = _created(model, items, kept)
        undone = not created and _changes_only(model, items, made)
        made.update(key_of(t, nm) for t, nm in created)
        header = _header(filed, folder)
        blocks = [Block(texts[id(it)], isinstance(it.node, _WHOLE)) for it in items]
        transactional = not (len(items) == 1 and items[0].alone)
        condition = {plan.conditions.get(it.stmt.seq, "") for it in items}
        laid = lay_out(NewFile(number(n), group, header, blocks, _down(model, created), transactional, undone,
                               condition.pop() if len(condition) == 1 else ""), reversible)
        files.append(RenderedFile(laid.path, laid.text, [f"{t} {nm}" for t, nm in created if t != "index"], len(items), laid.down_path,
                                  laid.down_text, laid.up_text, laid.extra, _spans(laid.text, items, blocks)))
    if plan.adjust.setvals:
        files.append(_sequence_values(plan, number(len(groups) + 1 + first), lay_out, reversible))
    if guard is not None and not first:
        files.append(_guard(guard, guard.version, lay_out, reversible))
    if crlf:
        for f in files:  # (the lines of `spans` are the same: CR adds none)
            f.text, f.down_text, f.up_text = with_crlf(f.text), with_crlf(f.down_text), with_crlf(f.up_text)
            f.extra = {path: with_crlf(text) for path, text in f.extra.items()}
    return files


def _guard(guard: Guard, version: str, lay_out: Callable[[NewFile, bool], Layout], reversible: bool) -> RenderedFile:
    laid = lay_out(NewFile(version, "guard", GUARD_HEADER, [Block(guard.sql + ";", True)], "", True), reversible)
    return RenderedFile(laid.path, laid.text, [], 1, laid.down_path, laid.down_text, laid.up_text, laid.extra)


def _header(filed: Filed, folder: str) -> str:
    """What the file holds and where it came from, for the person who reads the set."""
    def some(names: list[str], most: int = 6) -> str:
        return ", ".join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most else "")

    first: dict[str, int] = {}
    for it in filed.items:
        for st in (it.stmt, *it.folded, *it.merged):
            first[st.file] = min(first.get(st.file, st.migration), st.migration)
    sources = [_inside(f, folder) for f in sorted(first, key=lambda f: (first[f], f))]
    holds = f": tables {some(filed.tables)}" if filed.tables else (f": changes to {some(filed.changed)}" if filed.changed else "")
    lines = [f"-- {filed.name.replace('_', ' ')}{holds}"]
    lines.append(f"-- from {len(sources)} file(s) of the history: {some(sources, 4)}")
    return "\n".join(lines) + "\n\n"


def _sequence_values(plan: Plan, version: str, lay_out: Callable[[NewFile, bool], Layout], reversible: bool) -> RenderedFile:
    """A last file that leaves sequences where the history left them: rows it inserted and
    removed used values up, and the next INSERT must not hand them out again."""
    header = ("-- sequence values: where the history left these sequences (rows it inserted and removed,\n"
              "-- which this set leaves out, used their values up)\n\n")
    blocks = [Block(sql, False) for _, sql in sorted(plan.adjust.setvals)]
    # (It creates nothing: dropping the sequences takes their values along.)
    laid = lay_out(NewFile(version, "sequence_values", header, blocks, "", True, undone_before=True), reversible)
    return RenderedFile(laid.path, laid.text, [], len(blocks), laid.down_path, laid.down_text, laid.up_text, laid.extra)


def _spans(text: str, items: list[Item], blocks: list[Block]) -> list[tuple[int, int, Item]]:
    """Where each statement's block sits in the file, by line: an error PostgreSQL reports at a
    line of the file names the statement it came from."""
    out = []
    cursor = 0
    line = 1  # the line `cursor` is on: counted from the last block, not from the top each time
    for it, block in zip(items, blocks):
        at = text.find(block.text, cursor)
        if at < 0:
            continue
        first = line + text.count("\n", cursor, at)
        out.append((first, first + block.text.count("\n"), it))
        cursor = at + len(block.text)
        line = first + block.text.count("\n")
    return out
