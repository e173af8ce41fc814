"""Drizzle Kit: `<idx>_<tag>.sql` files listed, in order, by `meta/_journal.json` (a file the
journal does not list is never run), statements split on `--> statement-breakpoint`, beside one
`meta/<idx>_snapshot.json` per migration, from which `drizzle-kit generate` diffs the next one.
drizzle-orm's migrator runs every pending migration in one transaction, a chunk a query, and
records each as `drizzle.__drizzle_migrations(hash, created_at)`: the SHA-256 of the file's text
and the journal's `when`. A migration is pending when its `when` is later than the newest row's.

The new set gets a journal of its own, numbered from 0; its `when`s end at the newest squashed
migration's, so a database that ran the whole old history finds nothing pending. The newest
snapshot of the squashed range stays, as the snapshot of the set's last file, so the next
`drizzle-kit generate` diffs from the schema the set builds."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tui.core.errors import ERROR, WARNING, Diagnostic
from tui.core.formats.base import Bookkeeping, Format, Found, Layout, Migration, NewFile, Recorded, listing, read_text, rel, replace_rows

JOURNAL = "meta/_journal.json"
BREAKPOINT = "--> statement-breakpoint"
_TAG = re.compile(r"^(\d+)_(.*)$")
_SNAPSHOT = re.compile(r"^(\d+)_snapshot\.json$")


def looks_like(folder: Path) -> bool:
    return (folder / JOURNAL).is_file()


def _journal(folder: Path, root: Path, diags: list[Diagnostic]) -> dict[str, Any] | None:
    path = folder / JOURNAL
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        diags.append(Diagnostic(rel(folder, root), 0, ERROR, f"no {JOURNAL}: drizzle runs only what its journal lists"))
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", 0)
        diags.append(Diagnostic(rel(path, root), line, ERROR, f"cannot read the journal: {exc}"))
        return None
    entries = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("tag"), str)
                                                and isinstance(e.get("when"), int) for e in entries):
        diags.append(Diagnostic(rel(path, root), 0, ERROR, "the journal's entries are not drizzle's (each needs a `tag` and a `when`)"))
        return None
    return data


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    journal = _journal(folder, root, diags)
    listed: set[str] = set()
    found: list[Migration] = []
    for i, e in enumerate(journal["entries"] if journal else ()):
        path = folder / f"{e['tag']}.sql"
        listed.add(path.name)
        if not path.is_file():
            diags.append(Diagnostic(rel(folder / JOURNAL, root), 0, ERROR, f"the journal lists {e['tag']}, but {path.name} is not there", lost=True))
            continue
        text, ok = read_text(path, root, diags)
        m = _TAG.match(e["tag"])
        # The breakpoints only cut the file into queries of one transaction: blanked, lines and offsets stay.
        sql = text.replace(BREAKPOINT, " " * len(BREAKPOINT)) if ok else ""
        found.append(Migration(m.group(1) if m else str(e.get("idx", i)), m.group(2) if m else e["tag"], rel(path, root), sql,
                               readable=ok, sort_key=(i, e["when"])))
    others = []
    for p in listing(folder):
        if p.name in listed:
            continue
        if p.suffix == ".sql" and journal is not None:
            diags.append(Diagnostic(rel(p, root), 0, WARNING, "not in meta/_journal.json, so drizzle never runs it; kept as it is, not read"))
        others.append(rel(p, root))
    return found, others


def layout(f: NewFile, reversible: bool) -> Layout:
    # drizzle-kit numbers from 0; each statement is a query of its own, as drizzle-kit writes them.
    tag = f"{int(f.version) - 1:0{len(f.version)}d}_{f.group}"
    chunks = [b.text + (BREAKPOINT if i < len(f.blocks) - 1 else "") for i, b in enumerate(f.blocks)]
    body = "\n".join(("\n" if i and ("\n" in c or "\n" in chunks[i - 1]) else "") + c for i, c in enumerate(chunks))
    return Layout(f"{tag}.sql", f.header + body + "\n")


def finish(history: Path, new: Path, kept: list[str]) -> dict[str, str]:
    """The journal of the new set (its files, in `new`, then the kept later ones as the old journal
    had them), and the snapshots drizzle-kit diffs from."""
    try:
        old = json.loads((history / JOURNAL).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    entries = old.get("entries", [])
    kept_tags = {Path(k).stem for k in kept}
    later = [e for e in entries if e["tag"] in kept_tags]
    squashed = [e for e in entries if e["tag"] not in kept_tags]
    last_when = max((e["when"] for e in squashed), default=0)
    tags = sorted(p.stem for p in new.glob("*.sql"))
    if tags == [e["tag"] for e in squashed]:
        return {}  # the history's own files (nothing could be proven): its journal and snapshots stay
    version = old.get("version", "7")
    new = [{"idx": i, "version": version, "when": last_when - (len(tags) - 1 - i), "tag": tag, "breakpoints": True}
           for i, tag in enumerate(tags)]
    out = {JOURNAL: json.dumps({**old, "entries": new + later}, indent=2) + "\n"}
    snapshots = {int(m.group(1)): p for p in (history / "meta").glob("*_snapshot.json") if (m := _SNAPSHOT.match(p.name))}
    last_squashed = max((int(m.group(1)) for e in squashed if (m := _TAG.match(e["tag"]))), default=-1)
    newest = max((i for i in snapshots if i <= last_squashed), default=None)
    if newest is not None and tags:
        # With later files kept, the snapshot keeps its number, so it still sorts before theirs.
        last = _TAG.match(tags[-1])
        name = snapshots[newest].name if later or not last else f"{last.group(1)}_snapshot.json"
        out[f"meta/{name}"] = snapshots[newest].read_text("utf-8")
    for e in later:
        m = _TAG.match(e["tag"])
        if m and int(m.group(1)) in snapshots:
            out[f"meta/{snapshots[int(m.group(1))].name}"] = snapshots[int(m.group(1))].read_text("utf-8")
    return out


def checksum(data: bytes) -> str:
    """drizzle records the SHA-256 of the file's text, in lowercase hex."""
    return hashlib.sha256(data).hexdigest()


def bookkeeping(migs: list[Migration], data: Callable[[Migration], bytes]) -> Bookkeeping:
    rows: list[tuple[object, ...]] = [(checksum(data(m)), m.sort_key[1]) for m in migs]
    return replace_rows(FORMAT.table, "hash, created_at", rows, len(migs))


# (`aside`: a .sql file the journal does not list is named by `read` itself, as drizzle sees it)
FORMAT = Format("drizzle", "drizzle.__drizzle_migrations", read, layout, bookkeeping, finish=finish, aside=re.compile(r".*\.sql$"),
                recorded=Recorded("SELECT created_at FROM drizzle.__drizzle_migrations", lambda m: Path(m.file).stem,
                                  lambda m: int(str(m.sort_key[1]))))
