"""Liquibase: a master changelog (XML, YAML or JSON, `db.changelog-master.yaml` where Spring keeps
it) includes files, or folders of them, in the order they run; a formatted SQL file starts
`--liquibase formatted sql` and holds changesets, each opened by `--changeset author:id` (one
without that header is run whole as one); an XML changelog holds changesets of Liquibase's change
types (`createTable`...), read as the SQL Liquibase runs for them (liquibase_changes). Each
changeset runs in a transaction of its own (`runInTransaction:false`: outside one); its version is
`<file>::<id>::<author>`, as Liquibase names one (`--until` takes it).

The new set is written as formatted SQL files in `consolidated/` beside the master, which
includes that folder where the entries it replaces stood (`finish`). Liquibase keeps what ran in
DATABASECHANGELOG with checksums its own code computes: not written; no guard, and `baseline`
says to run `liquibase changelog-sync`."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tui.core.errors import ERROR, INFO, WARNING, ConsolidateError, Diagnostic
from tui.core.formats.base import Format, Found, Layout, Migration, NewFile, read_text, rel
from tui.core.formats.jdbc_marks import run_text, written_text
from tui.core.formats.liquibase_changelog import NEW_FOLDER, SUFFIXES, Entry, dbms_matches, entries, filled, master, master_like, resolve, rewritten
from tui.core.formats.liquibase_changes import PASSED_OVER, change_sql
from tui.core.formats.liquibase_values import Unread
from tui.core.formats.liquibase_xml import Node
from tui.core.formats.unwritten import unwritten

HEADER = re.compile(r"\A\s*--\s*liquibase\s+formatted\s+sql\b", re.IGNORECASE)
_CHANGESET = re.compile(r"^--\s*changeset\s+(\S+?):(\S+)(.*)$", re.IGNORECASE)
_ROLLBACK = re.compile(r"^--\s*rollback\b", re.IGNORECASE)
_PRECONDITION = re.compile(r"^--\s*precondition", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"(\w+):(\S+)")


def looks_like(folder: Path) -> bool:
    return master(folder) is not None


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    changelog = master(folder)
    assert changelog is not None  # (detected by it)
    found: list[Migration] = []
    used: set[Path] = {changelog}
    properties: dict[str, str] = {}  # (filled as the changelogs are read: a property stands from where it is set on)
    for path, node in _files(changelog, root, diags, used, properties=properties):
        if node is None:
            found += _changesets(path, root, diags, len(found), properties)
        elif path.suffix.lower() == ".sql":
            found += _sql_file_changeset(path, _filled(node, properties), root, diags, len(found), properties, node.source)
        else:
            found += _xml_changeset(path, _filled(node, properties), root, diags, len(found))
    # (The changelogs the master includes stay beside the set: finish writes those it changes. One
    # that holds changesets is a migration's file, kept or replaced with it.)
    files = {m.file for m in found}
    others = [where for p in sorted(folder.rglob("*"))
              if p.is_file() and (p not in used or (p != changelog and p.suffix.lower() in SUFFIXES)) and (where := rel(p, root)) not in files]
    return found, others


_DEEPEST = 10  # changelogs within changelogs


def _files(changelog: Path, root: Path, diags: list[Diagnostic], used: set[Path], depth: int = 0,
           only: Entry | None = None, properties: dict[str, str] | None = None) -> list[tuple[Path, Node | None]]:
    """The formatted SQL files a changelog runs, in order, through the changelogs it includes
    (`used`: what was met, the changelogs too; a file met again is not run again), and the XML
    changesets written in them, each with its changelog (or the SQL file it runs). `only`: one of
    its entries, already read."""
    out: list[tuple[Path, Node | None]] = []
    for entry in [only] if only is not None else entries(changelog, root, rel(changelog, root), diags, properties):
        if entry.node is not None:  # (one whose only change is a SQL file: that file's, see _sql_file)
            entry.node.source = rel(changelog, root)
            out.append((_sql_file(changelog, root, entry.node) or changelog, entry.node))
            continue
        for path in entry.files:
            if path in used:
                continue
            used.add(path)
            if path.suffix.lower() in SUFFIXES and depth < _DEEPEST and master_like(path):
                out += _files(path, root, diags, used, depth + 1, properties=properties)
            elif path.suffix.lower() in SUFFIXES:
                diags.append(Diagnostic(rel(path, root), 1, ERROR, "included by a changelog, but no changelog (or too deep): "
                                        "not read", lost=True))
            elif path.suffix.lower() == ".sql":
                out.append((path, None))
    return out


def _filled(node: Node, properties: dict[str, str]) -> Node:
    """The changeset with the changelog's properties filled into its attributes and texts."""
    if not properties:
        return node
    for n in _walk(node):
        n.attrs = {k: filled(v, properties) for k, v in n.attrs.items()}
        n.text = filled(n.text, properties)
    return node


