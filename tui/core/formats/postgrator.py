"""Postgrator: `<version>.do.<name>.sql` (the name may be left out), undone by `<version>.undo.<name>.sql`,
in the order of the versions' numbers; each file is sent as one query (one implicit transaction).
Postgrator runs the versions above the largest its table holds. Bookkeeping: `schemaversion`,
one row a version with the MD5 of its file (checked on each run)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from tui.core.errors import Diagnostic
from tui.core.formats.base import Bookkeeping, Format, Found, Layout, Migration, NewFile, Raw, Recorded, rel, replace_rows, up_down
from tui.core.formats.named import files_by_name
from tui.core.formats.unread import unread_migration

PATTERN = re.compile(r"^(\d+)\.(do|undo)(?:\.(.*))?\.sql$")
_SCRIPT = re.compile(r"^\d+\.(do|undo)\b.*\.(js|cjs|mjs)$")


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    found: list[Migration] = []
    others: list[str] = []
    files = files_by_name(folder, root, others)
    undos = {int(m.group(1)): p for name, p in files.items() if (m := PATTERN.match(name)) and m.group(2) == "undo"}
    for name, p in files.items():
        m = PATTERN.match(name)
        if _SCRIPT.match(name):
            diags.append(unread_migration(rel(p, root), "Postgrator runs this script migration"))
        elif not m:
            others.append(rel(p, root))
        elif m.group(2) == "do":
            down = undos.pop(int(m.group(1)), None)
            found.append(up_down(m.group(1), m.group(3) or "", p, down, root, diags, sort_key=(int(m.group(1)),), single_query=True))
    others.extend(rel(p, root) for p in undos.values())
    return found, others


def layout(f: NewFile, reversible: bool) -> Layout:
    return Layout(f"{f.version}.do.{f.group}.sql", f.header + f.body, f"{f.version}.undo.{f.group}.sql", f.down)


def bookkeeping(migs: list[Migration], data: Callable[[Migration], bytes]) -> Bookkeeping:
    rows: list[tuple[object, ...]] = [(int(m.version), m.name.split(".")[0], hashlib.md5(data(m)).hexdigest(), Raw("now()")) for m in migs]
    # (the row of version 0 that Postgrator writes as it makes the table stays)
    return replace_rows(FORMAT.table, "version, name, md5, run_at", rows, len(migs), keep="version = 0")


FORMAT = Format("postgrator", "schemaversion", read, layout, bookkeeping,
                recorded=Recorded("SELECT version::text FROM schemaversion WHERE version <> 0", lambda m: str(int(m.version)),
                                  lambda m: int(m.version)),
                guard_last=True)
