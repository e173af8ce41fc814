"""golang-migrate: `<version>_<name>.up.sql` and `.down.sql`, each sent to PostgreSQL as one query
(which runs as one implicit transaction; a statement that cannot run in a transaction block goes
alone in its file). Bookkeeping: `schema_migrations`, one row with the last version applied and
whether it failed half-way (`dirty`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from tui.core.errors import Diagnostic
from tui.core.formats.base import Bookkeeping, Format, Found, Layout, Migration, NewFile, Recorded, rel, replace_rows, up_down
from tui.core.formats.named import files_by_name

PATTERN = re.compile(r"^(\d+)_(.*)\.(up|down)\.sql$")


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    found: list[Migration] = []
    others: list[str] = []
    files = files_by_name(folder, root, others)
    for name, p in files.items():
        m = PATTERN.match(name)
        if not m:
            others.append(rel(p, root))
            continue
        if m.group(3) == "down":
            if f"{m.group(1)}_{m.group(2)}.up.sql" not in files:
                others.append(rel(p, root))
            continue
        down = files.get(f"{m.group(1)}_{m.group(2)}.down.sql")
        found.append(up_down(m.group(1), m.group(2), p, down, root, diags, sort_key=(int(m.group(1)),), single_query=True))
    return found, others


def layout(f: NewFile, reversible: bool) -> Layout:
    return Layout(f"{f.version}_{f.group}.up.sql", f.header + f.body, f"{f.version}_{f.group}.down.sql", f.down)


def bookkeeping(migs: list[Migration], data: Callable[[Migration], bytes]) -> Bookkeeping:
    rows: list[tuple[object, ...]] = [(int(migs[-1].version), False)] if migs else []
    return replace_rows(FORMAT.table, "version, dirty", rows, len(migs))


FORMAT = Format("golang-migrate", "schema_migrations", read, layout, bookkeeping,
                recorded=Recorded("SELECT version FROM schema_migrations WHERE NOT dirty", lambda m: m.version, lambda m: int(m.version)),
                guard_last=True)