def _walk(node: Node) -> list[Node]:
    out, todo = [], [node]
    while todo:
        n = todo.pop()
        out.append(n)
        todo += n.children
    return out


def _changesets(path: Path, root: Path, diags: list[Diagnostic], before: int, properties: dict[str, str]) -> list[Migration]:
    """A formatted SQL file's changesets for PostgreSQL, in order: each one's lines, the others' and
    its rollback blanked (positions stay the file's)."""
    where = rel(path, root)
    text, ok = read_text(path, root, diags, where)
    if not ok:
        return []
    text = filled(text, properties)
    if not HEADER.match(text):
        # Liquibase runs it whole as one changeset of its own naming, split on semicolons as any.
        return [Migration(version=f"{path.name}::raw::includeAll", name="includeAll:raw", file=where, sql=run_text(text),
                          sort_key=(before,))]
    lines = text.split("\n")
    starts = [(n, m) for n, line in enumerate(lines) if (m := _CHANGESET.match(line.strip())) is not None]
    first = starts[0][0] if starts else len(lines)
    if stray := next((n for n in range(1, first) if lines[n].strip() and not lines[n].strip().startswith("--")), None):
        diags.append(Diagnostic(where, stray + 1, ERROR, "SQL before the first `--changeset`: in no changeset, Liquibase does "
                                "not run it; not read", lost=True))
    out: list[Migration] = []
    for i, (n, m) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(lines)
        author, ident, attrs = m.group(1), m.group(2), dict(_ATTRIBUTE.findall(m.group(3)))
        if _passed_over(attrs, where, n + 1, f"{author}:{ident}", diags):
            continue
        if attrs.get("endDelimiter", ";") not in (";", ""):
            diags.append(Diagnostic(where, n + 1, ERROR, f"changeset {author}:{ident} ends its statements with "
                                    f"{attrs['endDelimiter']!r}: not read; changeset skipped", lost=True))
            continue
        condition = _notes(attrs, any(_PRECONDITION.match(b.strip()) for b in lines[n + 1:end]), where, n + 1, f"{author}:{ident}", diags)
        body = _ignored([("" if _ROLLBACK.match(line.strip()) else line) for line in lines[n + 1:end]])
        out.append(Migration(version=f"{path.name}::{ident}::{author}", name=f"{author}:{ident}", file=where, sql=run_text("\n".join(body)),
                             first_line=n + 2, transactional=attrs.get("runInTransaction", "true").lower() != "false",
                             sort_key=(before + len(out),), condition=condition))
    return out


_SQL_FILE = {"path", "relativeToChangelogFile", "splitStatements", "stripComments", "encoding", "endDelimiter"}


def _sql_file(changelog: Path, root: Path, node: Node) -> Path | None:
    """The SQL file a changeset runs where that is all it does (`sqlFile`, a function kept in a file
    of its own): the changeset is a migration of that file, whose lines its statements keep."""
    changes = [c for c in node.children if c.tag not in PASSED_OVER]
    if len(changes) != 1 or changes[0].tag != "sqlFile" or set(changes[0].attrs) - _SQL_FILE or "${" in changes[0].get("path"):
        return None
    c = changes[0]
    if c.get("endDelimiter", ";") not in (";", "") or c.get("encoding", "UTF-8").upper().replace("_", "-") not in ("UTF-8", "UTF8"):
        return None
    found = resolve(changelog, root, "sqlFile", c.get("path"), c.get("relativeToChangelogFile").lower() == "true", "", 0, [])
    return found[0] if found and found[0].suffix.lower() == ".sql" else None


