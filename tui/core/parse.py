"""Split migrations into statements with pglast (PostgreSQL's own parser), each with file, line and column.

DO blocks are opened with pglast's PL/pgSQL parser, because real histories hide DDL there
(`DO $$ BEGIN CREATE TYPE ... EXCEPTION WHEN duplicate_object THEN null; END $$`).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pglast
import pglast.parser
from pglast import ast
from pglast.parser import ParseError

from tui.core.errors import ERROR, WARNING, Diagnostic
from tui.core.formats.base import Migration
from tui.core.plpgsql import DoWalker, loop_queries
from tui.core.syntax_hints import meta_command_hint, placeholder_hint


@dataclass(eq=False, slots=True)
class Statement:
    """One SQL statement of the history.

    Attributes:
        seq: position in the whole history (replay order).
        migration: index of its migration in the source set.
        file, line, column: where it starts (1-based).
        text: the statement as written, without the trailing semicolon.
        node: the pglast AST of the statement.
        comments: the `--` and `/* */` comment lines just above it, as written.
        parent: for a statement inside a DO block, the DO statement.
        guarded: inside a DO block, True when an exception handler or an existence test makes
            it a no-op if its object is already there (or already gone).
    """

    seq: int
    migration: int
    file: str
    line: int
    column: int
    text: str
    node: Any
    comments: str = ""
    parent: Statement | None = None
    guarded: bool = False
    inner: tuple[Statement, ...] = ()  # (tuples, not lists: one shared empty one for the many statements without)
    do_kind: str = ""  # for DO blocks: "notice", "guarded", "static", "logic"
    base: int = -1  # a node's `location` less this is its place in `text` (-1: unknown, inside a DO block)
    loop_queries: tuple[str, ...] = ()  # a DO block that only loops over these queries' rows
    namers: tuple[Any, ...] | None = None  # its nodes of the NAMERS types, listed by the parse (None: not listed)
    copy_rows: str | None = None  # a `COPY ... FROM stdin`'s rows as written after it (each line ending in \n), where its tool sends them

    @property
    def kind(self) -> str:
        return type(self.node).__name__

    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class ParsedHistory:
    """All statements in replay order, and what could not be parsed."""

    statements: list[Statement]
    diagnostics: list[Diagnostic]
    per_migration: list[int]  # statement count of each migration (top level)


_PARSE_LOCK = threading.Lock()
_FAST: dict[bool, tuple[Any, Any]] = {}  # naming or not -> the constructors
# The node types that name objects (tables, columns, types, functions): what replay's `reads`
# looks for in each statement. The parse lists them as it builds them (Statement.namers), so
# replay need not walk every tree again to find them.
NAMERS = frozenset((ast.RangeVar, ast.ColumnRef, ast.CommonTableExpr, ast.TypeName, ast.FuncCall, ast.CreateTrigStmt,
                    ast.CollateClause))
# While one parse runs (under _PARSE_LOCK): the NAMERS nodes made so far, and how many there were
# as each statement was finished (pglast builds a statement's nodes, then its RawStmt, in order).
_MADE: list[Any] = []
_ENDS: list[int] = []


def parse_sql(sql: str) -> tuple[Any, ...]:
    return parse_sql_naming(sql)[0]


def parse_sql_naming(sql: str, naming: bool = True) -> tuple[tuple[Any, ...], list[tuple[Any, ...] | None]]:
    """pglast.parse_sql, building the nodes without re-checking what the C parser has typed, and
    the NAMERS nodes of each statement (None for each without `naming`: an analysis that does not
    track what statements read has no use for them).

    pglast's parser builds each node through the node's Python `__init__`, which validates every
    attribute on assignment, and each enum value through `Enum.__call__`: on a large history
    that is most of the parse time. While we parse, the parser's `ast` and `enums` globals are
    swapped for plain constructors that fill the same slots with the same values (see
    `_fast_constructors`); tests/core/test_parse.py shows the trees equal pglast's own on the
    example and the corpus. The lock keeps two threads from restoring each other's swap.
    """
    with _PARSE_LOCK:
        fast = _FAST.get(naming)
        if fast is None:
            fast = _FAST[naming] = _fast_constructors(naming)
        saved = pglast.parser.ast, pglast.parser.enums
        pglast.parser.ast, pglast.parser.enums = fast
        try:
            raws = tuple(pglast.parse_sql(sql))
            if not naming:
                return raws, [None] * len(raws)
            named: list[tuple[Any, ...] | None] = []
            start = 0
            for end in _ENDS:
                named.append(tuple(_MADE[start:end]))
                start = end
            return raws, named
        finally:
            pglast.parser.ast, pglast.parser.enums = saved
            _MADE.clear()
            _ENDS.clear()


def _fast_constructors(naming: bool) -> tuple[Any, Any]:
    """Namespaces standing in for pglast's `ast` and `enums` modules inside its parser: for each
    node class a function taking the same arguments that sets the slots directly (listing the
    NAMERS nodes, when `naming`), and for each enum its value-to-member lookup."""
    import enum

    from pglast import enums

    nodes = SimpleNamespace()
    for name, cls in vars(ast).items():
        if not (isinstance(cls, type) and issubclass(cls, ast.Node) and cls not in (ast.Node, ast.Expr)):
            continue
        slots = list(cls.__slots__)
        # Built as an instance of a bare subclass, whose plain attribute stores Python runs as
        # direct slot writes (no call per slot), then turned into the node's own class: the
        # same layout, so the object is exactly what pglast would have made.
        bare = type(f"_Bare{name}", (cls,), {"__slots__": (), "__setattr__": object.__setattr__})
        scope: dict[str, Any] = {"new": object.__new__, "cls": cls, "bare": bare, "made": _MADE.append,
                                 "end": _ENDS.append, "count": _MADE.__len__}
        listed = "" if not naming else "    made(n)\n" if cls in NAMERS else "    end(count())\n" if cls is ast.RawStmt else ""
        # The one coercion a parsed value needs: C ints to bool (`Boolean.boolval`); the other
        # adaptors only read the JSON form of a tree.
        body = "".join(f"    n.{slot} = {slot} if {slot} is None else bool({slot})\n" if cls.__slots__[slot][0] == "bool"
                       else f"    n.{slot} = {slot}\n" for slot in slots)
        source = f"def make({', '.join(f'{slot}=None' for slot in slots)}):\n    n = new(bare)\n{body}    n.__class__ = cls\n{listed}    return n\n"
        exec(source, scope)  # noqa: S102
        setattr(nodes, name, scope["make"])
    values = SimpleNamespace()
    for name, e in vars(enums).items():
        if isinstance(e, type) and issubclass(e, enum.Enum):
            setattr(values, name, {m.value: m for m in e}.__getitem__)
    return nodes, values


class _Lines:
    """Line and column of offsets in a file's text. The statements are asked in order: the lines are
    counted on from the last offset asked, not listed for the whole file first (a list per file
    was 7% of the parse of 100,000 one-statement files, profiled)."""

    def __init__(self, text: str, first_line: int) -> None:
        self.text, self.first = text, first_line
        self._at = self._line = self._start = 0  # the last offset asked, its line (from 0), where that line starts

    def at(self, offset: int) -> tuple[int, int]:
        if offset < self._at:  # behind the last one (a diagnostic): counted again from the top
            self._at = self._line = self._start = 0
        n = self.text.count("\n", self._at, offset)
        if n:
            self._line += n
            self._start = self.text.rfind("\n", self._at, offset) + 1
        self._at = offset
        return self.first + self._line, offset - self._start + 1


_LEADING = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.S)


def _skip_leading(text: str, start: int, end: int) -> int:
    m = _LEADING.match(text, start, end)
    return m.end() if m else start


def _comment_block(text: str, start: int, stmt_start: int) -> str:
    """The comments between the previous statement and this one, verbatim (so a /* */ block stays whole)."""
    chunk = text[start:stmt_start]
    if chunk.startswith(";"):
        chunk = chunk[1:]
    if not chunk.strip():
        return ""
    lines = chunk.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(line.rstrip() for line in lines)


def parse_history(migrations: tuple[Migration, ...] | list[Migration], naming: bool = True) -> ParsedHistory:
    """Parse every readable migration; a statement that fails becomes a diagnostic and the rest go on.
    `naming`: list each statement's NAMERS nodes (see parse_sql_naming)."""
    out: list[Statement] = []
    diags: list[Diagnostic] = []
    counts: list[int] = []
    for index, mig in enumerate(migrations):
        before, said = len(out), len(diags)
        if mig.readable:
            _parse_migration(index, mig, out, diags, naming)
            # (Only what this file's parse said: asking every diagnostic for each empty file is
            # quadratic in a history of many.)
            if len(out) == before and not any(d.severity == ERROR for d in diags[said:]):
                diags.append(Diagnostic(mig.file, mig.first_line, WARNING, "no SQL statement (only comments or blank)"))
        counts.append(len(out) - before)
    return ParsedHistory(out, diags, counts)


