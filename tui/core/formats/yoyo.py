"""yoyo-migrations: each `<id>.sql` is a migration, undone by `<id>.rollback.sql`, run in the order
of the names unless a `-- depends: <id> ...` directive in its opening comments puts it after
others; `-- transactional: false` runs it outside a transaction. A `post-apply` file runs after
every apply, and is not recorded. Bookkeeping: `_yoyo_migration`, a row a migration, keyed by the
SHA-256 of its id."""

from __future__ import annotations

import hashlib
import heapq
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from tui.core.errors import ERROR, WARNING, Diagnostic
from tui.core.formats.base import Bookkeeping, Format, Found, Layout, Migration, NewFile, Raw, Recorded, listing, rel, replace_rows, up_down
from tui.core.formats.unread import unread_migration

_DIRECTIVE = re.compile(r"^\s*--\s*(transactional|depends)\s*:\s*(.*)$")
_COMMENT_OR_EMPTY = re.compile(r"^(\s*|\s*--.*)$")
DEPENDS = re.compile(r"^\s*--\s*depends\s*:", re.MULTILINE)


def looks_like(entries: list[Path]) -> bool:
    """A rollback beside its migration: yoyo's alone."""
    names = {p.name for p in entries}
    return any(n.endswith(".rollback.sql") and n[:-len(".rollback.sql")] + ".sql" in names for n in names)


def directives(text: str) -> dict[str, str]:
    """The directives of the comments that open the file, as yoyo reads them (a repeated one adds up)."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        m = _DIRECTIVE.match(line)
        if m:
            out[m.group(1)] = (out[m.group(1)] + " " + m.group(2)) if m.group(1) in out else m.group(2)
        elif not _COMMENT_OR_EMPTY.match(line):
            break
    return out


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    others: list[str] = []
    entries = listing(folder)
    names = {p.name for p in entries if p.is_file()}
    found: list[Migration] = []
    for p in entries:
        name = p.name
        if name.endswith(".rollback.sql") and name[:-13] + ".sql" in names:
            continue  # (read with its migration; yoyo never runs a rollback as one)
        if name not in names or not name.endswith((".sql", ".py")) or name.endswith(".rollback.sql"):
            others.append(rel(p, root))
        elif name.startswith("post-apply"):
            others.append(rel(p, root))
            diags.append(Diagnostic(rel(p, root), 0, WARNING, "yoyo runs this after every apply; consolidate does not read it, "
                                    "so what it does is in neither build: kept as it is"))
        elif name.endswith(".py"):
            others.append(rel(p, root))
            diags.append(unread_migration(rel(p, root), "yoyo runs this Python migration"))
        else:
            ident = name[:-4]
            rollback = p.with_name(ident + ".rollback.sql")
            found.append(up_down(ident, ident, p, rollback if rollback.name in names else None, root, diags, _transactional,
                                 sort_key=(name,)))
    return _after_dependencies(found, diags), others


def _transactional(sql: str) -> bool:
    return directives(sql).get("transactional", "true").strip().lower() not in ("false", "no", "off", "0")


def _after_dependencies(found: list[Migration], diags: list[Diagnostic]) -> list[Migration]:
    """yoyo's order: the names', but each migration after those it depends on (the first in name
    order whose dependencies have all run goes next)."""
    index = {m.version: i for i, m in enumerate(found)}
    waits: dict[int, set[int]] = {}
    for i, m in enumerate(found):
        wanted = directives(m.sql).get("depends", "").split()
        for w in wanted:
            if w not in index:
                diags.append(Diagnostic(m.file, 1, WARNING, f"depends on {w}, which is not a migration of this folder"))
        waits[i] = {index[w] for w in wanted if w in index and index[w] != i}
    blocked: dict[int, set[int]] = {i: set() for i in range(len(found))}
    for i, deps in waits.items():
        for d in deps:
            blocked[d].add(i)
    ready = [i for i, deps in waits.items() if not deps]
    heapq.heapify(ready)
    out = []
    while ready:
        i = heapq.heappop(ready)
        out.append(i)
        for j in blocked[i]:
            waits[j].discard(i)
            if not waits[j]:
                heapq.heappush(ready, j)
    if len(out) < len(found):
        done = set(out)
        stuck = [found[i] for i in range(len(found)) if i not in done]
        diags.append(Diagnostic(stuck[0].file, 1, ERROR, "its dependencies make a cycle, which yoyo refuses: "
                                f"{', '.join(m.version for m in stuck)} read in the order of their names"))
        out += [index[m.version] for m in stuck]
    # (the tool orders migrations by their keys: the position here)
    return [replace(found[i], sort_key=(n,)) for n, i in enumerate(out)]


def _without_directives(text: str) -> str:
    """The text without the directives of its opening comments: a statement's comments carried
    from the history to the top of a new file would become the file's (a dependency on a
    migration the set no longer has, which yoyo refuses)."""
    lines = text.split("\n")
    n = next((i for i, line in enumerate(lines) if not _COMMENT_OR_EMPTY.match(line)), len(lines))
    return "\n".join([x for x in lines[:n] if not _DIRECTIVE.match(x)] + lines[n:])


def layout(f: NewFile, reversible: bool) -> Layout:
    up = ("-- transactional: false\n" if not f.transactional else "") + _without_directives(f.header + f.body)
    return Layout(f"{f.version}_{f.group}.sql", up, f"{f.version}_{f.group}.rollback.sql", f.down)


def bookkeeping(migs: list[Migration], data: Callable[[Migration], bytes]) -> Bookkeeping:
    rows: list[tuple[object, ...]] = [(hashlib.sha256(m.version.encode()).hexdigest(), m.version, Raw("now() AT TIME ZONE 'UTC'"))
                                      for m in migs]
    return replace_rows(FORMAT.table, "migration_hash, migration_id, applied_at_utc", rows, len(migs))


FORMAT = Format("yoyo", "_yoyo_migration", read, layout, bookkeeping,
                recorded=Recorded("SELECT migration_id FROM _yoyo_migration", lambda m: m.version))