def _sql_file_changeset(path: Path, node: Node, root: Path, diags: list[Diagnostic], before: int,
                        properties: dict[str, str], changelog: str) -> list[Migration]:
    """A changeset that runs one SQL file: a migration of that file (its errors name its lines)."""
    author, ident = node.get("author"), node.get("id")
    if _passed_over(node.attrs, changelog, node.line, f"{author}:{ident}", diags):
        return []
    where = rel(path, root)
    text, ok = read_text(path, root, diags, where)
    if not ok:
        return []
    return [_migration(node, changelog, where, filled(text, properties), 1, before, diags)]


def _xml_changeset(path: Path, node: Node, root: Path, diags: list[Diagnostic], before: int) -> list[Migration]:
    """An XML changeset's changes as the SQL Liquibase runs for them, each statement on the line of
    its change (errors name it); one it cannot read is an error, and the changeset is not read."""
    where = rel(path, root)
    author, ident = node.get("author"), node.get("id")
    if _passed_over(node.attrs, where, node.line, f"{author}:{ident}", diags):
        return []
    lines: list[str] = []  # from the changeset's line on
    for change in node.children:
        if change.tag in PASSED_OVER:
            continue
        if change.tag == "loadData":  # (its rows, from a file of the project)
            found = resolve(path, root, "loadData", change.get("file"), change.get("relativeToChangelogFile").lower() == "true", where,
                            change.line, [])
            if not found:
                diags.append(Diagnostic(where, change.line, ERROR, f"changeset {author}:{ident}: loadData's file {change.get('file')!r} "
                                        "is not found in the project; changeset not read", lost=True))
                return []
            change.text, ok = read_text(found[0], root, diags, rel(found[0], root))
            if not ok:
                return []
        try:
            statements = change_sql(change, node.get("objectQuotingStrategy", "LEGACY"))
        except Unread as exc:
            diags.append(Diagnostic(where, exc.line, ERROR, f"changeset {author}:{ident}: {exc}; changeset not read", lost=True))
            return []
        at = max(change.text_line if change.tag in ("sql", "createView", "createProcedure") and change.text_line else change.line,
                 node.line + len(lines) - 1)
        parts = " ".join(f"{sql};" for sql in statements).split("\n")
        while node.line + len(lines) <= at:
            lines.append("")
        lines[at - node.line] += parts[0]
        lines += parts[1:]
    return [_migration(node, where, where, "\n".join(lines), node.line, before, diags)]


def _migration(node: Node, changelog: str, file: str, sql: str, first_line: int, before: int, diags: list[Diagnostic]) -> Migration:
    """An XML or YAML changeset (written in `changelog`) as a migration of `file`, whose `sql` starts
    at `first_line`, with what Liquibase decides of it at run time said."""
    author, ident = node.get("author"), node.get("id")
    attrs = {k: v for k, v in node.attrs.items() if k in ("runAlways", "runOnChange", "context", "contextFilter", "labels")}
    condition = _notes(attrs, any(c.tag == "preConditions" for c in node.children), changelog, node.line, f"{author}:{ident}", diags)
    return Migration(version=f"{Path(changelog).name}::{ident}::{author}", name=f"{author}:{ident}", file=file, sql=run_text(sql),
                     first_line=first_line, transactional=node.get("runInTransaction", "true").lower() != "false", sort_key=(before,),
                     condition=condition)


_IGNORE = re.compile(r"^--\s*ignoreLines:\s*(start|end|\d+)\s*$", re.IGNORECASE)