def _chunks_by_scanner(text: str) -> tuple[list[tuple[int, int]], tuple[str, int] | None]:
    """Statement spans found by the scanner alone, for a file the parser refused as a whole."""
    try:
        tokens = pglast.parser.scan(text)
        failure = None
    except ParseError as exc:
        pos = exc.args[1] if len(exc.args) > 1 else 0
        failure = (str(exc.args[0]), pos)
        try:
            tokens = pglast.parser.scan(text[:pos])
        except ParseError:
            tokens = []
        text = text[:pos]
    spans: list[tuple[int, int]] = []
    start = 0
    depth = 0
    for tok in tokens:
        if tok.name == "ASCII_40":
            depth += 1
        elif tok.name == "ASCII_41":
            depth = max(0, depth - 1)
        elif tok.name == "ASCII_59" and depth == 0:
            spans.append((start, tok.start))
            start = tok.end + 1
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans, failure


# psql's inline data: `COPY t FROM stdin;`, rows, then a line holding only `\.`.
_COPY_STDIN = re.compile(r"^[ \t]*(?P<copy>COPY)\b[^;]*?\bFROM\s+stdin\b[^;]*;[^\n]*\n(?P<rows>.*?)^\\\.[ \t]*$", re.I | re.M | re.S)


def _cut_inline_copy(text: str, lines: _Lines, mig: Migration, diags: list[Diagnostic], rows_at: dict[int, str]) -> str:
    """Blank out each `COPY ... FROM stdin`'s rows, keeping offsets and lines: they are not SQL,
    and the statement after them must not be lost with them. Where the tool streams them
    (`inline_copy`), the COPY stays, its rows in `rows_at` by where it starts; else the COPY goes
    too, and that is said."""
    def blank(m: re.Match[str]) -> str:
        if mig.inline_copy:
            rows_at[m.start("copy")] = m.group("rows")
            return text[m.start():m.start("rows")] + re.sub(r"[^\n]", " ", text[m.start("rows"):m.end()])
        rows = m.group("rows").count("\n")
        diags.append(Diagnostic(mig.file, lines.at(m.start())[0], ERROR,
                                f"COPY ... FROM stdin with {rows} inline row(s) in psql's format: only psql (and Flyway) reads "
                                "such rows, this format's tool sends the file as SQL; write them as INSERT ... VALUES "
                                "(statement and rows skipped)", lost=True))
        return re.sub(r"[^\n]", " ", m.group(0))

    return _COPY_STDIN.sub(blank, text) if "\\." in text else text