def _ignored(body: list[str]) -> list[str]:
    """The lines Liquibase does not run blanked: between `--ignoreLines:start` and `--ignoreLines:end`,
    and the N after `--ignoreLines:N`."""
    out, skip, until_end = [], 0, False
    for line in body:
        m = _IGNORE.match(line.strip())
        if m is not None:
            word = m.group(1).lower()
            until_end, skip = word == "start", int(word) if word.isdigit() else 0
            out.append("")
        elif until_end or skip:
            skip = max(0, skip - 1)
            out.append("")
        else:
            out.append(line)
    return out


def _passed_over(attrs: dict[str, str], where: str, line: int, name: str, diags: list[Diagnostic]) -> bool:
    """A changeset Liquibase does not run here: for another database, or marked `ignore`."""
    if not dbms_matches(attrs.get("dbms", "")):
        diags.append(Diagnostic(where, line, INFO, f"changeset {name} is for {attrs['dbms']}: not run on PostgreSQL"))
        return True
    if attrs.get("ignore", "").lower() == "true":
        diags.append(Diagnostic(where, line, INFO, f"changeset {name} is marked ignore: not run"))
        return True
    if attrs.get("failOnError", "").lower() == "false":
        diags.append(Diagnostic(where, line, WARNING, f"changeset {name} goes on past its errors (failOnError:false): read as "
                                "if none fails (the proof fails where one does)"))
    return False


def _notes(attrs: dict[str, str], precondition: bool, where: str, line: int, name: str, diags: list[Diagnostic]) -> str:
    """What Liquibase decides at run time that the model cannot: said, the changeset read as if it
    runs once. Its contexts and labels, where they are words: the condition its statements keep."""
    if attrs.get("runAlways", "").lower() == "true" or attrs.get("runOnChange", "").lower() == "true":
        diags.append(Diagnostic(where, line, WARNING, f"changeset {name} runs again on every update or change: read as run "
                                "once, and the new set runs its statements once"))
    condition = ""
    if scope := [f"{k}:{attrs[k]}" for k in ("context", "contextFilter", "labels") if k in attrs]:
        if all(attrs[k].strip() and not any(c.isspace() for c in attrs[k]) for k in ("context", "contextFilter", "labels") if k in attrs):
            condition = " ".join(scope)
            diags.append(Diagnostic(where, line, INFO, f"changeset {name} runs only under {condition}: read as run; its statements "
                                    "are written as they are, in changesets of their own under it"))
        else:
            diags.append(Diagnostic(where, line, WARNING, f"changeset {name} runs only under {' '.join(scope)}: read as run, and "
                                    "the new set runs its statements under every context (keep its file with --until before it)"))
    if precondition:
        diags.append(Diagnostic(where, line, WARNING, f"changeset {name} has a precondition: read as met, and the new set runs "
                                "its statements without it"))
    return condition


def layout(f: NewFile, reversible: bool) -> Layout:
    ident = re.sub(r"[^\w.-]+", "-", f"{f.version}_{f.group}")
    options = ("" if f.transactional else " runInTransaction:false") + (f" {f.condition}" if f.condition else "")
    if any(b.whole for b in f.blocks):  # (a body's semicolons: Liquibase's splitter is no parser, its docs say so)
        options += " splitStatements:false"
    # (`liquibase rollback` runs these: the drops of what the changeset creates, last made first)
    rollback = "".join(f"--rollback {line}\n" for line in f.down.splitlines() if line.strip())
    if not rollback and f.undone_before:  # (a changeset without one stops `liquibase rollback` there)
        rollback = "--rollback empty\n"
    body = written_text(f.body)  # (Liquibase prepares each statement: a `?` of the SQL is written `??`)
    body = body if body.endswith("\n") or not rollback else body + "\n"
    return Layout(f"{NEW_FOLDER}/{ident}.sql", f"--liquibase formatted sql\n\n--changeset consolidate:{ident}{options}\n{f.header}{body}{rollback}")