def _parse_migration(index: int, mig: Migration, out: list[Statement], diags: list[Diagnostic], naming: bool) -> None:
    lines = _Lines(mig.sql, mig.first_line)
    rows_at: dict[int, str] = {}
    text = _cut_inline_copy(mig.sql, lines, mig, diags, rows_at)
    try:
        raws, named = parse_sql_naming(text, naming)
        spans = [(r.stmt_location, r.stmt_location + (r.stmt_len or len(text) - r.stmt_location), r.stmt, 0, namers)
                 for r, namers in zip(raws, named)]
    except ParseError:
        spans = []
        chunks, failure = _chunks_by_scanner(text)
        for start, end in chunks:
            try:
                parsed, named = parse_sql_naming(text[start:end], naming)
            except ParseError as exc:
                if failure and end >= failure[1]:
                    continue  # it runs into what the scanner could not end: said once, below
                pos = start + (exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0)
                pos = max(pos, _skip_leading(text, start, end))
                line, _ = lines.at(pos)
                hint = placeholder_hint(text[start:end]) or meta_command_hint(text[start:end])
                diags.append(Diagnostic(mig.file, line, ERROR, f"{exc.args[0]}; statement skipped{hint}", lost=True))
                continue
            for r, namers in zip(parsed, named):
                s = start + r.stmt_location
                spans.append((s, s + (r.stmt_len or end - s), r.stmt, start, namers))
        if failure:
            line, _ = lines.at(failure[1])
            # The scanner quotes the rest of the file after "at or near": its first line is enough.
            said = re.sub(r'(at or near "[^"\n]*)\n.*', r'\1..."', failure[0], flags=re.DOTALL)
            at = failure[1]
            around = text[text.rfind("\n", 0, at) + 1:text.find("\n", at) if "\n" in text[at:] else len(text)]
            diags.append(Diagnostic(mig.file, line, ERROR, f"{said}; rest of file skipped{meta_command_hint(around)}", lost=True))
    prev_end = 0
    for start, end, node, chunk, namers in spans:
        real = _skip_leading(text, start, end)
        body = text[real:end].rstrip().rstrip(";").rstrip()
        line, col = lines.at(real)
        copy_rows = rows_at.get(real) if rows_at else None
        if isinstance(node, ast.CopyStmt) and node.is_from and not node.filename and not node.is_program and real not in rows_at:
            diags.append(Diagnostic(mig.file, line, ERROR, "COPY ... FROM stdin: the rows would come from the client running "
                                    "the migration, which has none to send; write them as INSERT ... VALUES "
                                    "(statement skipped)", lost=True))
            prev_end = end
            continue
        stmt = Statement(
            seq=len(out),
            migration=index,
            file=mig.file,
            line=line,
            column=col,
            text=body,
            node=node,
            comments=_comment_block(text, prev_end, real),
            base=real - chunk,
            namers=namers,
            copy_rows=copy_rows,
        )
        prev_end = end
        out.append(stmt)
        if isinstance(node, ast.DoStmt):
            _open_do_block(stmt, real, text, lines, out, diags, mig)