def finish(history: Path, new: Path, kept: list[str]) -> dict[str, str]:
    """The master changelog with the entries whose files the set replaces taken out, and the new
    set's folder included where the first of them stood (with --until or --from, an entry whose
    files are kept stays; one a part of whose files is kept stays too, the set before or after it,
    and where that entry is a changelog of its own, it is written without its replaced entries)."""
    changelog = master(history)
    if changelog is None:
        return {}
    kept_paths = {Path(os.path.normpath(history / k)) for k in kept}
    out: dict[str, str] = {}
    _rewrite(changelog, history, kept_paths, out, insert=True)
    return out


def _rewrite(changelog: Path, history: Path, kept: set[Path], out: dict[str, str], insert: bool) -> None:
    """Write `changelog` into `out` without its entries all of whose files are replaced (with the
    set's folder included where the first of them stood, or after the kept first files of one,
    when `insert`: the master)."""
    # (The project's root is not known here: an entry is looked for up to the top, nearest first,
    # as read looked for it, only to tell which files it names.)
    items = entries(changelog, Path(history.resolve().anchor), "", [])
    replaced: set[int] = set()
    at, after = None, False
    for i, e in enumerate(items):
        nested = [p for p in e.files if p.suffix.lower() in SUFFIXES and master_like(p)]
        sql = [p for p, _ in _files(changelog, Path(history.resolve().anchor), [], set(), only=e)] if nested else \
            [p for p in e.files if p.suffix.lower() == ".sql" or e.node is not None]
        gone = [p for p in sql if p not in kept]
        if not gone:
            continue
        if len(gone) == len(sql):
            replaced.add(i)
            for path in nested:  # (left empty: an includeAll of its folder would still run it)
                if history in path.parents:
                    out[path.relative_to(history).as_posix()] = _emptied(path)
        elif nested:  # a changelog of its own, a part of whose files stay: written without the rest
            if len(nested) > 1 or history not in nested[0].parents:
                raise ConsolidateError(f"the set would replace part of what {nested[0].name} includes, which consolidate cannot "
                                       "rewrite there", "give --until or --from a version at the edge of that changelog")
            _rewrite(nested[0], history, kept, out, insert=False)
        if at is None:
            at, after = i, sql[0] in kept
    if at is not None and (insert or replaced):
        out[changelog.relative_to(history).as_posix()] = rewritten(changelog, items, replaced, at, after, insert)


# (Liquibase validates an XML changelog against its schema: without the schema's location the
# root element is "not declared" and nothing runs.)
_EMPTY = {".xml": '<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog"\n'
                  '    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n    xsi:schemaLocation="http://www.liquibase.org/xml/ns/'
                  'dbchangelog http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-latest.xsd"/>\n',
          ".yaml": "databaseChangeLog: []\n", ".yml": "databaseChangeLog: []\n", ".json": '{"databaseChangeLog": []}\n'}
_XML_ROOT = re.compile(r"<databaseChangeLog\b[^>]*>", re.IGNORECASE)


def _emptied(path: Path) -> str:
    """A changelog that includes nothing: an XML one keeps its prolog and root tag, the schema it
    names with them (a version, extensions' namespaces), its line endings too."""
    text = path.read_bytes().decode("utf-8", "replace")  # (CR LF kept)
    root = _XML_ROOT.search(text) if path.suffix.lower() == ".xml" else None
    if root is None:
        return _EMPTY[path.suffix.lower()]
    end = "\r\n" if "\r\n" in text else "\n"
    if root.group().endswith("/>"):
        return text[:root.end()] + end
    return text[:root.end()] + end + "</databaseChangeLog>" + end
_BOOKKEEPING = unwritten("Liquibase keeps what ran in DATABASECHANGELOG, with checksums its own code computes, which consolidate "
                         "does not write", "on each database that ran the history, run `liquibase changelog-sync` with the new "
                         "changelog: it marks the new set's changesets run without running them")
FORMAT = Format("liquibase", "databasechangelog", read, layout, _BOOKKEEPING, finish=finish,
                no_guard="Liquibase keeps what ran in DATABASECHANGELOG, with checksums its own code computes", numbered=True)