def do_body(node: ast.DoStmt) -> tuple[str, str]:
    """A DO block's body and its language (plpgsql where it names none)."""
    body, language = "", "plpgsql"
    for arg in node.args or ():
        if arg.defname == "as":
            body = arg.arg.sval
        elif arg.defname == "language":
            language = arg.arg.sval
    return body, language


def _open_do_block(
    stmt: Statement, real: int, text: str, lines: _Lines, out: list[Statement], diags: list[Diagnostic], mig: Migration
) -> None:
    body, language = do_body(stmt.node)
    if language.lower() != "plpgsql":
        stmt.do_kind = "logic"
        return
    found = text.find(body, real) if body else -1
    body_line = lines.at(found)[0] if found >= 0 else stmt.line
    try:
        tree = pglast.parse_plpgsql(f"CREATE FUNCTION pg_temp.consolidate_do() RETURNS void LANGUAGE plpgsql AS $consolidate_do${body}$consolidate_do$")
    except ParseError as exc:
        diags.append(Diagnostic(mig.file, stmt.line, ERROR, f"DO block: {exc.args[0]}"))
        stmt.do_kind = "logic"
        return
    walker = DoWalker()
    walker.walk(tree[0]["PLpgSQL_function"]["action"], guarded=False)
    stmt.do_kind = walker.classify()
    if stmt.do_kind == "logic":
        stmt.loop_queries = tuple(loop_queries(tree[0]["PLpgSQL_function"]))
    inner: list[Statement] = []
    for sql, lineno, guarded in walker.statements:
        try:
            nodes, named = parse_sql_naming(sql)
        except ParseError:
            continue
        for raw, namers in zip(nodes, named):
            inner.append(Statement(
                seq=stmt.seq,
                migration=stmt.migration,
                file=stmt.file,
                line=body_line + max(lineno - 1, 0),
                column=1,
                text=sql.strip(),
                node=raw.stmt,
                parent=stmt,
                guarded=guarded,
                namers=namers,
            ))
    stmt.inner = tuple(inner)
